"""The audit log is append-only: neither the service nor the database lets a record change."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent
from evidence_hub.services.common import audit
from evidence_hub.services.common.audit import AuditLogIsAppendOnly
from tests.factories import make_user


def add_event(db: Session) -> AuditEvent:
    actor = make_user(db)
    with transaction(db):
        event = audit.record(
            db,
            actor=actor,
            action="site.updated",
            object_type="site",
            object_id=1,
            before={"name": "Kent"},
            after={"name": "Kent CC"},
        )
    return event


def test_changing_an_audit_record_through_the_models_is_refused(db: Session) -> None:
    event = add_event(db)
    with pytest.raises(AuditLogIsAppendOnly), transaction(db):
        event.reason = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly), transaction(db):
        db.delete(db.get(AuditEvent, event.id))


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(reason="rewritten"), delete(AuditEvent)],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_audit_records(db: Session, statement: object) -> None:
    add_event(db)
    with pytest.raises(DatabaseError, match="append-only"), transaction(db):
        db.execute(statement)  # type: ignore[call-overload]
    assert db.scalar(text("SELECT count(*) FROM audit_events")) == 1


def test_changed_fields_keeps_only_what_differs() -> None:
    before, after = audit.changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3})
    assert (before, after) == ({"b": 2}, {"b": 3})
