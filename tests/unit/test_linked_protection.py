"""Protection of a release as one linked system, tried as an intruder would try it.

Each fixture is one of the ways the issue found to give a [c] away. After protection, an intruder's integer
programme written in the test (tests/intruder_programme.py: its own reading of the published figures and of
the tables' structure, solved with scipy's milp, sharing nothing with the code under test) must find no [c]
it can work out exactly (EXACT), pin to a small non-empty group (EXISTENCE) or narrow to fewer values than
the threshold (NARROW).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest

from evidence_hub.services.releases.intruder import Fact, Knowledge, Linear, Quantity, Verdict
from evidence_hub.services.releases.protection import (
    SUPPRESSED,
    DerivedFigure,
    Figure,
    Kind,
    LinkedRelease,
    Protection,
    ProtectionRules,
    Relation,
    derived_values,
    protect_release,
    published_knowledge,
    shown_values,
    table_with_totals,
)
from tests.intruder_programme import IntruderProgramme, PublishedRate, grid_sums, key

THRESHOLD = 10


@dataclass
class Table:
    """A fixture table: counts by row (site) and column (period), with its totals' codes."""

    name: str
    counts: dict[str, list[int]]
    columns: list[str]
    row_total: str = "ALL"
    column_total: str = "ALL"
    measure: str = "people"

    def release_parts(self) -> tuple[list[Figure], list[Relation], dict[str, int]]:
        figures, relations = table_with_totals(
            self.name,
            [(row, row) for row in self.counts],
            [(column, column) for column in self.columns],
            measure=self.measure,
            rows_total=(self.row_total, "All sites"),
            columns_total=(self.column_total, "all periods"),
        )
        return figures, relations, self.values()

    def values(self) -> dict[str, int]:
        """Every cell and total, added up here in the test."""
        values = {}
        for row, counts in self.counts.items():
            for column, count in zip(self.columns, counts, strict=True):
                values[key(self.name, row, column)] = count
            values[key(self.name, row, self.column_total)] = sum(counts)
        for position, column in enumerate(self.columns):
            values[key(self.name, self.row_total, column)] = sum(c[position] for c in self.counts.values())
        values[key(self.name, self.row_total, self.column_total)] = sum(map(sum, self.counts.values()))
        return values

    def sums(self) -> list[tuple[str, list[str]]]:
        return grid_sums(self.name, list(self.counts), self.columns, self.row_total, self.column_total)

    def people(self) -> set[str]:
        return set(self.values())


def linked(
    *tables: Table, derived: Sequence[DerivedFigure] = (), extra: Iterable[Figure] = ()
) -> LinkedRelease:
    figures: list[Figure] = []
    relations: list[Relation] = []
    for table in tables:
        table_figures, table_relations, _ = table.release_parts()
        figures += table_figures
        relations += table_relations
    return LinkedRelease((*figures, *extra), tuple(relations), tuple(derived))


def values_of(*tables: Table) -> dict[str, int]:
    values: dict[str, int] = {}
    for table in tables:
        values.update(table.values())
    return values


def intruder(threshold: int = THRESHOLD) -> IntruderProgramme:
    return IntruderProgramme(threshold)


def reads(
    programme: IntruderProgramme,
    protection: Protection,
    *tables: Table,
    rounding: int | None = None,
    rates: Iterable[PublishedRate] = (),
) -> IntruderProgramme:
    """The intruder takes in one release: its tables' structure and everything it shows."""
    for table in tables:
        programme.add_sums(table.sums())
    people = set().union(*(table.people() for table in tables))
    programme.add_release(protection.shown, people, rounding=rounding, rates=rates)
    return programme


def rates_shown(
    protection: Protection, specs: Iterable[tuple[str, dict[str, int], dict[str, int], int, Fraction]]
):
    """The published derived figures, as the intruder reads them (computed from the figures shown)."""
    return [
        PublishedRate(name, numerator, denominator, protection.derived[name], places, scale)
        for name, numerator, denominator, places, scale in specs
    ]


def suppressed(protection: Protection) -> set[str]:
    return {name for name, value in protection.shown.items() if value == SUPPRESSED}


# --- one table ---------------------------------------------------------------------------------------------

ONE_SMALL_CELL = Table("people", {"A": [4, 25, 30], "B": [20, 22, 31], "C": [18, 40, 27]}, ["Q1", "Q2", "Q3"])
TWO_SMALL_CELLS = Table("people", {"A": [3, 4, 30], "B": [2, 25, 28], "C": [21, 19, 33]}, ["Q1", "Q2", "Q3"])
NINE_OF_TEN = Table("people", {"A": [9, 1, 0], "B": [15, 12, 20], "C": [30, 14, 11]}, ["Q1", "Q2", "Q3"])


