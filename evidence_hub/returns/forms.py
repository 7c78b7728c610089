"""Forms shared by every return page: finishing a section, and the declaration when submitting."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired


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
