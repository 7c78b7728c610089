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
from evidence_hub.services.releases.disclosure import SUPPRESSED

METHOD = "green_book"
NO_RETURN_SHOWN = {"value": None, "display": str(NO_RETURN)}


# Figures that divide by a count of people or outcomes: withheld where the count is below the threshold.
COUNTED_FIGURES = {
    "cost_per_person_reached": "people",
    "cost_per_outcome": "outcomes",
    "cost_per_additional_outcome": "outcomes",
}
# Counts a release never publishes from the appraisal: the disclosure-controlled tables carry them.
PERIOD_COUNTS = ("people_reached", "attendances", "staff", "final_outcome")
WITHHELD_WORKINGS = (
    "The counts behind this figure are disclosure-controlled, so its inputs are not listed here; "
    "evaluators see them on the dashboard."
)


def value_for_money_summary(
    session: Session, scope: Scope, threshold: int, exposed: Collection[str] = ()
) -> dict[str, Any]:
    """The appraisal of the released scope as the learning summary stores it, with no count of people or
    outcomes in it: a figure that divides by a count below `threshold` is withheld ([c]), and so is every
    figure that divides by a count of a site in `exposed`, or of the programme when any site is: its count
    is worked out from the exact returns, so where the release shows some of those counts as [c] (or
    rounded), cost ÷ the figure would give away what the release withholds."""
    result = value_for_money(session, scope)
    if result.range is None:
        return {"method": METHOD, "problems": list(result.problems), "notes": list(result.notes)}
    central = result.range.central
    appraisal = appraisal_data(central)
    for scope_appraisal, data in zip(
        [central.programme, *central.sites], [appraisal["programme"], *appraisal["sites"]], strict=True
    ):
        counts = {"people": scope_appraisal.reach.people, "outcomes": scope_appraisal.final_outcome.gross}
        withhold = scope_appraisal.code in exposed or (
            scope_appraisal.code == PROGRAMME_CODE and bool(exposed)
        )
        _protect(data, counts, threshold, withhold=withhold)
    return {
        "method": METHOD,
        "parameters_from": result.settings.parameters_from,
        "appraisal": appraisal,
        "range": _protected_range(
            range_data(result.range, PROGRAMME_CODE),
            central.programme,
            threshold,
            withhold=bool(exposed),
        ),
        "switching": [
            switching_data(result.switching[each.code])
            if each.code in result.switching
            else {"scope": each.name, "benefits": NO_RETURN_SHOWN, "costs": NO_RETURN_SHOWN, "items": []}
            for each in result.scopes()
        ],
        "projection": projection_data(result.projection) if result.projection else None,
        "projection_problems": list(result.projection_problems),
        "glossary": glossary_data(),
        "problems": [],
        "notes": list(result.notes),
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
    data: dict[str, Any], programme: ScopeAppraisal, threshold: int, *, withhold: bool
) -> dict[str, Any]:
    counts = {"people": programme.reach.people, "outcomes": programme.final_outcome.gross}
    for row in data["figures"]:
        counted = COUNTED_FIGURES.get(row["key"])
        for level in ("low", "central", "high"):
            row[level]["workings"] = {"formula": row[level]["workings"]["formula"]}
            if counted is not None and (withhold or _small(counts[counted], threshold)):
                row[level].update(value=None, display=SUPPRESSED)
    return data


def value_for_money_key_point(block: dict[str, Any]) -> str | None:
    """The executive summary's sentence on value for money, from the same figures as the section."""
    programme = (block.get("appraisal") or {}).get("programme")
    if not programme:
        return None
    figures = {figure["key"]: figure["display"] for figure in programme["figures"]}
    return (
        f"Across the sites, the Green Book net present value was {figures['net_present_value']} and the "
        f"benefit–cost ratio {figures['benefit_cost_ratio']} (central estimate; see Value for money for "
        "the range, switching values and workings)."
    )
