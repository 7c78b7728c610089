"""Forms for uploading, publishing and deleting framework versions, and for searching a framework."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from evidence_hub.models import Programme
from evidence_hub.services.framework.file_format import MAX_FILE_BYTES
from evidence_hub.services.framework.search import MAX_SEARCH_LENGTH


class UploadFrameworkForm(FlaskForm):
    framework_file = FileField(
        "Framework file",
        widget=GovFileInput(),
        description="A YAML file ending in .yaml or .yml, 1 MB or smaller.",
        validators=[
            FileRequired(message="Select a framework file"),
            FileAllowed(
                ["yaml", "yml"], message="The selected file must be a YAML file ending in .yaml or .yml"
            ),
            FileSize(max_size=MAX_FILE_BYTES, message="The selected file must be smaller than 1 MB"),
        ],
    )
    programme_id = SelectField(
        "Programme",
        widget=GovSelect(),
        description="The programme the framework belongs to.",
        coerce=int,
        invalid_choice_message="Select a programme you administer",
    )
    submit = SubmitField("Upload and check the file", widget=GovSubmitInput())

    def set_programme_choices(self, programmes: list[Programme], in_view: Programme | None) -> None:
        """Ask for the programme only when the administrator has several to choose from."""
        if len(programmes) < 2:
            del self.programme_id
            return
        self.programme_id.choices = [SelectChoice(str(each.id), each.name) for each in programmes]
        if self.programme_id.data is None and in_view is not None:
            self.programme_id.data = in_view.id

    def chosen_programme(self, programmes: list[Programme]) -> Programme | None:
        """The chosen programme; with one to choose from, that one (none at all: the service makes the
        first)."""
        field = getattr(self, "programme_id", None)
        if field is None:
            return programmes[0] if programmes else None
        return next((each for each in programmes if each.id == field.data), None)


class ConfirmationForm(FlaskForm):
    """A confirmation step: nothing to fill in, but the CSRF token proves the request came from our page."""


class SearchForm(FlaskForm):
    # A search changes nothing and is read from the address, so it carries no CSRF token (a token in a
    # link would leak into browser history and server logs).
    class Meta:
        csrf = False

    q = StringField(
        "Search this framework",
        widget=GovTextInput(),
        description="For example: in kind, referrals, baseline",
        validators=[Length(max=MAX_SEARCH_LENGTH, message=f"Enter {MAX_SEARCH_LENGTH} characters or fewer")],
    )


class CrossSiteSharingForm(FlaskForm):
    sharing = RadioField(
        "Can site leads see other sites' approved figures on the dashboards?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("on", "Yes, show every site's approved figures beside their own"),
            SelectChoice("off", "No, each site lead sees their own site only"),
        ],
        validators=[InputRequired(message="Select whether site leads can see other sites' figures")],
        invalid_choice_message="Select whether site leads can see other sites' figures",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
