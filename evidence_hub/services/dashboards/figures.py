"""Cross-site figures for the dashboards, aggregated in SQL.

Every function here takes a `Scope` (the framework, periods, sites, theme and return states in view,
already narrowed to what the acting user may see) and runs a fixed number of GROUP BY queries, so the
number of queries behind a view does not grow with the number of sites or periods. Money is summed in
whole pence (and attributable money in pence × hundredths of a percent) so that both engines add exact
integers; the results are Decimals, rounded only when they are shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session, aliased

from evidence_hub.formatting import listed
from evidence_hub.models import Role, Site, User
from evidence_hub.models.framework import (
    CollectionFrequency,
    CostCategory,
    EvidenceLevel,
    EvidenceScale,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorUnit,
    JourneyMilestone,
    LearningDimension,
    LearningType,
    Theme,
)
from evidence_hub.models.periods import ReportingPeriod
from evidence_hub.models.returns import (
    Activity,
    Baseline,
    CostItem,
    CostType,
    DataFlow,
    Funding,
    LearningEntry,
    MeasureValue,
    ReturnStatus,
    SavingClaim,
    SiteReturn,
    learning_entry_dimensions,
)
from evidence_hub.services.common.access import (
    ROLES_SEEING_EVERY_SITE,
    comparison_condition,
    scope_to_user,
)

PENNY = Decimal("0.01")
# Attributable money is summed as pence × hundredths of a percent: divide by this to get pounds.
ATTRIBUTABLE_UNITS_PER_POUND = Decimal(100 * 100 * 100)
# Fewer sites than this reporting a measure makes a cross-site comparison unsafe.
MINIMUM_SITES_TO_COMPARE = 3
EVERY_PERIOD = (CollectionFrequency.MONTHLY.value, CollectionFrequency.QUARTERLY.value)

# Okabe–Ito and Paul Tol colours, chosen to stay apart for readers with any common colour-vision
# deficiency and to keep at least 3:1 contrast against a white background.
SITE_PALETTE = (
    "#0072B2",
    "#D55E00",
    "#117733",
    "#882255",
    "#332288",
    "#996600",
    "#CC3377",
    "#006666",
    "#000000",
    "#5A5A5A",
)
# With more sites than colours, each repeat of the palette is drawn with the next dash pattern.
SITE_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


class DashboardUnavailable(LookupError):
    """The filters name a framework that has no reporting periods or does not exist."""


class NothingToCompareYet(DashboardUnavailable):
    """No framework has reporting periods yet, so no return can have been made."""


class StateFilter(StrEnum):
    APPROVED = "approved"
    SUBMITTED = "submitted"
    ALL = "all"

    @property
    def statuses(self) -> frozenset[str]:
        approved = {ReturnStatus.APPROVED.value, ReturnStatus.LOCKED.value}
        if self is StateFilter.APPROVED:
            return frozenset(approved)
        if self is StateFilter.SUBMITTED:
            return frozenset(approved | {ReturnStatus.SUBMITTED.value})
        return frozenset(status.value for status in ReturnStatus)

    @property
    def label(self) -> str:
        return {
            "approved": "Approved returns only",
            "submitted": "Approved and submitted returns",
            "all": "All returns, including drafts",
        }[self.value]

    @property
    def caveat(self) -> str:
        """What a reader must know about figures drawn from returns in these states."""
        return {
            "approved": "Figures from approved returns only.",
            "submitted": "Includes submitted returns not yet approved by an evaluator: figures may change.",
            "all": "Includes draft and returned returns not yet approved: figures may change.",
        }[self.value]


@dataclass(frozen=True)
class DashboardFilters:
    """What the address asks for, as plain values; `resolve_scope` checks them against the database."""

    framework_code: str | None = None
    version: int | None = None
    period_from: str | None = None
    period_to: str | None = None
    site_codes: tuple[str, ...] = ()
    theme_code: str | None = None
    state: StateFilter = StateFilter.APPROVED


@dataclass(frozen=True)
class FilterOptions:
    """The choices a user has on the dashboards of one framework."""

    framework: Framework
    frameworks: list[Framework]
    versions: list[FrameworkVersion]
    periods: list[ReportingPeriod]
    sites: list[Site]
    themes: list[Theme]


@dataclass
class Scope:
    """What a dashboard view shows: resolved, checked and narrowed to what the user may see."""

    user: User
    framework: Framework
    version: FrameworkVersion | None
    periods: list[ReportingPeriod]
    sites: list[Site]
    theme_code: str | None
    state: StateFilter
    site_colours: dict[int, str]
    site_dashes: dict[int, str]
    # True when a site lead is looking at other sites' approved figures through cross-site sharing.
    sharing_in_use: bool = False

    @property
    def period_ids(self) -> list[int]:
        return [period.id for period in self.periods]

    @property
    def site_ids(self) -> list[int]:
        return [site.id for site in self.sites]

    def returns_condition(self, *, every_state: bool = False) -> ColumnElement[bool]:
        """The returns in view, as a condition on SiteReturn: periods, sites, states, version, access."""
        conditions = [
            SiteReturn.reporting_period_id.in_(self.period_ids),
            SiteReturn.site_id.in_(self.site_ids),
            comparison_condition(
                self.user, self.framework.cross_site_sharing, SiteReturn.site_id, SiteReturn.status
            ),
        ]
        if not every_state:
            conditions.append(SiteReturn.status.in_(sorted(self.state.statuses)))
        if self.version is not None:
            conditions.append(SiteReturn.framework_version_id == self.version.id)
        return and_(*conditions)

    def period_label(self) -> str:
        return period_range_label(self.periods)


def period_range_label(periods: Sequence[ReportingPeriod]) -> str:
    """'2009 Q2 to 2011 Q1', or one period's name."""
    if not periods:
        return "No periods"
    first, last = periods[0], periods[-1]
    return first.name if first.id == last.id else f"{first.name} to {last.name}"


