"""Release files in the deployment's object store (STORAGE=s3), so that every web host and every worker
sees the same files: what the worker builds at publication, any host serves.

The same three operations as the folder store (services/releases/release_files.py): `open`, `store`,
`open_or_build`, under the same keys. Nothing is cleared out here: a release's files are a few megabytes,
and a bucket's own lifecycle rules can expire old ones (a file that has gone is built again on download).
An opened file is copied from the store into a temporary file first, because a download states its length
and reads it as a file; a file larger than SPOOL_BYTES goes to disk, not memory.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from typing import BinaryIO, Protocol, cast

from evidence_hub.services.common.object_store import ObjectStore, StoredObjectMissing
from evidence_hub.services.releases.release_files import ReleaseFileKey, Writer

SPOOL_BYTES = 8 * 1024 * 1024


class ReleaseFiles(Protocol):
    """Where release files are kept: a folder of this machine (ReleaseFileStore) or an object store."""

    def open(self, key: ReleaseFileKey) -> BinaryIO | None: ...

    def store(self, key: ReleaseFileKey, write: Writer) -> None: ...

    def open_or_build(self, key: ReleaseFileKey, write: Writer) -> BinaryIO: ...


class ObjectReleaseFileStore:
    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects

    def open(self, key: ReleaseFileKey) -> BinaryIO | None:
        try:
            stored = self.objects.open(key.file_name)
        except StoredObjectMissing:
            return None
        copy = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))  # noqa: SIM115
        try:
            shutil.copyfileobj(stored, copy)
        except BaseException:
            copy.close()
            raise
        finally:
            stored.close()
        copy.seek(0)
        return copy

    def store(self, key: ReleaseFileKey, write: Writer) -> None:
        self._build(key, write).close()

    def open_or_build(self, key: ReleaseFileKey, write: Writer) -> BinaryIO:
        return self.open(key) or self._build(key, write)

    def _build(self, key: ReleaseFileKey, write: Writer) -> BinaryIO:
        built = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115  (returned open, closed by the caller)
        try:
            write(built)
            built.flush()
            built.seek(0)
            # Built meanwhile by another host (a folder store refuses a second write): the same bytes.
            with contextlib.suppress(FileExistsError):
                self.objects.put(key.file_name, built.read())
        except BaseException:
            built.close()
            raise
        built.seek(0)
        return built
