"""Difference-in-differences estimates: golden panels with a known effect, the pre-trend check, and
inputs that cannot give an estimate (a reason, never an exception or NaN)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal

import pytest

from evidence_hub.services.impact.estimates import (
    CHANGE_FROM_BASELINE_LABEL,
    METHOD_NAME,
    MIN_PRE_PERIODS,
    AreaSeries,
    ImpactEstimate,
    Panel,
    PreTrendOutcome,
    before_and_after,
    causal_words_allowed,
    change_from_baseline,
    estimate_impact,
    figure_label,
)
from evidence_hub.services.impact.quarters import quarters_before, quarters_from

PILOT_START = "2009-Q2"


def quarters(pre: int, post: int) -> list[str]:
    return [*quarters_before(PILOT_START, pre), *quarters_from(PILOT_START, post)]


def panel(
    *,
    pre: int = 8,
    post: int = 8,
    effect: float = 2.0,
    comparisons: int = 3,
    noise: float = 0.5,
    site_trend: float = 0.0,
    seed: int = 1,
) -> Panel:
    """A site and its comparison areas sharing a recovery trend (0.3 a quarter) around their own levels;
    the site gains `effect` from the pilot's start and may drift by `site_trend` a quarter."""
    generator = random.Random(seed)
    periods = quarters(pre, post)

    def series(code: str, level: float, *, site: bool) -> AreaSeries:
        values = {}
        for index, period in enumerate(periods):
            value = level + 0.3 * index + generator.gauss(0, noise)
            if site:
                value += site_trend * index + (effect if index >= pre else 0.0)
            values[period] = Decimal(f"{value:.3f}")
        return AreaSeries(code, code.title(), values)

    return Panel(
        indicator_code="WL-JOB-ENTRY-RATE",
        periods=periods,
        first_pilot_period=PILOT_START,
        site=series("kent", 18.0, site=True),
        comparisons=[series(f"area {number}", 16.0 + number, site=False) for number in range(comparisons)],
    )


def assert_no_nan(estimate: ImpactEstimate) -> None:
    for item in fields(estimate):
        value = getattr(estimate, item.name)
        if isinstance(value, float):
            assert math.isfinite(value), item.name


# Golden panels ---------------------------------------------------------------------------------------------


def test_a_known_effect_is_recovered_within_its_interval_and_the_figure_shows_what_it_rests_on() -> None:
    result = estimate_impact(panel(effect=2.0))

    assert result.is_estimate
    assert result.ci_low is not None and result.ci_high is not None and result.estimate is not None
    assert result.ci_low < 2.0 < result.ci_high
    assert result.estimate == pytest.approx(2.0, abs=0.6)
    assert result.method == METHOD_NAME
    assert result.confidence_level == 0.95
    assert (result.n_areas, result.n_pre_periods, result.n_post_periods) == (4, 8, 8)
    assert result.comparison_area_names == ("Area 0", "Area 1", "Area 2")
    assert result.degrees_of_freedom == 14
    assert result.standard_error is not None and result.standard_error > 0
    assert result.p_value is not None and result.p_value < 0.05
    assert result.pre_trend.outcome is PreTrendOutcome.PASSED
    assert result.qualifies_for_maryland_3
    assert result.not_estimated_reason is None
    assert result.caveats, "every estimate states its limitations"


def test_the_estimate_is_the_site_change_less_the_comparison_areas_change() -> None:
    data = panel(seed=7)
    before, after = data.periods[:8], data.periods[8:]

    def mean(area: AreaSeries, periods: Sequence[str]) -> float:
        return sum(float(area.values[period] or 0) for period in periods) / len(periods)

    def comparison_mean(periods: Sequence[str]) -> float:
        return sum(mean(area, periods) for area in data.comparisons) / len(data.comparisons)

    result = estimate_impact(data)

    site_change = mean(data.site, after) - mean(data.site, before)
    comparison_change = comparison_mean(after) - comparison_mean(before)
    assert result.estimate == pytest.approx(site_change - comparison_change, abs=1e-9)
    assert result.site_before == pytest.approx(mean(data.site, before))
    assert result.site_after == pytest.approx(mean(data.site, after))
    assert result.comparison_before == pytest.approx(comparison_mean(before))
    assert result.comparison_after == pytest.approx(comparison_mean(after))