@pytest.mark.parametrize(
    "table",
    [ONE_SMALL_CELL, TWO_SMALL_CELLS, NINE_OF_TEN],
    ids=["one small cell alone in a row", "two small cells sharing a row and a column", "a total of 10, a 9"],
)
def test_no_c_in_a_protected_table_can_be_worked_out(table: Table) -> None:
    protection = protect_release(linked(table), table.values())

    assert protection.passed
    assert reads(intruder(), protection, table).failures() == {}
    small = {name for name, value in table.values().items() if 0 < value < THRESHOLD}
    assert small <= suppressed(protection)


def test_one_small_cell_alone_is_given_away_by_its_total_unless_partners_are_suppressed() -> None:
    table = ONE_SMALL_CELL
    protection = protect_release(linked(table), table.values())
    naive = {**protection.shown}
    for name in suppressed(protection) - {key("people", "A", "Q1")}:
        naive[name] = table.values()[name]

    programme = intruder()
    programme.add_sums(table.sums())
    programme.add_release(naive, table.people())

    assert programme.failures() == {key("people", "A", "Q1"): ("exact", 4, 4)}


def test_two_small_cells_in_a_block_are_narrowed_by_counts_never_being_negative() -> None:
    """The old exact check passes a 2 × 2 block of [c]: no value is fixed. But A's Q1 and Q2 add up to 7
    and A's and B's Q1 to 5, so A's Q1 is 0 to 5: small groups given away whole."""
    table = TWO_SMALL_CELLS
    shown: dict[str, int | str] = dict(table.values())
    for row, column in (("A", "Q1"), ("A", "Q2"), ("B", "Q1"), ("B", "Q2")):
        shown[key("people", row, column)] = SUPPRESSED

    programme = intruder()
    programme.add_sums(table.sums())
    programme.add_release(shown, table.people())

    assert programme.failures()[key("people", "A", "Q1")] == ("narrow", 0, 5)


def test_nine_and_one_in_a_row_of_ten_are_not_narrowed_below_the_threshold() -> None:
    protection = protect_release(linked(NINE_OF_TEN), NINE_OF_TEN.values())
    programme = reads(intruder(), protection, NINE_OF_TEN)

    lower, upper = programme.interval(key("people", "A", "Q1"))

    assert upper is not None and upper - lower >= THRESHOLD
    assert protection.audit.cells[key("people", "A", "Q1")].verdict is Verdict.SAFE


# --- rates and unit costs ----------------------------------------------------------------------------------

CLIENTS = Table("clients", {"Leeds": [14, 25], "Kent": [7, 30]}, ["Q1", "Q2"], measure="clients engaged")
JOBS = Table("jobs", {"Leeds": [3, 11], "Kent": [2, 12]}, ["Q1", "Q2"], measure="job entries")
COSTS = {
    ("Leeds", "Q1"): 1_234_567,
    ("Leeds", "Q2"): 2_000_000,
    ("Kent", "Q1"): 850_000,
    ("Kent", "Q2"): 2_400_000,
}


def rates_and_costs() -> tuple[list[DerivedFigure], list[Figure], dict[str, int], list[tuple]]:
    derived, figures, values, specs = [], [], {}, []
    for (site, quarter), pence in COSTS.items():
        cost, clients, jobs = (
            f"cost|{site}|{quarter}",
            key("clients", site, quarter),
            key("jobs", site, quarter),
        )
        figures.append(Figure(cost, f"{site}, {quarter}, attributable cost", Kind.AMOUNT))
        values[cost] = pence
        rate, unit = f"rate|{site}|{quarter}", f"unit|{site}|{quarter}"
        derived.append(DerivedFigure.percentage(rate, f"{site}, {quarter}, job entry rate", jobs, clients))
        derived.append(
            DerivedFigure.mean(
                unit, f"{site}, {quarter}, cost per client", cost, clients, scale=Fraction(1, 100)
            )
        )
        specs.append((rate, {jobs: 1}, {clients: 1}, 1, Fraction(100)))
        specs.append((unit, {cost: 1}, {clients: 1}, 2, Fraction(1, 100)))
    return derived, figures, values, specs


