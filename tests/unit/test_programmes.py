"""Programmes: every role sees only the programmes it belongs to, the site rule inside the programme rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    AuditEvent,
    MembershipRole,
    Programme,
    ProgrammeMembership,
    ReturnStatus,
    Role,
    SiteReturn,
)
from evidence_hub.services.accounts import programmes as programme_service
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import (
    NotVisible,
    is_service_administrator,
    may_see_site,
    visible_programmes,
    visible_site_ids,
)
from evidence_hub.services.dashboards.scope import frameworks_with_periods
from evidence_hub.services.framework.errors import FrameworkFileInvalid
from evidence_hub.services.framework.lifecycle import import_framework
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH
from evidence_hub.services.returns.finding import find_returns, get_return
from tests.factories import (
    give_membership,
    make_member_of,
    make_programme,
    make_return,
    make_second_framework,
    make_site,
    make_user,
    periods_of,
    the_programme,
)


def two_programmes(db: Session) -> tuple[Programme, Programme, SiteReturn, SiteReturn]:
    """Programme A (worklessness) with Kent's and Leeds's returns; programme B (libraries) sharing Kent,
    with York of its own and Kent's return for B's first quarter."""
    kent_in_a = make_return(db, "kent")
    make_return(db, "leeds")
    programme_a = the_programme(db)
    programme_b = make_programme(db, "libraries", sites=("kent", "york"))
    framework_b = make_second_framework(db, programme_b)
    with transaction(db):
        kent_in_b = SiteReturn(
            site_id=make_site(db, "kent").id,
            reporting_period_id=periods_of(db, framework_b)[0].id,
            framework_version_id=framework_b.published_version.id,  # type: ignore[union-attr]
            status=ReturnStatus.DRAFT.value,
            completed_sections=[],
        )
        db.add(kent_in_b)
    return programme_a, programme_b, kent_in_a, kent_in_b


def returns_seen(db: Session, user: object) -> set[int]:
    return {site_return.id for site_return in find_returns(db, user).items}  # type: ignore[arg-type]


def test_a_lead_of_kent_in_one_programme_sees_nothing_of_kent_in_the_other_unless_leading_there_too(
    db: Session,
) -> None:
    programme_a, programme_b, kent_in_a, kent_in_b = two_programmes(db)
    lead = make_member_of(db, programme_b, Role.SITE_LEAD, MembershipRole.SITE_LEAD, site="kent")

    assert returns_seen(db, lead) == {kent_in_b.id}
    with pytest.raises(NotVisible):
        get_return(db, lead, kent_in_a.id)
    assert [programme.name for programme in visible_programmes(lead)] == [programme_b.name]

    give_membership(db, lead, programme_a, MembershipRole.SITE_LEAD, site="kent")

    assert returns_seen(db, lead) == {kent_in_a.id, kent_in_b.id}
    assert get_return(db, lead, kent_in_a.id).id == kent_in_a.id


def test_an_evaluator_of_one_programme_sees_only_its_returns_frameworks_and_sites(db: Session) -> None:
    programme_a, programme_b, kent_in_a, kent_in_b = two_programmes(db)
    evaluator_of_b = make_member_of(db, programme_b, Role.EVALUATOR, MembershipRole.EVALUATOR)
    evaluator_of_a = make_user(db, Role.EVALUATOR)

    assert returns_seen(db, evaluator_of_b) == {kent_in_b.id}
    assert [framework.programme_id for framework in frameworks_with_periods(db, evaluator_of_b)] == [
        programme_b.id
    ]
    assert visible_site_ids(evaluator_of_b) == {make_site(db, "kent").id, make_site(db, "york").id}
    assert not may_see_site(evaluator_of_b, make_site(db, "leeds").id)

    assert kent_in_b.id not in returns_seen(db, evaluator_of_a)
    assert kent_in_a.id in returns_seen(db, evaluator_of_a)
    assert [framework.programme_id for framework in frameworks_with_periods(db, evaluator_of_a)] == [
        programme_a.id
    ]


def test_an_administrator_of_one_programme_is_not_a_service_administrator(db: Session) -> None:
    _, programme_b, kent_in_a, kent_in_b = two_programmes(db)
    service_administrator = make_user(db, Role.ADMINISTRATOR)
    programme_administrator = make_member_of(
        db, programme_b, Role.ADMINISTRATOR, MembershipRole.PROGRAMME_ADMINISTRATOR
    )

    assert is_service_administrator(service_administrator)
    assert returns_seen(db, service_administrator) >= {kent_in_a.id, kent_in_b.id}
    assert not is_service_administrator(programme_administrator)
    assert returns_seen(db, programme_administrator) == {kent_in_b.id}


def test_the_audit_history_of_a_return_is_only_for_its_programme(db: Session) -> None:
    _, programme_b, kent_in_a, _ = two_programmes(db)
    with transaction(db):
        audit.record(
            db,
            actor=None,
            action="return.started",
            object_type="return",
            object_id=kent_in_a.id,
            site_id=kent_in_a.site_id,
        )
    lead_in_b = make_member_of(db, programme_b, Role.SITE_LEAD, MembershipRole.SITE_LEAD, site="kent")
    lead_in_a = make_user(db, Role.SITE_LEAD, site="kent")

    with pytest.raises(NotVisible):
        audit.history(db, lead_in_b, "return", kent_in_a.id)
    assert [event.action for event in audit.history(db, lead_in_a, "return", kent_in_a.id)] == [
        "return.started"
    ]


def test_ending_a_membership_takes_effect_at_once_and_is_audited(db: Session) -> None:
    _, _, kent_in_a, _ = two_programmes(db)
    administrator = make_user(db, Role.ADMINISTRATOR)
    evaluator = make_user(db, Role.EVALUATOR)
    membership = db.scalars(
        select(ProgrammeMembership).where(ProgrammeMembership.user_id == evaluator.id)
    ).one()
    assert kent_in_a.id in returns_seen(db, evaluator)

    with transaction(db):
        programme_service.end_membership(db, actor=administrator, membership=membership, reason="Moved on.")

    assert returns_seen(db, evaluator) == set()
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "membership.ended")).one()
    assert (event.actor_id, event.object_id, event.reason) == (administrator.id, membership.id, "Moved on.")


def test_a_membership_must_match_the_kind_of_account_and_a_lead_needs_a_site_of_the_programme(
    db: Session,
) -> None:
    _, programme_b, _, _ = two_programmes(db)
    evaluator = make_user(db, Role.EVALUATOR)
    lead = make_user(db, Role.SITE_LEAD, site="leeds")

    with pytest.raises(programme_service.ProgrammeError, match="account role is evaluator"):
        programme_service.add_membership(
            db, actor=None, user=evaluator, programme=programme_b, role=MembershipRole.SITE_LEAD
        )
    with pytest.raises(programme_service.ProgrammeError, match="Select a site taking part in"):
        programme_service.add_membership(
            db,
            actor=None,
            user=lead,
            programme=programme_b,
            role=MembershipRole.SITE_LEAD,
            site_id=make_site(db, "leeds").id,
        )


def test_a_new_framework_imported_without_a_programme_is_refused_once_there_are_several(db: Session) -> None:
    make_programme(db, "libraries", sites=("york",))
    source = DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8")

    with pytest.raises(FrameworkFileInvalid) as refused:
        import_framework(db, source, actor=None)
    assert "several programmes" in str(refused.value.problems[0])
