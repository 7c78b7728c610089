"""Supporting documents of a return: uploading one (checked by content, document_types.py, and stored in
step with the transaction, document_store.py), finding, deleting and describing them."""

from __future__ import annotations

import logging
from hashlib import sha256
from typing import IO, Any, BinaryIO

from sqlalchemy.orm import Session

from evidence_hub.models import User
from evidence_hub.models.returns import SiteReturn, SupportingDocument
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.common.object_store import remove_after_commit, remove_if_rolled_back
from evidence_hub.services.returns.document_store import DocumentStore
from evidence_hub.services.returns.document_types import (
    MAX_DESCRIPTION_LENGTH,
    MAX_DOCUMENT_BYTES,
    TYPES_BY_CONTENT_TYPE,
    DocumentRefused,
    check_name_matches,
    detect_type,
    safe_filename,
)
from evidence_hub.services.returns.editing import require_lead_can_edit
from evidence_hub.services.returns.evidence_rows import record_created, record_deleted, visible_item

log = logging.getLogger("evidence_hub.documents")


def read_upload(stream: IO[bytes] | bytes) -> bytes:
    """The uploaded bytes, refusing anything over the limit without reading much more than it."""
    content = stream if isinstance(stream, bytes) else stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentRefused("The selected file must be 10 MB or smaller")
    if not content:
        raise DocumentRefused("The selected file is empty")
    return content


def upload_document(
    session: Session,
    user: User,
    site_return: SiteReturn,
    *,
    filename: str,
    stream: IO[bytes] | bytes,
    description: str,
    store: DocumentStore,
) -> SupportingDocument:
    """Check and keep an uploaded document for the return. Call inside `transaction(session)`."""
    require_lead_can_edit(user, site_return)
    description = (description or "").strip()
    if not description:
        raise DocumentRefused("Enter a description of the document", field="description")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise DocumentRefused(
            f"Description must be {MAX_DESCRIPTION_LENGTH:,} characters or fewer", field="description"
        )
    content = read_upload(stream)
    document_type = detect_type(content)
    check_name_matches(filename, document_type)
    stored_name = store.write(content)
    remove_if_rolled_back(session, store.objects, stored_name)
    document = SupportingDocument(
        site_return_id=site_return.id,
        site_id=site_return.site_id,
        original_filename=safe_filename(filename, document_type),
        stored_name=stored_name,
        content_type=document_type.content_type,
        size_bytes=len(content),
        sha256=sha256(content).hexdigest(),
        description=description,
        uploaded_by_id=user.id,
    )
    session.add(document)
    record_created(session, user, document, after=audit_values(document))
    return document


def audit_values(document: SupportingDocument) -> dict[str, Any]:
    return {
        "file": document.original_filename,
        "description": document.description,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "site_return_id": document.site_return_id,
    }


def visible_document(session: Session, user: User, return_id: int, document_id: int) -> SupportingDocument:
    """The document if the user may see its return and it belongs to that return; NotVisible otherwise."""
    document = visible_item(session, user, SupportingDocument, document_id)
    if document.site_return_id != return_id:
        raise NotVisible(f"Document {document_id} is not in return {return_id}")
    return document


def delete_document(session: Session, user: User, document: SupportingDocument, store: DocumentStore) -> None:
    """Delete a document; its file is removed once the deletion is committed. Call inside a transaction."""
    require_lead_can_edit(user, document.site_return)
    record_deleted(session, user, document, before=audit_values(document))
    session.delete(document)
    session.flush()
    remove_after_commit(session, store.objects, document.stored_name)


def stored_file(store: DocumentStore, document: SupportingDocument) -> BinaryIO:
    """The document's bytes, open for reading; NotVisible (404) if the file has gone missing."""
    try:
        return store.open(document.stored_name)
    except NotVisible:
        log.error("The file of document %s is missing from the document store", document.id)
        raise


def size_text(size_bytes: int) -> str:
    """1.2 MB, 340 KB, 512 bytes."""
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):.1f} MB"
    if size_bytes >= 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes} bytes"


def type_label(content_type: str) -> str:
    document_type = TYPES_BY_CONTENT_TYPE.get(content_type)
    if document_type is None:
        return content_type
    label = document_type.label.split(" ", 1)[1]
    return label[0].upper() + label[1:]
