"""The appraisal of each pilot site and of the programme (all sites together), period by period.

For every approved return, each cost is made real (base-year prices), uplifted for optimism bias and
discounted to appraisal year 0; each saving claimed is made real and discounted; each valued outcome is
made additional, valued at base-year prices and discounted. The figures (net present value, benefit–cost
ratio, return on investment, cost per person reached, cost per outcome, cost per additional outcome,
payback) follow the definitions in `definitions`, and each carries its workings.

A period with no approved return is a `PeriodWithoutReturn`: it is shown as "no return" and left out of
every figure, with a note. See `display` for precision and rounding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.additionality import AdditionalShare, additional_share
from evidence_hub.services.appraisal.assumptions import CENTRAL, Assumptions, Scenario, assumptions_for
from evidence_hub.services.appraisal.definitions import FigureKey, definition
from evidence_hub.services.appraisal.discounting import discount_divisor
from evidence_hub.services.appraisal.display import count, exact_arithmetic, factor, money, percent, ratio
from evidence_hub.services.appraisal.evidence import (
    NO_RETURN,
    BenefitKind,
    CostType,
    Funding,
    ImpactEstimate,
    NoReturn,
    NotYetAvailable,
    Period,
    PeriodEvidence,
    PilotEvidence,
    ReachCounting,
)
from evidence_hub.services.appraisal.parameters import AppraisalParameters
from evidence_hub.services.appraisal.prices import deflator
from evidence_hub.services.appraisal.workings import Figure, WorkingLine, Workings

PROGRAMME_CODE = "all"
PROGRAMME_NAME = "All sites"
NOT_WITHIN_PERIODS = "not within the periods observed"


class AppraisalError(ValueError):
    """Evidence the parameters cannot appraise (such as a year the deflators do not cover), in plain
    English."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


# --- what each period and each scope holds ---


