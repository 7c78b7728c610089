"""The deployment's object store for each kind of uploaded file, as its settings choose (`STORAGE`)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from evidence_hub.services.common.object_store import FolderStore, ObjectStore, S3Store, s3_client
from evidence_hub.services.returns.document_store import DocumentStore

S3_CLIENT_KEY = "evidence_hub.s3_client"


def object_store(area: str, folder_setting: str) -> ObjectStore:
    """The store of one area (documents, ...): `folder_setting`'s folder, or the area's prefix in S3."""
    config = current_app.config
    if config["STORAGE"] == "s3":
        if S3_CLIENT_KEY not in current_app.extensions:
            # One client per app: making one reads credentials and endpoints, too slow for every request.
            current_app.extensions[S3_CLIENT_KEY] = s3_client(
                endpoint_url=config["S3_ENDPOINT_URL"], region=config["S3_REGION"]
            )
        return S3Store(
            bucket=config["S3_BUCKET"],
            prefix=f"{config['S3_PREFIX']}{area}/",
            client=current_app.extensions[S3_CLIENT_KEY],
        )
    configured = config.get(folder_setting) or ""
    return FolderStore(Path(configured) if configured else Path(current_app.instance_path) / area)


def document_store() -> DocumentStore:
    return DocumentStore(object_store("documents", "DOCUMENTS_FOLDER"))
