"""Forms for the data-sharing journey: the milestone reached this period, and the site's data flows.

The forms only collect what was typed; services/returns/journey.py checks every rule (known milestones and
statuses, real dates in the order of events, lengths) and its messages are put back beside the fields.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectChoice, StringField, SubmitField, TextAreaField

from evidence_hub.models.returns import AgreementStatus, DataFlow, SiteReturn
from evidence_hub.returns.forms import ItemForm
from evidence_hub.services.returns.data_flows import EXAMPLE_HOLDERS, DataFlowInput
from evidence_hub.services.returns.journey import MilestoneInput


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


class MilestoneForm(ItemForm):
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
    submit = SubmitField("Save milestone", widget=GovSubmitInput())

    def configure(self, site_return: SiteReturn) -> None:
        self.milestone.choices = [
            SelectChoice(milestone.code, f"{milestone.percentage}%: {milestone.title}")
            for milestone in site_return.framework_version.milestones
        ]

    @staticmethod
    def initial(site_return: SiteReturn) -> dict[str, Any]:
        milestone = site_return.journey_milestone
        return {
            "milestone": milestone.code if milestone is not None else "",
            "evidence": site_return.journey_evidence,
            "version": str(site_return.version),
        }

    def to_input(self) -> MilestoneInput:
        return MilestoneInput(milestone=self.milestone.data or "", evidence=self.evidence.data or "")


class DataFlowForm(ItemForm):
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
        default=AgreementStatus.NOT_STARTED.value,
        validate_choice=False,
    )
    impact_assessment_status = RadioField(
        "Privacy impact assessment",
        widget=GovRadioInput(),
        description="An assessment of the risks to people's privacy and how they are reduced.",
        choices=_status_choices(),
        default=AgreementStatus.NOT_STARTED.value,
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
    submit = SubmitField("Save data flow", widget=GovSubmitInput())

    @staticmethod
    def initial(flow: DataFlow) -> dict[str, Any]:
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

    def to_input(self) -> DataFlowInput:
        return DataFlowInput(
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
