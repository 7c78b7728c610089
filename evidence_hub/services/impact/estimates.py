"""The difference-in-differences estimate of a pilot's effect on one indicator at one site.

The question a roll-out decision asks is what the pilot changed: how the site's figures moved compared
with how they would have moved without it. Comparison areas (local authorities that did not take part)
stand in for that: the estimate is the site's change from before the pilot to after it, less the
comparison areas' change over the same quarters.

How it is computed
    The comparison areas are averaged quarter by quarter, each counting equally, into one comparison
    series. A two-way fixed effects regression (ordinary least squares, statsmodels) of the value on an
    area effect, a quarter effect and an indicator of "the pilot is running in this area this quarter"
    is fitted to the site and that comparison series; the coefficient of the indicator is the estimate,
    identical to the textbook (site after - site before) - (comparison after - comparison before) on a
    balanced panel. The 95% confidence interval uses the regression's conventional standard error and
    the t distribution with (quarters - 2) degrees of freedom.

Why these standard errors
    A realistic panel has one treated area, one to five comparison areas and 8 to 16 quarters. In a
    simulation of such panels (300 to 400 runs each, errors independent from quarter to quarter):
    - standard errors clustered by area are unusable: with one treated cluster they are far too small,
      and 95% intervals covered the true effect 0% to 67% of the time;
    - conventional standard errors on the full panel of every area assume every area is equally noisy
      and independent of the others: with a site twice as noisy as its comparison areas (a county set
      against smaller districts) they covered the truth only 83% to 85% of the time;
    - heteroskedasticity-robust (HC3) errors on the full panel covered it 96% to 99% of the time: wider
      than needed, and they cannot be worked out with a single quarter after the pilot's start;
    - averaging the comparison areas first and using the conventional standard error (this module)
      covered it 93% to 97% of the time in every case. The margin of error is learned from how the gap
      between the site and its comparison areas varies from quarter to quarter, so the site may be
      noisier than its comparison areas and they may share shocks (a regional downturn). With one
      comparison area it is the same as the full panel.

Limitations, stated on every estimate (`caveats`)
    The estimate is only as good as the comparison areas as a picture of the site without the pilot.
    Anything else that changed in the site alone when the pilot began is counted as the pilot's effect.
    The margin of error assumes the gap between the site and its comparison areas moves independently
    from one quarter to the next. Quarterly figures often drift instead (serial correlation), and then
    the interval is too narrow: with a lag-one correlation of 0.5 the same simulation covered the truth
    76% to 86% of the time. No standard error in statsmodels fixes that with one treated area and so
    few quarters (a wild-cluster bootstrap, which is not in statsmodels, fails with one treated cluster
    too); a warning is given when the site's residuals drift visibly (Durbin-Watson below 1).

The pre-trend check
    A placebo difference-in-differences on the quarters before the pilot only, pretending the pilot
    began half way through them. If the site was already pulling away from its comparison areas, the
    placebo finds an "effect" where there was none. The check fails when the placebo's p-value is below
    `PRE_TREND_SIGNIFICANCE` (0.10: looser than the usual 0.05 because the check has little power in
    short series, and a false alarm only withholds Maryland level 3). With fewer than
    `MIN_PRE_PERIODS` quarters before the pilot the check cannot pass: it says so instead (it can still
    fail, when even the few quarters show the site pulling away). Its power is low: in the simulation
    it failed 7% to 13% of parallel panels, but caught a site drifting away by 0.3 of the noise's
    standard deviation a quarter only 12% (4 quarters before the pilot) to 37% (8 quarters) of the
    time. Passing it is not proof that the trends were parallel, and every estimate says so.

Where there is no comparison, only the site's own change is available: `change_from_baseline` and the
`before_and_after` figure carry `CHANGE_FROM_BASELINE_LABEL`, which every page and download prints.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np

from evidence_hub.formatting import listed

CHANGE_FROM_BASELINE_LABEL = "change from baseline, not an estimate of impact"
# What an estimate is called where causal words are allowed, and where they are not.
EFFECT_LABEL = "estimated effect of the pilot"
NEUTRAL_ESTIMATE_LABEL = "difference from comparison areas since the pilot began"
METHOD_NAME = "Difference-in-differences against comparison areas"

CONFIDENCE_LEVEL = 0.95
# Quarters before the pilot that the pre-trend check needs (the method wants 4 to 8).
MIN_PRE_PERIODS = 4
# The placebo p-value below which the pre-trend check fails.
PRE_TREND_SIGNIFICANCE = 0.10
# A Durbin–Watson statistic below this (lag-one correlation of about 0.5 or more) in the site's
# residuals means the quarters drift together and the interval is probably too narrow.
DRIFT_DURBIN_WATSON = 1.0
# Fewer quarters than this say too little about drift to warn on it.
DRIFT_CHECK_MIN_PERIODS = 6
# Site and comparison levels further apart than this factor suggest counts of areas of different sizes.
SCALE_MISMATCH_RATIO = 3.0
# Below this share of the figures' size, a standard error is taken to be zero (an exact fit).
EXACT_FIT_TOLERANCE = 1e-9

Number = Decimal | float | int


@dataclass(frozen=True)
class AreaSeries:
    """One area's values of one indicator, by quarter code; a quarter without a figure is left out or
    None."""

    code: str
    name: str
    values: Mapping[str, Number | None]


@dataclass(frozen=True)
class Panel:
    """A site's series and its comparison areas' series for one indicator, and when the pilot began."""

    indicator_code: str
    # Every quarter to consider, oldest first, before and after the pilot's start.
    periods: Sequence[str]
    first_pilot_period: str
    site: AreaSeries
    comparisons: Sequence[AreaSeries]


class PreTrendOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TOO_FEW_PRE_PERIODS = "too_few_pre_periods"
    NOT_RUN = "not_run"


@dataclass(frozen=True)
class PreTrendCheck:
    """The placebo estimate on the quarters before the pilot, and what it means in plain English."""

    outcome: PreTrendOutcome
    message: str
    pre_periods: int
    # The quarter the placebo pretends the pilot began in.
    placebo_start: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None

    @property
    def passed(self) -> bool:
        return self.outcome is PreTrendOutcome.PASSED


@dataclass(frozen=True)
class ChangeFromBaseline:
    """A before-and-after change: never an estimate of impact, and labelled so wherever it is shown."""

    baseline: Decimal
    value: Decimal
    change: Decimal
    # The change as a percentage of the baseline; None when the baseline is zero.
    percent_change: Decimal | None
    label: str = CHANGE_FROM_BASELINE_LABEL


@dataclass(frozen=True)
class ImpactEstimate:
    """Everything a page needs to show a site's difference-in-differences estimate and what it rests on.

    When no estimate could be made, `estimate` and its companions are None and `not_estimated_reason`
    says why in plain English; `before_and_after` (labelled change from baseline) may still be shown.
    """

    site_code: str
    site_name: str
    indicator_code: str
    comparison_areas: tuple[str, ...]
    comparison_area_names: tuple[str, ...]
    # The quarters the estimate used (quarters without a figure for every area are left out).
    pre_periods: tuple[str, ...]
    post_periods: tuple[str, ...]
    pre_trend: PreTrendCheck
    estimate: float | None = None
    standard_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    degrees_of_freedom: int | None = None
    # The four means the estimate is the difference of: (site after - before) - (comparison after - before).
    site_before: float | None = None
    site_after: float | None = None
    comparison_before: float | None = None
    comparison_after: float | None = None
    warnings: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    not_estimated_reason: str | None = None
    before_and_after: ChangeFromBaseline | None = None
    method: str = METHOD_NAME
    confidence_level: float = CONFIDENCE_LEVEL

    @property
    def is_estimate(self) -> bool:
        return self.estimate is not None

    @property
    def n_areas(self) -> int:
        """The site and its comparison areas."""
        return 1 + len(self.comparison_areas)

    @property
    def n_pre_periods(self) -> int:
        return len(self.pre_periods)

    @property
    def n_post_periods(self) -> int:
        return len(self.post_periods)

    @property
    def qualifies_for_maryland_3(self) -> bool:
        """A difference-in-differences with a passed pre-trend check: Maryland Scientific Methods Scale
        level 3 (comparison of outcomes in treated and comparison groups, before and after)."""
        return self.is_estimate and self.pre_trend.passed


@dataclass(frozen=True)
class _Fit:
    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float
    p_value: float
    degrees_of_freedom: int
    # Of the site's residuals in time order; None with too few quarters to say.
    durbin_watson: float | None


# ---------------------------------------------------------------------------------------------------------


def change_from_baseline(baseline: Number | None, value: Number | None) -> ChangeFromBaseline | None:
    """The value's change from the baseline (None when either is missing), labelled as not an estimate of
    impact."""
    if baseline is None or value is None:
        return None
    start, end = Decimal(baseline), Decimal(value)
    change = end - start
    return ChangeFromBaseline(
        baseline=start,
        value=end,
        change=change,
        percent_change=change * 100 / start if start else None,
    )


def before_and_after(
    site: AreaSeries, periods: Sequence[str], first_pilot_period: str
) -> ChangeFromBaseline | None:
    """The site's mean after the pilot began against its mean before: the only figure there is without a
    comparison, and not an estimate of impact."""
    if first_pilot_period not in periods:
        return None
    start = list(periods).index(first_pilot_period)
    before = _present(site, periods[:start])
    after = _present(site, periods[start:])
    if not before or not after:
        return None
    return change_from_baseline(sum(before, Decimal(0)) / len(before), sum(after, Decimal(0)) / len(after))


def estimate_impact(panel: Panel) -> ImpactEstimate:
    """The difference-in-differences estimate for one site and indicator with its 95% interval, the
    pre-trend check and plain-English warnings; a clear reason instead when it cannot be made."""
    periods = list(panel.periods)
    site = panel.site
    comparison_codes = tuple(area.code for area in panel.comparisons)
    comparison_names = tuple(area.name for area in panel.comparisons)

    def not_estimated(
        reason: str, pre: Sequence[str] = (), post: Sequence[str] = (), warnings: Sequence[str] = ()
    ) -> ImpactEstimate:
        return ImpactEstimate(
            site_code=site.code,
            site_name=site.name,
            indicator_code=panel.indicator_code,
            comparison_areas=comparison_codes,
            comparison_area_names=comparison_names,
            pre_periods=tuple(pre),
            post_periods=tuple(post),
            pre_trend=PreTrendCheck(
                PreTrendOutcome.NOT_RUN, "The pre-trend check was not run: there is no estimate.", len(pre)
            ),
            warnings=tuple(warnings),
            not_estimated_reason=reason,
            before_and_after=before_and_after(site, periods, panel.first_pilot_period),
        )

    if len(set(periods)) != len(periods):
        return not_estimated("The same quarter is listed twice, so the quarters cannot be put in order.")
    if panel.first_pilot_period not in periods:
        return not_estimated(
            f"The pilot's first quarter ({panel.first_pilot_period}) is not among the quarters of the series."
        )
    if not panel.comparisons:
        return not_estimated(
            f"There is no comparison area for {site.name}: only its change from baseline can be shown, and "
            "that is not an estimate of impact."
        )

    complete = [
        period
        for period in periods
        if all(_number(area.values.get(period)) is not None for area in (site, *panel.comparisons))
    ]
    gaps = [period for period in periods if period not in complete]
    warnings = []
    if gaps:
        warnings.append(
            f"Not every area has a figure for {listed(gaps)}, so "
            f"{'that quarter is' if len(gaps) == 1 else 'those quarters are'} left out."
        )
    start = periods.index(panel.first_pilot_period)
    pre = [period for period in complete if periods.index(period) < start]
    post = [period for period in complete if periods.index(period) >= start]
    if not pre:
        return not_estimated(
            f"No quarter before the pilot began ({panel.first_pilot_period}) has figures for {site.name} "
            "and every comparison area, so there is nothing to compare the change with.",
            pre,
            post,
            warnings,
        )
    if not post:
        return not_estimated(
            f"No quarter since the pilot began ({panel.first_pilot_period}) has figures for {site.name} "
            "and every comparison area, so there is nothing to estimate yet.",
            pre,
            post,
            warnings,
        )
    if len(complete) < 3:
        return not_estimated(
            "There is only one quarter before the pilot and one after it: at least three quarters in all "
            "are needed to work out a margin of error.",
            pre,
            post,
            warnings,
        )

    site_values = {period: _float(site.values[period]) for period in complete}
    comparison_values = {
        period: sum(_float(area.values[period]) for area in panel.comparisons) / len(panel.comparisons)
        for period in complete
    }
    fit = _difference_in_differences(site_values, comparison_values, complete, post[0])
    if fit is None:
        return not_estimated(
            f"The gap between {site.name} and its comparison areas does not vary from quarter to quarter "
            "(for example the figures never change), so no margin of error can be worked out.",
            pre,
            post,
            warnings,
        )

    pre_trend = _pre_trend_check(site_values, comparison_values, pre, site.name)
    if pre_trend.outcome is not PreTrendOutcome.PASSED:
        warnings.append(pre_trend.message)
    warnings.extend(_fit_warnings(fit, site_values, comparison_values, pre, panel.comparisons, site.name))

    def mean(values: dict[str, float], quarters: list[str]) -> float:
        return sum(values[period] for period in quarters) / len(quarters)

    return ImpactEstimate(
        site_code=site.code,
        site_name=site.name,
        indicator_code=panel.indicator_code,
        comparison_areas=comparison_codes,
        comparison_area_names=comparison_names,
        pre_periods=tuple(pre),
        post_periods=tuple(post),
        pre_trend=pre_trend,
        estimate=fit.estimate,
        standard_error=fit.standard_error,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        p_value=fit.p_value,
        degrees_of_freedom=fit.degrees_of_freedom,
        site_before=mean(site_values, pre),
        site_after=mean(site_values, post),
        comparison_before=mean(comparison_values, pre),
        comparison_after=mean(comparison_values, post),
        warnings=tuple(warnings),
        caveats=_caveats(site.name, panel.first_pilot_period),
        before_and_after=before_and_after(site, periods, panel.first_pilot_period),
    )


def causal_words_allowed(
    estimate: ImpactEstimate | None, rated_level: int | None, minimum_level: int | None
) -> bool:
    """Whether "impact", "effect" or "caused" may be used of a figure: only with an estimate behind it
    and its evidence rated at or above the framework's minimum (levels on the same scale)."""
    if estimate is None or not estimate.is_estimate or rated_level is None:
        return False
    return minimum_level is None or rated_level >= minimum_level


