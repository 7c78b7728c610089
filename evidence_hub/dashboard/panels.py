"""What each dashboard view shows: its panels (a chart, the table of the same numbers, warnings).

A builder takes the session, the scope and the view's own choice (an indicator, an outcome, a learning
type) and returns the panels; the page and the CSV download both call it, so a download always holds
exactly the table under the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis, SiteSeries
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.models import Site
from evidence_hub.models.framework import IndicatorUnit, LearningType
from evidence_hub.models.returns import AgreementStatus
from evidence_hub.services.dashboards import figures as aggregates
from evidence_hub.services.dashboards import value_for_money
from evidence_hub.services.dashboards.figures import CostFigures, IndicatorDefinition, Scope
from evidence_hub.services.returns.measure_checks import shown_value


@dataclass
class Panel:
    slug: str
    title: str
    table: DataTable
    figure: charts.Figure | None = None
    description: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def chart_label(self) -> str:
        return f"Chart: {self.title}. The table below gives the same figures."


@dataclass
class Links:
    """Addresses the panels link to, made by the view (the panels know no routes)."""

    to_return: Callable[[int], str]
    # None where the user may not read the entries (another site's, for a site lead).
    to_entries: Callable[..., str | None]
    to_site: Callable[[Site], str]


@dataclass(frozen=True)
class Choice:
    """A view's own choice, such as which indicator to chart, offered above its panels."""

    name: str
    label: str
    choices: list[tuple[str, str]]
    chosen: str
    button: str


@dataclass
class ViewContent:
    panels: list[Panel]
    context: dict[str, Any] = field(default_factory=dict)

    def panel(self, slug: str) -> Panel | None:
        return next((panel for panel in self.panels if panel.slug == slug), None)


def _site_names(scope: Scope) -> list[str]:
    return [site.name for site in scope.sites]


def _bars_for_sites_shown(
    scope: Scope,
    title: str,
    parts: list[tuple[str, list[Any]]],
    value_axis: Axis,
    *,
    stacked: bool = True,
) -> charts.Figure:
    """A bar per site in view, in the site's own colour, subtitled with the returns it is drawn from."""
    return charts.bars_by_site(
        title,
        _subtitle(scope),
        _site_names(scope),
        [scope.site_colours[site.id] for site in scope.sites],
        parts,
        value_axis,
        stacked=stacked,
    )


def _many_sites(scope: Scope) -> bool:
    return len(scope.sites) > charts.MOST_SITES_AS_SERIES


def _period_labels(scope: Scope) -> list[str]:
    """Periods along a chart's axis by their short codes (2009-Q2); tables give the full names."""
    return [period.code for period in scope.periods]


def _subtitle(scope: Scope) -> str:
    return f"{scope.state.label}, {scope.period_label()}"


# --- Costs ----------------------------------------------------------------------------------------


