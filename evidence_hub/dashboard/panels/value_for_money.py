"""The value-for-money view: the Green Book figures of every site and of all sites together, period by
period, with their parameters and sources, switching values and the low, central and high range. Every
figure is defined in services/appraisal; this module only lays them out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.dashboard.charts import Axis, SiteSeries, lines_over_time
from evidence_hub.dashboard.panels.panel import (
    Links,
    Panel,
    ViewContent,
    bars_for_sites_shown,
    chart_subtitle,
)
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.services.appraisal.appraisal import PROGRAMME_CODE, ScopeAppraisal
from evidence_hub.services.appraisal.definitions import FigureKey, definition
from evidence_hub.services.appraisal.evidence import NO_RETURN
from evidence_hub.services.appraisal.flows import PeriodFlows
from evidence_hub.services.appraisal.workings import Figure
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.value_for_money import ValueForMoney, value_for_money

# Above this many sites the page opens the workings of all sites together only; each site's are in its
# profile and the API.
MOST_SITES_WITH_WORKINGS = 10
FIGURE_COLUMNS = (
    (FigureKey.PRESENT_VALUE_COSTS, Kind.MONEY),
    (FigureKey.PRESENT_VALUE_BENEFITS, Kind.MONEY),
    (FigureKey.NET_PRESENT_VALUE, Kind.MONEY),
    (FigureKey.BENEFIT_COST_RATIO, Kind.DECIMAL),
    (FigureKey.RETURN_ON_INVESTMENT, Kind.PERCENT),
    (FigureKey.COST_PER_PERSON_REACHED, Kind.MONEY),
    (FigureKey.COST_PER_OUTCOME, Kind.MONEY),
    (FigureKey.COST_PER_ADDITIONAL_OUTCOME, Kind.MONEY),
    (FigureKey.PAYBACK, Kind.TEXT),
)
RANGE_FIGURES = (
    FigureKey.NET_PRESENT_VALUE,
    FigureKey.BENEFIT_COST_RATIO,
    FigureKey.RETURN_ON_INVESTMENT,
    FigureKey.COST_PER_ADDITIONAL_OUTCOME,
)


def cell(figure: Figure, kind: Kind) -> Any:
    """The exact value, rounded by its column; where there is none, the reason ("no return"), never 0."""
    if kind is Kind.TEXT or figure.value is None:
        return figure.display
    return figure.value


def value_for_money_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    result = value_for_money(session, scope)
    if result.range is None:
        return ViewContent(panels=[], context={"value": result})
    programme = result.range.central.programme
    panels = [
        _figures(scope, result, links),
        _periods(scope, programme),
        _range(result),
        _one_at_a_time(result),
        _switching(result),
        _parameters(result),
        *_projection(result),
    ]
    for panel in panels:
        panel.warnings = list(result.notes) + panel.warnings
    shown = [programme, *result.sites] if len(result.sites) <= MOST_SITES_WITH_WORKINGS else [programme]
    return ViewContent(
        panels=panels,
        context={"value": result, "programme": programme, "workings_scopes": shown},
    )


def _figures(scope: Scope, result: ValueForMoney, links: Links) -> Panel:
    table = DataTable(
        "Green Book figures by site",
        [Column("Site")]
        + [Column(_heading(key, kind), kind) for key, kind in FIGURE_COLUMNS]
        + [Column("Approved returns", Kind.COUNT)],
    )
    sites = {site.code: site for site in scope.sites}
    for each in result.scopes():
        name: Any = each.name
        if each.code in sites:
            name = Cell(each.name, href=links.to_site(sites[each.code]))
        table.add_row(
            name,
            *(cell(getattr(each, key.value), kind) for key, kind in FIGURE_COLUMNS),
            each.returns,
        )
    return Panel(
        slug="figures",
        title="Green Book figures",
        description=(
            "Present values are in the price base year's prices, with optimism bias on costs, additional "
            "outcomes valued at the framework's unit values, and every year discounted to year 0. A period "
            "with no approved return is left out and never counted as 0."
        ),
        table=table,
        figure=bars_for_sites_shown(
            scope,
            "Net present value by site",
            [("Net present value", [site.net_present_value.value for site in result.sites])],
            Axis("Net present value (£)", money=True),
        ),
    )


def _heading(key: FigureKey, kind: Kind) -> str:
    name = definition(key).name
    return f"{name} (£)" if kind is Kind.MONEY else name


def _periods(scope: Scope, programme: ScopeAppraisal) -> Panel:
    table = DataTable(
        "All sites, period by period",
        [
            Column("Period"),
            Column("Approved returns", Kind.COUNT),
            Column("Discount factor", Kind.DECIMAL, 4),
            Column("Costs, present value (£)", Kind.MONEY),
            Column("Benefits, present value (£)", Kind.MONEY),
            Column("Cumulative net present value (£)", Kind.MONEY),
            Column("People reached", Kind.COUNT),
        ],
    )
    cumulative: list[Decimal | None] = []
    for row in programme.periods:
        if isinstance(row, PeriodFlows):
            table.add_row(
                row.period.name,
                row.returns,
                row.discount_factor,
                row.costs.present_value(),
                row.benefits.present_value(),
                row.cumulative_net_present_value,
                row.reach.people,
            )
            cumulative.append(row.cumulative_net_present_value)
        else:
            no_return = str(NO_RETURN)
            table.add_row(row.period.name, no_return, no_return, no_return, no_return, no_return, no_return)
            cumulative.append(None)
    return Panel(
        slug="periods",
        title="Cumulative discounted position",
        description=(
            "Payback is the first period at whose end the cumulative net present value reaches zero. "
            "A period with no approved return is shown as “no return” and leaves a gap in the line."
        ),
        table=table,
        figure=lines_over_time(
            "Cumulative net present value, all sites",
            chart_subtitle(scope),
            [period.code for period in scope.periods],
            [SiteSeries("All sites", "#0b0c0c", "solid", cumulative)],
            Axis("Net present value (£)", money=True),
        ),
    )


def _range(result: ValueForMoney) -> Panel:
    assert result.range is not None
    table = DataTable(
        "Low, central and high estimates, all sites",
        [Column("Figure"), Column("Low"), Column("Central"), Column("High")],
    )
    for key in RANGE_FIGURES:
        low, central, high = result.range.figures(PROGRAMME_CODE, key)
        table.add_row(central.name, low.display, central.display, high.display)
    return Panel(
        slug="range",
        title="Low, central and high",
        description=(
            "The low and high estimates move every parameter to the end of its stated range that lowers or "
            "raises the net present value (and, where there is one, to the ends of the impact estimate's "
            "prediction interval). They are not the spread of the sites."
        ),
        table=table,
    )


def _one_at_a_time(result: ValueForMoney) -> Panel:
    assert result.range is not None
    moved = DataTable(
        "Each parameter moved alone",
        [
            Column("Parameter"),
            Column("Range"),
            Column("Net present value at low (£)", Kind.MONEY),
            Column("Net present value at high (£)", Kind.MONEY),
        ],
    )
    for each in result.range.one_at_a_time:
        moved.add_row(
            each.parameter.label,
            each.parameter.text(),
            each.net_present_value_at_low,
            each.net_present_value_at_high,
        )
    return Panel(
        slug="one-at-a-time",
        title="Each parameter moved alone",
        description=(
            "The net present value of all sites with one parameter at the low or high end of its "
            "range and every other at its central value, largest swing first."
        ),
        table=moved,
    )


def _switching(result: ValueForMoney) -> Panel:
    table = DataTable(
        "Switching values",
        [
            Column("Site"),
            Column("Benefits may fall by"),
            Column("Costs may rise by"),
        ],
    )
    for each in result.scopes():
        values = result.switching.get(each.code)
        if values is None:
            table.add_row(each.name, str(NO_RETURN), str(NO_RETURN))
        else:
            table.add_row(each.name, values.benefits.display, values.costs.display)
    return Panel(
        slug="switching",
        title="Switching values",
        description=(
            "How far the present value of benefits may fall, or of costs rise, before the net present value "
            "turns negative."
        ),
        table=table,
    )


def _parameters(result: ValueForMoney) -> Panel:
    assert result.range is not None
    table = DataTable(
        "Parameters and their sources", [Column("Parameter"), Column("Value"), Column("Source")]
    )
    table.add_row("Parameter set", result.settings.parameters_from, "")
    table.add_row(
        "Final outcome", result.range.central.final_outcome_name, result.range.central.final_outcome_basis
    )
    for line in result.range.central.assumptions.lines():
        table.add_row(line.label, line.value, line.source)
    return Panel(slug="parameters", title="Parameters and their sources", table=table)


def _projection(result: ValueForMoney) -> list[Panel]:
    """The roll-out projection and, beside it, the assumptions it rests on; none without an area list."""
    projection = result.projection
    if projection is None:
        return []
    measure = projection.measure.name
    table = DataTable(
        f"Roll-out projection over {projection.years} years, scaled by {measure}",
        [
            Column("Area"),
            Column(f"Size ({measure})", Kind.DECIMAL, 0),
            Column("Present value of costs, central (£)", Kind.MONEY),
            Column("Net present value, low (£)", Kind.MONEY),
            Column("Net present value, central (£)", Kind.MONEY),
            Column("Net present value, high (£)", Kind.MONEY),
            Column("Benefit–cost ratio, central", Kind.DECIMAL),
        ],
    )
    for area in (*projection.areas, projection.total):
        ratio = area.central.benefit_cost_ratio
        table.add_row(
            area.area.name,
            area.area.size,
            area.central.present_value_costs,
            area.low.net_present_value,
            area.central.net_present_value,
            area.high.net_present_value,
            ratio if ratio is not None else "no costs",
        )
    assumptions = DataTable(
        "Assumptions of the roll-out projection",
        [Column("Assumption"), Column("Low"), Column("Central"), Column("High"), Column("Basis")],
    )
    for row in projection.assumptions:
        assumptions.add_row(row.assumption, row.low, row.central, row.high, row.basis)
    return [
        Panel(
            slug="projection",
            title="Roll-out projection",
            description=(
                f"The pilots' costs and benefits per unit of {measure} ({projection.measure.source}), "
                "scaled to each area, with optimism bias on costs and discounting. Low and high use the "
                "low and high appraisals, not the spread of the sites."
            ),
            table=table,
            warnings=list(projection.notes),
        ),
        Panel(slug="projection-assumptions", title="Assumptions of the projection", table=assumptions),
    ]
