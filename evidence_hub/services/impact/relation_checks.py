"""The theory-of-change relations a framework version declares, checked against the sites' returns: a
return whose values break one (more job entries than clients engaged) is flagged on the dashboards and
needs a justification on entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import (
    FrameworkVersion,
    Indicator,
    MeasureValue,
    ReportingPeriod,
    ReturnActivityTotal,
    Site,
    SiteReturn,
)
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.framework.impact_settings import RelationDefinition, impact_settings
from evidence_hub.services.framework.reading.impact_section import PEOPLE_REACHED
from evidence_hub.services.impact.theory_of_change import (
    AtMost,
    BrokenRelation,
    RateOf,
    Relation,
    broken_relations,
)


def relations_of(version: FrameworkVersion) -> list[Relation]:
    """The version's declared relations, as the theory-of-change checks take them."""
    return [_relation(each) for each in impact_settings(version).relations]


def _relation(definition: RelationDefinition) -> Relation:
    if definition.kind == "at_most":
        return AtMost(definition.smaller, definition.larger)
    return RateOf(definition.rate, definition.numerator, definition.denominator, definition.multiplier)


def broken_in_values(version: FrameworkVersion, values: Mapping[str, Decimal | None]) -> list[BrokenRelation]:
    """The relations one return's values (by indicator code) break, named by the version's indicators."""
    names = {indicator.code: indicator.name for indicator in version.indicators}
    names[PEOPLE_REACHED] = "People reached by the return's activities"
    return broken_relations(relations_of(version), values, names)


@dataclass(frozen=True)
class RelationBreach:
    site: Site
    period: ReportingPeriod
    return_id: int
    message: str


def breaches_in_scope(session: Session, scope: Scope) -> list[RelationBreach]:
    """Every relation broken by a return in the dashboard scope, by site and period."""
    rows = session.execute(
        select(SiteReturn.id, SiteReturn.framework_version_id, Indicator.code, MeasureValue.value)
        .join(MeasureValue, MeasureValue.site_return_id == SiteReturn.id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .where(scope.returns_condition(), MeasureValue.value.is_not(None))
    ).all()
    values: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    version_of: dict[int, int] = {}
    for return_id, version_id, code, value in rows:
        values[return_id][code] = value
        version_of[return_id] = version_id
    reached = session.execute(
        select(ReturnActivityTotal.site_return_id, func.sum(ReturnActivityTotal.people_reached))
        .join(SiteReturn, SiteReturn.id == ReturnActivityTotal.site_return_id)
        .where(scope.returns_condition())
        .group_by(ReturnActivityTotal.site_return_id)
    ).all()
    for return_id, people in reached:
        if return_id in values:
            values[return_id][PEOPLE_REACHED] = Decimal(people or 0)
    if not values:
        return []
    versions = {
        version.id: version
        for version in session.scalars(
            select(FrameworkVersion).where(FrameworkVersion.id.in_(set(version_of.values())))
        )
    }
    returns = {
        each.id: each for each in session.scalars(select(SiteReturn).where(SiteReturn.id.in_(list(values))))
    }
    breaches = []
    for return_id, figures in values.items():
        site_return = returns[return_id]
        for broken in broken_in_values(versions[version_of[return_id]], figures):
            breaches.append(
                RelationBreach(site_return.site, site_return.reporting_period, return_id, broken.message)
            )
    return sorted(breaches, key=lambda each: (each.site.name, each.period.starts_on))


def broken_on_entry(
    version: FrameworkVersion,
    return_values: Mapping[str, Decimal | None],
    indicator_code: str,
    value: Decimal | None,
) -> list[str]:
    """What entering `value` for one indicator, beside the return's other values, breaks of the theory
    of change (only relations that involve that indicator): the entry needs a justification."""
    values = {**return_values, indicator_code: value}
    return [
        broken.message
        for broken in broken_in_values(version, values)
        if indicator_code in broken.indicator_codes
    ]
