"""Who may change a return's evidence now: the site's own lead, while the return is a draft or returned.

Every section's writes (the item service, measures, the milestone, documents, uploads, marking a section)
pass this rule before they change anything.
"""

from __future__ import annotations

from evidence_hub.models import Role, User
from evidence_hub.models.returns import EDITABLE_STATUSES, ReturnStatus, SiteReturn
from evidence_hub.services.returns.errors import ReturnError

WHY_NOT_EDITABLE = {
    ReturnStatus.SUBMITTED: "it has been submitted and is waiting for review",
    ReturnStatus.APPROVED: "it has been approved",
    ReturnStatus.LOCKED: "its reporting period has closed",
}


def require_lead_can_edit(user: User, site_return: SiteReturn) -> None:
    """Only the site's lead edits, and only a draft or a returned return."""
    if user.role_enum is not Role.SITE_LEAD or user.site_id != site_return.site_id:
        raise ReturnError("Only the site's lead can change this return's evidence")
    if site_return.status_enum not in EDITABLE_STATUSES:
        reason = WHY_NOT_EDITABLE[site_return.status_enum]
        raise ReturnError(f"This return cannot be changed because {reason}.")


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
