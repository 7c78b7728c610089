"""Each pilot site's impact estimate and the pooled estimate across sites, from the comparison areas and
series held, for the sites a user may see: the one module every page, download and the API read them
from, so a figure is worked out in one place.

`impact_overview` gives every site in a dashboard scope for one indicator; `impact_estimate_for` gives
one site's (for value-for-money appraisal and the API). What a figure may be called (causal words or
"change from baseline, not an estimate of impact") comes from `estimates.figure_label`, with the
evaluator's own rating on the framework's scale and the indicator's minimum level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from evidence_hub.formatting import date_uk
from evidence_hub.models import AreaRole, Framework, FrameworkVersion, ImpactArea, Site, User
from evidence_hub.models.periods import PeriodKind
from evidence_hub.services.dashboards.scope import Scope, visible_sites
from evidence_hub.services.framework.impact_settings import impact_settings
from evidence_hub.services.framework.periods import period_dates
from evidence_hub.services.impact.comparisons import (
    areas_of,
    comparison_indicators,
    figures_not_counted,
    first_pilot_quarter,
    impact_version,
    pilot_quarters,
    ratings_of,
    series_of,
    series_quarters,
)
from evidence_hub.services.impact.estimates import (
    CHANGE_FROM_BASELINE_LABEL,
    AreaSeries,
    ImpactEstimate,
    Panel,
    causal_words_allowed,
    estimate_impact,
    figure_label,
)
from evidence_hub.services.impact.pooling import PooledEstimate, pool_estimates

# Maryland Scientific Methods Scale level a difference-in-differences with a passed pre-trend check
# qualifies for.
MARYLAND_DID_LEVEL = 3
POOLED_EFFECT_LABEL = "pooled estimated effect of the pilot"
POOLED_NEUTRAL_LABEL = "pooled difference from comparison areas"

METHODOLOGY = (
    "Each pilot site is compared with comparison areas (local authorities that did not take part), named "
    "by the evaluator. The estimate is a difference-in-differences: the site's change from the quarters "
    "before the pilot to the quarters since, less its comparison areas' change over the same quarters, "
    "from a two-way fixed effects regression (statsmodels) with a 95% confidence interval.",
    "A pre-trend check repeats the estimate on the quarters before the pilot only, pretending the pilot "
    "began half way through them: a clear 'effect' there means the site was already moving apart from "
    "its comparison areas, and the estimate may reflect that.",
    "Sites' estimates are pooled with a random-effects meta-analysis (DerSimonian and Laird). The "
    "prediction interval is the range of effects to expect in a new area: plan a roll-out on it.",
    "Where there is no comparison, only the site's own change is shown, labelled 'change from baseline, "
    "not an estimate of impact'. Words such as impact and effect are used only of estimates the "
    "evaluator has rated at or above the framework's minimum level of evidence.",
)


@dataclass(frozen=True)
class AreaShown:
    code: str
    name: str
    role: AreaRole
    # How the indicator is observed in the area (empty where the evaluator did not say).
    how_observed: str


@dataclass(frozen=True)
class Provenance:
    """Where an area's figures come from: the source and the dates they were extracted."""

    area_code: str
    area_name: str
    source: str
    extracted_first: date
    extracted_last: date
    figures: int

    @property
    def extracted(self) -> str:
        """When the figures were extracted, as people read dates: "14 July 2009 to 3 May 2011"."""
        first, last = date_uk(self.extracted_first), date_uk(self.extracted_last)
        return first if first == last else f"{first} to {last}"

    @property
    def extracted_iso(self) -> str:
        """The same in ISO dates, for files meant for machines (the CSV data pack)."""
        first, last = self.extracted_first.isoformat(), self.extracted_last.isoformat()
        return first if first == last else f"{first} to {last}"


@dataclass(frozen=True)
class SiteImpact:
    """One site's figure for one indicator and everything it rests on."""

    site: Site
    indicator_code: str
    indicator_name: str
    estimate: ImpactEstimate
    site_area: AreaShown | None
    comparison_areas: tuple[AreaShown, ...]
    provenance: tuple[Provenance, ...]
    first_pilot_quarter: str
    # The chart's quarters, and the figures held for the site's area and each comparison area.
    quarters: tuple[str, ...]
    site_values: dict[str, Decimal]
    comparison_values: dict[str, dict[str, Decimal]]
    rated_level: int | None
    rated_title: str
    rating_rationale: str
    minimum_level: int | None
    scale_name: str
    label: str
    causal_words: bool
    rating_warning: str | None
    # Figures a site gave that wait for an evaluator (acceptance, or approval of their return): held, shown
    # to the evaluator, but not in the estimate.
    figures_not_counted: int = 0

    @property
    def is_estimate(self) -> bool:
        return self.estimate.is_estimate

    @property
    def comparison_mean(self) -> dict[str, Decimal]:
        """The comparison areas' average, each counting equally, in quarters every one has a figure."""
        areas = list(self.comparison_values.values())
        if not areas:
            return {}
        return {
            quarter: sum((area[quarter] for area in areas), Decimal(0)) / len(areas)
            for quarter in self.quarters
            if all(quarter in area for area in areas)
        }


