"""Value for money per site: cost per person reached, cost per unit of a chosen outcome, costs avoided
against costs, payback and return, each with the figures it rests on and the warnings a reader needs.

Definitions (shown on the page too):
- Cost is the cost attributable to the pilot over the periods in view.
- Cost per person reached = cost ÷ people reached by the site's activities.
- Cost per unit of outcome = cost ÷ the sum of the outcome indicator's values over the periods in view.
- Return on cost = (costs avoided minus cost) ÷ cost.
- Payback period = one-off set-up cost ÷ (average costs avoided per period minus average running cost per
  period), in reporting periods; it is not reached when running costs match or exceed the savings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from evidence_hub.models.framework import EvidenceLevel, Indicator, IndicatorUnit
from evidence_hub.models.returns import MeasureValue, SiteReturn
from evidence_hub.models.summaries import ReturnActivityTotal, ReturnSavingTotal
from evidence_hub.services.common.money import pounds_from_pence
from evidence_hub.services.dashboards.comparability import MINIMUM_SITES_TO_COMPARE
from evidence_hub.services.dashboards.costs import CostFigures, CostTotals, cost_figures
from evidence_hub.services.dashboards.outcomes import (
    IndicatorDefinition,
    baselines_for,
    below_minimum_expression,
    indicators_in_scope,
)
from evidence_hub.services.dashboards.ratios import divide, share
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows

# Units whose values can be added up over periods and divided into a cost.
OUTCOME_UNITS = frozenset({IndicatorUnit.COUNT.value})


@dataclass
class SiteValue:
    site_id: int
    costs: CostTotals
    periods: int
    activities: ActivityTotals
    outcome: OutcomeTotal | None
    savings: SavingTotals
    has_baseline: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def cost_per_person(self) -> Decimal | None:
        return divide(self.costs.attributable, self.activities.people_reached)

    @property
    def cost_per_outcome(self) -> Decimal | None:
        if self.outcome is None:
            return None
        return divide(self.costs.attributable, self.outcome.total)

    @property
    def net_saving(self) -> Decimal | None:
        if not self.savings.claims:
            return None
        return self.savings.amount - self.costs.attributable

    @property
    def return_percent(self) -> Decimal | None:
        """Costs avoided less cost, as a percentage of cost; only where savings are claimed."""
        if self.net_saving is None:
            return None
        return share(self.net_saving, self.costs.attributable)

    @property
    def payback_periods(self) -> Decimal | None:
        """Periods for average net savings to repay the set-up cost; None when it is never repaid."""
        if not self.savings.claims or not self.periods:
            return None
        net_per_period = (self.savings.amount - self.costs.running) / self.periods
        if net_per_period <= 0:
            return None
        return self.costs.set_up / net_per_period

    @property
    def payback_not_reached(self) -> bool:
        return bool(self.savings.claims) and self.periods > 0 and self.payback_periods is None


@dataclass
class ValueForMoney:
    outcome: IndicatorDefinition | None
    outcome_choices: list[IndicatorDefinition]
    sites: list[SiteValue]
    warnings: list[str] = field(default_factory=list)


def outcome_choices(indicators: list[IndicatorDefinition]) -> list[IndicatorDefinition]:
    return [indicator for indicator in indicators if indicator.unit in OUTCOME_UNITS]


def value_for_money(
    session: Session, scope: Scope, outcome_code: str | None, costs: CostFigures | None = None
) -> ValueForMoney:
    """Every figure of the value-for-money view, from a fixed set of GROUP BY queries.

    A caller that has the scope's cost figures already passes them in, so they are not summed twice.
    """
    choices = outcome_choices(indicators_in_scope(session, scope))
    outcome = next((each for each in choices if each.code == outcome_code), choices[0] if choices else None)
    costs = costs if costs is not None else cost_figures(session, scope)
    activities = activity_totals(session, scope)
    savings = saving_totals(session, scope)
    outcomes = outcome_totals(session, scope, outcome.code) if outcome else {}
    baselines = baselines_for(session, scope, [outcome.code]) if outcome else {}
    result = ValueForMoney(outcome=outcome, outcome_choices=choices, sites=[])
    for site in scope.sites:
        site_value = SiteValue(
            site_id=site.id,
            costs=costs.by_site.get(site.id, CostTotals()),
            periods=len(costs.periods_reported.get(site.id, ())),
            activities=activities.get(site.id, ActivityTotals()),
            outcome=outcomes.get(site.id),
            savings=savings.get(site.id, SavingTotals()),
            has_baseline=outcome is not None and (site.id, outcome.code) in baselines,
        )
        site_value.warnings = _site_warnings(site_value, outcome)
        result.sites.append(site_value)
    result.warnings = costs.warnings + _view_warnings(scope, result)
    return result


def _site_warnings(site: SiteValue, outcome: IndicatorDefinition | None) -> list[str]:
    warnings = []
    if outcome is not None and site.outcome is not None:
        if not site.has_baseline:
            warnings.append("No baseline: the outcome cannot be set against the starting point")
        if site.outcome.below_minimum:
            warnings.append(
                f"{site.outcome.below_minimum} of {site.outcome.values} outcome figures have evidence below "
                f"the framework's minimum ({outcome.minimum_scale} level {outcome.minimum_level})"
            )
    if site.activities.activities_without_reach:
        warnings.append(
            f"{site.activities.activities_without_reach} activities do not say how many people they reached"
        )
    if site.savings.claims_without_evidence_level:
        warnings.append(
            f"{site.savings.claims_without_evidence_level} savings claims give no strength of evidence"
        )
    return warnings


def _view_warnings(scope: Scope, result: ValueForMoney) -> list[str]:
    warnings = []
    outcome = result.outcome
    if outcome is not None:
        reporting = sum(1 for site in result.sites if site.outcome is not None)
        if reporting < MINIMUM_SITES_TO_COMPARE:
            warnings.append(
                f"Only {reporting} of the {len(result.sites)} sites shown report {outcome.name}: "
                f"comparisons need at least {MINIMUM_SITES_TO_COMPARE}."
            )
        if outcome.changes:
            warnings.append(
                f"{outcome.name} changed between framework versions ("
                + "; ".join(outcome.changes)
                + "): sites may define the measure differently."
            )
    return warnings


@dataclass(frozen=True)
class ActivityTotals:
    activities: int = 0
    people_reached: int = 0
    activities_without_reach: int = 0


def activity_totals(session: Session, scope: Scope) -> dict[int, ActivityTotals]:
    rows = plain_rows(
        session,
        select(
            SiteReturn.site_id,
            func.sum(ReturnActivityTotal.activities).label("activities"),
            func.coalesce(func.sum(ReturnActivityTotal.people_reached), 0).label("people_reached"),
            func.sum(ReturnActivityTotal.without_reach).label("without_reach"),
        )
        .select_from(ReturnActivityTotal)
        .join(SiteReturn, SiteReturn.id == ReturnActivityTotal.site_return_id)
        .where(scope.returns_condition())
        .group_by(SiteReturn.site_id),
    )
    return {
        row.site_id: ActivityTotals(int(row.activities), int(row.people_reached), int(row.without_reach or 0))
        for row in rows
    }


@dataclass(frozen=True)
class SavingTotals:
    claims: int = 0
    amount: Decimal = Decimal(0)
    claims_without_evidence_level: int = 0


def saving_totals(session: Session, scope: Scope) -> dict[int, SavingTotals]:
    rows = plain_rows(
        session,
        select(
            SiteReturn.site_id,
            func.sum(ReturnSavingTotal.claims).label("claims"),
            func.sum(ReturnSavingTotal.amount_pence).label("amount"),
            func.sum(ReturnSavingTotal.without_level).label("without_level"),
        )
        .select_from(ReturnSavingTotal)
        .join(SiteReturn, SiteReturn.id == ReturnSavingTotal.site_return_id)
        .where(scope.returns_condition())
        .group_by(SiteReturn.site_id),
    )
    return {
        row.site_id: SavingTotals(int(row.claims), pounds_from_pence(row.amount), int(row.without_level or 0))
        for row in rows
    }


@dataclass(frozen=True)
class OutcomeTotal:
    total: Decimal
    values: int
    below_minimum: int


def outcome_totals(session: Session, scope: Scope, indicator_code: str) -> dict[int, OutcomeTotal]:
    """Each site's sum of one indicator's values over the periods in view, with weak-evidence counts."""
    level = aliased(EvidenceLevel)
    minimum = aliased(EvidenceLevel)
    rows = plain_rows(
        session,
        select(
            SiteReturn.site_id,
            func.sum(MeasureValue.value).label("total"),
            func.count(MeasureValue.value).label("values"),
            func.sum(case((below_minimum_expression(level, minimum), 1), else_=0)).label("below_minimum"),
        )
        .select_from(MeasureValue)
        .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .outerjoin(level, level.id == MeasureValue.evidence_level_id)
        .where(scope.returns_condition(), Indicator.code == indicator_code, MeasureValue.value.is_not(None))
        .group_by(SiteReturn.site_id),
    )
    return {
        row.site_id: OutcomeTotal(
            Decimal(row.total).quantize(Decimal("0.0001")), int(row.values), int(row.below_minimum or 0)
        )
        for row in rows
    }
