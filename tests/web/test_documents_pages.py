"""Supporting documents as people use them: uploading, refusals beside the field, downloading, deleting."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, ReturnStatus, Role, SiteReturn, SupportingDocument
from evidence_hub.services.common.object_store import s3_client
from tests import hostile_documents as hostile
from tests.conftest import sign_in
from tests.factories import make_return, make_user
from tests.object_stores import new_bucket
from tests.pages import error_summary, field_error, page, text_of
from tests.returns_helpers import pdf_bytes, png_bytes

PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def documents_folder(app: Flask, tmp_path: Path) -> Path:
    """A documents folder for this test alone (the app, and its instance folder, serve many tests)."""
    folder = tmp_path / "documents"
    app.config["DOCUMENTS_FOLDER"] = str(folder)
    return folder


def stored(app: Flask) -> list[Path]:
    folder = Path(app.config["DOCUMENTS_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def upload(
    client: FlaskClient, site_return: SiteReturn, content: bytes, name: str, description: str = "Agreement"
) -> object:
    return client.post(
        f"/returns/{site_return.id}/documents/new",
        data={"document": (io.BytesIO(content), name), "description": description},
        content_type="multipart/form-data",
    )


def links(soup: object) -> list[str]:
    return [link.get_text(" ", strip=True) for link in soup.find_all("a")]  # type: ignore[attr-defined]


def documents_of(db: Session, site_return: SiteReturn) -> list[SupportingDocument]:
    db.expire_all()
    db.rollback()
    return list(
        db.scalars(select(SupportingDocument).where(SupportingDocument.site_return_id == site_return.id))
    )


@pytest.fixture
def lead(client_as: Callable[..., FlaskClient]) -> FlaskClient:
    return client_as(Role.SITE_LEAD, site="kent")


def test_a_lead_uploads_a_document_and_sees_it_in_the_section(
    app: Flask, db: Session, lead: FlaskClient
) -> None:
    site_return = make_return(db, "kent")
    form = page(lead.get(f"/returns/{site_return.id}/documents/new"))
    assert form.find("input", {"type": "file", "name": "document"}) is not None

    response = upload(lead, site_return, PDF, "DWP agreement.pdf", "Data-sharing agreement with DWP, signed")
    assert response.status_code == 302
    soup = page(lead.get(response.headers["Location"]))
    assert "DWP agreement.pdf has been uploaded" in text_of(soup)
    [card] = soup.select(".govuk-summary-card")
    assert "Data-sharing agreement with DWP, signed" in text_of(card)
    assert "PDF document" in text_of(card)
    assert "Delete DWP agreement.pdf" in links(card)
    assert soup.find("input", {"name": "completed"}) is not None  # "Have you completed this section?"

    [document] = documents_of(db, site_return)
    [path] = stored(app)
    assert path.name == document.stored_name
    assert "agreement" not in path.name.lower()
    assert "static" not in path.parts

    # Without a folder set, documents live in the instance folder, never under static/.
    app.config["DOCUMENTS_FOLDER"] = ""
    upload(lead, site_return, png_bytes(), "map.png")
    assert list((Path(app.instance_path) / "documents").iterdir())


def test_the_document_downloads_as_an_attachment_with_its_detected_type(
    db: Session, lead: FlaskClient, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    upload(lead, site_return, PDF, "Évaluation «finale».pdf")
    [document] = documents_of(db, site_return)
    for reader in (lead, client_as(Role.EVALUATOR), client_as(Role.ADMINISTRATOR)):
        response = reader.get(f"/returns/{site_return.id}/documents/{document.id}/download")
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="Evaluation finale.pdf"; '
            "filename*=UTF-8''%C3%89valuation%20%C2%ABfinale%C2%BB.pdf"
        )


def test_another_sites_document_is_not_found_however_it_is_asked_for(
    db: Session, lead: FlaskClient, client_as: Callable[..., FlaskClient]
) -> None:
    kent_return = make_return(db, "kent")
    upload(lead, kent_return, PDF, "agreement.pdf")
    [document] = documents_of(db, kent_return)
    leeds_lead = client_as(Role.SITE_LEAD, site="leeds")
    leeds_return = make_return(db, "leeds")

    assert leeds_lead.get(f"/returns/{kent_return.id}/documents/{document.id}/download").status_code == 404
    # Tampered: the Leeds lead's own return in the address, Kent's document id.
    assert leeds_lead.get(f"/returns/{leeds_return.id}/documents/{document.id}/download").status_code == 404
    assert leeds_lead.get(f"/returns/{leeds_return.id}/documents/{document.id}/delete").status_code == 404
    assert leeds_lead.post(f"/returns/{leeds_return.id}/documents/{document.id}/delete").status_code == 404
    assert (
        client_as(Role.NATIONAL_OFFICIAL)
        .get(f"/returns/{kent_return.id}/documents/{document.id}/download")
        .status_code
        == 403
    )
    assert len(documents_of(db, kent_return)) == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "report.pdf", "web page"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100), "report.pdf", "content is none of these"),
        (PDF, "report.docx", "name ends in .docx but its content is a PDF document"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "big.pdf", "must be 10 MB or smaller"),
        (hostile.word_with_macros(), "minutes.doc", "The selected file contains macros"),
        (hostile.excel_with_macro_sheet(), "costs.xls", "The selected file contains macros"),
        (hostile.pdf_with_javascript(), "agreement.pdf", "The selected PDF contains JavaScript"),
        (hostile.pdf_with_launch_action(), "agreement.pdf", "an action that opens another program"),
        (hostile.pdf_with_attachment(), "agreement.pdf", "has other files attached to it"),
    ],
    ids=[
        "html-as-pdf",
        "program-as-pdf",
        "pdf-as-docx",
        "over-10-mb",
        "doc-with-macros",
        "xls-with-macro-sheet",
        "pdf-with-javascript",
        "pdf-with-launch",
        "pdf-with-attachment",
    ],
)
def test_a_refused_file_is_explained_beside_the_field_and_nothing_is_kept(
    app: Flask, db: Session, lead: FlaskClient, content: bytes, name: str, message: str
) -> None:
    site_return = make_return(db, "kent")
    soup = page(upload(lead, site_return, content, name))
    assert message in field_error(soup, "document")
    assert any(message in item for item in error_summary(soup))
    assert documents_of(db, site_return) == []
    assert stored(app) == []


def test_a_description_and_a_file_are_required(db: Session, lead: FlaskClient) -> None:
    site_return = make_return(db, "kent")
    soup = page(
        lead.post(
            f"/returns/{site_return.id}/documents/new",
            data={"description": " "},
            content_type="multipart/form-data",
        )
    )
    assert field_error(soup, "document") == "Select a document to upload"
    assert field_error(soup, "description") == "Enter a description of the document"
    assert documents_of(db, site_return) == []


def test_a_lead_deletes_a_document_after_confirming(app: Flask, db: Session, lead: FlaskClient) -> None:
    site_return = make_return(db, "kent")
    upload(lead, site_return, png_bytes(), "journey.png", "Our data-sharing journey map")
    [document] = documents_of(db, site_return)
    document_id = document.id
    confirm = page(lead.get(f"/returns/{site_return.id}/documents/{document_id}/delete"))
    assert "Delete journey.png" in text_of(confirm)
    assert len(stored(app)) == 1

    response = lead.post(f"/returns/{site_return.id}/documents/{document_id}/delete")
    assert response.status_code == 302
    assert "journey.png has been deleted" in text_of(page(lead.get(response.headers["Location"])))
    assert documents_of(db, site_return) == []
    assert stored(app) == []
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "document", AuditEvent.object_id == document_id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["document.created", "document.deleted"]


def test_a_submitted_return_shows_its_documents_read_only(
    db: Session, lead: FlaskClient, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    upload(lead, site_return, PDF, "agreement.pdf")
    [document] = documents_of(db, site_return)
    db.get(SiteReturn, site_return.id).status = ReturnStatus.SUBMITTED.value  # type: ignore[union-attr]
    db.commit()

    soup = page(lead.get(f"/returns/{site_return.id}/documents"))
    assert "agreement.pdf" in text_of(soup)
    assert "Upload a document" not in links(soup)
    assert "Delete agreement.pdf" not in links(soup)
    assert lead.get(f"/returns/{site_return.id}/documents/new").status_code == 403
    assert upload(lead, site_return, PDF, "another.pdf").status_code == 403
    assert lead.post(f"/returns/{site_return.id}/documents/{document.id}/delete").status_code == 403
    assert len(documents_of(db, site_return)) == 1

    evaluator_view = page(client_as(Role.EVALUATOR).get(f"/returns/{site_return.id}/documents"))
    assert "agreement.pdf" in text_of(evaluator_view)
    assert "History of agreement.pdf" in links(evaluator_view)


def test_with_s3_storage_a_document_uploaded_through_one_host_downloads_through_another(
    make_app: Callable[..., Flask], db: Session, s3_endpoint: str
) -> None:
    """Two web hosts on one database and one bucket, as behind a load balancer: nothing on either's disk."""
    bucket = new_bucket(s3_endpoint)
    storage = {"STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "eu-west-2"}
    first_host, second_host = make_app(**storage), make_app(**storage)
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    uploading, reading = first_host.test_client(), second_host.test_client()
    sign_in(uploading, lead.email)
    sign_in(reading, evaluator.email)

    assert upload(uploading, site_return, PDF, "agreement.pdf").status_code == 302  # type: ignore[attr-defined]
    [document] = documents_of(db, site_return)
    response = reading.get(f"/returns/{site_return.id}/documents/{document.id}/download")

    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Length"] == str(len(PDF))
    assert not (Path(first_host.instance_path) / "documents").exists()
    keys = s3_client(endpoint_url=s3_endpoint, region="eu-west-2").list_objects_v2(Bucket=bucket)["Contents"]
    assert [stored["Key"] for stored in keys] == [f"evidence-hub/documents/{document.stored_name}"]

    page(uploading.post(f"/returns/{site_return.id}/documents/{document.id}/delete"), status=302)
    assert "Contents" not in s3_client(endpoint_url=s3_endpoint, region="eu-west-2").list_objects_v2(
        Bucket=bucket
    )
