"""Each demo site's impact estimate from the comparison areas and synthetic series the demo ships, what
it may be called, and the pooled estimate across the three sites."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.demo_evidence import ensure_demo_impact
from evidence_hub.models import ComparisonSeriesValue, Framework, Programme, ProgrammeSite, Site, User
from evidence_hub.services.impact import comparisons, site_estimates
from evidence_hub.services.impact.estimates import CHANGE_FROM_BASELINE_LABEL, EFFECT_LABEL
from evidence_hub.services.impact.synthetic_series import (
    DEMO_SITE_SERIES,
    SYNTHETIC_INDICATOR,
    SYNTHETIC_SOURCE,
)
from tests.release_helpers import demo_world


@pytest.fixture
def world(db: Session, tmp_path: Path) -> Framework:
    framework = demo_world(db, tmp_path)
    assert ensure_demo_impact(db, framework)
    return framework


def _sites(db: Session) -> list[Site]:
    """The worklessness programme's sites (the demo's other programme has sites of its own)."""
    programme_sites = select(ProgrammeSite.site_id).join(Programme).where(Programme.code == "worklessness")
    return list(db.scalars(select(Site).where(Site.id.in_(programme_sites)).order_by(Site.name)))


def test_each_demo_site_recovers_its_true_effect_within_its_interval(db: Session, world: Framework) -> None:
    overview = site_estimates.overview_for_sites(db, world, _sites(db), SYNTHETIC_INDICATOR)
    assert overview is not None
    true_effects = {series.site_code: series.true_effect for series in DEMO_SITE_SERIES}
    assert {each.site.code for each in overview.sites} == set(true_effects)
    for each in overview.sites:
        assert each.is_estimate
        assert each.estimate.ci_low < true_effects[each.site.code] < each.estimate.ci_high
        assert each.estimate.pre_trend.passed
        assert each.rated_level == 3
        assert each.causal_words and each.label == EFFECT_LABEL
        assert len(each.comparison_areas) == 3
        assert {item.source for item in each.provenance} == {SYNTHETIC_SOURCE}
        assert each.first_pilot_quarter == "2009-Q2"
    assert overview.pooled.is_pooled
    assert overview.pooled.prediction_low < overview.pooled.estimate < overview.pooled.prediction_high


def test_running_the_demo_again_changes_nothing(db: Session, world: Framework) -> None:
    figures = len(db.scalars(select(ComparisonSeriesValue)).all())
    assert not ensure_demo_impact(db, world)
    assert len(db.scalars(select(ComparisonSeriesValue)).all()) == figures == 16 * 12


def test_a_site_without_comparison_areas_shows_change_from_baseline(db: Session, world: Framework) -> None:
    kent = db.scalars(select(Site).where(Site.code == "kent")).one()
    version = comparisons.impact_version(world)
    assert version is not None
    evaluator = db.scalars(select(User).where(User.email.startswith("evaluator@"))).one()
    for area in comparisons.areas_of(db, version, [kent]):
        if area.role == "comparison":
            comparisons.remove_area(db, evaluator, area)
    db.commit()
    overview = site_estimates.overview_for_sites(db, world, _sites(db), SYNTHETIC_INDICATOR)
    assert overview is not None
    kent_impact = next(each for each in overview.sites if each.site.code == "kent")
    assert not kent_impact.is_estimate
    assert kent_impact.label == CHANGE_FROM_BASELINE_LABEL
    assert not kent_impact.causal_words
    assert kent_impact.estimate.before_and_after is not None
    # Two sites left: not pooled, and it says so.
    assert not overview.pooled.is_pooled
    assert "at least 3" in (overview.pooled.not_pooled_reason or "")


def test_a_window_of_pilot_quarters_compares_the_baseline_with_those_quarters_only(
    db: Session, world: Framework
) -> None:
    whole = site_estimates.overview_for_sites(db, world, _sites(db), SYNTHETIC_INDICATOR)
    assert whole is not None
    last_two = list(comparisons.pilot_quarters(world)[-2:])
    window = site_estimates.overview_for_sites(
        db, world, _sites(db), SYNTHETIC_INDICATOR, chosen_quarters=last_two
    )
    assert window is not None
    assert window.pilot_window == tuple(last_two)
    assert window.window_text == f"{last_two[0]} to {last_two[1]}"
    for narrowed, full in zip(window.sites, whole.sites, strict=True):
        assert narrowed.estimate.post_periods == tuple(last_two)
        assert narrowed.estimate.pre_periods == full.estimate.pre_periods
        # The pilot's start stays where it was, for the chart's mark.
        assert narrowed.first_pilot_quarter == full.first_pilot_quarter
    # Fewer quarters after the pilot began: a wider interval for the pooled estimate.
    assert (window.pooled.ci_high - window.pooled.ci_low) > (whole.pooled.ci_high - whole.pooled.ci_low)
