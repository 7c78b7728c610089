"""A published release on the demo world (three sites, eight quarters, mixed states), for tests of
everything national officials receive."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.db import Base
from evidence_hub.demo_evidence import EVALUATOR_EMAIL, ensure_demo_evidence, ensure_demo_releases
from evidence_hub.models import Framework, Release, Site, User
from evidence_hub.services import releases
from evidence_hub.services.accounts import AccountSettings
from evidence_hub.services.frameworks import ensure_demo_framework


@dataclass(frozen=True)
class WorldSnapshot:
    """Every row of a freshly built demo world, and the demo accounts' passwords file beside it."""

    rows: dict[str, list[dict[str, Any]]]
    passwords_file: str


# Building the demo world through the services takes seconds; dozens of tests need it, so each worker
# builds it once per database engine and later tests load the same rows straight into their empty database.
_snapshots: dict[str, WorldSnapshot] = {}


def demo_world(session: Session, instance: Path) -> Framework:
    """The demo's sites, accounts, framework and evidence, committed."""
    engine_name = session.get_bind().dialect.name
    snapshot = _snapshots.get(engine_name)
    if not _is_empty(session):
        return _build_demo_world(session, instance)
    if snapshot is None:
        framework = _build_demo_world(session, instance)
        _snapshots[engine_name] = _take_snapshot(session, instance)
        return framework
    _restore_snapshot(session, snapshot, instance)
    return session.scalars(select(Framework)).one()


def _build_demo_world(session: Session, instance: Path) -> Framework:
    sites = demo.ensure_demo_sites(session)
    framework = ensure_demo_framework(session)
    demo.ensure_demo_accounts(session, sites, str(instance), AccountSettings())
    ensure_demo_evidence(session, framework)
    session.commit()
    return framework


def _is_empty(session: Session) -> bool:
    return all(
        session.scalar(select(func.count()).select_from(model)) == 0 for model in (User, Site, Framework)
    )


def _take_snapshot(session: Session, instance: Path) -> WorldSnapshot:
    connection = session.connection()
    rows = {
        table.name: [dict(row._mapping) for row in connection.execute(table.select())]
        for table in Base.metadata.sorted_tables
    }
    session.commit()
    return WorldSnapshot(rows, (instance / demo.DEMO_ACCOUNTS_FILE).read_text(encoding="utf-8"))


def _restore_snapshot(session: Session, snapshot: WorldSnapshot, instance: Path) -> None:
    connection = session.connection()
    for table in Base.metadata.sorted_tables:
        table_rows = snapshot.rows[table.name]
        if not table_rows:
            continue
        connection.execute(table.insert(), table_rows)
        if connection.dialect.name == "postgresql":
            # Rows arrive with their ids, so each id sequence must move past them for later inserts.
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                    sequence = func.pg_get_serial_sequence(table.name, column.name)
                    connection.execute(
                        select(func.setval(sequence, select(func.max(column)).scalar_subquery()))
                    )
    session.commit()
    instance.mkdir(parents=True, exist_ok=True)
    (instance / demo.DEMO_ACCOUNTS_FILE).write_text(snapshot.passwords_file, encoding="utf-8")


def evaluator(session: Session) -> User:
    return session.scalars(select(User).where(User.email == EVALUATOR_EMAIL)).one()


def publish(
    session: Session,
    framework: Framework,
    *,
    title: str = "Worklessness data-sharing pilots: learning to date",
    threshold: int = 10,
    round_to: int | None = None,
    site_codes: tuple[str, ...] | None = None,
) -> Release:
    periods = list(framework.reporting_periods)
    sites = list(session.scalars(select(Site).order_by(Site.name)))
    if site_codes is not None:
        sites = [site for site in sites if site.code in site_codes]
    release = releases.publish_release(
        session,
        actor=evaluator(session),
        framework=framework,
        version=None,
        period_from=periods[0],
        period_to=periods[-1],
        sites=sites,
        title=title,
        threshold=threshold,
        round_to=round_to,
    )
    session.commit()
    return release


def published_release(session: Session, instance: Path | None = None) -> Release:
    """The demo world with one release of all its sites and periods, committed. The demo accounts'
    passwords file goes to `instance`, or to a new temporary folder."""
    return publish(session, demo_world(session, instance or Path(tempfile.mkdtemp())))


def demo_releases(session: Session, instance: Path) -> list[str]:
    """The demo world with the demo's own releases, as `evidence-hub demo` publishes them."""
    framework = demo_world(session, instance)
    references = ensure_demo_releases(session, framework)
    session.commit()
    return references
