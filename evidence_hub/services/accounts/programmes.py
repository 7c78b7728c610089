"""Programmes and memberships: creating and changing programmes, and giving, changing and ending the roles
people hold in them. Every change writes an audit record in the same transaction as the change itself.

A service with a single programme needs no choices: a framework imported, a site added or an account made
joins it, the account with the role its account holds. With several, an administrator says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.db import utc_now
from evidence_hub.models import (
    Department,
    MembershipRole,
    Programme,
    ProgrammeMembership,
    ProgrammeShare,
    ProgrammeSite,
    ProgrammeStatus,
    Role,
    Site,
    User,
)
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import why_programme_takes_nothing
from evidence_hub.services.common.paging import ListPage, list_page

NAME_MAX_LENGTH = 160
CODE_MAX_LENGTH = 40
CODE_PATTERN = re.compile(r"^[a-z0-9-]{2,40}$")

# The programme a service begins with, and its department (the same as migration 0011 makes).
FIRST_DEPARTMENT = ("dwp", "Department for Work and Pensions")
FIRST_PROGRAMME = ("worklessness", "Worklessness pilots")

# The membership role that matches each account role: the account decides which pages a person opens.
MEMBERSHIP_FOR_ACCOUNT = {
    Role.ADMINISTRATOR: MembershipRole.PROGRAMME_ADMINISTRATOR,
    Role.EVALUATOR: MembershipRole.EVALUATOR,
    Role.SITE_LEAD: MembershipRole.SITE_LEAD,
    Role.NATIONAL_OFFICIAL: MembershipRole.NATIONAL_OFFICIAL,
}


class ProgrammeError(ValueError):
    """A request that breaks a programme rule; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ProgrammeSummary:
    programme: Programme
    sites: int
    members: int


def list_programmes(session: Session) -> list[ProgrammeSummary]:
    members = dict(
        session.execute(
            select(ProgrammeMembership.programme_id, func.count(func.distinct(ProgrammeMembership.user_id)))
            .where(ProgrammeMembership.ended_at.is_(None))
            .group_by(ProgrammeMembership.programme_id)
        ).all()
    )
    sites = dict(
        session.execute(
            select(ProgrammeSite.programme_id, func.count()).group_by(ProgrammeSite.programme_id)
        ).all()
    )
    programmes = session.scalars(
        select(Programme).options(selectinload(Programme.department)).order_by(Programme.name)
    )
    return [ProgrammeSummary(each, sites.get(each.id, 0), members.get(each.id, 0)) for each in programmes]


def programme_by_id(session: Session, programme_id: int) -> Programme | None:
    return session.get(Programme, programme_id)


def programme_by_code(session: Session, code: str) -> Programme | None:
    return session.scalar(select(Programme).where(Programme.code == code.strip().lower()))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.name)))


def department_with_code(session: Session, code: str, name: str) -> Department:
    """The department with this code, made if it does not exist yet."""
    found = session.scalar(select(Department).where(Department.code == code))
    if found is None:
        found = Department(code=code, name=name)
        session.add(found)
        session.flush()
    return found


def the_only_programme(session: Session) -> Programme | None:
    """The programme, when the service has exactly one."""
    found = list(session.scalars(select(Programme).limit(2)))
    return found[0] if len(found) == 1 else None


def runs_several_programmes(session: Session) -> bool:
    return len(list(session.scalars(select(Programme.id).limit(2)))) > 1


def the_programme_to_join(session: Session) -> Programme:
    """The programme a framework imported, or a site lead added, without naming one joins: the only one,
    made on first use (an empty service's first); ProgrammeError once there are several."""
    if session.scalar(select(func.count()).select_from(Programme)) == 0:
        department = department_with_code(session, *FIRST_DEPARTMENT)
        programme = Programme(code=FIRST_PROGRAMME[0], name=FIRST_PROGRAMME[1], department_id=department.id)
        session.add(programme)
        session.flush()
        return programme
    only = the_only_programme(session)
    if only is None:
        raise ProgrammeError("programme", "Choose the programme the framework belongs to")
    return only


def _programme_record(programme: Programme) -> dict[str, Any]:
    return {
        "code": programme.code,
        "name": programme.name,
        "department_id": programme.department_id,
        "description": programme.description,
        "status": programme.status,
        "site_ids": sorted(site.id for site in programme.sites),
    }


def _check_programme(
    session: Session, *, code: str, name: str, department_id: int, except_id: int | None = None
) -> None:
    if not CODE_PATTERN.fullmatch(code):
        raise ProgrammeError("code", "Programme code must be 2 to 40 lower-case letters, numbers and hyphens")
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ProgrammeError("name", f"Enter a programme name of up to {NAME_MAX_LENGTH} characters")
    if session.get(Department, department_id) is None:
        raise ProgrammeError("department_id", "Select the department that owns the programme")
    for column, value, field, message in (
        (Programme.code, code, "code", "A programme with this code already exists"),
        (Programme.name, name, "name", "A programme with this name already exists"),
    ):
        existing = session.scalar(select(Programme).where(column == value))
        if existing is not None and existing.id != except_id:
            raise ProgrammeError(field, message)


