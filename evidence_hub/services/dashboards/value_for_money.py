"""Value for money to Green Book standard, from the database: the approved returns in a scope, read through
the one access scope (`Scope.returns_condition`), turned into the appraisal's plain evidence and appraised
with the framework's parameters.

Every figure (net present value, benefit–cost ratio, return on investment, cost per person reached, per
outcome and per additional outcome, payback) is defined once, in services/appraisal; the dashboard, the
release's learning summary and the API all read the `ValueForMoney` this module builds.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import yaml
from sqlalchemy import BigInteger, Select, case, cast, func, select
from sqlalchemy.orm import Session

from evidence_hub.models import Site
from evidence_hub.models.framework import ActivityType, FrameworkStatus, FrameworkVersion, Indicator
from evidence_hub.models.returns import MeasureValue, SiteReturn
from evidence_hub.models.summaries import ReturnActivityTotal, ReturnCostSum, ReturnSavingTotal
from evidence_hub.models.summary_upkeep import COST_SUM_GROUPS
from evidence_hub.services.appraisal.appraisal import PROGRAMME_CODE, AppraisalError, ScopeAppraisal
from evidence_hub.services.appraisal.evidence import (
    NOT_YET_AVAILABLE,
    BenefitKind,
    CostLine,
    CostType,
    Funding,
    ImpactEstimate,
    NotYetAvailable,
    Period,
    PeriodEvidence,
    PilotEvidence,
    Reach,
    ReachCounting,
    SavingLine,
    SiteEvidence,
)
from evidence_hub.services.appraisal.parameters import ParameterProblems
from evidence_hub.services.appraisal.projection import (
    Projection,
    ProjectionProblems,
    ProjectionRequest,
    project,
)
from evidence_hub.services.appraisal.sensitivity import (
    AppraisalRange,
    SwitchingValues,
    appraisal_range,
    switching_values,
)
from evidence_hub.services.appraisal.settings import (
    AppraisalSettings,
    default_settings,
    settings_from_section,
)
from evidence_hub.services.common.money import pounds_from_attributable_units, pounds_from_pence
from evidence_hub.services.dashboards.appraisal_inputs import latest_area_sizes, with_uploaded_deflators
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.sql import plain_rows
from evidence_hub.services.framework.impact_settings import impact_settings
from evidence_hub.services.impact.site_estimates import impact_overview

# Returns do not yet record whether a saving is cashable: a claimed saving is counted as non-cashable
# (no budget released) unless shown otherwise, the cautious reading.
SAVINGS_DESCRIPTION = "Savings claimed by the site (not recorded as cashable, so counted as non-cashable)"
MEASURE_PLACES = Decimal("0.0001")
# Years of running the roll-out projection covers: set-up in year 0, running and benefits in years 0 to 4.
PROJECTION_YEARS = 5


@dataclass
class ValueForMoney:
    """The appraisal of a scope: low, central and high, with switching values for every site and for all
    sites together. `problems` is set (and the rest empty) when the parameters cannot appraise the
    evidence."""

    settings: AppraisalSettings
    evidence: PilotEvidence | None = None
    range: AppraisalRange | None = None
    switching: dict[str, SwitchingValues] = field(default_factory=dict)
    projection: Projection | None = None
    # Why there is no projection: no area sizes list yet, or what is wrong with it.
    projection_problems: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def programme(self) -> ScopeAppraisal | None:
        return self.range.central.programme if self.range else None

    @property
    def sites(self) -> tuple[ScopeAppraisal, ...]:
        return self.range.central.sites if self.range else ()

    def scopes(self) -> list[ScopeAppraisal]:
        """All sites together first, then each site."""
        return [self.range.central.programme, *self.range.central.sites] if self.range else []


def framework_settings(session: Session, scope: Scope) -> tuple[AppraisalSettings, list[str]]:
    """The appraisal settings of the framework version in view (the newest published one when the scope
    spans versions), with a note when its section cannot be read and the defaults stand in."""
    version = scope.version
    if version is None:
        version = session.scalars(
            select(FrameworkVersion)
            .where(
                FrameworkVersion.framework_id == scope.framework.id,
                FrameworkVersion.status != FrameworkStatus.DRAFT.value,
            )
            .order_by(FrameworkVersion.version.desc())
            .limit(1)
        ).first()
    if version is None:
        return default_settings(), []
    settings, problem = _settings_of_text(version.source_sha256, version.source_yaml)
    if problem:
        return settings, [
            f"Version {version.version}'s appraisal section could not be read ({problem}); the service's "
            "default parameters are used instead."
        ]
    return settings, []


@functools.lru_cache(maxsize=16)
def _settings_of_text(_sha256: str, text: str) -> tuple[AppraisalSettings, str]:
    """Parsed once per framework file (keyed by its checksum): parsing the YAML took most of a request."""
    try:
        data = yaml.safe_load(text) or {}
        section = data.get("appraisal") if isinstance(data, dict) else None
        return settings_from_section(section), ""
    except (ParameterProblems, yaml.YAMLError) as error:
        return default_settings(), str(error)


def pilot_evidence(session: Session, scope: Scope, settings: AppraisalSettings) -> PilotEvidence:
    """The approved returns in the scope as the appraisal's plain evidence. A site with no approved return
    for a period has no entry for it: "no return", never 0."""
    condition = (scope.returns_condition(), SiteReturn.approved_at.is_not(None))
    returns = plain_rows(
        session,
        select(SiteReturn.id, SiteReturn.site_id, SiteReturn.reporting_period_id).where(*condition),
    ).all()
    periods = {period.id: period.code for period in scope.periods}
    where: dict[int, tuple[int, str]] = {
        return_id: (site_id, periods[period_id]) for return_id, site_id, period_id in returns
    }
    # Rows are fetched all at once and unpacked as tuples: there are tens of thousands of them, and row by
    # row fetching with attribute look-ups was most of this function's time.
    returns_in_scope = select(SiteReturn.id).where(*condition)
    costs = _costs_by_return(session, returns_in_scope)
    savings: dict[int, list[SavingLine]] = defaultdict(list)
    for return_id, amount_pence in plain_rows(
        session,
        select(ReturnSavingTotal.site_return_id, ReturnSavingTotal.amount_pence)
        .join(SiteReturn, SiteReturn.id == ReturnSavingTotal.site_return_id)
        .where(*condition),
    ).all():
        if amount_pence:
            savings[return_id].append(
                SavingLine(pounds_from_pence(amount_pence), False, BenefitKind.FISCAL, SAVINGS_DESCRIPTION)
            )
    reach = _reach_by_return(session, returns_in_scope, scope.version_ids(), settings)
    outcomes: dict[int, dict[str, Decimal | NotYetAvailable]] = defaultdict(dict)
    valued = [outcome.code for outcome in settings.parameters.outcomes]
    for return_id, code, value, not_available_reason in plain_rows(
        session,
        select(
            MeasureValue.site_return_id, Indicator.code, MeasureValue.value, MeasureValue.not_available_reason
        )
        .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
        .join(Indicator, Indicator.id == MeasureValue.indicator_id)
        .where(*condition, Indicator.code.in_(valued)),
    ).all():
        if value is not None:
            outcomes[return_id][code] = Decimal(value).quantize(MEASURE_PLACES)
        elif not_available_reason:
            outcomes[return_id][code] = NOT_YET_AVAILABLE
    by_site: dict[int, dict[str, PeriodEvidence]] = defaultdict(dict)
    for return_id, (site_id, period_code) in where.items():
        by_site[site_id][period_code] = PeriodEvidence(
            costs=costs.get(return_id, ()),
            savings=tuple(savings.get(return_id, ())),
            reach=tuple(reach.get(return_id, ())),
            outcomes=outcomes.get(return_id, {}),
        )
    return PilotEvidence(
        periods=tuple(
            Period(period.code, period.name, period.starts_on, period.ends_on) for period in scope.periods
        ),
        sites=tuple(SiteEvidence(site.code, site.name, by_site.get(site.id, {})) for site in scope.sites),
    )


def _costs_by_return(session: Session, returns: Select[int]) -> dict[int, tuple[CostLine, ...]]:
    """Each return's costs, a line for each cost type and funding it has."""
    # The row kept for each return over every category, a column for each cost type and funding (NULL where
    # the return has none). Returns as a subquery rather than a join: SQLite then reads each return's row
    # by its key instead of scanning them all.
    # In the order the appraisal has always added a return's lines up: by type, then funding.
    groups = sorted(
        (
            (CostType(cost_type.value), Funding(funding.value), getattr(ReturnCostSum, column))
            for column, cost_type, funding in COST_SUM_GROUPS
        ),
        key=lambda group: (group[0], group[1]),
    )
    rows = plain_rows(
        session,
        select(ReturnCostSum.site_return_id, *(column for _type, _funding, column in groups)).where(
            ReturnCostSum.site_return_id.in_(returns)
        ),
    ).all()
    return {
        return_id: tuple(
            [
                CostLine(pounds_from_attributable_units(amount), cost_type, funding)
                for (cost_type, funding, _column), amount in zip(groups, units, strict=True)
                if amount is not None
            ]
        )
        for return_id, *units in rows
    }


