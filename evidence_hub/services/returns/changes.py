"""A return's content as plain data, item by item, and what changed between two submissions of it.

Each submission keeps a snapshot of the whole return, so that on resubmission an evaluator sees exactly
what the lead changed since the return came back with comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models.framework import (
    EvidenceLevel,
)
from evidence_hub.models.returns import (
    EDITABLE_STATUSES,
    Baseline,
    DataFlow,
    ReturnSection,
    ReturnSnapshot,
    ReturnStatus,
    SiteReturn,
)
from evidence_hub.services.common.values import snapshot
from evidence_hub.services.returns.item_lists import (
    ACTIVITY_LIST,
    COST_LIST,
    LEARNING_LIST,
    SAVING_LIST,
    every_item,
)


def content_of(session: Session, site_return: SiteReturn) -> dict[str, Any]:
    """The whole return as plain data, item by item, for snapshots and for the changes view.

    The site's baselines and data-flow register belong to the site rather than the period, but a
    change to them while a return is being corrected is part of what the evaluator needs to see. Items
    are read with what they name (category, partners, themes, ...) in a few statements: the task list
    of a returned return compares the whole draft with its last submission.
    """

    def items(
        rows: Iterable[Any], describe: Callable[[Any], dict[str, Any]] = lambda _row: {}
    ) -> dict[str, Any]:
        return {str(row.id): snapshot(row, extra=describe(row)) for row in rows}

    site_rows = (Baseline, DataFlow)
    baselines, data_flows = (
        session.scalars(select(model).where(model.site_id == site_return.site_id).order_by(model.id))
        for model in site_rows
    )
    return {
        "return": {
            "journey_milestone": site_return.journey_milestone.title
            if site_return.journey_milestone
            else None,
            "journey_evidence": site_return.journey_evidence,
        },
        "costs": items(every_item(site_return, COST_LIST), lambda row: {"category": row.category.name}),
        "savings": items(
            every_item(site_return, SAVING_LIST),
            lambda row: {"evidence_level": _level_label(row.evidence_level)},
        ),
        "activities": items(
            every_item(site_return, ACTIVITY_LIST),
            lambda row: {
                "activity_type": row.activity_type.name,
                "partners": [partner.name for partner in row.partners],
                "themes": [theme.code for theme in row.themes],
            },
        ),
        "measures": items(
            site_return.measures,
            lambda row: {"indicator": row.indicator.name, "evidence_level": _level_label(row.evidence_level)},
        ),
        "baselines": items(baselines),
        "learning": items(
            every_item(site_return, LEARNING_LIST),
            lambda row: {
                "theme": row.theme.title if row.theme else None,
                "dimensions": [dimension.code for dimension in row.dimensions],
            },
        ),
        "data_flows": items(data_flows),
        "documents": {
            str(document.id): {"file": document.original_filename, "description": document.description}
            for document in site_return.documents
        },
    }


def _level_label(level: EvidenceLevel | None) -> str | None:
    return level.label if level is not None else None


def current_round(session: Session, site_return: SiteReturn) -> int:
    """How many times the return has been submitted (0 before its first submission)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ReturnSnapshot)
            .where(ReturnSnapshot.site_return_id == site_return.id)
        )
        or 0
    )


SECTION_LABELS = {
    "journey": ReturnSection.JOURNEY.label,
    "costs": "Costs",
    "savings": "Costs avoided and savings",
    "activities": ReturnSection.ACTIVITIES.label,
    "measures": ReturnSection.MEASURES.label,
    "learning": ReturnSection.LEARNING.label,
    "documents": ReturnSection.DOCUMENTS.label,
    "baselines": "Baselines",
    "data_flows": "Data flows",
}


@dataclass
class Change:
    section: str
    item: str
    description: str
    before: Any = None
    after: Any = None
    # The id of the item on the page (like "cost-12"), while it still exists.
    anchor: str | None = None

    @property
    def section_label(self) -> str:
        return SECTION_LABELS.get(self.section, self.section.capitalize())


@dataclass
class ReturnChanges:
    since_round: int
    changes: list[Change] = field(default_factory=list)


def changes_since_last_review(session: Session, site_return: SiteReturn) -> ReturnChanges | None:
    """What the lead changed between the submission that was returned and the latest one; None if first."""
    snapshots = list(
        session.scalars(
            select(ReturnSnapshot)
            .where(ReturnSnapshot.site_return_id == site_return.id)
            .order_by(ReturnSnapshot.round.desc())
            .limit(2)
        )
    )
    if len(snapshots) < 2 and site_return.status_enum in (
        ReturnStatus.SUBMITTED,
        ReturnStatus.APPROVED,
        ReturnStatus.LOCKED,
    ):
        return None
    if not snapshots:
        return None
    if site_return.status_enum in EDITABLE_STATUSES:
        # While the lead is still working: compare the returned submission with the current draft.
        newer, older = content_of(session, site_return), snapshots[0].content
        since = snapshots[0].round
    else:
        newer, older = snapshots[0].content, snapshots[1].content
        since = snapshots[1].round
    return ReturnChanges(since_round=since, changes=diff_content(older, newer))


# The kind of item each section of a snapshot holds, as the audit log and page anchors name it.


# The kind of item each section of a snapshot holds, as the audit log and page anchors name it.
SECTION_ITEM_KINDS = {
    "costs": "cost",
    "savings": "saving",
    "activities": "activity",
    "measures": "measure",
    "learning": "learning",
    "documents": "document",
    "baselines": "baseline",
    "data_flows": "data-flow",
}


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """An item's values without bookkeeping (ids, import references): what a reader compares."""
    return {
        name: value
        for name, value in values.items()
        if not name.endswith("_id") and name not in {"site_id", "import_reference"}
    }


def _field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def diff_content(older: dict[str, Any], newer: dict[str, Any]) -> list[Change]:
    """Every item added, removed or changed (field by field) between two snapshots of a return."""
    changes: list[Change] = []
    old_return, new_return = older.get("return", {}), newer.get("return", {})
    for key, value in new_return.items():
        if old_return.get(key) != value:
            changes.append(
                Change(
                    "journey",
                    "Data-sharing journey",
                    f"{_field_label(key)} changed",
                    old_return.get(key),
                    value,
                )
            )
    for section, new_items in newer.items():
        if section == "return":
            continue
        old_items = older.get(section, {})
        kind = SECTION_ITEM_KINDS.get(section, section)
        for item_id, values in new_items.items():
            label = _item_label(values)
            anchor = f"{kind}-{item_id}"
            if item_id not in old_items:
                changes.append(Change(section, label, "added", None, _shown(values), anchor))
                continue
            previous_values = _shown(old_items[item_id])
            for name, value in _shown(values).items():
                previous = previous_values.get(name)
                if previous != value:
                    changes.append(
                        Change(section, label, f"{_field_label(name)} changed", previous, value, anchor)
                    )
        for item_id, values in old_items.items():
            if item_id not in new_items:
                changes.append(Change(section, _item_label(values), "removed", _shown(values), None))
    return changes


def _item_label(values: dict[str, Any]) -> str:
    for key in ("title", "indicator", "indicator_code", "description", "file", "dataset"):
        if values.get(key):
            return str(values[key])[:80]
    if "indicator_id" in values:
        return f"Indicator {values['indicator_id']}"
    return "Item"