@dataclass(frozen=True)
class ImpactOverview:
    framework: Framework
    version: FrameworkVersion
    indicator_code: str
    indicator_name: str
    indicators: list[tuple[str, str]]
    scale_name: str
    first_pilot_quarter: str
    sites: tuple[SiteImpact, ...]
    pooled: PooledEstimate
    pooled_label: str
    # The pilot quarters the estimates rest on (after the quarters before the pilot): all of them unless
    # the dashboard's filters chose fewer.
    pilot_window: tuple[str, ...] = ()
    methodology: tuple[str, ...] = METHODOLOGY

    @property
    def window_text(self) -> str:
        """'2009-Q2 to 2011-Q1', the pilot quarters in the estimates."""
        if not self.pilot_window:
            return ""
        first, last = self.pilot_window[0], self.pilot_window[-1]
        return first if first == last else f"{first} to {last}"


def impact_overview(
    session: Session, scope: Scope, indicator_code: str | None = None
) -> ImpactOverview | None:
    """Every site in the scope's estimate for one indicator (the first compared one unless chosen), and
    the pooled estimate, over the pilot quarters of the scope's periods; None when the framework has no
    published version or no quarters yet."""
    chosen_quarters = [
        period_dates(PeriodKind.QUARTER, period.starts_on)[0]
        for period in scope.periods
        if period.kind == PeriodKind.QUARTER
    ]
    return overview_for_sites(
        session, scope.framework, scope.sites, indicator_code, scope.version, chosen_quarters
    )


def overview_for_sites(
    session: Session,
    framework: Framework,
    sites: Sequence[Site],
    indicator_code: str | None = None,
    version: FrameworkVersion | None = None,
    chosen_quarters: Sequence[str] | None = None,
) -> ImpactOverview | None:
    """The same for sites already narrowed to what the user may see (through the dashboard scope).

    With `chosen_quarters`, the estimates compare the quarters before the pilot with the chosen pilot
    quarters only (the effect in that window); pilot quarters outside it are left out of both sides."""
    version = version or impact_version(framework)
    first = first_pilot_quarter(framework)
    if version is None or first is None:
        return None
    pilot = pilot_quarters(framework)
    window = [quarter for quarter in pilot if chosen_quarters is None or quarter in set(chosen_quarters)]
    if not window:
        window = pilot
    indicators = comparison_indicators(version)
    if not indicators:
        return None
    chosen = next((each for each in indicators if each[0] == indicator_code), indicators[0])
    settings = impact_settings(version)
    scale = next((each for each in version.evidence_scales if each.code == settings.evidence_scale), None)
    site_impacts = tuple(_site_impacts(session, framework, version, list(sites), chosen, first, window))
    pooled = pool_estimates([each.estimate for each in site_impacts])
    allowed = bool(site_impacts) and all(each.causal_words for each in site_impacts if each.is_estimate)
    return ImpactOverview(
        framework=framework,
        version=version,
        indicator_code=chosen[0],
        indicator_name=chosen[1],
        indicators=indicators,
        scale_name=scale.name if scale is not None else "",
        first_pilot_quarter=first,
        sites=site_impacts,
        pooled=pooled,
        pooled_label=POOLED_EFFECT_LABEL if pooled.is_pooled and allowed else POOLED_NEUTRAL_LABEL,
        pilot_window=tuple(window),
    )


def impact_estimate_for(
    session: Session, user: User, framework: Framework, site: Site, indicator_code: str
) -> SiteImpact | None:
    """The impact estimate for one site and indicator, if the user may see the site and the framework
    compares the indicator; read `.is_estimate` before using it as impact (else it is a change from
    baseline, `.label` says which)."""
    if site.id not in {each.id for each in visible_sites(session, user, framework)}:
        return None
    overview = overview_for_sites(session, framework, [site], indicator_code)
    if overview is None or overview.indicator_code != indicator_code or not overview.sites:
        return None
    return overview.sites[0]


