"""A release's impact section: built from the same estimates as the Impact view, printed in the learning
summary (PDF and Word) and the data pack, and saying "impact" only where an estimate rated at or above the
framework's minimum supports it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
from pypdf import PdfReader
from sqlalchemy import delete
from sqlalchemy.orm import Session

from evidence_hub.demo_evidence import ensure_demo_impact
from evidence_hub.models import ImpactRating
from evidence_hub.services.impact import site_estimates
from evidence_hub.services.impact.estimates import (
    CHANGE_FROM_BASELINE_LABEL,
    EFFECT_LABEL,
    NEUTRAL_ESTIMATE_LABEL,
)
from evidence_hub.services.releases import reading
from evidence_hub.services.releases.impact_section import IMPACT_TABLE_CODE
from evidence_hub.services.releases.render.docx import summary_docx
from evidence_hub.services.releases.render.pdf import summary_pdf
from tests.release_helpers import demo_world, publish


def _pdf_text(summary: dict[str, Any]) -> str:
    content = summary_pdf(summary)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_release_says_impact_where_rated_estimates_support_it(db: Session, tmp_path: Path) -> None:
    framework = demo_world(db, tmp_path)
    assert ensure_demo_impact(db, framework)
    release = publish(db, framework)
    summary = reading.summary_of(release)
    section = summary["impact"]

    # The same figures as the Impact view.
    overview = site_estimates.overview_for_sites(db, framework, list(framework.programme.sites))
    assert overview is not None
    assert [site["estimate"] for site in section["sites"]] == [
        f"{each.estimate.estimate:.2f}" for each in overview.sites
    ]
    assert all(site["label"] == EFFECT_LABEL and site["causal"] for site in section["sites"])
    assert section["pooled"]["is_pooled"]
    assert any("difference-in-differences estimate" in point for point in summary["executive"]["key_points"])

    text = _pdf_text(summary)
    assert "Impact against comparison areas" in text
    assert "estimated effect of the pilot" in text
    assert "prediction interval" in text
    # The before-and-after findings say what they are.
    assert "not an estimate of impact" in text

    word = docx.Document(io.BytesIO(summary_docx(summary)))
    word_text = "\n".join(paragraph.text for paragraph in word.paragraphs)
    assert "estimated effect of the pilot" in word_text

    source = reading.release_pack_source(db, release)
    impact_table = next(table for table in source.tables if table.code == IMPACT_TABLE_CODE)
    rows = list(source.rows(IMPACT_TABLE_CODE))
    assert impact_table.row_count == len(rows) == 5  # three sites, pooled, a new area


def test_without_the_evaluators_rating_no_figure_is_called_an_effect(db: Session, tmp_path: Path) -> None:
    framework = demo_world(db, tmp_path)
    assert ensure_demo_impact(db, framework)
    db.execute(delete(ImpactRating))
    db.commit()
    summary = reading.summary_of(publish(db, framework))
    assert {site["label"] for site in summary["impact"]["sites"]} == {NEUTRAL_ESTIMATE_LABEL}
    assert not any(site["causal"] for site in summary["impact"]["sites"])
    impact_part = _pdf_text(summary).split("Impact against comparison areas")[-1].split("Value for money")[0]
    assert "estimated effect" not in impact_part
    assert "pooled estimated effect" not in impact_part


def test_without_comparison_areas_every_figure_is_change_from_baseline(db: Session, tmp_path: Path) -> None:
    framework = demo_world(db, tmp_path)
    summary = reading.summary_of(publish(db, framework))
    for site in summary["impact"]["sites"]:
        assert not site["is_estimate"]
        assert site["label"] == CHANGE_FROM_BASELINE_LABEL
    assert not summary["impact"]["pooled"]["is_pooled"]
