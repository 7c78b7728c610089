"""A return's items as the section pages and the read-only summaries (check your answers, the evaluator's
review) show them: cost, saving, activity and learning cards, the impact measures theme by theme, and the
evaluator's comments beside each item. Written in Python rather than as Jinja macros: a summary draws
about a hundred of them, and through macros they took more than half of the page's time.

Each is a template global taking the arguments its macro took; the template's own variables (whether the
evaluator may comment, and how an item is named) are read from the template's context. The cards are
built from the summary_card and govuk_tag template globals (design_system.py), looked up as a template
would, so that tests/pages.py `components_both_ways` can draw each through its Design System macro instead
and pin the markup to the macro's. Every piece of a person's text goes through escape().
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from flask import g, url_for
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from evidence_hub.formatting import datetime_uk, money, number
from evidence_hub.models.returns import (
    Activity,
    CostItem,
    LearningEntry,
    ReviewComment,
    SavingClaim,
    SiteReturn,
)
from evidence_hub.returns.activities import activity_dates, partner_type_labels
from evidence_hub.returns.costs import cost_choice_label, cost_staff_time_text, plain_number_filter
from evidence_hub.returns.learning import learning_type_label
from evidence_hub.returns.measures import indicator_range_text, measure_value_text
from evidence_hub.returns.views import returns, with_change_links
from evidence_hub.services.returns.measures import MeasureRow, ThemeMeasures

Comments = Mapping[tuple[str, int | None], Sequence[ReviewComment]]

# A value a page's addresses never hold, put in the place of the one that varies from item to item.
_SLOT = 9876543210
# Values that url_for writes as they are (unreserved characters), so may take the slot's place.
_AS_IS = re.compile(r"[A-Za-z0-9._~-]+")


def _address(endpoint: str, varying: str, value: int | str, **fixed: Any) -> str:
    """url_for(endpoint, **fixed, varying=value), with the address of the page's first item drawn by
    url_for and every other item's written into it: a summary links to each of a hundred items two or
    three times, and url_for took about 30 microseconds a link."""
    text = str(value)
    values: dict[str, Any] = {**fixed, varying: value}
    if not _AS_IS.fullmatch(text):
        return url_for(endpoint, **values)
    key = (endpoint, varying, tuple(sorted(fixed.items())))
    patterns: dict[Any, tuple[str, str] | None] = g.setdefault("_item_addresses", {})
    if key not in patterns:
        drawn = url_for(endpoint, **{**values, varying: _SLOT})
        before, slot, after = drawn.partition(str(_SLOT))
        patterns[key] = (before, after) if slot and str(_SLOT) not in after else None
    pattern = patterns[key]
    if pattern is None:
        return url_for(endpoint, **values)
    return f"{pattern[0]}{text}{pattern[1]}"


def _component(context: Context, name: str) -> Callable[[dict[str, Any]], Markup]:
    """A Design System component written in Python (summary_card, govuk_tag), as templates call it."""
    return cast(Callable[[dict[str, Any]], Markup], context.environment.globals[name])


def _text_block(context: Context, value: str | None, empty: str | None = None) -> Markup:
    """A person's text as paragraphs: design_system.text_block, as templates call it."""
    drawn: Callable[[str | None, str | None], Markup] = cast(Any, context.environment.globals["text_block"])
    return drawn(value, empty)


def _list_or(context: Context, values: list[str], empty: str) -> Markup:
    """Values as a GOV.UK list: design_system.list_or, as templates call it."""
    drawn: Callable[[list[str], str], Markup] = cast(Any, context.environment.globals["list_or"])
    return drawn(values, empty)


# ---------------------------------------------------------------------------------------------------------
# Comments


@returns.app_template_global()
@pass_context
def review_comments(
    context: Context,
    item_comments: Sequence[ReviewComment],
    comment_subject: tuple[str, int | None] | None = None,
) -> Markup:
    """The evaluators' comments on one item (`comment_subject`, as (kind, id)); on the review page, where
    the template says `can_comment`, a link for the evaluator to comment on the item."""
    parts = []
    if item_comments:
        heading = "comment" if len(item_comments) == 1 else "comments"
        parts.append(
            '<div class="govuk-inset-text app-review-comments">\n'
            f'  <h4 class="govuk-heading-s govuk-!-margin-bottom-1">Evaluator {heading}</h4>\n'
        )
        parts.extend(
            f'    <p class="govuk-body govuk-!-margin-bottom-1">{escape(comment.body)}</p>\n'
            f'    <p class="govuk-body-s govuk-!-margin-bottom-2">{escape(comment.author.full_name)}, '
            f"{escape(datetime_uk(comment.created_at))}</p>\n"
            for comment in item_comments
        )
        parts.append("</div>\n")
    if context.get("can_comment") and comment_subject is not None:
        kind, item_id = comment_subject
        address = url_for("review.comment", return_id=context["site_return"].id, item=f"{kind}:{item_id}")
        label = context["comment_label"](comment_subject)
        parts.append(
            '<p class="govuk-body-s app-comment-on-item">\n'
            f'  <a class="govuk-link" href="{escape(address)}">Comment on this item'
            f'<span class="govuk-visually-hidden">: {escape(label)}</span></a>\n'
            "</p>\n"
        )
    # The comments' text and the label went through escape(); the rest is the template's markup.
    return Markup("".join(parts))  # noqa: S704


