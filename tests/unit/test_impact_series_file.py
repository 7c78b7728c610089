"""Uploaded comparison series: good files become checked rows; a bad file gives every problem by row and
column at once, and nothing else."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from evidence_hub.services.impact.quarters import NotAQuarter, quarters_before, quarters_from, shifted
from evidence_hub.services.impact.series_file import (
    SERIES_COLUMNS,
    SERIES_SHEET,
    RowProblem,
    SeriesFileRejected,
    SeriesRow,
    read_series_file,
    series_csv,
)

HEADER = "area_code,area_name,period,indicator_code,value,source,date_extracted"
AREAS = {"E10000016", "E06000035", "E10000011"}
# The framework's periods (2009 Q2 to 2011 Q1) and eight quarters before the pilot.
PERIODS = [*quarters_before("2009-Q2", 8), *quarters_from("2009-Q2", 8)]
INDICATORS = {"WL-JOB-ENTRY-RATE", "WL-CLIENTS-ENGAGED"}
TODAY = date(2011, 6, 1)


def read(text: str, filename: str = "series.csv") -> list[SeriesRow]:
    return read_series_file(
        text.encode("utf-8"),
        filename,
        area_codes=AREAS,
        period_codes=PERIODS,
        indicator_codes=INDICATORS,
        today=TODAY,
    )


def problems_of(text: str) -> list[RowProblem]:
    with pytest.raises(SeriesFileRejected) as rejected:
        read(text)
    return rejected.value.problems


def test_a_good_file_becomes_checked_rows_with_their_provenance() -> None:
    rows = read(
        f"{HEADER}\n"
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,14.2,ONS Nomis claimant count,2011-05-03\n"
        'E10000016,Kent,2009-Q2,WL-JOB-ENTRY-RATE,"1,250",DWP Stat-Xplore,03/05/2011\n'
    )

    assert rows == [
        SeriesRow(
            2,
            "E06000035",
            "Medway",
            "2008-Q3",
            "WL-JOB-ENTRY-RATE",
            Decimal("14.2"),
            "ONS Nomis claimant count",
            date(2011, 5, 3),
        ),
        SeriesRow(
            3,
            "E10000016",
            "Kent",
            "2009-Q2",
            "WL-JOB-ENTRY-RATE",
            Decimal(1250),
            "DWP Stat-Xplore",
            date(2011, 5, 3),
        ),
    ]


def test_quarters_before_the_pilot_are_allowed() -> None:
    rows = read(f"{HEADER}\nE06000035,Medway,2007-Q2,WL-JOB-ENTRY-RATE,15.0,ONS,2011-05-03\n")

    assert rows[0].period_code == "2007-Q2"


def test_headers_in_words_or_as_nomis_names_them_are_read() -> None:
    rows = read(
        "GEOGRAPHY_CODE,GEOGRAPHY_NAME,Period,Indicator code,OBS_VALUE,Source,Date extracted\n"
        "e06000035,Medway,2008 q3,wl-job-entry-rate,14.2,ONS Nomis,2011-05-03\n"
    )

    assert (rows[0].area_code, rows[0].period_code, rows[0].indicator_code) == (
        "E06000035",
        "2008-Q3",
        "WL-JOB-ENTRY-RATE",
    )


def test_a_workbook_is_read_from_its_series_sheet_with_dates_and_numbers_as_cells() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SERIES_SHEET
    sheet.append([column.key for column in SERIES_COLUMNS])
    sheet.append(
        ["E06000035", "Medway", "2008-Q3", "WL-JOB-ENTRY-RATE", 14.25, "ONS Nomis", datetime(2011, 5, 3)]
    )
    sheet.append(
        ["E10000011", "East Sussex", "2008-Q3", "WL-CLIENTS-ENGAGED", 120, "ONS Nomis", "03/05/2011"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    rows = read_series_file(
        buffer.getvalue(),
        "series.xlsx",
        area_codes=AREAS,
        period_codes=PERIODS,
        indicator_codes=INDICATORS,
        today=TODAY,
    )

    assert [(row.value, row.extracted_on) for row in rows] == [
        (Decimal("14.25"), date(2011, 5, 3)),
        (Decimal(120), date(2011, 5, 3)),
    ]


def test_every_problem_is_reported_at_once_by_row_and_column() -> None:
    problems = problems_of(
        f"{HEADER}\n"
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,14.2,ONS,2011-05-03\n"  # row 2: fine
        "E09000001,City of London,2008-Q3,WL-JOB-ENTRY-RATE,14.2,ONS,2011-05-03\n"  # 3: unknown area
        "X123,Nowhere,2008-Q3,WL-JOB-ENTRY-RATE,14.2,ONS,2011-05-03\n"  # 4: not a GSS code
        "E06000035,Medway,2012-Q1,WL-JOB-ENTRY-RATE,14.2,ONS,2011-05-03\n"  # 5: period outside
        "E06000035,Medway,Spring 2009,WL-JOB-ENTRY-RATE,14.2,ONS,2011-05-03\n"  # 6: not a period
        "E06000035,Medway,2008-Q4,WL-UNKNOWN,14.2,ONS,2011-05-03\n"  # 7: unknown indicator
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,15.0,ONS,2011-05-03\n"  # 8: duplicate of row 2
        "E06000035,Medway,2009-Q1,WL-JOB-ENTRY-RATE,..,ONS,2011-05-03\n"  # 9: text in a number
        ",,,,,,\n"  # an empty line is skipped
        "E06000035,,2009-Q2,WL-JOB-ENTRY-RATE,,,\n"  # 11: empty required cells
        "E06000035,Medway,2009-Q3,WL-JOB-ENTRY-RATE,14.2,ONS,31/02/2011\n"  # 12: no such date
        "E06000035,Medway,2009-Q4,WL-JOB-ENTRY-RATE,14.2,ONS,3rd May\n"  # 13: not a date
        "E06000035,Medway,2010-Q1,WL-JOB-ENTRY-RATE,14.2,ONS,2012-01-01\n"  # 14: in the future
        "E06000035,Medway,2010-Q2,WL-JOB-ENTRY-RATE,NaN,ONS,2011-05-03\n"  # 15: not a finite number
    )

    assert [(problem.row, problem.column) for problem in problems] == [
        (3, "area_code"),
        (4, "area_code"),
        (5, "period"),
        (6, "period"),
        (7, "indicator_code"),
        (8, "area_code"),
        (9, "value"),
        (11, "area_name"),
        (11, "value"),
        (11, "source"),
        (11, "date_extracted"),
        (12, "date_extracted"),
        (13, "date_extracted"),
        (14, "date_extracted"),
        (15, "value"),
    ]
    messages = {(problem.row, problem.column): problem.message for problem in problems}
    assert messages[(3, "area_code")] == (
        "E09000001 is not a pilot site or one of their comparison areas: add it as a comparison area first, "
        "or correct the code"
    )
    assert messages[(4, "area_code")] == (
        "‘X123’ is not a GSS area code: it should be a letter E, W, S or N followed by 8 digits, "
        "like E06000001"
    )
    assert messages[(5, "period")] == (
        "2012-Q1 is outside the periods this framework covers, with the quarters before the pilot "
        "(2007-Q2 to 2011-Q1)"
    )
    assert messages[(6, "period")] == "‘Spring 2009’ is not a period: write the quarter like 2009-Q2"
    assert messages[(7, "indicator_code")] == (
        "‘WL-UNKNOWN’ is not an indicator of this framework observed in comparison areas"
    )
    assert messages[(8, "area_code")] == (
        "Row 2 already has a figure for E06000035, 2008-Q3 and WL-JOB-ENTRY-RATE: give each area, period "
        "and indicator once"
    )
    assert messages[(9, "value")].startswith("‘..’ is not a number: give the figure, like 14.2")
    assert messages[(11, "value")] == "Enter the figure, or leave the row out when there is none"
    assert messages[(12, "date_extracted")] == (
        "‘31/02/2011’ is not a date: write it like 2011-05-03 or 03/05/2011 (day/month/year)"
    )
    assert (
        messages[(14, "date_extracted")]
        == "2012-01-01 is in the future: give the date the figure was extracted"
    )


def test_problems_name_the_columns_as_the_file_heads_them() -> None:
    problems = problems_of(
        "GEOGRAPHY_CODE,GEOGRAPHY_NAME,period,indicator_code,OBS_VALUE,source,date_extracted\n"
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,n/a,ONS,2011-05-03\n"
    )

    assert [(problem.row, problem.column) for problem in problems] == [(2, "obs_value")]


def test_missing_columns_are_reported_on_the_header_row() -> None:
    problems = problems_of("area_code,area_name,period,value\nE06000035,Medway,2008-Q3,14.2\n")

    assert problems == [
        RowProblem(
            1, "indicator_code", "The header row has no ‘indicator_code’ column. Start from the template."
        ),
        RowProblem(1, "source", "The header row has no ‘source’ column. Start from the template."),
        RowProblem(
            1, "date_extracted", "The header row has no ‘date_extracted’ column. Start from the template."
        ),
    ]


def test_a_file_with_only_a_header_is_refused() -> None:
    assert problems_of(f"{HEADER}\n") == [
        RowProblem(0, "file", "The file has no rows of figures below the header.")
    ]


def test_a_file_that_is_not_a_spreadsheet_is_refused_as_a_whole() -> None:
    with pytest.raises(SeriesFileRejected) as rejected:
        read_series_file(
            b"PK\x03\x04 not really a workbook",
            "series.xlsx",
            area_codes=AREAS,
            period_codes=PERIODS,
            indicator_codes=INDICATORS,
        )

    assert rejected.value.problems == [
        RowProblem(0, "file", "The file is not a valid Excel (.xlsx) workbook.")
    ]


def test_a_workbook_without_a_series_sheet_is_refused() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(SeriesFileRejected) as rejected:
        read_series_file(
            buffer.getvalue(),
            "series.xlsx",
            area_codes=AREAS,
            period_codes=PERIODS,
            indicator_codes=INDICATORS,
        )

    assert rejected.value.problems[0].row == 0
    assert "‘Series’" in rejected.value.problems[0].message


def test_rows_written_out_read_back_the_same() -> None:
    rows = read(
        f"{HEADER}\n"
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,-1.5,=ONS (formula-like),2011-05-03\n"
        "E10000011,East Sussex,2008-Q3,WL-JOB-ENTRY-RATE,14.2,ONS,2011-05-03\n"
    )

    written = series_csv(rows)

    assert written.decode("utf-8").splitlines()[1].endswith(",-1.5,'=ONS (formula-like),2011-05-03")
    assert read(written.decode("utf-8")) == rows


def test_quarter_codes_count_forwards_and_backwards_across_years() -> None:
    assert quarters_before("2009-Q2", 4) == ["2008-Q2", "2008-Q3", "2008-Q4", "2009-Q1"]
    assert quarters_from("2010-Q3", 3) == ["2010-Q3", "2010-Q4", "2011-Q1"]
    assert shifted("2009-Q1", -1) == "2008-Q4"
    with pytest.raises(NotAQuarter):
        shifted("2009 Q5", 1)


def test_figures_are_read_as_the_return_page_reads_them_and_kept_within_the_column() -> None:
    rows = read(
        f"{HEADER}\n"
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,12.5%,ONS Nomis claimant count,2011-05-03\n"
        "E10000016,Kent,2008-Q3,WL-JOB-ENTRY-RATE,12.3456,ONS Nomis claimant count,2011-05-03\n"
    )
    assert [row.value for row in rows] == [Decimal("12.5"), Decimal("12.3456")]

    problems = problems_of(
        f"{HEADER}\n"
        "E06000035,Medway,2008-Q3,WL-JOB-ENTRY-RATE,12.34567,ONS Nomis claimant count,2011-05-03\n"
        "E10000016,Kent,2008-Q3,WL-JOB-ENTRY-RATE,123456789012345,ONS Nomis claimant count,2011-05-03\n"
        'E10000011,Surrey,2008-Q3,WL-JOB-ENTRY-RATE,"1,2",ONS Nomis claimant count,2011-05-03\n'
    )
    messages = {(problem.row, problem.column): problem.message for problem in problems}
    assert messages == {
        (2, "value"): "‘12.34567’ has more than 4 decimal places: round it to 4",
        (3, "value"): "‘123456789012345’ is too large to be a figure for one area",
        (4, "value"): "‘1,2’ is not a number: give the figure, like 14.2, and leave out rows with no figure "
        "(such as .. or x for suppressed values)",
    }
