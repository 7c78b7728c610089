"""Pooling the sites' estimates: a random-effects meta-analysis, for the roll-out decision.

A roll-out decision needs more than each site's estimate: what the pilot would do, on average, in areas
like the pilot sites, and what it might do in the next area. The sites are not copies of one another
(different labour markets, partners and data), so their true effects are allowed to differ: a
random-effects meta-analysis (DerSimonian and Laird 1986) pools the estimates, weighting each by the
inverse of its variance plus the between-site variance tau², and reports:

- the pooled effect and its 95% confidence interval (normal, as DerSimonian and Laird give it);
- tau², the between-site variance, and I², the share of the spread between sites' estimates that is
  more than chance would give;
- the 95% prediction interval for the effect in a new area (Higgins, Thompson and Spiegelhalter 2009):
  pooled effect ± t(k - 2 degrees of freedom) × √(tau² + SE²). That is the range a roll-out should plan
  for, and it is wide with few sites, as it should be.

statsmodels' `combine_effects` does the meta-analysis; scipy gives the t quantile. Its DerSimonian-Laird
tau² is not truncated at zero: where the sites agree more closely than chance would give (Q < k - 1) the
estimate of tau² is zero by definition, and the random-effects results are then the fixed-effect ones,
which `combine_effects` also returns. With fewer than `MIN_SITES` sites nothing is pooled: the result
says so instead of giving a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evidence_hub.formatting import listed
from evidence_hub.services.impact.estimates import CONFIDENCE_LEVEL, ImpactEstimate

POOLING_METHOD = "Random-effects meta-analysis (DerSimonian and Laird)"
# Fewer sites than this say too little about how the effect varies between areas to pool them (and the
# prediction interval needs k - 2 ≥ 1 degrees of freedom).
MIN_SITES = 3
# An I² at or above this (Higgins et al. 2003: "substantial") gets a warning that the sites disagree.
SUBSTANTIAL_I_SQUARED = 0.5


@dataclass(frozen=True)
class SiteEffect:
    """One site's estimate, as pooling needs it."""

    site_code: str
    site_name: str
    estimate: float
    standard_error: float
    pre_trend_passed: bool = True


@dataclass(frozen=True)
class LeftOut:
    """A site not pooled, and why."""

    site_code: str
    site_name: str
    reason: str


@dataclass(frozen=True)
class PooledEstimate:
    """The pooled effect across sites and everything it rests on; `not_pooled_reason` instead of numbers
    when there are too few sites."""

    sites: tuple[SiteEffect, ...]
    left_out: tuple[LeftOut, ...] = ()
    estimate: float | None = None
    standard_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    # Between-site variance (in the indicator's unit, squared) and its square root, the between-site
    # standard deviation, which is easier to read.
    tau_squared: float | None = None
    # The share (0 to 1) of the variation between sites' estimates beyond what chance would give.
    i_squared: float | None = None
    # Cochran's Q and its p-value: the test that every site has the same true effect.
    q: float | None = None
    q_p_value: float | None = None
    prediction_low: float | None = None
    prediction_high: float | None = None
    # Each pooled site's share of the weight, in the order of `sites`, adding up to 1.
    weights: tuple[float, ...] = ()
    warnings: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    not_pooled_reason: str | None = None
    method: str = POOLING_METHOD
    confidence_level: float = CONFIDENCE_LEVEL

    @property
    def is_pooled(self) -> bool:
        return self.estimate is not None

    @property
    def tau(self) -> float | None:
        return math.sqrt(self.tau_squared) if self.tau_squared is not None else None


def pool_estimates(estimates: Sequence[ImpactEstimate]) -> PooledEstimate:
    """Pool the sites' difference-in-differences estimates for one indicator; sites without an estimate
    are left out, with their reason."""
    effects: list[SiteEffect] = []
    left_out: list[LeftOut] = []
    for site in estimates:
        if site.estimate is None or site.standard_error is None:
            reason = site.not_estimated_reason or "There is no estimate for this site."
            left_out.append(LeftOut(site.site_code, site.site_name, reason))
            continue
        effects.append(
            SiteEffect(
                site.site_code, site.site_name, site.estimate, site.standard_error, site.pre_trend.passed
            )
        )
    return pool_effects(effects, left_out)


