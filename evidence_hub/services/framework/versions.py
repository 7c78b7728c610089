"""The framework's rules: importing a file as a draft version, publishing, retiring, deleting drafts,
reading a version for browsing and searching, reporting periods, the demo framework and the data dictionary.

Functions take a Session and never commit: the caller wraps each change in `with transaction(session):`
so that a file is imported entirely or not at all. The exceptions are `ensure_demo_framework`, which the
demo command calls on its own, and the read-only functions.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.db import Base, transaction, utc_now
from evidence_hub.models import (
    ActivityType,
    CollectionFrequency,
    CombineRule,
    CostCategory,
    Direction,
    EvaluationQuestion,
    EvidenceLevel,
    EvidenceScale,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorUnit,
    JourneyMilestone,
    LearningDimension,
    LearningType,
    LearningTypeGuidance,
    PartnerRole,
    PartnerType,
    PeriodKind,
    PeriodStatus,
    ReportingPeriod,
    Role,
    Theme,
    User,
)
from evidence_hub.models.framework import VERSION_CONTENT_MODELS
from evidence_hub.services.common import audit
from evidence_hub.services.common.spreadsheet_safety import append_row
from evidence_hub.services.framework.files import (
    DEFAULT_FRAMEWORK_PATH,
    ActivityTypeDefinition,
    CostCategoryDefinition,
    EvidenceLevelDefinition,
    EvidenceScaleDefinition,
    FrameworkDefinition,
    FrameworkDifference,
    FrameworkFileInvalid,
    IndicatorDefinition,
    LearningDimensionDefinition,
    LearningTypeDefinition,
    MilestoneDefinition,
    PartnerRoleDefinition,
    Problem,
    QuestionDefinition,
    ThemeDefinition,
    check_framework_text,
    compare_definitions,
    readable_date,
)

# Drafts are work in progress: only the people who write and check the framework see them.
ROLES_SEEING_DRAFTS = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR})
DEMO_FIRST_QUARTER_STARTS_ON = date(2009, 4, 1)
DEMO_QUARTERS = 8
MAX_SEARCH_WORDS = 10
MAX_SEARCH_LENGTH = 200


class FrameworkError(Exception):
    """A request that breaks a framework rule; the message says why and what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FrameworkNotFound(FrameworkError):
    """No framework or version matches what was asked for."""


@dataclass(frozen=True)
class ImportOutcome:
    version: FrameworkVersion
    difference: FrameworkDifference
    # True when the file replaced a draft with the same version number.
    replaced_draft: bool


# ---------------------------------------------------------------------------------------------------------
# Finding frameworks and versions.


def list_frameworks(session: Session) -> list[Framework]:
    return list(
        session.scalars(select(Framework).options(selectinload(Framework.versions)).order_by(Framework.name))
    )


def find_framework(session: Session, code_or_name: str) -> Framework | None:
    """A framework by its code or its name (either spelling is accepted on the command line)."""
    wanted = code_or_name.strip()
    return session.scalar(
        select(Framework).where(
            or_(Framework.code == wanted.lower(), func.lower(Framework.name) == wanted.lower())
        )
    )


def find_version(session: Session, code_or_name: str, number: int) -> FrameworkVersion:
    framework = find_framework(session, code_or_name)
    if framework is None:
        raise FrameworkNotFound(f"There is no framework called {code_or_name!r}.")
    version = next((v for v in framework.versions if v.version == number), None)
    if version is None:
        known = ", ".join(str(v.version) for v in framework.versions) or "none"
        raise FrameworkNotFound(f"{framework.name} has no version {number}. Its versions are: {known}.")
    return version


def may_see_version(user: User, version: FrameworkVersion) -> bool:
    return not version.is_draft or user.role_enum in ROLES_SEEING_DRAFTS


def visible_versions(user: User, framework: Framework) -> list[FrameworkVersion]:
    return [version for version in framework.versions if may_see_version(user, version)]


