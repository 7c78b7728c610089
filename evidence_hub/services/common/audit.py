"""The audit log: one append-only record for every change, written in the same transaction as it."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.models import AuditEvent, Site, User
from evidence_hub.models.framework import (
    ActivityType,
    CostCategory,
    EvidenceLevel,
    EvidenceScale,
    Framework,
    FrameworkVersion,
    Indicator,
    JourneyMilestone,
    LearningDimension,
    Theme,
)
from evidence_hub.models.impact import ImpactArea, ImpactRating
from evidence_hub.models.periods import ReportingPeriod
from evidence_hub.models.programmes import Programme, ProgrammeMembership
from evidence_hub.models.releases import Release
from evidence_hub.models.returns import (
    Activity,
    CostItem,
    LearningEntry,
    MeasureValue,
    ReviewComment,
    SavingClaim,
    SiteReturn,
    SupportingDocument,
)
from evidence_hub.services.common.access import NotVisible, scope_to_user, visible_site_ids
from evidence_hub.services.common.paging import ListPage, list_page
from evidence_hub.services.common.spreadsheet_safety import csv_safe


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


# Reading the log: the whole log for evaluators and administrators, one item's history for its readers.

UK_TIME = ZoneInfo("Europe/London")
OBJECT_TYPE = re.compile(r"^[a-z][a-z_]{0,63}$")
CSV_BATCH = 1000
CSV_HEADINGS = (
    "Record",
    "When (UTC)",
    "Who",
    "Email address",
    "Action",
    "Object type",
    "Object id",
    "Site",
    "Before",
    "After",
    "Reason",
)


@dataclass(frozen=True)
class AuditFilters:
    site_id: int | None = None
    action: str | None = None
    actor_id: int | None = None
    # Dates as people in the UK mean them: from the start of `date_from` to the end of `date_to`, UK time.
    date_from: date | None = None
    date_to: date | None = None


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK_TIME).astimezone(UTC)


def _filtered(user: User, filters: AuditFilters) -> Select[AuditEvent]:
    statement = scope_to_user(select(AuditEvent), user, AuditEvent.site_id)
    if filters.site_id is not None:
        statement = statement.where(AuditEvent.site_id == filters.site_id)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    if filters.date_from is not None:
        statement = statement.where(AuditEvent.occurred_at >= _uk_midnight(filters.date_from))
    if filters.date_to is not None:
        statement = statement.where(
            AuditEvent.occurred_at < _uk_midnight(filters.date_to + timedelta(days=1))
        )
    return statement


def list_events(
    session: Session, user: User, filters: AuditFilters, *, page: int = 1, per_page: int = 50
) -> ListPage[AuditEvent]:
    """One page of the records the user may see that match the filters, newest first."""
    return list_page(
        session,
        _filtered(user, filters)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        page,
        per_page,
    )


def history(session: Session, user: User, object_type: str, object_id: int) -> list[AuditEvent]:
    """Every record about one item that the user may see, oldest first; NotVisible when there is none."""
    if not OBJECT_TYPE.fullmatch(object_type):
        raise NotVisible(f"No such kind of item: {object_type!r}")
    # The evaluators' comments on the item are part of its history.
    comments_on_item = select(ReviewComment.id).where(
        ReviewComment.item_type == object_type, ReviewComment.item_id == object_id
    )
    about_the_item = (AuditEvent.object_type == object_type) & (AuditEvent.object_id == object_id)
    about_its_comments = (AuditEvent.object_type == "comment") & AuditEvent.object_id.in_(comments_on_item)
    events = list(
        session.scalars(
            scope_to_user(select(AuditEvent), user, AuditEvent.site_id)
            .where(about_the_item | about_its_comments if object_type != "comment" else about_the_item)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
    if not events:
        raise NotVisible(f"No history of {object_type} {object_id} for this user")
    return events


def recorded_actions(session: Session, user: User | None = None) -> list[str]:
    """The actions recorded in the log (with a user given, in the records they may see)."""
    statement = select(AuditEvent.action)
    if user is not None:
        statement = scope_to_user(statement, user, AuditEvent.site_id)
    return list(session.scalars(statement.distinct().order_by(AuditEvent.action)))


def recorded_actors(session: Session, user: User | None = None) -> list[User]:
    """Everyone who has done something recorded in the log (with a user given, in the records they may
    see), by name."""
    actors = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None))
    if user is not None:
        actors = scope_to_user(actors, user, AuditEvent.site_id)
    return list(session.scalars(select(User).where(User.id.in_(actors)).order_by(User.full_name, User.id)))


def site_names(session: Session, user: User | None = None) -> dict[int, str]:
    """Each site's name by id (with a user given, of the sites they may see)."""
    site_ids = visible_site_ids(user) if user is not None else None
    return {
        row.id: row.name
        for row in session.execute(select(Site.id, Site.name))
        if site_ids is None or row.id in site_ids
    }


