"""The Green Book parameter set an appraisal uses, each parameter with its source, and its checks.

Every rate, uplift and factor is a percentage (3.5 means 3.5%); money is in pounds at the prices of the
year given beside it; financial years are held as the calendar year they start in (2009 for 2009-10).
`parameter_file` reads and writes the file format.

Where a parameter is uncertain it is a range (low, central, high): the central value is the appraisal;
the ends feed the sensitivity range.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.display import plain
from evidence_hub.services.appraisal.evidence import BenefitKind, CostType


class ParameterProblems(ValueError):
    """A parameter set that cannot be used, with every problem in plain English."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class Source:
    """Where a parameter comes from. `note` says how far to rely on it (for example "illustrative")."""

    title: str
    publisher: str = ""
    published: str = ""
    url: str = ""
    note: str = ""

    def citation(self) -> str:
        """HM Treasury, The Green Book (2022)."""
        text = f"{self.publisher}, {self.title}" if self.publisher else self.title
        return f"{text} ({self.published})" if self.published else text


@dataclass(frozen=True)
class Range:
    low: Decimal
    central: Decimal
    high: Decimal

    def at(self, level: str) -> Decimal:
        """The value at "low", "central" or "high"."""
        return {"low": self.low, "central": self.central, "high": self.high}[level]

    def text(self, unit: str = "") -> str:
        """ "54% (10% to 200%)" with unit "%"."""
        return f"{plain(self.central)}{unit} ({plain(self.low)}{unit} to {plain(self.high)}{unit})"


@dataclass(frozen=True)
class DeflatorSeries:
    """GDP deflator index by financial year (the year it starts, 2009 for 2009-10)."""

    index: Mapping[int, Decimal]
    source: Source
    reference_year: int | None = None

    @property
    def first_year(self) -> int:
        return min(self.index)

    @property
    def last_year(self) -> int:
        return max(self.index)


@dataclass(frozen=True)
class DiscountBand:
    """The discount rate for appraisal years `from_year` to `to_year` (None: every later year)."""

    from_year: int
    to_year: int | None
    percent: Decimal

    def covers(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)


@dataclass(frozen=True)
class DiscountSchedule:
    bands: tuple[DiscountBand, ...]
    source: Source

    def percent_for(self, year: int) -> Decimal:
        """The rate that applies in appraisal year `year`."""
        for band in self.bands:
            if band.covers(year):
                return band.percent
        raise ValueError(f"The discount rates do not cover year {year}.")


@dataclass(frozen=True)
class OptimismBias:
    """The uplift on costs of each type, as a percentage of the cost."""

    set_up: Range
    running: Range
    source: Source

    def for_type(self, cost_type: CostType) -> Range:
        return self.set_up if cost_type is CostType.SET_UP else self.running


@dataclass(frozen=True)
class Additionality:
    """How much of a gross outcome is additional. Each factor is a percentage of the gross outcome.

    Deadweight: outcomes that would have happened anyway. Displacement: outcomes taken from others in the
    area (a job filled by a client that someone else would have filled). Leakage: outcomes that benefit
    people outside the target group or area. Substitution: outcomes achieved by swapping one person or
    activity for another to take advantage of the pilot."""

    deadweight: Range
    displacement: Range
    leakage: Range
    substitution: Range
    source: Source


ADDITIONALITY_FACTORS = ("deadweight", "displacement", "leakage", "substitution")


@dataclass(frozen=True)
class UnitValue:
    """The value of one additional outcome to one group (`kind`), in pounds at `price_year` prices."""

    kind: BenefitKind
    description: str
    amount: Range
    price_year: int
    cashable: bool
    source: Source


@dataclass(frozen=True)
class OutcomeParameters:
    """An outcome the appraisal values: its additionality factors and its value per additional outcome."""

    code: str
    name: str
    additionality: Additionality
    unit_values: tuple[UnitValue, ...] = ()


@dataclass(frozen=True)
class AppraisalParameters:
    """Everything an appraisal assumes. `final_outcome` is the indicator code the framework names as the
    final outcome: the one cost per outcome and cost per additional outcome divide by."""

    price_base_year: int
    deflators: DeflatorSeries
    discounting: DiscountSchedule
    optimism_bias: OptimismBias
    final_outcome: str
    outcomes: tuple[OutcomeParameters, ...]

    def outcome(self, code: str) -> OutcomeParameters | None:
        return next((outcome for outcome in self.outcomes if outcome.code == code), None)


