"""An intruder's integer programme written for the tests, independently of the code under test.

It reads only what officials receive (shown counts, [c], shown rates and unit costs) and the structure of
the tables (which totals add up which cells), both given to it by the test, and asks scipy's ``milp``
directly for the smallest and largest value of each [c]. It shares nothing with
``evidence_hub.services.releases.intruder``: no facts, no substitution, no LP shortcuts, no witnesses; it
models "a shown count of people is 0 or at least the threshold" exactly, with a 0/1 variable, where the code
under test folds it into an interval. Small, slow and plain on purpose.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

C = "[c]"
BIG = 10**7  # larger than any count of people in the fixtures
LIMIT = 10**12  # larger than any value at all (money in pence included): a value this large has no limit


def key(table: str, row: str, column: str) -> str:
    """The key of a table cell, written as the fixtures name it."""
    return f"{table}|{row}|{column}"


def grid_sums(
    table: str, rows: Sequence[str], columns: Sequence[str], row_total: str, column_total: str
) -> list[tuple[str, list[str]]]:
    """Every (total, parts) of a table with row, column and grand totals."""
    sums = [(key(table, row, column_total), [key(table, row, column) for column in columns]) for row in rows]
    sums += [(key(table, row_total, column), [key(table, row, column) for row in rows]) for column in columns]
    sums.append((key(table, row_total, column_total), [key(table, row_total, column) for column in columns]))
    sums.append((key(table, row_total, column_total), [key(table, row, column_total) for row in rows]))
    return sums


def rounded(value: int, base: int | None) -> int:
    if not base or base == 1:
        return value
    return int((Decimal(value) / base).quantize(Decimal(1), ROUND_HALF_UP)) * base


def verdict(lower: int, upper: int | None, threshold: int) -> str:
    if upper is None:
        return "safe"
    if lower == upper:
        return "exact"
    if lower >= 1 and upper <= threshold - 1:
        return "existence"
    if upper - lower < threshold:
        return "narrow"
    return "safe"


@dataclass
class IntruderProgramme:
    """Whole-number unknowns (never negative) and linear facts about them, lower <= sum <= upper."""

    threshold: int
    index: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[dict[int, Fraction], Fraction | None, Fraction | None]] = field(default_factory=list)
    zero_or_large: list[int] = field(default_factory=list)
    suppressed: set[str] = field(default_factory=set)

    def unknown(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))

    def fact(
        self, terms: Mapping[str, Fraction | int], lower: Fraction | None, upper: Fraction | None
    ) -> None:
        self.rows.append(({self.unknown(name): Fraction(c) for name, c in terms.items()}, lower, upper))

    def add_sums(self, sums: Iterable[tuple[str, list[str]]]) -> None:
        for total, parts in sums:
            terms: dict[str, Fraction | int] = {total: 1}
            for part in parts:
                terms[part] = Fraction(terms.get(part, 0)) - 1
            self.fact(terms, Fraction(0), Fraction(0))

    def add_release(
        self,
        shown: Mapping[str, int | str],
        people: Iterable[str],
        *,
        rounding: int | None = None,
        rates: Iterable[PublishedRate] = (),
    ) -> None:
        """What one release shows: its counts (``people`` are counts of people, rounded by ``rounding``
        and never shown from 1 to threshold - 1), its [c], and its rates and unit costs."""
        people = set(people)
        for name, value in shown.items():
            if value == C:
                self.unknown(name)
                self.suppressed.add(name)
                continue
            assert isinstance(value, int)
            if name in people:
                base = rounding or 1
                # Every whole number that rounds to what is shown.
                candidates = [
                    x for x in range(max(0, value - base), value + base + 1) if rounded(x, base) == value
                ]
                self.fact({name: 1}, Fraction(min(candidates)), Fraction(max(candidates)))
                self.zero_or_large.append(self.unknown(name))
            else:
                self.fact({name: 1}, Fraction(value), Fraction(value))
        for rate in rates:
            rate.add_to(self, shown)

    def interval(self, name: str) -> tuple[int, int | None]:
        low = self._extreme(name, 1.0)
        high = self._extreme(name, -1.0)
        assert low is not None
        return low, high

    def failures(self, names: Iterable[str] | None = None) -> dict[str, tuple[str, int, int | None]]:
        """Every [c] (or every name given) the intruder can place EXACT, EXISTENCE or NARROW."""
        found = {}
        for name in sorted(self.suppressed if names is None else names):
            lower, upper = self.interval(name)
            judged = verdict(lower, upper, self.threshold)
            if judged != "safe":
                found[name] = (judged, lower, upper)
        return found

    def _extreme(self, name: str, sign: float) -> int | None:
        count = len(self.index)
        binaries = len(self.zero_or_large)
        width = count + binaries
        matrix, lower, upper = [], [], []
        for terms, low, high in self.rows:
            scale = math.lcm(*(c.denominator for c in terms.values())) or 1
            line = np.zeros(width)
            for position, c in terms.items():
                line[position] = float(c * scale)
            matrix.append(line)
            lower.append(-np.inf if low is None else math.ceil(low * scale))
            upper.append(np.inf if high is None else math.floor(high * scale))
        for offset, position in enumerate(self.zero_or_large):
            # x >= threshold × z and x <= BIG × z: x is 0 (z = 0) or at least the threshold (z = 1).
            line = np.zeros(width)
            line[position], line[count + offset] = 1.0, -float(self.threshold)
            matrix.append(line)
            lower.append(0.0)
            upper.append(np.inf)
            line = np.zeros(width)
            line[position], line[count + offset] = 1.0, -float(BIG)
            matrix.append(line)
            lower.append(-np.inf)
            upper.append(0.0)
        objective = np.zeros(width)
        objective[self.index[name]] = sign
        result = milp(
            objective,
            integrality=np.ones(width),
            bounds=Bounds(np.zeros(width), np.r_[np.full(count, float(LIMIT)), np.ones(binaries)]),
            constraints=LinearConstraint(np.array(matrix), np.array(lower), np.array(upper)),
            options={"mip_rel_gap": 0.0},
        )
        assert result.status == 0, f"the intruder's programme has no solution: {result.message}"
        value = round(result.x[self.index[name]])
        return None if value >= LIMIT else value


@dataclass(frozen=True)
class PublishedRate:
    """A published figure ``scale × numerator ÷ denominator`` to ``places`` decimals: a rate, a share or a
    unit cost. ``from_shown``: computed from the shown counts (the rules the releases follow); the test
    then checks it is, and the intruder learns nothing from it. Otherwise it was computed from the true
    values (as the old design did), and it is a fact about them."""

    name: str
    numerator: Mapping[str, int]
    denominator: Mapping[str, int]
    shown: Decimal | str
    places: int
    scale: Fraction = Fraction(1)
    from_shown: bool = True

    def add_to(self, programme: IntruderProgramme, shown: Mapping[str, int | str]) -> None:
        if self.shown == C:
            return
        value = Fraction(Decimal(self.shown))
        if self.from_shown and all(
            isinstance(shown.get(name), int) for name in (*self.numerator, *self.denominator)
        ):
            numerator = sum(c * int(shown[name]) for name, c in self.numerator.items())
            denominator = sum(c * int(shown[name]) for name, c in self.denominator.items())
            expected = (
                Decimal(numerator)
                * Decimal(self.scale.numerator)
                / Decimal(self.scale.denominator)
                / Decimal(denominator)
            ).quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP)
            assert Decimal(self.shown) == expected, f"{self.name} is not computed from the figures shown"
            return
        half = Fraction(1, 2 * 10**self.places)
        # (value - half) × denominator <= scale × numerator < (value + half) × denominator, denominator > 0
        low: dict[str, Fraction | int] = {}
        high: dict[str, Fraction | int] = {}
        for name, c in self.numerator.items():
            low[name] = Fraction(low.get(name, 0)) + self.scale * c
            high[name] = Fraction(high.get(name, 0)) + self.scale * c
        for name, c in self.denominator.items():
            low[name] = Fraction(low.get(name, 0)) - (value - half) * c
            high[name] = Fraction(high.get(name, 0)) - (value + half) * c
        programme.fact(low, Fraction(0), None)
        scale = math.lcm(*(Fraction(c).denominator for c in high.values()))
        programme.fact({name: Fraction(c) * scale for name, c in high.items()}, None, Fraction(-1))
        programme.fact(dict(self.denominator), Fraction(1), None)