def version_for_browsing(session: Session, code: str, number: int, user: User) -> FrameworkVersion | None:
    """A version with all its content loaded, or None if it does not exist or the user may not see it."""
    version = session.scalar(
        select(FrameworkVersion)
        .join(Framework)
        .where(Framework.code == code, FrameworkVersion.version == number)
        .options(
            selectinload(FrameworkVersion.framework).selectinload(Framework.versions),
            selectinload(FrameworkVersion.framework).selectinload(Framework.reporting_periods),
            selectinload(FrameworkVersion.themes).selectinload(Theme.questions),
            selectinload(FrameworkVersion.themes).selectinload(Theme.indicators),
            selectinload(FrameworkVersion.indicators).selectinload(Indicator.minimum_evidence_level),
            selectinload(FrameworkVersion.indicators).selectinload(Indicator.theme),
            selectinload(FrameworkVersion.evidence_scales).selectinload(EvidenceScale.levels),
            selectinload(FrameworkVersion.cost_categories),
            selectinload(FrameworkVersion.activity_types),
            selectinload(FrameworkVersion.learning_types),
            selectinload(FrameworkVersion.learning_dimensions),
            selectinload(FrameworkVersion.partner_roles),
            selectinload(FrameworkVersion.milestones),
        )
    )
    if version is None or not may_see_version(user, version):
        return None
    return version


def current_version_for(user: User, framework: Framework) -> FrameworkVersion | None:
    """The version a user is sent to by default: the published one, else the latest they may see."""
    if framework.published_version is not None:
        return framework.published_version
    visible = visible_versions(user, framework)
    return visible[-1] if visible else None


def comparison_base(version: FrameworkVersion) -> FrameworkVersion | None:
    """The version this one is compared with: the latest earlier version that was ever published."""
    earlier = [
        other
        for other in version.framework.versions
        if other.version < version.version and other.status != FrameworkStatus.DRAFT.value
    ]
    return earlier[-1] if earlier else None


def difference_for(version: FrameworkVersion) -> FrameworkDifference:
    base = comparison_base(version)
    return compare_definitions(definition_of(base) if base is not None else None, definition_of(version))


def indicator_by_code(version: FrameworkVersion, code: str) -> Indicator | None:
    return next((indicator for indicator in version.indicators if indicator.code == code), None)


# ---------------------------------------------------------------------------------------------------------
# Importing, publishing, retiring and deleting.


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
    base = _latest_published_before(framework, definition.version)
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


def _latest_published_before(framework: Framework, number: int) -> FrameworkVersion | None:
    earlier = [
        v for v in framework.versions if v.version < number and v.status != FrameworkStatus.DRAFT.value
    ]
    return earlier[-1] if earlier else None


def check_file(session: Session, source_text: str) -> tuple[FrameworkDefinition | None, list[Problem]]:
    """Every problem with a file: its own mistakes, or else its conflicts with versions already imported."""
    definition, problems = check_framework_text(source_text)
    if definition is None:
        return None, problems
    problems = problems_against_registered(session, definition)
    return (None, problems) if problems else (definition, [])


def import_framework(
    session: Session, source_text: str, *, actor: User | None, filename: str = "", reason: str = ""
) -> ImportOutcome:
    """Create a draft version from a framework file; an invalid file writes nothing (FrameworkFileInvalid)."""
    definition, problems = check_file(session, source_text)
    if definition is None:
        raise FrameworkFileInvalid(problems)

    framework = session.scalar(select(Framework).where(Framework.code == definition.code))
    if framework is None:
        framework = Framework(code=definition.code, name=definition.name)
        session.add(framework)
        session.flush()
    replaced = next((v for v in framework.versions if v.version == definition.version), None)
    replaced_record: dict[str, Any] | None = None
    if replaced is not None:
        replaced_record = _version_record(replaced)
        session.delete(replaced)
        session.flush()
        session.expire(framework, ["versions"])

    base = _latest_published_before(framework, definition.version)
    difference = compare_definitions(definition_of(base) if base is not None else None, definition)
    version = _build_version(framework, definition, source_text, filename=filename, actor=actor)
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


