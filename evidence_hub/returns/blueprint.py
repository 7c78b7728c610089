"""The returns blueprint and what its section pages share: finding the return, refusing edits, comments."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from evidence_hub.models.returns import ReviewComment, SiteReturn
from evidence_hub.services.returns import workflow as returns_service
from evidence_hub.services.returns.workflow import ReturnError
from evidence_hub.web import acting_user, db_session

returns = Blueprint("returns", __name__, url_prefix="/returns")


def visible_return(return_id: int) -> SiteReturn:
    """The return if the signed-in user may see it; 404 otherwise (raised as NotVisible)."""
    return returns_service.get_return(db_session(), acting_user(), return_id)


def editable_return(return_id: int) -> SiteReturn:
    """The return for a page that changes evidence: 404 when not visible, 403 when not this user's to edit."""
    site_return = visible_return(return_id)
    try:
        returns_service.require_lead_can_edit(acting_user(), site_return)
    except ReturnError:
        abort(403)
    return site_return


def refuse_if_read_only(site_return: SiteReturn) -> Response | None:
    """For a lead's POST to a return that can no longer change: say why and go back to the task list."""
    try:
        returns_service.require_lead_can_edit(acting_user(), site_return)
    except ReturnError as error:
        flash(error.message, "information")
        return redirect(url_for("returns.task_list", return_id=site_return.id))
    return None


def comments_by_item(site_return: SiteReturn) -> dict[tuple[str, int | None], list[ReviewComment]]:
    """Review comments grouped by the item they are about, for showing beside each item."""
    grouped: dict[tuple[str, int | None], list[ReviewComment]] = defaultdict(list)
    for comment in site_return.comments:
        grouped[(comment.item_type, comment.item_id)].append(comment)
    return grouped


def return_context(site_return: SiteReturn, **extra: Any) -> dict[str, Any]:
    """Template variables every return page uses."""
    user = acting_user()
    can_edit = True
    try:
        returns_service.require_lead_can_edit(user, site_return)
    except ReturnError:
        can_edit = False
    return {
        "site_return": site_return,
        "period": site_return.reporting_period,
        "site": site_return.site,
        "framework_version": site_return.framework_version,
        "comments": comments_by_item(site_return),
        "can_edit": can_edit,
        **extra,
    }
