"""Rows of the route-by-role access matrix, one module per blueprint (see tests/test_access_matrix.py).

A row names an endpoint, a method, a URL template (its {names} filled from the access world) and the
status every role gets. Every route the app has must have a row for each of its methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
ADMINISTRATOR = "administrator"
EVALUATOR = "evaluator"
SITE_LEAD = "site_lead"
NATIONAL_OFFICIAL = "national_official"
EVERY_ROLE = (ANONYMOUS, ADMINISTRATOR, EVALUATOR, SITE_LEAD, NATIONAL_OFFICIAL)


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    url: str
    expected: dict[str, int]
    # Form fields for POST rows; CSRF is off in these tests (tests/web/test_security.py covers it).
    data: dict[str, Any] = field(default_factory=dict)
    # Why the row exists, for rows that test the same endpoint again (e.g. another site's object).
    note: str = ""

    def __post_init__(self) -> None:
        missing = set(EVERY_ROLE) - set(self.expected)
        if missing:
            raise ValueError(f"{self.endpoint} {self.method}: no expected status for {sorted(missing)}")


def signed_in_only(status: int = 200, anonymous: int = 302) -> dict[str, int]:
    """Every signed-in role gets `status`; anonymous users are sent to sign in."""
    return {
        ANONYMOUS: anonymous,
        ADMINISTRATOR: status,
        EVALUATOR: status,
        SITE_LEAD: status,
        NATIONAL_OFFICIAL: status,
    }


def only(allowed: dict[str, int], others: int = 403, anonymous: int = 302) -> dict[str, int]:
    """The named roles get their status, the other signed-in roles `others`, anonymous `anonymous`."""
    expected = dict.fromkeys(EVERY_ROLE, others)
    expected[ANONYMOUS] = anonymous
    expected.update(allowed)
    return expected
