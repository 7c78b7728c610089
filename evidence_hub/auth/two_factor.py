"""Two-factor sign-in: the second step of signing in (a code from an authenticator app, or a recovery
code), setting the app up (at sign-in when your role requires it, or from your account when you choose
to), the recovery codes shown once, and resetting it with a recovery code."""

from __future__ import annotations

import logging

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from evidence_hub.auth.forms import ResetTwoFactorForm, SetUpTwoFactorForm, TwoFactorCodeForm
from evidence_hub.auth.signing_in import (
    account_settings,
    finish_sign_in,
    local_target,
    pending_sign_in,
    start_session,
    two_factor_settings,
)
from evidence_hub.auth.views import SIGN_IN_THROTTLED, auth
from evidence_hub.db import transaction
from evidence_hub.guards import public, signed_in
from evidence_hub.models import User
from evidence_hub.services.accounts import two_factor
from evidence_hub.services.accounts.two_factor import TwoFactorError
from evidence_hub.web import acting_user, client_address, db_session

security_log = logging.getLogger("evidence_hub.security")

# The session keys of a secret being set up (until a first code confirms it) and of new recovery codes
# (until the page showing them once has been drawn).
SECRET_BEING_SET_UP_KEY = "two_factor_secret"  # noqa: S105 (a session key, not a secret)
NEW_RECOVERY_CODES_KEY = "new_recovery_codes"
WRONG_CODE = (
    "The code is not right, or has been used already. Enter the newest code from your authenticator app"
)


def _qr_code(address: str) -> Markup:
    """The setup address as a QR code, in SVG markup drawn here (no script, no image request)."""
    svg = segno.make(address, error="m").svg_inline(
        scale=5, title="QR code to scan with your authenticator app"
    )
    return Markup(svg)  # noqa: S704 (markup segno made from our own address)


def _set_up_page(user: User, form: SetUpTwoFactorForm, *, at_sign_in: bool) -> str:
    secret = session.get(SECRET_BEING_SET_UP_KEY)
    if not isinstance(secret, str):
        secret = two_factor.new_secret()
        session[SECRET_BEING_SET_UP_KEY] = secret
    address = two_factor.setup_address(
        secret, email=user.email, issuer_name=two_factor_settings().issuer_name
    )
    return render_template(
        "auth/two_factor_set_up.html",
        form=form,
        qr_code=_qr_code(address),
        # In groups of four, as authenticator apps show it, so it is easier to type.
        secret_text=" ".join(secret[index : index + 4] for index in range(0, len(secret), 4)),
        at_sign_in=at_sign_in,
        required=two_factor_settings().is_required_for(user),
        title="Set up two-factor sign-in",
    )


def _confirm_set_up(user: User, form: SetUpTwoFactorForm) -> bool:
    """Turn two-factor sign-in on with the secret being set up; False (with the error on the form) if not."""
    secret = session.get(SECRET_BEING_SET_UP_KEY)
    if not isinstance(secret, str):
        form.code.errors = ["The set-up has lapsed. Scan the new QR code, then enter the code from your app"]
        return False
    try:
        with transaction(db_session()):
            codes = two_factor.confirm_set_up(
                db_session(), user=user, secret=secret, code=form.code.data or ""
            )
    except TwoFactorError as error:
        form.code.errors = [str(error)]
        return False
    security_log.info("Two-factor sign-in set up: user %s", user.id)
    session.pop(SECRET_BEING_SET_UP_KEY, None)
    session[NEW_RECOVERY_CODES_KEY] = codes
    return True