def figure_label(estimate: ImpactEstimate | None, rated_level: int | None, minimum_level: int | None) -> str:
    """What to call a site's figure wherever it appears: causal words only where `causal_words_allowed`,
    a neutral name for an estimate rated below the minimum, and otherwise a change from baseline."""
    if estimate is None or not estimate.is_estimate:
        return CHANGE_FROM_BASELINE_LABEL
    if causal_words_allowed(estimate, rated_level, minimum_level):
        return EFFECT_LABEL
    return NEUTRAL_ESTIMATE_LABEL


# ---------------------------------------------------------------------------------------------------------


def _number(value: Number | None) -> Decimal | None:
    """The value as a Decimal, or None when it is missing or not a finite number."""
    if value is None:
        return None
    number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    return number if number.is_finite() else None


def _present(area: AreaSeries, periods: Sequence[str]) -> list[Decimal]:
    return [number for period in periods if (number := _number(area.values.get(period))) is not None]


def _float(value: Number | None) -> float:
    return float(value) if value is not None else math.nan


def _difference_in_differences(
    site: dict[str, float], comparison: dict[str, float], periods: list[str], first_post: str
) -> _Fit | None:
    """Two-way fixed effects OLS of the site against the comparison mean; None for an exact fit (no
    margin of error) or too few quarters to estimate one."""
    # Imported here: statsmodels takes a second or two to import, and only the impact pages need it.
    from statsmodels.regression.linear_model import OLS
    from statsmodels.stats.stattools import durbin_watson

    start = periods.index(first_post)
    # The columns of value ~ area + quarter + pilot_running; pilot_running last.
    design = np.array(
        [
            [
                1.0,
                float(area == "site"),
                *(float(period == later) for later in periods[1:]),
                float(area == "site" and index >= start),
            ]
            for area in ("site", "comparison")
            for index, period in enumerate(periods)
        ]
    )
    values = np.array([*(site[period] for period in periods), *(comparison[period] for period in periods)])
    results: Any = OLS(values, design).fit()
    degrees_of_freedom = int(results.df_resid)
    standard_error = float(results.bse[-1])
    size = max(1.0, float(np.abs(values).max()))
    if (
        degrees_of_freedom < 1
        or not math.isfinite(standard_error)
        or standard_error <= EXACT_FIT_TOLERANCE * size
    ):
        return None
    low, high = results.conf_int(alpha=1 - CONFIDENCE_LEVEL)[-1]
    site_residuals = results.resid[: len(periods)]
    return _Fit(
        estimate=float(results.params[-1]),
        standard_error=standard_error,
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(results.pvalues[-1]),
        degrees_of_freedom=degrees_of_freedom,
        durbin_watson=float(durbin_watson(site_residuals))
        if len(periods) >= DRIFT_CHECK_MIN_PERIODS
        else None,
    )


