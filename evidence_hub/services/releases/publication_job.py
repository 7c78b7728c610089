"""Publishing from the pages, as a background job with a progress page.

The publish form checks the choice (one cheap count: are there approved returns?) and queues a job
(`queue_publication`); the evaluator is sent to a page that follows it (`publication_progress`). The job
reads and protects every table (publishing.prepare_release, which writes nothing, so no write lock is held
while it reads), reporting each step with its counts as it completes, then stores the release, its rows and
the finished outcome in one transaction (publishing.store_release), which also queues the building of the
release's files (prebuild). The disclosure audit's refusal is an outcome, not a failure: it is recorded with
the audit's own words and the job ends, because trying again would refuse again.

The job is idempotent: the release's reference is recorded on the job in the transaction that stores the
release, so a retry after that commit finds it and publishes nothing twice; a failure before it leaves
nothing written, and the retry publishes from the start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Framework, FrameworkVersion, ReportingPeriod, Site, User
from evidence_hub.models.jobs import BackgroundJob, JobStatus
from evidence_hub.models.releases import Release
from evidence_hub.services.common.access import scope_frameworks
from evidence_hub.services.jobs.queue import enqueue
from evidence_hub.services.jobs.running import MAX_ATTEMPTS, JobContext, handles
from evidence_hub.services.releases import prebuild, publishing
from evidence_hub.services.releases.protected_tables import ReleaseRefused

KIND = "publish_release"
STEP_FILES = "files"
STEPS = (
    (publishing.STEP_TABLES, "Build the tables from the approved returns"),
    (publishing.STEP_AUDIT, "Protect the tables and audit them against an intruder"),
    (publishing.STEP_STORE, "Store the release"),
    (STEP_FILES, "Build the release's files (PDF, Word, data packs and one CSV a table)"),
)


class PublicationNotFound(LookupError):
    """No publication by that number that the user may follow."""


def queue_publication(session: Session, request: publishing.ReleaseRequest) -> BackgroundJob:
    """Check the choice holds approved returns (NoApprovedData if not) and queue its publication.
    Flushes; the caller commits."""
    publishing.check_publishable(session, request)
    return enqueue(
        session,
        kind=KIND,
        # Each press of Publish is a publication of its own (the form redirects, so a reload does not
        # press it again).
        key=f"{KIND}:{uuid.uuid4().hex}",
        subject=f"Publication of {request.title}"[:200],
        arguments={
            "actor_id": request.actor.id,
            "framework_id": request.framework.id,
            "version_id": request.version.id if request.version is not None else None,
            "period_from_id": request.period_from.id,
            "period_to_id": request.period_to.id,
            "site_ids": [site.id for site in request.sites],
            "title": request.title,
            "threshold": request.threshold,
            "round_to": request.round_to,
        },
    )


@handles(KIND)
def publish(session: Session, arguments: dict[str, Any], context: JobContext) -> None:
    """The job: publish the release chosen on the form, once."""
    job = session.get_one(BackgroundJob, context.job_id)
    if job.outcome and (job.outcome.get("reference") or job.outcome.get("refused")):
        return  # Stored, or refused, by an earlier attempt.
    steps: dict[str, str] = {}

    def completed(step: str, detail: str) -> None:
        steps[step] = detail
        context.report_outcome({"steps": dict(steps)})
        context.report_progress(f"{dict(STEPS)[step]}: {detail}")

    version_id = arguments["version_id"]
    try:
        request = publishing.ReleaseRequest(
            actor=session.get_one(User, arguments["actor_id"]),
            framework=session.get_one(Framework, arguments["framework_id"]),
            version=session.get_one(FrameworkVersion, version_id) if version_id is not None else None,
            period_from=session.get_one(ReportingPeriod, arguments["period_from_id"]),
            period_to=session.get_one(ReportingPeriod, arguments["period_to_id"]),
            sites=list(session.scalars(select(Site).where(Site.id.in_(arguments["site_ids"])))),
            title=arguments["title"],
            threshold=int(arguments["threshold"]),
            round_to=arguments["round_to"],
        )
        prepared = publishing.prepare_release(session, request, progress=completed)
    except (ReleaseRefused, publishing.NoApprovedData) as refused:
        session.rollback()
        context.report_outcome({"steps": steps, "refused": str(refused)})
        context.report_progress("Not published: the disclosure audit refused it")
        return
    # The outcome is written in the transaction that stores the release (never from another connection
    # meanwhile, which would wait for this one's lock on the job's row).
    with transaction(session):
        release = publishing.store_release(session, prepared, progress=steps.__setitem__)
        session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == context.job_id)
            .values(
                outcome={"steps": steps, "reference": release.reference},
                progress=f"Published as {release.reference}",
            )
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class PublicationStep:
    label: str
    state: str  # "done", "in progress", "waiting", "failed", "refused"
    detail: str


@dataclass(frozen=True)
class PublicationProgress:
    """What the progress page shows: each step with its counts, then the release or the refusal."""

    job_id: int
    title: str
    steps: list[PublicationStep]
    reference: str | None
    refused: str | None
    files_ready: bool
    failed_for_good: bool

    @property
    def finished(self) -> bool:
        """Nothing more will change: the release and its files are ready, it was refused, or it failed."""
        return bool(self.refused) or self.failed_for_good or (self.reference is not None and self.files_ready)


def publication_for(session: Session, user: User, job_id: int) -> BackgroundJob:
    """The publication job `job_id` if it is of a framework the user may see; PublicationNotFound if not."""
    job = session.get(BackgroundJob, job_id)
    if job is None or job.kind != KIND:
        raise PublicationNotFound(f"There is no publication {job_id}.")
    visible = session.scalar(
        scope_frameworks(select(Framework.id), user).where(Framework.id == job.arguments["framework_id"])
    )
    if visible is None:
        raise PublicationNotFound(f"There is no publication {job_id}.")
    return job


def publication_progress(session: Session, job: BackgroundJob) -> PublicationProgress:
    outcome = job.outcome or {}
    completed: dict[str, str] = dict(outcome.get("steps") or {})
    reference: str | None = outcome.get("reference")
    refused: str | None = outcome.get("refused")
    failed_for_good = job.status == JobStatus.FAILED.value and job.attempts >= MAX_ATTEMPTS
    files_ready = False
    if reference is not None:
        release = session.scalars(select(Release).where(Release.reference == reference)).one()
        files = prebuild.files_progress(session, release)
        files_ready = files.ready >= files.total
        completed[STEP_FILES] = f"{files.ready} of {files.total} files built"
        if files_ready:
            completed[STEP_FILES] = f"all {files.total} files built"
    steps: list[PublicationStep] = []
    current_found = False
    for code, label in STEPS:
        detail = completed.get(code, "")
        if code in completed and not (code == STEP_FILES and not files_ready):
            state = "done"
        elif current_found:
            state = "waiting"
        else:
            current_found = True
            if refused:
                state = "refused"
            elif job.status == JobStatus.FAILED.value and code != STEP_FILES:
                state = "failed"
                detail = "failed" + ("" if failed_for_good else "; it will be tried again shortly")
            else:
                state = (
                    "in progress" if job.status != JobStatus.QUEUED.value or code == STEP_FILES else "waiting"
                )
        steps.append(PublicationStep(label, state, detail))
    return PublicationProgress(
        job_id=job.id,
        title=str(job.arguments.get("title", "")),
        steps=steps,
        reference=reference,
        refused=refused,
        files_ready=files_ready,
        failed_for_good=failed_for_good,
    )
