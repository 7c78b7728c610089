"""Where uploaded files live: one interface, a folder on this machine or an S3-compatible object store.

With one web host a folder is enough. With several behind a load balancer, a file stored through one host
must be readable through every other, so each deployment chooses (`STORAGE`): `folder` (the default) or
`s3`, any S3-compatible store reached with boto3 (AWS S3, MinIO, Ceph), credentials taken the usual AWS
ways (environment, instance role), never from this repository.

Files and database rows are kept in step with the session's transaction: a file written in a transaction
that is rolled back is removed again (`remove_if_rolled_back`), and a deleted row's file is removed only
once the deletion has been committed (`remove_after_commit`). A write that fails raises, so the
transaction around it rolls back and no row points at a file that is not there.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("evidence_hub.storage")

# Names are made by the service, never taken from a user: letters, digits, dots, dashes, underscores.
OBJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class StoredObjectMissing(LookupError):
    """The store has no object of that name (never written, or removed)."""


class UnacceptableObjectName(ValueError):
    """A name the service would never have made: refused before the store is asked anything."""


def checked_name(name: str) -> str:
    if not OBJECT_NAME.fullmatch(name):
        raise UnacceptableObjectName(f"Not a stored object's name: {name!r}")
    return name


class ObjectStore(Protocol):
    def put(self, name: str, content: bytes) -> None:
        """Keep `content` under `name`, replacing nothing: a name is written once."""

    def open(self, name: str) -> BinaryIO:
        """The object, open for reading as a stream; StoredObjectMissing if there is none."""

    def delete(self, name: str) -> None:
        """Remove the object; nothing happens if it is not there."""

    def names(self) -> Iterator[str]:
        """Every object's name (for checks, backups and tests)."""

    def describe(self) -> str:
        """Where the objects are, for an operator (no credentials)."""


@dataclass(frozen=True)
class FolderStore:
    """Objects as files of one folder on this machine, readable by the service's own user only."""

    folder: Path

    def _path(self, name: str) -> Path:
        return self.folder / checked_name(name)

    def put(self, name: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(
            self._path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
        )
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)

    def open(self, name: str) -> BinaryIO:
        try:
            return self._path(name).open("rb")
        except FileNotFoundError as missing:
            raise StoredObjectMissing(name) from missing

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if self.folder.is_dir():
            yield from sorted(path.name for path in self.folder.iterdir() if path.is_file())

    def describe(self) -> str:
        return f"the folder {self.folder}"


@dataclass(frozen=True)
class S3Store:
    """Objects under `prefix` in an S3 bucket; `client` is a boto3 S3 client."""

    bucket: str
    prefix: str
    client: Any = field(repr=False)

    def _key(self, name: str) -> str:
        return f"{self.prefix}{checked_name(name)}"

    def put(self, name: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=content)

    def open(self, name: str) -> BinaryIO:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except self.client.exceptions.NoSuchKey as missing:
            raise StoredObjectMissing(name) from missing
        body: BinaryIO = answer["Body"]
        return body

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for stored in page.get("Contents", []):
                yield stored["Key"].removeprefix(self.prefix)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def s3_client(*, endpoint_url: str | None, region: str | None) -> Any:
    import boto3  # Only deployments that store in S3 need it loaded.

    return boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)


# Keeping files in step with the transaction

_WRITTEN_KEY = "evidence_hub.storage.written"
_REMOVE_AFTER_COMMIT_KEY = "evidence_hub.storage.remove_after_commit"


def _remember(session: Session, key: str, store: ObjectStore, name: str) -> None:
    session.info.setdefault(key, []).append((store, name))


def _remove_quietly(objects: Iterable[tuple[ObjectStore, str]]) -> None:
    for store, name in objects:
        try:
            store.delete(name)
        except Exception as error:  # A failure to tidy up must never undo the user's committed work.
            log.error("Could not remove %s from %s: %s", name, store.describe(), error)


@event.listens_for(Session, "after_commit")
def _objects_after_commit(session: Session) -> None:
    # Objects written in the transaction are now referenced by committed rows: keep them.
    session.info.pop(_WRITTEN_KEY, None)
    _remove_quietly(session.info.pop(_REMOVE_AFTER_COMMIT_KEY, []))


@event.listens_for(Session, "after_transaction_end")
def _objects_after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Still listed only when the transaction ended without committing: its rows are gone, so are its files.
    _remove_quietly(session.info.pop(_WRITTEN_KEY, []))
    session.info.pop(_REMOVE_AFTER_COMMIT_KEY, None)


def remove_if_rolled_back(session: Session, store: ObjectStore, name: str) -> None:
    """An object just written: removed again if the transaction that wrote it is rolled back."""
    _remember(session, _WRITTEN_KEY, store, name)


def remove_after_commit(session: Session, store: ObjectStore, name: str) -> None:
    """A deleted row's object: removed once the deletion has been committed, never before."""
    _remember(session, _REMOVE_AFTER_COMMIT_KEY, store, name)
