"""A dashboard panel (a chart, the table of the same numbers, warnings), the content of a view, and what
every view's charts share: each site in its own colour, subtitled with the returns they are drawn from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.charts import Axis
from evidence_hub.dashboard.tables import DataTable
from evidence_hub.models import Site
from evidence_hub.services.dashboards.scope import Scope


@dataclass
class Panel:
    slug: str
    title: str
    table: DataTable
    figure: charts.Figure | None = None
    description: str = ""
    warnings: list[str] = field(default_factory=list)
    # True for a panel that counts every return whatever its state (completeness): its label says so
    # rather than repeating the filter on the returns' states, which it does not apply.
    every_state: bool = False

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


def site_names(scope: Scope) -> list[str]:
    return [site.name for site in scope.sites]


def bars_for_sites_shown(
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
        chart_subtitle(scope),
        site_names(scope),
        [scope.site_colours[site.id] for site in scope.sites],
        parts,
        value_axis,
        stacked=stacked,
    )


def period_labels(scope: Scope) -> list[str]:
    """Periods along a chart's axis by their short codes (2009-Q2); tables give the full names."""
    return [period.code for period in scope.periods]


def chart_subtitle(scope: Scope) -> str:
    return f"{scope.state.label}, {scope.period_label()}"
