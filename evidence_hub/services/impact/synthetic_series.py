"""Synthetic comparison series for the demo's three pilot sites: made up, and labelled so in every row.

Each demo site gets its own series and those of three neighbouring local authorities that did not take
part in the pilots (real GSS codes and names, made-up values): eight quarters before the pilots began
(2007 Q2 to 2009 Q1) and eight pilot quarters (2009 Q2 to 2011 Q1). Every area follows one common path,
the recession and the recovery after it, around its own level, with a little noise; the pilot sites
gain a modest true effect from 2009 Q2 (2, 1.5 and 1 percentage points). With the default seed the
estimates recover those effects within their intervals and pass the pre-trend check, which makes the
series a worked example as well as demo data.

The source column of every row says the figures are synthetic, so they are never mistaken for ONS data
wherever they are shown. The series are the same on every machine (seeded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from evidence_hub.services.impact.quarters import quarters_before, quarters_from
from evidence_hub.services.impact.series_file import SeriesRow, series_csv

SYNTHETIC_SOURCE = "Synthetic demo series (not ONS data)"
SYNTHETIC_EXTRACTED_ON = date(2011, 5, 3)
SYNTHETIC_INDICATOR = "WL-JOB-ENTRY-RATE"
FIRST_PILOT_QUARTER = "2009-Q2"
PRE_PILOT_QUARTERS = quarters_before(FIRST_PILOT_QUARTER, 8)
PILOT_QUARTERS = quarters_from(FIRST_PILOT_QUARTER, 8)
# With this seed every site's interval covers its true effect and every pre-trend check passes, as the
# series are built to; with about two seeds in five one of the three fails by chance, as a check at the
# 10% level will. The demo should show the method working, so it uses this one.
DEFAULT_SEED = 1
# Quarter-to-quarter noise around each area's path, in percentage points.
NOISE = 0.4


@dataclass(frozen=True)
class SyntheticArea:
    code: str
    name: str
    # The area's job entry rate, in per cent, before the recession.
    level: float


@dataclass(frozen=True)
class SyntheticSite:
    site_code: str
    area: SyntheticArea
    # Percentage points the pilot adds to the site's job entry rate from its first quarter.
    true_effect: float
    comparisons: tuple[SyntheticArea, ...]


DEMO_SITE_SERIES = (
    SyntheticSite(
        "kent",
        SyntheticArea("E10000016", "Kent", 18.0),
        2.0,
        (
            SyntheticArea("E06000035", "Medway", 17.0),
            SyntheticArea("E10000011", "East Sussex", 18.5),
            SyntheticArea("E10000012", "Essex", 19.0),
        ),
    ),
    SyntheticSite(
        "leeds",
        SyntheticArea("E08000035", "Leeds", 16.0),
        1.5,
        (
            SyntheticArea("E08000032", "Bradford", 14.5),
            SyntheticArea("E08000036", "Wakefield", 15.5),
            SyntheticArea("E08000034", "Kirklees", 16.0),
        ),
    ),
    SyntheticSite(
        "liverpool",
        SyntheticArea("E47000004", "Liverpool City Region", 14.0),
        1.0,
        (
            SyntheticArea("E06000007", "Warrington", 16.5),
            SyntheticArea("E08000010", "Wigan", 15.0),
            SyntheticArea("E06000050", "Cheshire West and Chester", 17.0),
        ),
    ),
)


def common_path(quarter_index: int) -> float:
    """The recession and recovery every area shares, in percentage points from its own level: down by 3
    points over the eight quarters to 2009 Q1, then back by 0.35 a quarter."""
    last_pre = len(PRE_PILOT_QUARTERS) - 1
    if quarter_index <= last_pre:
        return -3.0 * quarter_index / last_pre
    return -3.0 + 0.35 * (quarter_index - last_pre)


def synthetic_series(seed: int = DEFAULT_SEED) -> list[SeriesRow]:
    """Every demo site's and comparison area's job entry rate, 2007 Q2 to 2011 Q1, one row a quarter."""
    generator = random.Random(seed)  # noqa: S311 (demo figures, not secrets)
    quarters = [*PRE_PILOT_QUARTERS, *PILOT_QUARTERS]
    rows: list[SeriesRow] = []
    for site in DEMO_SITE_SERIES:
        for area in (site.area, *site.comparisons):
            for index, quarter in enumerate(quarters):
                effect = site.true_effect if area is site.area and quarter in PILOT_QUARTERS else 0.0
                value = area.level + common_path(index) + effect + generator.gauss(0, NOISE)
                rows.append(
                    SeriesRow(
                        row=len(rows) + 2,
                        area_code=area.code,
                        area_name=area.name,
                        period_code=quarter,
                        indicator_code=SYNTHETIC_INDICATOR,
                        value=Decimal(f"{value:.1f}"),
                        source=SYNTHETIC_SOURCE,
                        extracted_on=SYNTHETIC_EXTRACTED_ON,
                    )
                )
    return rows


def synthetic_series_csv(seed: int = DEFAULT_SEED) -> bytes:
    """The synthetic series as an upload file, for the demo to load through the same checks as any."""
    return series_csv(synthetic_series(seed))
