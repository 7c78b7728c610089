"""Enqueueing a job, in the caller's transaction.

The job's row (`BackgroundJob`) is added to the caller's session, so it exists exactly when the event that
asked for it is committed. On PostgreSQL the queue library's job is deferred in the same transaction too,
by calling procrastinate's own SQL function (`procrastinate_defer_jobs_v1`, the one its `defer` calls) on
the caller's connection: a rolled-back publication leaves no job, and a committed one always has its job.
On SQLite there is no queue library: the web process runs what the request enqueued once it has answered
(evidence_hub/job_running.py), found through `session.info`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from evidence_hub.models.jobs import BackgroundJob

# procrastinate's queue and task name, which the worker (evidence_hub/cli/worker.py) listens on and runs.
QUEUE_NAME = "evidence_hub"
TASK_NAME = "evidence_hub.run_background_job"
ENQUEUED_KEY = "evidence_hub.jobs_enqueued"

DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    ":queue, :task, 0, :lock, :queueing_lock, CAST(:args AS jsonb), NULL"
    ")::procrastinate_job_to_defer_v1]))"
)

# procrastinate refuses a second waiting entry with the same queueing lock (its own rule, not an error here).
WAITING = text("SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = :key AND status = 'todo'")


def enqueue(
    session: Session, *, kind: str, key: str, subject: str, arguments: dict[str, Any]
) -> BackgroundJob:
    """Queue the job `key` unless it is already queued, running or done (asking twice does it once).
    Flushes; the caller commits."""
    existing = session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))
    if existing is not None:
        return existing
    job = BackgroundJob(kind=kind, key=key, subject=subject, arguments=arguments)
    session.add(job)
    session.flush()
    _defer(session, job)
    return job


def _defer(session: Session, job: BackgroundJob) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            DEFER,
            {
                "queue": QUEUE_NAME,
                "task": TASK_NAME,
                # Never two attempts of the same work at once, never two waiting copies of it.
                "lock": job.key,
                "queueing_lock": job.key,
                "args": json.dumps({"job_id": job.id}),
            },
        )
    session.info.setdefault(ENQUEUED_KEY, []).append(job.id)


def queue_again(session: Session, job: BackgroundJob) -> None:
    """Queue a job whose tries are all spent once more, from its first try (its last reason is kept).
    Flushes; the caller commits."""
    from evidence_hub.models.jobs import JobStatus

    job.status = JobStatus.QUEUED.value
    job.attempts = 0
    session.flush()
    if session.get_bind().dialect.name == "postgresql" and session.scalar(WAITING, {"key": job.key}):
        # The queue still holds it, waiting for a worker: that entry will run it.
        session.info.setdefault(ENQUEUED_KEY, []).append(job.id)
        return
    _defer(session, job)


def enqueued_in(session: Session) -> list[int]:
    """The jobs this session enqueued since the last call, forgotten once read."""
    return session.info.pop(ENQUEUED_KEY, [])


def unfinished(session: Session) -> list[int]:
    """Jobs queued, or failed with tries left, oldest first: what a runner starting up should take on."""
    from evidence_hub.models.jobs import JobStatus
    from evidence_hub.services.jobs.running import MAX_ATTEMPTS

    return list(
        session.scalars(
            select(BackgroundJob.id)
            .where(
                (BackgroundJob.status == JobStatus.QUEUED.value)
                | ((BackgroundJob.status == JobStatus.FAILED.value) & (BackgroundJob.attempts < MAX_ATTEMPTS))
            )
            .order_by(BackgroundJob.id)
        )
    )
