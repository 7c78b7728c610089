"""The lists of a return's items, a page at a time, on every page that lists them: the sections (costs and
savings, activities, learning) and the read-only summaries of check your answers and the evaluator's review.

Each list takes its page from a request argument of its own, so paging one list keeps the others on their
pages; after an item is added or changed, its section opens at the page showing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from jinja2 import pass_context
from jinja2.runtime import Context

from evidence_hub.models.returns import SiteReturn
from evidence_hub.returns.views import returns
from evidence_hub.services.common.paging import page_count, page_within
from evidence_hub.services.returns.item_lists import (
    ACTIVITY_LIST,
    COST_LIST,
    LEARNING_LIST,
    SAVING_LIST,
    ItemList,
    item_count,
    items_page,
    position_of,
    positions_of,
)
from evidence_hub.web import pagination

# Items a list shows at a time: the largest site's return holds over a thousand costs, whose cards on one
# page took a second to draw and megabytes to send.
ITEMS_PER_PAGE = 50
# Items each list of a read-only summary shows at a time: a summary has four lists on one page (200 cards
# at 50 each took 52 ms of processor time a request, a twentieth of a bare page's throughput).
SUMMARY_ITEMS_PER_PAGE = 20


@dataclass(frozen=True)
class ItemsPage:
    """One page of a list: its items, which page of how many, and the links to the others."""

    items: Sequence[Any]
    page: int
    pages: int
    total: int
    first_number: int
    links: dict[str, Any] | None

    def in_title(self, which: str = "page") -> str:
        """What a page title adds past the first page (", page 2 of 3"), so that each page is told apart."""
        return f", {which} {self.page} of {self.pages}" if self.page > 1 else ""


def listed_page(
    site_return: SiteReturn,
    listed: ItemList,
    argument: str,
    page_url: Callable[[dict[str, Any]], str],
    kept_arguments: Collection[str],
    count: int | None = None,
    per_page: int = ITEMS_PER_PAGE,
) -> ItemsPage:
    """The page of a list that the request argument `argument` asks for. `page_url` makes the address of
    a page from the page arguments; the request's arguments named in `kept_arguments` go along, keeping the
    other lists of the page where they are. `count` saves counting the items when the page knows it."""
    total = item_count(site_return, listed) if count is None else count
    pages = page_count(total, per_page)
    page = page_within(request.args.get(argument, 1, type=int) or 1, total, per_page)
    start = (page - 1) * per_page
    kept = {name: value for name, value in request.args.items() if name in kept_arguments}
    return ItemsPage(
        items=items_page(site_return, listed, start, per_page),
        page=page,
        pages=pages,
        total=total,
        first_number=start + 1,
        links=pagination(page, pages, lambda number: page_url({**kept, argument: number})),
    )


def section_page(
    site_return: SiteReturn,
    listed: ItemList,
    endpoint: str,
    argument: str = "page",
    kept_arguments: Collection[str] = (),
    count: int | None = None,
) -> ItemsPage:
    """The page of a section's list (`endpoint`) that the request asks for; see `listed_page`."""
    return listed_page(
        site_return,
        listed,
        argument,
        lambda pages: url_for(endpoint, return_id=site_return.id, **pages),
        kept_arguments or (argument,),
        count,
    )


def _page_of(position: int, per_page: int = ITEMS_PER_PAGE) -> int:
    """The page number showing the item at this position of its list (0 for the first item)."""
    return position // per_page + 1


def page_showing(
    site_return: SiteReturn, listed: ItemList, item_id: int | None, argument: str
) -> dict[str, int]:
    """The page argument of the page that shows an item: none for the first page."""
    number = _page_of(position_of(site_return, listed, item_id))
    return {argument: number} if number > 1 else {}


def section_url_showing(
    endpoint: str, listed: ItemList, anchor: str, argument: str = "page"
) -> Callable[[SiteReturn, int | None], str]:
    """For ItemPages.section_url_for: the section page showing an item, scrolled to it ("<anchor>-<id>")."""

    def section_url(site_return: SiteReturn, item_id: int | None) -> str:
        values: dict[str, Any] = {
            "return_id": site_return.id,
            "_anchor": f"{anchor}-{item_id}" if item_id else None,
            **page_showing(site_return, listed, item_id, argument),
        }
        return url_for(endpoint, **values)

    return section_url


@dataclass(frozen=True)
class SummaryList:
    listed: ItemList
    argument: str
    # The id of the heading the list sits under, which its page links scroll to.
    heading: str


# The lists of the read-only summaries (returns/summary/*.html), by name.
SUMMARY_LISTS = {
    "costs": SummaryList(COST_LIST, "costs_page", "summary-costs"),
    "savings": SummaryList(SAVING_LIST, "savings_page", "summary-savings"),
    "activities": SummaryList(ACTIVITY_LIST, "activities_page", "section-activities"),
    "learning": SummaryList(LEARNING_LIST, "learning_page", "section-learning"),
}


# The list of the summary that shows each kind of item, by the kind its anchors name ("cost-12").
SUMMARY_OF_KIND = {"cost": "costs", "saving": "savings", "activity": "activities", "learning": "learning"}


def _summary_url(context: Context, pages: dict[str, Any], anchor: str) -> str:
    """An address on the page the summary is on: the template's `summary_endpoint` (check your answers,
    drawn again after a refused submission), else the page being served."""
    endpoint = context.get("summary_endpoint") or request.endpoint
    return url_for(str(endpoint), **(request.view_args or {}), **pages, _anchor=anchor)


@returns.app_template_global("summary_page")
@pass_context
def summary_page(context: Context, site_return: SiteReturn, name: str, count: int | None = None) -> ItemsPage:
    """A page of one list of a read-only summary (`count` when the template knows how many items there
    are), its links scrolled to the list's heading."""
    shown = SUMMARY_LISTS[name]
    return listed_page(
        site_return,
        shown.listed,
        shown.argument,
        lambda pages: _summary_url(context, pages, shown.heading),
        [each.argument for each in SUMMARY_LISTS.values()],
        count,
        SUMMARY_ITEMS_PER_PAGE,
    )


@returns.app_template_global("links_to_items")
@pass_context
def links_to_items(context: Context, site_return: SiteReturn, anchors: Iterable[str]) -> dict[str, str]:
    """Links to items of the summary by anchor ("cost-12"), for the review's list of what changed: to the
    anchor on this page for an item it shows, else to the page of its list that shows it, the other lists
    kept on their pages. Items the summary does not page (a measure, a document) are left out: their
    anchors work on any page."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for anchor in anchors:
        kind, _, item_id = anchor.rpartition("-")
        if kind in SUMMARY_OF_KIND and item_id.isdigit():
            wanted[kind].append(int(item_id))
    arguments = [each.argument for each in SUMMARY_LISTS.values()]
    kept: dict[str, Any] = {name: value for name, value in request.args.items() if name in arguments}
    links = {}
    for kind, item_ids in wanted.items():
        shown = SUMMARY_LISTS[SUMMARY_OF_KIND[kind]]
        page_shown = request.args.get(shown.argument, 1, type=int) or 1
        for found, position in positions_of(site_return, shown.listed, item_ids).items():
            anchor = f"{kind}-{found}"
            number = _page_of(position, SUMMARY_ITEMS_PER_PAGE)
            links[anchor] = (
                f"#{anchor}"
                if number == page_shown
                else _summary_url(context, {**kept, shown.argument: number}, anchor)
            )
    return links
