"""The audit log: evaluators and administrators see all of it; an item's history is also open to the
site lead of the item's site, and 404 for another site's item."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.services.common import audit
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only
from tests.returns_helpers import return_in_quarter

LOG_READERS = {ADMINISTRATOR: 200, EVALUATOR: 200}


def extend_world(session: Session, world: dict[str, Any]) -> None:
    for key, site in (("history_return_id", "kent"), ("other_history_return_id", "leeds")):
        site_return = return_in_quarter(session, site, quarter=12)
        with transaction(session):
            audit.record(
                session,
                actor=None,
                action="return.started",
                object_type="return",
                object_id=site_return.id,
                site_id=site_return.site_id,
                after={"status": "draft"},
            )
        world[key] = site_return.id


ROWS = [
    Row("audit_log.index", "GET", "/audit/", only(LOG_READERS)),
    Row("audit_log.index", "GET", "/audit/?action=return.started&page=2", only(LOG_READERS), note="filtered"),
    Row("audit_log.download", "GET", "/audit/download.csv", only(LOG_READERS)),
    Row(
        "audit_log.history",
        "GET",
        "/audit/history/return/{history_return_id}",
        only({**LOG_READERS, SITE_LEAD: 200}),
    ),
    Row(
        "audit_log.history",
        "GET",
        "/audit/history/return/{other_history_return_id}",
        only({**LOG_READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "audit_log.history",
        "GET",
        "/audit/history/return/999999",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="no records",
    ),
]
