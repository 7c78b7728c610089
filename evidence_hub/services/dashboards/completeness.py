"""The completeness view's figures: each return's state and how many of the items every return must report
it reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from evidence_hub.models import Site
from evidence_hub.models.framework import CollectionFrequency, Indicator
from evidence_hub.models.returns import ReturnStatus, SiteReturn, state_label
from evidence_hub.models.summaries import ReturnValuesReported
from evidence_hub.services.common.access import ROLES_SEEING_EVERY_SITE, may_see_site, scope_to_user
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows

EVERY_PERIOD = (CollectionFrequency.MONTHLY.value, CollectionFrequency.QUARTERLY.value)


@dataclass(frozen=True)
class CompletenessCell:
    return_id: int
    status: ReturnStatus
    # Approved by an evaluator, whatever the lock (a locked return may never have been approved).
    approved: bool
    items_required: int
    items_reported: int

    @property
    def state_label(self) -> str:
        return state_label(self.status, self.approved)

    @property
    def reported_percent(self) -> Decimal | None:
        return share(self.items_reported, self.items_required)

    @property
    def is_submitted(self) -> bool:
        return self.status is not ReturnStatus.DRAFT and self.status is not ReturnStatus.RETURNED


@dataclass
class CompletenessFigures:
    cells: dict[tuple[int, int], CompletenessCell]
    _item_totals: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict, repr=False)

    def returns_submitted_in_period(self, period_id: int, site_ids: Sequence[int]) -> int:
        return sum(
            1
            for site_id in site_ids
            if (cell := self.cells.get((site_id, period_id))) is not None and cell.is_submitted
        )

    def site_items(self, site_id: int) -> tuple[int, int]:
        """(Items reported, items required) over the site's returns."""
        return self._items_by("site").get(site_id, (0, 0))

    def period_items(self, period_id: int) -> tuple[int, int]:
        """(Items reported, items required) over the period's returns."""
        return self._items_by("period").get(period_id, (0, 0))

    def _items_by(self, key: str) -> dict[int, tuple[int, int]]:
        cached = self._item_totals.get(key)
        if cached is None:
            sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            for (site_id, period_id), cell in self.cells.items():
                total = sums[site_id if key == "site" else period_id]
                total[0] += cell.items_reported
                total[1] += cell.items_required
            cached = self._item_totals[key] = {each: (pair[0], pair[1]) for each, pair in sums.items()}
        return cached


def completeness_sites(scope: Scope) -> list[Site]:
    """Return states are a site's own business: a site lead sees their own row only, sharing or not."""
    if scope.user.role_enum in ROLES_SEEING_EVERY_SITE:
        return scope.sites
    return [site for site in scope.sites if may_see_site(scope.user, site.id)]


def completeness_figures(session: Session, scope: Scope) -> CompletenessFigures:
    """Each return's state and how many of its required items it reports, whatever its state.

    Required items: the indicators every return must report (monthly or quarterly ones) and the
    data-sharing milestone. An indicator counts as reported when the return gives a value for it.
    """
    required = (
        select(Indicator.framework_version_id, func.count().label("required"))
        .where(Indicator.frequency.in_(EVERY_PERIOD))
        .group_by(Indicator.framework_version_id)
        .subquery()
    )
    site_ids = [site.id for site in completeness_sites(scope)]
    in_view: list[ColumnElement[bool]] = [
        SiteReturn.reporting_period_id.in_(scope.period_ids),
        SiteReturn.site_id.in_(site_ids),
    ]
    if scope.version is not None:
        in_view.append(SiteReturn.framework_version_id == scope.version.id)
    # Values given are kept per return (models/summaries.py), read for the returns in view only.
    kept = ReturnValuesReported
    reported = (
        select(kept.site_return_id, func.sum(kept.values_reported).label("reported"))
        .where(
            kept.frequency.in_(EVERY_PERIOD),
            kept.site_return_id.in_(select(SiteReturn.id).where(*in_view)),
        )
        .group_by(kept.site_return_id)
        .subquery()
    )
    statement = (
        select(
            SiteReturn.id,
            SiteReturn.site_id,
            SiteReturn.reporting_period_id,
            SiteReturn.status,
            SiteReturn.approved_at.is_not(None).label("approved"),
            (func.coalesce(required.c.required, 0) + literal(1)).label("required"),
            (
                func.coalesce(reported.c.reported, 0)
                + case((SiteReturn.journey_milestone_id.is_not(None), 1), else_=0)
            ).label("reported"),
        )
        .outerjoin(required, required.c.framework_version_id == SiteReturn.framework_version_id)
        .outerjoin(reported, reported.c.site_return_id == SiteReturn.id)
        .where(*in_view)
    )
    rows = plain_rows(session, scope_to_user(statement, scope.user, SiteReturn.site_id)).all()
    # Every return in view, 14,000 at national scale: rows unpacked as tuples, states looked up once.
    statuses = {member.value: member for member in ReturnStatus}
    return CompletenessFigures(
        cells={
            (site_id, period_id): CompletenessCell(
                return_id=return_id,
                status=statuses[status],
                approved=bool(approved),
                items_required=int(required_items),
                items_reported=int(reported_items),
            )
            for return_id, site_id, period_id, status, approved, required_items, reported_items in rows
        }
    )
