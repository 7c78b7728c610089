"""Running one job: claim it, run its kind's handler, record done or failed with the reason.

Whoever runs a job (the procrastinate worker, or the web process on SQLite) calls `run_job`. Claiming is
one conditional UPDATE, so of two runners that reach the same job only one runs it; a job already done is
never run again. A failure is recorded with its reason and raised, so the runner retries it with back-off
(procrastinate's RetryStrategy, or the in-process loop); handlers are idempotent, so a retry after a
failure half-way finishes the work without repeating what was done.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.orm import Session, sessionmaker

from evidence_hub.db import utc_now
from evidence_hub.models.jobs import BackgroundJob, JobStatus
from evidence_hub.services.jobs.queue import enqueued_in

log = logging.getLogger("evidence_hub.jobs")

# How many times a job is tried in all, and the waits between tries (seconds): base ** attempt.
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 2
# A job "running" for longer than this is taken to have died with its process and may be claimed again.
STALLED_AFTER_SECONDS = 30 * 60
REASON_CHARACTERS = 2000


@dataclass
class JobContext:
    """What a handler gets besides its session: the deployment's resources, and ways to say how far it is
    (in words, for administrators; as an outcome, for the page that follows the job), each written at
    once in a transaction of its own so it is seen while the handler's own transaction is still open."""

    job_id: int
    resources: dict[str, Any]
    report_progress: Callable[[str], None]
    report_outcome: Callable[[dict[str, Any]], None]


Handler = Callable[[Session, dict[str, Any], JobContext], None]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler of one kind of job (at import of the module that defines it)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


class JobFailed(RuntimeError):
    """The job's handler raised; the reason is recorded on the job."""


def claim(factory: sessionmaker[Session], job_id: int) -> bool:
    """Mark the job running if nobody else is running it and it is not done; True if this runner has it."""
    stalled_before = utc_now() - timedelta(seconds=STALLED_AFTER_SECONDS)
    with factory() as session, session.begin():
        claimed = session.execute(
            update(BackgroundJob)
            .where(
                BackgroundJob.id == job_id,
                or_(
                    BackgroundJob.status.in_([JobStatus.QUEUED.value, JobStatus.FAILED.value]),
                    (BackgroundJob.status == JobStatus.RUNNING.value)
                    & (BackgroundJob.started_at < stalled_before),
                ),
            )
            .values(
                status=JobStatus.RUNNING.value,
                attempts=BackgroundJob.attempts + 1,
                started_at=utc_now(),
                finished_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], claimed).rowcount == 1


def run_job(factory: sessionmaker[Session], job_id: int, resources: dict[str, Any]) -> list[int] | None:
    """Run the job if this runner can claim it; None when it was not there to run (done, or another
    runner's), else the jobs it queued in turn (an in-process runner runs those next). Raises JobFailed
    after recording the reason, for the runner to retry."""
    if not claim(factory, job_id):
        log.info("Job %s is done or running elsewhere: not run again", job_id)
        return None

    def report_progress(words: str) -> None:
        _set(factory, job_id, progress=words[:200])

    def report_outcome(outcome: dict[str, Any]) -> None:
        _set(factory, job_id, outcome=outcome)

    try:
        with factory() as session:
            job = session.get_one(BackgroundJob, job_id)
            handler = HANDLERS[job.kind]
            handler(
                session, dict(job.arguments), JobContext(job_id, resources, report_progress, report_outcome)
            )
            session.commit()
            queued_next = enqueued_in(session)
    except Exception as error:
        reason = "".join(traceback.format_exception_only(error)).strip()[:REASON_CHARACTERS]
        log.exception("Job %s failed", job_id)
        _set(factory, job_id, status=JobStatus.FAILED.value, last_error=reason, finished_at=utc_now())
        raise JobFailed(reason) from error
    _set(factory, job_id, status=JobStatus.DONE.value, finished_at=utc_now())
    return queued_next


def _set(factory: sessionmaker[Session], job_id: int, **values: Any) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
