"""Programmes: the second programme of the access world, and the people who belong to it alone.

Programme A (the factories' programme) holds everything the other rows point at. Programme B shares Kent
with it and has York of its own, its own framework, periods and returns. For each role there is an
outsider who belongs to B only: B's evaluator, B's programme administrator, B's national official and,
hardest of all, the lead of Kent *in B*. tests/test_access_matrix.py asks every route for A's objects as
each outsider and expects 404 wherever A's own member of that role gets in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import MembershipRole, ProgrammeMembership, Role
from tests.access_rows import ADMINISTRATOR, EVALUATOR, NATIONAL_OFFICIAL, SITE_LEAD, Row, only
from tests.factories import make_member_of, make_programme, make_second_framework, the_programme


def extend_world(session: Session, world: dict[str, Any]) -> None:
    world["programme_id"] = the_programme(session).id
    other = make_programme(session, "libraries", sites=("kent", "york"))
    world["other_programme_id"] = other.id
    make_second_framework(session, other)
    world["department_id"] = the_programme(session).department_id
    world["lead_membership_id"] = session.scalars(
        select(ProgrammeMembership.id).where(ProgrammeMembership.user_id == world["other_site_lead_id"])
    ).one()
    world["outsider_emails"] = {
        ADMINISTRATOR: make_member_of(
            session, other, Role.ADMINISTRATOR, MembershipRole.PROGRAMME_ADMINISTRATOR
        ).email,
        EVALUATOR: make_member_of(session, other, Role.EVALUATOR, MembershipRole.EVALUATOR).email,
        SITE_LEAD: make_member_of(
            session, other, Role.SITE_LEAD, MembershipRole.SITE_LEAD, site="kent"
        ).email,
        NATIONAL_OFFICIAL: make_member_of(
            session, other, Role.NATIONAL_OFFICIAL, MembershipRole.NATIONAL_OFFICIAL
        ).email,
    }


SERVICE_ADMINISTRATORS = only({ADMINISTRATOR: 200})
PROGRAMME_FORM = {
    "name": "Health pilots",
    "department_id": "{department_id}",
    "description": "",
    "status": "active",
    "site_ids": "{site_id}",
}

ROWS = [
    Row("admin.programmes", "GET", "/admin/programmes", SERVICE_ADMINISTRATORS),
    Row("admin.programme_new", "GET", "/admin/programmes/new", SERVICE_ADMINISTRATORS),
    Row(
        "admin.programme_new",
        "POST",
        "/admin/programmes/new",
        only({ADMINISTRATOR: 302}),
        data={**PROGRAMME_FORM, "code": "health"},
    ),
    Row("admin.programme", "GET", "/admin/programmes/{programme_id}", SERVICE_ADMINISTRATORS),
    Row("admin.programme_edit", "GET", "/admin/programmes/{programme_id}/edit", SERVICE_ADMINISTRATORS),
    Row(
        "admin.programme_edit",
        "POST",
        "/admin/programmes/{programme_id}/edit",
        only({ADMINISTRATOR: 302}),
        data=PROGRAMME_FORM,
    ),
    Row(
        "admin.membership_new",
        "GET",
        "/admin/programmes/{programme_id}/memberships/new",
        SERVICE_ADMINISTRATORS,
    ),
    Row(
        "admin.membership_new",
        "POST",
        "/admin/programmes/{other_programme_id}/memberships/new",
        only({ADMINISTRATOR: 302}),
        data={"user_id": "{user_id}", "role": "evaluator"},
    ),
    Row(
        "admin.membership_edit", "GET", "/admin/memberships/{lead_membership_id}/edit", SERVICE_ADMINISTRATORS
    ),
    Row(
        "admin.membership_edit",
        "POST",
        "/admin/memberships/{lead_membership_id}/edit",
        only({ADMINISTRATOR: 302}),
        data={"site_id": "{site_id}"},
    ),
    Row("admin.membership_end", "GET", "/admin/memberships/{lead_membership_id}/end", SERVICE_ADMINISTRATORS),
    Row(
        "admin.membership_end",
        "POST",
        "/admin/memberships/{lead_membership_id}/end",
        only({ADMINISTRATOR: 302}),
        data={"reason": "Left the council."},
    ),
]