def _item_comments(context: Context, comments: Comments, kind: str, item_id: int) -> Markup:
    subject = (kind, item_id)
    return review_comments(context, comments.get(subject, []), subject)


# ---------------------------------------------------------------------------------------------------------
# Cards of the item lists


def _card(
    context: Context,
    *,
    site_return: SiteReturn,
    can_edit: bool,
    heading: str,
    heading_level: int,
    anchor: str,
    item_id: int,
    rows: list[dict[str, Any]],
    edit_endpoint: str,
    delete_endpoint: str,
    delete_text: str = "Delete",
) -> Markup:
    actions = []
    if can_edit:
        edit_url = _address(edit_endpoint, "item_id", item_id, return_id=site_return.id)
        actions = [
            {"href": edit_url, "text": "Change"},
            {
                "href": _address(delete_endpoint, "item_id", item_id, return_id=site_return.id),
                "text": delete_text,
            },
        ]
        rows = with_change_links(rows, edit_url)
    return _component(context, "summary_card")(
        {
            "card": {
                "title": {"text": heading, "headingLevel": heading_level},
                "actions": {"items": actions},
                "attributes": {"id": f"{anchor}-{item_id}"},
            },
            "rows": rows,
        }
    )


@returns.app_template_global()
@pass_context
def cost_card(
    context: Context,
    item: CostItem,
    site_return: SiteReturn,
    comments: Comments,
    can_edit: bool,
    heading_level: int = 3,
) -> Markup:
    """A cost as a summary card, with a Change link to each answer and the evaluators' comments under it."""
    staff = cost_staff_time_text(item)
    staff_line = (
        f'<p class="govuk-hint govuk-!-margin-top-1 govuk-!-margin-bottom-0">Worked out from the staff time: '
        f"{escape(staff)}</p>"
        if staff
        else ""
    )
    reason = (
        '<p class="govuk-body govuk-!-margin-top-1 govuk-!-margin-bottom-0">'
        f"{escape(item.attribution_reason)}</p>"
        if item.attribution_reason
        else ""
    )
    amount = money(item.amount)
    # The values went through escape(); the rest is the card's markup.
    amount_html = Markup(f"    {escape(amount)}\n{staff_line}")  # noqa: S704
    attributable_html = Markup(  # noqa: S704
        f"    {escape(plain_number_filter(item.attributable_percent))}%, "
        f"{escape(money(item.attributable_amount))}\n{reason}"
    )
    category = item.category.name
    rows: list[dict[str, Any]] = [
        {"key": {"text": "Category"}, "value": {"text": category}, "field": "category"},
        {
            "key": {"text": "Description"},
            "value": {"html": _text_block(context, item.description)},
            "field": "description",
        },
        {"key": {"text": "Amount"}, "value": {"html": amount_html}, "field": "amount"},
        {
            "key": {"text": "Set-up or running"},
            "value": {"text": cost_choice_label("cost_type", item.cost_type)},
            "field": "cost_type",
        },
        {
            "key": {"text": "Cash or in kind"},
            "value": {"text": cost_choice_label("funding", item.funding)},
            "field": "funding",
        },
        {
            "key": {"text": "Attributable to the pilot"},
            "value": {"html": attributable_html},
            "field": "attributable_percent",
        },
        {"key": {"text": "Funder"}, "value": {"text": item.funder or "Not given"}, "field": "funder"},
        {"key": {"text": "Reference"}, "value": {"text": item.import_reference}},
    ]
    card = _card(
        context,
        site_return=site_return,
        can_edit=can_edit,
        heading=f"{category}: {amount}",
        heading_level=heading_level,
        anchor="cost",
        item_id=item.id,
        rows=rows,
        edit_endpoint="returns.cost_edit",
        delete_endpoint="returns.cost_delete",
    )
    return card + _item_comments(context, comments, "cost", item.id)


