"""Disclosure control over a release's tables: every table and derived figure protected as one linked
system (``linked_tables``, ``protection``), together with every earlier release of the framework, and
audited against the intruder (``intruder``) before anything reaches a national official.

What an earlier release told the intruder is kept with it (``store_knowledge``, rows of the release under
``KNOWLEDGE_TABLE``, never one of its published tables) and read back here for every later release of the
framework, withdrawn ones included: what was downloaded before a withdrawal stays downloaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from evidence_hub.models.framework import Indicator, IndicatorUnit
from evidence_hub.models.releases import Release, ReleaseRow
from evidence_hub.services.releases.disclosure import SUPPRESSED, DisclosureRules
from evidence_hub.services.releases.intruder import (
    Audit,
    Fact,
    Knowledge,
    KnowledgeError,
    Quantity,
    audit_knowledge,
)
from evidence_hub.services.releases.linked_tables import linked_tables
from evidence_hub.services.releases.protection import Kind, Protection, ProtectionReport, protect_release
from evidence_hub.services.releases.table_definitions import AggregatedTable
from evidence_hub.services.releases.tables import ALL_CODE, ExactTables

KNOWLEDGE_TABLE = "_intruder"
KNOWLEDGE_CHUNK = 500


class ReleaseRefused(ValueError):
    """The release cannot be published: the audit still finds [c] an intruder could work out after further
    suppression was tried. The message names them and says why."""


def is_count_of_people(unit: str) -> bool:
    """A row's unit that may be a count of people (the framework says which counts are of records)."""
    return unit == IndicatorUnit.COUNT.value


@dataclass(frozen=True)
class ProtectedRelease:
    tables: dict[str, AggregatedTable]
    protection: Protection
    # Counts of people the release uses but does not show (a count released as a percentage instead).
    hidden: frozenset[str] = frozenset()

    @property
    def report(self) -> ProtectionReport:
        return self.protection.report()

    def official_notes(self, rules: DisclosureRules) -> list[str]:
        """What the notes of every output say about disclosure control: the rules, never which [c] are
        small or how many were suppressed to protect others."""
        return [
            *rules.count_sentences(),
            *self.report.official_notes(),
            "Percentages, rates, unit costs and means are worked out from the figures as published. Each is "
            f"withheld ({SUPPRESSED}) when a figure it uses is {SUPPRESSED}, when its own base is fewer than "
            f"{rules.threshold}, and, for a percentage of a group, when the part or the rest of the group is "
            f"fewer than {rules.threshold}.",
            "A percentage the framework gives no formula or denominator for is withheld "
            f"({SUPPRESSED}): its base is not known, so these rules cannot be applied to it.",
            "Value-for-money figures worked out from counts of people or outcomes (unit costs, benefits, net "
            "present value, benefit–cost ratio, payback, switching values) are withheld for a site when any "
            f"of its counts is {SUPPRESSED}, rounded or released as a percentage, and for all sites together "
            "when any site's is.",
            "Counts of records (activities, referrals between partners, data requests, saving claims, "
            "learning entries) and amounts of money are not counts of people and are shown in full.",
            *rules.count_notes(),
        ]

    def exposed_scopes(self, rules: DisclosureRules) -> set[str]:
        """The sites whose counts of people the release does not show exactly: some are [c] or released only
        as a percentage, or every count is rounded. A figure worked out elsewhere from those sites' exact
        counts (the appraisal's unit costs, and its benefits: outcomes × unit values) would give them away."""
        sites = {row[0] for row in self.tables["people_reached"].rows if row[0] != ALL_CODE}
        if rules.round_to and rules.round_to > 1:
            return sites
        # Keys read "people|<site>|...", "measure|<site>|...": the site comes second.
        not_shown = self.protection.primary | self.protection.secondary | self.hidden
        return {key.split("|")[1] for key in not_shown} & sites

    def audit_summary(self) -> dict[str, Any]:
        """The audit's result for the evaluator's view of the release (never in what officials download)."""
        report = self.report
        narrowest = report.narrowest
        return {
            "passed": self.protection.passed,
            "suppressed": report.suppressed,
            "withheld": report.withheld,
            "narrowest": None
            if narrowest is None or narrowest.width is None
            else {"label": narrowest.label, "lower": narrowest.lower, "upper": narrowest.upper},
            "evaluator_notes": report.evaluator_notes(),
            "rounds": self.protection.rounds,
        }


