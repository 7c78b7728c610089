"""Rules every section applies to what people type: lengths of text, money in pounds and pence, dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from evidence_hub.formatting import money

PENNY = Decimal("0.01")
# Free text is stored as Text; this keeps a pasted document (or an attack) out of a single field.
MAX_TEXT = 5000
# The column size of every title (models/returns.py).
MAX_TITLE = 200
# No single cost or saving of a local pilot comes near £100 million: a larger figure is a typing slip.
MAX_AMOUNT = Decimal("100000000")


def text_problem(value: str, label: str, limit: int = MAX_TEXT) -> str | None:
    """What is wrong with the length of a text, or None when it fits."""
    if len(value) > limit:
        return f"{label} must be {limit:,} characters or fewer"
    return None


def money_problem(value: Decimal | None, label: str, *, more_than_zero: bool = False) -> str | None:
    """What is wrong with an amount of money in pounds, or None when it is acceptable."""
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        return f"{label} must be a number, like 1250.50"
    if value < 0:
        return f"{label} must be £0 or more"
    if more_than_zero and value == 0:
        return f"{label} must be more than £0"
    if value > MAX_AMOUNT:
        return f"{label} must be {money(MAX_AMOUNT)} or less"
    if value != value.quantize(PENNY):
        return f"{label} must be in pounds and pence, with no more than 2 decimal places"
    return None


def plain_number(value: Decimal | None) -> str:
    """7.5 rather than 7.50, 10 rather than 10.00; thousands separated."""
    if value is None:
        return ""
    normal = value.normalize()
    return f"{normal:,.0f}" if normal == normal.to_integral() else f"{normal:,f}"


class Problems(dict[str, str]):
    """Problems found while checking an input, by field name: the first message for a field stands."""

    def note(self, field: str, message: str | None) -> None:
        if message and field not in self:
            self[field] = message


# Dates before this are typing slips: the pilots, and the data sharing they depend on, are far later.
EARLIEST_DATE = date(1990, 1, 1)
DATE_PARTS = ("day", "month", "year")
DateInput = date | datetime | str | None
# The ways a date is written in the UK, by people and by Excel saved in English (United Kingdom): always
# day before month, so each reads one way only; a year is always in full.
UK_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %m %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%d %b, %Y",
)
ISO_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.\- ]\d{1,2}[/.\- ]\d{2}$")


def date_from_text(text: str, label: str, example: str = "27/04/2009") -> date:
    """A date written as year-month-day (with or without a time, as spreadsheets save it) or day, month
    and year in any of the UK's usual ways; ValueError with a message, giving `example` (as the page or
    file asks for a date), when it is neither."""
    text = " ".join(text.split())
    iso = ISO_DATE_TIME.match(text)
    try:
        if iso:
            return date.fromisoformat(iso.group(1))
    except ValueError:
        raise ValueError(f"{label} must be a real date, like {example}") from None
    if TWO_DIGIT_YEAR.match(text):
        raise ValueError(f"{label} must have the year in full, like {example}")
    parts = text.split("/")
    if len(parts) == 3 and not all(part.strip() for part in parts):
        missing = next(name for name, part in zip(DATE_PARTS, parts, strict=True) if not part.strip())
        raise ValueError(f"{label} must include a {missing}")
    for pattern in UK_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{label} must be a real date, like {example}")


def parse_date(raw: DateInput, label: str) -> date | None:
    """A date from a form or a spreadsheet cell, not in the future nor implausibly early; None when empty;
    ValueError with a message when it is not a real date."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        found = raw.date()
    elif isinstance(raw, date):
        found = raw
    else:
        if not raw.strip():
            return None
        # Forms send the GOV.UK date boxes' day, month and year as "day/month/year".
        found = date_from_text(raw, label, example="27 3 2009")
    if found < EARLIEST_DATE:
        raise ValueError(f"{label} must be after {EARLIEST_DATE.day} January {EARLIEST_DATE.year}")
    if found > date.today():
        raise ValueError(f"{label} must be today or in the past")
    return found
