"""Learning: the barriers, enablers, lessons, good practice and recommendations of a return, with the
framework's guidance beside the fields (the pages that add, change and delete entries are item_pages.py),
and the evaluator's clearance of entries for national sharing."""

from __future__ import annotations

from flask import flash, redirect, render_template
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.return_pages import READERS, return_context, visible_return
from evidence_hub.returns.item_lists import section_page, section_url_showing
from evidence_hub.returns.item_pages import ItemPages, register_item_pages
from evidence_hub.returns.learning_forms import LearningForm, NationalSharingForm
from evidence_hub.returns.views import returns
from evidence_hub.services.returns import learning as learning_service
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.item_lists import LEARNING_LIST
from evidence_hub.services.returns.learning import LEARNING
from evidence_hub.web import acting_user, db_session

# The section's page argument.
LEARNING_PAGE = "page"
# The section page showing an entry, scrolled to it.
learning_section_url = section_url_showing("returns.learning", LEARNING_LIST, "learning", LEARNING_PAGE)


@returns.app_template_global()
def learning_type_label(value: str) -> str:
    """A learning type's name ("Barrier", "Good practice")."""
    return learning_service.learning_type_label(value)


@returns.route("/<int:return_id>/learning")
@roles(*READERS)
def learning(return_id: int) -> str:
    """The return's learning entries, 50 a page, with the framework's guidance on each kind of learning."""
    site_return = visible_return(return_id)
    user = acting_user()
    learning_page = section_page(site_return, LEARNING_LIST, "returns.learning", LEARNING_PAGE)
    return render_template(
        "returns/learning/index.html",
        **return_context(
            site_return,
            guidance=learning_service.guidance_by_type(site_return.framework_version),
            types=learning_service.learning_types_in_order(site_return.framework_version),
            may_clear=user.role_enum in learning_service.CLEARING_ROLES,
            learning_page=learning_page,
        ),
        title="Learning" + learning_page.in_title(),
    )


register_item_pages(
    ItemPages(
        items=LEARNING,
        form_class=LearningForm,
        form_template="returns/learning/form.html",
        name="learning",
        anchor="learning",
        path="learning",
        section_endpoint="returns.learning",
        back_text="Back to learning",
        section_url_for=learning_section_url,
        add_heading="Add a learning entry",
        change_heading="Change a learning entry",
        delete_warning="The entry is removed from the return. The audit log keeps a record of it.",
    )
)


@returns.route("/<int:return_id>/learning/<int:entry_id>/national-sharing", methods=["POST"])
@roles(Role.EVALUATOR, Role.ADMINISTRATOR)
def learning_national_sharing(return_id: int, entry_id: int) -> Response:
    """Clear an entry for national officials to read, or withdraw the clearance (evaluators only)."""
    session, user = db_session(), acting_user()
    site_return = visible_return(return_id)
    entry = LEARNING.find(session, user, site_return, entry_id)
    form = NationalSharingForm()
    back = learning_section_url(site_return, entry.id)
    if not form.validate_on_submit() or form.decision is None:
        flash("Choose whether to clear the entry for national sharing.", "information")
        return redirect(back)
    try:
        with transaction(session):
            learning_service.set_cleared_for_national(session, user, entry, form.decision)
    except ReturnError as error:
        flash(error.message, "information")
    else:
        if form.decision:
            flash(f"'{entry.title}' is cleared: national officials can read it.", "success")
        else:
            flash(f"'{entry.title}' is no longer cleared for national officials.", "success")
    return redirect(back)
