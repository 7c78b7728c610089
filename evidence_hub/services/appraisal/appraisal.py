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

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from operator import attrgetter, itemgetter

from evidence_hub.formatting import listed
from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.additionality import AdditionalShare, additional_share
from evidence_hub.services.appraisal.assumptions import CENTRAL, Assumptions, Scenario, assumptions_for
from evidence_hub.services.appraisal.discounting import discount_divisor
from evidence_hub.services.appraisal.display import exact_arithmetic
from evidence_hub.services.appraisal.evidence import (
    BenefitKind,
    CostType,
    Funding,
    ImpactEstimate,
    NotYetAvailable,
    Period,
    PeriodEvidence,
    PilotEvidence,
    ReachCounting,
)
from evidence_hub.services.appraisal.figures import FigureBasis, FigureWriter
from evidence_hub.services.appraisal.flows import (
    BenefitBreakdown,
    BenefitSource,
    BenefitStream,
    CostBreakdown,
    CostStream,
    OutcomeCount,
    PeriodFlows,
    PeriodRow,
    PeriodWithoutReturn,
    ReachCounts,
)
from evidence_hub.services.appraisal.parameters import AppraisalParameters
from evidence_hub.services.appraisal.prices import deflator
from evidence_hub.services.appraisal.records import record
from evidence_hub.services.appraisal.workings import Figure, Workings

PROGRAMME_CODE = "all"
PROGRAMME_NAME = "All sites"
# Up to this many sites with missing returns are named in the programme's notes; beyond it, a total.
LISTED_GAPS = 10


class AppraisalError(ValueError):
    """Evidence the parameters cannot appraise (such as a year the deflators do not cover), in plain
    English."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class ScopeAppraisal:
    """The appraisal of one site, or of the programme (code "all").

    `months_observed` counts the months of approved returns (site-months for the programme).
    `discounted_outcomes` holds, for each valued outcome, the gross outcomes of every period divided by
    that period's discount divisor: what the benefits of any scenario are worked out from."""

    code: str
    name: str
    periods: tuple[PeriodRow, ...]
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount
    returns: int
    months_observed: int
    discounted_outcomes: Mapping[str, Decimal]
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
class ScopeTotals:
    """A site's costs, benefits and months of approved returns: the same sums as its `ScopeAppraisal`,
    without its figures (what the roll-out projection scales, in every scenario)."""

    costs: CostBreakdown
    benefits: BenefitBreakdown
    months_observed: int


@dataclass(frozen=True)
class Appraisal:
    scenario: Scenario
    assumptions: Assumptions
    year_zero: int
    periods: tuple[Period, ...]
    final_outcome_name: str
    final_outcome_basis: str
    programme: ScopeAppraisal
    notes: tuple[str, ...]
    # Each site's appraisal, built when first asked for: the low and high scenarios are mostly read for
    # the programme alone, and a site's figures and workings are most of the cost of an appraisal.
    site_scopes: Callable[[], tuple[ScopeAppraisal, ...]] = field(repr=False, compare=False)
    site_totals: Callable[[str], ScopeTotals] = field(repr=False, compare=False)

    @functools.cached_property
    def sites(self) -> tuple[ScopeAppraisal, ...]:
        return self.site_scopes()

    @functools.cached_property
    def _by_code(self) -> dict[str, ScopeAppraisal]:
        return {site.code: site for site in self.sites}

    def scope(self, code: str) -> ScopeAppraisal:
        """A site by its code, or the programme by PROGRAMME_CODE; KeyError for any other code."""
        if code == PROGRAMME_CODE:
            return self.programme
        return self._by_code[code]

    def annex(self) -> tuple[Workings, ...]:
        """Every figure's workings, programme first, then each site: what a summary's annex lists."""
        return tuple(figure.workings for scope in (self.programme, *self.sites) for figure in scope.figures())


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
    uncovered_by_code = {
        period.code: year
        for period in evidence.periods
        if (year := years.financial_year(period.starts_on)) not in deflators
    }
    uncovered: set[int] = set()
    for site in evidence.sites:
        for code, evidence_for_period in site.returns.items():
            period = by_code.get(code)
            if period is None:
                problems.append(
                    f"{site.name} has a return for {code}, which is not one of the periods in view."
                )
                continue
            if code in uncovered_by_code:
                uncovered.add(uncovered_by_code[code])
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
    problems = []
    # Plain loops that stop at the first line in question: every return of every site is checked on every
    # request, and a generator for each test cost more than the tests.
    for line in evidence.costs:
        if line.amount < 0 or not 0 <= line.attributable_percent <= 100:
            if any(line.amount < 0 for line in evidence.costs):
                problems.append("a cost is below zero.")
            if any(not 0 <= line.attributable_percent <= 100 for line in evidence.costs):
                problems.append("a cost's share attributable to the pilot is not between 0% and 100%.")
            break
    for saving in evidence.savings:
        if saving.amount < 0:
            problems.append("a saving is below zero.")
            break
    for reach in evidence.reach:
        if reach.people is not None and reach.people < 0:
            problems.append("an activity reached fewer than 0 people.")
            break
    # Where is said only when something is wrong: naming every return cost more than checking it.
    return [f"{site}, {period.name}: {problem}" for problem in problems]


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
    return appraise_scenarios(evidence, parameters, impacts, (scenario,))[0]


