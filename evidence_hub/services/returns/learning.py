"""Learning entries: barriers, enablers, lessons, good practice and recommendations a site records.

Each entry has a type, one or more of the framework's dimensions, optionally a theme, and says what
happened, why it matters and what it implies for a national roll-out. Only an evaluator (or an
administrator) clears an entry for national officials to read; nothing the lead sends can set that, and
changing a cleared entry's text withdraws the clearance until an evaluator has read it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
from evidence_hub.models.framework import (
    FrameworkVersion,
    LearningDimension,
    LearningType,
    LearningTypeGuidance,
    Theme,
)
from evidence_hub.models.returns import LearningEntry, SiteReturn
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns.items import (
    check_version,
    record_created,
    record_deleted,
    record_updated,
    snapshot,
    visible_item,
)
from evidence_hub.services.returns.workflow import InvalidEvidence, ReturnError, require_lead_can_edit

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_IMPORT_REFERENCE = 60
CLEARING_ROLES = frozenset({Role.EVALUATOR, Role.ADMINISTRATOR})
# The fields that hold what the site says; changing any of them withdraws clearance for national sharing.
CONTENT_FIELDS = (
    "learning_type",
    "theme",
    "title",
    "what_happened",
    "why_it_matters",
    "national_implication",
)


class LearningError(InvalidEvidence):
    """A learning entry that cannot be saved (see InvalidEvidence)."""


@dataclass
class LearningData:
    """A learning entry as entered: the type (such as "barrier") and the codes of dimensions and theme."""

    learning_type: str = ""
    dimensions: list[str] = field(default_factory=list)
    theme: str = ""
    title: str = ""
    what_happened: str = ""
    why_it_matters: str = ""
    national_implication: str = ""


def entry_in_return(session: Session, user: User, site_return: SiteReturn, entry_id: int) -> LearningEntry:
    """The entry if the user may see it and it belongs to this return; NotVisible (404) otherwise."""
    entry = visible_item(session, user, LearningEntry, entry_id)
    if entry.site_return_id != site_return.id:
        raise NotVisible(f"Learning entry {entry_id} is not in return {site_return.id}")
    return entry


def guidance_by_type(version: FrameworkVersion) -> dict[str, LearningTypeGuidance]:
    """The framework's description and examples for each type of learning, by type value."""
    return {guidance.code: guidance for guidance in version.learning_types}


def learning_types_in_order(version: FrameworkVersion) -> list[LearningType]:
    """The fixed types, in the order the framework explains them (types it does not explain come last)."""
    explained = [guidance.learning_type for guidance in version.learning_types]
    return explained + [member for member in LearningType if member not in explained]


def _text(errors: dict[str, str], name: str, raw: str | None, label: str, limit: int = MAX_TEXT) -> str:
    value = (raw or "").strip()
    if len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"
    return value


@dataclass(frozen=True)
class _Checked:
    learning_type: str
    dimensions: list[LearningDimension]
    theme: Theme | None
    title: str
    what_happened: str
    why_it_matters: str
    national_implication: str


def validate_learning(version: FrameworkVersion, data: LearningData) -> _Checked:
    errors: dict[str, str] = {}
    learning_type = (data.learning_type or "").strip()
    if not learning_type:
        errors["learning_type"] = "Select the type of learning"
    elif learning_type not in {member.value for member in LearningType}:
        errors["learning_type"] = "Select a type of learning from the list"

    by_code = {dimension.code: dimension for dimension in version.learning_dimensions}
    codes = list(dict.fromkeys(code.strip() for code in data.dimensions if code and code.strip()))
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        errors["dimensions"] = f"'{unknown[0]}' is not one of the framework's areas: choose areas in the list"
    elif not codes:
        errors["dimensions"] = "Select at least one area the learning is about"
    dimensions = sorted((by_code[code] for code in codes if code in by_code), key=lambda d: d.position)

    theme: Theme | None = None
    theme_code = (data.theme or "").strip()
    if theme_code:
        theme = next((theme for theme in version.themes if theme.code == theme_code), None)
        if theme is None:
            errors["theme"] = "Select a line of enquiry from the list"

    title = _text(errors, "title", data.title, "The title", MAX_TITLE)
    if not title and "title" not in errors:
        errors["title"] = "Enter a short title for the learning"
    what_happened = _text(errors, "what_happened", data.what_happened, "What happened")
    if not what_happened and "what_happened" not in errors:
        errors["what_happened"] = "Describe what happened"
    why_it_matters = _text(errors, "why_it_matters", data.why_it_matters, "Why it matters")
    implication = _text(
        errors, "national_implication", data.national_implication, "The implication for national roll-out"
    )
    if errors:
        raise LearningError(errors)
    return _Checked(learning_type, dimensions, theme, title, what_happened, why_it_matters, implication)


