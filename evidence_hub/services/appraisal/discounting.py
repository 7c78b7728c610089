"""Discounting as the Green Book does it: by whole appraisal years, at the rate for each year.

Appraisal year 0 is the financial year the appraisal starts in (for the pilots, the financial year in
which the first reporting period starts). A flow in appraisal year t is divided by

    (1 + r₁) × (1 + r₂) × … × (1 + rₜ)

where rᵢ is the rate for year i (3.5% for years 0 to 30 in the Green Book, then declining), so flows in
year 0 are not discounted and, within the first 30 years, the divisor is 1.035 to the power t. The
discount factor is 1 ÷ that divisor. The product is exact in Decimal; only the one division is not.
"""

from __future__ import annotations

from decimal import Decimal

from evidence_hub.services.appraisal.parameters import DiscountSchedule


def discount_divisor(schedule: DiscountSchedule, year: int) -> Decimal:
    """(1 + r₁) × … × (1 + rₜ) for appraisal year t = `year` (1 for year 0)."""
    if year < 0:
        raise ValueError("An appraisal year cannot be before year 0.")
    divisor = Decimal(1)
    for each in range(1, year + 1):
        divisor *= 1 + schedule.percent_for(each) / 100
    return divisor


def discount_factor(schedule: DiscountSchedule, year: int) -> Decimal:
    """1 ÷ discount_divisor: what £1 in appraisal year t is worth in year 0."""
    return 1 / discount_divisor(schedule, year)


def present_value(amount: Decimal, schedule: DiscountSchedule, year: int) -> Decimal:
    """`amount` in appraisal year t, discounted to year 0."""
    return amount / discount_divisor(schedule, year)
