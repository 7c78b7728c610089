"""Learning entries: barriers, enablers, lessons, good practice and recommendations a site records.

Each entry has a type, one or more of the framework's dimensions, optionally a theme, and says what
happened, why it matters and what it implies for a national roll-out. Only an evaluator (or an
administrator) clears an entry for national officials to read; nothing the lead sends can set that, and
changing a cleared entry's text withdraws the clearance until an evaluator has read it again. The item
service (items.py) adds, changes and deletes entries under the rules every item shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
from evidence_hub.models.framework import (
    FrameworkVersion,
    LearningDimension,
    LearningType,
    LearningTypeGuidance,
    Theme,
)
from evidence_hub.models.returns import LearningEntry, ReturnSection, SiteReturn
from evidence_hub.services.common.values import clean_text, snapshot
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.evidence_rows import read_for_writing, record_updated
from evidence_hub.services.returns.input_rules import MAX_TITLE, Problems, text_problem
from evidence_hub.services.returns.items import EvidenceItems

CLEARING_ROLES = frozenset({Role.EVALUATOR, Role.ADMINISTRATOR})
# What the site says in an entry; changing any of it withdraws clearance for national sharing.
CONTENT_FIELDS = (
    "learning_type",
    "theme",
    "dimensions",
    "title",
    "what_happened",
    "why_it_matters",
    "national_implication",
)


@dataclass(frozen=True)
class LearningInput:
    """A learning entry as entered: the type (such as "barrier") and the codes of dimensions and theme."""

    learning_type: str = ""
    dimensions: list[str] = field(default_factory=list)
    theme: str = ""
    title: str = ""
    what_happened: str = ""
    why_it_matters: str = ""
    national_implication: str = ""


@dataclass(frozen=True)
class CleanLearning:
    learning_type: str
    dimensions: list[LearningDimension]
    theme: Theme | None
    title: str
    what_happened: str
    why_it_matters: str
    national_implication: str

    @classmethod
    def of(cls, entry: LearningEntry) -> CleanLearning:
        return cls(
            learning_type=entry.learning_type,
            dimensions=list(entry.dimensions),
            theme=entry.theme,
            title=entry.title,
            what_happened=entry.what_happened,
            why_it_matters=entry.why_it_matters,
            national_implication=entry.national_implication,
        )


def guidance_by_type(version: FrameworkVersion) -> dict[str, LearningTypeGuidance]:
    """The framework's description and examples for each type of learning, by type value."""
    return {guidance.code: guidance for guidance in version.learning_types}


def learning_types_in_order(version: FrameworkVersion) -> list[LearningType]:
    """The fixed types, in the order the framework explains them (types it does not explain come last)."""
    explained = [guidance.learning_type for guidance in version.learning_types]
    return explained + [member for member in LearningType if member not in explained]


def learning_type_label(value: str) -> str:
    """A learning type's name ("Barrier", "Good practice"), or the value itself when it is not a type."""
    try:
        return LearningType(value).label
    except ValueError:
        return value


def check_learning(
    version: FrameworkVersion, data: LearningInput
) -> tuple[dict[str, str], CleanLearning | None]:
    """Every problem with a learning entry, by field, and the checked entry when there are none."""
    problems = Problems()
    learning_type = clean_text(data.learning_type)
    if not learning_type:
        problems.note("learning_type", "Select the type of learning")
    elif learning_type not in {member.value for member in LearningType}:
        problems.note("learning_type", "Select a type of learning from the list")

    by_code = {dimension.code: dimension for dimension in version.learning_dimensions}
    codes = list(dict.fromkeys(clean_text(code) for code in data.dimensions if clean_text(code)))
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        problems.note(
            "dimensions", f"'{unknown[0]}' is not one of the framework's areas: choose areas in the list"
        )
    elif not codes:
        problems.note("dimensions", "Select at least one area the learning is about")
    dimensions = sorted((by_code[code] for code in codes if code in by_code), key=lambda d: d.position)

    theme: Theme | None = None
    theme_code = clean_text(data.theme)
    if theme_code:
        theme = next((theme for theme in version.themes if theme.code == theme_code), None)
        if theme is None:
            problems.note("theme", "Select a line of enquiry from the list")

    title = clean_text(data.title)
    problems.note("title", text_problem(title, "The title", MAX_TITLE))
    problems.note("title", "Enter a short title for the learning" if not title else None)
    what_happened = clean_text(data.what_happened)
    problems.note("what_happened", text_problem(what_happened, "What happened"))
    problems.note("what_happened", "Describe what happened" if not what_happened else None)
    why_it_matters = clean_text(data.why_it_matters)
    problems.note("why_it_matters", text_problem(why_it_matters, "Why it matters"))
    implication = clean_text(data.national_implication)
    problems.note("national_implication", text_problem(implication, "The implication for national roll-out"))
    if problems or not learning_type:
        return problems, None
    return problems, CleanLearning(
        learning_type, dimensions, theme, title, what_happened, why_it_matters, implication
    )


