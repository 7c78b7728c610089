"""How the dashboards' figures are read from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def plain_rows(session: Session, statement: Any) -> Any:
    """Run an aggregation as a plain Core statement: its rows are figures, not ORM entities, and
    skipping the ORM's row handling matters when there are tens of thousands of them."""
    return session.connection().execute(statement)
