"""Each role's main journey in a real browser, with an accessibility check on every page visited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from evidence_hub.models import Role, User
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser

HOME_TEXT = {
    Role.ADMINISTRATOR: "Manage users",
    Role.EVALUATOR: "review their returns and compare sites",
    Role.SITE_LEAD: "record what the Kent pilot cost",
    Role.NATIONAL_OFFICIAL: "released learning summaries",
}


def test_the_sign_in_page_and_public_pages_are_accessible(page_for: Any) -> None:
    for path in ("/sign-in", "/accessibility", "/privacy"):
        page_for.goto(path)
        assert_accessible(page_for)


def test_a_failed_sign_in_shows_an_accessible_error_summary(page_for: Any) -> None:
    page_for.goto("/sign-in")
    page_for.get_by_role("button", name="Sign in").click()
    summary = page_for.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    summary.get_by_role("link", name="Enter your email address").click()
    assert page_for.evaluate("document.activeElement.id") == "email"
    assert_accessible(page_for)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_signs_in_sees_its_home_page_and_signs_out(
    page_for: Any, browser_user: Callable[..., User], role: Role
) -> None:
    user = browser_user(role, full_name="Robin Example")
    sign_in_through_the_browser(page_for, user.email)
    expect(page_for.locator("h1")).to_have_text("Home")
    expect(page_for.locator("main")).to_contain_text(HOME_TEXT[role])
    expect(page_for.locator(".govuk-service-navigation")).to_contain_text("Robin Example")
    assert_accessible(page_for)

    page_for.get_by_role("link", name="Your account").click()
    expect(page_for.locator("h1")).to_have_text("Your account")
    assert_accessible(page_for)

    page_for.get_by_role("button", name="Sign out").click()
    expect(page_for.locator("h1")).to_have_text("Sign in")
    expect(page_for.locator("main")).to_contain_text("You have signed out")
    page_for.goto("/account")
    expect(page_for.locator("h1")).to_have_text("Sign in")


def test_pages_load_everything_from_the_service_and_break_no_csp_rule(browser: Any, live_server: str) -> None:
    # No bypass_csp here: the browser enforces the service's own policy.
    context = browser.new_context(base_url=live_server)
    strict_page = context.new_page()
    outside: list[str] = []
    problems: list[str] = []
    strict_page.on(
        "request",
        lambda request: None if request.url.startswith(live_server) else outside.append(request.url),
    )
    strict_page.on(
        "console", lambda message: problems.append(message.text) if message.type == "error" else None
    )
    strict_page.goto("/sign-in")
    strict_page.wait_for_load_state("networkidle")
    assert outside == []
    assert problems == []
    # govuk-frontend's script ran: it marks the body once it has initialised.
    assert "govuk-frontend-supported" in (strict_page.locator("body").get_attribute("class") or "")
    context.close()