def _build_version(
    framework: Framework,
    definition: FrameworkDefinition,
    source_text: str,
    *,
    filename: str,
    actor: User | None,
) -> FrameworkVersion:
    version = FrameworkVersion(
        framework=framework,
        version=definition.version,
        status=FrameworkStatus.DRAFT.value,
        description=definition.description,
        effective_from=definition.effective_from,
        source_yaml=source_text,
        source_sha256=hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
        source_filename=filename[:255],
        imported_by_id=actor.id if actor is not None else None,
    )
    levels: dict[tuple[str, int], EvidenceLevel] = {}
    for position, scale_definition in enumerate(definition.evidence_scales):
        scale = EvidenceScale(
            framework_version=version,
            code=scale_definition.code,
            name=scale_definition.name,
            description=scale_definition.description,
            source=scale_definition.source,
            position=position,
        )
        for level_definition in scale_definition.levels:
            levels[(scale.code, level_definition.level)] = EvidenceLevel(
                framework_version=version,
                scale=scale,
                level=level_definition.level,
                title=level_definition.title,
                description=level_definition.description,
                prompt=level_definition.prompt,
            )
    themes: dict[str, Theme] = {}
    question_position = 0
    for position, theme_definition in enumerate(definition.themes):
        theme = Theme(
            framework_version=version,
            code=theme_definition.code,
            title=theme_definition.title,
            description=theme_definition.description,
            position=position,
        )
        themes[theme.code] = theme
        for question_definition in theme_definition.questions:
            EvaluationQuestion(
                framework_version=version,
                theme=theme,
                code=question_definition.code,
                text=question_definition.text,
                guidance=question_definition.guidance,
                position=question_position,
            )
            question_position += 1
    for position, item in enumerate(definition.indicators):
        Indicator(
            framework_version=version,
            theme=themes[item.theme],
            code=item.code,
            name=item.name,
            definition=item.definition,
            unit=item.unit.value,
            decimal_places=item.decimal_places,
            direction=item.direction.value,
            combine_rule=item.combine.value,
            weighted_by_code=item.weighted_by,
            frequency=item.frequency.value,
            baseline_required=item.baseline_required,
            target_required=item.target_required,
            plausible_min=item.plausible_min,
            plausible_max=item.plausible_max,
            include_guidance=item.include,
            exclude_guidance=item.exclude,
            data_sources=list(item.data_sources),
            minimum_evidence_level=levels[(item.minimum_evidence_scale, item.minimum_evidence_level)],
            position=position,
        )
    for position, category in enumerate(definition.cost_categories):
        CostCategory(
            framework_version=version,
            code=category.code,
            name=category.name,
            description=category.description,
            include_guidance=category.include,
            exclude_guidance=category.exclude,
            examples=list(category.examples),
            in_kind=category.in_kind,
            position=position,
        )
    for position, activity in enumerate(definition.activity_types):
        ActivityType(
            framework_version=version,
            code=activity.code,
            name=activity.name,
            description=activity.description,
            position=position,
        )
    for position, learning_type in enumerate(definition.learning_types):
        LearningTypeGuidance(
            framework_version=version,
            code=learning_type.code.value,
            description=learning_type.description,
            examples=list(learning_type.examples),
            position=position,
        )
    for position, dimension in enumerate(definition.learning_dimensions):
        LearningDimension(
            framework_version=version,
            code=dimension.code,
            name=dimension.name,
            description=dimension.description,
            position=position,
        )
    for position, partner_role in enumerate(definition.partner_roles):
        PartnerRole(
            framework_version=version,
            partner_type=partner_role.partner_type.value,
            role=partner_role.role,
            position=position,
        )
    for position, milestone in enumerate(definition.journey):
        JourneyMilestone(
            framework_version=version,
            code=milestone.code,
            percentage=milestone.percentage,
            title=milestone.title,
            definition=milestone.definition,
            evidence=milestone.evidence,
            position=position,
        )
    return version


