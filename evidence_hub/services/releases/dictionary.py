"""The data dictionary of a release or a site's data pack, generated from the framework and the tables."""

from __future__ import annotations

from typing import Any

from evidence_hub.models import Framework, FrameworkVersion
from evidence_hub.models.framework import IndicatorUnit
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.releases.table_definitions import TABLES


def data_dictionary(scope: Scope) -> dict[str, Any]:
    """The data dictionary: every framework definition the tables use, then every table column."""
    version = scope.version or _newest_version(scope.framework)
    rows: list[list[Any]] = []
    if version is not None:
        for theme in version.themes:
            rows.append(["Theme", theme.code, theme.title, "", theme.description, "", ""])
        for indicator in version.indicators:
            rows.append(
                [
                    "Indicator",
                    indicator.code,
                    indicator.name,
                    IndicatorUnit(indicator.unit).label,
                    indicator.definition,
                    indicator.include_guidance,
                    indicator.exclude_guidance,
                ]
            )
        for category in version.cost_categories:
            rows.append(
                [
                    "Cost category",
                    category.code,
                    category.name,
                    "£",
                    category.description,
                    category.include_guidance,
                    category.exclude_guidance,
                ]
            )
        for activity_type in version.activity_types:
            rows.append(
                [
                    "Activity type",
                    activity_type.code,
                    activity_type.name,
                    "",
                    activity_type.description,
                    "",
                    "",
                ]
            )
        for dimension in version.learning_dimensions:
            rows.append(
                ["Learning dimension", dimension.code, dimension.name, "", dimension.description, "", ""]
            )
        for milestone in version.milestones:
            rows.append(
                [
                    "Journey milestone",
                    milestone.code,
                    milestone.title,
                    f"{milestone.percentage}%",
                    milestone.definition,
                    "",
                    "",
                ]
            )
    for table in TABLES.values():
        for column in table.columns:
            rows.append(
                [
                    "Column",
                    f"{table.code}.{column.key}",
                    column.heading,
                    column.kind,
                    column.description,
                    "",
                    "",
                ]
            )
    return {
        "columns": ["Kind", "Code", "Name", "Unit or type", "Definition", "Include", "Exclude"],
        "rows": rows,
    }


def _newest_version(framework: Framework) -> FrameworkVersion | None:
    published = [version for version in framework.versions if version.status != "draft"]
    return published[-1] if published else None
