"""The "Costs and savings" section of a return: the list with totals, and the pages that add, change and
delete costs and savings (item_pages.py)."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template

from evidence_hub.guards import roles
from evidence_hub.models.returns import CostItem, CostType, Funding, SiteReturn
from evidence_hub.return_pages import READERS, return_context, visible_return
from evidence_hub.returns.cost_forms import CostForm, SavingForm
from evidence_hub.returns.item_lists import section_page, section_url_showing
from evidence_hub.returns.item_pages import ItemPages, register_item_pages
from evidence_hub.returns.views import returns
from evidence_hub.services.returns.costs import COSTS, CostTotals, cost_totals, staff_time_text
from evidence_hub.services.returns.input_rules import plain_number
from evidence_hub.services.returns.item_lists import COST_LIST, SAVING_LIST
from evidence_hub.services.returns.savings import SAVINGS

# The page argument of each list, so that paging through costs keeps the savings on their page.
COSTS_PAGE = "page"
SAVINGS_PAGE = "savings_page"


@returns.app_template_global("cost_totals")
def return_cost_totals(site_return: SiteReturn) -> CostTotals:
    """The return's costs and savings added up, for the section page and the summaries."""
    return cost_totals(site_return)


@returns.app_template_global("staff_time_text")
def cost_staff_time_text(item: CostItem) -> str:
    """'10 hours at £25.00 an hour' for a staff-time cost; '' for any other."""
    return staff_time_text(item.staff_time_quantity, item.staff_time_unit, item.staff_rate)


@returns.app_template_global("cost_choice_label")
def cost_choice_label(field: str, value: str) -> str:
    """The words for a stored choice: 'One-off set-up' for cost_type 'set_up', 'In kind' for funding."""
    choices: dict[str, type[CostType] | type[Funding]] = {"cost_type": CostType, "funding": Funding}
    return choices[field](value).label


@returns.app_template_filter("plain_number")
def plain_number_filter(value: Decimal | None) -> str:
    """7.5 rather than 7.50; 100 rather than 100.00."""
    return plain_number(value)


@returns.route("/<int:return_id>/costs")
@roles(*READERS)
def costs(return_id: int) -> str:
    """The return's costs and savings, 50 of each a page, with totals and the framework's guidance."""
    site_return = visible_return(return_id)
    totals = cost_totals(site_return)
    both = (COSTS_PAGE, SAVINGS_PAGE)
    costs_page = section_page(site_return, COST_LIST, "returns.costs", COSTS_PAGE, both, totals.cost_count)
    savings_page = section_page(
        site_return, SAVING_LIST, "returns.costs", SAVINGS_PAGE, both, totals.saving_count
    )
    return render_template(
        "returns/costs/section.html",
        **return_context(
            site_return,
            totals=totals,
            costs_page=costs_page,
            savings_page=savings_page,
        ),
        title="Costs and savings" + costs_page.in_title("costs page"),
    )


register_item_pages(
    ItemPages(
        items=COSTS,
        form_class=CostForm,
        form_template="returns/costs/cost_form.html",
        name="cost",
        anchor="cost",
        path="costs",
        section_endpoint="returns.costs",
        back_text="Back to costs and savings",
        section_url_for=section_url_showing("returns.costs", COST_LIST, "cost", COSTS_PAGE),
        add_heading="Add a cost",
        change_heading="Change a cost",
        delete_warning="The cost is removed from the return. The audit log keeps a record of it.",
    )
)
register_item_pages(
    ItemPages(
        items=SAVINGS,
        form_class=SavingForm,
        form_template="returns/costs/saving_form.html",
        name="saving",
        anchor="saving",
        path="savings",
        section_endpoint="returns.costs",
        back_text="Back to costs and savings",
        section_url_for=section_url_showing("returns.costs", SAVING_LIST, "saving", SAVINGS_PAGE),
        add_heading="Add a saving or cost avoided",
        change_heading="Change a saving or cost avoided",
        delete_warning="The saving is removed from the return. The audit log keeps a record of it.",
    )
)
