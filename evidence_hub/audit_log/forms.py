"""The audit log's filters: site, action, who, and a date range typed as GOV.UK date inputs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError

from evidence_hub.form_fields import GovDateField

ANY = ""


class AuditFilterForm(FlaskForm):
    # Filters change nothing and are read from the address, so they carry no CSRF token.
    class Meta:
        csrf = False

    site = SelectField(
        "Site", widget=GovSelect(), default=ANY, invalid_choice_message="Select a site from the list"
    )
    action = SelectField(
        "Action", widget=GovSelect(), default=ANY, invalid_choice_message="Select an action from the list"
    )
    user = SelectField(
        "Who", widget=GovSelect(), default=ANY, invalid_choice_message="Select a person from the list"
    )
    date_from = GovDateField("From", short_name="The 'from' date", description="For example, 1 4 2009")
    date_to = GovDateField("To", short_name="The 'to' date", description="For example, 30 6 2009")

    def validate_date_to(self, field: GovDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")

    def set_choices(
        self, sites: list[tuple[int, str]], actions: list[tuple[str, str]], users: list[tuple[int, str]]
    ) -> None:
        self.site.choices = [
            SelectChoice(ANY, "Any site"),
            *(SelectChoice(str(key), name) for key, name in sites),
        ]
        self.action.choices = [
            SelectChoice(ANY, "Any action"),
            *(SelectChoice(action, label) for action, label in actions),
        ]
        self.user.choices = [
            SelectChoice(ANY, "Anyone"),
            *(SelectChoice(str(key), name) for key, name in users),
        ]

    @staticmethod
    def chosen_id(field: SelectField) -> int | None:
        return int(field.data) if field.data else None
