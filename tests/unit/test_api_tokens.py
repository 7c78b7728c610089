"""Personal API tokens: made once and shown once, stored as a hash, expiring, revocable, tied to a role."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import ApiToken, AuditEvent, Role, User
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.accounts.api_tokens import IssuedToken, TokenError, TokenRefused, TokenState
from evidence_hub.services.common.access import NotVisible
from tests.factories import make_user


def issue(db: Session, user: User, *, name: str = "Briefing script", days: int = 90) -> IssuedToken:
    with transaction(db):
        return api_tokens.create_token(db, user=user, name=name, days=days)


def audit_records(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def refusal(db: Session, header: str | None) -> TokenRefused:
    with pytest.raises(TokenRefused) as raised:
        api_tokens.authenticate(db, header)
    return raised.value


@pytest.fixture
def official(db: Session) -> User:
    return make_user(db, Role.NATIONAL_OFFICIAL)


# --- Creating ----------------------------------------------------------------------------------------


def test_a_new_token_is_random_and_only_its_hash_and_prefix_are_stored(db: Session, official: User) -> None:
    issued = issue(db, official)

    assert issued.secret.startswith("ehub_") and len(issued.secret) == len("ehub_") + 43
    stored = db.get(ApiToken, issued.token.id)
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert stored.prefix == issued.secret[:12]
    assert issued.secret not in (stored.token_hash, stored.prefix, stored.name)
    assert issue(db, official).secret != issued.secret


def test_a_new_token_carries_its_owners_role_and_expires_after_the_days_chosen(
    db: Session, official: User
) -> None:
    before = utc_now()
    token = issue(db, official, days=30).token

    assert token.role == Role.NATIONAL_OFFICIAL.value
    assert before + timedelta(days=30) <= token.expires_at <= utc_now() + timedelta(days=30)
    assert token.last_used_at is None and token.revoked_at is None
    assert api_tokens.state_of(token) is TokenState.ACTIVE


def test_creating_a_token_is_audited_without_the_secret(db: Session, official: User) -> None:
    issued = issue(db, official, name="  Quarterly   briefing ")

    [record] = audit_records(db, "api_token.created")
    assert record.object_type == "api_token" and record.object_id == issued.token.id
    assert record.actor_id == official.id
    assert record.after is not None and record.after["name"] == "Quarterly briefing"
    assert record.after["prefix"] == issued.token.prefix
    assert issued.secret not in str(record.after)


@pytest.mark.parametrize(
    ("name", "days", "field", "message"),
    [
        ("   ", 90, "name", "Enter a name for the token"),
        ("x" * 101, 90, "name", "Name must be 100 characters or fewer"),
        ("Script", 0, "days", "between 1 and 365"),
        ("Script", 366, "days", "between 1 and 365"),
    ],
)
def test_a_token_needs_a_name_and_a_life_of_1_to_365_days(
    db: Session, official: User, name: str, days: int, field: str, message: str
) -> None:
    with pytest.raises(TokenError, match=message) as raised, transaction(db):
        api_tokens.create_token(db, user=official, name=name, days=days)

    assert raised.value.field == field
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert audit_records(db, "api_token.created") == []


def test_a_name_of_exactly_100_characters_and_a_year_are_accepted(db: Session, official: User) -> None:
    token = issue(db, official, name="x" * 100, days=365).token

    assert len(token.name) == 100


# --- Listing and revoking ------------------------------------------------------------------------------


def test_people_list_only_their_own_tokens_newest_first(db: Session, official: User) -> None:
    first = issue(db, official, name="First").token
    second = issue(db, official, name="Second").token
    issue(db, make_user(db, Role.EVALUATOR), name="Somebody else's")

    assert [token.name for token in api_tokens.tokens_of(db, official)] == ["Second", "First"]
    assert api_tokens.token_of(db, official, first.id) is first
    assert second.id != first.id


def test_another_users_token_cannot_be_found_or_revoked(db: Session, official: User) -> None:
    theirs = issue(db, make_user(db, Role.EVALUATOR)).token

    with pytest.raises(NotVisible):
        api_tokens.token_of(db, official, theirs.id)
    with pytest.raises(NotVisible), transaction(db):
        api_tokens.revoke_token(db, user=official, token=theirs)
    db.refresh(theirs)
    assert theirs.revoked_at is None


def test_revoking_stops_a_token_and_is_audited_once(db: Session, official: User) -> None:
    token = issue(db, official).token

    with transaction(db):
        assert api_tokens.revoke_token(db, user=official, token=token) is True
    with transaction(db):
        assert api_tokens.revoke_token(db, user=official, token=token) is False

    assert token.revoked_at is not None
    assert api_tokens.state_of(token) is TokenState.REVOKED
    [record] = audit_records(db, "api_token.revoked")
    assert record.object_type == "api_token" and record.object_id == token.id


def test_a_token_past_its_expiry_is_expired_and_a_revoked_one_is_revoked_whatever_its_expiry(
    db: Session, official: User
) -> None:
    token = issue(db, official, days=1).token
    tomorrow = utc_now() + timedelta(days=1, minutes=1)

    assert api_tokens.state_of(token, tomorrow) is TokenState.EXPIRED
    token.revoked_at = utc_now()
    assert api_tokens.state_of(token, tomorrow) is TokenState.REVOKED


# --- Authenticating ------------------------------------------------------------------------------------


def test_a_valid_bearer_token_authenticates_its_token(db: Session, official: User) -> None:
    issued = issue(db, official)

    assert api_tokens.authenticate(db, f"Bearer {issued.secret}") is issued.token
    assert api_tokens.authenticate(db, f"bearer   {issued.secret}  ") is issued.token


@pytest.mark.parametrize(
    ("header", "title"),
    [
        (None, "Token missing"),
        ("", "Token missing"),
        ("Basic dXNlcjpwYXNz", "Token missing"),
        ("Bearer", "Token not recognised"),
        ("Bearer ehub_short", "Token not recognised"),
        ("Bearer not-one-of-ours-at-all-0000000000000000000000000", "Token not recognised"),
        ("Bearer ehub_" + "A" * 43, "Token not recognised"),
        ("Bearer ehub_" + "A" * 42 + "!", "Token not recognised"),
    ],
)
def test_a_missing_malformed_or_unknown_token_is_refused_with_401(
    db: Session, official: User, header: str | None, title: str
) -> None:
    issue(db, official)

    refused = refusal(db, header)

    assert (refused.status, refused.title) == (401, title)
    assert "/account/api-tokens" in refused.detail


def test_an_expired_token_is_refused_saying_when_it_expired(db: Session, official: User) -> None:
    issued = issue(db, official)
    with transaction(db):
        issued.token.expires_at = utc_now().replace(year=2025, month=3, day=14, hour=9, minute=30)

    refused = refusal(db, f"Bearer {issued.secret}")

    assert refused.status == 401 and refused.title == "Token expired"
    assert "expired on 2025-03-14 at 09:30 UTC" in refused.detail


def test_a_revoked_token_is_refused_saying_it_was_revoked(db: Session, official: User) -> None:
    issued = issue(db, official)
    with transaction(db):
        api_tokens.revoke_token(db, user=official, token=issued.token)

    refused = refusal(db, f"Bearer {issued.secret}")

    assert refused.status == 401 and refused.title == "Token revoked"
    assert "was revoked on" in refused.detail


def test_a_deactivated_users_tokens_are_refused(db: Session, official: User) -> None:
    issued = issue(db, official)
    with transaction(db):
        official.is_active = False

    refused = refusal(db, f"Bearer {issued.secret}")

    assert refused.status == 401 and refused.title == "Account deactivated"


def test_a_token_stops_working_when_its_owners_role_changes(db: Session, official: User) -> None:
    issued = issue(db, official)
    with transaction(db):
        official.role = Role.EVALUATOR.value

    refused = refusal(db, f"Bearer {issued.secret}")

    assert refused.status == 403
    assert "This token was made for the national official role" in refused.detail
    assert "now has the evaluator role" in refused.detail
    assert "Create a new token" in refused.detail


def test_authenticating_writes_nothing_and_marking_use_records_when(db: Session, official: User) -> None:
    issued = issue(db, official)
    db.commit()

    token = api_tokens.authenticate(db, f"Bearer {issued.secret}")
    for header in (None, "Bearer ehub_" + "B" * 43):
        refusal(db, header)

    assert not db.new and not db.dirty
    assert token.last_used_at is None
    api_tokens.mark_used(token)
    assert token.last_used_at is not None
