"""Forms for administering users, pilot sites and partner organisations."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Regexp, ValidationError

from evidence_hub.models import Department, MembershipRole, PartnerType, ProgrammeStatus, Role, Site, User
from evidence_hub.services.accounts import programmes as programme_service
from evidence_hub.services.accounts import sites as site_service
from evidence_hub.services.accounts.passwords import problems_with_new_password

SITE_LEAD_NEEDS_SITE = "Select the pilot site this site lead reports for"

ROLE_HINTS = {
    Role.ADMINISTRATOR: "Manages users, pilot sites and the evaluation framework.",
    Role.EVALUATOR: "Reviews and approves returns from every site and sees all record-level evidence.",
    Role.SITE_LEAD: "Prepares and submits the returns of one pilot site.",
    Role.NATIONAL_OFFICIAL: "Sees dashboards and learning summaries across sites, with small numbers hidden.",
}


def _optional_id(value: Any) -> int | None:
    """A select's value as a site id; the empty choice (or anything not a number) is no site."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class _UserDetailsForm(FlaskForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the user's full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="They will sign in with this address.",
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the user's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.gov.uk"),
        ],
    )
    role = RadioField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        widget=GovRadioInput(),
        description="What they can see and do in the service.",
        invalid_choice_message="Select a role",
    )
    site_id = SelectField(
        "Pilot site",
        widget=GovSelect(),
        description="Only for pilot site leads: the site whose returns they prepare.",
        coerce=_optional_id,
        # The service checks the site exists and is active, with a clearer message than WTForms gives.
        validate_choice=False,
    )

    def set_site_choices(self, sites: list[Site]) -> None:
        self.site_id.choices = [
            SelectChoice("", "Select a pilot site"),
            *(SelectChoice(str(site.id), site.name) for site in sites),
        ]

    def role_item_params(self) -> list[dict[str, Any]]:
        """Per-radio params for `form.role(params={'items': ...})`: a hint for each role.

        The pilot site question follows the radios rather than being revealed under the site lead
        choice: the GOV.UK conditional reveal puts aria-expanded on a radio, which assistive
        technology does not support (axe: aria-allowed-attr).
        """
        return [{"hint": {"text": ROLE_HINTS[role]}} for role in Role]

    @property
    def chosen_role(self) -> Role:
        return Role(self.role.data)

    @property
    def chosen_site_id(self) -> int | None:
        """The chosen site, only for a site lead: any other role has no site, whatever was sent (nor does
        anyone when the form does not ask, in a service with several programmes)."""
        field = getattr(self, "site_id", None)
        return field.data if field is not None and self.role.data == Role.SITE_LEAD.value else None

    def validate_site_id(self, field: Field) -> None:
        if self.role.data == Role.SITE_LEAD.value and field.data is None:
            raise ValidationError(SITE_LEAD_NEEDS_SITE)


class NewUserForm(_UserDetailsForm):
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Three or more random words make a strong password.",
        validators=[InputRequired(message="Enter an initial password")],
    )
    confirm_password = PasswordField(
        "Confirm initial password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Confirm the initial password"),
            EqualTo("password", message="The passwords you entered do not match"),
        ],
    )
    submit = SubmitField("Add user", widget=GovSubmitInput())

    def validate_password(self, field: Field) -> None:
        problems = problems_with_new_password(
            field.data or "",
            minimum_length=current_app.config["PASSWORD_MIN_LENGTH"],
            email=self.email.data or "",
        )
        if problems:
            raise ValidationError(problems[0])


class EditUserForm(_UserDetailsForm):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


def _one_per_line(value: Any) -> Any:
    return value.splitlines() if isinstance(value, str) else value


class _SiteDetailsForm(FlaskForm):
    name = StringField(
        "Site name",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the site name"),
            Length(
                max=site_service.NAME_MAX_LENGTH,
                message=f"Site name must be {site_service.NAME_MAX_LENGTH} characters or fewer",
            ),
        ],
    )
    code = StringField(
        "Site code",
        widget=GovTextInput(),
        description=(
            f"A short name used in addresses and spreadsheet uploads: {site_service.CODE_MIN_LENGTH} to "
            f"{site_service.CODE_MAX_LENGTH} lower-case letters, numbers and hyphens, like "
            "liverpool-city-region."
        ),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a site code"),
            Length(
                min=site_service.CODE_MIN_LENGTH,
                max=site_service.CODE_MAX_LENGTH,
                message=site_service.CODE_LENGTH_MESSAGE,
            ),
            Regexp(site_service.CODE_PATTERN, message=site_service.CODE_CHARACTERS_MESSAGE),
        ],
    )
    region = StringField(
        "Region (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            Length(
                max=site_service.REGION_MAX_LENGTH,
                message=f"Region must be {site_service.REGION_MAX_LENGTH} characters or fewer",
            )
        ],
    )
    local_authorities = TextAreaField(
        "Local authorities (optional)",
        widget=GovTextArea(),
        description="One local authority on each line.",
    )

    @property
    def local_authority_names(self) -> list[str]:
        return site_service.clean_local_authorities(_one_per_line(self.local_authorities.data or ""))

    def validate_local_authorities(self, field: Field) -> None:
        limit = site_service.LOCAL_AUTHORITY_MAX_LENGTH
        if any(len(name) > limit for name in self.local_authority_names):
            raise ValidationError(f"Each local authority name must be {limit} characters or fewer")


