"""The two ways of sending an email, behind one small interface.

- `DatabaseBackend` (development and the demo, the default): sends nothing. The email's row, already in
  the database, is the record; an administrator reads it on the Sent emails page. No key, no network.
- `NotifyBackend`: GOV.UK Notify through its official client. Every email goes through one Notify email
  template whose subject is ((subject)) and whose body is ((body)): the words live here, in
  templates.py, under version control and tests, and Notify only delivers them. Notify's answer (its id
  for the notification) is kept to ask it later whether the email was delivered.

A backend raises EmailNotSent with the reason when an email could not be handed over; the caller keeps
the email queued with that reason and tries again later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from evidence_hub.models import EmailStatus

BACKENDS = ("database", "notify")
NOTIFY_TIMEOUT_SECONDS = 20
# Notify's words for where a notification has got to
# (https://docs.notifications.service.gov.uk/python.html#get-the-status-of-one-message-response).
NOTIFY_DELIVERED = frozenset({"delivered"})
NOTIFY_NOT_DELIVERED = {
    "permanent-failure": "The address does not exist or its inbox refused it (permanent failure)",
    "temporary-failure": "The inbox was full or unavailable; Notify stopped trying (temporary failure)",
    "technical-failure": "GOV.UK Notify could not send it because of a technical problem (technical failure)",
    "validation-failed": "GOV.UK Notify could not send it: it failed Notify's checks (validation failed)",
}


@dataclass(frozen=True)
class OutgoingEmail:
    """What a backend needs of an email, read from its row before any network call."""

    id: int
    to_address: str
    subject: str
    body: str


@dataclass(frozen=True)
class Handed:
    """What became of an email handed to a backend."""

    status: EmailStatus
    provider_id: str = ""


@dataclass(frozen=True)
class Delivery:
    status: EmailStatus
    reason: str = ""


class EmailNotSent(RuntimeError):
    """The email could not be handed over; the message says why, in words for an administrator."""


class EmailBackend(Protocol):
    name: str

    def send(self, email: OutgoingEmail) -> Handed: ...

    def delivery(self, provider_id: str) -> Delivery: ...


class DatabaseBackend:
    """Records the email and sends nothing: for development, tests and the demo."""

    name = "database"

    def send(self, email: OutgoingEmail) -> Handed:
        return Handed(EmailStatus.RECORDED)

    def delivery(self, provider_id: str) -> Delivery:
        return Delivery(EmailStatus.RECORDED)


class NotifyBackend:
    name = "notify"

    def __init__(self, *, api_key: str, template_id: str, base_url: str) -> None:
        self.template_id = template_id
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=NOTIFY_TIMEOUT_SECONDS)

    def send(self, email: OutgoingEmail) -> Handed:
        try:
            answer = self.client.send_email_notification(
                email_address=email.to_address,
                template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.body},
                reference=f"evidence-hub-email-{email.id}",
            )
        except APIError as error:
            raise EmailNotSent(f"GOV.UK Notify did not accept the email: {error}") from error
        return Handed(EmailStatus.SENDING, provider_id=str(answer["id"]))

    def delivery(self, provider_id: str) -> Delivery:
        try:
            notification = self.client.get_notification_by_id(provider_id)
        except APIError as error:
            raise EmailNotSent(f"GOV.UK Notify did not say whether it was delivered: {error}") from error
        status = str(notification.get("status", ""))
        if status in NOTIFY_DELIVERED:
            return Delivery(EmailStatus.DELIVERED)
        if status in NOTIFY_NOT_DELIVERED:
            return Delivery(EmailStatus.NOT_DELIVERED, NOTIFY_NOT_DELIVERED[status])
        return Delivery(EmailStatus.SENDING)


def backend_from_settings(config: Mapping[str, Any]) -> EmailBackend:
    """The backend the deployment's settings choose (EMAIL_BACKEND), checked by config.py at start-up."""
    if config["EMAIL_BACKEND"] == "notify":
        return NotifyBackend(
            api_key=config["NOTIFY_API_KEY"],
            template_id=config["NOTIFY_TEMPLATE_ID"],
            base_url=config["NOTIFY_BASE_URL"],
        )
    return DatabaseBackend()
