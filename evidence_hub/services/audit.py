"""The audit log: one append-only record for every change, written in the same transaction as it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, User


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete an audit record."""


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    site_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Add an audit record to the session; it is committed or rolled back with the change it describes."""
    audit_event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        site_id=site_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        reason=reason,
    )
    session.add(audit_event)
    return audit_event


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value differs, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEvent) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise AuditLogIsAppendOnly("Audit records cannot be changed or deleted")
