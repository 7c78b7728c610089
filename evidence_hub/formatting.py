"""How figures, money and times are shown on pages: one place, used as Jinja filters everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

# Times are stored in UTC and shown in UK time, as users read them.
UK_TIME = ZoneInfo("Europe/London")


def money(value: Decimal | int | None) -> str:
    """£1,234.56 (always to the penny); an empty cell for None."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def number(value: Decimal | int | None, places: int = 0) -> str:
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(quantum):,}"


def date_uk(value: date | None) -> str:
    """1 April 2009. A moment (a timezone-aware datetime) is given as the day it was in the UK."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UK_TIME)
    return f"{value.day} {value:%B %Y}"


def datetime_uk(value: datetime | None) -> str:
    """21 November 2026 at 7:05pm, in UK time."""
    if value is None:
        return ""
    local = value.astimezone(UK_TIME)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def shortened(text: str, length: int, ending: str = "") -> str:
    """The text in at most `length` characters: cut at a word break where there is one, with `ending`
    (such as "…") after a cut so readers can tell."""
    if len(text) <= length:
        return text
    room = length - len(ending)
    cut = text[:room]
    if " " in cut and text[room] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;-'") + ending


def listed(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# The functions pages use as Jinja filters (the app factory registers them).
def example_date(period: Any) -> str:
    """A date inside the period (its middle), as typed in the GOV.UK date boxes: "15 5 2009". Hints give
    it so that the example is itself an answer the form accepts."""
    starts_on, ends_on = period.starts_on, period.ends_on
    middle = starts_on + (ends_on - starts_on) / 2
    return f"{middle.day} {middle.month} {middle.year}"


TEMPLATE_FILTERS = (money, number, date_uk, datetime_uk, example_date)
