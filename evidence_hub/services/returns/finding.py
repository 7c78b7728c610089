"""Finding returns the user may see: one return, a site's returns across periods, what needs the user's
attention, a period's returns by state, and searches of every return."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from evidence_hub.models import MembershipRole, Programme, ProgrammeStatus, Role, Site, User
from evidence_hub.models.framework import Framework, FrameworkVersion
from evidence_hub.models.periods import PeriodStatus, ReportingPeriod
from evidence_hub.models.returns import (
    ReturnStatus,
    SiteReturn,
)
from evidence_hub.models.summaries import ReturnActivityTotal, ReturnCostTotal, ReturnLearningCount
from evidence_hub.services.common.access import (
    NotVisible,
    current_grants,
    led_sites,
    may_see_programme,
    may_see_site,
    programmes_showing_site,
    scope_frameworks,
    scope_to_user,
)
from evidence_hub.services.common.money import pounds_from_attributable_units, pounds_from_pence
from evidence_hub.services.common.paging import ListPage, list_page, page_within
from evidence_hub.services.returns.input_rules import PENNY


def visible_returns(user: User) -> Select[SiteReturn]:
    return scope_to_user(select(SiteReturn), user, SiteReturn.site_id)


def get_return(session: Session, user: User, return_id: int) -> SiteReturn:
    """The return if the user may see it record by record; NotVisible (404) otherwise."""
    site_return = session.scalar(visible_returns(user).where(SiteReturn.id == return_id))
    if site_return is None:
        raise NotVisible(f"No return {return_id} for this user")
    _read_what_the_return_names(session, site_return)
    return site_return


# Built once: every page about a return runs it.
_WHAT_A_RETURN_NAMES = (
    select(ReportingPeriod, Site, FrameworkVersion, Framework, Programme)
    .select_from(SiteReturn)
    .join(ReportingPeriod, SiteReturn.reporting_period)
    .join(Site, SiteReturn.site)
    .join(FrameworkVersion, SiteReturn.framework_version)
    .join(Framework, ReportingPeriod.framework)
    .join(Programme, Framework.programme)
    .where(SiteReturn.id == bindparam("site_return_id"))
)


def _read_what_the_return_names(session: Session, site_return: SiteReturn) -> None:
    """Read the return's period, site, framework version, framework and programme in one statement, and
    set them as its relationships (and the period's framework, the framework's programme).

    Every page about a return names its site and period and asks whether its programme still takes
    changes: read one by one, that was five statements. They are not loader options on the return itself:
    refreshing the return under FOR UPDATE would repeat them, and PostgreSQL refuses FOR UPDATE beside an
    outer join."""
    period, site, version, framework, programme = session.execute(
        _WHAT_A_RETURN_NAMES, {"site_return_id": site_return.id}
    ).one()
    set_committed_value(framework, "programme", programme)
    set_committed_value(period, "framework", framework)
    if version.framework_id == framework.id:
        set_committed_value(version, "framework", framework)
    set_committed_value(site_return, "reporting_period", period)
    set_committed_value(site_return, "site", site)
    set_committed_value(site_return, "framework_version", version)


def visible_site(session: Session, user: User, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None or not may_see_site(user, site_id):
        raise NotVisible(f"No site {site_id} for this user")
    return site


@dataclass(frozen=True)
class PeriodRow:
    period: ReportingPeriod
    site_return: SiteReturn | None
    total_cost: Decimal
    attributable_cost: Decimal
    activities: int
    people_reached: int
    learning_entries: int


# Periods a site's returns page lists at a time: five years of quarters. A programme that runs for years
# would otherwise list every period it has ever had on one page.
PERIODS_PER_PAGE = 20


def site_overview(
    session: Session, user: User, site_id: int, page: int = 1, per_page: int = PERIODS_PER_PAGE
) -> tuple[Site, ListPage[PeriodRow]]:
    """A page of one site's returns across the periods of its frameworks (framework by framework, newest
    period first, so the period a lead is working on is on the first page), with totals computed in SQL
    for that page's returns only. A page past the last shows the last."""
    site = visible_site(session, user, site_id)
    periods_of_site = (
        select(ReportingPeriod)
        .join(Framework)
        .where(Framework.programme_id.in_(programmes_showing_site(user, site.id)))
    )
    listed = list_page(
        session,
        periods_of_site.options(contains_eager(ReportingPeriod.framework)).order_by(
            Framework.name, ReportingPeriod.starts_on.desc(), ReportingPeriod.id.desc()
        ),
        page,
        per_page,
    )
    periods = listed.items
    # Each listed return's period is one of `periods`, already in the session.
    returns = {
        site_return.reporting_period_id: site_return
        for site_return in session.scalars(
            visible_returns(user).where(
                SiteReturn.site_id == site.id,
                SiteReturn.reporting_period_id.in_([period.id for period in periods]),
            )
        )
    }
    return_ids = [site_return.id for site_return in returns.values()]
    cost_totals = _totals_by_return(
        session,
        select(
            ReturnCostTotal.site_return_id,
            func.sum(ReturnCostTotal.recorded_pence),
            func.sum(ReturnCostTotal.attributable_units),
        )
        .where(ReturnCostTotal.site_return_id.in_(return_ids))
        .group_by(ReturnCostTotal.site_return_id),
    )
    activity_totals = _totals_by_return(
        session,
        select(
            ReturnActivityTotal.site_return_id,
            func.sum(ReturnActivityTotal.activities),
            func.sum(ReturnActivityTotal.people_reached),
        )
        .where(ReturnActivityTotal.site_return_id.in_(return_ids))
        .group_by(ReturnActivityTotal.site_return_id),
    )
    learning_totals = _totals_by_return(
        session,
        select(ReturnLearningCount.site_return_id, func.sum(ReturnLearningCount.entries))
        .where(
            ReturnLearningCount.site_return_id.in_(return_ids),
            ReturnLearningCount.learning_dimension_id.is_(None),
        )
        .group_by(ReturnLearningCount.site_return_id),
    )
    rows = []
    for period in periods:
        site_return = returns.get(period.id)
        key = site_return.id if site_return else None
        costs = cost_totals.get(key, (0, 0))
        activities = activity_totals.get(key, (0, 0))
        rows.append(
            PeriodRow(
                period=period,
                site_return=site_return,
                total_cost=pounds_from_pence(costs[0]).quantize(PENNY),
                attributable_cost=pounds_from_attributable_units(costs[1]).quantize(PENNY),
                activities=int(activities[0]),
                people_reached=int(activities[1]),
                learning_entries=int(learning_totals.get(key, (0,))[0]),
            )
        )
    return site, ListPage(rows, listed.page, listed.count, listed.per_page)