def protect_tables(
    exact: ExactTables,
    rules: DisclosureRules,
    *,
    indicators: Sequence[Indicator],
    revisions: Mapping[tuple[str, str], str],
    earlier: Knowledge | None = None,
) -> ProtectedRelease:
    """Every table of a release protected together with what earlier releases published; raises
    ReleaseRefused when the audit still fails after further suppression."""
    linked = linked_tables(exact.tables, indicators, revisions, attributable_pence(exact.tables["costs"]))
    try:
        protection = protect_release(linked.release, linked.values, rules, earlier=earlier)
    except KnowledgeError as contradiction:
        raise ReleaseRefused(
            "This release cannot be published: its figures and what earlier releases of the framework "
            f"published cannot both be true ({contradiction}) Ask the administrator to check the earlier "
            "releases."
        ) from contradiction
    refusal = protection.report().refusal()
    if refusal is not None:
        raise ReleaseRefused(refusal)
    hidden = frozenset(
        figure.key for figure in linked.release.figures if not figure.shown and figure.kind is Kind.PEOPLE
    )
    return ProtectedRelease(
        linked.write_back(exact.tables, protection.shown, protection.derived), protection, hidden
    )


def attributable_pence(costs: AggregatedTable) -> dict[tuple[str, str], int]:
    """Each site's attributable cost in each period, in pence (the costs table holds pounds and pence)."""
    index = costs.definition.column_index("attributable")
    totals: dict[tuple[str, str], int] = {}
    for row in costs.rows:
        place = (row[0], row[2])
        totals[place] = totals.get(place, 0) + int(Decimal(row[index]) * 100)
    return totals


# --- what earlier releases told the intruder -------------------------------------------------------------


def store_knowledge(session: Session, release: Release, knowledge: Knowledge) -> None:
    """Keep what the release tells the intruder with it, for the releases after it."""
    items: list[list[Any]] = [["q", quantity.as_json()] for quantity in knowledge.quantities.values()]
    items += [["f", fact.as_json()] for fact in knowledge.facts]
    items += [["c", key] for key in sorted(knowledge.suppressed)]
    batch = [
        {
            "release_id": release.id,
            "table_code": KNOWLEDGE_TABLE,
            "position": position,
            "cells": items[start : start + KNOWLEDGE_CHUNK],
        }
        for position, start in enumerate(range(0, len(items), KNOWLEDGE_CHUNK))
    ]
    if batch:
        session.execute(insert(ReleaseRow), batch)


def stored_knowledge(session: Session, releases: Iterable[Release]) -> Knowledge:
    """Everything the given releases told the intruder, together. A release published before the audit
    existed kept no knowledge and adds none: the audit cannot speak for it."""
    ids = [release.id for release in releases]
    quantities: dict[str, Quantity] = {}
    facts: list[Fact] = []
    suppressed: set[str] = set()
    if ids:
        statement = (
            select(ReleaseRow.cells)
            .where(ReleaseRow.release_id.in_(ids), ReleaseRow.table_code == KNOWLEDGE_TABLE)
            .order_by(ReleaseRow.release_id, ReleaseRow.position)
        )
        for chunk in session.scalars(statement):
            for kind, item in chunk:
                if kind == "q":
                    quantity = Quantity.from_json(item)
                    quantities[quantity.key] = quantity
                elif kind == "f":
                    facts.append(Fact.from_json(item))
                else:
                    suppressed.add(item)
    return Knowledge(quantities, tuple(facts), frozenset(suppressed))


def earlier_knowledge(session: Session, framework_id: int) -> Knowledge:
    """What every release of the framework published so far told the intruder, withdrawn ones included."""
    releases = session.scalars(select(Release).where(Release.framework_id == framework_id)).all()
    return stored_knowledge(session, releases)


def audit_releases(session: Session, releases: Sequence[Release]) -> Audit:
    """The audit, on demand, of everything the given releases published taken together."""
    knowledge = stored_knowledge(session, releases)
    threshold = min((release.threshold for release in releases), default=10)
    return audit_knowledge(knowledge, threshold, exact_intervals=True)
