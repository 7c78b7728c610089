"""Forms for impact measures: one indicator's answer for the period, and the site's baseline for it.

The forms only collect what was typed; every rule (units, decimal places, plausible ranges, what is
required) is checked in services/returns/measures.py, which puts its messages back beside these fields.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField

from evidence_hub.models.framework import Indicator, IndicatorUnit
from evidence_hub.models.returns import Baseline, MeasureValue, QualityRating, SiteReturn
from evidence_hub.returns.forms import ItemForm
from evidence_hub.services.returns.measure_checks import BaselineInput, MeasureInput
from evidence_hub.services.returns.measures import evidence_levels_for, input_value

AVAILABLE = "available"
NOT_AVAILABLE = "not_available"
YES, NO = "yes", "no"


def is_yes_no(indicator: Indicator) -> bool:
    return indicator.unit_enum is IndicatorUnit.YES_NO


def _yes_no_value(value: Any) -> str:
    if value is None:
        return ""
    return YES if value == 1 else NO


class IndicatorForm(ItemForm):
    """A form about one indicator, whose unit decides how the answer is asked for and read."""

    indicator: Indicator

    @classmethod
    def for_indicator(cls, site_return: SiteReturn, indicator: Indicator, **kwargs: Any) -> IndicatorForm:
        form = cls(**kwargs)
        form.indicator = indicator
        form.configure(site_return)
        return form


class MeasureForm(IndicatorForm):
    # Choices and legend depend on the indicator and the period: see `configure`.
    availability = RadioField("Do you have the figure?", widget=GovRadioInput(), validate_choice=False)
    value = StringField("The figure", widget=GovTextInput())
    range_justification = TextAreaField(
        "If the figure is outside the plausible range, explain why it is right", widget=GovTextArea()
    )
    not_available_reason = TextAreaField("Why is the figure not yet available?", widget=GovTextArea())
    target = StringField("Your target for the period", widget=GovTextInput())
    target_yes_no = RadioField(
        "Your target for the period",
        widget=GovRadioInput(),
        choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")],
        validate_choice=False,
    )
    data_source = TextAreaField("Where does the figure come from?", widget=GovTextArea())
    quality_rating = RadioField(
        "How good is the data behind the figure?",
        widget=GovRadioInput(),
        description="Think about how complete the figure is, whether it has been checked, and how reliable "
        "its source is.",
        choices=[SelectChoice(rating.value, rating.label) for rating in QualityRating],
        validate_choice=False,
    )
    quality_reason = TextAreaField("Why did you give the data that rating?", widget=GovTextArea())
    evidence_level = RadioField(
        "How strong is the evidence behind the figure?", widget=GovRadioInput(), validate_choice=False
    )
    commentary = TextAreaField("Commentary (optional)", widget=GovTextArea())
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def configure(self, site_return: SiteReturn) -> None:
        period_name = site_return.reporting_period.name
        if is_yes_no(self.indicator):
            self.availability.label.text = f"At the end of {period_name}, what was the answer?"
            self.availability.choices = [
                SelectChoice(YES, "Yes"),
                SelectChoice(NO, "No"),
                SelectChoice(NOT_AVAILABLE, "Not yet available"),
            ]
        else:
            self.availability.label.text = f"Do you have the figure for {period_name}?"
            self.availability.choices = [
                SelectChoice(AVAILABLE, "Yes"),
                SelectChoice(NOT_AVAILABLE, "No, it is not yet available"),
            ]
        self.evidence_level.choices = [
            SelectChoice(str(level.id), level.label) for level in evidence_levels_for(self.indicator)
        ]

    @staticmethod
    def initial(indicator: Indicator, measure: MeasureValue | None) -> dict[str, Any]:
        """What the form shows before anything is posted: the saved answer, or nothing yet (version 0)."""
        if measure is None:
            return {"version": "0"}
        if measure.value is None:
            availability = NOT_AVAILABLE
        elif is_yes_no(indicator):
            availability = _yes_no_value(measure.value)
        else:
            availability = AVAILABLE
        return {
            "availability": availability,
            "value": input_value(indicator, measure.value) if not is_yes_no(indicator) else "",
            "range_justification": measure.range_justification,
            "not_available_reason": measure.not_available_reason or "",
            "target": input_value(indicator, measure.target),
            "target_yes_no": _yes_no_value(measure.target),
            "data_source": measure.data_source,
            "quality_rating": measure.quality_rating or "",
            "quality_reason": measure.quality_reason,
            "evidence_level": str(measure.evidence_level_id or ""),
            "commentary": measure.commentary,
            "version": str(measure.version),
        }

    def to_input(self) -> MeasureInput:
        indicator = self.indicator
        choice = self.availability.data or ""
        not_available = choice == NOT_AVAILABLE
        if is_yes_no(indicator):
            value: str | None = {YES: "1", NO: "0"}.get(choice)
            target = {YES: "1", NO: "0"}.get(self.target_yes_no.data or "")
        else:
            # The figure's box sits under "Yes": whatever it holds is ignored when the answer is "No".
            value = None if not_available else self.value.data
            target = self.target.data
        return MeasureInput(
            value=value,
            not_available=not_available,
            not_available_reason=(self.not_available_reason.data or "") if not_available else "",
            range_justification=self.range_justification.data or "",
            target=target,
            data_source=self.data_source.data or "",
            quality_rating=self.quality_rating.data or "",
            quality_reason=self.quality_reason.data or "",
            evidence_level=self.evidence_level.data or None,
            commentary=self.commentary.data or "",
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        """A yes/no answer, or a figure whose availability was not chosen, is asked for by the radios."""
        choice = self.availability.data or ""
        self.problem_fields = {"evidence_level_id": "evidence_level"}
        if is_yes_no(self.indicator) or choice not in (AVAILABLE, NOT_AVAILABLE):
            self.problem_fields["value"] = "availability"
        if is_yes_no(self.indicator):
            self.problem_fields["target"] = "target_yes_no"
        super().show_problems(problems)


class BaselineForm(IndicatorForm):
    value = StringField("Baseline figure", widget=GovTextInput())
    value_yes_no = RadioField(
        "Baseline answer",
        widget=GovRadioInput(),
        choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")],
        validate_choice=False,
    )
    period_description = StringField("Which period does the baseline describe?", widget=GovTextInput())
    source = TextAreaField("Where does the baseline figure come from?", widget=GovTextArea())
    reason = TextAreaField("Why are you changing the baseline?", widget=GovTextArea())
    submit = SubmitField("Save baseline", widget=GovSubmitInput())

    @staticmethod
    def initial(indicator: Indicator, baseline: Baseline | None) -> dict[str, Any]:
        """What the form shows before anything is posted: the saved baseline, or nothing yet (version 0)."""
        if baseline is None:
            return {"version": "0"}
        return {
            "value": input_value(indicator, baseline.value) if not is_yes_no(indicator) else "",
            "value_yes_no": _yes_no_value(baseline.value),
            "period_description": baseline.period_description,
            "source": baseline.source,
            "version": str(baseline.version),
        }

    def to_input(self) -> BaselineInput:
        if is_yes_no(self.indicator):
            value: str | None = {YES: "1", NO: "0"}.get(self.value_yes_no.data or "")
        else:
            value = self.value.data
        return BaselineInput(
            value=value, period_description=self.period_description.data or "", source=self.source.data or ""
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        self.problem_fields = {"value": "value_yes_no"} if is_yes_no(self.indicator) else {}
        super().show_problems(problems)


# The answers the theme table takes for each indicator; the rest (commentary, a justification, "not yet
# available") stay on the indicator's own page and are kept as saved.
THEME_TABLE_FIELDS = ("value", "target", "data_source", "quality_rating", "quality_reason", "evidence_level")


class ThemeMeasuresForm(FlaskForm):
    """Every indicator of one theme in one table. Its inputs are named "<indicator code>-<field>" (and
    "<code>-version", the version the row was opened at), one row per indicator."""

    submit = SubmitField("Save these answers", widget=GovSubmitInput())

    @staticmethod
    def field_name(indicator: Indicator, field: str) -> str:
        return f"{indicator.code}-{field}"

    @staticmethod
    def initial(indicator: Indicator, measure: MeasureValue | None) -> dict[str, str]:
        """The row as saved: what the table shows when it opens."""
        if measure is None:
            return {"version": "0"}
        return {
            "value": input_value(indicator, measure.value),
            "target": input_value(indicator, measure.target),
            "data_source": measure.data_source or "",
            "quality_rating": measure.quality_rating or "",
            "quality_reason": measure.quality_reason or "",
            "evidence_level": str(measure.evidence_level_id or ""),
            "version": str(measure.version),
        }

    def typed(self, formdata: Any, indicator: Indicator) -> dict[str, str]:
        """The row as typed in the request's form data."""
        data = formdata
        names = (*THEME_TABLE_FIELDS, "version")
        return {name: str(data.get(self.field_name(indicator, name), "")).strip() for name in names}

    @staticmethod
    def to_input(
        typed: dict[str, str], measure: MeasureValue | None
    ) -> tuple[MeasureInput, int | None] | None:
        """The answer to save with the version its row was opened at; None for a row left blank."""
        if not any(typed.get(name) for name in THEME_TABLE_FIELDS):
            return None
        version = typed.get("version", "")
        return (
            MeasureInput(
                value=typed["value"],
                target=typed["target"] or None,
                data_source=typed["data_source"],
                quality_rating=typed["quality_rating"],
                quality_reason=typed["quality_reason"],
                evidence_level=typed["evidence_level"] or None,
                range_justification=(measure.range_justification or "") if measure else "",
                commentary=(measure.commentary or "") if measure else "",
            ),
            int(version) if version.isdigit() else None,
        )
