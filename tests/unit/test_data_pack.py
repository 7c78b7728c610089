"""Data packs: a release's tables as an XLSX workbook and as a zip of CSV files, and one table as a streamed
CSV. Numbers are written as numbers, "[c]" stays text, text never becomes a formula, and the CSV is read
row by row as it is sent."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from sqlalchemy.orm import Session

from evidence_hub.models import Release
from evidence_hub.services.releases import reading
from evidence_hub.services.releases.render.data_pack.contents import STATUS_LINE, PackSource, PlainColumn
from evidence_hub.services.releases.render.data_pack.csv_file import (
    CHUNK_SIZE,
    csv_cell,
    csv_cell_writer,
    iter_csv,
)
from evidence_hub.services.releases.render.data_pack.file_names import pack_filename, table_filename
from evidence_hub.services.releases.render.data_pack.xlsx import MONEY_FORMAT, sheet_names, write_xlsx
from evidence_hub.services.releases.render.data_pack.zip_file import write_zip
from tests.release_helpers import published_release

REFERENCE = "WDS-2026-01"
FORMULA_TITLES = ("=SUM(A1)", "+44 20 7946 0000", "-1 more barrier", "@everyone", "\tindented", "\rreturn")


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    description: str
    columns: tuple[PlainColumn, ...]
    row_count: int = 0


@dataclass
class InMemoryPack:
    """A PackSource held in lists, recording which tables were read."""

    title: str = "Data pack: Worklessness pilots, 2025 Q1 to 2026 Q4"
    reference: str | None = REFERENCE
    notes: list[str] = field(
        default_factory=lambda: [
            f"Release {REFERENCE}, published 21 November 2026.",
            "Counts of people from 1 to 9 are shown as [c]; 3 cells were suppressed.",
        ]
    )
    dictionary_columns: list[str] = field(default_factory=lambda: ["Code", "Name", "Unit"])
    dictionary_rows: list[list[Any]] = field(
        default_factory=lambda: [
            ["IND-01", "People into work", "people"],
            ["IND-02", "=cmd|'/c calc'!A0", ""],
        ]
    )
    tables: list[Table] = field(default_factory=list)
    table_rows: dict[str, list[list[Any]]] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)

    def rows(self, code: str) -> Iterator[list[Any]]:
        self.read.append(code)
        yield from self.table_rows[code]


COSTS = Table(
    "costs",
    "Costs by site, period and category",
    "Costs recorded by each site.",
    (
        PlainColumn("site", "Site"),
        PlainColumn("recorded", "Recorded (£)", "money", "All costs recorded."),
        PlainColumn("people", "People reached", "people", "Disclosure-controlled."),
        PlainColumn("share", "Share (%)", "percent"),
        PlainColumn("evidence_level", "Evidence level", "count"),
        PlainColumn("approved_on", "Approved on", "date"),
        PlainColumn("meets_minimum", "Meets the minimum", "flag"),
    ),
    row_count=3,
)
COST_ROWS: list[list[Any]] = [
    ["Kent", "1234.56", 12, "45.5", 3, "2026-01-05", True],
    ["Leeds", "-50.00", "[c]", "[c]", None, None, False],
    ['=HYPERLINK("http://x")', "0.10", 0, None, 2, "2026-02-01", None],
]
LEARNING = Table(
    "learning",
    "Learning entries",
    "Cleared learning.",
    (PlainColumn("title", "Title", "text", "The entry's title."), PlainColumn("entries", "Entries", "count")),
    row_count=len(FORMULA_TITLES),
)


def small_pack(**changes: Any) -> InMemoryPack:
    return InMemoryPack(
        tables=[COSTS, LEARNING],
        table_rows={"costs": COST_ROWS, "learning": [[title, 1] for title in FORMULA_TITLES]},
        **changes,
    )


def xlsx_of(source: PackSource) -> Workbook:
    target = io.BytesIO()
    write_xlsx(source, target)
    target.seek(0)
    return load_workbook(target)


def zip_of(source: PackSource) -> zipfile.ZipFile:
    target = io.BytesIO()
    write_zip(source, target)
    target.seek(0)
    return zipfile.ZipFile(target)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_excel_reads_it(value: Any) -> Any:
    """A cell's text as Excel shows it: a control character is stored escaped as _xHHHH_ (XML cannot hold
    it raw), which Excel decodes and openpyxl leaves as it is."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda escaped: chr(int(escaped.group(1), 16)), value)


