"""Reading the cells of an uploaded row: text as typed, numbers, whole numbers, dates, lists and yes or no.

Every reader notes its problem against the row's column and returns None, so that one pass over a row
finds every problem in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from evidence_hub.services.common.spreadsheet_safety import FORMULA_TRIGGERS
from evidence_hub.services.returns.input_rules import date_from_text

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    guidance: str
    required: bool = False


def listed_codes(values: Sequence[Any]) -> str:
    return ", ".join(str(value) for value in values)


def cell_text(row: dict[str, str], key: str) -> str:
    value = row.get(key, "")
    # A template we wrote may carry an apostrophe that keeps a formula-like text as text; remove it.
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def cell_decimal(
    row: dict[str, str], key: str, label: str, problems: dict[str, str], example: str = "1250.50"
) -> Decimal | None:
    raw = cell_text(row, key).replace(",", "").replace("£", "").strip()
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        problems[key] = f"{label} must be a number, like {example}"
        return None
    if not number.is_finite():
        problems[key] = f"{label} must be a number, like {example}"
        return None
    return number


def cell_whole_number(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> int | None:
    number = cell_decimal(row, key, label, problems, example="25")
    if number is None:
        return None
    if number != number.to_integral_value():
        problems[key] = f"{label} must be a whole number"
        return None
    return int(number)


def cell_date(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> date | None:
    raw = cell_text(row, key)
    if not raw:
        return None
    try:
        return date_from_text(raw, label)
    except ValueError as problem:
        problems[key] = str(problem)
        return None


def cell_list(row: dict[str, str], key: str) -> list[str]:
    return [part.strip() for part in cell_text(row, key).split(LIST_SEPARATOR) if part.strip()]


def cell_yes(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> bool:
    raw = cell_text(row, key).lower()
    if raw in ("", "no", "n", "false", "0"):
        return False
    if raw in ("yes", "y", "true", "1"):
        return True
    problems[key] = f"{label} must be yes or no"
    return False
