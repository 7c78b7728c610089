"""Publishing a release: an evaluator freezes the approved evidence of a framework, periods and sites,
under disclosure control, into a numbered release that national officials read, download and cite.

Publishing builds every aggregated table from the approved returns at that moment (`tables`; each table is
read a batch of sites at a time and spooled to a temporary file, `spooled_rows`, so no step holds every
table's rows in memory: the rows stream from disk into protection, the summary and storage), protects them
as one linked system together with every earlier release of the framework and audits the result against
the intruder (`protected_tables`; it refuses, after trying further suppression, a release whose [c] could
still be worked out), writes the learning summary's figures from the protected tables only
(`learning_summary`), and stores the lot with a SHA-256 fingerprint. Every national output (the summary
page, PDF, DOCX, data pack, API) is drawn from that stored copy (`reading`), never from live evidence, so a
release says the same thing for ever; later edits appear only in a later release.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.formatting import listed
from evidence_hub.models import (
    Framework,
    FrameworkVersion,
    Indicator,
    LearningEntry,
    ReportingPeriod,
    Site,
    SiteReturn,
    Theme,
    User,
)
from evidence_hub.models.framework import LearningType
from evidence_hub.models.releases import Release, ReleaseRow, ReleaseStatus
from evidence_hub.services.common import audit
from evidence_hub.services.dashboards.scope import Scope, StateFilter, chosen_scope, period_range_label
from evidence_hub.services.notifications import recipients
from evidence_hub.services.notifications.outbox import link, queue_to_each
from evidence_hub.services.releases import prebuild
from evidence_hub.services.releases.dictionary import data_dictionary
from evidence_hub.services.releases.disclosure import DisclosureReport, DisclosureRules, publishable_text
from evidence_hub.services.releases.impact_section import add_impact_section, impact_section
from evidence_hub.services.releases.intruder import Knowledge
from evidence_hub.services.releases.learning_summary import SummaryInputs, build_summary
from evidence_hub.services.releases.protected_tables import (
    earlier_knowledge,
    protect_tables,
    store_knowledge,
)
from evidence_hub.services.releases.reading import ReleaseUnavailable
from evidence_hub.services.releases.table_definitions import TABLES, AggregatedTable
from evidence_hub.services.releases.tables import build_tables, with_no_return
from evidence_hub.services.releases.value_for_money_block import (
    value_for_money_key_point,
    value_for_money_summary,
    withheld_outcomes,
)

DEFAULT_THRESHOLD = 10
ROWS_PER_INSERT = 1000

CAVEATS = (
    "These figures are management information, not accredited official statistics.",
    "They come from the returns of the pilot sites that evaluators had approved when the release was "
    "published; returns approved later, and corrections made later, appear only in a later release.",
    "Sites measure some indicators in different ways and started from different baselines: compare them "
    "with the definitions in the data dictionary and the evidence levels beside each figure.",
    "Costs are those each site recorded and attributed to the pilot; shares of staff time and overheads "
    "rest on each site's own judgement, explained in its returns.",
    "Savings are what sites claim the pilot avoided; many rest on modelled rather than observed costs.",
)


@dataclass(frozen=True)
class ReleaseRequest:
    """What is asked to be published, by whom: the framework (one version, or None for every version), the
    periods from and to, the sites, the title and the disclosure rules. The publish form, the background
    job, the demo and the tests all ask in this one shape."""

    actor: User
    framework: Framework
    version: FrameworkVersion | None
    period_from: ReportingPeriod
    period_to: ReportingPeriod
    sites: Sequence[Site]
    title: str
    threshold: int = DEFAULT_THRESHOLD
    round_to: int | None = None


class NoApprovedData(ValueError):
    """The periods and sites chosen have no approved return, so there is nothing to release."""


# The steps of a publication, in order, as the progress page names them; `Progress` hears each one as it
# completes, with its counts. The release's files are built afterwards, by their own job (prebuild).
STEP_TABLES = "tables"
STEP_AUDIT = "audit"
STEP_STORE = "store"
Progress = Callable[[str, str], None]


def _no_progress(_step: str, _detail: str) -> None:
    return None


@dataclass
class PreparedRelease:
    """Everything a release will hold, read and protected, before anything is written."""

    actor: User
    framework: Framework
    version: FrameworkVersion | None
    periods: list[ReportingPeriod]
    sites: list[Site]
    title: str
    rules: DisclosureRules
    reference: str
    published_at: datetime
    tables: dict[str, AggregatedTable]
    content: dict[str, Any]
    knowledge: Knowledge


def check_publishable(session: Session, request: ReleaseRequest) -> None:
    """Raise NoApprovedData when the choice holds no approved return (cheap: one count), so the form can say
    so at once, before a publication is queued."""
    _scope_with_approved_returns(session, request)


def _scope_with_approved_returns(
    session: Session, request: ReleaseRequest
) -> tuple[Scope, list[ReportingPeriod], list[Site]]:
    periods = _periods_between(request.framework, request.period_from, request.period_to)
    sites = sorted(request.sites, key=lambda site: site.name)
    scope = chosen_scope(
        session, request.actor, request.framework, request.version, periods, sites, StateFilter.APPROVED
    )
    approved = session.scalar(select(func.count()).select_from(SiteReturn).where(scope.returns_condition()))
    if not approved:
        raise NoApprovedData(
            f"There are no approved returns from the sites chosen for {period_range_label(periods)}. "
            "Choose other periods or sites, or approve returns first."
        )
    return scope, periods, sites


def prepare_release(
    session: Session, request: ReleaseRequest, *, progress: Progress = _no_progress
) -> PreparedRelease:
    """Read and protect everything the release will hold; writes nothing, so that a long publication holds
    no write lock while it reads. Raises NoApprovedData, or ReleaseRefused when the audit refuses."""
    actor, framework, version, title = request.actor, request.framework, request.version, request.title
    scope, periods, sites = _scope_with_approved_returns(session, request)
    rules = DisclosureRules(threshold=request.threshold, round_to=request.round_to)
    exact = build_tables(session, scope)
    progress(
        STEP_TABLES,
        f"{len(exact.tables)} tables, {sum(len(table.rows) for table in exact.tables.values()):,} rows",
    )
    protected = protect_tables(
        exact,
        rules,
        indicators=_indicators(framework, version),
        revisions=_revisions(session, scope),
        earlier=earlier_knowledge(session, framework.id),
    )
    del exact  # The protected tables replace the exact ones: only one copy is held from here on.
    audit_summary = protected.audit_summary()
    progress(
        STEP_AUDIT,
        f"passed: {audit_summary['suppressed']:,} figures suppressed, {audit_summary['withheld']:,} withheld",
    )
    tables = {**protected.tables}
    tables["people_reached"] = with_no_return(tables["people_reached"], tables["returns"])
    report = DisclosureReport()
    report.add_rules(protected.official_notes(rules))
    reference = _next_reference(session, framework)
    published_at = datetime.now(UTC)
    entries = _cleared_entries(session, scope, report)
    summary = build_summary(
        SummaryInputs(
            reference=reference,
            title=title,
            published_on=published_at.date(),
            framework=framework,
            version=version,
            periods=periods,
            sites=sites,
            site_colours={site.code: scope.site_colours[site.id] for site in sites},
            tables=tables,
            entries=entries,
            rules=rules,
            report=report,
            caveats=list(CAVEATS),
        )
    )
    summary["value_for_money"] = value_for_money_summary(
        session,
        scope,
        rules.threshold,
        # A site whose counts the release hides in any way, or whose valued outcome counts it does not
        # show exactly, has every figure built on those counts withheld.
        {
            *protected.exposed_scopes(rules),
            *(site for site, _indicator in withheld_outcomes(tables["measures"], rules)),
        },
    )
    if key_point := value_for_money_key_point(summary["value_for_money"]):
        summary["executive"]["key_points"].append(key_point)
    add_impact_section(summary, impact_section(session, framework, version, sites))
    content = {
        "format": 1,
        "tables": [
            replace(tables[code].definition, row_count=len(tables[code].rows)).as_json() for code in TABLES
        ],
        "dictionary": data_dictionary(scope),
        "disclosure": report.summary(),
        "audit": audit_summary,
        "caveats": list(CAVEATS),
        "summary": summary,
    }
    return PreparedRelease(
        actor=actor,
        framework=framework,
        version=version,
        periods=periods,
        sites=sites,
        title=title,
        rules=rules,
        reference=reference,
        published_at=published_at,
        tables=tables,
        content=content,
        knowledge=protected.protection.knowledge,
    )


def store_release(session: Session, prepared: PreparedRelease, progress: Progress = _no_progress) -> Release:
    """Write the prepared release, its rows, what it lets an intruder know and its audit record, and queue
    the building of its files. Flushes; the caller commits."""
    tables = prepared.tables
    release = Release(
        reference=prepared.reference,
        title=prepared.title,
        framework=prepared.framework,
        framework_version=prepared.version,
        period_from=prepared.periods[0],
        period_to=prepared.periods[-1],
        site_codes=[site.code for site in prepared.sites],
        threshold=prepared.rules.threshold,
        round_to=prepared.rules.round_to,
        published_at=prepared.published_at,
        published_by_id=prepared.actor.id,
        content=prepared.content,
        fingerprint=fingerprint(prepared.content, tables),
        status=ReleaseStatus.PUBLISHED.value,
    )
    session.add(release)
    session.flush()
    stored = _store_rows(session, release, tables)
    store_knowledge(session, release, prepared.knowledge)
    audit.record(
        session,
        actor=prepared.actor,
        action="release.publish",
        object_type="release",
        object_id=release.id,
        after={
            "reference": release.reference,
            "title": release.title,
            "periods": release.period_label,
            "sites": release.site_codes,
            "threshold": release.threshold,
            "round_to": release.round_to,
            "fingerprint": release.fingerprint,
        },
    )
    prebuild.schedule_release_files(session, release)  # Its files are built once, by a background job.
    progress(STEP_STORE, f"release {release.reference}: {stored:,} rows stored")
    _tell_officials(session, release)
    return release


def _tell_officials(session: Session, release: Release) -> None:
    """Email the national officials who may read the release and asked to hear of new ones."""
    queue_to_each(
        session,
        template="release_published",
        users=recipients.release_readers(session, release.framework.programme),
        content={
            "programme": release.framework.programme.name,
            "reference": release.reference,
            "title": release.title,
            "periods": release.period_label,
            "link": link(session, f"/releases/{release.reference}"),
            "preferences_link": link(session, "/account/emails"),
        },
    )


def publish_release(session: Session, request: ReleaseRequest) -> Release:
    """Freeze the approved evidence in scope into a new release, in one go. Flushes; the caller commits.
    (Publishing from the pages runs the same two halves as a background job: services/releases/
    publication_job.py.)"""
    return store_release(session, prepare_release(session, request))


def _indicators(framework: Framework, version: FrameworkVersion | None) -> list[Indicator]:
    """The indicators whose declarations the release follows: the version's, or for every version the
    newest definition of each code."""
    if version is not None:
        return list(version.indicators)
    newest: dict[str, Indicator] = {}
    for each in framework.versions:
        for indicator in each.indicators:
            newest[indicator.code] = indicator
    return list(newest.values())


def _revisions(session: Session, scope: Scope) -> dict[tuple[str, str], str]:
    """The return behind each site and period, as "id.version": a corrected return is a new quantity."""
    statement = (
        select(Site.code, ReportingPeriod.code, SiteReturn.id, SiteReturn.version)
        .join(Site, Site.id == SiteReturn.site_id)
        .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
        .where(scope.returns_condition())
    )
    return {
        (site, period): f"{ident}.{revision}" for site, period, ident, revision in session.execute(statement)
    }


def withdraw_release(session: Session, *, actor: User, release: Release, reason: str) -> None:
    """Withdraw a release that should no longer be relied on. Its content stays, frozen, for the record."""
    if release.is_withdrawn:
        raise ReleaseUnavailable(f"Release {release.reference} has already been withdrawn.", 410)
    release.status = ReleaseStatus.WITHDRAWN.value
    release.withdrawn_at = datetime.now(UTC)
    release.withdrawn_by_id = actor.id
    release.withdrawal_reason = reason
    audit.record(
        session,
        actor=actor,
        action="release.withdraw",
        object_type="release",
        object_id=release.id,
        after={"reference": release.reference},
        reason=reason,
    )


def fingerprint(content: dict[str, Any], tables: dict[str, AggregatedTable]) -> str:
    digest = hashlib.sha256()
    # The content (the summary quotes every cleared learning entry) is hashed as it is encoded, never
    # held whole as one string; the digest is the same.
    for piece in _CANONICAL.iterencode(content):
        digest.update(piece.encode())
    for code in TABLES:
        for row in tables[code].rows:
            digest.update(_canonical([code, row]))
    return digest.hexdigest()


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _canonical(value: Any) -> bytes:
    return _CANONICAL.encode(value).encode()


def _store_rows(session: Session, release: Release, tables: dict[str, AggregatedTable]) -> int:
    """Insert every row in batches; how many were stored."""
    # A Core insert on the session's connection: the ORM's bulk insert spent a third of the time on its own
    # bookkeeping for rows that are never loaded as objects here.
    connection, statement = session.connection(), insert(ReleaseRow)
    batch: list[dict[str, Any]] = []
    stored = 0
    for code in TABLES:
        for position, row in enumerate(tables[code].rows):
            batch.append({"release_id": release.id, "table_code": code, "position": position, "cells": row})
            if len(batch) >= ROWS_PER_INSERT:
                connection.execute(statement, batch)
                stored += len(batch)
                batch = []
    if batch:
        connection.execute(statement, batch)
        stored += len(batch)
    return stored


def _periods_between(
    framework: Framework, first: ReportingPeriod, last: ReportingPeriod
) -> list[ReportingPeriod]:
    periods = list(framework.reporting_periods)
    ids = [period.id for period in periods]
    if first.id not in ids or last.id not in ids:
        raise NoApprovedData("Choose reporting periods of the framework being released.")
    start, end = ids.index(first.id), ids.index(last.id)
    if start > end:
        raise NoApprovedData("The first period must not come after the last period.")
    return periods[start : end + 1]


def _next_reference(session: Session, framework: Framework) -> str:
    """The framework's initials, the year and the next number that year, e.g. WDS-2026-03."""
    initials = "".join(part[0] for part in re.split(r"[^A-Za-z0-9]+", framework.code) if part).upper()[:12]
    year = datetime.now(UTC).year
    prefix = f"{initials or 'R'}-{year}-"
    taken = session.scalar(
        select(func.count()).select_from(Release).where(Release.reference.like(prefix + "%"))
    )
    return f"{prefix}{(taken or 0) + 1:02d}"


