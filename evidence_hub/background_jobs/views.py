"""The administrators' page of background jobs."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from evidence_hub.guards import roles
from evidence_hub.models import JobStatus, Role
from evidence_hub.services.jobs import listing
from evidence_hub.web import db_session

background_jobs = Blueprint("background_jobs", __name__)

STATUS_COLOURS = {
    JobStatus.QUEUED: "govuk-tag--grey",
    JobStatus.RUNNING: "govuk-tag--blue",
    JobStatus.FAILED: "govuk-tag--red",
    JobStatus.DONE: "govuk-tag--green",
}
RUNNERS = {
    "worker": "the worker (evidence-hub worker)",
    "thread": "this web process, after it answers each request",
    "now": "this web process, before it answers",
    "off": "nothing: files are built when first downloaded",
}


@background_jobs.route("/admin/background-jobs")
@roles(Role.ADMINISTRATOR)
def index() -> str:
    """Every background job's state, the latest first, optionally of one state only."""
    wanted = request.args.get("status")
    if wanted and wanted not in {status.value for status in JobStatus}:
        abort(404)
    status = JobStatus(wanted) if wanted else None
    session = db_session()
    return render_template(
        "background_jobs/index.html",
        title="Background jobs",
        counts=listing.counts_by_status(session),
        jobs=listing.latest_jobs(session, status),
        chosen=status,
        colours=STATUS_COLOURS,
        runner=RUNNERS[current_app.config["JOBS_RUN_BY"]],
        shown=listing.SHOWN,
    )
