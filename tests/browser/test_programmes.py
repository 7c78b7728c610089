"""Two programmes in a real browser, on the demo: the evaluator of digital inclusion alone sees that
programme everywhere (home, returns, dashboards, releases, audit log), and Kent's lead, leading Kent in
both programmes, switches between them from the header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.demo_evidence import ensure_demo_evidence, ensure_demo_releases
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser

LIBRARIES = "Digital inclusion in libraries"
WORKLESSNESS = "Worklessness pilots"


@pytest.fixture
def demo_passwords(db: Session, tmp_path: Path) -> dict[str, str]:
    """The demo world with both programmes and the worklessness releases; each account's password."""
    sites = demo.ensure_demo_sites(db)
    framework = ensure_demo_framework(db)
    accounts = demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    ensure_demo_evidence(db, framework)
    ensure_demo_releases(db, framework)
    return {account.email: password for account, password in accounts}


def signed_in(new_page: Callable[[], Any], passwords: dict[str, str], email: str) -> Any:
    page = new_page()
    sign_in_through_the_browser(page, email, passwords[email])
    return page


def test_the_evaluator_of_one_programme_sees_only_that_programme_everywhere(
    new_page: Callable[[], Any], demo_passwords: dict[str, str]
) -> None:
    page = signed_in(new_page, demo_passwords, "libraries.evaluator@demo.evidence-hub.example")

    expect(page.locator(".app-programme-in-view")).to_contain_text(LIBRARIES)
    expect(page.get_by_role("link", name="Switch programme")).to_have_count(0)
    programmes = page.locator("main #programmes + ul")
    expect(programmes).to_contain_text(LIBRARIES)
    expect(programmes).not_to_contain_text(WORKLESSNESS)
    expect(page.locator("main")).not_to_contain_text("Leeds")
    assert_accessible(page)

    page.goto("/review/returns")
    expect(page.locator("main")).not_to_contain_text("Leeds")
    expect(page.locator("main")).not_to_contain_text("2009")

    page.goto("/dashboard/")
    expect(page.locator("main")).not_to_contain_text("Worklessness")
    expect(page.locator("main")).not_to_contain_text("Leeds")

    page.goto("/releases/")
    expect(page.locator("main")).not_to_contain_text("WDS-")

    page.goto("/audit/")
    expect(page.locator("main")).not_to_contain_text("Leeds")
    expect(page.locator("main")).not_to_contain_text("return.submitted")

    response = page.goto("/framework/worklessness-data-sharing")
    assert response is not None and response.status == 404


def test_the_shared_sites_lead_switches_between_their_two_programmes(
    new_page: Callable[[], Any], demo_passwords: dict[str, str]
) -> None:
    page = signed_in(new_page, demo_passwords, "kent.lead@demo.evidence-hub.example")

    programmes = page.locator("main #programmes + ul")
    expect(programmes).to_contain_text(LIBRARIES)
    expect(programmes).to_contain_text(WORKLESSNESS)
    expect(page.locator(".app-programme-in-view")).to_contain_text(LIBRARIES)

    page.get_by_role("link", name="Switch programme").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"View {WORKLESSNESS}").click()

    expect(page.locator(".app-programme-in-view")).to_contain_text(WORKLESSNESS)
    page.goto("/dashboard/")
    expect(page.locator("main")).to_contain_text("Kent")
    expect(page.locator("main")).not_to_contain_text("Leeds")

    page.get_by_role("link", name="Switch programme").click()
    page.get_by_role("button", name=f"View {LIBRARIES}").click()
    expect(page.locator(".app-programme-in-view")).to_contain_text(LIBRARIES)
