"""The emails a return's life causes, queued in the same transaction as the step that causes them: who is
told (from current memberships), and what they read (what is missing, which items carry comments).

Reminders: `send_reminders` finds, for every open period of an active programme, each site whose return is
not yet submitted and is due within 14 days, within 3 days, or overdue, and queues that stage's reminder
to the site's leads. A reminder is recorded (`ReminderSent`) before its emails are queued, and the
database holds one record per site, period and stage, so running it twice, or on two hosts at the same
moment, never sends the same reminder twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evidence_hub.formatting import date_uk, datetime_uk
from evidence_hub.models import (
    Framework,
    PeriodStatus,
    Programme,
    ProgrammeSite,
    ProgrammeStatus,
    ReminderSent,
    ReminderStage,
    ReportingPeriod,
    ReturnStatus,
    Site,
    SiteReturn,
    User,
)
from evidence_hub.services.notifications import recipients
from evidence_hub.services.notifications.outbox import link, queue_to_each
from evidence_hub.services.returns.comments import commentable_label
from evidence_hub.services.returns.completeness import completeness_problems

# The stages, latest first: a site first reminded 2 days before the due date gets the 3-day reminder only.
FIRST_REMINDER_DAYS = 14
SECOND_REMINDER_DAYS = 3
# An overdue reminder is sent only this soon after the due date: never for a period long past.
OVERDUE_WITHIN_DAYS = 30
# A return in one of these states needs no reminder.
NO_REMINDER = frozenset({ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.LOCKED})


def _about(site_return: SiteReturn) -> dict[str, str]:
    period = site_return.reporting_period
    return {
        "site": site_return.site.name,
        "period": period.name,
        "programme": _programme(period).name,
    }


def _programme(period: ReportingPeriod) -> Programme:
    return period.framework.programme


def _leads(session: Session, site_return: SiteReturn) -> list[User]:
    return recipients.site_leads(session, _programme(site_return.reporting_period).id, site_return.site_id)


def submitted(session: Session, site_return: SiteReturn, by: User) -> None:
    """Tell the programme's evaluators that a return waits for their review."""
    queue_to_each(
        session,
        template="return_submitted",
        users=recipients.evaluators(session, _programme(site_return.reporting_period).id),
        content={
            **_about(site_return),
            "submitted_by": by.full_name,
            "submitted_on": datetime_uk(site_return.submitted_at),
            "link": link(session, f"/review/returns/{site_return.id}"),
        },
    )


def returned(session: Session, site_return: SiteReturn, reviewer: User, comment: str) -> None:
    """Tell the site's leads that their return came back, with the comment and the items commented on."""
    latest_round = max((each.round for each in site_return.comments), default=None)
    # Each commented item is read by its id for its name: the largest returns hold well over a thousand
    # items, of which a review comments on a few. An item deleted since has no name and is left out.
    commented = [
        label
        for each in site_return.comments
        if each.round == latest_round
        and (label := commentable_label(session, site_return, each.item_type or "", each.item_id))
    ]
    queue_to_each(
        session,
        template="return_returned",
        users=_leads(session, site_return),
        content={
            **_about(site_return),
            "reviewer": reviewer.full_name,
            "comment": comment,
            "commented_items": list(dict.fromkeys(commented)),
            "link": link(session, f"/returns/{site_return.id}"),
        },
    )


def approved(session: Session, site_return: SiteReturn, reviewer: User) -> None:
    queue_to_each(
        session,
        template="return_approved",
        users=_leads(session, site_return),
        content={
            **_about(site_return),
            "reviewer": reviewer.full_name,
            "link": link(session, f"/returns/{site_return.id}"),
        },
    )


def locked(session: Session, site_return: SiteReturn) -> None:
    """Tell the site's leads that the period closed and their return is locked as it stood."""
    queue_to_each(
        session,
        template="period_closed",
        users=_leads(session, site_return),
        content={
            **_about(site_return),
            "state": "approved" if site_return.is_approved else "not approved",
            "link": link(session, f"/returns/{site_return.id}"),
        },
    )


@dataclass(frozen=True)
class RemindersSent:
    reminders: int
    emails: int


def _stage(due_on: date, today: date) -> ReminderStage | None:
    days_left = (due_on - today).days
    if days_left < 0:
        return ReminderStage.OVERDUE if -days_left <= OVERDUE_WITHIN_DAYS else None
    if days_left <= SECOND_REMINDER_DAYS:
        return ReminderStage.DUE_IN_3_DAYS
    if days_left <= FIRST_REMINDER_DAYS:
        return ReminderStage.DUE_IN_14_DAYS
    return None


def _missing(session: Session, site_return: SiteReturn | None) -> list[str]:
    if site_return is None:
        return ["Everything: the return has not been started"]
    return [
        f"{problem.section.label}: {problem.message}"
        for problem in completeness_problems(session, site_return)
    ]


def _record_once(session: Session, site_id: int, period_id: int, stage: ReminderStage) -> bool:
    """Record the reminder; False when it was recorded before (by an earlier run, or another at once)."""
    try:
        with session.begin_nested():
            session.add(ReminderSent(site_id=site_id, reporting_period_id=period_id, stage=stage.value))
    except IntegrityError:
        return False
    return True


def send_reminders(session: Session, today: date) -> RemindersSent:
    """Queue every reminder due today that has not been sent. Call inside `transaction(session)`."""
    earliest_due = today - timedelta(days=OVERDUE_WITHIN_DAYS)
    latest_due = today + timedelta(days=FIRST_REMINDER_DAYS)
    due = session.execute(
        select(ReportingPeriod, Site)
        .join(Framework, Framework.id == ReportingPeriod.framework_id)
        .join(Programme, Programme.id == Framework.programme_id)
        .join(ProgrammeSite, ProgrammeSite.programme_id == Programme.id)
        .join(Site, Site.id == ProgrammeSite.site_id)
        .where(
            ReportingPeriod.status == PeriodStatus.OPEN.value,
            ReportingPeriod.returns_due_on.between(earliest_due, latest_due),
            Programme.status == ProgrammeStatus.ACTIVE.value,
            Site.is_active.is_(True),
        )
        .order_by(ReportingPeriod.returns_due_on, Site.name)
    )
    reminders = emails = 0
    for period, site in due.all():
        stage = _stage(period.returns_due_on, today)
        if stage is None:
            continue
        site_return = session.scalar(
            select(SiteReturn).where(
                SiteReturn.site_id == site.id, SiteReturn.reporting_period_id == period.id
            )
        )
        if site_return is not None and site_return.status_enum in NO_REMINDER:
            continue
        if not _record_once(session, site.id, period.id, stage):
            continue
        reminders += 1
        path = f"/returns/{site_return.id}" if site_return is not None else f"/returns/sites/{site.id}"
        queued = queue_to_each(
            session,
            template="return_overdue" if stage is ReminderStage.OVERDUE else "return_due",
            users=recipients.site_leads(session, _programme(period).id, site.id),
            content={
                "site": site.name,
                "period": period.name,
                "programme": _programme(period).name,
                "due_on": date_uk(period.returns_due_on),
                "days_left": (period.returns_due_on - today).days,
                "missing": _missing(session, site_return),
                "link": link(session, path),
            },
        )
        emails += len(queued)
    return RemindersSent(reminders, emails)