def _json(value: Mapping[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def events_csv(session: Session, user: User, filters: AuditFilters) -> Iterator[str]:
    """The matching records as CSV (RFC 4180, CRLF line ends), oldest first, read in batches.

    Every text cell goes through spreadsheet_safety.csv_safe, so nothing a user typed can become a
    formula when the file is opened in a spreadsheet program.
    """
    names = site_names(session)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_safe(value) for value in values])
        return buffer.getvalue()

    yield line(CSV_HEADINGS)
    statement = _filtered(user, filters).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id)
    last_id = 0
    while True:
        batch = list(session.scalars(statement.where(AuditEvent.id > last_id).limit(CSV_BATCH)))
        if not batch:
            return
        for record in batch:
            yield line(
                (
                    record.id,
                    record.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    record.actor.full_name if record.actor else "System",
                    record.actor.email if record.actor else "",
                    record.action,
                    record.object_type,
                    "" if record.object_id is None else record.object_id,
                    names.get(record.site_id, "") if record.site_id is not None else "",
                    _json(record.before),
                    _json(record.after),
                    record.reason,
                )
            )
        last_id = batch[-1].id


OBJECT_TYPE_NAMES = {
    "return": "return",
    "cost": "cost",
    "saving": "saving",
    "activity": "activity",
    "baseline": "baseline",
    "measure": "impact measure",
    "learning": "learning entry",
    "data_flow": "data flow",
    "milestone": "data-sharing milestone",
    "impact_area": "area",
    "impact_rating": "impact evidence rating",
    "programme": "programme",
    "programme_membership": "programme membership",
    "deflator_upload": "deflator series",
    "area_size_upload": "area sizes",
    "api_token": "API token",
    "document": "supporting document",
    "comment": "review comment",
    "reporting_period": "reporting period",
    "framework_version": "framework version",
    "user": "user",
    "site": "site",
}


def object_type_name(object_type: str) -> str:
    return OBJECT_TYPE_NAMES.get(object_type, object_type.replace("_", " "))


@dataclass(frozen=True)
class FrameworkNames:
    """What the codes in audit records stand for, from every framework version (a later version's name
    wins), so that a record reads "Emergency admissions" rather than "J85"."""

    by_field: dict[str, dict[str, str]]
    indicators: dict[str, Indicator]


def framework_names(session: Session) -> FrameworkNames:
    def names(rows: Iterable[Any]) -> dict[str, str]:
        return {str(code): str(name) for code, name in rows}

    themes = names(session.execute(select(Theme.code, Theme.title).order_by(Theme.id)))
    indicators = {
        indicator.code: indicator for indicator in session.scalars(select(Indicator).order_by(Indicator.id))
    }
    levels = names(
        (f"{scale_code}:{level}", f"{scale_name} level {level}: {title}")
        for scale_code, scale_name, level, title in session.execute(
            select(EvidenceScale.code, EvidenceScale.name, EvidenceLevel.level, EvidenceLevel.title)
            .join(EvidenceLevel, EvidenceLevel.scale_id == EvidenceScale.id)
            .order_by(EvidenceLevel.id)
        )
    )
    return FrameworkNames(
        by_field={
            "indicator": {code: indicator.name for code, indicator in indicators.items()},
            "indicator_code": {code: indicator.name for code, indicator in indicators.items()},
            "category": names(
                session.execute(select(CostCategory.code, CostCategory.name).order_by(CostCategory.id))
            ),
            "activity_type": names(
                session.execute(select(ActivityType.code, ActivityType.name).order_by(ActivityType.id))
            ),
            "theme": themes,
            "themes": themes,
            "dimensions": names(
                session.execute(
                    select(LearningDimension.code, LearningDimension.name).order_by(LearningDimension.id)
                )
            ),
            "journey_milestone": names(
                (code, f"{percentage}%: {title}")
                for code, percentage, title in session.execute(
                    select(
                        JourneyMilestone.code, JourneyMilestone.percentage, JourneyMilestone.title
                    ).order_by(JourneyMilestone.id)
                )
            ),
            "evidence_level": levels,
            "framework": names(
                session.execute(select(Framework.code, Framework.name).order_by(Framework.id))
            ),
            "sites": names(session.execute(select(Site.code, Site.name).order_by(Site.id))),
        },
        indicators=indicators,
    )


def return_names(session: Session, return_ids: Iterable[int]) -> dict[int, str]:
    """Each return named as people know it: "Kent, 2009-10 Q1"."""
    ids = set(return_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SiteReturn.id, Site.name, ReportingPeriod.name)
        .join(Site, Site.id == SiteReturn.site_id)
        .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
        .where(SiteReturn.id.in_(ids))
    )
    return {return_id: f"{site}, {period}" for return_id, site, period in rows}


