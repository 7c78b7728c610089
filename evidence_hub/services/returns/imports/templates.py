"""Spreadsheet templates of a return's sections (XLSX or CSV), pre-filled with the site, the period, the
framework's codes and guidance, and the items already recorded, each with its reference."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from evidence_hub.models.returns import SiteReturn
from evidence_hub.services.common.spreadsheet_safety import csv_safe, write_cell
from evidence_hub.services.common.values import plain
from evidence_hub.services.returns.imports.sections import Section


def _template_rows(session: Session, site_return: SiteReturn, section: Section) -> list[list[Any]]:
    common = {"site_code": site_return.site.code, "period_code": site_return.reporting_period.code}
    rows = section.existing_rows(session, site_return)
    if not rows and section.key_column == "reference":
        rows = [{}]
    return [[{**common, **row}.get(column.key, "") for column in section.columns] for row in rows]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def template_xlsx(session: Session, site_return: SiteReturn, section: Section) -> bytes:
    """The section's template workbook: the data sheet, a Guidance sheet and an About sheet."""
    workbook = Workbook()
    data = workbook.active
    data.title = section.sheet
    for column_number, column in enumerate(section.columns, start=1):
        write_cell(data, 1, column_number, column.key).font = Font(bold=True)
    for row_number, values in enumerate(_template_rows(session, site_return, section), start=2):
        for column_number, value in enumerate(values, start=1):
            write_cell(data, row_number, column_number, _cell(value))
    data.freeze_panes = "A2"

    guidance = workbook.create_sheet("Guidance")
    for column_number, heading in enumerate(("Column", "Meaning", "Required"), start=1):
        write_cell(guidance, 1, column_number, heading).font = Font(bold=True)
    row_number = 2
    for column in section.columns:
        for column_number, value in enumerate(
            (column.key, f"{column.label}: {column.guidance}", "yes" if column.required else ""), start=1
        ):
            write_cell(guidance, row_number, column_number, value)
        row_number += 1
    row_number += 1
    for column_number, heading in enumerate(("Column", "Allowed value", "What it means"), start=1):
        write_cell(guidance, row_number, column_number, heading).font = Font(bold=True)
    for allowed in section.guidance_lists(site_return):
        row_number += 1
        for column_number, value in enumerate(allowed, start=1):
            write_cell(guidance, row_number, column_number, value)

    about = workbook.create_sheet("About")
    for row_number, (label, value) in enumerate(
        (
            ("Site", site_return.site.name),
            ("Reporting period", site_return.reporting_period.name),
            ("Framework", site_return.framework_version.label),
            ("Section", section.title),
            (
                "How to use",
                "Fill in the first sheet, one row per item, then upload the file on the section's "
                "upload page. Nothing is saved unless every row is valid.",
            ),
        ),
        start=1,
    ):
        write_cell(about, row_number, 1, label).font = Font(bold=True)
        write_cell(about, row_number, 2, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(session: Session, site_return: SiteReturn, section: Section) -> str:
    """The section's template as RFC 4180 CSV (the guidance is in the XLSX template and on the page)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.key for column in section.columns])
    for values in _template_rows(session, site_return, section):
        writer.writerow([csv_safe(_cell(value)) for value in values])
    return buffer.getvalue()


def template_filename(site_return: SiteReturn, section: Section, extension: str) -> str:
    return f"{site_return.site.code}-{site_return.reporting_period.code}-{section.code}.{extension}"
