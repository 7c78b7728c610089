"""The demo's synthetic comparison series: labelled as synthetic in every row, the same on every
machine, accepted by the upload's checks, and a worked example the estimates get right."""

from __future__ import annotations

from evidence_hub.services.impact.estimates import (
    AreaSeries,
    ImpactEstimate,
    Panel,
    PreTrendOutcome,
    estimate_impact,
)
from evidence_hub.services.impact.pooling import pool_estimates
from evidence_hub.services.impact.series_file import GSS_CODE, SeriesRow, read_series_file
from evidence_hub.services.impact.synthetic_series import (
    DEMO_SITE_SERIES,
    FIRST_PILOT_QUARTER,
    PILOT_QUARTERS,
    PRE_PILOT_QUARTERS,
    SYNTHETIC_INDICATOR,
    SYNTHETIC_SOURCE,
    synthetic_series,
    synthetic_series_csv,
)

QUARTERS = [*PRE_PILOT_QUARTERS, *PILOT_QUARTERS]
# The pilot sites' own local authorities, none of which may stand as a comparison area.
PILOT_AUTHORITIES = {"E10000016", "E08000035", "E47000004", "E06000006", "E08000011", "E08000012"}
PILOT_AUTHORITIES |= {"E08000013", "E08000014", "E08000015"}  # St Helens, Sefton, Wirral


def estimates(rows: list[SeriesRow]) -> dict[str, ImpactEstimate]:
    def series(code: str, name: str) -> AreaSeries:
        return AreaSeries(code, name, {row.period_code: row.value for row in rows if row.area_code == code})

    return {
        site.site_code: estimate_impact(
            Panel(
                SYNTHETIC_INDICATOR,
                QUARTERS,
                FIRST_PILOT_QUARTER,
                series(site.area.code, site.area.name),
                [series(area.code, area.name) for area in site.comparisons],
            )
        )
        for site in DEMO_SITE_SERIES
    }


def test_the_series_cover_eight_quarters_before_the_pilots_and_eight_during_them() -> None:
    assert PRE_PILOT_QUARTERS[0] == "2007-Q2" and PRE_PILOT_QUARTERS[-1] == "2009-Q1"
    assert PILOT_QUARTERS[0] == "2009-Q2" and PILOT_QUARTERS[-1] == "2011-Q1"
    rows = synthetic_series()
    assert len(rows) == 3 * 4 * 16
    assert {row.period_code for row in rows} == set(QUARTERS)


def test_every_row_says_it_is_synthetic_and_not_ons_data() -> None:
    assert {row.source for row in synthetic_series()} == {"Synthetic demo series (not ONS data)"}
    assert SYNTHETIC_SOURCE.endswith("(not ONS data)")


def test_comparison_areas_are_real_looking_local_authorities_outside_the_pilots() -> None:
    for site in DEMO_SITE_SERIES:
        assert GSS_CODE.match(site.area.code)
        assert 2 <= len(site.comparisons) <= 3
        for area in site.comparisons:
            assert GSS_CODE.match(area.code)
            assert area.code not in PILOT_AUTHORITIES


def test_the_series_are_the_same_every_time() -> None:
    assert synthetic_series() == synthetic_series()
    assert synthetic_series_csv() == synthetic_series_csv()
    assert synthetic_series(seed=2) != synthetic_series()


def test_the_demo_file_passes_the_upload_checks() -> None:
    codes = {site.area.code for site in DEMO_SITE_SERIES} | {
        area.code for site in DEMO_SITE_SERIES for area in site.comparisons
    }
    rows = read_series_file(
        synthetic_series_csv(),
        "synthetic-series.csv",
        area_codes=codes,
        period_codes=QUARTERS,
        indicator_codes={SYNTHETIC_INDICATOR},
    )

    assert rows == synthetic_series()


def test_each_site_estimate_recovers_its_true_effect_and_passes_the_pre_trend_check() -> None:
    results = estimates(synthetic_series())

    for site in DEMO_SITE_SERIES:
        result = results[site.site_code]
        assert result.ci_low is not None and result.ci_high is not None
        assert result.ci_low < site.true_effect < result.ci_high
        assert result.pre_trend.outcome is PreTrendOutcome.PASSED
        assert result.qualifies_for_maryland_3


def test_the_three_sites_pool_with_a_prediction_interval() -> None:
    pooled = pool_estimates(list(estimates(synthetic_series()).values()))

    assert pooled.is_pooled
    assert pooled.ci_low is not None and pooled.ci_high is not None
    assert pooled.ci_low < 1.5 < pooled.ci_high
    assert pooled.prediction_low is not None and pooled.prediction_low < pooled.ci_low