def definition_of(version: FrameworkVersion) -> FrameworkDefinition:
    """A stored version as the plain definition a file would give, for comparing versions."""
    return FrameworkDefinition(
        code=version.framework.code,
        name=version.framework.name,
        version=version.version,
        effective_from=version.effective_from,
        description=version.description,
        themes=tuple(
            ThemeDefinition(
                code=theme.code,
                title=theme.title,
                description=theme.description,
                questions=tuple(QuestionDefinition(q.code, q.text, q.guidance) for q in theme.questions),
            )
            for theme in version.themes
        ),
        indicators=tuple(
            IndicatorDefinition(
                code=i.code,
                name=i.name,
                theme=i.theme.code,
                definition=i.definition,
                unit=IndicatorUnit(i.unit),
                decimal_places=i.decimal_places,
                direction=Direction(i.direction),
                combine=CombineRule(i.combine_rule),
                weighted_by=i.weighted_by_code,
                frequency=CollectionFrequency(i.frequency),
                baseline_required=i.baseline_required,
                target_required=i.target_required,
                plausible_min=i.plausible_min,
                plausible_max=i.plausible_max,
                include=i.include_guidance,
                exclude=i.exclude_guidance,
                data_sources=tuple(i.data_sources),
                minimum_evidence_scale=i.minimum_evidence_level.scale.code,
                minimum_evidence_level=i.minimum_evidence_level.level,
            )
            for i in version.indicators
        ),
        cost_categories=tuple(
            CostCategoryDefinition(
                code=c.code,
                name=c.name,
                description=c.description,
                include=c.include_guidance,
                exclude=c.exclude_guidance,
                examples=tuple(c.examples),
                in_kind=c.in_kind,
            )
            for c in version.cost_categories
        ),
        activity_types=tuple(
            ActivityTypeDefinition(a.code, a.name, a.description) for a in version.activity_types
        ),
        learning_types=tuple(
            LearningTypeDefinition(LearningType(t.code), t.description, tuple(t.examples))
            for t in version.learning_types
        ),
        learning_dimensions=tuple(
            LearningDimensionDefinition(d.code, d.name, d.description) for d in version.learning_dimensions
        ),
        partner_roles=tuple(
            PartnerRoleDefinition(PartnerType(r.partner_type), r.role) for r in version.partner_roles
        ),
        journey=tuple(
            MilestoneDefinition(m.code, m.percentage, m.title, m.definition, m.evidence)
            for m in version.milestones
        ),
        evidence_scales=tuple(
            EvidenceScaleDefinition(
                code=s.code,
                name=s.name,
                description=s.description,
                source=s.source,
                levels=tuple(
                    EvidenceLevelDefinition(level.level, level.title, level.description, level.prompt)
                    for level in s.levels
                ),
            )
            for s in version.evidence_scales
        ),
    )


