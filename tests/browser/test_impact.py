"""An evaluator names a comparison area, uploads the comparison series and sees each demo site's estimate
with its interval and pre-trend check, and the pooled estimate, on the Impact view in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.db import transaction
from evidence_hub.demo_evidence import ensure_demo_evidence
from evidence_hub.models import AreaRole, ReportingPeriod, Role, Site, SiteReturn, User
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework
from evidence_hub.services.impact import comparisons
from evidence_hub.services.impact.synthetic_series import DEMO_SITE_SERIES, synthetic_series_csv
from evidence_hub.services.returns import workflow
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser

CODE = "worklessness-data-sharing"


def table_of(page: Any, caption: str) -> Any:
    return page.locator("main table", has=page.locator("caption", has_text=caption))


@pytest.fixture
def evaluator(db: Session, tmp_path: Path, browser_user: Callable[..., User]) -> User:
    """The demo world with every demo area named but Kent's first comparison area (Medway)."""
    sites = demo.ensure_demo_sites(db)
    framework = ensure_demo_framework(db)
    demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    ensure_demo_evidence(db, framework)
    user = browser_user(Role.EVALUATOR)
    version = comparisons.impact_version(framework)
    assert version is not None
    with transaction(db):
        for series in DEMO_SITE_SERIES:
            site = db.scalars(select(Site).where(Site.code == series.site_code)).one()
            areas = [
                (AreaRole.PILOT_SITE, series.area),
                *((AreaRole.COMPARISON, a) for a in series.comparisons),
            ]
            for role, area in areas:
                if area.code == "E06000035":
                    continue
                comparisons.add_area(
                    db,
                    user,
                    version,
                    site,
                    role=role,
                    area_code=area.code,
                    area_name=area.name,
                    observed={} if role is AreaRole.PILOT_SITE else {"WL-JOB-ENTRY-RATE": "Synthetic"},
                )
    return user


def test_an_evaluator_uploads_series_and_sees_the_impact_view(
    new_page: Callable[[], Any], evaluator: User, tmp_path: Path
) -> None:
    page = new_page()
    sign_in_through_the_browser(page, evaluator.email)
    page.goto(f"/comparisons/{CODE}")
    expect(page.locator("h1")).to_have_text("Comparison areas and series")
    assert_accessible(page)

    page.get_by_role("link", name="Add an area").click()
    page.get_by_label("Pilot site", exact=True).select_option("kent")
    page.get_by_label("Comparison area", exact=True).check()
    page.get_by_label("GSS area code").fill("E06000035")
    page.get_by_label("Area name").fill("Medway")
    page.get_by_label("Job entry rate among engaged clients").check()
    page.get_by_label("How they are observed").fill("Synthetic demo series")
    assert_accessible(page)
    page.get_by_role("button", name="Add area").click()
    expect(page.locator("main")).to_contain_text("Medway (E06000035) added for Kent")

    page.get_by_role("link", name="Upload comparison series").first.click()
    expect(page.locator("h1")).to_have_text("Upload comparison series")
    assert_accessible(page)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "area_code,area_name,period,indicator_code,value,source,date_extracted\r\n"
        "E99999999,Nowhere,2009-Q2,WL-JOB-ENTRY-RATE,twelve,ONS,2011-05-03\r\n"
    )
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload series").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing was saved: 2 problems")
    expect(page.locator("#upload-problems")).to_contain_text("area_code")
    assert_accessible(page)

    good = tmp_path / "series.csv"
    good.write_bytes(synthetic_series_csv())
    page.get_by_label("Upload a file").set_input_files(str(good))
    page.get_by_role("button", name="Upload series").click()

    expect(page.locator("h1")).to_have_text("Impact")
    main = page.locator("main")
    expect(main).to_contain_text("192 figures for 12 areas saved")
    for name in ("Kent", "Leeds", "Liverpool City Region"):
        expect(page.locator(f"h3:text-is('{name}')")).to_be_visible()
    expect(main.locator("dl.app-impact-summary")).to_have_count(3)
    expect(main).to_contain_text("95% confidence interval")
    expect(main.locator(".govuk-tag", has_text="Passed")).to_have_count(3)
    expect(main).to_contain_text("Prediction interval for a new area")
    expect(main).to_contain_text("Medway (E06000035)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every((chart) => chart.querySelector('svg'))"
    )
    assert page.locator("[data-chart]").count() == 4  # the estimates and a series chart per site
    expect(page.locator("[data-chart=chart-series-kent]")).to_contain_text("Pilot starts")
    # Under every chart and table its CSV; the demo's Kent reports more clients engaged than people its
    # activities reached, which the theory of change flags.
    expect(main.get_by_role("link", name=re.compile("Download this table as CSV"))).to_have_count(5)
    toc = table_of(page, "Returns whose values break the framework's theory of change")
    expect(toc.get_by_role("rowheader", name="Kent").first).to_be_visible()
    expect(toc).to_contain_text("cannot be more than People reached by the return's activities")
    assert_accessible(page)


