"""Protection of a release as one linked system: every table and every derived figure, protected together.

A release is described as a ``LinkedRelease``: its figures (every count, total and amount it may show), the
relations between them that the intruder knows (a total is the sum of its parts; a Q1–Q4 figure is its
Q1–Q3 figure plus its Q4 figure), and its derived figures (rates, shares, unit costs, means, changes from
baseline, costs per outcome), each a ratio of two linear expressions over the figures. The true values
come separately, so that the same description serves to rebuild what an earlier release told the intruder
from what it published (``published_knowledge``).

The rules (``Rules``, the same fields as ``disclosure.DisclosureRules``, which satisfies it):

- Counts of people (``Kind.PEOPLE``) from 1 to threshold - 1 are shown as [c] (primary suppression), totals
  included; zeros too with ``suppress_zeros``. Counts of records (activities, entries, claims) and amounts
  (money) are never suppressed and never rounded: they identify nobody.
- Further counts of people are suppressed (secondary suppression) until the audit (``intruder.audit``)
  finds no [c] that could be worked out exactly, narrowed to fewer values than the threshold, or shown to
  be a small non-empty group, by someone holding this release and every earlier one (``earlier``).
- With ``round_to``, every shown count of people is rounded on its own, halves up.
- A derived figure is computed from the figures as published (rounded where they are rounded) and from the
  true values of inputs the release does not show; it is withheld ([c]) when any input is [c], when its
  denominator is not positive, when ``base_rule`` holds and its own denominator is below the threshold,
  and when ``share_rule`` holds (with ``withhold_small_shares``) and its numerator, or its denominator less
  its numerator, is from 1 to threshold - 1. Computed from the published figures, a derived figure tells
  the intruder nothing the figures do not; computed from an unshown input, it does, and its formula
  becomes one of the intruder's facts.

Secondary suppression, step by step (``_Partners``). Start from the primary [c] and every cell earlier
releases showed as [c] (carried forward: shown now, it would give away what it protected then).

1. Links: every relation, every earlier fact about several quantities, and every difference of two nested
   relations (a Q1–Q4 total less a Q1–Q3 total leaves the Q4 cell: across releases, the sum nobody
   published is still known). A link pins a [c] when every other quantity in it is known to the
   intruder. Each pinning link gets a partner from its own members (nothing else can help), and so on
   until no link pins a [c]: the line rule of a single table, for the whole linked system.
2. Audit every [c] (this release's and the earlier ones').
3. For each [c] the audit fails, one partner from the quantities of the facts its interval rests on (the
   LP's dual values say which), or, when none can be suppressed, the nearest reachable through the
   links. A [c] near a partner chosen earlier in the round waits for the next audit: one partner can
   serve several. Then step 1 again, and the audit again, until it passes.

A partner is a count of people this release shows that no earlier release showed (a [c] over a figure the
intruder already holds hides nothing). Among candidates: one that no link would pin once suppressed,
then a non-zero cell before a zero (a zero hides little) and a zero before a total, then the smallest,
then the first by key: deterministic. Each round suppresses at least one more count and there are
finitely many, so it ends: with a passing audit, or with failures that no suppression in this release can
mend (nothing left to suppress near them, or given away by earlier releases alone: ``already_disclosed``).
Suppressing more only takes facts away from the intruder, so a [c] proven SAFE stays SAFE, and the
audit's witnesses carry from round to round.

What officials read. The notes say how many figures are shown as [c] and that a [c] is either a small count
or one withheld to protect small counts, never how many are which: "0 cells suppressed to protect them"
would tell every [c] is 1 to 9. The primary and secondary counts are for evaluators.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final, Literal, Protocol

from evidence_hub.services.releases.intruder import (
    Audit,
    CellAudit,
    Fact,
    Knowledge,
    Linear,
    Quantity,
    Verdict,
    Witnesses,
    audit,
)

Suppressed = Literal["[c]"]
SUPPRESSED: Final[Suppressed] = "[c]"
Shown = int | Suppressed
DerivedShown = Decimal | Suppressed


class LinkedReleaseError(ValueError):
    """A linked release that does not hang together: a mistake in how it was described."""


class Kind(StrEnum):
    PEOPLE = "people"  # a count of people: suppressed when small, rounded with round_to
    RECORDS = "records"  # a count of records (activities, entries, claims): shown in full
    AMOUNT = "amount"  # money or another measure, in its smallest unit (pence): shown in full


class Rules(Protocol):
    """The disclosure rules protection needs (``disclosure.DisclosureRules`` has them all)."""

    @property
    def threshold(self) -> int: ...

    @property
    def round_to(self) -> int | None: ...

    @property
    def suppress_zeros(self) -> bool: ...

    @property
    def withhold_small_shares(self) -> bool: ...


@dataclass(frozen=True)
class ProtectionRules:
    """The rules with the defaults of ``disclosure.DisclosureRules``, for callers that have none."""

    threshold: int = 10
    round_to: int | None = None
    suppress_zeros: bool = False
    withhold_small_shares: bool = True


@dataclass(frozen=True, slots=True)
class Figure:
    """A value the release may show: a whole number in its own unit (people, records, pence). ``shown``
    False for a value the release does not show but its derived figures or relations use (the intruder
    knows it exists: it is one of their unknowns). ``label`` names it, e.g. "Leeds, 2010 Q2, job entries"."""

    key: str
    label: str
    kind: Kind = Kind.PEOPLE
    shown: bool = True
    nonnegative: bool = True

    def quantity(self) -> Quantity:
        return Quantity(self.key, self.label, 0 if self.nonnegative else None)


@dataclass(frozen=True, slots=True)
class Relation:
    """``total`` is the sum of ``parts``, and the intruder knows it."""

    total: str
    parts: tuple[str, ...]

    def members(self) -> tuple[str, ...]:
        return (self.total, *self.parts)

    def expression(self) -> Linear:
        return Linear.of(self.total) - Linear.total(self.parts)


@dataclass(frozen=True, slots=True)
class DerivedFigure:
    """``scale × numerator ÷ denominator`` shown to ``places`` decimal places (rounded half up), e.g. a rate
    "job entries ÷ clients engaged × 100". ``base_rule``: the denominator is a count of people, and the
    figure is withheld when it is below the threshold. ``share_rule``: the numerator is a part of the
    denominator's group, and the figure is withheld when either part is a small count."""

    key: str
    label: str
    numerator: Linear
    denominator: Linear
    scale: Fraction = Fraction(1)
    places: int = 1
    base_rule: bool = False
    share_rule: bool = False

    @classmethod
    def percentage(
        cls, key: str, label: str, part: str | Linear, whole: str | Linear, *, places: int = 1
    ) -> DerivedFigure:
        """A percentage of people: ``part`` out of ``whole`` × 100 (a rate, a share)."""
        return cls(key, label, _linear(part), _linear(whole), Fraction(100), places, True, True)

    @classmethod
    def mean(
        cls,
        key: str,
        label: str,
        total: str | Linear,
        people: str | Linear,
        *,
        scale: Fraction | int = 1,
        places: int = 2,
    ) -> DerivedFigure:
        """A mean over people, e.g. cost per client: ``total`` ÷ ``people`` (``scale`` Fraction(1, 100)
        turns pence into pounds)."""
        return cls(key, label, _linear(total), _linear(people), Fraction(scale), places, True, False)

    @classmethod
    def ratio(
        cls,
        key: str,
        label: str,
        numerator: str | Linear,
        denominator: str | Linear,
        *,
        scale: Fraction | int = 1,
        places: int = 2,
        base_rule: bool = False,
    ) -> DerivedFigure:
        """Any other ratio, e.g. a change from baseline ((latest - baseline) ÷ baseline × 100, with
        ``base_rule`` when the baseline counts people) or cost per activity."""
        return cls(key, label, _linear(numerator), _linear(denominator), Fraction(scale), places, base_rule)

    def inputs(self) -> tuple[str, ...]:
        return tuple(sorted({*self.numerator.quantities(), *self.denominator.quantities()}))


