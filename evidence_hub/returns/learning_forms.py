"""Forms for learning entries, and the evaluator's decision to clear one for national sharing.

The lead's form has no field for national sharing: only the evaluator's form sets it. Every rule about
the entry itself is checked in services/returns/learning.py, which puts its messages back beside these fields.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from evidence_hub.models.returns import LearningEntry, SiteReturn
from evidence_hub.returns.forms import ItemForm
from evidence_hub.services.returns.learning import LearningInput, guidance_by_type, learning_types_in_order

CLEAR, WITHDRAW = "yes", "no"


class LearningForm(ItemForm):
    learning_type = RadioField(
        "What kind of learning is it?",
        widget=GovRadioInput(),
        description="The framework's meaning of each kind is under its name.",
        validate_choice=False,
    )
    dimensions = SelectMultipleField(
        "Which areas is it about?",
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
        validate_choice=False,
    )
    theme = SelectField(
        "Which line of enquiry does it inform? (optional)",
        widget=GovSelect(),
        description="The framework's theme this learning helps to answer, if there is one.",
        validate_choice=False,
    )
    title = StringField("Title", widget=GovTextInput(), description="A few words that sum up the learning.")
    what_happened = TextAreaField(
        "What happened?",
        widget=GovTextArea(),
        description="Describe what happened, who it affected and when. Do not name clients or staff.",
    )
    why_it_matters = TextAreaField(
        "Why does it matter?",
        widget=GovTextArea(),
        description="What difference it made to the pilot: delay, cost, reach, or results.",
    )
    national_implication = TextAreaField(
        "What does it mean for a national roll-out?",
        widget=GovTextArea(),
        description="What another area, DWP or CLG should do, or know, because of it.",
    )
    submit = SubmitField("Save learning", widget=GovSubmitInput())

    def configure(self, site_return: SiteReturn) -> None:
        version = site_return.framework_version
        # The framework's meaning of each kind, shown under its name and beside the form.
        self.types = learning_types_in_order(version)
        self.guidance = guidance_by_type(version)
        self.learning_type.choices = [SelectChoice(member.value, member.label) for member in self.types]
        self.dimensions.choices = [
            SelectChoice(dimension.code, dimension.name) for dimension in version.learning_dimensions
        ]
        self.theme.choices = [
            SelectChoice("", "Not about one line of enquiry"),
            *(SelectChoice(theme.code, theme.title) for theme in version.themes),
        ]

    @staticmethod
    def initial(entry: LearningEntry) -> dict[str, Any]:
        return {
            "learning_type": entry.learning_type,
            "dimensions": [dimension.code for dimension in entry.dimensions],
            "theme": entry.theme.code if entry.theme is not None else "",
            "title": entry.title,
            "what_happened": entry.what_happened,
            "why_it_matters": entry.why_it_matters,
            "national_implication": entry.national_implication,
            "version": str(entry.version),
        }

    def to_input(self) -> LearningInput:
        return LearningInput(
            learning_type=self.learning_type.data or "",
            dimensions=[str(code) for code in self.dimensions.data or []],
            theme=self.theme.data or "",
            title=self.title.data or "",
            what_happened=self.what_happened.data or "",
            why_it_matters=self.why_it_matters.data or "",
            national_implication=self.national_implication.data or "",
        )


class NationalSharingForm(FlaskForm):
    """An evaluator clears an entry for national officials to read (yes) or withdraws that (no)."""

    cleared = HiddenField()

    @property
    def decision(self) -> bool | None:
        return {CLEAR: True, WITHDRAW: False}.get(self.cleared.data or "")
