"""Impact measures: each site's baseline for an indicator, and its figure for the indicator in a period.

A baseline belongs to the site and the indicator's code (not to a period or a framework version), so it
outlives a change of version; it is set once and changed only with a reason, which goes into the audit
record. A figure belongs to one return and one indicator: saving it again updates it. Every figure is
checked against the indicator's unit and decimal places, and a figure outside the plausible range is
accepted only with a justification. "Not yet available" is an answer of its own, with a reason, and is
never stored as zero.

Everything is validated here, not in the forms, because spreadsheet uploads save through the same
functions: an invalid input raises `MeasureError`, whose `errors` name each field with its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
from evidence_hub.models.framework import (
    EvidenceLevel,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorUnit,
    Theme,
)
from evidence_hub.models.returns import Baseline, MeasureValue, QualityRating, SiteReturn
from evidence_hub.services.common.access import NotVisible, scope_to_user
from evidence_hub.services.framework.wording import MeasuredInUnits, format_value, range_text
from evidence_hub.services.returns.items import (
    check_version,
    evidence_level_named,
    plain,
    record_created,
    record_deleted,
    record_updated,
    snapshot,
)
from evidence_hub.services.returns.workflow import (
    EVERY_PERIOD_FREQUENCIES,
    InvalidEvidence,
    ReturnError,
    require_lead_can_edit,
)

# Free text is capped so that a pasted document cannot fill the database; columns with a length use it.
MAX_TEXT = 5000
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


class MeasureError(InvalidEvidence):
    """A figure or baseline that cannot be saved (see InvalidEvidence)."""


@dataclass
class MeasureData:
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


@dataclass
class BaselineData:
    """A site's starting point for one indicator: the figure, the period it describes and its source."""

    value: NumberInput = None
    period_description: str = ""
    source: str = ""


# ---------------------------------------------------------------------------------------------------------
# Reading


def indicator_in(site_return: SiteReturn, code: str) -> Indicator:
    """The indicator with this code in the return's framework version; NotVisible (404) if there is none."""
    indicator = _find_indicator(site_return.framework_version, code)
    if indicator is None:
        raise NotVisible(f"No indicator {code} in framework version {site_return.framework_version_id}")
    return indicator


def measure_of(session: Session, site_return: SiteReturn, indicator: Indicator) -> MeasureValue | None:
    return session.scalar(
        select(MeasureValue).where(
            MeasureValue.site_return_id == site_return.id, MeasureValue.indicator_id == indicator.id
        )
    )


def baselines_of_site(session: Session, user: User, site_id: int) -> dict[str, Baseline]:
    """The site's baselines by indicator code, if the user may see the site's evidence."""
    statement = scope_to_user(select(Baseline).where(Baseline.site_id == site_id), user, Baseline.site_id)
    return {baseline.indicator_code: baseline for baseline in session.scalars(statement)}


def baseline_of(session: Session, user: User, site_id: int, indicator_code: str) -> Baseline | None:
    return baselines_of_site(session, user, site_id).get(indicator_code)


def evidence_levels_for(indicator: Indicator) -> list[EvidenceLevel]:
    """Every level of the version's scales, the scale of the indicator's minimum evidence first."""
    version = indicator.framework_version
    minimum_scale = indicator.minimum_evidence_level.scale_id
    return sorted(
        version.evidence_levels,
        key=lambda level: (level.scale_id != minimum_scale, level.scale.position, level.level),
    )


def below_minimum_evidence(indicator: Indicator, measure: MeasureValue | None) -> bool:
    """Whether the measure's evidence is weaker than the framework expects (compared on the same scale)."""
    if measure is None or measure.evidence_level is None:
        return False
    minimum = indicator.minimum_evidence_level
    return (
        measure.evidence_level.scale_id == minimum.scale_id and measure.evidence_level.level < minimum.level
    )


def is_required_every_period(indicator: Indicator) -> bool:
    return indicator.frequency in EVERY_PERIOD_FREQUENCIES


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


def input_value(indicator: Indicator, value: Decimal | None) -> str:
    """A figure as it is put back into a form field: no separators or symbols, to its decimal places."""
    if value is None:
        return ""
    return format(value.quantize(Decimal(1).scaleb(-indicator.decimal_places)), "f")