@dataclass(frozen=True)
class LinkedRelease:
    """Every figure a release may show, how they add up, and the figures derived from them."""

    figures: tuple[Figure, ...]
    relations: tuple[Relation, ...] = ()
    derived: tuple[DerivedFigure, ...] = ()
    by_key: Mapping[str, Figure] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, Figure] = {}
        for figure in self.figures:
            if figure.key in by_key:
                raise LinkedReleaseError(f"Two figures have the key {figure.key!r}.")
            if figure.kind is not Kind.AMOUNT and not figure.nonnegative:
                raise LinkedReleaseError(f"{figure.label} is a count, and counts are never negative.")
            by_key[figure.key] = figure
        object.__setattr__(self, "by_key", by_key)
        for relation in self.relations:
            for key in relation.members():
                if key not in by_key:
                    raise LinkedReleaseError(f"A relation uses {key!r}, which is not a figure.")
        derived_keys = set()
        for derived in self.derived:
            if derived.key in by_key or derived.key in derived_keys:
                raise LinkedReleaseError(f"Two figures have the key {derived.key!r}.")
            derived_keys.add(derived.key)
            for key in derived.inputs():
                if key not in by_key:
                    raise LinkedReleaseError(f"{derived.label} uses {key!r}, which is not a figure.")

    def quantities(self) -> dict[str, Quantity]:
        return {figure.key: figure.quantity() for figure in self.figures}

    def check(self, values: Mapping[str, int]) -> None:
        """Every figure has a whole-number value, counts are not negative, and every relation adds up."""
        for figure in self.figures:
            value = values.get(figure.key)
            if not isinstance(value, int) or isinstance(value, bool):
                raise LinkedReleaseError(f"{figure.label} needs a whole-number value, not {value!r}.")
            if figure.nonnegative and value < 0:
                raise LinkedReleaseError(f"{figure.label} cannot be negative ({value}).")
        for relation in self.relations:
            if relation.expression().evaluate(values) != 0:
                label = self.by_key[relation.total].label
                raise LinkedReleaseError(f"{label} is not the sum of its parts.")


