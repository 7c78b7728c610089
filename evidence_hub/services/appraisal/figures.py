"""The value-for-money figures of one scope (a site, or all sites), each with its workings.

Values are worked out at once; the workings (inputs, parameters, arithmetic, notes) are written only when
something opens them, so a page that shows 150 sites does not format 1,350 sets of workings it never
shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.additionality import AdditionalShare
from evidence_hub.services.appraisal.assumptions import Assumptions
from evidence_hub.services.appraisal.definitions import FigureKey, definition
from evidence_hub.services.appraisal.display import count, factor, money, percent, ratio
from evidence_hub.services.appraisal.evidence import NO_RETURN, CostType, Funding, Period
from evidence_hub.services.appraisal.flows import (
    BenefitBreakdown,
    CostBreakdown,
    OutcomeCount,
    PeriodFlows,
    PeriodRow,
    ReachCounts,
)
from evidence_hub.services.appraisal.workings import Figure, WorkingLine, Workings

NOT_WITHIN_PERIODS = "not within the periods observed"


@dataclass(frozen=True)
class FigureBasis:
    """Everything the figures of one scope rest on."""

    name: str
    periods_in_view: tuple[Period, ...]
    rows: tuple[PeriodRow, ...]
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount
    returns: int
    notes: tuple[str, ...]
    assumptions: Assumptions
    shares: Mapping[str, AdditionalShare]
    final_code: str
    final_name: str

    @property
    def flows(self) -> list[PeriodFlows]:
        return [row for row in self.rows if isinstance(row, PeriodFlows)]

    @property
    def final_share(self) -> AdditionalShare | None:
        return self.shares.get(self.final_code)


class _Details(NamedTuple):
    inputs: tuple[WorkingLine, ...] = ()
    parameters: tuple[WorkingLine, ...] = ()
    calculation: str = ""
    notes: tuple[str, ...] = ()


class FigureWriter:
    """Writes each figure of one scope from its basis."""

    def __init__(self, basis: FigureBasis) -> None:
        self.basis = basis
        self.assumptions = basis.assumptions

    def figure(
        self, key: FigureKey, value: Decimal | None, display: str, details: Callable[[], _Details]
    ) -> Figure:
        basis = self.basis
        if not basis.returns:
            # No approved return at all: every figure is "no return", never £0.00 or 0%.
            value, display = None, str(NO_RETURN)

        def explain() -> Workings:
            meaning = definition(key)
            written = details()
            return Workings(
                title=f"{meaning.name}: {basis.name}",
                formula=meaning.formula,
                inputs=written.inputs,
                parameters=written.parameters,
                calculation=written.calculation,
                notes=(*written.notes, *basis.notes),
            )

        return Figure(key=key, scope=basis.name, value=value, display=display, explain=explain)

    @staticmethod
    def _period_label(row: PeriodFlows) -> str:
        return (
            f"{row.period.name} ({years.label(row.financial_year)}, year {row.year_index}: prices × "
            f"{factor(row.price_ratio)}, discount factor {factor(row.discount_factor)})"
        )

    def present_value_costs(self) -> Figure:
        costs = self.basis.costs
        total = costs.present_value()

        def details() -> _Details:
            flows = self.basis.flows
            inputs = [
                WorkingLine(
                    self._period_label(row),
                    f"{money(row.costs.nominal())} as recorded → {money(row.costs.real())} real → "
                    f"{money(row.costs.with_optimism_bias())} with optimism bias → "
                    f"{money(row.costs.present_value())} present value",
                )
                for row in flows
            ]
            inputs += [
                WorkingLine(
                    f"{cost_type.label} costs, {funding.label.lower()}",
                    f"{money(costs.present_value(cost_type, funding))} present value",
                )
                for cost_type in CostType
                for funding in Funding
                if costs.nominal(cost_type, funding)
            ]
            return _Details(
                tuple(inputs),
                (
                    *self.assumptions.price_lines(),
                    *self.assumptions.discount_lines(),
                    *self.assumptions.optimism_bias_lines(),
                ),
                " + ".join(money(row.costs.present_value()) for row in flows) + f" = {money(total)}"
                if flows
                else "No approved returns: no costs.",
            )

        return self.figure(FigureKey.PRESENT_VALUE_COSTS, total, money(total), details)

    def present_value_benefits(self) -> Figure:
        benefits = self.basis.benefits
        total = benefits.present_value()

        def details() -> _Details:
            inputs = [
                WorkingLine(
                    self._period_label(row),
                    f"{money(row.benefits.real())} real → "
                    f"{money(row.benefits.present_value())} present value",
                )
                for row in self.basis.flows
            ]
            inputs += [
                WorkingLine(stream.label, f"{money(stream.present_value)} present value")
                for stream in benefits.streams
            ]
            codes = sorted({stream.outcome_code for stream in benefits.streams if stream.outcome_code})
            parameters = [*self.assumptions.price_lines(), *self.assumptions.discount_lines()]
            for code in codes:
                parameters += self.assumptions.outcome_lines(code)
                share = self.basis.shares[code]
                parameters.append(
                    WorkingLine(
                        f"Additional share of {self.assumptions.outcomes[code].name}",
                        f"{share.calculation} = {percent(share.share * 100)}",
                        share.basis.label,
                    )
                )
            return _Details(
                tuple(inputs),
                tuple(parameters),
                " + ".join(money(stream.present_value) for stream in benefits.streams) + f" = {money(total)}"
                if benefits.streams
                else "No savings claimed and no valued outcomes reported.",
            )

        return self.figure(FigureKey.PRESENT_VALUE_BENEFITS, total, money(total), details)

    def _present_values(self) -> tuple[WorkingLine, ...]:
        return (
            WorkingLine("Present value of benefits", money(self.basis.benefits.present_value())),
            WorkingLine("Present value of costs", money(self.basis.costs.present_value())),
        )

    def net_present_value(self) -> Figure:
        benefits, costs = self.basis.benefits.present_value(), self.basis.costs.present_value()
        value = benefits - costs
        return self.figure(
            FigureKey.NET_PRESENT_VALUE,
            value,
            money(value),
            lambda: _Details(
                self._present_values(), calculation=f"{money(benefits)} − {money(costs)} = {money(value)}"
            ),
        )

    def benefit_cost_ratio(self) -> Figure:
        benefits, costs = self.basis.benefits.present_value(), self.basis.costs.present_value()
        if not costs:
            return self.figure(
                FigureKey.BENEFIT_COST_RATIO, None, "no costs", lambda: _Details(self._present_values())
            )
        value = benefits / costs
        return self.figure(
            FigureKey.BENEFIT_COST_RATIO,
            value,
            ratio(value),
            lambda: _Details(
                self._present_values(), calculation=f"{money(benefits)} ÷ {money(costs)} = {ratio(value)}"
            ),
        )

    def return_on_investment(self) -> Figure:
        benefits, costs = self.basis.benefits.present_value(), self.basis.costs.present_value()
        if not costs:
            return self.figure(
                FigureKey.RETURN_ON_INVESTMENT, None, "no costs", lambda: _Details(self._present_values())
            )
        value = (benefits - costs) / costs * 100
        return self.figure(
            FigureKey.RETURN_ON_INVESTMENT,
            value,
            percent(value),
            lambda: _Details(
                self._present_values(),
                calculation=f"({money(benefits)} − {money(costs)}) ÷ {money(costs)} × 100 = {percent(value)}",
            ),
        )

    def _nothing(self, text: str) -> str:
        """The reason a unit cost has no value; "no return" when the scope has no approved return at all."""
        return text if self.basis.returns else str(NO_RETURN)

    def cost_per_person_reached(self) -> Figure:
        cost = self.basis.costs.real()
        reach = self.basis.reach
        value = cost / reach.people if reach.people else None

        def details() -> _Details:
            base_year = years.label(self.assumptions.parameters.price_base_year)
            inputs = (
                WorkingLine(f"Attributable cost at {base_year} prices, periods with a return", money(cost)),
                WorkingLine("People reached (each counted once)", count(reach.people)),
                WorkingLine(
                    "Attendances (left out: one person may count more than once)", count(reach.attendances)
                ),
                WorkingLine("Staff (left out: not people reached)", count(reach.staff)),
            )
            notes = []
            if reach.activities_without_count:
                notes.append(
                    f"{reach.activities_without_count} "
                    f"{'activity does' if reach.activities_without_count == 1 else 'activities do'} not say "
                    "how many people they reached."
                )
            return _Details(
                inputs,
                self.assumptions.price_lines(),
                f"{money(cost)} ÷ {count(reach.people)} people = {money(value)}" if value is not None else "",
                tuple(notes),
            )

        display = money(value) if value is not None else self._nothing("no people reached")
        return self.figure(FigureKey.COST_PER_PERSON_REACHED, value, display, details)

    def _outcome_periods(self) -> tuple[list[WorkingLine], list[str]]:
        """The periods that count (both cost and the final outcome reported), and notes on those left out."""
        inputs = []
        left_out = []
        for row in self.basis.flows:
            outcome = row.final_outcome
            if outcome.reported:
                inputs.append(
                    WorkingLine(
                        row.period.name,
                        f"cost {money(outcome.cost)}, {count(outcome.gross)} outcomes "
                        f"({count(outcome.additional)} additional)"
                        + (f", from {outcome.reported} of {row.returns} returns" if row.returns > 1 else ""),
                    )
                )
            reasons = []
            if outcome.not_yet_available:
                many = outcome.not_yet_available > 1
                reasons.append(
                    "not yet available" + (f" in {outcome.not_yet_available} returns" if many else "")
                )
            if outcome.not_reported:
                many = outcome.not_reported > 1
                reasons.append("not reported" + (f" in {outcome.not_reported} returns" if many else ""))
            if reasons:
                left_out.append(
                    f"{row.period.name}: {self.basis.final_name} {' and '.join(reasons)}, so the cost "
                    + ("of those returns is" if row.returns > 1 else "of this period is")
                    + " left out."
                )
        return inputs, left_out

    def cost_per_outcome(self) -> Figure:
        outcome = self.basis.final_outcome
        value = outcome.cost / outcome.gross if outcome.gross else None

        def details() -> _Details:
            inputs, left_out = self._outcome_periods()
            inputs += [
                WorkingLine("Final outcome", self.basis.final_name, "The framework's final outcome"),
                WorkingLine("Cost of those periods", money(outcome.cost)),
                WorkingLine("Outcomes in those periods (gross)", count(outcome.gross)),
            ]
            return _Details(
                tuple(inputs),
                self.assumptions.price_lines(),
                f"{money(outcome.cost)} ÷ {count(outcome.gross)} = {money(value)}"
                if value is not None
                else "",
                tuple(left_out),
            )

        display = money(value) if value is not None else self._nothing("no outcomes reported")
        return self.figure(FigureKey.COST_PER_OUTCOME, value, display, details)

    def cost_per_additional_outcome(self) -> Figure:
        outcome = self.basis.final_outcome
        share = self.basis.final_share
        value = outcome.cost / outcome.additional if outcome.additional else None

        def details() -> _Details:
            inputs, left_out = self._outcome_periods()
            inputs += [
                WorkingLine("Cost of those periods", money(outcome.cost)),
                WorkingLine("Outcomes in those periods (gross)", count(outcome.gross)),
                WorkingLine(
                    "Additional outcomes", count(outcome.additional), share.basis.label if share else ""
                ),
            ]
            parameters = list(self.assumptions.price_lines())
            if self.basis.final_code in self.assumptions.outcomes:
                parameters += self.assumptions.outcome_lines(self.basis.final_code)
            calculation = ""
            notes = left_out
            if share is not None:
                parameters.append(
                    WorkingLine(
                        "Additional share",
                        f"{share.calculation} = {percent(share.share * 100)}",
                        share.basis.label,
                    )
                )
                notes = [f"Additional outcomes {share.basis.label}.", *left_out]
                if value is not None:
                    calculation = (
                        f"{money(outcome.cost)} ÷ ({count(outcome.gross)} × {percent(share.share * 100)} = "
                        f"{count(outcome.additional)} additional) = {money(value)}"
                    )
            return _Details(tuple(inputs), tuple(parameters), calculation, tuple(notes))

        display = money(value) if value is not None else self._nothing("no additional outcomes")
        return self.figure(FigureKey.COST_PER_ADDITIONAL_OUTCOME, value, display, details)

    def payback(self) -> Figure:
        flows = self.basis.flows
        costs_to_date = Decimal(0)
        paid_back: PeriodFlows | None = None
        for row in flows:
            costs_to_date += row.costs.present_value()
            if costs_to_date > 0 and row.cumulative_net_present_value >= 0:
                paid_back = row
                break

        def inputs() -> tuple[WorkingLine, ...]:
            return tuple(
                WorkingLine(
                    row.period.name,
                    f"benefits {money(row.benefits.present_value())} − "
                    f"costs {money(row.costs.present_value())} = {money(row.net_present_value)}; "
                    f"to date {money(row.cumulative_net_present_value)}",
                )
                for row in flows
            )

        if paid_back is None:
            final = flows[-1].cumulative_net_present_value if flows else Decimal(0)
            return self.figure(
                FigureKey.PAYBACK,
                None,
                NOT_WITHIN_PERIODS if flows else str(NO_RETURN),
                lambda: _Details(
                    inputs(),
                    calculation=(
                        f"The running total is still {money(final)} at the end of {flows[-1].period.name}."
                        if flows
                        else ""
                    ),
                ),
            )
        periods = self.basis.periods_in_view
        position = periods.index(paid_back.period) + 1
        found = paid_back

        def details() -> _Details:
            later = flows[flows.index(found) + 1 :]
            fell_back = next((row for row in later if row.cumulative_net_present_value < 0), None)
            notes = (
                (
                    f"The running total fell below zero again in {fell_back.period.name} "
                    f"({money(fell_back.cumulative_net_present_value)}).",
                )
                if fell_back is not None
                else ()
            )
            return _Details(
                inputs(),
                calculation=(
                    f"The running total first reaches zero or more at the end of {found.period.name} "
                    f"({money(found.cumulative_net_present_value)}), "
                    f"period {position} of {len(periods)} in view."
                ),
                notes=notes,
            )

        return self.figure(FigureKey.PAYBACK, Decimal(position), found.period.name, details)