def _record(entry: LearningEntry) -> dict[str, Any]:
    return snapshot(
        entry,
        extra={
            "dimensions": [dimension.code for dimension in entry.dimensions],
            "theme": entry.theme.code if entry.theme is not None else None,
        },
    )


def _submitted(checked: _Checked) -> dict[str, Any]:
    """The user's version of an entry, keyed as `_record` keys it (for showing a conflict)."""
    return {
        "learning_type": checked.learning_type,
        "dimensions": [dimension.code for dimension in checked.dimensions],
        "theme": checked.theme.code if checked.theme is not None else None,
        "title": checked.title,
        "what_happened": checked.what_happened,
        "why_it_matters": checked.why_it_matters,
        "national_implication": checked.national_implication,
    }


def _apply(entry: LearningEntry, checked: _Checked) -> None:
    entry.learning_type = checked.learning_type
    entry.dimensions = list(checked.dimensions)
    entry.theme = checked.theme
    entry.theme_id = checked.theme.id if checked.theme is not None else None
    entry.title = checked.title
    entry.what_happened = checked.what_happened
    entry.why_it_matters = checked.why_it_matters
    entry.national_implication = checked.national_implication


def add_learning(
    session: Session,
    user: User,
    site_return: SiteReturn,
    data: LearningData,
    import_reference: str | None = None,
) -> LearningEntry:
    """Record a learning entry in the return. With an `import_reference` already used in this return (an
    upload sent again), that entry is updated instead, so nothing is duplicated."""
    require_lead_can_edit(user, site_return)
    checked = validate_learning(site_return.framework_version, data)
    reference = (import_reference or "").strip() or None
    if reference is not None and len(reference) > MAX_IMPORT_REFERENCE:
        raise LearningError({"import_reference": "The row reference is too long"})
    if reference is not None:
        existing = session.scalar(
            select(LearningEntry).where(
                LearningEntry.site_return_id == site_return.id, LearningEntry.import_reference == reference
            )
        )
        if existing is not None:
            return _update(session, user, existing, checked, None)
    entry = LearningEntry(
        site_return_id=site_return.id,
        site_id=site_return.site_id,
        import_reference=reference,
        cleared_for_national=False,
    )
    _apply(entry, checked)
    session.add(entry)
    session.flush()
    record_created(session, user, entry, _record(entry))
    session.expire(site_return, ["learning"])
    return entry


def update_learning(
    session: Session,
    user: User,
    site_return: SiteReturn,
    entry: LearningEntry,
    data: LearningData,
    submitted_version: int | None = None,
) -> LearningEntry:
    """Change an entry; StaleEdit when somebody saved it after `submitted_version`."""
    require_lead_can_edit(user, site_return)
    if entry.site_return_id != site_return.id:
        raise NotVisible(f"Learning entry {entry.id} is not in return {site_return.id}")
    checked = validate_learning(site_return.framework_version, data)
    return _update(session, user, entry, checked, submitted_version)


def _update(
    session: Session, user: User, entry: LearningEntry, checked: _Checked, submitted_version: int | None
) -> LearningEntry:
    before = _record(entry)
    check_version(entry, submitted_version, _submitted(checked), before)
    _apply(entry, checked)
    after = _record(entry)
    content_changed = any(before.get(name) != after.get(name) for name in (*CONTENT_FIELDS, "dimensions"))
    if content_changed and entry.cleared_for_national:
        # What the evaluator cleared is no longer what the entry says.
        entry.cleared_for_national = False
        entry.cleared_by_id = None
        after = _record(entry)
    session.flush()
    record_updated(session, user, entry, before, after)
    return entry


def delete_learning(
    session: Session,
    user: User,
    site_return: SiteReturn,
    entry: LearningEntry,
    submitted_version: int | None = None,
) -> None:
    require_lead_can_edit(user, site_return)
    if entry.site_return_id != site_return.id:
        raise NotVisible(f"Learning entry {entry.id} is not in return {site_return.id}")
    before = _record(entry)
    check_version(entry, submitted_version, {}, before)
    record_deleted(session, user, entry, before)
    session.delete(entry)
    session.flush()
    session.expire(site_return, ["learning"])


def set_cleared_for_national(session: Session, evaluator: User, entry: LearningEntry, cleared: bool) -> bool:
    """Clear an entry for national officials to read, or withdraw that; only evaluators and administrators.

    Returns whether anything changed.
    """
    if evaluator.role_enum not in CLEARING_ROLES:
        raise ReturnError("Only an evaluator can clear learning for national sharing", field="cleared")
    if entry.cleared_for_national == cleared:
        return False
    before = {"cleared_for_national": entry.cleared_for_national, "cleared_by_id": entry.cleared_by_id}
    entry.cleared_for_national = cleared
    entry.cleared_by_id = evaluator.id if cleared else None
    session.flush()
    return record_updated(
        session,
        evaluator,
        entry,
        before,
        {"cleared_for_national": entry.cleared_for_national, "cleared_by_id": entry.cleared_by_id},
    )