def test_rates_and_unit_costs_over_a_c_are_withheld_and_give_nothing_away() -> None:
    derived, costs, cost_values, specs = rates_and_costs()
    release = linked(CLIENTS, JOBS, derived=derived, extra=costs)

    protection = protect_release(release, {**values_of(CLIENTS, JOBS), **cost_values})

    assert protection.derived["rate|Leeds|Q1"] == SUPPRESSED  # 3 job entries of 14 clients
    assert protection.derived["unit|Kent|Q1"] == SUPPRESSED  # £8,500.00 over 7 clients
    assert protection.shown["cost|Kent|Q1"] == 850_000, "money is shown in full"
    programme = reads(intruder(), protection, CLIENTS, JOBS, rates=rates_shown(protection, specs))
    assert programme.failures() == {}
    assert protection.passed


def test_a_rate_and_a_unit_cost_from_the_true_values_beside_a_c_give_it_away() -> None:
    """What the demo's data pack did: the rate and the unit cost computed from the true values, printed
    beside the [c]: 3 job entries of 14 clients is 21.4%, and £8,500.00 over 7 clients is £1,214.29."""
    derived, costs, cost_values, _ = rates_and_costs()
    values = {**values_of(CLIENTS, JOBS), **cost_values}
    protection = protect_release(linked(CLIENTS, JOBS, derived=derived, extra=costs), values)
    jobs, clients = key("jobs", "Leeds", "Q1"), key("clients", "Leeds", "Q1")
    kent_clients = key("clients", "Kent", "Q1")
    leaky = [
        PublishedRate("rate", {jobs: 1}, {clients: 1}, Decimal("21.4"), 1, Fraction(100), from_shown=False),
        PublishedRate(
            "unit", {"cost|Kent|Q1": 1}, {kent_clients: 1}, Decimal("1214.29"), 2, Fraction(1, 100), False
        ),
    ]

    failures = reads(intruder(), protection, CLIENTS, JOBS, rates=leaky).failures()

    assert failures[jobs] == ("exact", 3, 3)
    assert failures[kent_clients] == ("exact", 7, 7)


# --- rounding ----------------------------------------------------------------------------------------------

ROUNDED_CLIENTS = Table(
    "clients", {"Leeds": [23, 31, 12], "Kent": [18, 27, 44], "Wigan": [16, 33, 21]}, ["Q1", "Q2", "Q3"]
)
ROUNDED_JOBS = Table(
    "jobs", {"Leeds": [4, 12, 6], "Kent": [11, 13, 20], "Wigan": [12, 3, 14]}, ["Q1", "Q2", "Q3"]
)


def rate_specs(rows: Iterable[str], columns: Iterable[str]) -> tuple[list[DerivedFigure], list[tuple]]:
    derived, specs = [], []
    for site in rows:
        for quarter in columns:
            rate, jobs, clients = (
                f"rate|{site}|{quarter}",
                key("jobs", site, quarter),
                key("clients", site, quarter),
            )
            derived.append(
                DerivedFigure.percentage(rate, f"{site}, {quarter}, job entry rate", jobs, clients)
            )
            specs.append((rate, {jobs: 1}, {clients: 1}, 1, Fraction(100)))
    return derived, specs


def test_with_rounding_to_5_rates_are_computed_from_the_rounded_figures_and_give_nothing_away() -> None:
    rules = ProtectionRules(round_to=5)
    derived, specs = rate_specs(ROUNDED_CLIENTS.counts, ROUNDED_CLIENTS.columns)
    release = linked(ROUNDED_CLIENTS, ROUNDED_JOBS, derived=derived)

    protection = protect_release(release, values_of(ROUNDED_CLIENTS, ROUNDED_JOBS), rules)

    assert protection.shown[key("clients", "Leeds", "Q1")] == 25  # 23, rounded
    assert all(value == SUPPRESSED or value % 5 == 0 for value in protection.shown.values())
    # PublishedRate checks each shown rate is the rate of the rounded figures shown beside it.
    programme = reads(
        intruder(),
        protection,
        ROUNDED_CLIENTS,
        ROUNDED_JOBS,
        rounding=5,
        rates=rates_shown(protection, specs),
    )
    assert programme.failures() == {}
    assert protection.passed


