"""The audit log and item histories as people use them: filters, pages, the CSV download, who sees what."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, Role, User
from tests.factories import make_site, make_user
from tests.pages import field_error, page, text_of


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
    assert rows[0].startswith("1 August 2009 at 10:00am System return.locked")
    assert "Leeds" in rows[0]
    assert "Amount: 4500 → changed to 3000" in rows[1]
    assert "Reason: Only the pilot's share" in rows[1]
    assert "Kim Lead" in rows[1] and "Kent" in rows[1]
    assert "Description: Project manager" in rows[2]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=cost.created", ["cost.created"]),
        ("site={leeds}", ["return.locked"]),
        ("user={lead}", ["cost.updated", "cost.created"]),
        (
            "date_from=2&date_from=5&date_from=2009&date_to=2&date_to=5&date_to=2009",
            ["cost.updated"],
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
    actions = [row.select_one("code").get_text() for row in soup.select("table tbody tr")]
    assert actions == expected


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
    assert soup.find("h1").get_text(strip=True) == "History of cost 7"
    text = text_of(soup)
    assert "Project manager" in text
    assert text.index("cost.created") < text.index("cost.updated")
    assert "Amount: 4500 → changed to 3000" in text

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
