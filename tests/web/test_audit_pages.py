"""The audit log and item histories as people use them: filters, pages, the CSV download, who sees what."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.db import transaction
from evidence_hub.demo_evidence import ensure_demo_evidence, ensure_demo_impact, ensure_demo_releases
from evidence_hub.models import AuditEvent, ReturnSection, ReturnStatus, Role, User
from evidence_hub.models.impact import ImpactArea
from evidence_hub.models.programmes import ProgrammeMembership
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework
from evidence_hub.services.returns import comments, measures, workflow
from tests.factories import make_return, make_site, make_user
from tests.pages import field_error, page, text_of
from tests.unit.test_measures_service import GOOD as GOOD_ANSWER


def record(
    db: Session,
    actor: User | None,
    action: str = "cost.updated",
    *,
    site: str = "kent",
    object_type: str = "cost",
    object_id: int = 12,
    when: datetime | None = None,
    **values: Any,
) -> AuditEvent:
    with transaction(db):
        event = AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            site_id=make_site(db, site).id,
            before=values.get("before"),
            after=values.get("after"),
            reason=values.get("reason", ""),
            occurred_at=when or datetime.now(UTC),
        )
        db.add(event)
    return event


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Lead")


@pytest.fixture
def evaluator(client_as: Callable[..., FlaskClient]) -> FlaskClient:
    return client_as(Role.EVALUATOR)


def rows_of(soup: Any) -> list[str]:
    return [text_of(row) for row in soup.select("table tbody tr")]


def test_evaluators_see_the_whole_log_newest_first_with_the_values_before_and_after(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    record(
        db,
        lead,
        "cost.created",
        after={"description": "Project manager", "amount": "4500"},
        when=datetime(2009, 5, 1, 9, 0, tzinfo=UTC),
    )
    record(
        db,
        lead,
        "cost.updated",
        before={"amount": "4500"},
        after={"amount": "3000"},
        reason="Only the pilot's share",
        when=datetime(2009, 5, 2, 9, 0, tzinfo=UTC),
    )
    record(
        db,
        None,
        "return.locked",
        site="leeds",
        object_type="return",
        object_id=3,
        before={"status": "approved"},
        after={"status": "locked"},
        when=datetime(2009, 8, 1, 9, 0, tzinfo=UTC),
    )
    soup = page(evaluator.get("/audit/"))
    rows = rows_of(soup)
    assert rows[0].startswith("1 August 2009 at 10:00am The system locked the return")
    assert "Status: Approved → changed to Locked" in rows[0]
    assert "Leeds" in rows[0]
    assert "Kim Lead changed the cost" in rows[1]
    assert "Amount: £4,500.00 → changed to £3,000.00" in rows[1]
    assert "Reason: Only the pilot's share" in rows[1]
    assert "Kim Lead" in rows[1] and "Kent" in rows[1]
    assert "Kim Lead added the cost “Project manager”" in rows[2]
    assert "Description: Project manager" in rows[2]
    assert "cost.created" not in text_of(soup)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=cost.created", ["added the cost"]),
        ("site={leeds}", ["The system locked the"]),
        ("user={lead}", ["changed the cost", "added the cost"]),
        (
            "date_from=2&date_from=5&date_from=2009&date_to=2&date_to=5&date_to=2009",
            ["changed the cost"],
        ),
    ],
    ids=["action", "site", "user", "dates"],
)
def test_the_log_can_be_filtered(
    db: Session, lead: User, evaluator: FlaskClient, query: str, expected: list[str]
) -> None:
    record(db, lead, "cost.created", when=datetime(2009, 5, 1, 9, 0, tzinfo=UTC))
    # 11:30pm UTC on 1 May is 12:30am on 2 May in UK summer time.
    record(db, lead, "cost.updated", when=datetime(2009, 5, 1, 23, 30, tzinfo=UTC))
    record(db, None, "return.locked", site="leeds", when=datetime(2009, 8, 1, 9, 0, tzinfo=UTC))
    url = "/audit/?" + query.format(leeds=make_site(db, "leeds").id, lead=lead.id)
    soup = page(evaluator.get(url))
    rows = rows_of(soup)
    assert len(rows) == len(expected)
    assert all(words in row for words, row in zip(expected, rows, strict=True))


def test_a_date_that_is_not_real_is_explained_and_the_whole_log_shown(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    record(db, lead)
    soup = page(
        evaluator.get("/audit/?date_from=31&date_from=2&date_from=2009&date_to=1&date_to=&date_to=2009")
    )
    assert field_error(soup, "date_from") == "The 'from' date must be a real date, like 27 5 2009"
    assert field_error(soup, "date_to") == "The 'to' date must include a month"
    assert len(rows_of(soup)) == 1


def test_a_long_log_is_shown_a_page_at_a_time(db: Session, lead: User, evaluator: FlaskClient) -> None:
    for number in range(55):
        record(db, lead, "cost.updated", object_id=number, when=datetime(2009, 5, 1, 9, number, tzinfo=UTC))
    first = page(evaluator.get("/audit/?action=cost.updated"))
    assert "55 records, page 1 of 2" in text_of(first)
    assert len(rows_of(first)) == 50
    next_link = first.select_one(".govuk-pagination__next a")["href"]
    assert "action=cost.updated" in next_link and "page=2" in next_link
    second = page(evaluator.get(next_link))
    assert len(rows_of(second)) == 5


def test_the_log_downloads_as_csv_with_cells_that_cannot_become_formulas(
    db: Session, lead: User, client_as: Callable[..., FlaskClient]
) -> None:
    record(
        db,
        lead,
        "cost.updated",
        before={"description": "Old"},
        after={"description": '=HYPERLINK("http://x")'},
        reason='=cmd|"/c calc"!A1, and "quotes"',
        when=datetime(2009, 5, 1, 9, 0, tzinfo=UTC),
    )
    record(db, None, "return.locked", site="leeds", when=datetime(2009, 8, 1, 9, 0, tzinfo=UTC))
    response = client_as(Role.ADMINISTRATOR).get("/audit/download.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="evidence-hub-audit-log-')
    body = response.get_data(as_text=True)
    assert body.count("\r\n") == 3 and "\n" not in body.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0][:5] == ["Record", "When (UTC)", "Who", "Email address", "Action"]
    cost = rows[1]
    assert cost[1] == "2009-05-01T09:00:00Z"
    assert cost[2] == "Kim Lead"
    assert cost[7] == "Kent"
    assert cost[10] == "'" + '=cmd|"/c calc"!A1, and "quotes"'
    assert '"=HYPERLINK' in cost[9]  # inside JSON, so the cell starts with "{"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[2][2] == "System" and rows[2][7] == "Leeds"


def test_the_download_keeps_the_filters(db: Session, lead: User, evaluator: FlaskClient) -> None:
    record(db, lead, "cost.created")
    record(db, lead, "cost.updated")
    soup = page(evaluator.get("/audit/?action=cost.created"))
    download = soup.find("a", string=lambda text: text and text.startswith("Download"))
    assert download["href"] == "/audit/download.csv?action=cost.created"
    rows = list(csv.reader(io.StringIO(evaluator.get(download["href"]).get_data(as_text=True), newline="")))
    assert [row[4] for row in rows[1:]] == ["cost.created"]


def test_a_leads_sees_the_history_of_their_own_sites_items_only(
    db: Session, lead: User, client_as: Callable[..., FlaskClient]
) -> None:
    record(db, lead, "cost.created", object_id=7, after={"description": "Project manager"})
    record(db, lead, "cost.updated", object_id=7, before={"amount": "4500"}, after={"amount": "3000"})
    record(db, None, "cost.created", site="leeds", object_id=8, after={"description": "Leeds analyst"})
    kent_lead = client_as(Role.SITE_LEAD, site="kent")

    soup = page(kent_lead.get("/audit/history/cost/7"))
    assert soup.find("h1").get_text(strip=True) == "History of the cost"
    assert soup.select_one(".govuk-caption-l").get_text(strip=True) == "Project manager"
    text = text_of(soup)
    assert text.index("Kim Lead added the cost") < text.index("Kim Lead changed the cost")
    assert "Amount: £4,500.00 → changed to £3,000.00" in text

    assert kent_lead.get("/audit/history/cost/8").status_code == 404
    assert kent_lead.get("/audit/history/cost/9999").status_code == 404
    assert kent_lead.get("/audit/history/Cost;drop/7").status_code == 404
    assert "Leeds analyst" in text_of(page(client_as(Role.EVALUATOR).get("/audit/history/cost/8")))
    assert client_as(Role.NATIONAL_OFFICIAL).get("/audit/history/cost/7").status_code == 403


def test_only_evaluators_and_administrators_see_the_whole_log(
    db: Session, lead: User, client_as: Callable[..., FlaskClient]
) -> None:
    record(db, lead)
    for role in (Role.SITE_LEAD, Role.NATIONAL_OFFICIAL):
        other = client_as(role, site="kent" if role is Role.SITE_LEAD else None)
        assert other.get("/audit/").status_code == 403
        assert other.get("/audit/download.csv").status_code == 403


def test_nothing_in_the_service_can_change_an_audit_record(app: Flask) -> None:
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/audit")]
    assert audit_rules
    assert all((rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"} for rule in audit_rules)


def test_the_log_and_a_history_speak_plain_english_with_units_names_links_and_comments(
    db: Session, lead: User, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    answer = replace(GOOD_ANSWER, value="40", target="45")
    evaluator_user = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator")
    with transaction(db):
        measure = measures.save_measure(db, lead, site_return, "WL-JOB-ENTRY-RATE", answer)
    with transaction(db):
        measures.save_measure(db, lead, site_return, "WL-JOB-ENTRY-RATE", replace(answer, value="30"), 1)
    with transaction(db):
        workflow.set_section_completed(db, lead, site_return, ReturnSection.MEASURES, True)
    with transaction(db):
        site_return.status = ReturnStatus.SUBMITTED.value
    with transaction(db):
        comments.add_comment(db, evaluator_user, site_return, "Is 30% right?", "measure", measure.id)
    evaluator = client_as(Role.EVALUATOR)

    log = text_of(page(evaluator.get("/audit/")))
    period = site_return.reporting_period.name
    assert f"Kim Lead changed which sections are marked as completed in the return “Kent, {period}”" in log
    assert "Sections completed: none → changed to Impact measures" in log
    assert "Kim Lead changed the impact measure “Job entry rate among engaged clients”" in log
    assert "Figure: 40.0% → changed to 30.0%" in log
    assert "Why there is no figure" not in log
    assert "Eve Evaluator commented on the impact measure" in log
    for code_word in ("section_marked", "Site return id", "Item id", "WL-JOB-ENTRY-RATE", "nesta:2"):
        assert code_word not in log

    history = page(evaluator.get(f"/audit/history/measure/{measure.id}"))
    text = text_of(history)
    assert text.index("Kim Lead added the impact measure") < text.index("Eve Evaluator commented on")
    assert "Comment: Is 30% right?" in text
    item_link = history.find("a", string="See the impact measure as it is now")
    assert item_link["href"] == f"/returns/{site_return.id}/measures/WL-JOB-ENTRY-RATE"


# Words of the code rather than of people: an action code, a snake_case code, an id, a JSON object.
CODE_WORDS = re.compile(r"\b[a-z]+_[a-z_]+\b|\bid\b|[{}]|\b[a-z_]+\.[a-z_]+ed\b", re.IGNORECASE)


def test_every_kind_of_record_the_demo_makes_reads_in_plain_english(
    db: Session, tmp_path: Path, client_as: Callable[..., FlaskClient]
) -> None:
    """Programmes, memberships, comparison areas, series and ratings, releases and appraisal uploads as
    well as returns: each action's records name who did what to which thing, with labels and words."""
    sites = demo.ensure_demo_sites(db)
    framework = ensure_demo_framework(db)
    demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    demo.ensure_demo_programmes(db, sites)
    ensure_demo_evidence(db, framework)
    ensure_demo_impact(db, framework)
    ensure_demo_releases(db, framework)
    area = db.scalars(select(ImpactArea).where(ImpactArea.role == "comparison")).first()
    assert area is not None
    admin_user = db.scalars(select(User).where(User.role == Role.ADMINISTRATOR.value)).first()
    record(
        db,
        admin_user,
        "impact.area_removed",
        site="kent",
        object_type="impact_area",
        object_id=area.id,
        before={"area_code": area.area_code, "area_name": area.area_name, "role": "comparison"},
    )
    record(
        db,
        admin_user,
        "appraisal.deflators_uploaded",
        object_type="deflator_upload",
        object_id=1,
        after={"framework": framework.code, "filename": "gdp-deflators.csv", "years": 12},
    )
    record(
        db,
        admin_user,
        "appraisal.area_sizes_uploaded",
        object_type="area_size_upload",
        object_id=1,
        after={"framework": framework.code, "filename": "working-age.csv", "areas": 3},
    )
    membership = db.scalars(select(ProgrammeMembership)).first()
    assert membership is not None
    record(
        db,
        admin_user,
        "membership.ended",
        object_type="programme_membership",
        object_id=membership.id,
        before={"role": "site_lead", "ended_at": None},
        after={"role": "site_lead", "ended_at": "2026-12-01T09:30:00+00:00"},
    )
    admin = client_as(Role.ADMINISTRATOR)

    actions = sorted(set(db.scalars(select(AuditEvent.action))))
    assert {"membership.added", "impact.rating_recorded", "release.publish", "programme.created"} <= set(
        actions
    )
    found: list[str] = []
    for action in actions:
        records = page(admin.get(f"/audit/?action={action}")).select("main table tbody tr")
        assert records, action
        for row in records:
            text = text_of(row)
            found += [f"{action}: {match!r} in {text[:200]}" for match in CODE_WORDS.findall(text)]
    assert found == [], "\n".join(found)

    log = text_of(page(admin.get("/audit/?action=membership.ended")))
    assert "ended the programme membership “" in log
    assert "Ended: none → changed to 1 December 2026" in log
    areas = text_of(page(admin.get("/audit/?action=impact.area_added")))
    assert "added the area “Medway”" in areas
    assert "Role: Comparison area" in areas
    assert "Indicators observed there: Job entry rate among engaged clients: Synthetic demo series" in areas
    ratings = text_of(page(admin.get("/audit/?action=impact.rating_recorded")))
    assert "recorded the impact evidence rating “Kent: Job entry rate among engaged clients”" in ratings
    releases = text_of(page(admin.get("/audit/?action=release.publish")))
    assert "Sites: Kent, Leeds and Liverpool City Region" in releases