@returns.app_template_global()
@pass_context
def saving_card(
    context: Context,
    item: SavingClaim,
    site_return: SiteReturn,
    comments: Comments,
    can_edit: bool,
    heading_level: int = 3,
) -> Markup:
    """A saving or cost avoided as a summary card, with the evaluators' comments under it."""
    amount = money(item.amount)
    rows: list[dict[str, Any]] = [
        {
            "key": {"text": "What was saved or avoided"},
            "value": {"html": _text_block(context, item.description)},
            "field": "description",
        },
        {"key": {"text": "Amount saved"}, "value": {"text": amount}, "field": "amount"},
        {
            "key": {"text": "Evidence"},
            "value": {"html": _text_block(context, item.evidence)},
            "field": "evidence",
        },
        {
            "key": {"text": "Strength of the evidence"},
            "value": {"text": item.evidence_level.label if item.evidence_level else "Not assessed"},
            "field": "evidence_level",
        },
        {"key": {"text": "Reference"}, "value": {"text": item.import_reference}},
    ]
    card = _card(
        context,
        site_return=site_return,
        can_edit=can_edit,
        heading=f"Saving: {amount}",
        heading_level=heading_level,
        anchor="saving",
        item_id=item.id,
        rows=rows,
        edit_endpoint="returns.saving_edit",
        delete_endpoint="returns.saving_delete",
    )
    return card + _item_comments(context, comments, "saving", item.id)


@returns.app_template_global()
@pass_context
def activity_card(
    context: Context,
    item: Activity,
    site_return: SiteReturn,
    comments: Comments,
    can_edit: bool,
    heading_level: int = 3,
) -> Markup:
    """An activity as a summary card, with the evaluators' comments under it."""
    rows: list[dict[str, Any]] = [
        {
            "key": {"text": "Type of activity"},
            "value": {"text": item.activity_type.name},
            "field": "activity_type",
        },
        {"key": {"text": "When"}, "value": {"text": activity_dates(item)}, "field": "starts_on"},
        {
            "key": {"text": "Description"},
            "value": {"html": _text_block(context, item.description) if item.description else "Not given"},
            "field": "description",
        },
        {
            "key": {"text": "Kinds of partner involved"},
            "value": {"html": _list_or(context, partner_type_labels(item.partner_types), "None given")},
            "field": "partner_types",
        },
        {
            "key": {"text": "Partner organisations involved"},
            "value": {"html": _list_or(context, [partner.name for partner in item.partners], "None given")},
            "field": "partners",
        },
        {
            "key": {"text": "People reached"},
            "value": {
                "text": number(item.people_reached) if item.people_reached is not None else "Not given"
            },
            "field": "people_reached",
        },
        {
            "key": {"text": "Outputs"},
            "value": {"html": _text_block(context, item.outputs) if item.outputs else "Not given"},
            "field": "outputs",
        },
        {
            "key": {"text": "Themes it informs"},
            "value": {"html": _list_or(context, [theme.title for theme in item.themes], "None given")},
            "field": "themes",
        },
        {"key": {"text": "Reference"}, "value": {"text": item.import_reference}},
    ]
    card = _card(
        context,
        site_return=site_return,
        can_edit=can_edit,
        heading=item.title,
        heading_level=heading_level,
        anchor="activity",
        item_id=item.id,
        rows=rows,
        edit_endpoint="returns.activity_edit",
        delete_endpoint="returns.activity_delete",
    )
    return card + _item_comments(context, comments, "activity", item.id)


_CLEARED = {"text": "Cleared for national sharing", "classes": "govuk-tag--green"}
_NOT_CLEARED = {"text": "Not cleared for national sharing", "classes": "govuk-tag--grey"}


