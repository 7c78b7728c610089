"""Pilot sites: listing, creating, changing and deactivating them, and their partner organisations.

Every change writes an audit record in the same transaction as the change itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.models import (
    MembershipRole,
    PartnerType,
    ProgrammeMembership,
    Role,
    Site,
    SitePartner,
    User,
)
from evidence_hub.services.accounts import programmes
from evidence_hub.services.common import audit
from evidence_hub.services.common.paging import ListPage, list_page

# Column sizes in models.sites; forms use the same numbers for their Length validators.
NAME_MAX_LENGTH = 120
CODE_MIN_LENGTH = 2
CODE_MAX_LENGTH = 40
REGION_MAX_LENGTH = 120
LOCAL_AUTHORITY_MAX_LENGTH = 120
PARTNER_NAME_MAX_LENGTH = 160

CODE_PATTERN = re.compile(r"^[a-z0-9-]+$")
CODE_CHARACTERS_MESSAGE = "Site code must only include lower-case letters, numbers and hyphens"
CODE_LENGTH_MESSAGE = f"Site code must be between {CODE_MIN_LENGTH} and {CODE_MAX_LENGTH} characters"


class SiteError(ValueError):
    """A request that breaks a site rule; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SiteSummary:
    """A site with the figures the sites list shows beside it."""

    site: Site
    active_users: int