def _pre_trend_check(
    site: dict[str, float], comparison: dict[str, float], pre: list[str], site_name: str
) -> PreTrendCheck:
    too_few = (
        f"Only {len(pre)} quarter{'' if len(pre) == 1 else 's'} before the pilot: at least "
        f"{MIN_PRE_PERIODS} are needed to check that {site_name} and its comparison areas moved together "
        "beforehand, so the estimate cannot be rated above Maryland level 2."
    )
    # The placebo needs a quarter or more on each side of its pretend start and a residual to spare.
    if len(pre) < 3:
        return PreTrendCheck(PreTrendOutcome.TOO_FEW_PRE_PERIODS, too_few, len(pre))
    placebo_start = pre[len(pre) // 2]
    placebo = _difference_in_differences(site, comparison, pre, placebo_start)
    if placebo is None:
        # The gap before the pilot is exactly steady or exactly steps: the lines are parallel or not.
        gap = [site[period] - comparison[period] for period in pre]
        size = max(1.0, *(abs(value) for value in (*site.values(), *comparison.values())))
        steady = max(gap) - min(gap) <= EXACT_FIT_TOLERANCE * size
        if steady and len(pre) >= MIN_PRE_PERIODS:
            return PreTrendCheck(
                PreTrendOutcome.PASSED,
                f"Before the pilot, {site_name} and its comparison areas moved exactly together.",
                len(pre),
                placebo_start,
                estimate=0.0,
            )
        if steady:
            return PreTrendCheck(PreTrendOutcome.TOO_FEW_PRE_PERIODS, too_few, len(pre), placebo_start)
        return PreTrendCheck(
            PreTrendOutcome.FAILED,
            _failed_message(site_name, placebo_start, None, None),
            len(pre),
            placebo_start,
        )
    measured = PreTrendCheck(
        PreTrendOutcome.PASSED,
        f"Before the pilot, {site_name} and its comparison areas moved together: a pretend start in "
        f"{placebo_start} finds no clear difference (placebo estimate {placebo.estimate:.2f}, "
        f"p = {placebo.p_value:.2f}).",
        len(pre),
        placebo_start,
        estimate=placebo.estimate,
        ci_low=placebo.ci_low,
        ci_high=placebo.ci_high,
        p_value=placebo.p_value,
    )
    if placebo.p_value < PRE_TREND_SIGNIFICANCE:
        return replace(
            measured,
            outcome=PreTrendOutcome.FAILED,
            message=_failed_message(site_name, placebo_start, placebo.estimate, placebo.p_value),
        )
    if len(pre) < MIN_PRE_PERIODS:
        return replace(measured, outcome=PreTrendOutcome.TOO_FEW_PRE_PERIODS, message=too_few)
    return measured


def _failed_message(site_name: str, placebo_start: str, estimate: float | None, p_value: float | None) -> str:
    figures = (
        f" (placebo estimate {estimate:.2f}, p = {p_value:.2f})"
        if estimate is not None and p_value is not None
        else ""
    )
    return (
        f"{site_name} was already moving apart from its comparison areas before the pilot began: pretending "
        f"the pilot started in {placebo_start} finds a difference{figures}. The estimate may reflect that "
        "earlier difference rather than the pilot."
    )


def _fit_warnings(
    fit: _Fit,
    site: dict[str, float],
    comparison: dict[str, float],
    pre: list[str],
    comparisons: Sequence[AreaSeries],
    site_name: str,
) -> list[str]:
    warnings = []
    if len(comparisons) == 1:
        warnings.append(
            f"There is only one comparison area ({comparisons[0].name}): the estimate rests on how alike it "
            f"and {site_name} are."
        )
    site_level = sum(site[period] for period in pre) / len(pre)
    comparison_level = sum(comparison[period] for period in pre) / len(pre)
    if (
        site_level > 0
        and comparison_level > 0
        and (max(site_level, comparison_level) / min(site_level, comparison_level) > SCALE_MISMATCH_RATIO)
    ):
        warnings.append(
            f"Before the pilot, {site_name}'s figures were on a very different scale from its comparison "
            "areas': compare rates or figures per head rather than counts for areas of different sizes."
        )
    if fit.durbin_watson is not None and fit.durbin_watson < DRIFT_DURBIN_WATSON:
        warnings.append(
            f"The gap between {site_name} and its comparison areas drifts from one quarter to the next "
            "rather than moving independently, so the margin of error is probably too narrow."
        )
    return warnings


def _caveats(site_name: str, first_pilot_period: str) -> tuple[str, ...]:
    return (
        f"The comparison areas, each counting equally, stand for what would have happened in {site_name} "
        "without the pilot: the estimate is only as good as that comparison.",
        f"Anything else that changed in {site_name} but not in its comparison areas from "
        f"{first_pilot_period} onwards (another programme, a large employer opening or closing) is counted "
        "as part of the pilot's effect.",
        "The margin of error assumes the gap between the site and its comparison areas moves independently "
        "from one quarter to the next. Where it drifts instead, the true margin of error is wider.",
        "The check that the site and its comparison areas moved together before the pilot has little power "
        "with few quarters: passing it does not prove that they did.",
    )
