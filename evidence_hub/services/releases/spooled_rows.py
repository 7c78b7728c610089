"""A table's rows kept in a temporary file rather than in memory, read back as often as needed.

Publishing builds ten tables from every approved return in scope (at 350 sites × 40 quarters, about half
a million rows), protects them, writes the learning summary from them and stores them. Held as lists, the
tables and their protected copies made up most of a publication's memory; spooled, each table is in memory
only while it is built, and every later step (protection, the summary, the fingerprint, storing the rows)
streams it back from disk in batches.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

ROWS_PER_BATCH = 2000


class SpooledRows(Sequence[list[Any]]):
    """Rows written once, on creation, to an anonymous temporary file (gone when this object is, or when
    the process ends, however it ends), then read back in batches by every iteration.

    The file holds pickles this object wrote itself, so reading them back trusts nothing from outside."""

    def __init__(self, rows: Iterable[Sequence[Any]] = ()) -> None:
        # Lives as long as the rows do, so it cannot be opened in a with-block.
        self._file = tempfile.TemporaryFile(prefix="evidence-hub-rows-")  # noqa: SIM115
        self._batches: list[tuple[int, int]] = []  # (file offset, rows in the batch)
        self._length = 0
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(list(row))
            if len(batch) >= ROWS_PER_BATCH:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        self._file.flush()

    def _write(self, batch: list[list[Any]]) -> None:
        self._batches.append((self._file.tell(), len(batch)))
        pickle.dump(batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._length += len(batch)

    def _batch(self, offset: int) -> list[list[Any]]:
        # Every read seeks first, so that two iterations of the same rows never disturb each other.
        self._file.seek(offset)
        batch: list[list[Any]] = pickle.load(self._file)  # noqa: S301 (written by this object only)
        return batch

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[list[Any]]:
        for offset, _count in self._batches:
            yield from self._batch(offset)

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Any]]: ...

    def __getitem__(self, index: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(index, slice):
            return list(self)[index]
        position = index + self._length if index < 0 else index
        if not 0 <= position < self._length:
            raise IndexError("row index out of range")
        for offset, count in self._batches:
            if position < count:
                return self._batch(offset)[position]
            position -= count
        raise IndexError("row index out of range")  # pragma: no cover (the lengths add up)

    def close(self) -> None:
        """Remove the file now rather than when the object is collected."""
        self._file.close()
