"""One definition per figure: the dashboard, the release's summary page, its PDF and DOCX, and the API show
the same Green Book figures, to the penny, for the same approved returns, except that a release withholds
([c]) every figure built on counts it does not show exactly.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Release, Role, Site
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.appraisal.appraisal import appraise
from evidence_hub.services.dashboards.scope import StateFilter, chosen_scope
from evidence_hub.services.dashboards.value_for_money import framework_settings, pilot_evidence
from tests.factories import make_user
from tests.pages import page
from tests.release_helpers import demo_world, evaluator, publish, published_release


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    """A release with nothing withheld (a threshold of 1), so every figure is published and comparable."""
    return publish(db, demo_world(db, tmp_path), threshold=1)


def figures_of(db: Session, release: Release) -> tuple[str, str, str]:
    """The programme's net present value, benefit–cost ratio and cost per outcome worked out here, from the
    evidence the release covers, straight through the appraisal (no page, no file)."""
    sites = list(db.scalars(select(Site).where(Site.code.in_(release.site_codes)).order_by(Site.name)))
    framework = release.framework
    scope = chosen_scope(
        db, evaluator(db), framework, None, list(framework.reporting_periods), sites, StateFilter.APPROVED
    )
    settings, _ = framework_settings(db, scope)
    programme = appraise(pilot_evidence(db, scope, settings), settings.parameters).programme
    assert programme.net_present_value.value is not None and programme.benefit_cost_ratio.value is not None
    npv = programme.net_present_value.value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert programme.net_present_value.display == f"{'-' if npv < 0 else ''}£{abs(npv):,}"
    assert programme.cost_per_outcome.value is not None
    return (
        programme.net_present_value.display,
        programme.benefit_cost_ratio.display,
        programme.cost_per_outcome.display,
    )


def pack_cells(content: bytes, file_format: str) -> list[list[str]]:
    """Every row of every table in a data pack, as text: the XLSX's sheets or the zip's CSVs."""
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return [
            ["" if cell is None else str(cell) for cell in row]
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            row
            for name in archive.namelist()
            if name.endswith(".csv")
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
        ]


def test_the_dashboard_the_summary_its_files_and_the_api_agree_to_the_penny(
    db: Session, release: Release, client_as: Callable[..., FlaskClient]
) -> None:
    npv, bcr, per_outcome = figures_of(db, release)

    dashboard = page(
        client_as(Role.EVALUATOR).get(f"/dashboard/value-for-money?framework={release.framework.code}")
    )
    shown = {each["data-figure"]: each.get_text(strip=True) for each in dashboard.select("[data-figure]")}
    assert (shown["all:net_present_value"], shown["all:benefit_cost_ratio"]) == (npv, bcr)
    assert shown["all:cost_per_outcome"] == per_outcome

    key_points = release.content["summary"]["executive"]["key_points"]
    assert any(npv in point and bcr in point for point in key_points)
    assert not any("Cost per person reached ranged" in point for point in key_points)

    official = client_as(Role.NATIONAL_OFFICIAL)
    summary = page(official.get(f"/releases/{release.reference}")).get_text(" ", strip=True)
    pdf = PdfReader(io.BytesIO(official.get(f"/releases/{release.reference}/summary.pdf").data))
    pdf_text = " ".join(page_.extract_text() for page_ in pdf.pages)
    word = docx.Document(io.BytesIO(official.get(f"/releases/{release.reference}/summary.docx").data))
    word_cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    for text in (summary, pdf_text, " ".join(word_cells)):
        assert npv in text and bcr in text and per_outcome in text

    for file_format in ("xlsx", "zip"):
        rows = pack_cells(
            official.get(f"/releases/{release.reference}/data-pack.{file_format}").data, file_format
        )
        central = {row[2]: row[3] for row in rows if len(row) > 3 and row[0] == "All sites"}
        assert central["net_present_value"] == npv, file_format
        assert central["benefit_cost_ratio"] == bcr, file_format
        assert central["cost_per_outcome"] == per_outcome, file_format
        # The data dictionary defines each figure with its formula, and lists the parameters.
        dictionary = {row[1]: row for row in rows if row and row[0] == "Value-for-money figure"}
        assert (
            "present value of benefits − present value of costs" in dictionary["net_present_value"][4].lower()
        )
        assert any(row and row[0] == "Value-for-money parameter" and "Discount" in row[2] for row in rows)

    user = make_user(db, Role.NATIONAL_OFFICIAL)
    with transaction(db):
        secret = api_tokens.create_token(db, user=user, name="official token", days=30).secret
    body = official.get(
        f"/api/v1/releases/{release.reference}", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    figures = {
        figure["key"]: figure["display"]
        for figure in body["value_for_money"]["appraisal"]["programme"]["figures"]
    }
    assert (figures["net_present_value"], figures["benefit_cost_ratio"]) == (npv, bcr)
    assert figures["cost_per_outcome"] == per_outcome


def test_the_summary_lists_each_figures_workings_and_never_prints_a_missing_return_as_zero(
    db: Session, release: Release, client_as: Callable[..., FlaskClient]
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    text = page(official.get(f"/releases/{release.reference}")).get_text(" ", strip=True)

    assert "Workings of the figures for all sites" in text
    assert "Formula" in text and "Parameters and their sources" in text
    assert "Switching values" in text and "Low, central and high estimates, all sites" in text
    # The demo's area sizes list gives a roll-out projection scaled by size, with its assumptions.
    assert "Roll-out over 5 years, scaled by working-age population (16 to 64)" in text
    assert "Manchester" in text and "Assumptions of the roll-out projection" in text
    dashboard = page(
        client_as(Role.EVALUATOR).get(f"/dashboard/value-for-money?framework={release.framework.code}")
    ).get_text(" ", strip=True)
    assert "Roll-out projection, central estimate: all areas" in dashboard


def test_figures_built_on_a_withheld_count_of_outcomes_are_withheld_everywhere(
    db: Session, tmp_path: Path, client_as: Callable[..., FlaskClient]
) -> None:
    # At the demo's threshold of 10 every site has a quarter of job entries (the final outcome, valued
    # as benefits) shown as [c]: its benefits, and so its net present value, would give the count away.
    release = published_release(db, tmp_path)
    npv, _, per_outcome = figures_of(db, release)
    summary = release.content["summary"]
    value = summary["value_for_money"]
    for scope in [value["appraisal"]["programme"], *value["appraisal"]["sites"]]:
        shown = {figure["key"]: figure["display"] for figure in scope["figures"]}
        for key in ("net_present_value", "benefit_cost_ratio", "cost_per_outcome", "cost_per_person_reached"):
            assert shown[key] == "[c]", (scope["name"], key)
        assert scope["benefits"] is None
        assert shown["present_value_costs"].startswith("£")
    assert all(row["benefits"]["display"] == "[c]" for row in value["switching"])
    total = value["projection"]["total"]["central"]
    assert total["net_present_value"]["display"] == "[c]" and total["present_value_costs"][
        "display"
    ].startswith("£")
    assert any("withheld ([c])" in point for point in summary["executive"]["key_points"])

    official = client_as(Role.NATIONAL_OFFICIAL)
    text = page(official.get(f"/releases/{release.reference}")).get_text(" ", strip=True)
    pdf = PdfReader(io.BytesIO(official.get(f"/releases/{release.reference}/summary.pdf").data))
    pdf_text = " ".join(page_.extract_text() for page_ in pdf.pages)
    rows = pack_cells(official.get(f"/releases/{release.reference}/data-pack.xlsx").data, "xlsx")
    pack = " ".join(" ".join(row) for row in rows)
    for output in (text, pdf_text, pack):
        assert npv not in output and per_outcome not in output
