"""Where supporting documents' files live, and keeping files and database rows in step.

Files are stored outside `static/`, in the documents folder, under random names. A file written during a
transaction that is rolled back is removed again, and a deleted document's file is removed only once the
deletion has been committed.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from evidence_hub.services.common.access import NotVisible

log = logging.getLogger("evidence_hub.documents")

STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class DocumentStore:
    """The folder of uploaded files, each under a random name that says nothing about it."""

    folder: Path

    def path_of(self, stored_name: str) -> Path:
        if not STORED_NAME.fullmatch(stored_name):
            raise NotVisible(f"Not a stored document name: {stored_name!r}")
        return self.folder / stored_name

    def write(self, content: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        while True:
            stored_name = secrets.token_hex(16)
            try:
                descriptor = os.open(
                    self.path_of(stored_name),
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                    0o600,
                )
            except FileExistsError:
                continue
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
            return stored_name


# Keeping files in step with the transaction

_WRITTEN_KEY = "evidence_hub.documents.written"
_REMOVE_AFTER_COMMIT_KEY = "evidence_hub.documents.remove_after_commit"


def _remember(session: Session, key: str, path: Path) -> None:
    session.info.setdefault(key, []).append(path)


def _remove_quietly(paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            log.error("Could not remove the stored document %s: %s", path.name, error)


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    # Files written in the transaction are now referenced by committed rows: keep them.
    session.info.pop(_WRITTEN_KEY, None)
    _remove_quietly(session.info.pop(_REMOVE_AFTER_COMMIT_KEY, []))


@event.listens_for(Session, "after_transaction_end")
def _files_after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Still listed only when the transaction ended without committing: its rows are gone, so are its files.
    _remove_quietly(session.info.pop(_WRITTEN_KEY, []))
    session.info.pop(_REMOVE_AFTER_COMMIT_KEY, None)


def remove_if_rolled_back(session: Session, path: Path) -> None:
    """A file just written: removed again if the transaction that wrote it is rolled back."""
    _remember(session, _WRITTEN_KEY, path)


def remove_after_commit(session: Session, path: Path) -> None:
    """A deleted document's file: removed once the deletion has been committed, never before."""
    _remember(session, _REMOVE_AFTER_COMMIT_KEY, path)
