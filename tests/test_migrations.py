"""The schema comes only from the migrations: one head, recorded; models match; down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from evidence_hub import migrations
from evidence_hub.db import Base, make_engine
from tests.conftest import create_postgres_database, postgres_base_url, worker_name


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables at all, on the engine this run tests."""
    if postgres_base_url():
        url = create_postgres_database(f"migrations_{worker_name()}")
    else:
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    engine = make_engine(url)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        # The queue library's tables (migration 0012, PostgreSQL) have no models: they are its own.
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, _parents: (
                    not (type_ == "table" and (name or "").startswith("procrastinate_"))
                ),
            },
        )
        return list(compare_metadata(context, Base.metadata))


def test_there_is_one_head_and_it_is_recorded(empty_engine: Engine) -> None:
    assert migrations.script_heads(empty_engine) == [migrations.recorded_head()]


def test_migration_files_are_numbered_in_sequence() -> None:
    names = sorted(path.name for path in (migrations.MIGRATIONS_FOLDER / "versions").glob("*.py"))
    numbers = [name[:4] for name in names]
    assert numbers == [f"{index:04d}" for index in range(1, len(names) + 1)]
    assert all(name[4] == "_" for name in names)


def test_upgrade_matches_the_models_then_downgrades_and_upgrades_again(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.recorded_head()
    assert schema_differences(empty_engine) == []

    migrations.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}

    migrations.upgrade(empty_engine)
    assert schema_differences(empty_engine) == []