# --- Filters and scope ---------------------------------------------------------------------------


def frameworks_with_periods(session: Session) -> list[Framework]:
    return list(
        session.scalars(
            select(Framework)
            .where(Framework.id.in_(select(ReportingPeriod.framework_id)))
            .order_by(Framework.name)
        )
    )


def filter_options(session: Session, user: User, framework_code: str | None) -> FilterOptions:
    """The frameworks, versions, periods, sites and themes the user can choose between."""
    frameworks = frameworks_with_periods(session)
    if not frameworks:
        raise NothingToCompareYet("There are no reporting periods yet, so there is nothing to compare.")
    framework = frameworks[0]
    if framework_code:
        framework = next((each for each in frameworks if each.code == framework_code), None)  # type: ignore[assignment]
        if framework is None:
            raise DashboardUnavailable(
                f"There is no framework with reporting periods called {framework_code}."
            )
    versions = [
        version
        for version in framework.versions
        if version.status in (FrameworkStatus.PUBLISHED.value, FrameworkStatus.RETIRED.value)
    ]
    themes: dict[str, Theme] = {}
    for version in reversed(versions):  # the newest version's title for a code wins
        for theme in version.themes:
            themes.setdefault(theme.code, theme)
    return FilterOptions(
        framework=framework,
        frameworks=frameworks,
        versions=versions,
        periods=list(framework.reporting_periods),
        sites=visible_sites(session, user, framework),
        themes=sorted(themes.values(), key=lambda theme: theme.position),
    )


def visible_sites(session: Session, user: User, framework: Framework) -> list[Site]:
    """The sites whose figures the user may see on this framework's dashboards, by name."""
    statement = select(Site).order_by(Site.name)
    if user.role_enum in ROLES_SEEING_EVERY_SITE:
        return list(session.scalars(statement))
    if user.role_enum is Role.SITE_LEAD and user.site_id is not None:
        if framework.cross_site_sharing:
            return list(session.scalars(statement))
        return list(session.scalars(statement.where(Site.id == user.site_id)))
    return []