@dataclass(frozen=True)
class CostStream:
    """Costs of one type and funding: as recorded (attributable share), real, with optimism bias, and
    their present value."""

    cost_type: CostType
    funding: Funding
    nominal: Decimal
    real: Decimal
    with_optimism_bias: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class CostBreakdown:
    streams: tuple[CostStream, ...] = ()

    def _sum(
        self, value: Callable[[CostStream], Decimal], cost_type: CostType | None, funding: Funding | None
    ) -> Decimal:
        return sum(
            (
                value(stream)
                for stream in self.streams
                if (cost_type is None or stream.cost_type is cost_type)
                and (funding is None or stream.funding is funding)
            ),
            Decimal(0),
        )

    def nominal(self, cost_type: CostType | None = None, funding: Funding | None = None) -> Decimal:
        return self._sum(lambda stream: stream.nominal, cost_type, funding)

    def real(self, cost_type: CostType | None = None, funding: Funding | None = None) -> Decimal:
        return self._sum(lambda stream: stream.real, cost_type, funding)

    def with_optimism_bias(
        self, cost_type: CostType | None = None, funding: Funding | None = None
    ) -> Decimal:
        return self._sum(lambda stream: stream.with_optimism_bias, cost_type, funding)

    def present_value(self, cost_type: CostType | None = None, funding: Funding | None = None) -> Decimal:
        return self._sum(lambda stream: stream.present_value, cost_type, funding)

    @staticmethod
    def combined(parts: Iterable[CostBreakdown]) -> CostBreakdown:
        totals: dict[tuple[CostType, Funding], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
        for part in parts:
            for stream in part.streams:
                sums = totals[(stream.cost_type, stream.funding)]
                for index, amount in enumerate(
                    (stream.nominal, stream.real, stream.with_optimism_bias, stream.present_value)
                ):
                    sums[index] += amount
        return CostBreakdown(
            tuple(
                CostStream(cost_type, funding, *sums)
                for (cost_type, funding), sums in sorted(totals.items(), key=lambda item: item[0])
            )
        )


class BenefitSource(StrEnum):
    SAVINGS = "savings"
    OUTCOME = "outcome"


@dataclass(frozen=True)
class BenefitStream:
    """Benefits of one source and kind: savings claimed (`key` "savings:<kind>:cashable" or
    "savings:<kind>:non_cashable") or one valued outcome ("outcome:<code>:<kind>"), real and discounted."""

    key: str
    label: str
    source: BenefitSource
    kind: BenefitKind
    cashable: bool
    outcome_code: str | None
    real: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class BenefitBreakdown:
    streams: tuple[BenefitStream, ...] = ()

    def _select(
        self, kind: BenefitKind | None, cashable: bool | None, source: BenefitSource | None
    ) -> Iterable[BenefitStream]:
        return (
            stream
            for stream in self.streams
            if (kind is None or stream.kind is kind)
            and (cashable is None or stream.cashable is cashable)
            and (source is None or stream.source is source)
        )

    def real(
        self,
        kind: BenefitKind | None = None,
        cashable: bool | None = None,
        source: BenefitSource | None = None,
    ) -> Decimal:
        return sum((stream.real for stream in self._select(kind, cashable, source)), Decimal(0))

    def present_value(
        self,
        kind: BenefitKind | None = None,
        cashable: bool | None = None,
        source: BenefitSource | None = None,
    ) -> Decimal:
        return sum((stream.present_value for stream in self._select(kind, cashable, source)), Decimal(0))

    @staticmethod
    def combined(parts: Iterable[BenefitBreakdown]) -> BenefitBreakdown:
        found: dict[str, BenefitStream] = {}
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for part in parts:
            for stream in part.streams:
                found.setdefault(stream.key, stream)
                sums[stream.key][0] += stream.real
                sums[stream.key][1] += stream.present_value
        return BenefitBreakdown(
            tuple(
                BenefitStream(
                    key=key,
                    label=stream.label,
                    source=stream.source,
                    kind=stream.kind,
                    cashable=stream.cashable,
                    outcome_code=stream.outcome_code,
                    real=sums[key][0],
                    present_value=sums[key][1],
                )
                for key, stream in sorted(found.items())
            )
        )


@dataclass(frozen=True)
class ReachCounts:
    """Honest counts: people (each counted once) are people reached; attendances and staff are shown
    apart and never added in; activities that do not say how many they reached are counted."""

    people: int = 0
    attendances: int = 0
    staff: int = 0
    activities_without_count: int = 0

    def __add__(self, other: ReachCounts) -> ReachCounts:
        return ReachCounts(
            self.people + other.people,
            self.attendances + other.attendances,
            self.staff + other.staff,
            self.activities_without_count + other.activities_without_count,
        )


@dataclass(frozen=True)
class OutcomeCount:
    """The final outcome: gross and additional outcomes from the returns that report a value, the real
    cost of those same returns, and how many returns reported it, said it was not yet available, or did not
    report it."""

    gross: Decimal = Decimal(0)
    additional: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    reported: int = 0
    not_yet_available: int = 0
    not_reported: int = 0

    def __add__(self, other: OutcomeCount) -> OutcomeCount:
        return OutcomeCount(
            self.gross + other.gross,
            self.additional + other.additional,
            self.cost + other.cost,
            self.reported + other.reported,
            self.not_yet_available + other.not_yet_available,
            self.not_reported + other.not_reported,
        )

    def display(self) -> str:
        """For one return: the value, "not yet available" or "not reported"."""
        if self.reported:
            return count(self.gross)
        if self.not_yet_available:
            return str(NotYetAvailable.NOT_YET_AVAILABLE)
        return "not reported"


@dataclass(frozen=True)
class PeriodFlows:
    """A period with at least one approved return in the scope (`returns` of them)."""

    period: Period
    returns: int
    financial_year: int
    year_index: int
    price_ratio: Decimal
    discount_factor: Decimal
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount
    cumulative_net_present_value: Decimal

    @property
    def net_present_value(self) -> Decimal:
        return self.benefits.present_value() - self.costs.present_value()


@dataclass(frozen=True)
class PeriodWithoutReturn:
    """A period with no approved return in the scope: shown as "no return", never 0."""

    period: Period
    financial_year: int
    year_index: int
    status: NoReturn = NO_RETURN

    def __str__(self) -> str:
        return str(self.status)


PeriodRow = PeriodFlows | PeriodWithoutReturn


@dataclass(frozen=True)
class ScopeAppraisal:
    """The appraisal of one site, or of the programme (code "all")."""

    code: str
    name: str
    periods: tuple[PeriodRow, ...]
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount
    returns: int
    months_observed: int
    present_value_costs: Figure
    present_value_benefits: Figure
    net_present_value: Figure
    benefit_cost_ratio: Figure
    return_on_investment: Figure
    cost_per_person_reached: Figure
    cost_per_outcome: Figure
    cost_per_additional_outcome: Figure
    payback: Figure
    notes: tuple[str, ...]

    def figures(self) -> tuple[Figure, ...]:
        """Every figure, in the glossary's order."""
        return (
            self.present_value_costs,
            self.present_value_benefits,
            self.net_present_value,
            self.benefit_cost_ratio,
            self.return_on_investment,
            self.cost_per_person_reached,
            self.cost_per_outcome,
            self.cost_per_additional_outcome,
            self.payback,
        )


@dataclass(frozen=True)
class Appraisal:
    scenario: Scenario
    assumptions: Assumptions
    year_zero: int
    periods: tuple[Period, ...]
    final_outcome_name: str
    final_outcome_basis: str
    sites: tuple[ScopeAppraisal, ...]
    programme: ScopeAppraisal
    notes: tuple[str, ...]

    def scope(self, code: str) -> ScopeAppraisal:
        if code == PROGRAMME_CODE:
            return self.programme
        return next(site for site in self.sites if site.code == code)

    def annex(self) -> tuple[Workings, ...]:
        """Every figure's workings, programme first, then each site: what a summary's annex lists."""
        return tuple(figure.workings for scope in (self.programme, *self.sites) for figure in scope.figures())


# --- the appraisal ---


def evidence_problems(evidence: PilotEvidence, parameters: AppraisalParameters) -> list[str]:
    """What stops the parameters appraising this evidence, in plain English."""
    if not evidence.periods:
        return ["There are no reporting periods to appraise."]
    problems = []
    codes = [period.code for period in evidence.periods]
    problems += [
        f"The period {code} is given more than once." for code in sorted(set(codes)) if codes.count(code) > 1
    ]
    by_code = {period.code: period for period in evidence.periods}
    deflators = parameters.deflators.index
    uncovered: set[int] = set()
    for site in evidence.sites:
        for code, evidence_for_period in site.returns.items():
            period = by_code.get(code)
            if period is None:
                problems.append(
                    f"{site.name} has a return for {code}, which is not one of the periods in view."
                )
                continue
            if years.financial_year(period.starts_on) not in deflators:
                uncovered.add(years.financial_year(period.starts_on))
            problems += _return_problems(site.name, period, evidence_for_period)
    if uncovered:
        series = parameters.deflators
        problems.append(
            "The deflator series ("
            f"{years.label(series.first_year)} to {years.label(series.last_year)}) has no value for "
            + ", ".join(years.label(year) for year in sorted(uncovered))
            + ": costs and savings then cannot be put into "
            f"{years.label(parameters.price_base_year)} prices. Upload a series that covers them."
        )
    return problems


def _return_problems(site: str, period: Period, evidence: PeriodEvidence) -> list[str]:
    where = f"{site}, {period.name}"
    problems = []
    if any(line.amount < 0 for line in evidence.costs):
        problems.append(f"{where}: a cost is below zero.")
    if any(not 0 <= line.attributable_percent <= 100 for line in evidence.costs):
        problems.append(f"{where}: a cost's share attributable to the pilot is not between 0% and 100%.")
    if any(line.amount < 0 for line in evidence.savings):
        problems.append(f"{where}: a saving is below zero.")
    if any(reach.people is not None and reach.people < 0 for reach in evidence.reach):
        problems.append(f"{where}: an activity reached fewer than 0 people.")
    return problems


@exact_arithmetic
def appraise(
    evidence: PilotEvidence,
    parameters: AppraisalParameters,
    impacts: Sequence[ImpactEstimate] = (),
    scenario: Scenario = CENTRAL,
) -> Appraisal:
    """The appraisal of every site and of the programme under one scenario (central unless given).

    `impacts` are pooled impact estimates by outcome; where one exists it takes the place of the
    framework's deadweight assumption for that outcome. Raises AppraisalError when the parameters cannot
    appraise the evidence."""
    problems = evidence_problems(evidence, parameters)
    if problems:
        raise AppraisalError(problems)
    assumptions = assumptions_for(parameters, impacts, scenario)
    calculator = _PeriodCalculator(evidence, assumptions)
    notes = [
        f"Impact estimate for {impact.outcome_code} not used: the parameters do not value that outcome."
        for impact in impacts
        if parameters.outcome(impact.outcome_code) is None
    ]
    sites = []
    by_period: dict[str, list[_Computed]] = defaultdict(list)
    for site in evidence.sites:
        computed = {
            code: calculator.compute(period_evidence, calculator.periods[code])
            for code, period_evidence in site.returns.items()
        }
        for code, each in computed.items():
            by_period[code].append(each)
        missing = [period.name for period in evidence.periods if period.code not in computed]
        site_notes = (
            [f"No return for {_listed(missing)}: left out of every figure, never counted as 0."]
            if missing
            else []
        )
        sites.append(
            calculator.scope(
                site.code, site.name, {code: [each] for code, each in computed.items()}, site_notes
            )
        )
    programme_notes = [
        f"{site.name} has no return for {_listed(missing)}."
        for site in evidence.sites
        if (missing := [period.name for period in evidence.periods if period.code not in site.returns])
    ]
    if programme_notes:
        programme_notes.append("Periods with no return are left out of every figure, never counted as 0.")
    programme = calculator.scope(PROGRAMME_CODE, PROGRAMME_NAME, by_period, programme_notes)
    return Appraisal(
        scenario=scenario,
        assumptions=assumptions,
        year_zero=calculator.year_zero,
        periods=evidence.periods,
        final_outcome_name=calculator.final_name,
        final_outcome_basis=calculator.final_share.basis.label if calculator.final_share else "",
        sites=tuple(sites),
        programme=programme,
        notes=tuple(notes),
    )


def _listed(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class _Computed:
    """One approved return's flows in one period."""

    months: int
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount


class _PeriodCalculator:
    def __init__(self, evidence: PilotEvidence, assumptions: Assumptions) -> None:
        self.evidence = evidence
        self.assumptions = assumptions
        self.parameters = assumptions.parameters
        self.periods = {period.code: period for period in evidence.periods}
        self.year_zero = years.financial_year(evidence.periods[0].starts_on)
        self.shares: dict[str, AdditionalShare] = {
            code: additional_share(outcome) for code, outcome in assumptions.outcomes.items()
        }
        self.final_share = self.shares.get(self.parameters.final_outcome)
        final = self.parameters.outcome(self.parameters.final_outcome)
        self.final_name = final.name if final is not None else self.parameters.final_outcome
        base = deflator(self.parameters.deflators, self.parameters.price_base_year)
        # Each outcome value restated at base-year prices, once.
        self.real_unit_values = {
            code: [
                (value, amount * base / deflator(self.parameters.deflators, value.price_year))
                for value, amount in outcome.unit_values
            ]
            for code, outcome in assumptions.outcomes.items()
        }

    def timing(self, period: Period) -> tuple[int, int, Decimal, Decimal]:
        """Financial year, appraisal year, base-year deflator ÷ the year's deflator, discount divisor."""
        year = years.financial_year(period.starts_on)
        index = year - self.year_zero
        series = self.parameters.deflators
        price_ratio = deflator(series, self.parameters.price_base_year) / deflator(series, year)
        return year, index, price_ratio, discount_divisor(self.parameters.discounting, index)

    def compute(self, evidence: PeriodEvidence, period: Period) -> _Computed:
        year, _index, _ratio, divisor = self.timing(period)
        series = self.parameters.deflators
        base = deflator(series, self.parameters.price_base_year)
        in_year = deflator(series, year)

        def real(amount: Decimal) -> Decimal:
            return amount * base / in_year

        attributable: dict[tuple[CostType, Funding], Decimal] = defaultdict(Decimal)
        for line in evidence.costs:
            attributable[(line.cost_type, line.funding)] += line.attributable
        cost_streams = []
        for (cost_type, funding), nominal in sorted(attributable.items()):
            in_real_terms = real(nominal)
            with_bias = in_real_terms * (1 + self.assumptions.optimism_bias[cost_type] / 100)
            cost_streams.append(
                CostStream(cost_type, funding, nominal, in_real_terms, with_bias, with_bias / divisor)
            )
        costs = CostBreakdown(tuple(cost_streams))

        benefit_streams = []
        saved: dict[tuple[BenefitKind, bool], Decimal] = defaultdict(Decimal)
        for saving in evidence.savings:
            saved[(saving.kind, saving.cashable)] += saving.amount
        for (kind, cashable), amount in sorted(saved.items()):
            in_real_terms = real(amount)
            benefit_streams.append(
                BenefitStream(
                    key=f"savings:{kind.value}:{'cashable' if cashable else 'non_cashable'}",
                    label=f"{_cashable(cashable)} {kind.label.lower()} savings claimed",
                    source=BenefitSource.SAVINGS,
                    kind=kind,
                    cashable=cashable,
                    outcome_code=None,
                    real=in_real_terms,
                    present_value=in_real_terms / divisor,
                )
            )
        for code, outcome in self.assumptions.outcomes.items():
            value = evidence.outcomes.get(code)
            if not isinstance(value, Decimal):
                continue
            additional = self.shares[code].of(value)
            for unit_value, real_amount in self.real_unit_values[code]:
                in_real_terms = additional * real_amount
                benefit_streams.append(
                    BenefitStream(
                        key=f"outcome:{code}:{unit_value.kind.value}",
                        label=f"{outcome.name}: {unit_value.kind.label.lower()} value",
                        source=BenefitSource.OUTCOME,
                        kind=unit_value.kind,
                        cashable=unit_value.cashable,
                        outcome_code=code,
                        real=in_real_terms,
                        present_value=in_real_terms / divisor,
                    )
                )

        return _Computed(
            months=period.months,
            costs=costs,
            benefits=BenefitBreakdown(tuple(benefit_streams)),
            reach=_reach(evidence),
            final_outcome=self._final_outcome(evidence, costs.real()),
        )

    def _final_outcome(self, evidence: PeriodEvidence, cost: Decimal) -> OutcomeCount:
        value = evidence.outcomes.get(self.parameters.final_outcome)
        if isinstance(value, Decimal):
            additional = self.final_share.of(value) if self.final_share else Decimal(0)
            return OutcomeCount(gross=value, additional=additional, cost=cost, reported=1)
        if isinstance(value, NotYetAvailable):
            return OutcomeCount(not_yet_available=1)
        return OutcomeCount(not_reported=1)

    def scope(
        self, code: str, name: str, computed: dict[str, list[_Computed]], notes: list[str]
    ) -> ScopeAppraisal:
        rows: list[PeriodRow] = []
        cumulative = Decimal(0)
        for period in self.evidence.periods:
            year, index, price_ratio, divisor = self.timing(period)
            parts = computed.get(period.code, [])
            if not parts:
                rows.append(PeriodWithoutReturn(period, year, index))
                continue
            costs = CostBreakdown.combined(part.costs for part in parts)
            benefits = BenefitBreakdown.combined(part.benefits for part in parts)
            cumulative += benefits.present_value() - costs.present_value()
            rows.append(
                PeriodFlows(
                    period=period,
                    returns=len(parts),
                    financial_year=year,
                    year_index=index,
                    price_ratio=price_ratio,
                    discount_factor=1 / divisor,
                    costs=costs,
                    benefits=benefits,
                    reach=sum((part.reach for part in parts), ReachCounts()),
                    final_outcome=sum((part.final_outcome for part in parts), OutcomeCount()),
                    cumulative_net_present_value=cumulative,
                )
            )
        flows = [row for row in rows if isinstance(row, PeriodFlows)]
        every = [part for parts in computed.values() for part in parts]
        return _ScopeWriter(self, code, name, tuple(rows), flows, every, notes).write()


def _cashable(cashable: bool) -> str:
    return "Cashable" if cashable else "Non-cashable"


def _reach(evidence: PeriodEvidence) -> ReachCounts:
    people = attendances = staff = without = 0
    for reach in evidence.reach:
        if reach.people is None:
            without += 1
        elif reach.counting is ReachCounting.PEOPLE:
            people += reach.people
        elif reach.counting is ReachCounting.ATTENDANCES:
            attendances += reach.people
        else:
            staff += reach.people
    return ReachCounts(people, attendances, staff, without)


class _ScopeWriter:
    """The figures of one scope, each with its workings."""

    def __init__(
        self,
        calculator: _PeriodCalculator,
        code: str,
        name: str,
        rows: tuple[PeriodRow, ...],
        flows: list[PeriodFlows],
        computed: list[_Computed],
        notes: list[str],
    ) -> None:
        self.calculator = calculator
        self.assumptions = calculator.assumptions
        self.code = code
        self.name = name
        self.rows = rows
        self.flows = flows
        self.notes = notes
        self.costs = CostBreakdown.combined(part.costs for part in computed)
        self.benefits = BenefitBreakdown.combined(part.benefits for part in computed)
        self.reach = sum((part.reach for part in computed), ReachCounts())
        self.final_outcome = sum((part.final_outcome for part in computed), OutcomeCount())
        self.returns = len(computed)
        self.months = sum(part.months for part in computed)

    def figure(
        self,
        key: FigureKey,
        value: Decimal | None,
        display: str,
        inputs: Iterable[WorkingLine] = (),
        parameters: Iterable[WorkingLine] = (),
        calculation: str = "",
        notes: Iterable[str] = (),
    ) -> Figure:
        meaning = definition(key)
        return Figure(
            key=key,
            scope=self.name,
            value=value,
            display=display,
            workings=Workings(
                title=f"{meaning.name}: {self.name}",
                formula=meaning.formula,
                inputs=tuple(inputs),
                parameters=tuple(parameters),
                calculation=calculation,
                notes=(*notes, *self.notes),
            ),
        )

    def write(self) -> ScopeAppraisal:
        pv_costs = self.costs.present_value()
        pv_benefits = self.benefits.present_value()
        return ScopeAppraisal(
            code=self.code,
            name=self.name,
            periods=self.rows,
            costs=self.costs,
            benefits=self.benefits,
            reach=self.reach,
            final_outcome=self.final_outcome,
            returns=self.returns,
            months_observed=self.months,
            present_value_costs=self.present_value_costs(pv_costs),
            present_value_benefits=self.present_value_benefits(pv_benefits),
            net_present_value=self.net_present_value(pv_benefits, pv_costs),
            benefit_cost_ratio=self.benefit_cost_ratio(pv_benefits, pv_costs),
            return_on_investment=self.return_on_investment(pv_benefits, pv_costs),
            cost_per_person_reached=self.cost_per_person_reached(),
            cost_per_outcome=self.cost_per_outcome(),
            cost_per_additional_outcome=self.cost_per_additional_outcome(),
            payback=self.payback(),
            notes=tuple(self.notes),
        )

    # --- present values ---

    def _period_label(self, row: PeriodFlows) -> str:
        return (
            f"{row.period.name} ({years.label(row.financial_year)}, year {row.year_index}: prices × "
            f"{factor(row.price_ratio)}, discount factor {factor(row.discount_factor)})"
        )

    def present_value_costs(self, total: Decimal) -> Figure:
        inputs = [
            WorkingLine(
                self._period_label(row),
                f"{money(row.costs.nominal())} as recorded → {money(row.costs.real())} real → "
                f"{money(row.costs.with_optimism_bias())} with optimism bias → "
                f"{money(row.costs.present_value())} present value",
            )
            for row in self.flows
        ]
        inputs += [
            WorkingLine(
                f"{cost_type.label} costs, {funding.label.lower()}",
                f"{money(self.costs.present_value(cost_type, funding))} present value",
            )
            for cost_type in CostType
            for funding in Funding
            if self.costs.nominal(cost_type, funding)
        ]
        return self.figure(
            FigureKey.PRESENT_VALUE_COSTS,
            total,
            money(total),
            inputs,
            (
                *self.assumptions.price_lines(),
                *self.assumptions.discount_lines(),
                *self.assumptions.optimism_bias_lines(),
            ),
            calculation=" + ".join(money(row.costs.present_value()) for row in self.flows)
            + f" = {money(total)}"
            if self.flows
            else "No approved returns: no costs.",
        )

    def present_value_benefits(self, total: Decimal) -> Figure:
        inputs = [
            WorkingLine(
                self._period_label(row),
                f"{money(row.benefits.real())} real → {money(row.benefits.present_value())} present value",
            )
            for row in self.flows
        ]
        inputs += [
            WorkingLine(stream.label, f"{money(stream.present_value)} present value")
            for stream in self.benefits.streams
        ]
        outcome_codes = sorted(
            {stream.outcome_code for stream in self.benefits.streams if stream.outcome_code}
        )
        parameters = [*self.assumptions.price_lines(), *self.assumptions.discount_lines()]
        for code in outcome_codes:
            parameters += self.assumptions.outcome_lines(code)
            share = self.calculator.shares[code]
            parameters.append(
                WorkingLine(
                    f"Additional share of {self.assumptions.outcomes[code].name}",
                    f"{share.calculation} = {percent(share.share * 100)}",
                    share.basis.label,
                )
            )
        return self.figure(
            FigureKey.PRESENT_VALUE_BENEFITS,
            total,
            money(total),
            inputs,
            parameters,
            calculation=" + ".join(money(stream.present_value) for stream in self.benefits.streams)
            + f" = {money(total)}"
            if self.benefits.streams
            else "No savings claimed and no valued outcomes reported.",
        )

    def _present_values(self, benefits: Decimal, costs: Decimal) -> list[WorkingLine]:
        return [
            WorkingLine("Present value of benefits", money(benefits)),
            WorkingLine("Present value of costs", money(costs)),
        ]

    def net_present_value(self, benefits: Decimal, costs: Decimal) -> Figure:
        value = benefits - costs
        return self.figure(
            FigureKey.NET_PRESENT_VALUE,
            value,
            money(value),
            self._present_values(benefits, costs),
            calculation=f"{money(benefits)} − {money(costs)} = {money(value)}",
        )

    def benefit_cost_ratio(self, benefits: Decimal, costs: Decimal) -> Figure:
        if not costs:
            return self.figure(
                FigureKey.BENEFIT_COST_RATIO, None, "no costs", self._present_values(benefits, costs)
            )
        value = benefits / costs
        return self.figure(
            FigureKey.BENEFIT_COST_RATIO,
            value,
            ratio(value),
            self._present_values(benefits, costs),
            calculation=f"{money(benefits)} ÷ {money(costs)} = {ratio(value)}",
        )

    def return_on_investment(self, benefits: Decimal, costs: Decimal) -> Figure:
        if not costs:
            return self.figure(
                FigureKey.RETURN_ON_INVESTMENT, None, "no costs", self._present_values(benefits, costs)
            )
        value = (benefits - costs) / costs * 100
        return self.figure(
            FigureKey.RETURN_ON_INVESTMENT,
            value,
            percent(value),
            self._present_values(benefits, costs),
            calculation=f"({money(benefits)} − {money(costs)}) ÷ {money(costs)} × 100 = {percent(value)}",
        )

    # --- unit costs ---

    def cost_per_person_reached(self) -> Figure:
        cost = self.costs.real()
        reach = self.reach
        base_year = years.label(self.assumptions.parameters.price_base_year)
        inputs = [
            WorkingLine(f"Attributable cost at {base_year} prices, periods with a return", money(cost)),
            WorkingLine("People reached (each counted once)", count(reach.people)),
            WorkingLine(
                "Attendances (left out: one person may count more than once)", count(reach.attendances)
            ),
            WorkingLine("Staff (left out: not people reached)", count(reach.staff)),
        ]
        notes = []
        if reach.activities_without_count:
            notes.append(
                f"{reach.activities_without_count} "
                f"{'activity does' if reach.activities_without_count == 1 else 'activities do'} not say how "
                "many people they reached."
            )
        if not reach.people:
            return self.figure(
                FigureKey.COST_PER_PERSON_REACHED,
                None,
                "no people reached" if self.returns else str(NO_RETURN),
                inputs,
                self.assumptions.price_lines(),
                notes=notes,
            )
        value = cost / reach.people
        return self.figure(
            FigureKey.COST_PER_PERSON_REACHED,
            value,
            money(value),
            inputs,
            self.assumptions.price_lines(),
            calculation=f"{money(cost)} ÷ {count(reach.people)} people = {money(value)}",
            notes=notes,
        )

    def _outcome_inputs(self) -> tuple[list[WorkingLine], list[str]]:
        """The periods that count (both cost and the final outcome reported) and those that do not."""
        inputs = []
        left_out = []
        for row in self.rows:
            if isinstance(row, PeriodWithoutReturn):
                continue
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
                reasons.append(
                    "not yet available"
                    + (f" in {outcome.not_yet_available} returns" if outcome.not_yet_available > 1 else "")
                )
            if outcome.not_reported:
                reasons.append(
                    "not reported"
                    + (f" in {outcome.not_reported} returns" if outcome.not_reported > 1 else "")
                )
            if reasons:
                left_out.append(
                    f"{row.period.name}: {self.calculator.final_name} {' and '.join(reasons)}, so the cost "
                    + ("of those returns is" if row.returns > 1 else "of this period is")
                    + " left out."
                )
        return inputs, left_out

    def cost_per_outcome(self) -> Figure:
        outcome = self.final_outcome
        inputs, left_out = self._outcome_inputs()
        inputs += [
            WorkingLine("Final outcome", self.calculator.final_name, "The framework's final outcome"),
            WorkingLine("Cost of those periods", money(outcome.cost)),
            WorkingLine("Outcomes in those periods (gross)", count(outcome.gross)),
        ]
        if not outcome.gross:
            return self.figure(
                FigureKey.COST_PER_OUTCOME,
                None,
                "no outcomes reported" if self.returns else str(NO_RETURN),
                inputs,
                self.assumptions.price_lines(),
                notes=left_out,
            )
        value = outcome.cost / outcome.gross
        return self.figure(
            FigureKey.COST_PER_OUTCOME,
            value,
            money(value),
            inputs,
            self.assumptions.price_lines(),
            calculation=f"{money(outcome.cost)} ÷ {count(outcome.gross)} = {money(value)}",
            notes=left_out,
        )

    def cost_per_additional_outcome(self) -> Figure:
        outcome = self.final_outcome
        share = self.calculator.final_share
        inputs, left_out = self._outcome_inputs()
        inputs += [
            WorkingLine("Cost of those periods", money(outcome.cost)),
            WorkingLine("Outcomes in those periods (gross)", count(outcome.gross)),
            WorkingLine(
                "Additional outcomes",
                count(outcome.additional),
                share.basis.label if share else "",
            ),
        ]
        code = self.calculator.parameters.final_outcome
        parameters = list(self.assumptions.price_lines())
        if code in self.assumptions.outcomes:
            parameters += self.assumptions.outcome_lines(code)
        if share is not None:
            parameters.append(
                WorkingLine(
                    "Additional share",
                    f"{share.calculation} = {percent(share.share * 100)}",
                    share.basis.label,
                )
            )
        if not outcome.additional:
            return self.figure(
                FigureKey.COST_PER_ADDITIONAL_OUTCOME,
                None,
                "no additional outcomes" if self.returns else str(NO_RETURN),
                inputs,
                parameters,
                notes=left_out,
            )
        value = outcome.cost / outcome.additional
        return self.figure(
            FigureKey.COST_PER_ADDITIONAL_OUTCOME,
            value,
            money(value),
            inputs,
            parameters,
            calculation=(
                f"{money(outcome.cost)} ÷ ({count(outcome.gross)} × {percent(share.share * 100)} = "
                f"{count(outcome.additional)} additional) = {money(value)}"
                if share
                else ""
            ),
            notes=([f"Additional outcomes {share.basis.label}."] if share else []) + left_out,
        )

    # --- payback ---

    def payback(self) -> Figure:
        inputs = [
            WorkingLine(
                row.period.name,
                f"benefits {money(row.benefits.present_value())} − costs {money(row.costs.present_value())}"
                f" = {money(row.net_present_value)}; to date {money(row.cumulative_net_present_value)}",
            )
            for row in self.flows
        ]
        notes: list[str] = []
        costs_to_date = Decimal(0)
        paid_back: PeriodFlows | None = None
        for row in self.flows:
            costs_to_date += row.costs.present_value()
            if costs_to_date > 0 and row.cumulative_net_present_value >= 0:
                paid_back = row
                break
        if paid_back is None:
            final = self.flows[-1].cumulative_net_present_value if self.flows else Decimal(0)
            return self.figure(
                FigureKey.PAYBACK,
                None,
                NOT_WITHIN_PERIODS if self.flows else str(NO_RETURN),
                inputs,
                calculation=(
                    f"The running total is still {money(final)} at the end of {self.flows[-1].period.name}."
                    if self.flows
                    else ""
                ),
                notes=notes,
            )
        position = self.calculator.evidence.periods.index(paid_back.period) + 1
        later = self.flows[self.flows.index(paid_back) + 1 :]
        fell_back = next((row for row in later if row.cumulative_net_present_value < 0), None)
        if fell_back is not None:
            notes.append(
                f"The running total fell below zero again in {fell_back.period.name} "
                f"({money(fell_back.cumulative_net_present_value)})."
            )
        return self.figure(
            FigureKey.PAYBACK,
            Decimal(position),
            paid_back.period.name,
            inputs,
            calculation=(
                f"The running total first reaches zero or more at the end of {paid_back.period.name} "
                f"({money(paid_back.cumulative_net_present_value)}), period {position} of "
                f"{len(self.calculator.evidence.periods)} in view."
            ),
            notes=notes,
        )