def _totals_by_return(session: Session, statement: Any) -> dict[int | None, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in session.execute(statement)}


def returns_needing_attention(
    session: Session, user: User, programme_id: int | None = None
) -> dict[str, list[Any]]:
    """What the user's home page lists: returns to complete or fix (leads: at each site they lead, in the
    programme given or in every programme), returns to review (evaluators). A lead's "to_start" holds
    (period, site) pairs: the open periods of an active programme with no return yet at a site led in it."""
    attention: dict[str, list[Any]] = defaultdict(list)
    role = user.role_enum
    if role is Role.SITE_LEAD:
        # Only the open periods' returns: the lists below are of open periods, and a site reporting for
        # ten years has forty closed quarters that none of them shows.
        statement = (
            visible_returns(user)
            .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
            .where(ReportingPeriod.status == PeriodStatus.OPEN.value)
        )
        # Their periods are read below and their sites are the lead's (`led_sites`): both in the session.
        started = {
            (site_return.reporting_period_id, site_return.site_id): site_return
            for site_return in session.scalars(statement)
        }
        led = [
            grant
            for grant in current_grants(user)
            if grant.role is MembershipRole.SITE_LEAD and programme_id in (None, grant.programme_id)
        ]
        sites = {site.id: site for site in led_sites(user, programme_id)}
        periods = session.scalars(
            select(ReportingPeriod)
            .join(Framework)
            .where(
                ReportingPeriod.status == PeriodStatus.OPEN.value,
                Framework.programme_id.in_({grant.programme_id for grant in led}),
            )
            .options(contains_eager(ReportingPeriod.framework))
            .order_by(ReportingPeriod.starts_on, ReportingPeriod.id)
        ).all()
        for period in periods:
            if period.framework.programme.status != ProgrammeStatus.ACTIVE.value:
                continue  # A closed programme asks nothing more of its leads.
            for grant in led:
                if grant.programme_id != period.framework.programme_id or grant.site_id is None:
                    continue
                site_return = started.get((period.id, grant.site_id))
                if site_return is None:
                    attention["to_start"].append((period, sites[grant.site_id]))
                elif site_return.status_enum is ReturnStatus.RETURNED:
                    attention["returned"].append(site_return)
                elif site_return.status_enum is ReturnStatus.DRAFT:
                    attention["to_complete"].append(site_return)
    elif role in (Role.EVALUATOR, Role.ADMINISTRATOR):
        attention["to_review"] = returns_to_review(session, user, per_page=HOME_LIST_LENGTH).items
    return attention


# A home page lists the longest-waiting returns; the review list pages through the rest.
HOME_LIST_LENGTH = 10


@dataclass(frozen=True)
class PeriodSummary:
    """One reporting period with how many returns are in each state, for the administrator."""

    period: ReportingPeriod
    returns_by_status: dict[ReturnStatus, int]
    # Active sites that have not started a return for the period.
    not_started: int

    @property
    def returns(self) -> int:
        return sum(self.returns_by_status.values())


