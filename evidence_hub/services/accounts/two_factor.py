"""Two-factor sign-in: time-based one-time passwords (RFC 6238) from an authenticator app, and ten
single-use recovery codes for when the app's device is lost.

A code is accepted once: the time step it belongs to is remembered, and a code for that step or an
earlier one is refused. A wrong code counts as a failed sign-in, so the same limits hold for codes as for
passwords (services/accounts/users.py).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from evidence_hub.db import utc_now
from evidence_hub.models import RecoveryCode, Role, User
from evidence_hub.services.accounts.passwords import hash_password, verify_password
from evidence_hub.services.accounts.users import (
    AccountSettings,
    end_all_sessions,
    record_attempt,
    throttled,
)
from evidence_hub.services.common import audit

RECOVERY_CODE_COUNT = 10
# Ten characters from an alphabet without look-alikes (no 0/o, 1/l/i): about 50 bits each.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
# Codes of the step before and after now are accepted too: a phone's clock is rarely exact.
ACCEPTED_STEPS_EITHER_SIDE = 1


@dataclass(frozen=True)
class TwoFactorSettings:
    required_roles: frozenset[Role]
    # A sign-in through single sign-on needs no second code here: the identity provider asks for its own.
    trusts_single_sign_on: bool = False
    issuer_name: str = "Evidence Hub"

    @classmethod
    def from_config(cls, config: Any) -> TwoFactorSettings:
        return cls(
            required_roles=frozenset(
                Role(name.strip()) for name in config["TWO_FACTOR_REQUIRED_ROLES"].split(",") if name.strip()
            ),
            trusts_single_sign_on=bool(config["TWO_FACTOR_TRUSTS_SSO"]),
            issuer_name=str(config["TWO_FACTOR_ISSUER_NAME"]),
        )

    def is_required_for(self, user: User) -> bool:
        return user.role_enum in self.required_roles

    def second_step_needed(self, user: User, *, through_single_sign_on: bool) -> bool:
        """Whether signing in needs a code (or setting up the app) after the first step."""
        if through_single_sign_on and self.trusts_single_sign_on:
            return False
        return user.has_second_factor or self.is_required_for(user)


class TwoFactorError(ValueError):
    """A code that cannot be accepted; the message says so plainly."""


def new_secret() -> str:
    return pyotp.random_base32()


def setup_address(secret: str, *, email: str, issuer_name: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer_name)


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _is_one_time_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _matching_step(secret: str, code: str, *, after_step: int | None, at: datetime) -> int | None:
    """The time step, near `at` and later than `after_step`, whose code this is; None when none is."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in range(now_step - ACCEPTED_STEPS_EITHER_SIDE, now_step + ACCEPTED_STEPS_EITHER_SIDE + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace the user's recovery codes with ten new ones; the codes themselves, to show once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(code), created_at=now))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def confirm_set_up(
    session: Session, *, user: User, secret: str, code: str, at: datetime | None = None
) -> list[str]:
    """Turn two-factor sign-in on with the secret the user's app was given, once a first code from the app
    proves it holds it. Returns the new recovery codes, to show once. Call inside `transaction(session)`."""
    at = at or utc_now()
    code = _normalised(code)
    if not _is_one_time_code(code):
        raise TwoFactorError("Enter the 6-digit code from your authenticator app")
    step = _matching_step(secret, code, after_step=None, at=at)
    if step is None:
        raise TwoFactorError(
            "The code is not right. Check that you scanned the QR code shown here, then enter the newest code"
        )
    session.refresh(user, with_for_update=True)
    user.totp_secret = secret
    user.totp_confirmed_at = at
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user, at)
    audit.record(session, actor=user, action="user.two_factor_set_up", object_type="user", object_id=user.id)
    return codes


@dataclass(frozen=True)
class CodeCheck:
    accepted: bool
    throttled: bool = False
    used_recovery_code: bool = False
    recovery_codes_left: int = 0


def _spend_recovery_code(session: Session, user: User, code: str, at: datetime) -> bool:
    for stored in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if verify_password(stored.code_hash, code):
            stored.used_at = at
            return True
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def check_code(
    session: Session,
    *,
    user: User,
    code: str,
    ip_address: str,
    settings: AccountSettings,
    at: datetime | None = None,
) -> CodeCheck:
    """Check the second step of signing in: a code from the app, or one of the recovery codes. Call
    inside `transaction(session)`: the user's row is locked, so one code cannot be used twice at once."""
    at = at or utc_now()
    if throttled(session, user.email, ip_address, settings):
        return CodeCheck(accepted=False, throttled=True)
    session.refresh(user, with_for_update=True)
    code = _normalised(code)
    accepted, used_recovery_code = False, False
    if user.totp_secret is not None and user.has_second_factor:
        if _is_one_time_code(code):
            step = _matching_step(user.totp_secret, code, after_step=user.totp_last_step, at=at)
            if step is not None:
                user.totp_last_step = step
                accepted = True
        elif len(code) == RECOVERY_CODE_LENGTH:
            accepted = used_recovery_code = _spend_recovery_code(session, user, code, at)
    record_attempt(session, email=user.email, ip_address=ip_address, succeeded=accepted, settings=settings)
    if not accepted:
        return CodeCheck(accepted=False)
    if used_recovery_code:
        audit.record(
            session, actor=user, action="user.recovery_code_used", object_type="user", object_id=user.id
        )
    return CodeCheck(
        accepted=True,
        used_recovery_code=used_recovery_code,
        recovery_codes_left=recovery_codes_left(session, user),
    )


def _turn_off(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Sessions signed in with the old app must not outlive it.
    end_all_sessions(user)


def reset_own(session: Session, *, user: User, recovery_code: str, at: datetime | None = None) -> None:
    """Turn your own two-factor sign-in off, to set it up again with a new device: only with one of your
    recovery codes. Every session ends. Call inside `transaction(session)`."""
    at = at or utc_now()
    session.refresh(user, with_for_update=True)
    code = _normalised(recovery_code)
    if (
        not user.has_second_factor
        or len(code) != RECOVERY_CODE_LENGTH
        or not _spend_recovery_code(session, user, code, at)
    ):
        raise TwoFactorError("Enter one of your unused recovery codes, like abcde-fghjk")
    _turn_off(session, user)
    audit.record(session, actor=user, action="user.two_factor_reset", object_type="user", object_id=user.id)


def reset_for(session: Session, *, actor: User, user: User) -> None:
    """An administrator turns another user's two-factor sign-in off (a lost device and no recovery codes):
    they set it up again at their next sign-in if their role requires it."""
    if actor.id == user.id:
        raise TwoFactorError("Reset your own two-factor sign-in from your account page, with a recovery code")
    if not user.has_second_factor:
        raise TwoFactorError(f"{user.full_name} has not set up two-factor sign-in")
    _turn_off(session, user)
    audit.record(session, actor=actor, action="user.two_factor_reset", object_type="user", object_id=user.id)
