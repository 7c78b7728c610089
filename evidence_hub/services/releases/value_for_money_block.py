"""A release's value for money: the Green Book appraisal of the released scope, frozen into the learning
summary as JSON-ready data, and printed by the summary page, its PDF and DOCX, and given by the API.

The figures come from services/dashboards/value_for_money (which reads services/appraisal), so a release
shows the same figure, to the penny, as the dashboard shows for the same approved returns. Nothing here
defines a figure.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

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
# The one figure of a scope that uses no count of people: money alone, shown in full like the costs table.
MONEY_ONLY_FIGURES = frozenset({"present_value_costs"})
# Counts a release never publishes from the appraisal: the disclosure-controlled tables carry them.
PERIOD_COUNTS = ("people_reached", "attendances", "staff", "final_outcome")
# Each period's amounts that use counts of outcomes (benefits are outcomes × unit values).
PERIOD_COUNTED_AMOUNTS = ("benefits_present_value", "net_present_value", "cumulative_net_present_value")
# The roll-out projection's amounts that scale the pilots' benefits.
PROJECTED_COUNTED_AMOUNTS = (
    "benefits_per_year",
    "present_value_benefits",
    "net_present_value",
    "benefit_cost_ratio",
)
WITHHELD_WORKINGS = (
    "The counts behind this figure are disclosure-controlled, so its inputs are not listed here; "
    "evaluators see them on the dashboard."
)
WITHHELD_FIGURE_NOTE = (
    "Withheld because some of the counts of people or outcomes it is worked out from are not shown exactly "
    "in this release."
)
WITHHELD_AMOUNT: Final = {"value": None, "display": SUPPRESSED}


def value_for_money_summary(
    session: Session,
    scope: Scope,
    threshold: int,
    exposed: Collection[str] = (),
) -> dict[str, Any]:
    """The appraisal of the released scope as the learning summary stores it, with no count of people or
    outcomes in it. A figure that divides by a count below `threshold` is withheld ([c]). For a site in
    `exposed` (some of its counts of people or outcomes are [c], rounded or released only as a percentage),
    and for all sites together when any site is, every figure worked out from those counts is withheld:
    the unit costs, and everything built on the benefits (outcomes × unit values), namely the present
    value of benefits, net present value, benefit–cost ratio, return on investment, payback, switching
    values, each period's benefits and the roll-out projection's benefits. Those figures come from the
    exact returns, so with the published parameters an intruder would undo the [c] from any of them.
    Costs are money, shown in full in the costs table, and stay."""
    result = value_for_money(session, scope)
    if result.range is None:
        return {"method": METHOD, "problems": list(result.problems), "notes": list(result.notes)}
    central = result.range.central
    appraisal = appraisal_data(central)
    programme_exposed = bool(exposed)
    for scope_appraisal, data in zip(
        [central.programme, *central.sites], [appraisal["programme"], *appraisal["sites"]], strict=True
    ):
        counts = {"people": scope_appraisal.reach.people, "outcomes": scope_appraisal.final_outcome.gross}
        withhold = scope_appraisal.code in exposed or (
            scope_appraisal.code == PROGRAMME_CODE and programme_exposed
        )
        _protect(data, counts, threshold, withhold=withhold)
    withheld_scopes = {*exposed, *([PROGRAMME_CODE] if programme_exposed else [])}
    projection = projection_data(result.projection) if result.projection else None
    if projection is not None and programme_exposed:
        _withhold_projection(projection)
    return {
        "method": METHOD,
        "parameters_from": result.settings.parameters_from,
        "appraisal": appraisal,
        "range": _protected_range(
            range_data(result.range, PROGRAMME_CODE),
            central.programme,
            threshold,
            withhold=programme_exposed,
        ),
        "switching": [
            _protected_switching(
                switching_data(result.switching[each.code]), withhold=each.code in withheld_scopes
            )
            if each.code in result.switching
            else {"scope": each.name, "benefits": NO_RETURN_SHOWN, "costs": NO_RETURN_SHOWN, "items": []}
            for each in result.scopes()
        ],
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


def _withheld(figure: dict[str, Any]) -> None:
    figure.update(value=None, display=SUPPRESSED)
    figure["workings"].update(inputs=[], calculation="", notes=[WITHHELD_FIGURE_NOTE])


def _protect(data: dict[str, Any], counts: dict[str, Any], threshold: int, *, withhold: bool) -> None:
    """Takes the counts out of one scope's data, each count's unit cost where the count is small, and,
    when `withhold`, every figure worked out from its counts."""
    data.pop("reach", None)
    for row in data.get("periods", []):
        for key in PERIOD_COUNTS:
            row.pop(key, None)
        if withhold:
            for key in PERIOD_COUNTED_AMOUNTS:
                if key in row:
                    row[key] = dict(WITHHELD_AMOUNT)
    if withhold:
        data["benefits"] = None
    for figure in data.get("figures", []):
        if withhold and figure["key"] not in MONEY_ONLY_FIGURES:
            _withheld(figure)
            continue
        counted = COUNTED_FIGURES.get(figure["key"])
        if counted is None:
            continue
        figure["workings"].update(inputs=[], calculation="", notes=[WITHHELD_WORKINGS])
        if _small(counts[counted], threshold):
            figure.update(value=None, display=SUPPRESSED)


def _protected_range(
    data: dict[str, Any],
    programme: ScopeAppraisal,
    threshold: int,
    *,
    withhold: bool,
) -> dict[str, Any]:
    counts = {"people": programme.reach.people, "outcomes": programme.final_outcome.gross}
    for row in data["figures"]:
        counted = COUNTED_FIGURES.get(row["key"])
        hidden = (withhold and row["key"] not in MONEY_ONLY_FIGURES) or (
            counted is not None and _small(counts[counted], threshold)
        )
        for level in ("low", "central", "high"):
            row[level]["workings"] = {"formula": row[level]["workings"]["formula"]}
            if hidden:
                row[level].update(value=None, display=SUPPRESSED)
    if withhold:
        for each in data["one_at_a_time"]:
            each["net_present_value_at_low"] = dict(WITHHELD_AMOUNT)
            each["net_present_value_at_high"] = dict(WITHHELD_AMOUNT)
        data["workings"].update(inputs=[], calculation="", notes=[WITHHELD_FIGURE_NOTE])
    return data


def _protected_switching(data: dict[str, Any], *, withhold: bool) -> dict[str, Any]:
    """A scope's switching values divide the net present value by the benefits or the costs: withheld with
    them."""
    if not withhold:
        return data
    for side in ("benefits", "costs"):
        _withheld(data[side])
    for item in data["items"]:
        item.update(present_value=dict(WITHHELD_AMOUNT), change_percent=None, display=SUPPRESSED)
    return data


def _withhold_projection(projection: dict[str, Any]) -> None:
    """The roll-out projection scales the pilots' benefits by area size: withheld with them (its costs,
    scaled from the costs table's money, stay)."""
    for area in [*projection["areas"], projection["total"]]:
        for level in ("low", "central", "high"):
            for key in PROJECTED_COUNTED_AMOUNTS:
                area[level][key] = None if key == "benefit_cost_ratio" else dict(WITHHELD_AMOUNT)
            area[level]["benefit_cost_ratio_display"] = SUPPRESSED
    for row in projection["assumptions"]:
        # The pilots' benefits per unit of size a year, by kind: the benefits themselves, scaled.
        if "benefits" in row["assumption"].lower():
            row.update(low=SUPPRESSED, central=SUPPRESSED, high=SUPPRESSED)
    for workings in projection["workings"]:
        workings.update(inputs=[], calculation="", notes=[WITHHELD_FIGURE_NOTE])


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
