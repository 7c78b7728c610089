"""The Design System components written in Python: what they show of a person's text, always escaped, and
their markup, compared with the Design System's macros here and page by page (tests/pages.py
`components_both_ways`)."""

from __future__ import annotations

import pytest
from flask import Flask
from markupsafe import Markup

from evidence_hub.design_system import govuk_pagination, govuk_table, govuk_tag, list_or, text_block
from evidence_hub.web import pagination
from tests.pages import drawn_by_macro, elements


def test_text_is_shown_a_paragraph_a_line_and_the_last_sits_flush() -> None:
    assert text_block("First line\n\n  \n  Second <b>line</b> & more  ") == (
        '<p class="govuk-body">First line</p>'
        '<p class="govuk-body govuk-!-margin-bottom-0">Second &lt;b&gt;line&lt;/b&gt; &amp; more</p>'
    )


def test_no_text_shows_what_the_page_says_in_its_place_or_nothing() -> None:
    assert text_block(" \n ", "Not given") == '<p class="govuk-body govuk-!-margin-bottom-0">Not given</p>'
    assert text_block(None, "<None>") == '<p class="govuk-body govuk-!-margin-bottom-0">&lt;None&gt;</p>'
    assert text_block("") == ""


def test_a_list_escapes_each_value_and_an_empty_one_says_so() -> None:
    assert list_or(["DWP", "<Leeds> & York"], "None given") == (
        '<ul class="govuk-list"><li>DWP</li><li>&lt;Leeds&gt; &amp; York</li></ul>'
    )
    assert list_or([], "None <given>") == "None &lt;given&gt;"


def test_a_tag_escapes_its_text_and_takes_html_as_given() -> None:
    assert govuk_tag({"text": "<b>Entered</b>", "classes": "govuk-tag--green"}) == (
        '<strong class="govuk-tag govuk-tag--green">&lt;b&gt;Entered&lt;/b&gt;</strong>'
    )
    assert (
        govuk_tag({"html": Markup("<b>Entered</b>")}) == '<strong class="govuk-tag"><b>Entered</b></strong>'
    )


@pytest.mark.parametrize(("page", "pages"), [(1, 2), (2, 3), (1, 5), (4, 9), (9, 9)])
def test_pagination_is_drawn_as_the_design_systems_macro_draws_it(app: Flask, page: int, pages: int) -> None:
    links = pagination(
        page, pages, lambda number: f"/returns/1/check?costs_page={number}&a=<b>#summary-costs"
    )
    assert links is not None

    written = govuk_pagination(links)

    assert elements(written) == elements(drawn_by_macro(app, "govuk_pagination")(links))
    assert "&lt;b&gt;" in written


def test_a_tag_is_drawn_as_the_design_systems_macro_draws_it(app: Flask) -> None:
    for params in ({"text": "Entered <now>", "classes": "govuk-tag--green"}, {"text": "Draft"}):
        assert elements(govuk_tag(params)) == elements(drawn_by_macro(app, "govuk_tag")(params))


TABLE = {
    "caption": "Sites & <partners>",
    "captionClasses": "govuk-table__caption--m",
    "classes": "app-wide",
    "firstCellIsHeader": True,
    "head": [
        {"text": "Name"},
        {"text": "People <reached>", "format": "numeric", "classes": "app-narrow"},
        {"html": Markup("<abbr>LA</abbr>s"), "colspan": 2},
    ],
    "rows": [
        [
            {"text": "Kent <County>"},
            {"text": "1,200", "format": "numeric"},
            {"html": Markup('<a class="govuk-link" href="/x">Medway</a>'), "colspan": 2},
        ],
        [],
        [{"text": "Leeds", "classes": "app-first"}, {"text": 3, "rowspan": 2}, {"text": ""}, {}],
    ],
}


def test_a_table_is_drawn_as_the_design_systems_macro_draws_it(app: Flask) -> None:
    for params in (TABLE, {**TABLE, "firstCellIsHeader": False, "caption": "", "head": []}):
        written = govuk_table(params)

        assert elements(written) == elements(drawn_by_macro(app, "govuk_table")(params))
    assert "Kent &lt;County&gt;" in written
    assert "Sites &amp; &lt;partners&gt;" in govuk_table(TABLE)


def test_a_table_with_attributes_is_left_to_the_macro() -> None:
    with pytest.raises(ValueError, match="attributes"):
        govuk_table({**TABLE, "rows": [[{"text": "Kent", "attributes": {"data-x": "1"}}]]})
