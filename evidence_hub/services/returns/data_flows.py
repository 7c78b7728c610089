"""The site's register of data flows: each data set the pilot seeks, who holds it, on what legal basis,
and how far it has got.

The register belongs to the site, not to a period: it is kept up to date from the journey section of any
return the lead can still change. Each flow's dates follow the order of events: a request is approved
after it is made, and data is received after approval. The item service (items.py) adds, changes and
deletes flows under the rules every item shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.formatting import date_uk
from evidence_hub.models import User
from evidence_hub.models.returns import AgreementStatus, DataFlow, ReturnSection, SiteReturn
from evidence_hub.services.common.access import scope_to_user
from evidence_hub.services.common.values import clean_text
from evidence_hub.services.returns.input_rules import MAX_TEXT, DateInput, Problems, parse_date, text_problem
from evidence_hub.services.returns.items import EvidenceItems

# The column size of the data set's and the holder's names (models/returns.py).
MAX_NAME = 200
# Example holders, shown as a hint: the register accepts any organisation.
EXAMPLE_HOLDERS = ("DWP", "HMRC", "Jobcentre Plus", "the county council")


@dataclass(frozen=True)
class DataFlowInput:
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


@dataclass(frozen=True)
class CleanDataFlow:
    dataset: str
    holder: str
    purpose: str
    legal_gateway: str
    agreement_status: str
    impact_assessment_status: str
    requested_on: date | None
    approved_on: date | None
    received_on: date | None
    notes: str

    @classmethod
    def of(cls, flow: DataFlow) -> CleanDataFlow:
        return cls(
            dataset=flow.dataset,
            holder=flow.holder,
            purpose=flow.purpose,
            legal_gateway=flow.legal_gateway,
            agreement_status=flow.agreement_status,
            impact_assessment_status=flow.impact_assessment_status,
            requested_on=flow.requested_on,
            approved_on=flow.approved_on,
            received_on=flow.received_on,
            notes=flow.notes,
        )


def _date(problems: Problems, name: str, raw: DateInput, label: str) -> date | None:
    try:
        return parse_date(raw, label)
    except ValueError as problem:
        problems.note(name, str(problem))
        return None


def _required_text(problems: Problems, name: str, raw: str, label: str, missing: str, limit: int) -> str:
    value = clean_text(raw)
    problems.note(name, text_problem(value, label, limit))
    problems.note(name, missing if not value else None)
    return value


def check_data_flow(data: DataFlowInput) -> tuple[dict[str, str], CleanDataFlow | None]:
    """Every problem with a data flow, by field, and the checked flow when there are none."""
    problems = Problems()
    dataset = _required_text(
        problems, "dataset", data.dataset, "The data set", "Enter the name of the data set", MAX_NAME
    )
    holder = _required_text(
        problems,
        "holder",
        data.holder,
        "The holder",
        "Enter who holds the data, such as DWP, HMRC, Jobcentre Plus or a council",
        MAX_NAME,
    )
    purpose = _required_text(
        problems, "purpose", data.purpose, "The purpose", "Say what the data will be used for", MAX_TEXT
    )
    legal_gateway = clean_text(data.legal_gateway)
    problems.note("legal_gateway", text_problem(legal_gateway, "The legal gateway"))
    statuses = {member.value for member in AgreementStatus}
    agreement = clean_text(data.agreement_status)
    if agreement not in statuses:
        problems.note("agreement_status", "Select the status of the data-sharing agreement")
    assessment = clean_text(data.impact_assessment_status)
    if assessment not in statuses:
        problems.note("impact_assessment_status", "Select the status of the privacy impact assessment")

    requested = _date(problems, "requested_on", data.requested_on, "The date requested")
    approved = _date(problems, "approved_on", data.approved_on, "The date approved")
    received = _date(problems, "received_on", data.received_on, "The date received")
    if approved is not None and "requested_on" not in problems:
        if requested is None:
            problems.note("requested_on", "Enter the date the data was requested: it has been approved")
        elif approved < requested:
            problems.note("approved_on", "The date approved must be the same as or after the date requested")
    if received is not None and "approved_on" not in problems:
        if approved is None:
            problems.note(
                "approved_on", "Enter the date the request was approved: the data has been received"
            )
        elif received < approved:
            problems.note("received_on", "The date received must be the same as or after the date approved")
    notes = clean_text(data.notes)
    problems.note("notes", text_problem(notes, "Notes"))
    if problems:
        return problems, None
    return problems, CleanDataFlow(
        dataset,
        holder,
        purpose,
        legal_gateway,
        agreement,
        assessment,
        requested,
        approved,
        received,
        notes,
    )


class DataFlowItems(EvidenceItems[DataFlow, DataFlowInput, CleanDataFlow]):
    model = DataFlow
    noun = "data flow"
    section = ReturnSection.JOURNEY
    field_labels: ClassVar[dict[str, str]] = {
        "dataset": "Data set",
        "holder": "Holder",
        "purpose": "Purpose",
        "legal_gateway": "Legal gateway",
        "agreement_status": "Data-sharing agreement",
        "impact_assessment_status": "Privacy impact assessment",
        "requested_on": "Date requested",
        "approved_on": "Date approved",
        "received_on": "Date received",
        "notes": "Notes",
    }

    def check(
        self, site_return: SiteReturn, data: DataFlowInput
    ) -> tuple[dict[str, str], CleanDataFlow | None]:
        return check_data_flow(data)

    def new_item(self, site_return: SiteReturn, reference: str | None) -> DataFlow:
        # A flow belongs to the site's register, not to the return it was recorded from.
        return DataFlow(site_id=site_return.site_id)

    def belongs_to(self, item: DataFlow, site_return: SiteReturn) -> bool:
        return item.site_id == site_return.site_id

    def write(self, item: DataFlow, clean: CleanDataFlow) -> None:
        item.dataset = clean.dataset
        item.holder = clean.holder
        item.purpose = clean.purpose
        item.legal_gateway = clean.legal_gateway
        item.agreement_status = clean.agreement_status
        item.impact_assessment_status = clean.impact_assessment_status
        item.requested_on = clean.requested_on
        item.approved_on = clean.approved_on
        item.received_on = clean.received_on
        item.notes = clean.notes

    def checked_of(self, item: DataFlow) -> CleanDataFlow:
        return CleanDataFlow.of(item)

    def describe(self, clean: CleanDataFlow) -> dict[str, str]:
        def when(day: date | None) -> str:
            return date_uk(day) if day is not None else ""

        return {
            "dataset": clean.dataset,
            "holder": clean.holder,
            "purpose": clean.purpose,
            "legal_gateway": clean.legal_gateway,
            "agreement_status": AgreementStatus(clean.agreement_status).label,
            "impact_assessment_status": AgreementStatus(clean.impact_assessment_status).label,
            "requested_on": when(clean.requested_on),
            "approved_on": when(clean.approved_on),
            "received_on": when(clean.received_on),
            "notes": clean.notes,
        }

    def summary(self, item: DataFlow) -> str:
        return item.dataset


DATA_FLOWS = DataFlowItems()


def data_flows_of_site(session: Session, user: User, site_id: int) -> list[DataFlow]:
    """The site's register, if the user may see the site's evidence, oldest request first."""
    statement = scope_to_user(select(DataFlow).where(DataFlow.site_id == site_id), user, DataFlow.site_id)
    return list(
        session.scalars(
            statement.order_by(DataFlow.requested_on.is_(None), DataFlow.requested_on, DataFlow.id)
        )
    )
