"""Real terms: amounts at the prices of the price base year, with HM Treasury's GDP deflators.

real = nominal × deflator(price base year) ÷ deflator(financial year of the amount)
"""

from __future__ import annotations

from decimal import Decimal

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.parameters import DeflatorSeries


def deflator(series: DeflatorSeries, year: int) -> Decimal:
    """The index for a financial year; a plain-English ValueError when the series does not cover it."""
    try:
        return series.index[year]
    except KeyError:
        raise ValueError(
            f"The deflator series ({years.label(series.first_year)} to {years.label(series.last_year)}) "
            f"has no value for {years.label(year)}."
        ) from None


def price_ratio(series: DeflatorSeries, base_year: int, year: int) -> Decimal:
    """What one pound in `year` is worth at `base_year` prices: deflator(base) ÷ deflator(year)."""
    return deflator(series, base_year) / deflator(series, year)


def real_terms(amount: Decimal, series: DeflatorSeries, base_year: int, year: int) -> Decimal:
    """`amount` at the prices of `year`, restated at `base_year` prices."""
    return amount * deflator(series, base_year) / deflator(series, year)
