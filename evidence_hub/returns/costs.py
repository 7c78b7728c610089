"""The "Costs and savings" section of a return: the list with totals, and adding, changing and deleting
costs and savings. Views only read forms and call services/returns/costs.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.formatting import money
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import CostItem, CostType, Funding, SiteReturn
from evidence_hub.returns.blueprint import editable_return, return_context, returns, visible_return
from evidence_hub.returns.cost_forms import CostForm, DeleteItemForm, SavingForm
from evidence_hub.services.returns import costs as costs_service
from evidence_hub.services.returns.costs import CleanCost, CleanSaving, CostTotals, InvalidCost
from evidence_hub.services.returns.items import StaleEdit
from evidence_hub.services.returns.workflow import ReturnError
from evidence_hub.web import acting_user, db_session

READERS = (Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)

COST_FIELD_LABELS = {
    "category": "Cost category",
    "description": "Description",
    "amount": "Amount",
    "cost_type": "Set-up or running",
    "funding": "Cash or in kind",
    "attributable_percent": "Share attributable to the pilot",
    "attribution_reason": "Why only part is attributable",
    "staff_time": "Staff time",
    "funder": "Funder",
}

SAVING_FIELD_LABELS = {
    "description": "What was saved or avoided",
    "amount": "Amount saved",
    "evidence": "Evidence",
    "evidence_level": "Strength of the evidence",
}


@returns.app_template_global("cost_totals")
def cost_totals(site_return: SiteReturn) -> CostTotals:
    """The return's costs and savings added up, for the section page and the summaries."""
    return costs_service.cost_totals(site_return)


@returns.app_template_global("staff_time_text")
def staff_time_text(item: CostItem) -> str:
    """'10 hours at £25.00 an hour' for a staff-time cost; '' for any other."""
    return costs_service.staff_time_text(item.staff_time_quantity, item.staff_time_unit, item.staff_rate)


@returns.app_template_global("cost_choice_label")
def cost_choice_label(field: str, value: str) -> str:
    """The words for a stored choice: 'One-off set-up' for cost_type 'set_up', 'In kind' for funding."""
    choices: dict[str, type[CostType] | type[Funding]] = {"cost_type": CostType, "funding": Funding}
    return choices[field](value).label


@returns.app_template_filter("plain_number")
def plain_number(value: Decimal | None) -> str:
    """7.5 rather than 7.50; 100 rather than 100.00."""
    return costs_service.plain_number(value)


def show_problems(form: FlaskForm, problems: dict[str, str]) -> None:
    """Put the service's messages beside their fields, where the form has not already said something."""
    for name, message in problems.items():
        field = form._fields.get(name)
        if field is None:
            raise KeyError(f"The form has no field {name!r} for the message {message!r}")
        if not field.errors:
            field.errors = [message]


def _section_url(site_return: SiteReturn, anchor: str = "") -> str:
    url = url_for("returns.costs", return_id=site_return.id)
    return f"{url}#{anchor}" if anchor else url


def _refused(error: ReturnError, site_return: SiteReturn) -> Response:
    flash(error.message, "information")
    return redirect(url_for("returns.task_list", return_id=site_return.id))


def _cost_saved_message(item: CostItem, verb: str) -> str:
    staff = staff_time_text(item)
    worked_out = f", worked out from {staff}" if staff else ""
    return f"Cost {verb}: {item.category.name}, {money(item.amount)}{worked_out}."


@returns.route("/<int:return_id>/costs")
@roles(*READERS)
def costs(return_id: int) -> str:
    """The return's costs and savings, with totals and the framework's guidance."""
    site_return = visible_return(return_id)
    return render_template(
        "returns/costs/section.html",
        **return_context(site_return, totals=costs_service.cost_totals(site_return)),
        title="Costs and savings",
    )


def _cost_form_page(site_return: SiteReturn, form: CostForm, heading: str, **extra: Any) -> str:
    return render_template(
        "returns/costs/cost_form.html",
        **return_context(site_return, form=form, heading=heading, field_labels=COST_FIELD_LABELS, **extra),
        title=heading,
    )


