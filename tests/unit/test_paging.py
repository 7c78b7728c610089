"""Which page of a counted list a person sees, and how many pages it has."""

import pytest

from evidence_hub.services.common.paging import page_count, page_within


@pytest.mark.parametrize(
    ("total", "per_page", "pages"),
    [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (100, 50, 2), (101, 50, 3), (7, 1, 7)],
)
def test_a_list_has_as_many_pages_as_its_items_fill_and_an_empty_list_has_one(
    total: int, per_page: int, pages: int
) -> None:
    assert page_count(total, per_page) == pages


@pytest.mark.parametrize(
    ("asked", "total", "shown"),
    [(1, 120, 1), (2, 120, 2), (3, 120, 3), (4, 120, 3), (999, 120, 3), (0, 120, 1), (-5, 120, 1), (2, 0, 1)],
)
def test_a_page_before_the_first_shows_the_first_and_one_past_the_last_shows_the_last(
    asked: int, total: int, shown: int
) -> None:
    assert page_within(asked, total, 50) == shown
