"""What every row of evidence shares: finding it within what the user may see, reading it again under the
write lock, refusing to save over a newer version, and writing its audit record.

The item service (items.py), impact measures and baselines, the milestone and documents all build on
these, so a row is found, checked and audited the same way whatever section it belongs to.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import User
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import NotVisible, scope_to_user
from evidence_hub.services.common.values import plain
from evidence_hub.services.returns.errors import StaleEdit

RowT = TypeVar("RowT")


def visible_item(session: Session, user: User, model: type[RowT], item_id: int) -> RowT:
    """The row with this id if the user may see it; NotVisible (shown as 404) otherwise."""
    site_id_column = model.site_id  # type: ignore[attr-defined]
    statement = scope_to_user(select(model).where(model.id == item_id), user, site_id_column)  # type: ignore[attr-defined]
    item = session.scalar(statement)
    if item is None:
        raise NotVisible(f"No {model.__name__} {item_id} for this user")
    return item


def read_for_writing(session: Session, *rows: Any) -> None:
    """Read rows again inside the writing transaction, locking them where the engine can.

    A page reads its rows before the write transaction begins, so what it holds may be older than what is
    saved by the time it writes. Reading again under the lock (FOR UPDATE on PostgreSQL; SQLite's write
    transaction already excludes every other writer) means a version is compared, and an audit record's
    "before" taken, from the row as it is when this write happens.
    """
    # Anything this transaction has already changed is written first: reading a row again replaces what
    # the session holds of it.
    session.flush()
    for row in rows:
        session.refresh(row, with_for_update=True)


def check_version(
    item: Any, submitted_version: int | None, submitted: dict[str, Any], current: dict[str, Any]
) -> None:
    """Refuse to save over a version newer than the one the user started from (None: nothing to compare)."""
    if submitted_version is not None and submitted_version != item.version:
        yours = {key: plain(value) for key, value in submitted.items()}
        raise StaleEdit(item=item, theirs=current, yours=yours)


def record_created(session: Session, actor: User, item: Any, after: dict[str, Any], reason: str = "") -> None:
    session.flush()
    _record(session, actor, item, "created", after=after, reason=reason)


def record_updated(
    session: Session, actor: User, item: Any, before: dict[str, Any], after: dict[str, Any], reason: str = ""
) -> bool:
    """Write an audit record of the fields that changed, and bump the item's version; False if none did."""
    changed_before, changed_after = audit.changed_fields(before, after)
    if not changed_after:
        return False
    item.version += 1
    _record(session, actor, item, "updated", before=changed_before, after=changed_after, reason=reason)
    return True


def record_deleted(
    session: Session, actor: User, item: Any, before: dict[str, Any], reason: str = ""
) -> None:
    _record(session, actor, item, "deleted", before=before, reason=reason)


def _record(
    session: Session,
    actor: User,
    item: Any,
    happened: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"{item.audit_name}.{happened}",
        object_type=item.audit_name,
        object_id=item.id,
        site_id=item.site_id,
        before=before,
        after=after,
        reason=reason,
    )