def costs_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    figures = aggregates.cost_figures(session, scope)
    return ViewContent(
        panels=[
            _attributable_by_site(scope, figures, links),
            _cash_and_in_kind(scope, figures, links),
            _costs_by_category(scope, figures),
            _costs_over_time(scope, figures),
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
        totals = figures.by_site.get(site.id, aggregates.CostTotals())
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
    by_site = [figures.by_site.get(site.id, aggregates.CostTotals()) for site in scope.sites]
    return Panel(
        slug="by-site",
        title="Cost attributable to the pilot, by site",
        description=(
            "Recorded costs are everything sites entered; the attributable share is what the pilot itself "
            "cost, after each line's attribution. Set-up and running split the attributable cost."
        ),
        table=table,
        figure=_bars_for_sites_shown(
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
    by_site = [figures.by_site.get(site.id, aggregates.CostTotals()) for site in scope.sites]
    for site, totals in zip(scope.sites, by_site, strict=True):
        table.add_row(
            Cell(site.name, href=links.to_site(site)),
            totals.cash,
            totals.in_kind,
            aggregates.share(totals.in_kind, totals.attributable),
        )
    total = figures.total
    table.add_row(
        "All sites shown", total.cash, total.in_kind, aggregates.share(total.in_kind, total.attributable)
    )
    return Panel(
        slug="cash-in-kind",
        title="Cash and in-kind cost attributable to the pilot, by site",
        description="In-kind cost is staff time, premises and other resources given without payment.",
        table=table,
        figure=_bars_for_sites_shown(
            scope,
            "Cash and in-kind cost attributable to the pilot, by site",
            [
                ("Cash", [each.cash for each in by_site]),
                ("In kind (hatched)", [each.in_kind for each in by_site]),
            ],
            Axis("Cost (£)", money=True),
        ),
    )


def _costs_by_category(scope: Scope, figures: CostFigures) -> Panel:
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
            figures.by_site_category.get((site.id, code), aggregates.CostTotals()).attributable
            for code, _ in categories
        ]
        table.add_row(site.name, *values, sum(values, Decimal(0)))
    category_totals = [
        sum(
            (
                figures.by_site_category.get((site.id, code), aggregates.CostTotals()).attributable
                for site in scope.sites
            ),
            Decimal(0),
        )
        for code, _ in categories
    ]
    table.add_row("All sites shown", *category_totals, sum(category_totals, Decimal(0)))
    names = [name for _, name in categories]
    if _many_sites(scope):
        series = [("All sites shown", charts.NEUTRAL, category_totals)]
    else:
        series = [
            (
                site.name,
                scope.site_colours[site.id],
                [
                    figures.by_site_category.get((site.id, code), aggregates.CostTotals()).attributable
                    for code, _ in categories
                ],
            )
            for site in scope.sites
        ]
    warnings = []
    if _many_sites(scope):
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
            _subtitle(scope),
            names,
            series,
            "Cost category",
            Axis("Cost (£)", money=True),
            horizontal=True,
        ),
        warnings=warnings,
    )


def _costs_over_time(scope: Scope, figures: CostFigures) -> Panel:
    periods = scope.periods
    reported_periods = {period_id for periods in figures.periods_reported.values() for period_id in periods}

    def cost_in(totals: dict[Any, aggregates.CostTotals], key: Any, reported: bool) -> Decimal | None:
        """The attributable cost, £0 for a return with no costs, and a gap where there is no return."""
        if key in totals:
            return totals[key].attributable
        return Decimal(0) if reported else None

    table = DataTable(
        "Attributable cost by site and period",
        [Column("Site"), *(Column(f"{period.name} (£)", Kind.MONEY) for period in periods)],
    )
    by_site = {
        site.id: [
            cost_in(
                figures.by_site_period,
                (site.id, period.id),
                period.id in figures.periods_reported.get(site.id, ()),
            )
            for period in periods
        ]
        for site in scope.sites
    }
    all_sites = [cost_in(figures.by_period, period.id, period.id in reported_periods) for period in periods]
    for site in scope.sites:
        table.add_row(site.name, *by_site[site.id])
    table.add_row("All sites shown", *all_sites)
    if _many_sites(scope):
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
            _subtitle(scope),
            _period_labels(scope),
            series,
            Axis("Cost (£)", money=True),
        ),
    )


# --- Outcomes -------------------------------------------------------------------------------------


def _unit_axis(indicator: IndicatorDefinition) -> Axis:
    unit = IndicatorUnit(indicator.unit)
    return Axis(
        f"{indicator.name} ({unit.label.lower()})",
        money=unit is IndicatorUnit.MONEY_GBP,
        percent=unit is IndicatorUnit.PERCENTAGE,
    )


def _value_kind(indicator: IndicatorDefinition) -> tuple[Kind, int]:
    unit = IndicatorUnit(indicator.unit)
    if unit is IndicatorUnit.MONEY_GBP:
        return Kind.MONEY, 2
    return Kind.DECIMAL, indicator.decimal_places


def _evidence_text(point: aggregates.OutcomePoint) -> str:
    if point.value is None:
        return "Not available: " + (point.not_available_reason or "")
    if point.evidence_level is None:
        return "Not stated (below minimum)"
    text = f"{point.evidence_scale} level {point.evidence_level}"
    return text + (" (below minimum)" if point.below_minimum else "")


