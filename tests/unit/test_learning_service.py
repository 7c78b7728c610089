"""Learning entries: typed, placed in the framework's dimensions and themes, audited, and cleared for
national sharing only by an evaluator."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, LearningEntry, ReturnStatus, Role, SiteReturn, User
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns import learning
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from tests.factories import make_return, make_user

BARRIER = LearningInput(
    learning_type="barrier",
    dimensions=["LEGAL-GOVERNANCE", "NATIONAL-PROCESSES"],
    theme="DATA",
    title="Waiting for the legal gateway to be confirmed",
    what_happened="The request waited four months while DWP confirmed the legal basis nationally.",
    why_it_matters="Outreach planned for the summer could not start.",
    national_implication="DWP should publish which gateways apply to which data sets.",
)


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


def add(
    db: Session, user: User, site_return: SiteReturn, data: LearningInput = BARRIER, **kwargs: str
) -> LearningEntry:
    with transaction(db):
        return LEARNING.add(db, user, site_return, data, **kwargs)


def update(
    db: Session,
    user: User,
    site_return: SiteReturn,
    entry: LearningEntry,
    data: LearningInput,
    version: int | None = None,
) -> LearningEntry:
    with transaction(db):
        return LEARNING.update(db, user, site_return, entry, data, version)


def clear(db: Session, user: User, entry: LearningEntry, cleared: bool = True) -> bool:
    with transaction(db):
        return learning.set_cleared_for_national(db, user, entry, cleared)


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(LearningEntry)) or 0


def audit_of(db: Session) -> list[AuditEvent]:
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.object_type == "learning").order_by(AuditEvent.id))
    )


def test_an_entry_is_recorded_with_its_dimensions_theme_and_audit_record(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    entry = add(db, lead, kent_return)

    assert entry.learning_type == "barrier"
    assert [dimension.code for dimension in entry.dimensions] == ["LEGAL-GOVERNANCE", "NATIONAL-PROCESSES"]
    assert entry.theme is not None and entry.theme.code == "DATA"
    assert entry.site_id == kent_return.site_id
    assert not entry.cleared_for_national
    [record] = audit_of(db)
    assert record.action == "learning.created"
    assert record.after is not None
    assert record.after["dimensions"] == ["LEGAL-GOVERNANCE", "NATIONAL-PROCESSES"]
    assert record.after["theme"] == "DATA"


def test_the_theme_is_optional(db: Session, kent_return: SiteReturn, lead: User) -> None:
    entry = add(db, lead, kent_return, replace(BARRIER, theme=""))

    assert entry.theme is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"learning_type": ""}, "learning_type", "Select the type of learning"),
        ({"learning_type": "grumble"}, "learning_type", "Select a type of learning from the list"),
        ({"dimensions": []}, "dimensions", "Select at least one area the learning is about"),
        (
            {"dimensions": ["WEATHER"]},
            "dimensions",
            "'WEATHER' is not one of the framework's areas: choose areas in the list",
        ),
        ({"theme": "GOSSIP"}, "theme", "Select a line of enquiry from the list"),
        ({"title": "  "}, "title", "Enter a short title for the learning"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"what_happened": ""}, "what_happened", "Describe what happened"),
        ({"what_happened": "x" * 5001}, "what_happened", "What happened must be 5,000 characters or fewer"),
        (
            {"why_it_matters": "x" * 5001},
            "why_it_matters",
            "Why it matters must be 5,000 characters or fewer",
        ),
        (
            {"national_implication": "x" * 5001},
            "national_implication",
            "The implication for national roll-out must be 5,000 characters or fewer",
        ),
    ],
)
def test_bad_entries_are_refused_beside_the_field_and_nothing_is_saved(
    db: Session, kent_return: SiteReturn, lead: User, change: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidEvidence) as caught:
        add(db, lead, kent_return, replace(BARRIER, **change))  # type: ignore[arg-type]

    assert caught.value.problems == {field: message}
    assert count(db) == 0
    assert audit_of(db) == []


def test_changes_are_audited_field_by_field(db: Session, kent_return: SiteReturn, lead: User) -> None:
    entry = add(db, lead, kent_return)

    update(
        db,
        lead,
        kent_return,
        entry,
        replace(BARRIER, title="Four months waiting for the gateway", dimensions=["LEGAL-GOVERNANCE"]),
        entry.version,
    )

    change = audit_of(db)[-1]
    assert change.action == "learning.updated"
    assert change.before == {
        "title": "Waiting for the legal gateway to be confirmed",
        "dimensions": ["LEGAL-GOVERNANCE", "NATIONAL-PROCESSES"],
    }
    assert change.after == {
        "title": "Four months waiting for the gateway",
        "dimensions": ["LEGAL-GOVERNANCE"],
    }
    assert entry.version == 2


def test_saving_over_a_newer_version_is_refused(db: Session, kent_return: SiteReturn, lead: User) -> None:
    entry = add(db, lead, kent_return)
    update(db, lead, kent_return, entry, replace(BARRIER, title="Theirs"), 1)

    with pytest.raises(StaleEdit) as caught:
        update(db, lead, kent_return, entry, replace(BARRIER, title="Mine"), 1)

    assert caught.value.theirs["title"] == "Theirs"
    assert caught.value.yours["title"] == "Mine"
    db.expire_all()
    assert db.scalars(select(LearningEntry)).one().title == "Theirs"


def test_deleting_an_entry_is_audited(db: Session, kent_return: SiteReturn, lead: User) -> None:
    entry = add(db, lead, kent_return)

    with transaction(db):
        LEARNING.delete(db, lead, kent_return, entry, entry.version)

    assert count(db) == 0
    deleted = audit_of(db)[-1]
    assert deleted.action == "learning.deleted"
    assert deleted.before is not None and deleted.before["title"] == BARRIER.title


@pytest.mark.parametrize("status", [ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.LOCKED])
def test_a_return_that_is_not_a_draft_cannot_be_changed(
    db: Session, lead: User, status: ReturnStatus
) -> None:
    site_return = make_return(db, "kent", period=1, status=status)

    with pytest.raises(ReturnError):
        add(db, lead, site_return)


def test_only_the_sites_own_lead_records_learning(db: Session, kent_return: SiteReturn) -> None:
    for user in (make_user(db, Role.EVALUATOR), make_user(db, Role.SITE_LEAD, site="leeds")):
        with pytest.raises(ReturnError):
            add(db, user, kent_return)
    assert count(db) == 0


def test_an_entry_of_another_return_is_not_found_through_this_one(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    entry = add(db, lead, kent_return)
    leeds_return = make_return(db, "leeds")
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")

    with pytest.raises(NotVisible):
        LEARNING.find(db, leeds_lead, leeds_return, entry.id)
    with pytest.raises(NotVisible):
        LEARNING.find(db, make_user(db, Role.EVALUATOR), leeds_return, entry.id)
    other_kent_return = make_return(db, "kent", period=2)
    with pytest.raises(NotVisible):
        update(db, lead, other_kent_return, entry, BARRIER)


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.ADMINISTRATOR])
def test_an_evaluator_clears_an_entry_for_national_sharing(
    db: Session, kent_return: SiteReturn, lead: User, role: Role
) -> None:
    entry = add(db, lead, kent_return)
    evaluator = make_user(db, role)

    assert clear(db, evaluator, entry)

    assert entry.cleared_for_national
    assert entry.cleared_by_id == evaluator.id
    record = audit_of(db)[-1]
    assert record.actor_id == evaluator.id
    assert record.before == {"cleared_for_national": False, "cleared_by_id": None}
    assert record.after == {"cleared_for_national": True, "cleared_by_id": evaluator.id}

    assert clear(db, evaluator, entry, cleared=False)
    assert not entry.cleared_for_national and entry.cleared_by_id is None


@pytest.mark.parametrize("role", [Role.SITE_LEAD, Role.NATIONAL_OFFICIAL])
def test_nobody_but_an_evaluator_can_clear_an_entry(
    db: Session, kent_return: SiteReturn, lead: User, role: Role
) -> None:
    entry = add(db, lead, kent_return)
    user = lead if role is Role.SITE_LEAD else make_user(db, role)

    with pytest.raises(ReturnError) as caught:
        clear(db, user, entry)

    assert caught.value.message == "Only an evaluator can clear learning for national sharing"
    db.expire_all()
    assert not db.get(LearningEntry, entry.id).cleared_for_national  # type: ignore[union-attr]


def test_changing_a_cleared_entry_withdraws_the_clearance(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    entry = add(db, lead, kent_return)
    clear(db, make_user(db, Role.EVALUATOR), entry)

    update(db, lead, kent_return, entry, replace(BARRIER, what_happened="It took five months, not four."))

    assert not entry.cleared_for_national
    change = audit_of(db)[-1]
    assert change.after is not None and change.after["cleared_for_national"] is False


def test_saving_a_cleared_entry_unchanged_keeps_the_clearance(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    entry = add(db, lead, kent_return)
    clear(db, make_user(db, Role.EVALUATOR), entry)

    update(db, lead, kent_return, entry, BARRIER)

    assert entry.cleared_for_national


def test_the_framework_explains_each_type_of_learning(db: Session, kent_return: SiteReturn) -> None:
    version = kent_return.framework_version

    guidance = learning.guidance_by_type(version)

    assert [member.value for member in learning.learning_types_in_order(version)] == [
        "barrier",
        "enabler",
        "lesson",
        "good_practice",
        "recommendation",
    ]
    assert guidance["barrier"].description.startswith(
        "Something that stopped, delayed or limited data sharing"
    )
