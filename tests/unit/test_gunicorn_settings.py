"""gunicorn's worker hooks: a worker collects garbage between requests, never in the middle of one.

On Python 3.11.7 a garbage collection that starts while a page is being built frees objects the page still
uses, and the worker dies of SIGSEGV (issue 16; docs/investigations/sigsegv.md). The crash itself takes a
national-scale data set and is shown by benchmarks/crash_soak.py; this pins the settings that avoid it.
"""

from __future__ import annotations

import faulthandler
import gc
import runpy
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

GUNICORN_SETTINGS = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    # faulthandler is the test runner's own here; the collector is put back as it was for later tests.
    monkeypatch.setattr(faulthandler, "enable", lambda **_options: None)
    was_enabled = gc.isenabled()
    try:
        yield runpy.run_path(str(GUNICORN_SETTINGS))
    finally:
        if was_enabled:
            gc.enable()


def test_a_worker_turns_off_the_automatic_collector_after_the_fork(settings: dict[str, Any]) -> None:
    settings["post_fork"](None, None)

    assert not gc.isenabled()


def test_a_worker_collects_the_cycles_a_request_left_once_it_has_answered(settings: dict[str, Any]) -> None:
    settings["post_fork"](None, None)

    class Node:
        def __init__(self) -> None:
            self.itself = self

    left_behind = Node()
    watched = weakref.ref(left_behind)
    del left_behind
    assert watched() is not None  # a cycle: reference counting alone does not free it

    settings["post_request"](None, None, {}, None)

    assert watched() is None


def test_cycles_that_outlive_their_request_are_freed_by_a_later_one(settings: dict[str, Any]) -> None:
    settings["post_fork"](None, None)

    class Node:
        def __init__(self) -> None:
            self.itself = self

    kept = Node()  # a cache entry, say: alive at the end of its request, moved to an older generation
    for _ in range(3):
        settings["post_request"](None, None, {}, None)
    watched = weakref.ref(kept)
    del kept

    _, young_every, old_every = gc.get_threshold()
    requests = 0
    while watched() is not None and requests <= (young_every + 1) * (old_every + 1):
        settings["post_request"](None, None, {}, None)
        requests += 1

    assert watched() is None
