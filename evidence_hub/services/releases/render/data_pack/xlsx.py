"""The data pack as an XLSX workbook: Notes, Dictionary, then one sheet per table, written row by row.

The workbook's parts are written here, straight into the zip (no spreadsheet library): a release of 350
sites × 40 quarters holds some 800,000 table rows, and a library's per-cell calls (a method call, a type
check and an XML escape for every cell) took over a minute. Each column gets a cell writer made once for
its kind, which writes a plain number with one formatted string, and text it has written before from what
it remembers; anything else takes the general path, which gives every value its type as the CSV does
(values.typed_value)."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any, Final
from xml.sax.saxutils import quoteattr

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
AUTHOR: Final = "Evidence Hub"

# Excel's limits and rules for sheet names.
SHEET_NAME_LENGTH: Final = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Excel's other limits: the characters of a cell's text (UTF-16 code units), and of a header or footer.
CELL_TEXT_LENGTH: Final = 32_767
HEADER_FOOTER_LENGTH: Final = 255

# Column widths in characters: wide enough for the kind's usual values, and for the heading up to a limit.
KIND_WIDTHS: Final = {"text": 40, "money": 14, "date": 12, "flag": 8}
NUMBER_WIDTH: Final = 10
WIDEST_COLUMN: Final = 60

# Deflate level of the parts. At level 1 the 150-site release's workbook is about a quarter larger than at
# the default 6 (11.4 against 9.0 MB), and written in about two thirds of the time (1.9 against 3 s).
COMPRESSION_LEVEL: Final = 1
# A sheet's rows are gathered in memory this many at a time, then written out as one piece.
ROWS_A_WRITE: Final = 512
# A sheet's rows go to a temporary file first (on disk past this size), because the sheet's opening
# element (its dimension: the last row and column holding a value) can only be written once they are all
# known; openpyxl's read-only mode trusts the dimension, and would drop rows past a smaller one.
SHEET_IN_MEMORY: Final = 4 * 1024 * 1024
COPY_CHUNK: Final = 1024 * 1024


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


# Characters XML 1.0 cannot hold (most control characters, U+FFFE, U+FFFF, and halves of a surrogate
# pair, which cannot even be encoded as UTF-8): removed from text.
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel's error values: text that reads as one is quote-prefixed, so that editing the cell keeps it text.
ERROR_CODES: Final = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
# First characters that send text down the careful path: a formula trigger, "#" (an error value?), or a
# space (which needs xml:space="preserve").
CAREFUL_FIRST: Final = frozenset("=+-@# ")
# Text that reads as Excel's escape of a character ("_x000D_" is a carriage return): its "_" is escaped
# in turn, as Excel does, so that the text is shown as written.
EXCEL_ESCAPE_RE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
# Each column remembers the XML of the text values it has written, as a release table repeats the same
# few (site and period names, codes, "[c]") on every row; short values only, and at most this many, so
# that the memory stays small whatever the table.
REMEMBERED_VALUES: Final = 2048
REMEMBERED_LENGTH: Final = 100


# The workbook's cell styles, by their index in styles.xml's cellXfs; a cell's "s" attribute for each.
PLAIN, TITLE, BOLD, MONEY, DATE, QUOTED, QUOTED_BOLD = range(7)
STYLE_ATTRIBUTE: Final = ("", *(f' s="{index}"' for index in range(1, 7)))
# The quote-prefixed style for text that could be read as a formula: a title's own is kept.
QUOTED_STYLE: Final = {PLAIN: QUOTED, BOLD: QUOTED_BOLD}

XML_DECLARATION: Final = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CONTENT_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

STYLES_XML: Final = (
    XML_DECLARATION + f'<styleSheet xmlns="{MAIN_NS}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode={quoteattr(MONEY_FORMAT)}/>'
    f'<numFmt numFmtId="165" formatCode={quoteattr(DATE_FORMAT)}/></numFmts>'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'  # PLAIN
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'  # TITLE
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'  # BOLD
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # MONEY
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # DATE
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'  # QUOTED
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

# Excel's day numbers count from 1899-12-30 (day 60 being the 29 February 1900 that never was): day 1 is
# 1 January 1900, and a date before that cannot be shown as one, so it is written as text.
EXCEL_EPOCH: Final = date(1899, 12, 30).toordinal()
FIRST_REAL_DAY: Final = date(1900, 3, 1).toordinal()
FIRST_EXCEL_DAY: Final = date(1900, 1, 1).toordinal()
MICROSECONDS_A_DAY: Final = Decimal(86_400_000_000)


def column_letter(index: int) -> str:
    """The letters of the column at 0-based `index`: A, B, ..., Z, AA, ..."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def escape_attribute(text: str) -> str:
    """Text as an XML attribute's value, quotes included."""
    return quoteattr(ILLEGAL_CHARACTERS_RE.sub("", text))


