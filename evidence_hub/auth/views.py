"""Signing in and out (with a password or through single sign-on), changing your own password, and
one-time password-reset links. The second step of signing in is in auth/two_factor.py."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from evidence_hub.auth import single_sign_on
from evidence_hub.auth.forms import (
    ChangePasswordForm,
    EmailChoicesForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
)
from evidence_hub.auth.signing_in import account_settings, after_first_step, local_target, start_session
from evidence_hub.db import transaction
from evidence_hub.extensions import login_manager
from evidence_hub.guards import public, signed_in
from evidence_hub.models import User
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.single_sign_on import (
    SingleSignOnRefused,
    SingleSignOnSettings,
    account_for_identity,
)
from evidence_hub.services.accounts.users import AccountError, ResetLinkError
from evidence_hub.services.common.access import led_sites
from evidence_hub.services.notifications import preferences
from evidence_hub.web import acting_user, client_address, db_session

auth = Blueprint("auth", __name__)
security_log = logging.getLogger("evidence_hub.security")

SIGN_IN_FAILED = "Enter the email address and password of an active account"
SIGN_IN_THROTTLED = (
    "There have been too many failed attempts to sign in. Wait 15 minutes, then try again, "
    'or choose "Forgot your password?" to set a new one.'
)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return accounts.user_by_session_token(db_session(), session_token)


# The session key of the page asked for before going to the identity provider.
SSO_NEXT_KEY = "sso_next"


def _sign_in_page(form: SignInForm, status: int = 200, problem: str | None = None) -> tuple[str, int]:
    return render_template(
        "auth/sign_in.html",
        form=form,
        password_sign_in=current_app.config["PASSWORD_SIGN_IN"],
        single_sign_on=single_sign_on.is_configured(),
        sso_name=current_app.config["OIDC_DISPLAY_NAME"],
        next_path=request.args.get("next"),
        problem=problem,
        title="Sign in",
    ), status


@auth.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> str | Response | tuple[str, int]:
    """Sign in with email address and password, or through single sign-on."""
    next_path = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(local_target(next_path))
    form = SignInForm()
    if request.method == "POST" and not current_app.config["PASSWORD_SIGN_IN"]:
        security_log.warning("Password sign-in refused (turned off) from %s", client_address())
        return _sign_in_page(form, 403, "Signing in with a password is turned off for this service.")
    if form.validate_on_submit():
        session_ = db_session()
        # The password is checked before the write transaction begins: see check_password.
        check = accounts.check_password(
            session_,
            email=form.email.data or "",
            password=form.password.data or "",
            ip_address=client_address(),
            settings=account_settings(),
        )
        with transaction(session_):
            outcome = accounts.record_sign_in(
                session_, check, ip_address=client_address(), settings=account_settings()
            )
        if outcome.user is not None:
            security_log.info("Password accepted: user %s from %s", outcome.user.id, client_address())
            return after_first_step(outcome.user, next_path=next_path, through_single_sign_on=False)
        security_log.warning(
            "Sign-in failed%s from %s", " (throttled)" if outcome.throttled else "", client_address()
        )
        message = SIGN_IN_THROTTLED if outcome.throttled else SIGN_IN_FAILED
        form.email.errors = [message]
        return _sign_in_page(form, 429 if outcome.throttled else 200)
    return _sign_in_page(form)


@auth.route("/sign-in/single-sign-on")
@public
def single_sign_on_start() -> Response | tuple[str, int]:
    """Go to the identity provider to sign in there."""
    if not single_sign_on.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(local_target(request.args.get("next")))
    session[SSO_NEXT_KEY] = request.args.get("next")
    try:
        return single_sign_on.redirect_to_provider(url_for("auth.single_sign_on_return", _external=True))
    except single_sign_on.IdentityProviderAnswerRefused as error:
        security_log.error("Identity provider unreachable: %s", error)
        return _sign_in_page(
            SignInForm(formdata=None),
            503,
            "We could not reach your identity provider. Try again in a few minutes; if it goes on, tell an "
            "administrator of your programme.",
        )


@auth.route("/sign-in/single-sign-on/return")
@public
def single_sign_on_return() -> str | Response | tuple[str, int]:
    """The identity provider sends the browser back here with its answer."""
    if not single_sign_on.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(local_target(None))
    next_path = session.pop(SSO_NEXT_KEY, None)
    try:
        claims = single_sign_on.verified_claims()
    except single_sign_on.IdentityProviderAnswerRefused as error:
        security_log.warning("Single sign-on answer refused from %s: %s", client_address(), error)
        return _sign_in_page(
            SignInForm(formdata=None),
            400,
            "We could not sign you in: the answer from your identity provider could not be checked. "
            "Try again; if it happens again, tell an administrator of your programme.",
        )
    session_ = db_session()
    try:
        with transaction(session_):
            user = account_for_identity(
                session_,
                claims=claims,
                settings=SingleSignOnSettings.from_config(current_app.config),
                accounts=account_settings(),
            )
    except SingleSignOnRefused as error:
        security_log.warning("Single sign-on refused from %s: %s", client_address(), error)
        return _sign_in_page(SignInForm(formdata=None), 403, str(error))
    security_log.info("Single sign-on accepted: user %s from %s", user.id, client_address())
    return after_first_step(
        user, next_path=next_path if isinstance(next_path, str) else None, through_single_sign_on=True
    )


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
                    settings=account_settings(),
                )
        except AccountError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            # Every other session has ended; this one carries on with the new token.
            start_session(user)
            flash(
                "Your password has been changed. You have been signed out on every other device.", "success"
            )
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        form=form,
        user=user,
        site_names=[site.name for site in led_sites(user)],
        password_sign_in=current_app.config["PASSWORD_SIGN_IN"],
        title="Your account",
    )


@auth.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password() -> str:
    """Ask for a link to set a new password, emailed to the account's own address.

    The answer is the same whether or not the address has an account (and whether or not the request was
    over the limit), so the page tells nobody which addresses are registered."""
    if not current_app.config["PASSWORD_SIGN_IN"]:
        # Nobody signs in with a password here: there is no password to reset.
        abort(404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction(db_session()):
            accounts.request_password_reset(
                db_session(),
                email=form.email.data or "",
                ip_address=client_address(),
                settings=account_settings(),
            )
        security_log.info("Password reset link asked for from %s", client_address())
        return render_template(
            "auth/forgot_password_sent.html",
            email=accounts.normalise_email(form.email.data or ""),
            hours=current_app.config["PASSWORD_RESET_HOURS"],
            title="Check your email",
        )
    return render_template("auth/forgot_password.html", form=form, title="Reset your password")


@auth.route("/account/emails", methods=["GET", "POST"])
@signed_in
def email_choices() -> str | Response:
    """Choose which of the optional emails your role can receive you get."""
    user = acting_user()
    session_ = db_session()
    choices = preferences.choices_of(session_, user)
    form = EmailChoicesForm()
    form.wanted.choices = [(choice.template.name, choice.template.label) for choice in choices]
    if request.method == "GET":
        form.wanted.data = [choice.template.name for choice in choices if choice.wanted]
    if form.validate_on_submit():
        with transaction(session_):
            preferences.set_choices(session_, user=user, wanted=set(form.wanted.data or []))
        flash("Your email choices have been saved.", "success")
        return redirect(url_for("auth.email_choices"))
    return render_template("auth/email_choices.html", form=form, choices=choices, title="Emails you get")


@auth.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Set a new password with a one-time link from an email or an administrator."""
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
                    settings=account_settings(),
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
