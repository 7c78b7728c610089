"""The data pack as an XLSX workbook: Notes, Dictionary, then one sheet per table, written row by row."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any, Final

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

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


# Characters an XLSX file cannot hold (XML 1.0 forbids most control characters): removed from text.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# Text written as it is, without a look at each character: no formula trigger first, nothing to remove.
NEEDS_CARE_IN_XLSX = re.compile(r"^[=+\-@\t\r#]|" + ILLEGAL_CHARACTERS_RE.pattern)
# Excel's error values: text that reads as one is quote-prefixed, so that editing the cell keeps it text.
ERROR_CODES: Final = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})

# How one cell is written: (value, format); a format of None writes the value plain.
Written = tuple[Any, Format | None]


class _Formats:
    """The workbook's few cell formats, made once (XlsxWriter keeps each format in the styles part)."""

    def __init__(self, workbook: Workbook) -> None:
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.quoted_bold = workbook.add_format({"quote_prefix": True, "bold": True})
        self.money = workbook.add_format({"num_format": MONEY_FORMAT})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})

    def text(self, value: str, *, bold: bool = False) -> Written:
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if looks_like_formula(text) or text in ERROR_CODES:
            # Written as text (the workbook never turns strings into formulas), and quote-prefixed so that
            # editing the cell in Excel does not turn it into a formula either.
            return text, self.quoted_bold if bold else self.quoted
        return text, self.bold if bold else None

    def value(self, kind: str, value: Any) -> Written:
        typed = typed_value(kind, value)
        if isinstance(typed, str):
            return self.text(typed)
        if kind == "money" and isinstance(typed, int | Decimal):
            return typed, self.money
        if isinstance(typed, date):
            return typed, self.date
        return typed, None

    def cell_writer(self, kind: str) -> Callable[[Any], Written]:
        """`value` for one column kind, with a short path for the values a release table usually holds."""
        if kind in NUMERIC_KINDS:
            plain = PLAIN_WHOLE_NUMBER if kind in WHOLE_NUMBER_KINDS else PLAIN_DECIMAL
            as_number: Callable[[str], int | Decimal] = int if kind in WHOLE_NUMBER_KINDS else Decimal
            number_format = self.money if kind == "money" else None

            def number_cell(value: Any) -> Written:
                if type(value) is int:
                    return value, number_format
                if type(value) is str and plain.fullmatch(value):
                    return as_number(value), number_format
                return self.value(kind, value)

            return number_cell
        if kind == "text":

            def text_cell(value: Any) -> Written:
                if type(value) is str and value and not NEEDS_CARE_IN_XLSX.search(value):
                    return value, None
                return self.value(kind, value)

            return text_cell
        return lambda value: self.value(kind, value)


