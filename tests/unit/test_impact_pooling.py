"""Pooling the sites' estimates: the DerSimonian-Laird formulas worked by hand on three sites, the case
where the sites agree closely, and too few sites."""

from __future__ import annotations

import math

import pytest

from evidence_hub.services.impact.estimates import AreaSeries, Panel, estimate_impact
from evidence_hub.services.impact.pooling import (
    POOLING_METHOD,
    LeftOut,
    SiteEffect,
    pool_effects,
    pool_estimates,
)

# Quantiles written out, so the worked example does not lean on the library under test.
Z_975 = 1.959963984540054
T_975_ONE_DEGREE_OF_FREEDOM = 12.706204736174707

KENT = SiteEffect("kent", "Kent", estimate=2.0, standard_error=0.5)
LEEDS = SiteEffect("leeds", "Leeds", estimate=1.0, standard_error=0.4)
LIVERPOOL = SiteEffect("liverpool", "Liverpool City Region", estimate=3.5, standard_error=0.8)


def dersimonian_laird_by_hand(effects: list[tuple[float, float]]) -> dict[str, float]:
    """The formulas of DerSimonian and Laird (1986) and Higgins et al. (2009), step by step."""
    k = len(effects)
    y = [effect for effect, _ in effects]
    v = [se**2 for _, se in effects]
    w = [1 / variance for variance in v]
    fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    c = sum(w) - sum(wi**2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - (k - 1)) / c)
    w_star = [1 / (variance + tau2) for variance in v]
    pooled = sum(wi * yi for wi, yi in zip(w_star, y, strict=True)) / sum(w_star)
    se = math.sqrt(1 / sum(w_star))
    i2 = max(0.0, (q - (k - 1)) / q)
    half_prediction = T_975_ONE_DEGREE_OF_FREEDOM * math.sqrt(tau2 + se**2)
    return {
        "estimate": pooled,
        "standard_error": se,
        "ci_low": pooled - Z_975 * se,
        "ci_high": pooled + Z_975 * se,
        "tau_squared": tau2,
        "i_squared": i2,
        "q": q,
        "prediction_low": pooled - half_prediction,
        "prediction_high": pooled + half_prediction,
        "weight_kent": w_star[0] / sum(w_star),
    }


def test_three_sites_pool_as_the_dersimonian_laird_formulas_give_by_hand() -> None:
    by_hand = dersimonian_laird_by_hand([(2.0, 0.5), (1.0, 0.4), (3.5, 0.8)])
    pooled = pool_effects([KENT, LEEDS, LIVERPOOL])

    assert by_hand["tau_squared"] > 0, "the example has real between-site spread"
    assert pooled.is_pooled
    assert pooled.method == POOLING_METHOD
    assert pooled.estimate == pytest.approx(by_hand["estimate"], rel=1e-9)
    assert pooled.standard_error == pytest.approx(by_hand["standard_error"], rel=1e-9)
    assert pooled.ci_low == pytest.approx(by_hand["ci_low"], rel=1e-9)
    assert pooled.ci_high == pytest.approx(by_hand["ci_high"], rel=1e-9)
    assert pooled.tau_squared == pytest.approx(by_hand["tau_squared"], rel=1e-9)
    assert pooled.tau == pytest.approx(math.sqrt(by_hand["tau_squared"]), rel=1e-9)
    assert pooled.i_squared == pytest.approx(by_hand["i_squared"], rel=1e-9)
    assert pooled.q == pytest.approx(by_hand["q"], rel=1e-9)
    assert pooled.prediction_low == pytest.approx(by_hand["prediction_low"], rel=1e-9)
    assert pooled.prediction_high == pytest.approx(by_hand["prediction_high"], rel=1e-9)
    assert pooled.weights[0] == pytest.approx(by_hand["weight_kent"], rel=1e-9)
    assert sum(pooled.weights) == pytest.approx(1.0)


def test_the_worked_example_in_numbers() -> None:
    pooled = pool_effects([KENT, LEEDS, LIVERPOOL])

    # Q = 8.474 on 2 degrees of freedom; tau² = (8.474 - 2) / 6.945 = 0.932.
    assert pooled.q == pytest.approx(8.4739, abs=1e-4)
    assert pooled.tau_squared == pytest.approx(0.9322, abs=1e-4)
    assert pooled.estimate == pytest.approx(2.0161, abs=1e-4)
    assert (pooled.ci_low, pooled.ci_high) == (
        pytest.approx(0.7502, abs=1e-4),
        pytest.approx(3.2819, abs=1e-4),
    )
    assert pooled.i_squared == pytest.approx(0.7640, abs=1e-4)
    assert (pooled.prediction_low, pooled.prediction_high) == (
        pytest.approx(-12.7437, abs=1e-4),
        pytest.approx(16.7758, abs=1e-4),
    )


