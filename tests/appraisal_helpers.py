"""Plain-data builders for appraisal tests: parameter sets with round numbers and quarterly periods."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from evidence_hub.services.appraisal.evidence import BenefitKind, Period
from evidence_hub.services.appraisal.parameters import (
    Additionality,
    AppraisalParameters,
    DeflatorSeries,
    DiscountBand,
    DiscountSchedule,
    OptimismBias,
    OutcomeParameters,
    Range,
    Source,
    UnitValue,
)

D = Decimal
TEST_SOURCE = Source(title="Test figures", publisher="Evidence Hub tests", published="2026")
GREEN_BOOK_BANDS = (
    DiscountBand(0, 30, D("3.5")),
    DiscountBand(31, 75, D("3.0")),
    DiscountBand(76, 125, D("2.5")),
    DiscountBand(126, 200, D("2.0")),
    DiscountBand(201, 300, D("1.5")),
    DiscountBand(301, None, D("1.0")),
)
JOBS = "JOBS"


def fixed(value: str | int) -> Range:
    return Range(D(value), D(value), D(value))


def spread(low: str | int, central: str | int, high: str | int) -> Range:
    return Range(D(low), D(central), D(high))


def quarter(year: int, number: int) -> Period:
    """Calendar quarter `number` of `year`: 2010 Q1 is January to March 2010 (financial year 2009-10)."""
    starts = date(year, 3 * number - 2, 1)
    next_start = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(
        code=f"{year}-Q{number}",
        name=f"{year} Q{number}",
        starts_on=starts,
        ends_on=next_start - timedelta(days=1),
    )


def parameters(
    deflators: dict[int, str] | None = None,
    price_base_year: int = 2009,
    set_up_bias: Range | None = None,
    running_bias: Range | None = None,
    deadweight: Range | None = None,
    displacement: Range | None = None,
    leakage: Range | None = None,
    substitution: Range | None = None,
    unit_values: tuple[UnitValue, ...] = (),
) -> AppraisalParameters:
    """A parameter set for one final outcome, JOBS; flat prices, no optimism bias, nothing deducted for
    additionality and no outcome values unless a test says otherwise."""
    index = {year: D(value) for year, value in (deflators or {2009: "100", 2010: "100", 2011: "100"}).items()}
    return AppraisalParameters(
        price_base_year=price_base_year,
        deflators=DeflatorSeries(index=index, source=TEST_SOURCE),
        discounting=DiscountSchedule(GREEN_BOOK_BANDS, TEST_SOURCE),
        optimism_bias=OptimismBias(
            set_up=set_up_bias or fixed(0), running=running_bias or fixed(0), source=TEST_SOURCE
        ),
        final_outcome=JOBS,
        outcomes=(
            OutcomeParameters(
                code=JOBS,
                name="Job entries",
                additionality=Additionality(
                    deadweight=deadweight or fixed(0),
                    displacement=displacement or fixed(0),
                    leakage=leakage or fixed(0),
                    substitution=substitution or fixed(0),
                    source=TEST_SOURCE,
                ),
                unit_values=unit_values,
            ),
        ),
    )


def unit_value(kind: BenefitKind, amount: Range, price_year: int, cashable: bool = False) -> UnitValue:
    return UnitValue(
        kind=kind,
        description=f"{kind.label} value of a job entry",
        amount=amount,
        price_year=price_year,
        cashable=cashable,
        source=Source(title="Unit Cost Database", publisher="Greater Manchester Combined Authority"),
    )


def pounds(amount: Decimal) -> str:
    """How a reader sees money, written out here so the tests do not lean on the code under test."""
    rounded = amount.quantize(D("0.01"), ROUND_HALF_UP)
    return f"{'-' if rounded < 0 else ''}£{abs(rounded):,.2f}"
