"""The data-sharing journey: the milestone of each return with its evidence, and the site's register of
data flows with its dates in the order things happen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, DataFlow, ReturnStatus, Role, SiteReturn, User
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns import journey
from evidence_hub.services.returns.data_flows import DATA_FLOWS, DataFlowInput, data_flows_of_site
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.services.returns.journey import MilestoneInput
from tests.factories import make_return, make_user

FLOW = DataFlowInput(
    dataset="Jobseeker's Allowance claimants by postcode",
    holder="DWP",
    purpose="To find streets where many people are out of work and offer them support there",
    legal_gateway="Confirmed by DWP's information governance team",
    agreement_status="in_progress",
    impact_assessment_status="in_place",
    requested_on=date(2009, 4, 20),
    approved_on=date(2009, 6, 15),
    received_on=date(2009, 7, 1),
    notes="",
)


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


def set_milestone(
    db: Session,
    user: User,
    site_return: SiteReturn,
    code: str,
    evidence: str = "",
    version: int | None = None,
) -> bool:
    with transaction(db):
        return journey.set_milestone(db, user, site_return, MilestoneInput(code, evidence), version)


def add_flow(db: Session, user: User, site_return: SiteReturn, data: DataFlowInput = FLOW) -> DataFlow:
    with transaction(db):
        return DATA_FLOWS.add(db, user, site_return, data)


def refused(db: Session, user: User, site_return: SiteReturn, data: DataFlowInput) -> dict[str, str]:
    with pytest.raises(InvalidEvidence) as caught:
        add_flow(db, user, site_return, data)
    return caught.value.problems


def audit_of(db: Session, object_type: str) -> list[AuditEvent]:
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id))
    )


def flows(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(DataFlow)) or 0


# The milestone


def test_the_milestone_reached_is_saved_with_its_evidence_and_audited(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    assert set_milestone(
        db, lead, kent_return, "J40", "Business case sent to DWP on 20 April 2009", kent_return.version
    )

    assert kent_return.journey_milestone is not None and kent_return.journey_milestone.percentage == 40
    assert kent_return.journey_evidence == "Business case sent to DWP on 20 April 2009"
    assert kent_return.version == 2
    [record] = audit_of(db, "return")
    assert record.action == "return.updated"
    assert record.before == {"journey_milestone": None, "journey_evidence": ""}
    assert record.after == {
        "journey_milestone": "J40",
        "journey_evidence": "Business case sent to DWP on 20 April 2009",
    }


def test_the_starting_point_needs_no_evidence(db: Session, kent_return: SiteReturn, lead: User) -> None:
    assert set_milestone(db, lead, kent_return, "J0")


@pytest.mark.parametrize(
    ("code", "evidence", "field", "message"),
    [
        ("", "", "milestone", "Select the milestone your site has reached"),
        ("J42", "Something", "milestone", "Select a milestone from the framework's journey"),
        (
            "J55",
            "",
            "evidence",
            "Describe the evidence that your site has reached 'Legal basis and agreements in place'",
        ),
        ("J55", "x" * 5001, "evidence", "The evidence must be 5,000 characters or fewer"),
    ],
)
def test_bad_milestones_are_refused(
    db: Session, kent_return: SiteReturn, lead: User, code: str, evidence: str, field: str, message: str
) -> None:
    with pytest.raises(InvalidEvidence) as caught:
        set_milestone(db, lead, kent_return, code, evidence)

    assert caught.value.problems == {field: message}
    db.expire_all()
    assert db.get(SiteReturn, kent_return.id).journey_milestone_id is None  # type: ignore[union-attr]


def test_a_stale_milestone_form_is_refused(db: Session, kent_return: SiteReturn, lead: User) -> None:
    set_milestone(db, lead, kent_return, "J10", "Named contacts in each partner", 1)

    with pytest.raises(StaleEdit) as caught:
        set_milestone(db, lead, kent_return, "J25", "Draft business case", 1)

    assert caught.value.theirs["journey_milestone"] == "10%: People and partners identified"
    assert caught.value.yours["journey_milestone"] == "25%: Data needs defined"


@pytest.mark.parametrize("status", [ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.LOCKED])
def test_the_milestone_of_a_return_that_is_not_a_draft_cannot_change(
    db: Session, lead: User, status: ReturnStatus
) -> None:
    site_return = make_return(db, "kent", period=1, status=status)

    with pytest.raises(ReturnError):
        set_milestone(db, lead, site_return, "J10", "Contacts")


# The register of data flows


def test_a_data_flow_is_added_to_the_sites_register_and_audited(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    flow = add_flow(db, lead, kent_return)

    assert flow.site_id == kent_return.site_id
    assert (flow.requested_on, flow.approved_on, flow.received_on) == (
        date(2009, 4, 20),
        date(2009, 6, 15),
        date(2009, 7, 1),
    )
    [record] = audit_of(db, "data_flow")
    assert record.action == "data_flow.created"
    assert record.after is not None and record.after["requested_on"] == "2009-04-20"


def test_the_register_belongs_to_the_site_not_the_period(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    add_flow(db, lead, kent_return)
    later = make_return(db, "kent", period=2)

    assert [flow.dataset for flow in data_flows_of_site(db, lead, later.site_id)] == [FLOW.dataset]
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    assert data_flows_of_site(db, leeds_lead, kent_return.site_id) == []
    assert data_flows_of_site(db, make_user(db, Role.NATIONAL_OFFICIAL), kent_return.site_id) == []


def test_dates_may_be_typed_as_text(db: Session, kent_return: SiteReturn, lead: User) -> None:
    flow = add_flow(
        db,
        lead,
        kent_return,
        replace(FLOW, requested_on="20/4/2009", approved_on="2009-06-15", received_on=None),
    )

    assert (flow.requested_on, flow.approved_on, flow.received_on) == (
        date(2009, 4, 20),
        date(2009, 6, 15),
        None,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"requested_on": date(2009, 6, 1), "approved_on": date(2009, 5, 1), "received_on": None},
            "approved_on",
            "The date approved must be the same as or after the date requested",
        ),
        (
            {"approved_on": date(2009, 6, 15), "received_on": date(2009, 6, 14)},
            "received_on",
            "The date received must be the same as or after the date approved",
        ),
        (
            {"requested_on": None, "received_on": None},
            "requested_on",
            "Enter the date the data was requested: it has been approved",
        ),
        (
            {"approved_on": None},
            "approved_on",
            "Enter the date the request was approved: the data has been received",
        ),
        (
            {"requested_on": "31/2/2009"},
            "requested_on",
            "The date requested must be a real date, like 27 3 2009",
        ),
        ({"requested_on": "20//2009"}, "requested_on", "The date requested must include a month"),
        ({"approved_on": "/6/2009"}, "approved_on", "The date approved must include a day"),
        ({"requested_on": "1/1/1889"}, "requested_on", "The date requested must be after 1 January 1990"),
        (
            # Worked out when the test runs, not when it is collected: a run can cross midnight.
            {"received_on": lambda: date.today() + timedelta(days=1)},
            "received_on",
            "The date received must be today or in the past",
        ),
        (
            {"agreement_status": "signed"},
            "agreement_status",
            "Select the status of the data-sharing agreement",
        ),
        (
            {"impact_assessment_status": ""},
            "impact_assessment_status",
            "Select the status of the privacy impact assessment",
        ),
        ({"dataset": ""}, "dataset", "Enter the name of the data set"),
        ({"dataset": "x" * 201}, "dataset", "The data set must be 200 characters or fewer"),
        (
            {"holder": ""},
            "holder",
            "Enter who holds the data, such as DWP, HMRC, Jobcentre Plus or a council",
        ),
        ({"holder": "x" * 201}, "holder", "The holder must be 200 characters or fewer"),
        ({"purpose": ""}, "purpose", "Say what the data will be used for"),
        (
            {"legal_gateway": "x" * 5001},
            "legal_gateway",
            "The legal gateway must be 5,000 characters or fewer",
        ),
        ({"notes": "x" * 5001}, "notes", "Notes must be 5,000 characters or fewer"),
    ],
)
def test_bad_data_flows_are_refused_beside_the_field_and_nothing_is_saved(
    db: Session, kent_return: SiteReturn, lead: User, change: dict[str, object], field: str, message: str
) -> None:
    values = {name: value() if callable(value) else value for name, value in change.items()}
    errors = refused(db, lead, kent_return, replace(FLOW, **values))  # type: ignore[arg-type]

    assert errors == {field: message}
    assert flows(db) == 0
    assert audit_of(db, "data_flow") == []


def test_a_data_flow_is_changed_with_its_version_and_audited(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    flow = add_flow(db, lead, kent_return)

    with transaction(db):
        DATA_FLOWS.update(db, lead, kent_return, flow, replace(FLOW, agreement_status="in_place"), 1)

    assert flow.version == 2
    change = audit_of(db, "data_flow")[-1]
    assert change.before == {"agreement_status": "in_progress"}
    assert change.after == {"agreement_status": "in_place"}

    with pytest.raises(StaleEdit), transaction(db):
        DATA_FLOWS.update(db, lead, kent_return, flow, replace(FLOW, holder="HMRC"), 1)


def test_a_data_flow_is_removed_with_an_audit_record(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    flow = add_flow(db, lead, kent_return)

    with transaction(db):
        DATA_FLOWS.delete(db, lead, kent_return, flow, flow.version)

    assert flows(db) == 0
    assert audit_of(db, "data_flow")[-1].action == "data_flow.deleted"


def test_the_register_is_changed_only_from_a_return_the_lead_can_still_change(
    db: Session, lead: User
) -> None:
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)

    with pytest.raises(ReturnError):
        add_flow(db, lead, submitted)
    assert flows(db) == 0


def test_another_sites_data_flow_is_not_found(db: Session, kent_return: SiteReturn, lead: User) -> None:
    leeds_return = make_return(db, "leeds")
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    leeds_flow = add_flow(db, leeds_lead, leeds_return)

    with pytest.raises(NotVisible):
        DATA_FLOWS.find(db, lead, kent_return, leeds_flow.id)
    with pytest.raises(NotVisible):
        DATA_FLOWS.find(db, make_user(db, Role.EVALUATOR), kent_return, leeds_flow.id)
    with pytest.raises(NotVisible), transaction(db):
        DATA_FLOWS.update(db, lead, kent_return, leeds_flow, FLOW, None)
    with pytest.raises(NotVisible), transaction(db):
        DATA_FLOWS.delete(db, lead, kent_return, leeds_flow, None)
    db.expire_all()
    assert db.get(DataFlow, leeds_flow.id) is not None
