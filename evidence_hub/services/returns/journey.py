"""The data-sharing journey: the milestone a site has reached in each period, and its data-flow register.

The milestone belongs to a return (one period) and is one step of the framework version's 0 to 100 journey,
with the evidence that the site has reached it. The register of data flows belongs to the site, not to a
period: it is kept up to date from the journey section of any return the lead can still change. Each
flow's dates follow the order of events: a request is approved after it is made, and data is received
after approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import User
from evidence_hub.models.framework import JourneyMilestone
from evidence_hub.models.returns import AgreementStatus, DataFlow, SiteReturn
from evidence_hub.services.common.access import NotVisible, scope_to_user
from evidence_hub.services.returns.items import (
    check_version,
    record_created,
    record_deleted,
    record_updated,
    snapshot,
    visible_item,
)
from evidence_hub.services.returns.workflow import InvalidEvidence, require_lead_can_edit

MAX_NAME = 200
MAX_TEXT = 5000
# Dates before this are typing slips: the pilots, and the data sharing they depend on, are far later.
EARLIEST_DATE = date(1990, 1, 1)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y")
DATE_PARTS = ("day", "month", "year")
# Example holders, shown as a hint: the register accepts any organisation.
EXAMPLE_HOLDERS = ("DWP", "HMRC", "Jobcentre Plus", "the county council")


class JourneyError(InvalidEvidence):
    """A journey milestone or data flow that cannot be saved (see InvalidEvidence)."""


@dataclass
class MilestoneData:
    """The milestone reached, by its code in the framework (such as "J40"), and the evidence for it."""

    milestone: str = ""
    evidence: str = ""


DateInput = date | datetime | str | None


@dataclass
class DataFlowData:
    """One data flow as entered. Statuses are AgreementStatus values; dates may be dates or text."""

    dataset: str = ""
    holder: str = ""
    purpose: str = ""
    legal_gateway: str = ""
    agreement_status: str = AgreementStatus.NOT_STARTED.value
    impact_assessment_status: str = AgreementStatus.NOT_STARTED.value
    requested_on: DateInput = None
    approved_on: DateInput = None
    received_on: DateInput = None
    notes: str = ""


def _text(errors: dict[str, str], name: str, raw: str | None, label: str, limit: int = MAX_TEXT) -> str:
    value = (raw or "").strip()
    if len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"
    return value


# ---------------------------------------------------------------------------------------------------------
# The milestone of a return


def milestone_in(site_return: SiteReturn, code: str) -> JourneyMilestone | None:
    return next((m for m in site_return.framework_version.milestones if m.code == code), None)


def _milestone_record(site_return: SiteReturn) -> dict[str, Any]:
    milestone = site_return.journey_milestone
    return {
        "journey_milestone": milestone.code if milestone is not None else None,
        "journey_evidence": site_return.journey_evidence,
    }


def set_milestone(
    session: Session,
    user: User,
    site_return: SiteReturn,
    data: MilestoneData,
    submitted_version: int | None = None,
) -> bool:
    """Record the milestone the site reached this period, with its evidence; returns whether it changed.

    Evidence is required for every milestone beyond the starting point (0%).
    """
    require_lead_can_edit(user, site_return)
    errors: dict[str, str] = {}
    code = (data.milestone or "").strip()
    milestone = milestone_in(site_return, code) if code else None
    if not code:
        errors["milestone"] = "Select the milestone your site has reached"
    elif milestone is None:
        errors["milestone"] = "Select a milestone from the framework's journey"
    evidence = _text(errors, "evidence", data.evidence, "The evidence")
    if milestone is not None and milestone.percentage > 0 and not evidence and "evidence" not in errors:
        errors["evidence"] = f"Describe the evidence that your site has reached '{milestone.title}'"
    if errors:
        raise JourneyError(errors)
    assert milestone is not None
    before = _milestone_record(site_return)
    after = {"journey_milestone": milestone.code, "journey_evidence": evidence}
    check_version(site_return, submitted_version, after, before)
    site_return.journey_milestone = milestone
    site_return.journey_milestone_id = milestone.id
    site_return.journey_evidence = evidence
    session.flush()
    return record_updated(session, user, site_return, before, after)


# ---------------------------------------------------------------------------------------------------------
# The site's data-flow register


def data_flows_of_site(session: Session, user: User, site_id: int) -> list[DataFlow]:
    """The site's register, if the user may see the site's evidence, oldest request first."""
    statement = scope_to_user(select(DataFlow).where(DataFlow.site_id == site_id), user, DataFlow.site_id)
    return list(
        session.scalars(
            statement.order_by(DataFlow.requested_on.is_(None), DataFlow.requested_on, DataFlow.id)
        )
    )


def data_flow_in(session: Session, user: User, site_return: SiteReturn, flow_id: int) -> DataFlow:
    """A flow of the return's site that the user may see; NotVisible (404) otherwise."""
    flow = visible_item(session, user, DataFlow, flow_id)
    if flow.site_id != site_return.site_id:
        raise NotVisible(f"Data flow {flow_id} is not {site_return.site_id}'s")
    return flow