def _set_sites(session: Session, programme: Programme, site_ids: Iterable[int]) -> None:
    wanted = set(site_ids)
    current = set(
        session.scalars(select(ProgrammeSite.site_id).where(ProgrammeSite.programme_id == programme.id))
    )
    for site_id in wanted - current:
        if session.get(Site, site_id) is None:
            raise ProgrammeError("site_ids", "Select sites from the list")
        session.add(ProgrammeSite(programme_id=programme.id, site_id=site_id))
    for site_id in current - wanted:
        session.delete(session.get(ProgrammeSite, (programme.id, site_id)))
    session.flush()
    session.expire(programme, ["sites"])


def create_programme(
    session: Session,
    *,
    actor: User | None,
    code: str,
    name: str,
    department_id: int,
    description: str = "",
    site_ids: Iterable[int] = (),
) -> Programme:
    code, name = code.strip(), name.strip()
    _check_programme(session, code=code, name=name, department_id=department_id)
    programme = Programme(code=code, name=name, department_id=department_id, description=description.strip())
    session.add(programme)
    session.flush()
    _set_sites(session, programme, site_ids)
    audit.record(
        session,
        actor=actor,
        action="programme.created",
        object_type="programme",
        object_id=programme.id,
        after=_programme_record(programme),
    )
    return programme


def update_programme(
    session: Session,
    *,
    actor: User,
    programme: Programme,
    name: str,
    department_id: int,
    description: str,
    status: ProgrammeStatus,
    site_ids: Iterable[int],
) -> Programme:
    """Change a programme's details, status and sites. Its name, description and status may change whatever
    its status (a service administrator reopens a closed programme here); the sites taking part may not while
    it stays closed or archived, since its returns and comparisons are held as they were, site by site."""
    name = name.strip()
    _check_programme(
        session, code=programme.code, name=name, department_id=department_id, except_id=programme.id
    )
    closed = why_programme_takes_nothing(programme) if status is not ProgrammeStatus.ACTIVE else ""
    if closed and set(site_ids) != {site.id for site in programme.sites}:
        raise ProgrammeError("site_ids", closed)
    before = _programme_record(programme)
    programme.name, programme.department_id = name, department_id
    programme.description, programme.status = description.strip(), status.value
    _set_sites(session, programme, site_ids)
    changed_before, changed_after = audit.changed_fields(before, _programme_record(programme))
    if changed_after:
        audit.record(
            session,
            actor=actor,
            action="programme.updated",
            object_type="programme",
            object_id=programme.id,
            before=changed_before,
            after=changed_after,
        )
    return programme


def share_with(session: Session, programme: Programme, department: Department) -> None:
    """Let another department's national officials read the programme's releases."""
    if session.get(ProgrammeShare, (programme.id, department.id)) is None:
        session.add(ProgrammeShare(programme_id=programme.id, department_id=department.id))
        session.flush()


def add_site(session: Session, programme: Programme, site: Site) -> None:
    if session.get(ProgrammeSite, (programme.id, site.id)) is None:
        session.add(ProgrammeSite(programme_id=programme.id, site_id=site.id))
        session.flush()
        session.expire(programme, ["sites"])


def join_the_only_programme(session: Session, site: Site) -> None:
    """A new site takes part in the service's programme when there is only one to take part in."""
    only = the_only_programme(session)
    # A closed programme takes no new site: the new one waits until an administrator adds it to one.
    if only is not None and not why_programme_takes_nothing(only):
        add_site(session, only, site)


# --- Memberships -----------------------------------------------------------------------------------------


# Memberships a programme's page lists at a time: a programme of every local authority has a lead or two
# for each of hundreds of sites.
MEMBERSHIPS_PER_PAGE = 50


def memberships_of_programme(
    session: Session, programme: Programme, page: int = 1, per_page: int = MEMBERSHIPS_PER_PAGE
) -> ListPage[ProgrammeMembership]:
    """A page of the programme's memberships: current ones first, then ended ones, each by the person's
    name; a page past the last shows the last."""
    return list_page(
        session,
        select(ProgrammeMembership)
        .join(User, User.id == ProgrammeMembership.user_id)
        .where(ProgrammeMembership.programme_id == programme.id)
        .options(selectinload(ProgrammeMembership.user), selectinload(ProgrammeMembership.site))
        .order_by(ProgrammeMembership.ended_at.is_not(None), User.full_name, ProgrammeMembership.id),
        page,
        per_page,
    )


def memberships_of_user(session: Session, user: User) -> list[ProgrammeMembership]:
    return list(
        session.scalars(
            select(ProgrammeMembership)
            .where(ProgrammeMembership.user_id == user.id)
            .options(selectinload(ProgrammeMembership.programme), selectinload(ProgrammeMembership.site))
            .order_by(ProgrammeMembership.ended_at.is_not(None), ProgrammeMembership.id)
        )
    )


def membership_by_id(session: Session, membership_id: int) -> ProgrammeMembership | None:
    return session.get(ProgrammeMembership, membership_id)