@dataclass(frozen=True)
class ProtectionReport:
    """What protection did, for the release's notes and for the evaluator who publishes it."""

    threshold: int
    suppressed: int
    primary: int
    secondary: int
    withheld: int
    narrowest: CellAudit | None
    failures: tuple[CellAudit, ...]
    already_disclosed: tuple[str, ...]

    def official_notes(self) -> list[str]:
        """Notes national officials read: how many [c], never how many are below the threshold."""
        notes = [
            f"{_plural(self.suppressed, 'count')} shown as {SUPPRESSED}. A {SUPPRESSED} is either a count "
            f"of fewer than {self.threshold} people or a count withheld so that those cannot be worked out "
            "from the other figures; the release does not say which."
        ]
        if self.withheld:
            notes.append(
                f"{_plural(self.withheld, 'percentage, rate or mean', 'percentages, rates or means')} "
                f"withheld ({SUPPRESSED})."
            )
        return notes

    def evaluator_notes(self) -> list[str]:
        """For the evaluator publishing the release (never in what officials receive)."""
        lines = [
            f"{_plural(self.suppressed, 'count')} shown as {SUPPRESSED}: {self.primary} below the threshold "
            f"and {self.secondary} to protect them.",
        ]
        if self.narrowest is not None:
            cell = self.narrowest
            if cell.width is None:
                lines.append(f"No {SUPPRESSED} can be narrowed down to a limited range.")
            else:
                lines.append(
                    f"Narrowest range an intruder holding every release could work out: {cell.label}, "
                    f"{cell.lower} to {cell.upper}."
                )
        lines.extend(cell.reason + "." for cell in self.failures)
        return lines

    def refusal(self) -> str | None:
        """Why the release cannot be published, or None when it can."""
        if not self.failures:
            return None
        reasons = " ".join(cell.reason + "." for cell in self.failures)
        earlier = ""
        if self.already_disclosed:
            earlier = (
                f" {_plural(len(self.already_disclosed), 'of them', 'of them')} could already be worked out "
                "from earlier releases alone, which no suppression in this one can change."
            )
        return (
            f"This release cannot be published: {_plural(len(self.failures), 'suppressed count')} could "
            f"still be worked out after further suppression was tried.{earlier} {reasons}"
        )


