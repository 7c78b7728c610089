"""Emails: anyone may ask for a reset link; every signed-in person chooses their own emails; only service
administrators read the emails the service has sent."""

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Email
from tests.access_rows import ADMINISTRATOR, EVERY_ROLE, Row, only, signed_in_only


def extend_world(session: Session, world: dict[str, Any]) -> None:
    with transaction(session):
        email = Email(
            template="return_submitted",
            to_address="someone@example.gov.uk",
            subject="Kent has submitted its 2009 Q2 return",
            body="Dear Someone,\n\nKent submitted its return.",
        )
        session.add(email)
        session.flush()
        world["email_id"] = email.id


ROWS = [
    Row("auth.forgot_password", "GET", "/forgot-password", dict.fromkeys(EVERY_ROLE, 200)),
    # An empty form is shown again with its error, to everyone alike.
    Row("auth.forgot_password", "POST", "/forgot-password", dict.fromkeys(EVERY_ROLE, 200)),
    Row("auth.email_choices", "GET", "/account/emails", signed_in_only(200)),
    # Choosing none of the optional emails is a choice: saved, then back to the page.
    Row("auth.email_choices", "POST", "/account/emails", signed_in_only(302)),
    Row("admin.emails", "GET", "/admin/emails", only({ADMINISTRATOR: 200})),
    Row(
        "admin.emails",
        "GET",
        "/admin/emails?page=99",
        only({ADMINISTRATOR: 404}),
        note=" (beyond the last page)",
    ),
    Row(
        "admin.emails",
        "GET",
        "/admin/emails?template=return_submitted",
        only({ADMINISTRATOR: 200}),
        note=" (one kind of email)",
    ),
    Row(
        "admin.emails",
        "GET",
        "/admin/emails?template=nonsense",
        only({ADMINISTRATOR: 404}),
        note=" (no such kind)",
    ),
    Row("admin.email", "GET", "/admin/emails/{email_id}", only({ADMINISTRATOR: 200})),
]