def _site_impacts(
    session: Session,
    framework: Framework,
    version: FrameworkVersion,
    sites: list[Site],
    indicator: tuple[str, str],
    first: str,
    window: Sequence[str],
) -> list[SiteImpact]:
    indicator_code, indicator_name = indicator
    pilot = set(pilot_quarters(framework))
    # The quarters before the pilot stay whole: they are the baseline every window is compared with.
    quarters = [
        quarter for quarter in series_quarters(framework) if quarter not in pilot or quarter in window
    ]
    areas_by_site: dict[int, list[ImpactArea]] = defaultdict(list)
    for area in areas_of(session, version, sites):
        areas_by_site[area.site_id].append(area)
    all_codes = [area.area_code for areas in areas_by_site.values() for area in areas]
    values: dict[str, dict[str, Decimal]] = defaultdict(dict)
    provenance: dict[tuple[str, str], list[date]] = defaultdict(list)
    names: dict[str, str] = {}
    for figure in series_of(session, version, all_codes, indicator_code):
        values[figure.area_code][figure.period_code] = figure.value
        provenance[(figure.area_code, figure.source)].append(figure.extracted_on)
        names[figure.area_code] = figure.area_name
    not_counted = figures_not_counted(session, version, all_codes, indicator_code)
    ratings = {
        rating.site_id: rating
        for rating in ratings_of(session, version, sites)
        if rating.indicator_code == indicator_code
    }
    settings = impact_settings(version)
    indicator_row = next((each for each in version.indicators if each.code == indicator_code), None)
    minimum = indicator_row.minimum_evidence_level if indicator_row is not None else None
    minimum_level = (
        minimum.level if minimum is not None and minimum.scale.code == settings.evidence_scale else None
    )
    scale = next((each for each in version.evidence_scales if each.code == settings.evidence_scale), None)

    results = []
    for site in sites:
        areas = areas_by_site.get(site.id, [])
        own = next((area for area in areas if area.role_enum is AreaRole.PILOT_SITE), None)
        comparisons = [area for area in areas if area.role_enum is AreaRole.COMPARISON]
        observed = [area for area in comparisons if _how(area, indicator_code) is not None]
        panel = Panel(
            indicator_code=indicator_code,
            periods=quarters,
            first_pilot_period=window[0],
            site=AreaSeries(
                own.area_code if own else site.code, site.name, values.get(own.area_code, {}) if own else {}
            ),
            comparisons=[
                AreaSeries(area.area_code, area.area_name, values.get(area.area_code, {}))
                for area in observed
            ],
        )
        estimate = estimate_impact(panel)
        if own is None:
            estimate = replace(
                estimate,
                not_estimated_reason=(
                    f"The evaluator has not named {site.name}'s own area (its GSS code), so its series "
                    "cannot be found."
                ),
            )
        rating = ratings.get(site.id)
        rated_level = rating.evidence_level.level if rating is not None else None
        shown_codes = [own.area_code] if own else []
        shown_codes += [area.area_code for area in observed]
        results.append(
            SiteImpact(
                site=site,
                indicator_code=indicator_code,
                indicator_name=indicator_name,
                estimate=estimate,
                site_area=AreaShown(own.area_code, own.area_name, AreaRole.PILOT_SITE, "") if own else None,
                comparison_areas=tuple(
                    AreaShown(
                        area.area_code, area.area_name, AreaRole.COMPARISON, _how(area, indicator_code) or ""
                    )
                    for area in observed
                ),
                provenance=tuple(
                    Provenance(code, names.get(code, code), source, min(days), max(days), len(days))
                    for (code, source), days in sorted(provenance.items())
                    if code in shown_codes
                ),
                first_pilot_quarter=first,
                quarters=tuple(quarters),
                site_values=dict(values.get(own.area_code, {})) if own else {},
                comparison_values={area.area_code: dict(values.get(area.area_code, {})) for area in observed},
                rated_level=rated_level,
                rated_title=rating.evidence_level.title if rating is not None else "",
                rating_rationale=rating.rationale if rating is not None else "",
                minimum_level=minimum_level,
                scale_name=scale.name if scale is not None else "",
                label=figure_label(estimate, rated_level, minimum_level),
                causal_words=causal_words_allowed(estimate, rated_level, minimum_level),
                rating_warning=_rating_warning(estimate, rated_level, settings.evidence_scale),
                figures_not_counted=sum(not_counted.get(code, 0) for code in shown_codes),
            )
        )
    return results


def _how(area: ImpactArea, indicator_code: str) -> str | None:
    """How the indicator is observed in the area; None when it is not."""
    return next(
        (each.how_observed for each in area.observations if each.indicator_code == indicator_code), None
    )


def _rating_warning(estimate: ImpactEstimate, rated_level: int | None, scale_code: str) -> str | None:
    if rated_level is None:
        return "The evaluator has not rated this evidence yet, so it is not described as impact."
    if scale_code != "maryland" or rated_level < MARYLAND_DID_LEVEL:
        return None
    if not estimate.is_estimate:
        return (
            f"Rated level {rated_level}, but there is no difference-in-differences estimate: "
            f"a change from baseline supports level 2 at most."
        )
    if not estimate.pre_trend.passed and rated_level >= MARYLAND_DID_LEVEL:
        return (
            f"Rated level {rated_level}, but the pre-trend check did not pass: a difference-in-differences "
            f"qualifies for level {MARYLAND_DID_LEVEL} only with a passed check."
        )
    return None


__all__ = [
    "CHANGE_FROM_BASELINE_LABEL",
    "ImpactOverview",
    "SiteImpact",
    "impact_estimate_for",
    "impact_overview",
    "overview_for_sites",
]
