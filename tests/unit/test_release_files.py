"""Rendered release files are kept within their size, and render slots bound how many renders run at once."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from evidence_hub.downloads.render_slots import NoSlotFree, RenderSlots
from evidence_hub.services.releases.release_files import ReleaseFileKey, ReleaseFileStore


def key(number: int, kind: str = "summary.pdf") -> ReleaseFileKey:
    return ReleaseFileKey(1, "f" * 64, kind, (("areas", number),))


def writer(content: bytes, calls: list[int] | None = None) -> object:
    def write(target: BinaryIO) -> None:
        if calls is not None:
            calls.append(1)
        target.write(content)

    return write


def test_a_file_is_rendered_once_and_then_read(tmp_path: Path) -> None:
    store = ReleaseFileStore(tmp_path, max_bytes=10_000)
    calls: list[int] = []

    with store.open_or_build(key(1), writer(b"summary", calls)) as first:  # type: ignore[arg-type]
        assert first.read() == b"summary"
    with store.open_or_build(key(1), writer(b"other", calls)) as second:  # type: ignore[arg-type]
        assert second.read() == b"summary"

    assert calls == [1]
    assert store.open(key(2)) is None


def test_the_least_recently_read_files_are_cleared_out_to_stay_within_the_size(tmp_path: Path) -> None:
    store = ReleaseFileStore(tmp_path, max_bytes=3_500)
    for number in range(3):
        store.store(key(number), writer(bytes(1000)))  # type: ignore[arg-type]
        path = tmp_path / key(number).file_name
        os.utime(path, (time.time() - 100 + number, time.time() - 100 + number))
    opened = store.open(key(0))  # Read again: now the most recent.
    assert opened is not None
    opened.close()

    store.store(key(3), writer(bytes(1000)))  # type: ignore[arg-type]

    kept = {number for number in range(4) if (tmp_path / key(number).file_name).exists()}
    assert kept == {0, 2, 3}
    assert sum(path.stat().st_size for path in tmp_path.iterdir()) <= 3_500


def test_a_file_larger_than_the_store_is_still_served_once(tmp_path: Path) -> None:
    store = ReleaseFileStore(tmp_path, max_bytes=10)

    with store.open_or_build(key(1), writer(b"a large data pack")) as opened:  # type: ignore[arg-type]
        assert opened.read() == b"a large data pack"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_leaves_nothing_behind(tmp_path: Path) -> None:
    store = ReleaseFileStore(tmp_path)

    def broken(target: BinaryIO) -> None:
        target.write(b"half")
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        store.open_or_build(key(1), broken)
    assert list(tmp_path.iterdir()) == []


def test_each_person_and_the_service_have_their_own_number_of_slots(tmp_path: Path) -> None:
    slots = RenderSlots(tmp_path, per_user=1, at_once=2)

    with slots.taken(1, "a"):
        with pytest.raises(NoSlotFree) as yours, slots.taken(1, "b"):
            pass
        assert yours.value.for_user
        with slots.taken(2, "b"):
            with pytest.raises(NoSlotFree) as everyone, slots.taken(3, "c"):
                pass
            assert not everyone.value.for_user
    with slots.taken(1, "a"), slots.taken(3, "c"):
        pass  # Every slot is free again.


def test_a_second_request_for_the_same_file_waits_for_the_first(tmp_path: Path) -> None:
    slots = RenderSlots(tmp_path, per_user=1, at_once=2)
    order: list[str] = []
    first_inside = threading.Event()

    def first() -> None:
        with slots.taken(1, "summary"):
            first_inside.set()
            time.sleep(0.2)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait()
    with slots.taken(2, "summary"):
        order.append("second inside")
    thread.join()

    assert order == ["first done", "second inside"]