def escape_text(text: str) -> str:
    """Text as XML element content (control characters removed)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_text(value: str) -> str:
    """The text a cell holds: control characters removed, cut to Excel's limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > CELL_TEXT_LENGTH // 2:
        # Excel counts UTF-16 units: a character beyond the basic plane (an emoji, say) counts two.
        units = 0
        for index, character in enumerate(text):
            units += 2 if ord(character) > 0xFFFF else 1
            if units > CELL_TEXT_LENGTH:
                return text[:index]
    return text


def is_plain_text(value: str) -> bool:
    """True when text can be written as it is: nothing to remove or escape (isprintable is False for every
    control character, and for any space but " "), no space at either end, no formula trigger or "#"
    first, no "_xHHHH_", and well within Excel's length. A few C-level scans, much cheaper than a regex."""
    return (
        value.isprintable()
        and value[0] not in CAREFUL_FIRST
        and value[-1] != " "
        and "&" not in value
        and "<" not in value
        and ">" not in value
        and "_x" not in value
        and len(value) <= CELL_TEXT_LENGTH // 2
    )


# A cell's XML is `<c r="` + its reference + its tail: the tail closes the reference's quote and holds
# the style, the type and the value. An empty cell has no tail ("") and is left out of the file.


def text_tail(value: str, style: int = PLAIN) -> str:
    """A text cell's tail. Text that could be read as a formula or an error value is written as text
    (this writer never writes formulas) and quote-prefixed, so that editing the cell in Excel does not turn
    it into a formula either."""
    if value and is_plain_text(value):
        return f'"{STYLE_ATTRIBUTE[style]} t="inlineStr"><is><t>{value}</t></is></c>'
    text = cell_text(value)
    if not text:
        return ""
    if looks_like_formula(text) or text in ERROR_CODES:
        style = QUOTED_STYLE.get(style, style)
    escaped = EXCEL_ESCAPE_RE.sub(r"_x005F\1", text) if "_x" in text else text
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A carriage return would be read back as a line feed (XML normalises line ends): Excel's escape.
    escaped = escaped.replace("\r", "_x000D_")
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'"{STYLE_ATTRIBUTE[style]} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def number_text(number: int | Decimal) -> str:
    """A number as the digits of its value: a Decimal is never made a float on the way, so the file holds
    exactly the figure (Excel reads it to its own 15 digits)."""
    return str(number)


def day_number(day: date) -> str | None:
    """A date (or a moment, as a fraction of its day) as Excel's day number; None before 1900."""
    ordinal = day.toordinal()
    if ordinal < FIRST_EXCEL_DAY:
        return None
    days = ordinal - EXCEL_EPOCH - (1 if ordinal < FIRST_REAL_DAY else 0)
    if not isinstance(day, datetime) or day.time() == datetime.min.time():
        return str(days)
    moment = day.time()
    microseconds = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond
    return str(days + Decimal(microseconds) / MICROSECONDS_A_DAY)


def typed_tail(typed: Any, *, money: bool = False) -> str:
    """The tail of a cell for a value typed by values.typed_value (None, int, Decimal, date or str)."""
    if typed is None:
        return ""
    if isinstance(typed, str):
        return text_tail(typed)
    if isinstance(typed, date):
        serial = day_number(typed)
        if serial is None:
            return text_tail(typed.isoformat())
        return f'"{STYLE_ATTRIBUTE[DATE]}><v>{serial}</v></c>'
    if isinstance(typed, Decimal) and not typed.is_finite():
        return text_tail(str(typed))
    return f'"{STYLE_ATTRIBUTE[MONEY] if money else ""}><v>{number_text(typed)}</v></c>'


def cell_xml(reference: str, tail: str) -> str:
    return f'<c r="{reference}{tail}' if tail else ""


# A column's cell writer: (value, row number as text) -> the cell's XML, "" for an empty cell.
CellWriter = Callable[[Any, str], str]