def period_summaries(session: Session, user: User) -> list[tuple[Framework, list[PeriodSummary]]]:
    """Every framework's reporting periods with their returns counted by state (one GROUP BY)."""
    counts: dict[int, dict[ReturnStatus, int]] = defaultdict(dict)
    started_by_active_sites: dict[int, int] = defaultdict(int)
    scoped = visible_returns(user).subquery()
    statement = (
        select(scoped.c.reporting_period_id, scoped.c.status, Site.is_active, func.count())
        .join(Site, Site.id == scoped.c.site_id)
        .group_by(scoped.c.reporting_period_id, scoped.c.status, Site.is_active)
    )
    for period_id, status, site_is_active, count in session.execute(statement):
        counts[period_id][ReturnStatus(status)] = counts[period_id].get(ReturnStatus(status), 0) + count
        if site_is_active:
            started_by_active_sites[period_id] += count
    active_sites = session.scalar(select(func.count()).select_from(Site).where(Site.is_active.is_(True))) or 0
    summaries = []
    for framework in session.scalars(
        scope_frameworks(select(Framework), user)
        .options(selectinload(Framework.reporting_periods))
        .order_by(Framework.name)
    ):
        summaries.append(
            (
                framework,
                [
                    PeriodSummary(
                        period=period,
                        returns_by_status={
                            status: counts[period.id][status]
                            for status in ReturnStatus
                            if status in counts[period.id]
                        },
                        not_started=max(0, active_sites - started_by_active_sites[period.id]),
                    )
                    for period in framework.reporting_periods
                ],
            )
        )
    return summaries


def period_by_id(session: Session, period_id: int, user: User | None = None) -> ReportingPeriod:
    """The period, if it exists and (with a user given) belongs to one of the user's programmes."""
    period = session.get(ReportingPeriod, period_id)
    if period is None or (user is not None and not may_see_programme(user, period.framework.programme_id)):
        raise NotVisible(f"No reporting period {period_id}")
    return period


def returns_in_period(session: Session, user: User, period: ReportingPeriod) -> list[SiteReturn]:
    """The returns the user may see for a period, by site name."""
    return list(
        session.scalars(
            visible_returns(user)
            .join(Site, Site.id == SiteReturn.site_id)
            .where(SiteReturn.reporting_period_id == period.id)
            .options(selectinload(SiteReturn.site))
            .order_by(Site.name)
        )
    )


def find_returns(
    session: Session,
    user: User,
    *,
    status: ReturnStatus | None = None,
    site_id: int | None = None,
    period_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> ListPage[SiteReturn]:
    """Returns the user may see, narrowed by state, site and period: latest period first, then by site."""
    statement = visible_returns(user)
    if status is not None:
        statement = statement.where(SiteReturn.status == status.value)
    if site_id is not None:
        statement = statement.where(SiteReturn.site_id == site_id)
    if period_id is not None:
        statement = statement.where(SiteReturn.reporting_period_id == period_id)
    # The returns counted by the start of their period, newest first: the page then sorts only the returns
    # of the periods it falls in (a quarter's few hundred) rather than every return of every period.
    by_period: dict[int, int] = dict(
        session.execute(
            statement.with_only_columns(SiteReturn.reporting_period_id, func.count()).group_by(
                SiteReturn.reporting_period_id
            )
        ).all()
    )
    by_start: dict[Any, int] = defaultdict(int)
    for period_id, starts_on in session.execute(
        select(ReportingPeriod.id, ReportingPeriod.starts_on).where(ReportingPeriod.id.in_(by_period))
    ):
        by_start[starts_on] += by_period[period_id]
    total = sum(by_start.values())
    page = page_within(page, total, per_page)
    first = (page - 1) * per_page
    window, before, seen = [], 0, 0
    for starts_on in sorted(by_start, reverse=True):
        if seen + by_start[starts_on] <= first:
            before += by_start[starts_on]
        elif seen < first + per_page:
            window.append(starts_on)
        seen += by_start[starts_on]
    rows = (
        list(
            session.scalars(
                statement.join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
                .join(Site, Site.id == SiteReturn.site_id)
                .where(ReportingPeriod.starts_on.in_(window))
                .options(contains_eager(SiteReturn.site), contains_eager(SiteReturn.reporting_period))
                .order_by(ReportingPeriod.starts_on.desc(), Site.name, SiteReturn.id)
                .limit(per_page)
                .offset(first - before)
            )
        )
        if window
        else []
    )
    return ListPage(items=rows, page=page, count=total, per_page=per_page)


def returns_to_review(
    session: Session, user: User, *, page: int = 1, per_page: int = 50
) -> ListPage[SiteReturn]:
    """Submitted returns the user may review, the longest-waiting first, a page at a time."""
    return list_page(
        session,
        visible_returns(user)
        .where(SiteReturn.status == ReturnStatus.SUBMITTED.value)
        .options(
            joinedload(SiteReturn.site),
            joinedload(SiteReturn.reporting_period),
            joinedload(SiteReturn.submitted_by),
        )
        .order_by(SiteReturn.submitted_at, SiteReturn.id),
        page,
        per_page,
    )


def every_period(session: Session, user: User | None = None) -> list[ReportingPeriod]:
    """Every framework's reporting periods (with a user given, of the user's programmes), by framework name
    and newest first, with their framework."""
    statement = select(ReportingPeriod).join(Framework)
    return list(
        session.scalars(
            (statement if user is None else scope_frameworks(statement, user))
            .options(contains_eager(ReportingPeriod.framework))
            .order_by(Framework.name, ReportingPeriod.starts_on.desc())
        )
    )
