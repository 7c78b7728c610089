"""Two-factor sign-in in a real browser: the demo's administrator sets up the authenticator app at their
first sign-in, then signs in again with a code from it, with accessibility checks on each page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.services.accounts.users import AccountSettings
from tests.browser.conftest import assert_accessible, path_of
from tests.factories import second_factor_codes


def test_the_demo_administrator_sets_up_two_factor_then_signs_in_with_a_code(
    new_page: Callable[[], Any], db: Session, tmp_path: Path
) -> None:
    sites = demo.ensure_demo_sites(db)
    accounts = demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    email, password = next(
        (account.email, password) for account, password in accounts if account.role.value == "administrator"
    )
    page = new_page()

    def password_step() -> None:
        page.goto("/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    password_step()
    assert path_of(page) == "/sign-in/two-factor/set-up"
    expect(page.locator("h1")).to_have_text("Set up two-factor sign-in")
    expect(page.locator(".app-qr-code svg")).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    expect(page.locator("#setup-key")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)

    # The page keeps the same key after a wrong code: the app made from it gives the code.
    secret = (page.locator("#setup-key").text_content() or "").replace(" ", "").strip()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="I have kept my recovery codes").click()
    expect(page.locator("main")).to_contain_text("Manage users")

    page.get_by_role("button", name="Sign out").click()
    password_step()
    assert path_of(page) == "/sign-in/two-factor"
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill("999999")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not right, or has been used already")
    for code in second_factor_codes(secret):
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        if path_of(page) != "/sign-in/two-factor":
            break
    assert path_of(page) == "/"
    expect(page.locator("main")).to_contain_text("Manage users")
    assert_accessible(page)
