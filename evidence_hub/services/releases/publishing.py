"""Releases: an evaluator freezes the approved evidence of a framework, periods and sites, under disclosure
control, into a numbered release that national officials read, download and cite.

Publishing builds every aggregated table from the approved returns at that moment (release_tables),
protects it (disclosure), writes the learning summary's figures from the protected tables only
(learning_summary), and stores the lot with a SHA-256 fingerprint. Every national output (the summary page,
PDF, DOCX, data pack, API) is drawn from that stored copy, never from live evidence, so a release says
the same thing for ever; later edits appear only in a later release.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session, selectinload

from evidence_hub.formatting import listed
from evidence_hub.models import (
    Framework,
    FrameworkVersion,
    LearningEntry,
    ReportingPeriod,
    Role,
    Site,
    SiteReturn,
    Theme,
    User,
)
from evidence_hub.models.framework import IndicatorUnit, LearningType
from evidence_hub.models.releases import Release, ReleaseRow, ReleaseStatus
from evidence_hub.services.common import audit
from evidence_hub.services.dashboards.figures import Scope, StateFilter, period_range_label, site_styles
from evidence_hub.services.releases.disclosure import (
    SUPPRESSED,
    DisclosureReport,
    DisclosureRules,
    protect_counts,
)
from evidence_hub.services.releases.learning_summary import SummaryInputs, build_summary
from evidence_hub.services.releases.tables import (
    TABLES,
    AggregatedTable,
    ExactTables,
    TableDefinition,
    build_tables,
    is_count_of_people,
    people_rows,
)

DEFAULT_THRESHOLD = 10
ROWS_PER_INSERT = 1000
STREAM_BATCH = 2000
REFERENCE_FORMAT = re.compile(r"^[A-Z0-9]{1,12}-\d{4}-\d{2,}$")

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


class ReleaseUnavailable(LookupError):
    """A release that does not exist (404) or has been withdrawn (410); the message says which."""

    def __init__(self, message: str, status_code: int = 404) -> None:
        super().__init__(message)
        self.status_code = status_code


class NoApprovedData(ValueError):
    """The periods and sites chosen have no approved return, so there is nothing to release."""


# --- Publishing ------------------------------------------------------------------------------------


def publish_release(
    session: Session,
    *,
    actor: User,
    framework: Framework,
    version: FrameworkVersion | None,
    period_from: ReportingPeriod,
    period_to: ReportingPeriod,
    sites: list[Site],
    title: str,
    threshold: int = DEFAULT_THRESHOLD,
    round_to: int | None = None,
) -> Release:
    """Freeze the approved evidence in scope into a new release. Flushes; the caller commits."""
    periods = _periods_between(framework, period_from, period_to)
    sites = sorted(sites, key=lambda site: site.name)
    colours, dashes = site_styles(session)
    scope = Scope(
        user=actor,
        framework=framework,
        version=version,
        periods=periods,
        sites=sites,
        theme_code=None,
        state=StateFilter.APPROVED,
        site_colours=colours,
        site_dashes=dashes,
    )
    approved = session.scalar(select(func.count()).select_from(SiteReturn).where(scope.returns_condition()))
    if not approved:
        raise NoApprovedData(
            f"There are no approved returns from the sites chosen for {period_range_label(periods)}. "
            "Choose other periods or sites, or approve returns first."
        )
    rules = DisclosureRules(threshold=threshold, round_to=round_to)
    exact = build_tables(session, scope)
    tables, report = protect_tables(exact, rules)
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
            site_colours={site.code: colours[site.id] for site in sites},
            tables=tables,
            entries=entries,
            rules=rules,
            report=report,
            caveats=list(CAVEATS),
        )
    )
    content = {
        "format": 1,
        "tables": [
            replace(tables[code].definition, row_count=len(tables[code].rows)).as_json() for code in TABLES
        ],
        "dictionary": data_dictionary(session, scope),
        "disclosure": report.summary(),
        "caveats": list(CAVEATS),
        "summary": summary,
    }
    release = Release(
        reference=reference,
        title=title,
        framework=framework,
        framework_version=version,
        period_from=periods[0],
        period_to=periods[-1],
        site_codes=[site.code for site in sites],
        threshold=threshold,
        round_to=round_to,
        published_at=published_at,
        published_by_id=actor.id,
        content=content,
        fingerprint=fingerprint(content, tables),
        status=ReleaseStatus.PUBLISHED.value,
    )
    session.add(release)
    session.flush()
    _store_rows(session, release, tables)
    audit.record(
        session,
        actor=actor,
        action="release.publish",
        object_type="release",
        object_id=release.id,
        after={
            "reference": reference,
            "title": title,
            "periods": release.period_label,
            "sites": release.site_codes,
            "threshold": threshold,
            "round_to": round_to,
            "fingerprint": release.fingerprint,
        },
    )
    return release


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


def protect_tables(
    exact: ExactTables, rules: DisclosureRules
) -> tuple[dict[str, AggregatedTable], DisclosureReport]:
    """Disclosure control over every table: the people-reached grid with its totals as one table, counts
    of people among measures and baselines on their own (they are published without totals), and
    percentage measures withheld where the site reached fewer people than the threshold that period."""
    grid = exact.people
    protected = protect_counts(
        [site.code for site in grid.sites], [period.code for period in grid.periods], grid.counts, rules
    )
    report = protected.report
    tables = dict(exact.tables)
    tables["people_reached"] = AggregatedTable(
        TABLES["people_reached"],
        people_rows(
            grid, protected.cells, protected.row_totals, protected.column_totals, protected.grand_total
        ),
    )
    people_by_place = {
        (site.code, period.code): grid.counts[site_index][period_index]
        for site_index, site in enumerate(grid.sites)
        for period_index, period in enumerate(grid.periods)
    }
    measure_report = DisclosureReport()
    measure_report.add_rules(rules.count_sentences()[:2])
    measure_report.add_notes(rules.count_notes())
    measures = exact.tables["measures"]
    value_index = measures.definition.column_index("value")
    unit_index = measures.definition.column_index("unit")
    protected_measures = []
    for row in measures.rows:
        row = list(row)
        unit = row[unit_index]
        if is_count_of_people(unit):
            row[value_index] = _protect_single_count(row[value_index], rules, measure_report)
        elif unit == IndicatorUnit.PERCENTAGE.value and row[value_index] is not None:
            base = people_by_place.get((row[0], row[2]), 0)
            if base < rules.threshold:
                row[value_index] = SUPPRESSED
                measure_report.withheld += 1
                measure_report.add_rules(
                    [
                        f"Percentage measures are withheld ({SUPPRESSED}) for a site and period in which the "
                        f"pilot reached fewer than {rules.threshold} people."
                    ]
                )
        protected_measures.append(row)
    tables["measures"] = AggregatedTable(measures.definition, protected_measures)
    baselines = exact.tables["baselines"]
    baseline_value = baselines.definition.column_index("value")
    baseline_unit = baselines.definition.column_index("unit")
    protected_baselines = []
    for row in baselines.rows:
        row = list(row)
        if is_count_of_people(row[baseline_unit]):
            row[baseline_value] = _protect_single_count(row[baseline_value], rules, measure_report)
        protected_baselines.append(row)
    tables["baselines"] = AggregatedTable(baselines.definition, protected_baselines)
    measure_report.tables = 2
    report = report.merge(measure_report)
    report.add_notes(
        [
            "Counts of activities, saving claims and learning entries are counts of records, not of people, "
            "and are shown in full.",
        ]
    )
    return tables, report


def _protect_single_count(value: str | None, rules: DisclosureRules, report: DisclosureReport) -> str | None:
    """A count of people published on its own (no totals beside it): primary suppression and rounding."""
    if value is None:
        return None
    count = Decimal(value)
    if (count == 0 and rules.suppress_zeros) or (0 < count < rules.threshold):
        report.primary_suppressed += 1
        return SUPPRESSED
    if rules.round_to and rules.round_to > 1:
        count = (count / rules.round_to).quantize(Decimal(1), ROUND_HALF_UP) * rules.round_to
        return str(int(count))
    return value


def fingerprint(content: dict[str, Any], tables: dict[str, AggregatedTable]) -> str:
    digest = hashlib.sha256()
    digest.update(_canonical(content))
    for code in TABLES:
        for row in tables[code].rows:
            digest.update(_canonical([code, row]))
    return digest.hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def _store_rows(session: Session, release: Release, tables: dict[str, AggregatedTable]) -> None:
    batch: list[dict[str, Any]] = []
    for code in TABLES:
        for position, row in enumerate(tables[code].rows):
            batch.append({"release_id": release.id, "table_code": code, "position": position, "cells": row})
            if len(batch) >= ROWS_PER_INSERT:
                session.execute(insert(ReleaseRow), batch)
                batch = []
    if batch:
        session.execute(insert(ReleaseRow), batch)


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
    report.add_rules(DisclosureRules.text_sentences())
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
    entries = []
    for entry, site, period, theme in session.execute(statement):
        if entry.cleared_for_national is not True:
            report.entries_left_out += 1
            continue
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


def data_dictionary(session: Session, scope: Scope) -> dict[str, Any]:
    """The data dictionary: every framework definition the tables use, then every table column."""
    version = scope.version or _newest_version(scope.framework)
    rows: list[list[Any]] = []
    if version is not None:
        for theme in version.themes:
            rows.append(["Theme", theme.code, theme.title, "", theme.description, "", ""])
        for indicator in version.indicators:
            rows.append(
                [
                    "Indicator",
                    indicator.code,
                    indicator.name,
                    IndicatorUnit(indicator.unit).label,
                    indicator.definition,
                    indicator.include_guidance,
                    indicator.exclude_guidance,
                ]
            )
        for category in version.cost_categories:
            rows.append(
                [
                    "Cost category",
                    category.code,
                    category.name,
                    "£",
                    category.description,
                    category.include_guidance,
                    category.exclude_guidance,
                ]
            )
        for activity_type in version.activity_types:
            rows.append(
                [
                    "Activity type",
                    activity_type.code,
                    activity_type.name,
                    "",
                    activity_type.description,
                    "",
                    "",
                ]
            )
        for dimension in version.learning_dimensions:
            rows.append(
                ["Learning dimension", dimension.code, dimension.name, "", dimension.description, "", ""]
            )
        for milestone in version.milestones:
            rows.append(
                [
                    "Journey milestone",
                    milestone.code,
                    milestone.title,
                    f"{milestone.percentage}%",
                    milestone.definition,
                    "",
                    "",
                ]
            )
    for table in TABLES.values():
        for column in table.columns:
            rows.append(
                [
                    "Column",
                    f"{table.code}.{column.key}",
                    column.heading,
                    column.kind,
                    column.description,
                    "",
                    "",
                ]
            )
    return {
        "columns": ["Kind", "Code", "Name", "Unit or type", "Definition", "Include", "Exclude"],
        "rows": rows,
    }


def _newest_version(framework: Framework) -> FrameworkVersion | None:
    published = [version for version in framework.versions if version.status != "draft"]
    return published[-1] if published else None


# --- Reading releases --------------------------------------------------------------------------------


def _readable_releases(user: User) -> Select[Release] | None:
    """The releases a user may browse, newest first (national officials: published ones only), with what
    a list of them shows loaded alongside; None for a role that reads no release."""
    if user.role_enum not in (Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR):
        return None
    statement = (
        select(Release)
        .options(
            selectinload(Release.framework),
            selectinload(Release.framework_version),
            selectinload(Release.period_from),
            selectinload(Release.period_to),
        )
        .order_by(Release.published_at.desc(), Release.id.desc())
    )
    if user.role_enum is Role.NATIONAL_OFFICIAL:
        statement = statement.where(Release.status == ReleaseStatus.PUBLISHED.value)
    return statement


def releases_for(session: Session, user: User) -> list[Release]:
    statement = _readable_releases(user)
    return list(session.scalars(statement)) if statement is not None else []


def latest_release(session: Session, user: User) -> Release | None:
    """The newest release a user may open (never a withdrawn one)."""
    statement = _readable_releases(user)
    if statement is None:
        return None
    return session.scalars(statement.where(Release.status == ReleaseStatus.PUBLISHED.value).limit(1)).first()


def release_for(session: Session, user: User, reference: str, *, allow_withdrawn: bool = False) -> Release:
    """The release with this reference, or ReleaseUnavailable saying clearly why not."""
    release = None
    if REFERENCE_FORMAT.match(reference) and user.role_enum in (
        Role.NATIONAL_OFFICIAL,
        Role.EVALUATOR,
        Role.ADMINISTRATOR,
    ):
        release = session.scalar(select(Release).where(Release.reference == reference))
    if release is None:
        raise ReleaseUnavailable(
            f"There is no release {reference}. Check the reference, or browse the releases."
        )
    if release.is_withdrawn and not allow_withdrawn:
        when = release.withdrawn_at.strftime("%-d %B %Y") if release.withdrawn_at else ""
        raise ReleaseUnavailable(
            f"Release {reference} was withdrawn on {when}: {release.withdrawal_reason} "
            "Use a later release instead.",
            410,
        )
    return release


def table_definitions(release: Release) -> list[TableDefinition]:
    return [TableDefinition.from_json(table) for table in release.content["tables"]]


def table_definition(release: Release, code: str) -> TableDefinition:
    for table in table_definitions(release):
        if table.code == code:
            return table
    raise ReleaseUnavailable(f"Release {release.reference} has no table called {code}.")


def iter_rows(
    session: Session, release: Release, code: str, *, offset: int = 0, limit: int | None = None
) -> Iterator[list[Any]]:
    """A table's rows in order, fetched in batches so a table of any size streams in constant memory."""
    statement = (
        select(ReleaseRow.cells)
        .where(
            ReleaseRow.release_id == release.id, ReleaseRow.table_code == code, ReleaseRow.position >= offset
        )
        .order_by(ReleaseRow.position)
        .execution_options(yield_per=STREAM_BATCH)
    )
    if limit is not None:
        statement = statement.where(ReleaseRow.position < offset + limit)
    for cells in session.scalars(statement):
        yield list(cells)