def cell_writer(kind: str, column: int) -> CellWriter:
    """The writer of the cells of one column of a kind, at 0-based `column`, doing as little as it can for
    each cell: plain numbers are written as they come, and text already seen is written as before."""
    opening = f'<c r="{column_letter(column)}'
    money = kind == "money"
    remembered: dict[str, str] = {}
    remember = remembered.get

    def tail_of_text(value: str) -> str:
        tail = typed_tail(typed_value(kind, value), money=money)
        if len(value) <= REMEMBERED_LENGTH and len(remembered) < REMEMBERED_VALUES:
            remembered[value] = tail
        return tail

    def general(value: Any, row: str) -> str:
        if type(value) is str:
            tail = remember(value) or tail_of_text(value)
        else:
            tail = typed_tail(typed_value(kind, value), money=money)
        return f"{opening}{row}{tail}" if tail else ""

    if kind in NUMERIC_KINDS:
        plain = (PLAIN_WHOLE_NUMBER if kind in WHOLE_NUMBER_KINDS else PLAIN_DECIMAL).fullmatch
        attributes = f'"{STYLE_ATTRIBUTE[MONEY] if money else ""}><v>'

        def number_cell(value: Any, row: str) -> str:
            kind_of = type(value)
            if kind_of is str:
                if plain(value):
                    return f"{opening}{row}{attributes}{value}</v></c>"
            elif kind_of is int:
                return f"{opening}{row}{attributes}{value}</v></c>"
            elif value is None:
                return ""
            return general(value, row)

        return number_cell

    def text_cell(value: Any, row: str) -> str:
        if type(value) is str:
            tail = remember(value) or tail_of_text(value)
            return f"{opening}{row}{tail}" if tail else ""
        if value is None:
            return ""
        return general(value, row)

    return text_cell


