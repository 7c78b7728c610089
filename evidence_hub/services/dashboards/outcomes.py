"""The outcomes view's figures: each indicator's values over time per site with their evidence strength,
against baselines and targets, and how much of every indicator has been reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from evidence_hub.formatting import listed
from evidence_hub.models.framework import (
    EvidenceLevel,
    EvidenceScale,
    FrameworkVersion,
    Indicator,
    IndicatorUnit,
    Theme,
    below_minimum_expression,
)
from evidence_hub.models.periods import ReportingPeriod
from evidence_hub.models.returns import Baseline, MeasureValue, SiteReturn
from evidence_hub.models.summaries import ApprovedValueCount
from evidence_hub.services.dashboards.comparability import MINIMUM_SITES_TO_COMPARE, differing_periods_warning
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import Scope, StateFilter
from evidence_hub.services.dashboards.sql import plain_rows

# (indicator id, site id, values, values and not-yet-available, values below the evidence minimum)
ValueCounts = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class IndicatorDefinition:
    """An indicator as the dashboards describe it, taken from the newest version in view."""

    code: str
    name: str
    definition: str
    unit: str
    decimal_places: int
    direction: str
    theme_code: str
    theme_title: str
    minimum_level: int
    minimum_scale: str
    minimum_title: str
    # Versions in view whose unit or definition differs from this one: "version 1: unit Count".
    changes: tuple[str, ...] = ()

    @property
    def unit_enum(self) -> IndicatorUnit:
        return IndicatorUnit(self.unit)

    @property
    def unit_label(self) -> str:
        return self.unit_enum.label


@dataclass(frozen=True, slots=True)
class OutcomePoint:
    site_id: int
    period_id: int
    value: Decimal | None
    not_available_reason: str | None
    target: Decimal | None
    evidence_level: int | None
    evidence_scale: str | None
    evidence_title: str | None
    below_minimum: bool


@dataclass(frozen=True)
class BaselineFigure:
    value: Decimal
    period_description: str


@dataclass
class SiteOutcome:
    """One site's latest figure against its baseline and target."""

    site_id: int
    latest: OutcomePoint | None
    baseline: BaselineFigure | None

    @property
    def change(self) -> Decimal | None:
        if self.latest is None or self.latest.value is None or self.baseline is None:
            return None
        return self.latest.value - self.baseline.value

    @property
    def change_percent(self) -> Decimal | None:
        if self.change is None or self.baseline is None:
            return None
        return share(self.change, self.baseline.value)

    @property
    def progress_to_target(self) -> Decimal | None:
        """How far from baseline to target the latest figure has come, as a percentage."""
        if self.change is None or self.baseline is None or self.latest is None or self.latest.target is None:
            return None
        return share(self.change, self.latest.target - self.baseline.value)


@dataclass
class OutcomeFigures:
    indicator: IndicatorDefinition
    points: list[OutcomePoint]
    by_site: dict[int, SiteOutcome]
    warnings: list[str] = field(default_factory=list)


def indicators_in_scope(session: Session, scope: Scope) -> list[IndicatorDefinition]:
    """The indicators in view (narrowed by theme), each described by its newest version in view."""
    minimum = aliased(EvidenceLevel)
    rows = plain_rows(
        session,
        select(
            Indicator.code,
            Indicator.name,
            Indicator.definition,
            Indicator.unit,
            Indicator.decimal_places,
            Indicator.direction,
            Indicator.framework_version_id,
            Indicator.position,
            Theme.code.label("theme_code"),
            Theme.title.label("theme_title"),
            minimum.level.label("minimum_level"),
            minimum.title.label("minimum_title"),
            FrameworkVersion.version.label("version_number"),
        )
        .join(Theme, Theme.id == Indicator.theme_id)
        .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .join(FrameworkVersion, FrameworkVersion.id == Indicator.framework_version_id)
        .where(Indicator.framework_version_id.in_(scope.version_ids()))
        .order_by(FrameworkVersion.version.desc(), Indicator.position),
    )
    newest: dict[str, Any] = {}
    older: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if row.code not in newest:
            newest[row.code] = row
        else:
            older[row.code].append(row)
    scales = _scale_names(session, scope)
    definitions = []
    for code, row in sorted(newest.items(), key=lambda item: item[1].position):
        if scope.theme_code and row.theme_code != scope.theme_code:
            continue
        changes = []
        for previous in older[code]:
            if previous.unit != row.unit:
                changes.append(
                    f"version {previous.version_number} measured it in "
                    f"{IndicatorUnit(previous.unit).label.lower()}"
                )
            if previous.definition.strip() != row.definition.strip():
                changes.append(f"version {previous.version_number} defined it differently")
        definitions.append(
            IndicatorDefinition(
                code=code,
                name=row.name,
                definition=row.definition,
                unit=row.unit,
                decimal_places=row.decimal_places,
                direction=row.direction,
                theme_code=row.theme_code,
                theme_title=row.theme_title,
                minimum_level=row.minimum_level,
                minimum_scale=scales.get(code, ""),
                minimum_title=row.minimum_title,
                changes=tuple(changes),
            )
        )
    return definitions