class _Sheet:
    """One sheet written row by row, as constant-memory mode requires (each row once, in order)."""

    def __init__(self, worksheet: Worksheet, formats: _Formats) -> None:
        self.worksheet = worksheet
        self.formats = formats
        self.next_row = 0

    def append(self, cells: Sequence[Written]) -> None:
        write, row = self.worksheet.write, self.next_row
        for column, (value, cell_format) in enumerate(cells):
            if value is None or value == "":
                continue  # An empty cell is left out of the file altogether.
            if cell_format is None:
                write(row, column, value)
            else:
                write(row, column, value, cell_format)
        self.next_row += 1

    def append_rows(self, kinds: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows of a table: numbers as numbers, text as text, written straight to the sheet's file."""
        formats = self.formats
        writers = [formats.cell_writer(kind) for kind in kinds]
        extra = formats.cell_writer("text")
        worksheet = self.worksheet
        write_string, write_number = worksheet.write_string, worksheet.write_number
        write = worksheet.write
        row = self.next_row
        for cells in rows:
            for column, value in enumerate(cells):
                written, cell_format = (writers[column] if column < len(writers) else extra)(value)
                if cell_format is None:
                    kind_of = type(written)
                    if kind_of is str:
                        if written:
                            write_string(row, column, written)
                        continue
                    if kind_of is int or kind_of is Decimal:
                        write_number(row, column, written)
                        continue
                    if written is None:
                        continue
                    write(row, column, written)
                else:
                    write(row, column, written, cell_format)
            row += 1
        self.next_row = row


def _header_footer_text(text: str) -> str:
    """Text for an Excel header or footer, where "&" starts a code: written "&&" to mean itself."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("&", "&&")


def _new_sheet(
    workbook: Workbook, formats: _Formats, name: str, source: PackSource, widths: Sequence[float]
) -> _Sheet:
    worksheet = workbook.add_worksheet(name)
    stated = source.reference or NOT_A_RELEASE
    # Printed on every page of every sheet, so a printout always says which release it comes from.
    worksheet.set_header(f"&L{_header_footer_text(f'Evidence Hub {stated}')}&R&A")
    worksheet.set_footer(f"&L{_header_footer_text(STATUS_LINE)}&RPage &P of &N")
    for index, width in enumerate(widths):
        worksheet.set_column(index, index, width)
    return _Sheet(worksheet, formats)


def column_width(column: PackColumn) -> float:
    usual = KIND_WIDTHS.get(column.kind, NUMBER_WIDTH if column.kind in NUMERIC_KINDS else 40)
    return float(min(WIDEST_COLUMN, max(usual, len(column.heading) + 2)))


def _write_notes_sheet(
    workbook: Workbook, formats: _Formats, source: PackSource, table_sheets: Sequence[tuple[str, PackTable]]
) -> None:
    sheet = _new_sheet(workbook, formats, NOTES_SHEET, source, (30, 70, 18, 70))
    text = formats.text
    title, _bold = text(source.title)
    sheet.append([(title, formats.title)])
    label, stated = reference_line(source)
    sheet.append([text(label, bold=True), text(stated)])
    sheet.append([text("Status", bold=True), text(STATUS_LINE)])
    sheet.append([])
    sheet.append([text("Notes", bold=True)])
    for note in (*source.notes, EMPTY_CELL_NOTE):
        sheet.append([text(note)])
    sheet.append([])
    sheet.append([text("Sheets in this workbook", bold=True)])
    sheet.append([text(heading, bold=True) for heading in ("Sheet", "What it holds", "Rows")])
    sheet.append([text(NOTES_SHEET), text(NOTES_DESCRIPTION)])
    sheet.append([text(DICTIONARY_SHEET), text(DICTIONARY_DESCRIPTION), (len(source.dictionary_rows), None)])
    for name, table in table_sheets:
        sheet.append([text(name), text(table_summary(table)), (table.row_count, None)])
    sheet.append([])
    sheet.append([text("Columns in each sheet", bold=True)])
    sheet.append([text(heading, bold=True) for heading in ("Sheet", "Column", "Kind", "What it means")])
    for name, table in table_sheets:
        for column in table.columns:
            sheet.append(
                [text(name), text(column.heading), text(kind_label(column.kind)), text(column.description)]
            )


def _write_table_sheet(
    workbook: Workbook,
    formats: _Formats,
    source: PackSource,
    name: str,
    columns: Sequence[PackColumn],
    rows: Iterable[Sequence[Any]],
) -> None:
    sheet = _new_sheet(workbook, formats, name, source, [column_width(column) for column in columns])
    sheet.worksheet.freeze_panes(1, 0)
    sheet.append([formats.text(column.heading, bold=True) for column in columns])
    sheet.append_rows([column.kind for column in columns], rows)


def write_xlsx(source: PackSource, target: IO[bytes]) -> None:
    """The pack as an XLSX workbook: Notes, Dictionary, then one sheet per table, written row by row.

    XlsxWriter in constant-memory mode writes each row to the sheet's file as it comes, so a table of any
    length takes no more memory than one row; strings are never read as formulas, numbers or links."""
    workbook = Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "title": source.title,
            "subject": source.reference or NOT_A_RELEASE,
            "author": "Evidence Hub",
            "comments": STATUS_LINE,
        }
    )
    formats = _Formats(workbook)
    tables = list(source.tables)
    table_sheets = list(zip(sheet_names(tables), tables, strict=True))
    _write_notes_sheet(workbook, formats, source, table_sheets)
    _write_table_sheet(
        workbook, formats, source, DICTIONARY_SHEET, dictionary_columns(source), source.dictionary_rows
    )
    for name, table in table_sheets:
        _write_table_sheet(workbook, formats, source, name, table.columns, source.rows(table.code))
    workbook.close()
