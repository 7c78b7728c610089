"""The learning view's figures: learning entries by theme and site, barriers and enablers by dimension and
site, and the entries behind each count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from evidence_hub.models import Site
from evidence_hub.models.framework import LearningDimension, LearningType, ReportingPeriod, Theme
from evidence_hub.models.returns import LearningEntry, SiteReturn, learning_entry_dimensions
from evidence_hub.models.summaries import ReturnLearningCount
from evidence_hub.services.common.access import scope_to_user
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows

NO_THEME = ""


@dataclass
class LearningFigures:
    themes: list[tuple[str, str]]  # (code, title); NO_THEME last for entries without a theme
    dimensions: list[tuple[str, str]]
    by_theme_site: dict[tuple[str, int], int]
    # (dimension code, site id, learning type) → count, for barriers and enablers.
    by_dimension_site_type: dict[tuple[str, int, str], int]
    learning_type: LearningType | None
    _theme_and_site_totals: tuple[dict[str, int], dict[int, int]] | None = field(default=None, repr=False)

    def theme_total(self, theme_code: str) -> int:
        return self._totals()[0].get(theme_code, 0)

    def site_total(self, site_id: int) -> int:
        return self._totals()[1].get(site_id, 0)

    def _totals(self) -> tuple[dict[str, int], dict[int, int]]:
        if self._theme_and_site_totals is None:
            by_theme: dict[str, int] = defaultdict(int)
            by_site: dict[int, int] = defaultdict(int)
            for (code, site_id), count in self.by_theme_site.items():
                by_theme[code] += count
                by_site[site_id] += count
            self._theme_and_site_totals = (by_theme, by_site)
        return self._theme_and_site_totals

    @property
    def total(self) -> int:
        return sum(self.by_theme_site.values())


def learning_figures(session: Session, scope: Scope, learning_type: LearningType | None) -> LearningFigures:
    """Counts of learning entries by theme × site, and barriers and enablers by dimension × site, added up
    from the counts kept per return (models/summaries.py)."""
    kept = ReturnLearningCount
    condition = [scope.returns_condition(), kept.learning_dimension_id.is_(None)]
    if learning_type is not None:
        condition.append(kept.learning_type == learning_type.value)
    theme_code = func.coalesce(Theme.code, literal(NO_THEME))
    theme_rows = plain_rows(
        session,
        select(theme_code.label("theme_code"), SiteReturn.site_id, func.sum(kept.entries).label("entries"))
        .select_from(kept)
        .join(SiteReturn, SiteReturn.id == kept.site_return_id)
        .outerjoin(Theme, Theme.id == kept.theme_id)
        .where(*condition, *_theme_condition(scope))
        .group_by(theme_code, SiteReturn.site_id),
    )
    by_theme_site = {(row.theme_code, row.site_id): int(row.entries) for row in theme_rows}
    dimension_rows = plain_rows(
        session,
        select(
            LearningDimension.code,
            SiteReturn.site_id,
            kept.learning_type,
            func.sum(kept.entries).label("entries"),
        )
        .select_from(kept)
        .join(SiteReturn, SiteReturn.id == kept.site_return_id)
        .join(LearningDimension, LearningDimension.id == kept.learning_dimension_id)
        .outerjoin(Theme, Theme.id == kept.theme_id)
        .where(
            scope.returns_condition(),
            kept.learning_type.in_([LearningType.BARRIER.value, LearningType.ENABLER.value]),
            *_theme_condition(scope),
        )
        .group_by(LearningDimension.code, SiteReturn.site_id, kept.learning_type),
    )
    themes = _themes_in_scope(session, scope)
    if scope.theme_code is None:
        themes.append((NO_THEME, "No theme given"))
    return LearningFigures(
        themes=themes,
        dimensions=_dimensions_in_scope(session, scope),
        by_theme_site=by_theme_site,
        by_dimension_site_type={
            (row.code, row.site_id, row.learning_type): int(row.entries) for row in dimension_rows
        },
        learning_type=learning_type,
    )


def _theme_condition(scope: Scope) -> list[ColumnElement[bool]]:
    return [Theme.code == scope.theme_code] if scope.theme_code else []


def _themes_in_scope(session: Session, scope: Scope) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, title in plain_rows(
        session,
        select(Theme.code, Theme.title)
        .where(Theme.framework_version_id.in_(scope.version_ids()))
        .order_by(Theme.framework_version_id.desc(), Theme.position),
    ):
        if scope.theme_code is None or code == scope.theme_code:
            seen.setdefault(code, title)
    return list(seen.items())


def _dimensions_in_scope(session: Session, scope: Scope) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, name in plain_rows(
        session,
        select(LearningDimension.code, LearningDimension.name)
        .where(LearningDimension.framework_version_id.in_(scope.version_ids()))
        .order_by(LearningDimension.framework_version_id.desc(), LearningDimension.position),
    ):
        seen.setdefault(code, name)
    return list(seen.items())


@dataclass(frozen=True)
class LearningEntryRow:
    entry: LearningEntry
    site_name: str
    period_name: str


def learning_entries(
    session: Session,
    scope: Scope,
    *,
    learning_type: LearningType | None,
    theme_code: str | None,
    dimension_code: str | None,
    site_id: int | None,
    limit: int = 500,
) -> list[LearningEntryRow]:
    """The entries behind a cell of the learning matrix. Their text is record-level evidence, so a site
    lead reads their own site's entries only, whether or not cross-site sharing is on.

    Returns at most `limit` + 1 entries, newest first: one more than asked, so the page can say when
    there are more than it shows."""
    statement = (
        select(LearningEntry, Site.name, ReportingPeriod.name)
        .join(SiteReturn, SiteReturn.id == LearningEntry.site_return_id)
        .join(Site, Site.id == SiteReturn.site_id)
        .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
        .outerjoin(Theme, Theme.id == LearningEntry.theme_id)
        .where(scope.returns_condition())
        .order_by(ReportingPeriod.starts_on.desc(), Site.name, LearningEntry.id)
        .limit(limit + 1)
    )
    statement = scope_to_user(statement, scope.user, LearningEntry.site_id)
    if learning_type is not None:
        statement = statement.where(LearningEntry.learning_type == learning_type.value)
    if theme_code == NO_THEME:
        statement = statement.where(LearningEntry.theme_id.is_(None))
    elif theme_code:
        statement = statement.where(Theme.code == theme_code)
    if dimension_code:
        statement = statement.where(
            LearningEntry.id.in_(
                select(learning_entry_dimensions.c.learning_entry_id)
                .join(
                    LearningDimension,
                    LearningDimension.id == learning_entry_dimensions.c.learning_dimension_id,
                )
                .where(LearningDimension.code == dimension_code)
            )
        )
    if site_id is not None:
        statement = statement.where(SiteReturn.site_id == site_id)
    return [
        LearningEntryRow(entry, site_name, period_name)
        for entry, site_name, period_name in session.execute(statement)
    ]
