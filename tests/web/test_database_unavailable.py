"""When the database cannot be used: the health check says so (reading a SQLite file through a new
connection, a server through the pool), every page says the service is unavailable (503, try again later)
instead of failing, and a restarted database costs nothing but a reconnection."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from evidence_hub import ENGINE_KEY
from evidence_hub.db import make_engine, make_session_factory
from evidence_hub.models import Role
from evidence_hub.services.accounts.api_tokens import TOKEN_START
from evidence_hub.web import SESSION_FACTORY_KEY
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.pages import heading, page, text_of

STOPPED_POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
UNAVAILABLE = "Sorry, the service is unavailable"


def sqlite_copy(database_url: str, tmp_path: Path) -> Path:
    """A SQLite copy of the test's database (which may be on PostgreSQL: then an empty migrated file)."""
    target = tmp_path / "copy.sqlite3"
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(database_url.removeprefix("sqlite:///"), target)
    else:
        from evidence_hub.migrations import upgrade

        engine = make_engine(f"sqlite:///{target}")
        upgrade(engine)
        engine.dispose()
    return target


def point_at(app: Flask, url: str) -> None:
    """Point the app at another database, as a restart with a new configuration would."""
    engine = make_engine(url)
    app.extensions[ENGINE_KEY].dispose()
    app.extensions[ENGINE_KEY] = engine
    app.extensions[SESSION_FACTORY_KEY] = make_session_factory(engine)


def assert_unavailable_page(response: object) -> None:
    soup = page(response, status=503)
    assert heading(soup) == UNAVAILABLE
    assert "Try again in a few minutes" in text_of(soup)
    assert response.headers["Retry-After"] == "30"  # type: ignore[attr-defined]


@pytest.mark.parametrize("breakage", ["overwritten", "moved away"])
def test_the_health_check_fails_when_the_file_cannot_be_read_though_pooled_connections_are_open(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path, breakage: str
) -> None:
    path = sqlite_copy(database_url, tmp_path)
    app = make_app(DATABASE_URL=f"sqlite:///{path}")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with app.extensions[ENGINE_KEY].connect() as pooled:
        pooled.execute(text("SELECT count(*) FROM users")).all()

    if breakage == "overwritten":
        path.write_bytes(b"This is not a database. " * 400)
    else:
        path.rename(tmp_path / "elsewhere.sqlite3")
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
    assert response.headers["Retry-After"] == "30"
    assert not path.exists() or breakage == "overwritten", "the check must not create an empty database"


def test_the_health_check_fails_for_a_database_without_the_services_tables(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert app.test_client().get("/healthz").status_code == 503


def test_signing_in_to_an_unreadable_database_shows_the_service_is_unavailable(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    path = tmp_path / "unreadable.sqlite3"
    path.write_bytes(b"This is not a database. " * 400)
    client = make_app(DATABASE_URL=f"sqlite:///{path}").test_client()

    response = client.post("/sign-in", data={"email": "eve@example.gov.uk", "password": DEFAULT_PASSWORD})

    assert_unavailable_page(response)


def test_every_page_shows_the_service_is_unavailable_while_postgresql_is_stopped(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(DATABASE_URL=STOPPED_POSTGRES).test_client()

    assert_unavailable_page(client.post("/sign-in", data={"email": "a@example.gov.uk", "password": "x"}))
    assert client.get("/healthz").status_code == 503
    well_formed = TOKEN_START + "A" * 43
    api = client.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {well_formed}"})
    assert (api.status_code, api.mimetype) == (503, "application/json")
    assert api.json["error"]["title"] == "Service unavailable"
    assert api.headers["Retry-After"] == "30"


def test_a_signed_in_user_sees_the_unavailable_page_when_the_database_goes_away(
    app: Flask, db: Session, client: FlaskClient
) -> None:
    user = make_user(db, Role.EVALUATOR)
    sign_in(client, user.email)
    assert client.get("/").status_code == 200

    point_at(app, STOPPED_POSTGRES)

    for address in ("/", "/returns/", "/dashboard/", "/account"):
        assert_unavailable_page(client.get(address))


def test_a_restarted_postgresql_costs_only_a_reconnection(
    app: Flask, db: Session, client: FlaskClient
) -> None:
    engine = app.extensions[ENGINE_KEY]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to restart")
    user = make_user(db, Role.EVALUATOR)
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    with engine.connect() as connection:
        pooled_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()

    # What a restart does to the pool: every connection it holds is closed by the server.
    administrator = make_engine(engine.url.render_as_string(hide_password=False))
    with administrator.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pooled_pid})
    administrator.dispose()

    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_health_checks_of_postgresql_start_no_server_process(app: Flask, client: FlaskClient) -> None:
    engine = app.extensions[ENGINE_KEY]
    if engine.dialect.name != "postgresql":
        pytest.skip("A SQLite file is read through a new connection (the tests above)")
    assert client.get("/healthz").status_code == 200
    connections_opened: list[object] = []

    def opened(*_arguments: object) -> None:
        connections_opened.append(object())

    event.listen(Engine, "connect", opened)
    try:
        answers = [client.get("/healthz").status_code for _ in range(5)]
    finally:
        event.remove(Engine, "connect", opened)

    assert answers == [200] * 5
    assert connections_opened == [], "a load balancer's probes must not each start a PostgreSQL process"
