"""Evaluators' comments on a return as a whole or on one of its items, for the current submission round."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.formatting import money
from evidence_hub.models import User
from evidence_hub.models.returns import (
    Activity,
    CostItem,
    LearningEntry,
    MeasureValue,
    ReturnSection,
    ReturnStatus,
    ReviewComment,
    SavingClaim,
    SiteReturn,
    SupportingDocument,
)
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns.changes import current_round
from evidence_hub.services.returns.editing import (
    programme_of,
    require_evaluator,
    require_return_programme_active,
)
from evidence_hub.services.returns.errors import ReturnError


def add_comment(
    session: Session,
    user: User,
    site_return: SiteReturn,
    body: str,
    item_type: str = "return",
    item_id: int | None = None,
) -> ReviewComment:
    """An evaluator's comment on the return or on one of its items, for the current submission round.
    A programme that is not active takes none: a comment asks the lead for a change it would refuse (the
    reason an approval or a withdrawn approval gives is recorded with `new_comment`, which stays open)."""
    require_evaluator(user)
    require_return_programme_active(programme_of(site_return), field="body")
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        raise ReturnError("Comments can be added while a return is waiting for review.")
    body = body.strip()
    if not body:
        raise ReturnError("Enter a comment", field="body")
    # The item is read by its id, not found among every item of its kind: the largest returns hold well
    # over a thousand.
    if item_type != "return" and not commentable_label(session, site_return, item_type, item_id):
        raise NotVisible(f"No {item_type} {item_id} in return {site_return.id}")
    return new_comment(session, user, site_return, body, item_type, item_id)


def new_comment(
    session: Session, user: User, site_return: SiteReturn, body: str, item_type: str, item_id: int | None
) -> ReviewComment:
    comment = ReviewComment(
        site_return_id=site_return.id,
        site_id=site_return.site_id,
        item_type=item_type,
        item_id=item_id if item_type != "return" else None,
        body=body,
        author_id=user.id,
        round=current_round(session, site_return),
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="comment.created",
        object_type="comment",
        object_id=comment.id,
        site_id=site_return.site_id,
        after={"item_type": item_type, "item_id": item_id, "body": body},
    )
    return comment


# The milestone a return reports is one answer of the return rather than a row of its own, so a comment
# on it names the return's id.
MILESTONE = "milestone"

# The task-list section each commentable kind of item is listed in.
SECTION_OF_ITEM = {
    "cost": ReturnSection.COSTS,
    "saving": ReturnSection.COSTS,
    "activity": ReturnSection.ACTIVITIES,
    "measure": ReturnSection.MEASURES,
    "learning": ReturnSection.LEARNING,
    "document": ReturnSection.DOCUMENTS,
    MILESTONE: ReturnSection.JOURNEY,
}


def comments_by_section(site_return: SiteReturn) -> dict[ReturnSection, int]:
    """How many of the evaluators' comments from the latest review are about items in each section."""
    latest = max((comment.round for comment in site_return.comments), default=None)
    counts: dict[ReturnSection, int] = {}
    for comment in site_return.comments:
        section = SECTION_OF_ITEM.get(comment.item_type)
        if section is not None and comment.round == latest:
            counts[section] = counts.get(section, 0) + 1
    return counts


@dataclass(frozen=True)
class CommentableItem:
    kind: str
    id: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


# How each kind of item is named where an evaluator chooses or comments on it.
ITEM_LABELS: dict[str, Callable[[Any], str]] = {
    "cost": lambda cost: f"Cost: {cost.description[:80]} ({money(cost.amount)})",
    "saving": lambda saving: f"Saving: {saving.description[:80]} ({money(saving.amount)})",
    "activity": lambda activity: f"Activity: {activity.title[:80]}",
    "measure": lambda measure: f"Impact measure: {measure.indicator.name}",
    "learning": lambda entry: f"Learning: {entry.title[:80]}",
    "document": lambda document: f"Document: {document.original_filename}",
}
ITEM_MODELS: dict[str, type[Any]] = {
    "cost": CostItem,
    "saving": SavingClaim,
    "activity": Activity,
    "measure": MeasureValue,
    "learning": LearningEntry,
    "document": SupportingDocument,
}


def _milestone_label(site_return: SiteReturn) -> str | None:
    milestone = site_return.journey_milestone
    return f"Data-sharing milestone: {milestone.title[:80]}" if milestone is not None else None


def commentable_items(site_return: SiteReturn) -> list[CommentableItem]:
    """Every item of the return an evaluator can comment on, described so that it can be recognised."""

    def listed(kind: str, rows: Iterable[Any]) -> list[CommentableItem]:
        return [CommentableItem(kind, row.id, ITEM_LABELS[kind](row)) for row in rows]

    items = listed("cost", site_return.costs)
    items += listed("saving", site_return.savings)
    items += listed("activity", site_return.activities)
    items += listed("measure", sorted(site_return.measures, key=lambda measure: measure.indicator.position))
    items += listed("learning", site_return.learning)
    milestone = _milestone_label(site_return)
    if milestone is not None:
        items.append(CommentableItem(MILESTONE, site_return.id, milestone))
    items += listed("document", site_return.documents)
    return items


def commentable_count(session: Session, site_return: SiteReturn) -> int:
    """How many items of the return an evaluator can comment on (`commentable_items`), counted rather than
    read."""
    counts = select(
        *(
            select(func.count()).where(model.site_return_id == site_return.id).scalar_subquery()
            for model in ITEM_MODELS.values()
        )
    )
    items = sum(session.execute(counts).one())
    return items + (1 if site_return.journey_milestone is not None else 0)


def commentable_label(session: Session, site_return: SiteReturn, kind: str, item_id: int | None) -> str:
    """The name of one item of the return, as `commentable_items` gives it ('' for an item not in the
    return). For a page that names only the items it shows: it reads the one item, by its id, which the
    session holds already when the page has just drawn it."""
    if kind == MILESTONE:
        return (_milestone_label(site_return) or "") if item_id == site_return.id else ""
    model = ITEM_MODELS.get(kind)
    item = session.get(model, item_id) if model is not None and item_id is not None else None
    if item is None or item.site_return_id != site_return.id:
        return ""
    return ITEM_LABELS[kind](item)