class NewSiteForm(_SiteDetailsForm):
    submit = SubmitField("Add site", widget=GovSubmitInput())


class EditSiteForm(_SiteDetailsForm):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class PartnerForm(FlaskForm):
    name = StringField(
        "Name of the organisation",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the name of the partner organisation"),
            Length(
                max=site_service.PARTNER_NAME_MAX_LENGTH,
                message=f"Name must be {site_service.PARTNER_NAME_MAX_LENGTH} characters or fewer",
            ),
        ],
    )
    partner_type = RadioField(
        "Type of organisation",
        choices=[SelectChoice(kind.value, kind.label) for kind in PartnerType],
        widget=GovRadioInput(),
        description="Choose the closest match.",
        invalid_choice_message="Select the type of organisation",
    )
    submit = SubmitField("Add partner organisation", widget=GovSubmitInput())

    @property
    def chosen_partner_type(self) -> PartnerType:
        return PartnerType(self.partner_type.data)


class _ProgrammeDetailsForm(FlaskForm):
    name = StringField(
        "Programme name",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the programme name"),
            Length(
                max=programme_service.NAME_MAX_LENGTH,
                message=f"Programme name must be {programme_service.NAME_MAX_LENGTH} characters or fewer",
            ),
        ],
    )
    department_id = SelectField(
        "Owning department",
        widget=GovSelect(),
        description="Its national officials read the programme's releases.",
        coerce=_optional_id,
        validate_choice=False,
    )
    description = TextAreaField("Description (optional)", widget=GovTextArea(), filters=[_stripped])
    site_ids = SelectMultipleField(
        "Sites taking part",
        widget=GovCheckboxesInput(),
        description="A site can take part in several programmes.",
        coerce=int,
        validate_choice=False,
    )

    def set_choices(self, departments: list[Department], sites: list[Site]) -> None:
        self.department_id.choices = [
            SelectChoice("", "Select a department"),
            *(SelectChoice(str(department.id), department.name) for department in departments),
        ]
        self.site_ids.choices = [SelectChoice(site.id, site.name) for site in sites]

    def validate_department_id(self, field: Field) -> None:
        if field.data is None:
            raise ValidationError("Select the department that owns the programme")


class NewProgrammeForm(_ProgrammeDetailsForm):
    code = StringField(
        "Programme code",
        widget=GovTextInput(),
        description="A short name used in addresses: 2 to 40 lower-case letters, numbers and hyphens.",
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a programme code"),
            Regexp(
                programme_service.CODE_PATTERN,
                message="Programme code must be 2 to 40 lower-case letters, numbers and hyphens",
            ),
        ],
    )
    submit = SubmitField("Add programme", widget=GovSubmitInput())


class EditProgrammeForm(_ProgrammeDetailsForm):
    status = RadioField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in ProgrammeStatus],
        widget=GovRadioInput(),
        description=(
            "Closed: its members still read everything in it, but it takes no new evidence or returns. "
            "Archived: hidden from everyone but service administrators."
        ),
        invalid_choice_message="Select a status",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class _MembershipSiteForm(FlaskForm):
    site_id = SelectField(
        "Site led",
        widget=GovSelect(),
        description="Only for pilot site leads: the site they lead in this programme.",
        coerce=_optional_id,
        validate_choice=False,
    )

    def set_site_choices(self, sites: list[Site]) -> None:
        self.site_id.choices = [
            SelectChoice("", "Select a site"),
            *(SelectChoice(str(site.id), site.name) for site in sites),
        ]


class NewMembershipForm(_MembershipSiteForm):
    user_id = SelectField(
        "Person",
        widget=GovSelect(),
        coerce=_optional_id,
        validate_choice=False,
    )
    role = RadioField(
        "Role in this programme",
        choices=[SelectChoice(role.value, role.label) for role in MembershipRole],
        widget=GovRadioInput(),
        description="It must match the kind of account they have.",
        invalid_choice_message="Select a role",
    )
    submit = SubmitField("Add member", widget=GovSubmitInput())

    def set_user_choices(self, users: list[User]) -> None:
        self.user_id.choices = [
            SelectChoice("", "Select a person"),
            *(SelectChoice(str(user.id), f"{user.full_name} ({user.role_label})") for user in users),
        ]

    def validate_user_id(self, field: Field) -> None:
        if field.data is None:
            raise ValidationError("Select the person to add")

    @property
    def chosen_role(self) -> MembershipRole:
        return MembershipRole(self.role.data)


class EditMembershipForm(_MembershipSiteForm):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class EndMembershipForm(FlaskForm):
    reason = TextAreaField(
        "Why is it ending? (optional)",
        widget=GovTextArea(),
        description="Kept in the audit log.",
        filters=[_stripped],
        validators=[Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("End membership", widget=GovSubmitInput())