@returns.app_template_global()
@pass_context
def learning_card(
    context: Context,
    entry: LearningEntry,
    site_return: SiteReturn,
    comments: Comments,
    can_edit: bool,
    heading_level: int = 2,
    show_clearance: bool = False,
) -> Markup:
    """A learning entry as a summary card; with `show_clearance`, the evaluator's button that clears it
    for national sharing (or withdraws that); the evaluators' comments under it."""
    dimensions = "".join(f"<li>{escape(dimension.name)}</li>" for dimension in entry.dimensions)
    # The names went through escape(); the rest is the card's markup.
    dimensions_html = Markup(f'    <ul class="govuk-list govuk-!-margin-bottom-0">\n{dimensions}    </ul>\n')  # noqa: S704
    kind = learning_type_label(entry.learning_type)
    sharing = _component(context, "govuk_tag")(_CLEARED if entry.cleared_for_national else _NOT_CLEARED)
    rows: list[dict[str, Any]] = [
        {"key": {"text": "Kind of learning"}, "value": {"text": kind}, "field": "learning_type"},
        {"key": {"text": "Areas"}, "value": {"html": dimensions_html}, "field": "dimensions"},
        {
            "key": {"text": "Line of enquiry"},
            "value": {"text": entry.theme.title if entry.theme else "Not about one line of enquiry"},
            "field": "theme",
        },
        {
            "key": {"text": "What happened"},
            "value": {"html": _text_block(context, entry.what_happened, "Not given")},
            "field": "what_happened",
        },
        {
            "key": {"text": "Why it matters"},
            "value": {"html": _text_block(context, entry.why_it_matters, "Not given")},
            "field": "why_it_matters",
        },
        {
            "key": {"text": "Implication for national roll-out"},
            "value": {"html": _text_block(context, entry.national_implication, "Not given")},
            "field": "national_implication",
        },
        {"key": {"text": "National sharing"}, "value": {"html": Markup(f"    {sharing}\n")}},  # noqa: S704
        {"key": {"text": "Reference"}, "value": {"text": entry.import_reference}},
    ]
    card = _card(
        context,
        site_return=site_return,
        can_edit=can_edit,
        heading=f"{kind}: {entry.title}",
        heading_level=heading_level,
        anchor="learning",
        item_id=entry.id,
        rows=rows,
        edit_endpoint="returns.learning_edit",
        delete_endpoint="returns.learning_delete",
    )
    if show_clearance:
        card += _clearance_form(site_return, entry)
    return card + _item_comments(context, comments, "learning", entry.id)


def _clearance_form(site_return: SiteReturn, entry: LearningEntry) -> Markup:
    address = url_for("returns.learning_national_sharing", return_id=site_return.id, entry_id=entry.id)
    title = escape(entry.title)
    hidden = '<span class="govuk-visually-hidden">'
    if entry.cleared_for_national:
        cleared, button = "no", f"Withdraw clearance{hidden} of ‘{title}’</span>"
    else:
        cleared, button = "yes", f"Clear for national sharing{hidden}: ‘{title}’</span>"
    # The address, token and title went through escape(); the rest is the form's markup.
    return Markup(  # noqa: S704
        f'    <form method="post" action="{escape(address)}" novalidate>\n'
        f'      <input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">\n'
        f'        <input type="hidden" name="cleared" value="{cleared}">\n'
        '        <button type="submit" class="govuk-button govuk-button--secondary" '
        f'data-module="govuk-button">{button}</button>\n'
        "    </form>\n"
    )


# ---------------------------------------------------------------------------------------------------------
# Impact measures


# The tags of a measure's row, by what they say.
_MEASURE_TAGS = {
    "required": {"text": "Not started", "classes": "govuk-tag--blue"},
    "not started": {"text": "Not started", "classes": "govuk-tag--grey"},
    "entered": {"text": "Entered", "classes": "govuk-tag--green"},
    "not available": {"text": "Not yet available", "classes": "govuk-tag--yellow"},
    "baseline needed": {"text": "Baseline needed", "classes": "govuk-tag--orange"},
}


def _measure_answer(row: MeasureRow, tags: Mapping[str, Markup]) -> str:
    """This period's answer to an indicator, its baseline and its status, as the row's value shows them."""
    indicator, measure, baseline = row.indicator, row.measure, row.baseline
    parts = []
    if measure is None:
        if row.required:
            every = "quarter" if indicator.frequency == "quarterly" else "month"
            asked = f": the framework asks for this every {every}"
        else:
            asked = f" (collected {escape(indicator.frequency_enum.label.lower())})"
        parts.append(f'<p class="govuk-body govuk-!-margin-bottom-1">No answer yet{asked}.</p>\n')
        status = tags["required"] if row.required else tags["not started"]
    elif measure.is_available:
        target = (
            f", against a target of {escape(measure_value_text(indicator, measure.target))}"
            if measure.target is not None
            else ""
        )
        parts.append(
            '<p class="govuk-body govuk-!-margin-bottom-1"><strong>'
            f"{escape(measure_value_text(indicator, measure.value))}</strong>{target}</p>\n"
        )
        if row.outside_range:
            parts.append(
                '<p class="govuk-body-s govuk-!-margin-bottom-1">Outside the plausible range '
                f"({escape(indicator_range_text(indicator))}). Justification: "
                f"{escape(measure.range_justification)}</p>\n"
            )
        if measure.evidence_level:
            below = (
                f" (below the level {escape(indicator.minimum_evidence_level.level)} the framework expects)"
                if row.below_minimum_evidence
                else ""
            )
            parts.append(
                '<p class="govuk-body-s govuk-!-margin-bottom-1">Evidence: '
                f"{escape(measure.evidence_level.label)}{below}</p>\n"
            )
        status = tags["entered"]
    else:
        parts.append(
            '<p class="govuk-body govuk-!-margin-bottom-1">Not yet available: '
            f"{escape(measure.not_available_reason)}</p>\n"
        )
        status = tags["not available"]
    if baseline:
        said = (
            f"Baseline: {escape(measure_value_text(indicator, baseline.value))} "
            f"({escape(baseline.period_description)})"
        )
    elif indicator.baseline_required:
        said = "No baseline yet: the framework asks for one."
    else:
        said = "No baseline."
    parts.append(f'<p class="govuk-body-s govuk-!-margin-bottom-1">\n      {said}\n  </p>\n')
    parts.append(f"    {status}\n")
    if row.needs_baseline:
        parts.append(str(tags["baseline needed"]))
    return "".join(parts)


