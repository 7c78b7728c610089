"""Precision and rounding: how exact figures are carried and how they are shown.

The rule, stated once:
- Money is `Decimal` from input to output; no value passes through a float.
- Sums and products of amounts are exact. Divisions (deflating, discounting, ratios) are carried at 28
  significant digits with the decimal module's ROUND_HALF_EVEN, in the `ARITHMETIC` context that every
  public entry point sets for itself, so a caller's own context never changes a result.
- Nothing is rounded until a figure is shown. Then, and only then, money is rounded to the penny, ratios
  to two decimal places, percentages to one and factors to four, all ROUND_HALF_UP (halves away from
  zero, as people round by hand).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import ParamSpec, TypeVar

ARITHMETIC = Context(prec=28, rounding=ROUND_HALF_EVEN)
PENNY = Decimal("0.01")
HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")
FACTOR_PLACES = Decimal("0.0001")

P = ParamSpec("P")
R = TypeVar("R")


def exact_arithmetic(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` in the `ARITHMETIC` context, whatever context the caller has set."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(ARITHMETIC):
            return function(*args, **kwargs)

    return wrapper


def to_penny(amount: Decimal) -> Decimal:
    """The amount rounded to the penny, half up: the only rounding money ever receives."""
    return amount.quantize(PENNY, ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    """£1,234.57, or -£1,234.57."""
    rounded = to_penny(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,.2f}"


def ratio(value: Decimal) -> str:
    """A ratio such as a benefit–cost ratio, to two decimal places: 1.85."""
    return f"{value.quantize(HUNDREDTH, ROUND_HALF_UP):,}"


def percent(value: Decimal) -> str:
    """A percentage (85 means 85%) to one decimal place: 85.0%."""
    return f"{value.quantize(TENTH, ROUND_HALF_UP):,}%"


def factor(value: Decimal) -> str:
    """A multiplier such as a discount factor, to four decimal places: 0.9662."""
    return f"{value.quantize(FACTOR_PLACES, ROUND_HALF_UP)}"


def count(value: Decimal | int) -> str:
    """A count of people or outcomes: whole numbers as 1,234; fractions (additional outcomes) to 0.1."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.quantize(TENTH, ROUND_HALF_UP):,}"


def plain(value: Decimal) -> str:
    """A parameter as given, without trailing zeros: 3.5, 54, 0.25."""
    return f"{value.normalize():f}"
