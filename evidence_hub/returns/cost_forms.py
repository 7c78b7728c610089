"""Forms for the costs and savings of a return.

The forms only turn what was typed into values (text into pounds, a radio into an id) and check the
CSRF token; every rule about those values is in services/returns/costs.py and savings.py, shared with the
spreadsheet upload.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from evidence_hub.form_fields import DecimalText, optional_id, text
from evidence_hub.models.returns import CostItem, CostType, Funding, SavingClaim, SiteReturn, TimeUnit
from evidence_hub.returns.forms import ItemForm
from evidence_hub.services.returns.costs import MAX_FUNDER, CostInput
from evidence_hub.services.returns.input_rules import MAX_TEXT
from evidence_hub.services.returns.savings import SavingInput


class CostForm(ItemForm):
    category = RadioField(
        "Cost category",
        widget=GovRadioInput(),
        coerce=optional_id,
        validate_choice=False,
        description="Each category says what to include and what to exclude.",
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        description="What the cost was for, such as 'Project manager, April to June, 3 days a week'.",
        validators=[Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT:,} characters or fewer")],
    )
    amount = DecimalText(
        "Amount",
        widget=GovTextInput(),
        unreadable="Enter the amount as a number in pounds and pence, like 1250.50",
        description="In pounds and pence, the full cost before any share is taken off. For staff time, "
        "leave this blank and enter the time and rate below: the amount is worked out for you.",
    )
    cost_type = RadioField(
        "Is it a one-off set-up cost or a recurring running cost?",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in CostType],
        validate_choice=False,
        description="Set-up costs are paid once to get the pilot going, such as writing the business case "
        "or buying software. Running costs recur while the pilot runs, such as staff time each month.",
    )
    funding = RadioField(
        "Was it paid in cash or given in kind?",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in Funding],
        validate_choice=False,
    )
    attributable_percent = DecimalText(
        "Share attributable to the pilot",
        widget=GovTextInput(),
        default=Decimal(100),
        unreadable="Enter the share attributable to the pilot as a number from 0 to 100, like 60",
        description="The part of this cost the pilot caused, from 0 to 100%. If the same staff or "
        "equipment also served other work, enter the share used by the pilot.",
    )
    attribution_reason = TextAreaField(
        "Why is only part of this cost attributable to the pilot?",
        widget=GovTextArea(),
        description="Needed when the share is less than 100%. For example, 'She spent 2 of her 5 days a "
        "week on the pilot; the rest on the council's employment programme'.",
        validators=[Length(max=MAX_TEXT, message=f"Reason must be {MAX_TEXT:,} characters or fewer")],
    )
    staff_time_quantity = DecimalText(
        "Staff time",
        widget=GovTextInput(),
        unreadable="Enter the staff time as a number, like 7.5",
        description="Only for a cost that is staff time, such as 37.5 hours or 12 days.",
    )
    staff_time_unit = RadioField(
        "Is the staff time in hours or days?",
        widget=GovRadioInput(),
        choices=[SelectChoice(unit.value, unit.label) for unit in TimeUnit],
        validate_choice=False,
        description="Use the unit of the rate in your costing sheet.",
    )
    staff_rate = DecimalText(
        "Rate for an hour or a day",
        widget=GovTextInput(),
        unreadable="Enter the rate as a number in pounds and pence, like 25.50",
        description="Use the rates in your site's costing sheet, including employer's National Insurance "
        "and pension contributions.",
    )
    funder = StringField(
        "Funder (optional)",
        widget=GovTextInput(),
        description="Who paid for it, or who gave it in kind, such as 'Kent County Council'.",
        validators=[Length(max=MAX_FUNDER, message=f"Funder must be {MAX_FUNDER} characters or fewer")],
    )
    submit = SubmitField("Save cost", widget=GovSubmitInput())

    def configure(self, site_return: SiteReturn) -> None:
        self.categories = list(site_return.framework_version.cost_categories)
        self.category.choices = [SelectChoice(category.id, category.name) for category in self.categories]

    def category_item_params(self) -> list[dict[str, Any]]:
        """Per-radio params for `form.category(params={'items': ...})`: each category's description."""
        return [{"hint": {"text": category.description}} for category in self.categories]

    @staticmethod
    def initial(item: CostItem) -> dict[str, Any]:
        return {
            "category": item.cost_category_id,
            "description": item.description,
            "amount": None if item.staff_rate is not None else item.amount,
            "cost_type": item.cost_type,
            "funding": item.funding,
            "attributable_percent": item.attributable_percent,
            "attribution_reason": item.attribution_reason,
            "staff_time_quantity": item.staff_time_quantity,
            "staff_time_unit": item.staff_time_unit,
            "staff_rate": item.staff_rate,
            "funder": item.funder,
            "version": str(item.version),
        }

    def to_input(self) -> CostInput:
        return CostInput(
            category_id=self.category.data,
            description=text(self.description.data),
            amount=self.amount.data,
            cost_type=text(self.cost_type.data),
            funding=text(self.funding.data),
            attributable_percent=self.attributable_percent.data,
            attribution_reason=text(self.attribution_reason.data),
            staff_time_quantity=self.staff_time_quantity.data,
            staff_time_unit=text(self.staff_time_unit.data) or None,
            staff_rate=self.staff_rate.data,
            funder=text(self.funder.data),
        )


class SavingForm(ItemForm):
    description = TextAreaField(
        "What was saved or avoided?",
        widget=GovTextArea(),
        description="For example, 'Fewer failed home visits because addresses were checked against "
        "council tax records'.",
        validators=[Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT:,} characters or fewer")],
    )
    amount = DecimalText(
        "Amount saved",
        widget=GovTextInput(),
        unreadable="Enter the amount saved as a number in pounds and pence, like 1250.50",
        description="In pounds and pence, for this reporting period.",
    )
    evidence = TextAreaField(
        "Evidence for this saving",
        widget=GovTextArea(),
        description="How you know it happened and how you valued it: the figures, where they come from, "
        "and what would have happened without the pilot.",
        validators=[Length(max=MAX_TEXT, message=f"Evidence must be {MAX_TEXT:,} characters or fewer")],
    )
    evidence_level = RadioField(
        "How strong is the evidence? (optional)",
        widget=GovRadioInput(),
        coerce=optional_id,
        validate_choice=False,
        description="Choose the level whose question you can answer 'yes' to.",
    )
    submit = SubmitField("Save saving", widget=GovSubmitInput())

    def configure(self, site_return: SiteReturn) -> None:
        levels = site_return.framework_version.evidence_levels
        self.levels = sorted(levels, key=lambda level: (level.scale.position, level.level))
        self.evidence_level.choices = [
            SelectChoice("", "Not assessed"),
            *(SelectChoice(level.id, level.label) for level in self.levels),
        ]

    def evidence_level_item_params(self) -> list[dict[str, Any]]:
        """Per-radio params: the plain-English question that places evidence at each level."""
        return [
            {"hint": {"text": "Choose this if you have not yet judged the strength of the evidence."}},
            *({"hint": {"text": level.prompt}} for level in self.levels),
        ]

    @staticmethod
    def initial(item: SavingClaim) -> dict[str, Any]:
        return {
            "description": item.description,
            "amount": item.amount,
            "evidence": item.evidence,
            "evidence_level": item.evidence_level_id,
            "version": str(item.version),
        }

    def to_input(self) -> SavingInput:
        return SavingInput(
            description=text(self.description.data),
            amount=self.amount.data,
            evidence=text(self.evidence.data),
            evidence_level_id=self.evidence_level.data,
        )
