"""The return workflow: starting a return, the task list, completeness, submission, review and locking.

draft → submitted → returned (with comments) → submitted → … → approved → locked (period closed).
Only the site's lead changes evidence, and only while the return is a draft or returned. Evaluators
return, approve or reopen. Closing a period locks every return in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.db import utc_now
from evidence_hub.models import Role, Site, User
from evidence_hub.models.framework import (
    CollectionFrequency,
    EvidenceLevel,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
)
from evidence_hub.models.periods import PeriodStatus, ReportingPeriod
from evidence_hub.models.returns import (
    EDITABLE_STATUSES,
    Activity,
    Baseline,
    CostItem,
    DataFlow,
    LearningEntry,
    MeasureValue,
    ReturnSection,
    ReturnSnapshot,
    ReturnStatus,
    ReviewComment,
    SiteReturn,
)
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import NotVisible, may_see_site, scope_to_user
from evidence_hub.services.returns.items import snapshot


class ReturnError(ValueError):
    """A workflow step that cannot happen now; the message says why in plain English."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidEvidence(ReturnError):
    """Input that cannot be saved; `problems` maps each field's name to the message to show beside it."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field)
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """Something the framework requires that the return does not yet have."""

    section: ReturnSection
    message: str


class IncompleteReturn(ReturnError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("The return is not complete")
        self.problems = problems


# Indicators collected this often are required in every period's return.
EVERY_PERIOD_FREQUENCIES = frozenset({CollectionFrequency.MONTHLY.value, CollectionFrequency.QUARTERLY.value})


def visible_returns(user: User) -> Select[SiteReturn]:
    return scope_to_user(select(SiteReturn), user, SiteReturn.site_id)


def get_return(session: Session, user: User, return_id: int) -> SiteReturn:
    """The return if the user may see it record by record; NotVisible (404) otherwise."""
    site_return = session.scalar(visible_returns(user).where(SiteReturn.id == return_id))
    if site_return is None:
        raise NotVisible(f"No return {return_id} for this user")
    return site_return


def visible_site(session: Session, user: User, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None or not may_see_site(user, site_id):
        raise NotVisible(f"No site {site_id} for this user")
    return site


def require_lead_can_edit(user: User, site_return: SiteReturn) -> None:
    """Only the site's own lead edits, and only a draft or a returned return."""
    if user.role_enum is not Role.SITE_LEAD or user.site_id != site_return.site_id:
        raise ReturnError("Only the site's lead can change this return's evidence")
    if site_return.status_enum not in EDITABLE_STATUSES:
        reason = {
            ReturnStatus.SUBMITTED: "it has been submitted and is waiting for review",
            ReturnStatus.APPROVED: "it has been approved",
            ReturnStatus.LOCKED: "its reporting period has closed",
        }[site_return.status_enum]
        raise ReturnError(f"This return cannot be changed because {reason}.")


def live_framework_version(session: Session, framework_id: int) -> FrameworkVersion:
    version = session.scalar(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework_id,
            FrameworkVersion.status == FrameworkStatus.PUBLISHED.value,
        )
    )
    if version is None:
        raise ReturnError("The framework for this period has no published version yet. Ask an administrator.")
    return version


def start_return(session: Session, user: User, period: ReportingPeriod) -> SiteReturn:
    """The lead's return for this period, started now (as a draft) if there is none yet."""
    if user.role_enum is not Role.SITE_LEAD or user.site_id is None:
        raise ReturnError("Only a site lead can start a return")
    existing = session.scalar(
        select(SiteReturn).where(
            SiteReturn.site_id == user.site_id, SiteReturn.reporting_period_id == period.id
        )
    )
    if existing is not None:
        return existing
    if period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError(f"{period.name} has closed: returns for it can no longer be started.")
    version = live_framework_version(session, period.framework_id)
    site_return = SiteReturn(
        site_id=user.site_id,
        reporting_period_id=period.id,
        framework_version_id=version.id,
        status=ReturnStatus.DRAFT.value,
        created_by_id=user.id,
        completed_sections=[],
    )
    session.add(site_return)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="return.started",
        object_type="return",
        object_id=site_return.id,
        site_id=site_return.site_id,
        after={"period": period.code, "framework_version": version.version},
    )
    return site_return