def _reach_by_return(
    session: Session, returns: Select[int], version_ids: list[int], settings: AppraisalSettings
) -> dict[int, list[Reach]]:
    """Each return's reach, an entry for each way of counting its activities use (see `Reach`)."""
    # One row a return: for each way of counting, the people reached by the activities whose type counts
    # that way, and how many activities gave no count. A row an activity type gave six times the rows (and
    # Reach objects) for figures that only add them up.
    # Activity types are grouped by way of counting here, so the database tests each total's type id
    # against a list rather than joining every total to its type and comparing codes (half the time on
    # both engines).
    type_ids: dict[ReachCounting, list[int]] = defaultdict(list)
    for type_id, code in plain_rows(
        session,
        select(ActivityType.id, ActivityType.code).where(ActivityType.framework_version_id.in_(version_ids)),
    ).all():
        type_ids[settings.counting(code)].append(type_id)
    if not type_ids:
        return {}
    rows = plain_rows(
        session,
        select(
            ReturnActivityTotal.site_return_id,
            *(
                cast(
                    func.sum(case((ReturnActivityTotal.activity_type_id.in_(type_ids[counting]), column))),
                    BigInteger,
                )
                for counting in ReachCounting
                for column in (ReturnActivityTotal.people_reached, ReturnActivityTotal.without_reach)
            ),
        )
        .where(ReturnActivityTotal.site_return_id.in_(returns))
        .group_by(ReturnActivityTotal.site_return_id),
    ).all()
    countings = list(ReachCounting)
    reach: dict[int, list[Reach]] = {}
    for return_id, *sums in rows:
        entries = reach[return_id] = []
        for counting, people, without in zip(countings, sums[0::2], sums[1::2], strict=True):
            if people is not None:
                entries.append(Reach("", people, counting))
            if without:
                entries += [Reach("", None, counting)] * without
    return reach