def test_the_95_percent_interval_covers_the_true_effect_about_95_times_in_100() -> None:
    covered = 0
    runs = 60
    for seed in range(runs):
        result = estimate_impact(panel(effect=1.0, comparisons=2, pre=6, post=6, seed=seed))
        assert result.ci_low is not None and result.ci_high is not None
        covered += result.ci_low <= 1.0 <= result.ci_high
    assert 0.85 <= covered / runs <= 1.0


def test_no_effect_gives_an_interval_around_zero() -> None:
    result = estimate_impact(panel(effect=0.0, seed=3))

    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0 < result.ci_high


# The pre-trend check ---------------------------------------------------------------------------------------


def test_a_site_already_pulling_away_before_the_pilot_fails_the_pre_trend_check() -> None:
    result = estimate_impact(panel(effect=0.0, site_trend=0.5, noise=0.3, seed=2))

    check = result.pre_trend
    assert check.outcome is PreTrendOutcome.FAILED
    assert not check.passed
    assert check.placebo_start == "2008-Q2"
    assert check.estimate is not None and check.estimate > 1
    assert check.p_value is not None and check.p_value < 0.10
    assert check.ci_low is not None and check.ci_low > 0
    assert not result.qualifies_for_maryland_3
    assert any(
        "already moving apart from its comparison areas before the pilot began" in w for w in result.warnings
    )


def test_fewer_than_four_quarters_before_the_pilot_give_a_warning_instead_of_a_pass() -> None:
    result = estimate_impact(panel(pre=3, post=8, seed=4))

    assert result.is_estimate
    assert result.pre_trend.outcome is PreTrendOutcome.TOO_FEW_PRE_PERIODS
    assert result.pre_trend.estimate is not None, "the placebo still runs on three quarters"
    assert not result.qualifies_for_maryland_3
    assert (
        "Only 3 quarters before the pilot: at least 4 are needed to check that Kent and its comparison "
        "areas moved together beforehand, so the estimate cannot be rated above Maryland level 2."
    ) in result.warnings


def test_one_quarter_before_the_pilot_still_gives_an_estimate_but_no_pre_trend_check() -> None:
    result = estimate_impact(panel(pre=1, post=4, seed=5))

    assert result.is_estimate
    assert result.pre_trend.outcome is PreTrendOutcome.TOO_FEW_PRE_PERIODS
    assert result.pre_trend.estimate is None
    assert any(w.startswith("Only 1 quarter before the pilot") for w in result.warnings)


def test_four_parallel_quarters_before_the_pilot_are_enough_to_pass() -> None:
    result = estimate_impact(panel(pre=MIN_PRE_PERIODS, post=4, seed=6))

    assert result.pre_trend.outcome is PreTrendOutcome.PASSED
    assert result.pre_trend.placebo_start == "2008-Q4"
    assert result.qualifies_for_maryland_3


def test_a_pre_trend_that_fails_on_few_quarters_is_reported_as_failed() -> None:
    periods = quarters(3, 4)
    # Kent jumps three points clear of its comparison area a year before the pilot.
    site = [10.0, 13.02, 14.01, 17.5, 18.4, 19.6, 20.5]
    comparison = [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0]
    result = estimate_impact(
        Panel(
            "X",
            periods,
            PILOT_START,
            AreaSeries("kent", "Kent", dict(zip(periods, site, strict=True))),
            [AreaSeries("a", "A", dict(zip(periods, comparison, strict=True)))],
        )
    )

    assert result.pre_trend.outcome is PreTrendOutcome.FAILED
    assert not result.qualifies_for_maryland_3


def test_exactly_parallel_quarters_before_the_pilot_pass() -> None:
    periods = quarters(4, 4)
    site = [10, 11, 12, 13, 16.1, 16.9, 18.2, 18.8]
    comparison = [8, 9, 10, 11, 12, 13, 14, 15]
    result = estimate_impact(
        Panel(
            "X",
            periods,
            PILOT_START,
            AreaSeries("kent", "Kent", dict(zip(periods, site, strict=True))),
            [AreaSeries("a", "A", dict(zip(periods, comparison, strict=True)))],
        )
    )

    assert result.estimate == pytest.approx(2.0)
    assert result.pre_trend.outcome is PreTrendOutcome.PASSED
    assert result.pre_trend.estimate == 0.0
    assert (
        result.pre_trend.message == "Before the pilot, Kent and its comparison areas moved exactly together."
    )