@returns.app_template_global()
@pass_context
def measure_groups(
    context: Context,
    groups: Sequence[ThemeMeasures],
    site_return: SiteReturn,
    comments: Comments,
    can_edit: bool,
    heading_level: int = 2,
) -> Markup:
    """The indicators of a return theme by theme, each a summary-list row with this period's answer, the
    baseline, the evaluators' comments and a link to the indicator's page."""
    heading_class = "govuk-heading-m" if heading_level == 2 else "govuk-heading-s"
    link_word = "View" if not can_edit else None
    tag = _component(context, "govuk_tag")
    tags = {name: tag(params) for name, params in _MEASURE_TAGS.items()}
    parts = []
    for group in groups:
        parts.append(
            f'    <h{heading_level} class="{heading_class}">{escape(group.theme.title)}</h{heading_level}>\n'
            '    <dl class="govuk-summary-list">\n'
        )
        for row in group.rows:
            parts.append(_measure_row(context, row, site_return, comments, can_edit, link_word, tags))
        parts.append("    </dl>\n")
    # Every value went through escape() in _measure_row and _measure_answer.
    return Markup("".join(parts))  # noqa: S704


def _measure_row(
    context: Context,
    row: MeasureRow,
    site_return: SiteReturn,
    comments: Comments,
    can_edit: bool,
    link_word: str | None,
    tags: Mapping[str, Markup],
) -> str:
    indicator, measure = row.indicator, row.measure
    code = indicator.code
    name = escape(indicator.name)
    anchor = f"measure-{measure.id}" if measure else f"indicator-{code}"
    address = _address("returns.measure", "indicator_code", code, return_id=site_return.id)
    if can_edit and measure:
        address += "#value" if measure.is_available else "#not_available_reason"
    word = link_word or ("Change" if measure else "Enter")
    remove = ""
    if can_edit and measure:
        remove_address = _address("returns.measure_delete", "indicator_code", code, return_id=site_return.id)
        remove = (
            '              <li class="govuk-summary-list__actions-list-item">\n'
            f'                  <a class="govuk-link" href="{escape(remove_address)}">Remove'
            f'<span class="govuk-visually-hidden"> the answer for {name}</span></a>\n'
            "                </li>\n"
        )
    comments_html = _item_comments(context, comments, "measure", measure.id) if measure else ""
    return (
        f'        <div class="govuk-summary-list__row" id="{escape(anchor)}">\n'
        '          <dt class="govuk-summary-list__key">\n'
        f"            {name}\n"
        '            <span class="govuk-hint govuk-!-display-block govuk-!-margin-bottom-0">'
        f"{escape(code)}</span>\n"
        "          </dt>\n"
        '          <dd class="govuk-summary-list__value">\n'
        f"            {_measure_answer(row, tags)}\n"
        f"{comments_html}"
        "          </dd>\n"
        '          <dd class="govuk-summary-list__actions">\n'
        '            <ul class="govuk-summary-list__actions-list">\n'
        '              <li class="govuk-summary-list__actions-list-item">\n'
        f'                <a class="govuk-link" href="{escape(address)}">{word}'
        f'<span class="govuk-visually-hidden"> {name}</span></a>\n'
        "              </li>\n"
        f"{remove}"
        "            </ul>\n"
        "          </dd>\n"
        "        </div>\n"
    )
