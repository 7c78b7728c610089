"""Forms for the data-sharing journey: the milestone reached this period, and the site's data flows.

The forms only collect what was typed; services/returns/journey.py checks every rule (known milestones and
statuses, real dates in the order of events, lengths) and its messages are put back beside the fields.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, SelectChoice, StringField, SubmitField, TextAreaField

from evidence_hub.models.framework import FrameworkVersion
from evidence_hub.models.returns import AgreementStatus, DataFlow, SiteReturn
from evidence_hub.services.returns.journey import EXAMPLE_HOLDERS, DataFlowData, MilestoneData


def _version(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


class DateParts(Field):
    """A GOV.UK date input (day, month, year) whose value is passed on as typed, as "day/month/year".

    The service says what is wrong with it (a missing part, a date that does not exist), so nothing is
    refused here; an empty date is None.
    """

    widget = GovDateInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(part).strip() for part in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None if not any(parts) else "/".join(parts)

    def _value(self) -> str:
        return ""


def _status_choices() -> list[SelectChoice]:
    return [SelectChoice(status.value, status.label) for status in AgreementStatus]


class MilestoneForm(FlaskForm):
    milestone = RadioField(
        "Which milestone had your site reached by the end of the period?",
        widget=GovRadioInput(),
        description="Choose the furthest milestone your site has fully reached, not one it is working "
        "towards.",
        validate_choice=False,
    )
    evidence = TextAreaField(
        "What shows that your site has reached it?",
        widget=GovTextArea(),
        description="Describe the evidence the framework asks for at this milestone, such as a signed "
        "agreement or the date data was first received. Not needed at the starting point.",
    )
    version = HiddenField()
    submit = SubmitField("Save milestone", widget=GovSubmitInput())

    def configure(self, version: FrameworkVersion) -> None:
        self.milestone.choices = [
            SelectChoice(milestone.code, f"{milestone.percentage}%: {milestone.title}")
            for milestone in version.milestones
        ]

    @staticmethod
    def initial(site_return: SiteReturn) -> dict[str, Any]:
        milestone = site_return.journey_milestone
        return {
            "milestone": milestone.code if milestone is not None else "",
            "evidence": site_return.journey_evidence,
            "version": str(site_return.version),
        }

    def to_data(self) -> MilestoneData:
        return MilestoneData(milestone=self.milestone.data or "", evidence=self.evidence.data or "")

    @property
    def submitted_version(self) -> int | None:
        return _version(self.version.data)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = self._fields.get(name, self.milestone)
            field.errors = [*field.errors, message]


class DataFlowForm(FlaskForm):
    dataset = StringField(
        "Data set",
        widget=GovTextInput(),
        description="For example, Jobseeker's Allowance claimants by postcode.",
    )
    holder = StringField(
        "Who holds the data?",
        widget=GovTextInput(),
        description="The organisation that would share it, for example " + ", ".join(EXAMPLE_HOLDERS) + ".",
    )
    purpose = TextAreaField(
        "What will the pilot use it for?",
        widget=GovTextArea(),
        description="For example, to find households where nobody works and offer them support.",
    )
    legal_gateway = TextAreaField(
        "Legal gateway (optional)",
        widget=GovTextArea(),
        description="The law that allows the holder to share the data, as the holder has confirmed it.",
    )
    agreement_status = RadioField(
        "Data-sharing agreement",
        widget=GovRadioInput(),
        description="A signed agreement or memorandum of understanding between the holder and the site.",
        choices=_status_choices(),
        validate_choice=False,
    )
    impact_assessment_status = RadioField(
        "Privacy impact assessment",
        widget=GovRadioInput(),
        description="An assessment of the risks to people's privacy and how they are reduced.",
        choices=_status_choices(),
        validate_choice=False,
    )
    requested_on = DateParts("Date requested (optional)", description="For example, 27 3 2009")
    approved_on = DateParts(
        "Date approved (optional)",
        description="The same as or after the date requested. For example, 15 6 2009",
    )
    received_on = DateParts(
        "Date received (optional)",
        description="The same as or after the date approved. For example, 1 9 2009",
    )
    notes = TextAreaField("Notes (optional)", widget=GovTextArea())
    version = HiddenField()
    submit = SubmitField("Save data flow", widget=GovSubmitInput())

    @staticmethod
    def initial(flow: DataFlow | None) -> dict[str, Any]:
        if flow is None:
            return {
                "agreement_status": AgreementStatus.NOT_STARTED.value,
                "impact_assessment_status": AgreementStatus.NOT_STARTED.value,
            }
        return {
            "dataset": flow.dataset,
            "holder": flow.holder,
            "purpose": flow.purpose,
            "legal_gateway": flow.legal_gateway,
            "agreement_status": flow.agreement_status,
            "impact_assessment_status": flow.impact_assessment_status,
            "requested_on": flow.requested_on,
            "approved_on": flow.approved_on,
            "received_on": flow.received_on,
            "notes": flow.notes,
            "version": str(flow.version),
        }

    def to_data(self) -> DataFlowData:
        return DataFlowData(
            dataset=self.dataset.data or "",
            holder=self.holder.data or "",
            purpose=self.purpose.data or "",
            legal_gateway=self.legal_gateway.data or "",
            agreement_status=self.agreement_status.data or "",
            impact_assessment_status=self.impact_assessment_status.data or "",
            requested_on=self.requested_on.data,
            approved_on=self.approved_on.data,
            received_on=self.received_on.data,
            notes=self.notes.data or "",
        )

    @property
    def submitted_version(self) -> int | None:
        return _version(self.version.data)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = self._fields.get(name, self.dataset)
            field.errors = [*field.errors, message]


class DeleteDataFlowForm(FlaskForm):
    version = HiddenField()

    @property
    def submitted_version(self) -> int | None:
        return _version(self.version.data)
