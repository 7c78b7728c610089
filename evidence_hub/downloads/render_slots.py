"""How many expensive files (learning summaries as PDF or Word, data packs) are rendered at once.

A render keeps a worker busy for seconds. Without a bound, a few people asking for files at once took
every worker, and the service stopped answering anything else (its health check included). So:

- each person renders at most `per_user` files at a time (429 for another meanwhile);
- the whole service renders at most `at_once` files at a time, whatever the number of workers (503 for
  another meanwhile), so that other workers stay free for pages;
- two requests for the same file wait for one render instead of doing it twice.

Every answer that refuses is immediate and says when to try again (Retry-After). The slots are advisory
file locks (flock) in a folder, so they hold across gunicorn's worker processes and across threads, and a
worker that dies lets go of its slots with its open files. They are per machine: each machine of a
service run on several renders up to its own limits.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

# Files for different keys share this many locks: a collision costs a short wait, never a wrong file.
KEY_LOCKS = 64


class NoSlotFree(Exception):
    """Every slot is taken: `for_user` when the person's own, otherwise the service's."""

    def __init__(self, *, for_user: bool) -> None:
        super().__init__("every render slot is taken")
        self.for_user = for_user


class RenderSlots:
    def __init__(self, folder: Path, *, per_user: int, at_once: int) -> None:
        self.folder = folder
        self.per_user = per_user
        self.at_once = at_once

    @contextmanager
    def taken(self, user_id: int, key: str) -> Iterator[None]:
        """Hold one of the user's slots and one of the service's while rendering the file named `key`
        (after waiting for anyone already rendering it); NoSlotFree at once when there is none."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with ExitStack() as held:
            held.enter_context(self._first_free([f"user-{user_id}-{n}" for n in range(self.per_user)], True))
            held.enter_context(self._first_free([f"render-{n}" for n in range(self.at_once)], False))
            bucket = int(hashlib.sha256(key.encode()).hexdigest(), 16) % KEY_LOCKS
            held.enter_context(self._locked(f"file-{bucket}", wait=True))
            yield

    @contextmanager
    def _first_free(self, names: list[str], for_user: bool) -> Iterator[None]:
        for name in names:
            lock = self._lock(name, wait=False)
            if lock is not None:
                try:
                    yield
                finally:
                    lock.close()
                return
        raise NoSlotFree(for_user=for_user)

    @contextmanager
    def _locked(self, name: str, *, wait: bool) -> Iterator[None]:
        lock = self._lock(name, wait=wait)
        assert lock is not None
        try:
            yield
        finally:
            lock.close()

    def _lock(self, name: str, *, wait: bool) -> IO[bytes] | None:
        """The lock file, held until it is closed; None when another holds it and `wait` is false."""
        lock = (self.folder / f"{name}.lock").open("ab")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return None
        except BaseException:
            lock.close()
            raise
        return lock