@dataclass(frozen=True)
class Protection:
    """A release under disclosure control: what it shows, the audit that cleared it (or did not), and what
    it tells the intruder (store ``knowledge`` and pass it as ``earlier`` when protecting a later release).

    ``shown`` holds every shown figure (an int, rounded where the rules say, or [c]); ``derived`` every
    derived figure (a Decimal or [c]). ``audit`` covers every [c] of this release and of the earlier ones.
    ``rounds``, ``lp_solves`` and ``milp_solves`` say how much work it took (audits of every round).
    """

    shown: Mapping[str, Shown]
    derived: Mapping[str, DerivedShown]
    primary: frozenset[str]
    secondary: frozenset[str]
    audit: Audit
    knowledge: Knowledge
    already_disclosed: frozenset[str]
    rounds: int
    lp_solves: int = 0
    milp_solves: int = 0

    @property
    def passed(self) -> bool:
        return self.audit.passed

    def report(self) -> ProtectionReport:
        return ProtectionReport(
            threshold=self.audit.threshold,
            suppressed=len(self.primary) + len(self.secondary),
            primary=len(self.primary),
            secondary=len(self.secondary),
            withheld=sum(value == SUPPRESSED for value in self.derived.values()),
            narrowest=self.audit.narrowest,
            failures=tuple(self.audit.failures),
            already_disclosed=tuple(sorted(self.already_disclosed)),
        )


def protect_release(
    release: LinkedRelease,
    values: Mapping[str, int],
    rules: Rules | None = None,
    *,
    earlier: Knowledge | None = None,
) -> Protection:
    """Protect every figure of the release together, with everything earlier releases told the intruder.

    ``values`` are the true values of every figure. ``earlier`` is what every earlier release of the
    framework told the intruder, withdrawn releases included (their ``Protection.knowledge``, merged).
    Every count earlier releases showed as [c] is [c] here too from the start (carried forward: shown
    now, it would give away what it protected there). Deterministic: the same input always gives the
    same suppressions.
    """
    rules = rules or ProtectionRules()
    release.check(values)
    earlier = earlier or Knowledge()
    quantities = {**earlier.quantities, **release.quantities()}
    suppressible = {figure.key for figure in release.figures if figure.kind is Kind.PEOPLE and figure.shown}
    primary = {key for key in suppressible if _below_threshold(values[key], rules)}
    suppressed = primary | (earlier.suppressed & suppressible)
    partners = _Partners(release, values, earlier, suppressible)
    suppressed |= partners.for_pinned(suppressed, earlier.suppressed)
    builder = _KnowledgeBuilder(release, rules)
    derived_figures = _DerivedFigures(release, values, rules)
    witnesses = Witnesses()
    disclosed_earlier: dict[str, bool] = {}
    rounds = lp_solves = milp_solves = 0
    while True:
        rounds += 1
        shown = shown_values(release, values, suppressed, rules)
        derived = derived_figures.shown(shown)
        knowledge = builder.knowledge(shown, derived)
        result = audit(
            quantities,
            (*earlier.facts, *knowledge.facts),
            suppressed | earlier.suppressed,
            rules.threshold,
            witnesses=witnesses,
        )
        lp_solves += result.lp_solves
        milp_solves += result.milp_solves
        unchecked = [cell.key for cell in result.failures if cell.key not in disclosed_earlier]
        if unchecked and earlier.facts:
            # Witnesses found with every fact hold for the earlier facts alone (fewer facts), not back.
            earlier_only = audit(
                quantities, earlier.facts, unchecked, rules.threshold, witnesses=witnesses.copy()
            ).cells
            disclosed_earlier.update(
                {key: earlier_only[key].verdict is not Verdict.SAFE for key in unchecked}
            )
        failing = [cell for cell in result.failures if not disclosed_earlier.get(cell.key, False)]
        added = partners.chosen_for(failing, suppressed)
        if not added:
            break
        suppressed |= added
        suppressed |= partners.for_pinned(suppressed, earlier.suppressed)
    return Protection(
        shown=shown,
        derived=derived,
        primary=frozenset(primary),
        secondary=frozenset(suppressed - primary),
        audit=result,
        knowledge=knowledge,
        already_disclosed=frozenset(key for key, disclosed in disclosed_earlier.items() if disclosed),
        rounds=rounds,
        lp_solves=lp_solves,
        milp_solves=milp_solves,
    )