def outcomes_view(session: Session, scope: Scope, links: Links, indicator_code: str | None) -> ViewContent:
    indicators = aggregates.indicators_in_scope(session, scope)
    summaries = aggregates.indicator_summaries(session, scope)
    indicator = next(
        (each for each in indicators if each.code == indicator_code), indicators[0] if indicators else None
    )
    panels = []
    if indicator is not None:
        figures = aggregates.outcome_figures(session, scope, indicator)
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


def _values_over_time(scope: Scope, figures: aggregates.OutcomeFigures) -> Panel:
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
    for point in figures.points:
        table.add_row(
            names[point.site_id],
            period_names[point.period_id],
            point.value,
            point.target,
            _evidence_text(point),
        )
    series = []
    points_by_site = figures.points_by_site()
    for site in scope.sites:
        points = points_by_site.get(site.id, {})
        values, hollow, hover = [], [], []
        for period in scope.periods:
            shown = points.get(period.id)
            values.append(shown.value if shown else None)
            hollow.append(bool(shown and (shown.below_minimum or shown.evidence_level is None)))
            hover.append(_evidence_text(shown) if shown else "No return in view")
        series.append(
            SiteSeries(
                site.name, scope.site_colours[site.id], scope.site_dashes[site.id], values, hollow, hover
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
            _subtitle(scope),
            _period_labels(scope),
            series,
            _unit_axis(indicator),
        ),
        warnings=list(figures.warnings),
    )


def _change_from_baseline(scope: Scope, figures: aggregates.OutcomeFigures, links: Links) -> Panel:
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
            "as a share of the distance from baseline to the latest target."
        ),
        table=table,
        figure=_bars_for_sites_shown(
            scope,
            f"{indicator.name}: change from baseline (%)",
            [("Change from baseline (%)", changes)],
            Axis("Change from baseline (%)", percent=True),
        ),
    )


