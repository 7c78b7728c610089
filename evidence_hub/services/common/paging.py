"""Splitting a counted list into pages: one rule for how many pages there are and which page is shown."""

from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill at `per_page` a page; an empty list still has its one page."""
    return max(1, -(-total // per_page))


def page_within(asked: int, total: int, per_page: int) -> int:
    """The page asked for, moved within the pages there are: before the first shows the first, past the last
    shows the last."""
    return max(1, min(asked, page_count(total, per_page)))
