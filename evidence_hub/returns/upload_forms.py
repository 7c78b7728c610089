"""The spreadsheet upload form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField


class UploadSpreadsheetForm(FlaskForm):
    spreadsheet = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="The template for this section, filled in, as .xlsx or .csv (UTF-8), 5 MB or smaller.",
        validators=[FileRequired(message="Select the spreadsheet to upload")],
    )
    submit = SubmitField("Upload spreadsheet", widget=GovSubmitInput())
