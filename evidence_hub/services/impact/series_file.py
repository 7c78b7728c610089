"""Reading an uploaded file of comparison series (CSV or XLSX) into checked rows, all or nothing.

An evaluator uploads the series of the pilot sites and their comparison areas from public sources (ONS
Nomis claimant counts by local authority, DWP Stat-Xplore benefit caseloads), one figure a row:

    area_code, area_name, period, indicator_code, value, source, date_extracted
    E06000035, Medway,    2008-Q3, WL-JOB-ENTRY-RATE, 14.2, ONS Nomis claimant count, 2011-05-03

Headers may also be written as words ("Area code") or as Nomis names its columns (GEOGRAPHY_CODE,
GEOGRAPHY_NAME, OBS_VALUE). Quarters before the pilot are allowed: the caller passes every period the
file may use, the framework's and the pre-pilot quarters. The source and extraction date are kept with
each figure as its provenance.

Like every upload, the file is checked whole: `SeriesFileRejected.problems` lists every problem by row
and column at once, and no row is returned unless every row is valid. The file is read within the
budgets of `spreadsheet_reading` (size, rows, time; zip and XML bombs refused).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from evidence_hub.services.common.spreadsheet_reading import SpreadsheetRefused, read_spreadsheet
from evidence_hub.services.common.spreadsheet_safety import FORMULA_TRIGGERS, csv_safe
from evidence_hub.services.impact.quarters import QUARTER_CODE, quarter_code

# The sheet an XLSX upload is read from (the template names its sheet so).
SERIES_SHEET = "Series"
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
LOOSE_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q\s*([1-4])$", re.IGNORECASE)
THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# The figures column holds up to 18 digits, four after the point.
MOST_DECIMAL_PLACES = 4
LARGEST_FIGURE = Decimal("99999999999999")


class FigureFault(StrEnum):
    """Why a written figure cannot be kept: each caller says so in its own words (a file's row and
    column, a return's area and indicator)."""

    NOT_A_NUMBER = "not a number"
    TOO_MANY_PLACES = "too many decimal places"
    TOO_LARGE = "too large"


class FigureRefused(ValueError):
    def __init__(self, fault: FigureFault) -> None:
        super().__init__(fault.value)
        self.fault = fault


def parse_figure(written: str) -> Decimal:
    """A comparison figure as written in a series file or typed in a return: thousands separated by
    commas (1,234.5) and a percentage's sign (12.5%) allowed, within what the figures column holds.
    FigureRefused says why not. The caller handles an empty figure (a row left out, a figure cleared)."""
    text = written.strip().removesuffix("%").strip()
    if THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        figure = Decimal(text)
    except InvalidOperation:
        raise FigureRefused(FigureFault.NOT_A_NUMBER) from None
    if not figure.is_finite():
        raise FigureRefused(FigureFault.NOT_A_NUMBER)
    exponent = figure.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MOST_DECIMAL_PLACES:
        raise FigureRefused(FigureFault.TOO_MANY_PLACES)
    if abs(figure) > LARGEST_FIGURE:
        raise FigureRefused(FigureFault.TOO_LARGE)
    return figure


@dataclass(frozen=True)
class SeriesColumn:
    key: str
    label: str
    guidance: str
    # Other headers accepted for this column, such as Nomis's names.
    aliases: tuple[str, ...] = ()


SERIES_COLUMNS = (
    SeriesColumn(
        "area_code",
        "Area code",
        "The area's GSS code: a letter E, W, S or N followed by 8 digits, like E06000001.",
        ("geography_code",),
    ),
    SeriesColumn("area_name", "Area name", "The area's name, like Hartlepool.", ("geography_name",)),
    SeriesColumn(
        "period",
        "Period",
        "The quarter, like 2009-Q2. Quarters before the pilot began are allowed.",
        ("period_code",),
    ),
    SeriesColumn("indicator_code", "Indicator code", "The framework's indicator code.", ("indicator",)),
    SeriesColumn("value", "Value", "The figure, in the indicator's unit, like 14.2.", ("obs_value",)),
    SeriesColumn("source", "Source", "Where the figure comes from, like ONS Nomis claimant count."),
    SeriesColumn(
        "date_extracted",
        "Date extracted",
        "When the figure was taken from the source, like 2011-05-03 or 03/05/2011.",
        ("extracted_on",),
    ),
)


@dataclass(frozen=True)
class RowProblem:
    """One problem in the file: row 0 means the file as a whole; `column` is the header as written in the
    file (lower case), or the expected header when it is missing.

    The same shape as the return uploads' problems (services/returns/imports.py), so the upload pages'
    error summary shows both alike.
    """

    row: int
    column: str
    message: str


class SeriesFileRejected(ValueError):
    """Nothing is taken from the file; `problems` lists every row and column that needs correcting."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problems in the comparison series file")
        self.problems = problems


@dataclass(frozen=True)
class SeriesRow:
    """One checked figure of a comparison series, with its provenance."""

    row: int
    area_code: str
    area_name: str
    period_code: str
    indicator_code: str
    value: Decimal
    source: str
    extracted_on: date


def read_series_file(
    content: bytes,
    filename: str,
    *,
    area_codes: Collection[str],
    period_codes: Sequence[str],
    indicator_codes: Collection[str],
    today: date | None = None,
) -> list[SeriesRow]:
    """Every row of the file, checked; SeriesFileRejected lists every problem by row and column.

    `area_codes` are the GSS codes of the pilot sites and their comparison areas; `period_codes` every
    period a figure may be for (the framework's periods and the quarters before the pilot), oldest first;
    `indicator_codes` the framework's indicators observed in comparison areas. `today` (for tests) bounds
    the extraction date.
    """
    try:
        sheet = read_spreadsheet(content, filename, SERIES_SHEET)
    except SpreadsheetRefused as refusal:
        raise SeriesFileRejected([RowProblem(0, "file", str(refusal))]) from None

    headers = _headers(sheet.header)
    missing = [column for column in SERIES_COLUMNS if column.key not in headers]
    if missing:
        raise SeriesFileRejected(
            [
                RowProblem(
                    1, column.key, f"The header row has no ‘{column.key}’ column. Start from the template."
                )
                for column in missing
            ]
        )
    if not sheet.rows:
        raise SeriesFileRejected([RowProblem(0, "file", "The file has no rows of figures below the header.")])

    checker = _RowChecker(
        known_areas={code.upper() for code in area_codes},
        periods=list(period_codes),
        indicators={code.upper(): code for code in indicator_codes},
        today=today or date.today(),
    )
    problems: list[RowProblem] = []
    rows: list[SeriesRow] = []
    first_row_of: dict[tuple[str, str, str], int] = {}
    for number, cells in sheet.rows:
        values = {key: _text(cells.get(header, "")) for key, header in headers.items()}
        row_problems: dict[str, str] = {}
        row = checker.check(number, values, row_problems)
        if row is not None:
            key = (row.area_code, row.period_code, row.indicator_code)
            if key in first_row_of:
                row_problems["area_code"] = (
                    f"Row {first_row_of[key]} already has a figure for {row.area_code}, {row.period_code} "
                    f"and {row.indicator_code}: give each area, period and indicator once"
                )
            else:
                first_row_of[key] = number
                rows.append(row)
        problems.extend(RowProblem(number, headers[key], message) for key, message in row_problems.items())
    if problems:
        raise SeriesFileRejected(problems)
    return rows


def series_csv(rows: Iterable[SeriesRow]) -> bytes:
    """Rows as a CSV file in the upload's layout (UTF-8, RFC 4180), ready to be read back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.key for column in SERIES_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                csv_safe(row.area_code),
                csv_safe(row.area_name),
                row.period_code,
                csv_safe(row.indicator_code),
                row.value,
                csv_safe(row.source),
                row.extracted_on.isoformat(),
            ]
        )
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------------------


