"""The roll-out cost projection: what running the pilot in more areas would cost.

Publishing writes each pilot site's unit costs (its set-up cost, and its running cost per period it has
approved returns for) and their lowest, median and highest values across sites into the learning summary
(`projection_figures`); a reader projects them for the number of areas and periods they choose
(`project_rollout`), on the summary page and in its PDF and Word documents. Both work on plain data only,
so the documents can use them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from evidence_hub.formatting import money

PENNY = Decimal("0.01")
DEFAULT_AREAS = 10
DEFAULT_PERIODS = 4


class PilotSite(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class RolloutProjection:
    areas: int
    periods: int
    low: Decimal
    central: Decimal
    high: Decimal
    lines: list[str]


def projection_figures(
    cost_rows: Iterable[Mapping[str, Any]],
    return_rows: Iterable[Mapping[str, Any]],
    sites: Iterable[PilotSite],
) -> dict[str, Any]:
    """Each site's unit costs from the release's cost and return rows, their low, central and high values
    across sites, and how the projection is worked out."""
    set_up: dict[str, Decimal] = defaultdict(Decimal)
    running: dict[str, Decimal] = defaultdict(Decimal)
    for row in cost_rows:
        set_up[row["site_code"]] += Decimal(row["set_up"])
        running[row["site_code"]] += Decimal(row["running"])
    periods_reported: dict[str, int] = defaultdict(int)
    for row in return_rows:
        if row["status"] == "Approved":
            periods_reported[row["site_code"]] += 1
    unit_costs: list[dict[str, Any]] = []
    for site in sites:
        periods = periods_reported.get(site.code, 0)
        if not periods:
            continue
        unit_costs.append(
            {
                "site_code": site.code,
                "site": site.name,
                "set_up": str(set_up[site.code].quantize(PENNY)),
                "running_per_period": str((running[site.code] / periods).quantize(PENNY, ROUND_HALF_UP)),
                "periods_reported": periods,
            }
        )

    def spread(key: str) -> dict[str, str]:
        values = [Decimal(row[key]) for row in unit_costs] or [Decimal(0)]
        return {
            "low": str(min(values).quantize(PENNY)),
            "central": str(_median(values).quantize(PENNY)),
            "high": str(max(values).quantize(PENNY)),
        }

    return {
        "unit_costs": unit_costs,
        "set_up": spread("set_up"),
        "running_per_period": spread("running_per_period"),
        "default_areas": DEFAULT_AREAS,
        "default_periods": DEFAULT_PERIODS,
        "method": [
            "Unit costs come from each pilot site's attributable costs in the approved returns "
            "released: its set-up cost, and its running cost divided by the number of periods it has "
            "approved returns for.",
            "Low, central and high estimates use the lowest, the median and the highest unit cost "
            f"across the {len(unit_costs)} sites.",
            "The projection assumes each new area resembles a pilot site in size and starting point; "
            "areas much larger or smaller, or further along the data-sharing journey, will differ.",
            "It does not include costs borne nationally, inflation or savings.",
        ],
    }


def project_rollout(projection: dict[str, Any], areas: int, periods: int) -> RolloutProjection:
    """The cost of running the pilot in `areas` areas for `periods` periods: each estimate is one area's
    set-up cost plus its running cost per period × periods, × areas, from the low, central and high unit
    costs across the pilot sites."""
    if areas < 1 or periods < 1:
        raise ValueError("A projection needs at least one area and one period.")
    estimates = {}
    lines = [
        f"Each area: set-up cost once, plus running cost for each of {periods} "
        f"{'period' if periods == 1 else 'periods'}."
    ]
    for level in ("low", "central", "high"):
        set_up = Decimal(projection["set_up"][level])
        running = Decimal(projection["running_per_period"][level])
        estimates[level] = ((set_up + running * periods) * areas).quantize(PENNY)
        lines.append(
            f"{level.capitalize()}: {areas} × ({money(set_up)} + {money(running)} × {periods}) = "
            f"{money(estimates[level])}."
        )
    return RolloutProjection(areas, periods, estimates["low"], estimates["central"], estimates["high"], lines)


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ((ordered[middle - 1] + ordered[middle]) / 2).quantize(PENNY, ROUND_HALF_UP)