def set_section_completed(
    session: Session, user: User, site_return: SiteReturn, section: ReturnSection, completed: bool
) -> None:
    require_lead_can_edit(user, site_return)
    sections = set(site_return.completed_sections)
    before = sorted(sections)
    if completed:
        sections.add(section.value)
    else:
        sections.discard(section.value)
    site_return.completed_sections = sorted(sections)
    if before != site_return.completed_sections:
        site_return.version += 1
        audit.record(
            session,
            actor=user,
            action="return.section_marked",
            object_type="return",
            object_id=site_return.id,
            site_id=site_return.site_id,
            before={"completed_sections": before},
            after={"completed_sections": site_return.completed_sections},
        )


def section_status(site_return: SiteReturn, section: ReturnSection) -> str:
    """The task-list status: 'completed', 'in_progress' (something recorded) or 'not_started'."""
    if section.value in site_return.completed_sections:
        return "completed"
    has_content = {
        ReturnSection.COSTS: bool(site_return.costs or site_return.savings),
        ReturnSection.ACTIVITIES: bool(site_return.activities),
        ReturnSection.MEASURES: bool(site_return.measures),
        ReturnSection.LEARNING: bool(site_return.learning),
        ReturnSection.JOURNEY: site_return.journey_milestone_id is not None,
        ReturnSection.DOCUMENTS: bool(site_return.documents),
    }[section]
    return "in_progress" if has_content else "not_started"


def required_indicators(site_return: SiteReturn) -> list[Indicator]:
    return [
        indicator
        for indicator in site_return.framework_version.indicators
        if indicator.frequency in EVERY_PERIOD_FREQUENCIES
    ]


def completeness_problems(session: Session, site_return: SiteReturn) -> list[Problem]:
    """Everything the framework requires that this return is missing, section by section."""
    problems: list[Problem] = []
    measures = {measure.indicator_id: measure for measure in site_return.measures}
    baselines = set(
        session.scalars(select(Baseline.indicator_code).where(Baseline.site_id == site_return.site_id))
    )
    for indicator in site_return.framework_version.indicators:
        measure = measures.get(indicator.id)
        if measure is None:
            if indicator.frequency in EVERY_PERIOD_FREQUENCIES:
                problems.append(
                    Problem(
                        ReturnSection.MEASURES,
                        f"Enter a value for {indicator.name}, or say it is not yet available",
                    )
                )
            continue
        if indicator.baseline_required and indicator.code not in baselines:
            problems.append(
                Problem(ReturnSection.MEASURES, f"Enter your site's baseline for {indicator.name}")
            )
        if measure.value is not None:
            if indicator.target_required and measure.target is None:
                problems.append(Problem(ReturnSection.MEASURES, f"Enter your target for {indicator.name}"))
            if measure.evidence_level_id is None:
                problems.append(
                    Problem(
                        ReturnSection.MEASURES, f"Choose the strength of the evidence for {indicator.name}"
                    )
                )
    if site_return.journey_milestone_id is None:
        problems.append(
            Problem(ReturnSection.JOURNEY, "Choose the data-sharing milestone your site has reached")
        )
    for section in ReturnSection:
        if section.value not in site_return.completed_sections:
            problems.append(Problem(section, f"Mark the section '{section.label}' as completed"))
    return problems


def content_of(session: Session, site_return: SiteReturn) -> dict[str, Any]:
    """The whole return as plain data, item by item, for snapshots and for the changes view.

    The site's baselines and data-flow register belong to the site rather than the period, but a
    change to them while a return is being corrected is part of what the evaluator needs to see.
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
        "costs": items(site_return.costs, lambda row: {"category": row.category.name}),
        "savings": items(
            site_return.savings, lambda row: {"evidence_level": _level_label(row.evidence_level)}
        ),
        "activities": items(
            site_return.activities,
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
            site_return.learning,
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


def submit(session: Session, user: User, site_return: SiteReturn) -> None:
    require_lead_can_edit(user, site_return)
    if site_return.reporting_period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError("The reporting period has closed.")
    problems = completeness_problems(session, site_return)
    if problems:
        raise IncompleteReturn(problems)
    before = site_return.status
    round_number = current_round(session, site_return) + 1
    session.add(
        ReturnSnapshot(
            site_return_id=site_return.id, round=round_number, content=content_of(session, site_return)
        )
    )
    site_return.status = ReturnStatus.SUBMITTED.value
    site_return.submitted_at = utc_now()
    site_return.submitted_by_id = user.id
    site_return.version += 1
    _record_step(session, user, site_return, "return.submitted", before, extra={"round": round_number})


def _require_evaluator(user: User) -> None:
    if user.role_enum not in (Role.EVALUATOR, Role.ADMINISTRATOR):
        raise ReturnError("Only an evaluator can review returns")


def _record_step(
    session: Session,
    user: User,
    site_return: SiteReturn,
    action: str,
    before_status: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor=user,
        action=action,
        object_type="return",
        object_id=site_return.id,
        site_id=site_return.site_id,
        before={"status": before_status},
        after={"status": site_return.status, **(extra or {})},
        reason=reason,
    )


def add_comment(
    session: Session,
    user: User,
    site_return: SiteReturn,
    body: str,
    item_type: str = "return",
    item_id: int | None = None,
) -> ReviewComment:
    """An evaluator's comment on the return or on one of its items, for the current submission round."""
    _require_evaluator(user)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        raise ReturnError("Comments can be added while a return is waiting for review.")
    body = body.strip()
    if not body:
        raise ReturnError("Enter a comment", field="body")
    if item_type != "return" and item_id not in _item_ids(site_return, item_type):
        raise NotVisible(f"No {item_type} {item_id} in return {site_return.id}")
    return _new_comment(session, user, site_return, body, item_type, item_id)


