"""Every route, for every role: the status each gets. No route can be added without its rows."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import tests.access_rows
from evidence_hub.guards import access_rule_for
from evidence_hub.models import Role
from tests.access_rows import ANONYMOUS, EVERY_ROLE, Row
from tests.conftest import sign_in
from tests.factories import make_site, make_user

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _row_modules() -> list[Any]:
    return [
        importlib.import_module(f"tests.access_rows.{module.name}")
        for module in pkgutil.iter_modules(tests.access_rows.__path__)
    ]


ROW_MODULES = _row_modules()
ALL_ROWS: list[Row] = [row for module in ROW_MODULES for row in module.ROWS]


def build_world(session: Session) -> dict[str, Any]:
    """The objects the rows' URLs point at: the site lead's own site (Kent) and another (Leeds)."""
    kent = make_site(session, "kent")
    leeds = make_site(session, "leeds")
    users = {
        role.value: make_user(session, role, site="kent" if role is Role.SITE_LEAD else None) for role in Role
    }
    other_lead = make_user(session, Role.SITE_LEAD, site="leeds")
    world: dict[str, Any] = {
        "site_id": kent.id,
        "other_site_id": leeds.id,
        "users": users,
        "user_id": users[Role.EVALUATOR.value].id,
        "other_site_lead_id": other_lead.id,
        "partner_id": kent.partners[0].id,
    }
    for module in ROW_MODULES:
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(session, world)
    return world


def test_every_route_declares_an_access_rule(app: Flask) -> None:
    with app.test_request_context():
        undeclared = [
            rule.endpoint for rule in app.url_map.iter_rules() if access_rule_for(rule.endpoint) is None
        ]
    assert undeclared == [], f"Routes without @public, @signed_in or @roles(...): {undeclared}"


def test_every_route_and_method_has_a_row_in_the_matrix(app: Flask) -> None:
    covered = {(row.endpoint, row.method) for row in ALL_ROWS}
    missing = sorted(
        f"{rule.endpoint} {method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - IGNORED_METHODS
        if (rule.endpoint, method) not in covered
    )
    assert missing == [], "Add rows to tests/access_rows/ for: " + "; ".join(missing)


def test_no_row_names_a_route_that_does_not_exist(app: Flask) -> None:
    known = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods or ()}
    stale = [f"{row.endpoint} {row.method}" for row in ALL_ROWS if (row.endpoint, row.method) not in known]
    assert stale == []


@pytest.mark.parametrize(
    "row", ALL_ROWS, ids=lambda row: f"{row.method}-{row.url}{'-' + row.note if row.note else ''}"
)
def test_route_gives_each_role_the_expected_status(
    app: Flask, db: Session, row: Row, make_client: Callable[[str, dict[str, Any]], FlaskClient]
) -> None:
    # One world per row; roles are tried in turn (anonymous first, so a permitted change comes after
    # every refusal has been checked against the untouched world).
    world = build_world(db)
    url = row.url.format(**world)
    wrong = []
    for role in EVERY_ROLE:
        response = make_client(role, world).open(url, method=row.method, data=row.data)
        if response.status_code != row.expected[role]:
            wrong.append(f"{role}: expected {row.expected[role]}, got {response.status_code}")
        elif role == ANONYMOUS and response.status_code == 302 and "/sign-in" not in response.headers["Location"]:
            wrong.append(f"anonymous: redirected to {response.headers['Location']}, not to sign in")
    assert wrong == [], f"{row.method} {url}: " + "; ".join(wrong)


@pytest.fixture
def make_client(app: Flask) -> Callable[[str, dict[str, Any]], FlaskClient]:
    def build(role: str, world: dict[str, Any]) -> FlaskClient:
        client = app.test_client()
        if role != ANONYMOUS:
            sign_in(client, world["users"][role].email)
        return client

    return build
