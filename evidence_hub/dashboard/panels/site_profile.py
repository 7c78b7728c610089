"""A site's profile: the same panels as the cross-site views, narrowed to one site."""

from __future__ import annotations

from sqlalchemy.orm import Session

from evidence_hub.dashboard.panels.completeness import completeness_view
from evidence_hub.dashboard.panels.costs import costs_by_category, costs_over_time
from evidence_hub.dashboard.panels.journey import journey_view
from evidence_hub.dashboard.panels.learning import learning_view
from evidence_hub.dashboard.panels.outcomes import evidence_text
from evidence_hub.dashboard.panels.panel import Links, Panel, ViewContent
from evidence_hub.dashboard.tables import Column, DataTable, Kind
from evidence_hub.services.dashboards.costs import CostTotals, cost_figures
from evidence_hub.services.dashboards.outcomes import baselines_for, indicators_in_scope, latest_values
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.value_for_money import value_for_money
from evidence_hub.services.returns.measure_checks import shown_value


def site_profile_view(session: Session, scope: Scope, links: Links) -> ViewContent:
    """One site's whole picture: the same panels as the cross-site views, narrowed to the site."""
    costs = cost_figures(session, scope)
    site = scope.sites[0]
    totals = costs.by_site.get(site.id, CostTotals())
    result = value_for_money(session, scope)
    site_value = result.sites[0] if result.sites else None
    indicators = indicators_in_scope(session, scope)
    latest = latest_values(session, scope)
    baselines = baselines_for(session, scope, [indicator.code for indicator in indicators])
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
            change = share(point.value - baseline.value, baseline.value)
        outcomes.add_row(
            indicator.name,
            shown_value(indicator, baseline.value) if baseline else "No baseline",
            shown_value(indicator, point.value if point else None),
            period_names.get(point.period_id, "") if point else "",
            change,
            evidence_text(point) if point else "",
        )
    journey = journey_view(session, scope, links)
    panels = [
        costs_over_time(scope, costs),
        costs_by_category(scope, costs),
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