def _new_comment(
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

COMMENTABLE_ITEMS = {
    "cost": "costs",
    "saving": "savings",
    "activity": "activities",
    "measure": "measures",
    "learning": "learning",
    "document": "documents",
}


def _item_ids(site_return: SiteReturn, item_type: str) -> set[int]:
    collection = COMMENTABLE_ITEMS.get(item_type)
    return {item.id for item in getattr(site_return, collection)} if collection else set()


def return_to_site(session: Session, user: User, site_return: SiteReturn, comment: str) -> None:
    """Send the return back to the lead with a comment saying what to change."""
    _require_evaluator(user)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        raise ReturnError("Only a submitted return can be returned to the site.")
    if not comment.strip():
        raise ReturnError("Enter a comment saying what the site needs to change", field="comment")
    add_comment(session, user, site_return, comment)
    before = site_return.status
    site_return.status = ReturnStatus.RETURNED.value
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.version += 1
    _record_step(session, user, site_return, "return.returned", before, reason=comment.strip())


def approve(session: Session, user: User, site_return: SiteReturn, comment: str = "") -> None:
    _require_evaluator(user)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        raise ReturnError("Only a submitted return can be approved.")
    if comment.strip():
        add_comment(session, user, site_return, comment)
    before = site_return.status
    site_return.status = ReturnStatus.APPROVED.value
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.version += 1
    _record_step(session, user, site_return, "return.approved", before, reason=comment.strip())


def reopen(session: Session, user: User, site_return: SiteReturn, reason: str) -> None:
    """Give an approved (or submitted) return back to the lead for changes; the reason is required."""
    _require_evaluator(user)
    if site_return.status_enum not in (ReturnStatus.APPROVED, ReturnStatus.SUBMITTED):
        raise ReturnError("Only a submitted or approved return can be reopened.")
    if site_return.reporting_period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError("The reporting period has closed, so its returns are locked.")
    if not reason.strip():
        raise ReturnError("Enter the reason for reopening the return", field="reason")
    before = site_return.status
    _new_comment(session, user, site_return, f"Reopened: {reason.strip()}", "return", None)
    site_return.status = ReturnStatus.RETURNED.value
    site_return.reviewed_at, site_return.reviewed_by_id = utc_now(), user.id
    site_return.version += 1
    _record_step(session, user, site_return, "return.reopened", before, reason=reason.strip())


def close_period(session: Session, user: User, period: ReportingPeriod) -> int:
    """Close a reporting period and lock every return in it; returns how many were locked."""
    if user.role_enum is not Role.ADMINISTRATOR:
        raise ReturnError("Only an administrator can close a reporting period")
    if period.status_enum is PeriodStatus.CLOSED:
        raise ReturnError(f"{period.name} is already closed.")
    period.status = PeriodStatus.CLOSED.value
    locked = 0
    for site_return in session.scalars(select(SiteReturn).where(SiteReturn.reporting_period_id == period.id)):
        before = site_return.status
        site_return.status = ReturnStatus.LOCKED.value
        site_return.locked_at = utc_now()
        site_return.version += 1
        _record_step(session, user, site_return, "return.locked", before, extra={"period": period.code})
        locked += 1
    # The same object type as when the period was created (services.frameworks), so its history is one.
    audit.record(
        session,
        actor=user,
        action="reporting_period.closed",
        object_type="reporting_period",
        object_id=period.id,
        before={"status": PeriodStatus.OPEN.value},
        after={"status": PeriodStatus.CLOSED.value, "returns_locked": locked},
    )
    return locked


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


@dataclass(frozen=True)
class PeriodRow:
    period: ReportingPeriod
    site_return: SiteReturn | None
    total_cost: Decimal
    attributable_cost: Decimal
    activities: int
    people_reached: int
    learning_entries: int


def site_overview(session: Session, user: User, site_id: int) -> tuple[Site, list[PeriodRow]]:
    """One site's returns across every period of its frameworks, with totals computed in SQL."""
    site = visible_site(session, user, site_id)
    periods = list(
        session.scalars(
            select(ReportingPeriod).join(Framework).order_by(Framework.name, ReportingPeriod.starts_on)
        )
    )
    returns = {
        site_return.reporting_period_id: site_return
        for site_return in session.scalars(
            visible_returns(user)
            .where(SiteReturn.site_id == site.id)
            .options(selectinload(SiteReturn.reporting_period))
        )
    }
    return_ids = [site_return.id for site_return in returns.values()]
    cost_totals = _totals_by_return(
        session,
        select(
            CostItem.site_return_id,
            func.coalesce(func.sum(CostItem.amount), 0),
            func.coalesce(func.sum(CostItem.amount * CostItem.attributable_percent / 100), 0),
        )
        .where(CostItem.site_return_id.in_(return_ids))
        .group_by(CostItem.site_return_id),
    )
    activity_totals = _totals_by_return(
        session,
        select(Activity.site_return_id, func.count(), func.coalesce(func.sum(Activity.people_reached), 0))
        .where(Activity.site_return_id.in_(return_ids))
        .group_by(Activity.site_return_id),
    )
    learning_totals = _totals_by_return(
        session,
        select(LearningEntry.site_return_id, func.count())
        .where(LearningEntry.site_return_id.in_(return_ids))
        .group_by(LearningEntry.site_return_id),
    )
    rows = []
    for period in periods:
        site_return = returns.get(period.id)
        key = site_return.id if site_return else None
        costs = cost_totals.get(key, (Decimal(0), Decimal(0)))
        activities = activity_totals.get(key, (0, 0))
        rows.append(
            PeriodRow(
                period=period,
                site_return=site_return,
                total_cost=Decimal(costs[0]).quantize(Decimal("0.01")),
                attributable_cost=Decimal(costs[1]).quantize(Decimal("0.01")),
                activities=int(activities[0]),
                people_reached=int(activities[1]),
                learning_entries=int(learning_totals.get(key, (0,))[0]),
            )
        )
    return site, rows


def _totals_by_return(session: Session, statement: Any) -> dict[int | None, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in session.execute(statement)}


def returns_needing_attention(session: Session, user: User) -> dict[str, list[Any]]:
    """What the user's home page lists: returns to complete or fix (leads), returns to review (evaluators)."""
    attention: dict[str, list[Any]] = defaultdict(list)
    role = user.role_enum
    if role is Role.SITE_LEAD and user.site_id is not None:
        started = {
            site_return.reporting_period_id: site_return
            for site_return in session.scalars(
                visible_returns(user).options(selectinload(SiteReturn.reporting_period))
            )
        }
        for period in session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.status == PeriodStatus.OPEN.value)
            .order_by(ReportingPeriod.starts_on)
        ):
            site_return = started.get(period.id)
            if site_return is None:
                attention["to_start"].append(period)
            elif site_return.status_enum is ReturnStatus.RETURNED:
                attention["returned"].append(site_return)
            elif site_return.status_enum is ReturnStatus.DRAFT:
                attention["to_complete"].append(site_return)
    elif role in (Role.EVALUATOR, Role.ADMINISTRATOR):
        attention["to_review"] = list(
            session.scalars(
                visible_returns(user)
                .where(SiteReturn.status == ReturnStatus.SUBMITTED.value)
                .options(selectinload(SiteReturn.site), selectinload(SiteReturn.reporting_period))
                .order_by(SiteReturn.submitted_at)
            )
        )
    return attention


