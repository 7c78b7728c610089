"""Checking what a site says about an indicator: a figure in the indicator's unit and decimal places, an
explicit "not yet available" with its reason, a justification for a figure outside the plausible range, and
a baseline with its period and source. Web forms and spreadsheet rows are checked here alike, and every
problem is named by field at once (`InvalidEvidence`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from evidence_hub.models.framework import EvidenceLevel, FrameworkVersion, Indicator, IndicatorUnit
from evidence_hub.models.returns import QualityRating
from evidence_hub.services.common.values import clean_text
from evidence_hub.services.framework.wording import MeasuredInUnits, format_value, range_text
from evidence_hub.services.returns.errors import InvalidEvidence
from evidence_hub.services.returns.evidence_strength import evidence_level_named
from evidence_hub.services.returns.input_rules import MAX_TEXT, text_problem

MAX_PERIOD_DESCRIPTION = 200
# No indicator's figure comes near this; anything larger is a typing slip (and would not fit the column).
LARGEST_FIGURE = Decimal(10) ** 12
# The scale of every figure column (Numeric(18, 4)).
STORED_PLACES = Decimal("0.0001")

# Units whose figures cannot be negative. Scores may be, when a framework's scale says so.
NOT_NEGATIVE_UNITS = frozenset(
    {
        IndicatorUnit.COUNT,
        IndicatorUnit.PERCENTAGE,
        IndicatorUnit.MONEY_GBP,
        IndicatorUnit.HOURS,
        IndicatorUnit.DAYS,
        IndicatorUnit.RATIO,
        IndicatorUnit.YES_NO,
    }
)
YES_WORDS = frozenset({"1", "yes", "y", "true"})
NO_WORDS = frozenset({"0", "no", "n", "false"})

NumberInput = str | int | float | Decimal | None


@dataclass(frozen=True)
class MeasureInput:
    """What a lead (or a spreadsheet row) says about one indicator for one period, as entered."""

    value: NumberInput = None
    # True for the explicit answer "not yet available"; the reason is then required and value must be empty.
    not_available: bool = False
    not_available_reason: str = ""
    range_justification: str = ""
    target: NumberInput = None
    data_source: str = ""
    quality_rating: str = ""
    quality_reason: str = ""
    # An EvidenceLevel id, or "scale:level" such as "nesta:2" (how spreadsheets name a level).
    evidence_level: int | str | None = None
    commentary: str = ""


@dataclass(frozen=True)
class BaselineInput:
    """A site's starting point for one indicator: the figure, the period it describes and its source."""

    value: NumberInput = None
    period_description: str = ""
    source: str = ""


def outside_range(indicator: Indicator, value: Decimal | None) -> bool:
    if value is None:
        return False
    too_low = indicator.plausible_min is not None and value < indicator.plausible_min
    too_high = indicator.plausible_max is not None and value > indicator.plausible_max
    return too_low or too_high


def shown_value(indicator: MeasuredInUnits, value: Decimal | None) -> str:
    """A figure as people read it: "Yes" or "No", "£1,200.00", "45.5%", "1,200"."""
    if value is None:
        return ""
    if indicator.unit_enum is IndicatorUnit.YES_NO:
        return "Yes" if value == 1 else "No"
    return format_value(indicator, value)


def parse_figure(indicator: Indicator, raw: Any, label: str) -> Decimal | None:
    """A figure in the indicator's unit, or None when nothing was entered; ValueError says what is wrong.

    Accepts what people type or spreadsheets hold: "1,200", "£1,200.50", "45.5%", numbers, and for a
    yes/no indicator "yes"/"no" or 1/0.
    """
    unit = indicator.unit_enum
    if raw is None:
        return None
    if isinstance(raw, bool):
        raw = int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if unit is IndicatorUnit.YES_NO:
            word = text.lower()
            if word in YES_WORDS:
                return Decimal(1)
            if word in NO_WORDS:
                return Decimal(0)
            raise ValueError(f"{label}: select yes or no")
        text = text.replace(",", "").replace(" ", "").removeprefix("£").removesuffix("%")
        try:
            figure = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{label} must be a number, like {_example(indicator)}") from None
    elif isinstance(raw, int | float | Decimal):
        try:
            figure = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
        except InvalidOperation:
            raise ValueError(f"{label} must be a number, like {_example(indicator)}") from None
    else:
        raise ValueError(f"{label} must be a number, like {_example(indicator)}")
    if not figure.is_finite():
        raise ValueError(f"{label} must be a number, like {_example(indicator)}, not '{raw}'")
    if abs(figure) >= LARGEST_FIGURE:
        raise ValueError(f"{label} is too large: check the figure")
    _check_unit(indicator, figure, label)
    return figure