def _indicator_summary(
    indicators: list[IndicatorDefinition], summaries: dict[str, aggregates.IndicatorSummary]
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


# --- Value for money ------------------------------------------------------------------------------


def value_for_money_view(
    session: Session, scope: Scope, links: Links, outcome_code: str | None
) -> ViewContent:
    result = value_for_money.value_for_money(session, scope, outcome_code)
    names = {site.id: site for site in scope.sites}
    panels = [_cost_per_person(scope, result, names, links)]
    if result.outcome is not None:
        panels.append(_cost_per_outcome(scope, result, names, links))
    panels.append(_savings_against_costs(scope, result, names, links))
    for panel in panels:
        panel.warnings = list(result.warnings) + panel.warnings
    choice = Choice(
        "outcome",
        "Outcome to set costs against",
        [(each.code, each.name) for each in result.outcome_choices],
        result.outcome.code if result.outcome else "",
        "Show outcome",
    )
    return ViewContent(panels=panels, context={"outcome": result.outcome, "choice": choice})


def _warnings_text(site: value_for_money.SiteValue) -> str:
    return "; ".join(site.warnings)


def _cost_per_person(
    scope: Scope, result: value_for_money.ValueForMoney, sites: dict[int, Site], links: Links
) -> Panel:
    table = DataTable(
        "Cost per person reached",
        [
            Column("Site"),
            Column("Attributable cost (£)", Kind.MONEY),
            Column("Activities", Kind.COUNT),
            Column("People reached", Kind.COUNT),
            Column("Cost per person reached (£)", Kind.MONEY),
            Column("Warnings"),
        ],
    )
    for each in result.sites:
        table.add_row(
            Cell(sites[each.site_id].name, href=links.to_site(sites[each.site_id])),
            each.costs.attributable,
            each.activities.activities,
            each.activities.people_reached,
            each.cost_per_person,
            _warnings_text(each),
        )
    return Panel(
        slug="cost-per-person",
        title="Cost per person reached",
        description="Attributable cost divided by the people the site's activities reached.",
        table=table,
        figure=_bars_for_sites_shown(
            scope,
            "Cost per person reached",
            [("Cost per person reached", [each.cost_per_person for each in result.sites])],
            Axis("Cost per person (£)", money=True),
        ),
    )


def _cost_per_outcome(
    scope: Scope, result: value_for_money.ValueForMoney, sites: dict[int, Site], links: Links
) -> Panel:
    outcome = result.outcome
    assert outcome is not None
    table = DataTable(
        f"Cost per unit of {outcome.name}",
        [
            Column("Site"),
            Column("Attributable cost (£)", Kind.MONEY),
            Column(f"{outcome.name} (total)", Kind.DECIMAL, outcome.decimal_places),
            Column("Periods with a value", Kind.COUNT),
            Column("Baseline recorded"),
            Column(f"Cost per unit of {outcome.name} (£)", Kind.MONEY),
            Column("Warnings"),
        ],
    )
    for each in result.sites:
        table.add_row(
            Cell(sites[each.site_id].name, href=links.to_site(sites[each.site_id])),
            each.costs.attributable,
            each.outcome.total if each.outcome else None,
            each.outcome.values if each.outcome else 0,
            "Yes" if each.has_baseline else "No",
            each.cost_per_outcome,
            _warnings_text(each),
        )
    return Panel(
        slug="cost-per-outcome",
        title=f"Cost per unit of {outcome.name}",
        description=(
            f"Attributable cost divided by the total of {outcome.name} over the periods shown. "
            f"{outcome.definition}"
        ),
        table=table,
        figure=_bars_for_sites_shown(
            scope,
            f"Cost per unit of {outcome.name}",
            [(f"Cost per unit of {outcome.name}", [each.cost_per_outcome for each in result.sites])],
            Axis("Cost per unit (£)", money=True),
        ),
    )


def _savings_against_costs(
    scope: Scope, result: value_for_money.ValueForMoney, sites: dict[int, Site], links: Links
) -> Panel:
    table = DataTable(
        "Costs avoided against costs",
        [
            Column("Site"),
            Column("Attributable cost (£)", Kind.MONEY),
            Column("One-off set-up (£)", Kind.MONEY),
            Column("Recurring running (£)", Kind.MONEY),
            Column("Periods", Kind.COUNT),
            Column("Savings claims", Kind.COUNT),
            Column("Costs avoided (£)", Kind.MONEY),
            Column("Net saving (£)", Kind.MONEY),
            Column("Return on cost (%)", Kind.PERCENT),
            Column("Payback (periods)", Kind.DECIMAL, 1),
        ],
    )
    for each in result.sites:
        payback: Any = each.payback_periods
        if each.payback_not_reached:
            payback = "Not reached"
        elif not each.savings.claims:
            payback = "No savings claimed"
        table.add_row(
            Cell(sites[each.site_id].name, href=links.to_site(sites[each.site_id])),
            each.costs.attributable,
            each.costs.set_up,
            each.costs.running,
            each.periods,
            each.savings.claims,
            each.savings.amount,
            each.net_saving,
            each.return_percent,
            payback,
        )
    return Panel(
        slug="savings",
        title="Costs avoided against costs",
        description=(
            "Costs avoided are the savings sites claim, with their evidence. Return on cost is costs avoided "
            "less cost, as a share of cost. Payback is the set-up cost divided by the average net saving per "
            "period (costs avoided less running cost); 'Not reached' means running costs match or exceed "
            "the savings claimed."
        ),
        table=table,
        figure=_bars_for_sites_shown(
            scope,
            "Costs avoided against costs",
            [
                ("Attributable cost", [each.costs.attributable for each in result.sites]),
                ("Costs avoided (hatched)", [each.savings.amount for each in result.sites]),
            ],
            Axis("£", money=True),
            stacked=False,
        ),
    )


# --- Completeness ---------------------------------------------------------------------------------


def completeness_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    figures = aggregates.completeness_figures(session, scope)
    sites = aggregates.completeness_sites(scope)
    site_ids = [site.id for site in sites]
    grid = DataTable(
        "Return status and share of required items reported, by site and period",
        [
            Column("Site"),
            *(Column(period.name) for period in scope.periods),
            Column("Items reported (%)", Kind.PERCENT),
        ],
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
                f"{cell.status.label}, {percent.quantize(Decimal(1))}% reported"
                if percent is not None
                else cell.status.label
            )
            cells.append(Cell(shown, href=links.to_return(cell.return_id)))
        reported, required = figures.site_items(site.id)
        grid.add_row(Cell(site.name, href=links.to_site(site)), *cells, aggregates.share(reported, required))
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
        rate_percent = aggregates.share(submitted, len(site_ids))
        rates.append(rate_percent)
        rate.add_row(
            period.name, len(site_ids), submitted, rate_percent, aggregates.share(reported, required)
        )
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
            ),
            Panel(
                slug="reporting-rate",
                title="Reporting rate by period",
                description="Returns submitted (including approved or locked) as a share of the sites shown.",
                table=rate,
                figure=charts.grouped_bars(
                    "Reporting rate by period",
                    f"Every return whatever its state, {scope.period_label()}",
                    _period_labels(scope),
                    [("Reporting rate", charts.NEUTRAL, rates)],
                    "Reporting period",
                    Axis("Sites that submitted (%)", percent=True, range=(0, 100)),
                ),
            ),
        ]
    )


