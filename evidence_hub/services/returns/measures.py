"""Impact measures: each site's baseline for an indicator, and its figure for the indicator in a period.

A baseline belongs to the site and the indicator's code (not to a period or a framework version), so it
outlives a change of version; it is set once and changed only with a reason, which goes into the audit
record. A figure belongs to one return and one indicator: saving it again updates it. Every figure is
checked against the indicator's unit and decimal places, and a figure outside the plausible range is
accepted only with a justification. "Not yet available" is an answer of its own, with a reason, and is
never stored as zero.

Everything is checked in measure_checks.py, not in the forms, because spreadsheet uploads save through the
same functions. One answer per indicator per return, and one baseline per site and indicator, differ in
kind from the listed items of items.py, so they keep this service of their own, built on evidence_rows.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_mapper
from sqlalchemy.orm.attributes import set_committed_value

from evidence_hub.models import Role, User
from evidence_hub.models.framework import (
    EvidenceLevel,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    Theme,
)
from evidence_hub.models.returns import Baseline, MeasureValue, SiteReturn
from evidence_hub.services.common.access import NotVisible, led_site_ids, scope_to_user
from evidence_hub.services.common.values import plain, snapshot
from evidence_hub.services.impact.relation_checks import broken_on_entry
from evidence_hub.services.returns.completeness import EVERY_PERIOD_FREQUENCIES
from evidence_hub.services.returns.editing import require_lead_can_edit
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError
from evidence_hub.services.returns.evidence_rows import (
    check_version,
    read_for_writing,
    record_created,
    record_deleted,
    record_updated,
)
from evidence_hub.services.returns.measure_checks import (
    BaselineInput,
    MeasureInput,
    baseline_in_words,
    checked_text,
    measure_in_words,
    outside_range,
    validate_baseline,
    validate_measure,
)


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
    """The levels a lead chooses from: one scale only, the one the indicator's minimum is set on, so the
    prompts never mix Nesta and Maryland in one list and the minimum can always be checked."""
    minimum_scale = indicator.minimum_evidence_level.scale_id
    return sorted(
        (level for level in indicator.framework_version.evidence_levels if level.scale_id == minimum_scale),
        key=lambda level: level.level,
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
    version = site_return.framework_version
    measures = {measure.indicator_id: measure for measure in site_return.measures}
    baselines = baselines_of_site(session, user, site_return.site_id)
    _attach_evidence_levels(session, version, measures.values())
    # Theme by theme from the version's indicators, rather than a read of each theme's.
    indicators_of_theme: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in version.indicators:
        indicators_of_theme[indicator.theme_id].append(indicator)
    grouped = []
    for theme in version.themes:
        rows = [
            MeasureRow(indicator, measures.get(indicator.id), baselines.get(indicator.code))
            for indicator in indicators_of_theme[theme.id]
        ]
        if rows:
            grouped.append(ThemeMeasures(theme, rows))
    return grouped


def _attach_evidence_levels(
    session: Session, version: FrameworkVersion, measures: Iterable[MeasureValue]
) -> None:
    """Give the indicators (their minimum) and the answers (theirs) their evidence levels, with their
    scales, from one read of the version's levels: every row shows them, and read one by one as the rows
    were drawn they took a third of the time of the impact measures' summary."""
    levels = {
        level.id: level
        for level in session.scalars(
            select(EvidenceLevel)
            .options(joinedload(EvidenceLevel.scale))
            .where(EvidenceLevel.framework_version_id == version.id)
        )
    }
    # A level of another version (none should be) is left to be read when it is shown.
    for indicator in version.indicators:
        if indicator.minimum_evidence_level_id in levels:
            set_committed_value(
                indicator, "minimum_evidence_level", levels[indicator.minimum_evidence_level_id]
            )
    for measure in measures:
        if measure.evidence_level_id in levels:
            set_committed_value(measure, "evidence_level", levels[measure.evidence_level_id])


def _find_indicator(version: FrameworkVersion, code: str) -> Indicator | None:
    return next((indicator for indicator in version.indicators if indicator.code == code), None)


def _known_indicator(version: FrameworkVersion, code: str) -> Indicator:
    indicator = _find_indicator(version, (code or "").strip())
    if indicator is None:
        raise InvalidEvidence({"indicator_code": f"There is no indicator '{code}' in {version.label}"})
    return indicator


def stored_values(row: MeasureValue | Baseline) -> dict[str, Any]:
    """A saved answer's or baseline's values, keyed as `validate_measure` and `validate_baseline` key them."""
    return {attribute.key: getattr(row, attribute.key) for attribute in object_mapper(row).column_attrs}


def _record(item: MeasureValue, indicator: Indicator) -> dict[str, Any]:
    return snapshot(item, extra={"indicator": indicator.code})


def save_measure(
    session: Session,
    user: User,
    site_return: SiteReturn,
    indicator_code: str,
    data: MeasureInput,
    submitted_version: int | None = None,
) -> MeasureValue:
    """Record (or change) the return's answer for one indicator, with its audit record.

    `submitted_version` is the version the form was opened at (0 when there was no answer yet);
    StaleEdit when somebody saved since. A spreadsheet row needs no reference: one answer per indicator
    per return means saving the same row again updates it.
    """
    read_for_writing(session, site_return)
    require_lead_can_edit(user, site_return)
    indicator = _known_indicator(site_return.framework_version, indicator_code)
    values = validate_measure(indicator, data)
    _check_theory_of_change(site_return, indicator, values)
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
    read_for_writing(session, measure)
    before = _record(measure, indicator)
    check_version(
        measure,
        submitted_version,
        measure_in_words(indicator, values),
        measure_in_words(indicator, stored_values(measure)),
    )
    for name, value in values.items():
        setattr(measure, name, value)
    session.flush()
    record_updated(session, user, measure, before, _record(measure, indicator))
    return measure