def _example(indicator: Indicator) -> str:
    return {
        IndicatorUnit.COUNT: "120",
        IndicatorUnit.PERCENTAGE: "45.5",
        IndicatorUnit.MONEY_GBP: "1250.50",
        IndicatorUnit.YES_NO: "yes",
    }.get(indicator.unit_enum, "12" if indicator.decimal_places == 0 else "12.5")


def decimal_places_of(figure: Decimal) -> int:
    exponent = figure.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _check_unit(indicator: Indicator, figure: Decimal, label: str) -> None:
    unit = indicator.unit_enum
    if unit is IndicatorUnit.YES_NO:
        if figure not in (0, 1):
            raise ValueError(f"{label}: select yes or no")
        return
    if unit in NOT_NEGATIVE_UNITS and figure < 0:
        raise ValueError(f"{label} cannot be negative")
    if unit is IndicatorUnit.PERCENTAGE and figure > 100:
        raise ValueError(f"{label} must be a percentage between 0 and 100")
    places = indicator.decimal_places
    if unit is IndicatorUnit.MONEY_GBP:
        places = min(places, 2)
    if decimal_places_of(figure) > places:
        if places == 0:
            raise ValueError(f"{label} must be a whole number")
        if unit is IndicatorUnit.MONEY_GBP and places == 2:
            raise ValueError(f"{label} must be in pounds and pence, with no more than 2 decimal places")
        raise ValueError(f"{label} must have no more than {places} decimal place{'s' if places != 1 else ''}")


def checked_text(
    errors: dict[str, str], name: str, raw: str | None, label: str, *, limit: int = MAX_TEXT
) -> str:
    """Text as stored, noting in `errors` when it is too long."""
    value = clean_text(raw)
    problem = text_problem(value, label, limit)
    if problem:
        errors[name] = problem
    return value


def _figure(errors: dict[str, str], name: str, indicator: Indicator, raw: Any, label: str) -> Decimal | None:
    """The figure as stored: to the columns' four decimal places, so a re-read value compares equal."""
    try:
        figure = parse_figure(indicator, raw, label)
    except ValueError as problem:
        errors[name] = str(problem)
        return None
    return None if figure is None else figure.quantize(STORED_PLACES)