class LearningItems(EvidenceItems[LearningEntry, LearningInput, CleanLearning]):
    model = LearningEntry
    noun = "learning entry"
    section = ReturnSection.LEARNING
    collection = "learning"
    reference_prefix = "L"
    field_labels: ClassVar[dict[str, str]] = {
        "learning_type": "Kind of learning",
        "dimensions": "Areas",
        "theme": "Line of enquiry",
        "title": "Title",
        "what_happened": "What happened",
        "why_it_matters": "Why it matters",
        "national_implication": "Implication for national roll-out",
    }

    def check(
        self, site_return: SiteReturn, data: LearningInput
    ) -> tuple[dict[str, str], CleanLearning | None]:
        return check_learning(site_return.framework_version, data)

    def new_item(self, site_return: SiteReturn, reference: str | None) -> LearningEntry:
        entry = super().new_item(site_return, reference)
        entry.cleared_for_national = False
        return entry

    def write(self, item: LearningEntry, clean: CleanLearning) -> None:
        item.learning_type = clean.learning_type
        item.dimensions = list(clean.dimensions)
        item.theme = clean.theme
        item.theme_id = clean.theme.id if clean.theme is not None else None
        item.title = clean.title
        item.what_happened = clean.what_happened
        item.why_it_matters = clean.why_it_matters
        item.national_implication = clean.national_implication

    def checked_of(self, item: LearningEntry) -> CleanLearning:
        return CleanLearning.of(item)

    def describe(self, clean: CleanLearning) -> dict[str, str]:
        return {
            "learning_type": learning_type_label(clean.learning_type),
            "dimensions": ", ".join(dimension.name for dimension in clean.dimensions),
            "theme": clean.theme.title if clean.theme is not None else "",
            "title": clean.title,
            "what_happened": clean.what_happened,
            "why_it_matters": clean.why_it_matters,
            "national_implication": clean.national_implication,
        }

    def summary(self, item: LearningEntry) -> str:
        return item.title

    def audit_values(self, item: LearningEntry) -> dict[str, Any]:
        return snapshot(
            item,
            extra={
                "dimensions": [dimension.code for dimension in item.dimensions],
                "theme": item.theme.code if item.theme is not None else None,
            },
        )

    def after_change(self, item: LearningEntry, before: dict[str, Any], after: dict[str, Any]) -> None:
        if item.cleared_for_national and any(before.get(name) != after.get(name) for name in CONTENT_FIELDS):
            # What the evaluator cleared is no longer what the entry says.
            item.cleared_for_national = False
            item.cleared_by_id = None


LEARNING = LearningItems()


def set_cleared_for_national(session: Session, evaluator: User, entry: LearningEntry, cleared: bool) -> bool:
    """Clear an entry for national officials to read, or withdraw that; only evaluators and administrators.

    Returns whether anything changed.
    """
    if evaluator.role_enum not in CLEARING_ROLES:
        raise ReturnError("Only an evaluator can clear learning for national sharing", field="cleared")
    read_for_writing(session, entry)
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