@dataclass(frozen=True)
class MeasureRow:
    """One indicator on the measures page: this period's answer, the site's baseline, and its status."""

    indicator: Indicator
    measure: MeasureValue | None
    baseline: Baseline | None

    @property
    def status(self) -> str:
        if self.measure is None:
            return "Not started"
        return "Entered" if self.measure.is_available else "Not yet available"

    @property
    def required(self) -> bool:
        return is_required_every_period(self.indicator)

    @property
    def needs_baseline(self) -> bool:
        return self.indicator.baseline_required and self.baseline is None

    @property
    def below_minimum_evidence(self) -> bool:
        return below_minimum_evidence(self.indicator, self.measure)

    @property
    def outside_range(self) -> bool:
        return self.measure is not None and outside_range(self.indicator, self.measure.value)


@dataclass(frozen=True)
class ThemeMeasures:
    theme: Theme
    rows: list[MeasureRow] = field(default_factory=list)


def measures_by_theme(session: Session, user: User, site_return: SiteReturn) -> list[ThemeMeasures]:
    """Every indicator of the return's framework version, grouped by theme, with answers and baselines."""
    measures = {measure.indicator_id: measure for measure in site_return.measures}
    baselines = baselines_of_site(session, user, site_return.site_id)
    grouped = []
    for theme in site_return.framework_version.themes:
        rows = [
            MeasureRow(indicator, measures.get(indicator.id), baselines.get(indicator.code))
            for indicator in theme.indicators
        ]
        if rows:
            grouped.append(ThemeMeasures(theme, rows))
    return grouped


# ---------------------------------------------------------------------------------------------------------
# Checking figures


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


def _text(errors: dict[str, str], name: str, raw: str | None, label: str, *, limit: int = MAX_TEXT) -> str:
    value = (raw or "").strip()
    if len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"
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


def validate_measure(indicator: Indicator, data: MeasureData) -> dict[str, Any]:
    """The column values to store for this answer; MeasureError naming every field that is wrong."""
    errors: dict[str, str] = {}
    name = indicator.name
    value = _figure(errors, "value", indicator, data.value, f"The figure for {name}")
    reason = _text(errors, "not_available_reason", data.not_available_reason, "The reason")
    justification = _text(errors, "range_justification", data.range_justification, "The justification")
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
    data_source = _text(errors, "data_source", data.data_source, "Where the figure comes from")
    if available and not data_source and "data_source" not in errors:
        errors["data_source"] = "Say where the figure comes from"

    rating = (data.quality_rating or "").strip()
    if rating and rating not in {member.value for member in QualityRating}:
        errors["quality_rating"] = "Select a quality rating from the list"
    elif available and not rating:
        errors["quality_rating"] = "Select how good the data behind the figure is"
    quality_reason = _text(errors, "quality_reason", data.quality_reason, "The reason for the quality rating")
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

    commentary = _text(errors, "commentary", data.commentary, "Commentary")
    if errors:
        raise MeasureError(errors)
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


