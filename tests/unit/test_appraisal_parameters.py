"""The Green Book parameter set: the shipped defaults load with their sources, a framework's parameters are
checked with plain-English problems, a deflator series can be uploaded, and prices and discounting follow
the Green Book."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.discounting import discount_factor, present_value
from evidence_hub.services.appraisal.parameter_file import (
    DEFAULT_PARAMETERS_FILE,
    default_parameters,
    deflators_from_rows,
    parameters_from_data,
    parameters_to_data,
)
from evidence_hub.services.appraisal.parameters import ParameterProblems, Source, parameter_problems
from evidence_hub.services.appraisal.prices import real_terms
from tests.appraisal_helpers import parameters

D = Decimal


def shipped_data() -> dict[str, Any]:
    with DEFAULT_PARAMETERS_FILE.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def test_the_shipped_defaults_use_the_green_book_discount_rates_and_name_every_source() -> None:
    defaults = default_parameters()

    assert parameter_problems(defaults) == []
    assert [(band.from_year, band.to_year, band.percent) for band in defaults.discounting.bands] == [
        (0, 30, D("3.5")),
        (31, 75, D("3.0")),
        (76, 125, D("2.5")),
        (126, 200, D("2.0")),
        (201, 300, D("1.5")),
        (301, None, D("1.0")),
    ]
    assert defaults.deflators.source.publisher == "HM Treasury"
    assert "Approximate" in defaults.deflators.source.note
    assert years.label(defaults.price_base_year) == "2023-24"
    assert "Illustrative" in defaults.optimism_bias.source.note
    job_entries = defaults.outcome("WL-JOB-ENTRIES")
    assert job_entries is not None and defaults.final_outcome == "WL-JOB-ENTRIES"
    assert job_entries.additionality.source.publisher == "Homes and Communities Agency"
    assert {value.source.publisher for value in job_entries.unit_values} == {
        "Greater Manchester Combined Authority"
    }
    assert all("Illustrative" in value.source.note for value in job_entries.unit_values)


def test_the_defaults_cover_the_pilot_years_and_the_price_base_year() -> None:
    deflators = default_parameters().deflators

    assert (years.label(deflators.first_year), years.label(deflators.last_year)) == ("2005-06", "2024-25")
    assert deflators.index[2023] == 100


def test_a_parameter_set_survives_being_written_and_read_again() -> None:
    defaults = default_parameters()

    assert parameters_from_data(parameters_to_data(defaults)) == defaults


def test_problems_in_the_values_are_listed_in_plain_english() -> None:
    data = shipped_data()
    broken = copy.deepcopy(data)
    broken["price_base_year"] = "2030-31"
    broken["discount_rates"]["bands"][1]["from_year"] = 40
    broken["optimism_bias"]["set_up"] = {"low": 60, "central": 50, "high": 200}
    broken["outcomes"][0]["additionality"]["deadweight"]["high"] = 120
    broken["outcomes"][0]["unit_values"][0]["price_year"] = "1990-91"
    broken["final_outcome"] = "WL-CLIENTS-ENGAGED"

    with pytest.raises(ParameterProblems) as refused:
        parameters_from_data(broken)

    assert refused.value.problems == [
        "The price base year 2030-31 is not in the deflator series (2005-06 to 2024-25).",
        "The discount rates must follow on without gaps or overlaps: year 40 does not follow the band that "
        "starts at year 0.",
        "Optimism bias on set-up costs: the values must run low (60) to central (50) to high (200).",
        "The final outcome WL-CLIENTS-ENGAGED has no additionality factors or values: "
        "add it to the outcomes.",
        "Deadweight for Job entries among engaged clients: the high value must not be above 100.",
        "The fiscal value of Job entries among engaged clients is in 1990-91 prices, which the deflator "
        "series does not cover.",
    ]


def test_problems_in_the_format_are_listed_in_plain_english() -> None:
    data = shipped_data()
    broken = copy.deepcopy(data)
    broken["deflators"]["index"]["2012"] = 75
    broken["optimism_bias"]["running"] = {"low": 0, "central": "about twenty", "high": 41}
    del broken["outcomes"][0]["unit_values"][1]["source"]["title"]
    broken["outcomes"][0]["unit_values"][1]["kind"] = "financial"

    with pytest.raises(ParameterProblems) as refused:
        parameters_from_data(broken)

    assert refused.value.problems == [
        "The deflator index has “2012”, which is not a financial year such as 2009-10.",
        "Optimism bias on running costs needs a central that is a number.",
        "A value of WL-JOB-ENTRIES has kind “financial”: use fiscal, economic or social.",
        "The source of the fiscal value of WL-JOB-ENTRIES needs a title.",
    ]


def test_a_deflator_series_can_be_uploaded_from_the_treasury_spreadsheet_rows() -> None:
    rows = [
        ["GDP DEFLATORS AT MARKET PRICES, AND MONEY GDP"],
        ["Financial year", "GDP deflator at market prices", "per cent change"],
        ["2009-10", "70.949", ""],
        ["2010-11", "72.297", "1.9"],
        ["2011-12", "73.526", "1.7"],
        ["2009", "71.0", ""],
    ]
    source = Source("GDP deflators at market prices, and money GDP", "HM Treasury", "March 2026")

    series = deflators_from_rows(rows, source)

    assert series.index == {2009: D("70.949"), 2010: D("72.297"), 2011: D("73.526")}
    assert series.source.published == "March 2026"
    # Replacing the defaults' series with one that stops before the price base year is caught.
    assert parameter_problems(dataclasses.replace(default_parameters(), deflators=series)) == [
        "The price base year 2023-24 is not in the deflator series (2009-10 to 2011-12).",
        "The fiscal value of Job entries among engaged clients is in 2023-24 prices, which the deflator "
        "series does not cover.",
        "The economic value of Job entries among engaged clients is in 2023-24 prices, which the deflator "
        "series does not cover.",
    ]


def test_an_uploaded_deflator_series_with_bad_rows_is_refused_row_by_row() -> None:
    rows = [["2009-10", "70.9"], ["2010-11", ""], ["2009/10", "71"], ["2011-12", "-3"]]

    with pytest.raises(ParameterProblems) as refused:
        deflators_from_rows(rows, Source("Upload"))

    assert refused.value.problems == [
        "Row 2: the deflator for 2010-11 must be a number above 0.",
        "Row 3: 2009-10 appears more than once.",
        "Row 4: the deflator for 2011-12 must be a number above 0.",
    ]


def test_financial_years_run_april_to_march() -> None:
    assert years.financial_year(date(2010, 3, 31)) == 2009
    assert years.financial_year(date(2010, 4, 1)) == 2010
    assert years.parse("2009-10") == years.parse("2009/10") == years.parse("2009-2010") == 2009
    assert years.parse("2009-11") is None
    assert years.label(1999) == "1999-00"


def test_real_terms_use_the_price_base_years_deflator_over_the_flows() -> None:
    series = parameters(deflators={2009: "80", 2010: "100"}).deflators

    assert real_terms(D(1000), series, base_year=2010, year=2009) == D(1250)


def close(value: Decimal) -> Decimal:
    """Equal to twenty decimal places: the 28th significant digit depends on the order of multiplication."""
    return value.quantize(D("1e-20"))


def test_discount_factors_follow_the_green_book_schedule() -> None:
    schedule = parameters().discounting

    assert discount_factor(schedule, 0) == 1
    assert discount_factor(schedule, 1) == 1 / D("1.035")
    assert close(discount_factor(schedule, 30)) == close(1 / D("1.035") ** 30)
    # From year 31 the rate is 3.0%, applied on top of thirty years at 3.5%.
    assert close(discount_factor(schedule, 31)) == close(1 / (D("1.035") ** 30 * D("1.03")))
    assert close(discount_factor(schedule, 76)) == close(
        1 / (D("1.035") ** 30 * D("1.03") ** 45 * D("1.025"))
    )
    assert [f"{discount_factor(schedule, year):.4f}" for year in (1, 10, 30, 31)] == [
        "0.9662",
        "0.7089",
        "0.3563",
        "0.3459",
    ]
    assert present_value(D(1035), schedule, 1) == D(1000)