def shown_values(
    release: LinkedRelease, values: Mapping[str, int], suppressed: Iterable[str], rules: Rules
) -> dict[str, Shown]:
    """What the release shows for each shown figure: [c] when suppressed, counts of people rounded where
    the rules say, everything else as it is."""
    suppressed = set(suppressed)
    shown: dict[str, Shown] = {}
    for figure in release.figures:
        if not figure.shown:
            continue
        if figure.key in suppressed:
            shown[figure.key] = SUPPRESSED
        elif figure.kind is Kind.PEOPLE:
            shown[figure.key] = rounded(values[figure.key], rules.round_to)
        else:
            shown[figure.key] = values[figure.key]
    return shown


def derived_values(
    release: LinkedRelease, values: Mapping[str, int], shown: Mapping[str, Shown], rules: Rules
) -> dict[str, DerivedShown]:
    """Each derived figure, computed from the figures as shown (the true value for an input the release
    does not show), or [c] when it must be withheld (see the module's rules)."""
    return _DerivedFigures(release, values, rules).shown(shown)


class _DerivedFigures:
    """``derived_values``, remembering each figure's value for the inputs it was computed from: protection
    asks again every round, and most inputs have not changed."""

    def __init__(self, release: LinkedRelease, values: Mapping[str, int], rules: Rules) -> None:
        self.release = release
        self.values = values
        self.rules = rules
        self.inputs = {derived.key: derived.inputs() for derived in release.derived}
        self.made: dict[tuple[object, ...], DerivedShown] = {}

    def shown(self, shown: Mapping[str, Shown]) -> dict[str, DerivedShown]:
        result: dict[str, DerivedShown] = {}
        for derived in self.release.derived:
            basis = tuple(
                shown[key] if key in shown else self.values[key] for key in self.inputs[derived.key]
            )
            memo = (derived.key, *basis)
            if memo not in self.made:
                self.made[memo] = self._value(derived, basis)
            result[derived.key] = self.made[memo]
        return result

    def _value(self, derived: DerivedFigure, basis: tuple[Shown, ...]) -> DerivedShown:
        numbers = {}
        for key, value in zip(self.inputs[derived.key], basis, strict=True):
            if value == SUPPRESSED:
                return SUPPRESSED  # an input is [c]
            numbers[key] = value
        numerator = derived.numerator.evaluate(numbers)
        denominator = derived.denominator.evaluate(numbers)
        rules, threshold = self.rules, self.rules.threshold
        withhold = (
            denominator <= 0
            or (derived.base_rule and denominator < threshold)
            or (
                derived.share_rule
                and rules.withhold_small_shares
                and (0 < numerator < threshold or 0 < denominator - numerator < threshold)
            )
        )
        if withhold:
            return SUPPRESSED
        return rounded_decimal(derived.scale * numerator / denominator, derived.places)


def published_knowledge(
    release: LinkedRelease,
    shown: Mapping[str, Shown],
    derived: Mapping[str, DerivedShown],
    rules: Rules,
) -> Knowledge:
    """What a release tells the intruder, from what it shows alone (no true values needed, so this also
    rebuilds the knowledge of a release published earlier from its stored figures):

    - every relation ("the total is the sum of its parts");
    - every shown figure: its value, an interval when rounded; for a count of people, also that it is not
      from 1 to threshold - 1 (else it would be [c]), folded into the interval where the interval decides;
    - every shown derived figure with an input the release does not show: its formula (``Fact.ratio``,
      shown inputs as their shown values) and, under ``base_rule``, that its denominator is at least the
      threshold. A derived figure computed from shown figures only adds nothing and gives no fact.
    """
    return _KnowledgeBuilder(release, rules).knowledge(shown, derived)


