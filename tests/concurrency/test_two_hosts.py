"""Two web hosts and a worker on one PostgreSQL database and one shared store, as in production behind a
load balancer: a session signed in on one host is valid on the other, a document uploaded through one
downloads through the other, and a release published through one is built once by the worker and
downloads from both; the job runs once.

Each host is a real gunicorn process started here on a port of its own, and the worker is the real
`evidence-hub worker`: nothing is shared but the database, the folder and the secret key.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from evidence_hub.models import BackgroundJob, JobStatus, Release, ReleaseFile, Role
from evidence_hub.services.releases import prebuild
from tests.concurrency.conftest import REQUEST_TIMEOUT_SECONDS
from tests.conftest import postgres_base_url
from tests.factories import DEFAULT_PASSWORD, make_return, make_user
from tests.release_helpers import demo_world
from tests.returns_helpers import pdf_bytes

pytestmark = pytest.mark.skipif(
    not postgres_base_url(),
    reason="several hosts share one PostgreSQL database (and its job queue); SQLite is one machine's file",
)

PROJECT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90
BUILD_SECONDS = 300
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def deployment(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The settings every host and the worker share, as the environment would give them."""
    shared = tmp_path / "shared"
    return {
        **os.environ,
        "EVIDENCE_HUB_DATABASE_URL": database_url,
        "EVIDENCE_HUB_SECRET_KEY": "two-hosts-share-this-secret-key-" + "x" * 32,
        "EVIDENCE_HUB_DOCUMENTS_FOLDER": str(shared / "documents"),
        "EVIDENCE_HUB_RELEASE_FILES_FOLDER": str(shared / "release-files"),
        "EVIDENCE_HUB_JOBS_RUN_BY": "worker",
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def processes(deployment: dict[str, str], tmp_path: Path, db: Session) -> Iterator[list[str]]:
    """Two gunicorn hosts and one worker; the hosts' base addresses. Stopped when the test ends."""
    # Jobs other tests left in the queue (their rows are gone) are not this deployment's.
    db.execute(text("DELETE FROM procrastinate_events; DELETE FROM procrastinate_jobs"))
    db.commit()
    started: list[subprocess.Popen[bytes]] = []
    bases = []
    for host in ("a", "b"):
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "wsgi:app",
        ]
        started.append(_start(command, deployment, tmp_path / f"host-{host}.log"))
        bases.append(f"http://127.0.0.1:{port}")
    # `evidence-hub worker`, through the interpreter running the tests (wherever its scripts were installed).
    worker = [sys.executable, "-c", "from evidence_hub.cli import main; main()", "worker"]
    started.append(_start(worker, deployment, tmp_path / "worker.log"))
    try:
        for base in bases:
            _wait_until_serving(base, started)
        yield bases
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603  (our own commands, from this virtual environment)
            command, cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def _wait_until_serving(base: str, started: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert all(process.poll() is None for process in started), "a host or the worker stopped"
        try:
            if requests.get(f"{base}/sign-in", timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{base} did not start serving")


def token(browser: requests.Session, address: str) -> str:
    page = browser.get(address, timeout=REQUEST_TIMEOUT_SECONDS)
    assert page.status_code == 200, address
    found = CSRF.search(page.text)
    assert found, f"no form token on {address}"
    return found.group(1)


def signed_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    response = browser.post(
        f"{base}/sign-in",
        data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token(browser, f"{base}/sign-in")},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert response.status_code == 302, f"could not sign in as {email}"
    return browser


def wait_for_the_files(db: Session, release: Release) -> BackgroundJob:
    deadline = time.monotonic() + BUILD_SECONDS
    while time.monotonic() < deadline:
        db.rollback()
        job = db.scalar(select(BackgroundJob).where(BackgroundJob.key == prebuild.job_key(release.id)))
        if job is not None and job.status_enum in (JobStatus.DONE, JobStatus.FAILED):
            return job
        time.sleep(1)
    raise AssertionError("the worker did not build the release's files in time")


def wait_for_the_publication(browser: requests.Session, progress_address: str) -> str:
    """Follow the progress page until it names the published release; its reference."""
    deadline = time.monotonic() + BUILD_SECONDS
    while time.monotonic() < deadline:
        shown = browser.get(progress_address, timeout=REQUEST_TIMEOUT_SECONDS).text
        published = re.search(r"Release ([A-Z0-9]+-\d{4}-\d+) is published", shown)
        if published:
            return published.group(1)
        assert "was not published" not in shown, shown[:2000]
        time.sleep(1)
    raise AssertionError("the worker did not publish the release in time")


def test_two_hosts_and_a_worker_share_sessions_documents_and_release_files(
    db: Session, tmp_path: Path, processes: list[str]
) -> None:
    host_a, host_b = processes
    demo_world(db, tmp_path)
    evaluator = make_user(db, Role.EVALUATOR)
    lead = make_user(db, Role.SITE_LEAD, site="twohosts")
    site_return = make_return(db, "twohosts")

    # A session signed in on one host is valid on the other.
    browser = signed_in(host_a, evaluator.email)
    on_b = browser.get(f"{host_b}/releases/", allow_redirects=False, timeout=REQUEST_TIMEOUT_SECONDS)
    assert on_b.status_code == 200 and "Releases" in on_b.text

    # A document uploaded through one host downloads through the other.
    lead_browser = signed_in(host_a, lead.email)
    new_document = f"{host_a}/returns/{site_return.id}/documents/new"
    document = pdf_bytes()
    uploaded = lead_browser.post(
        new_document,
        data={"description": "Data-sharing agreement", "csrf_token": token(lead_browser, new_document)},
        files={"document": ("agreement.pdf", document, "application/pdf")},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert uploaded.status_code == 302
    listed = lead_browser.get(f"{host_b}/returns/{site_return.id}/documents", timeout=REQUEST_TIMEOUT_SECONDS)
    [download_path] = set(re.findall(r'href="(/returns/\d+/documents/\d+/download)"', listed.text))
    assert lead_browser.get(f"{host_b}{download_path}", timeout=REQUEST_TIMEOUT_SECONDS).content == document

    # A release published through one host is built once by the worker and downloads from both.
    publish_page = browser.get(f"{host_a}/releases/new", timeout=REQUEST_TIMEOUT_SECONDS).text
    periods = re.findall(
        r'<option value="([^"]+)"', publish_page.split('id="period_from"', 1)[1].split("</select>")[0]
    )
    sites = re.findall(r'name="sites"[^>]*value="([^"]+)"', publish_page)
    published = browser.post(
        f"{host_a}/releases/new",
        data={
            "title": "Pilots to date",
            "version": "all",
            "period_from": periods[0],
            "period_to": periods[-1],
            "sites": sites,
            "threshold": "10",
            "rounding": "none",
            "csrf_token": CSRF.search(publish_page).group(1),  # type: ignore[union-attr]
        },
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert published.status_code == 302, published.text[:500]
    # The worker publishes it; its progress page, followed on the other host, names the release.
    progress_path = urlsplit(published.headers["Location"]).path
    reference = wait_for_the_publication(browser, f"{host_b}{progress_path}")
    db.rollback()
    release = db.scalars(select(Release).where(Release.reference == reference)).one()
    publication = db.get_one(BackgroundJob, int(progress_path.rsplit("/", 1)[-1]))
    assert (publication.status_enum, publication.attempts) == (JobStatus.DONE, 1), publication.last_error

    job = wait_for_the_files(db, release)

    assert (job.status_enum, job.attempts) == (JobStatus.DONE, 1), job.last_error
    recorded = {
        file.kind: file
        for file in db.scalars(select(ReleaseFile).where(ReleaseFile.release_id == release.id))
    }
    assert sorted(recorded) == sorted(key.kind for key in prebuild.file_keys(release))
    for kind, file in recorded.items():
        address = f"/releases/{reference}/" + (
            f"tables/{kind.removeprefix('table-')}" if kind.startswith("table-") else kind
        )
        from_a = browser.get(f"{host_a}{address}", timeout=REQUEST_TIMEOUT_SECONDS)
        from_b = browser.get(f"{host_b}{address}", timeout=REQUEST_TIMEOUT_SECONDS)
        assert from_a.status_code == from_b.status_code == 200, kind
        assert hashlib.sha256(from_a.content).hexdigest() == file.sha256, f"{kind} from host A was rebuilt"
        assert from_b.content == from_a.content, kind
    # The job ran once: one queue entry, finished, one attempt; no file was built again by a download.
    queue_entries = (
        db.execute(text("SELECT status FROM procrastinate_jobs WHERE lock = :key"), {"key": job.key})
        .scalars()
        .all()
    )
    assert [str(status) for status in queue_entries] == ["succeeded"]
    db.rollback()
    assert db.scalar(select(BackgroundJob.attempts).where(BackgroundJob.id == job.id)) == 1
    assert {
        file.kind: file.built_at
        for file in db.scalars(select(ReleaseFile).where(ReleaseFile.release_id == release.id))
    } == {kind: file.built_at for kind, file in recorded.items()}
