"""A release's value for money and roll-out projection as data pack tables (XLSX sheets, CSVs in the zip),
with their lines in the pack's data dictionary.

Every cell is read from the value-for-money block frozen in the learning summary (value_for_money_block.py,
which reads services/appraisal), so the pack shows each figure as the summary, the API and the dashboard
show it: a figure as shown ("£1,234.56", "1.85", "no return", "[c]") is copied, never worked out again.
Money in the projection tables is also given as a number, the exact value rounded to the penny as every
display of it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evidence_hub.services.appraisal.display import to_penny

FIGURES = "value_for_money_figures"
PERIODS = "value_for_money_periods"
SWITCHING = "value_for_money_switching"
PARAMETERS = "value_for_money_parameters"
PROJECTION = "rollout_projection"
PROJECTION_ASSUMPTIONS = "rollout_projection_assumptions"
LEVELS = ("low", "central", "high")


@dataclass(frozen=True)
class PackColumn:
    key: str
    heading: str
    kind: str
    description: str


@dataclass(frozen=True)
class ValueForMoneyPackTable:
    code: str
    title: str
    description: str
    columns: tuple[PackColumn, ...]
    row_count: int


def _text(key: str, heading: str, description: str) -> PackColumn:
    return PackColumn(key, heading, "text", description)


def _money(key: str, heading: str, description: str) -> PackColumn:
    return PackColumn(key, heading, "money", description)


SHOWN = "As the learning summary, the value-for-money view and the API show it"
COLUMNS: dict[str, tuple[PackColumn, ...]] = {
    FIGURES: (
        _text("scope", "Site", "A pilot site, or all sites together."),
        _text("figure", "Figure", "The figure's name; its formula is in the Dictionary sheet."),
        _text("figure_key", "Figure code", "The figure's code, as the API names it."),
        _text("central", "Central estimate", f"{SHOWN}: no return, [c] (withheld) or not available."),
        _text("low", "Low estimate", f"All sites only. {SHOWN}."),
        _text("high", "High estimate", f"All sites only. {SHOWN}."),
        _text("formula", "Formula", "How the figure is worked out (services/appraisal, one definition)."),
    ),
    PERIODS: (
        _text("period", "Period", "A reporting period of the release."),
        _text("status", "Status", "returned, or no return: a period with no approved return is never 0."),
        _text("costs_present_value", "Costs, present value", SHOWN),
        _text("benefits_present_value", "Benefits, present value", SHOWN),
        _text("cumulative_net_present_value", "Cumulative net present value", SHOWN),
    ),
    SWITCHING: (
        _text("scope", "Site", "A pilot site, or all sites together."),
        _text("benefits", "Benefits may fall by", "Before the net present value turns negative."),
        _text("costs", "Costs may rise by", "Before the net present value turns negative."),
    ),
    PARAMETERS: (
        _text("parameter", "Parameter", "A Green Book parameter the appraisal used."),
        _text("value", "Value", "Its value (central, with its range where it has one)."),
        _text("source", "Source", "Where it comes from."),
    ),
    PROJECTION: (
        _text("area", "Area", "An area the roll-out would reach, or all of them."),
        PackColumn("size", "Size", "number", "The area's size on the projection's size measure."),
        _text("estimate", "Estimate", "low, central or high."),
        _money("set_up_cost", "Set-up cost", "With optimism bias, base-year prices, year 0."),
        _money("running_cost_per_year", "Running cost a year", "With optimism bias, base-year prices."),
        _money("benefits_per_year", "Benefits a year", "Base-year prices."),
        _money("present_value_costs", "Present value of costs", "Discounted with the Green Book rates."),
        _money("present_value_benefits", "Present value of benefits", "Discounted."),
        _money("net_present_value", "Net present value", "Present value of benefits − of costs."),
        _text("benefit_cost_ratio", "Benefit–cost ratio", SHOWN),
    ),
    PROJECTION_ASSUMPTIONS: (
        _text("assumption", "Assumption", "What the roll-out projection assumes."),
        _text("low", "Low", "The value the low estimate used."),
        _text("central", "Central", "The value the central estimate used."),
        _text("high", "High", "The value the high estimate used."),
        _text("basis", "Basis", "Where the value comes from."),
    ),
}
TITLES = {
    FIGURES: (
        "Value for money: Green Book figures by site",
        "Net present value, benefit–cost ratio, return on investment, unit costs and payback of each site "
        "and all sites, central estimate, with all sites' low and high estimates.",
    ),
    PERIODS: (
        "Value for money: all sites, period by period",
        "Present values of costs and benefits and the cumulative net present value, period by period.",
    ),
    SWITCHING: (
        "Value for money: switching values by site",
        "How far benefits may fall, or costs rise, before the net present value turns negative.",
    ),
    PARAMETERS: (
        "Value for money: parameters and their sources",
        "The price base year, deflators, discount rates, optimism bias, additionality and unit values.",
    ),
    PROJECTION: (
        "Roll-out projection by area",
        "The pilots' costs and benefits per unit of size scaled to each area: low, central and high.",
    ),
    PROJECTION_ASSUMPTIONS: (
        "Roll-out projection: assumptions",
        "The value each estimate of the roll-out projection used, and its basis.",
    ),
}


def _block(summary: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The release's Green Book value-for-money block, or None (published before the appraisal, or its
    figures could not be worked out)."""
    value = summary.get("value_for_money") or {}
    if value.get("method") != "green_book" or not value.get("appraisal"):
        return None
    return value


def _shown(figure: Mapping[str, Any] | None) -> str:
    return str((figure or {}).get("display") or "")


