"""The intruder model, and the audit that asks what an intruder could work out about every [c].

Who the intruder is. Someone who wants to learn about the people behind a suppressed count ([c]) and who
holds, and combines, everything ever published for the framework:

- every figure of every release of the framework, withdrawn ones included (a withdrawn release was read
  and downloaded before it was withdrawn): every table, total, rate, share, unit cost, mean, change from
  baseline and cost per outcome, in every form it was given out (pages, files, the API, the summary's
  sentences, the notes);
- how the figures are made: which totals add up which cells, and the formulas of derived figures (the data
  dictionary says that a rate is "job entries ÷ clients engaged × 100"), and that a figure covering
  Q1–Q4 is its Q1–Q3 figure plus its Q4 figure;
- the rules: the threshold below which a count of people is shown as [c], and the base counts are rounded
  to, with the way rounding and decimal places work (a count shown as 15 after rounding to 5 is 13 to 17;
  a rate shown as 33.3 lies in [33.25, 33.35));
- that the hidden values are whole numbers of zero or more (people, records, pence), so a [c] beside a
  row of published counts is never negative and never a fraction.

What the intruder does not know: which [c] are below the threshold and which were suppressed to protect
them (the notes officials read never say), and the true values. We assume the intruder does not rerun our
choice of secondary suppressions against guesses of the true values (the choice is deterministic, so in
principle that could narrow things further); and that a rule with two sides ("shown, so it is 0 or at
least 10") is used only as far as it is linear (see ``Fact``; ``protection.published_knowledge`` folds the
two sides into an interval wherever the published figure decides which side holds).

How that becomes mathematics. Every value the releases are about is an unknown whole number (a
``Quantity``). Everything the intruder holds is a ``Fact``: a linear expression over quantities known to lie
in an interval, each end open or closed. A published count is an exact fact; a rounded count an interval; a
total says "total - the sum of its parts = 0"; a rate or unit cost printed to some decimal places says
lo·denominator ≤ scale·numerator < hi·denominator, which is linear in the two unknowns (``Fact.ratio``).

The audit. For every [c], the smallest and largest value it can take over all whole-number solutions of
the intruder's facts: an integer programme, solved with HiGHS through scipy (nothing here solves anything
itself). Verdicts (``Verdict``), worst first:

- EXACT: one value only.
- EXISTENCE: every possible value lies in 1 to threshold - 1, so a small non-empty group is known to exist.
- NARROW: the interval is narrower than the threshold (upper - lower < threshold). Two [c] that must add up
  to 9 are each "0 to 9": the pair is a group of 9 people given away whole.
- SAFE: none of these.

LP or integer programme. The linear programme (the same facts with fractional values allowed) is much
faster, but its interval can only be wider than the integer one, so an LP interval that passes may hide an
integer interval that fails (the tests hold such a case: £10 × a + £3 × b = £100 lets a be anything from 0
to 10 as a fraction, but only 1, 4, 7 or 10 as a whole number). The audit therefore never accepts an LP
bound on its own: for each bound it solves the LP, and when the LP's optimal vertex is a whole-number point
that satisfies every fact (checked in exact integer arithmetic, not trusted from the solver), that point
proves the integer programme has the same optimum; otherwise it solves the integer programme (``milp``, zero
gap). For tables whose only facts are totals, published and rounded counts, the constraint matrix is
totally unimodular (even across nested period ranges: two laminar families of sums), every LP vertex is
whole, and the integer programme is rarely needed; rates, unit costs and mixed money totals break that and
are solved as integer programmes.

Speed. Facts that leave one unknown fix or bound it directly (a published cell is a constant); the rest
split into components that share no unknown, and each is solved on its own. Within a component the audit
keeps, for every quantity, the lowest and highest value seen in any verified whole-number solution
(``Witnesses``). A [c] whose seen values are ``threshold`` or more apart is SAFE without a solve of its
own: the two solutions prove its interval is at least that wide (``CellAudit.exact`` is then False). Two
solves (every [c] as low as it can go, then as high) give each [c] values seen; then groups of [c] are
lifted together, one solve maximising the sum over the group of min(rise above the lowest seen,
threshold), and every [c] risen that far is proven (some 4,000 [c] of a 150-site × 20-quarter release in
about 50 solves). Only the [c] left, which are the ones that may fail, are solved bound by bound.
Witnesses stay valid as long as facts are only taken away (suppressing more, withholding more), which is
how ``protection`` uses them across its rounds.

What is audited: every [c] asked about, those below the threshold and those suppressed to protect them
alike, since an official cannot tell them apart.

What is kept out of the intruder's reach instead of audited. The value for money (Green Book appraisal) is
worked out from the exact returns with published parameters (deflators, discount rates, unit values), so
every figure of it built on counts (unit costs, benefits = outcomes × unit values, net present value,
benefit–cost ratio, payback, switching values, the roll-out projection's benefits) is withheld for a site
whose counts the release does not show exactly, and for all sites together when any site's are
(``value_for_money_block``): what is left is a function of figures the release shows, and adds no fact.
A percentage the framework declares no formula for is withheld (``linked_tables``): its base is unknown.
The impact section's estimates come from published statistics for areas, not the returns: no [c] is among
their inputs. Figures of other units printed as reported (hours, days, scores with no formula) are outside
the model.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any, Final, NamedTuple

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, hstack, vstack

Number = int | Fraction | Decimal

NEVER_NEGATIVE: Final = "counts and amounts are never negative"
# How far a solver's value may sit from a whole number and still be read as that whole number. The point
# is then checked exactly, so this only decides which points are worth checking.
WHOLE_TOLERANCE: Final = 1e-6
# Solves for many [c] at once (see _ComponentSolve.spread and widen) when at least this many are left to
# prove (a solve of their own costs two solves each); lifted groups are never cut smaller than this.
SPREAD_FROM: Final = 4
# Groups lifted together start at this many [c] for each fact of the component.
LIFT_GROUP: Final = 4
# HiGHS's dual simplex returns a vertex (a basic solution), which is what makes whole-number optima likely.
LP_METHOD: Final = "highs-ds"
# A dual value (marginal) smaller than this is read as zero: the fact does not hold the optimum where it is.
DUAL_TOLERANCE: Final = 1e-9


class KnowledgeError(ValueError):
    """Facts that contradict each other or the quantities they are about: a mistake in how they were
    written down, never something a release can publish."""


class Verdict(StrEnum):
    EXACT = "exact"
    EXISTENCE = "existence"
    NARROW = "narrow"
    SAFE = "safe"


def verdict_for(lower: int | None, upper: int | None, threshold: int) -> Verdict:
    """The verdict on a [c] the intruder can place anywhere from ``lower`` to ``upper`` (None: no limit)."""
    if lower is None or upper is None:
        return Verdict.SAFE
    if lower == upper:
        return Verdict.EXACT
    if lower >= 1 and upper <= threshold - 1:
        return Verdict.EXISTENCE
    if upper - lower < threshold:
        return Verdict.NARROW
    return Verdict.SAFE


# --- what the intruder holds -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value the releases are about, unknown to the intruder: a whole number in its own unit (people,
    records, pence), never below ``lower`` (0 for counts and money; None for a value that can be negative).
    ``label`` names it in plain English, e.g. "Leeds, 2010 Q2, job entries"."""

    key: str
    label: str
    lower: int | None = 0

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "lower": self.lower}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Quantity:
        return cls(data["key"], data["label"], data["lower"])


