"""Framework values in words, as pages, downloads and messages show them: plain numbers, yes or no,
counts of things, and figures in an indicator's unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from evidence_hub.models import Indicator, IndicatorUnit


def plain_number(value: Decimal | None) -> str:
    """A number as a person writes it: 100 not 100.0000, 2.5 not 2.5000."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def count_phrase(count: int, plural: str) -> str:
    """ "1 theme", "2 themes", "1 cost category" from the plural noun."""
    if count == 1:
        words = plural.split(" ")
        last = words[-1]
        words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
        return f"1 {' '.join(words)}"
    return f"{count} {plural}"


def range_text(indicator: Indicator) -> str:
    """The plausible range in words, such as "0 to 5,000" or "£0.00 to £5,000.00"."""
    if indicator.plausible_min is None or indicator.plausible_max is None:
        return "Yes or no"
    lowest = format_value(indicator, indicator.plausible_min)
    return f"{lowest} to {format_value(indicator, indicator.plausible_max)}"


class MeasuredInUnits(Protocol):
    """What formatting a figure needs from an indicator, or from the dashboards' description of one."""

    @property
    def unit_enum(self) -> IndicatorUnit: ...

    @property
    def decimal_places(self) -> int: ...


def format_value(indicator: MeasuredInUnits, value: Any) -> str:
    """A figure in the indicator's unit, to its decimal places, with thousands separators."""
    if value is None:
        return ""
    places = indicator.decimal_places
    text = f"{value:,.{places}f}"
    unit = indicator.unit_enum
    if unit is IndicatorUnit.MONEY_GBP:
        return f"£{text}" if not text.startswith("-") else f"-£{text[1:]}"
    if unit is IndicatorUnit.PERCENTAGE:
        return f"{text}%"
    if unit in (IndicatorUnit.HOURS, IndicatorUnit.DAYS):
        return f"{text} {unit.label.lower()}"
    return text
