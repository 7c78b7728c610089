"""The data dictionary of a release or a site's data pack, generated from the framework and the tables."""

from __future__ import annotations

from typing import Any

from evidence_hub.models import Framework, FrameworkVersion
from evidence_hub.models.framework import Indicator, IndicatorUnit
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.framework.definitions import release_declaration
from evidence_hub.services.framework.file_format import ATTRIBUTABLE_COST
from evidence_hub.services.releases.table_definitions import NOT_ACCREDITED, TABLES


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
                    _released_as(indicator),
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


def _released_as(indicator: Indicator) -> str:
    """The indicator's definition, with how a release shows it where the framework says."""
    declared = release_declaration(indicator.release_rules)
    notes = [indicator.definition.strip()]
    if declared.numerator and declared.denominator:
        numerator = "attributable cost" if declared.numerator == ATTRIBUTABLE_COST else declared.numerator
        times = f" × {declared.multiplier}" if declared.multiplier != 1 else ""
        notes.append(
            f"Released as {numerator} ÷ {declared.denominator}{times}, worked out from the published figures "
            "(withheld when one of them is [c])."
        )
    elif declared.denominator:
        notes.append(f"Released only where {declared.denominator} is published and large enough.")
    if declared.as_percentage_of:
        notes.append(f"Released as a percentage of {declared.as_percentage_of} instead of as a number.")
    if indicator.unit == IndicatorUnit.COUNT.value and declared.counts == "records":
        notes.append("A count of records, not people: shown in full.")
    if declared.management_information:
        notes.append(NOT_ACCREDITED)
    return " ".join(notes)


def _newest_version(framework: Framework) -> FrameworkVersion | None:
    published = [version for version in framework.versions if version.status != "draft"]
    return published[-1] if published else None
