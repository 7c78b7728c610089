"""Data packs: a release's tables (or a site's own live figures) as one XLSX workbook or a zip of CSV files,
and any one table as a streamed CSV.

The writers work from a `PackSource`, so the same code writes a frozen release's pack for national
officials and a site lead's pack of their own site's live data. Rows are read from the source one at a
time and written straight out, so memory stays flat however many rows a table has:

- XLSX: openpyxl's write-only mode streams each sheet to a temporary file, and text is written inline
  (no shared-string table growing with the data).
- Zip: each CSV is written into its zip entry chunk by chunk (`ZipFile.open(name, "w")`).
- CSV stream: `iter_csv` yields chunks of about 64 KB for a streamed HTTP response.

Every value is written according to its column's kind: money, counts and other numbers as numbers (money
with a pound format in XLSX), dates as dates, "Yes"/"No" for flags, and text as text. A figure withheld by
disclosure control ("[c]") stays the text "[c]"; an empty cell means the figure is not available.

Formula safety: text that a spreadsheet program could read as a formula (starting with =, +, -, @, a tab or
a carriage return) is stored as text with Excel's quote prefix in XLSX, and given a leading apostrophe in
CSV (spreadsheet_safety.csv_safe). Numbers are converted to numbers first, so a negative amount is a number,
never an escaped string.

CSV files are RFC 4180 (the csv module, minimal quoting, CRLF line ends) in UTF-8 with a byte order mark:
without the mark Excel reads a CSV file in the computer's legacy code page and garbles "£", accented names
and typographic quotes; other tools (Python's "utf-8-sig", R, pandas) skip the mark.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any, Final, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from evidence_hub.formatting import shortened
from evidence_hub.services.common.spreadsheet_safety import csv_safe, looks_like_formula

STATUS_LINE: Final = "Management information, not accredited official statistics."
NOT_A_RELEASE: Final = "Live data, not a published release: the figures change as returns are updated."
EMPTY_CELL_NOTE: Final = "An empty cell means the figure is not available or does not apply."
CSV_NOTE: Final = (
    "The CSV files are comma-separated (RFC 4180), in UTF-8 with a byte order mark, one row a line. "
    "Text that a spreadsheet program could take for a formula (starting with =, +, -, @, a tab or a "
    "carriage return) begins with an apostrophe (') so that it is shown as text."
)
CHUNK_SIZE: Final = 64 * 1024
BYTE_ORDER_MARK: Final = "\ufeff"
MONEY_FORMAT: Final = "£#,##0.00"
DATE_FORMAT: Final = "yyyy-mm-dd"
NOTES_SHEET: Final = "Notes"
DICTIONARY_SHEET: Final = "Dictionary"
NOTES_FILE: Final = "notes.csv"
DICTIONARY_FILE: Final = "dictionary.csv"
README_FILE: Final = "README.txt"
DICTIONARY_DESCRIPTION: Final = (
    "The evaluation framework's data dictionary: what each item means and how it is measured."
)
NOTES_DESCRIPTION: Final = "What this pack is, where its figures come from and the rules applied to them."

# Excel's limits and rules for sheet names.
SHEET_NAME_LENGTH: Final = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

NUMERIC_KINDS: Final = frozenset({"money", "count", "people", "number", "percent"})
WHOLE_NUMBER_KINDS: Final = frozenset({"count", "people"})
KIND_LABELS: Final = {
    "text": "Text",
    "money": "Money (£)",
    "count": "Count",
    "people": "Count of people",
    "number": "Number",
    "percent": "Percentage",
    "date": "Date",
    "flag": "Yes or No",
}
# Column widths in characters: wide enough for the kind's usual values, and for the heading up to a limit.
KIND_WIDTHS: Final = {"text": 40, "money": 14, "date": 12, "flag": 8}
NUMBER_WIDTH: Final = 10
WIDEST_COLUMN: Final = 60


class PackColumn(Protocol):
    """One column of a pack table (release_tables.ColumnDefinition has this shape)."""

    @property
    def key(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...


class PackTable(Protocol):
    """One table of a pack (release_tables.TableDefinition has this shape)."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def columns(self) -> Sequence[PackColumn]: ...
    @property
    def row_count(self) -> int: ...


