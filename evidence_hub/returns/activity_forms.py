"""Forms for the activities of a return.

As for costs, the forms only turn what was typed into values (three boxes into a date, text into a whole
number, ticks into ids) and check the CSRF token; every rule is in services/returns/activities.py.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length

from evidence_hub.form_fields import GovDateField, WholeNumber, ids, optional_id, text
from evidence_hub.models.returns import Activity, SiteReturn
from evidence_hub.models.sites import PartnerType
from evidence_hub.returns.forms import ItemForm
from evidence_hub.services.returns.activities import ActivityInput
from evidence_hub.services.returns.input_rules import MAX_TEXT, MAX_TITLE


class ActivityForm(ItemForm):
    activity_type = RadioField(
        "Type of activity",
        widget=GovRadioInput(),
        coerce=optional_id,
        validate_choice=False,
        description="The framework's types of activity. Choose the one that fits best.",
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="A short name, such as 'Steering group agreed the data-sharing protocol'.",
        validators=[Length(max=MAX_TITLE, message=f"Title must be {MAX_TITLE} characters or fewer")],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="What happened, who took part and what it was for.",
        validators=[Length(max=MAX_TEXT, message=f"Description must be {MAX_TEXT:,} characters or fewer")],
    )
    starts_on = GovDateField(
        "Date of the activity, or the date it started",
        short_name="The date the activity started",
        description="It must be within the reporting period.",
    )
    ends_on = GovDateField(
        "Date it ended (optional)",
        short_name="The date the activity ended",
        description="Leave blank if it took place on one day.",
    )
    partner_types = SelectMultipleField(
        "Kinds of partner involved",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in PartnerType],
        validate_choice=False,
        description="Select all that apply.",
    )
    partners = SelectMultipleField(
        "Partner organisations involved",
        widget=GovCheckboxesInput(),
        coerce=optional_id,
        validate_choice=False,
        description="Your site's partner organisations. Select all that took part.",
    )
    people_reached = WholeNumber(
        "People reached (optional)",
        widget=GovTextInput(),
        unreadable="Enter people reached as a whole number, like 25",
        description="How many people the activity reached directly, such as clients contacted or staff "
        "trained. Leave blank if it reached nobody directly, such as a meeting about the data flows.",
    )
    outputs = TextAreaField(
        "Outputs (optional)",
        widget=GovTextArea(),
        description="What the activity produced, such as a signed data-sharing agreement, a matched data "
        "set or 120 letters sent.",
        validators=[Length(max=MAX_TEXT, message=f"Outputs must be {MAX_TEXT:,} characters or fewer")],
    )
    themes = SelectMultipleField(
        "Themes this activity informs",
        widget=GovCheckboxesInput(),
        coerce=optional_id,
        validate_choice=False,
        description="The framework's lines of enquiry this activity gives evidence for. "
        "Select all that apply.",
    )
    submit = SubmitField("Save activity", widget=GovSubmitInput())

    def configure(self, site_return: SiteReturn) -> None:
        version, site = site_return.framework_version, site_return.site
        self.types = list(version.activity_types)
        self.activity_type.choices = [SelectChoice(kind.id, kind.name) for kind in self.types]
        self.site_partners = list(site.partners)
        self.partners.choices = [SelectChoice(partner.id, partner.name) for partner in self.site_partners]
        self.theme_list = list(version.themes)
        self.themes.choices = [SelectChoice(theme.id, theme.title) for theme in self.theme_list]
        self.roles = {role.partner_type: role.role for role in version.partner_roles}

    def activity_type_item_params(self) -> list[dict[str, Any]]:
        return [{"hint": {"text": kind.description}} for kind in self.types]

    def partner_type_item_params(self) -> list[dict[str, Any]]:
        """The part the framework gives each kind of partner, as its hint."""
        return [
            {"hint": {"text": self.roles[kind.value]}} if kind.value in self.roles else {}
            for kind in PartnerType
        ]

    def partner_item_params(self) -> list[dict[str, Any]]:
        return [{"hint": {"text": partner.partner_type_label}} for partner in self.site_partners]

    def theme_item_params(self) -> list[dict[str, Any]]:
        return [
            {"hint": {"text": theme.description}} if theme.description else {} for theme in self.theme_list
        ]

    @staticmethod
    def initial(item: Activity) -> dict[str, Any]:
        return {
            "activity_type": item.activity_type_id,
            "title": item.title,
            "description": item.description,
            "starts_on": item.starts_on,
            "ends_on": item.ends_on if item.ends_on != item.starts_on else None,
            "partner_types": list(item.partner_types),
            "partners": [partner.id for partner in item.partners],
            "people_reached": item.people_reached,
            "outputs": item.outputs,
            "themes": [theme.id for theme in item.themes],
            "version": str(item.version),
        }

    def to_input(self) -> ActivityInput:
        # An unreadable id (altered in the browser) is kept as -1 so that the service refuses it.
        return ActivityInput(
            activity_type_id=self.activity_type.data,
            title=text(self.title.data),
            description=text(self.description.data),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            partner_types=[value for value in (self.partner_types.data or []) if isinstance(value, str)],
            partner_ids=ids(self.partners.data),
            people_reached=self.people_reached.data,
            outputs=text(self.outputs.data),
            theme_ids=ids(self.themes.data),
        )
