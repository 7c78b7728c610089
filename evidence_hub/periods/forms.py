"""The form for closing a reporting period: a confirmation, whose CSRF token shows it came from our page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class ClosePeriodForm(FlaskForm):
    submit = SubmitField("Close the period and lock its returns", widget=GovSubmitInput())
