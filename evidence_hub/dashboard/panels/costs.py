"""The costs view: attributable cost by site, cash against in kind, by category and over time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis, SiteSeries
from evidence_hub.dashboard.panels.panel import (
    Links,
    Panel,
    ViewContent,
    bars_for_sites_shown,
    chart_subtitle,
    period_labels,
)
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.services.dashboards.costs import CostFigures, CostTotals, cost_figures
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import Scope


def costs_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    figures = cost_figures(session, scope)
    return ViewContent(
        panels=[
            _attributable_by_site(scope, figures, links),
            _cash_and_in_kind(scope, figures, links),
            costs_by_category(scope, figures),
            costs_over_time(scope, figures),
        ],
        context={"cost_total": figures.total},
    )


def _attributable_by_site(scope: Scope, figures: CostFigures, links: Links) -> Panel:
    table = DataTable(
        "Costs by site",
        [
            Column("Site"),
            Column("Recorded costs (£)", Kind.MONEY),
            Column("Attributable to the pilot (£)", Kind.MONEY),
            Column("Share attributable (%)", Kind.PERCENT),
            Column("One-off set-up (£)", Kind.MONEY),
            Column("Recurring running (£)", Kind.MONEY),
        ],
    )
    for site in scope.sites:
        totals = figures.by_site.get(site.id, CostTotals())
        table.add_row(
            Cell(site.name, href=links.to_site(site)),
            totals.recorded,
            totals.attributable,
            totals.attributable_share,
            totals.set_up,
            totals.running,
        )
    total = figures.total
    table.add_row(
        "All sites shown",
        total.recorded,
        total.attributable,
        total.attributable_share,
        total.set_up,
        total.running,
    )
    by_site = [figures.by_site.get(site.id, CostTotals()) for site in scope.sites]
    return Panel(
        slug="by-site",
        title="Cost attributable to the pilot, by site",
        description=(
            "Recorded costs are everything sites entered; the attributable share is what the pilot itself "
            "cost, after each line's attribution. Set-up and running split the attributable cost."
        ),
        table=table,
        figure=bars_for_sites_shown(
            scope,
            "Cost attributable to the pilot, by site",
            [
                ("One-off set-up", [each.set_up for each in by_site]),
                ("Recurring running (hatched)", [each.running for each in by_site]),
            ],
            Axis("Cost (£)", money=True),
        ),
        warnings=list(figures.warnings),
    )


def _cash_and_in_kind(scope: Scope, figures: CostFigures, links: Links) -> Panel:
    table = DataTable(
        "Cash and in-kind cost by site",
        [
            Column("Site"),
            Column("Cash (£)", Kind.MONEY),
            Column("In kind (£)", Kind.MONEY),
            Column("Share in kind (%)", Kind.PERCENT),
        ],
    )
    by_site = [figures.by_site.get(site.id, CostTotals()) for site in scope.sites]
    for site, totals in zip(scope.sites, by_site, strict=True):
        table.add_row(
            Cell(site.name, href=links.to_site(site)),
            totals.cash,
            totals.in_kind,
            share(totals.in_kind, totals.attributable),
        )
    total = figures.total
    table.add_row("All sites shown", total.cash, total.in_kind, share(total.in_kind, total.attributable))
    return Panel(
        slug="cash-in-kind",
        title="Cash and in-kind cost attributable to the pilot, by site",
        description="In-kind cost is staff time, premises and other resources given without payment.",
        table=table,
        figure=bars_for_sites_shown(
            scope,
            "Cash and in-kind cost attributable to the pilot, by site",
            [
                ("Cash", [each.cash for each in by_site]),
                ("In kind (hatched)", [each.in_kind for each in by_site]),
            ],
            Axis("Cost (£)", money=True),
        ),
    )


def costs_by_category(scope: Scope, figures: CostFigures) -> Panel:
    categories = figures.categories
    table = DataTable(
        "Attributable cost by site and category",
        [
            Column("Site"),
            *(Column(f"{name} (£)", Kind.MONEY) for _, name in categories),
            Column("Total (£)", Kind.MONEY),
        ],
    )
    for site in scope.sites:
        values = [
            figures.by_site_category.get((site.id, code), CostTotals()).attributable for code, _ in categories
        ]
        table.add_row(site.name, *values, sum(values, Decimal(0)))
    category_totals = [
        sum(
            (
                figures.by_site_category.get((site.id, code), CostTotals()).attributable
                for site in scope.sites
            ),
            Decimal(0),
        )
        for code, _ in categories
    ]
    table.add_row("All sites shown", *category_totals, sum(category_totals, Decimal(0)))
    names = [name for _, name in categories]
    if _sites_drawn_together(scope):
        series = [("All sites shown", charts.NEUTRAL, category_totals)]
    else:
        series = [
            (
                site.name,
                scope.site_colours[site.id],
                [
                    figures.by_site_category.get((site.id, code), CostTotals()).attributable
                    for code, _ in categories
                ],
            )
            for site in scope.sites
        ]
    warnings = []
    if _sites_drawn_together(scope):
        warnings.append(
            f"With more than {charts.MOST_SITES_AS_SERIES} sites the chart shows all sites together; "
            "the table gives every site."
        )
    return Panel(
        slug="by-category",
        title="Attributable cost by category",
        table=table,
        figure=charts.grouped_bars(
            "Attributable cost by category",
            chart_subtitle(scope),
            names,
            series,
            "Cost category",
            Axis("Cost (£)", money=True),
            horizontal=True,
        ),
        warnings=warnings,
    )


def costs_over_time(scope: Scope, figures: CostFigures) -> Panel:
    periods = scope.periods
    reported_periods = {period_id for periods in figures.periods_reported.values() for period_id in periods}

    def cost_in(totals: dict[Any, CostTotals], key: Any, reported: bool) -> Decimal | None:
        """The attributable cost, £0 for a return with no costs, and a gap where there is no return."""
        if key in totals:
            return totals[key].attributable
        return Decimal(0) if reported else None

    table = DataTable(
        "Attributable cost by site and period",
        [Column("Site"), *(Column(f"{period.name} (£)", Kind.MONEY) for period in periods)],
        turned=True,
    )
    # Ids read once: a national table has a cell for every site and period, fourteen thousand of them.
    period_ids = [period.id for period in periods]
    by_site = {}
    for site_id in (site.id for site in scope.sites):
        reported = figures.periods_reported.get(site_id, ())
        by_site[site_id] = [
            cost_in(figures.by_site_period, (site_id, period_id), period_id in reported)
            for period_id in period_ids
        ]
    all_sites = [
        cost_in(figures.by_period, period_id, period_id in reported_periods) for period_id in period_ids
    ]
    for site in scope.sites:
        table.add_row(site.name, *by_site[site.id])
    table.add_row("All sites shown", *all_sites)
    if _sites_drawn_together(scope):
        series = [SiteSeries("All sites shown", charts.NEUTRAL, "solid", all_sites)]
    else:
        series = [
            SiteSeries(site.name, scope.site_colours[site.id], scope.site_dashes[site.id], by_site[site.id])
            for site in scope.sites
        ]
    return Panel(
        slug="over-time",
        title="Attributable cost over time",
        description="A gap means the site has no return in view for that period.",
        table=table,
        figure=charts.lines_over_time(
            "Attributable cost over time",
            chart_subtitle(scope),
            period_labels(scope),
            series,
            Axis("Cost (£)", money=True),
        ),
    )


def _sites_drawn_together(scope: Scope) -> bool:
    """Too many sites for a series each: the chart draws all sites as one, the table gives every site."""
    return len(scope.sites) > charts.MOST_SITES_AS_SERIES