# Warnings --------------------------------------------------------------------------------------------------


def test_a_single_comparison_area_is_named_in_a_warning() -> None:
    result = estimate_impact(panel(comparisons=1))

    assert result.is_estimate
    assert "There is only one comparison area (Area 0): the estimate rests on how alike it and Kent are." in (
        result.warnings
    )


def test_figures_on_very_different_scales_are_warned_about() -> None:
    base = panel(seed=9)
    big_site = AreaSeries("kent", "Kent", {p: v * 10 for p, v in base.site.values.items() if v is not None})
    result = estimate_impact(Panel("X", base.periods, PILOT_START, big_site, base.comparisons))

    assert any("very different scale" in warning for warning in result.warnings)


def test_a_gap_that_drifts_from_quarter_to_quarter_is_warned_about() -> None:
    periods = quarters(8, 8)
    generator = random.Random(11)
    walk, values = 0.0, {}
    for period in periods:
        walk += generator.gauss(0, 1)
        values[period] = Decimal(f"{20 + walk:.3f}")
    flat = AreaSeries("a", "A", {p: Decimal(f"{18 + generator.gauss(0, 0.05):.3f}") for p in periods})
    result = estimate_impact(Panel("X", periods, PILOT_START, AreaSeries("kent", "Kent", values), [flat]))

    assert result.is_estimate
    assert any("margin of error is probably too narrow" in warning for warning in result.warnings)


# Inputs that cannot give an estimate ----------------------------------------------------------------------


def test_without_a_comparison_area_only_the_change_from_baseline_is_shown_and_labelled() -> None:
    base = panel()
    result = estimate_impact(Panel("X", base.periods, PILOT_START, base.site, []))

    assert not result.is_estimate
    assert result.not_estimated_reason == (
        "There is no comparison area for Kent: only its change from baseline can be shown, and that is not "
        "an estimate of impact."
    )
    assert result.before_and_after is not None
    assert result.before_and_after.label == CHANGE_FROM_BASELINE_LABEL
    assert result.pre_trend.outcome is PreTrendOutcome.NOT_RUN
    assert not result.qualifies_for_maryland_3
    assert figure_label(result, rated_level=3, minimum_level=2) == CHANGE_FROM_BASELINE_LABEL
    assert_no_nan(result)


def test_without_quarters_before_the_pilot_there_is_nothing_to_compare_with() -> None:
    base = panel(pre=8, post=8)
    result = estimate_impact(Panel("X", base.periods[8:], PILOT_START, base.site, base.comparisons))

    assert not result.is_estimate
    assert result.not_estimated_reason is not None
    assert result.not_estimated_reason == (
        "No quarter before the pilot began (2009-Q2) has figures for Kent and every comparison area, so "
        "there is nothing to compare the change with."
    )
    assert_no_nan(result)


def test_without_figures_after_the_pilot_began_there_is_nothing_to_estimate_yet() -> None:
    base = panel(pre=8, post=4)
    before_only = AreaSeries("kent", "Kent", {p: v for p, v in base.site.values.items() if p < PILOT_START})
    result = estimate_impact(Panel("X", base.periods, PILOT_START, before_only, base.comparisons))

    assert not result.is_estimate
    assert result.not_estimated_reason is not None
    assert "nothing to estimate yet" in result.not_estimated_reason
    assert result.pre_periods == tuple(base.periods[:8])
    assert_no_nan(result)


def test_quarters_with_a_missing_figure_are_left_out_and_named() -> None:
    base = panel()
    gappy = dict(base.comparisons[0].values)
    gappy["2008-Q1"] = None
    del gappy["2010-Q3"]
    comparisons = [AreaSeries("area 0", "Area 0", gappy), *base.comparisons[1:]]
    result = estimate_impact(Panel("X", base.periods, PILOT_START, base.site, comparisons))

    assert result.is_estimate
    assert (result.n_pre_periods, result.n_post_periods) == (7, 7)
    assert (
        "Not every area has a figure for 2008-Q1 and 2010-Q3, so those quarters are left out."
        in result.warnings
    )


def test_not_a_number_counts_as_missing() -> None:
    base = panel()
    values: dict[str, Decimal | float | None] = dict(base.site.values)
    values["2008-Q1"] = math.nan
    result = estimate_impact(
        Panel("X", base.periods, PILOT_START, AreaSeries("kent", "Kent", values), base.comparisons)
    )

    assert result.is_estimate
    assert result.n_pre_periods == 7
    assert_no_nan(result)


