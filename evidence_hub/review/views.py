"""Reviewing returns: what is waiting, every return, one return in full, and the evaluator's decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import ReturnSection, ReturnStatus, SiteReturn
from evidence_hub.return_pages import return_context
from evidence_hub.review.forms import (
    ApproveForm,
    ItemCommentForm,
    ReopenForm,
    ReturnFilterForm,
    ReturnToSiteForm,
    WithdrawApprovalForm,
)
from evidence_hub.services.common.access import NotVisible, visible_site_names, why_programme_takes_nothing
from evidence_hub.services.returns import changes, comments, completeness, finding, workflow
from evidence_hub.services.returns.editing import programme_of
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.web import acting_user, asked_page, db_session, pagination

review = Blueprint("review", __name__, url_prefix="/review")

REVIEWERS = (Role.EVALUATOR, Role.ADMINISTRATOR)
RETURNS_PER_PAGE = 50
MOST_ITEMS_TO_CHOOSE_FROM = 100


def _return(return_id: int) -> SiteReturn:
    return finding.get_return(db_session(), acting_user(), return_id)


def _back_to_review(site_return: SiteReturn) -> Response:
    return redirect(url_for("review.review_return", return_id=site_return.id))


def _refused(site_return: SiteReturn, message: str) -> Response:
    flash(message, "information")
    return _back_to_review(site_return)


def _show_beside_field(form: FlaskForm, error: ReturnError) -> bool:
    """Put a service's message beside the field it names; False when it names no field of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [error.message]
    return True


@review.route("/")
@roles(*REVIEWERS)
def index() -> str:
    """Returns waiting for review, the longest-waiting first, a page at a time."""
    found = finding.returns_to_review(
        db_session(), acting_user(), page=asked_page(), per_page=RETURNS_PER_PAGE
    )
    return render_template(
        "review/index.html",
        found=found,
        waiting=found.items,
        pagination=pagination(found.page, found.pages, lambda number: url_for("review.index", page=number)),
        title="Returns waiting for review",
    )


@review.route("/returns")
@roles(*REVIEWERS)
def all_returns() -> str:
    """Every return, narrowed by status, site and reporting period."""
    session = db_session()
    form = ReturnFilterForm(formdata=request.args)
    periods = finding.every_period(session, acting_user())
    frameworks = {period.framework_id for period in periods}
    form.set_choices(
        visible_site_names(acting_user()),
        [
            (period.id, f"{period.name}, {period.framework.name}" if len(frameworks) > 1 else period.name)
            for period in periods
        ],
    )
    filters: dict[str, Any] = {}
    if form.validate():
        filters = {
            "status": form.chosen_status(),
            "site_id": form.chosen_id(form.site),
            "period_id": form.chosen_id(form.period),
        }
    found = finding.find_returns(
        session,
        acting_user(),
        **filters,
        page=asked_page(),
        per_page=RETURNS_PER_PAGE,
    )
    arguments: dict[str, Any] = {
        name: value for name, value in request.args.items() if name in ("status", "site", "period")
    }
    return render_template(
        "review/returns.html",
        form=form,
        found=found,
        pagination=pagination(
            found.page, found.pages, lambda number: url_for("review.all_returns", **arguments, page=number)
        ),
        title="All returns",
    )


@review.route("/returns/<int:return_id>")
@roles(*REVIEWERS)
def review_return(return_id: int) -> str:
    """Everything in one return, what changed since it was last returned, and the decisions to take."""
    session = db_session()
    site_return = _return(return_id)
    # A closed programme's returns take no comment, sending back or reopening; approving stays open.
    closed_reason = why_programme_takes_nothing(programme_of(site_return))
    return render_template(
        "review/return.html",
        **return_context(
            site_return,
            changes=changes.changes_since_last_review(session, site_return),
            problems=completeness.completeness_problems(session, site_return),
            submission_round=changes.current_round(session, site_return),
            sections=list(ReturnSection),
            can_comment=site_return.status_enum is ReturnStatus.SUBMITTED and not closed_reason,
            closed_reason=closed_reason,
            # Named only for the items the page shows: the largest returns hold well over a thousand.
            comment_label=lambda subject: comments.commentable_label(session, site_return, *subject),
        ),
        title=f"Review {site_return.site.name}: {site_return.reporting_period.name}",
    )


def _item_choices(site_return: SiteReturn) -> list[tuple[str, str]]:
    return [(item.key, item.label) for item in comments.commentable_items(site_return)]


def _item_label(site_return: SiteReturn, key: str) -> str | None:
    """The name of the item a choice's value ("activity:12") names, None when it names none of the return."""
    kind, _, item_id = key.partition(":")
    if not item_id.isdigit():
        return None
    return comments.commentable_label(db_session(), site_return, kind, int(item_id)) or None


