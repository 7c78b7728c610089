"""What each table of a release (or of a site's own data pack) holds: its columns, their kinds and what they
mean, in the form a release stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ColumnDefinition:
    key: str
    heading: str
    # text, money (decimal string, pounds), count (int), people (int or [c]: a disclosure-controlled count
    # of people), number (decimal string, [c] or None), percent (decimal string, [c] or None), date, flag
    kind: str
    description: str


@dataclass(frozen=True)
class TableDefinition:
    code: str
    title: str
    description: str
    columns: tuple[ColumnDefinition, ...]
    row_count: int = 0

    def column_index(self, key: str) -> int:
        return next(index for index, column in enumerate(self.columns) if column.key == key)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "description": self.description,
            "row_count": self.row_count,
            "columns": [column.__dict__ for column in self.columns],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableDefinition:
        return cls(
            code=data["code"],
            title=data["title"],
            description=data["description"],
            row_count=int(data.get("row_count", 0)),
            columns=tuple(ColumnDefinition(**column) for column in data["columns"]),
        )


@dataclass
class AggregatedTable:
    definition: TableDefinition
    rows: Sequence[list[Any]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.definition.code


def _column(key: str, heading: str, kind: str, description: str) -> ColumnDefinition:
    return ColumnDefinition(key, heading, kind, description)


SITE_COLUMNS = (
    _column("site_code", "Site code", "text", "The pilot site's short code."),
    _column("site", "Site", "text", "The pilot site (a local area and its partners)."),
)
PERIOD_COLUMNS = (
    _column("period_code", "Period code", "text", "The reporting period's code, e.g. 2025-Q1."),
    _column("period", "Period", "text", "The reporting period."),
)
MONEY_NOTE = "Pounds and pence, from approved returns."
# Said beside the figures the framework declares the sites' own management information (DWP guidance:
# information shared is the provider's own and "not accredited by the Department").
NOT_ACCREDITED = "The sites' own management information, not accredited by the Department."

TABLES: dict[str, TableDefinition] = {
    table.code: table
    for table in (
        TableDefinition(
            "returns",
            "Returns and completeness",
            "Whether each site's return for each period was approved when the figures were taken, and how "
            "many of the items every return must report it reported.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("status", "Return", "text", "Approved, or not approved when the figures were taken."),
                _column("items_reported", "Items reported", "count", "Required items the return reports."),
                _column("items_required", "Items required", "count", "Items every return must report."),
            ),
        ),
        TableDefinition(
            "costs",
            "Costs by site, period and category",
            "Costs recorded by each site and the part attributable to the pilot, split set-up against "
            "running and cash against in-kind.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("category_code", "Category code", "text", "The framework's cost category code."),
                _column("category", "Cost category", "text", "The framework's cost category."),
                _column("recorded", "Recorded (£)", "money", "All costs recorded. " + MONEY_NOTE),
                _column("attributable", "Attributable (£)", "money", "The part attributable to the pilot."),
                _column("set_up", "Set-up (£)", "money", "Attributable one-off set-up costs."),
                _column("running", "Running (£)", "money", "Attributable running costs."),
                _column("cash", "Cash (£)", "money", "Attributable costs paid in cash."),
                _column(
                    "in_kind", "In kind (£)", "money", "Attributable costs given in kind (e.g. staff time)."
                ),
            ),
        ),
        TableDefinition(
            "savings",
            "Savings claimed by site and period",
            "Costs avoided that sites claim the pilot achieved, and how many claims carry no evidence level.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("claims", "Claims", "count", "Number of saving claims."),
                _column("amount", "Savings claimed (£)", "money", "Total claimed. " + MONEY_NOTE),
                _column(
                    "claims_without_evidence_level",
                    "Claims without an evidence level",
                    "count",
                    "Claims the site gave no evidence level for: treat them with care.",
                ),
            ),
        ),
        TableDefinition(
            "activities",
            "Activities by site, period and type",
            "How many activities of each type each site carried out.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("activity_type_code", "Activity type code", "text", "The framework's activity type."),
                _column("activity_type", "Activity type", "text", "The framework's activity type."),
                _column("activities", "Activities", "count", "Number of activities recorded."),
                _column(
                    "activities_without_reach",
                    "Activities without a count of people",
                    "count",
                    "Activities for which the site did not record how many people took part.",
                ),
            ),
        ),
        TableDefinition(
            "people_reached",
            "People reached by site and period",
            "People reached by the pilot's activities, with totals for each site (all periods), each "
            "period (all sites) and overall. Disclosure-controlled.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column(
                    "people_reached", "People reached", "people", "A count of people, disclosure-controlled."
                ),
            ),
        ),
        TableDefinition(
            "measures",
            "Impact measures by site and period",
            "Each indicator's value as reported by each site, with its target and the strength of the "
            "evidence behind it.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("indicator_code", "Indicator code", "text", "The framework's indicator code."),
                _column("indicator", "Indicator", "text", "The framework's indicator."),
                _column("unit", "Unit", "text", "The indicator's unit."),
                _column(
                    "value",
                    "Value",
                    "number",
                    "The value reported; empty when the site said it was not yet available. Counts of people "
                    "are disclosure-controlled.",
                ),
                _column("target", "Target", "number", "The site's target for the period, if it set one."),
                _column(
                    "evidence_scale", "Evidence scale", "text", "The published scale of the evidence level."
                ),
                _column(
                    "evidence_level",
                    "Evidence level",
                    "count",
                    "The level on that scale (higher is stronger).",
                ),
                _column("evidence_level_name", "Evidence level name", "text", "What the level means."),
                _column(
                    "meets_minimum",
                    "Meets the minimum evidence level",
                    "flag",
                    "Whether the evidence reaches the minimum the framework sets for the indicator.",
                ),
                _column(
                    "source_status",
                    "Source",
                    "text",
                    "For referrals, starts and job outcomes: the sites' own management information, not "
                    "accredited by the Department (DWP). Empty for other indicators.",
                ),
            ),
        ),
        TableDefinition(
            "baselines",
            "Baselines by site and indicator",
            "The value of each indicator at each site before the pilot began. Counts of people are "
            "disclosure-controlled.",
            (
                *SITE_COLUMNS,
                _column("indicator_code", "Indicator code", "text", "The framework's indicator code."),
                _column("indicator", "Indicator", "text", "The framework's indicator."),
                _column("unit", "Unit", "text", "The indicator's unit."),
                _column("value", "Baseline", "number", "The baseline value."),
            ),
        ),
        TableDefinition(
            "learning",
            "Learning entries by site, period, type and theme",
            "How many learning entries (barriers, enablers, lessons, good practice, recommendations) each "
            "site recorded on each theme. These count entries, not people.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column(
                    "learning_type",
                    "Type",
                    "text",
                    "Barrier, enabler, lesson, good practice or recommendation.",
                ),
                _column("theme_code", "Theme code", "text", "The framework's theme (line of enquiry)."),
                _column("theme", "Theme", "text", "The framework's theme; empty for entries on no theme."),
                _column("entries", "Entries", "count", "Number of learning entries."),
            ),
        ),
        TableDefinition(
            "barriers_enablers",
            "Barriers and enablers by site, period and dimension",
            "Barriers and enablers by the dimension of the system they concern (an entry may concern more "
            "than one). These count entries, not people.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("dimension_code", "Dimension code", "text", "The framework's learning dimension."),
                _column("dimension", "Dimension", "text", "The framework's learning dimension."),
                _column("barriers", "Barriers", "count", "Barrier entries on this dimension."),
                _column("enablers", "Enablers", "count", "Enabler entries on this dimension."),
            ),
        ),
        TableDefinition(
            "journey",
            "Data-sharing journey by site and period",
            "The data-sharing milestone each site reached by the end of each period, and its data-flow "
            "register as at the end of the period.",
            (
                *SITE_COLUMNS,
                *PERIOD_COLUMNS,
                _column("milestone", "Milestone", "text", "The milestone reached."),
                _column(
                    "milestone_percent",
                    "Progress (%)",
                    "count",
                    "The milestone's place on the 0–100 journey.",
                ),
                _column(
                    "flows_requested",
                    "Data flows requested",
                    "count",
                    "Data flows requested by the period's end.",
                ),
                _column(
                    "flows_approved",
                    "Data flows approved",
                    "count",
                    "Data flows approved by the period's end.",
                ),
                _column(
                    "flows_received",
                    "Data flows received",
                    "count",
                    "Data flows received by the period's end.",
                ),
            ),
        ),
    )
}
