"""The forms of the comparison pages: one per page."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from evidence_hub.models import AreaRole


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class AreaForm(FlaskForm):
    site = SelectField("Pilot site", widget=GovSelect(), validators=[InputRequired("Choose the pilot site")])
    role = RadioField(
        "What is this area?",
        widget=GovRadioInput(),
        choices=[(role.value, role.label) for role in AreaRole],
        default=AreaRole.COMPARISON.value,
        validators=[InputRequired("Choose whether this is the site's own area or a comparison area")],
    )
    area_code = StringField(
        "GSS area code",
        widget=GovTextInput(),
        description="The local authority's code from ONS, like E06000035 for Medway.",
        filters=[_stripped],
        validators=[DataRequired("Enter the area's GSS code, like E06000035")],
    )
    area_name = StringField(
        "Area name",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[DataRequired("Enter the area's name, like Medway"), Length(max=200)],
    )
    indicators = SelectMultipleField(
        "Indicators observed in this area",
        widget=GovCheckboxesInput(),
        description="For a comparison area: the indicators it has figures for. Select all that apply.",
    )
    how_observed = TextAreaField(
        "How they are observed",
        widget=GovTextArea(),
        description="The public source and definition, like ‘ONS Nomis claimant count, same definition’.",
        filters=[_stripped],
        validators=[Length(max=2000)],
    )
    submit = SubmitField("Add area", widget=GovSubmitInput())


class SeriesUploadForm(FlaskForm):
    spreadsheet = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A comparison series file as .xlsx or .csv (UTF-8), 5 MB or smaller.",
        validators=[FileRequired(message="Select the comparison series file to upload")],
    )
    submit = SubmitField("Upload series", widget=GovSubmitInput())


class RatingForm(FlaskForm):
    site = SelectField("Pilot site", widget=GovSelect(), validators=[InputRequired("Choose the pilot site")])
    indicator = SelectField(
        "Indicator", widget=GovSelect(), validators=[InputRequired("Choose the indicator")]
    )
    level = RadioField(
        "Your rating of the evidence",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose a level on the framework's evidence scale")],
    )
    rationale = TextAreaField(
        "Why this level",
        widget=GovTextArea(),
        description="What the estimate rests on, such as a passed pre-trend check against three areas.",
        filters=[_stripped],
        validators=[DataRequired("Say why the evidence is at this level"), Length(max=5000)],
    )
    submit = SubmitField("Save rating", widget=GovSubmitInput())
