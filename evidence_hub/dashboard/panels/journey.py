"""The data-sharing journey view: each site's milestone over time and its register of data flows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis, SiteSeries
from evidence_hub.dashboard.panels.panel import Links, Panel, ViewContent, chart_subtitle, period_labels
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.models.returns import AgreementStatus
from evidence_hub.services.dashboards.journey import (
    data_flow_summaries,
    data_flows,
    days_to_approval,
    journey_points,
)
from evidence_hub.services.dashboards.scope import Scope


def journey_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    points = journey_points(session, scope)
    by_site_period = {(point.site_id, point.period_id): point for point in points}
    milestones = DataTable(
        "Data-sharing milestone (%) by site and period",
        [Column("Site"), *(Column(period.name, Kind.COUNT) for period in scope.periods)],
        turned=True,
    )
    series = []
    # Ids read once: the table has a cell for every site and period, fourteen thousand at national scale.
    period_ids = [period.id for period in scope.periods]
    for site in scope.sites:
        site_id = site.id
        shown = [by_site_period.get((site_id, period_id)) for period_id in period_ids]
        values = [point.percentage if point is not None else None for point in shown]
        hover = [
            (point.title or "No milestone chosen") if point is not None else "No return in view"
            for point in shown
        ]
        milestones.add_row(Cell(site.name, href=links.to_site(site)), *values)
        series.append(
            SiteSeries(
                site.name, scope.site_colours[site_id], scope.site_dashes[site_id], values, hover=hover
            )
        )
    summaries = data_flow_summaries(session, scope)
    register = DataTable(
        "Data flows by site",
        [
            Column("Site"),
            Column("Data flows", Kind.COUNT),
            Column("Requested", Kind.COUNT),
            Column("Approved", Kind.COUNT),
            Column("Received", Kind.COUNT),
            Column("Mean days from request to approval", Kind.DECIMAL, 1),
            Column("Longest wait for approval (days)", Kind.COUNT),
        ],
    )
    for site in scope.sites:
        summary = summaries.get(site.id)
        if summary is None:
            continue
        register.add_row(
            site.name,
            summary.flows,
            summary.requested,
            summary.approved,
            summary.received,
            summary.mean_days_to_approval,
            summary.longest_days_to_approval,
        )
    flows = DataTable(
        "Every data flow",
        [
            Column("Site"),
            Column("Data set"),
            Column("Held by"),
            Column("Agreement"),
            Column("Requested", Kind.DATE),
            Column("Approved", Kind.DATE),
            Column("Received", Kind.DATE),
            Column("Days to approval", Kind.COUNT),
        ],
    )
    for flow, site_name in data_flows(session, scope):
        flows.add_row(
            site_name,
            flow.dataset,
            flow.holder,
            AgreementStatus(flow.agreement_status).label,
            flow.requested_on,
            flow.approved_on,
            flow.received_on,
            days_to_approval(flow),
        )
    shown_sites = [site for site in scope.sites if site.id in summaries]
    return ViewContent(
        panels=[
            Panel(
                slug="milestones",
                title="Data-sharing milestone over time",
                description="Each site's milestone on the framework's 0 to 100 journey, from each return.",
                table=milestones,
                figure=charts.lines_over_time(
                    "Data-sharing milestone over time",
                    chart_subtitle(scope),
                    period_labels(scope),
                    series,
                    Axis("Milestone reached (%)", percent=True, range=(0, 100)),
                ),
            ),
            Panel(
                slug="data-flows",
                title="Data flows requested, approved and received",
                description=(
                    "From each site's data-flow register as it stands today. Days to approval count from the "
                    "request to the approval of each flow that has been approved."
                ),
                table=register,
                figure=charts.bars_by_site(
                    "Mean days from request to approval",
                    "Data-flow registers as they stand today",
                    [site.name for site in shown_sites],
                    [scope.site_colours[site.id] for site in shown_sites],
                    [
                        (
                            "Mean days to approval",
                            [summaries[site.id].mean_days_to_approval for site in shown_sites],
                        )
                    ],
                    Axis("Days"),
                ),
            ),
            Panel(slug="register", title="The data-flow register", table=flows),
        ]
    )
