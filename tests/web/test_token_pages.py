"""Your API tokens, as a signed-in user manages them: create (shown once), errors, revoke, others' tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import ApiToken, AuditEvent, Role, User
from evidence_hub.services.accounts import api_tokens
from tests.factories import make_user
from tests.pages import error_summary, field_error, heading, page, text_of

ClientAs = Callable[..., FlaskClient]
UserOf = Callable[[FlaskClient], User]


def table_rows(soup: BeautifulSoup) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in soup.select("table.govuk-table tbody tr")
    ]


def tokens_in_database(db: Session) -> list[ApiToken]:
    db.commit()
    db.expire_all()
    return list(db.scalars(select(ApiToken).order_by(ApiToken.id)))


def audit_actions(db: Session) -> list[str]:
    db.commit()
    return list(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "api_token").order_by(AuditEvent.id)
        )
    )


def create(client: FlaskClient, name: str = "Briefing script", days: str = "30") -> BeautifulSoup:
    return page(client.post("/account/api-tokens/new", data={"name": name, "days": days}))


def test_someone_with_no_tokens_is_told_so_and_offered_to_create_one(client_as: ClientAs) -> None:
    soup = page(client_as(Role.NATIONAL_OFFICIAL).get("/account/api-tokens"))

    assert heading(soup) == "API tokens"
    assert "You have no API tokens." in text_of(soup)
    assert soup.select_one("a[href='/account/api-tokens/new']") is not None
    assert soup.select_one("a[href='/api/v1/openapi.json']") is not None


def test_the_create_page_suggests_90_days(client_as: ClientAs) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/account/api-tokens/new"))

    assert heading(soup) == "Create an API token"
    assert soup.find(id="days")["value"] == "90"


def test_a_new_token_is_shown_once_with_a_warning_and_then_only_its_prefix(
    client_as: ClientAs, db: Session, user_of: UserOf
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)

    soup = create(official, "Quarterly briefing", "30")

    assert heading(soup) == "Your new API token"
    secret = soup.find(id="token-secret").get_text(strip=True)
    assert secret.startswith("ehub_")
    assert "will not be shown again" in text_of(soup)
    [token] = tokens_in_database(db)
    assert token.user_id == user_of(official).id and token.role == Role.NATIONAL_OFFICIAL.value
    assert token.token_hash == api_tokens.hash_secret(secret)
    assert audit_actions(db) == ["api_token.created"]

    with official.session_transaction() as browser_session:
        assert secret not in repr(dict(browser_session))
    listing = page(official.get("/account/api-tokens"))
    assert secret not in str(listing)
    [[name, prefix, _created, _expires, last_used, state, action]] = table_rows(listing)
    assert (name, prefix, last_used, state) == ("Quarterly briefing", token.prefix + "…", "Never", "Active")
    assert action.startswith("Revoke")


@pytest.mark.parametrize(
    ("name", "days", "field", "message"),
    [
        ("", "30", "name", "Enter a name for the token"),
        ("x" * 101, "30", "name", "Name must be 100 characters or fewer"),
        ("Script", "", "days", "Enter how many days the token should work for"),
        ("Script", "ninety", "days", "Number of days must be a whole number, like 90"),
        ("Script", "-5", "days", "Number of days must be a whole number, like 90"),
        ("Script", "0", "days", "Number of days must be between 1 and 365"),
        ("Script", "366", "days", "Number of days must be between 1 and 365"),
    ],
)
def test_a_token_needs_a_name_and_1_to_365_days(
    client_as: ClientAs, db: Session, name: str, days: str, field: str, message: str
) -> None:
    response = client_as(Role.EVALUATOR).post("/account/api-tokens/new", data={"name": name, "days": days})

    soup = page(response)
    assert soup.title.get_text().startswith("Error: Create an API token")
    assert error_summary(soup) == [message]
    assert field_error(soup, field) == message
    assert tokens_in_database(db) == []


def test_revoking_a_token_stops_it_working_and_shows_it_as_revoked(
    client_as: ClientAs, db: Session, client: FlaskClient
) -> None:
    lead = client_as(Role.SITE_LEAD, site="kent")
    secret = create(lead).find(id="token-secret").get_text(strip=True)
    [token] = tokens_in_database(db)
    assert client.get("/api/v1/sites", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    response = lead.post(f"/account/api-tokens/{token.id}/revoke")

    assert response.status_code == 302 and response.headers["Location"] == "/account/api-tokens"
    soup = page(lead.get("/account/api-tokens"))
    assert "has been revoked" in text_of(soup)
    [[_name, _prefix, _created, _expires, _last_used, state, action]] = table_rows(soup)
    assert (state, action) == ("Revoked", "")
    assert audit_actions(db) == ["api_token.created", "api_token.revoked"]
    refused = client.get("/api/v1/sites", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401 and refused.get_json()["error"]["title"] == "Token revoked"


def test_the_revoke_button_is_a_form_with_a_csrf_token(client_as: ClientAs) -> None:
    evaluator = client_as(Role.EVALUATOR)
    create(evaluator)

    form = page(evaluator.get("/account/api-tokens")).select_one("table form")

    assert form["method"] == "post" and form["action"].endswith("/revoke")
    assert form.select_one("input[name='csrf_token']") is not None


def test_another_users_token_cannot_be_revoked_or_even_found(client_as: ClientAs, db: Session) -> None:
    owner = make_user(db, Role.EVALUATOR)
    with transaction(db):
        theirs = api_tokens.create_token(db, user=owner, name="Not yours", days=30).token
    intruder = client_as(Role.ADMINISTRATOR)

    response = intruder.post(f"/account/api-tokens/{theirs.id}/revoke")

    assert response.status_code == 404
    [token] = tokens_in_database(db)
    assert token.revoked_at is None
    assert "Not yours" not in page(intruder.get("/account/api-tokens")).get_text()
    assert audit_actions(db) == ["api_token.created"]


def test_expired_tokens_are_listed_as_expired_and_can_still_be_revoked(
    client_as: ClientAs, db: Session
) -> None:
    evaluator = client_as(Role.EVALUATOR)
    create(evaluator)
    [token] = tokens_in_database(db)
    with transaction(db):
        token.expires_at = token.created_at

    [[*_cells, state, action]] = table_rows(page(evaluator.get("/account/api-tokens")))

    assert state == "Expired"
    assert action.startswith("Revoke")


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_user_finds_their_api_tokens_in_the_navigation(
    client_as: ClientAs, role: Role
) -> None:
    soup = page(client_as(role).get("/account/api-tokens"))

    current = soup.select_one(".govuk-service-navigation__item--active a")
    assert current is not None and current.get_text(strip=True) == "API tokens"
    assert current["href"] == "/account/api-tokens"