def validate_baseline(indicator: Indicator, data: BaselineData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    value = _figure(errors, "value", indicator, data.value, "The baseline")
    if value is None and "value" not in errors:
        errors["value"] = (
            f"Select yes or no for your site's baseline for {indicator.name}"
            if indicator.unit_enum is IndicatorUnit.YES_NO
            else f"Enter your site's baseline figure for {indicator.name}"
        )
    period = _text(
        errors, "period_description", data.period_description, "The period", limit=MAX_PERIOD_DESCRIPTION
    )
    if not period and "period_description" not in errors:
        errors["period_description"] = (
            "Enter the period the baseline describes, like April 2008 to March 2009"
        )
    source = _text(errors, "source", data.source, "The source")
    if not source and "source" not in errors:
        errors["source"] = "Say where the baseline figure comes from"
    if errors:
        raise MeasureError(errors)
    return {"value": value, "period_description": period, "source": source}


# ---------------------------------------------------------------------------------------------------------
# Saving


def _find_indicator(version: FrameworkVersion, code: str) -> Indicator | None:
    return next((indicator for indicator in version.indicators if indicator.code == code), None)


def _known_indicator(version: FrameworkVersion, code: str) -> Indicator:
    indicator = _find_indicator(version, (code or "").strip())
    if indicator is None:
        raise MeasureError({"indicator_code": f"There is no indicator '{code}' in {version.label}"})
    return indicator


def _record(item: MeasureValue, indicator: Indicator) -> dict[str, Any]:
    return snapshot(item, extra={"indicator": indicator.code})


def save_measure(
    session: Session,
    user: User,
    site_return: SiteReturn,
    indicator_code: str,
    data: MeasureData,
    submitted_version: int | None = None,
    import_reference: str | None = None,
) -> MeasureValue:
    """Record (or change) the return's answer for one indicator, with its audit record.

    `submitted_version` is the version the form was opened at (0 when there was no answer yet);
    StaleEdit when somebody saved since. `import_reference` is accepted for uploads and not needed:
    one answer per indicator per return means saving the same row again updates it.
    """
    require_lead_can_edit(user, site_return)
    indicator = _known_indicator(site_return.framework_version, indicator_code)
    values = validate_measure(indicator, data)
    measure = measure_of(session, site_return, indicator)
    if measure is None:
        measure = MeasureValue(
            site_return_id=site_return.id, site_id=site_return.site_id, indicator_id=indicator.id, **values
        )
        session.add(measure)
        session.flush()
        record_created(session, user, measure, _record(measure, indicator))
        session.expire(site_return, ["measures"])
        return measure
    before = _record(measure, indicator)
    check_version(measure, submitted_version, values, before)
    for name, value in values.items():
        setattr(measure, name, value)
    session.flush()
    record_updated(session, user, measure, before, _record(measure, indicator))
    return measure


def delete_measure(
    session: Session,
    user: User,
    site_return: SiteReturn,
    indicator_code: str,
    submitted_version: int | None = None,
) -> None:
    """Remove the return's answer for one indicator (it then counts as not started)."""
    require_lead_can_edit(user, site_return)
    indicator = _known_indicator(site_return.framework_version, indicator_code)
    measure = measure_of(session, site_return, indicator)
    if measure is None:
        raise NotVisible(f"No answer for {indicator.code} in return {site_return.id}")
    before = _record(measure, indicator)
    check_version(measure, submitted_version, {}, before)
    record_deleted(session, user, measure, before)
    session.delete(measure)
    session.flush()
    session.expire(site_return, ["measures"])


def _indicator_for_baseline(session: Session, code: str, version: FrameworkVersion | None) -> Indicator:
    """The indicator whose unit governs a baseline: in the given version, else the newest published one."""
    if version is not None:
        return _known_indicator(version, code)
    indicator = session.scalar(
        select(Indicator)
        .join(FrameworkVersion, Indicator.framework_version_id == FrameworkVersion.id)
        .where(
            Indicator.code == (code or "").strip(), FrameworkVersion.status == FrameworkStatus.PUBLISHED.value
        )
        .order_by(FrameworkVersion.effective_from.desc(), FrameworkVersion.id.desc())
        .limit(1)
    )
    if indicator is None:
        raise MeasureError({"indicator_code": f"There is no indicator '{code}' in a published framework"})
    return indicator


def set_baseline(
    session: Session,
    user: User,
    site_id: int,
    indicator_code: str,
    data: BaselineData,
    reason: str = "",
    *,
    submitted_version: int | None = None,
    framework_version: FrameworkVersion | None = None,
) -> Baseline:
    """Set the site's baseline for an indicator; changing one already set needs a reason (audited).

    The figure is checked against the indicator's unit in `framework_version` when given (the return's),
    otherwise in the newest published version that has the indicator.
    """
    if user.role_enum is not Role.SITE_LEAD or user.site_id != site_id:
        raise ReturnError("Only the site's lead can set its baselines")
    indicator = _indicator_for_baseline(session, indicator_code, framework_version)
    values = validate_baseline(indicator, data)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, "The reason")
    if errors:
        raise MeasureError(errors)
    baseline = session.scalar(
        select(Baseline).where(Baseline.site_id == site_id, Baseline.indicator_code == indicator.code)
    )
    if baseline is None:
        baseline = Baseline(site_id=site_id, indicator_code=indicator.code, **values)
        session.add(baseline)
        session.flush()
        record_created(session, user, baseline, snapshot(baseline), reason=reason)
        return baseline
    before = snapshot(baseline)
    check_version(baseline, submitted_version, values, before)
    if {key: plain(value) for key, value in values.items()} == {key: before[key] for key in values}:
        return baseline
    if not reason:
        raise MeasureError(
            {"reason": f"Give the reason for changing your site's baseline for {indicator.name}"}
        )
    for name, value in values.items():
        setattr(baseline, name, value)
    session.flush()
    record_updated(session, user, baseline, before, snapshot(baseline), reason=reason)
    return baseline
