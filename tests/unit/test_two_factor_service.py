"""The second factor's rules, at chosen moments: which codes are accepted, once, and what a reset does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import RecoveryCode, Role
from evidence_hub.services.accounts import two_factor
from evidence_hub.services.accounts.two_factor import TwoFactorError, TwoFactorSettings
from evidence_hub.services.accounts.users import AccountSettings
from tests.factories import make_user

NOON = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def check(db: Session, user: object, code: str, at: datetime) -> bool:
    with transaction(db):
        return two_factor.check_code(
            db,
            user=user,
            code=code,
            ip_address="10.0.0.1",
            settings=AccountSettings(),
            at=at,  # type: ignore[arg-type]
        ).accepted


def test_a_code_from_a_step_either_side_is_accepted_but_not_from_further_away(db: Session) -> None:
    user = make_user(db, Role.ADMINISTRATOR)
    secret = user.totp_secret or ""
    assert check(db, user, code_at(secret, NOON - STEP), NOON)
    assert check(db, user, code_at(secret, NOON + STEP), NOON)
    assert not check(db, user, code_at(secret, NOON + 3 * STEP), NOON)
    assert not check(db, user, code_at(secret, NOON - 3 * STEP), NOON + 4 * STEP)


def test_a_code_is_accepted_once_and_no_earlier_code_after_it(db: Session) -> None:
    user = make_user(db, Role.ADMINISTRATOR)
    secret = user.totp_secret or ""
    assert check(db, user, code_at(secret, NOON), NOON)
    assert not check(db, user, code_at(secret, NOON), NOON)
    assert not check(db, user, code_at(secret, NOON - STEP), NOON)
    assert check(db, user, code_at(secret, NOON + STEP), NOON + STEP)


def test_setting_up_needs_a_code_from_the_secret_and_makes_ten_hashed_recovery_codes(db: Session) -> None:
    user = make_user(db, Role.EVALUATOR)
    secret = two_factor.new_secret()
    with pytest.raises(TwoFactorError), transaction(db):
        two_factor.confirm_set_up(db, user=user, secret=secret, code="12345", at=NOON)
    with transaction(db):
        codes = two_factor.confirm_set_up(db, user=user, secret=secret, code=code_at(secret, NOON), at=NOON)
    assert len(codes) == 10
    stored = list(db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and not set(stored) & {code.replace("-", "") for code in codes}
    assert all(hash_.startswith("$argon2id$") for hash_ in stored)


def test_an_administrator_cannot_reset_their_own_and_a_reset_removes_the_codes(db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR)
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    with pytest.raises(TwoFactorError, match="your account page"), transaction(db):
        two_factor.reset_for(db, actor=administrator, user=administrator)
    token = official.session_token
    with transaction(db):
        two_factor.reset_for(db, actor=administrator, user=official)
    assert not official.has_second_factor and official.session_token != token
    assert db.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_single_sign_on_may_vouch_for_the_second_factor_only_when_configured(db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR)
    evaluator = make_user(db, Role.EVALUATOR)
    strict = TwoFactorSettings(required_roles=frozenset({Role.ADMINISTRATOR}))
    trusting = TwoFactorSettings(required_roles=frozenset({Role.ADMINISTRATOR}), trusts_single_sign_on=True)
    assert strict.second_step_needed(administrator, through_single_sign_on=True)
    assert not trusting.second_step_needed(administrator, through_single_sign_on=True)
    assert trusting.second_step_needed(administrator, through_single_sign_on=False)
    assert not strict.second_step_needed(evaluator, through_single_sign_on=False)
