"""What a return must hold before it can be submitted, section by section, and the task list's status of
each section."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models.framework import (
    CollectionFrequency,
    Indicator,
)
from evidence_hub.models.returns import (
    Baseline,
    ReturnSection,
    SiteReturn,
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
