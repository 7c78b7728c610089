"""The data-sharing journey of a return: the milestone the site reached in the period, with its evidence.

The milestone is one step of the framework version's 0 to 100 journey. It is one answer per return, so it
is kept on the return itself (its version guards it as every item's version does); the site's register of
data flows, which the same section shows, is in data_flows.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.models import User
from evidence_hub.models.framework import JourneyMilestone
from evidence_hub.models.returns import SiteReturn
from evidence_hub.services.common.values import clean_text
from evidence_hub.services.returns.editing import require_lead_can_edit
from evidence_hub.services.returns.errors import InvalidEvidence
from evidence_hub.services.returns.evidence_rows import check_version, read_for_writing, record_updated
from evidence_hub.services.returns.input_rules import Problems, text_problem

FIELD_LABELS = {"journey_milestone": "Milestone", "journey_evidence": "Evidence"}


@dataclass(frozen=True)
class MilestoneInput:
    """The milestone reached, by its code in the framework (such as "J40"), and the evidence for it."""

    milestone: str = ""
    evidence: str = ""


def milestone_in(site_return: SiteReturn, code: str) -> JourneyMilestone | None:
    return next((m for m in site_return.framework_version.milestones if m.code == code), None)


def _in_words(milestone: JourneyMilestone | None, evidence: str) -> dict[str, Any]:
    return {
        "journey_milestone": f"{milestone.percentage}%: {milestone.title}" if milestone is not None else "",
        "journey_evidence": evidence,
    }


def _audit_values(site_return: SiteReturn) -> dict[str, Any]:
    milestone = site_return.journey_milestone
    return {
        "journey_milestone": milestone.code if milestone is not None else None,
        "journey_evidence": site_return.journey_evidence,
    }


def check_milestone(
    site_return: SiteReturn, data: MilestoneInput
) -> tuple[dict[str, str], JourneyMilestone | None, str]:
    """Every problem with the answer, by field, with the milestone and evidence when there are none.

    Evidence is required for every milestone beyond the starting point (0%).
    """
    problems = Problems()
    code = clean_text(data.milestone)
    milestone = milestone_in(site_return, code) if code else None
    if not code:
        problems.note("milestone", "Select the milestone your site has reached")
    elif milestone is None:
        problems.note("milestone", "Select a milestone from the framework's journey")
    evidence = clean_text(data.evidence)
    problems.note("evidence", text_problem(evidence, "The evidence"))
    if milestone is not None and milestone.percentage > 0 and not evidence:
        problems.note("evidence", f"Describe the evidence that your site has reached '{milestone.title}'")
    return problems, milestone, evidence


def set_milestone(
    session: Session,
    user: User,
    site_return: SiteReturn,
    data: MilestoneInput,
    submitted_version: int | None,
) -> bool:
    """Record the milestone the site reached this period, with its evidence; returns whether it changed."""
    read_for_writing(session, site_return)
    require_lead_can_edit(user, site_return)
    problems, milestone, evidence = check_milestone(site_return, data)
    if problems or milestone is None:
        raise InvalidEvidence(problems)
    check_version(
        site_return,
        submitted_version,
        _in_words(milestone, evidence),
        _in_words(site_return.journey_milestone, site_return.journey_evidence),
    )
    before = _audit_values(site_return)
    site_return.journey_milestone = milestone
    site_return.journey_milestone_id = milestone.id
    site_return.journey_evidence = evidence
    session.flush()
    return record_updated(session, user, site_return, before, _audit_values(site_return))