class _KnowledgeBuilder:
    """``published_knowledge``, remembering the facts it made: protection asks again every round with a
    few more [c], and the same facts come back as the same objects (which keep their compiled form)."""

    def __init__(self, release: LinkedRelease, rules: Rules) -> None:
        self.release = release
        self.rules = rules
        self.made: dict[tuple[object, ...], tuple[Fact, ...]] = {}

    def knowledge(self, shown: Mapping[str, Shown], derived: Mapping[str, DerivedShown]) -> Knowledge:
        release, made = self.release, self.made
        facts: list[Fact] = []
        for index, relation in enumerate(release.relations):
            key: tuple[object, ...] = ("relation", index, shown.get(relation.total))
            if key not in made:
                made[key] = self._relation_fact(relation, shown)
            facts += made[key]
        for figure in release.figures:
            value = shown.get(figure.key)
            if isinstance(value, int):
                key = ("figure", figure.key, value)
                if key not in made:
                    made[key] = self._figure_fact(figure, value)
                facts += made[key]
        for ratio in release.derived:
            published = derived.get(ratio.key)
            if not isinstance(published, Decimal) or all(key in shown for key in ratio.inputs()):
                continue  # withheld, or computed from shown figures only: nothing the intruder lacks
            key = ("derived", ratio.key, published, *(shown.get(input) for input in ratio.inputs()))
            if key not in made:
                made[key] = self._ratio_facts(ratio, published, shown)
            facts += made[key]
        suppressed = frozenset(key for key, value in shown.items() if value == SUPPRESSED)
        return Knowledge(release.quantities(), tuple(facts), suppressed)

    def _relation_fact(self, relation: Relation, shown: Mapping[str, Shown]) -> tuple[Fact, ...]:
        total = self.release.by_key[relation.total]
        return (Fact.exact(relation.expression(), 0, _described(total, shown)),)

    def _figure_fact(self, figure: Figure, value: int) -> tuple[Fact, ...]:
        if figure.kind is not Kind.PEOPLE:
            return (Fact.exact(Linear.of(figure.key), value, f"{figure.label} ({value})"),)
        rules = self.rules
        base = rules.round_to or 1
        half = Fraction(base, 2)
        lower = max(math.ceil(value - half), 0) if base > 1 else value
        upper = math.ceil(value + half) - 1 if base > 1 else value
        if rules.suppress_zeros or lower >= 1:
            lower = max(lower, rules.threshold)
        elif upper < rules.threshold:
            upper = 0
        source = f"{figure.label} ({value}{', rounded' if base > 1 else ''})"
        return (Fact.between(Linear.of(figure.key), lower, upper, source),)

    def _ratio_facts(
        self, ratio: DerivedFigure, value: Decimal, shown: Mapping[str, Shown]
    ) -> tuple[Fact, ...]:
        published = {key: number for key in ratio.inputs() if isinstance(number := shown.get(key), int)}
        numerator = ratio.numerator.substitute(published)
        denominator = ratio.denominator.substitute(published)
        source = f"{ratio.label} ({value})"
        facts = Fact.ratio(numerator, denominator, value, ratio.places, source, scale=ratio.scale)
        if ratio.base_rule:
            facts += (Fact.between(denominator, self.rules.threshold, None, source),)
        return facts


def rounded(value: int, base: int | None) -> int:
    """To the nearest multiple of ``base``, halves up (12 -> 10, 13 -> 15 for 5)."""
    if base is None or base == 1:
        return value
    return (2 * value + base) // (2 * base) * base