def _scale_names(session: Session, scope: Scope) -> dict[str, str]:
    """Each indicator code's minimum evidence scale name, from the newest version in view."""
    names: dict[str, str] = {}
    for code, name in plain_rows(
        session,
        select(Indicator.code, EvidenceScale.name)
        .join(EvidenceLevel, EvidenceLevel.id == Indicator.minimum_evidence_level_id)
        .join(EvidenceScale, EvidenceScale.id == EvidenceLevel.scale_id)
        .where(Indicator.framework_version_id.in_(scope.version_ids()))
        .order_by(Indicator.framework_version_id.desc()),
    ):
        names.setdefault(code, name)
    return names


def _outcome_points(
    session: Session, scope: Scope, indicator_code: str | None
) -> list[tuple[str, OutcomePoint]]:
    """Measure values in view, with their evidence strength, as (indicator code, point) in period order."""
    level = aliased(EvidenceLevel)
    minimum = aliased(EvidenceLevel)
    statement = (
        select(
            Indicator.code,
            SiteReturn.site_id,
            SiteReturn.reporting_period_id,
            MeasureValue.value,
            MeasureValue.not_available_reason,
            MeasureValue.target,
            level.level.label("evidence_level"),
            EvidenceScale.name.label("evidence_scale"),
            level.title.label("evidence_title"),
            and_(MeasureValue.value.is_not(None), below_minimum_expression(level, minimum)).label(
                "below_minimum"
            ),
        )
        .select_from(MeasureValue)
        .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
        .outerjoin(level, level.id == MeasureValue.evidence_level_id)
        .outerjoin(EvidenceScale, EvidenceScale.id == level.scale_id)
        .where(scope.returns_condition())
    )
    if indicator_code is not None:
        statement = statement.where(Indicator.code == indicator_code)
    order = {period.id: index for index, period in enumerate(scope.periods)}
    # The columns are OutcomePoint's fields in order (after the code), read as plain tuples: one indicator
    # at national scale is fourteen thousand points.
    points = []
    for code, *fields, below_minimum in plain_rows(session, statement).all():
        fields.append(bool(below_minimum))
        points.append((code, OutcomePoint(*fields)))
    return sorted(points, key=lambda item: (item[1].site_id, order[item[1].period_id]))


def outcome_figures(session: Session, scope: Scope, indicator: IndicatorDefinition) -> OutcomeFigures:
    """One indicator's values over time per site, each with its evidence strength, against baselines."""
    points = [point for _, point in _outcome_points(session, scope, indicator.code)]
    baselines = baselines_for(session, scope, [indicator.code])
    reported_by_site: dict[int, list[OutcomePoint]] = defaultdict(list)
    for point in points:
        if point.value is not None:
            reported_by_site[point.site_id].append(point)
    by_site: dict[int, SiteOutcome] = {}
    for site in scope.sites:
        reported = reported_by_site.get(site.id, [])
        by_site[site.id] = SiteOutcome(
            site_id=site.id,
            latest=reported[-1] if reported else None,
            baseline=baselines.get((site.id, indicator.code)),
        )
    figures = OutcomeFigures(indicator=indicator, points=points, by_site=by_site)
    figures.warnings.extend(outcome_warnings(scope, figures))
    return figures


