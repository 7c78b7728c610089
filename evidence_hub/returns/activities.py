"""The "Activities" section of a return: the list, and the pages that add, change and delete activities
(item_pages.py)."""

from __future__ import annotations

from flask import render_template

from evidence_hub.guards import roles
from evidence_hub.models.returns import Activity
from evidence_hub.models.sites import PartnerType
from evidence_hub.return_pages import READERS, return_context, visible_return
from evidence_hub.returns.activity_forms import ActivityForm
from evidence_hub.returns.item_lists import section_page, section_url_showing
from evidence_hub.returns.item_pages import ItemPages, register_item_pages
from evidence_hub.returns.views import returns
from evidence_hub.services.returns.activities import ACTIVITIES, date_range_text
from evidence_hub.services.returns.item_lists import ACTIVITY_LIST

# The section's page argument.
ACTIVITIES_PAGE = "page"


@returns.app_template_global("activity_dates")
def activity_dates(item: Activity) -> str:
    """'3 May 2009', or '3 May 2009 to 7 May 2009'."""
    return date_range_text(item.starts_on, item.ends_on)


@returns.app_template_global("partner_type_labels")
def partner_type_labels(values: list[str]) -> list[str]:
    known = {kind.value: kind.label for kind in PartnerType}
    return [known.get(value, value) for value in values]


@returns.route("/<int:return_id>/activities")
@roles(*READERS)
def activities(return_id: int) -> str:
    """The return's activities, 50 a page, with comments beside each."""
    site_return = visible_return(return_id)
    activities_page = section_page(site_return, ACTIVITY_LIST, "returns.activities", ACTIVITIES_PAGE)
    return render_template(
        "returns/activities/section.html",
        **return_context(site_return, activities_page=activities_page),
        title="Activities" + activities_page.in_title(),
    )


register_item_pages(
    ItemPages(
        items=ACTIVITIES,
        form_class=ActivityForm,
        form_template="returns/activities/form.html",
        name="activity",
        anchor="activity",
        path="activities",
        section_endpoint="returns.activities",
        back_text="Back to activities",
        section_url_for=section_url_showing("returns.activities", ACTIVITY_LIST, "activity", ACTIVITIES_PAGE),
        add_heading="Add an activity",
        change_heading="Change an activity",
        delete_warning="The activity is removed from the return. The audit log keeps a record of it.",
    )
)