def _penny(amount: Mapping[str, Any] | None) -> Decimal | str | None:
    """Money as a number rounded to the penny; where there is no value, what is shown instead ([c])."""
    value = (amount or {}).get("value")
    return (amount or {}).get("display") if value is None else to_penny(Decimal(value))


def _figure_rows(value: Mapping[str, Any]) -> list[list[Any]]:
    appraisal = value["appraisal"]
    formulas = {entry["key"]: entry["formula"] for entry in value.get("glossary") or []}
    ranges = {row["key"]: row for row in (value.get("range") or {}).get("figures") or []}
    rows = []
    for index, scope in enumerate([appraisal["programme"], *appraisal["sites"]]):
        for figure in scope["figures"]:
            spread = ranges.get(figure["key"]) if index == 0 else None
            rows.append(
                [
                    scope["name"],
                    figure["name"],
                    figure["key"],
                    _shown(figure),
                    _shown(spread["low"]) if spread else None,
                    _shown(spread["high"]) if spread else None,
                    formulas.get(figure["key"]) or figure["workings"].get("formula", ""),
                ]
            )
    return rows


def _period_rows(value: Mapping[str, Any]) -> list[list[Any]]:
    rows = []
    for row in value["appraisal"]["programme"].get("periods") or []:
        returned = row.get("status") == "returned"
        figures = [_shown(row.get(key)) for key in PERIOD_FIGURES] if returned else [row["status"]] * 3
        rows.append([row["name"], "returned" if returned else row["status"], *figures])
    return rows


PERIOD_FIGURES = ("costs_present_value", "benefits_present_value", "cumulative_net_present_value")


def _switching_rows(value: Mapping[str, Any]) -> list[list[Any]]:
    return [
        [row["scope"], _shown(row.get("benefits")), _shown(row.get("costs"))]
        for row in value.get("switching") or []
    ]


def _parameter_rows(value: Mapping[str, Any]) -> list[list[Any]]:
    appraisal = value["appraisal"]
    final = appraisal.get("final_outcome") or {}
    return [
        ["Parameter set", value.get("parameters_from", ""), ""],
        ["Price base year", appraisal.get("price_base_year", ""), ""],
        ["Year 0 (discounted to)", appraisal.get("year_zero", ""), ""],
        ["Final outcome", final.get("name", ""), final.get("additional_outcomes", "")],
        *(
            [line["label"], line["value"], line.get("source", "")]
            for line in appraisal.get("assumptions") or []
        ),
    ]


def _projection_rows(value: Mapping[str, Any]) -> list[list[Any]]:
    projection = value.get("projection")
    if not projection:
        return []
    rows = []
    for area in [*(projection.get("areas") or []), projection["total"]]:
        for level in LEVELS:
            figures = area[level]
            rows.append(
                [
                    area["name"],
                    area["size"],
                    level,
                    *(
                        _penny(figures[key])
                        for key in (
                            "set_up_cost",
                            "running_cost_per_year",
                            "benefits_per_year",
                            "present_value_costs",
                            "present_value_benefits",
                            "net_present_value",
                        )
                    ),
                    figures.get("benefit_cost_ratio_display") or figures.get("benefit_cost_ratio"),
                ]
            )
    return rows


def _assumption_rows(value: Mapping[str, Any]) -> list[list[Any]]:
    projection = value.get("projection") or {}
    keys = ("assumption", "low", "central", "high", "basis")
    return [[row[key] for key in keys] for row in projection.get("assumptions") or []]


ROWS: dict[str, Callable[[Mapping[str, Any]], list[list[Any]]]] = {
    FIGURES: _figure_rows,
    PERIODS: _period_rows,
    SWITCHING: _switching_rows,
    PARAMETERS: _parameter_rows,
    PROJECTION: _projection_rows,
    PROJECTION_ASSUMPTIONS: _assumption_rows,
}


def value_for_money_tables(summary: Mapping[str, Any]) -> list[ValueForMoneyPackTable]:
    """The pack's value-for-money and projection tables; none for a release without the appraisal, and no
    projection tables where no projection was made."""
    value = _block(summary)
    if value is None:
        return []
    tables = []
    for code, make_rows in ROWS.items():
        rows = make_rows(value)
        if code in (PROJECTION, PROJECTION_ASSUMPTIONS) and not rows:
            continue
        title, description = TITLES[code]
        if code == PROJECTION:
            projection = value["projection"]
            measure = projection["size_measure"]
            title = f"{title}, {projection['years']} years"
            description += f" Size: {measure['name']} ({measure['source']})."
        tables.append(ValueForMoneyPackTable(code, title, description, COLUMNS[code], len(rows)))
    return tables


def value_for_money_rows(summary: Mapping[str, Any], code: str) -> list[list[Any]]:
    value = _block(summary)
    return [] if value is None else ROWS[code](value)


def value_for_money_dictionary_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """The data dictionary's lines for the value-for-money figures (each with its formula and what it rests
    on), the parameters the appraisal used, and the columns of the value-for-money tables."""
    value = _block(summary)
    if value is None:
        return []
    rows: list[list[Any]] = [
        [
            "Value-for-money figure",
            entry["key"],
            entry["name"],
            entry.get("unit") or "",
            f"{entry['formula']} {entry.get('meaning') or ''}".strip(),
            entry.get("rests_on") or "",
            "",
        ]
        for entry in value.get("glossary") or []
    ]
    rows += [
        ["Value-for-money parameter", "", label, "", str(parameter), str(source), ""]
        for label, parameter, source in _parameter_rows(value)
    ]
    for table in value_for_money_tables(summary):
        rows += [
            ["Column", f"{table.code}.{column.key}", column.heading, column.kind, column.description, "", ""]
            for column in table.columns
        ]
    return rows
