"""What every return page's form shares: the base of each section's item form, confirming a deletion,
finishing a section and the declaration when submitting.

Every section's form speaks one dialect: `configure(site_return)` sets the choices that come from the
return's framework version or site, `initial(item)` fills the form from a saved item, `to_input()` turns what
was typed into the service's input, and `show_problems(problems)` puts the service's messages beside the
fields. The forms only read what was typed (and check the CSRF token); every rule is in services/returns.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from evidence_hub.form_fields import text
from evidence_hub.models.returns import SiteReturn

# Longer than any version number: an altered value is read as no version rather than parsed.
MAX_VERSION_LENGTH = 12


class StartReturnForm(FlaskForm):
    """Start a return: the site it is for, when the lead leads more than one in the period's programme."""

    site_id = IntegerField(validators=[Optional()])


class ItemForm(FlaskForm):
    """The base of every form that saves something in a return, with the version it was opened at."""

    version = HiddenField()

    # The service's field names that this form shows under another field's name.
    problem_fields: dict[str, str] = {}

    def configure(self, site_return: SiteReturn) -> None:
        """Set the choices that come from the return's framework version or site (none by default)."""

    @property
    def submitted_version(self) -> int:
        """The version the form was opened at; 0 (never current) when it is missing or altered, so that a
        tampered form is refused as a conflict rather than saved over somebody's change."""
        value = text(self.version.data).strip()
        return int(value) if value.isdigit() and len(value) < MAX_VERSION_LENGTH else 0

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the service's messages beside their fields, where the form has not already said something."""
        for name, message in problems.items():
            field = self._fields.get(self.problem_fields.get(name, name))
            if field is None:
                raise KeyError(f"The form has no field {name!r} for the message {message!r}")
            if not field.errors:
                field.errors = [message]


class DeleteItemForm(ItemForm):
    """Confirming a deletion: the version the user looked at, so a newer change is not lost unseen."""

    @classmethod
    def opened_at(cls, item: Any) -> DeleteItemForm:
        return cls(data={"version": str(item.version)})


class SectionCompletedForm(FlaskForm):
    completed = RadioField(
        "Have you completed this section?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("yes", "Yes, I’ve completed this section"),
            SelectChoice("no", "No, I’ll come back to it later"),
        ],
        validators=[InputRequired(message="Select whether you have completed this section")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SubmitReturnForm(FlaskForm):
    confirm = BooleanField(
        "I confirm that, to the best of my knowledge, this return is accurate and separates the pilot’s "
        "costs and effects from other work, as the framework's guidance asks.",
        widget=GovCheckboxInput(),
        validators=[DataRequired(message="Confirm that the return is accurate before you submit it")],
    )
    submit = SubmitField("Submit return", widget=GovSubmitInput())