# --- Learning -------------------------------------------------------------------------------------


def learning_view(
    session: Session, scope: Scope, links: Links, learning_type: LearningType | None
) -> ViewContent:
    figures = aggregates.learning_figures(session, scope, learning_type)
    type_label = f"{learning_type.label.lower()} entries" if learning_type else "learning entries"
    matrix = DataTable(
        f"Number of {type_label} by site and theme",
        [
            Column("Site"),
            *(Column(title, Kind.COUNT) for _, title in figures.themes),
            Column("All themes", Kind.COUNT),
        ],
    )
    counts = []
    for site in scope.sites:
        row = [figures.by_theme_site.get((code, site.id), 0) for code, _ in figures.themes]
        counts.append(row)
        matrix.add_row(
            site.name,
            *(
                Cell(count, href=links.to_entries(theme=code, site=site.code, type=learning_type))
                if count
                else 0
                for (code, _), count in zip(figures.themes, row, strict=True)
            ),
            Cell(figures.site_total(site.id), href=links.to_entries(site=site.code, type=learning_type))
            if figures.site_total(site.id)
            else 0,
        )
    matrix.add_row(
        "All sites shown",
        *(
            Cell(figures.theme_total(code), href=links.to_entries(theme=code, type=learning_type))
            if figures.theme_total(code)
            else 0
            for code, _ in figures.themes
        ),
        figures.total,
    )
    panels = [
        Panel(
            slug="themes",
            title=f"{type_label.capitalize()} by theme and site",
            description="Each count opens the entries behind it.",
            table=matrix,
            figure=charts.count_matrix(
                f"{type_label.capitalize()} by theme and site",
                _subtitle(scope),
                _site_names(scope),
                [title for _, title in figures.themes],
                counts,
                "Theme",
                "Site",
            ),
        )
    ]
    for kind in (LearningType.BARRIER, LearningType.ENABLER):
        panels.append(_dimension_panel(scope, figures, kind, links))
    choice = Choice(
        "type",
        "Type of learning",
        [("", "All types"), *((each.value, each.label) for each in LearningType)],
        learning_type.value if learning_type else "",
        "Show learning",
    )
    return ViewContent(panels=panels, context={"learning_type": learning_type, "choice": choice})


def _dimension_panel(
    scope: Scope, figures: aggregates.LearningFigures, kind: LearningType, links: Links
) -> Panel:
    plural = {LearningType.BARRIER: "Barriers", LearningType.ENABLER: "Enablers"}[kind]
    table = DataTable(
        f"{plural} by site and dimension",
        [Column("Site"), *(Column(name, Kind.COUNT) for _, name in figures.dimensions)],
    )
    counts = []
    for site in scope.sites:
        row = [
            figures.by_dimension_site_type.get((code, site.id, kind.value), 0)
            for code, _ in figures.dimensions
        ]
        counts.append(row)
        table.add_row(
            site.name,
            *(
                Cell(count, href=links.to_entries(dimension=code, site=site.code, type=kind)) if count else 0
                for (code, _), count in zip(figures.dimensions, row, strict=True)
            ),
        )
    return Panel(
        slug=f"{kind.value}s",
        title=f"{plural} by dimension and site",
        description="An entry can touch several dimensions, so it can be counted in more than one column.",
        table=table,
        figure=charts.count_matrix(
            f"{plural} by dimension and site",
            _subtitle(scope),
            _site_names(scope),
            [name for _, name in figures.dimensions],
            counts,
            "Dimension",
            "Site",
        ),
    )


