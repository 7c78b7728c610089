"""What a data pack holds, described once for the Notes sheet, notes.csv and README.txt, and the source the
writers read it from: a frozen release's, or one site's live data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

STATUS_LINE: Final = "Management information, not accredited official statistics."
NOT_A_RELEASE: Final = "Live data, not a published release: the figures change as returns are updated."
EMPTY_CELL_NOTE: Final = "An empty cell means the figure is not available or does not apply."
DICTIONARY_DESCRIPTION: Final = (
    "The evaluation framework's data dictionary: what each item means and how it is measured."
)
NOTES_DESCRIPTION: Final = "What this pack is, where its figures come from and the rules applied to them."
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


class PackColumn(Protocol):
    """One column of a pack table (releases.table_definitions.ColumnDefinition has this shape)."""

    @property
    def key(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...


class PackTable(Protocol):
    """One table of a pack (releases.table_definitions.TableDefinition has this shape)."""

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


def table_summary(table: PackTable) -> str:
    return f"{table.title}: {table.description}" if table.description else table.title
