"""Quarter codes such as 2009-Q2, the form every reporting period and comparison series uses."""

from __future__ import annotations

import re

QUARTER_CODE = re.compile(r"^(\d{4})-Q([1-4])$")


class NotAQuarter(ValueError):
    """The text is not a quarter code such as 2009-Q2."""


def quarter_code(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def _parts(code: str) -> tuple[int, int]:
    match = QUARTER_CODE.match(code)
    if match is None:
        raise NotAQuarter(f"{code!r} is not a quarter code such as 2009-Q2")
    return int(match.group(1)), int(match.group(2))


def shifted(code: str, quarters: int) -> str:
    """The quarter `quarters` after `code` (before it when negative)."""
    year, quarter = _parts(code)
    index = year * 4 + quarter - 1 + quarters
    return quarter_code(index // 4, index % 4 + 1)


def quarters_from(first: str, count: int) -> list[str]:
    """`count` consecutive quarters starting with `first`."""
    return [shifted(first, step) for step in range(count)]


def quarters_before(first: str, count: int) -> list[str]:
    """The `count` quarters just before `first`, oldest first: the pre-pilot periods of a pilot starting
    in `first`."""
    return [shifted(first, step) for step in range(-count, 0)]