@exact_arithmetic
def appraise_scenarios(
    evidence: PilotEvidence,
    parameters: AppraisalParameters,
    impacts: Sequence[ImpactEstimate],
    scenarios: Sequence[Scenario],
) -> tuple[Appraisal, ...]:
    """`appraise` under each scenario, in order. What a return gives in every scenario (its timing, real
    costs and savings, reach) is worked out once and shared."""
    problems = evidence_problems(evidence, parameters)
    if problems:
        raise AppraisalError(problems)
    calculators = [
        _PeriodCalculator(evidence, assumptions_for(parameters, impacts, scenario)) for scenario in scenarios
    ]
    first = calculators[0]
    basics = [
        {
            code: first.basics(period_evidence, first.periods[code])
            for code, period_evidence in site.returns.items()
        }
        for site in evidence.sites
    ]
    notes = tuple(
        f"Impact estimate for {impact.outcome_code} not used: the parameters do not value that outcome."
        for impact in impacts
        if parameters.outcome(impact.outcome_code) is None
    )
    # Every scenario's programme is built from each period's returns added together (`_pooled_periods`):
    # every flow is a sum of the returns' flows times the scenario's factors, so adding first gives the same
    # figures (to the last of the 28 digits carried, give or take a few units) for a fraction of the work.
    # Sites' figures are built return by return, when first asked for.
    pooled = _pooled_periods(evidence, basics, first)
    return tuple(_appraisal(evidence, calculator, basics, notes, pooled) for calculator in calculators)


@dataclass(frozen=True)
class _PooledPeriod:
    """Every approved return of one period added together, whatever the scenario: their flows before any
    scenario's factors (`_Basics`), each valued outcome's total, and the final outcome's counts and the
    real cost of the returns that report it (its additional outcomes are the scenario's)."""

    returns: int
    basics: _Basics
    outcomes: PeriodEvidence
    final_outcome: OutcomeCount


