"""Savings of a return: costs avoided that a site claims, recorded apart from costs, each with its evidence
and, optionally, the strength of that evidence on one of the framework's scales."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from evidence_hub.formatting import money
from evidence_hub.models.framework import EvidenceLevel
from evidence_hub.models.returns import ReturnSection, SavingClaim, SiteReturn
from evidence_hub.services.common.values import clean_text, snapshot
from evidence_hub.services.returns.evidence_strength import chosen_evidence_level, evidence_key
from evidence_hub.services.returns.input_rules import PENNY, Problems, money_problem, text_problem
from evidence_hub.services.returns.items import EvidenceItems


@dataclass(frozen=True)
class SavingInput:
    """A saving (a cost avoided) as entered. The evidence level is chosen by id (forms) or by a key such
    as "maryland:3" (the scale's code and the level, for spreadsheets); both are optional."""

    description: str = ""
    amount: Decimal | None = None
    evidence: str = ""
    evidence_level_id: int | None = None
    evidence_level_code: str | None = None


@dataclass(frozen=True)
class CleanSaving:
    description: str
    amount: Decimal
    evidence: str
    evidence_level: EvidenceLevel | None

    @classmethod
    def of(cls, item: SavingClaim) -> CleanSaving:
        return cls(item.description, item.amount, item.evidence, item.evidence_level)


class SavingItems(EvidenceItems[SavingClaim, SavingInput, CleanSaving]):
    model = SavingClaim
    noun = "saving"
    section = ReturnSection.COSTS
    collection = "savings"
    reference_prefix = "S"
    field_labels: ClassVar[dict[str, str]] = {
        "description": "What was saved or avoided",
        "amount": "Amount saved",
        "evidence": "Evidence",
        "evidence_level": "Strength of the evidence",
    }

    def check(self, site_return: SiteReturn, data: SavingInput) -> tuple[dict[str, str], CleanSaving | None]:
        problems = Problems()
        description = clean_text(data.description)
        problems.note(
            "description", "Enter a description of the saving or cost avoided" if not description else None
        )
        problems.note("description", text_problem(description, "Description"))
        if data.amount is None:
            problems.note("amount", "Enter the amount saved, in pounds")
        problems.note("amount", money_problem(data.amount, "Amount saved", more_than_zero=True))
        evidence = clean_text(data.evidence)
        problems.note(
            "evidence",
            "Enter the evidence for this saving: how you know it happened and how you valued it"
            if not evidence
            else None,
        )
        problems.note("evidence", text_problem(evidence, "Evidence"))
        level, message = chosen_evidence_level(
            site_return.framework_version.evidence_levels, data.evidence_level_id, data.evidence_level_code
        )
        problems.note("evidence_level", message)
        if problems or data.amount is None:
            return problems, None
        return problems, CleanSaving(description, data.amount.quantize(PENNY), evidence, level)

    def write(self, item: SavingClaim, clean: CleanSaving) -> None:
        item.description = clean.description
        item.amount = clean.amount
        item.evidence = clean.evidence
        item.evidence_level = clean.evidence_level
        item.evidence_level_id = clean.evidence_level.id if clean.evidence_level else None

    def checked_of(self, item: SavingClaim) -> CleanSaving:
        return CleanSaving.of(item)

    def describe(self, clean: CleanSaving) -> dict[str, str]:
        return {
            "description": clean.description,
            "amount": money(clean.amount),
            "evidence": clean.evidence,
            "evidence_level": clean.evidence_level.label if clean.evidence_level else "Not assessed",
        }

    def summary(self, item: SavingClaim) -> str:
        return money(item.amount)

    def audit_values(self, item: SavingClaim) -> dict[str, Any]:
        level = item.evidence_level
        return snapshot(item, extra={"evidence_level": evidence_key(level) if level else None})


SAVINGS = SavingItems()
