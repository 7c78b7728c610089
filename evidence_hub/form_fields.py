"""Form fields shared by several pages."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, StringField


class GovDateField(Field):
    """A date typed in three boxes (day, month, year), as the GOV.UK date input asks for it; blank is None."""

    widget = GovDateInput()

    def __init__(self, label: str, *, short_name: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.short_name = short_name

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, date) else None

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(value).strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        # The widget shows exactly three boxes back, whatever was sent.
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        day, month, year = parts
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValueError(f"{self.short_name} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() and len(part) <= 4 for part in parts) or len(year) != 4:
            raise ValueError(f"{self.short_name} must be a real date, like 27 5 2009")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.short_name} must be a real date, like 27 5 2009") from None

    def _value(self) -> str:
        return ""


class NumberText(StringField):
    """A number typed as text; blank is None. Only the form of the text is checked here, so that a message
    says the number is unreadable; its size and decimal places are the service's rules.

    A subclass says which characters people may type around the digits (`ignored`), what the digits may
    look like (`pattern`), the longest it reads, and how the digits become a value (`convert`).
    """

    ignored: re.Pattern[str]
    pattern: re.Pattern[str]
    max_length: int

    def __init__(self, label: str, *, unreadable: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.unreadable = unreadable

    def convert(self, digits: str) -> Any:
        return digits

    def shown(self, value: Any) -> str:
        return str(value)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist:
            return
        compact = self.ignored.sub("", str(valuelist[0]))
        if not compact:
            return
        if len(compact) > self.max_length or not self.pattern.fullmatch(compact):
            raise ValueError(self.unreadable)
        self.data = self.convert(compact)

    def process_data(self, value: Any) -> None:
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None or isinstance(self.data, str) else self.shown(self.data)


class WholeNumber(NumberText):
    """A whole number typed as text ('1,250' is read as 1250)."""

    ignored = re.compile(r"[,\s]")
    pattern = re.compile(r"-?\d+")
    max_length = 12

    def convert(self, digits: str) -> int:
        return int(digits)


class DecimalText(NumberText):
    """A number typed as text, such as '£1,250.50' or '80%'."""

    ignored = re.compile(r"[£,%\s]")
    # Digits with an optional sign and decimal point.
    pattern = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
    # Longer than any figure the service accepts: refused before it is parsed.
    max_length = 30

    def convert(self, digits: str) -> Decimal:
        return Decimal(digits)

    def shown(self, value: Decimal) -> str:
        # As typed: 4500 or 4500.50 (no thousands separators, which would be read back just the same).
        return f"{value:.0f}" if value == value.to_integral() else format(value, "f")


def optional_id(value: Any) -> int | None:
    """A radio or checkbox value as an id; anything that is not a whole number becomes -1 (no such row),
    so that the service, not WTForms, says what is wrong."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 12 else -1


def ids(values: Any) -> list[int]:
    """The ids among a multiple choice's values (an altered one, read as -1 by `optional_id`, stays in)."""
    return [value for value in (values or []) if isinstance(value, int)]


def text(value: Any) -> str:
    """A field's data as text ('' for anything that is not)."""
    return value if isinstance(value, str) else ""
