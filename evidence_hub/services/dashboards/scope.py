"""What a dashboard view shows: the filters in the address, checked against the database and narrowed to
what the acting user may see, with each site's colour and dash so that every chart agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from evidence_hub.models import MembershipRole, ProgrammeSite, Role, Site, User
from evidence_hub.models.framework import Framework, FrameworkStatus, FrameworkVersion, ReportingPeriod, Theme
from evidence_hub.models.returns import ReturnStatus, SiteReturn
from evidence_hub.services.common.access import (
    MEMBERSHIPS_SEEING_EVERY_SITE,
    comparison_condition,
    current_grants,
    is_service_administrator,
    led_site_ids,
    scope_frameworks,
)

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

    def condition(self) -> ColumnElement[bool]:
        """The returns these figures draw on. Approved means approved by an evaluator (and not reopened
        since), whatever the lock: a return locked as it stood when its period closed is not approved."""
        approved = SiteReturn.approved_at.is_not(None)
        if self is StateFilter.APPROVED:
            return approved
        if self is StateFilter.SUBMITTED:
            return or_(approved, SiteReturn.status == ReturnStatus.SUBMITTED.value)
        return true()

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
                self.user, self.framework.cross_site_sharing, SiteReturn.site_id, SiteReturn.approved_at
            ),
        ]
        if not every_state:
            conditions.append(self.state.condition())
        if self.version is not None:
            conditions.append(SiteReturn.framework_version_id == self.version.id)
        return and_(*conditions)

    def version_ids(self) -> list[int]:
        """The framework versions whose definitions are in view: the one chosen, else every published one."""
        if self.version is not None:
            return [self.version.id]
        return [
            version.id for version in self.framework.versions if version.status != FrameworkStatus.DRAFT.value
        ]

    def period_label(self) -> str:
        return period_range_label(self.periods)


def period_range_label(periods: Sequence[ReportingPeriod]) -> str:
    """'2009 Q2 to 2011 Q1', or one period's name."""
    if not periods:
        return "No periods"
    first, last = periods[0], periods[-1]
    return first.name if first.id == last.id else f"{first.name} to {last.name}"


def frameworks_with_periods(session: Session, user: User | None = None) -> list[Framework]:
    """The frameworks with reporting periods, of the user's programmes when a user is given."""
    statement = (
        select(Framework)
        .where(Framework.id.in_(select(ReportingPeriod.framework_id)))
        .order_by(Framework.name)
    )
    return list(session.scalars(statement if user is None else scope_frameworks(statement, user)))


def filter_options(
    session: Session, user: User, framework_code: str | None, programme_id: int | None = None
) -> FilterOptions:
    """The frameworks, versions, periods, sites and themes the user can choose between; with no framework
    asked for, the first of the programme in view."""
    frameworks = frameworks_with_periods(session, user)
    if not frameworks:
        raise NothingToCompareYet("There are no reporting periods yet, so there is nothing to compare.")
    framework = next((each for each in frameworks if each.programme_id == programme_id), frameworks[0])
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
    """The sites of the framework's programme whose figures the user may see on its dashboards, by name:
    every one for its evaluators (and a lead, where sites share), else the sites the user leads there."""
    statement = (
        select(Site)
        .where(
            Site.id.in_(
                select(ProgrammeSite.site_id).where(ProgrammeSite.programme_id == framework.programme_id)
            )
        )
        .order_by(Site.name)
    )
    if is_service_administrator(user):
        return list(session.scalars(statement))
    if user.role_enum is Role.NATIONAL_OFFICIAL:
        return []
    grants = [grant for grant in current_grants(user) if grant.programme_id == framework.programme_id]
    if any(grant.role in MEMBERSHIPS_SEEING_EVERY_SITE for grant in grants):
        return list(session.scalars(statement))
    led = [grant.site_id for grant in grants if grant.role is MembershipRole.SITE_LEAD]
    if not led:
        return []
    if framework.cross_site_sharing:
        return list(session.scalars(statement))
    return list(session.scalars(statement.where(Site.id.in_(led))))


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
        and any(site.id not in led_site_ids(user, options.framework.programme_id) for site in sites)
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


def chosen_scope(
    session: Session,
    user: User,
    framework: Framework,
    version: FrameworkVersion | None,
    periods: list[ReportingPeriod],
    sites: list[Site],
    state: StateFilter,
) -> Scope:
    """A scope its caller chose outright (a release, a site's own data pack) rather than resolved from
    the dashboards' filters, every theme in view and each site in its dashboard colour."""
    colours, dashes = site_styles(session)
    return Scope(
        user=user,
        framework=framework,
        version=version,
        periods=periods,
        sites=sites,
        theme_code=None,
        state=state,
        site_colours=colours,
        site_dashes=dashes,
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
        sharing_in_use=scope.sharing_in_use
        and site.id not in led_site_ids(scope.user, scope.framework.programme_id),
    )