def measure_for(site_return: SiteReturn, indicator_id: int) -> MeasureValue | None:
    return next((measure for measure in site_return.measures if measure.indicator_id == indicator_id), None)


@dataclass(frozen=True)
class PeriodSummary:
    """One reporting period with how many returns are in each state, for the administrator."""

    period: ReportingPeriod
    returns_by_status: dict[ReturnStatus, int]
    # Active sites that have not started a return for the period.
    not_started: int

    @property
    def returns(self) -> int:
        return sum(self.returns_by_status.values())


def period_summaries(session: Session, user: User) -> list[tuple[Framework, list[PeriodSummary]]]:
    """Every framework's reporting periods with their returns counted by state (one GROUP BY)."""
    counts: dict[int, dict[ReturnStatus, int]] = defaultdict(dict)
    started_by_active_sites: dict[int, int] = defaultdict(int)
    scoped = visible_returns(user).subquery()
    statement = (
        select(scoped.c.reporting_period_id, scoped.c.status, Site.is_active, func.count())
        .join(Site, Site.id == scoped.c.site_id)
        .group_by(scoped.c.reporting_period_id, scoped.c.status, Site.is_active)
    )
    for period_id, status, site_is_active, count in session.execute(statement):
        counts[period_id][ReturnStatus(status)] = counts[period_id].get(ReturnStatus(status), 0) + count
        if site_is_active:
            started_by_active_sites[period_id] += count
    active_sites = session.scalar(select(func.count()).select_from(Site).where(Site.is_active.is_(True))) or 0
    summaries = []
    for framework in session.scalars(
        select(Framework).options(selectinload(Framework.reporting_periods)).order_by(Framework.name)
    ):
        summaries.append(
            (
                framework,
                [
                    PeriodSummary(
                        period=period,
                        returns_by_status={
                            status: counts[period.id][status]
                            for status in ReturnStatus
                            if status in counts[period.id]
                        },
                        not_started=max(0, active_sites - started_by_active_sites[period.id]),
                    )
                    for period in framework.reporting_periods
                ],
            )
        )
    return summaries


