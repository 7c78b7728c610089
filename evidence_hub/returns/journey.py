"""The data-sharing journey: the milestone the site reached in the period with its evidence, and the
site's register of data flows, kept up to date from any return the lead can still change (the pages that
add, change and delete flows are item_pages.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import AgreementStatus, DataFlow, SiteReturn
from evidence_hub.return_pages import (
    READERS,
    editable_return,
    refused,
    return_context,
    visible_return,
)
from evidence_hub.returns.item_pages import ItemPages, register_item_pages
from evidence_hub.returns.journey_forms import DataFlowForm, MilestoneForm
from evidence_hub.returns.views import returns
from evidence_hub.services.returns import journey as journey_service
from evidence_hub.services.returns.data_flows import DATA_FLOWS, data_flows_of_site
from evidence_hub.services.returns.editing import lead_may_edit
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.web import acting_user, db_session


@returns.app_template_global()
def site_data_flows(site_return: SiteReturn) -> list[DataFlow]:
    """The register of data flows of the return's site (for the journey section and its summary)."""
    return data_flows_of_site(db_session(), acting_user(), site_return.site_id)


@returns.app_template_global()
def agreement_status_label(value: str) -> str:
    """The status of an agreement or assessment in words ("In progress")."""
    try:
        return AgreementStatus(value).label
    except ValueError:
        return value


def _journey_page(
    site_return: SiteReturn, form: MilestoneForm | None, conflict: StaleEdit | None = None
) -> str:
    return render_template(
        "returns/journey/index.html",
        **return_context(
            site_return, form=form, conflict=conflict, field_labels=journey_service.FIELD_LABELS
        ),
        title="Data-sharing journey and data flows",
    )


@returns.route("/<int:return_id>/journey")
@roles(*READERS)
def journey(return_id: int) -> str:
    """The milestone reached in the period, with its evidence, and the site's register of data flows."""
    site_return = visible_return(return_id)
    form = None
    if lead_may_edit(acting_user(), site_return):
        form = MilestoneForm(data=MilestoneForm.initial(site_return))
        form.configure(site_return)
    return _journey_page(site_return, form)


@returns.route("/<int:return_id>/journey", methods=["POST"])
@roles(Role.SITE_LEAD)
def journey_save(return_id: int) -> str | Response:
    """Save the milestone the site reached in the period, with its evidence."""
    session = db_session()
    site_return = editable_return(return_id)
    form = MilestoneForm()
    form.configure(site_return)
    conflict = None
    if form.validate_on_submit():
        try:
            with transaction(session):
                journey_service.set_milestone(
                    session, acting_user(), site_return, form.to_input(), form.submitted_version
                )
        except InvalidEvidence as invalid:
            form.show_problems(invalid.problems)
        except StaleEdit as stale:
            conflict = stale
            form.version.data = str(site_return.version)
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash("The milestone has been saved.", "success")
            return redirect(url_for("returns.journey", return_id=return_id))
    return _journey_page(site_return, form, conflict)


register_item_pages(
    ItemPages(
        items=DATA_FLOWS,
        form_class=DataFlowForm,
        form_template="returns/journey/data_flow_form.html",
        name="data_flow",
        anchor="data-flow",
        path="data-flows",
        section_endpoint="returns.journey",
        back_text="Back to the data-sharing journey",
        add_heading="Add a data flow",
        change_heading="Change a data flow",
        delete_warning="The data flow is removed from the site's register, for every period. The audit log "
        "keeps a record of it.",
    )
)
