"""A closed programme takes no change to its returns or comparison series: every write is refused with a
page that says why, in the words the return's task list uses, and nothing is saved."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import ComparisonSeriesValue, CostItem, ProgrammeStatus, Role, SiteReturn
from evidence_hub.services.impact.series_file import SeriesRow, series_csv
from tests.factories import make_return, the_framework
from tests.pages import error_summary, field_error, heading, page, text_of

FRAMEWORK = "worklessness-data-sharing"

# Every kind of evidence write a lead makes to a return, as the pages post them.
WRITES = [
    "costs/new",
    "savings/new",
    "activities/new",
    "learning/new",
    "data-flows/new",
    "journey",
    "measures/WL-JOB-ENTRY-RATE",
    "comparison-figures",
    "documents/new",
    "upload/costs",
    "submit",
    "sections/costs/completed",
]


def _close(db: Session, site_return: SiteReturn) -> str:
    programme = site_return.reporting_period.framework.programme
    with transaction(db):
        programme.status = ProgrammeStatus.CLOSED.value
    return f"{programme.name} is closed: it takes no new evidence or returns"


@pytest.mark.parametrize("write", WRITES)
def test_a_write_to_a_return_in_a_closed_programme_is_refused_with_the_reason(
    db: Session, client_as: Callable[..., FlaskClient], write: str
) -> None:
    site_return = make_return(db, "kent")
    lead = client_as(Role.SITE_LEAD, site="kent")
    reason = _close(db, site_return)
    task_list = text_of(page(lead.get(f"/returns/{site_return.id}")).select_one(".app-read-only-reason"))
    assert reason in task_list

    response = lead.post(f"/returns/{site_return.id}/{write}", data={"amount": "100"})

    soup = page(response, 403)
    assert heading(soup) == "You cannot change this return"
    assert reason in text_of(soup)
    assert soup.find("a", string="Go back to the return")["href"] == f"/returns/{site_return.id}"
    assert db.scalar(select(func.count()).select_from(CostItem)) == 0


def test_a_closed_programme_takes_no_comparison_series_and_says_so_beside_the_file(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    framework = the_framework(db)
    evaluator = client_as(Role.EVALUATOR)
    with transaction(db):
        framework.programme.status = ProgrammeStatus.CLOSED.value
    reason = f"{framework.programme.name} is closed: it takes no new evidence or returns"
    row = SeriesRow(
        2, "E10000016", "Kent", "2009-Q2", "WL-JOB-ENTRY-RATE", Decimal(12), "ONS", date(2009, 7, 14)
    )
    content = series_csv([row])

    response = evaluator.post(
        f"/comparisons/{FRAMEWORK}/series",
        data={"spreadsheet": (io.BytesIO(content), "series.csv")},
        content_type="multipart/form-data",
    )

    soup = page(response, 403)
    assert any(reason in each for each in error_summary(soup))
    assert reason in field_error(soup, "spreadsheet")
    assert db.scalar(select(func.count()).select_from(ComparisonSeriesValue)) == 0


def test_a_closed_programme_takes_no_acceptance_of_a_sites_figures(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    evaluator = client_as(Role.EVALUATOR)
    named = evaluator.post(
        f"/comparisons/{FRAMEWORK}/areas/new",
        data={"site": "kent", "role": "pilot_site", "area_code": "E10000016", "area_name": "Kent"},
    )
    assert named.status_code == 302
    lead = client_as(Role.SITE_LEAD, site="kent")
    row = SeriesRow(
        2, "E10000016", "Kent", "2009-Q2", "WL-JOB-ENTRY-RATE", Decimal(12), "ONS", date(2009, 7, 14)
    )
    uploaded = lead.post(
        f"/comparisons/{FRAMEWORK}/series",
        data={"spreadsheet": (io.BytesIO(series_csv([row])), "series.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    seen = page(evaluator.get(f"/comparisons/{FRAMEWORK}")).select_one("input[name=seen]")["value"]
    reason = _close(db, site_return)

    response = evaluator.post(f"/comparisons/{FRAMEWORK}/sites/kent/accept", data={"seen": seen})

    assert reason in text_of(page(evaluator.get(response.headers["Location"])))
    db.rollback()
    assert db.scalars(select(ComparisonSeriesValue.accepted_at)).all() == [None]
