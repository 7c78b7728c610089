"""The form for creating a personal API token."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import Field, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from evidence_hub.services.accounts.api_tokens import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, NAME_MAX_LENGTH

DAYS_RANGE_MESSAGE = f"Number of days must be between {MIN_DAYS} and {MAX_DAYS}"


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NewTokenForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="What the token is for, so you can tell it apart later, like ‘Quarterly briefing’.",
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=NAME_MAX_LENGTH, message=f"Name must be {NAME_MAX_LENGTH} characters or fewer"),
        ],
    )
    # Typed as text so the messages for a blank or non-numeric entry are ours, not WTForms' defaults.
    days = StringField(
        "How many days should the token work for?",
        widget=GovTextInput(),
        description=f"Between {MIN_DAYS} and {MAX_DAYS} days. After that it stops working.",
        default=str(DEFAULT_DAYS),
        filters=[_stripped],
        validators=[DataRequired(message="Enter how many days the token should work for")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())

    def validate_days(self, field: Field) -> None:
        text = str(field.data or "")
        if not text.isascii() or not text.isdigit():
            raise ValidationError(f"Number of days must be a whole number, like {DEFAULT_DAYS}")
        if not MIN_DAYS <= int(text) <= MAX_DAYS:
            raise ValidationError(DAYS_RANGE_MESSAGE)

    @property
    def chosen_days(self) -> int:
        return int(str(self.days.data))
