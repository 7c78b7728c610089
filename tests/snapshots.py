"""Every row of a database, held in memory and loaded into another empty database at the same migration.

Tests that need a large arranged world (a framework, the demo, the access matrix's) build it once per
worker through the services and then load its rows into each test's empty database, which is far quicker
than building it again or, on PostgreSQL, copying a template database for every test.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Integer, func, literal, select
from sqlalchemy.orm import Session

from evidence_hub.db import Base, transaction

Built = TypeVar("Built")


@dataclass(frozen=True)
class Snapshot:
    rows: dict[str, list[dict[str, Any]]]

    @property
    def tables_written(self) -> set[str]:
        return {name for name, rows in self.rows.items() if rows}


def take_snapshot(connection: Connection) -> Snapshot:
    return Snapshot(
        {
            table.name: [dict(row._mapping) for row in connection.execute(table.select())]
            for table in Base.metadata.sorted_tables
        }
    )


def restore_snapshot(connection: Connection, snapshot: Snapshot, skip: frozenset[str] = frozenset()) -> None:
    """Insert the rows, parents first, with their own ids (except the tables in `skip`, whose rows the
    database already holds); the caller commits."""
    sequences_to_move = []
    for table in Base.metadata.sorted_tables:
        rows = snapshot.rows[table.name]
        if not rows or table.name in skip:
            continue
        connection.execute(table.insert(), rows)
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                sequences_to_move.append((table, column))
    move_sequences_past_their_ids(connection, sequences_to_move)


def move_sequences_past_their_ids(connection: Connection, sequences_to_move: list[tuple[Any, Any]]) -> None:
    """On PostgreSQL, after rows were inserted with their own ids."""
    if connection.dialect.name == "postgresql" and sequences_to_move:
        # Rows arrive with their ids, so each id sequence must move past them for later inserts.
        connection.execute(
            select(
                *(
                    func.setval(
                        func.pg_get_serial_sequence(table.name, column.name),
                        select(func.max(column)).scalar_subquery(),
                    )
                    for table, column in sequences_to_move
                )
            )
        )


def occupied_tables(connection: Connection) -> set[str]:
    """The tables holding at least one row (asked in one query)."""
    tables = Base.metadata.sorted_tables
    row = connection.execute(
        select(*(select(literal(1)).select_from(table).exists() for table in tables))
    ).one()
    return {table.name for table, occupied in zip(tables, row, strict=True) if occupied}


# What each build wrote into an empty database, by engine and build.
_built: dict[tuple[str, Hashable], Snapshot] = {}

# Rows the factories make the same way every time, with the same ids and codes (the factories' programme
# and its department): where the database already holds exactly these, a snapshot's copies of them are
# left out rather than the snapshot refused.
SHARED_TABLES = ("departments", "programmes")


def _holds_the_same_shared_rows(connection: Connection, snapshot: Snapshot, tables: set[str]) -> bool:
    for table in Base.metadata.sorted_tables:
        if table.name in tables:
            held = {(row.id, row.code) for row in connection.execute(select(table.c.id, table.c.code))}
            if held != {(row["id"], row["code"]) for row in snapshot.rows[table.name]}:
                return False
    return True


def build_once(
    session: Session, key: Hashable, build: Callable[[], Built], reload: Callable[[], Built]
) -> Built:
    """Bring the database to what `build` makes of it and return what `build` returns.

    `build` runs into an empty database only the first time for each engine and key, and every row it
    wrote is kept. Later, wherever none of the tables it wrote to holds a row yet, those rows are loaded
    directly (their ids cannot clash, and they refer only to one another) and `reload` finds the result.
    """
    occupied = occupied_tables(session.connection())
    name = (session.get_bind().dialect.name, key)
    snapshot = _built.get(name)
    clashing = occupied & snapshot.tables_written if snapshot is not None else set()
    if (
        snapshot is not None
        and clashing <= set(SHARED_TABLES)
        and _holds_the_same_shared_rows(session.connection(), snapshot, clashing)
    ):
        with transaction(session):
            restore_snapshot(session.connection(), snapshot, skip=frozenset(clashing))
        return reload()
    result = build()
    if snapshot is None and not occupied:
        _built[name] = take_snapshot(session.connection())
        session.commit()
    return result