def _pooled_periods(
    evidence: PilotEvidence, basics: Sequence[Mapping[str, _Basics]], calculator: _PeriodCalculator
) -> dict[str, _PooledPeriod]:
    returns: dict[str, list[tuple[PeriodEvidence, _Basics]]] = defaultdict(list)
    for site, site_basics in zip(evidence.sites, basics, strict=True):
        for code, period_evidence in site.returns.items():
            returns[code].append((period_evidence, site_basics[code]))
    pooled = {}
    for code, parts in returns.items():
        # Each key's costs are gathered, then summed amount by amount, in order from zero.
        costs: dict[tuple[CostType, Funding], list[tuple[CostType, Funding, Decimal, Decimal, Decimal]]] = (
            defaultdict(list)
        )
        savings: dict[str, list[BenefitStream]] = defaultdict(list)
        outcomes: dict[str, Decimal] = defaultdict(Decimal)
        real_cost = Decimal(0)
        for period_evidence, part in parts:
            for cost in part.costs:
                costs[(cost[0], cost[1])].append(cost)
            for stream in part.savings:
                savings[stream.key].append(stream)
            for outcome_code, value in period_evidence.outcomes.items():
                if isinstance(value, Decimal):
                    outcomes[outcome_code] += value
            real_cost += part.real_cost
        pooled[code] = _PooledPeriod(
            returns=len(parts),
            basics=_Basics(
                parts[0][1].timing,
                tuple(
                    (
                        cost_type,
                        funding,
                        sum(map(itemgetter(2), gathered), Decimal(0)),
                        sum(map(itemgetter(3), gathered), Decimal(0)),
                        sum(map(itemgetter(4), gathered), Decimal(0)),
                    )
                    for (cost_type, funding), gathered in sorted(costs.items())
                ),
                tuple(
                    replace(
                        streams[0],
                        real=sum((stream.real for stream in streams), Decimal(0)),
                        present_value=sum((stream.present_value for stream in streams), Decimal(0)),
                    )
                    for _key, streams in sorted(savings.items())
                ),
                ReachCounts.total([part.reach for _evidence, part in parts]),
                real_cost=real_cost,
            ),
            outcomes=PeriodEvidence(outcomes=dict(outcomes)),
            final_outcome=OutcomeCount.total(
                [
                    calculator.final_outcome(period_evidence, part.real_cost, with_additional=False)
                    for period_evidence, part in parts
                ]
            ),
        )
    return pooled


def _appraisal(
    evidence: PilotEvidence,
    calculator: _PeriodCalculator,
    basics: Sequence[Mapping[str, _Basics]],
    notes: tuple[str, ...],
    pooled: Mapping[str, _PooledPeriod],
) -> Appraisal:
    """One scenario's appraisal: the programme from each period's returns added together (`pooled`); each
    return is computed only when a site's figures are first asked for."""

    @functools.cache
    @exact_arithmetic
    def by_return() -> tuple[list[dict[str, _Computed]], dict[str, dict[str, _Computed]]]:
        by_site: list[dict[str, _Computed]] = []
        by_code: dict[str, dict[str, _Computed]] = {}
        for site, site_basics in zip(evidence.sites, basics, strict=True):
            computed = {
                code: calculator.compute(site_basics[code], period_evidence, calculator.periods[code])
                for code, period_evidence in site.returns.items()
            }
            by_site.append(computed)
            by_code[site.code] = computed
        return by_site, by_code

    by_period = {
        code: [calculator.pooled(calculator.periods[code], period)] for code, period in pooled.items()
    }
    programme = calculator.scope(PROGRAMME_CODE, PROGRAMME_NAME, by_period, _programme_notes(evidence))

    @exact_arithmetic
    def site_scopes() -> tuple[ScopeAppraisal, ...]:
        sites = []
        for site, computed in zip(evidence.sites, by_return()[0], strict=True):
            missing = [period.name for period in evidence.periods if period.code not in computed]
            site_notes = (
                [f"No return for {listed(missing)}: left out of every figure, never counted as 0."]
                if missing
                else []
            )
            sites.append(
                calculator.scope(
                    site.code, site.name, {code: [each] for code, each in computed.items()}, site_notes
                )
            )
        return tuple(sites)

    @exact_arithmetic
    def site_totals(code: str) -> ScopeTotals:
        # A site has one return a period, so `scope` combines exactly these parts in this order.
        computed = by_return()[1][code]
        parts = [computed[period.code] for period in evidence.periods if period.code in computed]
        return ScopeTotals(
            costs=CostBreakdown.combined([part.costs for part in parts]),
            benefits=BenefitBreakdown.combined([part.benefits for part in parts]),
            months_observed=sum(part.months for part in computed.values()),
        )

    return Appraisal(
        scenario=calculator.assumptions.scenario,
        assumptions=calculator.assumptions,
        year_zero=calculator.year_zero,
        periods=evidence.periods,
        final_outcome_name=calculator.final_name,
        final_outcome_basis=calculator.final_share.basis.label if calculator.final_share else "",
        programme=programme,
        notes=notes,
        site_scopes=site_scopes,
        site_totals=site_totals,
    )


