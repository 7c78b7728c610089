"""The whole loop of a return in a real browser: a lead fills it in through the forms (and another
through spreadsheet uploads) and submits; an evaluator returns it with a comment on one item; the lead
corrects and resubmits; the evaluator sees the change, approves, and finds every step in the audit log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from evidence_hub.models import Role
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser
from tests.factories import make_framework, make_site, make_user, periods_of

BROWSER_FRAMEWORK = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "browser.yaml"


@pytest.fixture
def pilot(db: Session) -> dict[str, Any]:
    framework = make_framework(db, source=BROWSER_FRAMEWORK, periods=2)
    make_site(db, "kent")
    periods = periods_of(db, framework)
    return {
        "lead": make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Lead"),
        "evaluator": make_user(db, Role.EVALUATOR, full_name="Eve Evaluator"),
        "periods": [period.name for period in periods],
        "period_codes": [period.code for period in periods],
        "starts": [period.starts_on for period in periods],
    }


def choose(page: Any, label: str) -> None:
    page.get_by_role("radio", name=label, exact=True).check()


def mark_section_completed(page: Any) -> None:
    page.get_by_label("Yes, I’ve completed this section").check()
    page.get_by_role("button", name="Continue").click()


def return_id_from(page: Any) -> int:
    found = re.search(r"/returns/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def start_return(page: Any, period_name: str) -> int:
    page.goto("/returns/")
    page.get_by_role("button", name=f"Start return for {period_name}").click()
    return return_id_from(page)


def fill_costs_by_form(page: Any, return_id: int) -> None:
    page.goto(f"/returns/{return_id}/costs/new")
    choose(page, "Staff time")
    page.get_by_label("Description", exact=True).fill("Project officer, half time")
    page.get_by_label("Amount", exact=False).first.fill("3000.00")
    choose(page, "One-off set-up")
    choose(page, "Cash")
    page.get_by_role("button", name="Save cost").click()
    expect(page.locator("main")).to_contain_text("Project officer, half time")
    assert_accessible(page)
    mark_section_completed(page)


def fill_activities_by_form(page: Any, return_id: int, starts_on: Any) -> None:
    page.goto(f"/returns/{return_id}/activities/new")
    choose(page, "Workshop")
    page.get_by_label("Title", exact=True).fill("Data-sharing workshop with Jobcentre Plus")
    page.locator("#starts_on-day").fill(str(starts_on.day + 5))
    page.locator("#starts_on-month").fill(str(starts_on.month))
    page.locator("#starts_on-year").fill(str(starts_on.year))
    page.get_by_role("button", name="Save activity").click()
    expect(page.locator("main")).to_contain_text("Data-sharing workshop")
    mark_section_completed(page)


def fill_measures_by_form(page: Any, return_id: int) -> None:
    for code, value, baseline in (("T-CLIENTS", "120", "80"), ("T-RATE", "12.5", "8.0")):
        page.goto(f"/returns/{return_id}/baselines/{code}")
        page.locator("#value").fill(baseline)
        page.locator("#period_description").fill("January to March 2009")
        page.locator("#source").fill("Council management information")
        page.get_by_role("button", name="Save baseline").click()

        page.goto(f"/returns/{return_id}/measures/{code}")
        page.get_by_role("radio", name="Yes", exact=True).check()
        page.locator("#value").fill(value)
        if code == "T-CLIENTS":
            page.locator("#target").fill("150")
        page.locator("#data_source").fill("Pilot case records")
        page.get_by_role("radio", name=re.compile("^Good")).check()
        page.locator("#quality_reason").fill("Checked against partner records")
        page.get_by_role("radio", name=re.compile("level 2")).first.check()
        page.get_by_role("button", name="Save and continue").click()
    page.goto(f"/returns/{return_id}/measures")
    assert_accessible(page)
    mark_section_completed(page)


def fill_learning_by_form(page: Any, return_id: int) -> None:
    page.goto(f"/returns/{return_id}/learning/new")
    choose(page, "Barrier")
    page.get_by_label("Legal and information governance").check()
    page.get_by_label("Title", exact=True).fill("Waiting for a legal gateway")
    page.get_by_label("What happened?").fill("Legal teams read the gateway differently for two months.")
    page.get_by_role("button", name="Save learning").click()
    mark_section_completed(page)


def fill_journey_by_form(page: Any, return_id: int) -> None:
    page.goto(f"/returns/{return_id}/journey")
    page.get_by_label("Sharing established", exact=False).check()
    page.get_by_label("What shows that your site has reached it?").fill(
        "Monthly extracts arrive on schedule."
    )
    page.get_by_role("button", name="Save milestone").click()
    page.goto(f"/returns/{return_id}/journey")
    mark_section_completed(page)
    page.goto(f"/returns/{return_id}/documents")
    mark_section_completed(page)


def submit(page: Any, return_id: int) -> None:
    page.goto(f"/returns/{return_id}/check")
    assert_accessible(page)
    page.locator("#confirm").check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("main")).to_contain_text("Return submitted")


def upload_csv(page: Any, return_id: int, section: str, text: str, tmp_path: Path) -> None:
    file = tmp_path / f"{section}.csv"
    file.write_text(text, encoding="utf-8")
    page.goto(f"/returns/{return_id}/upload/{section}")
    page.locator("input[type=file]").set_input_files(str(file))
    page.get_by_role("button", name="Upload spreadsheet").click()
    assert "added" in page.locator("main").inner_text(), page.locator("main").inner_text()


def test_a_return_goes_round_the_whole_loop_in_the_browser(
    new_page: Any, pilot: dict[str, Any], tmp_path: Path
) -> None:
    lead_page = new_page()
    sign_in_through_the_browser(lead_page, pilot["lead"].email)

    # One return through the forms.
    first = start_return(lead_page, pilot["periods"][0])
    fill_costs_by_form(lead_page, first)
    fill_activities_by_form(lead_page, first, pilot["starts"][0])
    fill_measures_by_form(lead_page, first)
    fill_learning_by_form(lead_page, first)
    fill_journey_by_form(lead_page, first)
    lead_page.goto(f"/returns/{first}")
    assert_accessible(lead_page)
    submit(lead_page, first)

    # Another through spreadsheet uploads (the baselines are the site's, already set).
    second = start_return(lead_page, pilot["periods"][1])
    code = pilot["period_codes"][1]
    upload_csv(
        lead_page,
        second,
        "costs",
        "site_code,period_code,reference,category_code,description,amount,cost_type,funding\r\n"
        f"kent,{code},C-1,STAFF,Project officer,2800.00,running,cash\r\n",
        tmp_path,
    )
    start = pilot["starts"][1].isoformat()
    upload_csv(
        lead_page,
        second,
        "activities",
        "site_code,period_code,reference,activity_type_code,title,starts_on\r\n"
        f"kent,{code},A-1,OUTREACH,Door-knocking,{start}\r\n",
        tmp_path,
    )
    upload_csv(
        lead_page,
        second,
        "measures",
        "site_code,period_code,indicator_code,value,target,data_source,quality_rating,quality_reason,"
        "evidence_level\r\n"
        f"kent,{code},T-CLIENTS,140,150,Case records,good,Checked,nesta:2\r\n"
        f"kent,{code},T-RATE,13.0,,Case records,good,Checked,nesta:1\r\n",
        tmp_path,
    )
    upload_csv(
        lead_page,
        second,
        "learning",
        "site_code,period_code,reference,learning_type,dimension_codes,title,what_happened\r\n"
        f"kent,{code},L-1,enabler,LEGAL,Senior sponsor,The director unblocked decisions.\r\n",
        tmp_path,
    )
    for section in ("costs", "activities", "measures", "learning"):
        lead_page.goto(f"/returns/{second}/{section}")
        mark_section_completed(lead_page)
    fill_journey_by_form(lead_page, second)
    submit(lead_page, second)

    # The evaluator comments on the cost and returns the first return.
    evaluator_page = new_page()
    sign_in_through_the_browser(evaluator_page, pilot["evaluator"].email)
    evaluator_page.goto("/review/")
    assert_accessible(evaluator_page)
    evaluator_page.goto(f"/review/returns/{first}")
    expect(evaluator_page.locator("main")).to_contain_text("Project officer, half time")
    assert_accessible(evaluator_page)
    evaluator_page.goto(f"/review/returns/{first}/comment")
    cost_option = evaluator_page.locator("#item option", has_text="Project officer").first.get_attribute(
        "value"
    )
    evaluator_page.get_by_label("What is your comment about?").select_option(value=cost_option)
    evaluator_page.locator("#body").fill("Is all of this officer's time on the pilot?")
    evaluator_page.get_by_role("button", name="Add comment").click()
    evaluator_page.goto(f"/review/returns/{first}/return")
    evaluator_page.locator("#comment").fill("Please check the staff cost.")
    evaluator_page.get_by_role("button", name="Return to the site").click()

    # The lead sees the comment beside the cost, corrects it and resubmits.
    lead_page.goto(f"/returns/{first}/costs")
    expect(lead_page.locator("main")).to_contain_text("Is all of this officer's time on the pilot?")
    lead_page.get_by_role("link", name=re.compile("^Change")).first.click()
    lead_page.get_by_label("Amount", exact=False).first.fill("2400.00")
    lead_page.get_by_role("button", name="Save cost").click()
    submit(lead_page, first)

    # The evaluator sees exactly what changed, approves, and finds every step in the audit log.
    evaluator_page.goto(f"/review/returns/{first}")
    review_text = evaluator_page.locator("main").inner_text()
    assert "Amount changed" in review_text and "2400" in review_text.replace(",", "")
    evaluator_page.goto(f"/review/returns/{first}/approve")
    evaluator_page.get_by_role("button", name="Approve return").click()
    expect(evaluator_page.locator("main")).to_contain_text("Approved")
    evaluator_page.goto("/audit/")
    audit_text = evaluator_page.locator("main").inner_text()
    for step in (
        "submitted the return",
        "sent back the return",
        "approved the return",
        "commented on the cost",
        "changed the cost",
    ):
        assert step in audit_text, step
    assert_accessible(evaluator_page)
