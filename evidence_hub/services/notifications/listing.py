"""Sent emails as administrators see them: newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import Email

PAGE_SIZE = 50


@dataclass(frozen=True)
class EmailPage:
    emails: list[Email]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def emails_page(session: Session, number: int) -> EmailPage | None:
    """One page of emails, newest first; None for a page beyond the last."""
    total = session.scalar(select(func.count()).select_from(Email)) or 0
    page = EmailPage([], number, total)
    if number < 1 or number > page.pages:
        return None
    emails = session.scalars(
        select(Email)
        .order_by(Email.queued_at.desc(), Email.id.desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return EmailPage(list(emails), number, total)


def email_by_id(session: Session, email_id: int) -> Email | None:
    return session.get(Email, email_id)
