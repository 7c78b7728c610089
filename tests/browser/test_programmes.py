"""Two programmes in a real browser, on the demo: the evaluator of digital inclusion alone sees that
programme everywhere (home, returns, dashboards, releases, audit log, API), and Kent's lead, leading Kent
in both programmes, switches between them from the header and sees each one's returns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.db import transaction
from evidence_hub.demo_evidence import ensure_demo_evidence, ensure_demo_releases
from evidence_hub.models import User
from evidence_hub.services.accounts import api_tokens
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


def api_token(db: Session, email: str) -> dict[str, str]:
    user = db.scalars(select(User).where(User.email == email)).one()
    with transaction(db):
        secret = api_tokens.create_token(db, user=user, name="Browser check", days=1).secret
    return {"Authorization": f"Bearer {secret}"}


def test_the_evaluator_of_one_programme_sees_only_that_programme_everywhere(
    new_page: Callable[[], Any], demo_passwords: dict[str, str], db: Session
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
    assert_accessible(page)

    page.goto("/returns/")
    expect(page.locator("main")).to_contain_text("Bristol")
    expect(page.locator("main")).not_to_contain_text("Leeds")
    expect(page.locator("main")).not_to_contain_text("Liverpool")
    assert_accessible(page)

    page.goto("/dashboard/")
    expect(page.locator("main")).not_to_contain_text("Worklessness")
    expect(page.locator("main")).not_to_contain_text("Leeds")
    assert_accessible(page)

    page.goto("/releases/")
    expect(page.locator("main")).not_to_contain_text("WDS-")
    assert_accessible(page)

    page.goto("/audit/")
    expect(page.locator("main")).not_to_contain_text("Leeds")
    expect(page.locator("main")).not_to_contain_text("return.submitted")
    assert_accessible(page)

    headers = api_token(db, "libraries.evaluator@demo.evidence-hub.example")
    sites = page.request.get("/api/v1/sites", headers=headers).json()["data"]
    assert sorted(site["code"] for site in sites) == ["bristol", "cornwall", "kent"]
    frameworks = page.request.get("/api/v1/frameworks", headers=headers).json()["data"]
    assert [framework["name"] for framework in frameworks] and all(
        "orklessness" not in framework["name"] for framework in frameworks
    )
    assert page.request.get("/api/v1/releases", headers=headers).json()["data"] == []
    assert page.request.get("/api/v1/frameworks/worklessness-data-sharing", headers=headers).status == 404

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
    page.goto("/")
    expect(page.locator("main .govuk-caption-l")).to_contain_text(f"Kent, {WORKLESSNESS}")
    page.goto("/dashboard/")
    expect(page.locator("main")).to_contain_text("Kent")
    expect(page.locator("main")).not_to_contain_text("Leeds")
    page.goto("/returns/")
    # Kent's returns of both programmes it is led in: the worklessness quarters of 2009 among them.
    expect(page.locator("main")).to_contain_text("2009")
    assert_accessible(page)

    page.get_by_role("link", name="Switch programme").click()
    page.get_by_role("button", name=f"View {LIBRARIES}").click()
    expect(page.locator(".app-programme-in-view")).to_contain_text(LIBRARIES)
    page.goto("/")
    expect(page.locator("main .govuk-caption-l")).to_contain_text(f"Kent, {LIBRARIES}")
    assert_accessible(page)
