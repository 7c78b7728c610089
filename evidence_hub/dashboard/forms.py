"""The dashboards' filters. They change nothing and live in the address, so they carry no CSRF token."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, ValidationError

from evidence_hub.services.dashboards.scope import DashboardFilters, FilterOptions, StateFilter

ALL = ""


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    framework = SelectField(
        "Framework", widget=GovSelect(), invalid_choice_message="Select a framework from the list"
    )
    version = SelectField(
        "Framework version",
        widget=GovSelect(),
        default=ALL,
        invalid_choice_message="Select a framework version from the list",
    )
    period_from = SelectField(
        "From", widget=GovSelect(), default=ALL, invalid_choice_message="Select a first period from the list"
    )
    period_to = SelectField(
        "To", widget=GovSelect(), default=ALL, invalid_choice_message="Select a last period from the list"
    )
    site = SelectMultipleField(
        "Sites",
        widget=GovCheckboxesInput(),
        description="Leave every box clear to see all the sites you can compare.",
        invalid_choice_message="Select sites from the list",
    )
    theme = SelectField(
        "Theme", widget=GovSelect(), default=ALL, invalid_choice_message="Select a theme from the list"
    )
    state = RadioField(
        "Returns to include",
        widget=GovRadioInput(),
        choices=[SelectChoice(state.value, state.label) for state in StateFilter],
        default=StateFilter.APPROVED.value,
        invalid_choice_message="Select which returns to include",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._period_order: list[str] = []

    def set_choices(self, options: FilterOptions) -> None:
        self.framework.choices = [SelectChoice(each.code, each.name) for each in options.frameworks]
        self.version.choices = [
            SelectChoice(ALL, "All versions"),
            *(
                SelectChoice(str(version.version), f"Version {version.version} ({version.status})")
                for version in options.versions
            ),
        ]
        periods = [SelectChoice(period.code, period.name) for period in options.periods]
        self._period_order = [period.code for period in options.periods]
        self.period_from.choices = [SelectChoice(ALL, "First period"), *periods]
        self.period_to.choices = [SelectChoice(ALL, "Latest period"), *periods]
        self.site.choices = [SelectChoice(site.code, site.name) for site in options.sites]
        self.theme.choices = [
            SelectChoice(ALL, "All themes"),
            *(SelectChoice(theme.code, theme.title) for theme in options.themes),
        ]
        if not self.framework.data:
            self.framework.data = options.framework.code

    def validate_period_to(self, field: SelectField) -> None:
        first, last = self.period_from.data, field.data
        order = self._period_order
        if first in order and last in order and order.index(first) > order.index(last):
            raise ValidationError("The last period must be the same as or after the first period")

    def filters(self) -> DashboardFilters:
        return DashboardFilters(
            framework_code=self.framework.data or None,
            version=int(self.version.data) if self.version.data else None,
            period_from=self.period_from.data or None,
            period_to=self.period_to.data or None,
            site_codes=tuple(self.site.data or ()),
            theme_code=self.theme.data or None,
            state=StateFilter(self.state.data or StateFilter.APPROVED.value),
        )
