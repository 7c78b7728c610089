"""A table of every local authority is shown a page of rows at a time, its CSV keeping every row; a chart
of many sites leaves the notes on each point to the table."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts, tables
from evidence_hub.models import Framework, ReturnStatus, Role
from tests.factories import make_return, the_framework
from tests.pages import page, text_of
from tests.returns_helpers import add_cost
from tests.web.test_dashboard_pages import csv_link, first_column, table_rows


@pytest.fixture
def three_sites(db: Session) -> Framework:
    framework = the_framework(db)
    for code in ("kent", "leeds", "liverpool"):
        add_cost(db, make_return(db, code, period=0, status=ReturnStatus.APPROVED), amount="1000.00")
    return framework


def test_a_long_table_is_shown_a_page_at_a_time_and_its_csv_has_every_row(
    client_as: Callable[..., FlaskClient], three_sites: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "ROWS_PER_PAGE", 2)
    client = client_as(Role.EVALUATOR)
    soup = page(client.get("/dashboard/costs?period_from=&state=approved"))
    section = soup.select_one("#panel-by-site").find_parent("section")
    assert first_column(table_rows(soup, "Costs by site")) == ["Kent", "Leeds"]
    assert "Rows 1 to 2 of 4. The CSV has every row." in text_of(section)
    next_link = section.select_one(".govuk-pagination__next a")
    assert next_link is not None
    # The next page keeps the filters and shows the rest of the table.
    assert "state=approved" in next_link["href"]
    second = page(client.get(next_link["href"]))
    assert first_column(table_rows(second, "Costs by site")) == ["Liverpool City Region", "All sites shown"]

    link = csv_link(section)
    assert link is not None
    rows = list(csv.reader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["Kent", "Leeds", "Liverpool City Region", "All sites shown"]


def test_a_page_number_past_the_end_shows_the_last_page(
    client_as: Callable[..., FlaskClient], three_sites: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "ROWS_PER_PAGE", 3)
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs?by-site-page=9"))
    assert first_column(table_rows(soup, "Costs by site")) == ["All sites shown"]


def series(count: int) -> list[charts.SiteSeries]:
    return [
        charts.SiteSeries(
            name=f"Area {number}",
            colour="#0072B2",
            dash="solid",
            values=[Decimal(1), None],
            open_markers=[False, False],
            hover=["Good evidence", ""],
        )
        for number in range(count)
    ]


def test_a_chart_of_many_sites_leaves_the_notes_on_each_point_to_its_table() -> None:
    axis = charts.Axis("People")
    few = charts.lines_over_time("t", "s", ["2009-Q1", "2009-Q2"], series(3), axis)
    many = charts.lines_over_time(
        "t", "s", ["2009-Q1", "2009-Q2"], series(charts.MAX_SERIES_WITH_NOTES + 1), axis
    )
    assert few["data"][0]["text"] == ["Good evidence", ""]
    assert "text" not in many["data"][0]
    assert many["data"][0]["hovertemplate"] == "%{x}<br>Area 0: %{y}<extra></extra>"
    assert many["data"][0]["marker"]["symbol"] == "circle"
