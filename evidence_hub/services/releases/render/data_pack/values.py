"""Values by column kind, shared by the XLSX and CSV writers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

NUMERIC_KINDS: Final = frozenset({"money", "count", "people", "number", "percent"})
WHOLE_NUMBER_KINDS: Final = frozenset({"count", "people"})


def _number(value: Any, kind: str) -> int | Decimal | None:
    """The value as a number when it is one (int for counts of whole things), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float | str):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else str(value))
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        if kind in WHOLE_NUMBER_KINDS and number == number.to_integral_value():
            return int(number)
        return number
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: show the moment in UTC.
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def typed_value(kind: str, value: Any) -> Any:
    """A cell value as the type it is written as: None (empty), int, Decimal, date or str.

    Numbers stay numbers whatever their sign; "[c]" and anything that is not a number of the column's
    kind stay text, so that nothing is lost or mistaken for a figure.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if kind in NUMERIC_KINDS:
        number = _number(value, kind)
        if number is not None:
            return number
    elif kind == "date":
        day = _date(value)
        if day is not None:
            return day
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, date):
        return value
    return str(value)


# Numbers already written the way csv_cell would write them: passed through as they are, which keeps a
# million-row stream fast. Anything else takes the general path.
PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
PLAIN_WHOLE_NUMBER = re.compile(r"0|-?[1-9][0-9]*")
