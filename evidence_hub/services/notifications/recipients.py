"""Who is told about an event: read from current programme memberships, the same memberships that decide
what each person may see (services/common/access.py), so nobody is emailed about a programme or site
whose evidence they cannot open."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from evidence_hub.models import (
    MembershipRole,
    Programme,
    ProgrammeMembership,
    ProgrammeShare,
    Role,
    User,
)


def _members(
    session: Session, programme_id: int, role: MembershipRole, site_id: int | None = None
) -> list[User]:
    query = (
        select(User)
        .join(ProgrammeMembership, ProgrammeMembership.user_id == User.id)
        .where(
            ProgrammeMembership.programme_id == programme_id,
            ProgrammeMembership.role == role.value,
            ProgrammeMembership.ended_at.is_(None),
            User.is_active.is_(True),
        )
        .order_by(User.full_name, User.id)
    )
    if site_id is not None:
        query = query.where(ProgrammeMembership.site_id == site_id)
    return list(dict.fromkeys(session.scalars(query)))


def site_leads(session: Session, programme_id: int, site_id: int) -> list[User]:
    """The people who lead this site in this programme now."""
    return _members(session, programme_id, MembershipRole.SITE_LEAD, site_id)


def evaluators(session: Session, programme_id: int) -> list[User]:
    """The programme's evaluators now: they review its returns."""
    return _members(session, programme_id, MembershipRole.EVALUATOR)


def release_readers(session: Session, programme: Programme) -> list[User]:
    """The national officials who may read the programme's releases: its own members, and those of the
    owning department and of every department it is shared with."""
    departments = select(ProgrammeShare.department_id).where(ProgrammeShare.programme_id == programme.id)
    members = select(ProgrammeMembership.user_id).where(
        ProgrammeMembership.programme_id == programme.id,
        ProgrammeMembership.role == MembershipRole.NATIONAL_OFFICIAL.value,
        ProgrammeMembership.ended_at.is_(None),
    )
    return list(
        session.scalars(
            select(User)
            .where(
                User.role == Role.NATIONAL_OFFICIAL.value,
                User.is_active.is_(True),
                or_(
                    User.id.in_(members),
                    User.department_id == programme.department_id,
                    User.department_id.in_(departments),
                ),
            )
            .order_by(User.full_name, User.id)
        )
    )