def test_unrounded_rates_beside_rounded_counts_undo_the_rounding() -> None:
    rules = ProtectionRules(round_to=5)
    derived, specs = rate_specs(ROUNDED_CLIENTS.counts, ROUNDED_CLIENTS.columns)
    release = linked(ROUNDED_CLIENTS, ROUNDED_JOBS, derived=derived)
    values = values_of(ROUNDED_CLIENTS, ROUNDED_JOBS)
    protection = protect_release(release, values, rules)
    exact = derived_values(release, values, dict(values), ProtectionRules(withhold_small_shares=False))
    leaky = [
        PublishedRate(name, numerator, denominator, exact[name], places, scale, from_shown=False)
        for name, numerator, denominator, places, scale in specs
    ]

    failures = reads(
        intruder(), protection, ROUNDED_CLIENTS, ROUNDED_JOBS, rounding=5, rates=leaky
    ).failures()

    assert failures[key("jobs", "Leeds", "Q1")] == ("exact", 4, 4)  # 4 of 23: 17.4%


# --- releases that overlap ---------------------------------------------------------------------------------

QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
COUNTS = {"A": [3, 14, 20, 11], "B": [25, 18, 30, 22], "C": [16, 27, 15, 19]}
FIRST = Table(
    "people", {site: counts[:3] for site, counts in COUNTS.items()}, QUARTERS[:3], column_total="Q1-Q3"
)
SECOND = Table("people", COUNTS, QUARTERS, column_total="Q1-Q4")


def test_two_overlapping_releases_protected_together_give_nothing_away() -> None:
    first = protect_release(linked(FIRST), FIRST.values())
    second = protect_release(linked(SECOND), SECOND.values(), earlier=first.knowledge)

    programme = reads(reads(intruder(), first, FIRST), second, SECOND)

    assert programme.failures() == {}
    assert first.passed and second.passed
    assert suppressed(first) & set(SECOND.values()) <= suppressed(second), "earlier [c] carried forward"


def test_two_overlapping_releases_protected_one_by_one_give_a_c_away() -> None:
    """Protected alone, the second release shows A's Q2 (14), which the first hid to protect A's Q1 (3):
    the first's total for A (37) less 14 and 20 is 3."""
    first = protect_release(linked(FIRST), FIRST.values())
    second_alone = protect_release(linked(SECOND), SECOND.values())

    programme = reads(reads(intruder(), first, FIRST), second_alone, SECOND)

    assert programme.failures()[key("people", "A", "Q1")] == ("exact", 3, 3)


def test_what_a_release_told_the_intruder_survives_storage() -> None:
    first = protect_release(linked(FIRST), FIRST.values())
    stored = Knowledge.from_json(first.knowledge.as_json())

    second = protect_release(linked(SECOND), SECOND.values(), earlier=stored)
    again = protect_release(linked(SECOND), SECOND.values(), earlier=first.knowledge)

    assert second.shown == again.shown


def test_a_c_an_earlier_release_gave_away_is_reported_and_the_release_refused() -> None:
    """An earlier release printed the rate (21.4%) from the true values beside A's Q1 [c] of 3 of 14."""
    table = Table("people", {"A": [3, 14], "B": [25, 18]}, ["Q1", "Q2"])
    jobs, clients = key("people", "A", "Q1"), "clients|A|Q1"
    earlier = Knowledge(
        {jobs: Quantity(jobs, "A, Q1, job entries"), clients: Quantity(clients, "A, Q1, clients engaged")},
        (
            Fact.exact(Linear.of(clients), 14, "release 1: A, Q1, clients engaged (14)"),
            *Fact.ratio(
                Linear.of(jobs),
                Linear.of(clients),
                Decimal("21.4"),
                1,
                "release 1: A, Q1, rate (21.4)",
                scale=100,
            ),
        ),
        frozenset({jobs}),
    )

    protection = protect_release(linked(table), table.values(), earlier=earlier)

    assert not protection.passed
    assert protection.already_disclosed == {jobs}
    refusal = protection.report().refusal()
    assert refusal is not None
    assert "A, Q1, people: could be worked out as exactly 3 from release 1: A, Q1, rate (21.4)." in refusal


# --- the rules for derived figures ------------------------------------------------------------------------


