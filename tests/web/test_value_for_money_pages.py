"""The value-for-money pages: the view with its workings, the glossary, and the uploads of a deflator series
and of area sizes (all or nothing, every problem in the error summary by row and column)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import Framework, ReturnStatus, Role, Site
from evidence_hub.models.appraisal import AreaSizeUpload, DeflatorUpload
from evidence_hub.services.appraisal.definitions import GLOSSARY
from evidence_hub.services.dashboards.scope import StateFilter, chosen_scope
from evidence_hub.services.releases.render.blocks import Table, rollout_blocks, value_for_money_blocks
from evidence_hub.services.releases.value_for_money_block import value_for_money_summary
from tests.factories import make_return, make_user, the_framework
from tests.pages import error_summary, page
from tests.returns_helpers import add_cost

VALUE_FOR_MONEY = "/dashboard/value-for-money?framework=worklessness-data-sharing"
DEFLATORS = "/dashboard/value-for-money/deflators?framework=worklessness-data-sharing"
AREA_SIZES = "/dashboard/value-for-money/area-sizes?framework=worklessness-data-sharing"


@pytest.fixture
def two_sites(db: Session) -> Framework:
    """Kent and Leeds with approved returns for the first quarter, Kent also for the second."""
    framework = the_framework(db)
    add_cost(db, make_return(db, "kent", period=0, status=ReturnStatus.APPROVED), amount="1000.00")
    add_cost(db, make_return(db, "kent", period=1, status=ReturnStatus.APPROVED), amount="500.00")
    add_cost(db, make_return(db, "leeds", period=0, status=ReturnStatus.APPROVED), amount="2000.00")
    return framework


def upload(client: FlaskClient, url: str, name: str, content: str, **fields: str) -> FlaskClient:
    data = {name: (io.BytesIO(content.encode()), "upload.csv"), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def count(db: Session, model: type) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_every_figure_opens_its_workings_and_links_to_the_glossary(
    two_sites: Framework, client_as: Callable[..., FlaskClient]
) -> None:
    soup = page(client_as(Role.EVALUATOR).get(VALUE_FOR_MONEY))

    figures = soup.select("[data-figure]")
    assert {each["data-figure"].split(":")[0] for each in figures} == {"all", "kent", "leeds"}
    for figure in figures:
        row = figure.find_parent(class_="govuk-summary-list__row")
        assert row.select_one("details .govuk-details__text").get_text().count("Formula") == 1
        assert row.select_one("dt a")["href"].startswith("/dashboard/glossary#")
    text = soup.get_text(" ", strip=True)
    assert "Parameters and their sources" in text and "Switching values" in text
    assert "No area sizes list has been uploaded" in text

    glossary = page(client_as(Role.SITE_LEAD, site="kent").get("/dashboard/glossary"))
    ids = {element["id"] for element in glossary.select("h2[id]")}
    assert {str(each.key) for each in GLOSSARY} <= ids


def test_a_deflator_series_with_a_bad_row_saves_nothing_and_names_the_row_and_column(
    db: Session, two_sites: Framework, client_as: Callable[..., FlaskClient]
) -> None:
    evaluator = client_as(Role.EVALUATOR)
    refused = page(
        upload(
            evaluator,
            DEFLATORS,
            "deflator_file",
            "financial_year,deflator\n2009-10,70.9\n2010-11,abc\n2010-11,72\n",
            source_title="GDP deflators at market prices",
        )
    )
    assert error_summary(refused) == [
        "Nothing has been saved. The file has 1 problem, to fix before uploading it again: "
        "Row 3, column deflator: the deflator for 2010-11 must be a number above 0."
    ]
    assert count(db, DeflatorUpload) == 0


def test_an_uploaded_deflator_series_replaces_the_parameter_sets_and_is_cited(
    db: Session, two_sites: Framework, client_as: Callable[..., FlaskClient]
) -> None:
    evaluator = client_as(Role.EVALUATOR)
    rows = "\n".join(f"{year}-{(year + 1) % 100:02d},{50 + year - 2005}" for year in range(2005, 2025))
    response = upload(
        evaluator,
        DEFLATORS,
        "deflator_file",
        "financial_year,deflator\n" + rows + "\n",
        source_title="Test deflators",
        source_publisher="HM Treasury",
    )
    assert response.status_code == 302
    assert count(db, DeflatorUpload) == 1
    text = page(evaluator.get(VALUE_FOR_MONEY)).get_text(" ", strip=True)
    assert "HM Treasury, Test deflators" in text


def test_area_sizes_give_a_roll_out_projection_with_its_assumptions(
    db: Session, two_sites: Framework, client_as: Callable[..., FlaskClient]
) -> None:
    administrator = client_as(Role.ADMINISTRATOR)
    refused = page(
        upload(
            administrator,
            AREA_SIZES,
            "area_file",
            "code,name,size\nkent,Kent,-5\n",
            measure_name="",
            measure_source="",
        )
    )
    summary = error_summary(refused)
    assert "Enter what the sizes measure" in summary
    assert count(db, AreaSizeUpload) == 0

    response = upload(
        administrator,
        AREA_SIZES,
        "area_file",
        "code,name,size\nkent,Kent,900000\nleeds,Leeds,500000\nE1,Essex,1000000\n",
        measure_name="working-age population (16 to 64)",
        measure_source="ONS mid-year estimates, mid-2023",
    )
    assert response.status_code == 302
    text = page(administrator.get(VALUE_FOR_MONEY)).get_text(" ", strip=True)
    assert "Roll-out projection over 5 years, scaled by working-age population (16 to 64)" in text
    assert "Essex" in text and "Assumptions of the roll-out projection" in text
    assert "Roll-out projection, central estimate: all areas" in text

    # A release made now carries the same projection, with its assumptions and workings.
    db.rollback()
    scope = chosen_scope(
        db,
        make_user(db, Role.EVALUATOR),
        two_sites,
        None,
        list(two_sites.reporting_periods),
        list(db.scalars(select(Site).order_by(Site.name))),
        StateFilter.APPROVED,
    )
    # The roll-out projection has its own section of the summary, after the recommendations.
    blocks = rollout_blocks({"value_for_money": value_for_money_summary(db, scope, 10)})
    captions = [block.caption for block in blocks if isinstance(block, Table)]
    assert "Roll-out over 5 years, scaled by working-age population (16 to 64)" in captions
    assert "Assumptions of the roll-out projection" in captions


def site_cells(table: Any, site: str) -> list[str]:
    """A site's figures in a dashboard table, its row's or (a wide table turned to fit) its column's."""
    headings = [heading.get_text(strip=True) for heading in table.select("thead th")]
    column = next((index for index, heading in enumerate(headings) if site in heading), None)
    if column is not None:
        return [row.select("th, td")[column].get_text(strip=True) for row in table.select("tbody tr")]
    row = next(row for row in table.select("tbody tr") if site in row.th.get_text())
    return [cell.get_text(strip=True) for cell in row.select("td")]


