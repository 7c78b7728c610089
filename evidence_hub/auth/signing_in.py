"""The steps of signing in a browser: after the first step (a password, or the identity provider) either
the session starts, or the second step (a code, or setting up the authenticator app) is waited for.

Between the steps the session holds only which account is half signed in (by its session token, so a
password change or sign-out everywhere in between ends it), since when, where to go afterwards and how the
first step was taken. Nobody is signed in until the second step succeeds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, redirect, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import start_session_clock
from evidence_hub.models import User
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.two_factor import TwoFactorSettings
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.web import client_address, db_session, is_safe_local_path

security_log = logging.getLogger("evidence_hub.security")

PENDING_KEY = "second_step"
# Minutes a half-finished sign-in waits for its second step (long enough to install an app and set it up).
PENDING_MINUTES = 15


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    next_path: str | None
    through_single_sign_on: bool


def account_settings() -> AccountSettings:
    return AccountSettings.from_config(current_app.config)


def two_factor_settings() -> TwoFactorSettings:
    return TwoFactorSettings.from_config(current_app.config)


def local_target(next_path: str | None) -> str:
    """Where to go after signing in: the page asked for when it is on this service, else home."""
    return next_path if next_path is not None and is_safe_local_path(next_path) else url_for("main.home")


def start_session(user: User) -> None:
    # A fresh session at every sign-in: nothing from before it (including a planted one) survives.
    session.clear()
    login_user(user)
    session.permanent = True
    start_session_clock()


def finish_sign_in(user: User, how: str) -> None:
    """Every step is done: the session starts, and the account keeps when (never at a first step that a
    second must follow)."""
    session_ = db_session()
    with transaction(session_):
        accounts.record_signed_in(session_, user)
    security_log.info("Sign-in succeeded (%s): user %s from %s", how, user.id, client_address())
    start_session(user)


def after_first_step(user: User, *, next_path: str | None, through_single_sign_on: bool) -> Response:
    """Sign in, or ask for the second step when this account needs one."""
    if not two_factor_settings().second_step_needed(user, through_single_sign_on=through_single_sign_on):
        finish_sign_in(user, "single sign-on" if through_single_sign_on else "password")
        return redirect(local_target(next_path))
    session.clear()
    session[PENDING_KEY] = {
        "token": user.session_token,
        "since": datetime.now(UTC).timestamp(),
        "next": next_path if next_path is not None and is_safe_local_path(next_path) else None,
        "sso": through_single_sign_on,
    }
    if user.has_second_factor:
        return redirect(url_for("auth.two_factor_code"))
    return redirect(url_for("auth.two_factor_set_up_at_sign_in"))


def pending_sign_in() -> PendingSignIn | None:
    """The sign-in waiting for its second step in this session, if it has not lapsed."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    since = pending.get("since")
    if not isinstance(since, int | float) or datetime.now(UTC).timestamp() - since > PENDING_MINUTES * 60:
        session.pop(PENDING_KEY, None)
        return None
    user = accounts.user_by_session_token(db_session(), str(pending.get("token", "")))
    if user is None:
        session.pop(PENDING_KEY, None)
        return None
    next_path = pending.get("next")
    return PendingSignIn(
        user=user,
        next_path=next_path if isinstance(next_path, str) else None,
        through_single_sign_on=bool(pending.get("sso")),
    )
