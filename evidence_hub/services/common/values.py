"""How values are kept: text as stored, and rows as the JSON-safe values of the audit log and snapshots."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

# Bookkeeping columns: not part of what an item says, so never shown as a change.
SKIPPED_COLUMNS = frozenset({"id", "version", "created_at", "updated_at"})

# C0 control characters other than tab, line feed and carriage return. Nobody types them, PostgreSQL
# refuses NUL in text outright, and the rest would reach pages, spreadsheets and PDFs unseen.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_control_characters(text: str) -> str:
    """The text with its control characters (other than tab and line breaks) removed: the one rule for
    every piece of text that enters the service, from forms, addresses' queries and uploaded files alike."""
    return CONTROL_CHARACTERS.sub("", text)


def clean_text(value: str | None) -> str:
    """Text as stored: trimmed, without control characters (PostgreSQL refuses NUL in text)."""
    return without_control_characters(value or "").strip()


def plain(value: Any) -> Any:
    """A value as it is written in the audit log and in snapshots: JSON-safe, exact for money."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(member) for member in value]
    return value


def snapshot(item: Any, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every column value of an item (without bookkeeping columns), JSON-safe."""
    state = inspect(item)
    values = {
        attribute.key: plain(getattr(item, attribute.key))
        for attribute in state.mapper.column_attrs
        if attribute.key not in SKIPPED_COLUMNS
    }
    if extra:
        values.update({key: plain(value) for key, value in extra.items()})
    return values
