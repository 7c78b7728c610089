"""A backup taken while the service runs, restored into a new empty database and document store, gives back
the same service: people sign in with their passwords, evidence and its history are there, documents
download. A damaged or incomplete backup, or a target already in use, is refused before anything changes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from evidence_hub import create_app
from evidence_hub.cli import main
from evidence_hub.db import make_engine, transaction
from evidence_hub.models import AuditEvent, Role, SupportingDocument
from evidence_hub.services.common.object_store import FolderStore
from evidence_hub.services.returns import documents
from evidence_hub.services.returns.document_store import DocumentStore
from tests.conftest import TEST_CONFIG, create_postgres_database, postgres_base_url, sign_in, worker_name
from tests.factories import make_return, make_user
from tests.returns_helpers import pdf_bytes


def run(arguments: list[str], database_url: str, documents_folder: Path) -> Result:
    environment = {
        "EVIDENCE_HUB_DATABASE_URL": database_url,
        "EVIDENCE_HUB_DOCUMENTS_FOLDER": str(documents_folder),
        "EVIDENCE_HUB_SECRET_KEY": str(TEST_CONFIG["SECRET_KEY"]),
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }
    return CliRunner().invoke(main, arguments, env=environment)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new database with no tables, as a restore needs."""
    if postgres_base_url():
        url = create_postgres_database(f"restore_{worker_name()}")
        yield url
        make_engine(url).dispose()
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


@pytest.fixture
def service_in_use(db: Session, tmp_path: Path) -> tuple[int, str, int]:
    """A return with a document, an evaluator, and the audit trail they made: (document id, evaluator's
    email, number of audit records)."""
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    with transaction(db):
        document = documents.upload_document(
            db,
            lead,
            site_return,
            filename="agreement.pdf",
            stream=io.BytesIO(pdf_bytes()),
            description="Data-sharing agreement",
            store=DocumentStore(FolderStore(tmp_path / "documents")),
        )
    audit_records = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return document.id, evaluator.email, audit_records


def test_a_backup_restored_into_a_new_database_and_store_gives_back_the_service(
    database_url: str, empty_database: str, service_in_use: tuple[int, str, int], tmp_path: Path
) -> None:
    document_id, evaluator_email, audit_records = service_in_use
    backup_folder = tmp_path / "backup"

    taken = run(["backup", str(backup_folder)], database_url, tmp_path / "documents")
    assert taken.exit_code == 0, taken.output
    assert "and 1 documents into" in taken.output

    restored = run(["restore", str(backup_folder)], empty_database, tmp_path / "restored-documents")
    assert restored.exit_code == 0, restored.output

    app = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": empty_database,
            "DOCUMENTS_FOLDER": str(tmp_path / "restored-documents"),
        }
    )
    engine = make_engine(empty_database)
    with Session(engine) as session:
        document = session.get(SupportingDocument, document_id)
        assert document is not None
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_records
        return_id = document.site_return_id
    engine.dispose()
    client = app.test_client()
    sign_in(client, evaluator_email)
    download = client.get(f"/returns/{return_id}/documents/{document_id}/download")
    assert download.status_code == 200
    assert download.data == pdf_bytes()


def test_a_damaged_backup_is_refused_and_nothing_is_restored(
    database_url: str, empty_database: str, service_in_use: tuple[int, str, int], tmp_path: Path
) -> None:
    backup_folder = tmp_path / "backup"
    assert run(["backup", str(backup_folder)], database_url, tmp_path / "documents").exit_code == 0
    [stored] = (backup_folder / "objects" / "documents").iterdir()
    stored.write_bytes(b"%PDF-1.4 something else")

    refused = run(["restore", str(backup_folder)], empty_database, tmp_path / "restored-documents")

    assert refused.exit_code == 1
    assert (
        f"The backup is damaged: objects/documents/{stored.name} does not match its checksum."
        in refused.output
    )
    assert not (tmp_path / "restored-documents").exists()
    engine = make_engine(empty_database)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_a_backup_is_never_restored_over_a_database_in_use(
    database_url: str, service_in_use: tuple[int, str, int], tmp_path: Path
) -> None:
    backup_folder = tmp_path / "backup"
    assert run(["backup", str(backup_folder)], database_url, tmp_path / "documents").exit_code == 0

    refused = run(["restore", str(backup_folder)], database_url, tmp_path / "documents")

    assert refused.exit_code == 1
    assert "The target database is not empty: restore into a new, empty database." in refused.output
    assert run(["backup", str(backup_folder)], database_url, tmp_path / "documents").exit_code == 1
