"""In a real browser: an evaluator watching a new release sees its files being built and then ready without
reloading (the page's static script looks again); an administrator finds the job on Jobs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub import job_running
from evidence_hub.models import BackgroundJob, Role, User
from evidence_hub.services.releases import prebuild
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser
from tests.release_helpers import published_release


def test_an_evaluator_sees_the_files_become_ready_and_an_administrator_sees_the_job(
    app: Flask,
    db: Session,
    tmp_path: Path,
    live_server: str,
    new_page: Callable[[], Any],
    browser_user: Callable[..., User],
) -> None:
    release = published_release(db, tmp_path)
    total = len(prebuild.file_keys(release))  # the summary twice, the data pack twice, one CSV a table
    page = new_page()
    sign_in_through_the_browser(page, browser_user(Role.EVALUATOR).email)
    page.goto(f"{live_server}/releases/{release.reference}")
    expect(page.get_by_text(f"Files being built: 0 of {total} ready.")).to_be_visible()
    assert_accessible(page)

    job = db.scalars(select(BackgroundJob).where(BackgroundJob.key == prebuild.job_key(release.id))).one()
    job_running.run_with_app(app, job.id)

    expect(page.get_by_text(f"All {total} files are ready to download.")).to_be_visible(timeout=20_000)

    admin = new_page()
    sign_in_through_the_browser(admin, browser_user(Role.ADMINISTRATOR).email)
    admin.get_by_role("link", name="Jobs").first.click()
    expect(admin.locator("h1")).to_have_text("Background jobs")
    expect(admin.get_by_role("cell", name=f"Files of release {release.reference}")).to_be_visible()
    expect(admin.get_by_text(f"{total} of {total} files built")).to_be_visible()
    assert_accessible(admin)
