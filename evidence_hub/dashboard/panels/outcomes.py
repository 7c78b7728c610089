"""The outcomes view: an indicator's values over time, change from baseline, and how much of every
indicator has been reported.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis, SiteSeries
from evidence_hub.dashboard.panels.panel import (
    Choice,
    Links,
    Panel,
    ViewContent,
    bars_for_sites_shown,
    chart_subtitle,
    period_labels,
)
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.models.framework import IndicatorUnit
from evidence_hub.services.dashboards.outcomes import (
    IndicatorDefinition,
    IndicatorSummary,
    OutcomeFigures,
    OutcomePoint,
    indicator_summaries,
    indicators_in_scope,
    outcome_figures,
)
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.impact.estimates import CHANGE_FROM_BASELINE_LABEL


def _unit_axis(indicator: IndicatorDefinition) -> Axis:
    unit = IndicatorUnit(indicator.unit)
    # The chart's title names the indicator; the axis says only its unit, so it fits beside the plot.
    return Axis(
        unit.label,
        money=unit is IndicatorUnit.MONEY_GBP,
        percent=unit is IndicatorUnit.PERCENTAGE,
    )


def _value_kind(indicator: IndicatorDefinition) -> tuple[Kind, int]:
    unit = IndicatorUnit(indicator.unit)
    if unit is IndicatorUnit.MONEY_GBP:
        return Kind.MONEY, 2
    return Kind.DECIMAL, indicator.decimal_places


def evidence_text(point: OutcomePoint) -> str:
    if point.value is None:
        return "Not available: " + (point.not_available_reason or "")
    if point.evidence_level is None:
        return "Not stated (below minimum)"
    text = f"{point.evidence_scale} level {point.evidence_level}"
    return text + (" (below minimum)" if point.below_minimum else "")


def outcomes_view(session: Session, scope: Scope, links: Links, indicator_code: str | None) -> ViewContent:
    indicators = indicators_in_scope(session, scope)
    summaries = indicator_summaries(session, scope)
    indicator = next(
        (each for each in indicators if each.code == indicator_code), indicators[0] if indicators else None
    )
    panels = []
    if indicator is not None:
        figures = outcome_figures(session, scope, indicator)
        panels.extend([_values_over_time(scope, figures), _change_from_baseline(scope, figures, links)])
    panels.append(_indicator_summary(indicators, summaries))
    choice = Choice(
        "indicator",
        "Indicator",
        [(each.code, each.name) for each in indicators],
        indicator.code if indicator else "",
        "Show indicator",
    )
    return ViewContent(panels=panels, context={"indicator": indicator, "choice": choice})


def _values_over_time(scope: Scope, figures: OutcomeFigures) -> Panel:
    indicator = figures.indicator
    kind, places = _value_kind(indicator)
    table = DataTable(
        f"{indicator.name} by site and period",
        [
            Column("Site"),
            Column("Reporting period"),
            Column(f"Value ({IndicatorUnit(indicator.unit).label.lower()})", kind, places),
            Column("Target", kind, places),
            Column("Evidence strength"),
        ],
    )
    names = {site.id: site.name for site in scope.sites}
    period_names = {period.id: period.name for period in scope.periods}
    # Each point's evidence described once, for its table row and its marker's hover text.
    described: dict[tuple[int, int], tuple[OutcomePoint, str]] = {}
    for point in figures.points:
        text = evidence_text(point)
        described[(point.site_id, point.period_id)] = (point, text)
        table.add_row(names[point.site_id], period_names[point.period_id], point.value, point.target, text)
    series = []
    period_ids = [period.id for period in scope.periods]
    for site in scope.sites:
        site_id = site.id
        values: list[Decimal | None] = []
        hollow: list[bool] = []
        hover: list[str] = []
        for period_id in period_ids:
            found = described.get((site_id, period_id))
            if found is None:
                values.append(None)
                hollow.append(False)
                hover.append("No return in view")
                continue
            shown, text = found
            values.append(shown.value)
            hollow.append(shown.below_minimum or shown.evidence_level is None)
            hover.append(text)
        series.append(
            SiteSeries(
                site.name, scope.site_colours[site_id], scope.site_dashes[site_id], values, hollow, hover
            )
        )
    return Panel(
        slug="values",
        title=f"{indicator.name} over time",
        description=(
            "Filled markers: evidence at or above the framework's minimum "
            f"({indicator.minimum_scale} level {indicator.minimum_level}). "
            "Hollow markers: evidence below the minimum or not stated."
        ),
        table=table,
        figure=charts.lines_over_time(
            f"{indicator.name} over time",
            chart_subtitle(scope),
            period_labels(scope),
            series,
            _unit_axis(indicator),
        ),
        warnings=list(figures.warnings),
    )


def _change_from_baseline(scope: Scope, figures: OutcomeFigures, links: Links) -> Panel:
    indicator = figures.indicator
    kind, places = _value_kind(indicator)
    period_names = {period.id: period.name for period in scope.periods}
    table = DataTable(
        f"{indicator.name}: change from baseline and progress to target",
        [
            Column("Site"),
            Column("Baseline", kind, places),
            Column("Baseline period"),
            Column("Latest value", kind, places),
            Column("Latest period"),
            Column("Change", kind, places),
            Column("Change (%)", Kind.PERCENT),
            Column("Target", kind, places),
            Column("Progress to target (%)", Kind.PERCENT),
        ],
    )
    changes = []
    for site in scope.sites:
        outcome = figures.by_site[site.id]
        latest = outcome.latest
        table.add_row(
            Cell(site.name, href=links.to_site(site)),
            outcome.baseline.value if outcome.baseline else None,
            outcome.baseline.period_description if outcome.baseline else "No baseline",
            latest.value if latest else None,
            period_names[latest.period_id] if latest else "",
            outcome.change,
            outcome.change_percent,
            latest.target if latest else None,
            outcome.progress_to_target,
        )
        changes.append(outcome.change_percent)
    return Panel(
        slug="change",
        title=f"{indicator.name}: change from baseline",
        description=(
            "Change is the latest value in view less the site's baseline; progress to target is that change "
            "as a share of the distance from baseline to the latest target. Each is a "
            f"{CHANGE_FROM_BASELINE_LABEL}: the Impact view compares sites with areas that did not take part."
        ),
        table=table,
        figure=bars_for_sites_shown(
            scope,
            f"{indicator.name}: change from baseline (%)",
            [("Change from baseline (%)", changes)],
            Axis("Change from baseline (%)", percent=True),
        ),
    )


def _indicator_summary(
    indicators: list[IndicatorDefinition], summaries: dict[str, IndicatorSummary]
) -> Panel:
    table = DataTable(
        "Every indicator: how much has been reported",
        [
            Column("Indicator"),
            Column("Theme"),
            Column("Unit"),
            Column("Sites reporting", Kind.COUNT),
            Column("Values", Kind.COUNT),
            Column("Not yet available", Kind.COUNT),
            Column("Evidence below minimum", Kind.COUNT),
        ],
    )
    for indicator in indicators:
        summary = summaries.get(indicator.code)
        table.add_row(
            Cell(indicator.name, href=f"?indicator={indicator.code}"),
            indicator.theme_title,
            indicator.unit_label,
            summary.sites_reporting if summary else 0,
            summary.values if summary else 0,
            summary.not_available if summary else 0,
            summary.below_minimum if summary else 0,
        )
    return Panel(slug="indicators", title="Every indicator", table=table)
