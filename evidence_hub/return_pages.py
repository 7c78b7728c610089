"""What every page about a return shares, whichever blueprint serves it (the lead's section pages, the
evaluator's review): finding the return, refusing edits, and the template variables of every page."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import abort, flash, make_response, redirect, url_for
from werkzeug.wrappers import Response

from evidence_hub.errors import render_error
from evidence_hub.models import Role
from evidence_hub.models.returns import ReviewComment, SiteReturn
from evidence_hub.services.returns.editing import lead_may_edit, require_lead_can_edit
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.finding import get_return
from evidence_hub.web import acting_user, db_session

# Who reads a return's pages: its site's lead, evaluators and administrators (services/common/access.py
# narrows leads to their own site).
READERS = (Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)


def visible_return(return_id: int) -> SiteReturn:
    """The return if the signed-in user may see it; 404 otherwise (raised as NotVisible)."""
    return get_return(db_session(), acting_user(), return_id)


def editable_return(return_id: int) -> SiteReturn:
    """The return for a page that changes evidence: 404 when not visible; when not this user's to change
    now, 403 with a page that says why (its programme is closed, it was submitted, ...)."""
    site_return = visible_return(return_id)
    try:
        require_lead_can_edit(acting_user(), site_return)
    except ReturnError as error:
        abort(cannot_change(error, site_return))
    return site_return


def cannot_change(error: ReturnError, site_return: SiteReturn) -> Response:
    """The 403 page of a change the return does not allow, with the reason the task list gives."""
    page, status = render_error(
        403,
        title="You cannot change this return",
        message=error.message,
        back=(url_for("returns.task_list", return_id=site_return.id), "Go back to the return"),
    )
    return make_response(page, status)


def refused(error: ReturnError, site_return: SiteReturn) -> Response:
    """A change the return no longer allows (it was submitted or locked meanwhile): say why, back to the
    task list."""
    flash(error.message, "information")
    return redirect(url_for("returns.task_list", return_id=site_return.id))


def refuse_if_read_only(site_return: SiteReturn) -> Response | None:
    """For a lead's POST to a return that can no longer change: say why and go back to the task list."""
    try:
        require_lead_can_edit(acting_user(), site_return)
    except ReturnError as error:
        return refused(error, site_return)
    return None


def comments_by_item(site_return: SiteReturn) -> dict[tuple[str, int | None], list[ReviewComment]]:
    """Review comments grouped by the item they are about, for showing beside each item."""
    grouped: dict[tuple[str, int | None], list[ReviewComment]] = defaultdict(list)
    for comment in site_return.comments:
        grouped[(comment.item_type, comment.item_id)].append(comment)
    return grouped


def return_context(site_return: SiteReturn, **extra: Any) -> dict[str, Any]:
    """Template variables every return page uses."""
    return {
        "site_return": site_return,
        "period": site_return.reporting_period,
        "site": site_return.site,
        "framework_version": site_return.framework_version,
        "comments": comments_by_item(site_return),
        "can_edit": lead_may_edit(acting_user(), site_return),
        **extra,
    }
