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