def pooled_impacts(
    session: Session, scope: Scope, settings: AppraisalSettings
) -> tuple[list[ImpactEstimate], list[str]]:
    """The impact pooling's estimate (services/impact) as the additional share of a valued outcome.

    The pooling estimates how far a rate (such as job entries per 100 clients engaged) differs from
    comparison areas; the framework's theory of change says the rate is an outcome ÷ another × 100. The
    additional share is that difference ÷ the pilots' own rate over the approved returns in view, and its
    prediction interval feeds the low and high estimates. None where nothing is pooled."""
    overview = impact_overview(session, scope)
    if overview is None or not overview.pooled.is_pooled or overview.pooled.estimate is None:
        return [], []
    relation = next(
        (
            each
            for each in impact_settings(overview.version).relations
            if each.kind == "rate"
            and each.rate == overview.indicator_code
            and settings.parameters.outcome(each.numerator) is not None
        ),
        None,
    )
    if relation is None:
        return [], []
    totals = {
        row.code: row.total
        for row in plain_rows(
            session,
            select(Indicator.code, func.sum(MeasureValue.value).label("total"))
            .join(Indicator, Indicator.id == MeasureValue.indicator_id)
            .join(SiteReturn, SiteReturn.id == MeasureValue.site_return_id)
            .where(
                scope.returns_condition(),
                SiteReturn.approved_at.is_not(None),
                Indicator.code.in_([relation.numerator, relation.denominator]),
            )
            .group_by(Indicator.code),
        )
    }
    numerator, denominator = totals.get(relation.numerator), totals.get(relation.denominator)
    if not numerator or not denominator:
        return [], []
    # SQLite sums a numeric column as a float: back to the four places the values are held to.
    treated = (
        Decimal(str(numerator)).quantize(MEASURE_PLACES)
        / Decimal(str(denominator)).quantize(MEASURE_PLACES)
        * relation.multiplier
    )
    pooled = overview.pooled
    interval = (
        (Decimal(str(pooled.prediction_low)), Decimal(str(pooled.prediction_high)))
        if pooled.prediction_low is not None and pooled.prediction_high is not None
        else None
    )
    estimate = ImpactEstimate.from_rate_difference(
        relation.numerator,
        treated,
        Decimal(str(pooled.estimate)),
        f"The {overview.pooled_label} in {overview.indicator_name} across {len(pooled.sites)} sites "
        f"({pooled.estimate:.2f}) ÷ the pilots' own rate over the approved returns in view "
        f"({treated.quantize(Decimal('0.01'))})",
        interval,
    )
    if not 0 <= estimate.additional_percent <= 100:
        return [], [
            f"The impact pooling's estimate gives an additional share of {estimate.additional_percent:.1f}%, "
            "outside 0% to 100%, so the framework's deadweight assumption is used instead."
        ]
    return [estimate], []


