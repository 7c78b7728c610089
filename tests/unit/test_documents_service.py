"""Supporting documents: the type comes from the content, files and rows stay in step, names are safe."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, ReturnStatus, Role, SupportingDocument
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.common.object_store import FolderStore
from evidence_hub.services.returns import document_types, documents
from evidence_hub.services.returns.documents import DocumentRefused, DocumentStore
from evidence_hub.services.returns.errors import ReturnError
from tests.compound_files import compound_file
from tests.factories import make_return, make_user
from tests.object_stores import s3_store
from tests.returns_helpers import pdf_bytes, png_bytes

# Real small files, made here


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Quarter", "Referrals"])
    workbook.active.append(["2009 Q2", 120])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WORD_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx_bytes() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": WORD_CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document><w:body><w:p>Agreement</w:p></w:body></w:document>",
        }
    )


def odf_bytes(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype.encode())  # first and stored, as ODF asks
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<manifest:manifest/>")
    return buffer.getvalue()


def compound_file_with(stream_name: str) -> bytes:
    """A Microsoft compound file (the .doc / .xls container) whose directory holds the named stream."""
    return compound_file({stream_name: bytes(64)})


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(48)
    + b"This program cannot be run in DOS mode"
)
HTML = b"<!DOCTYPE html><html><body><script>alert('hello')</script></body></html>"


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (pdf_bytes(), "agreement.pdf", "application/pdf"),
        (xlsx_bytes(), "referrals.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            docx_bytes(),
            "agreement.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (compound_file_with("WordDocument"), "minutes.doc", "application/msword"),
        (compound_file_with("Workbook"), "costs.xls", "application/vnd.ms-excel"),
        (
            odf_bytes("application/vnd.oasis.opendocument.text"),
            "notes.odt",
            "application/vnd.oasis.opendocument.text",
        ),
        (
            odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
            "figures.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            odf_bytes("application/vnd.oasis.opendocument.presentation"),
            "board.odp",
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("Quarter,Referrals\r\n2009 Q2,120\r\nTeam £,Ünïcode\r\n".encode(), "referrals.csv", "text/csv"),
        (png_bytes(), "journey.png", "image/png"),
        (jpeg_bytes(), "workshop.jpg", "image/jpeg"),
        (jpeg_bytes(), "workshop.JPEG", "image/jpeg"),
    ],
    ids=["pdf", "xlsx", "docx", "doc", "xls", "odt", "ods", "odp", "csv", "png", "jpg", "jpeg"],
)
def test_accepted_files_are_recognised_from_their_content(
    content: bytes, name: str, content_type: str
) -> None:
    detected = document_types.detect_type(content)
    assert detected.content_type == content_type
    document_types.check_name_matches(name, detected)


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(DocumentRefused) as refused:
        document_types.check_name_matches(name, document_types.detect_type(content))
    return refused.value.message


def test_a_program_renamed_as_a_pdf_is_refused() -> None:
    assert "content is none of these" in refusal(EXE, "report.pdf")
    assert "content is none of these" in refusal(EXE, "setup.exe")


def test_a_web_page_renamed_as_a_pdf_is_refused() -> None:
    assert "web page" in refusal(HTML, "report.pdf")
    assert "web page" in refusal(b"  \n<svg onload='x()'/>", "chart.csv")


def test_a_file_whose_name_says_something_else_is_refused() -> None:
    assert refusal(docx_bytes(), "agreement.pdf") == (
        "The selected file's name ends in .pdf but its content is a Word document. Check you chose the right "
        "file, or rename it to end in .docx"
    )
    assert refusal(pdf_bytes(), "agreement") == (
        "The selected file's content is a PDF document, so its name must end in .pdf"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (zip_of({"readme.txt": b"just a zip"}), "content is none of these"),
        (
            zip_of(
                {
                    "[Content_Types].xml": WORD_CONTENT_TYPES,
                    "word/document.xml": b"",
                    "word/vbaProject.bin": b"x",
                }
            ),
            "contains macros",
        ),
        (
            zip_of({"ppt/presentation.xml": b"", "[Content_Types].xml": b"presentationml"}),
            "content is none of these",
        ),
        (b"PK\x03\x04 not really a zip", "damaged"),
        (compound_file_with("PowerPoint Document"), "content is none of these"),
        (compound_file_with("EncryptedPackage"), "password-protected"),
        ("Quarter,Referrals\n".encode("utf-16"), "content is none of these"),
        ("Année,Coût\n".encode("latin-1"), "save it as 'CSV UTF-8'"),
        (b"", "empty"),
    ],
    ids=["plain-zip", "macros", "powerpoint", "broken-zip", "ppt", "encrypted", "utf-16", "latin-1", "empty"],
)
def test_other_kinds_of_file_are_refused_with_a_clear_message(content: bytes, expected: str) -> None:
    with pytest.raises(DocumentRefused, match=expected):
        document_types.detect_type(content)


def test_a_zip_bomb_is_recognised_without_being_unpacked() -> None:
    # 64 MB of spaces compresses to about 64 KB; only the start of the part is ever read.
    bomb = zip_of({"[Content_Types].xml": b" " * (64 * 1024 * 1024), "word/document.xml": b""})
    started = time.monotonic()
    with pytest.raises(DocumentRefused, match="content is none of these"):
        document_types.detect_type(bomb)
    assert time.monotonic() - started < 2


def test_files_over_10_mb_are_refused_without_reading_them_all() -> None:
    stream = io.BytesIO(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(DocumentRefused, match="must be 10 MB or smaller"):
        documents.read_upload(stream)
    assert stream.tell() == 10 * 1024 * 1024 + 1
    assert len(documents.read_upload(io.BytesIO(b"%" * (10 * 1024 * 1024)))) == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\sam\\Documents\\Board minutes.PDF", "Board minutes.pdf"),
        ("evil\r\nname\x00.pdf", "evilname.pdf"),
        ("   .pdf", "document.pdf"),
        ("agreement", "agreement.pdf"),
        ("x" * 400 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_names_are_made_safe_to_show_and_to_download(uploaded: str, shown: str) -> None:
    assert document_types.safe_filename(uploaded, document_types.PDF) == shown


def test_the_download_header_gives_an_ascii_name_and_the_exact_name_encoded() -> None:
    assert document_types.content_disposition("报告.pdf") == (
        "attachment; filename=\"document.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    )
    header = document_types.content_disposition('Évaluation "final" ; 2009.pdf')
    assert header == (
        'attachment; filename="Evaluation _final_ _ 2009.pdf"; '
        "filename*=UTF-8''%C3%89valuation%20%22final%22%20%3B%202009.pdf"
    )


# Storing files in step with the database


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    """Both kinds of store a deployment may choose: a folder, and an S3-compatible server."""
    if request.param == "s3":
        return DocumentStore(s3_store(request.getfixturevalue("s3_endpoint")))
    return DocumentStore(FolderStore(tmp_path / "documents"))


def stored_files(store: DocumentStore) -> list[str]:
    return list(store.objects.names())


def test_an_uploaded_document_is_kept_under_a_random_name_and_audited(
    db: Session, store: DocumentStore
) -> None:
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    with transaction(db):
        document = documents.upload_document(
            db,
            lead,
            site_return,
            filename="Agreement.pdf",
            stream=io.BytesIO(pdf_bytes()),
            description="  Data-sharing agreement with DWP  ",
            store=store,
        )
    [name] = stored_files(store)
    assert name == document.stored_name
    assert "Agreement" not in name and len(name) == 32
    assert store.open(name).read() == pdf_bytes()
    assert (document.original_filename, document.content_type, document.description) == (
        "Agreement.pdf",
        "application/pdf",
        "Data-sharing agreement with DWP",
    )
    record = db.scalar(select(AuditEvent).where(AuditEvent.action == "document.created"))
    assert record is not None
    assert (record.actor_id, record.object_id, record.site_id) == (lead.id, document.id, site_return.site_id)
    assert record.after["file"] == "Agreement.pdf"
    assert record.after["sha256"] == document.sha256


def test_a_file_written_by_a_transaction_that_fails_is_removed(db: Session, store: DocumentStore) -> None:
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    with pytest.raises(RuntimeError), transaction(db):
        documents.upload_document(
            db,
            lead,
            site_return,
            filename="agreement.pdf",
            stream=pdf_bytes(),
            description="Agreement",
            store=store,
        )
        assert len(stored_files(store)) == 1
        raise RuntimeError("something later in the same transaction failed")
    assert stored_files(store) == []
    assert db.scalar(select(SupportingDocument)) is None


def test_a_deleted_document_keeps_its_file_until_the_deletion_is_committed(
    db: Session, store: DocumentStore
) -> None:
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    with transaction(db):
        document = documents.upload_document(
            db,
            lead,
            site_return,
            filename="a.png",
            stream=png_bytes(),
            description="Journey map",
            store=store,
        )
    [name] = stored_files(store)

    with pytest.raises(RuntimeError), transaction(db):
        documents.delete_document(db, lead, document, store)
        assert stored_files(store) == [name]
        raise RuntimeError("the deletion is rolled back")
    assert stored_files(store) == [name]

    document = db.get(SupportingDocument, document.id)
    with transaction(db):
        documents.delete_document(db, lead, document, store)
        assert stored_files(store) == [name]
    assert stored_files(store) == []
    assert db.scalar(select(SupportingDocument)) is None
    deleted = db.scalar(select(AuditEvent).where(AuditEvent.action == "document.deleted"))
    assert deleted is not None and deleted.before["file"] == "a.png"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.EVALUATOR, ReturnStatus.DRAFT), (Role.SITE_LEAD, ReturnStatus.SUBMITTED)],
    ids=["evaluator", "submitted-return"],
)
def test_only_the_sites_lead_uploads_and_only_while_the_return_can_change(
    db: Session, store: DocumentStore, role: Role, status: ReturnStatus
) -> None:
    site_return = make_return(db, "kent", status=status)
    user = make_user(db, role, site="kent" if role is Role.SITE_LEAD else None)
    with pytest.raises(ReturnError), transaction(db):
        documents.upload_document(
            db, user, site_return, filename="a.pdf", stream=pdf_bytes(), description="Agreement", store=store
        )
    assert stored_files(store) == []


def test_another_sites_lead_cannot_find_the_document(db: Session, store: DocumentStore) -> None:
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    with transaction(db):
        document = documents.upload_document(
            db, lead, site_return, filename="a.pdf", stream=pdf_bytes(), description="Agreement", store=store
        )
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    evaluator = make_user(db, Role.EVALUATOR)
    with pytest.raises(NotVisible):
        documents.visible_document(db, leeds_lead, site_return.id, document.id)
    with pytest.raises(NotVisible):
        documents.visible_document(db, evaluator, site_return.id + 1, document.id)
    assert documents.visible_document(db, evaluator, site_return.id, document.id).id == document.id


def test_stored_names_that_are_not_ours_are_never_opened(store: DocumentStore) -> None:
    with pytest.raises(NotVisible):
        store.open("../../secret_key")
    with pytest.raises(NotVisible):
        store.open("0" * 32)  # ours in form, but never written
