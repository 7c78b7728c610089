"""Background jobs as administrators see them, and the files each published release was built into.

The queue itself (which process takes which job, when a retry is due) belongs to the queue library on
PostgreSQL (procrastinate, tables `procrastinate_*`) or to the in-process runner on SQLite. `BackgroundJob`
is the service's own record of each job, written by whichever runs it: what it is for, whether it is
queued, running, failed (with the reason) or done, and how far it got. Its `key` makes enqueueing
idempotent: asking twice for the same work (the files of release 42) finds the job already there.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.enums import one_of


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"
    DONE = "done"


class BackgroundJob(Base):
    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What runs it, e.g. "release_files": a name in services/jobs/kinds.
    kind: Mapped[str] = mapped_column(String(60))
    # The same work asked for twice has the same key, e.g. "release_files:42".
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # For people: what the job is about, e.g. "Files of release WDS-2026-03".
    subject: Mapped[str] = mapped_column(String(200))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # Why the last attempt failed; kept when a retry succeeds, for the record.
    last_error: Mapped[str] = mapped_column(Text, default="")
    # How far it got, in words, e.g. "3 of 4 files built".
    progress: Mapped[str] = mapped_column(String(200), default="")
    # What the job found, for the page that follows it: a publication's steps so far, then the release's
    # reference or why the disclosure audit refused it (services/releases/publication_job.py).
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(one_of("status", JobStatus), name="known_status"),
        CheckConstraint("attempts >= 0", name="attempts_counted"),
    )

    @property
    def status_enum(self) -> JobStatus:
        return JobStatus(self.status)


class ReleaseFile(Base):
    """One file built from a release (the summary as PDF, the data pack as XLSX, ...), with its checksum,
    so that a download can say which bytes it sent and a check can find a file that changed."""

    __tablename__ = "release_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="RESTRICT"), index=True)
    # e.g. "summary.pdf", "data-pack.zip" (services/releases/release_files.py ReleaseFileKey.kind).
    kind: Mapped[str] = mapped_column(String(40))
    # The name in the release file store.
    file_name: Mapped[str] = mapped_column(String(120), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