def test_a_site_with_no_figures_at_all_gets_a_reason() -> None:
    base = panel()
    result = estimate_impact(
        Panel("X", base.periods, PILOT_START, AreaSeries("kent", "Kent", {}), base.comparisons)
    )

    assert not result.is_estimate
    assert result.not_estimated_reason is not None
    assert result.before_and_after is None
    assert_no_nan(result)


def test_constant_figures_give_a_reason_instead_of_a_zero_margin_of_error() -> None:
    periods = quarters(4, 4)
    constant = {p: Decimal(5) for p in periods}
    result = estimate_impact(
        Panel(
            "X", periods, PILOT_START, AreaSeries("kent", "Kent", constant), [AreaSeries("a", "A", constant)]
        )
    )

    assert not result.is_estimate
    assert result.not_estimated_reason is not None
    assert "does not vary from quarter to quarter" in result.not_estimated_reason
    assert_no_nan(result)


def test_two_quarters_are_too_few_for_a_margin_of_error() -> None:
    base = panel(pre=1, post=1)
    result = estimate_impact(base)

    assert not result.is_estimate
    assert result.not_estimated_reason is not None
    assert "at least three quarters" in result.not_estimated_reason


def test_a_pilot_start_outside_the_quarters_gets_a_reason() -> None:
    base = panel()
    result = estimate_impact(Panel("X", base.periods, "2012-Q1", base.site, base.comparisons))

    assert not result.is_estimate
    assert (
        result.not_estimated_reason
        == "The pilot's first quarter (2012-Q1) is not among the quarters of the series."
    )
    assert result.before_and_after is None


def test_a_quarter_listed_twice_gets_a_reason() -> None:
    base = panel()
    result = estimate_impact(
        Panel("X", [*base.periods, base.periods[0]], PILOT_START, base.site, base.comparisons)
    )

    assert not result.is_estimate
    assert result.not_estimated_reason is not None


# Change from baseline and labels ---------------------------------------------------------------------------


def test_change_from_baseline_is_labelled_as_not_an_estimate_of_impact() -> None:
    change = change_from_baseline(Decimal("12.5"), Decimal("15.0"))

    assert change is not None
    assert change.change == Decimal("2.5")
    assert change.percent_change == Decimal(20)
    assert change.label == "change from baseline, not an estimate of impact"


def test_change_from_a_zero_baseline_has_no_percentage_and_a_missing_figure_has_no_change() -> None:
    change = change_from_baseline(0, Decimal(3))
    assert change is not None and change.percent_change is None
    assert change_from_baseline(None, Decimal(3)) is None
    assert change_from_baseline(Decimal(3), None) is None


def test_before_and_after_compares_the_site_means() -> None:
    periods = quarters(2, 2)
    site = AreaSeries(
        "kent", "Kent", dict(zip(periods, (Decimal(10), Decimal(12), Decimal(15), None), strict=True))
    )
    change = before_and_after(site, periods, PILOT_START)

    assert change is not None
    assert (change.baseline, change.value, change.change) == (Decimal(11), Decimal(15), Decimal(4))


def test_causal_words_need_an_estimate_and_evidence_at_or_above_the_minimum() -> None:
    estimate = estimate_impact(panel())
    no_estimate = estimate_impact(Panel("X", panel().periods, PILOT_START, panel().site, []))

    assert causal_words_allowed(estimate, rated_level=3, minimum_level=2)
    assert causal_words_allowed(estimate, rated_level=2, minimum_level=2)
    assert not causal_words_allowed(estimate, rated_level=1, minimum_level=2)
    assert not causal_words_allowed(estimate, rated_level=None, minimum_level=2)
    assert not causal_words_allowed(no_estimate, rated_level=5, minimum_level=2)
    assert not causal_words_allowed(None, rated_level=5, minimum_level=2)
    assert figure_label(estimate, rated_level=3, minimum_level=2) == "estimated effect of the pilot"
    assert figure_label(estimate, rated_level=1, minimum_level=2) == (
        "difference from comparison areas since the pilot began"
    )
    assert figure_label(None, rated_level=3, minimum_level=2) == CHANGE_FROM_BASELINE_LABEL