def test_the_prediction_interval_is_wider_than_the_confidence_interval() -> None:
    pooled = pool_effects([KENT, LEEDS, LIVERPOOL, SiteEffect("x", "X", 2.5, 0.6)])

    assert pooled.prediction_low is not None and pooled.ci_low is not None
    assert pooled.prediction_high is not None and pooled.ci_high is not None
    assert pooled.prediction_low < pooled.ci_low < pooled.ci_high < pooled.prediction_high


def test_sites_that_agree_closely_have_no_between_site_spread() -> None:
    effects = [(2.0, 0.5), (2.1, 0.4), (1.9, 0.8)]
    by_hand = dersimonian_laird_by_hand(effects)
    pooled = pool_effects([SiteEffect(f"s{i}", f"S{i}", e, se) for i, (e, se) in enumerate(effects)])

    assert by_hand["tau_squared"] == 0.0
    assert pooled.tau_squared == 0.0
    assert pooled.i_squared == 0.0
    assert pooled.estimate == pytest.approx(by_hand["estimate"], rel=1e-9)
    assert pooled.ci_low == pytest.approx(by_hand["ci_low"], rel=1e-9)
    assert pooled.prediction_high == pytest.approx(by_hand["prediction_high"], rel=1e-9)
    assert not pooled.warnings


def test_fewer_than_three_sites_say_so_instead_of_giving_a_number() -> None:
    pooled = pool_effects([KENT, LEEDS])

    assert not pooled.is_pooled
    assert pooled.estimate is None and pooled.prediction_low is None and pooled.tau_squared is None
    assert pooled.not_pooled_reason == (
        "Only 2 sites have an estimate (Kent and Leeds): at least 3 are needed to pool sites' estimates "
        "and say how much the effect varies between areas, so each site's estimate is shown on its own."
    )


def test_no_sites_say_so_too() -> None:
    pooled = pool_effects([])

    assert not pooled.is_pooled
    assert pooled.not_pooled_reason is not None
    assert pooled.not_pooled_reason.startswith("No site has an estimate: at least 3 are needed")


def test_an_estimate_without_a_usable_margin_of_error_is_left_out_with_its_reason() -> None:
    pooled = pool_effects([KENT, LEEDS, SiteEffect("liverpool", "Liverpool City Region", 3.5, 0.0)])

    assert not pooled.is_pooled
    assert pooled.left_out == (
        LeftOut(
            "liverpool",
            "Liverpool City Region",
            "The estimate has no usable margin of error, so it cannot be weighted.",
        ),
    )


def test_sites_that_disagree_are_warned_about() -> None:
    pooled = pool_effects([KENT, LEEDS, LIVERPOOL])

    assert any("differ more than chance would explain (I² = 76%)" in warning for warning in pooled.warnings)
    assert any("prediction interval" in caveat for caveat in pooled.caveats)


def test_pooling_site_estimates_leaves_out_a_site_without_one_and_warns_of_a_failed_pre_trend() -> None:
    periods = [f"{year}-Q{quarter}" for year in (2008, 2009) for quarter in (1, 2, 3, 4)]

    def site(code: str, values: list[float], comparison: list[float]) -> Panel:
        return Panel(
            "WL-JOB-ENTRY-RATE",
            periods,
            "2009-Q1",
            AreaSeries(code, code.title(), dict(zip(periods, values, strict=True))),
            [AreaSeries(f"{code}-c", "Comparison", dict(zip(periods, comparison, strict=True)))],
        )

    comparison = [10.0, 10.2, 9.9, 10.1, 10.0, 10.3, 9.8, 10.1]
    estimates = [
        estimate_impact(site("kent", [12.1, 12.0, 12.2, 11.9, 14.2, 14.0, 13.9, 14.3], comparison)),
        estimate_impact(site("leeds", [11.0, 11.3, 10.8, 11.1, 12.0, 12.4, 11.9, 12.1], comparison)),
        # Leeds-like, but pulling away before the pilot.
        estimate_impact(site("wirral", [9.0, 10.1, 11.0, 12.2, 13.9, 14.1, 15.2, 16.0], comparison)),
        estimate_impact(Panel("WL-JOB-ENTRY-RATE", periods, "2009-Q1", AreaSeries("york", "York", {}), [])),
    ]

    pooled = pool_estimates(estimates)

    assert pooled.is_pooled
    assert [effect.site_code for effect in pooled.sites] == ["kent", "leeds", "wirral"]
    assert [site.site_code for site in pooled.left_out] == ["york"]
    assert pooled.left_out[0].reason.startswith("There is no comparison area for York")
    assert "York is not included: see the reason beside each site." in pooled.warnings
    assert any(
        warning.startswith("The pre-trend check did not pass for Wirral") for warning in pooled.warnings
    )
