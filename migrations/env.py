"""Alembic environment: the database URL comes from the app's configuration, the schema from the models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from evidence_hub.db import Base, make_engine
from evidence_hub.models import __all__ as _registered_models  # noqa: F401  (registers every table)

config = context.config
target_metadata = Base.metadata
# The queue library's tables (PostgreSQL only, migration 0012) are its own, not the models'.
QUEUE_TABLE_PREFIX = "procrastinate_"


def _is_the_services_own(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    return not (type_ == "table" and (name or "").startswith(QUEUE_TABLE_PREFIX))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_is_the_services_own,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported: run `evidence-hub db upgrade`.")
run_migrations_online()