@auth.route("/sign-in/two-factor", methods=["GET", "POST"])
@public
def two_factor_code() -> str | Response | tuple[str, int]:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(local_target(None))
    pending = pending_sign_in()
    if pending is None:
        flash("Your sign-in has lapsed. Sign in again.", "information")
        return redirect(url_for("auth.sign_in"))
    if not pending.user.has_second_factor:
        return redirect(url_for("auth.two_factor_set_up_at_sign_in"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        session_ = db_session()
        with transaction(session_):
            check = two_factor.check_code(
                session_,
                user=pending.user,
                code=form.code.data or "",
                ip_address=client_address(),
                settings=account_settings(),
            )
        if check.accepted:
            finish_sign_in(pending.user, "recovery code" if check.used_recovery_code else "second factor")
            if check.used_recovery_code:
                flash(
                    f"You signed in with a recovery code. You have {check.recovery_codes_left} left. If you "
                    "have lost your authenticator app, reset two-factor sign-in from your account page.",
                    "information",
                )
            return redirect(local_target(pending.next_path))
        security_log.warning(
            "Second factor refused%s: user %s from %s",
            " (throttled)" if check.throttled else "",
            pending.user.id,
            client_address(),
        )
        form.code.errors = [SIGN_IN_THROTTLED if check.throttled else WRONG_CODE]
        page = render_template("auth/two_factor_code.html", form=form, title="Enter the code from your app")
        return (page, 429) if check.throttled else page
    return render_template("auth/two_factor_code.html", form=form, title="Enter the code from your app")


@auth.route("/sign-in/two-factor/set-up", methods=["GET", "POST"])
@public
def two_factor_set_up_at_sign_in() -> str | Response:
    """Set up the authenticator app as part of signing in, when your role requires two-factor sign-in."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.two_factor_set_up"))
    pending = pending_sign_in()
    if pending is None:
        flash("Your sign-in has lapsed. Sign in again.", "information")
        return redirect(url_for("auth.sign_in"))
    if pending.user.has_second_factor:
        return redirect(url_for("auth.two_factor_code"))
    form = SetUpTwoFactorForm()
    if form.validate_on_submit() and _confirm_set_up(pending.user, form):
        codes = session[NEW_RECOVERY_CODES_KEY]
        finish_sign_in(pending.user, "second factor set up")
        session[NEW_RECOVERY_CODES_KEY] = codes
        return redirect(url_for("auth.recovery_codes", next=pending.next_path))
    return _set_up_page(pending.user, form, at_sign_in=True)


@auth.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor_account() -> str | Response:
    """Whether you use two-factor sign-in, how many recovery codes are left, and resetting it with one."""
    user = acting_user()
    form = ResetTwoFactorForm()
    if user.has_second_factor and form.validate_on_submit():
        try:
            with transaction(db_session()):
                two_factor.reset_own(db_session(), user=user, recovery_code=form.recovery_code.data or "")
        except TwoFactorError as error:
            form.recovery_code.errors = [str(error)]
        else:
            security_log.info("Two-factor sign-in reset with a recovery code: user %s", user.id)
            # Every other session has ended; this one carries on, to set up the new device now.
            start_session(user)
            flash(
                "Two-factor sign-in has been reset. You have been signed out on every other device.",
                "success",
            )
            return redirect(url_for("auth.two_factor_set_up"))
    return render_template(
        "auth/two_factor_account.html",
        form=form,
        user=user,
        codes_left=two_factor.recovery_codes_left(db_session(), user),
        required=two_factor_settings().is_required_for(user),
        title="Two-factor sign-in",
    )


@auth.route("/account/two-factor/set-up", methods=["GET", "POST"])
@signed_in
def two_factor_set_up() -> str | Response:
    """Set up the authenticator app from your account."""
    user = acting_user()
    if user.has_second_factor:
        return redirect(url_for("auth.two_factor_account"))
    form = SetUpTwoFactorForm()
    if form.validate_on_submit() and _confirm_set_up(user, form):
        return redirect(url_for("auth.recovery_codes"))
    return _set_up_page(user, form, at_sign_in=False)


@auth.route("/account/two-factor/recovery-codes")
@signed_in
def recovery_codes() -> str | Response:
    """The new recovery codes, shown this once."""
    codes = session.pop(NEW_RECOVERY_CODES_KEY, None)
    next_path = local_target(request.args.get("next"))
    if not isinstance(codes, list):
        return redirect(url_for("auth.two_factor_account"))
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_path=next_path, title="Your recovery codes"
    )
