"""The data-sharing journey view's figures: each site's milestone over time and its data-flow register."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import Site
from evidence_hub.models.framework import JourneyMilestone
from evidence_hub.models.returns import DataFlow, SiteReturn
from evidence_hub.services.common.access import scope_to_user
from evidence_hub.services.dashboards.ratios import divide
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows


@dataclass(frozen=True)
class MilestonePoint:
    site_id: int
    period_id: int
    percentage: int | None
    title: str | None


def journey_points(session: Session, scope: Scope) -> list[MilestonePoint]:
    rows = plain_rows(
        session,
        select(
            SiteReturn.site_id,
            SiteReturn.reporting_period_id,
            JourneyMilestone.percentage,
            JourneyMilestone.title,
        )
        .outerjoin(JourneyMilestone, JourneyMilestone.id == SiteReturn.journey_milestone_id)
        .where(scope.returns_condition()),
    )
    order = {period.id: index for index, period in enumerate(scope.periods)}
    # Rows unpacked as tuples: a national view has a point for every site and period.
    return sorted(
        (
            MilestonePoint(site_id, period_id, percentage, title)
            for site_id, period_id, percentage, title in rows.all()
        ),
        key=lambda point: (point.site_id, order[point.period_id]),
    )


@dataclass(frozen=True)
class DataFlowSummary:
    flows: int
    requested: int
    approved: int
    received: int
    mean_days_to_approval: Decimal | None
    longest_days_to_approval: int | None


def _days_between(session: Session, earlier: Any, later: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier


def data_flow_summaries(session: Session, scope: Scope) -> dict[int, DataFlowSummary]:
    """The data-flow register by site: how many flows were requested, approved and received, and how
    long approval took. Data flows are a site's own register, so a site lead sees their own only."""
    days = _days_between(session, DataFlow.requested_on, DataFlow.approved_on)
    statement = (
        select(
            DataFlow.site_id,
            func.count().label("flows"),
            func.count(DataFlow.requested_on).label("requested"),
            func.count(DataFlow.approved_on).label("approved"),
            func.count(DataFlow.received_on).label("received"),
            func.sum(days).label("total_days"),
            func.max(days).label("longest_days"),
        )
        .where(DataFlow.site_id.in_(scope.site_ids))
        .group_by(DataFlow.site_id)
    )
    summaries = {}
    for row in plain_rows(session, scope_to_user(statement, scope.user, DataFlow.site_id)):
        total_days = Decimal(int(row.total_days)) if row.total_days is not None else None
        summaries[row.site_id] = DataFlowSummary(
            flows=int(row.flows),
            requested=int(row.requested),
            approved=int(row.approved),
            received=int(row.received),
            mean_days_to_approval=divide(total_days, row.approved) if total_days is not None else None,
            longest_days_to_approval=int(row.longest_days) if row.longest_days is not None else None,
        )
    return summaries


def data_flows(session: Session, scope: Scope) -> list[tuple[DataFlow, str]]:
    """Every data flow of the sites in view: a few per site, so the whole register is listed."""
    statement = (
        select(DataFlow, Site.name)
        .join(Site, Site.id == DataFlow.site_id)
        .where(DataFlow.site_id.in_(scope.site_ids))
        # Flows not yet requested last, on both engines.
        .order_by(Site.name, DataFlow.requested_on.is_(None), DataFlow.requested_on, DataFlow.id)
    )
    return [
        (flow, name) for flow, name in session.execute(scope_to_user(statement, scope.user, DataFlow.site_id))
    ]


def days_to_approval(flow: DataFlow) -> int | None:
    if flow.requested_on is None or flow.approved_on is None:
        return None
    return (flow.approved_on - flow.requested_on).days
