"""Activities: what the service accepts, what it refuses (naming the field), and what it audits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    Activity,
    AuditEvent,
    PartnerType,
    ReturnStatus,
    Role,
    SitePartner,
    SiteReturn,
    User,
)
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns import activities
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from tests.factories import make_return, make_site, make_user

# The first reporting period of the shipped framework: 2009 Q2, 1 April to 30 June 2009.
IN_PERIOD = date(2009, 5, 12)


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


@pytest.fixture
def site_return(db: Session, lead: User) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def council(db: Session, site_return: SiteReturn) -> SitePartner:
    # Through the site's own list, so that the site loaded in this session knows of it.
    with transaction(db):
        partner = SitePartner(name="Kent County Council", partner_type=PartnerType.LOCAL_AUTHORITY.value)
        site_return.site.partners.append(partner)
    return partner


def type_id(site_return: SiteReturn, code: str = "PARTNERSHIP-MEETING") -> int:
    return next(kind.id for kind in site_return.framework_version.activity_types if kind.code == code)


def theme_id(site_return: SiteReturn, code: str) -> int:
    return next(theme.id for theme in site_return.framework_version.themes if theme.code == code)


def an_activity(site_return: SiteReturn, **changes: Any) -> ActivityInput:
    activity = ActivityInput(
        activity_type_id=type_id(site_return),
        title="Steering group agreed the data-sharing protocol",
        description="Monthly steering group with Jobcentre Plus and the council.",
        starts_on=IN_PERIOD,
        partner_types=["jobcentre_plus", "local_authority"],
        people_reached=12,
        outputs="Signed protocol",
    )
    return replace(activity, **changes)


def count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Activity)) or 0


def activity_events(db: Session) -> list[AuditEvent]:
    db.expire_all()
    statement = select(AuditEvent).where(AuditEvent.object_type == "activity").order_by(AuditEvent.id)
    return list(db.scalars(statement))


def add(db: Session, lead: User, site_return: SiteReturn, **changes: Any) -> Activity:
    with transaction(db):
        return ACTIVITIES.add(db, lead, site_return, an_activity(site_return, **changes))


def test_an_activity_is_saved_with_partners_and_themes_and_an_audit_record(
    db: Session, lead: User, site_return: SiteReturn, council: SitePartner
) -> None:
    item = add(db, lead, site_return, partner_ids=[council.id], theme_ids=[theme_id(site_return, "VFM")])

    assert (item.site_id, item.title, item.starts_on, item.ends_on) == (
        site_return.site_id,
        "Steering group agreed the data-sharing protocol",
        IN_PERIOD,
        IN_PERIOD,
    )
    # Partner types are kept in the order of the list, however they were ticked.
    assert item.partner_types == ["local_authority", "jobcentre_plus"]
    assert [partner.name for partner in item.partners] == ["Kent County Council"]
    assert [theme.code for theme in item.themes] == ["VFM"]
    [event] = activity_events(db)
    assert (event.action, event.actor_id, event.object_id, event.site_id) == (
        "activity.created",
        lead.id,
        item.id,
        site_return.site_id,
    )
    assert event.after is not None
    assert (event.after["partners"], event.after["themes"], event.after["activity_type"]) == (
        ["Kent County Council"],
        ["VFM"],
        "PARTNERSHIP-MEETING",
    )


def test_a_spreadsheet_can_name_the_type_themes_and_partners_by_code_and_name(
    db: Session, lead: User, site_return: SiteReturn, council: SitePartner
) -> None:
    item = add(
        db,
        lead,
        site_return,
        activity_type_id=None,
        activity_type_code="data-request",
        theme_codes=["vfm"],
        partner_names=["kent county council"],
        ends_on=date(2009, 6, 30),
    )

    assert (item.activity_type.code, [t.code for t in item.themes], [p.id for p in item.partners]) == (
        "DATA-REQUEST",
        ["VFM"],
        [council.id],
    )
    assert (item.starts_on, item.ends_on) == (IN_PERIOD, date(2009, 6, 30))


def test_a_date_range_may_run_from_the_first_to_the_last_day_of_the_period(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(
        db, lead, site_return, starts_on=date(2009, 4, 1), ends_on=date(2009, 6, 30), people_reached=None
    )

    assert (item.starts_on, item.ends_on, item.people_reached) == (date(2009, 4, 1), date(2009, 6, 30), None)
    assert activities.date_range_text(item.starts_on, item.ends_on) == "1 April 2009 to 30 June 2009"


PERIOD = "2009 Q2 (April to June 2009): between 1 April 2009 and 30 June 2009"

BAD_ACTIVITIES = [
    ({"activity_type_id": None}, "activity_type", "Select the type of activity"),
    ({"activity_type_id": 999_999}, "activity_type", "Select one of the types of activity listed"),
    (
        {"activity_type_id": None, "activity_type_code": "PICNIC"},
        "activity_type",
        "'PICNIC' is not a type of activity in version 1 of the framework: use one of BUSINESS-CASE, "
        "DATA-REQUEST, INFORMATION-GOVERNANCE, DATA-MATCHING, TARGETED-OUTREACH, PARTNER-REFERRAL, "
        "PARTNERSHIP-MEETING, STAFF-TRAINING, SHARED-LEARNING",
    ),
    ({"title": "  "}, "title", "Enter a title for the activity"),
    ({"title": "x" * 201}, "title", "Title must be 200 characters or fewer"),
    ({"description": "x" * 5001}, "description", "Description must be 5,000 characters or fewer"),
    ({"outputs": "x" * 5001}, "outputs", "Outputs must be 5,000 characters or fewer"),
    ({"starts_on": None}, "starts_on", "Enter the date of the activity, or the date it started"),
    ({"starts_on": date(2009, 3, 31)}, "starts_on", f"The date the activity started must be within {PERIOD}"),
    ({"starts_on": date(2009, 7, 1)}, "starts_on", f"The date the activity started must be within {PERIOD}"),
    ({"ends_on": date(2009, 7, 1)}, "ends_on", f"The date the activity ended must be within {PERIOD}"),
    (
        {"ends_on": date(2009, 5, 11)},
        "ends_on",
        "The date the activity ended must be the same as or after the date it started",
    ),
    (
        {"partner_types": ["jobcentre_plus", "bank"]},
        "partner_types",
        "'bank' is not a kind of partner: use one of local_authority, jobcentre_plus, improvement_adviser, "
        "government_department, provider, voluntary_sector, health, other",
    ),
    ({"partner_ids": [999_999]}, "partners", "Choose partner organisations from the list of Kent's partners"),
    (
        {"partner_names": ["Acme Ltd"]},
        "partners",
        "'Acme Ltd' is not one of Kent's partner organisations. "
        "Ask an administrator to add it, or leave it out",
    ),
    ({"people_reached": -1}, "people_reached", "People reached must be 0 or more"),
    ({"people_reached": 60_000_001}, "people_reached", "People reached must be 60,000,000 or fewer"),
    ({"people_reached": 2.5}, "people_reached", "People reached must be a whole number, like 25"),
    ({"theme_ids": [999_999]}, "themes", "Select themes from the list"),
    (
        {"theme_codes": ["FUN"]},
        "themes",
        "'FUN' is not a theme of the framework: use one of VFM, DATA, CONTEXT, SYSTEMS, NEXT",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    BAD_ACTIVITIES,
    ids=[f"{field}-{index}" for index, (_, field, _) in enumerate(BAD_ACTIVITIES)],
)
def test_an_activity_with_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    db: Session, lead: User, site_return: SiteReturn, changes: dict[str, Any], field: str, message: str
) -> None:
    data = an_activity(site_return, **changes)

    with pytest.raises(InvalidEvidence) as refused, transaction(db):
        ACTIVITIES.add(db, lead, site_return, data)

    assert refused.value.problems[field] == message
    assert ACTIVITIES.problems(site_return, data)[field] == message
    assert (count(db), activity_events(db)) == (0, [])


def test_a_partner_of_another_site_is_refused(db: Session, lead: User, site_return: SiteReturn) -> None:
    leeds_partner = make_site(db, "leeds").partners[0]

    problems = ACTIVITIES.problems(site_return, an_activity(site_return, partner_ids=[leeds_partner.id]))

    assert problems == {"partners": "Choose partner organisations from the list of Kent's partners"}


@pytest.mark.parametrize("status", [ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.LOCKED])
def test_a_read_only_return_refuses_activities(db: Session, lead: User, status: ReturnStatus) -> None:
    read_only = make_return(db, "kent", period=1, status=status)

    with pytest.raises(ReturnError, match="This return cannot be changed"), transaction(db):
        ACTIVITIES.add(db, lead, read_only, an_activity(read_only, starts_on=date(2009, 8, 3)))

    assert count(db) == 0


def test_a_change_is_audited_field_by_field_and_a_stale_one_is_refused(
    db: Session, lead: User, site_return: SiteReturn, council: SitePartner
) -> None:
    item = add(db, lead, site_return)

    with transaction(db):
        changed = ACTIVITIES.update(
            db,
            lead,
            item.site_return,
            item,
            an_activity(
                site_return, title="Protocol signed", partner_ids=[council.id], ends_on=date(2009, 5, 14)
            ),
            submitted_version=1,
        )
    with pytest.raises(StaleEdit) as stale, transaction(db):
        ACTIVITIES.update(
            db, lead, item.site_return, item, an_activity(site_return, title="Mine"), submitted_version=1
        )

    assert changed is True
    assert (stale.value.theirs["title"], stale.value.yours["title"]) == ("Protocol signed", "Mine")
    assert stale.value.theirs["dates"] == "12 May 2009 to 14 May 2009"
    db.expire_all()
    assert (item.title, item.version, [p.name for p in item.partners]) == (
        "Protocol signed",
        2,
        ["Kent County Council"],
    )
    [_, updated] = activity_events(db)
    assert (updated.before, updated.after) == (
        {"title": "Steering group agreed the data-sharing protocol", "ends_on": "2009-05-12", "partners": []},
        {"title": "Protocol signed", "ends_on": "2009-05-14", "partners": ["Kent County Council"]},
    )


def test_a_deleted_activity_is_gone_and_audited(db: Session, lead: User, site_return: SiteReturn) -> None:
    item = add(db, lead, site_return)

    with transaction(db):
        ACTIVITIES.delete(db, lead, item.site_return, item, submitted_version=1)

    assert count(db) == 0
    assert site_return.activities == []
    assert [event.action for event in activity_events(db)] == ["activity.created", "activity.deleted"]


def test_another_sites_activity_is_not_visible_to_a_lead(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    leeds_return = make_return(db, "leeds")
    leeds_activity = add(db, leeds_lead, leeds_return)

    with pytest.raises(NotVisible):
        ACTIVITIES.find(db, lead, site_return, leeds_activity.id)
    with pytest.raises(NotVisible):
        ACTIVITIES.find(db, lead, leeds_return, leeds_activity.id)
