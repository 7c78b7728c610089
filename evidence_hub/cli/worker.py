"""`evidence-hub worker`: run queued background jobs (PostgreSQL), for as long as it is left running.

procrastinate takes each job from its queue in PostgreSQL (row locks: one worker per job, however many
workers run on however many hosts), runs it here, and retries a failed one with exponential back-off.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
import procrastinate
from flask import Flask
from sqlalchemy.engine import make_url

from evidence_hub.cli.app import configured_app
from evidence_hub.cli.emails import check_email_deliveries, send_due_reminders
from evidence_hub.job_running import run_with_app
from evidence_hub.services.jobs import running
from evidence_hub.services.jobs.queue import QUEUE_NAME, TASK_NAME

# Every kind of job registers its handler when its module is imported.
from evidence_hub.services.notifications import sending  # noqa: F401
from evidence_hub.services.releases import prebuild, publication_job  # noqa: F401

REMINDERS_TASK = "evidence_hub.send_reminders"
# Reminders and delivery checks every quarter of an hour: each reminder is sent once whenever it runs.
REMINDERS_CRON = "*/15 * * * *"

log = logging.getLogger("evidence_hub.jobs")


def libpq_address(database_url: str) -> str:
    """The SQLAlchemy URL (postgresql+psycopg://...) as libpq reads it (postgresql://...)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_for(app: Flask) -> procrastinate.App:
    """procrastinate's app on the service's database, with the one task that runs any background job."""
    queue = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_address(app.config["DATABASE_URL"]))
    )

    @queue.task(
        name=TASK_NAME,
        queue=QUEUE_NAME,
        retry=procrastinate.RetryStrategy(
            max_attempts=running.MAX_ATTEMPTS, exponential_wait=running.BACKOFF_BASE_SECONDS
        ),
    )
    def run_background_job(job_id: int) -> None:
        run_with_app(app, job_id)

    @queue.periodic(cron=REMINDERS_CRON)
    @queue.task(name=REMINDERS_TASK, queue=QUEUE_NAME, queueing_lock=REMINDERS_TASK)
    def send_reminders(timestamp: int) -> None:
        send_due_reminders(app, datetime.fromtimestamp(timestamp, UTC).date())
        check_email_deliveries(app)

    return queue


@click.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Jobs run at once by this worker.")
@click.option("--until-empty", is_flag=True, help="Stop once the queue is empty (for one-off runs).")
def worker(concurrency: int, until_empty: bool) -> None:
    """Run queued background jobs (releases' files, emails) and the reminder schedule; PostgreSQL only."""
    app = configured_app()
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        raise click.ClickException(
            "The worker's queue lives in PostgreSQL. With SQLite the web process runs background jobs "
            "itself (EVIDENCE_HUB_JOBS_RUN_BY=thread): no worker is needed."
        )
    click.echo(f"Evidence Hub worker: running jobs from the {QUEUE_NAME!r} queue.")
    queue_for(app).run_worker(queues=[QUEUE_NAME], concurrency=concurrency, wait=not until_empty)