def _check_theory_of_change(site_return: SiteReturn, indicator: Indicator, values: dict[str, Any]) -> None:
    """A figure that breaks a relation the framework declares (more job entries than clients engaged)
    is refused unless the lead explains why it is right."""
    others = {measure.indicator.code: measure.value for measure in site_return.measures}
    broken = broken_on_entry(site_return.framework_version, others, indicator.code, values["value"])
    if broken and not values["range_justification"]:
        raise InvalidEvidence(
            {"range_justification": " ".join(broken) + " Check the figures, or explain why they are right."}
        )


class InvalidMeasures(ReturnError):
    """Answers for several indicators, at least one of which cannot be saved: `problems` maps each
    indicator's code to its fields' messages. Nothing was saved."""

    def __init__(self, problems: dict[str, dict[str, str]]) -> None:
        super().__init__("Some answers cannot be saved")
        self.problems = problems


def save_measures(
    session: Session,
    user: User,
    site_return: SiteReturn,
    answers: dict[str, tuple[MeasureInput, int | None]],
) -> list[MeasureValue]:
    """Save several indicators' answers (each with the version its row was opened at) all or nothing:
    InvalidMeasures naming every problem of every row when any is wrong, before anything is written."""
    require_lead_can_edit(user, site_return)
    problems: dict[str, dict[str, str]] = {}
    for code, (data, _version) in answers.items():
        try:
            indicator = _known_indicator(site_return.framework_version, code)
            _check_theory_of_change(site_return, indicator, validate_measure(indicator, data))
        except InvalidEvidence as invalid:
            problems[code] = invalid.problems
    if problems:
        raise InvalidMeasures(problems)
    saved = []
    for code, (data, version) in answers.items():
        try:
            saved.append(save_measure(session, user, site_return, code, data, version))
        except InvalidEvidence as invalid:
            # A relation broken only by the new figures together (checked as each is saved): the caller's
            # transaction rolls back every answer already saved.
            raise InvalidMeasures({code: invalid.problems}) from invalid
    return saved


def delete_measure(
    session: Session,
    user: User,
    site_return: SiteReturn,
    indicator_code: str,
    submitted_version: int | None = None,
) -> None:
    """Remove the return's answer for one indicator (it then counts as not started)."""
    read_for_writing(session, site_return)
    require_lead_can_edit(user, site_return)
    indicator = _known_indicator(site_return.framework_version, indicator_code)
    measure = measure_of(session, site_return, indicator)
    if measure is None:
        raise NotVisible(f"No answer for {indicator.code} in return {site_return.id}")
    read_for_writing(session, measure)
    before = _record(measure, indicator)
    check_version(measure, submitted_version, {}, measure_in_words(indicator, stored_values(measure)))
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
        raise InvalidEvidence({"indicator_code": f"There is no indicator '{code}' in a published framework"})
    return indicator


def set_baseline(
    session: Session,
    user: User,
    site_id: int,
    indicator_code: str,
    data: BaselineInput,
    reason: str = "",
    *,
    submitted_version: int | None = None,
    framework_version: FrameworkVersion | None = None,
) -> Baseline:
    """Set the site's baseline for an indicator; changing one already set needs a reason (audited).

    The figure is checked against the indicator's unit in `framework_version` when given (the return's),
    otherwise in the newest published version that has the indicator.
    """
    # A baseline belongs to the site, whichever of its programmes the lead leads it in.
    if user.role_enum is not Role.SITE_LEAD or site_id not in led_site_ids(user):
        raise ReturnError("Only the site's lead can set its baselines")
    indicator = _indicator_for_baseline(session, indicator_code, framework_version)
    values = validate_baseline(indicator, data)
    errors: dict[str, str] = {}
    reason = checked_text(errors, "reason", reason, "The reason")
    if errors:
        raise InvalidEvidence(errors)
    baseline = session.scalar(
        select(Baseline).where(Baseline.site_id == site_id, Baseline.indicator_code == indicator.code)
    )
    if baseline is None:
        baseline = Baseline(site_id=site_id, indicator_code=indicator.code, **values)
        session.add(baseline)
        session.flush()
        record_created(session, user, baseline, snapshot(baseline), reason=reason)
        return baseline
    read_for_writing(session, baseline)
    before = snapshot(baseline)
    check_version(
        baseline,
        submitted_version,
        baseline_in_words(indicator, values),
        baseline_in_words(indicator, stored_values(baseline)),
    )
    if {key: plain(value) for key, value in values.items()} == {key: before[key] for key in values}:
        return baseline
    if not reason:
        raise InvalidEvidence(
            {"reason": f"Give the reason for changing your site's baseline for {indicator.name}"}
        )
    for name, value in values.items():
        setattr(baseline, name, value)
    session.flush()
    record_updated(session, user, baseline, before, snapshot(baseline), reason=reason)
    return baseline