# --- Data-sharing journey -------------------------------------------------------------------------


def journey_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    points = aggregates.journey_points(session, scope)
    by_site_period = {(point.site_id, point.period_id): point for point in points}
    milestones = DataTable(
        "Data-sharing milestone (%) by site and period",
        [Column("Site"), *(Column(period.name, Kind.COUNT) for period in scope.periods)],
    )
    series = []
    for site in scope.sites:
        values = [
            point.percentage if (point := by_site_period.get((site.id, period.id))) is not None else None
            for period in scope.periods
        ]
        hover = [
            (point.title or "No milestone chosen")
            if (point := by_site_period.get((site.id, period.id)))
            else "No return in view"
            for period in scope.periods
        ]
        milestones.add_row(Cell(site.name, href=links.to_site(site)), *values)
        series.append(
            SiteSeries(
                site.name, scope.site_colours[site.id], scope.site_dashes[site.id], values, hover=hover
            )
        )
    summaries = aggregates.data_flow_summaries(session, scope)
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
            Column("Requested"),
            Column("Approved"),
            Column("Received"),
            Column("Days to approval", Kind.COUNT),
        ],
    )
    for flow, site_name in aggregates.data_flows(session, scope):
        flows.add_row(
            site_name,
            flow.dataset,
            flow.holder,
            AgreementStatus(flow.agreement_status).label,
            _date(flow.requested_on),
            _date(flow.approved_on),
            _date(flow.received_on),
            aggregates.days_to_approval(flow),
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
                    _subtitle(scope),
                    _period_labels(scope),
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


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


# --- Site profile ---------------------------------------------------------------------------------


def site_profile_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    """One site's whole picture: the same panels as the cross-site views, narrowed to the site."""
    costs = aggregates.cost_figures(session, scope)
    site = scope.sites[0]
    totals = costs.by_site.get(site.id, aggregates.CostTotals())
    result = value_for_money.value_for_money(session, scope, None, costs=costs)
    site_value = result.sites[0]
    indicators = aggregates.indicators_in_scope(session, scope)
    latest = aggregates.latest_values(session, scope)
    baselines = aggregates.baselines_for(session, scope, [indicator.code for indicator in indicators])
    outcomes = DataTable(
        "Every indicator: latest value against baseline",
        [
            Column("Indicator"),
            Column("Baseline"),
            Column("Latest value"),
            Column("Latest period"),
            Column("Change (%)", Kind.PERCENT),
            Column("Evidence strength"),
        ],
    )
    period_names = {period.id: period.name for period in scope.periods}
    for indicator in indicators:
        point = latest.get(indicator.code)
        baseline = baselines.get((site.id, indicator.code))
        change = None
        if point is not None and point.value is not None and baseline is not None:
            change = aggregates.share(point.value - baseline.value, baseline.value)
        outcomes.add_row(
            indicator.name,
            shown_value(indicator, baseline.value) if baseline else "No baseline",
            shown_value(indicator, point.value if point else None),
            period_names.get(point.period_id, "") if point else "",
            change,
            _evidence_text(point) if point else "",
        )
    journey = journey_view(session, scope, links)
    panels = [
        _costs_over_time(scope, costs),
        _costs_by_category(scope, costs),
        Panel(slug="outcomes", title="Outcomes against baselines", table=outcomes),
        journey.panel("milestones"),
        journey.panel("register"),
        learning_view(session, scope, links, None).panel("themes"),
        completeness_view(session, scope, links).panel("grid"),
    ]
    return ViewContent(
        panels=[panel for panel in panels if panel is not None],
        context={"site": site, "totals": totals, "site_value": site_value},
    )
