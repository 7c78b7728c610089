"""Additional outcomes: the outcomes the pilot caused, from the gross outcomes recorded.

Without an impact estimate (the framework's assumptions, after the Homes and Communities Agency's
Additionality Guide, 4th edition, 2014, in its multiplicative form and without a multiplier):

    additional = gross × (1 − deadweight) × (1 − displacement) × (1 − leakage) × (1 − substitution)

With an impact estimate (a comparison group's answer to what would have happened anyway, so it takes the
place of deadweight alone; effects on people outside the comparison still need the framework's factors):

    additional = gross × additional share from the estimate × (1 − displacement) × (1 − leakage)
                 × (1 − substitution)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from evidence_hub.services.appraisal.assumptions import OutcomeAssumptions
from evidence_hub.services.appraisal.display import plain


class AdditionalityBasis(StrEnum):
    IMPACT_ESTIMATE = "impact_estimate"
    FRAMEWORK_ASSUMPTIONS = "framework_assumptions"

    @property
    def label(self) -> str:
        return {
            "impact_estimate": "from the impact estimate",
            "framework_assumptions": "from the framework's deadweight assumption (no impact estimate)",
        }[self.value]


@dataclass(frozen=True)
class AdditionalShare:
    """The share of gross outcomes that is additional (0 to 1), how it was reached, and the arithmetic."""

    share: Decimal
    basis: AdditionalityBasis
    calculation: str

    def of(self, gross: Decimal) -> Decimal:
        return gross * self.share


def additional_share(outcome: OutcomeAssumptions) -> AdditionalShare:
    others = (1 - outcome.displacement / 100) * (1 - outcome.leakage / 100) * (1 - outcome.substitution / 100)
    rest = (
        f"(1 − {plain(outcome.displacement)}% displacement) × (1 − {plain(outcome.leakage)}% leakage) × "
        f"(1 − {plain(outcome.substitution)}% substitution)"
    )
    if outcome.impact_percent is not None:
        return AdditionalShare(
            share=outcome.impact_percent / 100 * others,
            basis=AdditionalityBasis.IMPACT_ESTIMATE,
            calculation=f"{plain(outcome.impact_percent)}% additional (impact estimate) × {rest}",
        )
    return AdditionalShare(
        share=(1 - outcome.deadweight / 100) * others,
        basis=AdditionalityBasis.FRAMEWORK_ASSUMPTIONS,
        calculation=f"(1 − {plain(outcome.deadweight)}% deadweight) × {rest}",
    )