def comment_subjects(session: Session, comment_ids: Iterable[int]) -> dict[int, tuple[str, int | None, int]]:
    """What each comment is about: (item type, item id, return id)."""
    ids = set(comment_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(
            ReviewComment.id, ReviewComment.item_type, ReviewComment.item_id, ReviewComment.site_return_id
        ).where(ReviewComment.id.in_(ids))
    )
    return {comment_id: (item_type, item_id, return_id) for comment_id, item_type, item_id, return_id in rows}


@dataclass(frozen=True)
class ItemFacts:
    """What an item of a return is called now, which return it is in and (a measure) its indicator."""

    name: str
    return_id: int
    indicator_code: str | None = None


ITEM_NAME_COLUMNS: dict[str, tuple[Any, Any]] = {
    "cost": (CostItem, CostItem.description),
    "saving": (SavingClaim, SavingClaim.description),
    "activity": (Activity, Activity.title),
    "learning": (LearningEntry, LearningEntry.title),
    "document": (SupportingDocument, SupportingDocument.original_filename),
}


def item_facts(session: Session, items: Iterable[tuple[str, int]]) -> dict[tuple[str, int], ItemFacts]:
    """Facts about the items of returns that still exist, by (kind, id): a record of a change names only
    the fields that changed, so the item's name and its return come from the item itself."""
    wanted: dict[str, set[int]] = {}
    for kind, item_id in items:
        wanted.setdefault(kind, set()).add(item_id)
    facts: dict[tuple[str, int], ItemFacts] = {}
    for kind, (model, name_column) in ITEM_NAME_COLUMNS.items():
        if wanted.get(kind):
            for item_id, name, return_id in session.execute(
                select(model.id, name_column, model.site_return_id).where(model.id.in_(wanted[kind]))
            ):
                facts[(kind, item_id)] = ItemFacts(str(name)[:120], return_id)
    if wanted.get("measure"):
        for measure_id, indicator_name, code, return_id in session.execute(
            select(MeasureValue.id, Indicator.name, Indicator.code, MeasureValue.site_return_id)
            .join(Indicator, Indicator.id == MeasureValue.indicator_id)
            .where(MeasureValue.id.in_(wanted["measure"]))
        ):
            facts[("measure", measure_id)] = ItemFacts(indicator_name, return_id, code)
    return facts


# Things outside returns named by one column of their own.
OBJECT_NAME_COLUMNS: dict[str, tuple[Any, Any]] = {
    "programme": (Programme, Programme.name),
    "release": (Release, Release.title),
    "impact_area": (ImpactArea, ImpactArea.area_name),
}


def object_names(session: Session, objects: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """What the things outside returns that records are about are called now, by (kind, id): a record of
    a change to a membership holds only ids, and one of a rating only its figures."""
    wanted: dict[str, set[int]] = {}
    for kind, object_id in objects:
        wanted.setdefault(kind, set()).add(object_id)
    found: dict[tuple[str, int], str] = {}

    def add(kind: str, rows: Iterable[Any]) -> None:
        found.update({(kind, object_id): str(name) for object_id, name in rows})

    if wanted.get("programme_membership"):
        memberships = session.scalars(
            select(ProgrammeMembership)
            .where(ProgrammeMembership.id.in_(wanted["programme_membership"]))
            .options(selectinload(ProgrammeMembership.user), selectinload(ProgrammeMembership.programme))
        )
        add(
            "programme_membership",
            ((each.id, f"{each.user.full_name} in {each.programme.name}") for each in memberships),
        )
    for kind, (model, name_column) in OBJECT_NAME_COLUMNS.items():
        if wanted.get(kind):
            add(kind, session.execute(select(model.id, name_column).where(model.id.in_(wanted[kind]))))
    if wanted.get("impact_rating"):
        indicator_names: dict[str, str] = dict(session.execute(select(Indicator.code, Indicator.name)).all())
        rows = session.execute(
            select(ImpactRating.id, Site.name, ImpactRating.indicator_code)
            .join(Site, Site.id == ImpactRating.site_id)
            .where(ImpactRating.id.in_(wanted["impact_rating"]))
        )
        add(
            "impact_rating", ((id_, f"{site}: {indicator_names.get(code, code)}") for id_, site, code in rows)
        )
    if wanted.get("framework_version"):
        rows = session.execute(
            select(FrameworkVersion.id, Framework.name, FrameworkVersion.version)
            .join(Framework, Framework.id == FrameworkVersion.framework_id)
            .where(FrameworkVersion.id.in_(wanted["framework_version"]))
        )
        add("framework_version", ((id_, f"{name}, version {version}") for id_, name, version in rows))
    return found
