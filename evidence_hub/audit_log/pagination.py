"""Page links for long lists (the audit log, all returns), as the GOV.UK pagination component takes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def pagination(page: int, pages: int, link: Callable[[int], str]) -> dict[str, Any] | None:
    """Parameters for govukPagination: first, last and nearby pages, with ellipses; None for one page."""
    if pages <= 1:
        return None
    return {
        "previous": {"href": link(page - 1)} if page > 1 else None,
        "next": {"href": link(page + 1)} if page < pages else None,
        "items": [
            {"number": number, "href": link(number), "current": number == page}
            if number in (1, pages) or abs(number - page) <= 2
            else {"ellipsis": True}
            for number in range(1, pages + 1)
            if number in (1, pages) or abs(number - page) <= 3
        ],
    }