def latest_values(session: Session, scope: Scope) -> dict[str, OutcomePoint]:
    """For a scope of one site: each indicator's latest value in view (its latest report otherwise)."""
    latest: dict[str, OutcomePoint] = {}
    for code, point in _outcome_points(session, scope, None):
        if point.value is not None or code not in latest or latest[code].value is None:
            latest[code] = point
    return latest


def baselines_for(
    session: Session, scope: Scope, codes: Sequence[str]
) -> dict[tuple[int, str], BaselineFigure]:
    """Baselines of the sites in view for the indicator codes, for sites whose returns the user sees."""
    rows = plain_rows(
        session,
        select(Baseline.site_id, Baseline.indicator_code, Baseline.value, Baseline.period_description).where(
            Baseline.site_id.in_(select(SiteReturn.site_id).where(scope.returns_condition())),
            Baseline.indicator_code.in_(list(codes)),
        ),
    )
    return {
        (row.site_id, row.indicator_code): BaselineFigure(row.value, row.period_description) for row in rows
    }


def outcome_warnings(scope: Scope, figures: OutcomeFigures) -> list[str]:
    warnings = []
    reporting = {point.site_id for point in figures.points if point.value is not None}
    if len(reporting) < MINIMUM_SITES_TO_COMPARE:
        warnings.append(
            f"Only {len(reporting)} of the {len(scope.sites)} sites shown report this measure: "
            f"comparisons need at least {MINIMUM_SITES_TO_COMPARE}."
        )
    reported: dict[int, set[int]] = defaultdict(set)
    for point in figures.points:
        if point.value is not None:
            reported[point.site_id].add(point.period_id)
    differing = differing_periods_warning(scope, reported, "this measure")
    if differing:
        warnings.append(differing)
    if figures.indicator.changes:
        warnings.append(
            "The measure changed between framework versions ("
            + "; ".join(figures.indicator.changes)
            + "): figures recorded under different versions may not be comparable."
        )
    missing = [
        site.name
        for site in scope.sites
        if site.id in reporting and figures.by_site[site.id].baseline is None
    ]
    if missing and reporting:
        warnings.append("No baseline for " + listed(missing) + ": change from baseline cannot be shown.")
    below = sorted({point.site_id for point in figures.points if point.below_minimum})
    if below:
        names = {site.id: site.name for site in scope.sites}
        warnings.append(
            "Evidence below the framework's minimum "
            f"({figures.indicator.minimum_scale} level {figures.indicator.minimum_level}) for some figures "
            "from " + listed([names[site_id] for site_id in below if site_id in names]) + "."
        )
    return warnings


@dataclass(frozen=True)
class IndicatorSummary:
    code: str
    sites_reporting: int
    values: int
    not_available: int
    below_minimum: int


def indicator_summaries(session: Session, scope: Scope) -> dict[str, IndicatorSummary]:
    """For every indicator in view: how many sites report it, how many values, how many are missing."""
    code_of = dict(
        plain_rows(
            session,
            select(Indicator.id, Indicator.code).where(
                Indicator.framework_version_id.in_(scope.version_ids())
            ),
        ).all()
    )
    rows: list[ValueCounts]
    out_of_view = _kept_counts_serve(session, scope)
    if out_of_view is not None:
        # Approved values over most periods (every period is the dashboards' default): the counts kept per
        # site and indicator (models/summaries.py) of the sites with a return in view, fourteen thousand
        # rows at national scale rather than half a million values, less the values of those sites'
        # approved returns in the few periods out of view.
        kept = ApprovedValueCount
        sites_in_view = select(SiteReturn.site_id).where(scope.returns_condition())
        rows = [
            (indicator_id, site_id, values, all_values, below)
            for indicator_id, site_id, values, all_values, below in plain_rows(
                session,
                select(
                    kept.indicator_id, kept.site_id, kept.values, kept.all_values, kept.below_minimum
                ).where(kept.indicator_id.in_(list(code_of)), kept.site_id.in_(sites_in_view)),
            ).all()
        ]
        if out_of_view:
            rows = _less(
                rows,
                _counted_values(
                    session,
                    scope,
                    select(SiteReturn.id).where(
                        StateFilter.APPROVED.condition(),
                        SiteReturn.reporting_period_id.in_(out_of_view),
                        SiteReturn.site_id.in_(sites_in_view),
                    ),
                ),
            )
    else:
        rows = _counted_values(session, scope, select(SiteReturn.id).where(scope.returns_condition()))
    # The indicators' codes and the union of sites across framework versions are worked out here from
    # the counts by indicator id and site: no join per value, no distinct count.
    sites: dict[str, set[int]] = defaultdict(set)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for indicator_id, site_id, values, all_values, below in rows:
        code = code_of[indicator_id]
        if values:
            sites[code].add(site_id)
        found = counts[code]
        found[0] += values
        found[1] += all_values - values
        found[2] += below
    return {
        code: IndicatorSummary(
            code=code,
            sites_reporting=len(sites[code]),
            values=values,
            not_available=not_available,
            below_minimum=below,
        )
        for code, (values, not_available, below) in counts.items()
    }


