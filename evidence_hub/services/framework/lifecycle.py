"""A framework version's life: a file imported as a draft (replacing a draft of the same number), the
draft published (retiring the version that was live) or deleted. Published and retired versions never
change and are never deleted. A programme that is not active takes none of these changes: each refuses
with `why_programme_takes_nothing`'s reason (`_closed_problem`).

Functions take a Session and never commit: the caller wraps each change in `with transaction(session):`
so that a file is imported entirely or not at all, and every change is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import Base, utc_now
from evidence_hub.models import Framework, FrameworkStatus, FrameworkVersion, Programme, User
from evidence_hub.models.framework import VERSION_CONTENT_MODELS
from evidence_hub.services.accounts import programmes
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import (
    NotVisible,
    may_administer_programme,
    why_programme_takes_nothing,
)
from evidence_hub.services.framework.definitions import FrameworkDefinition
from evidence_hub.services.framework.differences import FrameworkDifference
from evidence_hub.services.framework.errors import FrameworkError, FrameworkFileInvalid, Problem
from evidence_hub.services.framework.finding import difference_from, latest_published_before
from evidence_hub.services.framework.reading.framework_file import check_framework_text
from evidence_hub.services.framework.version_rows import build_version


@dataclass(frozen=True)
class ImportOutcome:
    version: FrameworkVersion
    difference: FrameworkDifference
    # True when the file replaced a draft with the same version number.
    replaced_draft: bool


def problems_against_registered(session: Session, definition: FrameworkDefinition) -> list[Problem]:
    """What stops this file becoming a new version, given the versions already imported."""
    problems: list[Problem] = []
    framework = session.scalar(select(Framework).where(Framework.code == definition.code))
    named = session.scalar(select(Framework).where(func.lower(Framework.name) == definition.name.lower()))
    if named is not None and named.code != definition.code:
        problems.append(
            Problem(
                "name",
                f"The name {definition.name!r} is already used by the framework with code {named.code!r}. "
                "Use that code to add a version to it, or choose a different name for a different framework.",
            )
        )
    if framework is None:
        return problems
    if framework.name != definition.name:
        problems.append(
            Problem(
                "name",
                f"The framework {framework.code!r} is called {framework.name!r}. "
                "A new version keeps the name: change it back, or use a new code for a different framework.",
            )
        )
    same_number = next((v for v in framework.versions if v.version == definition.version), None)
    highest = max((v.version for v in framework.versions if v is not same_number), default=0)
    if same_number is not None and not same_number.is_draft:
        problems.append(
            Problem(
                "version",
                f"Version {definition.version} of {framework.name} is {same_number.status} "
                "and cannot be changed. "
                f"Give this file version {max(highest, definition.version) + 1}.",
            )
        )
    elif definition.version < highest:
        problems.append(
            Problem(
                "version",
                f"Version numbers only go up: {framework.name} already has version {highest}. "
                f"Give this file version {highest + 1}.",
            )
        )
    base = latest_published_before(framework, definition.version)
    if base is not None:
        earlier_units = {indicator.code: indicator.unit_enum for indicator in base.indicators}
        for index, indicator in enumerate(definition.indicators):
            earlier_unit = earlier_units.get(indicator.code)
            if earlier_unit is not None and earlier_unit is not indicator.unit:
                problems.append(
                    Problem(
                        f"indicators[{index}].unit",
                        f"Indicator {indicator.code} is measured as {earlier_unit.label.lower()} in version "
                        f"{base.version}. Changing its unit would make figures reported against the "
                        "two versions impossible to compare: keep the unit, or give the indicator a "
                        "new code.",
                    )
                )
    return problems


def check_file(session: Session, source_text: str) -> tuple[FrameworkDefinition | None, list[Problem]]:
    """Every problem with a file: its own mistakes, or else its conflicts with versions already imported."""
    definition, problems = check_framework_text(source_text)
    if definition is None:
        return None, problems
    problems = problems_against_registered(session, definition)
    return (None, problems) if problems else (definition, [])


def import_framework(
    session: Session,
    source_text: str,
    *,
    actor: User | None,
    filename: str = "",
    reason: str = "",
    programme: Programme | None = None,
) -> ImportOutcome:
    """Create a draft version from a framework file; an invalid file writes nothing (FrameworkFileInvalid).
    A new framework joins `programme`, or the service's only programme (made on first use)."""
    definition, problems = check_framework_text(source_text)
    if definition is None:
        raise FrameworkFileInvalid(problems)
    # Whose framework it is comes before how it fits the versions there: those are another programme's.
    if programme is not None and actor is not None and not may_administer_programme(actor, programme.id):
        raise NotVisible(f"{actor.email} does not administer programme {programme.id}")
    framework = session.scalar(select(Framework).where(Framework.code == definition.code))
    if (
        framework is not None
        and actor is not None
        and not may_administer_programme(actor, framework.programme_id)
    ):
        # Said without naming the other programme, which this administrator may not see.
        raise FrameworkFileInvalid(
            [Problem("code", f"A framework with the code {definition.code} belongs to another programme")]
        )
    if framework is not None and programme is not None and framework.programme_id != programme.id:
        raise FrameworkFileInvalid(
            [
                Problem(
                    "code",
                    f"{definition.name} belongs to {framework.programme.name}, not {programme.name}: a new "
                    "version of it can only be imported into its own programme",
                )
            ]
        )
    target = framework.programme if framework is not None else programme
    closed = why_programme_takes_nothing(target) if target is not None else ""
    if closed:
        # A new version, or a new framework, would change what a closed programme's returns are asked.
        raise FrameworkFileInvalid([Problem("programme", closed)])
    problems = problems_against_registered(session, definition)
    if problems:
        raise FrameworkFileInvalid(problems)
    if framework is None:
        try:
            owner = programme or programmes.the_programme_to_join(session)
        except programmes.ProgrammeError as error:
            # Said as a problem with the file, so the import page and command explain it instead of failing.
            raise FrameworkFileInvalid(
                [
                    Problem(
                        "code",
                        f"{definition.code} is a new framework and this service runs several programmes: "
                        "choose the programme it belongs to",
                    )
                ]
            ) from error
        closed = why_programme_takes_nothing(owner)
        if closed:
            raise FrameworkFileInvalid([Problem("programme", closed)])
        framework = Framework(code=definition.code, name=definition.name, programme_id=owner.id)
        session.add(framework)
        session.flush()
    replaced = next((v for v in framework.versions if v.version == definition.version), None)
    replaced_record: dict[str, Any] | None = None
    if replaced is not None:
        replaced_record = _version_record(replaced)
        session.delete(replaced)
        session.flush()
        session.expire(framework, ["versions"])

    difference = difference_from(latest_published_before(framework, definition.version), definition)
    version = build_version(framework, definition, source_text, filename=filename, actor=actor)
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="framework.draft_replaced" if replaced is not None else "framework.imported",
        object_type="framework_version",
        object_id=version.id,
        before=replaced_record,
        after={**_version_record(version), "differences": difference.as_record()},
        reason=reason,
    )
    return ImportOutcome(version=version, difference=difference, replaced_draft=replaced is not None)