def rounded_decimal(value: Fraction, places: int) -> Decimal:
    """``value`` to ``places`` decimal places, halves away from zero (as Decimal's ROUND_HALF_UP)."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    if value < 0:
        whole = -whole
    return (Decimal(whole) / Decimal(10**places)).quantize(Decimal(1).scaleb(-places))


# --- tables ------------------------------------------------------------------------------------------------

TOTAL_CODE: Final = "ALL"


def cell_key(table: str, row: str, column: str) -> str:
    return f"{table}|{row}|{column}"


def table_with_totals(
    table: str,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    *,
    measure: str,
    kind: Kind = Kind.PEOPLE,
    rows_total: tuple[str, str] = (TOTAL_CODE, "All sites"),
    columns_total: tuple[str, str] = (TOTAL_CODE, "all periods"),
) -> tuple[list[Figure], list[Relation]]:
    """The figures and relations of a table with a total for each row, each column and the whole.

    ``rows`` and ``columns`` are (code, label) pairs, e.g. sites and periods; keys are
    ``cell_key(table, row code, column code)``. The totals' codes (``rows_total``, ``columns_total``) must
    say what they cover when releases overlap: a Q1–Q3 total and a Q1–Q4 total are different quantities.
    Labels read "Leeds, 2010 Q2, job entries" and "Leeds, all periods, job entries".
    """
    all_rows, all_rows_label = rows_total
    all_columns, all_columns_label = columns_total
    row_entries = [*rows, (all_rows, all_rows_label)]
    column_entries = [*columns, (all_columns, all_columns_label)]
    figures = [
        Figure(cell_key(table, row, column), f"{row_label}, {column_label}, {measure}", kind)
        for row, row_label in row_entries
        for column, column_label in column_entries
    ]
    relations = [
        Relation(
            cell_key(table, row, all_columns), tuple(cell_key(table, row, column) for column, _ in columns)
        )
        for row, _ in row_entries
    ]
    relations.extend(
        Relation(cell_key(table, all_rows, column), tuple(cell_key(table, row, column) for row, _ in rows))
        for column, _ in column_entries
    )
    return figures, relations


# --- choosing partners -------------------------------------------------------------------------------------


class _Partners:
    """Chooses the secondary suppressions: for each failing [c], shown counts of people nearby.

    Eligible: a count of people this release shows, not already [c], and not shown by an earlier release
    (the intruder holds its value, so a [c] over it hides nothing).

    Links: the release's relations, the earlier releases' facts about several quantities, derived figures
    over unshown inputs, and the differences of nested relations ("the Q1-Q4 total less the Q1-Q3 total is
    the Q4 cell", across releases or within one). A link pins a [c] when every other quantity in it is
    known to the intruder (shown now, or shown by an earlier release).

    For a failing [c] that some links pin, each pinning link gets a partner from its own members (nothing
    else can help there); otherwise the partner comes from the quantities of the facts its interval rests
    on (``CellAudit.rests_on``), or, when none is eligible, from a walk outwards through the links, through
    unknowns only. Among candidates: one that leaves no link pinning it, then a non-zero cell before a
    zero (a zero hides little) and a zero before a total, then the smallest, then by key. A [c] near a
    partner chosen earlier in the round waits for the next audit: that partner may be enough.
    """

    def __init__(
        self,
        release: LinkedRelease,
        values: Mapping[str, int],
        earlier: Knowledge,
        suppressible: set[str],
    ) -> None:
        self.values = values
        # Shown by an earlier release: a fact about it alone with both ends (its value, or its rounding).
        self.shown_earlier = {
            keys[0]
            for fact in earlier.facts
            if len(keys := fact.expression.quantities()) == 1
            and fact.lower is not None
            and fact.upper is not None
            and keys[0] not in earlier.suppressed
        }
        self.eligible = suppressible - self.shown_earlier
        self.shown_in_release = {figure.key for figure in release.figures if figure.shown}
        self.totals = {relation.total for relation in release.relations}
        relations = [frozenset(relation.members()) for relation in release.relations]
        earlier_equalities = [
            frozenset(fact.expression.quantities())
            for fact in earlier.facts
            if fact.lower == fact.upper and len(fact.expression.terms) >= 2
        ]
        links = [*relations, *earlier_equalities]
        links.extend(
            frozenset(derived.inputs())
            for derived in release.derived
            if any(not release.by_key[key].shown for key in derived.inputs())
        )
        links.extend(
            frozenset(keys)
            for fact in earlier.facts
            if fact.lower != fact.upper and len(keys := fact.expression.quantities()) >= 2
        )
        links.extend(_nested_differences([*relations, *earlier_equalities]))
        self.links = list(dict.fromkeys(links))
        self.links_of: dict[str, list[int]] = defaultdict(list)
        for index, members in enumerate(self.links):
            for key in members:
                self.links_of[key].append(index)

    def for_pinned(self, suppressed: set[str], hidden: Iterable[str]) -> set[str]:
        """Partners for every [c] a link pins, until no link pins one (the line rule of a single table,
        generalised to every link): such a [c] would fail the audit as EXACT, so there is no need to ask.
        ``hidden`` are the [c] of earlier releases, which need the same."""
        added: set[str] = set()
        self.unknowns = [sum(not self._known(key, suppressed) for key in link) for link in self.links]
        pending = sorted({*suppressed, *hidden})
        while pending:
            newly: set[str] = set()
            for key in pending:
                for index in self.links_of.get(key, ()):
                    if self.unknowns[index] != 1 or self._known(key, suppressed | added):
                        continue
                    partner = self._best(self.links[index], suppressed | added)
                    if partner is not None:
                        self._add(partner, added)
                        newly.add(partner)
            pending = sorted(newly)
        return added

    def _add(self, partner: str, added: set[str]) -> None:
        added.add(partner)
        for index in self.links_of.get(partner, ()):
            self.unknowns[index] += 1

    def chosen_for(self, failing: Sequence[CellAudit], suppressed: set[str]) -> set[str]:
        """Partners for the failing [c], in key order."""
        self.unknowns = [sum(not self._known(key, suppressed) for key in link) for link in self.links]
        added: set[str] = set()
        for cell in failing:
            pinning = [index for index in self.links_of.get(cell.key, ()) if self.unknowns[index] == 1]
            if pinning:
                if any(self.links[index] & added for index in pinning):
                    continue
                groups = [self.links[index] for index in pinning]
            else:
                nearby = {key for index in self.links_of.get(cell.key, ()) for key in self.links[index]}
                if nearby & added:
                    continue
                groups = [cell.rests_on]
            for group in groups:
                partner = self._best(group, suppressed | added) or self._walk(cell.key, suppressed | added)
                if partner is not None:
                    self._add(partner, added)
        return added

    def _known(self, key: str, suppressed: set[str]) -> bool:
        return (key in self.shown_in_release and key not in suppressed) or key in self.shown_earlier

    def _best(self, group: Iterable[str], suppressed: set[str]) -> str | None:
        candidates = [key for key in group if key in self.eligible and key not in suppressed]
        return min(candidates, key=self._preference, default=None)

    def _preference(self, key: str) -> tuple[int, int, int, str]:
        value = self.values[key]
        pinned = sum(self.unknowns[index] == 0 for index in self.links_of.get(key, ()))
        rank = 2 if key in self.totals else (0 if value > 0 else 1)
        return pinned, rank, value, key

    def _walk(self, start: str, suppressed: set[str]) -> str | None:
        """The best candidate at the nearest distance through the links that has one."""
        frontier, seen_keys = [start], {start}
        seen_links: set[int] = set()
        while frontier:
            level = sorted({index for key in frontier for index in self.links_of.get(key, ())} - seen_links)
            seen_links.update(level)
            reachable = {key for index in level for key in self.links[index]}
            partner = self._best(reachable, suppressed)
            if partner is not None:
                return partner
            frontier = sorted({key for key in reachable if not self._known(key, suppressed)} - seen_keys)
            seen_keys.update(frontier)
        return None


def _nested_differences(links: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """For two links where all but at most one member of one are in the other (a Q1-Q3 total and its
    cells, inside the Q1-Q4 total and its cells), the members of one and not both: their difference."""
    index: dict[str, list[int]] = defaultdict(list)
    for position, link in enumerate(links):
        for key in link:
            index[key].append(position)
    differences = []
    for position, link in enumerate(links):
        shared: dict[int, int] = defaultdict(int)
        for key in link:
            for other in index[key]:
                if other != position:
                    shared[other] += 1
        for other, count in shared.items():
            inner = links[other]
            if count >= 2 and len(inner) - count <= 1 and inner != link:
                differences.append(link ^ inner)
    return differences


# --- helpers -----------------------------------------------------------------------------------------------


def _described(figure: Figure, shown: Mapping[str, Shown]) -> str:
    value = shown.get(figure.key)
    return figure.label if value is None else f"{figure.label} ({value})"


def _below_threshold(value: int, rules: Rules) -> bool:
    if value == 0:
        return rules.suppress_zeros
    return value < rules.threshold


def _linear(value: str | Linear) -> Linear:
    return Linear.of(value) if isinstance(value, str) else value


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
