"""What the appraisal reads: the reporting periods in view and each site's approved returns, as plain data.

Only approved returns belong here. A period in `PilotEvidence.periods` for which a site has no entry in
`SiteEvidence.returns` has no approved return: every output shows it as "no return" (`NO_RETURN`), never
as 0, and leaves it out of every figure with a note. An outcome a return explicitly reports as "not yet
available" is `NOT_YET_AVAILABLE`; an outcome the return does not mention is simply absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum

from evidence_hub.services.appraisal.records import record


class NoReturn(Enum):
    """A period for which a site has no approved return: shown as "no return", never 0."""

    NO_RETURN = "no return"

    def __str__(self) -> str:
        return self.value


class NotYetAvailable(Enum):
    """An outcome the site reported as not yet available: it contributes neither cost nor outcome."""

    NOT_YET_AVAILABLE = "not yet available"

    def __str__(self) -> str:
        return self.value


NO_RETURN = NoReturn.NO_RETURN
NOT_YET_AVAILABLE = NotYetAvailable.NOT_YET_AVAILABLE


class CostType(StrEnum):
    """The same values as models.returns.CostType, so a cost row's `cost_type` converts directly."""

    SET_UP = "set_up"
    RUNNING = "running"

    @property
    def label(self) -> str:
        return {"set_up": "Set-up", "running": "Running"}[self.value]


class Funding(StrEnum):
    """The same values as models.returns.Funding."""

    CASH = "cash"
    IN_KIND = "in_kind"

    @property
    def label(self) -> str:
        return {"cash": "Cash", "in_kind": "In kind"}[self.value]


class BenefitKind(StrEnum):
    """Who gains. Fiscal: the public purse (budgets, benefits paid, tax received). Economic: output and
    earnings in the economy. Social: wellbeing and other gains to people that are not money."""

    FISCAL = "fiscal"
    ECONOMIC = "economic"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return {"fiscal": "Fiscal", "economic": "Economic", "social": "Social"}[self.value]


class ReachCounting(StrEnum):
    """What an activity type's "people reached" counts, as the framework says for each activity type.

    Only PEOPLE counts towards people reached: each person once (people reached for the first time in the
    period). ATTENDANCES can count one person several times (every visit, call or session). STAFF are
    partner staff, such as staff trained: they are not people the pilot reached."""

    PEOPLE = "people"
    ATTENDANCES = "attendances"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {
            "people": "People, each counted once",
            "attendances": "Attendances (one person may count more than once)",
            "staff": "Staff (not people reached)",
        }[self.value]


@dataclass(frozen=True)
class Period:
    """A reporting period. Its flows belong to the financial year (April to March) in which it starts."""

    code: str
    name: str
    starts_on: date
    ends_on: date

    @property
    def months(self) -> int:
        """Calendar months the period spans: 3 for a quarter."""
        return (self.ends_on.year - self.starts_on.year) * 12 + self.ends_on.month - self.starts_on.month + 1


@record
class CostLine:
    """A cost as recorded: `amount` in pounds at the prices of its period (nominal), of which
    `attributable_percent` the pilot caused. A line may also be a sum of recorded costs of one type and
    funding in one period."""

    amount: Decimal
    cost_type: CostType
    funding: Funding
    attributable_percent: Decimal = Decimal(100)
    description: str = ""

    @property
    def attributable(self) -> Decimal:
        # 100% of an amount is the amount, to the digit and the exponent, as the arithmetic below would give
        # it: skipping it saves two operations on every cost line of every return appraised.
        if self.attributable_percent == 100:
            return self.amount
        return self.amount * self.attributable_percent / 100


@record
class SavingLine:
    """A cost avoided that the site claims, in pounds at the prices of its period. Cashable: money a budget
    no longer has to spend; non-cashable: time or capacity freed, with no budget released."""

    amount: Decimal
    cashable: bool
    kind: BenefitKind = BenefitKind.FISCAL
    description: str = ""


@record
class Reach:
    """People reached by an activity (None: the activity does not say) and what its type counts. An entry
    may also sum the activities of one return whose types count alike; its `activity_type` is then ""."""

    activity_type: str
    people: int | None
    counting: ReachCounting


@record
class PeriodEvidence:
    """One site's approved return for one period.

    `outcomes` maps an indicator code to its value or NOT_YET_AVAILABLE; an indicator the return does not
    report is absent."""

    costs: tuple[CostLine, ...] = ()
    savings: tuple[SavingLine, ...] = ()
    reach: tuple[Reach, ...] = ()
    outcomes: Mapping[str, Decimal | NotYetAvailable] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteEvidence:
    """A pilot site and its approved returns by period code. A period not in `returns` has no return."""

    code: str
    name: str
    returns: Mapping[str, PeriodEvidence] = field(default_factory=dict)


@dataclass(frozen=True)
class PilotEvidence:
    """Every period in view, in order, and the sites. Appraisal year 0 is the financial year in which the
    first period starts."""

    periods: tuple[Period, ...]
    sites: tuple[SiteEvidence, ...]


@dataclass(frozen=True)
class ImpactEstimate:
    """A pooled impact estimate for one outcome, as the share of the gross outcome the pilot caused.

    `additional_percent` is the central estimate: of every 100 outcomes recorded, how many would not have
    happened without the pilot (what a comparison group nets out: deadweight). `interval_low` and
    `interval_high` are the pooling's prediction interval on the same scale, where there is one.
    `description` says where it comes from, for the workings.
    """

    outcome_code: str
    additional_percent: Decimal
    description: str
    interval_low: Decimal | None = None
    interval_high: Decimal | None = None

    @classmethod
    def from_rate_difference(
        cls,
        outcome_code: str,
        treated_rate: Decimal,
        difference: Decimal,
        description: str,
        interval: tuple[Decimal, Decimal] | None = None,
    ) -> ImpactEstimate:
        """From an outcome rate among people the pilot reached (such as 12 job entries per 100 clients
        engaged) and the estimated difference from a comparison group (such as 4 per 100, with its
        prediction interval): the additional share is difference ÷ treated rate × 100."""
        if treated_rate <= 0:
            raise ValueError("The outcome rate among people the pilot reached must be more than zero.")

        def share(value: Decimal) -> Decimal:
            return value / treated_rate * 100

        return cls(
            outcome_code=outcome_code,
            additional_percent=share(difference),
            description=description,
            interval_low=share(interval[0]) if interval else None,
            interval_high=share(interval[1]) if interval else None,
        )
