"""What each role's home page shows: the figures and lists that tell a user what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.models import Programme, Release, Role, Site, User
from evidence_hub.services.common.access import (
    led_sites,
    may_administer_programme,
    scope_listed_sites,
    visible_programmes,
)
from evidence_hub.services.common.paging import ListPage, list_page, page_count
from evidence_hub.services.releases.reading import latest_release
from evidence_hub.services.returns.finding import (
    HOME_LIST_LENGTH,
    returns_needing_attention,
    returns_to_review,
)

# Sites a home page lists at a time: a service of every local authority has hundreds.
SITES_PER_PAGE = 25


def listed_sites(session: Session, user: User, page: int = 1, per_page: int | None = None) -> ListPage[Site]:
    """A page of the active sites the user may see listed (a page past the last shows the last); a home
    page's length unless told."""
    return list_page(
        session,
        scope_listed_sites(select(Site).where(Site.is_active.is_(True)), user)
        .options(selectinload(Site.partners))
        .order_by(Site.name, Site.id),
        page,
        per_page or SITES_PER_PAGE,
    )


@dataclass
class HomeOverview:
    sites: list[Site] = field(default_factory=list)
    active_users_by_role: dict[Role, int] = field(default_factory=dict)
    inactive_users: int = 0
    # What needs the user's attention (services.returns.returns_needing_attention): for a site lead
    # "to_start" (open periods), "to_complete" (drafts) and "returned"; for reviewers "to_review".
    attention: dict[str, list[Any]] = field(default_factory=dict)
    # For national officials: the newest release they can open.
    latest_release: Release | None = None
    # The programmes the user belongs to, by name.
    programmes: list[Programme] = field(default_factory=list)
    # For reviewers: every return waiting, of which `attention["to_review"]` lists the longest-waiting.
    waiting_for_review: int = 0
    # Every active site the user can see, of which `sites` holds one page, and which page it is.
    site_count: int = 0
    sites_page: int = 1
    # The programme in view (the header's), if the user has any.
    programme: Programme | None = None
    # The programmes whose pages (sites, memberships) the user manages.
    administered_programme_ids: set[int] = field(default_factory=set)

    @property
    def sites_pages(self) -> int:
        return page_count(self.site_count, SITES_PER_PAGE)


def overview_for(
    session: Session, user: User, in_view: Programme | None = None, sites_page: int = 1
) -> HomeOverview:
    """A site lead's page is about the programme in view: the sites they lead in it and its returns, so a
    person leading Kent in one programme and Bristol in another sees each in turn."""
    role = user.role_enum
    lead_programme_id = in_view.id if role is Role.SITE_LEAD and in_view is not None else None
    overview = HomeOverview(programmes=visible_programmes(user), programme=in_view)
    if role is Role.SITE_LEAD:
        overview.attention = returns_needing_attention(session, user, lead_programme_id)
        overview.sites = led_sites(user, lead_programme_id)
        overview.site_count = len(overview.sites)
        return overview
    if role in (Role.EVALUATOR, Role.ADMINISTRATOR):
        waiting = returns_to_review(session, user, per_page=HOME_LIST_LENGTH)
        overview.attention = {"to_review": waiting.items}
        overview.waiting_for_review = waiting.count
    listed = listed_sites(session, user, sites_page)
    overview.sites, overview.site_count, overview.sites_page = listed.items, listed.count, listed.page
    if role is Role.NATIONAL_OFFICIAL:
        overview.latest_release = latest_release(session, user)
    if role is Role.ADMINISTRATOR:
        overview.administered_programme_ids = {
            programme.id for programme in overview.programmes if may_administer_programme(user, programme.id)
        }
        counts = session.execute(
            select(User.role, User.is_active, func.count()).group_by(User.role, User.is_active)
        ).all()
        overview.active_users_by_role = dict.fromkeys(Role, 0)
        for role_value, is_active, count in counts:
            if is_active:
                overview.active_users_by_role[Role(role_value)] = count
            else:
                overview.inactive_users += count
    return overview
