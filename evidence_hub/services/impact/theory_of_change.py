"""The theory of change's arithmetic: relations the framework declares between indicators, and the
values that break them.

A pilot's theory of change runs from people reached, to clients engaged, to job entries; figures that
contradict it (more job entries than clients engaged, a job entry rate that is not job entries ÷ clients
engaged × 100) are mistakes in the return or in a definition, and a comparison built on them misleads.
The framework declares two kinds of relation:

- `AtMost`: one indicator can never be more than another (clients engaged ≤ people reached; job entries
  ≤ clients engaged);
- `RateOf`: a rate is its numerator ÷ its denominator × 100 (or another multiplier), within a tolerance
  that allows for the rate being rounded when it was entered.

`broken_relations` lists, in plain English, every relation a site's values for one period break, with
the indicators involved so a form can mark the fields. A relation with a missing value is not checked:
completeness is checked elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

# A rate entered to one decimal place can be up to 0.05 away from its exact value.
DEFAULT_RATE_TOLERANCE = Decimal("0.1")


@dataclass(frozen=True)
class AtMost:
    """`smaller` can never be more than `larger`, such as job entries ≤ clients engaged."""

    smaller: str
    larger: str

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return (self.smaller, self.larger)


@dataclass(frozen=True)
class RateOf:
    """`rate` = `numerator` ÷ `denominator` × `multiplier`, to within `tolerance` (in the rate's unit)."""

    rate: str
    numerator: str
    denominator: str
    multiplier: Decimal = Decimal(100)
    tolerance: Decimal = DEFAULT_RATE_TOLERANCE

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return (self.rate, self.numerator, self.denominator)


Relation = AtMost | RateOf


@dataclass(frozen=True)
class BrokenRelation:
    relation: Relation
    # Every indicator the relation involves, for marking the fields on a form or a dashboard.
    indicator_codes: tuple[str, ...]
    message: str


def broken_relations(
    relations: Iterable[Relation],
    values: Mapping[str, Decimal | int | None],
    names: Mapping[str, str] | None = None,
) -> list[BrokenRelation]:
    """The relations that a site's values for one period break, each with a plain-English message.

    `values` are by indicator code (None or absent when not reported); `names` gives the indicators'
    names for the messages (the code is used where a name is missing).
    """
    named = names or {}

    def name(code: str) -> str:
        return named.get(code, code)

    def value(code: str) -> Decimal | None:
        raw = values.get(code)
        return None if raw is None else Decimal(raw)

    broken = []
    for relation in relations:
        if isinstance(relation, AtMost):
            smaller, larger = value(relation.smaller), value(relation.larger)
            if smaller is None or larger is None or smaller <= larger:
                continue
            message = (
                f"{name(relation.smaller)} ({_shown(smaller)}) cannot be more than "
                f"{name(relation.larger)} ({_shown(larger)})."
            )
        else:
            rate, numerator, denominator = (
                value(relation.rate),
                value(relation.numerator),
                value(relation.denominator),
            )
            if rate is None or numerator is None or denominator is None:
                continue
            formula = f"{name(relation.numerator)} ÷ {name(relation.denominator)}"
            if relation.multiplier != 1:
                formula += f" × {_shown(relation.multiplier)}"
            if denominator == 0:
                message = (
                    f"{name(relation.rate)} is {_shown(rate)}, but {name(relation.denominator)} is 0, so "
                    f"there is no {formula} to give."
                )
            else:
                expected = numerator / denominator * relation.multiplier
                if abs(rate - expected) <= relation.tolerance:
                    continue
                shown_expected = expected.quantize(relation.tolerance / 10).normalize()
                message = (
                    f"{name(relation.rate)} is {_shown(rate)}, but {formula} is {_shown(shown_expected)} "
                    f"({_shown(numerator)} ÷ {_shown(denominator)}"
                    f"{f' × {_shown(relation.multiplier)}' if relation.multiplier != 1 else ''})."
                )
        broken.append(BrokenRelation(relation, relation.indicator_codes, message))
    return broken


def _shown(number: Decimal) -> str:
    """A number as people write it: 1,250 or 20.5, without trailing zeros or an exponent."""
    text = f"{number.normalize():,f}"
    return "0" if text in ("-0", "0") else text