def _programme_notes(evidence: PilotEvidence) -> list[str]:
    """Which returns are missing: site by site where a few sites have gaps, in total where many do."""
    gaps = {
        site.name: missing
        for site in evidence.sites
        if (missing := [period.name for period in evidence.periods if period.code not in site.returns])
    }
    if not gaps:
        return []
    if len(gaps) <= LISTED_GAPS:
        notes = [f"{name} has no return for {listed(missing)}." for name, missing in gaps.items()]
    else:
        missing_returns = sum(len(missing) for missing in gaps.values())
        expected = len(evidence.sites) * len(evidence.periods)
        notes = [
            f"{missing_returns:,} of the {expected:,} returns expected have not been approved, at "
            f"{len(gaps):,} sites; each site's figures list its own."
        ]
    return [*notes, "Periods with no return are left out of every figure, never counted as 0."]


# A return's final outcome when it has no value: the same for every such return, so made once.
_NOT_YET_AVAILABLE = OutcomeCount(not_yet_available=1)
_NOT_REPORTED = OutcomeCount(not_reported=1)


@record
class _Computed:
    """One approved return's flows in one period, or every return's of a period added together."""

    months: int
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount
    discounted_outcomes: dict[str, Decimal]
    # How many returns these flows add up: one, or a whole period's (`_PeriodCalculator.pooled`).
    returns: int = 1


@dataclass(frozen=True)
class _Timing:
    """Where a financial year stands in the appraisal: its appraisal year, base-year deflator ÷ its
    deflator, and its discount divisor."""

    financial_year: int
    year_index: int
    price_ratio: Decimal
    base_deflator: Decimal
    deflator: Decimal
    divisor: Decimal


