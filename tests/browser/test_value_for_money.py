"""Value for money in a real browser, on the demo's evidence: the Green Book figures open their workings,
link to the glossary, and both pages pass axe (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.demo_evidence import ensure_demo_evidence
from evidence_hub.models import Role, User
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser


@pytest.fixture
def evaluator(db: Session, tmp_path: Path, browser_user: Callable[..., User]) -> User:
    sites = demo.ensure_demo_sites(db)
    framework = ensure_demo_framework(db)
    demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    ensure_demo_evidence(db, framework)
    return browser_user(Role.EVALUATOR)


def test_an_evaluator_opens_a_figures_workings_and_follows_it_to_the_glossary(
    new_page: Callable[[], Any], evaluator: User
) -> None:
    page = new_page()
    sign_in_through_the_browser(page, evaluator.email)
    page.goto("/dashboard/value-for-money")
    expect(page.locator("h1")).to_have_text("Value for money")
    page.wait_for_function("() => document.querySelector('[data-chart] svg') !== null")
    assert_accessible(page)

    net_present_value = page.locator(
        ".govuk-summary-list__row", has=page.locator("[data-figure='all:net_present_value']")
    )
    workings = net_present_value.locator("details")
    expect(workings.locator(".govuk-details__text")).to_be_hidden()
    workings.locator("summary").click()
    expect(workings.locator(".govuk-details__text")).to_be_visible()
    expect(workings).to_contain_text("Present value of benefits")
    assert_accessible(page)

    net_present_value.locator("dt a").click()
    expect(page.locator("h1")).to_have_text("Value for money glossary")
    expect(page.locator("#net_present_value")).to_have_text("Net present value")
    assert_accessible(page)
