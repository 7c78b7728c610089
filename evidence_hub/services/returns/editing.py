"""Who may change a return's evidence now: the site's own lead (in the return's programme), while the
return is a draft or returned and its programme is active.

Every section's writes (the item service, measures, the milestone, documents, uploads, marking a section)
pass this rule before they change anything.
"""

from __future__ import annotations

from evidence_hub.formatting import date_uk
from evidence_hub.models import Programme, Role, User
from evidence_hub.models.returns import EDITABLE_STATUSES, ReturnStatus, SiteReturn
from evidence_hub.services.common.access import leads_site, why_programme_takes_nothing
from evidence_hub.services.returns.errors import ReturnError

WHY_NOT_EDITABLE = {
    ReturnStatus.SUBMITTED: "it has been submitted and is waiting for review",
    ReturnStatus.APPROVED: "it has been approved",
    ReturnStatus.LOCKED: "its reporting period has closed",
}


def programme_of(site_return: SiteReturn) -> Programme:
    return site_return.reporting_period.framework.programme


def require_return_programme_active(programme: Programme, field: str = "") -> None:
    """The one check of every change to a return, its review or its comments: a programme that is not
    active takes none. access.require_programme_active's rule, raised as a ReturnError so that the reason
    is shown beside `field` where the page has one."""
    reason = why_programme_takes_nothing(programme)
    if reason:
        raise ReturnError(reason, field=field)


def require_lead_can_edit(user: User, site_return: SiteReturn) -> None:
    """Only the site's lead in the return's programme edits, only a draft or a returned return, and only
    while the programme is active."""
    programme = programme_of(site_return)
    if user.role_enum is not Role.SITE_LEAD or not leads_site(user, site_return.site_id, programme.id):
        raise ReturnError("Only the site's lead can change this return's evidence")
    require_return_programme_active(programme)
    if site_return.status_enum not in EDITABLE_STATUSES:
        reason = WHY_NOT_EDITABLE[site_return.status_enum]
        raise ReturnError(f"This return cannot be changed because {reason}.")


def why_read_only(site_return: SiteReturn) -> str:
    """Why the return cannot be changed now, in a sentence or two for its pages; empty while it can be."""
    closed = why_programme_takes_nothing(programme_of(site_return))
    if closed:
        return closed
    status = site_return.status_enum
    if status is ReturnStatus.SUBMITTED:
        return (
            "This return cannot be changed while it is waiting for an evaluator's review. If they return it "
            "with comments, you can change it and send it again."
        )
    if status is ReturnStatus.APPROVED:
        return (
            "This return has been approved, so it cannot be changed. If something in it is wrong, ask an "
            "evaluator to reopen it."
        )
    if status is ReturnStatus.LOCKED:
        locked_at = site_return.locked_at
        closed = f" on {date_uk(locked_at)}" if locked_at else ""
        approval = (
            "It was approved before the period closed."
            if site_return.is_approved
            else "It had not been approved when the period closed; an evaluator may still approve it as it "
            "stands."
        )
        return (
            f"This return is locked: its reporting period closed{closed}, so nothing in it can be changed. "
            f"{approval}"
        )
    return ""


def lead_may_edit(user: User, site_return: SiteReturn) -> bool:
    """The same rule as `require_lead_can_edit`, as a yes or no for a page to decide what to offer."""
    try:
        require_lead_can_edit(user, site_return)
    except ReturnError:
        return False
    return True


def require_evaluator(user: User) -> None:
    """Only evaluators (and administrators, who see what they see) review returns."""
    if user.role_enum not in (Role.EVALUATOR, Role.ADMINISTRATOR):
        raise ReturnError("Only an evaluator can review returns")
