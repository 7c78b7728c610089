"""What the appraisal produces for each period and each scope (a site, or all sites): costs and benefits
by stream, honest counts of people reached, and the final outcome, each in real and present-value terms.

A period with no approved return is a `PeriodWithoutReturn`, shown as "no return"; it holds no figures,
so nothing can show it as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import TypeVar

from evidence_hub.services.appraisal.display import count
from evidence_hub.services.appraisal.evidence import (
    NO_RETURN,
    BenefitKind,
    CostType,
    Funding,
    NoReturn,
    NotYetAvailable,
    Period,
)
from evidence_hub.services.appraisal.records import record

Stream = TypeVar("Stream")
_REAL = attrgetter("real")
_PRESENT_VALUE = attrgetter("present_value")
# A cost stream's amounts, in the order CostStream takes them after its type and funding.
_COST_AMOUNTS = (
    attrgetter("nominal"),
    _REAL,
    attrgetter("with_optimism_bias"),
    _PRESENT_VALUE,
    attrgetter("present_value_before_optimism_bias"),
)


def _total(streams: Iterable[Stream], amount: Callable[[Stream], Decimal]) -> Decimal:
    """One amount of every stream, added in order from zero."""
    return sum(map(amount, streams), Decimal(0))


@record
class CostStream:
    """Costs of one type and funding: as recorded (attributable share), real, with optimism bias, and
    their present value (with optimism bias, and before it)."""

    cost_type: CostType
    funding: Funding
    nominal: Decimal
    real: Decimal
    with_optimism_bias: Decimal
    present_value: Decimal
    present_value_before_optimism_bias: Decimal


@record
class CostBreakdown:
    streams: tuple[CostStream, ...] = ()

    def _sum(
        self, value: Callable[[CostStream], Decimal], cost_type: CostType | None, funding: Funding | None
    ) -> Decimal:
        streams: Iterable[CostStream] = self.streams
        # Unfiltered sums are read for every period of every site: they skip the filter's generator.
        if cost_type is not None or funding is not None:
            streams = (
                stream
                for stream in self.streams
                if (cost_type is None or stream.cost_type is cost_type)
                and (funding is None or stream.funding is funding)
            )
        return _total(streams, value)

    def nominal(self, cost_type: CostType | None = None, funding: Funding | None = None) -> Decimal:
        return self._sum(attrgetter("nominal"), cost_type, funding)

    def real(self, cost_type: CostType | None = None, funding: Funding | None = None) -> Decimal:
        return self._sum(_REAL, cost_type, funding)

    def with_optimism_bias(
        self, cost_type: CostType | None = None, funding: Funding | None = None
    ) -> Decimal:
        return self._sum(attrgetter("with_optimism_bias"), cost_type, funding)

    def present_value(self, cost_type: CostType | None = None, funding: Funding | None = None) -> Decimal:
        return self._sum(_PRESENT_VALUE, cost_type, funding)

    def present_value_before_optimism_bias(
        self, cost_type: CostType | None = None, funding: Funding | None = None
    ) -> Decimal:
        return self._sum(attrgetter("present_value_before_optimism_bias"), cost_type, funding)

    @staticmethod
    def combined(parts: Sequence[CostBreakdown]) -> CostBreakdown:
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return CostBreakdown()
        # Streams are gathered by type and funding, then each amount summed in one call: the same sums, in
        # the same order from zero, without an addition written out per stream and amount.
        gathered: dict[tuple[CostType, Funding], list[CostStream]] = defaultdict(list)
        for part in parts:
            for stream in part.streams:
                gathered[(stream.cost_type, stream.funding)].append(stream)
        return CostBreakdown(
            tuple(
                CostStream(cost_type, funding, *(_total(streams, amount) for amount in _COST_AMOUNTS))
                for (cost_type, funding), streams in sorted(gathered.items(), key=lambda item: item[0])
            )
        )


class BenefitSource(StrEnum):
    SAVINGS = "savings"
    OUTCOME = "outcome"


@record
class BenefitStream:
    """Benefits of one source and kind: savings claimed (`key` "savings:<kind>:cashable" or
    "savings:<kind>:non_cashable") or one valued outcome ("outcome:<code>:<kind>"), real and discounted."""

    key: str
    label: str
    source: BenefitSource
    kind: BenefitKind
    cashable: bool
    outcome_code: str | None
    real: Decimal
    present_value: Decimal


@record
class BenefitBreakdown:
    streams: tuple[BenefitStream, ...] = ()

    def _select(
        self, kind: BenefitKind | None, cashable: bool | None, source: BenefitSource | None
    ) -> Iterable[BenefitStream]:
        if kind is None and cashable is None and source is None:
            return self.streams
        return (
            stream
            for stream in self.streams
            if (kind is None or stream.kind is kind)
            and (cashable is None or stream.cashable is cashable)
            and (source is None or stream.source is source)
        )

    def real(
        self,
        kind: BenefitKind | None = None,
        cashable: bool | None = None,
        source: BenefitSource | None = None,
    ) -> Decimal:
        return _total(self._select(kind, cashable, source), _REAL)

    def present_value(
        self,
        kind: BenefitKind | None = None,
        cashable: bool | None = None,
        source: BenefitSource | None = None,
    ) -> Decimal:
        return _total(self._select(kind, cashable, source), _PRESENT_VALUE)

    @staticmethod
    def combined(parts: Sequence[BenefitBreakdown]) -> BenefitBreakdown:
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return BenefitBreakdown()
        gathered: dict[str, list[BenefitStream]] = defaultdict(list)
        for part in parts:
            for stream in part.streams:
                gathered[stream.key].append(stream)
        return BenefitBreakdown(
            tuple(
                BenefitStream(
                    key=key,
                    label=streams[0].label,
                    source=streams[0].source,
                    kind=streams[0].kind,
                    cashable=streams[0].cashable,
                    outcome_code=streams[0].outcome_code,
                    real=_total(streams, _REAL),
                    present_value=_total(streams, _PRESENT_VALUE),
                )
                for key, streams in sorted(gathered.items())
            )
        )


@record
class ReachCounts:
    """Honest counts: people (each counted once) are people reached; attendances and staff are shown
    apart and never added in; activities that do not say how many they reached are counted."""

    people: int = 0
    attendances: int = 0
    staff: int = 0
    activities_without_count: int = 0

    def __add__(self, other: ReachCounts) -> ReachCounts:
        return ReachCounts(
            self.people + other.people,
            self.attendances + other.attendances,
            self.staff + other.staff,
            self.activities_without_count + other.activities_without_count,
        )

    @staticmethod
    def total(parts: Sequence[ReachCounts]) -> ReachCounts:
        """The sum of `parts`, made as one object rather than one per part added."""
        if len(parts) == 1:
            return parts[0]
        people = attendances = staff = activities_without_count = 0
        for part in parts:
            people += part.people
            attendances += part.attendances
            staff += part.staff
            activities_without_count += part.activities_without_count
        return ReachCounts(people, attendances, staff, activities_without_count)


@record
class OutcomeCount:
    """The final outcome: gross and additional outcomes from the returns that report a value, the real
    cost of those same returns, and how many returns reported it, said it was not yet available, or did not
    report it."""

    gross: Decimal = Decimal(0)
    additional: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    reported: int = 0
    not_yet_available: int = 0
    not_reported: int = 0

    def __add__(self, other: OutcomeCount) -> OutcomeCount:
        return OutcomeCount(
            self.gross + other.gross,
            self.additional + other.additional,
            self.cost + other.cost,
            self.reported + other.reported,
            self.not_yet_available + other.not_yet_available,
            self.not_reported + other.not_reported,
        )

    @staticmethod
    def total(parts: Sequence[OutcomeCount]) -> OutcomeCount:
        """The sum of `parts`, added in order from zero as `__add__` would, made as one object; one part,
        as in `CostBreakdown.combined`, is its own sum."""
        if len(parts) == 1:
            return parts[0]
        gross = additional = cost = Decimal(0)
        reported = not_yet_available = not_reported = 0
        for part in parts:
            gross += part.gross
            additional += part.additional
            cost += part.cost
            reported += part.reported
            not_yet_available += part.not_yet_available
            not_reported += part.not_reported
        return OutcomeCount(gross, additional, cost, reported, not_yet_available, not_reported)

    def display(self) -> str:
        """For one return: the value, "not yet available" or "not reported"."""
        if self.reported:
            return count(self.gross)
        if self.not_yet_available:
            return str(NotYetAvailable.NOT_YET_AVAILABLE)
        return "not reported"


@record
class PeriodFlows:
    """A period with at least one approved return in the scope (`returns` of them)."""

    period: Period
    returns: int
    financial_year: int
    year_index: int
    price_ratio: Decimal
    discount_factor: Decimal
    costs: CostBreakdown
    benefits: BenefitBreakdown
    reach: ReachCounts
    final_outcome: OutcomeCount
    cumulative_net_present_value: Decimal

    @property
    def net_present_value(self) -> Decimal:
        return self.benefits.present_value() - self.costs.present_value()


@record
class PeriodWithoutReturn:
    """A period with no approved return in the scope: shown as "no return", never 0."""

    period: Period
    financial_year: int
    year_index: int
    status: NoReturn = NO_RETURN

    def __str__(self) -> str:
        return str(self.status)


PeriodRow = PeriodFlows | PeriodWithoutReturn
