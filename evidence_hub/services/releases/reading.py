"""Reading releases: which releases a user may open, their tables streamed row by row, their learning
summary, and the record of every download.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, defer, selectinload

from evidence_hub.formatting import date_uk
from evidence_hub.models import Framework, Role, User
from evidence_hub.models.releases import Release, ReleaseRow, ReleaseStatus
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import scope_frameworks
from evidence_hub.services.releases.impact_section import (
    IMPACT_TABLE_CODE,
    ImpactPackTable,
    impact_pack_table,
    impact_rows,
)
from evidence_hub.services.releases.table_definitions import TableDefinition
from evidence_hub.services.releases.value_for_money_pack import ROWS as VALUE_FOR_MONEY_TABLES
from evidence_hub.services.releases.value_for_money_pack import (
    ValueForMoneyPackTable,
    value_for_money_dictionary_rows,
    value_for_money_rows,
    value_for_money_tables,
)

STREAM_BATCH = 2000
REFERENCE_FORMAT = re.compile(r"^[A-Z0-9]{1,12}-\d{4}-\d{2,}$")


class ReleaseUnavailable(LookupError):
    """A release that does not exist (404) or has been withdrawn (410); the message says which."""

    def __init__(self, message: str, status_code: int = 404) -> None:
        super().__init__(message)
        self.status_code = status_code


def _readable_releases(user: User) -> Select[Release] | None:
    """The releases a user may browse, newest first (national officials: published ones only), with what
    a list of them shows loaded alongside and without their content (megabytes of JSON each at national
    scale, which no list shows); None for a role that reads no release."""
    if user.role_enum not in (Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR):
        return None
    statement = (
        select(Release)
        .options(
            defer(Release.content),
            selectinload(Release.framework),
            selectinload(Release.framework_version),
            selectinload(Release.period_from),
            selectinload(Release.period_to),
        )
        .order_by(Release.published_at.desc(), Release.id.desc())
    )
    if user.role_enum is Role.NATIONAL_OFFICIAL:
        statement = statement.where(Release.status == ReleaseStatus.PUBLISHED.value)
    return statement.where(Release.framework_id.in_(scope_frameworks(select(Framework.id), user)))


def releases_for(session: Session, user: User) -> list[Release]:
    statement = _readable_releases(user)
    return list(session.scalars(statement)) if statement is not None else []


def latest_release(session: Session, user: User) -> Release | None:
    """The newest release a user may open (never a withdrawn one)."""
    statement = _readable_releases(user)
    if statement is None:
        return None
    return session.scalars(statement.where(Release.status == ReleaseStatus.PUBLISHED.value).limit(1)).first()


def release_for(
    session: Session, user: User, reference: str, *, allow_withdrawn: bool = False, with_content: bool = True
) -> Release:
    """The release with this reference, or ReleaseUnavailable saying clearly why not. Without content, its
    content (the summary, dictionary and notes: megabytes of JSON at national scale) is read only if used,
    so that sending a stored file does not first decode what the file already holds."""
    release = None
    if REFERENCE_FORMAT.match(reference) and user.role_enum in (
        Role.NATIONAL_OFFICIAL,
        Role.EVALUATOR,
        Role.ADMINISTRATOR,
    ):
        statement = select(Release).where(
            Release.reference == reference,
            Release.framework_id.in_(scope_frameworks(select(Framework.id), user)),
        )
        if not with_content:
            statement = statement.options(defer(Release.content))
        release = session.scalar(statement)
    if release is None:
        raise ReleaseUnavailable(
            f"There is no release {reference}. Check the reference, or browse the releases."
        )
    if release.is_withdrawn and not allow_withdrawn:
        when = date_uk(release.withdrawn_at) if release.withdrawn_at else ""
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
    """A table's rows in order, fetched in batches so a table of any size streams in constant memory.

    Read as a plain Core statement: the rows are cells, not entities, and the ORM's handling of each row
    took two thirds of the time of writing a large release's data pack."""
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
    for cells in session.connection().execute(statement).scalars():
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
    """A release as the data pack writers read it (render/data_pack/contents.PackSource)."""

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
            f"Release {release.reference}, published {date_uk(release.published_at)}.",
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
        return [
            *(list(row) for row in self.release.content["dictionary"]["rows"]),
            *value_for_money_dictionary_rows(self.release.content["summary"]),
        ]

    @property
    def tables(self) -> list[TableDefinition | ImpactPackTable | ValueForMoneyPackTable]:
        summary = self.release.content["summary"]
        impact = impact_pack_table(summary)
        return [
            *table_definitions(self.release),
            *([impact] if impact else []),
            *value_for_money_tables(summary),
        ]

    def rows(self, code: str) -> Iterator[list[Any]]:
        if code == IMPACT_TABLE_CODE:
            return iter(impact_rows(self.release.content["summary"]["impact"]))
        if code in VALUE_FOR_MONEY_TABLES:
            return iter(value_for_money_rows(self.release.content["summary"], code))
        return iter_rows(self.session, self.release, code)


def release_pack_source(session: Session, release: Release) -> ReleasePackSource:
    return ReleasePackSource(session, release)
