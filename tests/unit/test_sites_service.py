"""Sites: creating and changing pilot sites and their partners, each change audited with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, PartnerType, Role, Site, SitePartner, User
from evidence_hub.services.accounts import sites
from evidence_hub.services.accounts.sites import SiteError
from tests.factories import make_site, make_user


@pytest.fixture
def administrator(db: Session) -> User:
    return make_user(db, Role.ADMINISTRATOR)


def audit_events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_local_authorities_are_trimmed_blank_lines_dropped_and_repeats_removed() -> None:
    names = ["  Leeds City Council ", "", "   ", "Wakefield  Council", "LEEDS CITY COUNCIL", "Bradford"]

    assert sites.clean_local_authorities(names) == ["Leeds City Council", "Wakefield Council", "Bradford"]


def test_a_new_site_is_stored_with_an_audit_record_in_the_same_transaction(
    db: Session, administrator: User
) -> None:
    with transaction(db):
        site = sites.create_site(
            db,
            actor=administrator,
            name=" Leeds ",
            code="leeds",
            region="Yorkshire and the Humber",
            local_authorities=["Leeds City Council", "Leeds City Council", ""],
        )

    assert (site.name, site.code, site.local_authorities, site.is_active) == (
        "Leeds",
        "leeds",
        ["Leeds City Council"],
        True,
    )
    [event] = audit_events(db, "site.created")
    assert (event.actor_id, event.object_type, event.object_id, event.site_id) == (
        administrator.id,
        "site",
        site.id,
        site.id,
    )
    assert event.after is not None and event.after["code"] == "leeds"


@pytest.mark.parametrize(
    ("name", "code", "field", "message"),
    [
        ("Leeds", "", "code", "Enter a site code"),
        ("Leeds", "l", "code", "Site code must be between 2 and 40 characters"),
        ("Leeds", "l" * 41, "code", "Site code must be between 2 and 40 characters"),
        ("Leeds", "Leeds", "code", "Site code must only include lower-case letters, numbers and hyphens"),
        (
            "Leeds",
            "leeds_pilot",
            "code",
            "Site code must only include lower-case letters, numbers and hyphens",
        ),
        ("Leeds", "kent", "code", "A site with this code already exists"),
        ("kent", "leeds", "name", "A site with this name already exists"),
        ("  ", "leeds", "name", "Enter the site name"),
        ("n" * 121, "leeds", "name", "Site name must be 120 characters or fewer"),
    ],
)
def test_a_site_that_breaks_a_rule_is_refused_and_nothing_is_written(
    db: Session, administrator: User, name: str, code: str, field: str, message: str
) -> None:
    make_site(db, "kent")

    with pytest.raises(SiteError) as raised, transaction(db):
        sites.create_site(db, actor=administrator, name=name, code=code)

    assert (raised.value.field, raised.value.message) == (field, message)
    assert count(db, Site) == 1
    assert audit_events(db, "site.created") == []


def test_a_long_local_authority_name_is_refused(db: Session, administrator: User) -> None:
    with pytest.raises(SiteError, match="Each local authority name") as raised, transaction(db):
        sites.create_site(db, actor=administrator, name="Leeds", code="leeds", local_authorities=["a" * 121])

    assert raised.value.field == "local_authorities"


def test_an_update_audits_only_the_fields_that_changed(db: Session, administrator: User) -> None:
    kent = make_site(db, "kent", local_authorities=["Kent County Council"])

    with transaction(db):
        sites.update_site(
            db,
            actor=administrator,
            site=kent,
            name="Kent",
            code="kent-and-medway",
            region="South East",
            local_authorities=["Kent County Council", "Medway Council"],
        )

    [event] = audit_events(db, "site.updated")
    assert event.before == {"code": "kent", "local_authorities": ["Kent County Council"]}
    assert event.after == {
        "code": "kent-and-medway",
        "local_authorities": ["Kent County Council", "Medway Council"],
    }


def test_saving_a_site_unchanged_writes_no_audit_record(db: Session, administrator: User) -> None:
    kent = make_site(db, "kent")

    with transaction(db):
        sites.update_site(
            db,
            actor=administrator,
            site=kent,
            name=kent.name,
            code=kent.code,
            region=kent.region,
            local_authorities=kent.local_authorities,
        )

    assert audit_events(db, "site.updated") == []


def test_a_site_keeps_its_own_name_and_code_but_cannot_take_another_sites(
    db: Session, administrator: User
) -> None:
    make_site(db, "kent")
    leeds = make_site(db, "leeds")

    with pytest.raises(SiteError, match="code already exists"), transaction(db):
        sites.update_site(
            db, actor=administrator, site=leeds, name="Leeds", code="kent", region="", local_authorities=[]
        )

    db.refresh(leeds)
    assert leeds.code == "leeds"


def test_a_site_with_active_site_leads_cannot_be_deactivated(db: Session, administrator: User) -> None:
    kent = make_site(db, "kent")
    make_user(db, Role.SITE_LEAD, site="kent")
    make_user(db, Role.SITE_LEAD, site="kent", is_active=False)

    with pytest.raises(SiteError) as raised, transaction(db):
        sites.set_site_active(db, actor=administrator, site=kent, active=False)

    assert raised.value.message == (
        "Kent cannot be deactivated because it has 1 active site lead. "
        "Deactivate them or move them to another site first."
    )
    db.refresh(kent)
    assert kent.is_active
    assert audit_events(db, "site.deactivated") == []


def test_a_site_whose_leads_are_all_inactive_is_deactivated_and_reactivated(
    db: Session, administrator: User
) -> None:
    kent = make_site(db, "kent")
    make_user(db, Role.SITE_LEAD, site="kent", is_active=False)

    with transaction(db):
        sites.set_site_active(db, actor=administrator, site=kent, active=False)
    assert not kent.is_active
    assert sites.active_sites(db) == []

    with transaction(db):
        sites.set_site_active(db, actor=administrator, site=kent, active=True)
    assert kent.is_active

    [deactivated] = audit_events(db, "site.deactivated")
    [reactivated] = audit_events(db, "site.reactivated")
    assert (deactivated.before, deactivated.after) == ({"is_active": True}, {"is_active": False})
    assert (reactivated.before, reactivated.after) == ({"is_active": False}, {"is_active": True})


def test_setting_a_site_to_the_status_it_has_changes_nothing(db: Session, administrator: User) -> None:
    kent = make_site(db, "kent")

    with transaction(db):
        sites.set_site_active(db, actor=administrator, site=kent, active=True)

    assert audit_events(db, "site.reactivated") == []


def test_partners_are_added_and_removed_with_audit_records(db: Session, administrator: User) -> None:
    kent = make_site(db, "kent")

    with transaction(db):
        partner = sites.add_partner(
            db,
            actor=administrator,
            site=kent,
            name="  Kent  Voluntary Action ",
            partner_type=PartnerType.VOLUNTARY_SECTOR,
        )
    assert (partner.name, partner.partner_type) == ("Kent Voluntary Action", "voluntary_sector")
    partner_id = partner.id

    with transaction(db):
        sites.remove_partner(db, actor=administrator, site=kent, partner=partner)

    assert db.get(SitePartner, partner_id) is None
    [added] = audit_events(db, "site.partner_added")
    [removed] = audit_events(db, "site.partner_removed")
    assert (added.object_id, added.site_id, removed.object_id, removed.site_id) == (
        partner_id,
        kent.id,
        partner_id,
        kent.id,
    )
    assert removed.before == {"name": "Kent Voluntary Action", "partner_type": "voluntary_sector"}


def test_a_site_cannot_have_two_partners_with_the_same_name(db: Session, administrator: User) -> None:
    kent = make_site(db, "kent")

    with pytest.raises(SiteError, match="already has a partner organisation") as raised, transaction(db):
        sites.add_partner(
            db, actor=administrator, site=kent, name="JOBCENTRE PLUS", partner_type=PartnerType.OTHER
        )

    assert raised.value.field == "name"
    assert count(db, SitePartner) == 1


def test_the_same_partner_may_work_with_two_sites(db: Session, administrator: User) -> None:
    make_site(db, "kent")
    leeds = make_site(db, "leeds")

    assert count(db, SitePartner) == 2
    assert [partner.name for partner in leeds.partners] == ["Jobcentre Plus"]
    assert sites.partner_of_site(db, leeds, leeds.partners[0].id) is not None


def test_a_partner_is_only_found_through_its_own_site(db: Session) -> None:
    kent = make_site(db, "kent")
    leeds = make_site(db, "leeds")

    assert sites.partner_of_site(db, leeds, kent.partners[0].id) is None


def test_the_sites_list_puts_active_sites_first_and_counts_active_users(db: Session) -> None:
    make_site(db, "kent")
    make_site(db, "leeds", is_active=False)
    make_site(db, "liverpool")
    make_user(db, Role.SITE_LEAD, site="liverpool")
    make_user(db, Role.SITE_LEAD, site="liverpool", is_active=False)
    make_user(db, Role.EVALUATOR)

    listed = [(summary.site.code, summary.active_users) for summary in sites.list_sites(db)]

    assert listed == [("kent", 0), ("liverpool", 1), ("leeds", 0)]


def test_a_sites_users_are_listed_active_first(db: Session) -> None:
    kent = make_site(db, "kent")
    make_user(db, Role.SITE_LEAD, site="kent", full_name="Ann Former", is_active=False)
    make_user(db, Role.SITE_LEAD, site="kent", full_name="Zoe Current")
    make_user(db, Role.SITE_LEAD, site="leeds", full_name="Leeds Lead")

    assert [user.full_name for user in sites.users_of_site(db, kent)] == ["Zoe Current", "Ann Former"]
