"""`evidence-hub send-reminders`: queue the reminders due today (returns due in 14 days, in 3 days, and
overdue) and send them. The worker runs the same every quarter of an hour on PostgreSQL; with SQLite, run
this command once a day from cron. Reminders already sent are never sent again, however often it runs."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import Flask

from evidence_hub.cli.app import configured_app, session_for
from evidence_hub.db import transaction, utc_now
from evidence_hub.job_running import job_resources, run_with_retries
from evidence_hub.services.jobs import queue
from evidence_hub.services.notifications.sending import check_deliveries, queue_given_up_again
from evidence_hub.services.returns.emails import RemindersSent
from evidence_hub.services.returns.emails import send_reminders as queue_reminders


def send_due_reminders(app: Flask, today: date) -> RemindersSent:
    """Queue today's reminders, and emails whose tries were spent an hour ago or more; where the web
    process runs jobs itself (SQLite), send them now too."""
    with app.app_context():
        session = session_for(app)
        try:
            with transaction(session):
                sent = queue_reminders(session, today)
                queue_given_up_again(session)
            job_ids = queue.enqueued_in(session)
        finally:
            session.close()
    if job_ids and app.config["JOBS_RUN_BY"] in ("thread", "now"):
        run_with_retries(app, job_ids)
    return sent


def check_email_deliveries(app: Flask) -> int:
    """Ask GOV.UK Notify what became of emails on their way; how many changed."""
    with app.app_context():
        session = session_for(app)
        try:
            return check_deliveries(session, job_resources()["email_backend"])
        finally:
            session.close()


@click.command("send-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Act as if today were this date (YYYY-MM-DD), to catch up after an outage. Default: today (UTC).",
)
def send_reminders(today: datetime | None) -> None:
    """Email site leads about returns due in 14 days, in 3 days, and overdue (each reminder once)."""
    app = configured_app()
    sent = send_due_reminders(app, today.date() if today else utc_now().date())
    changed = check_email_deliveries(app)
    click.echo(
        f"Reminders: {sent.reminders} queued ({sent.emails} emails). "
        f"Delivery status learned for {changed} earlier emails."
    )