def _membership_record(membership: ProgrammeMembership) -> dict[str, Any]:
    return {
        "user_id": membership.user_id,
        "programme_id": membership.programme_id,
        "role": membership.role,
        "site_id": membership.site_id,
        "ended_at": membership.ended_at.isoformat() if membership.ended_at else None,
    }


def _check_membership(
    session: Session, user: User, programme: Programme, role: MembershipRole, site_id: int | None
) -> int | None:
    if MEMBERSHIP_FOR_ACCOUNT[user.role_enum] is not role:
        raise ProgrammeError(
            "role",
            f"{user.full_name}'s account role is {user.role_label.lower()}: in a programme they can only be "
            f"a member with the role {MEMBERSHIP_FOR_ACCOUNT[user.role_enum].label.lower()}. Change their "
            "account first to give them another role",
        )
    if role is not MembershipRole.SITE_LEAD:
        return None
    if site_id is None or session.get(ProgrammeSite, (programme.id, site_id)) is None:
        raise ProgrammeError("site_id", f"Select a site taking part in {programme.name}")
    return site_id


def add_membership(
    session: Session,
    *,
    actor: User | None,
    user: User,
    programme: Programme,
    role: MembershipRole,
    site_id: int | None = None,
) -> ProgrammeMembership:
    site_id = _check_membership(session, user, programme, role, site_id)
    duplicate = session.scalar(
        select(ProgrammeMembership).where(
            ProgrammeMembership.user_id == user.id,
            ProgrammeMembership.programme_id == programme.id,
            ProgrammeMembership.role == role.value,
            ProgrammeMembership.site_id.is_(None)
            if site_id is None
            else ProgrammeMembership.site_id == site_id,
            ProgrammeMembership.ended_at.is_(None),
        )
    )
    if duplicate is not None:
        raise ProgrammeError("user_id", f"{user.full_name} already holds this role in {programme.name}")
    membership = ProgrammeMembership(
        user_id=user.id,
        programme_id=programme.id,
        role=role.value,
        site_id=site_id,
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="membership.added",
        object_type="programme_membership",
        object_id=membership.id,
        site_id=site_id,
        after=_membership_record(membership),
    )
    return membership


def change_membership(
    session: Session, *, actor: User, membership: ProgrammeMembership, site_id: int | None
) -> ProgrammeMembership:
    """Move a site lead's membership to another site of the same programme."""
    if membership.ended_at is not None:
        raise ProgrammeError("site_id", "This membership has ended: add a new one instead")
    site_id = _check_membership(session, membership.user, membership.programme, membership.role_enum, site_id)
    before = _membership_record(membership)
    membership.site_id = site_id
    changed_before, changed_after = audit.changed_fields(before, _membership_record(membership))
    if changed_after:
        audit.record(
            session,
            actor=actor,
            action="membership.changed",
            object_type="programme_membership",
            object_id=membership.id,
            site_id=site_id,
            before=changed_before,
            after=changed_after,
        )
    return membership


def end_membership(
    session: Session, *, actor: User | None, membership: ProgrammeMembership, reason: str = ""
) -> ProgrammeMembership:
    """End a membership from now: what the person could see through it, they no longer can."""
    if membership.ended_at is not None:
        return membership
    before = _membership_record(membership)
    membership.ended_at = utc_now()
    audit.record(
        session,
        actor=actor,
        action="membership.ended",
        object_type="programme_membership",
        object_id=membership.id,
        site_id=membership.site_id,
        before=before,
        after=_membership_record(membership),
        reason=reason,
    )
    return membership


def follow_account_role(
    session: Session, *, actor: User | None, user: User, site_id: int | None = None
) -> None:
    """After an account's role changes (or, in a service with one programme, the site its lead leads):
    end memberships its new role cannot hold and, in a service with one programme, give it the matching
    membership there (a site lead's at `site_id`)."""
    wanted = MEMBERSHIP_FOR_ACCOUNT[user.role_enum]
    only = the_only_programme(session)
    if only is None and site_id is not None:
        # An empty service's first site lead: their site needs a programme to be led in.
        only = the_programme_to_join(session)
    for membership in memberships_of_user(session, user):
        if membership.ended_at is not None:
            continue
        matches_account = membership.role_enum is wanted
        if only is not None and membership.role_enum is MembershipRole.SITE_LEAD:
            matches_account = matches_account and membership.site_id == site_id
        if not matches_account:
            end_membership(session, actor=actor, membership=membership, reason="The account's role changed.")
    if only is None or user.role_enum is Role.ADMINISTRATOR:
        return
    if wanted is MembershipRole.SITE_LEAD and site_id is None:
        return
    held = any(
        membership.ended_at is None and membership.programme_id == only.id
        for membership in memberships_of_user(session, user)
    )
    if not held:
        if wanted is MembershipRole.SITE_LEAD and site_id is not None:
            add_site(session, only, session.get_one(Site, site_id))
        add_membership(session, actor=actor, user=user, programme=only, role=wanted, site_id=site_id)
