"""The checks every page a test client receives goes through (tests/pages.py), caught in the act."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from evidence_hub.guards import public
from tests.pages import problems_with_page

POLICY = "script-src 'self' 'nonce-abc'"


def a_page(body: str, title: str = "Costs – Evidence Hub – GOV.UK", head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>{head}</head><body>{body}</body></html>'
    )


GOOD = a_page(
    '<a href="#main-content">Skip</a><main id="main-content"><h1><span class="govuk-caption-l">Kent</span>'
    'Costs</h1><label for="amount">Amount</label><input id="amount" aria-describedby="amount-hint">'
    '<div id="amount-hint">In pounds</div><script nonce="abc">document.body.className += " js"</script>'
    '<script type="application/json" id="chart">{}</script><img src="/a.png" alt=""></main>',
    title="Kent Costs – Evidence Hub – GOV.UK",
)


def test_a_proper_page_has_no_problems() -> None:
    assert problems_with_page(GOOD, POLICY) == []


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        (a_page("<h1>Costs</h1><h1>Again</h1>"), "expected one <h1>, found 2"),
        (a_page("<p>No heading</p>"), "expected one <h1>, found 0"),
        (a_page("<h1>Activities</h1>"), "does not start with the heading 'Activities'"),
        (a_page('<h1>Costs</h1><p style="color: red">Red</p>'), "inline style attribute"),
        (a_page("<h1>Costs</h1>", head="<style>p {}</style>"), "<style> element"),
        (a_page('<h1>Costs</h1><button onclick="go()">Go</button>'), "event-handler attribute onclick"),
        (a_page('<h1>Costs</h1><script nonce="old">go()</script>'), "inline script without this response"),
        (a_page("<h1>Costs</h1><font>Old</font>"), "<font> is not GOV.UK markup"),
        (a_page('<h1>Costs</h1><p id="a"></p><p id="a"></p>'), 'id "a" is used 2 times'),
        (a_page('<h1>Costs</h1><label for="amount">Amount</label>'), '<label for="amount"> names no element'),
        (a_page('<h1>Costs</h1><input aria-describedby="hint">'), 'aria-describedby names "hint"'),
        (a_page('<h1>Costs</h1><a href="#amount">Enter an amount</a>'), 'link to "#amount"'),
        (a_page('<h1>Costs</h1><img src="/chart.png">'), "image without alt text"),
        (a_page("<h1>Costs</h1>").replace(' lang="en"', ""), "<html> has no lang attribute"),
    ],
)
def test_a_page_that_breaks_a_rule_is_caught(page: str, problem: str) -> None:
    assert any(problem in found for found in problems_with_page(page, POLICY))


def test_every_html_response_is_checked_unless_the_request_says_it_is_not_a_page(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    app.add_url_rule("/fragment", "fragment", public(lambda: "<p>Part of a page</p>"))
    client = app.test_client()
    with pytest.raises(AssertionError, match="expected one <h1>, found 0"):
        client.get("/fragment")
    assert client.get("/fragment", not_a_page=True).status_code == 200
