"""The form of a return's comparison figures: where the figures come from and when they were extracted,
with one figure per area and indicator named "figure-<area code>-<indicator code>" (the rows depend on
the areas the evaluator named, so they are read from the request by name)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import Length

from evidence_hub.form_fields import GovDateField
from evidence_hub.services.returns.comparison_figures import ReturnComparisons


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ComparisonFiguresForm(FlaskForm):
    source = StringField(
        "Where the figures come from",
        widget=GovTextInput(),
        description=(
            "The public source and table, for example 'ONS Nomis, claimant count by local authority "
            "(table CC01)'. It is shown beside the figures wherever they appear."
        ),
        filters=[_stripped],
        validators=[Length(max=500, message="Where the figures come from must be 500 characters or fewer")],
    )
    extracted_on = GovDateField(
        "Date the figures were extracted",
        short_name="Date the figures were extracted",
        description="For example, 14 7 2009",
    )
    opened_with = HiddenField()
    submit = SubmitField("Save comparison figures", widget=GovSubmitInput())

    @staticmethod
    def typed(formdata: Any, asked: ReturnComparisons) -> dict[str, str]:
        """Each row's figure as typed, by field name."""
        return {row.field_name: str(formdata.get(row.field_name, "")).strip() for row in asked.rows}
