"""Signing in and out as a person would: messages, home pages, sessions that really end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.guards import SESSION_LAST_SEEN_AT, SESSION_SIGNED_IN_AT
from evidence_hub.models import AuditEvent, Role, User
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.users import AccountSettings
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.pages import error_summary, field_error, heading, page, text_of

NEW_PASSWORD = "paper lantern orchard 42"


def test_the_home_page_sends_anonymous_visitors_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")


def test_the_sign_in_page_explains_the_service(client: FlaskClient) -> None:
    soup = page(client.get("/sign-in"))
    assert heading(soup) == "Sign in"
    assert "pilot site leads, evaluators, national officials" in text_of(soup)


@pytest.mark.parametrize(
    ("role", "expected_text"),
    [
        (Role.ADMINISTRATOR, "Manage users"),
        (Role.EVALUATOR, "review their returns and compare sites"),
        (Role.SITE_LEAD, "record what the Kent pilot cost"),
        (Role.NATIONAL_OFFICIAL, "released learning summaries and aggregated data"),
    ],
)
def test_each_role_lands_on_its_own_home_page(
    client: FlaskClient, db: Session, role: Role, expected_text: str
) -> None:
    user = make_user(db, role, full_name="Sam Example")
    sign_in(client, user.email)
    soup = page(client.get("/"))
    assert expected_text in text_of(soup)
    assert "Sam Example" in soup.select_one(".govuk-service-navigation").get_text()


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "pat@example.gov.uk", "password": "not the password"},
        {"email": "nobody@example.gov.uk", "password": DEFAULT_PASSWORD},
    ],
    ids=["wrong password", "unknown email"],
)
def test_a_failed_sign_in_gives_one_message_that_reveals_nothing(
    client: FlaskClient, db: Session, credentials: dict[str, str]
) -> None:
    make_user(db, email="pat@example.gov.uk")
    soup = page(client.post("/sign-in", data=credentials))
    assert error_summary(soup) == ["Enter the email address and password of an active account"]
    assert field_error(soup, "email") == "Enter the email address and password of an active account"


def test_missing_fields_are_named_beside_each_field(client: FlaskClient) -> None:
    soup = page(client.post("/sign-in", data={"email": "not-an-email", "password": ""}))
    assert field_error(soup, "email").startswith("Enter an email address in the correct format")
    assert field_error(soup, "password") == "Enter your password"
    assert soup.title.get_text().startswith("Error: ")


def test_too_many_failures_get_429_and_a_clear_message(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    for _ in range(5):
        client.post("/sign-in", data={"email": user.email, "password": "wrong password!"})
    response = client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    soup = page(response, status=429)
    assert "too many failed attempts" in text_of(soup)


def test_next_takes_you_back_to_the_page_you_asked_for_but_only_on_this_service(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db)
    assert client.get("/account").headers["Location"].endswith("/sign-in?next=/account")
    response = client.post("/sign-in?next=/account", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"].endswith("/account")
    client.post("/sign-out")
    for hostile in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(
            "/sign-in",
            query_string={"next": hostile},
            data={"email": user.email, "password": DEFAULT_PASSWORD},
        )
        assert response.headers["Location"] in ("/", "http://localhost/"), hostile
        client.post("/sign-out")


def test_a_cookie_captured_before_sign_out_is_refused_after_it(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    captured = client.get_cookie("evidence_hub_session")
    assert captured is not None
    assert client.get("/account").status_code == 200
    client.post("/sign-out")

    replaying = app.test_client()
    replaying.set_cookie("evidence_hub_session", captured.value)
    response = replaying.get("/account")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_signing_out_ends_sessions_on_every_device(app: Flask, db: Session) -> None:
    user = make_user(db)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    laptop.post("/sign-out")
    assert phone.get("/account").status_code == 302


def test_deactivation_ends_an_open_session(client: FlaskClient, db: Session) -> None:
    admin = make_user(db, Role.ADMINISTRATOR)
    user = make_user(db)
    sign_in(client, user.email)
    with transaction(db):
        accounts.set_active(db, actor=admin, user=db.get(User, user.id), active=False)  # type: ignore[arg-type]
    assert client.get("/account").status_code == 302


def test_signing_in_starts_a_new_session(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as current:
        assert "planted" not in current


def set_session_clock(client: FlaskClient, *, signed_in_ago: timedelta, last_seen_ago: timedelta) -> None:
    now = datetime.now(UTC)
    with client.session_transaction() as session:
        session[SESSION_SIGNED_IN_AT] = (now - signed_in_ago).timestamp()
        session[SESSION_LAST_SEEN_AT] = (now - last_seen_ago).timestamp()


def test_thirty_minutes_idle_signs_you_out_with_an_explanation(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    set_session_clock(client, signed_in_ago=timedelta(minutes=40), last_seen_ago=timedelta(minutes=31))
    response = client.get("/account")
    assert "/sign-in" in response.headers["Location"]
    soup = page(client.get(response.headers["Location"]))
    assert "had not used the service for 30 minutes" in text_of(soup)


def test_sessions_end_after_twelve_hours_however_active(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    set_session_clock(
        client, signed_in_ago=timedelta(hours=12, minutes=1), last_seen_ago=timedelta(minutes=1)
    )
    assert "/sign-in" in client.get("/account").headers["Location"]


def test_activity_keeps_a_session_alive(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    set_session_clock(client, signed_in_ago=timedelta(hours=1), last_seen_ago=timedelta(minutes=29))
    assert client.get("/account").status_code == 200


def test_the_timeouts_can_be_configured(make_app: Callable[..., Flask], db: Session) -> None:
    app = make_app(SESSION_IDLE_MINUTES=5)
    client = app.test_client()
    user = make_user(db)
    sign_in(client, user.email)
    set_session_clock(client, signed_in_ago=timedelta(minutes=10), last_seen_ago=timedelta(minutes=6))
    assert client.get("/account").status_code == 302


def test_changing_your_password_keeps_you_signed_in_here_only(
    app: Flask, db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(Role.EVALUATOR)
    other_device = app.test_client()
    sign_in(other_device, client.user.email)  # type: ignore[attr-defined]
    response = client.post(
        "/account",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert "Your password has been changed" in text_of(page(client.get("/account")))
    assert other_device.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"current_password": "wrong one", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            "current_password",
            "Your current password is not correct",
        ),
        (
            {"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm_password": "short"},
            "new_password",
            "Password must be 12 characters or more",
        ),
        (
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": "password123456",
                "confirm_password": "password123456",
            },
            "new_password",
            "Password is too common",
        ),
        (
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": NEW_PASSWORD,
                "confirm_password": "different",
            },
            "confirm_password",
            "The passwords you entered do not match",
        ),
    ],
    ids=["wrong current", "short", "common", "mismatch"],
)
def test_a_bad_password_change_says_why_and_changes_nothing(
    db: Session,
    client_as: Callable[..., FlaskClient],
    user_of: Callable[[FlaskClient], User],
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    client = client_as(Role.EVALUATOR)
    before = user_of(client).password_hash
    soup = page(client.post("/account", data=form))
    assert field_error(soup, field).startswith(message)
    assert user_of(client).password_hash == before


def issue_reset_link(db: Session, user: User) -> str:
    admin = make_user(db, Role.ADMINISTRATOR)
    with transaction(db):
        return accounts.issue_password_reset(db, actor=admin, user=user, settings=AccountSettings())


def test_a_reset_link_sets_a_new_password_once(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    token = issue_reset_link(db, user)
    soup = page(client.get(f"/reset-password/{token}"))
    assert user.email in text_of(soup)
    response = client.post(
        f"/reset-password/{token}", data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.headers["Location"].endswith("/sign-in")
    sign_in(client, user.email, NEW_PASSWORD)
    reused = page(client.get(f"/reset-password/{token}"), status=400)
    assert "already been used" in text_of(reused)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset_used")) is not None


def test_an_expired_reset_link_says_so(client: FlaskClient, db: Session) -> None:
    from evidence_hub.db import utc_now
    from evidence_hub.models import PasswordResetToken

    user = make_user(db)
    token = issue_reset_link(db, user)
    with transaction(db):
        for stored in db.scalars(select(PasswordResetToken)):
            stored.expires_at = utc_now() - timedelta(minutes=1)
    soup = page(client.get(f"/reset-password/{token}"), status=400)
    assert "has expired" in text_of(soup)


def test_a_weak_password_through_a_reset_link_is_refused_and_the_link_still_works(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db)
    token = issue_reset_link(db, user)
    soup = page(
        client.post(
            f"/reset-password/{token}",
            data={"new_password": "qwertyuiop12", "confirm_password": "qwertyuiop12"},
        )
    )
    assert field_error(soup, "new_password").startswith("Password is too common")
    assert page(client.get(f"/reset-password/{token}")).find("form") is not None
