"""The data pack as an XLSX workbook: Notes, Dictionary, then one sheet per table, written row by row."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from evidence_hub.formatting import shortened
from evidence_hub.services.common.spreadsheet_safety import looks_like_formula
from evidence_hub.services.releases.render.data_pack.contents import (
    DICTIONARY_DESCRIPTION,
    EMPTY_CELL_NOTE,
    NOT_A_RELEASE,
    NOTES_DESCRIPTION,
    STATUS_LINE,
    PackColumn,
    PackSource,
    PackTable,
    dictionary_columns,
    kind_label,
    reference_line,
    table_summary,
)
from evidence_hub.services.releases.render.data_pack.values import (
    NUMERIC_KINDS,
    PLAIN_DECIMAL,
    PLAIN_WHOLE_NUMBER,
    WHOLE_NUMBER_KINDS,
    typed_value,
)

MONEY_FORMAT: Final = "£#,##0.00"
DATE_FORMAT: Final = "yyyy-mm-dd"
NOTES_SHEET: Final = "Notes"
DICTIONARY_SHEET: Final = "Dictionary"

# Excel's limits and rules for sheet names.
SHEET_NAME_LENGTH: Final = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# Column widths in characters: wide enough for the kind's usual values, and for the heading up to a limit.
KIND_WIDTHS: Final = {"text": 40, "money": 14, "date": 12, "flag": 8}
NUMBER_WIDTH: Final = 10
WIDEST_COLUMN: Final = 60


def sheet_names(tables: Sequence[PackTable]) -> list[str]:
    """A sheet name for each table, from its title: at most 31 characters, none of Excel's forbidden
    characters, and unique (Excel compares names ignoring case), never "Notes" or "Dictionary".

    A title too long for a sheet name loses its " by ..." breakdown ("Costs by site, period and category"
    becomes "Costs"), or else is cut at a word; the Notes sheet gives every sheet's full title.
    """
    taken = {NOTES_SHEET.casefold(), DICTIONARY_SHEET.casefold()}
    names = []
    for table in tables:
        base = re.sub(r"\s+", " ", SHEET_NAME_FORBIDDEN.sub(" ", table.title)).strip(" '")
        if len(base) > SHEET_NAME_LENGTH and " by " in base:
            base = base.split(" by ", 1)[0].strip(" '") or base
        base = shortened(base or table.code, SHEET_NAME_LENGTH)
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = shortened(base, SHEET_NAME_LENGTH - len(suffix)) + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


# Text that openpyxl would not store as plain text as it stands: a formula or error code, or characters XML
# cannot hold. Everything else is handed to openpyxl as it is.
NEEDS_CARE_IN_XLSX = re.compile(r"^[=+\-@\t\r#]|" + ILLEGAL_CHARACTERS_RE.pattern)


class _SheetWriter:
    """Cells for one write-only sheet; only cells that need a style or a forced type are Cell objects."""

    def __init__(self, worksheet: WriteOnlyWorksheet) -> None:
        self.worksheet = worksheet
        self.bold = Font(bold=True)

    def text(self, value: str, *, bold: bool = False) -> Any:
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not bold and not looks_like_formula(text) and text not in ERROR_CODES:
            return text
        cell = WriteOnlyCell(self.worksheet, value=None)
        cell.value = text
        if looks_like_formula(text) or text in ERROR_CODES:
            # openpyxl would store "=..." as a formula and "#N/A" as an error: keep it as text, and quote
            # prefixed so that editing the cell in Excel does not turn it into a formula either.
            cell.data_type = "s"
            cell.quotePrefix = True
        if bold:
            cell.font = self.bold
        return cell

    def value(self, kind: str, value: Any) -> Any:
        typed = typed_value(kind, value)
        if isinstance(typed, str):
            return self.text(typed)
        if kind == "money" and isinstance(typed, int | Decimal):
            cell = WriteOnlyCell(self.worksheet, value=typed)
            cell.number_format = MONEY_FORMAT
            return cell
        if isinstance(typed, date):
            cell = WriteOnlyCell(self.worksheet, value=typed)
            cell.number_format = DATE_FORMAT
            return cell
        return typed

    def cell_writer(self, kind: str) -> Callable[[Any], Any]:
        """`value` for one column kind, with a short path for the values a release table usually holds."""
        if kind in NUMERIC_KINDS:
            plain = PLAIN_WHOLE_NUMBER if kind in WHOLE_NUMBER_KINDS else PLAIN_DECIMAL
            as_number: Callable[[str], int | Decimal] = int if kind in WHOLE_NUMBER_KINDS else Decimal

            def number_cell(value: Any) -> Any:
                if kind != "money":
                    if type(value) is int:
                        return value
                    if type(value) is str and plain.fullmatch(value):
                        return as_number(value)
                return self.value(kind, value)

            return number_cell
        if kind == "text":

            def text_cell(value: Any) -> Any:
                if type(value) is str and value and not NEEDS_CARE_IN_XLSX.search(value):
                    return value
                return self.value(kind, value)

            return text_cell
        return lambda value: self.value(kind, value)

    def row_writer(self, kinds: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
        writers = [self.cell_writer(kind) for kind in kinds]
        extra = self.cell_writer("text")

        def row_cells(row: Sequence[Any]) -> list[Any]:
            if len(row) == len(writers):
                return [write(value) for write, value in zip(writers, row, strict=True)]
            return [
                (writers[index] if index < len(writers) else extra)(value) for index, value in enumerate(row)
            ]

        return row_cells

    def headings(self, headings: Iterable[str]) -> list[Any]:
        return [self.text(heading, bold=True) for heading in headings]


def _header_footer_text(text: str) -> str:
    """Text for an Excel header or footer, where "&" starts a code: written "&&" to mean itself."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("&", "&&")


