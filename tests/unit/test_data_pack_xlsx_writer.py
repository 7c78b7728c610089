"""The data pack's own XLSX writer: a well-formed package (every part typed, every sheet's XML parsing,
every style used defined), text escaped and cleaned, numbers exact, dates as Excel day numbers, empty
cells left out, and a long table written in flat memory."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from evidence_hub.services.releases.render.data_pack.contents import PlainColumn
from evidence_hub.services.releases.render.data_pack.xlsx import (
    DATE_FORMAT,
    HEADER_FOOTER_LENGTH,
    MONEY_FORMAT,
    REMEMBERED_VALUES,
    cell_writer,
    column_letter,
    write_xlsx,
)
from tests.unit.test_data_pack import InMemoryPack, Table, small_pack

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def xlsx_bytes(source: Any) -> bytes:
    target = io.BytesIO()
    write_xlsx(source, target)
    return target.getvalue()


def one_column_pack(kind: str, values: list[Any], title: str = "One") -> InMemoryPack:
    pack = small_pack()
    pack.tables = [Table("one", title, "", (PlainColumn("value", "Value", kind),), len(values))]
    pack.table_rows = {"one": [[value] for value in values]}
    return pack


def sheet_xml(data: bytes, number: int) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


def cells_of(data: bytes, number: int) -> dict[str, Element]:
    root = ElementTree.fromstring(sheet_xml(data, number))
    return {cell.attrib["r"]: cell for cell in root.iter(f"{MAIN}c")}


def first_sheet_with(data: bytes, title: str) -> Worksheet:
    return load_workbook(io.BytesIO(data))[title]


# --- The package --------------------------------------------------------------------------------------------


def test_every_part_has_a_content_type_and_every_sheet_parses() -> None:
    archive = zipfile.ZipFile(io.BytesIO(xlsx_bytes(small_pack())))
    assert archive.testzip() is None
    names = archive.namelist()
    types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    defaults = {item.attrib["Extension"] for item in types.iter(f"{CONTENT_TYPES}Default")}
    overrides = {item.attrib["PartName"].lstrip("/") for item in types.iter(f"{CONTENT_TYPES}Override")}

    assert overrides <= set(names)
    for name in names:
        if name != "[Content_Types].xml":
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
        ElementTree.fromstring(archive.read(name))  # every part is well-formed XML
    assert {
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
    } <= set(names)
    # The workbook's relationships name every sheet part, in the sheets' order.
    relationships = {
        item.attrib["Id"]: item.attrib["Target"]
        for item in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    }
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets = [
        relationships[sheet.attrib["{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"]]
        for sheet in workbook.iter(f"{MAIN}sheet")
    ]
    assert targets == [f"worksheets/sheet{number}.xml" for number in range(1, 5)]
    assert all(f"xl/{target}" in overrides for target in [*targets, "styles.xml"])
    package = {item.attrib["Target"] for item in ElementTree.fromstring(archive.read("_rels/.rels"))}
    assert package == {"xl/workbook.xml", "docProps/core.xml", "docProps/app.xml"}


def test_every_style_a_cell_uses_is_defined() -> None:
    data = xlsx_bytes(small_pack())
    archive = zipfile.ZipFile(io.BytesIO(data))
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    cell_formats = styles.find(f"{MAIN}cellXfs")
    assert cell_formats is not None
    defined = len(cell_formats)
    fonts = styles.find(f"{MAIN}fonts")
    number_formats = {int(item.attrib["numFmtId"]) for item in styles.iter(f"{MAIN}numFmt")}
    assert fonts is not None and defined == int(cell_formats.attrib["count"])
    for cell_format in cell_formats:
        assert int(cell_format.attrib["fontId"]) < len(fonts)
        number_format = int(cell_format.attrib["numFmtId"])
        assert number_format == 0 or number_format in number_formats
    used = {
        int(cell.attrib.get("s", 0)) for number in range(1, 5) for cell in cells_of(data, number).values()
    }
    assert used and max(used) < defined


def test_the_first_sheet_is_selected_and_table_sheets_freeze_their_heading() -> None:
    data = xlsx_bytes(small_pack())

    assert 'tabSelected="1"' in sheet_xml(data, 1)
    assert "<pane" not in sheet_xml(data, 1)
    for number in (2, 3, 4):
        assert 'tabSelected="1"' not in sheet_xml(data, number)
        assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet_xml(
            data, number
        )


def test_the_workbook_states_its_title_subject_author_and_comments() -> None:
    properties = load_workbook(io.BytesIO(xlsx_bytes(small_pack(title='Pack: "A & B" <draft>')))).properties

    assert properties.title == 'Pack: "A & B" <draft>'
    assert properties.subject == "WDS-2026-01"
    assert properties.creator == "Evidence Hub"
    assert properties.description == "Management information, not accredited official statistics."


def test_the_styles_are_bold_title_quote_prefix_money_and_date() -> None:
    pack = small_pack()
    pack.tables = [
        Table(
            "one",
            "One",
            "",
            (PlainColumn("money", "Money", "money"), PlainColumn("day", "Day", "date")),
            1,
        )
    ]
    pack.table_rows = {"one": [["12.50", "2026-01-05"]]}
    pack.dictionary_rows = [["=1+1", "x", "y"]]
    workbook = load_workbook(io.BytesIO(xlsx_bytes(pack)))
    notes, dictionary, one = workbook["Notes"], workbook["Dictionary"], workbook["One"]

    assert (notes["A1"].font.b, notes["A1"].font.sz) == (True, 14)
    assert (notes["A2"].font.b, notes["A2"].font.sz) == (True, 11)
    assert not notes["B2"].font.b
    assert dictionary["A2"].quotePrefix and not dictionary["A2"].font.b
    assert one["A2"].number_format == MONEY_FORMAT
    assert one["B2"].number_format == DATE_FORMAT


def test_a_heading_that_looks_like_a_formula_is_bold_and_quote_prefixed() -> None:
    pack = small_pack()
    pack.tables = [Table("one", "One", "", (PlainColumn("value", "=Value"),), 0)]
    pack.table_rows = {"one": []}
    heading = load_workbook(io.BytesIO(xlsx_bytes(pack)))["One"]["A1"]

    assert (heading.value, heading.data_type, heading.font.b, heading.quotePrefix) == (
        "=Value",
        "s",
        True,
        True,
    )


def test_every_sheet_has_the_release_header_and_the_page_footer() -> None:
    data = xlsx_bytes(small_pack(reference="R&D-2026"))
    workbook = load_workbook(io.BytesIO(data))

    for worksheet in workbook.worksheets:
        assert worksheet.oddHeader.left.text == "Evidence Hub R&&D-2026"
        assert worksheet.oddHeader.right.text == "&A"
        assert worksheet.oddFooter.right.text == "Page &P of &N"
    assert "<oddHeader>&amp;LEvidence Hub R&amp;&amp;D-2026&amp;R&amp;A</oddHeader>" in sheet_xml(data, 1)


def test_a_long_header_is_cut_to_excels_limit() -> None:
    data = xlsx_bytes(small_pack(reference="A & B " * 100))
    header = ElementTree.fromstring(sheet_xml(data, 2)).find(f"{MAIN}headerFooter/{MAIN}oddHeader")

    assert header is not None and header.text is not None
    assert len(header.text) <= HEADER_FOOTER_LENGTH
    assert header.text.endswith("&R&A")
    # Never cut inside an escaped "&&", which would leave a lone "&" starting a code.
    assert re.fullmatch(r"&L(?:[^&]|&&)*&R&A", header.text)


def test_column_widths_are_stored_as_excel_stores_them() -> None:
    costs = load_workbook(io.BytesIO(xlsx_bytes(small_pack())))["Costs"]

    assert costs.column_dimensions["A"].width == pytest.approx(40.7109375)
    assert costs.column_dimensions["B"].width == pytest.approx(14.7109375)


def test_column_letters() -> None:
    assert [column_letter(index) for index in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --- Text ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Fish & chips",
        "<b>not markup</b>",
        'She said "yes" & it\'s done',
        "a > b < c",
        "&amp; stays as typed",
        "Café, naïve, £5 — “quoted”",
        "Emoji 😀 beyond the basic plane",
    ],
)
def test_text_is_escaped_and_read_back_as_written(text: str) -> None:
    data = xlsx_bytes(one_column_pack("text", [text]))
    cell = first_sheet_with(data, "One")["A2"]

    assert (cell.value, cell.data_type) == (text, "s")


def test_sheet_names_and_titles_with_markup_characters_are_escaped() -> None:
    pack = one_column_pack("text", ["x"], title='Costs & "savings" <net>')
    workbook = load_workbook(io.BytesIO(xlsx_bytes(pack)))

    assert workbook.sheetnames[2] == 'Costs & "savings" <net>'


def test_control_characters_are_removed() -> None:
    data = xlsx_bytes(
        one_column_pack("text", ["a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\uffffi\ud800j", "\x01\x02"])
    )
    worksheet = first_sheet_with(data, "One")

    assert worksheet["A2"].value == "abcdefghij"
    assert worksheet["A3"].value is None  # nothing was left of it
    assert 'r="A3"' not in sheet_xml(data, 3)


def test_tabs_and_line_feeds_stay_and_a_carriage_return_is_excels_escape() -> None:
    data = xlsx_bytes(one_column_pack("text", ["one\ttwo\nthree\r\nfour"]))

    assert "one\ttwo\nthree_x000D_\nfour" in sheet_xml(data, 3)


def test_text_that_reads_as_an_escape_is_escaped_in_turn() -> None:
    data = xlsx_bytes(one_column_pack("text", ["code _x000D_ here"]))

    assert "code _x005F_x000D_ here" in sheet_xml(data, 3)


@pytest.mark.parametrize("text", ["  leading", "trailing  ", " both ", "\tindented"])
def test_spaces_at_either_end_are_preserved(text: str) -> None:
    data = xlsx_bytes(one_column_pack("text", [text]))

    assert '<t xml:space="preserve">' in sheet_xml(data, 3)
    assert first_sheet_with(data, "One")["A2"].value == text


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "=cmd|'/c calc'!A0", "+1", "-x", "@me", "#N/A", "#REF!"])
def test_formula_like_text_and_error_codes_stay_quote_prefixed_text(text: str) -> None:
    data = xlsx_bytes(one_column_pack("text", [text]))
    cell = cells_of(data, 3)["A2"]

    assert cell.attrib["t"] == "inlineStr"
    assert cell.find(f"{MAIN}f") is None
    read = first_sheet_with(data, "One")["A2"]
    assert (read.value, read.data_type, read.quotePrefix) == (text, "s", True)


def test_text_too_long_for_a_cell_is_cut_to_excels_limit() -> None:
    data = xlsx_bytes(one_column_pack("text", ["x" * 40_000]))

    assert len(first_sheet_with(data, "One")["A2"].value) == 32_767


def test_excel_counts_a_character_beyond_the_basic_plane_as_two() -> None:
    data = xlsx_bytes(one_column_pack("text", ["😀" * 20_000]))

    assert first_sheet_with(data, "One")["A2"].value == "😀" * 16_383


# --- Numbers, dates and empty cells -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("money", Decimal("12345678901234.56"), "12345678901234.56"),
        ("money", "12345678901234.56", "12345678901234.56"),
        ("number", Decimal("0.1000000000000000055511151231257827"), "0.1000000000000000055511151231257827"),
        ("money", "-0.01", "-0.01"),
        ("money", "1234.50", "1234.50"),
        ("count", 2**60, "1152921504606846976"),
        ("count", "-7", "-7"),
        ("people", "12.0", "12"),
        ("number", 0.1, "0.1"),
        ("text", Decimal("3.14"), "3.14"),
    ],
)
def test_numbers_are_written_as_their_exact_digits(kind: str, value: Any, stored: str) -> None:
    cell = cells_of(xlsx_bytes(one_column_pack(kind, [value])), 3)["A2"]

    assert "t" not in cell.attrib
    assert cell.findtext(f"{MAIN}v") == stored


def test_whole_numbers_are_read_back_as_ints_and_money_is_formatted() -> None:
    worksheet = first_sheet_with(xlsx_bytes(one_column_pack("money", [7, "2.50"])), "One")

    assert (worksheet["A2"].value, type(worksheet["A2"].value)) == (7, int)
    assert worksheet["A2"].number_format == MONEY_FORMAT
    assert worksheet["A3"].value == 2.5


def test_a_number_that_is_not_finite_is_text() -> None:
    cell = first_sheet_with(xlsx_bytes(one_column_pack("text", [Decimal("NaN")])), "One")["A2"]

    assert (cell.value, cell.data_type) == ("NaN", "s")


@pytest.mark.parametrize(
    ("value", "serial"),
    [
        (date(2026, 1, 5), "46027"),
        ("2026-01-05", "46027"),
        (date(1900, 1, 1), "1"),
        (date(1900, 2, 28), "59"),
        (date(1900, 3, 1), "61"),
        (datetime(2026, 1, 5, 12, 0), "46027.5"),
        (datetime(2026, 1, 5, 6, 0), "46027.25"),
    ],
)
def test_dates_are_excel_day_numbers_in_the_date_style(value: Any, serial: str) -> None:
    data = xlsx_bytes(one_column_pack("date", [value]))
    cell = cells_of(data, 3)["A2"]

    assert cell.attrib["s"] == "4"
    assert Decimal(cell.findtext(f"{MAIN}v") or "") == Decimal(serial)


def test_a_date_reads_back_as_the_date() -> None:
    worksheet = first_sheet_with(xlsx_bytes(one_column_pack("date", ["2026-03-31"])), "One")

    assert worksheet["A2"].is_date
    assert worksheet["A2"].value == datetime(2026, 3, 31)
    assert worksheet["A2"].number_format == DATE_FORMAT


def test_a_date_before_excels_first_day_is_written_as_text() -> None:
    cell = first_sheet_with(xlsx_bytes(one_column_pack("date", [date(1899, 12, 31)])), "One")["A2"]

    assert (cell.value, cell.data_type) == ("1899-12-31", "s")


def test_empty_cells_and_empty_rows_are_left_out() -> None:
    pack = small_pack()
    columns = tuple(
        PlainColumn(f"c{index}", f"C{index}", kind) for index, kind in enumerate(["text", "money"])
    )
    pack.tables = [Table("one", "One", "", columns, 4)]
    pack.table_rows = {"one": [["a", None], [None, ""], ["", "1.5"], [None, None]]}
    data = xlsx_bytes(pack)
    cells = cells_of(data, 3)

    assert sorted(cells) == ["A1", "A2", "B1", "B4"]
    assert '<row r="3">' not in sheet_xml(data, 3)
    # The dimension ends at the last row and column holding a value.
    assert '<dimension ref="A1:B4"/>' in sheet_xml(data, 3)
    rows = list(load_workbook(io.BytesIO(data), read_only=True)["One"].iter_rows(values_only=True))
    assert rows == [("C0", "C1"), ("a", None), (None, None), (None, 1.5)]


def test_cells_beyond_the_columns_are_written_as_text_and_counted_in_the_dimension() -> None:
    pack = one_column_pack("count", [])
    pack.table_rows = {"one": [[1, "extra", "=x"], [2]]}
    data = xlsx_bytes(pack)

    assert '<dimension ref="A1:C3"/>' in sheet_xml(data, 3)
    rows = list(load_workbook(io.BytesIO(data), read_only=True)["One"].iter_rows(values_only=True))
    assert rows == [("Value", None, None), (1, "extra", "=x"), (2, None, None)]


def test_a_column_remembers_only_so_many_values() -> None:
    write = cell_writer("text", 0)
    for number in range(REMEMBERED_VALUES + 500):
        assert write(f"value {number}", "2") == f'<c r="A2" t="inlineStr"><is><t>value {number}</t></is></c>'
    for number in range(REMEMBERED_VALUES + 500):
        assert write(f"value {number}", "3") == f'<c r="A3" t="inlineStr"><is><t>value {number}</t></is></c>'


def test_a_flag_is_never_taken_for_a_number_or_a_number_for_a_flag() -> None:
    pack = small_pack()
    columns = (PlainColumn("flag", "Flag", "flag"), PlainColumn("text", "Text"))
    pack.tables = [Table("one", "One", "", columns, 4)]
    pack.table_rows = {"one": [[True, 1], [1, True], [False, 0], [0, False]]}
    rows = list(first_sheet_with(xlsx_bytes(pack), "One").iter_rows(min_row=2, values_only=True))

    assert rows == [("Yes", 1), (1, "Yes"), ("No", 0), (0, "No")]


def test_a_value_that_cannot_be_looked_up_is_written_as_text() -> None:
    data = xlsx_bytes(one_column_pack("text", [["a", "b"], {"c": 1}, "after"]))
    values = [row[0] for row in first_sheet_with(data, "One").iter_rows(min_row=2, values_only=True)]

    assert values == ["['a', 'b']", "{'c': 1}", "after"]


def test_a_remembered_value_is_written_in_each_row_it_is_in() -> None:
    data = xlsx_bytes(one_column_pack("percent", ["[c]", "[c]", "1.5", "[c]"]))
    values = [row[0] for row in first_sheet_with(data, "One").iter_rows(min_row=2, values_only=True)]

    assert values == ["[c]", "[c]", 1.5, "[c]"]


# --- A long table -------------------------------------------------------------------------------------------


LONG_TABLE_ROWS = 100_000


def long_rows(count: int) -> Iterator[list[Any]]:
    for number in range(count):
        yield [
            f"Site {number % 350}",
            f"Period {number}",  # a value in every row that is never repeated
            f"{number}.{number % 100:02d}",
            number % 97,
            "[c]" if number % 11 == 0 else str(number % 500),
            "2026-01-05",
            number % 2 == 0,
        ]


LONG_COLUMNS = (
    PlainColumn("site", "Site"),
    PlainColumn("period", "Period"),
    PlainColumn("money", "Money", "money"),
    PlainColumn("count", "Count", "count"),
    PlainColumn("people", "People", "people"),
    PlainColumn("day", "Day", "date"),
    PlainColumn("flag", "Flag", "flag"),
)


def test_a_long_table_is_written_in_flat_memory(tmp_path: Path) -> None:
    pack = small_pack()
    pack.tables = [Table("long", "Long", "", LONG_COLUMNS, LONG_TABLE_ROWS)]
    pack.table_rows = {}
    pack.rows = lambda code: long_rows(LONG_TABLE_ROWS)  # type: ignore[method-assign]
    path = tmp_path / "long.xlsx"

    tracemalloc.start()
    try:
        with path.open("wb") as target:
            write_xlsx(pack, target)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The rows alone are some 40 MB of XML: none of it is held at once.
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    archive = zipfile.ZipFile(path)
    assert archive.getinfo("xl/worksheets/sheet3.xml").file_size > 20 * 1024 * 1024
    with archive.open("xl/worksheets/sheet3.xml") as sheet:
        opening = sheet.read(1000).decode()
    assert f'<dimension ref="A1:G{LONG_TABLE_ROWS + 1}"/>' in opening
    # The last row, read from the end of the sheet's XML (openpyxl would take long to read it all).
    with archive.open("xl/worksheets/sheet3.xml") as sheet:
        ending = b""
        while chunk := sheet.read(1024 * 1024):
            ending = (ending + chunk)[-4096:]
    last = ending.decode().rsplit("<row ", 1)[1]
    number = LONG_TABLE_ROWS - 1
    assert last.startswith(f'r="{LONG_TABLE_ROWS + 1}">')
    assert re.findall(r"<(?:v|t)>([^<]*)</", last) == [
        f"Site {number % 350}",
        f"Period {number}",
        f"{number}.{number % 100:02d}",
        str(number % 97),
        str(number % 500),
        "46027",
        "No",
    ]
