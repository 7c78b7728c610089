"""The pages' Jinja environment imports macros as Jinja's own does: an imported template sees the
environment's globals and those of the template importing it."""

from __future__ import annotations

import pytest
from flask import Flask
from jinja2 import DictLoader, Environment

from evidence_hub.template_environment import QuickImportEnvironment, QuickImportTemplate

TEMPLATES = {
    "macros.html": (
        "{% macro greet(name) %}{{ greeting }}, {{ name }}{% if extra is defined %} ({{ extra }}){% endif %}"
        "{% endmacro %}"
    ),
    "page.html": '{% from "macros.html" import greet %}{{ greet("Kent") }}; {{ greet("Leeds") }}',
    "page_with_context.html": '{% from "macros.html" import greet with context %}{{ greet("Leeds") }}',
}


def environments() -> tuple[Environment, Environment]:
    app = Flask(__name__)
    quick = QuickImportEnvironment(app, loader=DictLoader(TEMPLATES), autoescape=True)
    stock = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    for environment in (quick, stock):
        environment.globals["greeting"] = "Hello"
    return quick, stock


@pytest.mark.parametrize("name", ["page.html", "page_with_context.html"])
def test_a_page_importing_macros_renders_as_jinjas_own_environment_renders_it(name: str) -> None:
    quick, stock = environments()

    assert isinstance(quick.get_template(name), QuickImportTemplate)
    assert quick.get_template(name).render(extra=1) == stock.get_template(name).render(extra=1)
    assert quick.get_template(name).render() == stock.get_template(name).render()


def test_an_imported_template_sees_the_globals_of_the_template_importing_it() -> None:
    quick, stock = environments()
    page = '{% from "macros.html" import greet %}{{ greet("Liverpool") }}'

    shown = quick.from_string(page, globals={"extra": "a global of this page"}).render()

    assert shown == "Hello, Liverpool (a global of this page)"
    assert shown == stock.from_string(page, globals={"extra": "a global of this page"}).render()
    # Another page without that global gets the module without it, not the one made for the first page.
    assert quick.from_string(page).render() == "Hello, Liverpool"


def test_the_service_draws_its_pages_with_it(app: Flask) -> None:
    assert isinstance(app.jinja_env, QuickImportEnvironment)