@returns.route("/<int:return_id>/costs/new", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def cost_new(return_id: int) -> str | Response:
    """Add a cost to the return."""
    session = db_session()
    site_return = editable_return(return_id)
    form = CostForm()
    form.set_choices(site_return.framework_version)
    if form.is_submitted():
        if form.validate():
            try:
                with transaction(session):
                    item = costs_service.add_cost(session, acting_user(), site_return, form.cost_input())
            except InvalidCost as invalid:
                show_problems(form, invalid.problems)
            except ReturnError as error:
                return _refused(error, site_return)
            else:
                flash(_cost_saved_message(item, "added"), "success")
                return redirect(_section_url(site_return, f"cost-{item.id}"))
        else:
            show_problems(form, costs_service.cost_problems(site_return, form.cost_input()))
    return _cost_form_page(site_return, form, "Add a cost")


@returns.route("/<int:return_id>/costs/<int:cost_id>/edit", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def cost_edit(return_id: int, cost_id: int) -> str | Response:
    """Change a cost; if somebody saved it meanwhile, show both versions instead of overwriting."""
    session = db_session()
    site_return = editable_return(return_id)
    item = costs_service.cost_in_return(session, acting_user(), site_return, cost_id)
    form = CostForm(data=CostForm.data_of(item) if request.method == "GET" else None)
    form.set_choices(site_return.framework_version)
    conflict = None
    if form.is_submitted():
        if form.validate():
            try:
                with transaction(session):
                    changed = costs_service.update_cost(
                        session, acting_user(), item, form.cost_input(), form.submitted_version
                    )
            except InvalidCost as invalid:
                show_problems(form, invalid.problems)
            except StaleEdit as stale:
                conflict = stale
                form.version.data = str(item.version)
            except ReturnError as error:
                return _refused(error, site_return)
            else:
                message = (
                    _cost_saved_message(item, "changed") if changed else "No changes were made to the cost."
                )
                flash(message, "success")
                return redirect(_section_url(site_return, f"cost-{item.id}"))
        else:
            show_problems(form, costs_service.cost_problems(site_return, form.cost_input()))
    return _cost_form_page(
        site_return,
        form,
        "Change a cost",
        item=item,
        conflict=conflict,
        current_staff_time=staff_time_text(item),
    )


@returns.route("/<int:return_id>/costs/<int:cost_id>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def cost_delete(return_id: int, cost_id: int) -> str | Response:
    """Ask to confirm, then delete a cost."""
    session = db_session()
    site_return = editable_return(return_id)
    item = costs_service.cost_in_return(session, acting_user(), site_return, cost_id)
    form = DeleteItemForm(data={"version": str(item.version)} if request.method == "GET" else None)
    changed_meanwhile = False
    if form.validate_on_submit():
        try:
            with transaction(session):
                costs_service.delete_cost(session, acting_user(), item, form.submitted_version)
        except StaleEdit:
            changed_meanwhile = True
            form.version.data = str(item.version)
        except ReturnError as error:
            return _refused(error, site_return)
        else:
            flash(f"Cost deleted: {item.category.name}, {money(item.amount)}.", "success")
            return redirect(_section_url(site_return))
    return render_template(
        "returns/costs/delete.html",
        **return_context(
            site_return,
            form=form,
            kind="cost",
            item=item,
            described=costs_service.describe_cost(CleanCost.of(item)),
            field_labels=COST_FIELD_LABELS,
            changed_meanwhile=changed_meanwhile,
        ),
        title="Are you sure you want to delete this cost?",
    )


def _saving_form_page(site_return: SiteReturn, form: SavingForm, heading: str, **extra: Any) -> str:
    return render_template(
        "returns/costs/saving_form.html",
        **return_context(site_return, form=form, heading=heading, field_labels=SAVING_FIELD_LABELS, **extra),
        title=heading,
    )


@returns.route("/<int:return_id>/savings/new", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def saving_new(return_id: int) -> str | Response:
    """Record a saving or a cost avoided, with its evidence."""
    session = db_session()
    site_return = editable_return(return_id)
    form = SavingForm()
    form.set_choices(site_return.framework_version)
    if form.is_submitted():
        if form.validate():
            try:
                with transaction(session):
                    item = costs_service.add_saving(session, acting_user(), site_return, form.saving_input())
            except InvalidCost as invalid:
                show_problems(form, invalid.problems)
            except ReturnError as error:
                return _refused(error, site_return)
            else:
                flash(f"Saving added: {money(item.amount)}.", "success")
                return redirect(_section_url(site_return, f"saving-{item.id}"))
        else:
            show_problems(form, costs_service.saving_problems(site_return, form.saving_input()))
    return _saving_form_page(site_return, form, "Add a saving or cost avoided")


@returns.route("/<int:return_id>/savings/<int:saving_id>/edit", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def saving_edit(return_id: int, saving_id: int) -> str | Response:
    """Change a saving; if somebody saved it meanwhile, show both versions instead of overwriting."""
    session = db_session()
    site_return = editable_return(return_id)
    item = costs_service.saving_in_return(session, acting_user(), site_return, saving_id)
    form = SavingForm(data=SavingForm.data_of(item) if request.method == "GET" else None)
    form.set_choices(site_return.framework_version)
    conflict = None
    if form.is_submitted():
        if form.validate():
            try:
                with transaction(session):
                    changed = costs_service.update_saving(
                        session, acting_user(), item, form.saving_input(), form.submitted_version
                    )
            except InvalidCost as invalid:
                show_problems(form, invalid.problems)
            except StaleEdit as stale:
                conflict = stale
                form.version.data = str(item.version)
            except ReturnError as error:
                return _refused(error, site_return)
            else:
                flash(
                    f"Saving changed: {money(item.amount)}."
                    if changed
                    else "No changes were made to the saving.",
                    "success",
                )
                return redirect(_section_url(site_return, f"saving-{item.id}"))
        else:
            show_problems(form, costs_service.saving_problems(site_return, form.saving_input()))
    return _saving_form_page(
        site_return, form, "Change a saving or cost avoided", item=item, conflict=conflict
    )


@returns.route("/<int:return_id>/savings/<int:saving_id>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def saving_delete(return_id: int, saving_id: int) -> str | Response:
    """Ask to confirm, then delete a saving."""
    session = db_session()
    site_return = editable_return(return_id)
    item = costs_service.saving_in_return(session, acting_user(), site_return, saving_id)
    form = DeleteItemForm(data={"version": str(item.version)} if request.method == "GET" else None)
    changed_meanwhile = False
    if form.validate_on_submit():
        try:
            with transaction(session):
                costs_service.delete_saving(session, acting_user(), item, form.submitted_version)
        except StaleEdit:
            changed_meanwhile = True
            form.version.data = str(item.version)
        except ReturnError as error:
            return _refused(error, site_return)
        else:
            flash(f"Saving deleted: {money(item.amount)}.", "success")
            return redirect(_section_url(site_return))
    return render_template(
        "returns/costs/delete.html",
        **return_context(
            site_return,
            form=form,
            kind="saving",
            item=item,
            described=costs_service.describe_saving(CleanSaving.of(item)),
            field_labels=SAVING_FIELD_LABELS,
            changed_meanwhile=changed_meanwhile,
        ),
        title="Are you sure you want to delete this saving?",
    )
