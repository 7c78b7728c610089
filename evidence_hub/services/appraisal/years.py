"""Financial years (April to March), as HM Treasury's deflators and the Green Book count them.

A financial year is held as the calendar year in which it starts: 2009 is 2009-10.
"""

from __future__ import annotations

import re
from datetime import date

_LABEL = re.compile(r"^(\d{4})[-/](\d{2}|\d{4})$")


def financial_year(day: date) -> int:
    """The financial year a date falls in: 1 April 2009 to 31 March 2010 is 2009 (2009-10)."""
    return day.year if day.month >= 4 else day.year - 1


def label(year: int) -> str:
    """2009 → "2009-10"."""
    return f"{year}-{(year + 1) % 100:02d}"


def parse(text: str) -> int | None:
    """ "2009-10", "2009/10" or "2009-2010" → 2009; None when the text is not a financial year."""
    match = _LABEL.match(str(text).strip())
    if match is None:
        return None
    start, end = int(match.group(1)), match.group(2)
    expected = (start + 1) % 100 if len(end) == 2 else start + 1
    return start if int(end) == expected else None