def column_values(worksheet: Any, column: int) -> list[Any]:
    return [row[column - 1] for row in worksheet.iter_rows(values_only=True)]


# --- XLSX ---------------------------------------------------------------------------------------------------


def test_the_workbook_has_notes_then_the_dictionary_then_a_sheet_per_table() -> None:
    workbook = xlsx_of(small_pack())

    assert workbook.sheetnames == ["Notes", "Dictionary", "Costs", "Learning entries"]


def test_the_notes_give_the_title_reference_status_every_note_and_every_sheet() -> None:
    source = small_pack()
    notes = xlsx_of(source)["Notes"]
    text = [
        " ".join(str(value) for value in row if value is not None)
        for row in notes.iter_rows(values_only=True)
    ]

    assert text[0] == source.title
    assert text[1] == f"Release reference {REFERENCE}"
    assert f"Status {STATUS_LINE}" in text
    for note in source.notes:
        assert note in text
    assert "Costs Costs by site, period and category: Costs recorded by each site. 3" in text
    assert "Dictionary" in column_values(notes, 1)
    assert "Costs Recorded (£) Money (£) All costs recorded." in text


def test_every_sheet_states_the_release_reference_and_the_workbook_is_titled() -> None:
    workbook = xlsx_of(small_pack())

    assert workbook.properties.title == "Data pack: Worklessness pilots, 2025 Q1 to 2026 Q4"
    assert workbook.properties.subject == REFERENCE
    for worksheet in workbook.worksheets:
        assert REFERENCE in (worksheet.oddHeader.left.text or ""), worksheet.title


def test_a_live_pack_says_it_is_not_a_release() -> None:
    workbook = xlsx_of(small_pack(reference=None, notes=[]))

    assert "not a published release" in workbook["Notes"]["B2"].value
    assert "not a published release" in (workbook["Costs"].oddHeader.left.text or "")


def test_table_sheets_have_a_bold_frozen_header_and_set_widths() -> None:
    costs = xlsx_of(small_pack())["Costs"]

    assert [cell.value for cell in costs[1]] == [column.heading for column in COSTS.columns]
    assert all(cell.font.b for cell in costs[1])
    assert costs.freeze_panes == "A2"
    # Excel stores a width with the cell padding added (40 characters are 40.71...): it shows 40.
    assert int(costs.column_dimensions["A"].width) == 40
    assert int(costs.column_dimensions["B"].width) == 14
    assert costs.max_row == 1 + len(COST_ROWS)


def test_money_is_numeric_with_a_pound_format_and_negative_amounts_stay_numbers() -> None:
    costs = xlsx_of(small_pack())["Costs"]

    assert costs["B2"].data_type == "n"
    assert Decimal(str(costs["B2"].value)) == Decimal("1234.56")
    assert costs["B2"].number_format == MONEY_FORMAT
    assert costs["B3"].data_type == "n"
    assert costs["B3"].value == -50


def test_counts_and_percentages_are_numbers_and_c_is_text() -> None:
    costs = xlsx_of(small_pack())["Costs"]

    assert (costs["C2"].data_type, costs["C2"].value) == ("n", 12)
    assert (costs["C3"].data_type, costs["C3"].value) == ("s", "[c]")
    assert (costs["D2"].data_type, costs["D2"].value) == ("n", 45.5)
    assert (costs["D3"].data_type, costs["D3"].value) == ("s", "[c]")
    assert costs["D4"].value is None
    assert costs["E2"].value == 3


def test_dates_are_dates_and_flags_are_yes_or_no() -> None:
    costs = xlsx_of(small_pack())["Costs"]

    assert costs["F2"].is_date
    assert costs["F2"].value.date() == date(2026, 1, 5)
    assert [costs["G2"].value, costs["G3"].value, costs["G4"].value] == ["Yes", "No", None]


