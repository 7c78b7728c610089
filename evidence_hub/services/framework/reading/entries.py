"""One entry of a framework file (a YAML mapping) and its values, read with every problem collected."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from evidence_hub.services.framework.errors import Problem
from evidence_hub.services.framework.file_format import (
    ISO_DATE,
    ITEM_CODE,
    MAX_ABSOLUTE_VALUE,
    MAX_DECIMAL_PLACES,
    TEXT_LENGTH,
)

EnumT = TypeVar("EnumT", bound=StrEnum)
ItemT = TypeVar("ItemT")


def quoted(value: Any) -> str:
    """A value as messages quote it: “like this”."""
    return f"“{value}”"


def list_words(values: Iterable[str]) -> str:
    return ", ".join(values)


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """ " Did you mean “theme”?" when one of the options is close to what was written, else nothing."""
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f" Did you mean {quoted(close[0])}?" if close else ""


class EntryReader:
    """Reads one file, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    # The shape of an entry: its keys, and the items of its lists.

    def entry(
        self, value: Any, location: str, fields: Mapping[str, tuple[str, bool]], subject: str
    ) -> dict[str, Any] | None:
        """An entry (a YAML mapping) with only known keys; None, and a problem, when it is not a mapping."""
        if not isinstance(value, dict):
            self.problem(
                location or "file", f"{subject} must be a set of `key: value` lines, not {_kind_of(value)}."
            )
            return None
        subject = _named(subject, value)
        for key in value:
            if not isinstance(key, str) or key not in fields:
                where = f"{subject[0].lower()}{subject[1:]}"
                self.problem(
                    f"{location}.{key}" if location else str(key),
                    f"Unknown field {quoted(key)} in {where}.{did_you_mean(str(key), fields)} "
                    f"The fields it can have are: {list_words(fields)}.",
                )
        for key, (label, required) in fields.items():
            if required and value.get(key) in (None, "", [], {}):
                self.problem(_at(location, key), f"{subject} has no {label}: add `{key}:`.")
        return value

    def items(
        self,
        entry: Mapping[str, Any],
        key: str,
        location: str,
        subject: str,
        read_item: Callable[[Any, str], ItemT | None],
    ) -> list[tuple[int, ItemT]]:
        """The readable items of a list field, each with its index in the file."""
        value = entry.get(key)
        if value in (None, "", []):
            return []
        if not isinstance(value, list):
            self.problem(_at(location, key), f"{subject} must be a list (each item starting with `- `).")
            return []
        result: list[tuple[int, ItemT]] = []
        for index, item in enumerate(value):
            read = read_item(item, f"{_at(location, key)}[{index}]")
            if read is not None:
                result.append((index, read))
        return result

    # Values, each checked against what the field holds.

    def text(
        self, entry: Mapping[str, Any], key: str, location: str, *, max_length: int = TEXT_LENGTH
    ) -> str:
        value = entry.get(key)
        if value is None:
            return ""  # Missing required fields are reported by `entry`.
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.problem(_at(location, key), f"This must be text, not {_kind_of(value)}.")
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.problem(_at(location, key), f"This is {len(text)} characters long: keep it to {max_length}.")
        return text

    def code(self, entry: Mapping[str, Any], key: str, location: str) -> str:
        value = entry.get(key)
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            self.problem(
                _at(location, key),
                f"YAML reads this code as {'true' if value else 'false'} (a yes/no value): put it in quotes.",
            )
            return ""
        code = str(value).strip()
        if not ITEM_CODE.match(code):
            self.problem(
                _at(location, key),
                f"The code {quoted(code)} is not allowed: use up to 40 letters, digits, full stops, hyphens "
                "or underscores, starting with a letter or digit (for example WL-JOBS).",
            )
        return code

    def choice(
        self, entry: Mapping[str, Any], key: str, location: str, enum: type[EnumT], what: str
    ) -> EnumT | None:
        value = entry.get(key)
        if value is None or value == "":
            return None
        allowed = [member.value for member in enum]
        if not isinstance(value, str) or value not in allowed:
            self.problem(
                _at(location, key),
                f"Unknown {what} {quoted(value)}.{did_you_mean(str(value), allowed)} "
                f"Use one of: {list_words(allowed)}.",
            )
            return None
        return enum(value)

    def whole_number(
        self, entry: Mapping[str, Any], key: str, location: str, *, minimum: int, maximum: int | None = None
    ) -> int | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(_at(location, key), f"This must be a whole number, not {_kind_of(value)}.")
            return None
        if value < minimum or (maximum is not None and value > maximum):
            limit = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            self.problem(_at(location, key), f"This must be a whole number {limit}, not {value}.")
            return None
        return value

    def number(self, entry: Mapping[str, Any], key: str, location: str) -> Decimal | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(_at(location, key), f"This must be a number, not {_kind_of(value)}.")
            return None
        try:
            # repr of a float is its shortest exact decimal spelling, so 0.1 stays 0.1.
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", ""))
        except InvalidOperation:
            self.problem(_at(location, key), f"{quoted(value)} is not a number.")
            return None
        if not number.is_finite():
            self.problem(_at(location, key), "This must be an ordinary number.")
            return None
        if abs(number) >= MAX_ABSOLUTE_VALUE:
            self.problem(_at(location, key), "This number is too large: keep it below 100 million million.")
            return None
        if decimal_places_of(number) > MAX_DECIMAL_PLACES:
            self.problem(
                _at(location, key), f"This number has more than {MAX_DECIMAL_PLACES} decimal places."
            )
            return None
        return number

    def yes_no(
        self, entry: Mapping[str, Any], key: str, location: str, *, default: bool | None = None
    ) -> bool:
        value = entry.get(key)
        if value is None:
            return bool(default)
        if not isinstance(value, bool):
            self.problem(
                _at(location, key), f"This must be true or false (without quotes), not {quoted(value)}."
            )
            return bool(default)
        return value

    def date(self, entry: Mapping[str, Any], key: str, location: str) -> date | None:
        value = entry.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            self.problem(
                _at(location, key), "Give a date without a time, as YYYY-MM-DD (for example 2009-04-01)."
            )
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str) and ISO_DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                self.problem(_at(location, key), f"{quoted(value)} is not a real date.")
                return None
        # Only YYYY-MM-DD: 01/04/2009 is 1 April in the UK and 4 January in the US, so never guess.
        self.problem(
            _at(location, key),
            f"Write the date as YYYY-MM-DD (for example 2009-04-01), not {quoted(value)}.",
        )
        return None

    def text_list(self, entry: Mapping[str, Any], key: str, location: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            self.problem(
                _at(location, key), "This must be a list, each item on its own line starting with `- `."
            )
            return ()
        if not isinstance(value, list):
            self.problem(_at(location, key), f"This must be a list of text, not {_kind_of(value)}.")
            return ()
        texts: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float) or not str(item).strip():
                self.problem(f"{_at(location, key)}[{index}]", "Each item in this list must be some text.")
                continue
            texts.append(str(item).strip())
        return tuple(texts)


def _named(subject: str, entry: Mapping[str, Any]) -> str:
    """ "A cost category" becomes "Cost category STAFF" when the entry has a code, so a reader can find it."""
    code = entry.get("code")
    if isinstance(code, str) and code.strip() and subject.startswith(("A ", "An ")):
        noun = subject.split(" ", 1)[1]
        return f"{noun[0].upper()}{noun[1:]} {code.strip()}"
    return subject


def _at(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {quoted(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of `key: value` lines"
    return "a value of an unexpected kind"


def decimal_places_of(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def check_unique(
    reader: EntryReader, items: Sequence[tuple[int, Any]], list_location: str, subject: str, key: str = "code"
) -> None:
    """A problem for each item whose code (or other `key`) repeats an earlier item's, whatever the case."""
    seen: dict[str, int] = {}
    for index, item in items:
        value = str(getattr(item, key))
        if not value:
            continue
        folded = value.casefold()
        if folded in seen:
            reader.problem(
                f"{list_location}[{index}].{key}",
                f"Duplicate {subject} {quoted(value)}: {list_location}[{seen[folded]}] already uses it. "
                f"Each {subject} must be different.",
            )
        else:
            seen[folded] = index
