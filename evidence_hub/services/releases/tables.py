"""The aggregated tables of a release or of a site's own data pack: one row per site and period.

Each table is built by GROUP BY queries over the returns in a `Scope` (framework, version, periods, sites,
return states, narrowed to the acting user), with a fixed number of queries whatever the number of sites.
The figures here are exact; `protected_tables` applies disclosure control before anything reaches a
national official. Cells are JSON values, so that a release can keep them frozen: money as decimal strings
in pounds and pence, counts as integers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from evidence_hub.models import LearningEntry, ReportingPeriod, Site, SiteReturn, Theme
from evidence_hub.models.framework import (
    ActivityType,
    CostCategory,
    EvidenceLevel,
    EvidenceScale,
    Indicator,
    JourneyMilestone,
    LearningDimension,
    LearningType,
)
from evidence_hub.models.returns import (
    Activity,
    Baseline,
    CostItem,
    CostType,
    DataFlow,
    Funding,
    MeasureValue,
    SavingClaim,
    learning_entry_dimensions,
)
from evidence_hub.services.common.money import (
    attributable_units_of,
    pounds_from_attributable_units,
    pounds_from_pence,
    whole_pence,
)
from evidence_hub.services.dashboards.completeness import completeness_figures
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows
from evidence_hub.services.framework.definitions import release_declaration
from evidence_hub.services.releases.spooled_rows import SpooledRows
from evidence_hub.services.releases.table_definitions import NOT_ACCREDITED, TABLES, AggregatedTable

ALL_CODE = "ALL"
ALL_SITES = "All sites"
ALL_PERIODS = "All periods"
# A figure with no approved return behind it (services/appraisal says the same): never 0.
NO_RETURN = "no return"


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def number(value: Decimal | None, places: int) -> str | None:
    if value is None:
        return None
    return str(value.quantize(Decimal(1).scaleb(-places)))


@dataclass(frozen=True)
class ExactTables:
    """Every table for the returns in a scope, before disclosure control, with the people-reached grid
    that disclosure control protects as a whole."""

    tables: dict[str, AggregatedTable]
    people: PeopleGrid


def build_tables(session: Session, scope: Scope) -> ExactTables:
    """Every table for the returns in `scope`, exact (before disclosure control), keyed by code."""
    builder = _TableBuilder(session, scope)
    grid = builder.people_grid()
    # Each table is spooled to disk as soon as it is built, so only one is ever held in memory.
    tables = {
        "returns": spooled(builder.returns()),
        "costs": spooled(builder.costs()),
        "savings": spooled(builder.savings()),
        "activities": spooled(builder.activities()),
        "people_reached": spooled(builder.people_reached(grid)),
        "measures": spooled(builder.measures()),
        "baselines": spooled(builder.baselines()),
        "learning": spooled(builder.learning()),
        "barriers_enablers": spooled(builder.barriers_enablers()),
        "journey": spooled(builder.journey()),
    }
    return ExactTables(tables, grid)


def spooled(table: AggregatedTable) -> AggregatedTable:
    """The table with its rows in a temporary file instead of memory."""
    if isinstance(table.rows, SpooledRows):
        return table
    return AggregatedTable(table.definition, SpooledRows(table.rows))


# A row with the key that sorts it into its place in the table.
KeyedRows = list[tuple[tuple[Any, ...], list[Any]]]
# Reading a thousand returns' rows at a time keeps the rows in memory small (a batch of the biggest table,
# the measures, is about 40,000 rows), with one query a batch.
RETURNS_PER_READ = 1000


@dataclass(frozen=True)
class PeopleGrid:
    """People reached as a sites × periods grid of exact counts, the shape disclosure control works on."""

    sites: list[Site]
    periods: list[ReportingPeriod]
    counts: list[list[int]]


class _TableBuilder:
    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope
        self.sites = {site.id: site for site in scope.sites}
        self.periods = {period.id: period for period in scope.periods}
        self.period_order = {period.id: index for index, period in enumerate(scope.periods)}
        self.site_order = {site.id: index for index, site in enumerate(scope.sites)}
        self.returns_in_scope = {
            row.id: (row.site_id, row.reporting_period_id)
            for row in plain_rows(
                session,
                select(SiteReturn.id, SiteReturn.site_id, SiteReturn.reporting_period_id).where(
                    scope.returns_condition()
                ),
            )
        }

    def _where(self, site_id: int, period_id: int) -> list[Any]:
        site, period = self.sites[site_id], self.periods[period_id]
        return [site.code, site.name, period.code, period.name]

    def _place(self, return_id: int) -> list[Any]:
        """The site and period columns of a return's rows. A site makes one return a period, so rows
        grouped by return and item are already one per site, period and item."""
        return self._where(*self.returns_in_scope[return_id])

    def _order(self, return_id: int, *within: Any) -> tuple[Any, ...]:
        """Rows sort by site, then period, then the framework's order of what they count."""
        site_id, period_id = self.returns_in_scope[return_id]
        return (self.site_order[site_id], self.period_order[period_id], *within)

    def _in_scope_returns(self) -> Any:
        return select(SiteReturn.id).where(self.scope.returns_condition())

    def _table(self, code: str, keyed_rows_of: Callable[[list[int]], KeyedRows]) -> AggregatedTable:
        """A table grouped by return, read a batch of whole sites at a time in the release's site order and
        spooled to disk as it is read, so that only one batch's rows are ever in memory."""

        def rows() -> Iterator[list[Any]]:
            for returns in self._return_batches():
                yield from _in_order(keyed_rows_of(returns))

        return AggregatedTable(TABLES[code], SpooledRows(rows()))

    def _return_batches(self) -> Iterator[list[int]]:
        """The returns in scope in batches of about RETURNS_PER_READ, each holding whole sites, the sites in
        the release's order: each batch's rows sort on their own into their place in the table."""
        by_site: dict[int, list[int]] = defaultdict(list)
        for return_id, (site_id, _period_id) in self.returns_in_scope.items():
            by_site[site_id].append(return_id)
        batch: list[int] = []
        for site in self.scope.sites:
            batch.extend(by_site.get(site.id, ()))
            if len(batch) >= RETURNS_PER_READ:
                yield batch
                batch = []
        if batch:
            yield batch

    def returns(self) -> AggregatedTable:
        figures = completeness_figures(self.session, self.scope)
        rows = []
        for site in self.scope.sites:
            for period in self.scope.periods:
                cell = figures.cells.get((site.id, period.id))
                if cell is None:
                    # Nothing was reported, not nothing of nothing: the counts are left empty, never 0.
                    status, reported, required = "No return", None, None
                else:
                    status = "Approved" if cell.approved else "Not approved"
                    reported, required = cell.items_reported, cell.items_required
                rows.append([*self._where(site.id, period.id), status, reported, required])
        return AggregatedTable(TABLES["returns"], rows)

    def costs(self) -> AggregatedTable:
        return self._table("costs", self._costs_of)

    def _costs_of(self, returns: list[int]) -> KeyedRows:
        attributable = attributable_units_of(CostItem.amount, CostItem.attributable_percent)
        statement = (
            select(
                CostItem.site_return_id,
                CostCategory.code,
                CostCategory.name,
                CostCategory.position,
                func.sum(whole_pence(CostItem.amount)).label("recorded"),
                func.sum(attributable).label("attributable"),
                func.sum(case((CostItem.cost_type == CostType.SET_UP.value, attributable), else_=0)).label(
                    "set_up"
                ),
                func.sum(case((CostItem.funding == Funding.CASH.value, attributable), else_=0)).label("cash"),
            )
            .join(CostCategory, CostCategory.id == CostItem.cost_category_id)
            .where(CostItem.site_return_id.in_(returns))
            .group_by(CostItem.site_return_id, CostCategory.code, CostCategory.name, CostCategory.position)
        )
        rows = []
        for return_id, code, name, position, recorded, attributable_units, set_up, cash in plain_rows(
            self.session, statement
        ):
            attributable_pounds = pounds_from_attributable_units(attributable_units)
            set_up_pounds = pounds_from_attributable_units(set_up)
            cash_pounds = pounds_from_attributable_units(cash)
            rows.append(
                (
                    self._order(return_id, position, code),
                    [
                        *self._place(return_id),
                        code,
                        name,
                        money(pounds_from_pence(recorded)),
                        money(attributable_pounds),
                        money(set_up_pounds),
                        money(attributable_pounds - set_up_pounds),
                        money(cash_pounds),
                        money(attributable_pounds - cash_pounds),
                    ],
                )
            )
        return rows

    def savings(self) -> AggregatedTable:
        return self._table("savings", self._savings_of)

    def _savings_of(self, returns: list[int]) -> KeyedRows:
        statement = (
            select(
                SavingClaim.site_return_id,
                func.count().label("claims"),
                func.sum(whole_pence(SavingClaim.amount)).label("amount"),
                func.sum(case((SavingClaim.evidence_level_id.is_(None), 1), else_=0)).label("without_level"),
            )
            .where(SavingClaim.site_return_id.in_(returns))
            .group_by(SavingClaim.site_return_id)
        )
        rows = []
        for return_id, claims, amount, without_level in plain_rows(self.session, statement):
            rows.append(
                (
                    self._order(return_id),
                    [
                        *self._place(return_id),
                        int(claims),
                        money(pounds_from_pence(amount)),
                        int(without_level or 0),
                    ],
                )
            )
        return rows

    def activities(self) -> AggregatedTable:
        return self._table("activities", self._activities_of)

    def _activities_of(self, returns: list[int]) -> KeyedRows:
        statement = (
            select(
                Activity.site_return_id,
                ActivityType.code,
                ActivityType.name,
                ActivityType.position,
                func.count().label("activities"),
                func.sum(case((Activity.people_reached.is_(None), 1), else_=0)).label("without_reach"),
            )
            .join(ActivityType, ActivityType.id == Activity.activity_type_id)
            .where(Activity.site_return_id.in_(returns))
            .group_by(Activity.site_return_id, ActivityType.code, ActivityType.name, ActivityType.position)
        )
        rows = [
            (
                self._order(return_id, position, code),
                [*self._place(return_id), code, name, int(activities), int(without_reach or 0)],
            )
            for return_id, code, name, position, activities, without_reach in plain_rows(
                self.session, statement
            )
        ]
        return rows

    def people_grid(self) -> PeopleGrid:
        statement = (
            select(Activity.site_return_id, func.coalesce(func.sum(Activity.people_reached), 0))
            .where(Activity.site_return_id.in_(self._in_scope_returns()))
            .group_by(Activity.site_return_id)
        )
        counts = [[0] * len(self.scope.periods) for _site in self.scope.sites]
        for return_id, people in plain_rows(self.session, statement):
            site_id, period_id = self.returns_in_scope[return_id]
            counts[self.site_order[site_id]][self.period_order[period_id]] += int(people)
        return PeopleGrid(list(self.scope.sites), list(self.scope.periods), counts)

    def people_reached(self, grid: PeopleGrid) -> AggregatedTable:
        row_totals = [sum(row) for row in grid.counts]
        column_totals = [sum(column) for column in zip(*grid.counts, strict=True)] if grid.counts else []
        return AggregatedTable(
            TABLES["people_reached"],
            people_rows(grid, grid.counts, row_totals, column_totals, sum(row_totals)),
        )

    def measures(self) -> AggregatedTable:
        # Read once an indicator, not once a value: decoding the stored JSON of each of 120,000 values
        # took seconds.
        management_information = {
            indicator_id: release_declaration(rules).management_information
            for indicator_id, rules in plain_rows(
                self.session,
                select(Indicator.id, Indicator.release_rules).where(
                    Indicator.id.in_(
                        select(MeasureValue.indicator_id).where(
                            MeasureValue.site_return_id.in_(self._in_scope_returns())
                        )
                    )
                ),
            )
        }
        return self._table("measures", lambda returns: self._measures_of(returns, management_information))

    def _measures_of(self, returns: list[int], management_information: dict[int, bool]) -> KeyedRows:
        level = aliased(EvidenceLevel)
        minimum = aliased(EvidenceLevel)
        statement = (
            select(
                MeasureValue.site_return_id,
                Indicator.code,
                Indicator.name,
                Indicator.unit,
                Indicator.decimal_places,
                Indicator.position,
                MeasureValue.value,
                MeasureValue.target,
                EvidenceScale.name.label("scale"),
                level.level,
                level.title.label("level_name"),
                minimum.level.label("minimum_level"),
                Indicator.id.label("indicator_id"),
            )
            .join(Indicator, Indicator.id == MeasureValue.indicator_id)
            .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
            .outerjoin(level, level.id == MeasureValue.evidence_level_id)
            .outerjoin(EvidenceScale, EvidenceScale.id == level.scale_id)
            .where(MeasureValue.site_return_id.in_(returns))
        )
        rows = []
        for row in plain_rows(self.session, statement):
            meets = row.level is not None and row.level >= row.minimum_level
            rows.append(
                (
                    self._order(row.site_return_id, row.position, row.code),
                    [
                        *self._place(row.site_return_id),
                        row.code,
                        row.name,
                        row.unit,
                        number(row.value, row.decimal_places),
                        number(row.target, row.decimal_places),
                        row.scale or "",
                        row.level,
                        row.level_name or "",
                        meets,
                        NOT_ACCREDITED if management_information[row.indicator_id] else "",
                    ],
                )
            )
        return rows

    def baselines(self) -> AggregatedTable:
        indicators = {
            code: (name, unit, places, position)
            for code, name, unit, places, position in plain_rows(
                self.session,
                select(
                    Indicator.code,
                    Indicator.name,
                    Indicator.unit,
                    Indicator.decimal_places,
                    Indicator.position,
                )
                .where(Indicator.framework_version_id.in_(self._version_ids()))
                .order_by(Indicator.framework_version_id),
            )
        }
        statement = select(Baseline.site_id, Baseline.indicator_code, Baseline.value).where(
            Baseline.site_id.in_(list(self.sites)), Baseline.indicator_code.in_(list(indicators))
        )
        rows = []
        for site_id, code, value in plain_rows(self.session, statement):
            name, unit, places, position = indicators[code]
            site = self.sites[site_id]
            rows.append(
                (
                    (self.site_order[site_id], position, code),
                    [site.code, site.name, code, name, unit, number(value, places)],
                )
            )
        return AggregatedTable(TABLES["baselines"], _in_order(rows))

    def _version_ids(self) -> list[int]:
        if self.scope.version is not None:
            return [self.scope.version.id]
        return [version.id for version in self.scope.framework.versions]

    def learning(self) -> AggregatedTable:
        return self._table("learning", self._learning_of)

    def _learning_of(self, returns: list[int]) -> KeyedRows:
        statement = (
            select(
                LearningEntry.site_return_id,
                LearningEntry.learning_type,
                Theme.code,
                Theme.title,
                Theme.position,
                func.count().label("entries"),
            )
            .outerjoin(Theme, Theme.id == LearningEntry.theme_id)
            .where(LearningEntry.site_return_id.in_(returns))
            .group_by(
                LearningEntry.site_return_id,
                LearningEntry.learning_type,
                Theme.code,
                Theme.title,
                Theme.position,
            )
        )
        type_order = {member.value: index for index, member in enumerate(LearningType)}
        rows = [
            (
                self._order(
                    return_id,
                    type_order.get(learning_type, len(type_order)),
                    # Entries on no theme come last.
                    position if position is not None else 10**6,
                    theme_code or "",
                ),
                [
                    *self._place(return_id),
                    LearningType(learning_type).label,
                    theme_code or "",
                    theme_title or "",
                    int(entries),
                ],
            )
            for return_id, learning_type, theme_code, theme_title, position, entries in plain_rows(
                self.session, statement
            )
        ]
        return rows

    def barriers_enablers(self) -> AggregatedTable:
        return self._table("barriers_enablers", self._barriers_enablers_of)

    def _barriers_enablers_of(self, returns: list[int]) -> KeyedRows:
        is_barrier = LearningEntry.learning_type == LearningType.BARRIER.value
        is_enabler = LearningEntry.learning_type == LearningType.ENABLER.value
        statement = (
            select(
                LearningEntry.site_return_id,
                LearningDimension.code,
                LearningDimension.name,
                LearningDimension.position,
                func.sum(case((is_barrier, 1), else_=0)).label("barriers"),
                func.sum(case((is_enabler, 1), else_=0)).label("enablers"),
            )
            .join(
                learning_entry_dimensions, learning_entry_dimensions.c.learning_entry_id == LearningEntry.id
            )
            .join(
                LearningDimension, LearningDimension.id == learning_entry_dimensions.c.learning_dimension_id
            )
            .where(
                LearningEntry.site_return_id.in_(returns),
                LearningEntry.learning_type.in_([LearningType.BARRIER.value, LearningType.ENABLER.value]),
            )
            .group_by(
                LearningEntry.site_return_id,
                LearningDimension.code,
                LearningDimension.name,
                LearningDimension.position,
            )
        )
        rows = [
            (
                self._order(return_id, position, code),
                [*self._place(return_id), code, name, int(barriers or 0), int(enablers or 0)],
            )
            for return_id, code, name, position, barriers, enablers in plain_rows(self.session, statement)
        ]
        return rows

    def journey(self) -> AggregatedTable:
        milestones = {
            return_id: (title, percentage)
            for return_id, title, percentage in plain_rows(
                self.session,
                select(SiteReturn.id, JourneyMilestone.title, JourneyMilestone.percentage)
                .join(JourneyMilestone, JourneyMilestone.id == SiteReturn.journey_milestone_id)
                .where(SiteReturn.id.in_(self._in_scope_returns())),
            )
        }
        flows: dict[int, list[tuple[date | None, date | None, date | None]]] = defaultdict(list)
        for site_id, requested, approved, received in plain_rows(
            self.session,
            select(DataFlow.site_id, DataFlow.requested_on, DataFlow.approved_on, DataFlow.received_on).where(
                DataFlow.site_id.in_(list(self.sites))
            ),
        ):
            flows[site_id].append((requested, approved, received))
        rows = []
        for return_id, (site_id, period_id) in self.returns_in_scope.items():
            title, percentage = milestones.get(return_id, ("", None))
            period_end = self.periods[period_id].ends_on
            site_flows = flows.get(site_id, [])
            rows.append(
                (
                    self._order(return_id),
                    [
                        *self._place(return_id),
                        title,
                        percentage,
                        *(_dated_by(site_flows, index, period_end) for index in range(3)),
                    ],
                )
            )
        return AggregatedTable(TABLES["journey"], _in_order(rows))


