"""The costs view's figures: recorded and attributable cost by site, category and period, split set-up
against running and cash against in kind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, select
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from evidence_hub.models.framework import CostCategory
from evidence_hub.models.returns import CostType, Funding, SiteReturn
from evidence_hub.models.summaries import ReturnCostSum, ReturnCostTotal
from evidence_hub.services.common.money import (
    pounds_from_attributable_units,
    pounds_from_pence,
)
from evidence_hub.services.dashboards.comparability import differing_periods_warning, periods_reported_by_site
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows


@dataclass
class CostTotals:
    """Cost sums kept as exact integers while they are added up: recorded cost in pence, the
    attributable parts in pence × hundredths of a percent. The properties give pounds as Decimals."""

    recorded_pence: int = 0
    attributable_units: int = 0
    set_up_units: int = 0
    cash_units: int = 0

    @property
    def recorded(self) -> Decimal:
        return pounds_from_pence(self.recorded_pence)

    @property
    def attributable(self) -> Decimal:
        return pounds_from_attributable_units(self.attributable_units)

    @property
    def set_up(self) -> Decimal:
        return pounds_from_attributable_units(self.set_up_units)

    @property
    def cash(self) -> Decimal:
        return pounds_from_attributable_units(self.cash_units)

    @property
    def running(self) -> Decimal:
        return self.attributable - self.set_up

    @property
    def in_kind(self) -> Decimal:
        return self.attributable - self.cash

    @property
    def attributable_share(self) -> Decimal | None:
        return share(self.attributable, self.recorded)

    def add(self, recorded_pence: int, attributable_units: int, set_up_units: int, cash_units: int) -> None:
        self.recorded_pence += recorded_pence
        self.attributable_units += attributable_units
        self.set_up_units += set_up_units
        self.cash_units += cash_units


@dataclass
class CostFigures:
    categories: list[tuple[str, str]]  # (code, name) in framework order
    by_site: dict[int, CostTotals]
    by_site_category: dict[tuple[int, str], CostTotals]
    by_site_period: dict[tuple[int, int], CostTotals]
    by_period: dict[int, CostTotals]
    total: CostTotals
    periods_reported: dict[int, set[int]]
    warnings: list[str] = field(default_factory=list)


def cost_figures(session: Session, scope: Scope) -> CostFigures:
    """Attributable and recorded costs by site, category and period, split set-up/running, cash/in-kind.

    A GROUP BY over the costs kept per return and category (models/summaries.py) of the returns in view,
    by site and category, and the row kept for each return over every category (a site's return for a
    period). The totals by site, by period and overall are added up from the second as integers. Python
    reads thousands of rows at national scale, rather than the hundred thousand of every return's
    categories.
    """
    kept = ReturnCostTotal
    attributable = kept.attributable_units
    # Cast so that PostgreSQL gives back integers rather than numerics to be converted one by one.
    sums = (
        cast(func.sum(kept.recorded_pence), BigInteger),
        cast(func.sum(attributable), BigInteger),
        cast(func.sum(case((kept.cost_type == CostType.SET_UP.value, attributable), else_=0)), BigInteger),
        cast(func.sum(case((kept.funding == Funding.CASH.value, attributable), else_=0)), BigInteger),
    )
    by_site_and_category = (
        select(SiteReturn.site_id, kept.cost_category_id, *sums)
        .join(SiteReturn, SiteReturn.id == kept.site_return_id)
        .where(scope.returns_condition())
        .group_by(SiteReturn.site_id, kept.cost_category_id)
    )
    by_return = select(
        ReturnCostSum.site_return_id,
        ReturnCostSum.recorded_pence,
        _units(
            ReturnCostSum.set_up_cash_units,
            ReturnCostSum.set_up_in_kind_units,
            ReturnCostSum.running_cash_units,
            ReturnCostSum.running_in_kind_units,
        ),
        _units(ReturnCostSum.set_up_cash_units, ReturnCostSum.set_up_in_kind_units),
        _units(ReturnCostSum.set_up_cash_units, ReturnCostSum.running_cash_units),
    ).where(ReturnCostSum.site_return_id.in_(select(SiteReturn.id).where(scope.returns_condition())))
    returns = _returns_in_scope(session, scope)
    where = {row.id: (row.site_id, row.reporting_period_id) for row in returns}
    categories, codes_by_id = _categories_in_scope(session, scope)
    # Sums as [recorded, attributable, set-up, cash] lists of integers while adding up; a category's
    # code may have a different id in each framework version.
    by_site_category: dict[tuple[int, str], list[int]] = {}
    for site_id, category_id, *amounts in plain_rows(session, by_site_and_category).all():
        key = (site_id, codes_by_id[category_id])
        found = by_site_category.get(key)
        if found is None:
            by_site_category[key] = amounts
        else:
            for position, amount in enumerate(amounts):
                found[position] += amount
    figures = CostFigures(
        categories=categories,
        by_site=defaultdict(CostTotals),
        by_site_category={key: CostTotals(*sums) for key, sums in by_site_category.items()},
        by_site_period={},
        by_period=defaultdict(CostTotals),
        total=CostTotals(),
        periods_reported=periods_reported_by_site(returns),
    )
    for return_id, recorded, attributable_units, set_up, cash in plain_rows(session, by_return).all():
        site_id, period_id = where[return_id]
        figures.by_site_period[(site_id, period_id)] = CostTotals(recorded, attributable_units, set_up, cash)
        figures.by_site[site_id].add(recorded, attributable_units, set_up, cash)
        figures.by_period[period_id].add(recorded, attributable_units, set_up, cash)
        figures.total.add(recorded, attributable_units, set_up, cash)
    warning = differing_periods_warning(scope, figures.periods_reported, "costs")
    if warning:
        figures.warnings.append(warning)
    return figures


def _units(*columns: QueryableAttribute[int | None]) -> ColumnElement[int]:
    """The sum of kept attributable columns, a type and funding the return has no cost of adding 0."""
    total: ColumnElement[int] = func.coalesce(columns[0], 0)
    for column in columns[1:]:
        total = total + func.coalesce(column, 0)
    return total


def _categories_in_scope(session: Session, scope: Scope) -> tuple[list[tuple[str, str]], dict[int, str]]:
    """The cost categories in view as (code, name) in framework order, and each category id's code."""
    seen: dict[str, str] = {}
    codes_by_id: dict[int, str] = {}
    for category_id, code, name in plain_rows(
        session,
        select(CostCategory.id, CostCategory.code, CostCategory.name)
        .where(CostCategory.framework_version_id.in_(scope.version_ids()))
        .order_by(CostCategory.framework_version_id.desc(), CostCategory.position),
    ):
        seen.setdefault(code, name)
        codes_by_id[category_id] = code
    return list(seen.items()), codes_by_id


def _returns_in_scope(session: Session, scope: Scope) -> list[Any]:
    return list(
        plain_rows(
            session,
            select(SiteReturn.id, SiteReturn.site_id, SiteReturn.reporting_period_id).where(
                scope.returns_condition()
            ),
        ).all()
    )