def why_cannot_publish(version: FrameworkVersion) -> str | None:
    """The reason a version cannot be published, or None when it can."""
    framework = version.framework
    closed = why_programme_takes_nothing(framework.programme)
    if closed:
        return closed
    if version.status == FrameworkStatus.PUBLISHED.value:
        return f"Version {version.version} of {framework.name} is already published."
    if version.status == FrameworkStatus.RETIRED.value:
        return (
            f"Version {version.version} of {framework.name} has been retired and cannot be published again. "
            "To bring its definitions back, import them as a new version."
        )
    live = framework.published_version
    if live is not None and live.version > version.version:
        return (
            f"Version {version.version} is older than version {live.version}, which is already published. "
            "Delete this draft, or import its definitions as a new version."
        )
    return None


def publish_version(
    session: Session, version: FrameworkVersion, *, actor: User | None, reason: str = ""
) -> None:
    """Make a draft the live version; the version that was live is retired. Neither can change afterwards."""
    refusal = why_cannot_publish(version)
    if refusal is not None:
        raise FrameworkError(refusal)
    framework = version.framework
    live = framework.published_version
    now = utc_now()
    if live is not None:
        live.status = FrameworkStatus.RETIRED.value
        live.retired_at = now
        # The retirement is written first so that there is never a moment with two live versions.
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="framework.retired",
            object_type="framework_version",
            object_id=live.id,
            before={"status": FrameworkStatus.PUBLISHED.value},
            after={"status": FrameworkStatus.RETIRED.value, "replaced_by_version": version.version},
            reason=reason,
        )
    version.status = FrameworkStatus.PUBLISHED.value
    version.published_at = now
    version.published_by_id = actor.id if actor is not None else None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="framework.published",
        object_type="framework_version",
        object_id=version.id,
        before={"status": FrameworkStatus.DRAFT.value},
        after={
            "status": FrameworkStatus.PUBLISHED.value,
            "framework": framework.code,
            "version": version.version,
            "retired_version": live.version if live is not None else None,
        },
        reason=reason,
    )


def why_cannot_delete(session: Session, version: FrameworkVersion) -> str | None:
    """The reason a version cannot be deleted, or None when it can."""
    closed = why_programme_takes_nothing(version.framework.programme)
    if closed:
        return closed
    if not version.is_draft:
        return (
            f"Version {version.version} of {version.framework.name} is {version.status}: evidence may have "
            "been recorded against it, so it can never be deleted. Only a draft can be deleted."
        )
    if _records_using(session, version):
        return (
            f"Evidence has been recorded against version {version.version} of {version.framework.name}, "
            "so it cannot be deleted."
        )
    return None


def _records_using(session: Session, version: FrameworkVersion) -> int:
    """How many rows outside the framework (returns, evidence, ...) refer to this version or its content.

    Found from the schema itself, so evidence tables added later are covered without changing this.
    """
    version_tables = {model.__tablename__ for model in VERSION_CONTENT_MODELS}
    total = 0
    for table in Base.metadata.sorted_tables:
        if table.name in version_tables or table.name == FrameworkVersion.__tablename__:
            continue
        for foreign_key in table.foreign_keys:
            target = foreign_key.column.table
            if target.name == FrameworkVersion.__tablename__:
                condition = foreign_key.parent == version.id
            elif target.name in version_tables:
                owned = select(foreign_key.column).where(target.c.framework_version_id == version.id)
                condition = foreign_key.parent.in_(owned)
            else:
                continue
            total += session.scalar(select(func.count()).select_from(table).where(condition)) or 0
    return total


def delete_draft(
    session: Session, version: FrameworkVersion, *, actor: User | None, reason: str = ""
) -> None:
    """Delete a draft version and everything in it. Published and retired versions are never deleted."""
    refusal = why_cannot_delete(session, version)
    if refusal is not None:
        raise FrameworkError(refusal)
    record = _version_record(version)
    version_id = version.id
    session.delete(version)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="framework.draft_deleted",
        object_type="framework_version",
        object_id=version_id,
        before=record,
        reason=reason,
    )


def _version_record(version: FrameworkVersion) -> dict[str, Any]:
    return {
        "framework": version.framework.code,
        "version": version.version,
        "status": version.status,
        "effective_from": version.effective_from.isoformat(),
        "source_sha256": version.source_sha256,
        "source_filename": version.source_filename,
    }
