"""Show the workings: every figure carries the inputs, parameters and formula it came from, in a structure
a page can open beside the figure and a summary can list in an annex."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evidence_hub.services.appraisal.definitions import Definition, definition


@dataclass(frozen=True)
class WorkingLine:
    """One input or parameter as shown: "Present value of costs", "£12,345.67", and where it came from."""

    label: str
    value: str
    source: str = ""

    def as_data(self) -> dict[str, str]:
        return {"label": self.label, "value": self.value, "source": self.source}


@dataclass(frozen=True)
class Workings:
    """How one figure was reached: its formula in words, the inputs and parameters it used, the arithmetic
    with the numbers in, and notes on anything left out (periods with no return, outcomes not yet
    available)."""

    title: str
    formula: str
    inputs: tuple[WorkingLine, ...] = ()
    parameters: tuple[WorkingLine, ...] = ()
    calculation: str = ""
    notes: tuple[str, ...] = ()

    def as_data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "formula": self.formula,
            "inputs": [line.as_data() for line in self.inputs],
            "parameters": [line.as_data() for line in self.parameters],
            "calculation": self.calculation,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Figure:
    """One value-for-money figure for one scope (a site or all sites).

    `value` is exact (None when there is no figure); `display` is what a reader sees: the value rounded by
    the rules in `display`, or the reason there is no value ("not within the periods observed", "no
    people reached"). Percent figures hold percentages (85 means 85%). `workings` are written by `explain`
    the first time they are read."""

    key: str
    scope: str
    value: Decimal | None
    display: str
    explain: Callable[[], Workings] = field(repr=False, compare=False)

    @functools.cached_property
    def workings(self) -> Workings:
        return self.explain()

    @property
    def definition(self) -> Definition:
        return definition(self.key)

    @property
    def name(self) -> str:
        return self.definition.name

    def as_data(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "scope": self.scope,
            "value": None if self.value is None else str(self.value),
            "display": self.display,
            "workings": self.workings.as_data(),
        }