def parameter_problems(parameters: AppraisalParameters) -> list[str]:
    """Everything wrong with a parameter set, in plain English; an empty list when it can be used."""
    problems: list[str] = []
    deflators = parameters.deflators
    if not deflators.index:
        problems.append("The deflator series is empty.")
    problems += [
        f"The deflator for {years.label(year)} must be above 0."
        for year, value in sorted(deflators.index.items())
        if value <= 0
    ]
    if deflators.index and parameters.price_base_year not in deflators.index:
        problems.append(
            f"The price base year {years.label(parameters.price_base_year)} is not in the deflator series "
            f"({years.label(deflators.first_year)} to {years.label(deflators.last_year)})."
        )
    problems += _discount_problems(parameters.discounting)
    problems += _source_problems("The deflator series", deflators.source)
    problems += _source_problems("The discount rates", parameters.discounting.source)
    problems += _source_problems("Optimism bias", parameters.optimism_bias.source)
    for cost_type in CostType:
        problems += _range_problems(
            f"Optimism bias on {cost_type.label.lower()} costs",
            parameters.optimism_bias.for_type(cost_type),
            maximum=None,
        )
    codes = [outcome.code for outcome in parameters.outcomes]
    problems += [
        f"The outcome {code} is given more than once." for code in sorted(set(codes)) if codes.count(code) > 1
    ]
    if parameters.final_outcome not in codes:
        problems.append(
            f"The final outcome {parameters.final_outcome} has no additionality factors or values: "
            "add it to the outcomes."
        )
    for outcome in parameters.outcomes:
        problems += _outcome_problems(outcome, parameters)
    return problems


def _discount_problems(schedule: DiscountSchedule) -> list[str]:
    bands = schedule.bands
    if not bands:
        return ["There are no discount rates."]
    problems = []
    if bands[0].from_year != 0:
        problems.append("The discount rates must start at year 0.")
    for before, after in itertools.pairwise(bands):
        if before.to_year is None or after.from_year != before.to_year + 1:
            problems.append(
                f"The discount rates must follow on without gaps or overlaps: year {after.from_year} "
                f"does not follow the band that starts at year {before.from_year}."
            )
    if bands[-1].to_year is not None:
        problems.append("The last discount rate must apply to every later year (leave out its to_year).")
    for band in bands:
        if band.to_year is not None and band.to_year < band.from_year:
            problems.append(f"The discount band from year {band.from_year} ends before it starts.")
        if not 0 <= band.percent < 100:
            problems.append(f"The discount rate from year {band.from_year} must be from 0% up to 100%.")
    return problems


def _outcome_problems(outcome: OutcomeParameters, parameters: AppraisalParameters) -> list[str]:
    name = outcome.name or outcome.code
    problems = _source_problems(f"Additionality for {name}", outcome.additionality.source)
    for factor in ADDITIONALITY_FACTORS:
        problems += _range_problems(
            f"{factor.capitalize()} for {name}", getattr(outcome.additionality, factor), maximum=Decimal(100)
        )
    kinds = [value.kind for value in outcome.unit_values]
    for kind in sorted(set(kinds)):
        if kinds.count(kind) > 1:
            problems.append(
                f"{name} has more than one {kind.label.lower()} value: give one, adding its parts together."
            )
    deflators = parameters.deflators.index
    for value in outcome.unit_values:
        label = f"The {value.kind.label.lower()} value of {name}"
        problems += _range_problems(label, value.amount, maximum=None)
        problems += _source_problems(label, value.source)
        if deflators and value.price_year not in deflators:
            problems.append(
                f"{label} is in {years.label(value.price_year)} prices, which the deflator series does not "
                "cover."
            )
    return problems


def _range_problems(label: str, value: Range, maximum: Decimal | None) -> list[str]:
    problems = []
    if value.low < 0:
        problems.append(f"{label}: the low value must not be below 0.")
    if maximum is not None and value.high > maximum:
        problems.append(f"{label}: the high value must not be above {plain(maximum)}.")
    if not value.low <= value.central <= value.high:
        problems.append(
            f"{label}: the values must run low ({plain(value.low)}) to central ({plain(value.central)}) "
            f"to high ({plain(value.high)})."
        )
    return problems


def _source_problems(label: str, source: Source) -> list[str]:
    return [] if source.title.strip() else [f"{label} must name its source."]
