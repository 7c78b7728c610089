"""A reference appraisal worked by hand: two sites, costs across three financial years, a deflator,
discounting, optimism bias, additionality, and cashable and non-cashable savings. The expected figures are
written out below step by step with Decimal, without calling the appraisal code, and must match to the
penny."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from evidence_hub.services.appraisal.appraisal import Appraisal, appraise
from evidence_hub.services.appraisal.evidence import (
    NOT_YET_AVAILABLE,
    BenefitKind,
    CostLine,
    CostType,
    Funding,
    PeriodEvidence,
    PilotEvidence,
    SavingLine,
    SiteEvidence,
)
from evidence_hub.services.appraisal.flows import BenefitSource, PeriodWithoutReturn
from tests.appraisal_helpers import JOBS, fixed, parameters, pounds, quarter, unit_value

D = Decimal
PENNY = D("0.01")

# 2010 Q1 is January to March 2010: financial year 2009-10, appraisal year 0.
# 2010 Q3 and 2011 Q1 fall in 2010-11 (year 1); 2011 Q3 in 2011-12 (year 2).
Q1, Q2, Q3, Q4 = quarter(2010, 1), quarter(2010, 3), quarter(2011, 1), quarter(2011, 3)

SET_UP, RUNNING = CostType.SET_UP, CostType.RUNNING
CASH, IN_KIND = Funding.CASH, Funding.IN_KIND

KENT = SiteEvidence(
    code="kent",
    name="Kent",
    returns={
        Q1.code: PeriodEvidence(
            costs=(
                CostLine(D("12000"), SET_UP, CASH),
                CostLine(D("3000"), RUNNING, IN_KIND, attributable_percent=D("50")),
            ),
            savings=(SavingLine(D("1000"), cashable=True),),
        ),
        Q2.code: PeriodEvidence(
            costs=(CostLine(D("4000"), RUNNING, CASH),),
            savings=(SavingLine(D("500"), cashable=False),),
            outcomes={JOBS: D("10")},
        ),
        Q3.code: PeriodEvidence(
            costs=(CostLine(D("4000"), RUNNING, CASH, attributable_percent=D("75")),),
            outcomes={JOBS: NOT_YET_AVAILABLE},
        ),
        Q4.code: PeriodEvidence(
            costs=(CostLine(D("4400"), RUNNING, CASH),),
            savings=(SavingLine(D("2000"), cashable=True),),
            outcomes={JOBS: D("20")},
        ),
    },
)
LEEDS = SiteEvidence(
    code="leeds",
    name="Leeds",
    returns={
        Q1.code: PeriodEvidence(costs=(CostLine(D("8000"), SET_UP, CASH),)),
        # No approved return for 2010 Q3.
        Q3.code: PeriodEvidence(costs=(CostLine(D("2500"), RUNNING, IN_KIND),), outcomes={JOBS: D("5")}),
        Q4.code: PeriodEvidence(
            costs=(CostLine(D("3000"), RUNNING, CASH),),
            savings=(SavingLine(D("800"), cashable=False),),
            outcomes={JOBS: D("12")},
        ),
    },
)
EVIDENCE = PilotEvidence(periods=(Q1, Q2, Q3, Q4), sites=(KENT, LEEDS))

PARAMETERS = parameters(
    deflators={2009: "95", 2010: "97.5", 2011: "100"},
    price_base_year=2011,
    set_up_bias=fixed(20),
    running_bias=fixed(10),
    deadweight=fixed(40),
    displacement=fixed(20),
    leakage=fixed(10),
    substitution=fixed(0),
    unit_values=(
        unit_value(BenefitKind.FISCAL, fixed(2000), price_year=2010),
        unit_value(BenefitKind.ECONOMIC, fixed(1500), price_year=2011),
    ),
)

# --- the hand calculation ---

# Real terms: × deflator(2011-12) ÷ deflator(year of the flow).
TO_2011_PRICES = {2009: D(100) / D(95), 2010: D(100) / D("97.5"), 2011: D(1)}
# Discounting by whole years at 3.5%: divide by 1.035 to the power of the appraisal year.
DIVISOR = {0: D(1), 1: D("1.035"), 2: D("1.035") * D("1.035")}
SET_UP_BIAS, RUNNING_BIAS = D("1.20"), D("1.10")
# Additional share: (1 − 40% deadweight) × (1 − 20% displacement) × (1 − 10% leakage) × (1 − 0%).
ADDITIONAL = D("0.6") * D("0.8") * D("0.9") * D(1)
# Value of one additional job entry at 2011-12 prices: fiscal £2,000 at 2010-11 prices, economic £1,500.
FISCAL_VALUE = D(2000) * D(100) / D("97.5")
ECONOMIC_VALUE = D(1500)
VALUE_PER_JOB = FISCAL_VALUE + ECONOMIC_VALUE

KENT_COSTS = (
    # 2010 Q1, 2009-10, year 0: £12,000 set-up cash; £3,000 in kind, 50% attributable.
    D(12000) * TO_2011_PRICES[2009] * SET_UP_BIAS / DIVISOR[0]
    + D(3000) * D("0.5") * TO_2011_PRICES[2009] * RUNNING_BIAS / DIVISOR[0]
    # 2010 Q3, 2010-11, year 1: £4,000 running.
    + D(4000) * TO_2011_PRICES[2010] * RUNNING_BIAS / DIVISOR[1]
    # 2011 Q1, 2010-11, year 1: £4,000 running, 75% attributable.
    + D(4000) * D("0.75") * TO_2011_PRICES[2010] * RUNNING_BIAS / DIVISOR[1]
    # 2011 Q3, 2011-12, year 2: £4,400 running.
    + D(4400) * TO_2011_PRICES[2011] * RUNNING_BIAS / DIVISOR[2]
)
KENT_CASHABLE = D(1000) * TO_2011_PRICES[2009] / DIVISOR[0] + D(2000) * TO_2011_PRICES[2011] / DIVISOR[2]
KENT_NON_CASHABLE = D(500) * TO_2011_PRICES[2010] / DIVISOR[1]
# 10 job entries in 2010 Q3 (year 1); 2011 Q1 not yet available; 20 in 2011 Q3 (year 2).
KENT_OUTCOMES = (
    D(10) * ADDITIONAL * VALUE_PER_JOB / DIVISOR[1] + D(20) * ADDITIONAL * VALUE_PER_JOB / DIVISOR[2]
)
KENT_BENEFITS = KENT_CASHABLE + KENT_NON_CASHABLE + KENT_OUTCOMES

LEEDS_COSTS = (
    D(8000) * TO_2011_PRICES[2009] * SET_UP_BIAS / DIVISOR[0]
    + D(2500) * TO_2011_PRICES[2010] * RUNNING_BIAS / DIVISOR[1]
    + D(3000) * TO_2011_PRICES[2011] * RUNNING_BIAS / DIVISOR[2]
)
LEEDS_NON_CASHABLE = D(800) / DIVISOR[2]
LEEDS_OUTCOMES = (
    D(5) * ADDITIONAL * VALUE_PER_JOB / DIVISOR[1] + D(12) * ADDITIONAL * VALUE_PER_JOB / DIVISOR[2]
)
LEEDS_BENEFITS = LEEDS_NON_CASHABLE + LEEDS_OUTCOMES


def penny(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, ROUND_HALF_UP)


@pytest.fixture(scope="module")
def appraisal() -> Appraisal:
    return appraise(EVIDENCE, PARAMETERS)


def test_the_hand_calculation_gives_sensible_numbers() -> None:
    # A check on the arithmetic above, not on the code: the additional share is 43.2%.
    assert D("0.432") == ADDITIONAL
    assert penny(KENT_COSTS) == D("29043.30")
    assert penny(LEEDS_COSTS) == D("15910.98")


@pytest.mark.parametrize(
    ("scope", "costs", "benefits"),
    [
        ("kent", KENT_COSTS, KENT_BENEFITS),
        ("leeds", LEEDS_COSTS, LEEDS_BENEFITS),
        ("all", KENT_COSTS + LEEDS_COSTS, KENT_BENEFITS + LEEDS_BENEFITS),
    ],
)
def test_net_present_value_and_benefit_cost_ratio_match_the_hand_calculation_to_the_penny(
    appraisal: Appraisal, scope: str, costs: Decimal, benefits: Decimal
) -> None:
    result = appraisal.scope(scope)

    assert penny(result.present_value_costs.value) == penny(costs)
    assert penny(result.present_value_benefits.value) == penny(benefits)
    assert penny(result.net_present_value.value) == penny(benefits - costs)
    assert result.net_present_value.display == pounds(benefits - costs)
    assert result.benefit_cost_ratio.value.quantize(PENNY, ROUND_HALF_UP) == (benefits / costs).quantize(
        PENNY, ROUND_HALF_UP
    )
    assert result.benefit_cost_ratio.display == str((benefits / costs).quantize(PENNY, ROUND_HALF_UP))
    expected_return = ((benefits - costs) / costs * 100).quantize(D("0.1"), ROUND_HALF_UP)
    assert result.return_on_investment.display == f"{expected_return}%"


def test_the_programme_figures_are_the_sum_of_the_sites(appraisal: Appraisal) -> None:
    assert penny(appraisal.programme.net_present_value.value) == penny(
        KENT_BENEFITS - KENT_COSTS + LEEDS_BENEFITS - LEEDS_COSTS
    )


def test_savings_are_split_cashable_and_non_cashable(appraisal: Appraisal) -> None:
    kent = appraisal.scope("kent")

    assert penny(kent.benefits.present_value(cashable=True)) == penny(KENT_CASHABLE)
    assert penny(kent.benefits.present_value(cashable=False, source=BenefitSource.SAVINGS)) == penny(
        KENT_NON_CASHABLE
    )


def test_benefits_are_split_fiscal_and_economic(appraisal: Appraisal) -> None:
    kent = appraisal.scope("kent")
    jobs_by_year = D(10) * ADDITIONAL / DIVISOR[1] + D(20) * ADDITIONAL / DIVISOR[2]

    assert penny(kent.benefits.present_value(kind=BenefitKind.ECONOMIC)) == penny(
        jobs_by_year * ECONOMIC_VALUE
    )
    assert penny(kent.benefits.present_value(kind=BenefitKind.FISCAL)) == penny(
        jobs_by_year * FISCAL_VALUE + KENT_CASHABLE + KENT_NON_CASHABLE
    )


def test_costs_are_split_cash_and_in_kind_and_set_up_and_running(appraisal: Appraisal) -> None:
    leeds = appraisal.scope("leeds")

    assert penny(leeds.costs.present_value(funding=Funding.IN_KIND)) == penny(
        D(2500) * TO_2011_PRICES[2010] * RUNNING_BIAS / DIVISOR[1]
    )
    assert penny(leeds.costs.present_value(cost_type=CostType.SET_UP)) == penny(
        D(8000) * TO_2011_PRICES[2009] * SET_UP_BIAS
    )
    assert penny(leeds.costs.nominal()) == D("13500.00")


def test_cost_per_outcome_counts_only_periods_reporting_both_cost_and_outcome(appraisal: Appraisal) -> None:
    kent = appraisal.scope("kent")
    # 2010 Q1 reports no job entries and 2011 Q1 says they are not yet available: neither counts.
    cost = D(4000) * TO_2011_PRICES[2010] + D(4400)

    assert kent.cost_per_outcome.display == pounds(cost / 30)
    assert kent.cost_per_additional_outcome.display == pounds(cost / (30 * ADDITIONAL))
    assert "2011 Q1: Job entries not yet available, so the cost of this period is left out." in (
        kent.cost_per_outcome.workings.notes
    )


def test_a_period_without_an_approved_return_is_shown_as_no_return(appraisal: Appraisal) -> None:
    leeds = appraisal.scope("leeds")
    row = leeds.periods[1]

    assert isinstance(row, PeriodWithoutReturn)
    assert str(row) == "no return"
    assert "No return for 2010 Q3: left out of every figure, never counted as 0." in leeds.notes
    # The programme still has Kent's return for that period.
    assert appraisal.programme.periods[1].returns == 1
