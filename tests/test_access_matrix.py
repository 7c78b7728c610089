"""Every route, for every role: the status each gets. No route can be added without its rows."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import tests.access_rows
from evidence_hub.admin.views import PROGRAMME_PAGES
from evidence_hub.db import make_engine, make_session_factory
from evidence_hub.guards import access_rule_for
from evidence_hub.models import Role
from evidence_hub.services.accounts.passwords import configure_hashing
from tests.access_rows import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVALUATOR,
    EVERY_ROLE,
    NATIONAL_OFFICIAL,
    SITE_LEAD,
    Row,
)
from tests.conftest import TEST_CONFIG, empty_all_tables, sign_in
from tests.factories import make_site, make_user
from tests.snapshots import Snapshot, restore_snapshot, take_snapshot

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _row_modules() -> list[Any]:
    return [
        importlib.import_module(f"tests.access_rows.{module.name}")
        for module in pkgutil.iter_modules(tests.access_rows.__path__)
    ]


ROW_MODULES = _row_modules()
ALL_ROWS: list[Row] = [row for module in ROW_MODULES for row in module.ROWS]


def build_world(session: Session) -> dict[str, Any]:
    """The objects the rows' URLs point at: the site lead's own site (Kent) and another (Leeds).

    Built once per test worker into a template database that each row's test copies, so the world
    holds plain values only (ids, codes and the roles' email addresses), never ORM objects.
    """
    kent = make_site(session, "kent")
    leeds = make_site(session, "leeds")
    users = {
        role.value: make_user(session, role, site="kent" if role is Role.SITE_LEAD else None) for role in Role
    }
    other_lead = make_user(session, Role.SITE_LEAD, site="leeds")
    world: dict[str, Any] = {
        "site_id": kent.id,
        "other_site_id": leeds.id,
        "emails": {role: user.email for role, user in users.items()},
        # A user no role signs in as, so that a permitted change to it leaves the roles' own accounts alone.
        "user_id": make_user(session, Role.EVALUATOR).id,
        "other_site_lead_id": other_lead.id,
        "partner_id": kent.partners[0].id,
    }
    # The return world comes first: other sections add items to its returns.
    for module in sorted(ROW_MODULES, key=lambda module: module.__name__ != "tests.access_rows.returns"):
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(session, world)
    # Values some modules make lazily are made now, while the world's session is open.
    for key, value in list(world.items()):
        if key not in ("emails", "outsider_emails") and not isinstance(value, int | str):
            text_value = str(value)
            world[key] = int(text_value) if text_value.isdigit() else text_value
    return world


@dataclass(frozen=True)
class WorldTemplate:
    """The world built once per worker: on SQLite a file each test copies, on PostgreSQL the rows each test
    loads into its emptied database (quicker than copying a template database per row)."""

    sqlite_path: str | None
    snapshot: Snapshot | None
    world: dict[str, Any]


@pytest.fixture(scope="session")
def world_template(
    migrated_template: str, maintenance_engine: Engine | None, tmp_path_factory: pytest.TempPathFactory
) -> WorldTemplate:
    configure_hashing(
        time_cost=TEST_CONFIG["ARGON2_TIME_COST"],
        memory_kib=TEST_CONFIG["ARGON2_MEMORY_KIB"],
        parallelism=TEST_CONFIG["ARGON2_PARALLELISM"],
    )
    if maintenance_engine is not None:
        session = make_session_factory(maintenance_engine)()
        empty_all_tables(session.connection())
        world = build_world(session)
        snapshot = take_snapshot(session.connection())
        session.rollback()
        session.close()
        return WorldTemplate(None, snapshot, world)
    path = tmp_path_factory.mktemp("world") / "world.sqlite3"
    shutil.copyfile(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    session = make_session_factory(engine)()
    world = build_world(session)
    session.close()
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return WorldTemplate(str(path), None, world)


@pytest.fixture
def database_url(
    world_template: WorldTemplate, migrated_template: str, maintenance_engine: Engine | None, tmp_path: Path
) -> str:
    """A copy of the world for this test alone (overrides the empty database of tests/conftest.py)."""
    if maintenance_engine is not None and world_template.snapshot is not None:
        with maintenance_engine.begin() as connection:
            empty_all_tables(connection)
            restore_snapshot(connection, world_template.snapshot)
        return migrated_template
    path = tmp_path / "world.sqlite3"
    shutil.copyfile(world_template.sqlite_path or "", path)
    return f"sqlite:///{path}"


@pytest.fixture
def world(world_template: WorldTemplate) -> dict[str, Any]:
    return dict(world_template.world)


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


def request_for(app: Flask, world: dict[str, Any], row: Row, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """The row's address and form filled from the world, with a copy of the world's documents."""
    if world.get("documents_folder"):
        documents = tmp_path / "world-documents"
        shutil.copytree(world["documents_folder"], documents)
        app.config["DOCUMENTS_FOLDER"] = str(documents)
    data = {
        name: value.format(**world) if isinstance(value, str) else value for name, value in row.data.items()
    }
    return row.url.format(**world), data


@pytest.mark.parametrize(
    "row", ALL_ROWS, ids=lambda row: f"{row.method}-{row.url}{'-' + row.note if row.note else ''}"
)
def test_route_gives_each_role_the_expected_status(
    app: Flask,
    world: dict[str, Any],
    row: Row,
    make_client: Callable[[str, dict[str, Any]], FlaskClient],
    tmp_path: Path,
) -> None:
    # A fresh copy of the world per row; roles are tried in turn (anonymous first, so a permitted change
    # comes after every refusal has been checked against the untouched world).
    url, data = request_for(app, world, row, tmp_path)
    wrong = []
    for role in EVERY_ROLE:
        response = make_client(role, world).open(url, method=row.method, data=data)
        if response.status_code != row.expected[role]:
            wrong.append(f"{role}: expected {row.expected[role]}, got {response.status_code}")
        elif (
            role == ANONYMOUS
            and response.status_code == 302
            and "/sign-in" not in response.headers["Location"]
        ):
            wrong.append(f"anonymous: redirected to {response.headers['Location']}, not to sign in")
    assert wrong == [], f"{row.method} {url}: " + "; ".join(wrong)


# Placeholders that name no object of a programme: sites (Kent takes part in both programmes), accounts,
# tokens (a person's own), and the parts of an address that pick a page rather than an object.
NOT_PROGRAMME_OBJECTS = frozenset(
    {
        "site_id",
        "user_id",
        "other_site_lead_id",
        "partner_id",
        "administrators_token_id",
        "other_users_token_id",
        "other_programme_id",
    }
)
PROGRAMME_OUTSIDERS = (ADMINISTRATOR, EVALUATOR, SITE_LEAD, NATIONAL_OFFICIAL)


def programme_objects_in(url: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(url) if name}
    return names - NOT_PROGRAMME_OBJECTS


def outsider_expected(app: Flask, row: Row, role: str) -> int:
    """What a member of programme B alone gets where A's member of the same role gets `row.expected`: 404
    for any object of A on a page the role may open (whatever A's member is told about it: refused in its
    state, withdrawn), else the same answer (a role the page refuses stays refused)."""
    with app.test_request_context():
        rule = access_rule_for(row.endpoint)
    role_admitted = rule is not None and (rule.public or rule.roles is None or Role(role) in rule.roles)
    if (
        role_admitted
        and role == ADMINISTRATOR
        and row.endpoint.startswith("admin.")
        and row.endpoint not in PROGRAMME_PAGES
    ):
        # Users, sites and the list of programmes are the service administrators' alone; a programme's
        # own pages are its administrators' too (below: another programme's are not found).
        return 403
    if role_admitted and programme_objects_in(row.url) and row.expected[role] != 401:
        return 404
    return row.expected[role]


@pytest.mark.parametrize(
    "row", ALL_ROWS, ids=lambda row: f"{row.method}-{row.url}{'-' + row.note if row.note else ''}"
)
def test_a_member_of_another_programme_finds_nothing_of_this_one(
    app: Flask, world: dict[str, Any], row: Row, tmp_path: Path
) -> None:
    """The programme dimension: every route, every role, asked by someone who belongs to programme B only
    (for the site lead: the lead of Kent in B, Kent taking part in both)."""
    url, data = request_for(app, world, row, tmp_path)
    wrong = []
    for role in PROGRAMME_OUTSIDERS:
        client = app.test_client()
        sign_in(client, world["outsider_emails"][role])
        response = client.open(url, method=row.method, data=data)
        expected = PROGRAMME_EXCEPTIONS.get(
            (row.endpoint, row.method, row.note, role), outsider_expected(app, row, role)
        )
        if response.status_code != expected:
            wrong.append(f"{role} of programme B: expected {expected}, got {response.status_code}")
    assert wrong == [], f"{row.method} {url}: " + "; ".join(wrong)


# Where an outsider's answer differs from the general rule, and why.
PROGRAMME_EXCEPTIONS: dict[tuple[str, str, str, str], int] = {
    # Programme B is the outsiders' own: they may put it in view.
    **{
        ("main.view_programme", "POST", "a programme the user does not belong to", role): 302
        for role in PROGRAMME_OUTSIDERS
    },
    # Leeds, named in the address, takes part in programme A only.
    **{
        (endpoint, "GET", "another site", role): 404
        for endpoint in ("downloads.site_downloads", "downloads.site_data_pack")
        for role in (ADMINISTRATOR, EVALUATOR)
    },
    # The publishing form offers only the frameworks of the user's programmes: A's is refused as a choice.
    ("downloads.publish", "POST", "", ADMINISTRATOR): 200,
    ("downloads.publish", "POST", "", EVALUATOR): 200,
    # A token is its owner's alone, whatever programme either belongs to.
    ("tokens.revoke", "POST", "the administrator's own token", ADMINISTRATOR): 404,
}


@pytest.fixture
def make_client(app: Flask) -> Callable[[str, dict[str, Any]], FlaskClient]:
    def build(role: str, world: dict[str, Any]) -> FlaskClient:
        client = app.test_client()
        if role != ANONYMOUS:
            sign_in(client, world["emails"][role])
        return client

    return build
