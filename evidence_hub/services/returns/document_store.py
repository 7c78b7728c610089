"""Where supporting documents' files are kept: in the deployment's object store (a folder or S3), each
under a random name that says nothing about it, outside `static/` and never served by name."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import BinaryIO

from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.common.object_store import ObjectStore, StoredObjectMissing

STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class DocumentStore:
    objects: ObjectStore

    def write(self, content: bytes) -> str:
        """Keep the content under a new random name, and return the name."""
        stored_name = secrets.token_hex(16)
        self.objects.put(stored_name, content)
        return stored_name

    def open(self, stored_name: str) -> BinaryIO:
        """The stored file, open for reading; NotVisible (404) for a name that is not ours or not there."""
        if not STORED_NAME.fullmatch(stored_name):
            raise NotVisible(f"Not a stored document name: {stored_name!r}")
        try:
            return self.objects.open(stored_name)
        except StoredObjectMissing as missing:
            raise NotVisible(f"The stored document {stored_name} is missing") from missing