def _cleared_entries(session: Session, scope: Scope, report: DisclosureReport) -> list[dict[str, Any]]:
    """The learning entries of approved returns in scope that an evaluator cleared for national sharing,
    as plain text; the others are only counted (the report says how many were left out)."""
    statement = (
        select(LearningEntry, Site, ReportingPeriod, Theme)
        .join(SiteReturn, SiteReturn.id == LearningEntry.site_return_id)
        .join(Site, Site.id == SiteReturn.site_id)
        .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
        .outerjoin(Theme, Theme.id == LearningEntry.theme_id)
        .where(scope.returns_condition())
        .options(selectinload(LearningEntry.dimensions))
        .order_by(ReportingPeriod.starts_on, Site.name, LearningEntry.id)
    )
    places = {entry: (site, period, theme) for entry, site, period, theme in session.execute(statement)}
    entries = []
    for entry in publishable_text(places, report=report):
        site, period, theme = places[entry]
        entries.append(
            {
                "site_code": site.code,
                "site": site.name,
                "period": period.name,
                "learning_type": entry.learning_type,
                "learning_type_label": LearningType(entry.learning_type).label,
                "theme_code": theme.code if theme else "",
                "theme": theme.title if theme else "",
                "title": entry.title,
                "what_happened": entry.what_happened,
                "why_it_matters": entry.why_it_matters,
                "national_implication": entry.national_implication,
                "dimensions": [dimension.name for dimension in entry.dimensions],
                "dimension_codes": [dimension.code for dimension in entry.dimensions],
            }
        )
    return _quoted_once(entries)


def _quoted_once(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sites often carry the same learning into later returns word for word; a reader should meet it once,
    with every period it was recorded in."""
    distinct: dict[tuple[Any, ...], dict[str, Any]] = {}
    periods: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for entry in entries:
        key = tuple(
            tuple(value) if isinstance(value, list) else value
            for name, value in entry.items()
            if name != "period"
        )
        distinct.setdefault(key, entry)
        periods[key].append(entry["period"])
    for key, entry in distinct.items():
        entry["period"] = listed(periods[key])
        entry["times_recorded"] = len(periods[key])
    return list(distinct.values())