def summary_of(release: Release) -> dict[str, Any]:
    """The learning summary's content, with the release's fingerprint for the title page."""
    return {**release.content["summary"], "fingerprint": release.fingerprint}


def record_download(session: Session, user: User, release: Release, what: str, **details: Any) -> None:
    """Every download and API call that returns a release's evidence is recorded: who, what, which release."""
    audit.record(
        session,
        actor=user,
        action="release.download",
        object_type="release",
        object_id=release.id,
        after={"reference": release.reference, "what": what, **details},
    )


@dataclass
class ReleasePackSource:
    """A release as the data pack writers read it (services/data_pack.PackSource)."""

    session: Session
    release: Release

    @property
    def title(self) -> str:
        return f"Data pack: {self.release.title}, {self.release.period_label}"

    @property
    def reference(self) -> str | None:
        return self.release.reference

    @property
    def notes(self) -> list[str]:
        release = self.release
        return [
            f"Release {release.reference}, published {release.published_at:%-d %B %Y}.",
            f"Framework: {release.content['summary']['framework']['name']} "
            f"({release.content['summary']['framework']['version_label']}).",
            f"Periods: {release.period_label}. Sites: {', '.join(release.site_codes)}.",
            f"Fingerprint (SHA-256): {release.fingerprint}.",
            *release.content["caveats"],
            "Disclosure control:",
            *release.content["disclosure"],
        ]

    @property
    def dictionary_columns(self) -> list[str]:
        return list(self.release.content["dictionary"]["columns"])

    @property
    def dictionary_rows(self) -> list[list[Any]]:
        return [list(row) for row in self.release.content["dictionary"]["rows"]]

    @property
    def tables(self) -> list[TableDefinition]:
        return table_definitions(self.release)

    def rows(self, code: str) -> Iterator[list[Any]]:
        return iter_rows(self.session, self.release, code)


def release_pack_source(session: Session, release: Release) -> ReleasePackSource:
    return ReleasePackSource(session, release)