def _kept_counts_serve(session: Session, scope: Scope) -> list[int] | None:
    """The ids of the framework's periods out of view when the counts kept per site serve the scope
    (approved values, with more periods in view than out of it); None when the values are counted."""
    if scope.state is not StateFilter.APPROVED:
        return None
    out_of_view = list(
        session.scalars(
            select(ReportingPeriod.id).where(
                ReportingPeriod.framework_id == scope.framework.id,
                ReportingPeriod.id.not_in(scope.period_ids),
            )
        )
    )
    return out_of_view if len(out_of_view) < len(scope.periods) else None


def _counted_values(session: Session, scope: Scope, returns: Select[int]) -> list[ValueCounts]:
    """(indicator id, site id, values, values and not-yet-available, values below the evidence minimum) of
    these returns, counted from the index ix_measure_values_figures alone: the site is the value's own copy
    of its return's, and a value without a number is one not yet available (the table's check constraint
    ensures it)."""
    has_value = MeasureValue.value.is_not(None)
    weak = or_(
        MeasureValue.evidence_level_id.is_(None),
        tuple_(MeasureValue.indicator_id, MeasureValue.evidence_level_id).in_(
            _below_minimum_pairs(session, scope)
        ),
    )
    return [
        (indicator_id, site_id, values, all_values, int(below))
        for indicator_id, site_id, values, all_values, below in plain_rows(
            session,
            select(
                MeasureValue.indicator_id,
                MeasureValue.site_id,
                func.count(MeasureValue.value),
                func.count(),
                func.coalesce(func.sum(case((and_(has_value, weak), 1), else_=0)), 0),
            )
            .where(MeasureValue.site_return_id.in_(returns))
            .group_by(MeasureValue.indicator_id, MeasureValue.site_id),
        ).all()
    ]


def _less(kept: list[ValueCounts], counted: list[ValueCounts]) -> list[ValueCounts]:
    """The kept counts by indicator and site less the counts of the values out of view."""
    out = {(indicator_id, site_id): counts for indicator_id, site_id, *counts in counted}
    rows = []
    for indicator_id, site_id, *counts in kept:
        taken = out.get((indicator_id, site_id))
        if taken is not None:
            counts = [count - less for count, less in zip(counts, taken, strict=True)]
        values, all_values, below = counts
        rows.append((indicator_id, site_id, values, all_values, below))
    return rows


def _below_minimum_pairs(session: Session, scope: Scope) -> list[tuple[int, int]]:
    """(indicator id, evidence level id) for each level below the indicator's minimum on the same scale, in
    the versions in view: the levels `below_minimum_expression` holds below it, as a list (a level is
    stated, so its first case, no level, never joins)."""
    minimum = aliased(EvidenceLevel)
    return [
        (indicator_id, level_id)
        for indicator_id, level_id in plain_rows(
            session,
            select(Indicator.id, EvidenceLevel.id)
            .join(minimum, minimum.id == Indicator.minimum_evidence_level_id)
            .join(EvidenceLevel, below_minimum_expression(EvidenceLevel, minimum))
            .where(Indicator.framework_version_id.in_(scope.version_ids())),
        )
    ]
