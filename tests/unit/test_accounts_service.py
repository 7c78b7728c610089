"""Accounts: creating users, signing in with throttling, passwords and one-time reset links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import AuditEvent, PasswordResetToken, Role, SignInAttempt, User
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.users import AccountError, AccountSettings, ResetLinkError
from evidence_hub.services.common.access import led_site_ids
from tests.factories import DEFAULT_PASSWORD, make_programme, make_site, make_user, the_programme

SETTINGS = AccountSettings()
STRONG_PASSWORD = "paper lantern orchard 42"


def authenticate(db: Session, email: str, password: str, ip: str = "192.0.2.1") -> accounts.SignInOutcome:
    check = accounts.check_password(db, email=email, password=password, ip_address=ip, settings=SETTINGS)
    with transaction(db):
        return accounts.record_sign_in(db, check, ip_address=ip, settings=SETTINGS)


def test_a_new_user_is_stored_with_a_hashed_password_and_an_audit_record(db: Session) -> None:
    with transaction(db):
        user = accounts.create_user(
            db,
            actor=None,
            email=" Pat.Smith@Example.GOV.UK ",
            full_name="Pat Smith",
            role=Role.EVALUATOR,
            password=STRONG_PASSWORD,
            settings=SETTINGS,
        )
    assert user.email == "pat.smith@example.gov.uk"
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG_PASSWORD not in user.password_hash
    event = db.scalar(select(AuditEvent).where(AuditEvent.object_id == user.id))
    assert event is not None and event.action == "user.created"
    assert "password_hash" not in (event.after or {})


def test_a_duplicate_email_is_refused_whatever_its_case(db: Session) -> None:
    make_user(db, email="pat@example.gov.uk")
    with pytest.raises(AccountError, match="already exists") as raised, transaction(db):
        accounts.create_user(
            db,
            actor=None,
            email="PAT@example.gov.uk",
            full_name="Another Pat",
            role=Role.EVALUATOR,
            password=STRONG_PASSWORD,
            settings=SETTINGS,
        )
    assert raised.value.field == "email"
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_a_site_lead_needs_a_site_in_a_service_with_one_programme(db: Session) -> None:
    the_programme(db)
    with pytest.raises(AccountError, match="Select the pilot site") as raised, transaction(db):
        accounts.create_user(
            db,
            actor=None,
            email="lead@example.gov.uk",
            full_name="Lead",
            role=Role.SITE_LEAD,
            password=STRONG_PASSWORD,
            settings=SETTINGS,
        )
    assert raised.value.field == "site_id"


def test_with_several_programmes_a_site_lead_gets_their_sites_from_memberships_alone(db: Session) -> None:
    the_programme(db)
    make_programme(db, "libraries", sites=("kent",))
    kent = make_site(db, "kent")
    with pytest.raises(AccountError, match="memberships page") as raised, transaction(db):
        accounts.create_user(
            db,
            actor=None,
            email="lead@example.gov.uk",
            full_name="Lead",
            role=Role.SITE_LEAD,
            password=STRONG_PASSWORD,
            settings=SETTINGS,
            site_id=kent.id,
        )
    assert raised.value.field == "site_id"
    with transaction(db):
        lead = accounts.create_user(
            db,
            actor=None,
            email="lead@example.gov.uk",
            full_name="Lead",
            role=Role.SITE_LEAD,
            password=STRONG_PASSWORD,
            settings=SETTINGS,
        )
    assert led_site_ids(lead) == []


def test_other_roles_never_keep_a_site(db: Session) -> None:
    kent = make_site(db, "kent")
    with transaction(db):
        user = accounts.create_user(
            db,
            actor=None,
            email="eval@example.gov.uk",
            full_name="Eval",
            role=Role.EVALUATOR,
            password=STRONG_PASSWORD,
            settings=SETTINGS,
            site_id=kent.id,
        )
    assert led_site_ids(user) == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "12 characters or more"),
        ("password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "must not repeat the same few characters"),
        ("x" * 129, "128 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(db: Session, password: str, message: str) -> None:
    with pytest.raises(AccountError, match=message), transaction(db):
        accounts.create_user(
            db,
            actor=None,
            email="weak@example.gov.uk",
            full_name="Weak",
            role=Role.EVALUATOR,
            password=password,
            settings=SETTINGS,
        )


def test_signing_in_with_the_right_password_returns_the_user(db: Session) -> None:
    user = make_user(db, email="pat@example.gov.uk")
    outcome = authenticate(db, "PAT@example.gov.uk", DEFAULT_PASSWORD)
    assert outcome.user is not None and outcome.user.id == user.id
    # The password is one step: the sign-in is recorded once every step is done (see web/test_two_factor).
    assert outcome.user.last_signed_in_at is None


def test_an_unknown_email_and_a_wrong_password_fail_the_same_way(db: Session) -> None:
    make_user(db, email="pat@example.gov.uk")
    assert authenticate(db, "pat@example.gov.uk", "wrong password here") == accounts.SignInOutcome(user=None)
    assert authenticate(db, "nobody@example.gov.uk", DEFAULT_PASSWORD) == accounts.SignInOutcome(user=None)


def test_a_deactivated_user_cannot_sign_in(db: Session) -> None:
    make_user(db, email="gone@example.gov.uk", is_active=False)
    assert authenticate(db, "gone@example.gov.uk", DEFAULT_PASSWORD).user is None


def test_five_failures_lock_the_account_even_with_the_right_password(db: Session) -> None:
    make_user(db, email="pat@example.gov.uk")
    for attempt in range(5):
        authenticate(db, "pat@example.gov.uk", f"wrong guess {attempt}", ip=f"192.0.2.{attempt}")
    outcome = authenticate(db, "pat@example.gov.uk", DEFAULT_PASSWORD, ip="198.51.100.9")
    assert outcome.throttled and outcome.user is None


def test_failures_older_than_the_window_no_longer_count(db: Session) -> None:
    make_user(db, email="pat@example.gov.uk")
    long_ago = utc_now() - timedelta(minutes=16)
    with transaction(db):
        db.add_all(
            SignInAttempt(
                email="pat@example.gov.uk", ip_address="192.0.2.1", succeeded=False, attempted_at=long_ago
            )
            for _ in range(10)
        )
    assert authenticate(db, "pat@example.gov.uk", DEFAULT_PASSWORD).user is not None


def test_attempts_older_than_the_window_are_deleted_as_the_privacy_notice_says(db: Session) -> None:
    make_user(db, email="pat@example.gov.uk")
    with transaction(db):
        db.add_all(
            SignInAttempt(
                email="someone@example.gov.uk",
                ip_address="192.0.2.9",
                succeeded=False,
                attempted_at=utc_now() - timedelta(minutes=minutes),
            )
            for minutes in (16, 60, 24 * 60, 14)
        )
    authenticate(db, "pat@example.gov.uk", "a wrong password")
    db.expire_all()
    ages = sorted(
        round((utc_now() - attempt.attempted_at).total_seconds() / 60)
        for attempt in db.scalars(select(SignInAttempt))
    )
    assert ages == [0, 14], "only this attempt and the one still inside the 15-minute window are kept"


def test_twenty_failures_from_one_address_block_that_address(db: Session) -> None:
    make_user(db, email="pat@example.gov.uk")
    for attempt in range(20):
        authenticate(db, f"guess{attempt}@example.gov.uk", "wrong password", ip="203.0.113.5")
    assert authenticate(db, "pat@example.gov.uk", DEFAULT_PASSWORD, ip="203.0.113.5").throttled
    assert authenticate(db, "pat@example.gov.uk", DEFAULT_PASSWORD, ip="203.0.113.6").user is not None


def test_changing_your_password_needs_the_current_one_and_ends_other_sessions(db: Session) -> None:
    user = make_user(db)
    old_token = user.session_token
    with pytest.raises(AccountError, match="current password is not correct"), transaction(db):
        accounts.change_own_password(
            db, user=user, current_password="not it at all", new_password=STRONG_PASSWORD, settings=SETTINGS
        )
    with transaction(db):
        accounts.change_own_password(
            db, user=user, current_password=DEFAULT_PASSWORD, new_password=STRONG_PASSWORD, settings=SETTINGS
        )
    assert user.session_token != old_token
    assert authenticate(db, user.email, STRONG_PASSWORD).user is not None


def test_a_reset_link_works_once(db: Session) -> None:
    admin = make_user(db, Role.ADMINISTRATOR)
    user = make_user(db)
    with transaction(db):
        raw = accounts.issue_password_reset(db, actor=admin, user=user, settings=SETTINGS)
    stored = db.scalar(select(PasswordResetToken))
    assert stored is not None and raw not in stored.token_hash
    with transaction(db):
        accounts.redeem_password_reset(db, raw_token=raw, new_password=STRONG_PASSWORD, settings=SETTINGS)
    with pytest.raises(ResetLinkError, match="already been used"):
        accounts.usable_reset_token(db, raw)
    assert authenticate(db, user.email, STRONG_PASSWORD).user is not None


def test_a_reset_link_expires_after_its_lifetime(db: Session) -> None:
    admin = make_user(db, Role.ADMINISTRATOR)
    user = make_user(db)
    with transaction(db):
        raw = accounts.issue_password_reset(db, actor=admin, user=user, settings=SETTINGS)
        token = db.scalar(select(PasswordResetToken))
        assert token is not None
        token.expires_at = utc_now() - timedelta(seconds=1)
    with pytest.raises(ResetLinkError, match="expired"):
        accounts.usable_reset_token(db, raw)


def test_a_new_reset_link_makes_the_earlier_one_unusable(db: Session) -> None:
    admin = make_user(db, Role.ADMINISTRATOR)
    user = make_user(db)
    with transaction(db):
        first = accounts.issue_password_reset(db, actor=admin, user=user, settings=SETTINGS)
    with transaction(db):
        accounts.issue_password_reset(db, actor=admin, user=user, settings=SETTINGS)
    with pytest.raises(ResetLinkError, match="expired"):
        accounts.usable_reset_token(db, first)


def test_deactivating_ends_every_session_and_you_cannot_deactivate_yourself(db: Session) -> None:
    admin = make_user(db, Role.ADMINISTRATOR)
    user = make_user(db)
    token = user.session_token
    with transaction(db):
        accounts.set_active(db, actor=admin, user=user, active=False)
    assert accounts.user_by_session_token(db, token) is None
    assert accounts.user_by_session_token(db, user.session_token) is None
    with pytest.raises(AccountError, match="cannot deactivate your own"), transaction(db):
        accounts.set_active(db, actor=admin, user=admin, active=False)
