"""The learning view: learning entries by theme and site, barriers and enablers by dimension and site."""

from __future__ import annotations

from sqlalchemy.orm import Session

from evidence_hub.dashboard import charts
from evidence_hub.dashboard.panels.panel import Choice, Links, Panel, ViewContent, chart_subtitle, site_names
from evidence_hub.dashboard.tables import Cell, Column, DataTable, Kind
from evidence_hub.models.framework import LearningType
from evidence_hub.services.dashboards.learning import LearningFigures, learning_figures
from evidence_hub.services.dashboards.scope import Scope


def learning_view(
    session: Session, scope: Scope, links: Links, learning_type: LearningType | None
) -> ViewContent:
    figures = learning_figures(session, scope, learning_type)
    type_label = f"{learning_type.label.lower()} entries" if learning_type else "learning entries"
    matrix = DataTable(
        f"Number of {type_label} by site and theme",
        [
            Column("Site"),
            *(Column(title, Kind.COUNT) for _, title in figures.themes),
            Column("All themes", Kind.COUNT),
        ],
        turned=True,
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
                chart_subtitle(scope),
                site_names(scope),
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


def _dimension_panel(scope: Scope, figures: LearningFigures, kind: LearningType, links: Links) -> Panel:
    plural = {LearningType.BARRIER: "Barriers", LearningType.ENABLER: "Enablers"}[kind]
    table = DataTable(
        f"{plural} by site and dimension",
        [Column("Site"), *(Column(name, Kind.COUNT) for _, name in figures.dimensions)],
        turned=True,
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
            chart_subtitle(scope),
            site_names(scope),
            [name for _, name in figures.dimensions],
            counts,
            "Dimension",
            "Site",
        ),
    )