def parse_date(raw: DateInput, label: str) -> date | None:
    """A date from a form or a spreadsheet cell; ValueError with a message when it is not a real date."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        found = raw.date()
    elif isinstance(raw, date):
        found = raw
    else:
        text = raw.strip()
        if not text:
            return None
        parts = text.split("/")
        if len(parts) == 3 and not all(part.strip() for part in parts):
            missing = next(name for name, part in zip(DATE_PARTS, parts, strict=True) if not part.strip())
            raise ValueError(f"{label} must include a {missing}")
        for pattern in DATE_FORMATS:
            try:
                found = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"{label} must be a real date, like 27 3 2009")
    if found < EARLIEST_DATE:
        raise ValueError(f"{label} must be after {EARLIEST_DATE.day} January {EARLIEST_DATE.year}")
    if found > date.today():
        raise ValueError(f"{label} must be today or in the past")
    return found


def _date(errors: dict[str, str], name: str, raw: DateInput, label: str) -> date | None:
    try:
        return parse_date(raw, label)
    except ValueError as problem:
        errors[name] = str(problem)
        return None


def validate_data_flow(data: DataFlowData) -> dict[str, Any]:
    """The column values to store; JourneyError naming every field that is wrong."""
    errors: dict[str, str] = {}
    dataset = _text(errors, "dataset", data.dataset, "The data set", MAX_NAME)
    if not dataset and "dataset" not in errors:
        errors["dataset"] = "Enter the name of the data set"
    holder = _text(errors, "holder", data.holder, "The holder", MAX_NAME)
    if not holder and "holder" not in errors:
        errors["holder"] = "Enter who holds the data, such as DWP, HMRC, Jobcentre Plus or a council"
    purpose = _text(errors, "purpose", data.purpose, "The purpose")
    if not purpose and "purpose" not in errors:
        errors["purpose"] = "Say what the data will be used for"
    legal_gateway = _text(errors, "legal_gateway", data.legal_gateway, "The legal gateway")
    statuses = {member.value for member in AgreementStatus}
    agreement = (data.agreement_status or "").strip()
    if agreement not in statuses:
        errors["agreement_status"] = "Select the status of the data-sharing agreement"
    assessment = (data.impact_assessment_status or "").strip()
    if assessment not in statuses:
        errors["impact_assessment_status"] = "Select the status of the privacy impact assessment"

    requested = _date(errors, "requested_on", data.requested_on, "The date requested")
    approved = _date(errors, "approved_on", data.approved_on, "The date approved")
    received = _date(errors, "received_on", data.received_on, "The date received")
    if approved is not None and "requested_on" not in errors:
        if requested is None:
            errors["requested_on"] = "Enter the date the data was requested: it has been approved"
        elif approved < requested:
            errors["approved_on"] = "The date approved must be the same as or after the date requested"
    if received is not None and "approved_on" not in errors:
        if approved is None:
            errors["approved_on"] = "Enter the date the request was approved: the data has been received"
        elif received < approved:
            errors["received_on"] = "The date received must be the same as or after the date approved"
    notes = _text(errors, "notes", data.notes, "Notes")
    if errors:
        raise JourneyError(errors)
    return {
        "dataset": dataset,
        "holder": holder,
        "purpose": purpose,
        "legal_gateway": legal_gateway,
        "agreement_status": agreement,
        "impact_assessment_status": assessment,
        "requested_on": requested,
        "approved_on": approved,
        "received_on": received,
        "notes": notes,
    }


def add_data_flow(session: Session, user: User, site_return: SiteReturn, data: DataFlowData) -> DataFlow:
    """Add a flow to the register of the return's site (from a return the lead can still change)."""
    require_lead_can_edit(user, site_return)
    values = validate_data_flow(data)
    flow = DataFlow(site_id=site_return.site_id, **values)
    session.add(flow)
    session.flush()
    record_created(session, user, flow, snapshot(flow))
    return flow


def update_data_flow(
    session: Session,
    user: User,
    site_return: SiteReturn,
    flow: DataFlow,
    data: DataFlowData,
    submitted_version: int | None = None,
) -> DataFlow:
    """Change a flow; StaleEdit when somebody saved it after `submitted_version`."""
    require_lead_can_edit(user, site_return)
    if flow.site_id != site_return.site_id:
        raise NotVisible(f"Data flow {flow.id} is not {site_return.site_id}'s")
    values = validate_data_flow(data)
    before = snapshot(flow)
    check_version(flow, submitted_version, values, before)
    for name, value in values.items():
        setattr(flow, name, value)
    session.flush()
    record_updated(session, user, flow, before, snapshot(flow))
    return flow


def delete_data_flow(
    session: Session,
    user: User,
    site_return: SiteReturn,
    flow: DataFlow,
    submitted_version: int | None = None,
) -> None:
    require_lead_can_edit(user, site_return)
    if flow.site_id != site_return.site_id:
        raise NotVisible(f"Data flow {flow.id} is not {site_return.site_id}'s")
    before = snapshot(flow)
    check_version(flow, submitted_version, {}, before)
    record_deleted(session, user, flow, before)
    session.delete(flow)
    session.flush()
