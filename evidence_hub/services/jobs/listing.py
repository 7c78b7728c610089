"""Background jobs as administrators see them: how many are in each state, and the latest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models.jobs import BackgroundJob, JobStatus

SHOWN = 200


def counts_by_status(session: Session) -> dict[JobStatus, int]:
    grouped = select(BackgroundJob.status, func.count()).group_by(BackgroundJob.status)
    counted: dict[str, int] = {}
    for status, count in session.execute(grouped):
        counted[status] = count
    return {status: counted.get(status.value, 0) for status in JobStatus}


def latest_jobs(session: Session, status: JobStatus | None = None, limit: int = SHOWN) -> list[BackgroundJob]:
    """The latest jobs (of one state, if given), newest first."""
    query = select(BackgroundJob).order_by(BackgroundJob.queued_at.desc(), BackgroundJob.id.desc())
    if status is not None:
        query = query.where(BackgroundJob.status == status.value)
    return list(session.scalars(query.limit(limit)))
