"""What a return must hold before it can be submitted, section by section, and the task list's status of
each section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from evidence_hub.models.framework import (
    CollectionFrequency,
    Indicator,
)
from evidence_hub.models.returns import (
    Activity,
    Baseline,
    CostItem,
    LearningEntry,
    MeasureValue,
    ReturnSection,
    SavingClaim,
    SiteReturn,
    SupportingDocument,
)
from evidence_hub.services.returns.errors import ReturnError


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


# Indicators collected this often are required in every period's return.
EVERY_PERIOD_FREQUENCIES = frozenset({CollectionFrequency.MONTHLY.value, CollectionFrequency.QUARTERLY.value})


# The items whose presence puts a section "in progress" (the journey section is a field of the return).
SECTION_ITEMS: dict[ReturnSection, tuple[type[Any], ...]] = {
    ReturnSection.COSTS: (CostItem, SavingClaim),
    ReturnSection.ACTIVITIES: (Activity,),
    ReturnSection.MEASURES: (MeasureValue,),
    ReturnSection.LEARNING: (LearningEntry,),
    ReturnSection.DOCUMENTS: (SupportingDocument,),
}


def section_statuses(session: Session, site_return: SiteReturn) -> dict[ReturnSection, str]:
    """Each section's task-list status: 'completed', 'in_progress' (something recorded) or 'not_started'.

    Whether a section holds anything is asked of the database in one query of EXISTS tests, rather than
    by loading the return's items: the largest site's return has hundreds of cost lines, and the task
    list is the page a lead opens most.
    """
    tests = {
        section: or_(*(exists().where(item.site_return_id == site_return.id) for item in items))
        for section, items in SECTION_ITEMS.items()
        if section.value not in site_return.completed_sections
    }
    held = dict(zip(tests, session.execute(select(*tests.values())).one(), strict=True)) if tests else {}
    held[ReturnSection.JOURNEY] = site_return.journey_milestone_id is not None
    statuses = {}
    for section in ReturnSection:
        if section.value in site_return.completed_sections:
            statuses[section] = "completed"
        else:
            statuses[section] = "in_progress" if held[section] else "not_started"
    return statuses


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
