"""Form fields shared by several pages."""

from __future__ import annotations

import re
from datetime import date
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


MAX_WHOLE_NUMBER_LENGTH = 12


class WholeNumber(StringField):
    """A whole number typed as text ('1,250' is read as 1250); blank is None."""

    def __init__(self, label: str, *, unreadable: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.unreadable = unreadable

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist:
            return
        compact = re.sub(r"[,\s]", "", str(valuelist[0]))
        if not compact:
            return
        if len(compact) > MAX_WHOLE_NUMBER_LENGTH or not re.fullmatch(r"-?\d+", compact):
            raise ValueError(self.unreadable)
        self.data = int(compact)

    def process_data(self, value: Any) -> None:
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return str(self.data) if isinstance(self.data, int) else ""
