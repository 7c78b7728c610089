"""What an official downloads from a release, read back the way an intruder would read it, and turned into
the intruder's programme (tests/intruder_programme.py), independently of the code under test.

``downloaded`` fetches, as a national official and through an API token, the XLSX data pack, the CSV zip,
the learning summary's PDF and DOCX and the API's table rows, checks that they agree with each other, and
keeps the tables. Every figure the PDF's text prints (tables and sentences) must be one the DOCX prints
too, and the value-for-money tables are read from the PDF's text row by row (``pdf_rows``) and must give,
row for row, the same figures as the DOCX's; the PDF's sentences are read for the final outcome the unit
costs divide by.
``add_release`` puts every figure into an ``IntruderProgramme``: the people-reached grid with its totals (a
total over Q1–Q3 and one over Q1–Q4 are different unknowns, a cell of a site and period the same unknown in
every release), counts of people among the measures and baselines, counts of records and money as exact
facts, every rate, unit cost and cost per person with the formula the data dictionary gives, and the value
for money's cost per person reached and cost per outcome (present value of costs ÷ people reached, or ÷
the final outcome, over all periods). The value-for-money figures built on benefits (outcomes × unit
values: net present value, benefit–cost ratio and the rest) are not modelled: ``check_withheld`` requires
them, and every change from baseline, to be [c] wherever a count they are worked out from is [c].
Nothing here imports the services that protect releases.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise, zip_longest
from typing import Any

from docx import Document
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.intruder_programme import C, IntruderProgramme, PublishedRate, grid_sums, key

ALL = "ALL"
ALL_SITES = "All sites"
# A figure as the summary prints it: [c], money, a number or a percentage.
FIGURE = re.compile(r"^(?:\[c\]|-?£-?[\d,]+\.\d\d|-?[\d,]+(?:\.\d+)?%?)$")
# Every PDF page's heading: "Release WDS-2026-01 · published 6 December 2026 · page 13".
PAGE_HEADING = re.compile(r"^Release \S+ · published .* · page \d+$")
GREEN_BOOK = "Green Book figures by site"
PRESENT_VALUES = "Present values of costs and benefits by site"
BY_PERIOD = "All sites, period by period"
RANGE = "Low, central and high estimates, all sites"
SWITCHING = "Switching values: how far benefits may fall, or costs rise, before the net present value turns"
PARAMETERS = "Parameters and their sources"
VALUE_FOR_MONEY_TABLES = (GREEN_BOOK, PRESENT_VALUES, BY_PERIOD, RANGE, SWITCHING, PARAMETERS)


@dataclass(frozen=True)
class Formula:
    """A published figure's formula as the data dictionary states it: numerator ÷ denominator × scale.
    ``numerator`` is an indicator code or "cost" (the site's attributable cost in the period)."""

    numerator: str
    denominator: str
    scale: Fraction
    places: int


@dataclass
class ExportedRelease:
    reference: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    text: str = ""
    docx_text: str = ""


def downloaded(official: FlaskClient, api: FlaskClient, secret: str, reference: str) -> ExportedRelease:
    """Every file an official can download for the release, read and compared."""
    exported = ExportedRelease(reference)
    xlsx = official.get(f"/releases/{reference}/data-pack.xlsx")
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.data), read_only=True)
    pack = official.get(f"/releases/{reference}/data-pack.zip")
    assert pack.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(pack.data))
    headers = {"Authorization": f"Bearer {secret}"}
    for code in ("people_reached", "measures", "baselines", "costs"):
        answer = api.get(f"/api/v1/releases/{reference}/tables/{code}?per_page=1000", headers=headers)
        assert answer.status_code == 200, answer.data
        body = answer.get_json()
        api_rows = body["data"]
        assert body["meta"]["total"] <= 1000
        headings = {column["key"]: column["heading"] for column in body["columns"]}
        sheet = next(name for name in workbook.sheetnames if _matches(workbook[name], headings))
        sheet_rows = list(workbook[sheet].iter_rows(values_only=True))
        csv_name = next(name for name in archive.namelist() if name.rsplit("/", 1)[-1] == f"{code}.csv")
        csv_rows = list(csv.reader(io.StringIO(archive.read(csv_name).decode("utf-8-sig"))))
        assert len(sheet_rows) - 1 == len(api_rows) == len(csv_rows) - 1, code
        for api_row, sheet_row, csv_row in zip(api_rows, sheet_rows[1:], csv_rows[1:], strict=True):
            # A spreadsheet row may stop at its last filled cell.
            by_heading = dict(zip_longest(sheet_rows[0], sheet_row))
            by_csv = dict(zip(csv_rows[0], csv_row, strict=True))
            for column, heading in headings.items():
                value = api_row[column]
                assert _same(value, by_heading[heading]), (code, column, value, by_heading[heading])
                assert _same(value, by_csv[heading]), (code, column, value, by_csv[heading])
        exported.tables[code] = api_rows
    pdf = official.get(f"/releases/{reference}/summary.pdf")
    docx = official.get(f"/releases/{reference}/summary.docx")
    assert pdf.status_code == docx.status_code == 200
    exported.text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.data)).pages)
    document = Document(io.BytesIO(docx.data))
    exported.docx_text = "\n".join(
        [paragraph.text for paragraph in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    only_in_pdf = set(_pdf_figures(exported.text)) - set(figures_in(exported.docx_text))
    assert not only_in_pdf, f"the PDF prints figures the DOCX does not: {sorted(only_in_pdf)}"
    exported.tables["docx"] = [
        {"table": number, "cells": [cell.text.strip() for cell in row.cells]}
        for number, table in enumerate(document.tables)
        for row in table.rows
    ]
    return exported


def _matches(sheet: Any, headings: Mapping[str, str]) -> bool:
    first = next(sheet.iter_rows(max_row=1, values_only=True), ())
    return list(first) == list(headings.values())


def _same(api_value: Any, file_value: Any) -> bool:
    if api_value in (None, ""):
        return file_value in (None, "")
    if isinstance(api_value, bool):
        return str(file_value).lower() in (str(api_value).lower(), "yes" if api_value else "no")
    try:
        return Decimal(str(api_value)) == Decimal(str(file_value))
    except ArithmeticError:
        return str(api_value) == str(file_value)


def add_release(
    programme: IntruderProgramme,
    exported: ExportedRelease,
    *,
    people_indicators: set[str],
    formulas: Mapping[str, Formula],
    rounding: int | None,
) -> None:
    """Everything the release's files tell the intruder."""
    people_rows = exported.tables["people_reached"]
    sites = list(dict.fromkeys(row["site_code"] for row in people_rows if row["site_code"] != ALL))
    periods = list(dict.fromkeys(row["period_code"] for row in people_rows if row["period_code"] != ALL))
    sites_total = f"ALL[{','.join(sites)}]"
    periods_total = f"ALL[{periods[0]}..{periods[-1]}]"

    def people_key(site: str, period: str) -> str:
        return key("people", sites_total if site == ALL else site, periods_total if period == ALL else period)

    shown: dict[str, int | str] = {}
    people: set[str] = set()
    for row in people_rows:
        name = people_key(row["site_code"], row["period_code"])
        # "no return": no approved return, so nobody reached, which the intruder knows exactly.
        shown[name] = 0 if row["people_reached"] == "no return" else row["people_reached"]
        people.add(name)
    programme.add_sums(grid_sums("people", sites, periods, sites_total, periods_total))

    costs: dict[tuple[str, str], int] = {}
    for row in exported.tables["costs"]:
        place = (row["site_code"], row["period_code"])
        costs[place] = costs.get(place, 0) + int(Decimal(row["attributable"]) * 100)
    for (site, period), pence in costs.items():
        shown[key("cost", site, period)] = pence
    rates: list[PublishedRate] = []
    for row in exported.tables["measures"]:
        if row["value"] is None:
            continue
        code, site, period = row["indicator_code"], row["site_code"], row["period_code"]
        name = key(f"measure:{code}", site, period)
        formula = formulas.get(code)
        if formula is None:
            if row["unit"] == "count":
                shown[name] = row["value"] if row["value"] == C else int(Decimal(row["value"]))
                if code in people_indicators:
                    people.add(name)
            continue
        numerator = (
            key("cost", site, period)
            if formula.numerator == "cost"
            else key(f"measure:{formula.numerator}", site, period)
        )
        rates.append(
            PublishedRate(
                name,
                {numerator: 1},
                {key(f"measure:{formula.denominator}", site, period): 1},
                row["value"] if row["value"] == C else Decimal(row["value"]),
                formula.places,
                formula.scale,
            )
        )
    for row in exported.tables["baselines"]:
        if row["unit"] == "count" and row["value"] is not None:
            name = key(f"baseline:{row['indicator_code']}", row["site_code"], "baseline")
            shown[name] = row["value"] if row["value"] == C else int(Decimal(row["value"]))
            if row["indicator_code"] in people_indicators:
                people.add(name)
    value_for_money = _value_for_money(programme, exported, people_key, sites, periods)
    programme.add_release(shown, people, rounding=rounding, rates=[*rates, *value_for_money])


def is_figure(text: str) -> bool:
    return bool(FIGURE.match(text.strip()))


def figures_in(text: str) -> list[str]:
    """The figures among the words of a cell or a line (a cell may wrap: "would have to fall by 100.0%")."""
    return [word for word in text.split() if is_figure(word)]


def docx_table(exported: ExportedRelease, heading: str) -> list[list[str]] | None:
    """The DOCX's table whose header row has the heading, header row first."""
    tables: dict[int, list[list[str]]] = {}
    for row in exported.tables["docx"]:
        tables.setdefault(row["table"], []).append(row["cells"])
    return next((rows for rows in tables.values() if heading in rows[0]), None)


def _pdf_figures(text: str) -> list[str]:
    return [
        figure
        for line in text.splitlines()
        if not PAGE_HEADING.match(line.strip())
        for figure in figures_in(line)
    ]


def pdf_rows(text: str, title: str, end: str, labels: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The figures of each row of the PDF's table ``title`` (up to the line ``end``), in order, each with its
    row label: the PDF's text gives a table's cells one after another, each row's label first (a long label
    wraps over lines)."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines[lines.index(title) + 1 :] if not PAGE_HEADING.match(line)]
    wanted = set(labels)
    rows: list[tuple[str, list[str]]] = []
    position = 0
    while position < len(lines) and lines[position] != end:
        length = next(
            (length for length in (1, 2, 3) if " ".join(lines[position : position + length]) in wanted),
            0,
        )
        if length:
            rows.append((" ".join(lines[position : position + length]), []))
        elif rows:
            rows[-1][1].extend(figures_in(lines[position]))
        position += length or 1
    return rows


def value_for_money_tables(exported: ExportedRelease) -> dict[str, list[list[str]]]:
    """The value-for-money tables of the DOCX, each checked row by row against the PDF's figures."""
    headings = {
        GREEN_BOOK: "Cost per person reached",
        PRESENT_VALUES: "Present value of costs",
        BY_PERIOD: "Cumulative net present value",
        RANGE: "Central",
        SWITCHING: "Benefits may fall by",
        PARAMETERS: "Source",
    }
    tables: dict[str, list[list[str]]] = {}
    for title, end in pairwise(VALUE_FOR_MONEY_TABLES):
        table = docx_table(exported, headings[title])
        if table is None:
            continue
        from_docx = [
            (row[0], [figure for cell in row[1:] for figure in figures_in(cell)]) for row in table[1:]
        ]
        from_pdf = pdf_rows(exported.text, title, end, [row[0] for row in table[1:]])
        assert from_pdf == from_docx, (title, from_pdf, from_docx)
        tables[title] = table
    return tables


def _money(text: str) -> Decimal | None:
    cleaned = text.strip().replace("£", "").replace(",", "")
    return Decimal(cleaned) if is_figure(text) and text.strip() != C and "%" not in cleaned else None


def _value_for_money(
    programme: IntruderProgramme,
    exported: ExportedRelease,
    people_key: Any,
    sites: list[str],
    periods: list[str],
) -> list[PublishedRate]:
    """The appraisal's cost per person reached and cost per outcome, as the PDF and DOCX print them: the
    attributable cost at base-year prices (one unknown for the site in the release: the files give it only
    through the deflators, so it is left free, and what the two figures say about the counts relative to
    each other is kept) ÷ the people reached each counted once (at most the people-reached table's count in
    each period), or ÷ the final outcome the summary names, summed over the periods."""
    tables = value_for_money_tables(exported)
    if GREEN_BOOK not in tables:
        return []
    sentence = re.search(
        r"Unit costs divide by the final outcome, (.+?); additional", " ".join(exported.text.split())
    )
    codes = {row["indicator"]: row["indicator_code"] for row in exported.tables["measures"]}
    final = codes.get(sentence.group(1)) if sentence else None
    site_codes = {row["site"]: row["site_code"] for row in exported.tables["people_reached"]}
    figures = tables[GREEN_BOOK]
    rates = []
    for row in figures[1:]:
        site = site_codes.get(row[0])
        if site is None:
            continue
        in_scope = sites if site == ALL else [site]
        cost = real_cost_key(exported.reference, site)
        reach = {f"vfm-reach|{each}|{period}": 1 for each in in_scope for period in periods}
        for each in in_scope:
            for period in periods:
                programme.fact(
                    {f"vfm-reach|{each}|{period}": 1, people_key(each, period): -1}, None, Fraction(0)
                )
        denominators = {"Cost per person reached": reach}
        if final is not None:
            denominators["Cost per outcome"] = {
                key(f"measure:{final}", each, period): 1 for each in in_scope for period in periods
            }
        for heading, denominator in denominators.items():
            shown = _money(row[figures[0].index(heading)])
            if shown is not None:
                rates.append(
                    PublishedRate(
                        f"{row[0]}, {heading.lower()}",
                        {cost: 1},
                        denominator,
                        shown,
                        2,
                        Fraction(1, 100),
                        from_shown=False,
                    )
                )
    return rates


def real_cost_key(reference: str, site: str) -> str:
    """The unknown attributable cost at base-year prices, in pence, behind a site's value for money."""
    return f"vfm-real-cost|{reference}|{site}"


def check_withheld(exported: ExportedRelease, *, rounding: int | None) -> list[str]:
    """Every figure worked out from a count the files show as [c] (or rounded) and not modelled above is
    withheld: the value for money's figures built on a site's counts (for all sites, on any site's), and a
    change from baseline whose baseline or latest figure is [c]. Returns what is not."""
    problems = []
    names = {row["site"]: row["site_code"] for row in exported.tables["people_reached"]}
    exposed = {
        row["site"]
        for table in ("people_reached", "measures", "baselines")
        for row in exported.tables[table]
        if (table == "people_reached" or row["unit"] == "count")
        and row.get("people_reached", row.get("value")) == C
    }
    if rounding and rounding > 1:
        exposed |= set(names)
    exposed.discard(ALL_SITES)
    if exposed:
        exposed.add(ALL_SITES)

    def only_withheld(where: str, cells: Iterable[str]) -> None:
        shown = [figure for cell in cells for figure in figures_in(cell) if figure != C]
        if shown:
            problems.append(f"{where}: {shown} printed over a count shown as [c]")

    tables = value_for_money_tables(exported)
    for title, table in tables.items():
        header, rows = table[0], table[1:]
        if title in (GREEN_BOOK, SWITCHING):
            for row in rows:
                if row[0] in exposed:
                    only_withheld(f"{title}, {row[0]}", row[1:])
        elif title == PRESENT_VALUES:
            column = header.index("Present value of benefits")
            for row in rows:
                if row[0] in exposed:
                    only_withheld(f"{title}, {row[0]}", [row[column]])
        elif title == BY_PERIOD and exposed:
            for row in rows:
                only_withheld(f"{title}, {row[0]}", row[2:])
        elif title == RANGE and exposed:
            for row in rows:
                if row[0] != "Present value of costs":
                    only_withheld(f"{title}, {row[0]}", row[1:])
    tables_by_number: dict[int, list[list[str]]] = {}
    for row in exported.tables["docx"]:
        tables_by_number.setdefault(row["table"], []).append(row["cells"])
    for table in tables_by_number.values():
        header = table[0]
        if "Change (%)" not in header:
            continue
        inputs = [header.index("Baseline"), header.index("Latest")]
        changes = [header.index("Change"), header.index("Change (%)")]
        for row in table[1:]:
            if any(row[column] == C for column in inputs):
                only_withheld(f"change from baseline, {row[0]}", [row[column] for column in changes])
    return problems
