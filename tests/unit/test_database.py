"""The database layer: SQLite connection settings, and writers that wait for each other."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Site
from tests.factories import make_site


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app: Flask, db: Session) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    assert db.scalar(text("PRAGMA foreign_keys")) == 1
    assert db.scalar(text("PRAGMA journal_mode")) == "wal"
    assert db.scalar(text("PRAGMA busy_timeout")) == 10_000


def test_a_failed_transaction_leaves_nothing_half_written(db: Session) -> None:
    with pytest.raises(RuntimeError), transaction(db):
        db.add(Site(code="york", name="York", region="Yorkshire", local_authorities=[]))
        db.flush()
        raise RuntimeError("something went wrong half way")
    assert db.scalar(select(Site).where(Site.code == "york")) is None


def test_concurrent_writers_wait_for_each_other_instead_of_failing(app: Flask, db: Session) -> None:
    site = make_site(db, "kent")
    factory = app.extensions["evidence_hub.session_factory"]
    errors: list[BaseException] = []

    def rename(suffix: int) -> None:
        session = factory()
        try:
            for _ in range(10):
                with transaction(session):
                    row = session.get(Site, site.id, populate_existing=True)
                    assert row is not None
                    row.region = f"{row.region[:60]}+{suffix}"
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=rename, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.expire_all()
    assert db.get(Site, site.id).region.count("+") >= 1  # type: ignore[union-attr]