def period_by_id(session: Session, period_id: int) -> ReportingPeriod:
    period = session.get(ReportingPeriod, period_id)
    if period is None:
        raise NotVisible(f"No reporting period {period_id}")
    return period


def every_period(session: Session) -> list[ReportingPeriod]:
    """Every framework's reporting periods, by framework name and newest first, with their framework."""
    return list(
        session.scalars(
            select(ReportingPeriod)
            .join(Framework)
            .options(selectinload(ReportingPeriod.framework))
            .order_by(Framework.name, ReportingPeriod.starts_on.desc())
        )
    )


def returns_in_period(session: Session, user: User, period: ReportingPeriod) -> list[SiteReturn]:
    """The returns the user may see for a period, by site name."""
    return list(
        session.scalars(
            visible_returns(user)
            .join(Site, Site.id == SiteReturn.site_id)
            .where(SiteReturn.reporting_period_id == period.id)
            .options(selectinload(SiteReturn.site))
            .order_by(Site.name)
        )
    )


@dataclass(frozen=True)
class ReturnsPage:
    returns: list[SiteReturn]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def find_returns(
    session: Session,
    user: User,
    *,
    status: ReturnStatus | None = None,
    site_id: int | None = None,
    period_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> ReturnsPage:
    """Returns the user may see, narrowed by state, site and period: latest period first, then by site."""
    statement = visible_returns(user)
    if status is not None:
        statement = statement.where(SiteReturn.status == status.value)
    if site_id is not None:
        statement = statement.where(SiteReturn.site_id == site_id)
    if period_id is not None:
        statement = statement.where(SiteReturn.reporting_period_id == period_id)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = list(
        session.scalars(
            statement.join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
            .join(Site, Site.id == SiteReturn.site_id)
            .options(selectinload(SiteReturn.site), selectinload(SiteReturn.reporting_period))
            .order_by(ReportingPeriod.starts_on.desc(), Site.name, SiteReturn.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return ReturnsPage(returns=rows, total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class CommentableItem:
    kind: str
    id: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def commentable_items(site_return: SiteReturn) -> list[CommentableItem]:
    """Every item of the return an evaluator can comment on, described so that it can be recognised."""
    items = [
        CommentableItem("cost", cost.id, f"Cost: {cost.description[:80]} ({_pounds(cost.amount)})")
        for cost in site_return.costs
    ]
    items += [
        CommentableItem("saving", saving.id, f"Saving: {saving.description[:80]} ({_pounds(saving.amount)})")
        for saving in site_return.savings
    ]
    items += [
        CommentableItem("activity", activity.id, f"Activity: {activity.title[:80]}")
        for activity in site_return.activities
    ]
    items += [
        CommentableItem("measure", measure.id, f"Impact measure: {measure.indicator.name}")
        for measure in sorted(site_return.measures, key=lambda measure: measure.indicator.position)
    ]
    items += [
        CommentableItem("learning", entry.id, f"Learning: {entry.title[:80]}")
        for entry in site_return.learning
    ]
    items += [
        CommentableItem("document", document.id, f"Document: {document.original_filename}")
        for document in site_return.documents
    ]
    return items


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"