@review.route("/returns/<int:return_id>/comment", methods=["GET", "POST"])
@roles(*REVIEWERS)
def comment(return_id: int) -> str | Response:
    """Comment on the return as a whole or on one of its items, while it is waiting for review."""
    session = db_session()
    site_return = _return(return_id)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        return _refused(site_return, "You can comment on a return only while it is waiting for review.")
    form = ItemCommentForm()
    if request.method == "GET" and request.args.get("item"):
        form.item.data = request.args["item"]
    # Opened from an item on the review page: the comment is about that item, named rather than chosen, and
    # only that item is read (the largest returns hold well over a thousand items to choose from).
    from_item = request.args.get("item") or request.form.get("from_item")
    chosen_label = _item_label(site_return, form.item.data or "") if from_item else None
    items_held = 0 if chosen_label else comments.commentable_count(session, site_return)
    # Past this many items a list to choose from is too long to use (the largest returns hold well over a
    # thousand): the comment is about the return as a whole, and an item is commented on from beside it.
    too_many_to_list = items_held > MOST_ITEMS_TO_CHOOSE_FROM
    if chosen_label:
        form.set_item_choices([(form.item.data or "", chosen_label)])
    else:
        form.set_item_choices([] if too_many_to_list else _item_choices(site_return))
    if form.validate_on_submit():
        item_type, item_id = form.chosen_item()
        try:
            with transaction(session):
                comments.add_comment(
                    session, acting_user(), site_return, form.body.data or "", item_type, item_id
                )
        except NotVisible:
            form.item.errors = ["Select an item from this return"]
        except ReturnError as error:
            if not _show_beside_field(form, error):
                return _refused(site_return, error.message)
        else:
            flash(
                "Your comment has been added. The site lead will see it when you return the return.",
                "success",
            )
            return _back_to_review(site_return)
    return render_template(
        "review/comment.html",
        **return_context(
            site_return,
            form=form,
            chosen_label=chosen_label,
            too_many_to_list=too_many_to_list,
            items_held=items_held,
        ),
        title="Comment on this item" if chosen_label else "Comment on this return",
    )


@review.route("/returns/<int:return_id>/return", methods=["GET", "POST"])
@roles(*REVIEWERS)
def send_back(return_id: int) -> str | Response:
    """Return the return to the site with a comment saying what to change."""
    session = db_session()
    site_return = _return(return_id)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        return _refused(site_return, "Only a submitted return can be returned to the site.")
    form = ReturnToSiteForm()
    if form.validate_on_submit():
        try:
            with transaction(session):
                workflow.return_to_site(session, acting_user(), site_return, form.comment.data or "")
        except ReturnError as error:
            if not _show_beside_field(form, error):
                return _refused(site_return, error.message)
        else:
            flash(
                f"The return has been sent back to {site_return.site.name} with your comments. "
                "It will come back here when they submit it again.",
                "success",
            )
            return _back_to_review(site_return)
    return render_template(
        "review/send_back.html",
        **return_context(site_return, form=form),
        title="Return this return to the site",
    )


@review.route("/returns/<int:return_id>/approve", methods=["GET", "POST"])
@roles(*REVIEWERS)
def approve(return_id: int) -> str | Response:
    """Approve a submitted return, with an optional comment; or a return locked before it was approved,
    with the reason."""
    session = db_session()
    site_return = _return(return_id)
    after_lock = site_return.status_enum is ReturnStatus.LOCKED and not site_return.is_approved
    if site_return.status_enum is not ReturnStatus.SUBMITTED and not after_lock:
        return _refused(
            site_return, "Only a submitted return, or a locked one not yet approved, can be approved."
        )
    form = ApproveForm()
    if after_lock:
        form.comment.label.text = "Why are you approving this return after its period closed?"
        form.comment.description = "The site lead sees this reason, and it is kept in the audit log."
    if form.validate_on_submit():
        try:
            with transaction(session):
                workflow.approve(session, acting_user(), site_return, form.comment.data or "")
        except ReturnError as error:
            if not _show_beside_field(form, error):
                return _refused(site_return, error.message)
        else:
            flash(
                f"The return from {site_return.site.name} for {site_return.reporting_period.name} "
                "has been approved.",
                "success",
            )
            return _back_to_review(site_return)
    return render_template(
        "review/approve.html",
        **return_context(site_return, form=form, after_lock=after_lock),
        title="Approve this return",
    )


@review.route("/returns/<int:return_id>/withdraw-approval", methods=["GET", "POST"])
@roles(*REVIEWERS)
def withdraw_approval(return_id: int) -> str | Response:
    """Take back the approval of a locked return, with the reason: its figures stop counting as approved."""
    session = db_session()
    site_return = _return(return_id)
    if site_return.status_enum is not ReturnStatus.LOCKED or not site_return.is_approved:
        return _refused(
            site_return, "Only an approved return whose period has closed can have its approval withdrawn."
        )
    form = WithdrawApprovalForm()
    if form.validate_on_submit():
        try:
            with transaction(session):
                workflow.withdraw_approval(session, acting_user(), site_return, form.reason.data or "")
        except ReturnError as error:
            if not _show_beside_field(form, error):
                return _refused(site_return, error.message)
        else:
            flash(
                f"The approval of the return from {site_return.site.name} for "
                f"{site_return.reporting_period.name} has been withdrawn. Its figures no longer count as "
                "approved, including in any release published from now on.",
                "success",
            )
            return _back_to_review(site_return)
    return render_template(
        "review/withdraw_approval.html",
        **return_context(site_return, form=form),
        title="Withdraw the approval of this return",
    )


@review.route("/returns/<int:return_id>/reopen", methods=["GET", "POST"])
@roles(*REVIEWERS)
def reopen(return_id: int) -> str | Response:
    """Give a submitted or approved return back to the site for changes, with a reason."""
    session = db_session()
    site_return = _return(return_id)
    if site_return.status_enum not in (ReturnStatus.SUBMITTED, ReturnStatus.APPROVED):
        return _refused(site_return, "Only a submitted or approved return can be reopened.")
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            with transaction(session):
                workflow.reopen(session, acting_user(), site_return, form.reason.data or "")
        except ReturnError as error:
            if not _show_beside_field(form, error):
                return _refused(site_return, error.message)
        else:
            flash(
                f"The return has been reopened. {site_return.site.name} can change it and submit it again.",
                "success",
            )
            return _back_to_review(site_return)
    return render_template(
        "review/reopen.html", **return_context(site_return, form=form), title="Reopen this return"
    )