class PackSource(Protocol):
    """Everything a data pack holds: a frozen release's, or one site's live data (reference None)."""

    @property
    def title(self) -> str: ...
    @property
    def reference(self) -> str | None: ...
    # Already written sentences: caveats, the release's reference and date, disclosure rules and counts.
    @property
    def notes(self) -> Sequence[str]: ...
    @property
    def dictionary_columns(self) -> Sequence[str]: ...
    @property
    def dictionary_rows(self) -> Sequence[Sequence[Any]]: ...
    @property
    def tables(self) -> Sequence[PackTable]: ...

    def rows(self, code: str) -> Iterator[Sequence[Any]]:
        """The table's rows, cells in column order, read from the database as they are needed."""
        ...


@dataclass(frozen=True)
class PlainColumn:
    """A column of the pack's own tables (notes, dictionary): text unless said otherwise."""

    key: str
    heading: str
    kind: str = "text"
    description: str = ""


NOTES_COLUMNS: Final = (PlainColumn("section", "Section"), PlainColumn("text", "Text"))


# ---------------------------------------------------------------------------------------------------------
# Values by column kind, shared by the XLSX and CSV writers.


def _number(value: Any, kind: str) -> int | Decimal | None:
    """The value as a number when it is one (int for counts of whole things), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float | str):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else str(value))
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        if kind in WHOLE_NUMBER_KINDS and number == number.to_integral_value():
            return int(number)
        return number
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: show the moment in UTC.
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def typed_value(kind: str, value: Any) -> Any:
    """A cell value as the type it is written as: None (empty), int, Decimal, date or str.

    Numbers stay numbers whatever their sign; "[c]" and anything that is not a number of the column's
    kind stay text, so that nothing is lost or mistaken for a figure.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if kind in NUMERIC_KINDS:
        number = _number(value, kind)
        if number is not None:
            return number
    elif kind == "date":
        day = _date(value)
        if day is not None:
            return day
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, date):
        return value
    return str(value)


def csv_cell(kind: str, value: Any) -> str:
    """A value as CSV cell text; text that looks like a formula gets spreadsheet_safety's apostrophe."""
    typed = typed_value(kind, value)
    if typed is None:
        return ""
    if isinstance(typed, Decimal):
        return format(typed, "f")
    if isinstance(typed, date):
        return typed.isoformat()
    if isinstance(typed, str):
        return str(csv_safe(typed))
    return str(typed)


# Numbers already written the way csv_cell would write them: passed through as they are, which keeps a
# million-row stream fast. Anything else takes the general path.
PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
PLAIN_WHOLE_NUMBER = re.compile(r"0|-?[1-9][0-9]*")
CellWriter = Callable[[Any], str]


def csv_cell_writer(kind: str) -> CellWriter:
    """csv_cell for one column kind, with a short path for the values a release table usually holds."""
    if kind in NUMERIC_KINDS:
        plain = PLAIN_WHOLE_NUMBER if kind in WHOLE_NUMBER_KINDS else PLAIN_DECIMAL

        def number_cell(value: Any) -> str:
            if type(value) is str and plain.fullmatch(value):
                return value
            if type(value) is int:
                return str(value)
            return csv_cell(kind, value)

        return number_cell
    if kind == "text":

        def text_cell(value: Any) -> str:
            if type(value) is str:
                return str(csv_safe(value))
            return csv_cell(kind, value)

        return text_cell
    return lambda value: csv_cell(kind, value)


def csv_row_writer(columns: Sequence[PackColumn]) -> Callable[[Sequence[Any]], list[str]]:
    """A function giving one row's cells for the csv module, each written by its column's kind (cells
    beyond the columns as text)."""
    writers = [csv_cell_writer(column.kind) for column in columns]
    extra = csv_cell_writer("text")

    def row_cells(row: Sequence[Any]) -> list[str]:
        if len(row) == len(writers):
            return [write(value) for write, value in zip(writers, row, strict=True)]
        return [(writers[index] if index < len(writers) else extra)(value) for index, value in enumerate(row)]

    return row_cells


# ---------------------------------------------------------------------------------------------------------
# CSV: one writer for the streamed download and the zip's entries.


