"""A site's own data pack: the same aggregated tables as a release, for one site, live and in every return
state, for the site's own use. A site lead reaches their own site only (services/access rules); it is not
disclosure-controlled, because nothing leaves the site's own hands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Framework, Site, User
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import scope_to_user
from evidence_hub.services.dashboards.scope import StateFilter, chosen_scope
from evidence_hub.services.releases.dictionary import data_dictionary
from evidence_hub.services.releases.table_definitions import AggregatedTable, TableDefinition
from evidence_hub.services.releases.tables import build_tables


def site_for(session: Session, user: User, site_code: str) -> Site:
    """The site, if the user may download its data; LookupError otherwise (shown as not found)."""
    site = session.scalar(scope_to_user(select(Site).where(Site.code == site_code), user, Site.id))
    if site is None:
        raise LookupError(site_code)
    return site


def record_site_download(
    session: Session, user: User, site: Site, framework: Framework, file_format: str
) -> None:
    audit.record(
        session,
        actor=user,
        action="site_data.download",
        object_type="site",
        object_id=site.id,
        site_id=site.id,
        after={"framework": framework.code, "format": file_format},
    )


@dataclass
class SitePackSource:
    """One site's live tables as the data pack writers read them (render/data_pack/contents.PackSource)."""

    site: Site
    framework: Framework
    built: dict[str, AggregatedTable]
    dictionary: dict[str, Any]
    reference: str | None = None
    title: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def dictionary_columns(self) -> list[str]:
        return list(self.dictionary["columns"])

    @property
    def dictionary_rows(self) -> list[list[Any]]:
        return [list(row) for row in self.dictionary["rows"]]

    @property
    def tables(self) -> list[TableDefinition]:
        return [replace(table.definition, row_count=len(table.rows)) for table in self.built.values()]

    def rows(self, code: str) -> Iterator[list[Any]]:
        return iter(self.built[code].rows)


def site_pack_source(session: Session, user_id: int, site_id: int, framework_id: int) -> SitePackSource:
    user = session.get_one(User, user_id)
    site = site_for(session, user, session.get_one(Site, site_id).code)
    framework = session.get_one(Framework, framework_id)
    scope = chosen_scope(
        session, user, framework, None, list(framework.reporting_periods), [site], StateFilter.ALL
    )
    built = build_tables(session, scope).tables
    return SitePackSource(
        site=site,
        framework=framework,
        built=built,
        dictionary=data_dictionary(scope),
        title=f"Data pack: {site.name}, {framework.name}",
        notes=[
            f"{site.name}'s own evidence for the {framework.name} framework, from its returns in every "
            "state (draft, submitted, returned, approved and locked): figures in returns not yet approved "
            "may change.",
            "The Returns table gives each return's state. This pack is for the site's own use: it is not "
            "disclosure-controlled, so check it before sharing it outside the site's partnership.",
            "Management information, not accredited official statistics.",
        ],
    )
