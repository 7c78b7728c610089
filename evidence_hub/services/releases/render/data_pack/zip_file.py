"""The data pack as a zip of CSV files, with a README.txt describing every file and column."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any, Final

from evidence_hub.services.releases.render.data_pack.contents import (
    DICTIONARY_DESCRIPTION,
    EMPTY_CELL_NOTE,
    NOT_A_RELEASE,
    NOTES_COLUMNS,
    NOTES_DESCRIPTION,
    STATUS_LINE,
    PackColumn,
    PackSource,
    PackTable,
    dictionary_columns,
    kind_label,
    notes_rows,
    reference_line,
    table_summary,
)
from evidence_hub.services.releases.render.data_pack.csv_file import iter_csv

CSV_NOTE: Final = (
    "The CSV files are comma-separated (RFC 4180), in UTF-8 with a byte order mark, one row a line. "
    "Text that a spreadsheet program could take for a formula (starting with =, +, -, @, a tab or a "
    "carriage return) begins with an apostrophe (') so that it is shown as text."
)
NOTES_FILE: Final = "notes.csv"
DICTIONARY_FILE: Final = "dictionary.csv"
README_FILE: Final = "README.txt"


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
        lines.append(f"{table_file(table)}: {table_summary(table)} ({_rows_phrase(table.row_count)})")
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
