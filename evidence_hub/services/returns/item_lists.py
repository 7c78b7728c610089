"""A return's items of one kind read a page at a time, in the order its section lists them, and where one
item stands in that order (so that a page can show the item just added or changed).

The largest sites' returns hold over a thousand costs and hundreds of activities: a page reads one page
of them, with what each card shows loaded in a few statements for the whole page rather than one or more
for every item.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, object_session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from evidence_hub.models.framework import EvidenceLevel
from evidence_hub.models.returns import Activity, CostItem, LearningEntry, SavingClaim, SiteReturn


@dataclass(frozen=True)
class ItemList:
    """How a section lists one kind of item: the model, the order, and what each item's card reads."""

    model: type[Any]
    # The columns the list is sorted by, ending with the id so that every item has one place.
    order: tuple[InstrumentedAttribute[Any], ...]
    # Loader options for what the cards show of each item (its category, its partners, ...): the one
    # framework row an item names (its category, type, theme, evidence level) joined to the item's own
    # read, its lists (partners, themes, areas) read for the whole page at once.
    load: tuple[ORMOption, ...] = ()


COST_LIST = ItemList(CostItem, (CostItem.id,), (joinedload(CostItem.category),))
# A claim's card names its evidence level with the level's scale.
SAVING_LIST = ItemList(
    SavingClaim,
    (SavingClaim.id,),
    (joinedload(SavingClaim.evidence_level).joinedload(EvidenceLevel.scale),),
)
ACTIVITY_LIST = ItemList(
    Activity,
    (Activity.starts_on, Activity.id),
    (joinedload(Activity.activity_type), selectinload(Activity.partners), selectinload(Activity.themes)),
)
LEARNING_LIST = ItemList(
    LearningEntry,
    (LearningEntry.id,),
    (joinedload(LearningEntry.theme), selectinload(LearningEntry.dimensions)),
)


def item_count(site_return: SiteReturn, listed: ItemList) -> int:
    """How many items of the kind the return holds."""
    model = listed.model
    return int(
        _session_of(site_return).scalar(
            select(func.count()).select_from(model).where(model.site_return_id == site_return.id)
        )
        or 0
    )


def items_page(site_return: SiteReturn, listed: ItemList, offset: int, limit: int) -> list[Any]:
    """The return's items of the kind in the order the section lists them, `limit` from `offset`."""
    return list(_session_of(site_return).scalars(_listed(site_return, listed).offset(offset).limit(limit)))


def every_item(site_return: SiteReturn, listed: ItemList) -> list[Any]:
    """All the return's items of the kind, in the section's order, with what their cards read, in a few
    statements however many there are (for a snapshot of the whole return)."""
    return list(_session_of(site_return).scalars(_listed(site_return, listed)))


def _listed(site_return: SiteReturn, listed: ItemList) -> Select[Any]:
    model = listed.model
    return (
        select(model)
        .where(model.site_return_id == site_return.id)
        .order_by(*listed.order)
        .options(*listed.load)
    )


def position_of(site_return: SiteReturn, listed: ItemList, item_id: int | None) -> int:
    """Where an item stands in the return's list of its kind (0 for the first, and for one not there)."""
    if item_id is None:
        return 0
    return positions_of(site_return, listed, [item_id]).get(item_id, 0)


def positions_of(site_return: SiteReturn, listed: ItemList, item_ids: Collection[int]) -> dict[int, int]:
    """Where each of these items stands in the return's list of its kind (0 for the first), by id; items
    not in the return are left out."""
    if not item_ids:
        return {}
    model = listed.model
    numbered = (
        select(model.id, (func.row_number().over(order_by=listed.order) - 1).label("position"))
        .where(model.site_return_id == site_return.id)
        .subquery()
    )
    rows = _session_of(site_return).execute(
        select(numbered.c.id, numbered.c.position).where(numbered.c.id.in_(item_ids))
    )
    return {int(item_id): int(position) for item_id, position in rows}


def _session_of(site_return: SiteReturn) -> Session:
    session = object_session(site_return)
    if session is None:
        raise ValueError("The return is not in a database session")
    return session