def test_a_lead_gives_comparison_figures_in_the_return_and_uploads_figures_the_evaluator_accepts(
    new_page: Callable[[], Any],
    db: Session,
    evaluator: User,
    browser_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    kent = db.scalars(select(Site).where(Site.code == "kent")).one()
    lead = browser_user(Role.SITE_LEAD, site=kent)
    open_period = db.scalars(
        select(ReportingPeriod).where(ReportingPeriod.status == "open").order_by(ReportingPeriod.starts_on)
    ).first()
    assert open_period is not None
    open_return = db.scalars(
        select(SiteReturn).where(
            SiteReturn.site_id == kent.id, SiteReturn.reporting_period_id == open_period.id
        )
    ).first()
    with transaction(db):
        if open_return is None:
            open_return = workflow.start_return(db, lead, open_period)
        elif open_return.status == "submitted":
            workflow.return_to_site(db, evaluator, open_return, "Please add the comparison figures.")
    assert open_return.status in ("draft", "returned")
    page = new_page()
    sign_in_through_the_browser(page, lead.email)
    page.goto(f"/returns/{open_return.id}/measures")
    page.get_by_role("link", name="Give the comparison figures").click()
    expect(page.locator("h1")).to_have_text("Comparison figures")
    assert_accessible(page)

    page.get_by_label("Figure for Kent, Job entry rate among engaged clients").fill("twelve")
    page.get_by_role("button", name="Save comparison figures").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("as a number, like 12.5")
    assert_accessible(page)

    page.get_by_label("Figure for Kent, Job entry rate among engaged clients").fill("12.5")
    page.get_by_label("Where the figures come from").fill("ONS Nomis, claimant count (CC01)")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2011")
    page.get_by_role("button", name="Save comparison figures").click()
    expect(page.locator("h1")).to_have_text("Impact measures")
    expect(page.locator("main")).to_contain_text("1 comparison figure saved")

    # A lead's uploaded figures wait for the evaluator, who checks them and accepts them as shown.
    page.goto(f"/comparisons/{CODE}/series")
    expect(page.locator("main")).to_contain_text("count in the estimates once an evaluator has checked")
    upload = tmp_path / "kent.csv"
    upload.write_text(
        "area_code,area_name,period,indicator_code,value,source,date_extracted\r\n"
        "E10000016,Kent,2009-Q1,WL-JOB-ENTRY-RATE,11.4,ONS Nomis,2011-05-03\r\n"
    )
    page.get_by_label("Upload a file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload series").click()
    expect(page.locator("main")).to_contain_text("once an evaluator has accepted them")

    reviewer = new_page()
    sign_in_through_the_browser(reviewer, evaluator.email)
    reviewer.goto(f"/comparisons/{CODE}")
    waiting = table_of(reviewer, "1 figure uploaded by Kent")
    expect(waiting).to_contain_text("Kent (E10000016)")
    expect(waiting).to_contain_text("3 May 2011")
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Accept these figures from Kent").click()
    expect(reviewer.locator("main")).to_contain_text("1 figure from Kent accepted")
    expect(table_of(reviewer, "1 figure uploaded by Kent")).to_have_count(0)
