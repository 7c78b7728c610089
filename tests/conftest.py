"""Shared fixtures: a clean database built by the migrations for every test, apps, clients per role.

Every app's test client checks each HTML page it receives (tests/pages.py, PageCheckingClient): one
<h1>, a <title> that starts with it, and markup the GOV.UK components would produce.

The suite runs on SQLite by default and on PostgreSQL when EVIDENCE_HUB_TEST_DATABASE_URL is set
(each pytest-xdist worker then gets its own database, created next to the one named).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from evidence_hub import ENGINE_KEY, create_app
from evidence_hub.db import Base, make_engine, make_session_factory
from evidence_hub.migrations import upgrade
from evidence_hub.models import Role, User
from evidence_hub.web import SESSION_FACTORY_KEY
from tests.factories import DEFAULT_PASSWORD, factory_totp_secret, make_user, second_factor_codes
from tests.object_stores import s3_endpoint  # noqa: F401 (a fixture of the whole suite)
from tests.pages import PageCheckingClient

POSTGRES_URL_VARIABLE = "EVIDENCE_HUB_TEST_DATABASE_URL"

TEST_CONFIG: dict[str, Any] = {
    "ENV": "development",
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-checks",
    "WTF_CSRF_ENABLED": False,
    # Cheap hashing keeps the suite fast; production keeps the memory-hard defaults.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 1024,
    "ARGON2_PARALLELISM": 1,
    "SERVER_NAME": "localhost",
    "LOG_LEVEL": "WARNING",
    # Releases published in tests build their files on demand, as before; tests of the jobs choose.
    "JOBS_RUN_BY": "off",
}


def postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url and "+psycopg" not in url else url


def worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_postgres_database(suffix: str) -> str:
    """A new, empty PostgreSQL database beside the configured one; returns its URL."""
    base = make_url(postgres_base_url() or "")
    name = f"{base.database}_{suffix}"
    admin_engine = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        speed_up_for_tests(connection, name)
    admin_engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# The job queue's own tables (procrastinate's, PostgreSQL only): a job left by one test would hold the
# queueing lock of a release id the next test reuses.
EMPTY_QUEUE_TABLES = (
    "DELETE FROM procrastinate_events",
    "DELETE FROM procrastinate_periodic_defers",
    "DELETE FROM procrastinate_jobs",
    "DELETE FROM procrastinate_workers",
)


def empty_all_tables(connection: Connection) -> None:
    """Remove every row (PostgreSQL). DELETE, children first, is much quicker than TRUNCATE for the handful
    of rows a test leaves; the append-only guards of the audit log and releases are skipped for this
    transaction alone."""
    deletes = [
        str(table.delete().compile(dialect=connection.dialect))
        for table in reversed(Base.metadata.sorted_tables)
    ] + list(EMPTY_QUEUE_TABLES)
    # One round trip for every statement: a test's setup otherwise waits on dozens of them.
    connection.exec_driver_sql("; ".join(["SET LOCAL session_replication_role = replica", *deletes]))


def speed_up_for_tests(admin_connection: Connection, name: str) -> None:
    """Commits need not wait for the disk in a throwaway test database."""
    admin_connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Built once per worker by running every migration: a SQLite file to copy, or a PostgreSQL database."""
    if postgres_base_url():
        url = create_postgres_database(f"tests_{worker_name()}")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


@pytest.fixture(scope="session")
def maintenance_engine(migrated_template: str) -> Iterator[Engine | None]:
    """On PostgreSQL, one pooled connection per worker that empties the test database between tests: a new
    connection each time would start a server process with cold catalog caches."""
    if not postgres_base_url():
        yield None
        return
    engine = make_engine(migrated_template)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(migrated_template: str, maintenance_engine: Engine | None, tmp_path: Path) -> str:
    """A clean database at the head migration, for this test alone."""
    if maintenance_engine is not None:
        with maintenance_engine.begin() as connection:
            empty_all_tables(connection)
        return migrated_template
    path = tmp_path / "evidence_hub.sqlite3"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database, with extra settings where a test needs them."""
    apps: list[Flask] = []

    def build(**settings: Any) -> Flask:
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **settings})
        app.instance_path = str(instance)
        app.test_client_class = PageCheckingClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["evidence_hub.engine"].dispose()


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app per test worker: building the URL map and templates is the slow part of an app."""
    instance = tmp_path_factory.mktemp("shared-instance")
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
    app.instance_path = str(instance)
    app.test_client_class = PageCheckingClient
    return app


@pytest.fixture
def app(shared_app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The worker's app, pointed at this test's clean database and its own documents folder; settings
    a test changes are put back."""
    engine = make_engine(database_url)
    previous_engine = shared_app.extensions[ENGINE_KEY]
    shared_app.extensions[ENGINE_KEY] = engine
    shared_app.extensions[SESSION_FACTORY_KEY] = make_session_factory(engine)
    shared_app.config["DATABASE_URL"] = database_url
    settings = dict(shared_app.config)
    shared_app.config["DOCUMENTS_FOLDER"] = str(tmp_path / "documents")
    shared_app.config["RELEASE_FILES_FOLDER"] = str(tmp_path / "release-files")
    yield shared_app
    shared_app.config.clear()
    shared_app.config.update(settings)
    engine.dispose()
    previous_engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A database session for arranging data and checking what was saved."""
    session: Session = app.extensions["evidence_hub.session_factory"]()
    yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _csrf(client: FlaskClient, path: str) -> dict[str, str]:
    """The form's CSRF token, when the app checks them (most tests turn the check off)."""
    if not client.application.config.get("WTF_CSRF_ENABLED", True):
        return {}
    found = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)
    )
    return {"csrf_token": found.group(1)} if found else {}


def sign_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the sign-in pages, entering a code from the authenticator app when asked (the
    app of a user the factories enrolled)."""
    response = client.post(
        "/sign-in", data={"email": email, "password": password, **_csrf(client, "/sign-in")}
    )
    assert response.status_code == 302, f"Could not sign in as {email}: {response.status_code}"
    if urlsplit(response.location).path != "/sign-in/two-factor":
        return
    for code in second_factor_codes(factory_totp_secret(email)):
        token = _csrf(client, "/sign-in/two-factor")
        response = client.post("/sign-in/two-factor", data={"code": code, **token})
        if response.status_code == 302:
            return
    raise AssertionError(f"Could not sign in as {email}: the second factor was refused")


@pytest.fixture
def client_as(app: Flask, db: Session) -> Callable[..., FlaskClient]:
    """`client_as("site_lead", site="kent")`: a test client signed in as a new user with that role."""

    def build(role: str | Role, **user_fields: Any) -> FlaskClient:
        user = make_user(db, Role(role), **user_fields)
        signed_in_client = app.test_client()
        sign_in(signed_in_client, user.email)
        signed_in_client.user = user  # type: ignore[attr-defined]
        return signed_in_client

    return build


@pytest.fixture
def user_of(db: Session) -> Callable[[FlaskClient], User]:
    """The user a `client_as` client is signed in as, fresh from the database."""

    def find(signed_in_client: FlaskClient) -> User:
        user = db.get(User, signed_in_client.user.id)  # type: ignore[attr-defined]
        assert user is not None
        db.refresh(user)
        return user

    return find
