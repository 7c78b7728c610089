"""Publishing through the pages: the release page shows its files being built and then ready, and
administrators see every job's state, with the reason of a failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import BackgroundJob, JobStatus, Release, Role
from evidence_hub.services.releases import prebuild
from tests.pages import page
from tests.release_helpers import demo_world, publish_through_the_form, run_publication


def test_files_published_with_an_in_process_runner_are_ready_when_the_evaluator_looks(
    app: Flask, client_as: Callable[..., FlaskClient], db: Session, tmp_path: Path
) -> None:
    app.config["JOBS_RUN_BY"] = "now"
    demo_world(db, tmp_path)
    evaluator = client_as(Role.EVALUATOR)

    progress = page(evaluator.get(publish_through_the_form(evaluator)))
    release_address = progress.select_one("[data-publication-progress]")["data-release-url"]
    assert progress.select_one("[data-publication-progress]")["data-finished"] == "true"
    release_page = page(evaluator.get(release_address))

    db.rollback()  # a fresh snapshot: the jobs committed on their own sessions
    total = len(prebuild.file_keys(db.scalars(select(Release)).one()))
    assert f"All {total} files are ready to download." in release_page.get_text()
    assert release_page.select("[data-release-files-building]") == []
    jobs = page(client_as(Role.ADMINISTRATOR).get("/admin/background-jobs"))
    # The release's emails to national officials are jobs too; the files' job is among them.
    [row] = [row for row in jobs.select("tbody tr") if "Files of release" in row.get_text()]
    assert "done" in row.get_text()
    assert f"{total} of {total} files built" in row.get_text()


def test_while_files_are_queued_the_release_page_says_how_many_are_ready_and_looks_again(
    app: Flask, client_as: Callable[..., FlaskClient], db: Session, tmp_path: Path
) -> None:
    app.config["JOBS_RUN_BY"] = "worker" if db.get_bind().dialect.name == "postgresql" else "off"
    demo_world(db, tmp_path)
    evaluator = client_as(Role.EVALUATOR)

    progress_address = publish_through_the_form(evaluator)
    run_publication(app, progress_address)
    progress = page(evaluator.get(progress_address))
    release_address = progress.select_one("[data-publication-progress]")["data-release-url"]
    release_page = page(evaluator.get(release_address))

    db.rollback()  # a fresh snapshot: the jobs committed on their own sessions
    total = len(prebuild.file_keys(db.scalars(select(Release)).one()))
    assert f"Files being built: 0 of {total} ready." in release_page.get_text()
    marker = release_page.select_one("[data-release-files-building]")
    assert marker is not None and marker["data-refresh-seconds"] == "5"
    assert release_page.select_one("script[src*='release-files.js']") is not None
    official_view = page(client_as(Role.NATIONAL_OFFICIAL).get(release_address))
    assert "Files being built" not in official_view.get_text(), "only those who publish see the building"
    queued = page(client_as(Role.ADMINISTRATOR).get("/admin/background-jobs?status=queued"))
    assert "Files of release" in queued.select_one("tbody").get_text()


def test_administrators_see_why_a_job_failed(client_as: Callable[..., FlaskClient], db: Session) -> None:
    db.add(
        BackgroundJob(
            kind="release_files",
            key="release_files:999",
            subject="Files of release TEST-1",
            arguments={"release_id": 999},
            status=JobStatus.FAILED.value,
            attempts=3,
            last_error="OSError: No space left on device",
        )
    )
    db.commit()
    admin = client_as(Role.ADMINISTRATOR)

    failed = page(admin.get("/admin/background-jobs?status=failed")).get_text()

    assert "Files of release TEST-1" in failed
    assert "Last failure: OSError: No space left on device" in failed
    assert "Failed: 1" in page(admin.get("/admin/background-jobs")).get_text()
