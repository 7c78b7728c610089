"""Writing text into spreadsheets so that it can never become a formula (spreadsheet formula injection).

Text typed by users (a guidance note, a learning entry, a partner's name) may start with `=`, `+`, `-`,
`@`, a tab or a carriage return. A spreadsheet program treats such a cell as a formula, which can run
commands or send data elsewhere when someone opens the file. Every download that writes user text into
a spreadsheet goes through this module:

- XLSX (openpyxl): the cell is stored as a text value, never a formula, and marked with Excel's
  "quote prefix" so that editing the cell later does not turn it into one either. The text itself is
  kept exactly as written.
- CSV has no cell types, so text that looks like a formula is prefixed with an apostrophe, the
  widely used convention that spreadsheet programs show as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet program could read this text as the start of a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def write_cell(worksheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Put a value in a cell; text is always stored as text, whatever it starts with."""
    cell: Cell = worksheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and looks_like_formula(value):
        # openpyxl stores any string starting with "=" as a formula: force it back to plain text.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(worksheet: Worksheet, values: Iterable[Any]) -> int:
    """Write values into the next empty row of a worksheet; returns that row's number."""
    row = worksheet.max_row + 1 if worksheet.max_row > 1 or worksheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        write_cell(worksheet, row, column, value)
    return row


def csv_safe(value: Any) -> Any:
    """A value ready for a CSV cell: text that looks like a formula gets a leading apostrophe."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value
