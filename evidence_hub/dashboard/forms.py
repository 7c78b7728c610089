"""The dashboards' filters (they change nothing and live in the address, so they carry no CSRF token), and
the value-for-money uploads (which do, and carry one)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from markupsafe import Markup, escape
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length

from evidence_hub.services.common.spreadsheet_reading import MAX_UPLOAD_BYTES
from evidence_hub.services.dashboards.scope import DashboardFilters, FilterOptions, StateFilter

ALL = ""


class SiteCheckboxes(GovCheckboxesInput):
    """The GOV.UK checkboxes of every site, written in Python: through the design system's template
    macro, a box per local authority (350) took longer than the figures on the page. The markup is the
    macro's; a field with an error (rare: a site not on the list) still goes through the macro."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if field.errors:
            rendered: Markup = super().__call__(field, **kwargs)
            return rendered
        params = kwargs.get("params", {})
        legend = params.get("fieldset", {}).get("legend", {})
        hint_id = f"{field.id}-hint"
        chosen = set(field.data or ())
        items = []
        for number, choice in enumerate(field.choices or (), start=1):
            value, label = choice.value, choice.label
            box_id = field.id if number == 1 else f"{field.id}-{number}"
            checked = " checked" if value in chosen else ""
            items.append(
                f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" '
                f'id="{box_id}" name="{escape(field.name)}" type="checkbox" value="{escape(value)}"{checked}>'
                f'<label class="govuk-label govuk-checkboxes__label" for="{box_id}">{escape(label)}</label>'
                "</div>"
            )
        hint = (
            f'<div id="{hint_id}" class="govuk-hint">{escape(field.description)}</div>'
            if field.description
            else ""
        )
        described = f' aria-describedby="{hint_id}"' if field.description else ""
        classes = escape(params.get("classes", ""))
        # Every piece of text above went through escape(); the rest is fixed markup.
        return Markup(  # noqa: S704
            f'<div class="govuk-form-group"><fieldset class="govuk-fieldset"{described}>'
            f'<legend class="govuk-fieldset__legend {escape(legend.get("classes", ""))}">'
            f"{escape(legend.get('text', field.label.text))}</legend>{hint}"
            f'<div class="govuk-checkboxes {classes}" data-module="govuk-checkboxes">{"".join(items)}</div>'
            "</fieldset></div>"
        )


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
        widget=SiteCheckboxes(),
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


SPREADSHEET_HINT = "A CSV file, or an Excel (.xlsx) workbook, 5 MB or smaller."


def _spreadsheet_field(label: str, description: str) -> FileField:
    return FileField(
        label,
        widget=GovFileInput(),
        description=description,
        validators=[
            FileRequired(message=f"Select the {label.lower()}"),
            FileAllowed(["csv", "xlsx"], message="The selected file must be a CSV or an Excel (.xlsx) file"),
            FileSize(max_size=MAX_UPLOAD_BYTES, message="The selected file must be smaller than 5 MB"),
        ],
    )


class DeflatorUploadForm(FlaskForm):
    """Upload a GDP deflator series for the appraisal, with its source."""

    deflator_file = _spreadsheet_field(
        "Deflator file",
        "Two columns with headings: financial_year (such as 2009-10) and deflator (the index). "
        + SPREADSHEET_HINT
        + " On an Excel workbook, the sheet called Deflators.",
    )
    source_title = StringField(
        "Title of the source",
        widget=GovTextInput(),
        description="For example: GDP deflators at market prices, and money GDP",
        validators=[InputRequired(message="Enter the title of the source"), Length(max=300)],
    )
    source_publisher = StringField(
        "Publisher",
        widget=GovTextInput(),
        description="For example: HM Treasury",
        validators=[Length(max=200)],
    )
    source_published = StringField(
        "When it was published",
        widget=GovTextInput(),
        description="For example: March 2026 (Spring Statement)",
        validators=[Length(max=200)],
    )
    source_url = StringField("Address of the source", widget=GovTextInput(), validators=[Length(max=500)])
    submit = SubmitField("Upload the deflator series", widget=GovSubmitInput())


class AreaSizesUploadForm(FlaskForm):
    """Upload the size of each area, for the roll-out projection."""

    area_file = _spreadsheet_field(
        "Area sizes file",
        "Three columns with headings: code, name and size. Give each pilot site by its site code, and every "
        "area a roll-out would reach. " + SPREADSHEET_HINT + " On an Excel workbook, the sheet called Areas.",
    )
    measure_name = StringField(
        "What the sizes measure",
        widget=GovTextInput(),
        description="For example: working-age population (16 to 64), or claimant count",
        validators=[InputRequired(message="Enter what the sizes measure"), Length(max=200)],
    )
    measure_source = StringField(
        "Where the sizes come from",
        widget=GovTextInput(),
        description="For example: ONS mid-year population estimates, mid-2023",
        validators=[InputRequired(message="Enter where the sizes come from"), Length(max=1000)],
    )
    submit = SubmitField("Upload the area sizes", widget=GovSubmitInput())
