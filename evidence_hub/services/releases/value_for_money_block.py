"""A release's value for money: the Green Book appraisal of the released scope, frozen into the learning
summary as JSON-ready data, and printed by the summary page, its PDF and DOCX, and given by the API.

The figures come from services/dashboards/value_for_money (which reads services/appraisal), so a release
shows the same figure, to the penny, as the dashboard shows for the same approved returns. Nothing here
defines a figure.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.services.appraisal.appraisal import PROGRAMME_CODE, ScopeAppraisal
from evidence_hub.services.appraisal.evidence import NO_RETURN
from evidence_hub.services.appraisal.export import (
    appraisal_data,
    glossary_data,
    projection_data,
    range_data,
    switching_data,
)
from evidence_hub.services.dashboards.scope import Scope
from evidence_hub.services.dashboards.value_for_money import value_for_money
from evidence_hub.services.releases.disclosure import SUPPRESSED, DisclosureRules
from evidence_hub.services.releases.table_definitions import AggregatedTable

METHOD = "green_book"
NO_RETURN_SHOWN = {"value": None, "display": str(NO_RETURN)}


# Figures that divide by a count of people or outcomes: withheld where the count is below the threshold.
COUNTED_FIGURES = {
    "cost_per_person_reached": "people",
    "cost_per_outcome": "outcomes",
    "cost_per_additional_outcome": "outcomes",
}
# Figures built on benefits, which are valued counts of outcomes.
BENEFIT_FIGURES = {
    "present_value_benefits",
    "net_present_value",
    "benefit_cost_ratio",
    "return_on_investment",
    "payback",
    "cost_per_outcome",
    "cost_per_additional_outcome",
}
PERIOD_BENEFIT_FIGURES = ("benefits_present_value", "net_present_value", "cumulative_net_present_value")
WITHHELD_SHOWN = {"value": None, "display": SUPPRESSED}
WITHHELD_BENEFITS = (
    "Withheld ([c]): the benefits rest on counts of outcomes the release withholds, and the benefits would "
    "give them away."
)
# Counts a release never publishes from the appraisal: the disclosure-controlled tables carry them.
PERIOD_COUNTS = ("people_reached", "attendances", "staff", "final_outcome")
WITHHELD_WORKINGS = (
    "The counts behind this figure are disclosure-controlled, so its inputs are not listed here; "
    "evaluators see them on the dashboard."
)


def value_for_money_summary(
    session: Session,
    scope: Scope,
    threshold: int,
    exposed: Collection[str] = (),
    withheld_outcomes: Collection[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The appraisal of the released scope as the learning summary stores it, with no count of people or
    outcomes in it: a figure that divides by a count below `threshold` is withheld ([c]), and so is every
    figure that divides by a count of a site in `exposed`, or of the programme when any site is: its count
    is worked out from the exact returns, so where the release shows some of those counts as [c] (or
    rounded), cost ÷ the figure would give away what the release withholds.

    Benefits are valued outcomes (count × value × additionality, all published): where the release
    withholds a valued outcome's count for a site (`withheld_outcomes`: (site code, indicator code) pairs
    shown as [c] or rounded), every figure built on that site's benefits is withheld too (benefits, net
    present value, benefit–cost ratio, return on investment, payback, switching values, the period rows),
    for the site and for all sites (whose total less the other sites' gives it), and so are the roll-out
    projection's benefits, which are the pilots' benefits per unit of size."""
    result = value_for_money(session, scope)
    if result.range is None:
        return {"method": METHOD, "problems": list(result.problems), "notes": list(result.notes)}
    central = result.range.central
    valued = {outcome.code for outcome in result.settings.parameters.outcomes if outcome.unit_values} | {
        result.settings.parameters.final_outcome
    }
    benefits_hidden = {site for site, indicator in withheld_outcomes if indicator in valued}
    if benefits_hidden:
        benefits_hidden.add(PROGRAMME_CODE)
    appraisal = appraisal_data(central)
    for scope_appraisal, data in zip(
        [central.programme, *central.sites], [appraisal["programme"], *appraisal["sites"]], strict=True
    ):
        counts = {"people": scope_appraisal.reach.people, "outcomes": scope_appraisal.final_outcome.gross}
        withhold = scope_appraisal.code in exposed or (
            scope_appraisal.code == PROGRAMME_CODE and bool(exposed)
        )
        _protect(data, counts, threshold, withhold=withhold)
        if scope_appraisal.code in benefits_hidden:
            _withhold_benefits(data)
    switching = [
        switching_data(result.switching[each.code])
        if each.code in result.switching
        else {"scope": each.name, "benefits": NO_RETURN_SHOWN, "costs": NO_RETURN_SHOWN, "items": []}
        for each in result.scopes()
    ]
    for each, row in zip(result.scopes(), switching, strict=True):
        if each.code in benefits_hidden and each.code in result.switching:
            row.update(benefits=WITHHELD_SHOWN, costs=WITHHELD_SHOWN, items=[])
    projection = projection_data(result.projection) if result.projection else None
    if projection is not None and PROGRAMME_CODE in benefits_hidden:
        _withhold_projected_benefits(projection)
    return {
        "method": METHOD,
        "parameters_from": result.settings.parameters_from,
        "appraisal": appraisal,
        "range": _protected_range(
            range_data(result.range, PROGRAMME_CODE),
            central.programme,
            threshold,
            withhold=bool(exposed),
            benefits_hidden=PROGRAMME_CODE in benefits_hidden,
        ),
        "switching": switching,
        "projection": projection,
        "projection_problems": list(result.projection_problems),
        "glossary": glossary_data(),
        "problems": [],
        "notes": list(result.notes),
    }


