"""How fast a national-scale release is protected as one linked system, with its audit.

    .venv/bin/python benchmarks/disclosure_audit_speed.py [--size 150x20] [--size 350x40] [--seed 1]
        [--round-to 5] [--tracemalloc]

For each size (sites × quarters; 150 × 20 and 350 × 40 by default) a synthetic linked system is built with
no database, as `protection.LinkedRelease` figures:

- three tables of counts of people by site and quarter, each with a total for every site, every quarter
  and the whole: people reached, clients engaged (a share of those reached) and job entries (a share of
  the clients); sites differ in size (log-normal), so many job entries, and some clients, are below 10;
- each site's attributable cost each quarter (money, shown in full);
- derived figures: each site's job entry rate each quarter and over all quarters (job entries ÷ clients
  engaged × 100) and its cost per client each quarter.

Two releases of the framework are protected, as publishing will: the first covers every quarter but the
last, the second every quarter, protected together with everything the first told the intruder (its
suppressions carried forward). The second is the publication being timed. Printed for each: the time,
the number of [c] (below the threshold, and to protect them), the derived figures withheld, the rounds of
secondary suppression and the LP and integer-programme solves, whether the audit passed, the narrowest
interval, the CPU time beside the wall-clock time (on a machine shared with other work, the wall clock
includes waiting for a core), and the process's peak memory growth (RSS high-water mark, reset before the
step; with --tracemalloc, the step is run again under tracemalloc for the peak of Python allocations).

Target: the 150 × 20 release protected with its audit in under 60 seconds. Printed as PASS or FAIL;
nothing asserts on time.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from evidence_hub.services.releases.intruder import Knowledge
from evidence_hub.services.releases.protection import (
    DerivedFigure,
    Figure,
    Kind,
    LinkedRelease,
    Protection,
    ProtectionRules,
    Relation,
    cell_key,
    protect_release,
    table_with_totals,
)

if __package__:
    from benchmarks.export_speed import measure, traced_peak_mb, verdict
else:  # run as a script: python benchmarks/disclosure_audit_speed.py
    from export_speed import measure, traced_peak_mb, verdict  # type: ignore[no-redef]

TARGET_SECONDS = 60.0
PEOPLE_TABLES = (("people", "people reached"), ("clients", "clients engaged"), ("jobs", "job entries"))
ALL_SITES = ("ALL", "All sites")


@dataclass(frozen=True)
class World:
    """True values for every site and quarter: the evidence both releases are drawn from."""

    sites: list[tuple[str, str]]
    quarters: list[tuple[str, str]]
    counts: dict[str, np.ndarray]  # table -> sites × quarters
    costs_pence: np.ndarray


def synthetic_world(sites: int, quarters: int, seed: int) -> World:
    generator = np.random.default_rng(seed)
    size = generator.lognormal(mean=3.2, sigma=0.9, size=sites)  # people reached a quarter, typically 25
    people = generator.poisson(np.outer(size, np.ones(quarters)))
    clients = generator.binomial(people, 0.6)
    jobs = generator.binomial(clients, 0.25)
    costs = generator.integers(50_000, 400_000, size=(sites, quarters)) * np.maximum(clients, 1)
    return World(
        [(f"S{index:03d}", f"Site {index:03d}") for index in range(sites)],
        [(f"Q{index:02d}", f"Quarter {index:02d}") for index in range(1, quarters + 1)],
        {"people": people, "clients": clients, "jobs": jobs},
        costs,
    )


def release_of(world: World, quarters: int) -> tuple[LinkedRelease, dict[str, int]]:
    """The linked system of a release covering the first ``quarters`` quarters, with its true values."""
    periods = world.quarters[:quarters]
    span = (f"{periods[0][0]}-{periods[-1][0]}", f"{periods[0][1]} to {periods[-1][1]}")
    figures: list[Figure] = []
    relations: list[Relation] = []
    values: dict[str, int] = {}
    for table, measure_name in PEOPLE_TABLES:
        table_figures, table_relations = table_with_totals(
            table, world.sites, periods, measure=measure_name, rows_total=ALL_SITES, columns_total=span
        )
        figures += table_figures
        relations += table_relations
        counts = world.counts[table][:, :quarters]
        for row, (site, _) in enumerate(world.sites):
            for column, (quarter, _) in enumerate(periods):
                values[cell_key(table, site, quarter)] = int(counts[row, column])
            values[cell_key(table, site, span[0])] = int(counts[row].sum())
        for column, (quarter, _) in enumerate(periods):
            values[cell_key(table, ALL_SITES[0], quarter)] = int(counts[:, column].sum())
        values[cell_key(table, ALL_SITES[0], span[0])] = int(counts.sum())
    derived: list[DerivedFigure] = []
    for row, (site, site_name) in enumerate(world.sites):
        for column, (quarter, quarter_name) in enumerate(periods):
            cost = f"costs|{site}|{quarter}"
            figures.append(Figure(cost, f"{site_name}, {quarter_name}, attributable cost", Kind.AMOUNT))
            values[cost] = int(world.costs_pence[row, column])
            derived.append(
                DerivedFigure.percentage(
                    f"rate|{site}|{quarter}",
                    f"{site_name}, {quarter_name}, job entry rate",
                    cell_key("jobs", site, quarter),
                    cell_key("clients", site, quarter),
                )
            )
            derived.append(
                DerivedFigure.mean(
                    f"cost_per_client|{site}|{quarter}",
                    f"{site_name}, {quarter_name}, cost per client",
                    cost,
                    cell_key("clients", site, quarter),
                    scale=Fraction(1, 100),
                )
            )
        derived.append(
            DerivedFigure.percentage(
                f"rate|{site}|{span[0]}",
                f"{site_name}, {span[1]}, job entry rate",
                cell_key("jobs", site, span[0]),
                cell_key("clients", site, span[0]),
            )
        )
    return LinkedRelease(tuple(figures), tuple(relations), tuple(derived)), values


def printed(name: str, protection: Protection, seconds: float, cpu_seconds: float, memory: str) -> None:
    report = protection.report()
    narrowest = report.narrowest
    print(f"  {name}: {seconds:,.1f} s ({cpu_seconds:,.1f} s of CPU time); {memory}")
    print(
        f"    {report.suppressed:,} [c] ({report.primary:,} below the threshold, {report.secondary:,} to "
        f"protect them) of {len(protection.shown):,} shown counts and amounts; "
        f"{report.withheld:,} of {len(protection.derived):,} derived figures withheld"
    )
    print(
        f"    {protection.rounds} round{'s' if protection.rounds != 1 else ''} of audit, "
        f"{protection.lp_solves:,} LP and {protection.milp_solves:,} integer "
        f"programme solves; audit {'passed' if protection.passed else 'FAILED'}"
        + (f"; narrowest: {narrowest.lower} to {narrowest.upper} ({narrowest.label})" if narrowest else "")
    )
    for line in report.evaluator_notes()[2:]:
        print(f"    {line}")


def run(sites: int, quarters: int, seed: int, round_to: int | None, traced: bool) -> bool:
    world = synthetic_world(sites, quarters, seed)
    rules = ProtectionRules(round_to=round_to)
    print(f"{sites} sites × {quarters} quarters (seed {seed}, rounding {round_to or 'off'})")
    first_release, first_values = release_of(world, quarters - 1)
    cpu = time.process_time()
    first, measured = measure(lambda: protect_release(first_release, first_values, rules))
    cpu = time.process_time() - cpu
    printed(
        f"Release 1 (quarters 1 to {quarters - 1}, alone)", first, measured.seconds, cpu, measured.memory()
    )

    second_release, second_values = release_of(world, quarters)
    earlier: Knowledge = first.knowledge

    def second_step() -> Protection:
        return protect_release(
            second_release,
            second_values,
            rules,
            earlier=earlier,
        )

    cpu = time.process_time()
    second, measured = measure(second_step)
    cpu = time.process_time() - cpu
    if traced:
        measured.traced_peak_mb = traced_peak_mb(second_step)
    printed(
        f"Release 2 (quarters 1 to {quarters}, with release 1)",
        second,
        measured.seconds,
        cpu,
        measured.memory(),
    )
    passed = measured.seconds < TARGET_SECONDS
    print(f"  Target: release 2 in under {TARGET_SECONDS:.0f} s: {verdict(passed)}")
    return second.passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", help="sites×quarters, e.g. 150x20 (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--round-to", type=int, default=None)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations")
    arguments = parser.parse_args(argv)
    sizes = arguments.size or ["150x20", "350x40"]
    audits_passed = True
    for size in sizes:
        sites, quarters = (int(part) for part in size.lower().split("x"))
        audits_passed &= run(sites, quarters, arguments.seed, arguments.round_to, arguments.tracemalloc)
    return 0 if audits_passed else 1


if __name__ == "__main__":
    sys.exit(main())
