"""Emails as people meet them: asking for a reset link from the sign-in page and using it once, choosing
which emails you get, an invitation to a new account, and the administrators' Sent emails pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import Email, EmailPreference, PasswordResetToken, Role
from evidence_hub.services.notifications.listing import PAGE_SIZE
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.pages import error_summary, field_error, heading, page, text_of

NEW_PASSWORD = "copper kettle meadow 57"
LINK = re.compile(r"https?://\S+")


def emails_to(db: Session, address: str) -> list[Email]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(Email).where(Email.to_address == address).order_by(Email.id)))


def link_in(email: Email) -> str:
    """The path of the first link in the email, checked to be a page of the service."""
    return urlsplit(LINK.findall(email.body)[0]).path


def assert_links_are_pages(app: Flask, email: Email) -> None:
    adapter = app.url_map.bind("localhost")
    for found in LINK.findall(email.body):
        path = urlsplit(found).path
        if path in ("", "/"):
            continue
        adapter.match(path, method="GET")  # Raises NotFound for a link to no page.


def test_a_user_resets_their_own_password_from_the_sign_in_page_and_the_link_works_once(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.EVALUATOR, email="sam.example@example.gov.uk")

    sign_in_page = page(client.get("/sign-in"))
    forgot = sign_in_page.find("a", string="Forgot your password?")
    assert forgot is not None and forgot["href"] == "/forgot-password"
    assert heading(page(client.get("/forgot-password"))) == "Reset your password"

    answer = page(client.post("/forgot-password", data={"email": "Sam.Example@example.gov.uk"}))
    assert heading(answer) == "Check your email"
    assert "If sam.example@example.gov.uk belongs to an Evidence Hub account" in text_of(answer)

    [email] = emails_to(db, user.email)
    assert email.subject == "Reset your Evidence Hub password"
    assert_links_are_pages(app, email)
    reset_path = link_in(email)
    assert reset_path.startswith("/reset-password/")

    response = client.post(reset_path, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    sign_in(client, user.email, NEW_PASSWORD)

    # The same link again: refused, saying why, and the password stays the one just set.
    again = page(client.get(reset_path), status=400)
    assert "This password reset link has already been used." in text_of(again)
    assert "Forgot your password?" in text_of(again)
    fresh = app.test_client()
    sign_in(fresh, user.email, NEW_PASSWORD)


def test_an_address_with_no_account_gets_the_same_answer_and_no_email(
    client: FlaskClient, db: Session
) -> None:
    make_user(db, Role.EVALUATOR, email="known@example.gov.uk")
    known = page(client.post("/forgot-password", data={"email": "known@example.gov.uk"}))
    unknown = page(client.post("/forgot-password", data={"email": "nobody@example.gov.uk"}))

    assert heading(unknown) == heading(known) == "Check your email"
    assert text_of(unknown).replace("nobody@", "known@") == text_of(known)
    assert emails_to(db, "nobody@example.gov.uk") == []


def test_a_badly_written_address_is_shown_again_with_the_error_summary(
    client: FlaskClient, db: Session
) -> None:
    soup = page(client.post("/forgot-password", data={"email": "not an address"}))
    assert heading(soup) == "Reset your password"
    assert error_summary(soup) == ["Enter an email address in the correct format, like name@example.gov.uk"]
    assert "correct format" in field_error(soup, "email")
    assert list(db.scalars(select(Email))) == []


def test_an_expired_link_says_so_and_changes_nothing(app: Flask, client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SITE_LEAD, site="kent")
    client.post("/forgot-password", data={"email": user.email})
    reset_path = link_in(emails_to(db, user.email)[0])
    with transaction(db):
        db.execute(update(PasswordResetToken).values(expires_at=utc_now() - timedelta(minutes=1)))

    response = client.post(reset_path, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})

    assert "This password reset link has expired." in text_of(page(response, status=400))
    sign_in(app.test_client(), user.email, DEFAULT_PASSWORD)


def test_a_national_official_chooses_to_hear_of_new_releases(
    client_as: Callable[..., FlaskClient], db: Session
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    account = page(official.get("/account"))
    assert account.find("a", string="Choose which emails you get")["href"] == "/account/emails"

    soup = page(official.get("/account/emails"))
    assert heading(soup) == "Emails you get"
    box = soup.select_one("input[value=release_published]")
    assert box is not None and not box.has_attr("checked")

    response = official.post("/account/emails", data={"wanted": ["release_published"]})
    assert response.status_code == 302
    soup = page(official.get(response.headers["Location"]))
    assert "Your email choices have been saved." in text_of(soup)
    assert soup.select_one("input[value=release_published]").has_attr("checked")
    db.rollback()
    assert db.get_one(EmailPreference, (official.user.id, "release_published")).wanted  # type: ignore[attr-defined]


def test_a_new_account_gets_an_invitation_whose_link_sets_their_password(
    app: Flask, client_as: Callable[..., FlaskClient], db: Session
) -> None:
    admin = client_as(Role.ADMINISTRATOR, full_name="Alex Administrator")
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "new.person@example.gov.uk",
            "full_name": "New Person",
            "role": Role.EVALUATOR.value,
            "password": "an initial password 123",
            "confirm_password": "an initial password 123",
        },
    )
    assert response.status_code == 302
    assert "emailed an invitation" in text_of(page(admin.get(response.headers["Location"])))

    [invitation] = emails_to(db, "new.person@example.gov.uk")
    assert invitation.subject == "You have been invited to Evidence Hub"
    assert "Alex Administrator has made you an account" in invitation.body
    assert_links_are_pages(app, invitation)
    newcomer = app.test_client()
    response = newcomer.post(
        link_in(invitation), data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    sign_in(newcomer, "new.person@example.gov.uk", NEW_PASSWORD)


def test_administrators_read_sent_emails_newest_first_a_page_at_a_time(
    client_as: Callable[..., FlaskClient], db: Session
) -> None:
    admin = client_as(Role.ADMINISTRATOR)
    with transaction(db):
        for number in range(PAGE_SIZE + 1):
            db.add(
                Email(
                    template="return_approved",
                    to_address=f"lead-{number}@example.gov.uk",
                    subject=f"Return {number} approved",
                    body=f"Dear Lead,\n\nReturn {number} has been approved.",
                    queued_at=utc_now() + timedelta(seconds=number),
                    last_error="GOV.UK Notify did not accept the email: 503 - Request failed"
                    if number == 0
                    else "",
                )
            )

    soup = page(admin.get("/admin/emails"))
    assert heading(soup) == "Sent emails"
    rows = soup.select("tbody tr")
    assert len(rows) == PAGE_SIZE
    first = [cell.get_text(" ", strip=True) for cell in rows[0].select("td")]
    assert first[0] == f"Return {PAGE_SIZE} approved"
    assert first[1] == f"lead-{PAGE_SIZE}@example.gov.uk"
    assert first[2] == "A return you lead has been approved"
    assert first[3] == "Queued"

    last_page = page(admin.get("/admin/emails?page=2"))
    [oldest] = last_page.select("tbody tr")
    assert "Queued GOV.UK Notify did not accept the email: 503 - Request failed" in oldest.get_text(
        " ", strip=True
    )

    opened = page(admin.get(oldest.select_one("a")["href"]))
    assert heading(opened) == "Return 0 approved"
    assert "Return 0 has been approved." in opened.select_one(".app-email-body").get_text()
    assert "503 - Request failed" in text_of(opened)


def test_people_who_are_not_service_administrators_cannot_read_sent_emails(
    client_as: Callable[..., FlaskClient],
) -> None:
    for role in (Role.EVALUATOR, Role.SITE_LEAD, Role.NATIONAL_OFFICIAL):
        assert client_as(role).get("/admin/emails").status_code == 403