def test_percentages_and_means_use_their_own_denominators() -> None:
    figures = (
        Figure("base", "Clients engaged", shown=False),
        Figure("part", "Job entries", shown=False),
        Figure("big_base", "Clients engaged, all sites"),
        Figure("big_part", "Job entries, all sites"),
        Figure("cost", "Cost", Kind.AMOUNT),
    )
    derived = (
        DerivedFigure.percentage("small_base", "Rate over 8", "part", "base"),
        DerivedFigure.percentage("small_share", "Rate 35 of 40", "big_part", "big_base"),
        DerivedFigure.mean("mean_small", "Cost per client over 8", "cost", "base", scale=Fraction(1, 100)),
        DerivedFigure.mean("mean_big", "Cost per client over 40", "cost", "big_base", scale=Fraction(1, 100)),
    )
    release = LinkedRelease(figures, (), derived)
    values = {"base": 8, "part": 4, "big_base": 40, "big_part": 35, "cost": 100_000}
    shown = shown_values(release, values, set(), ProtectionRules())

    result = derived_values(release, values, shown, ProtectionRules())

    assert result == {
        "small_base": SUPPRESSED,  # a base of 8 people
        "small_share": SUPPRESSED,  # 5 of the 40 are not job entries
        "mean_small": SUPPRESSED,
        "mean_big": Decimal("25.00"),
    }
    assert derived_values(release, values, shown, ProtectionRules(withhold_small_shares=False))[
        "small_share"
    ] == Decimal("87.5")


def test_a_derived_figure_over_an_unshown_count_becomes_a_fact_the_intruder_holds() -> None:
    figures = (Figure("base", "Clients engaged"), Figure("part", "Job entries", shown=False))
    release = LinkedRelease(figures, (), (DerivedFigure.percentage("rate", "Rate", "part", "base"),))
    values = {"base": 40, "part": 12}
    shown = shown_values(release, values, set(), ProtectionRules())
    derived = derived_values(release, values, shown, ProtectionRules())

    knowledge = published_knowledge(release, shown, derived, ProtectionRules())

    assert derived["rate"] == Decimal("30.0")
    assert any(fact.source == "Rate (30.0)" for fact in knowledge.facts)


def test_counts_of_records_and_amounts_are_never_suppressed_or_rounded() -> None:
    figures = (
        Figure("activities", "Activities", Kind.RECORDS),
        Figure("cost", "Cost", Kind.AMOUNT),
        Figure("people", "People reached"),
    )
    release = LinkedRelease(figures)

    protection = protect_release(
        release, {"activities": 3, "cost": 1_234, "people": 13}, ProtectionRules(round_to=5)
    )

    assert protection.shown == {"activities": 3, "cost": 1_234, "people": 15}


def test_a_shown_rounded_count_tells_the_intruder_it_is_not_below_the_threshold() -> None:
    figures = (Figure("ten", "Ten"), Figure("zero", "Zero"), Figure("fifteen", "Fifteen"))
    release = LinkedRelease(figures)
    rules = ProtectionRules(round_to=5)
    shown = shown_values(release, {"ten": 11, "zero": 0, "fifteen": 16}, set(), rules)

    facts = {
        fact.source: (fact.lower, fact.upper) for fact in published_knowledge(release, shown, {}, rules).facts
    }

    assert facts == {
        "Ten (10, rounded)": (10, 12),
        "Zero (0, rounded)": (0, 0),
        "Fifteen (15, rounded)": (13, 17),
    }


# --- what the report says ----------------------------------------------------------------------------------


def test_the_notes_officials_read_never_say_how_many_c_are_below_the_threshold() -> None:
    protection = protect_release(linked(ONE_SMALL_CELL), ONE_SMALL_CELL.values())
    report = protection.report()

    official = " ".join(report.official_notes())
    evaluator = " ".join(report.evaluator_notes())

    assert f"{report.suppressed} counts shown as [c]" in official
    assert "below the threshold" not in official and "to protect them" not in official
    assert f"{report.primary} below the threshold and {report.secondary} to protect them" in evaluator
    assert report.primary == 1 and report.secondary >= 3
    assert report.refusal() is None


def test_protection_is_deterministic() -> None:
    first = protect_release(linked(TWO_SMALL_CELLS), TWO_SMALL_CELLS.values())
    second = protect_release(linked(TWO_SMALL_CELLS), TWO_SMALL_CELLS.values())

    assert first.shown == second.shown


@pytest.mark.parametrize("round_to", [None, 5])
def test_random_tables_are_protected(round_to: int | None) -> None:
    generator = random.Random(round_to or 1)
    for attempt in range(4):
        rows, columns = generator.randint(2, 5), generator.randint(2, 5)
        table = Table(
            "people",
            {
                f"S{row}": [generator.choice([0, 1, 2, 4, 7, 9, 11, 14, 20, 35]) for _ in range(columns)]
                for row in range(rows)
            },
            [f"Q{column}" for column in range(columns)],
        )

        protection = protect_release(linked(table), table.values(), ProtectionRules(round_to=round_to))

        assert protection.passed, attempt
        assert reads(intruder(), protection, table, rounding=round_to).failures() == {}, attempt
