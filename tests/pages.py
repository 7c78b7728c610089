"""Reading pages as a user would: status, the one heading, the title, error messages.

Every HTML response a test client receives is checked as a page (`check_page`): see
`PageCheckingClient`, which conftest.py makes every app's test client.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import lxml.html
from bs4 import BeautifulSoup
from flask import Flask, render_template
from flask.testing import FlaskClient
from flask_login import login_user
from markupsafe import Markup
from werkzeug.test import TestResponse

# Presentational elements no GOV.UK component produces (and HTML no longer has).
OBSOLETE_ELEMENTS = ("font", "center", "big", "strike", "tt", "marquee", "blink", "frame", "frameset")
# Attributes whose value names other elements by id.
ID_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")
NONCE = re.compile(r"'nonce-([^']+)'")


def problems_with_page(html: str, content_security_policy: str = "") -> list[str]:
    """What is wrong with a full page: anything but exactly one <h1>, a <title> that does not start with the
    h1's text, markup the GOV.UK components would not produce or the Content-Security-Policy would block
    (inline styles, event-handler attributes, inline scripts without this response's nonce), repeated ids,
    labels and ARIA attributes naming no element, in-page links to nowhere, images without alt text."""
    document = lxml.html.document_fromstring(html)
    problems: list[str] = []
    headings = document.xpath("//h1")
    if len(headings) != 1:
        problems.append(f"expected one <h1>, found {len(headings)}")
    title = " ".join(document.findtext(".//title", default="").split())
    if headings and not title.removeprefix("Error: ").startswith(heading_text(headings[0])):
        problems.append(f"title {title!r} does not start with the heading {heading_text(headings[0])!r}")
    if not document.get("lang"):
        problems.append("<html> has no lang attribute")
    ids = Counter(document.xpath("//@id"))
    problems += [f'id "{each}" is used {count} times' for each, count in ids.items() if count > 1]
    problems += [f"<{element.tag}> is not GOV.UK markup" for element in document.iter(*OBSOLETE_ELEMENTS)]
    problems += [f"<style> element: {_describe(element)}" for element in document.iter("style")]
    nonces = set(NONCE.findall(content_security_policy))
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if "style" in element.attrib:
            problems.append(f"inline style attribute: {_describe(element)}")
        problems += [
            f"event-handler attribute {name}: {_describe(element)}"
            for name in element.attrib
            if name.startswith("on")
        ]
        problems += [
            f'{name} names "{each}", which no element has: {_describe(element)}'
            for name in ID_REFERENCES
            for each in element.get(name, "").split()
            if each not in ids
        ]
    for script in document.xpath("//script[not(@src)]"):
        if script.get("type") != "application/json" and script.get("nonce") not in nonces:
            problems.append(f"inline script without this response's nonce: {_describe(script)}")
    problems += [
        f'<label for="{label.get("for")}"> names no element'
        for label in document.xpath("//label[@for]")
        if label.get("for") not in ids
    ]
    problems += [
        f'link to "{link.get("href")}", which no element has: {_describe(link)}'
        for link in document.xpath("//a[starts-with(@href, '#') and string-length(@href) > 1]")
        if link.get("href")[1:] not in ids
    ]
    problems += [f"image without alt text: {_describe(each)}" for each in document.xpath("//img[not(@alt)]")]
    return problems


def heading_text(element: Any) -> str:
    """An element's text as BeautifulSoup's get_text(" ", strip=True) gives it: each piece trimmed."""
    return " ".join(piece.strip() for piece in element.itertext() if piece.strip())


def _describe(element: Any) -> str:
    return lxml.html.tostring(element, encoding="unicode", with_tail=False)[:160]


def check_page(response: TestResponse) -> None:
    problems = problems_with_page(
        response.get_data(as_text=True), response.headers.get("Content-Security-Policy", "")
    )
    assert not problems, f"{response.request.method} {response.request.path}: " + "; ".join(problems)


def is_page(response: TestResponse) -> bool:
    """An HTML response with a body to show (a redirect's little HTML body is no page)."""
    return response.mimetype == "text/html" and not 300 <= response.status_code < 400


class PageCheckingClient(FlaskClient):
    """A test client that checks every HTML page it receives (see problems_with_page).

    For the rare HTML response that is not a full page, such as a fragment, say so in the request:
    `client.get(url, not_a_page=True)` skips the checks for that response alone.
    """

    def open(self, *args: Any, not_a_page: bool = False, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        if not not_a_page and is_page(response):
            check_page(response)
            response.checked_as_page = True  # type: ignore[attr-defined]
        return response


def page(response: TestResponse, status: int = 200) -> BeautifulSoup:
    """Parse a page after checking its status, and that it is a proper page if its client did not."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}"
    if not getattr(response, "checked_as_page", False):
        check_page(response)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def heading(soup: BeautifulSoup) -> str:
    return soup.find("h1").get_text(" ", strip=True)


def error_summary(soup: BeautifulSoup) -> list[str]:
    summary = soup.select_one(".govuk-error-summary")
    return [item.get_text(" ", strip=True) for item in summary.select("li")] if summary else []


def field_error(soup: BeautifulSoup, field_id: str) -> str:
    """The error message shown beside a field, without the visually hidden 'Error:' prefix."""
    field = soup.find(id=field_id)
    assert field is not None, f"no field {field_id}"
    group = field.find_parent(class_="govuk-form-group")
    message = group.select_one(".govuk-error-message") if group else None
    return message.get_text(" ", strip=True).removeprefix("Error:").strip() if message else ""


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


# Each component the service draws in Python (evidence_hub/design_system.py), by its template global: the
# Design System macro it stands for, and where that macro is.
PYTHON_DRAWN_COMPONENTS = {
    "summary_card": ("govukSummaryList", "govuk_frontend_jinja/components/summary-list/macro.html"),
    "govuk_tag": ("govukTag", "govuk_frontend_jinja/components/tag/macro.html"),
    "govuk_pagination": ("govukPagination", "govuk_frontend_jinja/components/pagination/macro.html"),
    "govuk_table": ("govukTable", "govuk_frontend_jinja/components/table/macro.html"),
}


def components_both_ways(app: Flask, template: str, user: Any = None, **context: Any) -> tuple[str, str]:
    """The template rendered as the service draws it (the components written in Python) and again
    with the Design System's macros drawing each of them, for comparing the two; signed in as `user` for
    templates that read what a person may see."""
    with app.test_request_context():
        if user is not None:
            login_user(user)
        written = render_template(template, **context)
        written_in_python = {name: app.jinja_env.globals[name] for name in PYTHON_DRAWN_COMPONENTS}
        for name in PYTHON_DRAWN_COMPONENTS:
            app.jinja_env.globals[name] = drawn_by_macro(app, name)
        try:
            through_macro = render_template(template, **context)
        finally:
            app.jinja_env.globals.update(written_in_python)
    return written, through_macro


def drawn_by_macro(app: Flask, component: str) -> Any:
    """A stand-in for a component written in Python (by its template global) that gives the Design System
    macro's own output, as a template would take it from the macro."""
    macro, source = PYTHON_DRAWN_COMPONENTS[component]
    drawn = app.jinja_env.from_string(f'{{% from "{source}" import {macro} %}}{{{{ {macro}(params) }}}}')
    return lambda params: Markup(drawn.render(params=params))  # noqa: S704


def elements(html: str) -> list[tuple[str, dict[str, Any], str]]:
    """Every element of the markup: its name, attributes and text, whitespace aside."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (each.name, dict(each.attrs), " ".join(each.get_text(" ").split())) for each in soup.find_all(True)
    ]
