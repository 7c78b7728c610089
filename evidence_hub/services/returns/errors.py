"""What the returns services refuse, and why, in words a user can act on.

Every section speaks the same dialect: `InvalidEvidence` maps each field's name to the message shown beside
it (nothing is saved), `StaleEdit` says somebody saved a newer version first (nothing is overwritten), and
`ReturnError` says a step cannot happen now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ReturnError(ValueError):
    """A workflow step that cannot happen now; the message says why in plain English."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidEvidence(ReturnError):
    """Input that cannot be saved; `problems` maps each field's name to the message to show beside it."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field)
        self.problems = problems


@dataclass
class StaleEdit(Exception):
    """Somebody saved a newer version of this item since the form was opened.

    `theirs` holds the saved values and `yours` the values just submitted, both in words by field name;
    the page shows both so that the user chooses, and nothing is overwritten silently.
    """

    item: Any
    theirs: dict[str, Any]
    yours: dict[str, Any]