def _new_sheet(
    workbook: Workbook, name: str, source: PackSource, widths: Sequence[float]
) -> WriteOnlyWorksheet:
    worksheet: WriteOnlyWorksheet = workbook.create_sheet(name)
    stated = source.reference or NOT_A_RELEASE
    # Printed on every page of every sheet, so a printout always says which release it comes from.
    worksheet.oddHeader.left.text = _header_footer_text(f"Evidence Hub {stated}")
    worksheet.oddHeader.right.text = "&A"
    worksheet.oddFooter.left.text = _header_footer_text(STATUS_LINE)
    worksheet.oddFooter.right.text = "Page &P of &N"
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    return worksheet


def column_width(column: PackColumn) -> float:
    usual = KIND_WIDTHS.get(column.kind, NUMBER_WIDTH if column.kind in NUMERIC_KINDS else 40)
    return float(min(WIDEST_COLUMN, max(usual, len(column.heading) + 2)))


def _write_notes_sheet(
    workbook: Workbook, source: PackSource, table_sheets: Sequence[tuple[str, PackTable]]
) -> None:
    worksheet = _new_sheet(workbook, NOTES_SHEET, source, (30, 70, 18, 70))
    cells = _SheetWriter(worksheet)
    title = cells.text(source.title, bold=True)
    title.font = Font(bold=True, size=14)
    worksheet.append([title])
    label, stated = reference_line(source)
    worksheet.append([cells.text(label, bold=True), cells.text(stated)])
    worksheet.append([cells.text("Status", bold=True), cells.text(STATUS_LINE)])
    worksheet.append([])
    worksheet.append([cells.text("Notes", bold=True)])
    for note in (*source.notes, EMPTY_CELL_NOTE):
        worksheet.append([cells.text(note)])
    worksheet.append([])
    worksheet.append([cells.text("Sheets in this workbook", bold=True)])
    worksheet.append(cells.headings(("Sheet", "What it holds", "Rows")))
    worksheet.append([cells.text(NOTES_SHEET), cells.text(NOTES_DESCRIPTION)])
    worksheet.append(
        [cells.text(DICTIONARY_SHEET), cells.text(DICTIONARY_DESCRIPTION), len(source.dictionary_rows)]
    )
    for name, table in table_sheets:
        worksheet.append([cells.text(name), cells.text(table_summary(table)), table.row_count])
    worksheet.append([])
    worksheet.append([cells.text("Columns in each sheet", bold=True)])
    worksheet.append(cells.headings(("Sheet", "Column", "Kind", "What it means")))
    for name, table in table_sheets:
        for column in table.columns:
            worksheet.append(
                [
                    cells.text(name),
                    cells.text(column.heading),
                    cells.text(kind_label(column.kind)),
                    cells.text(column.description),
                ]
            )


def _write_table_sheet(
    workbook: Workbook,
    source: PackSource,
    name: str,
    columns: Sequence[PackColumn],
    rows: Iterable[Sequence[Any]],
) -> None:
    worksheet = _new_sheet(workbook, name, source, [column_width(column) for column in columns])
    worksheet.freeze_panes = "A2"
    cells = _SheetWriter(worksheet)
    worksheet.append(cells.headings(column.heading for column in columns))
    row_cells = cells.row_writer([column.kind for column in columns])
    for row in rows:
        worksheet.append(row_cells(row))


def write_xlsx(source: PackSource, target: IO[bytes]) -> None:
    """The pack as an XLSX workbook: Notes, Dictionary, then one sheet per table, written row by row."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = source.title
    workbook.properties.subject = source.reference or NOT_A_RELEASE
    workbook.properties.creator = "Evidence Hub"
    workbook.properties.description = STATUS_LINE
    tables = list(source.tables)
    table_sheets = list(zip(sheet_names(tables), tables, strict=True))
    _write_notes_sheet(workbook, source, table_sheets)
    _write_table_sheet(workbook, source, DICTIONARY_SHEET, dictionary_columns(source), source.dictionary_rows)
    for name, table in table_sheets:
        _write_table_sheet(workbook, source, name, table.columns, source.rows(table.code))
    workbook.save(target)
