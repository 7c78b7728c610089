"""Sensitivity: switching values, and the low, central and high range from stated parameter ranges.

Switching value: the percentage change in a benefit or cost that brings the net present value to zero.
For benefits (all of them, or one stream) it is −NPV ÷ PV × 100; for costs, NPV ÷ PV × 100.

The range is never the spread between sites. Low puts every ranged parameter (optimism bias, the
additionality factors, the value of each outcome, and the impact pooling's prediction interval where
there is an estimate) at the end that lowers the net present value; high at the other end; central at
the central values. Each parameter is also moved alone, to show which matters most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from evidence_hub.services.appraisal.additionality import additional_share
from evidence_hub.services.appraisal.appraisal import Appraisal, ScopeAppraisal, appraise_scenarios
from evidence_hub.services.appraisal.assumptions import (
    CENTRAL,
    Level,
    RangedParameter,
    Scenario,
    assumptions_for,
    high_scenario,
    low_scenario,
    one_moved,
    ranged_parameters,
)
from evidence_hub.services.appraisal.definitions import FigureKey, MethodKey, definition
from evidence_hub.services.appraisal.display import exact_arithmetic, money, percent
from evidence_hub.services.appraisal.evidence import CostType, ImpactEstimate, PilotEvidence
from evidence_hub.services.appraisal.flows import BenefitSource
from evidence_hub.services.appraisal.parameters import AppraisalParameters
from evidence_hub.services.appraisal.prices import deflator
from evidence_hub.services.appraisal.workings import Figure, WorkingLine, Workings


@dataclass(frozen=True)
class SwitchingValue:
    """One benefit stream or cost type: its present value and the signed percentage change in it that
    brings the net present value to zero (None when it is zero), in words in `display`."""

    label: str
    present_value: Decimal
    change_percent: Decimal | None
    display: str


@dataclass(frozen=True)
class SwitchingValues:
    scope: str
    benefits: Figure
    costs: Figure
    items: tuple[SwitchingValue, ...]


def _benefit_change(npv: Decimal, present_value: Decimal) -> tuple[Decimal | None, str]:
    if not present_value:
        return None, "no benefits"
    change = -npv / present_value * 100
    if change == 0:
        return change, "none: the net present value is already zero"
    if change < -100:
        return change, "the net present value stays above zero even without it"
    if change < 0:
        return change, f"could fall by {percent(-change)}"
    return change, f"would have to rise by {percent(change)}"


def _cost_change(npv: Decimal, present_value: Decimal) -> tuple[Decimal | None, str]:
    if not present_value:
        return None, "no costs"
    change = npv / present_value * 100
    if change == 0:
        return change, "none: the net present value is already zero"
    if change < -100:
        return change, "the net present value stays below zero even without it"
    if change > 0:
        return change, f"could rise by {percent(change)}"
    return change, f"would have to fall by {percent(-change)}"


@exact_arithmetic
def switching_values(scope: ScopeAppraisal) -> SwitchingValues:
    """How far benefits and costs, in total and each stream or type alone, can move before the net present
    value of this site or programme turns negative (or, when it is negative, must move to reach zero)."""
    npv = scope.net_present_value.value or Decimal(0)
    pv_benefits = scope.benefits.present_value()
    pv_costs = scope.costs.present_value()
    inputs = (
        WorkingLine("Net present value", money(npv)),
        WorkingLine("Present value of benefits", money(pv_benefits)),
        WorkingLine("Present value of costs", money(pv_costs)),
    )

    def figure(key: FigureKey, change: Decimal | None, display: str, calculation: str) -> Figure:
        meaning = definition(key)
        workings = Workings(
            title=f"{meaning.name}: {scope.name}",
            formula=meaning.formula,
            inputs=inputs,
            calculation=calculation if change is not None else "",
            notes=scope.notes,
        )
        return Figure(key=key, scope=scope.name, value=change, display=display, explain=lambda: workings)

    benefit_change, benefit_text = _benefit_change(npv, pv_benefits)
    cost_change, cost_text = _cost_change(npv, pv_costs)
    items = []
    for stream in scope.benefits.streams:
        change, text = _benefit_change(npv, stream.present_value)
        items.append(SwitchingValue(stream.label, stream.present_value, change, text))
    for cost_type in CostType:
        present_value = scope.costs.present_value(cost_type)
        if present_value:
            change, text = _cost_change(npv, present_value)
            items.append(SwitchingValue(f"{cost_type.label} costs", present_value, change, text))
    return SwitchingValues(
        scope=scope.name,
        benefits=figure(
            FigureKey.SWITCHING_VALUE_BENEFITS,
            benefit_change,
            benefit_text,
            f"−({money(npv)}) ÷ {money(pv_benefits)} × 100 = {percent(benefit_change or Decimal(0))}",
        ),
        costs=figure(
            FigureKey.SWITCHING_VALUE_COSTS,
            cost_change,
            cost_text,
            f"{money(npv)} ÷ {money(pv_costs)} × 100 = {percent(cost_change or Decimal(0))}",
        ),
        items=tuple(items),
    )


@dataclass(frozen=True)
class ParameterSensitivity:
    """The programme's net present value with one parameter at its low and at its high value, every other
    parameter central."""

    parameter: RangedParameter
    net_present_value_at_low: Decimal
    net_present_value_at_high: Decimal

    @property
    def swing(self) -> Decimal:
        return abs(self.net_present_value_at_high - self.net_present_value_at_low)


@dataclass(frozen=True)
class AppraisalRange:
    """The appraisal three times: low, central and high. `one_at_a_time` is ordered by how far each
    parameter alone moves the programme's net present value, largest first."""

    low: Appraisal
    central: Appraisal
    high: Appraisal
    parameters: tuple[RangedParameter, ...]
    one_at_a_time: tuple[ParameterSensitivity, ...]

    def figures(self, scope_code: str, key: FigureKey) -> tuple[Figure, Figure, Figure]:
        """One figure (such as FigureKey.NET_PRESENT_VALUE) for one scope: low, central, high."""
        attribute = key.value
        return (
            getattr(self.low.scope(scope_code), attribute),
            getattr(self.central.scope(scope_code), attribute),
            getattr(self.high.scope(scope_code), attribute),
        )

    def workings(self, scope_code: str) -> Workings:
        """What each estimate assumed and what it gives, for one scope."""
        low, central, high = self.figures(scope_code, FigureKey.NET_PRESENT_VALUE)
        meaning = definition(MethodKey.SENSITIVITY_RANGE)
        return Workings(
            title=f"{meaning.name}: {central.scope}",
            formula=meaning.formula,
            inputs=(
                WorkingLine("Net present value, low", low.display),
                WorkingLine("Net present value, central", central.display),
                WorkingLine("Net present value, high", high.display),
            ),
            parameters=tuple(
                WorkingLine(
                    parameter.label,
                    f"low estimate {_level_text(parameter, parameter.lowers_npv)}; "
                    f"central {_level_text(parameter, Level.CENTRAL)}; "
                    f"high estimate {_level_text(parameter, parameter.raises_npv)}",
                    parameter.source,
                )
                for parameter in self.parameters
            ),
            notes=tuple(
                f"{each.parameter.label} alone moves the programme's net present value from "
                f"{money(each.net_present_value_at_low)} (at its low value) to "
                f"{money(each.net_present_value_at_high)} (at its high value)."
                for each in self.one_at_a_time
            ),
        )


