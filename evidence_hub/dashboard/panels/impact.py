"""The impact view: each site's estimate against its comparison areas with its interval and pre-trend
check, the chart of the site's and its comparison areas' series with the pilot's start marked, the
pooled estimate across sites, and the returns whose values break the theory of change."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis, SiteSeries
from evidence_hub.dashboard.panels.panel import Choice, Links, Panel, ViewContent
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.impact.estimates import CHANGE_FROM_BASELINE_LABEL
from evidence_hub.services.impact.relation_checks import breaches_in_scope
from evidence_hub.services.impact.site_estimates import (
    POOLED_EFFECT_LABEL,
    ImpactOverview,
    SiteImpact,
    impact_overview,
)

COMPARISON_COLOURS = ("#505a5f", "#b58840", "#6f72af", "#3d3d3d", "#912b88")
PILOT_STARTS = "Pilot starts"
CHOSEN_QUARTERS_START = "Chosen pilot quarters"


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.4f}")


def impact_view(session: Session, scope: Scope, links: Links, indicator_code: str | None) -> ViewContent:
    overview = impact_overview(session, scope, indicator_code)
    panels: list[Panel] = []
    choice = None
    if overview is not None:
        panels.append(estimates_panel(overview))
        panels.extend(series_panel(overview, each) for each in overview.sites)
        choice = Choice(
            "indicator", "Indicator", overview.indicators, overview.indicator_code, "Show indicator"
        )
    panels.append(_theory_of_change(session, scope, links))
    return ViewContent(panels=panels, context={"overview": overview, "choice": choice})


def estimate_columns() -> list[Column]:
    return [
        Column("Site"),
        Column("What the figure is"),
        Column("Figure", Kind.DECIMAL, 2),
        Column("95% interval from", Kind.DECIMAL, 2),
        Column("95% interval to", Kind.DECIMAL, 2),
        Column("Pre-trend check"),
        Column("Comparison areas"),
        Column("Evaluator's rating"),
    ]


def estimate_rows(overview: ImpactOverview) -> list[list[object]]:
    """The rows of the estimates table: each site, then the pooled estimate and the prediction interval
    (the same rows the learning summary and data pack print)."""
    rows: list[list[object]] = []
    for each in overview.sites:
        estimate = each.estimate
        if estimate.is_estimate:
            figure, low, high = estimate.estimate, estimate.ci_low, estimate.ci_high
            check = estimate.pre_trend.outcome.value.replace("_", " ")
        else:
            change = estimate.before_and_after
            figure, low, high = (float(change.change) if change else None), None, None
            check = "not run"
        rows.append(
            [
                each.site.name,
                each.label,
                _decimal(figure),
                _decimal(low),
                _decimal(high),
                check,
                ", ".join(f"{area.name} ({area.code})" for area in each.comparison_areas) or "None named",
                f"{each.scale_name} level {each.rated_level}" if each.rated_level else "Not rated",
            ]
        )
    pooled = overview.pooled
    if pooled.is_pooled:
        rows.append(
            [
                "All sites, pooled",
                overview.pooled_label,
                _decimal(pooled.estimate),
                _decimal(pooled.ci_low),
                _decimal(pooled.ci_high),
                "",
                "",
                "",
            ]
        )
        rows.append(
            [
                "A new area (prediction interval)",
                "range of effects to expect in a new area"
                if overview.pooled_label == POOLED_EFFECT_LABEL
                else "range of differences to expect in a new area",
                None,
                _decimal(pooled.prediction_low),
                _decimal(pooled.prediction_high),
                "",
                "",
                "",
            ]
        )
    return rows


def estimates_panel(overview: ImpactOverview) -> Panel:
    table = DataTable(
        f"{overview.indicator_name}: each site against its comparison areas, and pooled",
        estimate_columns(),
        empty_message="No site is in view.",
    )
    for row in estimate_rows(overview):
        table.add_row(*row)
    plotted = [each for each in overview.sites if each.is_estimate]
    labels = [each.site.name for each in plotted]
    estimates = [float(each.estimate.estimate or 0) for each in plotted]
    lows = [float(each.estimate.ci_low or 0) for each in plotted]
    highs = [float(each.estimate.ci_high or 0) for each in plotted]
    pooled = overview.pooled
    if pooled.is_pooled and pooled.estimate is not None:
        labels.append("All sites, pooled")
        estimates.append(pooled.estimate)
        lows.append(float(pooled.ci_low or 0))
        highs.append(float(pooled.ci_high or 0))
        labels.append("A new area (prediction)")
        estimates.append(pooled.estimate)
        lows.append(float(pooled.prediction_low or 0))
        highs.append(float(pooled.prediction_high or 0))
    figure = (
        charts.estimates_with_intervals(
            "Difference from comparison areas since the pilot began, with 95% intervals",
            f"{overview.indicator_name}; pilot began {overview.first_pilot_quarter}",
            labels,
            estimates,
            lows,
            highs,
            "Difference (in the indicator's unit)",
        )
        if labels
        else None
    )
    warnings = list(pooled.warnings)
    if not pooled.is_pooled and pooled.not_pooled_reason:
        warnings.append(pooled.not_pooled_reason)
    return Panel(
        slug="estimates",
        title="Estimates by site and pooled",
        table=table,
        figure=figure,
        description=(
            f"{overview.pooled.method} of the sites' difference-in-differences estimates. Figures without a "
            f"comparison are a {CHANGE_FROM_BASELINE_LABEL}."
        ),
        warnings=warnings,
    )


def series_panel(overview: ImpactOverview, site: SiteImpact) -> Panel:
    areas = site.comparison_areas
    columns = [Column("Quarter"), Column(f"{site.site.name}", Kind.DECIMAL, 2)]
    columns.append(Column("Comparison average", Kind.DECIMAL, 2))
    columns.extend(Column(area.name, Kind.DECIMAL, 2) for area in areas)
    table = DataTable(
        f"{site.site.name} and its comparison areas: {overview.indicator_name} by quarter",
        columns,
        empty_message=f"There are no series for {site.site.name} yet: upload them on the comparisons page.",
    )
    mean = site.comparison_mean
    shown_quarters = [
        quarter
        for quarter in site.quarters
        if quarter in site.site_values or any(quarter in site.comparison_values[a.code] for a in areas)
    ]
    for quarter in shown_quarters:
        table.add_row(
            quarter,
            site.site_values.get(quarter),
            mean.get(quarter),
            *(site.comparison_values[area.code].get(quarter) for area in areas),
        )
    series = [
        SiteSeries(site.site.name, "#1d70b8", "solid", [site.site_values.get(q) for q in shown_quarters])
    ]
    if mean:
        series.append(
            SiteSeries("Comparison average", "#0b0c0c", "dash", [mean.get(q) for q in shown_quarters])
        )
    for index, area in enumerate(areas):
        series.append(
            SiteSeries(
                area.name,
                COMPARISON_COLOURS[index % len(COMPARISON_COLOURS)],
                "dot",
                [site.comparison_values[area.code].get(q) for q in shown_quarters],
            )
        )
    figure = None
    if shown_quarters:
        figure = charts.lines_over_time(
            f"{site.site.name} against its comparison areas",
            f"{overview.indicator_name}; the dashed line marks the start ({site.first_pilot_quarter})",
            shown_quarters,
            series,
            Axis(overview.indicator_name),
        )
        if site.first_pilot_quarter in shown_quarters:
            figure = charts.mark_quarter(figure, site.first_pilot_quarter, PILOT_STARTS)
        elif overview.pilot_window and overview.pilot_window[0] in shown_quarters:
            # The filters left the pilot's first quarters out: mark where the chosen quarters begin.
            figure = charts.mark_quarter(figure, overview.pilot_window[0], CHOSEN_QUARTERS_START)
    warnings = []
    if site.estimate.not_estimated_reason:
        warnings.append(site.estimate.not_estimated_reason)
    warnings.extend(site.estimate.warnings)
    if site.rating_warning:
        warnings.append(site.rating_warning)
    if site.figures_not_counted:
        warnings.append(
            f"{site.figures_not_counted} {'figure' if site.figures_not_counted == 1 else 'figures'} from "
            f"{site.site.name} {'is' if site.figures_not_counted == 1 else 'are'} not counted yet: "
            "waiting for an evaluator to accept an upload or to approve the return they were entered in."
        )
    sources = "; ".join(
        f"{item.area_name} ({item.area_code}): {item.source}, extracted {item.extracted}"
        for item in site.provenance
    )
    return Panel(
        slug=f"series-{site.site.code}",
        title=f"{site.site.name}: series against comparison areas",
        table=table,
        figure=figure,
        description=f"Sources: {sources}." if sources else "",
        warnings=warnings,
    )


def _theory_of_change(session: Session, scope: Scope, links: Links) -> Panel:
    table = DataTable(
        "Returns whose values break the framework's theory of change",
        [Column("Site"), Column("Period"), Column("What does not add up")],
        empty_message="No return in view breaks the relations the framework declares.",
    )
    breaches = breaches_in_scope(session, scope)
    for breach in breaches:
        table.add_row(
            breach.site.name, Cell(breach.period.code, href=links.to_return(breach.return_id)), breach.message
        )
    return Panel(
        slug="theory-of-change",
        title="Theory of change checks",
        table=table,
        description="Relations the framework declares between indicators, such as job entries being no more "
        "than clients engaged, checked against every return in view.",
        warnings=[f"{len(breaches)} returns in view break the theory of change: check them."]
        if breaches
        else [],
    )
