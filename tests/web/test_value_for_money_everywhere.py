"""One definition per figure: the dashboard, the release's summary page, its PDF and DOCX, and the API show
the same Green Book figures, to the penny, for the same approved returns, except that a release withholds
([c]) every figure built on counts it does not show exactly.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest
from flask.testing import FlaskClient
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
from tests.release_helpers import evaluator, published_release


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return published_release(db, tmp_path)


def figures_of(db: Session, release: Release) -> tuple[str, str, str]:
    """The programme's net present value, benefit–cost ratio and present value of costs worked out here,
    from the evidence the release covers, straight through the appraisal (no page, no file)."""
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
    return (
        programme.net_present_value.display,
        programme.benefit_cost_ratio.display,
        programme.present_value_costs.display,
    )


def test_the_dashboard_the_summary_its_files_and_the_api_agree_to_the_penny(
    db: Session, release: Release, client_as: Callable[..., FlaskClient]
) -> None:
    npv, bcr, costs = figures_of(db, release)

    dashboard = page(
        client_as(Role.EVALUATOR).get(f"/dashboard/value-for-money?framework={release.framework.code}")
    )
    shown = {each["data-figure"]: each.get_text(strip=True) for each in dashboard.select("[data-figure]")}
    assert (shown["all:net_present_value"], shown["all:benefit_cost_ratio"]) == (npv, bcr)

    # The demo release shows some job entries as [c]: the benefits are job entries × unit values, so every
    # figure built on them is withheld for all sites together, in every output; the costs are money and
    # agree to the penny.
    assert release.content["audit"]["suppressed"] > 0
    key_points = release.content["summary"]["executive"]["key_points"]
    assert any("net present value was [c] and the benefit–cost ratio [c]" in point for point in key_points)
    assert not any(npv in point for point in key_points)
    assert not any("Cost per person reached ranged" in point for point in key_points)

    official = client_as(Role.NATIONAL_OFFICIAL)
    summary = page(official.get(f"/releases/{release.reference}")).get_text(" ", strip=True)
    pdf = PdfReader(io.BytesIO(official.get(f"/releases/{release.reference}/summary.pdf").data))
    pdf_text = " ".join(page_.extract_text() for page_ in pdf.pages)
    word = docx.Document(io.BytesIO(official.get(f"/releases/{release.reference}/summary.docx").data))
    word_cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    for text in (summary, pdf_text, " ".join(word_cells)):
        assert costs in text and npv not in text

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
    assert (figures["net_present_value"], figures["benefit_cost_ratio"]) == ("[c]", "[c]")
    assert figures["present_value_costs"] == costs


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
