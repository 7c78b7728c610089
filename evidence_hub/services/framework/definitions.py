"""What a valid framework file says, as plain values: the definitions a version is built from and compared by.

Reading a file gives them (reading/), and so does reading a stored version back (version_rows.py), so two
versions are compared the same way wherever they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from evidence_hub.models.framework import (
    CollectionFrequency,
    CombineRule,
    Direction,
    IndicatorUnit,
    LearningType,
)
from evidence_hub.models.periods import ReportingYear
from evidence_hub.models.sites import PartnerType
from evidence_hub.services.framework.wording import count_phrase


@dataclass(frozen=True)
class QuestionDefinition:
    code: str
    text: str
    guidance: str = ""


@dataclass(frozen=True)
class ThemeDefinition:
    code: str
    title: str
    description: str
    questions: tuple[QuestionDefinition, ...]


@dataclass(frozen=True)
class EvidenceLevelDefinition:
    level: int
    title: str
    description: str
    prompt: str


@dataclass(frozen=True)
class EvidenceScaleDefinition:
    code: str
    name: str
    description: str
    source: str
    levels: tuple[EvidenceLevelDefinition, ...]


@dataclass(frozen=True)
class ReleaseDeclaration:
    """How an indicator's figures go into a release (the framework file's ``release:`` entry).

    ``counts``: for a count, whether it counts people (protected by disclosure control) or records, such
    as referrals between partners or data requests (shown in full). ``numerator``, ``denominator`` and
    ``multiplier``: the indicator's formula over other indicators (or ``attributable_cost``, the site's
    attributable cost in the period), e.g. job entries ÷ clients engaged × 100; a release then computes the
    figure from the protected figures instead of printing the one the site reported; with a denominator
    alone, a share of that count whose numerator no indicator holds. ``as_percentage_of``:
    a count of people released as a percentage of another indicator instead of as the number.
    ``management_information``: the sites' own management information, not accredited by the Department
    (said beside the figures)."""

    counts: str = "people"
    numerator: str = ""
    denominator: str = ""
    multiplier: int = 1
    as_percentage_of: str = ""
    management_information: bool = False

    @property
    def has_formula(self) -> bool:
        """A formula, or at least its denominator (a share of a count whose numerator is no indicator)."""
        return bool(self.denominator)

    def as_json(self) -> dict[str, object] | None:
        """The declaration as stored with the indicator; None when everything is the default."""
        if self == ReleaseDeclaration():
            return None
        return {key: value for key, value in self.__dict__.items() if value != getattr(DEFAULT_RELEASE, key)}

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> ReleaseDeclaration:
        return cls(**data) if data else cls()  # type: ignore[arg-type]


DEFAULT_RELEASE = ReleaseDeclaration()
# Declarations read once each: a release reads one for every row of its measures.
_DECLARATIONS: dict[tuple[tuple[str, object], ...], ReleaseDeclaration] = {}


def release_declaration(stored: dict[str, object] | None) -> ReleaseDeclaration:
    """The declaration an indicator stores (``Indicator.release_rules``), read once."""
    frozen = tuple(sorted((stored or {}).items()))
    found = _DECLARATIONS.get(frozen)
    if found is None:
        found = _DECLARATIONS.setdefault(frozen, ReleaseDeclaration.from_json(stored))
    return found


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: str
    theme: str
    definition: str
    unit: IndicatorUnit
    decimal_places: int
    direction: Direction
    combine: CombineRule
    weighted_by: str | None
    frequency: CollectionFrequency
    baseline_required: bool
    target_required: bool
    plausible_min: Decimal | None
    plausible_max: Decimal | None
    include: str
    exclude: str
    data_sources: tuple[str, ...]
    minimum_evidence_scale: str
    minimum_evidence_level: int
    release: ReleaseDeclaration = DEFAULT_RELEASE


@dataclass(frozen=True)
class CostCategoryDefinition:
    code: str
    name: str
    description: str
    include: str
    exclude: str
    examples: tuple[str, ...]
    in_kind: bool


@dataclass(frozen=True)
class ActivityTypeDefinition:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class LearningTypeDefinition:
    code: LearningType
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class LearningDimensionDefinition:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class PartnerRoleDefinition:
    partner_type: PartnerType
    role: str


@dataclass(frozen=True)
class MilestoneDefinition:
    code: str
    percentage: int
    title: str
    definition: str
    evidence: str


@dataclass(frozen=True)
class FrameworkDefinition:
    code: str
    name: str
    version: int
    effective_from: date
    description: str
    themes: tuple[ThemeDefinition, ...]
    indicators: tuple[IndicatorDefinition, ...]
    cost_categories: tuple[CostCategoryDefinition, ...]
    activity_types: tuple[ActivityTypeDefinition, ...]
    learning_types: tuple[LearningTypeDefinition, ...]
    learning_dimensions: tuple[LearningDimensionDefinition, ...]
    partner_roles: tuple[PartnerRoleDefinition, ...]
    journey: tuple[MilestoneDefinition, ...]
    evidence_scales: tuple[EvidenceScaleDefinition, ...]
    # How its reporting periods are named: by calendar or financial year.
    reporting_year: ReportingYear = ReportingYear.CALENDAR

    @property
    def questions(self) -> tuple[QuestionDefinition, ...]:
        return tuple(question for theme in self.themes for question in theme.questions)

    def describe_contents(self) -> str:
        """For example "5 themes, 16 evaluation questions, 1 evidence scale"."""
        return ", ".join(count_phrase(count, kind) for kind, count in self.counts().items() if count)

    def counts(self) -> dict[str, int]:
        """How many of each kind of definition the file holds, for summaries."""
        return {
            "themes": len(self.themes),
            "evaluation questions": len(self.questions),
            "indicators": len(self.indicators),
            "cost categories": len(self.cost_categories),
            "activity types": len(self.activity_types),
            "learning types": len(self.learning_types),
            "learning dimensions": len(self.learning_dimensions),
            "partner roles": len(self.partner_roles),
            "journey milestones": len(self.journey),
            "evidence scales": len(self.evidence_scales),
        }