def clean_local_authorities(names: Iterable[str]) -> list[str]:
    """Names trimmed, blank ones dropped, repeats (however capitalised) removed, first spelling kept."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    return cleaned


# An active account leading a site now, in any programme: memberships are the only source of a lead's sites.
_LEADING_NOW = (
    ProgrammeMembership.role == MembershipRole.SITE_LEAD.value,
    ProgrammeMembership.ended_at.is_(None),
    User.role == Role.SITE_LEAD.value,
    User.is_active.is_(True),
)


# Sites the administrators' list shows at a time: a service of every local authority has hundreds.
SITES_PER_PAGE = 50

# Active sites first, then by name.
_SITES_IN_ORDER = select(Site).order_by(Site.is_active.desc(), Site.name, Site.id)


def list_sites(session: Session) -> list[SiteSummary]:
    """Every site, active ones first, with its partners loaded and its number of active users."""
    return _summaries(session, list(session.scalars(_SITES_IN_ORDER.options(selectinload(Site.partners)))))


def sites_page(session: Session, page: int = 1, per_page: int = SITES_PER_PAGE) -> ListPage[SiteSummary]:
    """A page of every site, in `list_sites`'s order and with what it gives each; a page past the last
    shows the last."""
    listed = list_page(session, _SITES_IN_ORDER.options(selectinload(Site.partners)), page, per_page)
    return ListPage(_summaries(session, listed.items), listed.page, listed.count, listed.per_page)


def _summaries(session: Session, sites: list[Site]) -> list[SiteSummary]:
    """Each site with its number of active users, counted for these sites only."""
    active_users = (
        select(ProgrammeMembership.site_id, func.count(func.distinct(User.id)))
        .join(User, User.id == ProgrammeMembership.user_id)
        .where(*_LEADING_NOW, ProgrammeMembership.site_id.in_([site.id for site in sites]))
        .group_by(ProgrammeMembership.site_id)
    )
    counts: dict[int | None, int] = dict(session.execute(active_users).all())
    return [SiteSummary(site=site, active_users=counts.get(site.id, 0)) for site in sites]


def active_sites(session: Session) -> list[Site]:
    """Active sites by name: those a site lead can be assigned to and a release can cover."""
    return list(session.scalars(select(Site).where(Site.is_active.is_(True)).order_by(Site.name)))


def every_site(session: Session) -> list[Site]:
    """Every site by name, active or not (returns from a site closed since are still found by it)."""
    return list(session.scalars(select(Site).order_by(Site.name)))


def site_by_id(session: Session, site_id: int) -> Site | None:
    return session.get(Site, site_id)


def users_of_site(session: Session, site: Site) -> list[User]:
    """The people leading the site now, in any programme."""
    leading = select(ProgrammeMembership.user_id).where(
        ProgrammeMembership.site_id == site.id,
        ProgrammeMembership.role == MembershipRole.SITE_LEAD.value,
        ProgrammeMembership.ended_at.is_(None),
    )
    return list(
        session.scalars(
            select(User).where(User.id.in_(leading)).order_by(User.is_active.desc(), User.full_name)
        )
    )


def partner_of_site(session: Session, site: Site, partner_id: int) -> SitePartner | None:
    """The partner with this id, only if it belongs to this site."""
    return session.scalar(
        select(SitePartner).where(SitePartner.id == partner_id, SitePartner.site_id == site.id)
    )


def _snapshot(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "code": site.code,
        "region": site.region,
        "local_authorities": list(site.local_authorities),
        "is_active": site.is_active,
    }


def _check_details(
    session: Session, *, name: str, code: str, region: str, except_site_id: int | None = None
) -> None:
    if not name:
        raise SiteError("name", "Enter the site name")
    if len(name) > NAME_MAX_LENGTH:
        raise SiteError("name", f"Site name must be {NAME_MAX_LENGTH} characters or fewer")
    if not code:
        raise SiteError("code", "Enter a site code")
    if not CODE_MIN_LENGTH <= len(code) <= CODE_MAX_LENGTH:
        raise SiteError("code", CODE_LENGTH_MESSAGE)
    if not CODE_PATTERN.fullmatch(code):
        raise SiteError("code", CODE_CHARACTERS_MESSAGE)
    if len(region) > REGION_MAX_LENGTH:
        raise SiteError("region", f"Region must be {REGION_MAX_LENGTH} characters or fewer")
    same_name = session.scalar(select(Site).where(func.lower(Site.name) == name.lower()))
    if same_name is not None and same_name.id != except_site_id:
        raise SiteError("name", "A site with this name already exists")
    same_code = session.scalar(select(Site).where(Site.code == code))
    if same_code is not None and same_code.id != except_site_id:
        raise SiteError("code", "A site with this code already exists")


def _check_local_authorities(names: list[str]) -> None:
    for name in names:
        if len(name) > LOCAL_AUTHORITY_MAX_LENGTH:
            raise SiteError(
                "local_authorities",
                f"Each local authority name must be {LOCAL_AUTHORITY_MAX_LENGTH} characters or fewer",
            )


def create_site(
    session: Session,
    *,
    actor: User | None,
    name: str,
    code: str,
    region: str = "",
    local_authorities: Iterable[str] = (),
) -> Site:
    name, code, region = name.strip(), code.strip(), region.strip()
    authorities = clean_local_authorities(local_authorities)
    _check_details(session, name=name, code=code, region=region)
    _check_local_authorities(authorities)
    site = Site(name=name, code=code, region=region, local_authorities=authorities, is_active=True)
    session.add(site)
    session.flush()
    programmes.join_the_only_programme(session, site)
    audit.record(
        session,
        actor=actor,
        action="site.created",
        object_type="site",
        object_id=site.id,
        site_id=site.id,
        after=_snapshot(site),
    )
    return site


def update_site(
    session: Session,
    *,
    actor: User,
    site: Site,
    name: str,
    code: str,
    region: str,
    local_authorities: Iterable[str],
) -> Site:
    name, code, region = name.strip(), code.strip(), region.strip()
    authorities = clean_local_authorities(local_authorities)
    _check_details(session, name=name, code=code, region=region, except_site_id=site.id)
    _check_local_authorities(authorities)
    before = _snapshot(site)
    site.name, site.code, site.region, site.local_authorities = name, code, region, authorities
    changed_before, changed_after = audit.changed_fields(before, _snapshot(site))
    if changed_after:
        audit.record(
            session,
            actor=actor,
            action="site.updated",
            object_type="site",
            object_id=site.id,
            site_id=site.id,
            before=changed_before,
            after=changed_after,
        )
    return site


def active_site_leads(session: Session, site: Site) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(User.id)))
            .select_from(ProgrammeMembership)
            .join(User, User.id == ProgrammeMembership.user_id)
            .where(ProgrammeMembership.site_id == site.id, *_LEADING_NOW)
        )
        or 0
    )


def set_site_active(session: Session, *, actor: User, site: Site, active: bool) -> Site:
    """Deactivate or reactivate a site. A site whose site leads are still active cannot be deactivated."""
    if site.is_active == active:
        return site
    if not active:
        leads = active_site_leads(session, site)
        if leads:
            people = "1 active site lead" if leads == 1 else f"{leads} active site leads"
            raise SiteError(
                "site",
                f"{site.name} cannot be deactivated because it has {people}. "
                "Deactivate them or move them to another site first.",
            )
    site.is_active = active
    audit.record(
        session,
        actor=actor,
        action="site.reactivated" if active else "site.deactivated",
        object_type="site",
        object_id=site.id,
        site_id=site.id,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return site


def add_partner(
    session: Session, *, actor: User, site: Site, name: str, partner_type: PartnerType
) -> SitePartner:
    name = " ".join(name.split())
    if not name:
        raise SiteError("name", "Enter the name of the partner organisation")
    if len(name) > PARTNER_NAME_MAX_LENGTH:
        raise SiteError("name", f"Name must be {PARTNER_NAME_MAX_LENGTH} characters or fewer")
    existing = session.scalar(
        select(SitePartner).where(
            SitePartner.site_id == site.id, func.lower(SitePartner.name) == name.lower()
        )
    )
    if existing is not None:
        raise SiteError("name", f"{site.name} already has a partner organisation with this name")
    partner = SitePartner(name=name, partner_type=partner_type.value)
    site.partners.append(partner)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="site.partner_added",
        object_type="site_partner",
        object_id=partner.id,
        site_id=site.id,
        after={"name": partner.name, "partner_type": partner.partner_type},
    )
    return partner


def remove_partner(session: Session, *, actor: User, site: Site, partner: SitePartner) -> None:
    if partner.site_id != site.id:
        raise SiteError("partner", "This partner organisation does not work with this site")
    site.partners.remove(partner)
    audit.record(
        session,
        actor=actor,
        action="site.partner_removed",
        object_type="site_partner",
        object_id=partner.id,
        site_id=site.id,
        before={"name": partner.name, "partner_type": partner.partner_type},
    )
