"""Reporting periods administration: administrators only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import PeriodStatus
from tests.access_rows import ADMINISTRATOR, Row, only
from tests.returns_helpers import period_in_quarter


def extend_world(session: Session, world: dict[str, Any]) -> None:
    world["closable_period_id"] = period_in_quarter(session, 3).id
    closed = period_in_quarter(session, 11)
    with transaction(session):
        closed.status = PeriodStatus.CLOSED.value
    world["closed_period_id"] = closed.id


ROWS = [
    Row("periods.index", "GET", "/admin/periods/", only({ADMINISTRATOR: 200})),
    Row("periods.close", "GET", "/admin/periods/{closable_period_id}/close", only({ADMINISTRATOR: 200})),
    Row("periods.close", "POST", "/admin/periods/{closable_period_id}/close", only({ADMINISTRATOR: 302})),
    Row(
        "periods.close",
        "GET",
        "/admin/periods/{closed_period_id}/close",
        only({ADMINISTRATOR: 302}),
        note="already closed",
    ),
    Row(
        "periods.close",
        "GET",
        "/admin/periods/999999/close",
        only({ADMINISTRATOR: 404}),
        note="no such period",
    ),
]
