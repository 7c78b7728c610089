"""Each person's choice of the optional emails their role can receive."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import EmailPreference, User
from evidence_hub.services.common import audit
from evidence_hub.services.notifications.templates import EmailTemplate, optional_templates


@dataclass(frozen=True)
class Choice:
    template: EmailTemplate
    wanted: bool


def choices_of(session: Session, user: User) -> list[Choice]:
    """The optional emails the user's role can receive, each with whether they receive it now."""
    rows = session.execute(
        select(EmailPreference.template, EmailPreference.wanted).where(EmailPreference.user_id == user.id)
    )
    chosen = {row.template: row.wanted for row in rows}
    return [
        Choice(template, chosen.get(template.name, template.wanted_by_default))
        for template in optional_templates(user.role_enum)
    ]


def set_choices(session: Session, *, user: User, wanted: set[str]) -> None:
    """Receive exactly the optional emails named in `wanted` (of those the user's role can receive)."""
    before, after = {}, {}
    for choice in choices_of(session, user):
        name = choice.template.name
        now_wanted = name in wanted
        row = session.get(EmailPreference, (user.id, name))
        if row is None:
            session.add(EmailPreference(user_id=user.id, template=name, wanted=now_wanted))
        else:
            row.wanted = now_wanted
        if now_wanted != choice.wanted:
            before[name], after[name] = choice.wanted, now_wanted
    if after:
        audit.record(
            session,
            actor=user,
            action="user.email_choices_changed",
            object_type="user",
            object_id=user.id,
            before=before,
            after=after,
        )
