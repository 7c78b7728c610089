"""The point values one appraisal uses, picked from the parameter ranges by a scenario.

A scenario says, for each ranged parameter, whether it is at its low, central or high value (central
unless it says otherwise). The low scenario puts every ranged parameter at the end that lowers the net
present value, the high scenario at the end that raises it; sensitivity also moves one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.display import money, plain
from evidence_hub.services.appraisal.evidence import CostType, ImpactEstimate
from evidence_hub.services.appraisal.parameters import (
    ADDITIONALITY_FACTORS,
    AppraisalParameters,
    OutcomeParameters,
    Range,
    Source,
    UnitValue,
)
from evidence_hub.services.appraisal.workings import WorkingLine


class Level(StrEnum):
    LOW = "low"
    CENTRAL = "central"
    HIGH = "high"


@dataclass(frozen=True)
class RangedParameter:
    """A parameter with a stated range. `key` names it in a scenario: "optimism_bias:set_up",
    "<outcome>:deadweight" (and displacement, leakage, substitution), "<outcome>:impact" or
    "<outcome>:value:<kind>"."""

    key: str
    label: str
    range: Range
    unit: str
    source: str
    raising_it_lowers_npv: bool

    @property
    def lowers_npv(self) -> Level:
        return Level.HIGH if self.raising_it_lowers_npv else Level.LOW

    @property
    def raises_npv(self) -> Level:
        return Level.LOW if self.raising_it_lowers_npv else Level.HIGH

    def text(self) -> str:
        if self.unit == "£":
            return f"{money(self.range.central)} ({money(self.range.low)} to {money(self.range.high)})"
        return self.range.text(self.unit)


@dataclass(frozen=True)
class Scenario:
    name: str
    levels: Mapping[str, Level] = field(default_factory=dict)

    def level(self, key: str) -> Level:
        return self.levels.get(key, Level.CENTRAL)


CENTRAL = Scenario("Central")


def ranged_parameters(
    parameters: AppraisalParameters, impacts: Sequence[ImpactEstimate] = ()
) -> tuple[RangedParameter, ...]:
    """Every parameter with a range, in the order a sensitivity table lists them. Where an impact
    estimate exists for an outcome, its prediction interval takes the place of the deadweight range."""
    bias = parameters.optimism_bias
    found = [
        RangedParameter(
            f"optimism_bias:{cost_type.value}",
            f"Optimism bias on {cost_type.label.lower()} costs",
            bias.for_type(cost_type),
            "%",
            bias.source.citation(),
            raising_it_lowers_npv=True,
        )
        for cost_type in CostType
    ]
    by_outcome = {impact.outcome_code: impact for impact in impacts}
    for outcome in parameters.outcomes:
        impact = by_outcome.get(outcome.code)
        for factor in ADDITIONALITY_FACTORS:
            if factor == "deadweight" and impact is not None:
                found.append(
                    RangedParameter(
                        f"{outcome.code}:impact",
                        f"Additional share of {outcome.name} (impact estimate)",
                        impact_range(impact),
                        "%",
                        impact.description,
                        raising_it_lowers_npv=False,
                    )
                )
                continue
            found.append(
                RangedParameter(
                    f"{outcome.code}:{factor}",
                    f"{factor.capitalize()} for {outcome.name}",
                    getattr(outcome.additionality, factor),
                    "%",
                    outcome.additionality.source.citation(),
                    raising_it_lowers_npv=True,
                )
            )
        found += [
            RangedParameter(
                f"{outcome.code}:value:{value.kind.value}",
                f"{value.kind.label} value of {outcome.name} ({years.label(value.price_year)} prices)",
                value.amount,
                "£",
                value.source.citation(),
                raising_it_lowers_npv=False,
            )
            for value in outcome.unit_values
        ]
    return tuple(found)


def impact_range(impact: ImpactEstimate) -> Range:
    """The impact estimate with its prediction interval; without an interval, no range either side."""
    central = impact.additional_percent
    return Range(
        low=impact.interval_low if impact.interval_low is not None else central,
        central=central,
        high=impact.interval_high if impact.interval_high is not None else central,
    )


def low_scenario(ranged: Sequence[RangedParameter]) -> Scenario:
    return Scenario("Low", {parameter.key: parameter.lowers_npv for parameter in ranged})


def high_scenario(ranged: Sequence[RangedParameter]) -> Scenario:
    return Scenario("High", {parameter.key: parameter.raises_npv for parameter in ranged})


def one_moved(parameter: RangedParameter, level: Level) -> Scenario:
    return Scenario(f"{parameter.label} at its {level.value} value", {parameter.key: level})


@dataclass(frozen=True)
class OutcomeAssumptions:
    """The point values for one outcome: its additionality factors (percentages), the additional share from
    the impact estimate where there is one, and each value per outcome with its amount."""

    code: str
    name: str
    deadweight: Decimal
    displacement: Decimal
    leakage: Decimal
    substitution: Decimal
    additionality_source: Source
    impact: ImpactEstimate | None
    impact_percent: Decimal | None
    unit_values: tuple[tuple[UnitValue, Decimal], ...]


@dataclass(frozen=True)
class Assumptions:
    scenario: Scenario
    parameters: AppraisalParameters
    optimism_bias: Mapping[CostType, Decimal]
    outcomes: Mapping[str, OutcomeAssumptions]

    def lines(self) -> tuple[WorkingLine, ...]:
        """Every assumption as a line of the workings, with its source."""
        return (
            WorkingLine("Scenario", self.scenario.name),
            *self.price_lines(),
            *self.discount_lines(),
            *self.optimism_bias_lines(),
            *(line for code in self.outcomes for line in self.outcome_lines(code)),
        )

    def price_lines(self) -> tuple[WorkingLine, ...]:
        deflators = self.parameters.deflators
        return (
            WorkingLine("Price base year", years.label(self.parameters.price_base_year)),
            WorkingLine(
                "GDP deflators",
                f"{years.label(deflators.first_year)} to {years.label(deflators.last_year)}",
                _cited(deflators.source),
            ),
        )

    def discount_lines(self) -> tuple[WorkingLine, ...]:
        schedule = self.parameters.discounting
        return (
            WorkingLine(
                "Discount rates",
                "; ".join(
                    f"{plain(band.percent)}% for years {band.from_year}"
                    + (f" to {band.to_year}" if band.to_year is not None else " onwards")
                    for band in schedule.bands
                ),
                _cited(schedule.source),
            ),
        )

    def optimism_bias_lines(self) -> tuple[WorkingLine, ...]:
        return tuple(
            WorkingLine(
                f"Optimism bias on {cost_type.label.lower()} costs",
                f"{plain(uplift)}%",
                _cited(self.parameters.optimism_bias.source),
            )
            for cost_type, uplift in self.optimism_bias.items()
        )

    def outcome_lines(self, code: str) -> tuple[WorkingLine, ...]:
        """The additionality (or impact estimate) and values of one outcome."""
        outcome = self.outcomes[code]
        if outcome.impact is not None and outcome.impact_percent is not None:
            first = WorkingLine(
                f"Additional share of {outcome.name} (impact estimate)",
                f"{plain(outcome.impact_percent)}%",
                outcome.impact.description,
            )
        else:
            first = WorkingLine(
                f"Deadweight for {outcome.name}",
                f"{plain(outcome.deadweight)}%",
                _cited(outcome.additionality_source),
            )
        return (
            first,
            *(
                WorkingLine(
                    f"{factor.capitalize()} for {outcome.name}",
                    f"{plain(getattr(outcome, factor))}%",
                    _cited(outcome.additionality_source),
                )
                for factor in ADDITIONALITY_FACTORS[1:]
            ),
            *(
                WorkingLine(
                    f"{value.kind.label} value of {outcome.name}",
                    f"{money(amount)} per additional outcome at {years.label(value.price_year)} prices"
                    + (", cashable" if value.cashable else ""),
                    _cited(value.source),
                )
                for value, amount in outcome.unit_values
            ),
        )


def _cited(source: Source) -> str:
    """The citation, with the source's own caveat (such as "illustrative") where it has one."""
    return source.citation() + (f". {source.note}" if source.note else "")


