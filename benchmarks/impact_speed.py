"""How long the impact estimates take at national scale: one difference-in-differences estimate (with its
pre-trend check) per site against three comparison areas over 16 quarters, then the random-effects
pooling, for 3, 30 and 150 sites. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.impact_speed
"""

from __future__ import annotations

import random
import time

from evidence_hub.services.impact.estimates import AreaSeries, Panel, estimate_impact
from evidence_hub.services.impact.pooling import pool_estimates
from evidence_hub.services.impact.quarters import quarters_before, quarters_from

FIRST = "2009-Q2"
QUARTERS = [*quarters_before(FIRST, 8), *quarters_from(FIRST, 8)]


def _panel(number: int, generator: random.Random) -> Panel:
    def series(code: str, level: float, effect: float) -> AreaSeries:
        values = {
            quarter: level - 0.2 * index + (effect if quarter >= FIRST else 0.0) + generator.gauss(0, 0.4)
            for index, quarter in enumerate(QUARTERS)
        }
        return AreaSeries(code, code, values)

    return Panel(
        "RATE",
        QUARTERS,
        FIRST,
        series(f"E{number:08d}", 18.0, 1.5),
        [series(f"W{number:04d}{area:04d}", 17.0 + area, 0.0) for area in range(3)],
    )


def main() -> None:
    generator = random.Random(1)
    start = time.perf_counter()
    estimate_impact(_panel(0, generator))
    print(f"First estimate (imports statsmodels): {time.perf_counter() - start:.2f} s")
    for sites in (3, 30, 150):
        panels = [_panel(number, generator) for number in range(sites)]
        start = time.perf_counter()
        estimates = [estimate_impact(panel) for panel in panels]
        estimated = time.perf_counter() - start
        start = time.perf_counter()
        pooled = pool_estimates(estimates)
        pooling = time.perf_counter() - start
        print(
            f"{sites:4d} sites: estimates {estimated * 1000:8.1f} ms "
            f"({estimated * 1000 / sites:.1f} ms a site), pooling {pooling * 1000:6.1f} ms, "
            f"pooled {pooled.estimate:.2f} (true 1.50)"
        )


if __name__ == "__main__":
    main()