@dataclass(frozen=True, slots=True)
class Linear:
    """A linear expression over quantities: the sum of coefficient × quantity, plus a constant."""

    terms: tuple[tuple[str, Fraction], ...] = ()
    constant: Fraction = Fraction(0)

    @classmethod
    def of(cls, key: str, coefficient: Number = 1) -> Linear:
        if coefficient == 1 and type(coefficient) is int:  # most facts: a figure as shown, made by the 10,000
            return cls(((key, _ONE),), _ZERO)
        return cls.combine({key: _fraction(coefficient)})

    @classmethod
    def total(cls, keys: Iterable[str]) -> Linear:
        coefficients: dict[str, Fraction] = defaultdict(Fraction)
        for key in keys:
            coefficients[key] += 1
        return cls.combine(coefficients)

    @classmethod
    def combine(cls, coefficients: Mapping[str, Fraction], constant: Number = 0) -> Linear:
        """The expression with these coefficients, in key order, zeros dropped."""
        terms = tuple((key, value) for key, value in sorted(coefficients.items()) if value)
        return cls(terms, _fraction(constant))

    def quantities(self) -> tuple[str, ...]:
        """The keys of the quantities the expression is about."""
        return tuple(key for key, _ in self.terms)

    def coefficients(self) -> dict[str, Fraction]:
        return dict(self.terms)

    def __add__(self, other: Linear | Number) -> Linear:
        if not isinstance(other, Linear):
            return Linear(self.terms, self.constant + _fraction(other))
        coefficients: dict[str, Fraction] = defaultdict(Fraction, self.terms)
        for key, value in other.terms:
            coefficients[key] += value
        return Linear.combine(coefficients, self.constant + other.constant)

    def __radd__(self, other: Number) -> Linear:
        return self + other

    def __neg__(self) -> Linear:
        return self * -1

    def __sub__(self, other: Linear | Number) -> Linear:
        return self + (-other)

    def __mul__(self, factor: Number) -> Linear:
        factor = _fraction(factor)
        return Linear.combine({key: value * factor for key, value in self.terms}, self.constant * factor)

    def __rmul__(self, factor: Number) -> Linear:
        return self * factor

    def evaluate(self, values: Mapping[str, Number]) -> Fraction:
        return self.constant + sum((value * _fraction(values[key]) for key, value in self.terms), Fraction(0))

    def substitute(self, values: Mapping[str, Number]) -> Linear:
        """The expression with the quantities in ``values`` replaced by those values."""
        kept = {key: value for key, value in self.terms if key not in values}
        constant = self.constant + sum(
            (value * _fraction(values[key]) for key, value in self.terms if key in values), Fraction(0)
        )
        return Linear.combine(kept, constant)

    def as_json(self) -> dict[str, Any]:
        return {"terms": [[key, str(value)] for key, value in self.terms], "constant": str(self.constant)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Linear:
        return cls.combine({key: Fraction(value) for key, value in data["terms"]}, Fraction(data["constant"]))


@dataclass(frozen=True)
class Fact:
    """Something the intruder knows: ``expression`` lies between ``lower`` and ``upper`` (None: no limit on
    that side; ``*_strict``: that end is excluded). ``source`` says in plain English where the intruder got
    it, e.g. "the total for Leeds, all periods (45)"; the audit quotes it when a [c] is given away."""

    expression: Linear
    lower: Fraction | None
    upper: Fraction | None
    source: str
    lower_strict: bool = False
    upper_strict: bool = False

    @classmethod
    def exact(cls, expression: Linear, value: Number, source: str) -> Fact:
        return cls(expression, _fraction(value), _fraction(value), source)

    @classmethod
    def between(cls, expression: Linear, lower: Number | None, upper: Number | None, source: str) -> Fact:
        return cls(
            expression,
            None if lower is None else _fraction(lower),
            None if upper is None else _fraction(upper),
            source,
        )

    @classmethod
    def rounded(cls, expression: Linear, shown: int, base: int, source: str) -> Fact:
        """``expression`` was rounded half up to the nearest multiple of ``base`` and shown as ``shown``:
        it lies in [shown - base/2, shown + base/2)."""
        half = Fraction(base, 2)
        return cls(expression, shown - half, shown + half, source, upper_strict=True)

    @classmethod
    def ratio(
        cls,
        numerator: Linear,
        denominator: Linear,
        shown: Number,
        places: int,
        source: str,
        *,
        scale: Number = 1,
    ) -> tuple[Fact, ...]:
        """A figure ``scale × numerator ÷ denominator`` printed rounded half up (away from zero) to
        ``places`` decimal places as ``shown``; the denominator is positive whenever such a figure is
        printed. Multiplying through by the denominator makes each end linear:
        (shown - h) × denominator ≤ scale × numerator < (shown + h) × denominator, h = half a unit in the
        last place (ends open or closed by the side the rounding went; 0 is (-h, h))."""
        value, half, factor = _fraction(shown), Fraction(1, 2 * 10**places), _fraction(scale)
        scaled = numerator * factor
        low_end = scaled - denominator * (value - half)
        high_end = scaled - denominator * (value + half)
        return (
            cls(low_end, Fraction(0), None, source, lower_strict=value <= 0),
            cls(high_end, None, Fraction(0), source, upper_strict=value >= 0),
            cls(denominator, Fraction(0), None, source, lower_strict=True),
        )

    @cached_property
    def _compiled(self) -> _Row:
        """The fact scaled to whole coefficients. The expression's value is then a whole number, so an open
        end becomes the next whole number inside it: exact, not an approximation. Kept with the fact, since
        protection audits the same facts round after round."""
        terms = self.expression.terms
        if len(terms) == 1 and terms[0][1] == 1 and self.expression.constant == 0:
            # One quantity as it is (a figure as shown): its ends are the whole numbers inside them.
            return _Row(
                (terms[0][0],),
                (1,),
                _inner_end(self.lower, self.lower_strict, up=True),
                _inner_end(self.upper, self.upper_strict, up=False),
                -1,
            )
        coefficients = [value for _, value in terms]
        scale = Fraction(math.lcm(*(value.denominator for value in coefficients)) if coefficients else 1)
        divisor = math.gcd(*(int(value * scale) for value in coefficients)) if coefficients else 1
        scale /= divisor or 1
        lower = upper = None
        if self.lower is not None:
            end = (self.lower - self.expression.constant) * scale
            lower = math.floor(end) + 1 if self.lower_strict else math.ceil(end)
        if self.upper is not None:
            end = (self.upper - self.expression.constant) * scale
            upper = math.ceil(end) - 1 if self.upper_strict else math.floor(end)
        whole = tuple(int(value * scale) for value in coefficients)
        return _Row(self.expression.quantities(), whole, lower, upper, -1)

    def holds_for(self, values: Mapping[str, Number]) -> bool:
        """Whether the fact is true of these values (exact arithmetic)."""
        value = self.expression.evaluate(values)
        if self.lower is not None and (value < self.lower or (self.lower_strict and value == self.lower)):
            return False
        return not (
            self.upper is not None and (value > self.upper or (self.upper_strict and value == self.upper))
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "expression": self.expression.as_json(),
            "lower": None if self.lower is None else str(self.lower),
            "upper": None if self.upper is None else str(self.upper),
            "lower_strict": self.lower_strict,
            "upper_strict": self.upper_strict,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fact:
        return cls(
            Linear.from_json(data["expression"]),
            None if data["lower"] is None else Fraction(data["lower"]),
            None if data["upper"] is None else Fraction(data["upper"]),
            data["source"],
            bool(data["lower_strict"]),
            bool(data["upper_strict"]),
        )


@dataclass(frozen=True)
class Knowledge:
    """What the intruder holds from one or more releases: the quantities they are about, the facts, and
    which quantities they show as [c] (the cells the audit protects)."""

    quantities: Mapping[str, Quantity] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    suppressed: frozenset[str] = frozenset()

    def merged(self, *others: Knowledge) -> Knowledge:
        """One body of knowledge holding this and the others (later labels win for a shared key)."""
        quantities: dict[str, Quantity] = {}
        facts: list[Fact] = []
        suppressed: set[str] = set()
        for knowledge in (self, *others):
            quantities.update(knowledge.quantities)
            facts.extend(knowledge.facts)
            suppressed |= knowledge.suppressed
        return Knowledge(quantities, tuple(facts), frozenset(suppressed))

    def as_json(self) -> dict[str, Any]:
        return {
            "quantities": [quantity.as_json() for quantity in self.quantities.values()],
            "facts": [fact.as_json() for fact in self.facts],
            "suppressed": sorted(self.suppressed),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Knowledge:
        quantities = (Quantity.from_json(item) for item in data["quantities"])
        return cls(
            {quantity.key: quantity for quantity in quantities},
            tuple(Fact.from_json(item) for item in data["facts"]),
            frozenset(data["suppressed"]),
        )


# --- what the audit finds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellAudit:
    """What the intruder can work out about one [c]: every value from ``lower`` to ``upper`` (None: no
    upper limit) is possible as far as the audit looked. With ``exact`` the interval is the intruder's
    whole interval; without it the [c] was proven SAFE before it was solved to the end, and its true
    interval is at least this wide. ``sources`` are the facts that bound it, in plain English, and
    ``rests_on`` every quantity those facts are about (where protection looks for a partner to suppress)."""

    key: str
    label: str
    lower: int | None
    upper: int | None
    verdict: Verdict
    exact: bool
    sources: tuple[str, ...] = ()
    rests_on: frozenset[str] = frozenset()

    @property
    def width(self) -> int | None:
        """How far apart the ends are (None: no limit on one side)."""
        if self.lower is None or self.upper is None:
            return None
        return self.upper - self.lower

    @property
    def reason(self) -> str:
        """One sentence for an evaluator, e.g. "Leeds, 2010 Q2, job entries: could be worked out as exactly
        3 from the total for Leeds, all periods (45) and Leeds, 2010 Q2, rate (6.7)"."""
        given_away = _given_away(self.sources)
        if self.verdict is Verdict.EXACT:
            return f"{self.label}: could be worked out as exactly {self.lower}{given_away}"
        if self.verdict is Verdict.EXISTENCE:
            return (
                f"{self.label}: could be worked out to be between {self.lower} and {self.upper}, so a small "
                f"group is known to exist{given_away}"
            )
        if self.verdict is Verdict.NARROW:
            return (
                f"{self.label}: could be narrowed down to between {self.lower} and {self.upper}{given_away}"
            )
        lower = "no lower limit" if self.lower is None else f"from {self.lower}"
        upper = "no upper limit" if self.upper is None else f"up to {self.upper}"
        return f"{self.label}: could be anything {lower}, {upper}"


@dataclass(frozen=True)
class Audit:
    """The audit of every [c] asked about, with how much solving it took."""

    threshold: int
    cells: Mapping[str, CellAudit]
    lp_solves: int = 0
    milp_solves: int = 0

    @property
    def failures(self) -> list[CellAudit]:
        """Every [c] given away (EXACT, EXISTENCE or NARROW), in key order."""
        return [cell for key, cell in sorted(self.cells.items()) if cell.verdict is not Verdict.SAFE]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def narrowest(self) -> CellAudit | None:
        """The [c] with the narrowest interval found: every [c]'s interval is at least this wide."""
        if not self.cells:
            return None
        return min(
            self.cells.values(),
            key=lambda cell: (cell.width is None, cell.width or 0, cell.key),
        )


class Witnesses:
    """The lowest and highest value each quantity took in whole-number solutions of the intruder's facts
    that the audit has found and checked. Valid for the facts they were found under and for any subset of
    them (taking facts away only widens what is possible): never pass them to an audit with more facts."""

    def __init__(self) -> None:
        self.lowest: dict[str, int] = {}
        self.highest: dict[str, int] = {}

    def record(self, keys: Sequence[str], values: Iterable[int]) -> None:
        for key, value in zip(keys, values, strict=True):
            if key not in self.lowest or value < self.lowest[key]:
                self.lowest[key] = value
            if key not in self.highest or value > self.highest[key]:
                self.highest[key] = value

    def spread(self, key: str) -> int:
        if key not in self.lowest:
            return -1
        return self.highest[key] - self.lowest[key]

    def copy(self) -> Witnesses:
        copied = Witnesses()
        copied.lowest = dict(self.lowest)
        copied.highest = dict(self.highest)
        return copied


def audit(
    quantities: Mapping[str, Quantity],
    facts: Iterable[Fact],
    targets: Iterable[str],
    threshold: int,
    *,
    witnesses: Witnesses | None = None,
    exact_intervals: bool = False,
) -> Audit:
    """For each target (a [c]), the smallest and largest whole-number value consistent with every fact.

    ``witnesses`` carries whole-number solutions over from an earlier audit with the same facts or more
    (``protection`` passes them from round to round); the audit adds the solutions it finds to it. With
    ``exact_intervals`` every target is solved to the end even when it is already proven SAFE.
    Raises KnowledgeError when the facts contradict each other.
    """
    if threshold < 1:
        raise KnowledgeError("The threshold must be at least 1.")
    programme = _Programme(quantities, facts)
    solver = _Solver(programme, threshold, witnesses or Witnesses(), exact_intervals)
    cells = solver.run(sorted(set(targets)))
    return Audit(threshold, cells, solver.lp_solves, solver.milp_solves)


def audit_knowledge(knowledge: Knowledge, threshold: int, **options: Any) -> Audit:
    """The audit of every [c] the knowledge shows."""
    return audit(knowledge.quantities, knowledge.facts, knowledge.suppressed, threshold, **options)


# --- building the programme ------------------------------------------------------------------------------


class _Row(NamedTuple):
    """A fact as whole numbers: lower <= sum of coefficient × quantity <= upper (None: no limit). ``fact``
    is the fact's position in the programme."""

    keys: tuple[str, ...]
    coefficients: tuple[int, ...]
    lower: int | None
    upper: int | None
    fact: int


class _Programme:
    """The intruder's facts, with every quantity that a fact pins down replaced by its value, and every
    fact about a single quantity turned into a bound on it (repeated until nothing changes). A bound
    remembers the fact it came from (None: the quantity's own lower limit, "never negative")."""

    def __init__(self, quantities: Mapping[str, Quantity], facts: Iterable[Fact]) -> None:
        self.quantities = quantities
        self.facts = list(facts)
        self.lower: dict[str, int | None] = {key: quantity.lower for key, quantity in quantities.items()}
        self.upper: dict[str, int | None] = dict.fromkeys(quantities)
        self.lower_fact: dict[str, int | None] = dict.fromkeys(quantities)
        self.upper_fact: dict[str, int | None] = dict.fromkeys(quantities)
        self.fixed: dict[str, int] = {}
        rows = []
        for position, fact in enumerate(self.facts):
            row = fact._compiled._replace(fact=position)
            for key in row.keys:
                if key not in quantities:
                    raise KnowledgeError(f"A fact from {fact.source} is about an unknown quantity {key!r}.")
            if len(row.keys) == 1:
                self._bound(row)  # most facts: a figure as shown
            else:
                rows.append(row)
        self.rows = self._reduced(rows)

    def source(self, fact: int | None) -> str:
        return NEVER_NEGATIVE if fact is None else self.facts[fact].source

    def quantities_of(self, fact: int | None) -> tuple[str, ...]:
        return () if fact is None else self.facts[fact].expression.quantities()

    def _reduced(self, rows: list[_Row]) -> list[_Row]:
        while True:
            remaining: list[_Row] = []
            fixed_before = len(self.fixed)
            for row in rows:
                reduced = self._substituted(row)
                if len(reduced.keys) >= 2:
                    remaining.append(reduced)
                elif len(reduced.keys) == 1:
                    self._bound(reduced)
                elif (reduced.lower is not None and reduced.lower > 0) or (
                    reduced.upper is not None and reduced.upper < 0
                ):
                    raise KnowledgeError(f"The facts contradict each other at {self.source(row.fact)}.")
            rows = remaining
            if len(self.fixed) == fixed_before:
                return rows

    def _substituted(self, row: _Row) -> _Row:
        fixed = self.fixed
        if not any(key in fixed for key in row.keys):
            return row
        keys, coefficients, shift = [], [], 0
        for key, coefficient in zip(row.keys, row.coefficients, strict=True):
            if key in fixed:
                shift += coefficient * fixed[key]
            else:
                keys.append(key)
                coefficients.append(coefficient)
        return _Row(
            tuple(keys),
            tuple(coefficients),
            None if row.lower is None else row.lower - shift,
            None if row.upper is None else row.upper - shift,
            row.fact,
        )

    def _bound(self, row: _Row) -> None:
        (key,), (coefficient,) = row.keys, row.coefficients
        lower, upper = row.lower, row.upper
        if coefficient < 0:
            coefficient, lower, upper = -coefficient, _negated(upper), _negated(lower)
        if lower is not None:
            bound = -(-lower // coefficient)
            current = self.lower[key]
            if current is None or bound > current:
                self.lower[key], self.lower_fact[key] = bound, row.fact
        if upper is not None:
            bound = upper // coefficient
            current = self.upper[key]
            if current is None or bound < current:
                self.upper[key], self.upper_fact[key] = bound, row.fact
        lower, upper = self.lower[key], self.upper[key]
        if lower is not None and upper is not None:
            if lower > upper:
                raise KnowledgeError(f"The facts about {self.quantities[key].label} contradict each other.")
            if lower == upper:
                self.fixed[key] = lower

    def bound_facts(self, key: str) -> list[int | None]:
        facts = []
        if self.quantities[key].lower is not None or self.lower_fact[key] is not None:
            facts.append(self.lower_fact[key])
        if self.upper_fact[key] is not None:
            facts.append(self.upper_fact[key])
        return facts


@dataclass
class _Component:
    """Quantities joined by facts, as one linear programme: lower <= A x <= upper, with bounds on x."""

    keys: list[str]
    rows: list[_Row]

    def __post_init__(self) -> None:
        self.index = {key: position for position, key in enumerate(self.keys)}
        data, columns, pointers = [], [], [0]
        for row in self.rows:
            for key, coefficient in zip(row.keys, row.coefficients, strict=True):
                columns.append(self.index[key])
                data.append(coefficient)
            pointers.append(len(columns))
        shape = (len(self.rows), len(self.keys))
        self.matrix = csr_array((np.array(data, dtype=np.int64), columns, pointers), shape=shape)
        self.float_matrix = self.matrix.astype(np.float64)
        self.row_lower = np.array([-np.inf if row.lower is None else row.lower for row in self.rows])
        self.row_upper = np.array([np.inf if row.upper is None else row.upper for row in self.rows])
        equal = self.row_lower == self.row_upper
        self.equalities = np.flatnonzero(equal)
        below = np.flatnonzero(~equal & np.isfinite(self.row_upper))
        above = np.flatnonzero(~equal & np.isfinite(self.row_lower))
        # linprog wants A_ub x <= b_ub: the upper ends as they are, the lower ends negated.
        self.inequality_rows = np.concatenate([below, above])
        self.a_eq: Any = self.float_matrix[self.equalities] if len(self.equalities) else None
        self.b_eq: Any = self.row_lower[self.equalities] if len(self.equalities) else None
        self.a_ub: Any = None
        self.b_ub: Any = None
        if len(self.inequality_rows):
            self.a_ub = vstack([self.float_matrix[below], -self.float_matrix[above]]).tocsr()
            self.b_ub = np.concatenate([self.row_upper[below], -self.row_lower[above]])
        self.largest_coefficient = int(np.abs(self.matrix.data).max()) if self.matrix.nnz else 0
        self.widest_row = int(np.diff(self.matrix.indptr).max()) if self.rows else 0

    def satisfied_by(self, point: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> bool:
        """Whether a whole-number point meets every fact and bound, in exact integer arithmetic."""
        if np.any(point < lower) or np.any(point > upper):
            return False
        largest_value = int(np.abs(point).max()) if len(point) else 0
        if self.largest_coefficient * largest_value * max(self.widest_row, 1) < 2**62:
            values = self.matrix @ point.astype(np.int64)
        else:  # too big for 64 bits: Python's integers never overflow
            exact = [int(value) for value in point]
            values = np.array(
                [
                    sum(c * exact[self.index[key]] for key, c in zip(row.keys, row.coefficients, strict=True))
                    for row in self.rows
                ],
                dtype=object,
            )
        return bool(np.all(values >= self.row_lower) and np.all(values <= self.row_upper))


class _Solver:
    def __init__(self, programme: _Programme, threshold: int, witnesses: Witnesses, exact: bool) -> None:
        self.programme = programme
        self.threshold = threshold
        self.witnesses = witnesses
        self.exact = exact
        self.lp_solves = 0
        self.milp_solves = 0
        for key, value in programme.fixed.items():
            witnesses.record((key,), (value,))

    def run(self, targets: list[str]) -> dict[str, CellAudit]:
        programme = self.programme
        for key in targets:
            if key not in programme.quantities:
                raise KnowledgeError(f"There is no quantity {key!r} to audit.")
        component_of = _components(programme.rows)
        cells: dict[str, CellAudit] = {}
        by_component: dict[int, list[str]] = defaultdict(list)
        for key in targets:
            if key in component_of:
                by_component[component_of[key]].append(key)
            else:
                cells[key] = self._on_its_own(key)
        groups = _grouped_rows(programme.rows, component_of)
        for component_id, keys in sorted(by_component.items(), key=lambda item: item[1][0]):
            rows = groups[component_id]
            component_keys = sorted({key for row in rows for key in row.keys})
            cells.update(self._solve_component(_Component(component_keys, rows), keys))
        return cells

    def _on_its_own(self, key: str) -> CellAudit:
        """A [c] no fact links to another unknown: its bounds are all the intruder knows."""
        programme = self.programme
        lower, upper = programme.lower[key], programme.upper[key]
        verdict = verdict_for(lower, upper, self.threshold)
        facts = programme.bound_facts(key) if verdict is not Verdict.SAFE else []
        return self._cell(key, lower, upper, verdict, exact=True, facts=facts)

    def _cell(
        self,
        key: str,
        lower: int | None,
        upper: int | None,
        verdict: Verdict,
        *,
        exact: bool,
        facts: Sequence[int | None],
    ) -> CellAudit:
        programme = self.programme
        facts = list(dict.fromkeys(facts))
        return CellAudit(
            key,
            programme.quantities[key].label,
            lower,
            upper,
            verdict,
            exact,
            tuple(dict.fromkeys(programme.source(fact) for fact in facts)),
            frozenset(quantity for fact in facts for quantity in programme.quantities_of(fact)),
        )

    def _solve_component(self, component: _Component, targets: list[str]) -> dict[str, CellAudit]:
        programme = self.programme
        lower = np.array(
            [-np.inf if programme.lower[key] is None else programme.lower[key] for key in component.keys]
        )
        upper = np.array(
            [np.inf if programme.upper[key] is None else programme.upper[key] for key in component.keys]
        )
        solve = _ComponentSolve(self, component, lower, upper)
        needing = [key for key in targets if self.exact or self.witnesses.spread(key) < self.threshold]
        if len(needing) >= SPREAD_FROM:
            solve.spread(needing)
            if not self.exact:
                solve.widen([key for key in needing if self.witnesses.spread(key) < self.threshold])
        cells = {}
        for key in targets:
            if not self.exact and self.witnesses.spread(key) >= self.threshold:
                cells[key] = self._witnessed(key)
                continue
            position = component.index[key]
            lowest, low_facts = solve.extreme(position, maximise=False)
            if not self.exact and self.witnesses.spread(key) >= self.threshold:
                cells[key] = self._witnessed(key)
                continue
            highest, high_facts = solve.extreme(position, maximise=True)
            verdict = verdict_for(lowest, highest, self.threshold)
            facts = [*low_facts, *high_facts] if verdict is not Verdict.SAFE else []
            cells[key] = self._cell(key, lowest, highest, verdict, exact=True, facts=facts)
        return cells

    def _witnessed(self, key: str) -> CellAudit:
        lowest, highest = self.witnesses.lowest[key], self.witnesses.highest[key]
        return self._cell(key, lowest, highest, Verdict.SAFE, exact=False, facts=())


class _ComponentSolve:
    """The LP and integer programmes of one component, each solve's whole-number points kept as witnesses."""

    def __init__(self, solver: _Solver, component: _Component, lower: np.ndarray, upper: np.ndarray) -> None:
        self.solver = solver
        self.component = component
        self.lower = lower
        self.upper = upper
        self.bounds = np.column_stack([lower, upper])

    def spread(self, keys: list[str]) -> None:
        """Two solves to start from: every [c] as low as it can go together, then as high. Their vertices
        put most quantities at an end of their range, which gives each [c] a lowest and a highest value
        seen (often already ``threshold`` apart) for ``widen`` to work from."""
        component = self.component
        positions = [component.index[key] for key in keys]
        for direction in (1.0, -1.0):
            objective = np.zeros(len(component.keys))
            objective[positions] = direction
            result = self._lp(objective)
            if result.status == 0:
                self._witness(result.x)

    def widen(self, keys: list[str]) -> None:
        """Proves [c] SAFE in groups. For a group, one solve asks for a whole-number solution that lifts as
        many of its [c] as it can to at least ``threshold`` above the lowest value each has been seen at
        (maximising the sum of min(lift, threshold), through one helper variable a [c]); every [c] it lifts
        that far is proven. Then the same downwards from the highest values seen. Passes repeat over the
        [c] left while they prove any; the rest are solved bound by bound. A vertex of a plain optimisation
        holds few quantities away from their bounds, so a spread-out solve proves at most about as many [c]
        as the component has facts; lifting to new bounds has no such limit."""
        witnesses, threshold, component = self.solver.witnesses, self.solver.threshold, self.component
        for direction in (1, -1):
            pending = [key for key in keys if key in witnesses.lowest and witnesses.spread(key) < threshold]
            size = max(LIFT_GROUP * len(component.rows), SPREAD_FROM)
            while pending:
                # Mixed, so that a group rarely holds every [c] of one total (which could not all move).
                np.random.default_rng(len(pending)).shuffle(pending)
                for start in range(0, len(pending), size):
                    group = [
                        key for key in pending[start : start + size] if witnesses.spread(key) < threshold
                    ]
                    if group:
                        self._lift(group, direction)
                left = [key for key in pending if witnesses.spread(key) < threshold]
                if len(left) == len(pending):  # nothing lifted: smaller groups, down to a few [c]
                    if size <= SPREAD_FROM:
                        break
                    size = max(size // 4, SPREAD_FROM)
                pending = left

    def _lift(self, group: list[str], direction: int) -> None:
        """One solve of: maximise the sum of helpers h, 0 <= h <= threshold, h <= x - lowest (direction 1)
        or h <= highest - x (direction -1), for each [c] x of the group, subject to every fact."""
        witnesses, threshold, component = self.solver.witnesses, self.solver.threshold, self.component
        count, size = len(component.keys), len(group)
        positions = [component.index[key] for key in group]
        # h - x <= -lowest, or h + x <= highest
        link = csr_array(
            (
                np.r_[np.ones(size), np.full(size, -float(direction))],
                (np.r_[np.arange(size), np.arange(size)], np.r_[count + np.arange(size), positions]),
            ),
            shape=(size, count + size),
        )
        ends = [-witnesses.lowest[key] if direction > 0 else witnesses.highest[key] for key in group]
        a_ub = link if component.a_ub is None else vstack([_widened(component.a_ub, size), link]).tocsr()
        b_ub = np.array(ends, dtype=float) if component.b_ub is None else np.r_[component.b_ub, ends]
        a_eq = None if component.a_eq is None else _widened(component.a_eq, size)
        self.solver.lp_solves += 1
        result = linprog(
            np.r_[np.zeros(count), -np.ones(size)],
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=component.b_eq,
            bounds=np.r_[self.bounds, np.column_stack([np.zeros(size), np.full(size, float(threshold))])],
            method=LP_METHOD,
        )
        if result.status == 0:
            self._witness(result.x[:count])

    def extreme(self, position: int, *, maximise: bool) -> tuple[int | None, list[int | None]]:
        """The whole-number minimum or maximum of one quantity (None: no limit) and the facts it rests on."""
        component = self.component
        objective = np.zeros(len(component.keys))
        objective[position] = -1.0 if maximise else 1.0
        result = self._lp(objective)
        if result.status == 3:  # unbounded: with whole-number solutions existing, so is the integer programme
            return None, []
        if result.status != 0:
            raise KnowledgeError(f"The intruder's facts could not be solved: {result.message}")
        facts = self._binding_facts(result)
        point = self._whole_point(result.x)
        if point is None:
            point = self._milp(objective)
        self.solver.witnesses.record(component.keys, point.astype(np.int64).tolist())
        return int(point[position]), facts

    def _lp(self, objective: np.ndarray, bounds: np.ndarray | None = None) -> Any:
        self.solver.lp_solves += 1
        component = self.component
        return linprog(
            objective,
            A_ub=component.a_ub,
            b_ub=component.b_ub,
            A_eq=component.a_eq,
            b_eq=component.b_eq,
            bounds=self.bounds if bounds is None else bounds,
            method=LP_METHOD,
        )

    def _milp(self, objective: np.ndarray) -> np.ndarray:
        self.solver.milp_solves += 1
        component = self.component
        result = milp(
            objective,
            integrality=np.ones(len(component.keys)),
            bounds=Bounds(self.lower, self.upper),
            constraints=LinearConstraint(component.float_matrix, component.row_lower, component.row_upper),
            options={"mip_rel_gap": 0.0},
        )
        if result.status != 0 or result.x is None:
            raise KnowledgeError(f"The intruder's integer programme could not be solved: {result.message}")
        return np.rint(result.x)

    def _whole_point(
        self, values: np.ndarray, lower: np.ndarray | None = None, upper: np.ndarray | None = None
    ) -> np.ndarray | None:
        """The solution as whole numbers, if it is one and meets every fact (and these bounds)."""
        point = np.rint(values)
        if np.max(np.abs(values - point), initial=0.0) > WHOLE_TOLERANCE:
            return None
        lower = self.lower if lower is None else lower
        upper = self.upper if upper is None else upper
        if not self.component.satisfied_by(point, lower, upper):
            return None
        return point

    def _witness(
        self, values: np.ndarray, lower: np.ndarray | None = None, upper: np.ndarray | None = None
    ) -> bool:
        point = self._whole_point(values, lower, upper)
        if point is None:
            return False
        self.solver.witnesses.record(self.component.keys, point.astype(np.int64).tolist())
        return True

    def _binding_facts(self, result: Any) -> list[int | None]:
        """The facts the optimum rests on: those with a non-zero dual value (marginal), and the bounds."""
        component, programme = self.component, self.solver.programme
        facts: list[int | None] = []
        if component.a_eq is not None:
            for row in component.equalities[np.abs(result.eqlin.marginals) > DUAL_TOLERANCE]:
                facts.append(component.rows[row].fact)
        if component.a_ub is not None:
            for row in component.inequality_rows[np.abs(result.ineqlin.marginals) > DUAL_TOLERANCE]:
                facts.append(component.rows[row].fact)
        for position in np.flatnonzero(np.abs(result.lower.marginals) > DUAL_TOLERANCE):
            facts.append(programme.lower_fact[component.keys[position]])
        # Never at an unlimited upper end, so always a fact.
        for position in np.flatnonzero(np.abs(result.upper.marginals) > DUAL_TOLERANCE):
            facts.append(programme.upper_fact[component.keys[position]])
        return facts


def _widened(matrix: Any, columns: int) -> Any:
    """The matrix with ``columns`` more columns of zeros on the right."""
    return hstack([matrix, csr_array((matrix.shape[0], columns))]).tocsr()


def _components(rows: Sequence[_Row]) -> dict[str, int]:
    """Each quantity in a row, mapped to its component (quantities joined through shared rows)."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for row in rows:
        for key in row.keys:
            parent.setdefault(key, key)
        first = root(row.keys[0])
        for key in row.keys[1:]:
            other = root(key)
            if other != first:
                parent[other] = first
    roots: dict[str, int] = {}
    return {key: roots.setdefault(root(key), len(roots)) for key in parent}


def _grouped_rows(rows: Sequence[_Row], component_of: Mapping[str, int]) -> dict[int, list[_Row]]:
    grouped: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        grouped[component_of[row.keys[0]]].append(row)
    return grouped


_ONE: Final = Fraction(1)
_ZERO: Final = Fraction(0)


def _inner_end(end: Fraction | None, strict: bool, *, up: bool) -> int | None:
    """The whole number nearest to ``end`` on the inside of it (the next one past it when it is open)."""
    if end is None:
        return None
    if up:
        return math.floor(end) + 1 if strict else math.ceil(end)
    return math.ceil(end) - 1 if strict else math.floor(end)


def _negated(value: int | None) -> int | None:
    return None if value is None else -value


def _fraction(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise KnowledgeError(f"Facts hold whole numbers, fractions or decimals, not {value!r}.")
    return Fraction(value)


def _given_away(sources: Sequence[str]) -> str:
    """ " from the total for Leeds (45) and the rate beside it, knowing that counts … are never negative"."""
    figures = [source for source in sources if source != NEVER_NEGATIVE]
    words = f" from {_in_words(figures)}" if figures else ""
    if NEVER_NEGATIVE in sources:
        words += f"{',' if figures else ''} knowing that {NEVER_NEGATIVE}"
    return words


def _in_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
