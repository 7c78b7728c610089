"""What an official downloads from a release, read back the way an intruder would read it, and turned into
the intruder's programme (tests/intruder_programme.py), independently of the code under test.

``downloaded`` fetches, as a national official and through an API token, the XLSX data pack, the CSV zip,
the learning summary's PDF and DOCX and the API's table rows, checks that they agree with each other, and
keeps the tables. ``add_release`` puts every figure into an ``IntruderProgramme``: the people-reached grid
with its totals (a total over Q1–Q3 and one over Q1–Q4 are different unknowns, a cell of a site and period
the same unknown in every release), counts of people among the measures and baselines, counts of records
and money as exact facts, and every rate, unit cost and cost per person with the formula the data
dictionary gives. Nothing here imports the services that protect releases.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import zip_longest
from typing import Any

from docx import Document
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.intruder_programme import C, IntruderProgramme, PublishedRate, grid_sums, key

ALL = "ALL"


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
    per_person, constants = _cost_per_person(exported, costs, people_key)
    shown.update(constants)
    programme.add_release(shown, people, rounding=rounding, rates=[*rates, *per_person])


def _cost_per_person(
    exported: ExportedRelease, costs: Mapping[tuple[str, str], int], people_key: Any
) -> tuple[list[PublishedRate], dict[str, int]]:
    """The learning summary's cost per person (the DOCX costs table): attributable cost over all periods
    ÷ people reached over all periods, for each site."""
    rates = []
    constants: dict[str, int] = {}
    header: list[str] | None = None
    table = -1
    names = {row["site"]: row["site_code"] for row in exported.tables["people_reached"]}
    for row in exported.tables["docx"]:
        cells = row["cells"]
        if row["table"] != table:
            table = row["table"]
            # The costs table's "Cost per person" (attributable cost ÷ people reached, from the tables).
            header = cells if "Cost per person" in cells else None
            continue
        if header is None or len(cells) != len(header) or cells[0] not in names:
            continue
        site = names[cells[0]]
        if site == ALL:
            continue
        column = header.index("Cost per person")
        value = cells[column].replace("£", "").replace(",", "")
        if not value or value in ("–", "-", "None"):
            continue
        total = sum(pence for (each, _), pence in costs.items() if each == site)
        constant = f"costsum|{people_key(site, ALL)}"
        rates.append(
            PublishedRate(
                f"{site} cost per person",
                {constant: 1},
                {people_key(site, ALL): 1},
                C if value == C else Decimal(value),
                2,
                Fraction(1, 100),
            )
        )
        constants[constant] = total
    return rates, constants