def pool_effects(effects: Sequence[SiteEffect], left_out: Sequence[LeftOut] = ()) -> PooledEstimate:
    """The random-effects (DerSimonian-Laird) pooled effect of the sites' estimates, with its confidence
    interval, tau², I² and the prediction interval for a new area."""
    usable = []
    left = list(left_out)
    for effect in effects:
        if (
            math.isfinite(effect.estimate)
            and math.isfinite(effect.standard_error)
            and effect.standard_error > 0
        ):
            usable.append(effect)
        else:
            left.append(
                LeftOut(
                    effect.site_code,
                    effect.site_name,
                    "The estimate has no usable margin of error, so it cannot be weighted.",
                )
            )
    if len(usable) < MIN_SITES:
        return PooledEstimate(
            sites=tuple(usable),
            left_out=tuple(left),
            not_pooled_reason=_too_few_sites(usable),
        )

    # Imported here: statsmodels and scipy take a second or two to import, and only the impact pages
    # need them.
    from scipy import stats
    from statsmodels.stats.meta_analysis import combine_effects

    k = len(usable)
    # With a negative untruncated tau² statsmodels takes square roots of negative random-effects
    # variances on the way; those results are not used (see below), so the warnings are noise.
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Any = combine_effects(
            np.array([effect.estimate for effect in usable]),
            np.array([effect.standard_error**2 for effect in usable]),
            method_re="dl",
            alpha=1 - CONFIDENCE_LEVEL,
        )
    _fixed_ci, random_ci, _fixed_ci_scaled, _random_ci_scaled = result.conf_int(
        alpha=1 - CONFIDENCE_LEVEL, use_t=False
    )
    if result.tau2 > 0:
        tau_squared = float(result.tau2)
        estimate, standard_error = float(result.mean_effect_re), float(result.sd_eff_w_re)
        ci_low, ci_high = (float(bound) for bound in random_ci)
        weights = tuple(float(weight) for weight in result.weights_rel_re)
    else:
        # The sites agree at least as closely as chance would give: tau² is zero and the random-effects
        # results are the fixed-effect ones (statsmodels does not truncate tau² at zero).
        tau_squared = 0.0
        estimate, standard_error = float(result.mean_effect_fe), float(result.sd_eff_w_fe)
        ci_low, ci_high = (float(bound) for bound in _fixed_ci)
        weights = tuple(float(weight) for weight in result.weights_rel_fe)
    homogeneity = result.test_homogeneity()
    i_squared = max(0.0, float(result.i2))

    spread = float(stats.t.ppf(1 - (1 - CONFIDENCE_LEVEL) / 2, k - 2)) * math.sqrt(
        tau_squared + standard_error**2
    )
    return PooledEstimate(
        sites=tuple(usable),
        left_out=tuple(left),
        estimate=estimate,
        standard_error=standard_error,
        ci_low=ci_low,
        ci_high=ci_high,
        tau_squared=tau_squared,
        i_squared=i_squared,
        q=float(homogeneity.statistic),
        q_p_value=float(homogeneity.pvalue),
        prediction_low=estimate - spread,
        prediction_high=estimate + spread,
        weights=weights,
        warnings=tuple(_warnings(usable, left, i_squared)),
        caveats=_caveats(k),
    )


def _too_few_sites(usable: Sequence[SiteEffect]) -> str:
    if not usable:
        have = "No site has an estimate"
    else:
        names = listed([effect.site_name for effect in usable])
        have = f"Only {len(usable)} site{' has' if len(usable) == 1 else 's have'} an estimate ({names})"
    return (
        f"{have}: at least {MIN_SITES} are needed to pool sites' estimates and say how much the effect "
        "varies between areas, so each site's estimate is shown on its own."
    )


def _warnings(usable: Sequence[SiteEffect], left: Sequence[LeftOut], i_squared: float) -> list[str]:
    warnings = []
    if left:
        warnings.append(
            f"{listed([site.site_name for site in left])} {'is' if len(left) == 1 else 'are'} not "
            "included: see the reason beside each site."
        )
    unchecked = [effect.site_name for effect in usable if not effect.pre_trend_passed]
    if unchecked:
        warnings.append(
            f"The pre-trend check did not pass for {listed(unchecked)}: "
            f"{'its estimate is' if len(unchecked) == 1 else 'their estimates are'} pooled, but may reflect "
            "differences that began before the pilot."
        )
    if i_squared >= SUBSTANTIAL_I_SQUARED:
        warnings.append(
            f"The sites' estimates differ more than chance would explain (I² = {i_squared:.0%}): the pilot "
            "seems to have worked differently in different places, and one pooled figure hides that."
        )
    return warnings


def _caveats(k: int) -> tuple[str, ...]:
    return (
        f"With only {k} sites, how much the effect varies between areas is poorly known, so the interval "
        "around the pooled figure is probably too narrow.",
        "The prediction interval is the range of effects to expect in a new area like the pilot sites: "
        "plan a roll-out on it rather than on the pooled figure alone. It is wide when there are few sites.",
        "Pooling assumes the sites are a fair picture of the areas the policy would be rolled out to.",
    )