def assumptions_for(
    parameters: AppraisalParameters, impacts: Sequence[ImpactEstimate] = (), scenario: Scenario = CENTRAL
) -> Assumptions:
    by_outcome = {impact.outcome_code: impact for impact in impacts}
    return Assumptions(
        scenario=scenario,
        parameters=parameters,
        optimism_bias={
            cost_type: parameters.optimism_bias.for_type(cost_type).at(
                scenario.level(f"optimism_bias:{cost_type.value}")
            )
            for cost_type in CostType
        },
        outcomes={
            outcome.code: _outcome_assumptions(outcome, by_outcome.get(outcome.code), scenario)
            for outcome in parameters.outcomes
        },
    )


def _outcome_assumptions(
    outcome: OutcomeParameters, impact: ImpactEstimate | None, scenario: Scenario
) -> OutcomeAssumptions:
    def factor(name: str) -> Decimal:
        return getattr(outcome.additionality, name).at(scenario.level(f"{outcome.code}:{name}"))

    return OutcomeAssumptions(
        code=outcome.code,
        name=outcome.name,
        deadweight=factor("deadweight"),
        displacement=factor("displacement"),
        leakage=factor("leakage"),
        substitution=factor("substitution"),
        additionality_source=outcome.additionality.source,
        impact=impact,
        impact_percent=(
            impact_range(impact).at(scenario.level(f"{outcome.code}:impact")) if impact is not None else None
        ),
        unit_values=tuple(
            (value, value.amount.at(scenario.level(f"{outcome.code}:value:{value.kind.value}")))
            for value in outcome.unit_values
        ),
    )
