"""The database: declarative Base, one engine per app, a session per request, and `transaction()`.

SQLite (the embedded default) gets foreign keys, WAL and a busy timeout on every connection, and a
write transaction begins IMMEDIATE so that a second writer waits for the first instead of failing half
way through. PostgreSQL needs none of that.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import URL, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "evidence_hub_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both engines (SQLite stores no zone, so it is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _is_sqlite_file(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if _is_sqlite_file(engine.url):
            cursor.execute("PRAGMA journal_mode = WAL")
            # With WAL, NORMAL never corrupts the database and syncs far less often than FULL.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **options: Any) -> Engine:
    # A pooled connection is tested before each use, so that a database restarted since it was opened
    # costs a reconnection rather than a failed request.
    options.setdefault("pool_pre_ping", True)
    engine = create_engine(url, future=True, **options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def make_session_factory(engine: Engine, info: dict[str, Any] | None = None) -> sessionmaker[Session]:
    """Sessions on the engine; `info` is copied into every session's `info` (the deployment's address for
    the links in emails, for example), for services that take a session and nothing else."""
    # Objects stay readable after commit: a view renders what it has just saved without reloading.
    return sessionmaker(bind=engine, expire_on_commit=False, future=True, info=info)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """One unit of writing work: commit when the block ends, roll everything back on any error.

    A read transaction already open on the session is ended first, so that on SQLite the write lock is
    taken when the unit begins (BEGIN IMMEDIATE) rather than half way through it.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def is_database_unavailable(error: DBAPIError) -> bool:
    """True when the error says the database cannot be used at all (down, unreachable, locked for too long,
    or its file unreadable), rather than that a statement was wrong: the first is worth trying again
    later, the second is a fault in the service."""
    if isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated:
        return True
    # SQLite says "file is not a database" or "database disk image is malformed" with the driver's base
    # DatabaseError itself; its subclasses (IntegrityError and the like) are faults in a statement.
    driver_error = type(error.orig)
    return driver_error.__module__ == "sqlite3" and driver_error.__name__ == "DatabaseError"


# Reads a table the migrations made, so that it fails for a database that is up but unreadable or empty.
HEALTH_QUERY = text("SELECT version_num FROM alembic_version")
_fresh_engines: dict[str, Engine] = {}
_fresh_engines_lock = threading.Lock()


def _new_connections_to_file(url: URL) -> Engine:
    """An engine opening a new connection each time, read-write and never creating the file: a missing file
    is an unavailable database, not a new empty one."""
    key = url.render_as_string(hide_password=False)
    with _fresh_engines_lock:
        return _fresh_engines.get(key) or _fresh_engines.setdefault(
            key,
            create_engine(
                url.set(database=f"file:{url.database}", query={**url.query, "mode": "rw", "uri": "true"}),
                poolclass=NullPool,
            ),
        )


def check_database(engine: Engine) -> None:
    """Raise SQLAlchemyError unless the database answers with its own tables.

    A SQLite file is read through a new connection, not a pooled one: a pooled SQLite connection keeps
    reading a file that can no longer be opened, and the check must fail as the next worker to start would.
    A database server is asked through the pool, whose connections are pinged before use (make_engine): one
    the server closed is replaced, and a server that cannot be reached fails the check. A new connection
    to PostgreSQL starts a server process; for every probe it made /healthz five times slower than a whole
    signed-out page. An in-memory database exists only in its own connection.
    """
    checked = _new_connections_to_file(engine.url) if _is_sqlite_file(engine.url) else engine
    with checked.connect() as connection:
        connection.execute(HEALTH_QUERY).all()
