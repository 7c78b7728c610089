"""The data-sharing journey: the milestone the site reached in the period with its evidence, and the
site's register of data flows, kept up to date from any return the lead can still change."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import AgreementStatus, DataFlow, SiteReturn
from evidence_hub.returns.blueprint import editable_return, return_context, returns, visible_return
from evidence_hub.returns.journey_forms import DataFlowForm, DeleteDataFlowForm, MilestoneForm
from evidence_hub.services.returns import journey as journey_service
from evidence_hub.services.returns import workflow as returns_service
from evidence_hub.services.returns.items import StaleEdit
from evidence_hub.services.returns.journey import JourneyError
from evidence_hub.services.returns.workflow import ReturnError
from evidence_hub.web import acting_user, db_session

READERS = (Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)

MILESTONE_LABELS = {"journey_milestone": "Milestone", "journey_evidence": "Evidence"}
DATA_FLOW_LABELS = {
    "dataset": "Data set",
    "holder": "Holder",
    "purpose": "Purpose",
    "legal_gateway": "Legal gateway",
    "agreement_status": "Data-sharing agreement",
    "impact_assessment_status": "Privacy impact assessment",
    "requested_on": "Date requested",
    "approved_on": "Date approved",
    "received_on": "Date received",
    "notes": "Notes",
}


@returns.app_template_global()
def site_data_flows(site_return: SiteReturn) -> list[DataFlow]:
    """The register of data flows of the return's site (for the journey section and its summary)."""
    return journey_service.data_flows_of_site(db_session(), acting_user(), site_return.site_id)


@returns.app_template_global()
def agreement_status_label(value: str) -> str:
    """The status of an agreement or assessment in words ("In progress")."""
    try:
        return AgreementStatus(value).label
    except ValueError:
        return value


def _lead_may_edit(site_return: SiteReturn) -> bool:
    try:
        returns_service.require_lead_can_edit(acting_user(), site_return)
    except ReturnError:
        return False
    return True


def _milestone_form(site_return: SiteReturn, **data: Any) -> MilestoneForm:
    form = MilestoneForm(**data)
    form.configure(site_return.framework_version)
    return form


def _journey_page(
    site_return: SiteReturn, form: MilestoneForm | None, conflict: StaleEdit | None = None
) -> str:
    return render_template(
        "returns/journey/index.html",
        **return_context(site_return, form=form, conflict=conflict, field_labels=MILESTONE_LABELS),
        title="Data-sharing journey and data flows",
    )


@returns.route("/<int:return_id>/journey")
@roles(*READERS)
def journey(return_id: int) -> str:
    """The milestone reached in the period, with its evidence, and the site's register of data flows."""
    site_return = visible_return(return_id)
    form = None
    if _lead_may_edit(site_return):
        form = _milestone_form(site_return, data=MilestoneForm.initial(site_return))
    return _journey_page(site_return, form)


@returns.route("/<int:return_id>/journey", methods=["POST"])
@roles(Role.SITE_LEAD)
def journey_save(return_id: int) -> str | Response:
    """Save the milestone the site reached in the period, with its evidence."""
    session = db_session()
    site_return = editable_return(return_id)
    form = _milestone_form(site_return)
    if form.validate_on_submit():
        try:
            with transaction(session):
                journey_service.set_milestone(
                    session, acting_user(), site_return, form.to_data(), form.submitted_version
                )
        except JourneyError as error:
            form.show_errors(error.problems)
        except StaleEdit as conflict:
            form.version.data = str(conflict.item.version)
            return _journey_page(site_return, form, conflict)
        else:
            flash("The milestone has been saved.", "success")
            return redirect(url_for("returns.journey", return_id=return_id))
    return _journey_page(site_return, form)


# ---------------------------------------------------------------------------------------------------------
# The data-flow register


def _flow_page(
    site_return: SiteReturn, form: DataFlowForm, flow: DataFlow | None, conflict: StaleEdit | None = None
) -> str:
    return render_template(
        "returns/journey/data_flow_form.html",
        **return_context(site_return, form=form, flow=flow, conflict=conflict, field_labels=DATA_FLOW_LABELS),
        title=f"Change the data flow '{flow.dataset}'" if flow is not None else "Add a data flow",
    )


def _flow(site_return: SiteReturn, flow_id: int) -> DataFlow:
    return journey_service.data_flow_in(db_session(), acting_user(), site_return, flow_id)


@returns.route("/<int:return_id>/data-flows/new", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def data_flow_new(return_id: int) -> str | Response:
    """Add a data flow to the site's register."""
    session = db_session()
    site_return = editable_return(return_id)
    form = DataFlowForm(data=DataFlowForm.initial(None) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with transaction(session):
                flow = journey_service.add_data_flow(session, acting_user(), site_return, form.to_data())
        except JourneyError as error:
            form.show_errors(error.problems)
        else:
            flash(f"'{flow.dataset}' has been added to the register.", "success")
            return redirect(url_for("returns.journey", return_id=return_id, _anchor=f"data-flow-{flow.id}"))
    return _flow_page(site_return, form, None)


@returns.route("/<int:return_id>/data-flows/<int:flow_id>/edit", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def data_flow_edit(return_id: int, flow_id: int) -> str | Response:
    """Change a data flow in the site's register."""
    session = db_session()
    site_return = editable_return(return_id)
    flow = _flow(site_return, flow_id)
    form = DataFlowForm(data=DataFlowForm.initial(flow) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with transaction(session):
                journey_service.update_data_flow(
                    session, acting_user(), site_return, flow, form.to_data(), form.submitted_version
                )
        except JourneyError as error:
            form.show_errors(error.problems)
        except StaleEdit as conflict:
            form.version.data = str(conflict.item.version)
            return _flow_page(site_return, form, flow, conflict)
        else:
            flash(f"Your changes to '{flow.dataset}' have been saved.", "success")
            return redirect(url_for("returns.journey", return_id=return_id, _anchor=f"data-flow-{flow.id}"))
    return _flow_page(site_return, form, flow)


@returns.route("/<int:return_id>/data-flows/<int:flow_id>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def data_flow_delete(return_id: int, flow_id: int) -> str | Response:
    """Ask to confirm, then remove a data flow from the site's register."""
    session = db_session()
    site_return = editable_return(return_id)
    flow = _flow(site_return, flow_id)
    form = DeleteDataFlowForm(data={"version": str(flow.version)})
    if form.validate_on_submit():
        dataset = flow.dataset
        try:
            with transaction(session):
                journey_service.delete_data_flow(
                    session, acting_user(), site_return, flow, form.submitted_version
                )
        except StaleEdit:
            flash(
                f"Somebody changed '{dataset}' after you opened it, so it has not been removed. "
                "Check it before removing it.",
                "information",
            )
            return redirect(url_for("returns.journey", return_id=return_id, _anchor=f"data-flow-{flow_id}"))
        flash(f"'{dataset}' has been removed from the register.", "success")
        return redirect(url_for("returns.journey", return_id=return_id))
    return render_template(
        "returns/journey/delete.html",
        **return_context(site_return, flow=flow, delete_form=form),
        title=f"Remove '{flow.dataset}' from the register",
    )