def _headers(header: list[str]) -> dict[str, str]:
    """Each column's key, mapped to its header as written in the file (the first that matches)."""
    found: dict[str, str] = {}
    for written in header:
        normal = re.sub(r"[\s\-]+", "_", written.strip().lower())
        for column in SERIES_COLUMNS:
            if column.key not in found and normal in (column.key, *column.aliases):
                found[column.key] = written
    return found


def _text(value: str) -> str:
    # A CSV we wrote keeps formula-like text as text with a leading apostrophe: remove it.
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value.strip()


@dataclass
class _RowChecker:
    known_areas: set[str]
    periods: list[str]
    indicators: dict[str, str]
    today: date

    def check(self, number: int, values: dict[str, str], problems: dict[str, str]) -> SeriesRow | None:
        area_code = self._area_code(values["area_code"], problems)
        area_name = values["area_name"]
        if not area_name:
            problems["area_name"] = "Enter the area's name"
        period = self._period(values["period"], problems)
        indicator = self._indicator(values["indicator_code"], problems)
        value = self._value(values["value"], problems)
        source = values["source"]
        if not source:
            problems["source"] = "Enter where the figure comes from, like ONS Nomis claimant count"
        extracted_on = self._date(values["date_extracted"], problems)
        if problems or not (area_code and period and indicator and value is not None and extracted_on):
            return None
        return SeriesRow(number, area_code, area_name, period, indicator, value, source, extracted_on)

    def _area_code(self, raw: str, problems: dict[str, str]) -> str | None:
        code = raw.upper()
        if not code:
            problems["area_code"] = "Enter the area's GSS code, like E06000001"
        elif not GSS_CODE.match(code):
            problems["area_code"] = (
                f"‘{raw}’ is not a GSS area code: it should be a letter E, W, S or N followed by 8 digits, "
                "like E06000001"
            )
        elif code not in self.known_areas:
            problems["area_code"] = (
                f"{code} is not a pilot site or one of their comparison areas: add it as a comparison area "
                "first, or correct the code"
            )
        else:
            return code
        return None

    def _period(self, raw: str, problems: dict[str, str]) -> str | None:
        if not raw:
            problems["period"] = "Enter the period, like 2009-Q2"
            return None
        if raw in self.periods:
            return raw
        loose = LOOSE_QUARTER.match(raw)
        code = quarter_code(int(loose.group(1)), int(loose.group(2))) if loose else raw
        if code in self.periods:
            return code
        if not QUARTER_CODE.match(code):
            problems["period"] = f"‘{raw}’ is not a period: write the quarter like 2009-Q2"
        elif self.periods:
            problems["period"] = (
                f"{code} is outside the periods this framework covers, with the quarters before the pilot "
                f"({self.periods[0]} to {self.periods[-1]})"
            )
        else:
            problems["period"] = f"{code} is outside the periods this framework covers"
        return None

    def _indicator(self, raw: str, problems: dict[str, str]) -> str | None:
        if not raw:
            problems["indicator_code"] = "Enter the framework's indicator code"
            return None
        code = self.indicators.get(raw.upper())
        if code is None:
            problems["indicator_code"] = (
                f"‘{raw}’ is not an indicator of this framework observed in comparison areas"
            )
        return code

    def _value(self, raw: str, problems: dict[str, str]) -> Decimal | None:
        if not raw:
            problems["value"] = "Enter the figure, or leave the row out when there is none"
            return None
        try:
            return parse_figure(raw)
        except FigureRefused as refused:
            problems["value"] = {
                FigureFault.NOT_A_NUMBER: f"‘{raw}’ is not a number: give the figure, like 14.2, and leave "
                "out rows with no figure (such as .. or x for suppressed values)",
                FigureFault.TOO_MANY_PLACES: f"‘{raw}’ has more than {MOST_DECIMAL_PLACES} decimal places: "
                f"round it to {MOST_DECIMAL_PLACES}",
                FigureFault.TOO_LARGE: f"‘{raw}’ is too large to be a figure for one area",
            }[refused.fault]
            return None

    def _date(self, raw: str, problems: dict[str, str]) -> date | None:
        if not raw:
            problems["date_extracted"] = "Enter the date the figure was extracted, like 2011-05-03"
            return None
        extracted = _parse_date(raw)
        if extracted is None:
            problems["date_extracted"] = (
                f"‘{raw}’ is not a date: write it like 2011-05-03 or 03/05/2011 (day/month/year)"
            )
        elif extracted > self.today:
            problems["date_extracted"] = f"{raw} is in the future: give the date the figure was extracted"
        else:
            return extracted
        return None


def _parse_date(raw: str) -> date | None:
    uk = UK_DATE.match(raw)
    try:
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        # A date cell of a workbook arrives as "2011-05-03 00:00:00".
        return datetime.fromisoformat(raw).date() if " " in raw or "T" in raw else date.fromisoformat(raw)
    except ValueError:
        return None
