"""The data dictionary: every definition of a version as an XLSX workbook, one sheet per kind, for
evaluators working offline."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evidence_hub.db import utc_now
from evidence_hub.formatting import date_uk
from evidence_hub.models import FrameworkVersion
from evidence_hub.services.common.spreadsheet_safety import append_row
from evidence_hub.services.framework.wording import yes_no


def _sheet(workbook: Workbook, title: str, headings: Sequence[str], widths: Sequence[int]) -> Worksheet:
    worksheet = workbook.create_sheet(title)
    append_row(worksheet, headings)
    for column, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
        worksheet.cell(row=1, column=column).font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    return worksheet


def _wrap(worksheet: Worksheet) -> None:
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def data_dictionary_xlsx(version: FrameworkVersion) -> bytes:
    """Every definition of a version as a spreadsheet, one sheet per kind, for evaluators working offline."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "About"
    for label, value in (
        ("Framework", version.framework.name),
        ("Code", version.framework.code),
        ("Version", version.version),
        ("Status", version.status_enum.label),
        ("Takes effect from", date_uk(version.effective_from)),
        ("Description", version.description),
        ("Published", date_uk(version.published_at.date()) if version.published_at else "Not yet"),
        ("Generated", date_uk(utc_now().date())),
    ):
        append_row(about, [label, value])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    _wrap(about)

    themes = _sheet(
        workbook,
        "Themes and questions",
        ["Theme code", "Theme", "Question code", "Question", "Guidance"],
        [12, 40, 14, 70, 60],
    )
    for theme in version.themes:
        append_row(themes, [theme.code, theme.title, "", theme.description, ""])
        for question in theme.questions:
            append_row(themes, [theme.code, theme.title, question.code, question.text, question.guidance])
    _wrap(themes)

    indicators = _sheet(
        workbook,
        "Indicators",
        [
            "Code",
            "Name",
            "Theme",
            "Definition",
            "Unit",
            "Decimal places",
            "Direction",
            "Combining sites",
            "Weighted by",
            "Frequency",
            "Baseline required",
            "Target required",
            "Plausible minimum",
            "Plausible maximum",
            "What to include",
            "What to exclude",
            "Data sources",
            "Minimum evidence",
        ],
        [22, 36, 12, 60, 16, 10, 20, 30, 22, 18, 10, 10, 12, 12, 60, 60, 50, 50],
    )
    for i in version.indicators:
        level = i.minimum_evidence_level
        append_row(
            indicators,
            [
                i.code,
                i.name,
                i.theme.code,
                i.definition,
                i.unit_enum.label,
                i.decimal_places,
                i.direction_enum.label,
                i.combine_rule_enum.label,
                i.weighted_by_code or "",
                i.frequency_enum.label,
                yes_no(i.baseline_required),
                yes_no(i.target_required),
                i.plausible_min,
                i.plausible_max,
                i.include_guidance,
                i.exclude_guidance,
                "\n".join(i.data_sources),
                level.label,
            ],
        )
    _wrap(indicators)

    costs = _sheet(
        workbook,
        "Cost categories",
        ["Code", "Name", "Description", "Met in kind", "What to include", "What to exclude", "Examples"],
        [22, 32, 50, 10, 60, 60, 50],
    )
    for c in version.cost_categories:
        append_row(
            costs,
            [
                c.code,
                c.name,
                c.description,
                yes_no(c.in_kind),
                c.include_guidance,
                c.exclude_guidance,
                "\n".join(c.examples),
            ],
        )
    _wrap(costs)

    activities = _sheet(workbook, "Activity types", ["Code", "Name", "Description"], [22, 36, 80])
    for a in version.activity_types:
        append_row(activities, [a.code, a.name, a.description])
    _wrap(activities)

    learning = _sheet(
        workbook, "Learning types", ["Code", "Learning type", "Description", "Examples"], [16, 20, 70, 70]
    )
    for t in version.learning_types:
        append_row(learning, [t.code, t.name, t.description, "\n".join(t.examples)])
    _wrap(learning)

    dimensions = _sheet(workbook, "Learning dimensions", ["Code", "Dimension", "Description"], [22, 36, 80])
    for d in version.learning_dimensions:
        append_row(dimensions, [d.code, d.name, d.description])
    _wrap(dimensions)

    if version.partner_roles:
        partners = _sheet(workbook, "Partner roles", ["Partner type", "Role"], [26, 100])
        for r in version.partner_roles:
            append_row(partners, [r.partner_type_label, r.role])
        _wrap(partners)

    if version.milestones:
        journey = _sheet(
            workbook,
            "Data-sharing journey",
            ["Code", "Percentage", "Milestone", "Definition", "Evidence"],
            [10, 12, 36, 70, 60],
        )
        for m in version.milestones:
            append_row(journey, [m.code, m.percentage, m.title, m.definition, m.evidence])
        _wrap(journey)

    scales = _sheet(
        workbook,
        "Evidence scales",
        ["Scale", "Level", "Title", "Description", "Prompt for pilot leads"],
        [36, 8, 40, 70, 70],
    )
    for s in version.evidence_scales:
        for level in s.levels:
            append_row(scales, [s.name, level.level, level.title, level.description, level.prompt])
    _wrap(scales)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
