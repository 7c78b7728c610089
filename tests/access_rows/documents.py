"""Supporting documents: readers see and download them; only the site's lead uploads and deletes, and only
while the return is a draft or returned. Another site's return or document is 404 for the lead, and a
document asked for through a return it does not belong to is 404 for everyone."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only
from tests.returns_helpers import add_document

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}


def extend_world(session: Session, world: dict[str, Any]) -> None:
    """Documents in the returns of tests/access_rows/returns.py, their files in `documents_folder`, which
    the matrix gives the app as DOCUMENTS_FOLDER. The one row that really deletes a document has its own,
    so that the files other rows download are still there."""
    folder = Path(tempfile.mkdtemp(prefix="evidence-hub-access-documents-"))
    world["documents_folder"] = str(folder)
    world["document_id"] = add_document(session, world["return_id"], folder)
    world["deletable_document_id"] = add_document(session, world["return_id"], folder, "minutes.pdf")
    world["other_document_id"] = add_document(session, world["other_return_id"], folder)
    world["submitted_document_id"] = add_document(session, world["submitted_return_id"], folder)


SECTION = "/returns/{return_id}/documents"
OWN = "/returns/{return_id}/documents/{document_id}"
OTHER = "/returns/{other_return_id}/documents/{other_document_id}"
TAMPERED = "/returns/{return_id}/documents/{other_document_id}"
SUBMITTED = "/returns/{submitted_return_id}/documents/{submitted_document_id}"

ROWS = [
    Row("returns.documents", "GET", SECTION, only(READERS)),
    Row(
        "returns.documents",
        "GET",
        "/returns/{other_return_id}/documents",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    # Without a file the form is shown again with its errors.
    Row("returns.document_new", "GET", SECTION + "/new", only({SITE_LEAD: 200})),
    Row("returns.document_new", "POST", SECTION + "/new", only({SITE_LEAD: 200}), data={"description": "x"}),
    Row(
        "returns.document_new",
        "POST",
        "/returns/{other_return_id}/documents/new",
        only({SITE_LEAD: 404}),
        data={"description": "x"},
        note="another site",
    ),
    Row(
        "returns.document_new",
        "POST",
        "/returns/{submitted_return_id}/documents/new",
        only({SITE_LEAD: 403}),
        data={"description": "x"},
        note="submitted",
    ),
    Row("returns.document_download", "GET", OWN + "/download", only(READERS)),
    Row(
        "returns.document_download",
        "GET",
        OTHER + "/download",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.document_download",
        "GET",
        TAMPERED + "/download",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="another return's document",
    ),
    Row("returns.document_download", "GET", SUBMITTED + "/download", only(READERS), note="submitted"),
    Row("returns.document_delete", "GET", OWN + "/delete", only({SITE_LEAD: 200})),
    Row(
        "returns.document_delete",
        "POST",
        "/returns/{return_id}/documents/{deletable_document_id}/delete",
        only({SITE_LEAD: 302}),
    ),
    Row("returns.document_delete", "POST", OTHER + "/delete", only({SITE_LEAD: 404}), note="another site"),
    Row(
        "returns.document_delete",
        "POST",
        TAMPERED + "/delete",
        only({SITE_LEAD: 404}),
        note="another return's document",
    ),
    Row("returns.document_delete", "GET", SUBMITTED + "/delete", only({SITE_LEAD: 403}), note="submitted"),
    Row("returns.document_delete", "POST", SUBMITTED + "/delete", only({SITE_LEAD: 403}), note="submitted"),
]
