"""Rules shared by every piece of evidence: finding it within what the user may see, saving over a
newer version, and describing a change for the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from evidence_hub.models import EvidenceLevel, User
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import NotVisible, scope_to_user

ItemT = TypeVar("ItemT")


@dataclass
class StaleEdit(Exception):
    """Somebody saved a newer version of this item since the form was opened.

    `theirs` holds the values now saved, `yours` the values just submitted; the page shows both so that
    the user chooses, and nothing is overwritten silently.
    """

    item: Any
    theirs: dict[str, Any]
    yours: dict[str, Any]


def visible_item(session: Session, user: User, model: type[ItemT], item_id: int) -> ItemT:
    """The item with this id if the user may see it; NotVisible (shown as 404) otherwise."""
    site_id_column = model.site_id  # type: ignore[attr-defined]
    statement = scope_to_user(select(model).where(model.id == item_id), user, site_id_column)  # type: ignore[attr-defined]
    item = session.scalar(statement)
    if item is None:
        raise NotVisible(f"No {model.__name__} {item_id} for this user")
    return item


def plain(value: Any) -> Any:
    """A value as it is written in the audit log and in snapshots: JSON-safe, exact for money."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(member) for member in value]
    return value


def evidence_key(level: EvidenceLevel) -> str:
    """How spreadsheets and the audit log name an evidence level, such as "nesta:2"."""
    return f"{level.scale.code}:{level.level}"


def evidence_level_named(levels: Iterable[EvidenceLevel], key: str) -> EvidenceLevel | None:
    """The level a key such as "nesta:2" names ("nesta-2" and any capitals are read the same way)."""
    text = key.strip().lower().replace(" ", "")
    if ":" not in text:
        scale, separator, number = text.rpartition("-")
        text = f"{scale}:{number}" if separator else text
    return next((level for level in levels if evidence_key(level).lower() == text), None)


SKIPPED_COLUMNS = frozenset({"id", "version", "created_at", "updated_at"})


def snapshot(item: Any, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every column value of an item (without bookkeeping columns), JSON-safe."""
    state = inspect(item)
    values = {
        attribute.key: plain(getattr(item, attribute.key))
        for attribute in state.mapper.column_attrs
        if attribute.key not in SKIPPED_COLUMNS
    }
    if extra:
        values.update({key: plain(value) for key, value in extra.items()})
    return values


def check_version(
    item: Any, submitted_version: int | None, submitted: dict[str, Any], current: dict[str, Any]
) -> None:
    """Refuse to save over a version newer than the one the user started from."""
    if submitted_version is not None and submitted_version != item.version:
        yours = {key: plain(value) for key, value in submitted.items()}
        raise StaleEdit(item=item, theirs=current, yours=yours)


def record_created(session: Session, actor: User, item: Any, after: dict[str, Any], reason: str = "") -> None:
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"{_kind(item)}.created",
        object_type=_kind(item),
        object_id=item.id,
        site_id=item.site_id,
        after=after,
        reason=reason,
    )


def record_updated(
    session: Session, actor: User, item: Any, before: dict[str, Any], after: dict[str, Any], reason: str = ""
) -> bool:
    """Write an audit record of the fields that changed, and bump the item's version; False if none did."""
    changed_before, changed_after = audit.changed_fields(before, after)
    if not changed_after:
        return False
    item.version += 1
    audit.record(
        session,
        actor=actor,
        action=f"{_kind(item)}.updated",
        object_type=_kind(item),
        object_id=item.id,
        site_id=item.site_id,
        before=changed_before,
        after=changed_after,
        reason=reason,
    )
    return True


def record_deleted(
    session: Session, actor: User, item: Any, before: dict[str, Any], reason: str = ""
) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"{_kind(item)}.deleted",
        object_type=_kind(item),
        object_id=item.id,
        site_id=item.site_id,
        before=before,
        reason=reason,
    )


def _kind(item: Any) -> str:
    return str(item.audit_name)