def site_styles(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    """Each site's colour and dash, fixed by the order sites were created so every chart agrees."""
    colours: dict[int, str] = {}
    dashes: dict[int, str] = {}
    for position, site_id in enumerate(session.scalars(select(Site.id).order_by(Site.id))):
        colours[site_id] = SITE_PALETTE[position % len(SITE_PALETTE)]
        dashes[site_id] = SITE_DASHES[(position // len(SITE_PALETTE)) % len(SITE_DASHES)]
    return colours, dashes


def resolve_scope(session: Session, user: User, options: FilterOptions, filters: DashboardFilters) -> Scope:
    """The scope the filters describe. The filters' values have been checked against `options`."""
    periods = options.periods
    codes = [period.code for period in periods]
    first = codes.index(filters.period_from) if filters.period_from in codes else 0
    last = codes.index(filters.period_to) if filters.period_to in codes else len(codes) - 1
    chosen_periods = periods[first : last + 1]
    sites = options.sites
    if filters.site_codes:
        wanted = set(filters.site_codes)
        sites = [site for site in sites if site.code in wanted]
    version = next((each for each in options.versions if each.version == filters.version), None)
    colours, dashes = site_styles(session)
    sharing_in_use = (
        user.role_enum is Role.SITE_LEAD
        and options.framework.cross_site_sharing
        and any(site.id != user.site_id for site in sites)
    )
    return Scope(
        user=user,
        framework=options.framework,
        version=version,
        periods=chosen_periods,
        sites=sites,
        theme_code=filters.theme_code or None,
        state=filters.state,
        site_colours=colours,
        site_dashes=dashes,
        sharing_in_use=sharing_in_use,
    )


def scope_for_site(scope: Scope, site: Site) -> Scope:
    """The same scope narrowed to one site, for the site profile."""
    return Scope(
        user=scope.user,
        framework=scope.framework,
        version=scope.version,
        periods=scope.periods,
        sites=[site],
        theme_code=scope.theme_code,
        state=scope.state,
        site_colours=scope.site_colours,
        site_dashes=scope.site_dashes,
        sharing_in_use=scope.sharing_in_use and site.id != scope.user.site_id,
    )


# --- Helpers --------------------------------------------------------------------------------------


def _pence(column: Any) -> Any:
    return cast(func.round(column * 100), BigInteger)


def _attributable_units(amount: Any, percent: Any) -> Any:
    return _pence(amount) * cast(func.round(percent * 100), BigInteger)


def pounds_from_pence(value: Any) -> Decimal:
    return Decimal(int(value or 0)) / 100


def pounds_from_attributable_units(value: Any) -> Decimal:
    return Decimal(int(value or 0)) / ATTRIBUTABLE_UNITS_PER_POUND


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """Part as a percentage of whole; None when whole is nothing (a share of nothing means nothing)."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def divide(numerator: Decimal | int, denominator: Decimal | int | None) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _rows(session: Session, statement: Any) -> Any:
    """Run an aggregation as a plain Core statement: its rows are figures, not ORM entities, and
    skipping the ORM's row handling matters when there are tens of thousands of them."""
    return session.connection().execute(statement)


def _returns_in_scope(session: Session, scope: Scope) -> list[Any]:
    return list(
        _rows(
            session,
            select(
                SiteReturn.id,
                SiteReturn.site_id,
                SiteReturn.reporting_period_id,
                SiteReturn.framework_version_id,
                SiteReturn.status,
            ).where(scope.returns_condition()),
        )
    )


def periods_reported_by_site(returns: Iterable[Any]) -> dict[int, set[int]]:
    reported: dict[int, set[int]] = defaultdict(set)
    for row in returns:
        reported[row.site_id].add(row.reporting_period_id)
    return reported


def differing_periods_warning(scope: Scope, reported: dict[int, set[int]], what: str) -> str | None:
    """Say so when the sites shown report different sets of periods, naming who reports what."""
    reporting = {site_id: periods for site_id, periods in reported.items() if periods}
    if len(reporting) < 2 or len({frozenset(periods) for periods in reporting.values()}) == 1:
        return None
    names = {site.id: site.name for site in scope.sites}
    order = {period.id: index for index, period in enumerate(scope.periods)}
    parts = []
    for site_id, periods in sorted(reporting.items(), key=lambda item: names.get(item[0], "")):
        parts.append(f"{names.get(site_id, 'a site')} {len(periods)} of {len(order)}")
    return (
        f"Sites report {what} for different periods ({', '.join(parts)}), "
        "so totals over the whole range are not like for like."
    )


# --- Costs ----------------------------------------------------------------------------------------


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

    One GROUP BY over the cost lines of the returns in view, by return and category (answered from the
    covering index ix_cost_items_return_totals); the totals by site, category and period are added up
    from those rows as integers.
    """
    attributable = _attributable_units(CostItem.amount, CostItem.attributable_percent)
    statement = (
        select(
            CostItem.site_return_id,
            CostItem.cost_category_id,
            func.sum(_pence(CostItem.amount)).label("recorded"),
            func.sum(attributable).label("attributable"),
            func.sum(case((CostItem.cost_type == CostType.SET_UP.value, attributable), else_=0)).label(
                "set_up"
            ),
            func.sum(case((CostItem.funding == Funding.CASH.value, attributable), else_=0)).label("cash"),
        )
        .where(CostItem.site_return_id.in_(select(SiteReturn.id).where(scope.returns_condition())))
        .group_by(CostItem.site_return_id, CostItem.cost_category_id)
    )
    returns = _returns_in_scope(session, scope)
    where = {row.id: (row.site_id, row.reporting_period_id) for row in returns}
    categories, codes_by_id = _categories_in_scope(session, scope)
    # Sums as [recorded, attributable, set-up, cash] lists while adding up: tens of thousands of rows
    # at national scale, where a method call per row would cost more than the SQL.
    # Keyed by (site id, category code) and by (site id, period id).
    by_site_category: dict[Any, list[int]] = {}
    by_site_period: dict[Any, list[int]] = {}
    for return_id, category_id, recorded, attributable_units, set_up, cash in _rows(session, statement):
        site_id, period_id = where[return_id]
        recorded, attributable_units, set_up, cash = (
            int(recorded),
            int(attributable_units),
            int(set_up),
            int(cash),
        )
        for totals, key in (
            (by_site_category, (site_id, codes_by_id[category_id])),
            (by_site_period, (site_id, period_id)),
        ):
            sums = totals.get(key)
            if sums is None:
                totals[key] = [recorded, attributable_units, set_up, cash]
            else:
                sums[0] += recorded
                sums[1] += attributable_units
                sums[2] += set_up
                sums[3] += cash
    figures = CostFigures(
        categories=categories,
        by_site=defaultdict(CostTotals),
        by_site_category={key: CostTotals(*sums) for key, sums in by_site_category.items()},
        by_site_period={key: CostTotals(*sums) for key, sums in by_site_period.items()},
        by_period=defaultdict(CostTotals),
        total=CostTotals(),
        periods_reported=periods_reported_by_site(returns),
    )
    for (site_id, period_id), sums in by_site_period.items():
        figures.by_site[site_id].add(*sums)
        figures.by_period[period_id].add(*sums)
        figures.total.add(*sums)
    warning = differing_periods_warning(scope, figures.periods_reported, "costs")
    if warning:
        figures.warnings.append(warning)
    return figures


def _categories_in_scope(session: Session, scope: Scope) -> tuple[list[tuple[str, str]], dict[int, str]]:
    """The cost categories in view as (code, name) in framework order, and each category id's code."""
    seen: dict[str, str] = {}
    codes_by_id: dict[int, str] = {}
    for category_id, code, name in _rows(
        session,
        select(CostCategory.id, CostCategory.code, CostCategory.name)
        .where(CostCategory.framework_version_id.in_(_version_ids(scope)))
        .order_by(CostCategory.framework_version_id.desc(), CostCategory.position),
    ):
        seen.setdefault(code, name)
        codes_by_id[category_id] = code
    return list(seen.items()), codes_by_id


def _version_ids(scope: Scope) -> list[int]:
    if scope.version is not None:
        return [scope.version.id]
    return [
        version.id for version in scope.framework.versions if version.status != FrameworkStatus.DRAFT.value
    ]


# --- Outcomes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorDefinition:
    """An indicator as the dashboards describe it, taken from the newest version in view."""

    code: str
    name: str
    definition: str
    unit: str
    decimal_places: int
    direction: str
    theme_code: str
    theme_title: str
    minimum_level: int
    minimum_scale: str
    minimum_title: str
    # Versions in view whose unit or definition differs from this one: "version 1: unit Count".
    changes: tuple[str, ...] = ()

    @property
    def unit_enum(self) -> IndicatorUnit:
        return IndicatorUnit(self.unit)

    @property
    def unit_label(self) -> str:
        return self.unit_enum.label


@dataclass(frozen=True)
class OutcomePoint:
    site_id: int
    period_id: int
    value: Decimal | None
    not_available_reason: str | None
    target: Decimal | None
    evidence_level: int | None
    evidence_scale: str | None
    evidence_title: str | None
    below_minimum: bool


@dataclass(frozen=True)
class BaselineFigure:
    value: Decimal
    period_description: str


@dataclass
class SiteOutcome:
    """One site's latest figure against its baseline and target."""

    site_id: int
    latest: OutcomePoint | None
    baseline: BaselineFigure | None

    @property
    def change(self) -> Decimal | None:
        if self.latest is None or self.latest.value is None or self.baseline is None:
            return None
        return self.latest.value - self.baseline.value

    @property
    def change_percent(self) -> Decimal | None:
        if self.change is None or self.baseline is None:
            return None
        return share(self.change, self.baseline.value)

    @property
    def progress_to_target(self) -> Decimal | None:
        """How far from baseline to target the latest figure has come, as a percentage."""
        if self.change is None or self.baseline is None or self.latest is None or self.latest.target is None:
            return None
        return share(self.change, self.latest.target - self.baseline.value)


@dataclass
class OutcomeFigures:
    indicator: IndicatorDefinition
    points: list[OutcomePoint]
    by_site: dict[int, SiteOutcome]
    warnings: list[str] = field(default_factory=list)

    def points_by_site(self) -> dict[int, dict[int, OutcomePoint]]:
        """Each site's points by period id."""
        grouped: dict[int, dict[int, OutcomePoint]] = defaultdict(dict)
        for each in self.points:
            grouped[each.site_id][each.period_id] = each
        return grouped


def indicators_in_scope(session: Session, scope: Scope) -> list[IndicatorDefinition]:
    """The indicators in view (narrowed by theme), each described by its newest version in view."""
    minimum = aliased(EvidenceLevel)
    rows = _rows(
        session,
        select(
            Indicator.code,
            Indicator.name,
            Indicator.definition,
            Indicator.unit,
            Indicator.decimal_places,
            Indicator.direction,
            Indicator.framework_version_id,
            Indicator.position,
            Theme.code.label("theme_code"),
            Theme.title.label("theme_title"),
            minimum.level.label("minimum_level"),
            minimum.title.label("minimum_title"),
            FrameworkVersion.version.label("version_number"),
        )
        .join(Theme, Theme.id == Indicator.theme_id)
        .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .join(FrameworkVersion, FrameworkVersion.id == Indicator.framework_version_id)
        .where(Indicator.framework_version_id.in_(_version_ids(scope)))
        .order_by(FrameworkVersion.version.desc(), Indicator.position),
    )
    newest: dict[str, Any] = {}
    older: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if row.code not in newest:
            newest[row.code] = row
        else:
            older[row.code].append(row)
    scales = _scale_names(session, scope)
    definitions = []
    for code, row in sorted(newest.items(), key=lambda item: item[1].position):
        if scope.theme_code and row.theme_code != scope.theme_code:
            continue
        changes = []
        for previous in older[code]:
            if previous.unit != row.unit:
                changes.append(
                    f"version {previous.version_number} measured it in "
                    f"{IndicatorUnit(previous.unit).label.lower()}"
                )
            if previous.definition.strip() != row.definition.strip():
                changes.append(f"version {previous.version_number} defined it differently")
        definitions.append(
            IndicatorDefinition(
                code=code,
                name=row.name,
                definition=row.definition,
                unit=row.unit,
                decimal_places=row.decimal_places,
                direction=row.direction,
                theme_code=row.theme_code,
                theme_title=row.theme_title,
                minimum_level=row.minimum_level,
                minimum_scale=scales.get(code, ""),
                minimum_title=row.minimum_title,
                changes=tuple(changes),
            )
        )
    return definitions


def _scale_names(session: Session, scope: Scope) -> dict[str, str]:
    """Each indicator code's minimum evidence scale name, from the newest version in view."""
    names: dict[str, str] = {}
    for code, name in _rows(
        session,
        select(Indicator.code, EvidenceScale.name)
        .join(EvidenceLevel, EvidenceLevel.id == Indicator.minimum_evidence_level_id)
        .join(EvidenceScale, EvidenceScale.id == EvidenceLevel.scale_id)
        .where(Indicator.framework_version_id.in_(_version_ids(scope)))
        .order_by(Indicator.framework_version_id.desc()),
    ):
        names.setdefault(code, name)
    return names


def _below_minimum_expression(measure_level: Any, minimum_level: Any) -> Any:
    """Evidence below the indicator's minimum: no level given, or a lower level on the same scale."""
    return case(
        (measure_level.id.is_(None), True),
        (
            and_(measure_level.scale_id == minimum_level.scale_id, measure_level.level < minimum_level.level),
            True,
        ),
        else_=False,
    )


def _outcome_points(
    session: Session, scope: Scope, indicator_code: str | None
) -> list[tuple[str, OutcomePoint]]:
    """Measure values in view, with their evidence strength, as (indicator code, point) in period order."""
    level = aliased(EvidenceLevel)
    minimum = aliased(EvidenceLevel)
    statement = (
        select(
            Indicator.code,
            SiteReturn.site_id,
            SiteReturn.reporting_period_id,
            MeasureValue.value,
            MeasureValue.not_available_reason,
            MeasureValue.target,
            level.level.label("evidence_level"),
            level.title.label("evidence_title"),
            EvidenceScale.name.label("evidence_scale"),
            _below_minimum_expression(level, minimum).label("below_minimum"),
        )
        .select_from(MeasureValue)
        .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .outerjoin(level, level.id == MeasureValue.evidence_level_id)
        .outerjoin(EvidenceScale, EvidenceScale.id == level.scale_id)
        .where(scope.returns_condition())
    )
    if indicator_code is not None:
        statement = statement.where(Indicator.code == indicator_code)
    order = {period.id: index for index, period in enumerate(scope.periods)}
    points = [
        (
            row.code,
            OutcomePoint(
                site_id=row.site_id,
                period_id=row.reporting_period_id,
                value=row.value,
                not_available_reason=row.not_available_reason,
                target=row.target,
                evidence_level=row.evidence_level,
                evidence_scale=row.evidence_scale,
                evidence_title=row.evidence_title,
                below_minimum=bool(row.below_minimum) and row.value is not None,
            ),
        )
        for row in _rows(session, statement)
    ]
    return sorted(points, key=lambda item: (item[1].site_id, order[item[1].period_id]))


def outcome_figures(session: Session, scope: Scope, indicator: IndicatorDefinition) -> OutcomeFigures:
    """One indicator's values over time per site, each with its evidence strength, against baselines."""
    points = [point for _, point in _outcome_points(session, scope, indicator.code)]
    baselines = baselines_for(session, scope, [indicator.code])
    reported_by_site: dict[int, list[OutcomePoint]] = defaultdict(list)
    for point in points:
        if point.value is not None:
            reported_by_site[point.site_id].append(point)
    by_site: dict[int, SiteOutcome] = {}
    for site in scope.sites:
        reported = reported_by_site.get(site.id, [])
        by_site[site.id] = SiteOutcome(
            site_id=site.id,
            latest=reported[-1] if reported else None,
            baseline=baselines.get((site.id, indicator.code)),
        )
    figures = OutcomeFigures(indicator=indicator, points=points, by_site=by_site)
    figures.warnings.extend(outcome_warnings(scope, figures))
    return figures


def latest_values(session: Session, scope: Scope) -> dict[str, OutcomePoint]:
    """For a scope of one site: each indicator's latest value in view (its latest report otherwise)."""
    latest: dict[str, OutcomePoint] = {}
    for code, point in _outcome_points(session, scope, None):
        if point.value is not None or code not in latest or latest[code].value is None:
            latest[code] = point
    return latest


def baselines_for(
    session: Session, scope: Scope, codes: Sequence[str]
) -> dict[tuple[int, str], BaselineFigure]:
    """Baselines of the sites in view for the indicator codes, for sites whose returns the user sees."""
    rows = _rows(
        session,
        select(Baseline.site_id, Baseline.indicator_code, Baseline.value, Baseline.period_description).where(
            Baseline.site_id.in_(select(SiteReturn.site_id).where(scope.returns_condition())),
            Baseline.indicator_code.in_(list(codes)),
        ),
    )
    return {
        (row.site_id, row.indicator_code): BaselineFigure(row.value, row.period_description) for row in rows
    }


def outcome_warnings(scope: Scope, figures: OutcomeFigures) -> list[str]:
    warnings = []
    reporting = {point.site_id for point in figures.points if point.value is not None}
    if len(reporting) < MINIMUM_SITES_TO_COMPARE:
        warnings.append(
            f"Only {len(reporting)} of the {len(scope.sites)} sites shown report this measure: "
            f"comparisons need at least {MINIMUM_SITES_TO_COMPARE}."
        )
    reported: dict[int, set[int]] = defaultdict(set)
    for point in figures.points:
        if point.value is not None:
            reported[point.site_id].add(point.period_id)
    differing = differing_periods_warning(scope, reported, "this measure")
    if differing:
        warnings.append(differing)
    if figures.indicator.changes:
        warnings.append(
            "The measure changed between framework versions ("
            + "; ".join(figures.indicator.changes)
            + "): figures recorded under different versions may not be comparable."
        )
    missing = [
        site.name
        for site in scope.sites
        if site.id in reporting and figures.by_site[site.id].baseline is None
    ]
    if missing and reporting:
        warnings.append("No baseline for " + listed(missing) + ": change from baseline cannot be shown.")
    below = sorted({point.site_id for point in figures.points if point.below_minimum})
    if below:
        names = {site.id: site.name for site in scope.sites}
        warnings.append(
            "Evidence below the framework's minimum "
            f"({figures.indicator.minimum_scale} level {figures.indicator.minimum_level}) for some figures "
            "from " + listed([names[site_id] for site_id in below if site_id in names]) + "."
        )
    return warnings


@dataclass(frozen=True)
class IndicatorSummary:
    code: str
    sites_reporting: int
    values: int
    not_available: int
    below_minimum: int


def indicator_summaries(session: Session, scope: Scope) -> dict[str, IndicatorSummary]:
    """For every indicator in view: how many sites report it, how many values, how many are missing."""
    level = aliased(EvidenceLevel)
    minimum = aliased(EvidenceLevel)
    has_value = MeasureValue.value.is_not(None)
    rows = _rows(
        session,
        select(
            Indicator.code,
            func.count(func.distinct(case((has_value, SiteReturn.site_id)))).label("sites_reporting"),
            func.count(MeasureValue.value).label("values"),
            func.count(MeasureValue.not_available_reason).label("not_available"),
            func.sum(case((and_(has_value, _below_minimum_expression(level, minimum)), 1), else_=0)).label(
                "below_minimum"
            ),
        )
        .select_from(MeasureValue)
        .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .outerjoin(level, level.id == MeasureValue.evidence_level_id)
        .where(scope.returns_condition())
        .group_by(Indicator.code),
    )
    return {
        row.code: IndicatorSummary(
            code=row.code,
            sites_reporting=int(row.sites_reporting),
            values=int(row.values),
            not_available=int(row.not_available),
            below_minimum=int(row.below_minimum or 0),
        )
        for row in rows
    }


# --- Activities and savings (for value for money) -------------------------------------------------


@dataclass(frozen=True)
class ActivityTotals:
    activities: int = 0
    people_reached: int = 0
    activities_without_reach: int = 0


def activity_totals(session: Session, scope: Scope) -> dict[int, ActivityTotals]:
    rows = _rows(
        session,
        select(
            SiteReturn.site_id,
            func.count(Activity.id).label("activities"),
            func.coalesce(func.sum(Activity.people_reached), 0).label("people_reached"),
            func.sum(case((Activity.people_reached.is_(None), 1), else_=0)).label("without_reach"),
        )
        .select_from(Activity)
        .join(SiteReturn, SiteReturn.id == Activity.site_return_id)
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
    rows = _rows(
        session,
        select(
            SiteReturn.site_id,
            func.count(SavingClaim.id).label("claims"),
            func.sum(_pence(SavingClaim.amount)).label("amount"),
            func.sum(case((SavingClaim.evidence_level_id.is_(None), 1), else_=0)).label("without_level"),
        )
        .select_from(SavingClaim)
        .join(SiteReturn, SiteReturn.id == SavingClaim.site_return_id)
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
    rows = _rows(
        session,
        select(
            SiteReturn.site_id,
            func.sum(MeasureValue.value).label("total"),
            func.count(MeasureValue.value).label("values"),
            func.sum(case((_below_minimum_expression(level, minimum), 1), else_=0)).label("below_minimum"),
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


# --- Completeness ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletenessCell:
    return_id: int
    status: ReturnStatus
    items_required: int
    items_reported: int

    @property
    def reported_percent(self) -> Decimal | None:
        return share(self.items_reported, self.items_required)

    @property
    def is_submitted(self) -> bool:
        return self.status is not ReturnStatus.DRAFT and self.status is not ReturnStatus.RETURNED


@dataclass
class CompletenessFigures:
    cells: dict[tuple[int, int], CompletenessCell]
    _item_totals: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict, repr=False)

    def returns_submitted_in_period(self, period_id: int, site_ids: Sequence[int]) -> int:
        return sum(
            1
            for site_id in site_ids
            if (cell := self.cells.get((site_id, period_id))) is not None and cell.is_submitted
        )

    def site_items(self, site_id: int) -> tuple[int, int]:
        """(Items reported, items required) over the site's returns."""
        return self._items_by("site").get(site_id, (0, 0))

    def period_items(self, period_id: int) -> tuple[int, int]:
        """(Items reported, items required) over the period's returns."""
        return self._items_by("period").get(period_id, (0, 0))

    def _items_by(self, key: str) -> dict[int, tuple[int, int]]:
        cached = self._item_totals.get(key)
        if cached is None:
            sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            for (site_id, period_id), cell in self.cells.items():
                total = sums[site_id if key == "site" else period_id]
                total[0] += cell.items_reported
                total[1] += cell.items_required
            cached = self._item_totals[key] = {each: (pair[0], pair[1]) for each, pair in sums.items()}
        return cached


def completeness_sites(scope: Scope) -> list[Site]:
    """Return states are a site's own business: a site lead sees their own row only, sharing or not."""
    if scope.user.role_enum in ROLES_SEEING_EVERY_SITE:
        return scope.sites
    return [site for site in scope.sites if site.id == scope.user.site_id]


def completeness_figures(session: Session, scope: Scope) -> CompletenessFigures:
    """Each return's state and how many of its required items it reports, whatever its state.

    Required items: the indicators every return must report (monthly or quarterly ones) and the
    data-sharing milestone. An indicator counts as reported when the return gives a value for it.
    """
    required = (
        select(Indicator.framework_version_id, func.count().label("required"))
        .where(Indicator.frequency.in_(EVERY_PERIOD))
        .group_by(Indicator.framework_version_id)
        .subquery()
    )
    reported = (
        select(MeasureValue.site_return_id, func.count().label("reported"))
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .where(Indicator.frequency.in_(EVERY_PERIOD), MeasureValue.value.is_not(None))
        .group_by(MeasureValue.site_return_id)
        .subquery()
    )
    site_ids = [site.id for site in completeness_sites(scope)]
    statement = (
        select(
            SiteReturn.id,
            SiteReturn.site_id,
            SiteReturn.reporting_period_id,
            SiteReturn.status,
            (func.coalesce(required.c.required, 0) + literal(1)).label("required"),
            (
                func.coalesce(reported.c.reported, 0)
                + case((SiteReturn.journey_milestone_id.is_not(None), 1), else_=0)
            ).label("reported"),
        )
        .outerjoin(required, required.c.framework_version_id == SiteReturn.framework_version_id)
        .outerjoin(reported, reported.c.site_return_id == SiteReturn.id)
        .where(SiteReturn.reporting_period_id.in_(scope.period_ids), SiteReturn.site_id.in_(site_ids))
    )
    if scope.version is not None:
        statement = statement.where(SiteReturn.framework_version_id == scope.version.id)
    rows = _rows(session, scope_to_user(statement, scope.user, SiteReturn.site_id))
    return CompletenessFigures(
        cells={
            (row.site_id, row.reporting_period_id): CompletenessCell(
                return_id=row.id,
                status=ReturnStatus(row.status),
                items_required=int(row.required),
                items_reported=int(row.reported),
            )
            for row in rows
        }
    )


# --- Learning -------------------------------------------------------------------------------------

NO_THEME = ""


@dataclass
class LearningFigures:
    themes: list[tuple[str, str]]  # (code, title); NO_THEME last for entries without a theme
    dimensions: list[tuple[str, str]]
    by_theme_site: dict[tuple[str, int], int]
    # (dimension code, site id, learning type) → count, for barriers and enablers.
    by_dimension_site_type: dict[tuple[str, int, str], int]
    learning_type: LearningType | None
    _theme_and_site_totals: tuple[dict[str, int], dict[int, int]] | None = field(default=None, repr=False)

    def theme_total(self, theme_code: str) -> int:
        return self._totals()[0].get(theme_code, 0)

    def site_total(self, site_id: int) -> int:
        return self._totals()[1].get(site_id, 0)

    def _totals(self) -> tuple[dict[str, int], dict[int, int]]:
        if self._theme_and_site_totals is None:
            by_theme: dict[str, int] = defaultdict(int)
            by_site: dict[int, int] = defaultdict(int)
            for (code, site_id), count in self.by_theme_site.items():
                by_theme[code] += count
                by_site[site_id] += count
            self._theme_and_site_totals = (by_theme, by_site)
        return self._theme_and_site_totals

    @property
    def total(self) -> int:
        return sum(self.by_theme_site.values())


def learning_figures(session: Session, scope: Scope, learning_type: LearningType | None) -> LearningFigures:
    """Counts of learning entries by theme × site, and barriers and enablers by dimension × site."""
    condition = [scope.returns_condition()]
    if learning_type is not None:
        condition.append(LearningEntry.learning_type == learning_type.value)
    theme_code = func.coalesce(Theme.code, literal(NO_THEME))
    theme_rows = _rows(
        session,
        select(theme_code.label("theme_code"), SiteReturn.site_id, func.count().label("entries"))
        .select_from(LearningEntry)
        .join(SiteReturn, SiteReturn.id == LearningEntry.site_return_id)
        .outerjoin(Theme, Theme.id == LearningEntry.theme_id)
        .where(*condition, *_theme_condition(scope))
        .group_by(theme_code, SiteReturn.site_id),
    )
    by_theme_site = {(row.theme_code, row.site_id): int(row.entries) for row in theme_rows}
    dimension_rows = _rows(
        session,
        select(
            LearningDimension.code,
            SiteReturn.site_id,
            LearningEntry.learning_type,
            func.count().label("entries"),
        )
        .select_from(LearningEntry)
        .join(SiteReturn, SiteReturn.id == LearningEntry.site_return_id)
        .join(learning_entry_dimensions, learning_entry_dimensions.c.learning_entry_id == LearningEntry.id)
        .join(LearningDimension, LearningDimension.id == learning_entry_dimensions.c.learning_dimension_id)
        .outerjoin(Theme, Theme.id == LearningEntry.theme_id)
        .where(
            scope.returns_condition(),
            LearningEntry.learning_type.in_([LearningType.BARRIER.value, LearningType.ENABLER.value]),
            *_theme_condition(scope),
        )
        .group_by(LearningDimension.code, SiteReturn.site_id, LearningEntry.learning_type),
    )
    themes = _themes_in_scope(session, scope)
    if scope.theme_code is None:
        themes.append((NO_THEME, "No theme given"))
    return LearningFigures(
        themes=themes,
        dimensions=_dimensions_in_scope(session, scope),
        by_theme_site=by_theme_site,
        by_dimension_site_type={
            (row.code, row.site_id, row.learning_type): int(row.entries) for row in dimension_rows
        },
        learning_type=learning_type,
    )


def _theme_condition(scope: Scope) -> list[ColumnElement[bool]]:
    return [Theme.code == scope.theme_code] if scope.theme_code else []


def _themes_in_scope(session: Session, scope: Scope) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, title in _rows(
        session,
        select(Theme.code, Theme.title)
        .where(Theme.framework_version_id.in_(_version_ids(scope)))
        .order_by(Theme.framework_version_id.desc(), Theme.position),
    ):
        if scope.theme_code is None or code == scope.theme_code:
            seen.setdefault(code, title)
    return list(seen.items())


def _dimensions_in_scope(session: Session, scope: Scope) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, name in _rows(
        session,
        select(LearningDimension.code, LearningDimension.name)
        .where(LearningDimension.framework_version_id.in_(_version_ids(scope)))
        .order_by(LearningDimension.framework_version_id.desc(), LearningDimension.position),
    ):
        seen.setdefault(code, name)
    return list(seen.items())


@dataclass(frozen=True)
class LearningEntryRow:
    entry: LearningEntry
    site_name: str
    period_name: str


def learning_entries(
    session: Session,
    scope: Scope,
    *,
    learning_type: LearningType | None,
    theme_code: str | None,
    dimension_code: str | None,
    site_id: int | None,
    limit: int = 500,
) -> list[LearningEntryRow]:
    """The entries behind a cell of the learning matrix. Their text is record-level evidence, so a site
    lead reads their own site's entries only, whether or not cross-site sharing is on.

    Returns at most `limit` + 1 entries, newest first: one more than asked, so the page can say when
    there are more than it shows."""
    statement = (
        select(LearningEntry, Site.name, ReportingPeriod.name)
        .join(SiteReturn, SiteReturn.id == LearningEntry.site_return_id)
        .join(Site, Site.id == SiteReturn.site_id)
        .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
        .outerjoin(Theme, Theme.id == LearningEntry.theme_id)
        .where(scope.returns_condition())
        .order_by(ReportingPeriod.starts_on.desc(), Site.name, LearningEntry.id)
        .limit(limit + 1)
    )
    statement = scope_to_user(statement, scope.user, LearningEntry.site_id)
    if learning_type is not None:
        statement = statement.where(LearningEntry.learning_type == learning_type.value)
    if theme_code == NO_THEME:
        statement = statement.where(LearningEntry.theme_id.is_(None))
    elif theme_code:
        statement = statement.where(Theme.code == theme_code)
    if dimension_code:
        statement = statement.where(
            LearningEntry.id.in_(
                select(learning_entry_dimensions.c.learning_entry_id)
                .join(
                    LearningDimension,
                    LearningDimension.id == learning_entry_dimensions.c.learning_dimension_id,
                )
                .where(LearningDimension.code == dimension_code)
            )
        )
    if site_id is not None:
        statement = statement.where(SiteReturn.site_id == site_id)
    return [
        LearningEntryRow(entry, site_name, period_name)
        for entry, site_name, period_name in session.execute(statement)
    ]


# --- Data-sharing journey -------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestonePoint:
    site_id: int
    period_id: int
    percentage: int | None
    title: str | None


def journey_points(session: Session, scope: Scope) -> list[MilestonePoint]:
    rows = _rows(
        session,
        select(
            SiteReturn.site_id,
            SiteReturn.reporting_period_id,
            JourneyMilestone.percentage,
            JourneyMilestone.title,
        )
        .outerjoin(JourneyMilestone, JourneyMilestone.id == SiteReturn.journey_milestone_id)
        .where(scope.returns_condition()),
    )
    order = {period.id: index for index, period in enumerate(scope.periods)}
    return sorted(
        (MilestonePoint(row.site_id, row.reporting_period_id, row.percentage, row.title) for row in rows),
        key=lambda point: (point.site_id, order[point.period_id]),
    )


@dataclass(frozen=True)
class DataFlowSummary:
    flows: int
    requested: int
    approved: int
    received: int
    mean_days_to_approval: Decimal | None
    longest_days_to_approval: int | None


def _days_between(session: Session, earlier: Any, later: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier


def data_flow_summaries(session: Session, scope: Scope) -> dict[int, DataFlowSummary]:
    """The data-flow register by site: how many flows were requested, approved and received, and how
    long approval took. Data flows are a site's own register, so a site lead sees their own only."""
    days = _days_between(session, DataFlow.requested_on, DataFlow.approved_on)
    statement = (
        select(
            DataFlow.site_id,
            func.count().label("flows"),
            func.count(DataFlow.requested_on).label("requested"),
            func.count(DataFlow.approved_on).label("approved"),
            func.count(DataFlow.received_on).label("received"),
            func.sum(days).label("total_days"),
            func.max(days).label("longest_days"),
        )
        .where(DataFlow.site_id.in_(scope.site_ids))
        .group_by(DataFlow.site_id)
    )
    summaries = {}
    for row in _rows(session, scope_to_user(statement, scope.user, DataFlow.site_id)):
        total_days = Decimal(int(row.total_days)) if row.total_days is not None else None
        summaries[row.site_id] = DataFlowSummary(
            flows=int(row.flows),
            requested=int(row.requested),
            approved=int(row.approved),
            received=int(row.received),
            mean_days_to_approval=divide(total_days, row.approved) if total_days is not None else None,
            longest_days_to_approval=int(row.longest_days) if row.longest_days is not None else None,
        )
    return summaries


def data_flows(session: Session, scope: Scope) -> list[tuple[DataFlow, str]]:
    """Every data flow of the sites in view: a few per site, so the whole register is listed."""
    statement = (
        select(DataFlow, Site.name)
        .join(Site, Site.id == DataFlow.site_id)
        .where(DataFlow.site_id.in_(scope.site_ids))
        # Flows not yet requested last, on both engines.
        .order_by(Site.name, DataFlow.requested_on.is_(None), DataFlow.requested_on, DataFlow.id)
    )
    return [
        (flow, name) for flow, name in session.execute(scope_to_user(statement, scope.user, DataFlow.site_id))
    ]


def days_to_approval(flow: DataFlow) -> int | None:
    if flow.requested_on is None or flow.approved_on is None:
        return None
    return (flow.approved_on - flow.requested_on).days