def test_a_site_with_no_approved_return_shows_no_return_in_every_table_and_file(
    db: Session, two_sites: Framework, client_as: Callable[..., FlaskClient]
) -> None:
    add_cost(db, make_return(db, "liverpool", period=0, status=ReturnStatus.DRAFT), amount="777.00")

    soup = page(client_as(Role.EVALUATOR).get(VALUE_FOR_MONEY))
    for caption in ("Green Book figures by site", "Switching values"):
        table = next(each for each in soup.select("table") if each.caption.get_text(strip=True) == caption)
        cells = site_cells(table, "Liverpool")
        assert set(cells[: len(cells) - (caption == "Green Book figures by site")]) == {"no return"}, caption
    shown = {each["data-figure"]: each.get_text(strip=True) for each in soup.select("[data-figure]")}
    assert shown["liverpool:net_present_value"] == "no return"

    db.rollback()
    scope = chosen_scope(
        db,
        make_user(db, Role.EVALUATOR),
        two_sites,
        None,
        list(two_sites.reporting_periods),
        list(db.scalars(select(Site).order_by(Site.name))),
        StateFilter.APPROVED,
    )
    blocks = value_for_money_blocks({"value_for_money": value_for_money_summary(db, scope, 10)})
    figures = next(
        block for block in blocks if isinstance(block, Table) and block.caption.startswith("Green Book")
    )
    liverpool_row = next(row for row in figures.rows if row[0] == "Liverpool City Region")
    assert set(liverpool_row[1:]) == {"no return"}
