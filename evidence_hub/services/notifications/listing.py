"""Sent emails as administrators see them: newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from evidence_hub.models import Email
from evidence_hub.services.common.paging import page_count

PAGE_SIZE = 50


@dataclass(frozen=True)
class EmailPage:
    emails: list[Email]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, PAGE_SIZE)


def counts_by_template(session: Session) -> dict[str, int]:
    """How many emails of each template there are, for those that have any."""
    grouped = select(Email.template, func.count()).group_by(Email.template).order_by(Email.template)
    counted: dict[str, int] = {}
    for template, count in session.execute(grouped):
        counted[template] = count
    return counted


def emails_page(session: Session, number: int, template: str | None = None) -> EmailPage | None:
    """One page of emails (of one template, if given), newest first; None for a page beyond the last."""
    condition = Email.template == template if template is not None else true()
    total = session.scalar(select(func.count()).select_from(Email).where(condition)) or 0
    page = EmailPage([], number, total)
    if number < 1 or number > page.pages:
        return None
    emails = session.scalars(
        select(Email)
        .where(condition)
        .order_by(Email.queued_at.desc(), Email.id.desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return EmailPage(list(emails), number, total)


def email_by_id(session: Session, email_id: int) -> Email | None:
    return session.get(Email, email_id)