# ---------------------------------------------------------------------------------------------------------
# Reporting periods.


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _last_day_of_month(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def period_dates(kind: PeriodKind, starts_on: date) -> tuple[str, str, date, date]:
    """Code, name, last day, and the date returns are due (the end of the following month) of a period."""
    if starts_on.day != 1:
        raise FrameworkError("A reporting period starts on the first day of a month.")
    if kind is PeriodKind.QUARTER:
        if starts_on.month not in (1, 4, 7, 10):
            raise FrameworkError("A quarter starts on 1 January, 1 April, 1 July or 1 October.")
        ends_on = _last_day_of_month(_add_months(starts_on, 2))
        quarter = (starts_on.month - 1) // 3 + 1
        first_month = starts_on.strftime("%B")
        last_month = ends_on.strftime("%B %Y")
        code = f"{starts_on.year}-Q{quarter}"
        name = f"{starts_on.year} Q{quarter} ({first_month} to {last_month})"
    else:
        ends_on = _last_day_of_month(starts_on)
        code = f"{starts_on.year}-{starts_on.month:02d}"
        name = starts_on.strftime("%B %Y")
    returns_due_on = _last_day_of_month(_add_months(starts_on, 3 if kind is PeriodKind.QUARTER else 1))
    return code, name, ends_on, returns_due_on


def add_reporting_periods(
    session: Session,
    framework: Framework,
    *,
    kind: PeriodKind,
    first_starts_on: date,
    count: int,
    closed_count: int = 0,
    actor: User | None,
    reason: str = "",
) -> list[ReportingPeriod]:
    """Add `count` consecutive periods from `first_starts_on`; the first `closed_count` are marked closed.

    Periods that already exist (same code) are left exactly as they are, so this can be run again safely.
    Quarter 2009 Q2 covers 1 April to 30 June 2009, and its returns are due by 31 July 2009.
    """
    if count < 1 or count > 120:
        raise FrameworkError("Add between 1 and 120 reporting periods at a time.")
    existing = {period.code for period in framework.reporting_periods}
    step = 3 if kind is PeriodKind.QUARTER else 1
    added: list[ReportingPeriod] = []
    for number in range(count):
        starts_on = _add_months(first_starts_on, number * step) if number else first_starts_on
        code, name, ends_on, returns_due_on = period_dates(kind, starts_on)
        if code in existing:
            continue
        period = ReportingPeriod(
            framework=framework,
            code=code,
            name=name,
            kind=kind.value,
            starts_on=starts_on,
            ends_on=ends_on,
            returns_due_on=returns_due_on,
            status=PeriodStatus.CLOSED.value if number < closed_count else PeriodStatus.OPEN.value,
        )
        session.add(period)
        added.append(period)
    session.flush()
    for period in added:
        audit.record(
            session,
            actor=actor,
            action="reporting_period.created",
            object_type="reporting_period",
            object_id=period.id,
            after={
                "framework": framework.code,
                "code": period.code,
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
                "returns_due_on": period.returns_due_on.isoformat(),
                "status": period.status,
            },
            reason=reason,
        )
    return added


# ---------------------------------------------------------------------------------------------------------
# The demo.


def ensure_demo_framework(session: Session) -> Framework:
    """The default framework, published, with quarterly periods 2009 Q2 to 2011 Q1.

    Running it again changes nothing. The periods are created open: the demo's returns are entered and
    reviewed in them first, then every quarter but the latest is closed (evidence_hub/demo_evidence.py).
    """
    source_text = DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8")
    with transaction(session):
        definition, problems = check_framework_text(source_text)
        if definition is None:
            raise FrameworkFileInvalid(problems)
        framework = session.scalar(select(Framework).where(Framework.code == definition.code))
        existing = (
            next((v for v in framework.versions if v.version == definition.version), None)
            if framework
            else None
        )
        reason = "Demo data: the default framework shipped with the service"
        if existing is None:
            higher = framework is not None and any(v.version > definition.version for v in framework.versions)
            if not higher:
                outcome = import_framework(
                    session, source_text, actor=None, filename=DEFAULT_FRAMEWORK_PATH.name, reason=reason
                )
                publish_version(session, outcome.version, actor=None, reason=reason)
                framework = outcome.version.framework
        elif existing.is_draft:
            publish_version(session, existing, actor=None, reason=reason)
        assert framework is not None
        add_reporting_periods(
            session,
            framework,
            kind=PeriodKind.QUARTER,
            first_starts_on=DEMO_FIRST_QUARTER_STARTS_ON,
            count=DEMO_QUARTERS,
            actor=None,
            reason=reason,
        )
    return framework


# ---------------------------------------------------------------------------------------------------------
# Searching a version.


@dataclass(frozen=True)
class SearchHit:
    # Which page shows the item: "indicator", "theme", "question", "cost_category", "activity_type",
    # "learning_type", "learning_dimension", "partner_role", "milestone" or "evidence_level".
    kind: str
    kind_label: str
    code: str
    title: str
    # The text around the first match, split into (text, is_a_match) pieces for highlighting.
    excerpt: tuple[tuple[str, bool], ...]


def search_words(query: str) -> list[str]:
    """The distinct words of a search, lower-cased, at most MAX_SEARCH_WORDS of them."""
    words: list[str] = []
    for word in re.findall(r"[\w£%]+", query[:MAX_SEARCH_LENGTH].casefold()):
        if word not in words:
            words.append(word)
    return words[:MAX_SEARCH_WORDS]


def _searchable(version: FrameworkVersion) -> Iterable[tuple[str, str, str, str, list[str]]]:
    for theme in version.themes:
        yield "theme", "Theme", theme.code, theme.title, [theme.title, theme.description]
        for question in theme.questions:
            yield (
                "question",
                "Evaluation question",
                question.code,
                question.text,
                [question.text, question.guidance],
            )
    for i in version.indicators:
        texts = [i.code, i.name, i.definition, i.include_guidance, i.exclude_guidance, *i.data_sources]
        yield "indicator", "Indicator", i.code, i.name, texts
    for c in version.cost_categories:
        texts = [c.code, c.name, c.description, c.include_guidance, c.exclude_guidance, *c.examples]
        yield "cost_category", "Cost category", c.code, c.name, texts
    for a in version.activity_types:
        yield "activity_type", "Activity type", a.code, a.name, [a.code, a.name, a.description]
    for t in version.learning_types:
        yield "learning_type", "Learning type", t.code, t.name, [t.name, t.description, *t.examples]
    for d in version.learning_dimensions:
        yield "learning_dimension", "Learning dimension", d.code, d.name, [d.name, d.description]
    for r in version.partner_roles:
        yield (
            "partner_role",
            "Partner role",
            r.partner_type,
            r.partner_type_label,
            [r.partner_type_label, r.role],
        )
    for m in version.milestones:
        yield (
            "milestone",
            "Journey milestone",
            m.code,
            f"{m.percentage}%: {m.title}",
            [m.title, m.definition, m.evidence],
        )
    for s in version.evidence_scales:
        for level in s.levels:
            yield (
                "evidence_level",
                "Evidence level",
                f"{s.code}-{level.level}",
                f"{s.name}, level {level.level}: {level.title}",
                [s.name, level.title, level.description, level.prompt],
            )


def search_version(version: FrameworkVersion, query: str) -> list[SearchHit]:
    """Everything in a version that contains every word of the query (a word also matches longer words)."""
    words = search_words(query)
    if not words:
        return []
    hits: list[SearchHit] = []
    for kind, kind_label, code, title, texts in _searchable(version):
        haystack = " ".join(texts).casefold()
        if all(word in haystack for word in words):
            hits.append(SearchHit(kind, kind_label, code, title, _excerpt(texts, words)))
    return hits


def _excerpt(texts: Sequence[str], words: Sequence[str], width: int = 220) -> tuple[tuple[str, bool], ...]:
    text = next((t for t in texts if any(word in t.casefold() for word in words)), texts[0] if texts else "")
    folded = text.casefold()
    first = min((folded.find(word) for word in words if word in folded), default=0)
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    window = text[start:end]
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    pieces: list[tuple[str, bool]] = []
    if start:
        pieces.append(("…", False))
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            pieces.append((window[position : match.start()], False))
        pieces.append((match.group(0), True))
        position = match.end()
    if position < len(window):
        pieces.append((window[position:], False))
    if end < len(text):
        pieces.append(("…", False))
    return tuple(pieces)


# ---------------------------------------------------------------------------------------------------------
# The data dictionary (XLSX).


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _sheet(workbook: Workbook, title: str, headings: Sequence[str], widths: Sequence[int]) -> Worksheet:
    worksheet = workbook.create_sheet(title)
    append_row(worksheet, headings)
    for column, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
        worksheet.cell(row=1, column=column).font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    return worksheet


def _wrap(worksheet: Worksheet) -> None:
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def data_dictionary_xlsx(version: FrameworkVersion) -> bytes:
    """Every definition of a version as a spreadsheet, one sheet per kind, for evaluators working offline."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "About"
    for label, value in (
        ("Framework", version.framework.name),
        ("Code", version.framework.code),
        ("Version", version.version),
        ("Status", version.status_enum.label),
        ("Takes effect from", readable_date(version.effective_from)),
        ("Description", version.description),
        ("Published", readable_date(version.published_at.date()) if version.published_at else "Not yet"),
        ("Generated", readable_date(utc_now().date())),
    ):
        append_row(about, [label, value])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    _wrap(about)

    themes = _sheet(
        workbook,
        "Themes and questions",
        ["Theme code", "Theme", "Question code", "Question", "Guidance"],
        [12, 40, 14, 70, 60],
    )
    for theme in version.themes:
        append_row(themes, [theme.code, theme.title, "", theme.description, ""])
        for question in theme.questions:
            append_row(themes, [theme.code, theme.title, question.code, question.text, question.guidance])
    _wrap(themes)

    indicators = _sheet(
        workbook,
        "Indicators",
        [
            "Code",
            "Name",
            "Theme",
            "Definition",
            "Unit",
            "Decimal places",
            "Direction",
            "Combining sites",
            "Weighted by",
            "Frequency",
            "Baseline required",
            "Target required",
            "Plausible minimum",
            "Plausible maximum",
            "What to include",
            "What to exclude",
            "Data sources",
            "Minimum evidence",
        ],
        [22, 36, 12, 60, 16, 10, 20, 30, 22, 18, 10, 10, 12, 12, 60, 60, 50, 50],
    )
    for i in version.indicators:
        level = i.minimum_evidence_level
        append_row(
            indicators,
            [
                i.code,
                i.name,
                i.theme.code,
                i.definition,
                i.unit_enum.label,
                i.decimal_places,
                i.direction_enum.label,
                i.combine_rule_enum.label,
                i.weighted_by_code or "",
                i.frequency_enum.label,
                _yes_no(i.baseline_required),
                _yes_no(i.target_required),
                i.plausible_min,
                i.plausible_max,
                i.include_guidance,
                i.exclude_guidance,
                "\n".join(i.data_sources),
                level.label,
            ],
        )
    _wrap(indicators)

    costs = _sheet(
        workbook,
        "Cost categories",
        ["Code", "Name", "Description", "Met in kind", "What to include", "What to exclude", "Examples"],
        [22, 32, 50, 10, 60, 60, 50],
    )
    for c in version.cost_categories:
        append_row(
            costs,
            [
                c.code,
                c.name,
                c.description,
                _yes_no(c.in_kind),
                c.include_guidance,
                c.exclude_guidance,
                "\n".join(c.examples),
            ],
        )
    _wrap(costs)

    activities = _sheet(workbook, "Activity types", ["Code", "Name", "Description"], [22, 36, 80])
    for a in version.activity_types:
        append_row(activities, [a.code, a.name, a.description])
    _wrap(activities)

    learning = _sheet(
        workbook, "Learning types", ["Code", "Learning type", "Description", "Examples"], [16, 20, 70, 70]
    )
    for t in version.learning_types:
        append_row(learning, [t.code, t.name, t.description, "\n".join(t.examples)])
    _wrap(learning)

    dimensions = _sheet(workbook, "Learning dimensions", ["Code", "Dimension", "Description"], [22, 36, 80])
    for d in version.learning_dimensions:
        append_row(dimensions, [d.code, d.name, d.description])
    _wrap(dimensions)

    if version.partner_roles:
        partners = _sheet(workbook, "Partner roles", ["Partner type", "Role"], [26, 100])
        for r in version.partner_roles:
            append_row(partners, [r.partner_type_label, r.role])
        _wrap(partners)

    if version.milestones:
        journey = _sheet(
            workbook,
            "Data-sharing journey",
            ["Code", "Percentage", "Milestone", "Definition", "Evidence"],
            [10, 12, 36, 70, 60],
        )
        for m in version.milestones:
            append_row(journey, [m.code, m.percentage, m.title, m.definition, m.evidence])
        _wrap(journey)

    scales = _sheet(
        workbook,
        "Evidence scales",
        ["Scale", "Level", "Title", "Description", "Prompt for pilot leads"],
        [36, 8, 40, 70, 70],
    )
    for s in version.evidence_scales:
        for level in s.levels:
            append_row(scales, [s.name, level.level, level.title, level.description, level.prompt])
    _wrap(scales)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def range_text(indicator: Indicator) -> str:
    """The plausible range in words, such as "0 to 5,000" or "£0.00 to £5,000.00"."""
    if indicator.plausible_min is None or indicator.plausible_max is None:
        return "Yes or no"
    lowest = format_value(indicator, indicator.plausible_min)
    return f"{lowest} to {format_value(indicator, indicator.plausible_max)}"


class MeasuredInUnits(Protocol):
    """What formatting a figure needs from an indicator, or from the dashboards' description of one."""

    @property
    def unit_enum(self) -> IndicatorUnit: ...

    @property
    def decimal_places(self) -> int: ...


def format_value(indicator: MeasuredInUnits, value: Any) -> str:
    """A figure in the indicator's unit, to its decimal places, with thousands separators."""
    if value is None:
        return ""
    places = indicator.decimal_places
    text = f"{value:,.{places}f}"
    unit = indicator.unit_enum
    if unit is IndicatorUnit.MONEY_GBP:
        return f"£{text}" if not text.startswith("-") else f"-£{text[1:]}"
    if unit is IndicatorUnit.PERCENTAGE:
        return f"{text}%"
    if unit in (IndicatorUnit.HOURS, IndicatorUnit.DAYS):
        return f"{text} {unit.label.lower()}"
    return text


def set_cross_site_sharing(session: Session, framework: Framework, shared: bool, *, actor: User) -> bool:
    """Turn on or off site leads' view of other sites' approved figures on the dashboards.

    Returns whether anything changed. Only administrators decide it, and the decision is audited.
    """
    if actor.role_enum is not Role.ADMINISTRATOR:
        raise FrameworkError("Only an administrator can change cross-site sharing.")
    if framework.cross_site_sharing == shared:
        return False
    audit.record(
        session,
        actor=actor,
        action="framework.cross_site_sharing_changed",
        object_type="framework",
        object_id=framework.id,
        before={"cross_site_sharing": framework.cross_site_sharing},
        after={"cross_site_sharing": shared},
    )
    framework.cross_site_sharing = shared
    return True
