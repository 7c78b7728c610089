"""The audit log's filters: site, action, who, and a date range typed as GOV.UK date inputs."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from wtforms import Field, SelectChoice, SelectField
from wtforms.validators import ValidationError

ANY = ""


class OptionalDate(Field):
    """A date in three boxes (day, month, year); all blank means no date."""

    widget = GovDateInput()

    def __init__(self, label: str, *, short_name: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.short_name = short_name

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, date) else None

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(value).strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        day, month, year = parts
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValueError(f"{self.short_name} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts) or len(year) != 4:
            raise ValueError(f"{self.short_name} must be a real date, like 27 5 2009")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.short_name} must be a real date, like 27 5 2009") from None

    def _value(self) -> str:
        return ""


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
    date_from = OptionalDate("From", short_name="The 'from' date", description="For example, 1 4 2009")
    date_to = OptionalDate("To", short_name="The 'to' date", description="For example, 30 6 2009")

    def validate_date_to(self, field: OptionalDate) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")

    def set_choices(
        self, sites: list[tuple[int, str]], actions: list[str], users: list[tuple[int, str]]
    ) -> None:
        self.site.choices = [
            SelectChoice(ANY, "Any site"),
            *(SelectChoice(str(key), name) for key, name in sites),
        ]
        self.action.choices = [
            SelectChoice(ANY, "Any action"),
            *(SelectChoice(action, action) for action in actions),
        ]
        self.user.choices = [
            SelectChoice(ANY, "Anyone"),
            *(SelectChoice(str(key), name) for key, name in users),
        ]

    @staticmethod
    def chosen_id(field: SelectField) -> int | None:
        return int(field.data) if field.data else None
