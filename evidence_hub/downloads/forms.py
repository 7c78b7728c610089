"""Forms for publishing and withdrawing a release, and for the roll-out projection on a release's page."""

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
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from evidence_hub.form_fields import WholeNumber

MAXIMUM_THRESHOLD = 100
ALL_VERSIONS = "all"
NO_ROUNDING = "none"


class PublishReleaseForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="What the release covers, as officials will cite it.",
        validators=[
            DataRequired("Enter a title for the release"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    version = RadioField(
        "Framework version",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose which framework versions the release covers")],
    )
    period_from = SelectField(
        "First period", widget=GovSelect(), validators=[InputRequired("Choose the first period")]
    )
    period_to = SelectField(
        "Last period", widget=GovSelect(), validators=[InputRequired("Choose the last period")]
    )
    sites = SelectMultipleField(
        "Sites",
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
        validators=[InputRequired("Choose at least one site")],
    )
    threshold = WholeNumber(
        "Smallest count of people shown",
        unreadable="Enter the smallest count of people shown as a whole number, like 10",
        widget=GovTextInput(),
        description=(
            "Counts of people below this are shown as [c]. It cannot be lower than the service's setting."
        ),
        validators=[InputRequired("Enter the smallest count of people shown, as a whole number")],
    )
    rounding = RadioField(
        "Rounding",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(NO_ROUNDING, "Show counts as they are"),
            SelectChoice("5", "Round counts to the nearest 5"),
        ],
        validators=[InputRequired("Choose whether counts are rounded")],
    )
    submit = SubmitField("Publish the release", widget=GovSubmitInput())

    def __init__(self, *args: Any, minimum_threshold: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.minimum_threshold = minimum_threshold
        self.threshold.validators = [
            *self.threshold.validators,
            NumberRange(
                min=minimum_threshold,
                max=MAXIMUM_THRESHOLD,
                message=(
                    f"The smallest count shown must be between {minimum_threshold} and {MAXIMUM_THRESHOLD}"
                ),
            ),
        ]

    def validate_period_to(self, field: SelectField) -> None:
        codes = [choice.value for choice in self.period_from.choices]
        if (
            self.period_from.data in codes
            and field.data in codes
            and codes.index(field.data) < codes.index(self.period_from.data)
        ):
            raise ValidationError("The last period must be the same as or after the first period")


class WithdrawReleaseForm(FlaskForm):
    reason = TextAreaField(
        "Why is the release being withdrawn?",
        widget=GovTextArea(),
        description=(
            "Officials who open the release will read this, so say what is wrong and what to use instead."
        ),
        validators=[
            DataRequired("Enter why the release is being withdrawn"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Withdraw the release", widget=GovSubmitInput())
