"""Queueing an email: in the caller's transaction, with the job that will send it.

The email's row and its sending job are added to the caller's session, so they are committed with the
event that caused them (a rolled-back submission leaves no email) and an event once committed always has
its emails. Sending happens later, in a background job (sending.py): a slow or failing GOV.UK Notify never
holds up or breaks the request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Email, EmailPreference, User
from evidence_hub.services.jobs.queue import enqueue
from evidence_hub.services.notifications.templates import TEMPLATES, render

SEND_KIND = "send_email"
# Where the links in emails point; set on the app's sessions from the SERVICE_URL setting (create_app).
SERVICE_URL_KEY = "evidence_hub.service_url"
DEFAULT_SERVICE_URL = "http://127.0.0.1:5000"


def service_url(session: Session) -> str:
    return str(session.info.get(SERVICE_URL_KEY) or DEFAULT_SERVICE_URL).rstrip("/")


def link(session: Session, path: str) -> str:
    """An absolute link to a page of the service, for an email (`path` starts with /)."""
    return service_url(session) + path


def wants(session: Session, user: User, template: str) -> bool:
    """Whether the person receives this email: always for account emails, else their choice or the default."""
    definition = TEMPLATES[template]
    if not definition.optional:
        return True
    chosen = session.scalar(
        select(EmailPreference.wanted).where(
            EmailPreference.user_id == user.id, EmailPreference.template == template
        )
    )
    return definition.wanted_by_default if chosen is None else chosen


def queue_email(session: Session, *, template: str, user: User, content: dict[str, Any]) -> Email | None:
    """Queue the email for the user and the job that sends it, unless the user is inactive or has turned
    this email off. Flushes; the caller commits."""
    if not user.is_active or not wants(session, user, template):
        return None
    rendered = render(
        template,
        {"name": user.full_name, "service_url": service_url(session), **content},
    )
    email = Email(
        template=template,
        to_address=user.email,
        user_id=user.id,
        subject=rendered.subject[:300],
        body=rendered.body,
    )
    session.add(email)
    session.flush()
    enqueue(
        session,
        kind=SEND_KIND,
        key=f"{SEND_KIND}:{email.id}",
        subject=f"Email to {user.email}: {rendered.subject}"[:200],
        arguments={"email_id": email.id},
    )
    return email


def queue_to_each(
    session: Session, *, template: str, users: list[User], content: dict[str, Any]
) -> list[Email]:
    """The same email to each of several people (each addressed by name), once per person."""
    seen: set[int] = set()
    queued = []
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        email = queue_email(session, template=template, user=user, content=content)
        if email is not None:
            queued.append(email)
    return queued
