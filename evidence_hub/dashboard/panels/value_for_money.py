"""The value-for-money view: cost per person reached, cost per unit of outcome, and costs avoided against
costs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.dashboard.charts import Axis
from evidence_hub.dashboard.panels.panel import Choice, Links, Panel, ViewContent, bars_for_sites_shown
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.models import Site
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.value_for_money import SiteValue, ValueForMoney, value_for_money


def value_for_money_view(
    session: Session, scope: Scope, links: Links, outcome_code: str | None
) -> ViewContent:
    result = value_for_money(session, scope, outcome_code)
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


def _warnings_text(site: SiteValue) -> str:
    return "; ".join(site.warnings)


def _cost_per_person(scope: Scope, result: ValueForMoney, sites: dict[int, Site], links: Links) -> Panel:
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
        figure=bars_for_sites_shown(
            scope,
            "Cost per person reached",
            [("Cost per person reached", [each.cost_per_person for each in result.sites])],
            Axis("Cost per person (£)", money=True),
        ),
    )


def _cost_per_outcome(scope: Scope, result: ValueForMoney, sites: dict[int, Site], links: Links) -> Panel:
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
        figure=bars_for_sites_shown(
            scope,
            f"Cost per unit of {outcome.name}",
            [(f"Cost per unit of {outcome.name}", [each.cost_per_outcome for each in result.sites])],
            Axis("Cost per unit (£)", money=True),
        ),
    )


def _savings_against_costs(
    scope: Scope, result: ValueForMoney, sites: dict[int, Site], links: Links
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
        figure=bars_for_sites_shown(
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
