"""The "Activities" section of a return: the list, and adding, changing and deleting activities. Views
only read forms and call services/returns/activities.py."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import Activity, SiteReturn
from evidence_hub.models.sites import PartnerType
from evidence_hub.returns.activity_forms import ActivityForm, DeleteActivityForm
from evidence_hub.returns.blueprint import editable_return, return_context, returns, visible_return
from evidence_hub.returns.costs import show_problems
from evidence_hub.services.returns import activities as activities_service
from evidence_hub.services.returns.activities import CleanActivity, InvalidActivity
from evidence_hub.services.returns.items import StaleEdit
from evidence_hub.services.returns.workflow import ReturnError
from evidence_hub.web import acting_user, db_session

READERS = (Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)

ACTIVITY_FIELD_LABELS = {
    "activity_type": "Type of activity",
    "title": "Title",
    "description": "Description",
    "dates": "When",
    "partner_types": "Kinds of partner involved",
    "partners": "Partner organisations involved",
    "people_reached": "People reached",
    "outputs": "Outputs",
    "themes": "Themes it informs",
}


@returns.app_template_global("activity_dates")
def activity_dates(item: Activity) -> str:
    """'3 May 2009', or '3 May 2009 to 7 May 2009'."""
    return activities_service.date_range_text(item.starts_on, item.ends_on)


@returns.app_template_global("partner_type_labels")
def partner_type_labels(values: list[str]) -> list[str]:
    known = {kind.value: kind.label for kind in PartnerType}
    return [known.get(value, value) for value in values]


def _section_url(site_return: SiteReturn, anchor: str = "") -> str:
    url = url_for("returns.activities", return_id=site_return.id)
    return f"{url}#{anchor}" if anchor else url


def _refused(error: ReturnError, site_return: SiteReturn) -> Response:
    flash(error.message, "information")
    return redirect(url_for("returns.task_list", return_id=site_return.id))


@returns.route("/<int:return_id>/activities")
@roles(*READERS)
def activities(return_id: int) -> str:
    """The return's activities, with comments beside each."""
    site_return = visible_return(return_id)
    return render_template(
        "returns/activities/section.html", **return_context(site_return), title="Activities"
    )


def _form(site_return: SiteReturn, item: Activity | None = None) -> ActivityForm:
    data = ActivityForm.data_of(item) if item is not None and request.method == "GET" else None
    form = ActivityForm(data=data)
    form.set_choices(site_return.framework_version, site_return.site)
    return form


def _form_page(site_return: SiteReturn, form: ActivityForm, heading: str, **extra: Any) -> str:
    return render_template(
        "returns/activities/form.html",
        **return_context(
            site_return, form=form, heading=heading, field_labels=ACTIVITY_FIELD_LABELS, **extra
        ),
        title=heading,
    )


@returns.route("/<int:return_id>/activities/new", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def activity_new(return_id: int) -> str | Response:
    """Add an activity to the return."""
    session = db_session()
    site_return = editable_return(return_id)
    form = _form(site_return)
    if form.is_submitted():
        if form.validate():
            try:
                with transaction(session):
                    item = activities_service.add_activity(
                        session, acting_user(), site_return, form.activity_input()
                    )
            except InvalidActivity as invalid:
                show_problems(form, invalid.problems)
            except ReturnError as error:
                return _refused(error, site_return)
            else:
                flash(f"Activity added: {item.title}.", "success")
                return redirect(_section_url(site_return, f"activity-{item.id}"))
        else:
            show_problems(form, activities_service.activity_problems(site_return, form.activity_input()))
    return _form_page(site_return, form, "Add an activity")


@returns.route("/<int:return_id>/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def activity_edit(return_id: int, activity_id: int) -> str | Response:
    """Change an activity; if somebody saved it meanwhile, show both versions instead of overwriting."""
    session = db_session()
    site_return = editable_return(return_id)
    item = activities_service.activity_in_return(session, acting_user(), site_return, activity_id)
    form = _form(site_return, item)
    conflict = None
    if form.is_submitted():
        if form.validate():
            try:
                with transaction(session):
                    changed = activities_service.update_activity(
                        session, acting_user(), item, form.activity_input(), form.submitted_version
                    )
            except InvalidActivity as invalid:
                show_problems(form, invalid.problems)
            except StaleEdit as stale:
                conflict = stale
                form.version.data = str(item.version)
            except ReturnError as error:
                return _refused(error, site_return)
            else:
                flash(
                    f"Activity changed: {item.title}."
                    if changed
                    else "No changes were made to the activity.",
                    "success",
                )
                return redirect(_section_url(site_return, f"activity-{item.id}"))
        else:
            show_problems(form, activities_service.activity_problems(site_return, form.activity_input()))
    return _form_page(site_return, form, "Change an activity", item=item, conflict=conflict)


@returns.route("/<int:return_id>/activities/<int:activity_id>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def activity_delete(return_id: int, activity_id: int) -> str | Response:
    """Ask to confirm, then delete an activity."""
    session = db_session()
    site_return = editable_return(return_id)
    item = activities_service.activity_in_return(session, acting_user(), site_return, activity_id)
    form = DeleteActivityForm(data={"version": str(item.version)} if request.method == "GET" else None)
    changed_meanwhile = False
    if form.validate_on_submit():
        try:
            with transaction(session):
                activities_service.delete_activity(session, acting_user(), item, form.submitted_version)
        except StaleEdit:
            changed_meanwhile = True
            form.version.data = str(item.version)
        except ReturnError as error:
            return _refused(error, site_return)
        else:
            flash(f"Activity deleted: {item.title}.", "success")
            return redirect(_section_url(site_return))
    return render_template(
        "returns/activities/delete.html",
        **return_context(
            site_return,
            form=form,
            item=item,
            described=activities_service.describe_activity(CleanActivity.of(item)),
            field_labels=ACTIVITY_FIELD_LABELS,
            changed_meanwhile=changed_meanwhile,
        ),
        title="Are you sure you want to delete this activity?",
    )