def _dated_by(flows: Iterable[tuple[date | None, ...]], index: int, day: date) -> int:
    """How many flows had reached a stage (requested, approved, received) by the given day."""
    return sum(1 for flow in flows if (reached := flow[index]) is not None and reached <= day)


def _in_order(keyed_rows: Iterable[tuple[Any, list[Any]]]) -> list[list[Any]]:
    return [row for _key, row in sorted(keyed_rows, key=lambda pair: pair[0])]


def people_rows(
    grid: PeopleGrid,
    cells: list[list[Any]],
    row_totals: list[Any],
    column_totals: list[Any],
    grand_total: Any,
) -> list[list[Any]]:
    """The people-reached table's rows: each site's periods then its all-periods total, then each period's
    all-sites total and the grand total. The values may be exact counts or disclosure-controlled ones."""
    rows: list[list[Any]] = []
    for site_index, site in enumerate(grid.sites):
        for period_index, period in enumerate(grid.periods):
            rows.append([site.code, site.name, period.code, period.name, cells[site_index][period_index]])
        rows.append([site.code, site.name, ALL_CODE, ALL_PERIODS, row_totals[site_index]])
    for period_index, period in enumerate(grid.periods):
        rows.append([ALL_CODE, ALL_SITES, period.code, period.name, column_totals[period_index]])
    rows.append([ALL_CODE, ALL_SITES, ALL_CODE, ALL_PERIODS, grand_total])
    return rows


def with_no_return(people: AggregatedTable, returns: AggregatedTable) -> AggregatedTable:
    """The people-reached table with "no return" where no approved return stands behind a count: a site's
    period it sent no approved return for, a site with none, a period with none from any site. The grid
    behind the table (and disclosure control) counts those as 0 people, which is true of the evidence but
    is not what happened: nothing was reported."""
    site, period, status = (
        returns.definition.column_index(key) for key in ("site_code", "period_code", "status")
    )
    approved = {(row[site], row[period]) for row in returns.rows if row[status] == "Approved"}
    sites = {each for each, _ in approved}
    periods = {each for _, each in approved}
    value = people.definition.column_index("people_reached")

    def reported(site_code: str, period_code: str) -> bool:
        if site_code == ALL_CODE:
            return period_code == ALL_CODE or period_code in periods
        if period_code == ALL_CODE:
            return site_code in sites
        return (site_code, period_code) in approved

    rows = (
        row if reported(row[0], row[2]) else [*row[:value], NO_RETURN, *row[value + 1 :]]
        for row in people.rows
    )
    return AggregatedTable(people.definition, SpooledRows(rows))
