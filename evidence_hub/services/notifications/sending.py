"""Sending queued emails, and learning whether they were delivered.

`send_email` is the background job queued with each email (outbox.py). It reads the email, ends that
read before calling the backend (on SQLite a transaction that has read may not write once another
connection has written meanwhile, and a call to Notify takes a while), then records the outcome in a
transaction that starts by writing. When the backend cannot take the email, the email stays queued with
the reason and the job fails, so the job runner tries again with back-off (services/jobs): the event that
caused the email is committed already and is never undone by it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import BackgroundJob, Email, EmailStatus, JobStatus
from evidence_hub.services.jobs.queue import queue_again
from evidence_hub.services.jobs.running import MAX_ATTEMPTS, JobContext, handles
from evidence_hub.services.notifications.backends import EmailBackend, EmailNotSent, OutgoingEmail
from evidence_hub.services.notifications.outbox import SEND_KIND

REASON_CHARACTERS = 2000
# A reset or invitation link is a key to the account: once Notify has it, the copy kept here is cut out,
# so that nobody reading Sent emails could use it. The database backend keeps it: there it is the only copy.
SECRET_LINK = re.compile(r"/reset-password/[A-Za-z0-9_-]+")
LINK_REMOVED = "/reset-password/[link removed once sent]"
DELIVERIES_CHECKED_AT_ONCE = 200
# An email whose tries were all spent is queued once more after this long (by the reminders' schedule).
GIVEN_UP_RETRY_AFTER = timedelta(hours=1)


@handles(SEND_KIND)
def send_email(session: Session, arguments: dict[str, Any], context: JobContext) -> None:
    backend: EmailBackend = context.resources["email_backend"]
    send_one(session, int(arguments["email_id"]), backend)


def send_one(session: Session, email_id: int, backend: EmailBackend) -> EmailStatus:
    """Hand one queued email to the backend and record what became of it; an email no longer queued is
    left as it is (sent already). Raises EmailNotSent, after recording the reason, when it could not."""
    email = session.get_one(Email, email_id)
    if email.status_enum is not EmailStatus.QUEUED:
        return email.status_enum
    outgoing = OutgoingEmail(email.id, email.to_address, email.subject, email.body)
    session.rollback()
    try:
        handed = backend.send(outgoing)
    except EmailNotSent as error:
        with transaction(session):
            _record(session, email_id, attempts=Email.attempts + 1, last_error=str(error)[:REASON_CHARACTERS])
        raise
    now = utc_now()
    values: dict[str, Any] = {
        "attempts": Email.attempts + 1,
        "status": handed.status.value,
        "provider_id": handed.provider_id,
        "sent_at": now,
        "status_at": now,
    }
    if handed.status is not EmailStatus.RECORDED:
        values["body"] = SECRET_LINK.sub(LINK_REMOVED, outgoing.body)
    with transaction(session):
        _record(session, email_id, **values)
    return handed.status


def _record(session: Session, email_id: int, **values: Any) -> None:
    session.execute(
        update(Email)
        .where(Email.id == email_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def check_deliveries(session: Session, backend: EmailBackend) -> int:
    """Ask the backend about emails on their way (sent to Notify, not yet known delivered); record each
    answer. Returns how many changed. A question Notify cannot answer now is asked again next time."""
    waiting = list(
        session.execute(
            select(Email.id, Email.provider_id)
            .where(Email.status == EmailStatus.SENDING.value, Email.provider_id != "")
            .order_by(Email.id)
            .limit(DELIVERIES_CHECKED_AT_ONCE)
        )
    )
    session.rollback()
    changed = 0
    for email_id, provider_id in waiting:
        try:
            delivery = backend.delivery(provider_id)
        except EmailNotSent:
            continue
        if delivery.status is EmailStatus.SENDING:
            continue
        with transaction(session):
            values: dict[str, Any] = {"status": delivery.status.value, "status_at": utc_now()}
            if delivery.reason:
                values["last_error"] = delivery.reason
            _record(session, email_id, **values)
        changed += 1
    return changed


def queue_given_up_again(session: Session, *, idle_for: timedelta = GIVEN_UP_RETRY_AFTER) -> int:
    """Queue once more the emails whose sending job spent all its tries (Notify down for longer than the
    back-off lasts), once they have waited `idle_for`; how many. Call inside `transaction(session)`."""
    given_up = session.scalars(
        select(BackgroundJob)
        .join(Email, BackgroundJob.key == literal(f"{SEND_KIND}:", String) + cast(Email.id, String))
        .where(
            Email.status == EmailStatus.QUEUED.value,
            BackgroundJob.status == JobStatus.FAILED.value,
            BackgroundJob.attempts >= MAX_ATTEMPTS,
            BackgroundJob.finished_at < utc_now() - idle_for,
        )
        .order_by(BackgroundJob.id)
    ).all()
    for job in given_up:
        queue_again(session, job)
    return len(given_up)