class _Sheet:
    """One sheet's rows, written as they come to a temporary file, with the extent of its values."""

    def __init__(self) -> None:
        self.rows = tempfile.SpooledTemporaryFile(max_size=SHEET_IN_MEMORY)  # noqa: SIM115 (closed by close)
        self.next_row = 1
        self.last_row = 0
        self.last_column = 0

    def append(self, cells: Sequence[tuple[Any, int]]) -> None:
        """One row of (value, style) cells: text in the style, numbers as numbers, None or "" left out."""
        row = str(self.next_row)
        written = []
        for column, (value, style) in enumerate(cells):
            reference = column_letter(column) + row
            if isinstance(value, str):
                cell = cell_xml(reference, text_tail(value, style))
            else:
                cell = cell_xml(reference, typed_tail(typed_value("text", value)))
            if cell:
                written.append(cell)
                self.last_column = max(self.last_column, column + 1)
        if written:
            self.rows.write(f'<row r="{row}">{"".join(written)}</row>'.encode())
            self.last_row = self.next_row
        self.next_row += 1

    def append_rows(self, kinds: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows of a table: each cell written by its column's kind (cells beyond the columns as text)."""
        writers = [cell_writer(kind, column) for column, kind in enumerate(kinds)]
        width = len(writers)
        # Writers for a row of more cells than the table has columns (cells beyond them written as text).
        wide = list(writers)
        pending: list[str] = []
        number = self.next_row - 1
        last_row, last_column = self.last_row, self.last_column
        for cells in rows:
            number += 1
            row = str(number)
            if len(cells) == width:
                written = "".join([write(value, row) for write, value in zip(writers, cells, strict=True)])
                if written:
                    last_column = max(last_column, width)
            else:
                while len(wide) < len(cells):
                    wide.append(cell_writer("text", len(wide)))
                parts = [write(value, row) for write, value in zip(wide, cells, strict=False)]
                written = "".join(parts)
                if written:
                    last_column = max(last_column, max(index for index, part in enumerate(parts, 1) if part))
            if written:
                pending.append(f'<row r="{row}">{written}</row>')
                last_row = number
                if len(pending) >= ROWS_A_WRITE:
                    self.rows.write("".join(pending).encode())
                    pending.clear()
        self.rows.write("".join(pending).encode())
        self.next_row, self.last_row, self.last_column = number + 1, last_row, last_column

    def dimension(self) -> str:
        if not self.last_row:
            return "A1"
        return f"A1:{column_letter(self.last_column - 1)}{self.last_row}"

    def close(self) -> None:
        self.rows.close()


def _header_footer_text(text: str) -> str:
    """Text for an Excel header or footer, where "&" starts a code: written "&&" to mean itself."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("&", "&&")


def header_and_footer(source: PackSource) -> tuple[str, str]:
    """Printed on every page of every sheet, so a printout always says which release it comes from:
    the release (left) and the sheet's name (right) above, the status and the page number below."""
    room = HEADER_FOOTER_LENGTH - len("&L&R&A")
    # Excel refuses a longer header: a long statement is cut (never within a "&&").
    text = f"Evidence Hub {source.reference or NOT_A_RELEASE}"[:room]
    release = _header_footer_text(text)
    while len(release) > room:
        text = text[:-1]
        release = _header_footer_text(text)
    return f"&L{release}&R&A", f"&L{_header_footer_text(STATUS_LINE)}&RPage &P of &N"


def excel_width(characters: float) -> float:
    """A column width as Excel stores it: the characters' width plus the cell's padding (5 pixels, in
    widths of a 7-pixel digit), so that Excel shows the width asked for."""
    pixels = int(characters * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


def column_width(column: PackColumn) -> float:
    usual = KIND_WIDTHS.get(column.kind, NUMBER_WIDTH if column.kind in NUMERIC_KINDS else 40)
    return float(min(WIDEST_COLUMN, max(usual, len(column.heading) + 2)))


def _sheet_opening(sheet: _Sheet, widths: Sequence[float], *, selected: bool, frozen: bool) -> str:
    view = ' tabSelected="1"' if selected else ""
    if frozen:
        # The heading row stays in view as the rows scroll.
        views = (
            f'<sheetView{view} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft"/></sheetView>'
        )
    else:
        views = f'<sheetView{view} workbookViewId="0"/>'
    columns = "".join(
        f'<col min="{index}" max="{index}" width="{excel_width(width)}" customWidth="1"/>'
        for index, width in enumerate(widths, 1)
    )
    return (
        f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{RELATIONSHIPS_NS}">'
        f'<dimension ref="{sheet.dimension()}"/><sheetViews>{views}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{columns}</cols>" if columns else ""}<sheetData>'
    )


def _sheet_closing(source: PackSource) -> str:
    header, footer = header_and_footer(source)
    return (
        '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f"<headerFooter><oddHeader>{escape_text(header)}</oddHeader>"
        f"<oddFooter>{escape_text(footer)}</oddFooter></headerFooter></worksheet>"
    )


class _Package:
    """The workbook's zip: sheets added one by one, then the parts that list them."""

    def __init__(self, archive: zipfile.ZipFile, source: PackSource) -> None:
        self.archive = archive
        self.source = source
        self.sheet_names: list[str] = []

    def add_sheet(self, name: str, sheet: _Sheet, widths: Sequence[float], *, frozen: bool) -> None:
        number = len(self.sheet_names) + 1
        self.sheet_names.append(name)
        opening = _sheet_opening(sheet, widths, selected=number == 1, frozen=frozen)
        with self.archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
            part.write(opening.encode())
            sheet.rows.seek(0)
            shutil.copyfileobj(sheet.rows, part, COPY_CHUNK)
            part.write(_sheet_closing(self.source).encode())

    def _write(self, name: str, xml: str) -> None:
        self.archive.writestr(name, (XML_DECLARATION + xml).encode())

    def finish(self) -> None:
        sheets = range(1, len(self.sheet_names) + 1)
        self._write(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{SHEET_CONTENT_TYPE}"/>'
                for number in sheets
            )
            + '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>",
        )
        self._write(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS_NS}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{RELATIONSHIPS_NS}/extended-properties" '
            'Target="docProps/app.xml"/>'
            "</Relationships>",
        )
        self._write("docProps/core.xml", self._core_properties())
        self._write("docProps/app.xml", self._app_properties())
        self._write(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{RELATIONSHIPS_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            + "".join(
                f'<sheet name={escape_attribute(name)} sheetId="{number}" r:id="rId{number}"/>'
                for number, name in enumerate(self.sheet_names, 1)
            )
            + "</sheets></workbook>",
        )
        styles_id = len(self.sheet_names) + 1
        self._write(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS_NS}">'
            + "".join(
                f'<Relationship Id="rId{number}" Type="{RELATIONSHIPS_NS}/worksheet" '
                f'Target="worksheets/sheet{number}.xml"/>'
                for number in sheets
            )
            + f'<Relationship Id="rId{styles_id}" Type="{RELATIONSHIPS_NS}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self.archive.writestr("xl/styles.xml", STYLES_XML.encode())

    def _core_properties(self) -> str:
        source = self.source
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            "<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape_text(source.title)}</dc:title>"
            f"<dc:subject>{escape_text(source.reference or NOT_A_RELEASE)}</dc:subject>"
            f"<dc:creator>{AUTHOR}</dc:creator>"
            f"<dc:description>{escape_text(STATUS_LINE)}</dc:description>"
            f"<cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>"
        )

    def _app_properties(self) -> str:
        count = len(self.sheet_names)
        return (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Application>{AUTHOR}</Application>"
            '<HeadingPairs><vt:vector size="2" baseType="variant">'
            f"<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{count}</vt:i4>"
            "</vt:variant></vt:vector></HeadingPairs>"
            f'<TitlesOfParts><vt:vector size="{count}" baseType="lpstr">'
            + "".join(f"<vt:lpstr>{escape_text(name)}</vt:lpstr>" for name in self.sheet_names)
            + "</vt:vector></TitlesOfParts></Properties>"
        )


