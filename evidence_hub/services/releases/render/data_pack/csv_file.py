"""CSV: one writer for the streamed download and the zip's entries, each value written by its column's
kind.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from evidence_hub.services.common.spreadsheet_safety import csv_safe
from evidence_hub.services.releases.render.data_pack.contents import PackColumn
from evidence_hub.services.releases.render.data_pack.values import (
    NUMERIC_KINDS,
    PLAIN_DECIMAL,
    PLAIN_WHOLE_NUMBER,
    WHOLE_NUMBER_KINDS,
    typed_value,
)

CHUNK_SIZE: Final = 64 * 1024
BYTE_ORDER_MARK: Final = "\ufeff"


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
