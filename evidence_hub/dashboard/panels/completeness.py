"""The completeness view: every return's state by site and period, and the reporting rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis
from evidence_hub.dashboard.panels.panel import Links, Panel, ViewContent, period_labels
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.services.dashboards.completeness import completeness_figures, completeness_sites
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import Scope


def completeness_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    figures = completeness_figures(session, scope)
    sites = completeness_sites(scope)
    site_ids = [site.id for site in sites]
    grid = DataTable(
        "Return status and share of required items reported, by site and period",
        [
            Column("Site"),
            *(Column(period.name) for period in scope.periods),
            Column("Items reported (%)", Kind.PERCENT),
        ],
        turned=True,
    )
    for site in sites:
        cells: list[Any] = []
        for period in scope.periods:
            cell = figures.cells.get((site.id, period.id))
            if cell is None:
                cells.append("No return")
                continue
            percent = cell.reported_percent
            shown = (
                f"{cell.state_label}, {percent.quantize(Decimal(1))}% reported"
                if percent is not None
                else cell.state_label
            )
            cells.append(Cell(shown, href=links.to_return(cell.return_id)))
        reported, required = figures.site_items(site.id)
        grid.add_row(Cell(site.name, href=links.to_site(site)), *cells, share(reported, required))
    rate = DataTable(
        "Reporting rate by period",
        [
            Column("Reporting period"),
            Column("Sites", Kind.COUNT),
            Column("Returns submitted", Kind.COUNT),
            Column("Reporting rate (%)", Kind.PERCENT),
            Column("Required items reported (%)", Kind.PERCENT),
        ],
    )
    rates = []
    for period in scope.periods:
        submitted = figures.returns_submitted_in_period(period.id, site_ids)
        reported, required = figures.period_items(period.id)
        rate_percent = share(submitted, len(site_ids))
        rates.append(rate_percent)
        rate.add_row(period.name, len(site_ids), submitted, rate_percent, share(reported, required))
    return ViewContent(
        panels=[
            Panel(
                slug="grid",
                title="Returns by site and period",
                description=(
                    "Every return whatever its state. Required items are the indicators every return must "
                    "report and the data-sharing milestone; an indicator counts as reported when the return "
                    "gives a value. Open a cell to see the return."
                ),
                table=grid,
                every_state=True,
            ),
            Panel(
                slug="reporting-rate",
                title="Reporting rate by period",
                description="Returns submitted (including approved or locked) as a share of the sites shown.",
                table=rate,
                every_state=True,
                figure=charts.grouped_bars(
                    "Reporting rate by period",
                    f"Every return whatever its state, {scope.period_label()}",
                    period_labels(scope),
                    [("Reporting rate", charts.NEUTRAL, rates)],
                    "Reporting period",
                    Axis("Sites that submitted (%)", percent=True, range=(0, 100)),
                ),
            ),
        ]
    )
