"""Forms for supporting documents: uploading one with its description, and confirming a deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from evidence_hub.services.returns.document_types import ACCEPTED_TYPES_TEXT, MAX_DESCRIPTION_LENGTH


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class UploadDocumentForm(FlaskForm):
    document = FileField(
        "Document",
        widget=GovFileInput(),
        description=f"A {ACCEPTED_TYPES_TEXT} file, 10 MB or smaller.",
        validators=[FileRequired(message="Select a document to upload")],
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        description=(
            "What the document is and what it shows, for example 'Data-sharing agreement with DWP, "
            "signed 3 June 2009' or 'Minutes of the partnership board, May 2009'. Do not upload "
            "documents that name or identify individual clients."
        ),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a description of the document"),
            Length(
                max=MAX_DESCRIPTION_LENGTH,
                message=f"Description must be {MAX_DESCRIPTION_LENGTH:,} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Upload document", widget=GovSubmitInput())


class DeleteDocumentForm(FlaskForm):
    """Confirming a deletion: nothing to fill in, the CSRF token shows the request came from our page."""

    submit = SubmitField("Delete document", widget=GovSubmitInput())
