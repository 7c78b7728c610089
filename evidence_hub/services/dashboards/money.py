"""Money summed exactly in SQL, on both engines: whole pence, and attributable money in pence × hundredths
of a percent, are integers that SQLite and PostgreSQL add alike; the sums come back as Decimal pounds,
rounded only when they are shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, cast, func

# Attributable money is summed as pence × hundredths of a percent: divide by this to get pounds.
ATTRIBUTABLE_UNITS_PER_POUND = Decimal(100 * 100 * 100)


def whole_pence(column: Any) -> Any:
    """A money column as whole pence, an integer that both engines sum exactly."""
    return cast(func.round(column * 100), BigInteger)


def attributable_units_of(amount: Any, percent: Any) -> Any:
    """The part of an amount attributable to the pilot, as pence × hundredths of a percent."""
    return whole_pence(amount) * cast(func.round(percent * 100), BigInteger)


def pounds_from_pence(value: Any) -> Decimal:
    return Decimal(int(value or 0)) / 100


def pounds_from_attributable_units(value: Any) -> Decimal:
    return Decimal(int(value or 0)) / ATTRIBUTABLE_UNITS_PER_POUND
