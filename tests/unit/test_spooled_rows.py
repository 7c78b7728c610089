"""A release's tables are spooled to disk while it is published: the rows read back are the rows written,
as often and in whatever interleaving the publication reads them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from evidence_hub.services.releases import spooled_rows
from evidence_hub.services.releases.spooled_rows import SpooledRows


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spooled_rows, "ROWS_PER_BATCH", 3)


def test_rows_read_back_as_written_in_order_with_their_types() -> None:
    written = [["KNT", "Kent", i, Decimal("1.50") * i, None if i % 2 else "x"] for i in range(10)]
    rows = SpooledRows(written)
    assert len(rows) == 10
    assert list(rows) == written
    assert isinstance(list(rows)[3][3], Decimal)


def test_rows_can_be_read_many_times_and_in_two_places_at_once() -> None:
    rows = SpooledRows([[i] for i in range(7)])
    pairs = [(outer[0], inner[0]) for outer in rows for inner in rows]
    assert pairs == [(a, b) for a in range(7) for b in range(7)]
    assert list(rows) == list(rows)


def test_a_row_is_found_by_its_position() -> None:
    rows = SpooledRows([[i] for i in range(8)])
    assert [rows[i][0] for i in range(8)] == list(range(8))
    assert rows[-1] == [7]
    assert rows[2:5] == [[2], [3], [4]]
    with pytest.raises(IndexError):
        rows[8]


def test_no_rows_is_an_empty_table() -> None:
    rows = SpooledRows([])
    assert len(rows) == 0
    assert list(rows) == []


def test_rows_come_from_a_generator_without_being_listed_first() -> None:
    produced: list[int] = []

    def rows() -> Iterator[tuple[int, str]]:
        for i in range(5):
            produced.append(i)
            yield (i, str(i))

    spooled = SpooledRows(rows())
    assert produced == [0, 1, 2, 3, 4]
    assert list(spooled) == [[i, str(i)] for i in range(5)]