def _evidence_level(version: FrameworkVersion, raw: int | str | None) -> EvidenceLevel | None:
    """The level named by id or by "scale:level"; None when nothing was chosen; ValueError if unknown."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        level_id = int(raw)
        found = next((level for level in version.evidence_levels if level.id == level_id), None)
    else:
        found = evidence_level_named(version.evidence_levels, raw)
    if found is None:
        raise ValueError("Select a level of evidence from the framework's scales")
    return found


def validate_measure(indicator: Indicator, data: MeasureInput) -> dict[str, Any]:
    """The column values to store for this answer; InvalidEvidence naming every field that is wrong."""
    errors: dict[str, str] = {}
    name = indicator.name
    value = _figure(errors, "value", indicator, data.value, f"The figure for {name}")
    reason = checked_text(errors, "not_available_reason", data.not_available_reason, "The reason")
    justification = checked_text(errors, "range_justification", data.range_justification, "The justification")
    if data.not_available:
        if value is not None or "value" in errors:
            errors["value"] = "Leave the figure empty when you say it is not yet available"
        if not reason:
            errors["not_available_reason"] = f"Say why the figure for {name} is not yet available"
    elif value is None and "value" not in errors:
        errors["value"] = (
            f"Select yes or no for {name}, or say it is not yet available"
            if indicator.unit_enum is IndicatorUnit.YES_NO
            else f"Enter the figure for {name}, or say it is not yet available"
        )
    if value is not None and outside_range(indicator, value) and not justification:
        errors["range_justification"] = (
            f"{shown_value(indicator, value)} is outside the plausible range of {range_text(indicator)}: "
            "check the figure, or explain why it is right"
        )

    target = _figure(errors, "target", indicator, data.target, "Your target")
    if indicator.target_required and target is None and not data.not_available and "target" not in errors:
        errors["target"] = f"Enter your target for {name}"

    available = not data.not_available
    data_source = checked_text(errors, "data_source", data.data_source, "Where the figure comes from")
    if available and not data_source and "data_source" not in errors:
        errors["data_source"] = "Say where the figure comes from"

    rating = (data.quality_rating or "").strip()
    if rating and rating not in {member.value for member in QualityRating}:
        errors["quality_rating"] = "Select a quality rating from the list"
    elif available and not rating:
        errors["quality_rating"] = "Select how good the data behind the figure is"
    quality_reason = checked_text(
        errors, "quality_reason", data.quality_reason, "The reason for the quality rating"
    )
    if rating in {member.value for member in QualityRating} and not quality_reason:
        errors.setdefault(
            "quality_reason",
            f"Say why you rated the data as {QualityRating(rating).label.split(':')[0].lower()}",
        )

    level: EvidenceLevel | None = None
    try:
        level = _evidence_level(indicator.framework_version, data.evidence_level)
    except ValueError as problem:
        errors["evidence_level"] = str(problem)
    if available and level is None and "evidence_level" not in errors:
        errors["evidence_level"] = "Select how strong the evidence behind the figure is"

    commentary = checked_text(errors, "commentary", data.commentary, "Commentary")
    if errors:
        raise InvalidEvidence(errors)
    return {
        "value": value if available else None,
        "not_available_reason": None if available else reason,
        "range_justification": justification,
        "target": target,
        "data_source": data_source,
        "quality_rating": rating or None,
        "quality_reason": quality_reason,
        "evidence_level_id": level.id if level is not None else None,
        "commentary": commentary,
    }


def validate_baseline(indicator: Indicator, data: BaselineInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    value = _figure(errors, "value", indicator, data.value, "The baseline")
    if value is None and "value" not in errors:
        errors["value"] = (
            f"Select yes or no for your site's baseline for {indicator.name}"
            if indicator.unit_enum is IndicatorUnit.YES_NO
            else f"Enter your site's baseline figure for {indicator.name}"
        )
    period = checked_text(
        errors, "period_description", data.period_description, "The period", limit=MAX_PERIOD_DESCRIPTION
    )
    if not period and "period_description" not in errors:
        errors["period_description"] = (
            "Enter the period the baseline describes, like April 2008 to March 2009"
        )
    source = checked_text(errors, "source", data.source, "The source")
    if not source and "source" not in errors:
        errors["source"] = "Say where the baseline figure comes from"
    if errors:
        raise InvalidEvidence(errors)
    return {"value": value, "period_description": period, "source": source}


# An answer's and a baseline's fields, by the names the service stores them under, with the labels a page
# shows beside them when two people changed one at once.
MEASURE_FIELD_LABELS = {
    "value": "Figure",
    "not_available_reason": "Why it is not yet available",
    "range_justification": "Why a figure outside the range is right",
    "target": "Target",
    "data_source": "Where the figure comes from",
    "quality_rating": "Quality of the data",
    "quality_reason": "Reason for the quality rating",
    "evidence_level_id": "Strength of evidence",
    "commentary": "Commentary",
}
BASELINE_FIELD_LABELS = {"value": "Baseline", "period_description": "Period it describes", "source": "Source"}


def measure_in_words(indicator: Indicator, values: dict[str, Any]) -> dict[str, str]:
    """An answer's stored values (as `validate_measure` returns them) in words, field by field."""
    levels = {level.id: level.label for level in indicator.framework_version.evidence_levels}
    rating = values.get("quality_rating")
    return {
        "value": shown_value(indicator, values.get("value")),
        "not_available_reason": values.get("not_available_reason") or "",
        "range_justification": values.get("range_justification") or "",
        "target": shown_value(indicator, values.get("target")),
        "data_source": values.get("data_source") or "",
        "quality_rating": QualityRating(rating).label if rating else "",
        "quality_reason": values.get("quality_reason") or "",
        "evidence_level_id": levels.get(values.get("evidence_level_id") or 0, ""),
        "commentary": values.get("commentary") or "",
    }


def baseline_in_words(indicator: Indicator, values: dict[str, Any]) -> dict[str, str]:
    """A baseline's stored values (as `validate_baseline` returns them) in words, field by field."""
    return {
        "value": shown_value(indicator, values.get("value")),
        "period_description": values.get("period_description") or "",
        "source": values.get("source") or "",
    }
