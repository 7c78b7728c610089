"""Signing in and out, changing your own password, and one-time password-reset links."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from evidence_hub.auth.forms import ChangePasswordForm, ResetPasswordForm, SignInForm
from evidence_hub.db import transaction
from evidence_hub.extensions import login_manager
from evidence_hub.guards import public, signed_in, start_session_clock
from evidence_hub.models import User
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.users import AccountError, AccountSettings, ResetLinkError
from evidence_hub.services.common.access import led_sites
from evidence_hub.web import acting_user, client_address, db_session, is_safe_local_path

auth = Blueprint("auth", __name__)
security_log = logging.getLogger("evidence_hub.security")

SIGN_IN_FAILED = "Enter the email address and password of an active account"
SIGN_IN_THROTTLED = (
    "There have been too many failed attempts to sign in. Wait 15 minutes, then try again, "
    "or ask an administrator for a password reset link."
)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return accounts.user_by_session_token(db_session(), session_token)


def _settings() -> AccountSettings:
    return AccountSettings.from_config(current_app.config)


def _local_target(next_path: str | None) -> str:
    """Where to go after signing in: the page asked for when it is on this service, else home."""
    return next_path if next_path is not None and is_safe_local_path(next_path) else url_for("main.home")


def _start_session(user: User) -> None:
    # A fresh session at every sign-in: nothing from before it (including a planted one) survives.
    session.clear()
    login_user(user)
    session.permanent = True
    start_session_clock()


@auth.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> str | Response | tuple[str, int]:
    """Sign in with email address and password."""
    next_path = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(_local_target(next_path))
    form = SignInForm()
    if form.validate_on_submit():
        session_ = db_session()
        # The password is checked before the write transaction begins: see check_password.
        check = accounts.check_password(
            session_,
            email=form.email.data or "",
            password=form.password.data or "",
            ip_address=client_address(),
            settings=_settings(),
        )
        with transaction(session_):
            outcome = accounts.record_sign_in(
                session_, check, ip_address=client_address(), settings=_settings()
            )
        if outcome.user is not None:
            security_log.info("Sign-in succeeded: user %s from %s", outcome.user.id, client_address())
            _start_session(outcome.user)
            return redirect(_local_target(next_path))
        security_log.warning(
            "Sign-in failed%s from %s", " (throttled)" if outcome.throttled else "", client_address()
        )
        message = SIGN_IN_THROTTLED if outcome.throttled else SIGN_IN_FAILED
        form.email.errors = [message]
        page = render_template("auth/sign_in.html", form=form, title="Sign in")
        return (page, 429) if outcome.throttled else page
    return render_template("auth/sign_in.html", form=form, title="Sign in")


@auth.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> Response:
    """Sign out everywhere: every session of this user ends, including cookies copied elsewhere."""
    user = acting_user()
    with transaction(db_session()):
        accounts.end_all_sessions(user)
    security_log.info("Signed out: user %s", user.id)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@auth.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> str | Response:
    """Your account details, and a form to change your password."""
    user = acting_user()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with transaction(db_session()):
                accounts.change_own_password(
                    db_session(),
                    user=user,
                    current_password=form.current_password.data or "",
                    new_password=form.new_password.data or "",
                    settings=_settings(),
                )
        except AccountError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            # Every other session has ended; this one carries on with the new token.
            _start_session(user)
            flash(
                "Your password has been changed. You have been signed out on every other device.", "success"
            )
            return redirect(url_for("auth.account"))
    site_names = [site.name for site in led_sites(user)]
    return render_template(
        "auth/account.html", form=form, user=user, site_names=site_names, title="Your account"
    )


@auth.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Set a new password with a one-time link an administrator gave you."""
    try:
        reset = accounts.usable_reset_token(db_session(), token)
    except ResetLinkError as error:
        return render_template(
            "auth/reset_link_unusable.html", title="This link cannot be used", reason=str(error)
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with transaction(db_session()):
                accounts.redeem_password_reset(
                    db_session(),
                    raw_token=token,
                    new_password=form.new_password.data or "",
                    settings=_settings(),
                )
        except AccountError as error:
            getattr(form, error.field).errors = [error.message]
        except ResetLinkError as error:
            return render_template(
                "auth/reset_link_unusable.html", title="This link cannot be used", reason=str(error)
            ), 400
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password has been set. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, user=reset.user, title="Set a new password")