@record
class _Basics:
    """One return's flows that no scenario changes: its timing; each cost type and funding as
    (type, funding, nominal, real, present value before optimism bias); its savings; its reach."""

    timing: _Timing
    costs: tuple[tuple[CostType, Funding, Decimal, Decimal, Decimal], ...]
    savings: tuple[BenefitStream, ...]
    reach: ReachCounts
    # All the return's costs at base-year prices: what `CostBreakdown.real` sums, in the same order.
    real_cost: Decimal


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
        # What optimism bias multiplies each type of cost by, worked out once rather than for every cost.
        self.uplifts = {
            cost_type: 1 + percent / 100 for cost_type, percent in assumptions.optimism_bias.items()
        }
        base = deflator(self.parameters.deflators, self.parameters.price_base_year)
        # Each outcome value restated at base-year prices, with its stream's key and label, once.
        self.real_unit_values = {
            code: [
                (
                    value,
                    amount * base / deflator(self.parameters.deflators, value.price_year),
                    f"outcome:{code}:{value.kind.value}",
                    f"{outcome.name}: {value.kind.label.lower()} value",
                )
                for value, amount in outcome.unit_values
            ]
            for code, outcome in assumptions.outcomes.items()
        }
        # Read for every return, so worked out once a period.
        self._timings: dict[str, _Timing] = {}

    def timing(self, period: Period) -> _Timing:
        if period.code not in self._timings:
            year = years.financial_year(period.starts_on)
            series = self.parameters.deflators
            base = deflator(series, self.parameters.price_base_year)
            in_year = deflator(series, year)
            index = year - self.year_zero
            self._timings[period.code] = _Timing(
                year,
                index,
                base / in_year,
                base,
                in_year,
                discount_divisor(self.parameters.discounting, index),
            )
        return self._timings[period.code]

    def basics(self, evidence: PeriodEvidence, period: Period) -> _Basics:
        """What one return gives whatever the scenario."""
        timing = self.timing(period)
        base, in_year, divisor = timing.base_deflator, timing.deflator, timing.divisor

        def real(amount: Decimal) -> Decimal:
            return amount * base / in_year

        attributable: dict[tuple[CostType, Funding], Decimal] = defaultdict(Decimal)
        for line in evidence.costs:
            attributable[(line.cost_type, line.funding)] += line.attributable
        costs = []
        real_cost = Decimal(0)
        for (cost_type, funding), nominal in sorted(attributable.items()):
            in_real_terms = real(nominal)
            real_cost += in_real_terms
            costs.append((cost_type, funding, nominal, in_real_terms, in_real_terms / divisor))
        savings = []
        saved: dict[tuple[BenefitKind, bool], Decimal] = defaultdict(Decimal)
        for saving in evidence.savings:
            saved[(saving.kind, saving.cashable)] += saving.amount
        for (kind, cashable), amount in sorted(saved.items()):
            in_real_terms = real(amount)
            savings.append(
                BenefitStream(
                    key=f"savings:{kind.value}:{'cashable' if cashable else 'non_cashable'}",
                    label=f"{'C' if cashable else 'Non-c'}ashable {kind.label.lower()} savings claimed",
                    source=BenefitSource.SAVINGS,
                    kind=kind,
                    cashable=cashable,
                    outcome_code=None,
                    real=in_real_terms,
                    present_value=in_real_terms / divisor,
                )
            )
        return _Basics(
            timing,
            tuple(costs),
            tuple(savings),
            _reach(evidence),
            real_cost=real_cost,
        )

    def compute(self, basics: _Basics, evidence: PeriodEvidence, period: Period) -> _Computed:
        divisor = basics.timing.divisor
        cost_streams = []
        for cost_type, funding, nominal, in_real_terms, before_bias in basics.costs:
            with_bias = in_real_terms * self.uplifts[cost_type]
            cost_streams.append(
                CostStream(
                    cost_type, funding, nominal, in_real_terms, with_bias, with_bias / divisor, before_bias
                )
            )
        costs = CostBreakdown(tuple(cost_streams))

        benefit_streams = list(basics.savings)
        discounted_outcomes = {}
        for code in self.assumptions.outcomes:
            value = evidence.outcomes.get(code)
            if not isinstance(value, Decimal):
                continue
            discounted_outcomes[code] = value / divisor
            additional = self.shares[code].of(value)
            for unit_value, real_amount, key, label in self.real_unit_values[code]:
                in_real_terms = additional * real_amount
                # Positional: made for every valued outcome of every return.
                benefit_streams.append(
                    BenefitStream(
                        key,
                        label,
                        BenefitSource.OUTCOME,
                        unit_value.kind,
                        unit_value.cashable,
                        code,
                        in_real_terms,
                        in_real_terms / divisor,
                    )
                )

        return _Computed(
            months=period.months,
            costs=costs,
            benefits=BenefitBreakdown(tuple(sorted(benefit_streams, key=attrgetter("key")))),
            reach=basics.reach,
            final_outcome=self.final_outcome(evidence, basics.real_cost),
            discounted_outcomes=discounted_outcomes,
        )

    def final_outcome(
        self, evidence: PeriodEvidence, cost: Decimal, *, with_additional: bool = True
    ) -> OutcomeCount:
        """One return's final outcome, with the return's real cost; without its additional outcomes (left
        at 0), what no scenario changes."""
        value = evidence.outcomes.get(self.parameters.final_outcome)
        if isinstance(value, Decimal):
            additional = self.final_share.of(value) if self.final_share and with_additional else Decimal(0)
            return OutcomeCount(gross=value, additional=additional, cost=cost, reported=1)
        if isinstance(value, NotYetAvailable):
            return _NOT_YET_AVAILABLE
        return _NOT_REPORTED

    def pooled(self, period: Period, pooled: _PooledPeriod) -> _Computed:
        """A period's returns added together, under this calculator's scenario."""
        computed = self.compute(pooled.basics, pooled.outcomes, period)
        counts = pooled.final_outcome
        additional = self.final_share.of(counts.gross) if self.final_share and counts.reported else Decimal(0)
        return replace(computed, final_outcome=replace(counts, additional=additional), returns=pooled.returns)

    def scope(
        self, code: str, name: str, computed: Mapping[str, Sequence[_Computed]], notes: Sequence[str]
    ) -> ScopeAppraisal:
        rows: list[PeriodRow] = []
        cumulative = Decimal(0)
        for period in self.evidence.periods:
            timing = self.timing(period)
            parts = computed.get(period.code, ())
            if not parts:
                rows.append(PeriodWithoutReturn(period, timing.financial_year, timing.year_index))
                continue
            costs = CostBreakdown.combined([part.costs for part in parts])
            benefits = BenefitBreakdown.combined([part.benefits for part in parts])
            cumulative += benefits.present_value() - costs.present_value()
            rows.append(
                PeriodFlows(
                    period=period,
                    returns=parts[0].returns if len(parts) == 1 else sum(part.returns for part in parts),
                    financial_year=timing.financial_year,
                    year_index=timing.year_index,
                    price_ratio=timing.price_ratio,
                    discount_factor=1 / timing.divisor,
                    costs=costs,
                    benefits=benefits,
                    reach=ReachCounts.total([part.reach for part in parts]),
                    final_outcome=OutcomeCount.total([part.final_outcome for part in parts]),
                    cumulative_net_present_value=cumulative,
                )
            )
        flows = [row for row in rows if isinstance(row, PeriodFlows)]
        discounted: dict[str, Decimal] = defaultdict(Decimal)
        for parts in computed.values():
            for part in parts:
                for outcome_code, amount in part.discounted_outcomes.items():
                    discounted[outcome_code] += amount
        writer = FigureWriter(
            FigureBasis(
                name=name,
                periods_in_view=self.evidence.periods,
                rows=tuple(rows),
                costs=CostBreakdown.combined([row.costs for row in flows]),
                benefits=BenefitBreakdown.combined([row.benefits for row in flows]),
                reach=ReachCounts.total([row.reach for row in flows]),
                final_outcome=OutcomeCount.total([row.final_outcome for row in flows]),
                returns=sum(row.returns for row in flows),
                notes=tuple(notes),
                assumptions=self.assumptions,
                shares=self.shares,
                final_code=self.parameters.final_outcome,
                final_name=self.final_name,
            )
        )
        basis = writer.basis
        return ScopeAppraisal(
            code=code,
            name=name,
            periods=basis.rows,
            costs=basis.costs,
            benefits=basis.benefits,
            reach=basis.reach,
            final_outcome=basis.final_outcome,
            returns=basis.returns,
            months_observed=sum(part.months * part.returns for parts in computed.values() for part in parts),
            discounted_outcomes=dict(discounted),
            present_value_costs=writer.present_value_costs(),
            present_value_benefits=writer.present_value_benefits(),
            net_present_value=writer.net_present_value(),
            benefit_cost_ratio=writer.benefit_cost_ratio(),
            return_on_investment=writer.return_on_investment(),
            cost_per_person_reached=writer.cost_per_person_reached(),
            cost_per_outcome=writer.cost_per_outcome(),
            cost_per_additional_outcome=writer.cost_per_additional_outcome(),
            payback=writer.payback(),
            notes=tuple(notes),
        )


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
