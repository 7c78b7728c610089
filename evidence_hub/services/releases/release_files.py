"""Files rendered from a release (the learning summary as PDF or Word, the data pack as XLSX or a zip of
CSVs), kept on disk once made.

A release never changes, so each of its files is the same bytes for every reader: it is rendered once,
by the first request that needs it, and every later request reads it from the store. The store is a
folder of at most `max_bytes`, the least recently read files going first; nothing is held in memory.

A file is named by its ReleaseFileKey (the release, its fingerprint, the kind of file and any parameters
the kind of file takes). Anything that can write a file for a
key can fill the store: today the first download does (`open_or_build`); a worker that builds a release's
files once at publication would call `store` with the same keys, and downloads would then find them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger("evidence_hub.release_files")

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
TEMPORARY_SUFFIX = ".partial"


@dataclass(frozen=True)
class ReleaseFileKey:
    release_id: int
    fingerprint: str
    # e.g. "summary.pdf", "data-pack.xlsx": what is rendered, ending in its file extension.
    kind: str
    parameters: tuple[tuple[str, int], ...] = ()

    @property
    def file_name(self) -> str:
        described = repr((self.release_id, self.fingerprint, self.kind, self.parameters)).encode()
        extension = self.kind.rpartition(".")[2]
        return f"{self.release_id}-{hashlib.sha256(described).hexdigest()[:32]}.{extension}"


Writer = Callable[[BinaryIO], None]


class ReleaseFileStore:
    """Rendered release files in `folder`, at most `max_bytes` in all."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def open(self, key: ReleaseFileKey) -> BinaryIO | None:
        """The stored file, open for reading, or None when it has not been made (or was cleared out). An
        open file stays readable even if the store removes it a moment later."""
        path = self.folder / key.file_name
        try:
            opened = path.open("rb")
        except FileNotFoundError:
            return None
        os.utime(path)  # Read recently: the last to be cleared out.
        return opened

    def store(self, key: ReleaseFileKey, write: Writer) -> None:
        """Render the file with `write` and keep it."""
        self._build(key, write).close()

    def open_or_build(self, key: ReleaseFileKey, write: Writer) -> BinaryIO:
        """The stored file if there is one; otherwise render it, keep it and return it, open for reading."""
        return self.open(key) or self._build(key, write)

    def _build(self, key: ReleaseFileKey, write: Writer) -> BinaryIO:
        """Written beside its final name and moved into place, so that a reader never sees half a file (two
        renderers of one key leave one of their identical files); returned open, so that it can be read
        even if clearing out removes it at once."""
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=self.folder, suffix=TEMPORARY_SUFFIX)
        built = os.fdopen(descriptor, "w+b")
        try:
            write(built)
            built.flush()
            os.replace(partial, self.folder / key.file_name)
        except BaseException:
            built.close()
            Path(partial).unlink(missing_ok=True)
            raise
        built.seek(0)
        self._clear_out()
        return built

    def _clear_out(self) -> None:
        """Remove the least recently read files until the rest fit in max_bytes."""
        files = []
        for path in self.folder.iterdir():
            if path.suffix == TEMPORARY_SUFFIX:
                continue
            try:
                status = path.stat()
            except FileNotFoundError:
                continue  # Removed by another worker meanwhile.
            files.append((status.st_mtime, status.st_size, path))
        total = sum(size for _read, size, _path in files)
        for _read, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            log.info("Cleared %s out of the release file store", path.name)