def _level_text(parameter: RangedParameter, level: Level) -> str:
    value = parameter.range.at(level.value)
    return money(value) if parameter.unit == "£" else percent(value)


def _programme_net_present_value(
    central: Appraisal,
    parameters: AppraisalParameters,
    impacts: Sequence[ImpactEstimate],
    scenario: Scenario,
) -> Decimal:
    """The programme's net present value under another scenario, from the central appraisal's totals.

    The net present value is linear in each parameter, so nothing needs appraising again: costs are the
    present value before optimism bias × (1 + the scenario's uplift) for each type; benefits are the
    savings claimed plus, for each valued outcome, its discounted gross outcomes × the scenario's additional
    share × the sum of its values at base-year prices. This is the appraisal's own arithmetic in another
    order."""
    assumptions = assumptions_for(parameters, impacts, scenario)
    programme = central.programme
    costs = sum(
        (
            programme.costs.present_value_before_optimism_bias(cost_type)
            * (1 + assumptions.optimism_bias[cost_type] / 100)
            for cost_type in CostType
        ),
        Decimal(0),
    )
    benefits = programme.benefits.present_value(source=BenefitSource.SAVINGS)
    series = parameters.deflators
    base = deflator(series, parameters.price_base_year)
    for code, outcome in assumptions.outcomes.items():
        discounted = programme.discounted_outcomes.get(code)
        if not discounted:
            continue
        value = sum(
            (amount * base / deflator(series, unit.price_year) for unit, amount in outcome.unit_values),
            Decimal(0),
        )
        benefits += discounted * additional_share(outcome).share * value
    return benefits - costs


@exact_arithmetic
def appraisal_range(
    evidence: PilotEvidence,
    parameters: AppraisalParameters,
    impacts: Sequence[ImpactEstimate] = (),
    one_at_a_time: bool = True,
) -> AppraisalRange:
    """Low, central and high appraisals from the stated parameter ranges (and the impact estimate's
    prediction interval), and, unless `one_at_a_time` is False, the programme's net present value with each
    parameter moved alone."""
    ranged = ranged_parameters(parameters, impacts)
    central, low, high = appraise_scenarios(
        evidence, parameters, impacts, (CENTRAL, low_scenario(ranged), high_scenario(ranged))
    )
    moved = [
        ParameterSensitivity(
            parameter,
            _programme_net_present_value(central, parameters, impacts, one_moved(parameter, Level.LOW)),
            _programme_net_present_value(central, parameters, impacts, one_moved(parameter, Level.HIGH)),
        )
        for parameter in (ranged if one_at_a_time else ())
    ]
    return AppraisalRange(
        low=low,
        central=central,
        high=high,
        parameters=ranged,
        one_at_a_time=tuple(sorted(moved, key=lambda each: each.swing, reverse=True)),
    )