def iter_csv(
    columns: Sequence[PackColumn], rows: Iterable[Sequence[Any]], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """One table as CSV: a byte order mark and the headings, then every row, in chunks of about
    `chunk_size` bytes (for a streamed response; the rows are read only as the chunks are taken)."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(column.heading) for column in columns])
    row_cells = csv_row_writer(columns)
    for row in rows:
        writer.writerow(row_cells(row))
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# What the pack holds, described once for the Notes sheet, notes.csv and README.txt.


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "Text")


def reference_line(source: PackSource) -> tuple[str, str]:
    if source.reference is None:
        return ("Data", NOT_A_RELEASE)
    return ("Release reference", source.reference)


def notes_rows(source: PackSource) -> list[tuple[str, str]]:
    """The pack's notes as (section, text) pairs: title, reference, status, then every note."""
    return [
        ("Title", source.title),
        reference_line(source),
        ("Status", STATUS_LINE),
        *(("Note", note) for note in source.notes),
        ("Note", EMPTY_CELL_NOTE),
    ]


def dictionary_columns(source: PackSource) -> list[PlainColumn]:
    return [
        PlainColumn(f"column_{index}", heading) for index, heading in enumerate(source.dictionary_columns, 1)
    ]


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


# ---------------------------------------------------------------------------------------------------------
# XLSX.


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
        worksheet.append([cells.text(name), cells.text(_table_summary(table)), table.row_count])
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


def _table_summary(table: PackTable) -> str:
    return f"{table.title}: {table.description}" if table.description else table.title


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


# ---------------------------------------------------------------------------------------------------------
# Zip of CSV files.


def table_file(table: PackTable) -> str:
    return f"{table.code}.csv"


def readme_text(source: PackSource, tables: Sequence[PackTable]) -> str:
    """README.txt: the notes, then every file and its columns, in plain text."""
    label, stated = reference_line(source)
    lines = [
        source.title,
        "=" * len(source.title),
        "",
        f"{label}: {stated}",
        STATUS_LINE,
        "",
        "Notes",
        "-----",
    ]
    lines += [f"- {note}" for note in (*source.notes, EMPTY_CELL_NOTE, CSV_NOTE)]
    lines += ["", "Files", "-----"]
    lines.append(f"{README_FILE}: this description.")
    lines.append(f"{NOTES_FILE}: {NOTES_DESCRIPTION}")
    lines.append(f"{DICTIONARY_FILE}: {DICTIONARY_DESCRIPTION} ({_rows_phrase(len(source.dictionary_rows))})")
    for table in tables:
        lines.append(f"{table_file(table)}: {_table_summary(table)} ({_rows_phrase(table.row_count)})")
    lines += ["", "Columns", "-------"]
    for table in tables:
        lines.append(table_file(table))
        lines += [
            f"  {column.heading} ({kind_label(column.kind)}): {column.description}".rstrip(": ")
            for column in table.columns
        ]
    return "\r\n".join(lines) + "\r\n"


def _rows_phrase(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"


def _write_csv_entry(
    archive: zipfile.ZipFile, name: str, columns: Sequence[PackColumn], rows: Iterable[Sequence[Any]]
) -> None:
    with archive.open(name, "w") as entry:
        for chunk in iter_csv(columns, rows):
            entry.write(chunk)


def write_zip(source: PackSource, target: IO[bytes]) -> None:
    """The pack as a zip: README.txt, notes.csv, dictionary.csv and one <code>.csv per table."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.comment = f"Evidence Hub data pack: {source.reference or NOT_A_RELEASE}".encode()[:65535]
        tables = list(source.tables)
        archive.writestr(README_FILE, readme_text(source, tables).encode("utf-8"))
        _write_csv_entry(archive, NOTES_FILE, NOTES_COLUMNS, notes_rows(source))
        _write_csv_entry(archive, DICTIONARY_FILE, dictionary_columns(source), source.dictionary_rows)
        for table in tables:
            _write_csv_entry(archive, table_file(table), table.columns, source.rows(table.code))


# ---------------------------------------------------------------------------------------------------------
# File names.


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def pack_filename(reference_or_site: str, extension: str) -> str:
    """e.g. "evidence-hub-WDS-2026-01-data-pack.xlsx" for a release, or with a site's code instead."""
    name = "-".join(part for part in ("evidence-hub", _slug(reference_or_site), "data-pack") if part)
    return f"{name}.{extension.lstrip('.')}"


def table_filename(reference_or_site: str, code: str, extension: str = "csv") -> str:
    """e.g. "evidence-hub-WDS-2026-01-costs.csv": one table of a release (or of a site's own data)."""
    name = "-".join(part for part in ("evidence-hub", _slug(reference_or_site), _slug(code)) if part)
    return f"{name}.{extension.lstrip('.')}"
