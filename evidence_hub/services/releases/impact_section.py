"""The impact section of a release: each site's estimate against its comparison areas and the pooled
estimate, frozen with the release from the same figures the Impact view shows (services/impact), with
the methodology and caveats, for the learning summary (page, PDF, DOCX), the data pack and the API.

The wording follows one rule: "impact" and "effect" only of an estimate rated at or above the
framework's minimum; otherwise a neutral name, and a change from baseline is always called "change from
baseline, not an estimate of impact".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.models import Framework, FrameworkVersion, Site
from evidence_hub.services.impact.estimates import CHANGE_FROM_BASELINE_LABEL
from evidence_hub.services.impact.site_estimates import ImpactOverview, SiteImpact, overview_for_sites

IMPACT_TABLE_CODE = "impact_estimates"
# Estimates are rates and differences from published statistics, not counts of people: disclosure
# control's small-count suppression does not apply to them, and the release says so.
DISCLOSURE_NOTE = (
    "The impact estimates are differences between rates from published statistics, not counts of people, "
    "so small-count suppression does not apply to them."
)


def _figure(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def impact_section(
    session: Session, framework: Framework, version: FrameworkVersion | None, sites: Sequence[Site]
) -> dict[str, Any] | None:
    """The release's impact section as plain JSON data; None when the framework compares nothing."""
    overview = overview_for_sites(session, framework, sites, None, version)
    if overview is None:
        return None
    return section_from(overview)


def section_from(overview: ImpactOverview) -> dict[str, Any]:
    pooled = overview.pooled
    return {
        "indicator_code": overview.indicator_code,
        "indicator": overview.indicator_name,
        "first_pilot_quarter": overview.first_pilot_quarter,
        "scale": overview.scale_name,
        "sites": [_site(each) for each in overview.sites],
        "pooled": {
            "is_pooled": pooled.is_pooled,
            "label": overview.pooled_label,
            "estimate": _figure(pooled.estimate),
            "ci_low": _figure(pooled.ci_low),
            "ci_high": _figure(pooled.ci_high),
            "prediction_low": _figure(pooled.prediction_low),
            "prediction_high": _figure(pooled.prediction_high),
            "tau": _figure(pooled.tau),
            "i_squared": _figure(pooled.i_squared),
            "not_pooled_reason": pooled.not_pooled_reason,
            "warnings": list(pooled.warnings),
        },
        "methodology": list(overview.methodology),
        "caveats": [*pooled.caveats, DISCLOSURE_NOTE] if pooled.is_pooled else [DISCLOSURE_NOTE],
    }


def _site(each: SiteImpact) -> dict[str, Any]:
    estimate = each.estimate
    change = estimate.before_and_after
    return {
        "site_code": each.site.code,
        "site": each.site.name,
        "label": each.label,
        "is_estimate": each.is_estimate,
        "causal": each.causal_words,
        "estimate": _figure(estimate.estimate),
        "ci_low": _figure(estimate.ci_low),
        "ci_high": _figure(estimate.ci_high),
        "change_from_baseline": None if change is None else f"{change.change:.2f}",
        "pre_trend": estimate.pre_trend.outcome.value,
        "pre_trend_message": estimate.pre_trend.message,
        "comparison_areas": [f"{area.name} ({area.code})" for area in each.comparison_areas],
        "rating": f"{each.scale_name} level {each.rated_level}" if each.rated_level else None,
        "not_estimated_reason": estimate.not_estimated_reason,
        "warnings": [*estimate.warnings, *([each.rating_warning] if each.rating_warning else [])],
        # The data pack's CSV keeps ISO dates for machines; the PDF and DOCX read dates as people do.
        "sources": [
            f"{item.area_name} ({item.area_code}): {item.source}, extracted {item.extracted_iso}"
            for item in each.provenance
        ],
        "sources_in_words": [
            f"{item.area_name} ({item.area_code}): {item.source}, extracted {item.extracted}"
            for item in each.provenance
        ],
    }


def site_sentence(site: dict[str, Any]) -> str:
    """One site's figure in words, with the name its rating allows."""
    label = str(site["label"])
    if site["is_estimate"]:
        check = str(site["pre_trend"]).replace("_", " ")
        return (
            f"{site['site']}: {label} {float(site['estimate']):+.2f} (95% confidence interval "
            f"{site['ci_low']} to {site['ci_high']}); pre-trend check {check}."
        )
    if site["change_from_baseline"] is not None:
        return f"{site['site']}: {float(site['change_from_baseline']):+.2f}, {CHANGE_FROM_BASELINE_LABEL}."
    return f"{site['site']}: no figure. {site['not_estimated_reason'] or ''}".strip()


