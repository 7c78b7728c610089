"""Finding frameworks and their versions: by code or name, the ones a user may see, the version each is
compared with, and an indicator of a version by its code."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.models import (
    EvidenceScale,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    Role,
    Theme,
    User,
)
from evidence_hub.services.common.access import may_see_programme, scope_frameworks
from evidence_hub.services.framework.definitions import FrameworkDefinition
from evidence_hub.services.framework.differences import FrameworkDifference, compare_definitions
from evidence_hub.services.framework.errors import FrameworkNotFound
from evidence_hub.services.framework.version_rows import definition_of

# Drafts are work in progress: only the people who write and check the framework see them.
ROLES_SEEING_DRAFTS = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR})


def list_frameworks(session: Session, user: User | None = None) -> list[Framework]:
    """Every framework, or with a user given, those of the user's programmes."""
    statement = select(Framework).options(selectinload(Framework.versions)).order_by(Framework.name)
    return list(session.scalars(statement if user is None else scope_frameworks(statement, user)))


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
    if (
        version is None
        or not may_see_version(user, version)
        or not may_see_programme(user, version.framework.programme_id)
    ):
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
    return latest_published_before(version.framework, version.version)


def latest_published_before(framework: Framework, number: int) -> FrameworkVersion | None:
    """The latest version before version `number` that was ever published (live now or retired)."""
    earlier = [
        v for v in framework.versions if v.version < number and v.status != FrameworkStatus.DRAFT.value
    ]
    return earlier[-1] if earlier else None


def difference_for(version: FrameworkVersion) -> FrameworkDifference:
    """What a version changes compared with its comparison base."""
    return difference_from(comparison_base(version), definition_of(version))


def difference_from(base: FrameworkVersion | None, definition: FrameworkDefinition) -> FrameworkDifference:
    """What a definition changes compared with a stored version (with none, everything in it is new)."""
    return compare_definitions(definition_of(base) if base is not None else None, definition)


def indicator_by_code(version: FrameworkVersion, code: str) -> Indicator | None:
    return next((indicator for indicator in version.indicators if indicator.code == code), None)