def _notes_sheet(source: PackSource, table_sheets: Sequence[tuple[str, PackTable]]) -> _Sheet:
    sheet = _Sheet()

    def bold(text: str) -> tuple[str, int]:
        return (text, BOLD)

    def plain(text: str) -> tuple[str, int]:
        return (text, PLAIN)

    sheet.append([(source.title, TITLE)])
    label, stated = reference_line(source)
    sheet.append([bold(label), plain(stated)])
    sheet.append([bold("Status"), plain(STATUS_LINE)])
    sheet.append([])
    sheet.append([bold("Notes")])
    for note in (*source.notes, EMPTY_CELL_NOTE):
        sheet.append([plain(note)])
    sheet.append([])
    sheet.append([bold("Sheets in this workbook")])
    sheet.append([bold(heading) for heading in ("Sheet", "What it holds", "Rows")])
    sheet.append([plain(NOTES_SHEET), plain(NOTES_DESCRIPTION)])
    sheet.append(
        [plain(DICTIONARY_SHEET), plain(DICTIONARY_DESCRIPTION), (len(source.dictionary_rows), PLAIN)]
    )
    for name, table in table_sheets:
        sheet.append([plain(name), plain(table_summary(table)), (table.row_count, PLAIN)])
    sheet.append([])
    sheet.append([bold("Columns in each sheet")])
    sheet.append([bold(heading) for heading in ("Sheet", "Column", "Kind", "What it means")])
    for name, table in table_sheets:
        for column in table.columns:
            sheet.append(
                [
                    plain(name),
                    plain(column.heading),
                    plain(kind_label(column.kind)),
                    plain(column.description),
                ]
            )
    return sheet


def _add_table_sheet(
    package: _Package, name: str, columns: Sequence[PackColumn], rows: Iterable[Sequence[Any]]
) -> None:
    sheet = _Sheet()
    try:
        sheet.append([(column.heading, BOLD) for column in columns])
        sheet.append_rows([column.kind for column in columns], rows)
        package.add_sheet(name, sheet, [column_width(column) for column in columns], frozen=True)
    finally:
        sheet.close()


def write_xlsx(source: PackSource, target: IO[bytes]) -> None:
    """The pack as an XLSX workbook: Notes, Dictionary, then one sheet per table, written row by row.

    Each sheet's rows are read one at a time and written out as they come, so a table of any length takes
    no more memory than a few hundred rows; text is written inline (no shared-string table growing with
    the data) and never as a formula, number or link."""
    tables = list(source.tables)
    table_sheets = list(zip(sheet_names(tables), tables, strict=True))
    with zipfile.ZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL
    ) as archive:
        package = _Package(archive, source)
        notes = _notes_sheet(source, table_sheets)
        try:
            package.add_sheet(NOTES_SHEET, notes, (30, 70, 18, 70), frozen=False)
        finally:
            notes.close()
        _add_table_sheet(package, DICTIONARY_SHEET, dictionary_columns(source), source.dictionary_rows)
        for name, table in table_sheets:
            _add_table_sheet(package, name, table.columns, source.rows(table.code))
        package.finish()
