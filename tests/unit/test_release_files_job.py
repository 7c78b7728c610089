"""Publishing queues one background job that builds every file of the release once, with its checksum;
downloads then stream those files and never render them; the job runs once however often it is asked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from evidence_hub import job_running
from evidence_hub.downloads import views
from evidence_hub.models import BackgroundJob, JobStatus, Release, ReleaseFile, Role
from evidence_hub.services.jobs import running
from evidence_hub.services.releases import prebuild, reading
from evidence_hub.services.releases.release_files import ReleaseFileKey
from evidence_hub.storage import release_file_store
from tests.release_helpers import published_release

DOWNLOADS = ("summary.pdf", "summary.docx", "data-pack.xlsx", "data-pack.zip")


def table_files(release: Release) -> list[str]:
    """One CSV a table, built at publication beside the packs."""
    return [f"table-{table.code}.csv" for table in reading.table_definitions(release)]


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return published_release(db, tmp_path)


def recorded_files(db: Session) -> list[ReleaseFile]:
    db.rollback()  # A fresh snapshot: the job commits on sessions of its own.
    return list(db.scalars(select(ReleaseFile)))


def job_of(db: Session, release: Release) -> BackgroundJob:
    db.rollback()
    db.expire_all()
    return db.scalars(select(BackgroundJob).where(BackgroundJob.key == prebuild.job_key(release.id))).one()


def test_publishing_queues_one_job_for_the_releases_files_in_the_same_transaction(
    db: Session, release: Release
) -> None:
    job = job_of(db, release)

    assert job.status_enum is JobStatus.QUEUED
    assert job.subject == f"Files of release {release.reference}"
    if db.get_bind().dialect.name == "postgresql":
        queued = db.execute(
            text("SELECT status, args FROM procrastinate_jobs WHERE lock = :key"), {"key": job.key}
        ).all()
        assert [(str(status), args) for status, args in queued] == [("todo", {"job_id": job.id})]


def test_the_job_builds_every_file_once_and_records_its_checksum(
    app: Flask, db: Session, release: Release
) -> None:
    job = job_of(db, release)

    assert job_running.run_with_app(app, job.id) == []

    job = job_of(db, release)
    every_file = [*DOWNLOADS, *table_files(release)]
    total = len(every_file)
    assert (job.status_enum, job.attempts, job.progress) == (
        JobStatus.DONE,
        1,
        f"{total} of {total} files built",
    )
    recorded = {file.kind: file for file in recorded_files(db)}
    assert sorted(recorded) == sorted(every_file)
    with app.app_context():
        store = release_file_store()
    for key in prebuild.file_keys(release):
        stored = store.open(key)
        assert stored is not None
        with stored:
            content = stored.read()
        assert hashlib.sha256(content).hexdigest() == recorded[key.kind].sha256
        assert len(content) == recorded[key.kind].size_bytes


def test_downloads_stream_the_built_files_and_never_render_them(
    app: Flask,
    db: Session,
    release: Release,
    client_as: Callable[..., FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_running.run_with_app(app, job_of(db, release).id)
    recorded = {file.kind: file.sha256 for file in recorded_files(db)}

    def must_not_render(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a download rendered a file that was built at publication")

    from evidence_hub.downloads import views
    from evidence_hub.services.releases.render import docx, pdf

    monkeypatch.setattr(pdf, "summary_pdf", must_not_render)
    monkeypatch.setattr(docx, "summary_docx", must_not_render)
    for file_format, (mimetype, _write) in list(views.PACK_FORMATS.items()):
        monkeypatch.setitem(views.PACK_FORMATS, file_format, (mimetype, must_not_render))
    official = client_as(Role.NATIONAL_OFFICIAL)

    monkeypatch.setattr(prebuild, "table_csv_writer", must_not_render)
    for kind in DOWNLOADS:
        response = official.get(f"/releases/{release.reference}/{kind}")
        assert response.status_code == 200, kind
        assert hashlib.sha256(response.data).hexdigest() == recorded[kind], kind
    for kind in table_files(release):
        table_code = kind.removeprefix("table-")
        response = official.get(f"/releases/{release.reference}/tables/{table_code}")
        assert response.status_code == 200, kind
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
        assert hashlib.sha256(response.data).hexdigest() == recorded[kind], kind


def test_a_job_that_is_done_is_not_run_again(app: Flask, db: Session, release: Release) -> None:
    job_id = job_of(db, release).id
    job_running.run_with_app(app, job_id)
    built = {file.file_name: file.built_at for file in recorded_files(db)}

    assert job_running.run_with_app(app, job_id) is None
    prebuild.schedule_release_files(db, release)  # Asking again finds the same job.
    db.commit()

    assert job_of(db, release).attempts == 1
    assert {file.file_name: file.built_at for file in recorded_files(db)} == built
    # (The release's emails to national officials have jobs of their own.)
    assert db.scalars(select(BackgroundJob).where(BackgroundJob.kind == prebuild.KIND)).all() == [
        job_of(db, release)
    ]


def test_a_failure_is_recorded_with_its_reason_and_a_retry_finishes_without_repeating_work(
    app: Flask, db: Session, release: Release, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = job_of(db, release).id
    real_writer = prebuild._writer
    built: list[str] = []

    def failing_once_for_the_zip(session: Session, release: Release, key: Any) -> Any:
        if key.kind == "data-pack.zip" and "data-pack.zip" not in built:
            built.append(key.kind)
            raise OSError("No space left on device")
        built.append(key.kind)
        return real_writer(session, release, key)

    monkeypatch.setattr(prebuild, "_writer", failing_once_for_the_zip)
    monkeypatch.setattr(running, "BACKOFF_BASE_SECONDS", 0)

    with pytest.raises(running.JobFailed):
        job_running.run_with_app(app, job_id)
    failed = job_of(db, release)
    assert failed.status_enum is JobStatus.FAILED
    assert "No space left on device" in failed.last_error
    assert failed.progress == f"3 of {len(DOWNLOADS) + len(table_files(release))} files built"

    job_running.run_with_retries(app, [job_id])

    finished = job_of(db, release)
    assert (finished.status_enum, finished.attempts) == (JobStatus.DONE, 2)
    assert built == [*DOWNLOADS, "data-pack.zip", *table_files(release)], (
        "the retry built only the files that were missing"
    )


def test_with_s3_storage_the_files_go_to_the_bucket_and_download_from_another_host(
    make_app: Callable[..., Flask], db: Session, tmp_path: Path, s3_endpoint: str
) -> None:
    from evidence_hub.services.common.object_store import s3_client
    from tests.conftest import sign_in
    from tests.factories import make_user
    from tests.object_stores import new_bucket

    bucket = new_bucket(s3_endpoint)
    storage = {"STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "eu-west-2"}
    worker_host, web_host = make_app(**storage), make_app(**storage)
    release = published_release(db, tmp_path)

    job_running.run_with_app(worker_host, job_of(db, release).id)

    keys = s3_client(endpoint_url=s3_endpoint, region="eu-west-2").list_objects_v2(Bucket=bucket)["Contents"]
    recorded = {file.kind: file for file in recorded_files(db)}
    # Every file recorded, and the charts the job drew first for the release page (not a download).
    assert sorted(stored["Key"] for stored in keys) == sorted(
        f"evidence-hub/release-files/{name}"
        for name in [*(file.file_name for file in recorded.values()), prebuild.charts_key(release).file_name]
    )
    official = web_host.test_client()
    sign_in(official, make_user(db, Role.NATIONAL_OFFICIAL).email)
    response = official.get(f"/releases/{release.reference}/data-pack.xlsx")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == recorded["data-pack.xlsx"].sha256
    assert not (Path(web_host.instance_path) / "release-files").exists()


def test_a_web_process_that_runs_jobs_itself_takes_on_what_was_left_queued_when_it_starts(
    app: Flask, db: Session, release: Release
) -> None:
    """As `evidence-hub demo` publishes its releases before serving: serving builds their files."""
    app.config["JOBS_RUN_BY"] = "thread"

    job_running.take_on_unfinished_jobs(app)
    job_running.wait_for_in_process_jobs(app)

    assert job_of(db, release).status_enum is JobStatus.DONE
    assert len(recorded_files(db)) == len(prebuild.file_keys(release))


@pytest.fixture
def large_release(release: Release, monkeypatch: pytest.MonkeyPatch) -> Release:
    """The demo release treated as one of every local authority, whose files only its job may build."""
    monkeypatch.setattr(prebuild, "SITES_BUILT_IN_A_REQUEST", len(release.site_codes) - 1)
    return release


def test_a_large_releases_file_not_built_yet_is_never_rendered_in_the_request(
    app: Flask,
    db: Session,
    large_release: Release,
    client_as: Callable[..., FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 350 sites the PDF takes minutes: a download asked for before the job built it says so at once
    (and when to try again) instead of holding a worker past its timeout; once built, it downloads."""

    def must_not_render(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a large release's file was rendered in a request")

    from evidence_hub.services.releases.render import pdf

    real_pdf, real_csv = pdf.summary_pdf, prebuild.table_csv_writer
    monkeypatch.setattr(pdf, "summary_pdf", must_not_render)
    monkeypatch.setattr(prebuild, "table_csv_writer", must_not_render)
    official = client_as(Role.NATIONAL_OFFICIAL)

    for address in ("summary.pdf", "data-pack.xlsx", "tables/costs.csv"):
        response = official.get(f"/releases/{large_release.reference}/{address}")
        assert response.status_code == 503, address
        assert response.headers["Retry-After"] == "60"
        text = response.get_data(as_text=True)
        assert "This file is being prepared" in text
        assert f"0 of {len(DOWNLOADS) + len(table_files(large_release))} files are ready" in text
        assert f'href="/releases/{large_release.reference}"' in text
    assert recorded_files(db) == []
    assert job_of(db, large_release).status_enum is JobStatus.QUEUED, "asking queued nothing twice"

    monkeypatch.setattr(pdf, "summary_pdf", real_pdf)
    monkeypatch.setattr(prebuild, "table_csv_writer", real_csv)
    job_running.run_with_app(app, job_of(db, large_release).id)
    monkeypatch.setattr(pdf, "summary_pdf", must_not_render)
    response = official.get(f"/releases/{large_release.reference}/summary.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_a_large_releases_file_gone_from_the_store_is_built_again_by_its_job(
    app: Flask,
    db: Session,
    large_release: Release,
    client_as: Callable[..., FlaskClient],
    tmp_path: Path,
) -> None:
    app.config["RELEASE_FILES_FOLDER"] = str(tmp_path / "release-files")
    job_running.run_with_app(app, job_of(db, large_release).id)
    assert job_of(db, large_release).status_enum is JobStatus.DONE
    pdf = ReleaseFileKey(large_release.id, large_release.fingerprint, "summary.pdf").file_name
    (tmp_path / "release-files" / pdf).unlink()  # The store let it go (it keeps at most RELEASE_FILES_MB).

    response = client_as(Role.NATIONAL_OFFICIAL).get(f"/releases/{large_release.reference}/summary.pdf")

    assert response.status_code == 503
    again = job_of(db, large_release)
    assert (again.status_enum, again.attempts) == (JobStatus.QUEUED, 0)
    job_running.run_with_app(app, again.id)
    response = client_as(Role.NATIONAL_OFFICIAL).get(f"/releases/{large_release.reference}/summary.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_the_evaluator_is_told_a_large_releases_files_download_once_built(
    large_release: Release, client_as: Callable[..., FlaskClient]
) -> None:
    page = client_as(Role.EVALUATOR).get(f"/releases/{large_release.reference}").get_data(as_text=True)
    assert "Files being built: 0 of" in page
    assert "Each file can be downloaded once it is built." in page
    assert "prepared when asked for" not in page


def test_a_large_releases_charts_gone_from_the_store_are_drawn_again_by_its_job(
    app: Flask,
    db: Session,
    large_release: Release,
    client_as: Callable[..., FlaskClient],
    tmp_path: Path,
) -> None:
    app.config["RELEASE_FILES_FOLDER"] = str(tmp_path / "release-files")
    job_running.run_with_app(app, job_of(db, large_release).id)
    charts = tmp_path / "release-files" / prebuild.charts_key(large_release).file_name
    charts.unlink()  # The store let them go.
    # Forget what this process drew or worked out earlier (the app is shared by the tests).
    for kept in (views.RECENT_PAGES_KEY, views.RECENT_CHARTS_KEY):
        app.extensions.pop(kept, None)

    page = client_as(Role.NATIONAL_OFFICIAL).get(f"/releases/{large_release.reference}")

    assert page.status_code == 200
    again = job_of(db, large_release)
    assert again.status_enum is JobStatus.QUEUED
    job_running.run_with_app(app, again.id)
    assert charts.exists()