@pytest.mark.parametrize("title", FORMULA_TITLES)
def test_text_that_looks_like_a_formula_is_stored_as_quoted_text(title: str) -> None:
    learning = xlsx_of(small_pack())["Learning entries"]
    cell = next(row[0] for row in learning.iter_rows(min_row=2) if as_excel_reads_it(row[0].value) == title)

    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_no_cell_anywhere_in_the_workbook_is_a_formula() -> None:
    workbook = xlsx_of(small_pack())

    formulas = [
        f"{worksheet.title}!{cell.coordinate}"
        for worksheet in workbook.worksheets
        for row in worksheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    assert workbook["Costs"]["A4"].value == '=HYPERLINK("http://x")'
    assert workbook["Dictionary"]["B3"].value == "=cmd|'/c calc'!A0"


def test_text_error_codes_stay_text() -> None:
    pack = small_pack()
    pack.table_rows["learning"] = [["#N/A", 1]]
    cell = xlsx_of(pack)["Learning entries"]["A2"]

    assert (cell.data_type, cell.value) == ("s", "#N/A")


@pytest.mark.parametrize(
    ("kind", "value", "stored", "data_type"),
    [
        ("count", "12", 12, "n"),
        ("count", "-0", 0, "n"),
        ("people", 7, 7, "n"),
        ("number", "1E+3", 1000, "n"),
        ("number", "-2.25", -2.25, "n"),
        ("percent", "[c]", "[c]", "s"),
        ("count", "not a number", "not a number", "s"),
        ("text", "-2", "-2", "s"),
        ("text", "Kent\x01 and Medway", "Kent and Medway", "s"),
        ("text", 5, 5, "n"),
        ("text", "", None, "n"),
        ("flag", False, "No", "s"),
    ],
)
def test_workbook_cells_by_kind(kind: str, value: Any, stored: Any, data_type: str) -> None:
    pack = small_pack()
    pack.tables = [Table("one", "One", "", (PlainColumn("value", "Value", kind),), 1)]
    pack.table_rows = {"one": [[value]]}
    cell = xlsx_of(pack)["One"]["A2"]

    assert (cell.value, cell.data_type) == (stored, data_type)


def test_the_dictionary_sheet_holds_the_framework_dictionary() -> None:
    dictionary = xlsx_of(small_pack())["Dictionary"]

    assert list(dictionary.iter_rows(values_only=True)) == [
        ("Code", "Name", "Unit"),
        ("IND-01", "People into work", "people"),
        ("IND-02", "=cmd|'/c calc'!A0", None),
    ]
    assert dictionary.freeze_panes == "A2"


def test_sheet_names_fit_excel_and_are_unique() -> None:
    tables = [
        Table("a", "Costs by site, period and category", "", ()),
        Table("b", "costs", "", ()),
        Table("c", "A very long title without the usual breakdown words in it", "", ()),
        Table("d", "Notes", "", ()),
        Table("e", "What? [draft]: a/b", "", ()),
    ]

    names = sheet_names(tables)

    assert names == ["Costs", "costs (2)", "A very long title without the", "Notes (2)", "What draft a b"]
    assert all(len(name) <= 31 for name in names)


# --- Zip of CSV files ---------------------------------------------------------------------------------------


def test_the_zip_holds_a_readme_notes_dictionary_and_a_csv_per_table() -> None:
    archive = zip_of(small_pack())

    assert archive.namelist() == ["README.txt", "notes.csv", "dictionary.csv", "costs.csv", "learning.csv"]
    assert archive.testzip() is None
    assert REFERENCE.encode() in archive.comment


def test_the_readme_gives_the_notes_files_and_columns() -> None:
    source = small_pack()
    readme = zip_of(source).read("README.txt").decode("utf-8")

    assert readme.startswith(source.title + "\r\n")
    assert f"Release reference: {REFERENCE}" in readme
    assert STATUS_LINE in readme
    for note in source.notes:
        assert f"- {note}" in readme
    assert "costs.csv: Costs by site, period and category: Costs recorded by each site. (3 rows)" in readme
    assert "  Recorded (£) (Money (£)): All costs recorded." in readme


def test_every_csv_has_a_byte_order_mark_and_crlf_line_ends() -> None:
    archive = zip_of(small_pack())

    for name in ("notes.csv", "dictionary.csv", "costs.csv", "learning.csv"):
        data = archive.read(name)
        assert data.startswith(b"\xef\xbb\xbf"), name
        assert data.endswith(b"\r\n"), name
        assert b"\n" not in data.replace(b"\r\n", b""), name


def test_the_table_csv_has_numbers_as_numbers_and_formula_text_escaped() -> None:
    costs = read_csv(zip_of(small_pack()).read("costs.csv"))

    assert costs == [
        [
            "Site",
            "Recorded (£)",
            "People reached",
            "Share (%)",
            "Evidence level",
            "Approved on",
            "Meets the minimum",
        ],
        ["Kent", "1234.56", "12", "45.5", "3", "2026-01-05", "Yes"],
        ["Leeds", "-50.00", "[c]", "[c]", "", "", "No"],
        ['\'=HYPERLINK("http://x")', "0.10", "0", "", "2", "2026-02-01", ""],
    ]


def test_the_learning_csv_escapes_every_formula_trigger() -> None:
    learning = read_csv(zip_of(small_pack()).read("learning.csv"))

    assert [row[0] for row in learning[1:]] == ["'" + title for title in FORMULA_TITLES]


def test_the_notes_and_dictionary_csvs() -> None:
    source = small_pack()
    archive = zip_of(source)
    notes = read_csv(archive.read("notes.csv"))
    dictionary = read_csv(archive.read("dictionary.csv"))

    assert notes[:4] == [
        ["Section", "Text"],
        ["Title", source.title],
        ["Release reference", REFERENCE],
        ["Status", STATUS_LINE],
    ]
    assert ["Note", source.notes[1]] in notes
    assert dictionary == [
        ["Code", "Name", "Unit"],
        ["IND-01", "People into work", "people"],
        ["IND-02", "'=cmd|'/c calc'!A0", ""],
    ]


def test_every_table_is_read_once_for_each_file() -> None:
    source = small_pack()
    zip_of(source)
    xlsx_of(source)

    assert source.read == ["costs", "learning", "costs", "learning"]


# --- Streamed CSV -------------------------------------------------------------------------------------------


def many_rows(count: int, taken: list[int]) -> Iterator[list[Any]]:
    for number in range(count):
        taken.append(number)
        yield [f'Site {number}, the "long" name', number, "=1+1" if number % 7 == 0 else "plain"]


STREAM_COLUMNS = (
    PlainColumn("site", "Site"),
    PlainColumn("count", "Count", "count"),
    PlainColumn("note", "Note"),
)


def test_iter_csv_streams_many_rows_in_chunks_that_join_into_the_csv_module_rendering() -> None:
    rows = 20_000
    chunks = list(iter_csv(STREAM_COLUMNS, many_rows(rows, [])))

    expected = io.StringIO()
    expected.write("\ufeff")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(["Site", "Count", "Note"])
    for row in many_rows(rows, []):
        writer.writerow([row[0], row[1], "'=1+1" if row[2] == "=1+1" else row[2]])
    assert len(chunks) > 5
    assert all(CHUNK_SIZE <= len(chunk) < CHUNK_SIZE + 1024 for chunk in chunks[:-1])
    assert b"".join(chunks) == expected.getvalue().encode("utf-8")


def test_iter_csv_reads_rows_only_as_chunks_are_taken() -> None:
    taken: list[int] = []
    stream = iter_csv(STREAM_COLUMNS, many_rows(100_000, taken))

    next(stream)

    assert 0 < len(taken) < 2_000


def test_an_empty_table_is_just_its_headings() -> None:
    assert b"".join(iter_csv(STREAM_COLUMNS, iter([]))) == "\ufeffSite,Count,Note\r\n".encode()


@pytest.mark.parametrize(
    ("kind", "value", "written"),
    [
        ("money", "1234.50", "1234.50"),
        ("money", Decimal("-3.10"), "-3.10"),
        ("money", "[c]", "[c]"),
        ("people", 7, "7"),
        ("people", "[c]", "[c]"),
        ("number", "-0.5", "-0.5"),
        ("number", "1E+3", "1000"),
        ("percent", None, ""),
        ("count", "not a number", "not a number"),
        ("count", "-2", "-2"),
        ("text", "-2", "'-2"),
        ("text", "@SUM(1)", "'@SUM(1)"),
        ("text", 5, "5"),
        ("flag", True, "Yes"),
        ("date", "2026-03-31", "2026-03-31"),
        ("date", date(2026, 3, 31), "2026-03-31"),
        ("date", "=NOW()", "'=NOW()"),
        ("unknown kind", "=1", "'=1"),
        ("count", "12.0", "12"),
        ("money", "007.50", "7.50"),
        ("number", "+3", "3"),
    ],
)
def test_csv_cells_by_kind(kind: str, value: Any, written: str) -> None:
    assert csv_cell(kind, value) == written
    # The short path iter_csv takes gives the same text.
    assert csv_cell_writer(kind)(value) == written


# --- File names ---------------------------------------------------------------------------------------------


def test_file_names() -> None:
    assert pack_filename(REFERENCE, "xlsx") == "evidence-hub-WDS-2026-01-data-pack.xlsx"
    assert pack_filename(REFERENCE, ".zip") == "evidence-hub-WDS-2026-01-data-pack.zip"
    assert pack_filename("Liverpool City Region", "zip") == "evidence-hub-Liverpool-City-Region-data-pack.zip"
    assert pack_filename("../../etc", "zip") == "evidence-hub-etc-data-pack.zip"
    assert table_filename(REFERENCE, "people_reached") == "evidence-hub-WDS-2026-01-people-reached.csv"


# --- A real published release -------------------------------------------------------------------------------


ReleaseAndSource = tuple[Release, PackSource]


@pytest.fixture
def release_source(db: Session) -> ReleaseAndSource:
    release = published_release(db)
    source: PackSource = reading.release_pack_source(db, release)
    return release, source


def test_a_published_release_makes_a_workbook_with_every_table(
    release_source: ReleaseAndSource, db: Session
) -> None:
    release, source = release_source
    workbook = xlsx_of(source)
    definitions = list(source.tables)  # the release's tables, then its impact estimates

    assert workbook.sheetnames[:2] == ["Notes", "Dictionary"]
    assert len(workbook.sheetnames) == 2 + len(definitions)
    for name, definition in zip(workbook.sheetnames[2:], definitions, strict=True):
        worksheet = workbook[name]
        assert [cell.value for cell in worksheet[1]] == [column.heading for column in definition.columns]
        assert worksheet.max_row == 1 + definition.row_count
    notes = [value for row in workbook["Notes"].iter_rows(values_only=True) for value in row if value]
    assert release.reference in notes
    for line in release.content["disclosure"]:
        assert line in notes


def test_a_published_release_writes_money_as_pounds(release_source: ReleaseAndSource) -> None:
    _release, source = release_source
    costs = xlsx_of(source)["Costs"]
    headings = [cell.value for cell in costs[1]]
    attributable = headings.index("Attributable (£)") + 1

    cells = [row[attributable - 1] for row in costs.iter_rows(min_row=2)]
    assert cells
    assert all(cell.data_type == "n" and cell.number_format == MONEY_FORMAT for cell in cells)


def test_a_published_release_makes_a_zip_whose_csvs_match_the_release_rows(
    release_source: ReleaseAndSource, db: Session
) -> None:
    release, source = release_source
    archive = zip_of(source)

    # The release's tables, then its impact estimates, then its value for money and roll-out projection.
    definitions = list(source.tables)
    codes = [definition.code for definition in definitions]
    assert codes[codes.index("impact_estimates") :] == [
        "impact_estimates",
        "value_for_money_figures",
        "value_for_money_periods",
        "value_for_money_switching",
        "value_for_money_parameters",
        "rollout_projection",
        "rollout_projection_assumptions",
    ]
    assert archive.namelist() == [
        "README.txt",
        "notes.csv",
        "dictionary.csv",
        *(f"{definition.code}.csv" for definition in definitions),
    ]
    for definition in definitions:
        rows = read_csv(archive.read(f"{definition.code}.csv"))
        assert rows[0] == [column.heading for column in definition.columns]
        assert len(rows) - 1 == definition.row_count
    dictionary = read_csv(archive.read("dictionary.csv"))
    assert dictionary[0] == release.content["dictionary"]["columns"]
    # The framework's definitions and the tables' columns, then each value-for-money figure's formula.
    assert len(dictionary) - 1 == len(source.dictionary_rows) > len(release.content["dictionary"]["rows"])


def test_a_release_table_streams_as_the_same_csv_as_in_the_zip(
    release_source: ReleaseAndSource, db: Session
) -> None:
    release, source = release_source
    definition = reading.table_definition(release, "costs")

    streamed = b"".join(iter_csv(definition.columns, reading.iter_rows(db, release, "costs")))

    assert streamed == zip_of(source).read("costs.csv")


def test_a_published_release_keeps_suppressed_figures_as_c_text(release_source: ReleaseAndSource) -> None:
    _release, source = release_source
    measures = xlsx_of(source)["Impact measures"]
    column = [cell.value for cell in measures[1]].index("Value")

    cells = [row[column] for row in measures.iter_rows(min_row=2)]
    assert any(cell.value == "[c]" for cell in cells)
    assert all(
        (cell.data_type, cell.value) == ("s", "[c]")
        or (cell.data_type == "n" and isinstance(cell.value, int | float | None))
        for cell in cells
    )
