"""Two-factor sign-in as a person meets it: setting the app up, entering codes, recovery codes, resets."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pyotp
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, Role, User
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, factory_totp_secret, make_user, second_factor_codes
from tests.pages import field_error, heading, page, text_of


def password_step(client: FlaskClient, user: User) -> str:
    response = client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return urlsplit(response.location).path


def setup_key(soup: BeautifulSoup) -> str:
    return soup.select_one("#setup-key").get_text(strip=True).replace(" ", "")


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def actions_on(db: Session, user: User) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == user.id)))


def test_an_administrator_sets_up_the_app_at_first_sign_in_and_gets_ten_recovery_codes(
    client: FlaskClient, db: Session
) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR, two_factor=False)
    assert password_step(client, administrator) == "/sign-in/two-factor/set-up"
    assert not is_signed_in(client)

    soup = page(client.get("/sign-in/two-factor/set-up"))
    assert heading(soup) == "Set up two-factor sign-in"
    assert soup.select_one(".app-qr-code svg") is not None
    secret = setup_key(soup)

    wrong = page(client.post("/sign-in/two-factor/set-up", data={"code": "000000"}))
    assert "The code is not right" in field_error(wrong, "code")
    assert not is_signed_in(client)

    response = client.post("/sign-in/two-factor/set-up", data={"code": pyotp.TOTP(secret).now()})
    codes_page = page(client.get(response.location))
    codes = [item.get_text(strip=True) for item in codes_page.select("#recovery-codes li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "only time the codes are shown" in text_of(codes_page)
    assert is_signed_in(client)
    # Shown once.
    assert client.get("/account/two-factor/recovery-codes").status_code == 302
    db.refresh(administrator)
    assert administrator.has_second_factor and administrator.totp_secret == secret
    assert "user.two_factor_set_up" in actions_on(db, administrator)


def test_a_wrong_code_or_a_code_used_already_is_refused(client: FlaskClient, db: Session) -> None:
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    assert password_step(client, official) == "/sign-in/two-factor"
    soup = page(client.post("/sign-in/two-factor", data={"code": "123456"}))
    assert "not right, or has been used already" in field_error(soup, "code")
    assert not is_signed_in(client)

    code = second_factor_codes(factory_totp_secret(official.email))[0]
    assert client.post("/sign-in/two-factor", data={"code": code}).status_code == 302
    assert is_signed_in(client)

    again = FlaskClient(client.application, client.response_wrapper)
    password_step(again, official)
    soup = page(again.post("/sign-in/two-factor", data={"code": code}))
    assert "has been used already" in field_error(soup, "code")
    assert not is_signed_in(again)


def test_codes_are_throttled_like_passwords(client: FlaskClient, db: Session) -> None:
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    password_step(client, official)
    for _ in range(5):
        client.post("/sign-in/two-factor", data={"code": "000000"})
    code = second_factor_codes(factory_totp_secret(official.email))[0]
    soup = page(client.post("/sign-in/two-factor", data={"code": code}), status=429)
    assert "too many failed attempts" in field_error(soup, "code")
    assert not is_signed_in(client)


def set_up_through_the_pages(client: FlaskClient, user: User, path: str) -> list[str]:
    soup = page(client.get(path))
    response = client.post(path, data={"code": pyotp.TOTP(setup_key(soup)).now()})
    codes_page = page(client.get(response.location))
    return [item.get_text(strip=True) for item in codes_page.select("#recovery-codes li")]


def test_a_recovery_code_signs_in_once(client: FlaskClient, db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR, two_factor=False)
    password_step(client, administrator)
    codes = set_up_through_the_pages(client, administrator, "/sign-in/two-factor/set-up")
    client.post("/sign-out")

    password_step(client, administrator)
    response = client.post("/sign-in/two-factor", data={"code": codes[0].upper()})
    assert response.status_code == 302
    assert "You have 9 left" in text_of(page(client.get(response.location)))
    client.post("/sign-out")

    password_step(client, administrator)
    soup = page(client.post("/sign-in/two-factor", data={"code": codes[0]}))
    assert "not right, or has been used already" in field_error(soup, "code")
    assert "user.recovery_code_used" in actions_on(db, administrator)


def test_you_reset_your_own_two_factor_only_with_a_recovery_code(client: FlaskClient, db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR, two_factor=False)
    password_step(client, administrator)
    codes = set_up_through_the_pages(client, administrator, "/sign-in/two-factor/set-up")

    soup = page(client.post("/account/two-factor", data={"recovery_code": "not-a-code"}))
    assert "unused recovery codes" in field_error(soup, "recovery_code")
    db.refresh(administrator)
    assert administrator.has_second_factor

    response = client.post("/account/two-factor", data={"recovery_code": codes[3]})
    assert urlsplit(response.location).path == "/account/two-factor/set-up"
    db.rollback()  # The test's own read began before the reset: read afresh.
    db.refresh(administrator)
    assert not administrator.has_second_factor
    assert "user.two_factor_reset" in actions_on(db, administrator)
    new_codes = set_up_through_the_pages(client, administrator, "/account/two-factor/set-up")
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)


def test_an_administrator_resets_another_users_two_factor_and_ends_their_sessions(
    client_as: object, db: Session
) -> None:
    administrator = client_as("administrator")  # type: ignore[operator]
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    official_client = FlaskClient(administrator.application, administrator.response_wrapper)
    sign_in(official_client, official.email)

    response = administrator.post(f"/admin/users/{official.id}/two-factor/reset")
    assert "Two-factor sign-in has been reset" in text_of(page(administrator.get(response.location)))
    db.refresh(official)
    assert not official.has_second_factor
    assert not is_signed_in(official_client)
    reset = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset"))
    assert reset is not None and reset.actor_id == administrator.user.id and reset.object_id == official.id
    # Their role requires it: they set it up again at the next sign-in.
    assert password_step(official_client, official) == "/sign-in/two-factor/set-up"


def test_others_may_choose_two_factor_sign_in(client: FlaskClient, db: Session) -> None:
    evaluator = make_user(db, Role.EVALUATOR)
    assert password_step(client, evaluator) == "/"
    soup = page(client.get("/account/two-factor"))
    assert "Two-factor sign-in is off" in text_of(soup)
    set_up_through_the_pages(client, evaluator, "/account/two-factor/set-up")
    client.post("/sign-out")
    assert password_step(client, evaluator) == "/sign-in/two-factor"


def test_the_set_up_page_draws_its_qr_code_without_script(client: FlaskClient, db: Session) -> None:
    evaluator = make_user(db, Role.EVALUATOR)
    sign_in(client, evaluator.email)
    html = client.get("/account/two-factor/set-up").get_data(as_text=True)
    qr = re.search(r'<div class="app-qr-code">(.*?)</div>', html, re.S)
    assert qr is not None and "<svg" in qr.group(1) and "<script" not in qr.group(1)


def last_signed_in(administrator: FlaskClient, user: User) -> str:
    soup = page(administrator.get(f"/admin/users/{user.id}"))
    row = next(each for each in soup.select(".govuk-summary-list__row") if "Last signed in" in text_of(each))
    return text_of(row.select_one(".govuk-summary-list__value"))


def test_the_sign_in_is_recorded_only_once_the_second_factor_is_given(
    client: FlaskClient, db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    administrator = client_as(Role.ADMINISTRATOR)
    assert password_step(client, official) == "/sign-in/two-factor"
    page(client.post("/sign-in/two-factor", data={"code": "123456"}))
    assert last_signed_in(administrator, official) == "Never"

    code = second_factor_codes(factory_totp_secret(official.email))[0]
    assert client.post("/sign-in/two-factor", data={"code": code}).status_code == 302
    assert is_signed_in(client)
    assert last_signed_in(administrator, official) != "Never"


def test_without_a_second_factor_the_password_completes_the_sign_in_and_is_recorded(
    client: FlaskClient, db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    lead = make_user(db, Role.SITE_LEAD)
    administrator = client_as(Role.ADMINISTRATOR)
    assert password_step(client, lead) == "/"
    assert is_signed_in(client)
    assert last_signed_in(administrator, lead) != "Never"