def pooled_sentence(pooled: dict[str, Any]) -> str:
    if not pooled["is_pooled"]:
        return str(pooled["not_pooled_reason"])
    return (
        f"All sites: {pooled['label']} {float(pooled['estimate']):+.2f} (95% confidence interval "
        f"{pooled['ci_low']} to {pooled['ci_high']}); in a new area, expect between "
        f"{pooled['prediction_low']} and {pooled['prediction_high']} (95% prediction interval)."
    )


def key_point(section: dict[str, Any]) -> str:
    """The executive summary's line on impact."""
    estimated = [site for site in section["sites"] if site["is_estimate"]]
    if not estimated:
        return (
            f"No site has an estimate of impact on {section['indicator'].lower()} against comparison areas: "
            f"figures shown are a {CHANGE_FROM_BASELINE_LABEL}."
        )
    return (
        f"{len(estimated)} of {len(section['sites'])} sites have a difference-in-differences estimate on "
        f"{section['indicator'].lower()} against comparison areas. " + pooled_sentence(section["pooled"])
    )


# The data pack's table of the impact section -------------------------------------------------------------


@dataclass(frozen=True)
class ImpactColumn:
    key: str
    heading: str
    kind: str
    description: str


@dataclass(frozen=True)
class ImpactPackTable:
    code: str
    title: str
    description: str
    columns: tuple[ImpactColumn, ...]
    row_count: int


IMPACT_COLUMNS = (
    ImpactColumn("site", "Site", "text", "The pilot site, or all sites pooled, or a new area."),
    ImpactColumn(
        "label", "What the figure is", "text", "Its name: causal words only where the rating allows."
    ),
    ImpactColumn(
        "estimate", "Figure", "number", "The estimate (or change from baseline), in the indicator's unit."
    ),
    ImpactColumn(
        "ci_low", "Interval from", "number", "Lower end of the 95% confidence (or prediction) interval."
    ),
    ImpactColumn(
        "ci_high", "Interval to", "number", "Upper end of the 95% confidence (or prediction) interval."
    ),
    ImpactColumn("pre_trend", "Pre-trend check", "text", "passed, failed, too few pre periods or not run."),
    ImpactColumn("comparison_areas", "Comparison areas", "text", "The areas compared with, by GSS code."),
    ImpactColumn(
        "rating", "Evaluator's rating", "text", "The evaluator's own rating on the framework's scale."
    ),
    ImpactColumn("sources", "Sources", "text", "Where the series come from and when they were extracted."),
)


def impact_rows(section: dict[str, Any], *, in_words: bool = False) -> list[list[Any]]:
    """The table's rows; `in_words` for documents people read (dates as "14 July 2009"), else for the
    CSV data pack. Releases published before the sources were kept in words show them as they were."""
    rows: list[list[Any]] = []
    for site in section["sites"]:
        sources = site.get("sources_in_words", site["sources"]) if in_words else site["sources"]
        rows.append(
            [
                site["site"],
                site["label"],
                site["estimate"] if site["is_estimate"] else site["change_from_baseline"],
                site["ci_low"],
                site["ci_high"],
                str(site["pre_trend"]).replace("_", " "),
                "; ".join(site["comparison_areas"]),
                site["rating"] or "Not rated",
                "; ".join(sources),
            ]
        )
    pooled = section["pooled"]
    if pooled["is_pooled"]:
        rows.append(
            [
                "All sites, pooled",
                pooled["label"],
                pooled["estimate"],
                pooled["ci_low"],
                pooled["ci_high"],
                "",
                "",
                "",
                "",
            ]
        )
        rows.append(
            [
                "A new area (prediction interval)",
                "range to expect in a new area",
                None,
                pooled["prediction_low"],
                pooled["prediction_high"],
                "",
                "",
                "",
                "",
            ]
        )
    return rows


def impact_pack_table(summary: dict[str, Any]) -> ImpactPackTable | None:
    section = summary.get("impact")
    if not section:
        return None
    return ImpactPackTable(
        IMPACT_TABLE_CODE,
        f"Impact against comparison areas: {section['indicator']}",
        "Each site's difference-in-differences estimate against its comparison areas, the pooled estimate "
        "and the prediction interval for a new area. " + " ".join(section["methodology"][:1]),
        IMPACT_COLUMNS,
        len(impact_rows(section)),
    )


def add_impact_section(summary: dict[str, Any], section: dict[str, Any] | None) -> None:
    """Put the impact section into a learning summary, with its line in the executive summary."""
    if section is None:
        return
    summary["impact"] = section
    summary.setdefault("executive", {}).setdefault("key_points", []).append(key_point(section))
