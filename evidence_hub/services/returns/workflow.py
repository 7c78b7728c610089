"""The return workflow: starting a return, marking sections, submitting, reviewing and locking.

draft → submitted → returned (with comments) → submitted → … → approved → locked (period closed).
Only the site's lead changes evidence, and only while the return is a draft or returned (editing.py).
Evaluators return, approve or reopen. Closing a period locks every return in it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import utc_now
from evidence_hub.models import Role, User
from evidence_hub.models.framework import (
    FrameworkStatus,
    FrameworkVersion,
)
from evidence_hub.models.periods import PeriodStatus, ReportingPeriod
from evidence_hub.models.returns import (
    ReturnSection,
    ReturnSnapshot,
    ReturnStatus,
    SiteReturn,
)
from evidence_hub.services.common import access, audit
from evidence_hub.services.common.access import NotVisible, led_site_ids
from evidence_hub.services.common.values import clean_text
from evidence_hub.services.returns import emails
from evidence_hub.services.returns.changes import content_of, current_round
from evidence_hub.services.returns.comments import add_comment, new_comment
from evidence_hub.services.returns.completeness import IncompleteReturn, completeness_problems
from evidence_hub.services.returns.editing import (
    programme_of,
    require_evaluator,
    require_lead_can_edit,
    require_return_programme_active,
)
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.evidence_rows import read_for_writing


def live_framework_version(session: Session, framework_id: int) -> FrameworkVersion:
    version = session.scalar(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework_id,
            FrameworkVersion.status == FrameworkStatus.PUBLISHED.value,
        )
    )
    if version is None:
        raise ReturnError("The framework for this period has no published version yet. Ask an administrator.")
    return version


def start_return(
    session: Session, user: User, period: ReportingPeriod, site_id: int | None = None
) -> SiteReturn:
    """The lead's return for this period at a site they lead in its programme (the only one, if they lead
    one there and name none), started now (as a draft) if there is none yet."""
    if user.role_enum is not Role.SITE_LEAD:
        raise ReturnError("Only a site lead can start a return")
    programme = period.framework.programme
    led = led_site_ids(user, programme.id)
    if not led or (site_id is not None and site_id not in led):
        raise NotVisible(f"{user.email} does not lead that site in the programme of period {period.id}")
    if site_id is None:
        if len(led) > 1:
            raise ReturnError(f"Choose which of your sites in {programme.name} to start a return for.")
        site_id = led[0]
    existing = session.scalar(
        select(SiteReturn).where(SiteReturn.site_id == site_id, SiteReturn.reporting_period_id == period.id)
    )
    if existing is not None:
        return existing
    require_return_programme_active(programme)
    if period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError(f"{period.name} has closed: returns for it can no longer be started.")
    version = live_framework_version(session, period.framework_id)
    site_return = SiteReturn(
        site_id=site_id,
        reporting_period_id=period.id,
        framework_version_id=version.id,
        status=ReturnStatus.DRAFT.value,
        created_by_id=user.id,
        completed_sections=[],
    )
    session.add(site_return)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="return.started",
        object_type="return",
        object_id=site_return.id,
        site_id=site_return.site_id,
        after={"period": period.code, "framework_version": version.version},
    )
    return site_return


def set_section_completed(
    session: Session, user: User, site_return: SiteReturn, section: ReturnSection, completed: bool
) -> None:
    """Record whether the lead has finished a section. The journey section cannot be finished before its
    milestone is saved: a milestone chosen on the page but not saved would otherwise be lost unseen."""
    read_for_writing(session, site_return)
    require_lead_can_edit(user, site_return)
    if completed and section is ReturnSection.JOURNEY and site_return.journey_milestone_id is None:
        raise ReturnError(
            "Save the milestone your site has reached before you mark this section as completed",
            field="completed",
        )
    sections = set(site_return.completed_sections)
    before = sorted(sections)
    if completed:
        sections.add(section.value)
    else:
        sections.discard(section.value)
    site_return.completed_sections = sorted(sections)
    if before != site_return.completed_sections:
        site_return.version += 1
        audit.record(
            session,
            actor=user,
            action="return.section_marked",
            object_type="return",
            object_id=site_return.id,
            site_id=site_return.site_id,
            before={"completed_sections": before},
            after={"completed_sections": site_return.completed_sections},
        )


def submit(session: Session, user: User, site_return: SiteReturn) -> None:
    read_for_writing(session, site_return)
    require_lead_can_edit(user, site_return)
    if site_return.reporting_period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError("The reporting period has closed.")
    problems = completeness_problems(session, site_return)
    if problems:
        raise IncompleteReturn(problems)
    before = site_return.status
    round_number = current_round(session, site_return) + 1
    session.add(
        ReturnSnapshot(
            site_return_id=site_return.id, round=round_number, content=content_of(session, site_return)
        )
    )
    site_return.status = ReturnStatus.SUBMITTED.value
    site_return.submitted_at = utc_now()
    site_return.submitted_by_id = user.id
    site_return.version += 1
    _record_step(session, user, site_return, "return.submitted", before, extra={"round": round_number})
    emails.submitted(session, site_return, user)


def _record_step(
    session: Session,
    user: User,
    site_return: SiteReturn,
    action: str,
    before_status: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor=user,
        action=action,
        object_type="return",
        object_id=site_return.id,
        site_id=site_return.site_id,
        before={"status": before_status},
        after={"status": site_return.status, **(extra or {})},
        reason=reason,
    )


def return_to_site(session: Session, user: User, site_return: SiteReturn, comment: str) -> None:
    """Send the return back to the lead with a comment saying what to change."""
    require_evaluator(user)
    # It would hand the lead work a closed programme no longer takes; approving what was sent stays open.
    require_return_programme_active(programme_of(site_return), field="comment")
    read_for_writing(session, site_return)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        raise ReturnError("Only a submitted return can be returned to the site.")
    if not clean_text(comment):
        raise ReturnError("Enter a comment saying what the site needs to change", field="comment")
    add_comment(session, user, site_return, comment)
    before = site_return.status
    site_return.status = ReturnStatus.RETURNED.value
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.version += 1
    _record_step(session, user, site_return, "return.returned", before, reason=clean_text(comment))
    emails.returned(session, site_return, user, clean_text(comment))


def approve(session: Session, user: User, site_return: SiteReturn, comment: str = "") -> None:
    """Approve a submitted return; or, with a reason, a return whose period closed before it was approved."""
    require_evaluator(user)
    read_for_writing(session, site_return)
    reason = clean_text(comment)
    locked = site_return.status_enum is ReturnStatus.LOCKED
    if locked and site_return.is_approved:
        raise ReturnError("This return was approved before its period closed.")
    if not locked and site_return.status_enum is not ReturnStatus.SUBMITTED:
        raise ReturnError("Only a submitted return can be approved.")
    if locked and not reason:
        raise ReturnError("Enter the reason for approving a return after its period closed", field="comment")
    if reason:
        new_comment(session, user, site_return, reason, "return", None)
    before = site_return.status
    if not locked:
        site_return.status = ReturnStatus.APPROVED.value
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.approved_at, site_return.approved_by_id = utc_now(), user.id
    site_return.version += 1
    action = "return.approved_after_lock" if locked else "return.approved"
    _record_step(session, user, site_return, action, before, reason=reason, extra={"approved": True})
    emails.approved(session, site_return, user)


def withdraw_approval(session: Session, user: User, site_return: SiteReturn, reason: str) -> None:
    """Take the approval back from a return whose period has closed (its figures stop counting as
    approved in anything published afterwards); the reason is required and shown to the site."""
    require_evaluator(user)
    read_for_writing(session, site_return)
    if site_return.status_enum is not ReturnStatus.LOCKED:
        raise ReturnError("Only a locked return's approval can be withdrawn: reopen any other return.")
    if not site_return.is_approved:
        raise ReturnError("This return is not approved.")
    reason = clean_text(reason)
    if not reason:
        raise ReturnError("Enter the reason for withdrawing the approval", field="reason")
    new_comment(session, user, site_return, f"Approval withdrawn: {reason}", "return", None)
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.approved_at, site_return.approved_by_id = None, None
    site_return.version += 1
    _record_step(
        session,
        user,
        site_return,
        "return.approval_withdrawn",
        site_return.status,
        reason=reason,
        extra={"approved": False},
    )


def reopen(session: Session, user: User, site_return: SiteReturn, reason: str) -> None:
    """Give an approved (or submitted) return back to the lead for changes; the reason is required.

    A reopened return is no longer approved: it counts again only once an evaluator approves it again.
    """
    require_evaluator(user)
    # It would hand the lead work a closed programme no longer takes; approving what was sent stays open.
    require_return_programme_active(programme_of(site_return), field="reason")
    read_for_writing(session, site_return)
    if site_return.status_enum not in (ReturnStatus.APPROVED, ReturnStatus.SUBMITTED):
        raise ReturnError("Only a submitted or approved return can be reopened.")
    if site_return.reporting_period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError("The reporting period has closed, so its returns are locked.")
    reason = clean_text(reason)
    if not reason:
        raise ReturnError("Enter the reason for reopening the return", field="reason")
    before = site_return.status
    new_comment(session, user, site_return, f"Reopened: {reason}", "return", None)
    site_return.status = ReturnStatus.RETURNED.value
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.approved_at, site_return.approved_by_id = None, None
    site_return.version += 1
    _record_step(session, user, site_return, "return.reopened", before, reason=reason)


def close_period(session: Session, user: User, period: ReportingPeriod) -> int:
    """Close a reporting period and lock every return in it as it stands; returns how many were locked.

    A return locks approved or not: locking never approves it, and one that was not approved does not
    count as approved anywhere unless an evaluator approves it afterwards, with a reason.
    """
    if user.role_enum is not Role.ADMINISTRATOR:
        raise ReturnError("Only an administrator can close a reporting period")
    # Its periods are part of what a closed programme holds as it was: closing one would lock returns and
    # email their leads. Reopened, the programme's administrator closes it then.
    access.require_programme_active(period.framework.programme)
    read_for_writing(session, period)
    if period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError(f"{period.name} is already closed.")
    period.status = PeriodStatus.CLOSED.value
    locked = 0
    in_period = select(SiteReturn).where(SiteReturn.reporting_period_id == period.id).with_for_update()
    for site_return in session.scalars(in_period.execution_options(populate_existing=True)):
        before = site_return.status
        site_return.status = ReturnStatus.LOCKED.value
        site_return.locked_at = utc_now()
        site_return.version += 1
        extra = {"period": period.code, "approved": site_return.is_approved}
        _record_step(session, user, site_return, "return.locked", before, extra=extra)
        emails.locked(session, site_return)
        locked += 1
    # The same object type as when the period was created (framework/periods.py): its history is one.
    audit.record(
        session,
        actor=user,
        action="reporting_period.closed",
        object_type="reporting_period",
        object_id=period.id,
        before={"status": PeriodStatus.OPEN.value},
        after={"status": PeriodStatus.CLOSED.value, "returns_locked": locked},
    )
    return locked
