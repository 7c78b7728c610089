"""A backup of the whole service (the database and every stored object), and putting one back.

A backup is a folder: the database (PostgreSQL's own dump format through `pg_dump`, or a consistent copy
of a SQLite file through SQLite's backup API, taken while the service runs), each stored object under
`objects/<area>/`, and `manifest.json` with the schema revision, the time taken and a SHA-256 of every
file. A restore checks every checksum before it changes anything, goes only into an empty database, and
takes back the objects it wrote if the database could not be restored. Rendered release files are not
backed up: they are rebuilt from the database when first asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from evidence_hub.services.common.object_store import ObjectStore

MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
OBJECTS = "objects"
FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """The backup cannot be taken or put back; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    taken_at: str
    engine: str
    schema_revision: str | None
    database_file: str
    checksums: dict[str, str]  # path within the backup -> SHA-256

    def object_names(self, area: str) -> list[str]:
        prefix = f"{OBJECTS}/{area}/"
        return sorted(path.removeprefix(prefix) for path in self.checksums if path.startswith(prefix))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_arguments(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database's address for pg_dump and pg_restore, and the environment carrying its password (an
    argument would show it to anyone listing processes)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as missing:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client programs."
        ) from missing
    except subprocess.CalledProcessError as failure:
        raise BackupError(f"{command[0]} failed: {failure.stderr.strip()}") from failure


def back_up(
    engine: Engine, stores: Mapping[str, ObjectStore], folder: Path, schema_revision: str | None
) -> Manifest:
    """Write a backup into `folder`, which must be new or empty."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder.")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if engine.dialect.name == "postgresql":
        database_file = POSTGRES_DUMP
        address, environment = _libpq_arguments(engine)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={folder / database_file}",
                address,
            ],
            environment,
        )
    else:
        database_file = SQLITE_COPY
        target = sqlite3.connect(folder / database_file)
        try:
            with engine.connect() as connection:
                connection.connection.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    for area, store in stores.items():
        area_folder = folder / OBJECTS / area
        area_folder.mkdir(parents=True, exist_ok=True)
        for name in store.names():
            with store.open(name) as stored, (area_folder / name).open("wb") as copy:
                shutil.copyfileobj(stored, copy)
    checksums = {
        path.relative_to(folder).as_posix(): _sha256_of(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = Manifest(
        taken_at=datetime.now(UTC).isoformat(timespec="seconds"),
        engine=engine.dialect.name,
        schema_revision=schema_revision,
        database_file=database_file,
        checksums=checksums,
    )
    (folder / MANIFEST).write_text(json.dumps({"format": FORMAT_VERSION, **manifest.__dict__}, indent=2))
    return manifest


def read_manifest(folder: Path) -> Manifest:
    try:
        raw: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as missing:
        raise BackupError(f"{folder} has no {MANIFEST}: it is not a backup of Evidence Hub.") from missing
    if raw.pop("format", None) != FORMAT_VERSION:
        raise BackupError(f"{folder} is a backup in a format this version cannot read.")
    return Manifest(**raw)


def check(folder: Path) -> Manifest:
    """The manifest, once every file it lists is present and unchanged."""
    manifest = read_manifest(folder)
    for relative, expected in manifest.checksums.items():
        path = folder / relative
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {relative} is missing.")
        if _sha256_of(path) != expected:
            raise BackupError(f"The backup is damaged: {relative} does not match its checksum.")
    return manifest


def restore(engine: Engine, stores: Mapping[str, ObjectStore], folder: Path) -> Manifest:
    """Put a backup back into an empty database and its object stores."""
    manifest = check(folder)
    if manifest.engine != engine.dialect.name:
        raise BackupError(
            f"This is a backup of a {manifest.engine} database; the target is {engine.dialect.name}."
        )
    if inspect(engine).get_table_names():
        raise BackupError("The target database is not empty: restore into a new, empty database.")
    missing_areas = {
        path.split("/")[1] for path in manifest.checksums if path.startswith(f"{OBJECTS}/")
    } - set(stores)
    if missing_areas:
        raise BackupError(f"No store is configured for {', '.join(sorted(missing_areas))}.")

    written: list[tuple[ObjectStore, str]] = []
    try:
        for area, store in stores.items():
            for name in manifest.object_names(area):
                store.put(name, (folder / OBJECTS / area / name).read_bytes())
                written.append((store, name))
        if engine.dialect.name == "postgresql":
            address, environment = _libpq_arguments(engine)
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={address}",
                    str(folder / manifest.database_file),
                ],
                environment,
            )
        else:
            source = sqlite3.connect(folder / manifest.database_file)
            try:
                with engine.connect() as connection:
                    source.backup(connection.connection.driver_connection)  # type: ignore[arg-type]
            finally:
                source.close()
    except BaseException:
        for store, name in written:
            store.delete(name)
        raise
    engine.dispose()  # Pooled connections knew the empty database.
    return manifest
