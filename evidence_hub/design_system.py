"""GOV.UK markup that pages draw many times over, written in Python: through Jinja macros it cost more than
the rest of a page. The Design System's components (summary card, tag, pagination) take their macro's
parameters (the ones the service uses) and give their macro's markup: tests/pages.py `components_both_ways`
pins each to its macro. The pieces the cards' values are made of (paragraphs of a person's text, a list)
follow. All are template globals (create_app)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape


def govuk_tag(params: dict[str, Any]) -> Markup:
    """A GOV.UK tag, as govukTag({'text' or 'html': ..., 'classes': ...}) draws it: the impact measures'
    summary shows one or two a row, and the macro took about 40 microseconds each."""
    classes = f" {escape(params['classes'])}" if params.get("classes") else ""
    shown = _content(params)
    # The classes went through escape(); html is the template's own Markup, as the macro takes it.
    return Markup(f'<strong class="govuk-tag{classes}">{shown}</strong>')  # noqa: S704


def summary_card(params: dict[str, Any]) -> Markup:
    """A GOV.UK summary card, as govukSummaryList({'card': ..., 'rows': ...}) draws it, written in Python:
    a page of 50 costs through the macro took ten times as long as the rest of the page. Takes the macro's
    parameters that the cards of costs, savings, activities, learning entries and data flows use (a title
    with its heading level, the card's actions and id; rows of a key's text, a value's text or html, and
    actions)."""
    card, rows = params["card"], params["rows"]
    title = card["title"]
    title_text = escape(title["text"])
    level = int(title.get("headingLevel", 2))
    actions = card.get("actions", {}).get("items", [])
    if len(actions) == 1:
        card_actions = (
            f'<div class="govuk-summary-card__actions">{_action_link(actions[0], title_text)}</div>'
        )
    elif actions:
        listed = "".join(
            f'<li class="govuk-summary-card__action">{_action_link(action, title_text)}</li>'
            for action in actions
        )
        card_actions = f'<ul class="govuk-summary-card__actions">{listed}</ul>'
    else:
        card_actions = ""
    actions_of_rows: list[list[dict[str, Any]]] = [
        row["actions"].get("items", []) if "actions" in row else [] for row in rows
    ]
    any_actions = any(actions_of_rows)
    lines = []
    for row, row_actions in zip(rows, actions_of_rows, strict=True):
        value = row["value"]
        shown = _content(value)
        if len(row_actions) == 1:
            action_cell = (
                f'<dd class="govuk-summary-list__actions">{_action_link(row_actions[0], title_text)}</dd>'
            )
        elif row_actions:
            listed = "".join(
                f'<li class="govuk-summary-list__actions-list-item">{_action_link(action, title_text)}</li>'
                for action in row_actions
            )
            action_cell = (
                '<dd class="govuk-summary-list__actions"><ul class="govuk-summary-list__actions-list">'
                f"{listed}</ul></dd>"
            )
        else:
            action_cell = ""
        no_actions = " govuk-summary-list__row--no-actions" if any_actions and not row_actions else ""
        lines.append(
            f'<div class="govuk-summary-list__row{no_actions}">'
            f'<dt class="govuk-summary-list__key">{escape(row["key"]["text"])}</dt>'
            f'<dd class="govuk-summary-list__value">{shown}</dd>{action_cell}</div>'
        )
    card_id = card.get("attributes", {}).get("id")
    id_attribute = f' id="{escape(card_id)}"' if card_id else ""
    # Every piece of text above went through escape(); html values are the templates' own Markup.
    return Markup(  # noqa: S704
        f'<div class="govuk-summary-card"{id_attribute}><div class="govuk-summary-card__title-wrapper">'
        f'<h{level} class="govuk-summary-card__title">{title_text}</h{level}>{card_actions}</div>'
        f'<div class="govuk-summary-card__content"><dl class="govuk-summary-list">{"".join(lines)}</dl>'
        "</div></div>"
    )


def _action_link(action: dict[str, Any], card_title: Markup) -> str:
    hidden = f" {escape(action['visuallyHiddenText'])}" if action.get("visuallyHiddenText") else ""
    return (
        f'<a class="govuk-link" href="{escape(action["href"])}">{escape(action["text"])}'
        f'<span class="govuk-visually-hidden">{hidden} ({card_title})</span></a>'
    )


_ARROW_PREVIOUS = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" '
    'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">'
    '<path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984'
    'l4.2931-4.293-1.414-1.414z"></path></svg>'
)
_ARROW_NEXT = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" '
    'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">'
    '<path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441'
    '-6.4062-6.7246-6.7266z"></path></svg>'
)


def govuk_pagination(params: dict[str, Any]) -> Markup:
    """GOV.UK pagination, as govukPagination draws the numbered links web.pagination() makes (previous and
    next by their href, then each page's number, href and whether it is current, or an ellipsis): a
    summary of a return pages three or four lists, and the macro took about 0.3 ms each."""
    if "items" not in params:
        raise ValueError("Only numbered pagination (web.pagination) is drawn in Python")
    previous, following = params.get("previous"), params.get("next")
    parts = ['<nav class="govuk-pagination" aria-label="Pagination">']
    if previous and previous.get("href"):
        parts.append(
            f'<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" '
            f'href="{escape(previous["href"])}" rel="prev">{_ARROW_PREVIOUS}'
            '<span class="govuk-pagination__link-title">'
            'Previous<span class="govuk-visually-hidden"> page</span></span></a></div>'
        )
    parts.append('<ul class="govuk-pagination__list">')
    for item in params["items"]:
        if item.get("ellipsis"):
            parts.append('<li class="govuk-pagination__item govuk-pagination__item--ellipsis">&ctdot;</li>')
            continue
        current_class, current_page = (
            (" govuk-pagination__item--current", ' aria-current="page"') if item.get("current") else ("", "")
        )
        number = escape(item["number"])
        parts.append(
            f'<li class="govuk-pagination__item{current_class}"><a class="govuk-link govuk-pagination__link" '
            f'href="{escape(item["href"])}" aria-label="Page {number}"{current_page}>{number}</a></li>'
        )
    parts.append("</ul>")
    if following and following.get("href"):
        parts.append(
            f'<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" '
            f'href="{escape(following["href"])}" rel="next"><span class="govuk-pagination__link-title">'
            f'Next<span class="govuk-visually-hidden"> page</span></span>{_ARROW_NEXT}</a></div>'
        )
    parts.append("</nav>")
    # The addresses and numbers went through escape(); the rest is the macro's own markup.
    return Markup("".join(parts))  # noqa: S704


def govuk_table(params: dict[str, Any]) -> Markup:
    """A GOV.UK table, as govukTable draws it: the administrators' list of 50 sites through the macro took
    three quarters of the page's time. Takes the macro's parameters but `attributes` (a caption with its
    classes, the table's classes, firstCellIsHeader; head and row cells of text or html with their format,
    classes, colspan and rowspan); an empty row is left out, as the macro leaves it."""
    every_cell = [cell for cells in (params.get("head") or [], *params["rows"]) for cell in cells or []]
    if params.get("attributes") or any(cell.get("attributes") for cell in every_cell):
        raise ValueError("Tables with attributes are drawn by the govukTable macro")
    parts = [f'<table class="govuk-table{_classes(params)}">']
    if params.get("caption"):
        caption_classes = f" {escape(params['captionClasses'])}" if params.get("captionClasses") else ""
        parts.append(
            f'<caption class="govuk-table__caption{caption_classes}">{escape(params["caption"])}</caption>'
        )
    if params.get("head"):
        headers = "".join(
            f'<th scope="col" class="govuk-table__header{_format(item, "header")}{_classes(item)}"'
            f"{_spans(item)}>{_content(item)}</th>"
            for item in params["head"]
        )
        parts.append(f'<thead class="govuk-table__head"><tr class="govuk-table__row">{headers}</tr></thead>')
    parts.append('<tbody class="govuk-table__body">')
    first_is_header = bool(params.get("firstCellIsHeader"))
    for row in params["rows"]:
        if not row:
            continue
        cells = []
        for position, cell in enumerate(row):
            if position == 0 and first_is_header:
                cells.append(
                    f'<th scope="row" class="govuk-table__header{_classes(cell)}"{_spans(cell)}>'
                    f"{_content(cell)}</th>"
                )
            else:
                cells.append(
                    f'<td class="govuk-table__cell{_format(cell, "cell")}{_classes(cell)}"{_spans(cell)}>'
                    f"{_content(cell)}</td>"
                )
        parts.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
    parts.append("</tbody></table>")
    # Every text, class and number above went through escape(); html is the template's own Markup.
    return Markup("".join(parts))  # noqa: S704


def _classes(item: dict[str, Any]) -> str:
    return f" {escape(item['classes'])}" if item.get("classes") else ""


def _format(item: dict[str, Any], kind: str) -> str:
    return f" govuk-table__{kind}--{escape(item['format'])}" if item.get("format") else ""


def _spans(item: dict[str, Any]) -> str:
    colspan = f' colspan="{escape(item["colspan"])}"' if item.get("colspan") else ""
    rowspan = f' rowspan="{escape(item["rowspan"])}"' if item.get("rowspan") else ""
    return colspan + rowspan


def _content(item: dict[str, Any]) -> Markup:
    """A component's text, escaped, or its html, as the template gave it (the macros' `html or text`)."""
    html = item.get("html")
    return Markup(html) if html else escape(item.get("text", ""))  # noqa: S704


def text_block(value: str | None, empty: str | None = None) -> Markup:
    """Text a person wrote as GOV.UK body paragraphs, one a line (blank lines dropped), the last without
    its bottom margin so that it sits flush in a summary list's value; `empty` in a paragraph of its own
    when there is no text, else nothing. A summary card shows up to three of these."""
    lines = [line.strip() for line in (value or "").split("\n") if line.strip()]
    if not lines:
        return Markup(_LAST_PARAGRAPH % escape(empty)) if empty else Markup("")  # noqa: S704
    paragraphs = [_PARAGRAPH % escape(line) for line in lines[:-1]]
    return Markup("".join([*paragraphs, _LAST_PARAGRAPH % escape(lines[-1])]))  # noqa: S704


_PARAGRAPH = '<p class="govuk-body">%s</p>'
_LAST_PARAGRAPH = '<p class="govuk-body govuk-!-margin-bottom-0">%s</p>'


def list_or(values: Iterable[str], empty: str) -> Markup:
    """The values as a GOV.UK list, or `empty` when there are none."""
    items = "".join(f"<li>{escape(value)}</li>" for value in values)
    return Markup(f'<ul class="govuk-list">{items}</ul>') if items else escape(empty)  # noqa: S704


# What create_app registers as template globals.
TEMPLATE_GLOBALS = (summary_card, govuk_tag, govuk_pagination, govuk_table, text_block, list_or)
