"""The audit: for every [c], the smallest and largest value an intruder holding every published figure could
give it, and whether that gives it away (EXACT, EXISTENCE, NARROW) or not (SAFE)."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import linprog

from evidence_hub.services.releases.intruder import (
    Fact,
    Knowledge,
    KnowledgeError,
    Linear,
    Quantity,
    Verdict,
    Witnesses,
    audit,
    audit_knowledge,
    verdict_for,
)


def quantities(*keys: str) -> dict[str, Quantity]:
    return {key: Quantity(key, key.replace("_", " ").capitalize()) for key in keys}


def row(total: int, cells: dict[str, int | None], name: str = "the total") -> list[Fact]:
    """A row whose total is shown: the relation, the total, and every shown cell (None: [c])."""
    facts = [
        Fact.exact(Linear.total(cells) - Linear.of("total"), 0, name),
        Fact.exact(Linear.of("total"), total, name),
    ]
    facts += [
        Fact.exact(Linear.of(key), value, f"{key} ({value})")
        for key, value in cells.items()
        if value is not None
    ]
    return facts


def brute_force_intervals(keys: list[str], facts: list[Fact], largest: int) -> dict[str, tuple[int, int]]:
    """Every whole-number assignment from 0 to ``largest``: the smallest and largest value of each key
    among those every fact holds for. Independent of the audit; whole coefficients and tiny cases only."""
    axes = np.meshgrid(*[np.arange(largest + 1, dtype=np.int64)] * len(keys), indexing="ij")
    points = np.stack(axes, axis=-1).reshape(-1, len(keys))
    holds = np.ones(len(points), dtype=bool)
    for fact in facts:
        value = np.full(len(points), int(fact.expression.constant))
        for key, coefficient in fact.expression.terms:
            assert coefficient.denominator == 1
            value += int(coefficient) * points[:, keys.index(key)]
        if fact.lower is not None:  # the value is whole: compare with whole numbers
            lower = math.floor(fact.lower) + 1 if fact.lower_strict else math.ceil(fact.lower)
            holds &= value >= lower
        if fact.upper is not None:
            upper = math.ceil(fact.upper) - 1 if fact.upper_strict else math.floor(fact.upper)
            holds &= value <= upper
    possible = points[holds]
    return {key: (int(possible[:, i].min()), int(possible[:, i].max())) for i, key in enumerate(keys)}


# --- verdicts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (3, 3, Verdict.EXACT),
        (0, 0, Verdict.EXACT),
        (2, 7, Verdict.EXISTENCE),
        (1, 9, Verdict.EXISTENCE),
        (0, 9, Verdict.NARROW),
        (2, 11, Verdict.NARROW),
        (0, 10, Verdict.SAFE),
        (2, 12, Verdict.SAFE),
        (0, None, Verdict.SAFE),
        (None, 4, Verdict.SAFE),
    ],
)
def test_verdicts_follow_the_threshold(lower: int | None, upper: int | None, expected: Verdict) -> None:
    assert verdict_for(lower, upper, 10) is expected


def test_a_single_c_in_a_row_with_its_total_is_worked_out_exactly() -> None:
    facts = row(45, {"leeds_q1": 20, "leeds_q2": None, "leeds_q3": 22}, "Leeds, all periods (45)")

    result = audit(quantities("leeds_q1", "leeds_q2", "leeds_q3", "total"), facts, ["leeds_q2"], 10)

    cell = result.cells["leeds_q2"]
    assert (cell.verdict, cell.lower, cell.upper) == (Verdict.EXACT, 3, 3)
    assert cell.reason == "Leeds q2: could be worked out as exactly 3 from Leeds, all periods (45)"
    assert not result.passed


def test_two_c_adding_up_to_less_than_the_threshold_are_narrow_because_counts_are_never_negative() -> None:
    facts = row(37, {"a": 4, "b": None, "c": None, "d": 26})  # b + c = 7

    result = audit(quantities("a", "b", "c", "d", "total"), facts, ["b", "c"], 10)

    for key in ("b", "c"):
        cell = result.cells[key]
        assert (cell.verdict, cell.lower, cell.upper) == (Verdict.NARROW, 0, 7)
        assert "knowing that counts and amounts are never negative" in cell.reason


def test_a_published_total_pinning_a_c_between_1_and_9_shows_a_small_group_exists() -> None:
    # b + c = 12 and c <= 10 (another fact): b is 2 to 12 and at least 2 people are known to be there.
    facts = [
        *row(40, {"a": 28, "b": None, "c": None}),
        Fact.between(Linear.of("c"), 0, 10, "c's column"),
        Fact.between(Linear.of("b"), 0, 8, "b's column"),
    ]

    cell = audit(quantities("a", "b", "c", "total"), facts, ["b"], 10).cells["b"]

    assert (cell.verdict, cell.lower, cell.upper) == (Verdict.EXISTENCE, 2, 8)
    assert "so a small group is known to exist" in cell.reason


def test_two_c_adding_up_to_the_threshold_or_more_are_safe() -> None:
    facts = row(40, {"a": 30, "b": None, "c": None})  # b + c = 10

    result = audit(quantities("a", "b", "c", "total"), facts, ["b", "c"], 10, exact_intervals=True)

    assert result.passed
    assert (result.cells["b"].lower, result.cells["b"].upper) == (0, 10)


def test_a_c_nothing_links_to_anything_else_is_safe() -> None:
    result = audit(quantities("a"), [], ["a"], 10)

    assert result.cells["a"].verdict is Verdict.SAFE
    assert (result.cells["a"].lower, result.cells["a"].upper) == (0, None)


# --- rates, unit costs and rounding ------------------------------------------------------------------------


def test_a_rate_printed_beside_a_c_gives_it_away() -> None:
    # Job entries [c] beside 14 clients engaged and a rate of 21.4%: 3 / 14 = 21.43%.
    facts = [
        Fact.exact(Linear.of("clients"), 14, "Leeds, 2010 Q2, clients engaged (14)"),
        *Fact.ratio(
            Linear.of("jobs"),
            Linear.of("clients"),
            Decimal("21.4"),
            1,
            "the rate beside it (21.4)",
            scale=100,
        ),
    ]

    cell = audit(quantities("jobs", "clients"), facts, ["jobs"], 10).cells["jobs"]

    assert (cell.verdict, cell.lower) == (Verdict.EXACT, 3)
    assert cell.reason == "Jobs: could be worked out as exactly 3 from the rate beside it (21.4)"


def test_a_unit_cost_beside_an_exact_cost_gives_a_count_away() -> None:
    # £12,345.67 spent on a [c] of clients at £1,763.67 a client: 7 clients.
    facts = [
        Fact.exact(Linear.of("cost"), 1_234_567, "the cost (£12,345.67)"),
        *Fact.ratio(
            Linear.of("cost"),
            Linear.of("clients"),
            Decimal("1763.67"),
            2,
            "cost per client",
            scale=Fraction(1, 100),
        ),
    ]

    cell = audit(quantities("cost", "clients"), facts, ["clients"], 10).cells["clients"]

    assert (cell.verdict, cell.lower) == (Verdict.EXACT, 7)


def test_rounding_to_5_is_undone_by_an_unrounded_rate_beside_it() -> None:
    # Shown: 25 clients (really 23: 23 to 27 after rounding) and 10 job entries (really 12: 10 to 12, since
    # 8 or 9 would be [c]), with the rate from the true values, 52.2%. Only 12 / 23 gives 52.2%.
    facts = [
        Fact.between(Linear.of("clients"), 23, 27, "clients (25, rounded)"),
        Fact.between(Linear.of("jobs"), 10, 12, "job entries (10, rounded)"),
        *Fact.ratio(
            Linear.of("jobs"), Linear.of("clients"), Decimal("52.2"), 1, "the rate (52.2)", scale=100
        ),
    ]

    result = audit(quantities("jobs", "clients"), facts, ["jobs", "clients"], 10)

    assert (result.cells["jobs"].verdict, result.cells["jobs"].lower) == (Verdict.EXACT, 12)
    assert (result.cells["clients"].verdict, result.cells["clients"].lower) == (Verdict.EXACT, 23)


def test_a_rounded_count_is_known_within_half_the_base_either_side() -> None:
    facts = [Fact.rounded(Linear.of("a"), 15, 5, "a (15, rounded)")]

    cell = audit(quantities("a"), facts, ["a"], 10).cells["a"]

    assert (cell.lower, cell.upper) == (13, 17)


def test_a_rate_is_read_as_the_interval_that_rounds_to_it() -> None:
    """Rounded half up to one place, a rate shown as 33.3 lies in [33.25, 33.35): 33.35 is shown as 33.4."""
    shown = Fact.ratio(Linear.of("n"), Linear.of("d"), Decimal("33.3"), 1, "rate (33.3)", scale=100)

    assert all(fact.holds_for({"n": 1, "d": 3}) for fact in shown)  # 33.33...
    assert all(fact.holds_for({"n": 133, "d": 400}) for fact in shown)  # 33.25, the closed end
    assert not all(fact.holds_for({"n": 667, "d": 2000}) for fact in shown)  # 33.35, the open end
    assert not all(fact.holds_for({"n": 0, "d": 0}) for fact in shown)  # no rate of nobody

    # 33.45 <= 100 × jobs / 200 < 33.55: jobs from 66.9 to just under 67.1, so 67 and nothing else.
    facts = [
        Fact.exact(Linear.of("clients"), 200, "clients (200)"),
        *Fact.ratio(Linear.of("jobs"), Linear.of("clients"), Decimal("33.5"), 1, "rate (33.5)", scale=100),
    ]
    cell = audit(quantities("jobs", "clients"), facts, ["jobs"], 10).cells["jobs"]
    assert (cell.verdict, cell.lower) == (Verdict.EXACT, 67)


# --- LP or integer programme -------------------------------------------------------------------------------


def test_the_integer_programme_narrows_what_the_linear_programme_would_pass() -> None:
    """£10 a client for service a, £3 for service b, £100 in all: as fractions a could be 0 to 10 (width
    10, SAFE at a threshold of 10), but as whole numbers only 1, 4, 7 or 10 (width 9: NARROW)."""
    facts = [Fact.exact(Linear.of("a", 10) + Linear.of("b", 3), 100, "the total cost (£100)")]

    relaxed_low = linprog([1, 0], A_eq=[[10, 3]], b_eq=[100], bounds=(0, None), method="highs").fun
    relaxed_high = -linprog([-1, 0], A_eq=[[10, 3]], b_eq=[100], bounds=(0, None), method="highs").fun
    assert (relaxed_low, relaxed_high) == (0, 10)
    assert verdict_for(0, 10, 10) is Verdict.SAFE, "the linear programme alone would let it through"

    result = audit(quantities("a", "b"), facts, ["a"], 10)

    cell = result.cells["a"]
    assert (cell.verdict, cell.lower, cell.upper) == (Verdict.NARROW, 1, 10)
    assert result.milp_solves >= 1
    assert brute_force_intervals(["a", "b"], facts, 34)["a"] == (1, 10)


def test_the_audit_agrees_with_brute_force_on_small_random_systems() -> None:
    generator = random.Random(11)
    for _ in range(12):
        truth = {key: generator.randint(0, 3) for key in "abcd"}
        facts = []
        for _fact in range(3):
            weights = {key: generator.choice([0, 1, 1, 2, 3]) for key in "abcd"}
            expression = Linear.combine({key: Fraction(weight) for key, weight in weights.items()})
            value = expression.evaluate(truth)
            facts.append(Fact.between(expression, value - generator.randint(0, 2), value, "a total"))
        facts.append(Fact.between(Linear.total("abcd"), None, 12, "everyone"))
        result = audit(quantities(*"abcd"), facts, list("abcd"), 4, exact_intervals=True)
        expected = brute_force_intervals(list("abcd"), facts, 12)
        assert {key: (cell.lower, cell.upper) for key, cell in result.cells.items()} == expected


def test_proving_safe_from_seen_solutions_gives_the_verdicts_of_solving_every_bound() -> None:
    generator = np.random.default_rng(5)
    counts = generator.poisson(8, size=(12, 6))
    cells = {f"r{i}c{j}": int(counts[i, j]) for i in range(12) for j in range(6)}
    hidden = {name for name, value in cells.items() if value < 10 or generator.random() < 0.2}
    facts = []
    for i in range(12):
        names = [f"r{i}c{j}" for j in range(6)]
        facts.append(Fact.exact(Linear.total(names), sum(cells[name] for name in names), f"row {i}"))
    for j in range(6):
        names = [f"r{i}c{j}" for i in range(12)]
        facts.append(Fact.exact(Linear.total(names), sum(cells[name] for name in names), f"column {j}"))
    facts += [Fact.exact(Linear.of(name), value, name) for name, value in cells.items() if name not in hidden]

    quick = audit(quantities(*cells), facts, hidden, 10)
    thorough = audit(quantities(*cells), facts, hidden, 10, exact_intervals=True)

    assert {key: cell.verdict for key, cell in quick.cells.items()} == {
        key: cell.verdict for key, cell in thorough.cells.items()
    }
    assert quick.lp_solves < thorough.lp_solves
    for key, cell in quick.cells.items():
        exact = thorough.cells[key]
        assert exact.lower is not None and cell.lower is not None
        assert exact.lower <= cell.lower and (exact.upper is None or cell.upper <= exact.upper)


def test_witnesses_carry_over_to_an_audit_with_fewer_facts() -> None:
    facts = row(40, {"a": 30, "b": None, "c": None})
    witnesses = Witnesses()
    audit(quantities("a", "b", "c", "total"), facts, ["b", "c"], 10, witnesses=witnesses)

    fewer = [fact for fact in facts if fact.source != "a (30)"]
    again = audit(quantities("a", "b", "c", "total"), fewer, ["a", "b", "c"], 10, witnesses=witnesses)

    assert again.passed
    assert witnesses.spread("b") >= 10


# --- knowledge ---------------------------------------------------------------------------------------------


def test_knowledge_survives_a_round_trip_through_json() -> None:
    knowledge = Knowledge(
        quantities("jobs", "clients"),
        (
            Fact.exact(Linear.of("clients"), 14, "clients (14)"),
            *Fact.ratio(Linear.of("jobs"), Linear.of("clients"), Decimal("21.4"), 1, "rate", scale=100),
        ),
        frozenset({"jobs"}),
    )

    restored = Knowledge.from_json(knowledge.as_json())

    assert restored == knowledge
    assert audit_knowledge(restored, 10).cells["jobs"].lower == 3


def test_knowledge_from_several_releases_merges() -> None:
    first = Knowledge(quantities("a"), (Fact.exact(Linear.of("a"), 4, "a"),), frozenset({"a"}))
    second = Knowledge(quantities("b"), (), frozenset({"b"}))

    merged = first.merged(second)

    assert set(merged.quantities) == {"a", "b"}
    assert merged.suppressed == {"a", "b"}
    assert len(merged.facts) == 1


def test_facts_that_contradict_each_other_are_refused() -> None:
    facts = [Fact.exact(Linear.of("a"), 4, "one"), Fact.exact(Linear.of("a"), 5, "another")]

    with pytest.raises(KnowledgeError, match="contradict"):
        audit(quantities("a"), facts, ["a"], 10)


def test_a_fact_about_an_unknown_quantity_is_refused() -> None:
    with pytest.raises(KnowledgeError, match="unknown quantity 'b'"):
        audit(quantities("a"), [Fact.exact(Linear.of("b"), 1, "b")], ["a"], 10)


def test_quantities_that_can_be_negative_have_no_lower_limit() -> None:
    change = {"change": Quantity("change", "Change from baseline", lower=None)}

    cell = audit(change, [Fact.between(Linear.of("change"), None, 3, "at most 3")], ["change"], 10).cells[
        "change"
    ]

    assert (cell.lower, cell.upper, cell.verdict) == (None, 3, Verdict.SAFE)
