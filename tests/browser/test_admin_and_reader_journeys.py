"""The administrator's main journey (a site, a partner, a site lead and a reset link) and the framework
as evaluators and national officials read it, in a real browser with accessibility checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser
from tests.factories import make_framework

NEW_PASSWORD = "lantern orchard paper 42"


def test_an_administrator_adds_a_site_and_its_lead_who_sets_a_password_from_the_link(
    new_page: Callable[[], Any], browser_user: Callable[..., User]
) -> None:
    admin = browser_user(Role.ADMINISTRATOR)
    page = new_page()
    sign_in_through_the_browser(page, admin.email)

    page.goto("/admin/sites/new")
    assert_accessible(page)
    page.get_by_label("Site name").fill("Bristol")
    page.get_by_label("Site code").fill("bristol")
    page.get_by_label("Region (optional)").fill("South West")
    page.get_by_label("Local authorities (optional)").fill("Bristol City Council")
    page.get_by_role("button", name="Add site").click()
    assert page.locator("h1").inner_text().startswith("Bristol")
    assert_accessible(page)

    page.get_by_role("button", name="Add a partner organisation").click()
    page.get_by_label("Name of the organisation").fill("Jobcentre Plus Bristol")
    page.get_by_role("radio", name="Jobcentre Plus", exact=True).check()
    page.get_by_role("button", name="Add partner organisation").click()
    expect(page.locator("main")).to_contain_text("Jobcentre Plus Bristol")

    page.goto("/admin/users/new")
    page.get_by_label("Full name").fill("Bea Bristol")
    page.get_by_label("Email address").fill("bea.bristol@example.gov.uk")
    page.get_by_role("radio", name="Pilot site lead").check()
    page.locator("#site_id").select_option(label="Bristol")
    page.locator("#password").fill("orchard lantern paper 17")
    page.locator("#confirm_password").fill("orchard lantern paper 17")
    assert_accessible(page)
    page.get_by_role("button", name="Add user").click()
    assert page.locator("h1").inner_text().startswith("Bea Bristol")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("reset link")).click()
    link = re.search(r"https?://\S+/reset-password/[\w-]+", page.locator("main").inner_text())
    assert link, page.locator("main").inner_text()
    assert_accessible(page)

    lead_page = new_page()
    lead_page.goto(link.group(0))
    lead_page.locator("#new_password").fill(NEW_PASSWORD)
    lead_page.locator("#confirm_password").fill(NEW_PASSWORD)
    lead_page.get_by_role("button", name="Set password").click()
    expect(lead_page.locator("main")).to_contain_text("Your password has been set")
    sign_in_through_the_browser(lead_page, "bea.bristol@example.gov.uk", NEW_PASSWORD)
    expect(lead_page.locator("main")).to_contain_text("record what the Bristol pilot cost")


@pytest.mark.parametrize(
    "role", [Role.EVALUATOR, Role.NATIONAL_OFFICIAL, Role.SITE_LEAD], ids=lambda r: r.value
)
def test_every_reader_finds_the_guidance_for_an_indicator_and_a_cost_category(
    new_page: Callable[[], Any], browser_user: Callable[..., User], db: Session, role: Role
) -> None:
    make_framework(db)
    user = browser_user(role)
    page = new_page()
    sign_in_through_the_browser(page, user.email)
    page.get_by_role("link", name="Framework", exact=True).click()
    page.wait_for_url("**/framework/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("worklessness")).first.click()
    page.wait_for_url(re.compile(r"/framework/[^/]+"))
    assert_accessible(page)
    page.get_by_role("link", name="Job entries among engaged clients").first.click()
    main = page.locator("main").inner_text()
    assert "What to include" in main and "What to exclude" in main
    assert_accessible(page)
