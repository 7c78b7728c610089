"""Reporting periods administration: seeing each period's returns, and closing a period to lock them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, PeriodStatus, ReportingPeriod, ReturnStatus, Role, SiteReturn
from tests.factories import make_return, make_site, the_framework
from tests.pages import page, text_of


@pytest.fixture
def administrator(client_as: Callable[..., FlaskClient]) -> FlaskClient:
    return client_as(Role.ADMINISTRATOR)


def fresh(db: Session, model: type, object_id: int) -> object:
    db.expire_all()
    db.rollback()
    return db.get(model, object_id)


def test_administrators_see_each_periods_returns_by_state(db: Session, administrator: FlaskClient) -> None:
    make_site(db, "liverpool")
    make_return(db, "kent", period=0, status=ReturnStatus.APPROVED)
    make_return(db, "leeds", period=0, status=ReturnStatus.SUBMITTED)
    soup = page(administrator.get("/admin/periods/"))
    assert text_of(soup.find("h2")) == "Data sharing for delivery: worklessness pilots"
    first = text_of(soup.select("table tbody tr")[0])
    assert first.startswith("2009 Q2 (April to June 2009)")
    assert "Submitted: 1" in first and "Approved: 1" in first and "Not started: 1" in first
    assert "Close 2009 Q2 (April to June 2009)" in first
    assert "Not started: 3" in text_of(soup.select("table tbody tr")[1])


def test_closing_a_period_asks_first_then_locks_every_return_in_it(
    db: Session, administrator: FlaskClient, client_as: Callable[..., FlaskClient]
) -> None:
    draft = make_return(db, "kent", period=0)
    approved = make_return(db, "leeds", period=0, status=ReturnStatus.APPROVED)
    period_id = draft.reporting_period_id

    confirm = page(administrator.get(f"/admin/periods/{period_id}/close"))
    text = text_of(confirm)
    assert confirm.find("h1").get_text(strip=True) == "Close 2009 Q2 (April to June 2009)"
    assert "Every return in this period becomes locked and read-only" in text
    assert "2 returns will be locked" in text
    assert "1 of these has not been approved" in text
    assert fresh(db, ReportingPeriod, period_id).status == PeriodStatus.OPEN.value  # type: ignore[attr-defined]

    response = administrator.post(f"/admin/periods/{period_id}/close")
    assert response.status_code == 302
    assert "is closed. 2 returns are now locked" in text_of(
        page(administrator.get(response.headers["Location"]))
    )
    assert fresh(db, ReportingPeriod, period_id).status == PeriodStatus.CLOSED.value  # type: ignore[attr-defined]
    for site_return in (draft, approved):
        assert fresh(db, SiteReturn, site_return.id).status == ReturnStatus.LOCKED.value  # type: ignore[attr-defined]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "reporting_period.closed")) is not None
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "return.locked")).all()) == 2

    lead = client_as(Role.SITE_LEAD, site="kent")
    assert (
        lead.post(f"/returns/{draft.id}/sections/costs/completed", data={"completed": "yes"}).status_code
        == 403
    )
    assert "Locked" in text_of(page(lead.get(f"/returns/{draft.id}")))

    again = administrator.post(f"/admin/periods/{period_id}/close")
    assert "is already closed" in text_of(page(administrator.get(again.headers["Location"])))


def test_only_administrators_manage_periods(db: Session, client_as: Callable[..., FlaskClient]) -> None:
    period = the_framework(db).reporting_periods[0]
    for role in (Role.EVALUATOR, Role.SITE_LEAD, Role.NATIONAL_OFFICIAL):
        other = client_as(role, site="kent" if role is Role.SITE_LEAD else None)
        assert other.get("/admin/periods/").status_code == 403
        assert other.post(f"/admin/periods/{period.id}/close").status_code == 403
    assert fresh(db, ReportingPeriod, period.id).status == PeriodStatus.OPEN.value  # type: ignore[attr-defined]


def test_an_unknown_period_is_not_found(administrator: FlaskClient) -> None:
    assert administrator.get("/admin/periods/999/close").status_code == 404
