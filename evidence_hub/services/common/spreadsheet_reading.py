"""Reading uploaded spreadsheets (XLSX or CSV) within a small budget of time and memory.

An upload is untrusted. Before openpyxl sees an XLSX file its zip directory is checked (entry count,
uncompressed size, compression ratio: zip bombs) and its XML is refused if it declares a DOCTYPE or
entities (entity-expansion bombs; defusedxml guards openpyxl's own parsing as well). Rows and columns are
capped while reading, and reading stops when the time budget runs out, so a hostile file is refused
quickly instead of exhausting the worker.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from evidence_hub.services.common.values import without_control_characters

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_COLUMNS = 60
MAX_ROWS = 5000
MAX_CELL_CHARACTERS = 10_000
TIME_BUDGET_SECONDS = 10.0

XLSX_SIGNATURE = b"PK\x03\x04"


class SpreadsheetRefused(ValueError):
    """The file cannot be read as a spreadsheet we accept; the message says why, in plain English."""


@dataclass(frozen=True)
class SheetRows:
    """The header and data rows of one sheet, each data row with its row number in the file."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = without_control_characters(str(value)).strip()
    if len(text) > MAX_CELL_CHARACTERS:
        raise SpreadsheetRefused(f"A cell holds more than {MAX_CELL_CHARACTERS:,} characters.")
    return text


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise SpreadsheetRefused("The file is not a valid Excel (.xlsx) workbook.") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise SpreadsheetRefused("The workbook has too many parts to be a return template.")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRefused("The workbook expands to more data than a return can hold.")
        for entry in entries:
            if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO:
                raise SpreadsheetRefused("The workbook is compressed suspiciously tightly and was refused.")
            if entry.filename.endswith((".xml", ".rels")):
                try:
                    with archive.open(entry) as member:
                        head = member.read(4096).upper()
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
                    raise SpreadsheetRefused(
                        "The workbook is damaged and could not be read. Save it again as .xlsx and retry."
                    ) from error
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise SpreadsheetRefused("The workbook declares XML entities, which are not allowed.")


def _rows_from_values(values: Any, deadline: float) -> SheetRows:
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(values, start=1):
        if time.monotonic() > deadline:
            raise SpreadsheetRefused("The file took too long to read and was refused.")
        cells = list(raw)
        if len(cells) > MAX_COLUMNS:
            # Trailing empty cells are allowed; real data past the limit is not.
            if any(_clean(cell) for cell in cells[MAX_COLUMNS:]):
                raise SpreadsheetRefused(f"The file has more than {MAX_COLUMNS} columns.")
            cells = cells[:MAX_COLUMNS]
        texts = [_clean(cell) for cell in cells]
        if header is None:
            if not any(texts):
                continue
            header = [text.lower() for text in texts]
            continue
        if not any(texts):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetRefused(f"The file has more than {MAX_ROWS:,} rows.")
        rows.append(
            (
                number,
                {
                    name: texts[index] if index < len(texts) else ""
                    for index, name in enumerate(header)
                    if name
                },
            )
        )
    if header is None:
        raise SpreadsheetRefused("The file is empty: it has no header row.")
    return SheetRows(header=header, rows=rows)


def read_spreadsheet(content: bytes, filename: str, sheet_name: str) -> SheetRows:
    """Header and rows of an uploaded XLSX (the named sheet) or CSV file."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetRefused(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not content:
        raise SpreadsheetRefused("The file is empty.")
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    if content.startswith(XLSX_SIGNATURE):
        return _read_xlsx(content, sheet_name, deadline)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise SpreadsheetRefused("The file is not a valid Excel (.xlsx) workbook.")
    return _read_csv(content, deadline)


def _read_xlsx(content: bytes, sheet_name: str, deadline: float) -> SheetRows:
    import openpyxl  # Imported here: only uploads need it.

    _check_zip(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetRefused(
            "The workbook could not be opened. Save it again as .xlsx and retry."
        ) from error
    try:
        if sheet_name not in workbook.sheetnames:
            raise SpreadsheetRefused(
                f"The workbook has no sheet called ‘{sheet_name}’. Use the template for this section."
            )
        worksheet = workbook[sheet_name]
        return _rows_from_values(worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 20), deadline)
    except SpreadsheetRefused:
        raise
    except Exception as error:
        # A read-only workbook reads its sheet only now: a part whose zip header lies about its size, a
        # bad checksum or broken XML surfaces here, in any of the many kinds zipfile and openpyxl raise.
        raise SpreadsheetRefused(
            "The workbook is damaged and could not be read. Save it again as .xlsx and retry."
        ) from error
    finally:
        workbook.close()


def _read_csv(content: bytes, deadline: float) -> SheetRows:
    if b"\x00" in content:
        raise SpreadsheetRefused("The file is not a CSV text file.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetRefused("The CSV file is not in UTF-8. Save it as ‘CSV UTF-8’ and retry.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _rows_from_values(reader, deadline)
    except csv.Error as error:
        raise SpreadsheetRefused(f"The CSV file could not be read: {error}.") from None