def withheld_outcomes(measures: AggregatedTable, rules: DisclosureRules) -> set[tuple[str, str]]:
    """(site code, indicator code) of every count of outcomes the release does not show exactly: a [c], or
    any count when counts are rounded."""
    site, indicator, value = (
        measures.definition.column_index(key) for key in ("site_code", "indicator_code", "value")
    )
    rounded = bool(rules.round_to and rules.round_to > 1)
    return {
        (row[site], row[indicator])
        for row in measures.rows
        if row[value] == SUPPRESSED or (rounded and row[value] is not None)
    }


def _small(count: Any, threshold: int) -> bool:
    return 0 < count < threshold


def _protect(data: dict[str, Any], counts: dict[str, Any], threshold: int, *, withhold: bool) -> None:
    """Takes the counts out of one scope's data, and each count's unit cost where the count is small."""
    data.pop("reach", None)
    for row in data.get("periods", []):
        for key in PERIOD_COUNTS:
            row.pop(key, None)
    for figure in data.get("figures", []):
        counted = COUNTED_FIGURES.get(figure["key"])
        if counted is None:
            continue
        workings = figure["workings"]
        workings.update(inputs=[], calculation="", notes=[WITHHELD_WORKINGS])
        if withhold or _small(counts[counted], threshold):
            figure.update(value=None, display=SUPPRESSED)


def _protected_range(
    data: dict[str, Any],
    programme: ScopeAppraisal,
    threshold: int,
    *,
    withhold: bool,
    benefits_hidden: bool = False,
) -> dict[str, Any]:
    counts = {"people": programme.reach.people, "outcomes": programme.final_outcome.gross}
    for row in data["figures"]:
        counted = COUNTED_FIGURES.get(row["key"])
        for level in ("low", "central", "high"):
            row[level]["workings"] = {"formula": row[level]["workings"]["formula"]}
            if counted is not None and (withhold or _small(counts[counted], threshold)):
                row[level].update(value=None, display=SUPPRESSED)
            if benefits_hidden and row["key"] in BENEFIT_FIGURES:
                row[level].update(value=None, display=SUPPRESSED)
    if benefits_hidden:
        data["one_at_a_time"] = []
        data["workings"] = {**data["workings"], "inputs": [], "calculation": "", "notes": [WITHHELD_BENEFITS]}
    return data


def _withhold_benefits(data: dict[str, Any]) -> None:
    """Takes out of one scope's data every figure built on its benefits."""
    for figure in data.get("figures", []):
        if figure["key"] in BENEFIT_FIGURES:
            figure.update(value=None, display=SUPPRESSED)
            figure["workings"].update(inputs=[], calculation="", notes=[WITHHELD_BENEFITS])
    data["benefits"] = None
    for row in data.get("periods", []):
        for key in PERIOD_BENEFIT_FIGURES:
            if key in row:
                row[key] = dict(WITHHELD_SHOWN)


def _withhold_projected_benefits(projection: dict[str, Any]) -> None:
    for area in [*projection["areas"], projection["total"]]:
        for level in ("low", "central", "high"):
            figures = area[level]
            for key in ("benefits_per_year", "present_value_benefits", "net_present_value"):
                figures[key] = dict(WITHHELD_SHOWN)
            figures.update(benefit_cost_ratio=None, benefit_cost_ratio_display=SUPPRESSED)
    for row in projection["assumptions"]:
        if "benefits" in row["assumption"].lower():
            row.update(low=SUPPRESSED, central=SUPPRESSED, high=SUPPRESSED)
    for workings in projection["workings"]:
        workings.update(inputs=[], calculation="", notes=[WITHHELD_BENEFITS])


def value_for_money_key_point(block: dict[str, Any]) -> str | None:
    """The executive summary's sentence on value for money, from the same figures as the section."""
    programme = (block.get("appraisal") or {}).get("programme")
    if not programme:
        return None
    figures = {figure["key"]: figure["display"] for figure in programme["figures"]}
    if figures["net_present_value"] == SUPPRESSED:
        return (
            "The Green Book net present value and benefit–cost ratio across the sites are withheld ([c]): "
            "they rest on counts of outcomes the release withholds (see Value for money)."
        )
    return (
        f"Across the sites, the Green Book net present value was {figures['net_present_value']} and the "
        f"benefit–cost ratio {figures['benefit_cost_ratio']} (central estimate; see Value for money for "
        "the range, switching values and workings)."
    )
