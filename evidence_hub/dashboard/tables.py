"""The table under every chart, shown as a GOV.UK table and downloaded as CSV with the same values.

A cell holds the exact figure (a Decimal, an int, a date or text); its column says how it is rounded. The
page and the CSV round the same way, so the download is exactly what is shown, without the pound signs and
thousands separators that stop spreadsheets reading numbers. Dates read "14 July 2009" on the page and
2009-07-14 in the CSV, which spreadsheets read as dates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from markupsafe import Markup, escape

from evidence_hub.formatting import date_uk
from evidence_hub.services.common.paging import page_count, page_within
from evidence_hub.services.common.spreadsheet_safety import csv_safe

# A table of every local authority (350 sites × 40 quarters) runs to megabytes of markup: the page shows
# it this many rows (sites, for a turned table its columns) at a time, and its CSV always holds every row.
ROWS_PER_PAGE = 25
NUMERIC_HEADER = " govuk-table__header--numeric"
NUMERIC_CELL = " govuk-table__cell--numeric"
# Columns of figures that fit beside each other in the page's 960 px column.
COLUMNS_THAT_FIT = 8


class Kind(StrEnum):
    TEXT = "text"
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"
    DECIMAL = "decimal"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: Kind = Kind.TEXT
    # For DECIMAL columns: places shown. Percentages show one place, money two, counts none.
    places: int = 2

    @property
    def numeric(self) -> bool:
        return self.kind not in (Kind.TEXT, Kind.DATE)


@dataclass(frozen=True)
class Cell:
    """A cell with a link (to the return or entries behind it) or a note shown beside the value."""

    value: Any
    href: str | None = None
    note: str = ""


@dataclass
class DataTable:
    caption: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    # Shown when there are no rows.
    empty_message: str = "There are no figures for these filters."
    # Shown turned on the page (each column a row) for a table with one column per period or theme: the
    # sites then run across and the periods down, so the latest period is on screen without scrolling
    # sideways. The CSV keeps one row per site.
    turned: bool = False

    @property
    def shown_turned(self) -> bool:
        """Turned when asked, or when it has more columns than fit beside each other and turning leaves
        fewer (a few sites against many categories), so that it fits without scrolling sideways."""
        wide = len(self.columns) > COLUMNS_THAT_FIT and len(self.rows) + 1 < len(self.columns)
        return bool(self.rows) and (self.turned or wide)

    def add_row(self, *values: Any) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"{self.caption}: {len(values)} values for {len(self.columns)} columns")
        self.rows.append(list(values))

    @property
    def pages(self) -> int:
        return page_count(len(self.rows), ROWS_PER_PAGE)

    def page_number(self, asked: int | None) -> int:
        """The page asked for, within the pages there are."""
        return page_within(asked or 1, len(self.rows), ROWS_PER_PAGE)

    def page_rows(self, page: int) -> list[list[Any]]:
        start = (self.page_number(page) - 1) * ROWS_PER_PAGE
        return self.rows[start : start + ROWS_PER_PAGE]

    def page_description(self, page: int) -> str:
        """'Rows 26 to 50 of 350' (for a turned table, columns); '' when the table fits on one page."""
        if self.pages == 1:
            return ""
        first = (self.page_number(page) - 1) * ROWS_PER_PAGE + 1
        last = first + len(self.page_rows(page)) - 1
        unit = "Columns" if self.shown_turned else "Rows"
        return f"{unit} {first:,} to {last:,} of {len(self.rows):,}. The CSV has every row."

    def html(self, page: int = 1) -> Markup:
        """One page of the table as GOV.UK table markup, inside a region that scrolls sideways when wide.

        Built here rather than in a template because a national-scale table has thousands of cells
        and a template loop costs more than the SQL behind it.
        """
        rows = self.page_rows(page)
        if self.shown_turned and rows:
            return self._turned_html(rows)
        header = "".join(
            f'<th scope="col" class="govuk-table__header{NUMERIC_HEADER if column.numeric else ""}">'
            f"{escape(column.heading)}</th>"
            for column in self.columns
        )
        body = []
        for row in rows:
            cells = []
            for position, (column, value) in enumerate(zip(self.columns, row, strict=True)):
                cell = _cell(value)
                text = escape(shown(cell.value, column))
                if cell.href:
                    text = Markup(f'<a class="govuk-link" href="{escape(cell.href)}">{text}</a>')  # noqa: S704
                if position == 0:
                    cells.append(f'<th scope="row" class="govuk-table__header">{text}</th>')
                else:
                    numeric = NUMERIC_CELL if column.numeric else ""
                    cells.append(f'<td class="govuk-table__cell{numeric}">{text}</td>')
            body.append('<tr class="govuk-table__row">' + "".join(cells) + "</tr>")
        return self._markup(header, body)

    def _markup(self, header: str, body: list[str]) -> Markup:
        """The table around its header cells and body rows, in a region that scrolls sideways if wide."""
        caption = escape(self.caption)
        # Every piece of text in the markup went through escape() where it was made.
        return Markup(  # noqa: S704
            f'<div class="app-table-scroll" tabindex="0" role="region" aria-label="{caption} (table)">'
            f'<table class="govuk-table app-table--compact">'
            f'<caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption>'
            f'<thead class="govuk-table__head"><tr class="govuk-table__row">{header}</tr></thead>'
            f'<tbody class="govuk-table__body">{"".join(body)}</tbody></table></div>'
        )

    def _turned_html(self, rows: list[list[Any]]) -> Markup:
        """The table with its rows as columns: the first column's values head the columns, and each other
        column becomes a row headed by its heading, its cells formatted as that column formats them."""
        first = self.columns[0]
        header = f'<th scope="col" class="govuk-table__header">{escape(first.heading)}</th>' + "".join(
            f'<th scope="col" class="govuk-table__header{NUMERIC_HEADER}">'
            f"{escape(shown(_cell(row[0]).value, first))}</th>"
            for row in rows
        )
        body = []
        for position, column in enumerate(self.columns[1:], start=1):
            cells = [f'<th scope="row" class="govuk-table__header">{escape(column.heading)}</th>']
            for row in rows:
                cell = _cell(row[position])
                text = escape(shown(cell.value, column))
                if cell.href:
                    text = Markup(f'<a class="govuk-link" href="{escape(cell.href)}">{text}</a>')  # noqa: S704
                numeric = NUMERIC_CELL if column.numeric else ""
                cells.append(f'<td class="govuk-table__cell{numeric}">{text}</td>')
            body.append('<tr class="govuk-table__row">' + "".join(cells) + "</tr>")
        return self._markup(header, body)


def _cell(value: Any) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


def rounded(value: Decimal | int, column: Column) -> Decimal:
    places = {Kind.MONEY: 2, Kind.COUNT: 0, Kind.PERCENT: 1}.get(column.kind, column.places)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(value: Any, column: Column) -> Any:
    """The value as the CSV holds it: rounded like the page, with no symbols or separators."""
    value = _cell(value).value
    if value is None or value == "":
        return ""
    if column.numeric and isinstance(value, Decimal | int):
        return rounded(value, column)
    if column.kind is Kind.DATE and isinstance(value, date):
        return value.isoformat()
    return csv_safe(str(value))


def shown(value: Any, column: Column) -> str:
    """The value as the page shows it."""
    value = _cell(value).value
    if value is None or value == "":
        return "–"
    if column.kind is Kind.DATE and isinstance(value, date):
        return date_uk(value)
    if not column.numeric or not isinstance(value, Decimal | int):
        return str(value)
    figure = rounded(value, column)
    if column.kind is Kind.MONEY:
        return f"-£{abs(figure):,}" if figure < 0 else f"£{figure:,}"
    if column.kind is Kind.PERCENT:
        return f"{figure:,}%"
    return f"{figure:,}"


def csv_text(table: DataTable) -> str:
    """RFC 4180 CSV of the table: a header row then one row per table row, CRLF line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(column.heading) for column in table.columns])
    for row in table.rows:
        writer.writerow([plain(value, column) for column, value in zip(table.columns, row, strict=True)])
    return buffer.getvalue()
