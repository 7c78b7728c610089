"""Learning: the barriers, enablers, lessons, good practice and recommendations of a return, with the
framework's guidance beside the fields, and the evaluator's clearance of entries for national sharing."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.framework import LearningType
from evidence_hub.models.returns import LearningEntry, SiteReturn
from evidence_hub.returns.blueprint import editable_return, return_context, returns, visible_return
from evidence_hub.returns.learning_forms import DeleteLearningForm, LearningForm, NationalSharingForm
from evidence_hub.services.returns import learning as learning_service
from evidence_hub.services.returns.items import StaleEdit
from evidence_hub.services.returns.learning import LearningError
from evidence_hub.services.returns.workflow import ReturnError
from evidence_hub.web import acting_user, db_session

READERS = (Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)

FIELD_LABELS = {
    "learning_type": "Kind of learning",
    "dimensions": "Areas",
    "theme": "Line of enquiry",
    "title": "Title",
    "what_happened": "What happened",
    "why_it_matters": "Why it matters",
    "national_implication": "Implication for national roll-out",
}


@returns.app_template_global()
def learning_type_label(value: str) -> str:
    """A learning type's name ("Barrier", "Good practice")."""
    try:
        return LearningType(value).label
    except ValueError:
        return value


def _entry(site_return: SiteReturn, entry_id: int) -> LearningEntry:
    return learning_service.entry_in_return(db_session(), acting_user(), site_return, entry_id)


def _readable_conflict(conflict: StaleEdit) -> StaleEdit:
    def readable(values: dict[str, Any]) -> dict[str, Any]:
        shown = dict(values)
        if shown.get("learning_type"):
            shown["learning_type"] = learning_type_label(str(shown["learning_type"]))
        if isinstance(shown.get("dimensions"), list):
            shown["dimensions"] = ", ".join(shown["dimensions"])
        return shown

    return StaleEdit(item=conflict.item, theirs=readable(conflict.theirs), yours=readable(conflict.yours))


def _form_page(
    site_return: SiteReturn,
    form: LearningForm,
    entry: LearningEntry | None,
    conflict: StaleEdit | None = None,
) -> str:
    version = site_return.framework_version
    return render_template(
        "returns/learning/form.html",
        **return_context(
            site_return,
            form=form,
            entry=entry,
            guidance=learning_service.guidance_by_type(version),
            types=learning_service.learning_types_in_order(version),
            conflict=conflict,
            field_labels=FIELD_LABELS,
        ),
        title="Change a learning entry" if entry is not None else "Add a learning entry",
    )


def _learning_form(site_return: SiteReturn, **data: Any) -> LearningForm:
    form = LearningForm(**data)
    form.configure(site_return.framework_version)
    return form


@returns.route("/<int:return_id>/learning")
@roles(*READERS)
def learning(return_id: int) -> str:
    """The return's learning entries, with the framework's guidance on each kind of learning."""
    site_return = visible_return(return_id)
    user = acting_user()
    return render_template(
        "returns/learning/index.html",
        **return_context(
            site_return,
            guidance=learning_service.guidance_by_type(site_return.framework_version),
            types=learning_service.learning_types_in_order(site_return.framework_version),
            may_clear=user.role_enum in learning_service.CLEARING_ROLES,
        ),
        title="Learning",
    )


@returns.route("/<int:return_id>/learning/new", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def learning_new(return_id: int) -> str | Response:
    """Add a learning entry to the return."""
    session = db_session()
    site_return = editable_return(return_id)
    form = _learning_form(site_return)
    if form.validate_on_submit():
        try:
            with transaction(session):
                entry = learning_service.add_learning(session, acting_user(), site_return, form.to_data())
        except LearningError as error:
            form.show_errors(error.problems)
        else:
            flash(f"'{entry.title}' has been added.", "success")
            return redirect(url_for("returns.learning", return_id=return_id, _anchor=f"learning-{entry.id}"))
    return _form_page(site_return, form, None)


@returns.route("/<int:return_id>/learning/<int:entry_id>/edit", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def learning_edit(return_id: int, entry_id: int) -> str | Response:
    """Change a learning entry."""
    session = db_session()
    site_return = editable_return(return_id)
    entry = _entry(site_return, entry_id)
    form = _learning_form(site_return, data=LearningForm.initial(entry) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with transaction(session):
                learning_service.update_learning(
                    session, acting_user(), site_return, entry, form.to_data(), form.submitted_version
                )
        except LearningError as error:
            form.show_errors(error.problems)
        except StaleEdit as conflict:
            form.version.data = str(conflict.item.version)
            return _form_page(site_return, form, entry, _readable_conflict(conflict))
        else:
            flash(f"Your changes to '{entry.title}' have been saved.", "success")
            return redirect(url_for("returns.learning", return_id=return_id, _anchor=f"learning-{entry.id}"))
    return _form_page(site_return, form, entry)


@returns.route("/<int:return_id>/learning/<int:entry_id>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def learning_delete(return_id: int, entry_id: int) -> str | Response:
    """Ask to confirm, then delete a learning entry."""
    session = db_session()
    site_return = editable_return(return_id)
    entry = _entry(site_return, entry_id)
    form = DeleteLearningForm(data={"version": str(entry.version)})
    if form.validate_on_submit():
        title = entry.title
        try:
            with transaction(session):
                learning_service.delete_learning(
                    session, acting_user(), site_return, entry, form.submitted_version
                )
        except StaleEdit:
            flash(
                f"Somebody changed '{title}' after you opened it, so it has not been deleted. "
                "Check it before deleting it.",
                "information",
            )
            return redirect(url_for("returns.learning", return_id=return_id, _anchor=f"learning-{entry_id}"))
        flash(f"'{title}' has been deleted.", "success")
        return redirect(url_for("returns.learning", return_id=return_id))
    return render_template(
        "returns/learning/delete.html",
        **return_context(site_return, entry=entry, delete_form=form),
        title=f"Delete '{entry.title}'",
    )


@returns.route("/<int:return_id>/learning/<int:entry_id>/national-sharing", methods=["POST"])
@roles(Role.EVALUATOR, Role.ADMINISTRATOR)
def learning_national_sharing(return_id: int, entry_id: int) -> Response:
    """Clear an entry for national officials to read, or withdraw the clearance (evaluators only)."""
    session = db_session()
    site_return = visible_return(return_id)
    entry = _entry(site_return, entry_id)
    form = NationalSharingForm()
    anchor = f"learning-{entry.id}"
    if not form.validate_on_submit() or form.decision is None:
        flash("Choose whether to clear the entry for national sharing.", "information")
        return redirect(url_for("returns.learning", return_id=return_id, _anchor=anchor))
    try:
        with transaction(session):
            learning_service.set_cleared_for_national(session, acting_user(), entry, form.decision)
    except ReturnError as error:
        flash(error.message, "information")
    else:
        if form.decision:
            flash(f"'{entry.title}' is cleared: national officials can read it.", "success")
        else:
            flash(f"'{entry.title}' is no longer cleared for national officials.", "success")
    return redirect(url_for("returns.learning", return_id=return_id, _anchor=anchor))
