"""Who runs background jobs in this process, as JOBS_RUN_BY says.

- "worker": `evidence-hub worker` (procrastinate on PostgreSQL) runs them; the web process only queues.
- "thread": the web process runs what a request queued in a thread of its own once the request's work is
  committed, retrying with back-off: the embedded SQLite default, so `evidence-hub demo` and
  `evidence-hub serve` still do everything with no second process.
- "now": the same, before the response is sent (tests see the result at once).
- "off": nothing runs them (files are then built by the first download, as before).

Whoever runs a job calls services/jobs/running.run_job, which claims it first, so a job run in-process
and also picked up by a worker still runs once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Response

from evidence_hub.services.jobs import queue, running
from evidence_hub.services.notifications import sending  # noqa: F401  (registers the email job's handler)
from evidence_hub.services.notifications.backends import backend_from_settings
from evidence_hub.storage import release_file_store
from evidence_hub.web import SESSION_FACTORY_KEY

log = logging.getLogger("evidence_hub.jobs")

THREADS_KEY = "evidence_hub.job_threads"


def job_resources() -> dict[str, Any]:
    """What handlers need of the deployment (read in the app's context)."""
    return {
        "release_files": release_file_store(),
        "email_backend": backend_from_settings(current_app.config),
    }


def run_with_app(app: Flask, job_id: int) -> list[int] | None:
    """Run one job once in `app`'s context (the worker's task, and each in-process attempt): None when it
    was not there to run, else the jobs it queued in turn (the worker's queue has those already)."""
    with app.app_context():
        factory = cast(sessionmaker[Session], app.extensions[SESSION_FACTORY_KEY])
        return running.run_job(factory, job_id, job_resources())


def run_with_retries(app: Flask, job_ids: list[int]) -> None:
    """Run each job, and then the jobs it queued (a publication queues its files), trying a failed one
    again after 2, 4, 8... seconds, up to running.MAX_ATTEMPTS."""
    waiting = list(job_ids)
    while waiting:
        job_id = waiting.pop(0)
        for attempt in range(1, running.MAX_ATTEMPTS + 1):
            try:
                waiting.extend(run_with_app(app, job_id) or [])
                break
            except running.JobFailed:
                if attempt == running.MAX_ATTEMPTS:
                    log.error("Job %s failed %s times: left failed", job_id, attempt)
                    break
                time.sleep(running.BACKOFF_BASE_SECONDS**attempt)


def _run_what_the_request_queued(response: Response) -> Response:
    session = g.get("db_session")
    job_ids = queue.enqueued_in(session) if session is not None else []
    run_by = current_app.config["JOBS_RUN_BY"]
    if not job_ids or run_by in ("worker", "off"):
        return response
    app = cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
    if run_by == "now":
        run_with_retries(app, job_ids)
        return response
    _run_in_a_thread(app, job_ids)
    return response


def take_on_unfinished_jobs(app: Flask) -> None:
    """When a web process that runs jobs itself starts: run what an earlier process queued and did not
    finish (the demo's releases, a job cut short by a restart), in a thread, as after a request."""
    if app.config["JOBS_RUN_BY"] not in ("thread", "now"):
        return
    with app.app_context():
        factory = cast(sessionmaker[Session], app.extensions[SESSION_FACTORY_KEY])
        with factory() as session:
            job_ids = queue.unfinished(session)
    if job_ids:
        _run_in_a_thread(app, job_ids)


def _run_in_a_thread(app: Flask, job_ids: list[int]) -> None:
    thread = threading.Thread(
        target=run_with_retries, args=(app, job_ids), name="background-jobs", daemon=True
    )
    app.extensions.setdefault(THREADS_KEY, []).append(thread)
    thread.start()


def wait_for_in_process_jobs(app: Flask, timeout: float = 120) -> None:
    """Wait until the jobs this app runs in threads have finished (for tests and `demo`)."""
    for thread in app.extensions.pop(THREADS_KEY, []):
        thread.join(timeout)


def install(app: Flask) -> None:
    app.after_request(_run_what_the_request_queued)