def value_for_money(
    session: Session, scope: Scope, impacts: Sequence[ImpactEstimate] | None = None
) -> ValueForMoney:
    """The Green Book appraisal of the scope: low, central and high, and switching values.

    `impacts` are impact estimates by outcome; unless given, the impact pooling's estimate is used where
    there is one (`pooled_impacts`). Where one exists, cost per additional outcome and the outcome's
    benefits use it in place of the framework's deadweight assumption, and the workings say which."""
    settings, notes = framework_settings(session, scope)
    if impacts is None:
        impacts, impact_notes = pooled_impacts(session, scope, settings)
        notes = notes + impact_notes
    parameters, deflator_notes = with_uploaded_deflators(session, scope.framework, settings.parameters)
    settings = replace(settings, parameters=parameters)
    result = ValueForMoney(settings=settings, notes=notes + deflator_notes)
    if not scope.periods:
        result.problems = ["There are no reporting periods in view."]
        return result
    evidence = pilot_evidence(session, scope, settings)
    result.evidence = evidence
    try:
        result.range = appraisal_range(evidence, settings.parameters, impacts)
    except AppraisalError as error:
        result.problems = list(error.problems)
        return result
    # A scope with no approved return has no switching value: it shows "no return".
    result.switching = {each.code: switching_values(each) for each in result.scopes() if each.returns}
    result.projection, result.projection_problems = _projection(session, scope, result.range)
    if not settings.declared:
        result.notes.append(
            "The framework has no appraisal section: the service's default Green Book parameters are used, "
            "and every activity counts attendances, so no one is counted as a person reached."
        )
    return result


def _projection(
    session: Session, scope: Scope, appraisals: AppraisalRange
) -> tuple[Projection | None, list[str]]:
    """The roll-out projection to every area in the framework's area sizes list that is not a pilot site,
    scaled by each area's size against the pilot sites' in view."""
    sizes = latest_area_sizes(session, scope.framework)
    if sizes is None:
        return None, [
            "No area sizes list has been uploaded for this framework, so the roll-out cannot be scaled to "
            "other areas."
        ]
    in_view = {site.code for site in scope.sites}
    # Every pilot site is left out of the areas projected to, in view or not: a site lead without
    # cross-site sharing never sees another site named.
    sites = set(session.scalars(select(Site.code)))
    request = ProjectionRequest(
        measure=sizes.measure,
        pilot_sizes={area.code: area.size for area in sizes.areas if area.code in in_view},
        areas=tuple(area for area in sizes.areas if area.code not in sites),
        years=PROJECTION_YEARS,
    )
    try:
        return project(request, appraisals), []
    except ProjectionProblems as error:
        return None, list(error.problems)


__all__ = ["PROGRAMME_CODE", "ValueForMoney", "framework_settings", "pilot_evidence", "value_for_money"]
