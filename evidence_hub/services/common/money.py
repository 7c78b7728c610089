"""Money summed exactly in SQL, on both engines: whole pence, and attributable money in pence × hundredths
of a percent, are integers that SQLite and PostgreSQL add alike; the sums come back as Decimal pounds,
rounded only when they are shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evidence_hub.models.summary_upkeep import attributable_units_of, whole_pence

# Attributable money is summed as pence × hundredths of a percent: divide by this to get pounds.
ATTRIBUTABLE_UNITS_PER_POUND = Decimal(100 * 100 * 100)

__all__ = ["attributable_units_of", "pounds_from_attributable_units", "pounds_from_pence", "whole_pence"]


def pounds_from_pence(value: Any) -> Decimal:
    return Decimal(int(value or 0)) / 100


def pounds_from_attributable_units(value: Any) -> Decimal:
    return Decimal(int(value or 0)) / ATTRIBUTABLE_UNITS_PER_POUND
