"""The whole learning summary as plain blocks, section by section, whatever it is printed on.

``summary_blocks`` gives the document after its title page as a list of plain blocks (headings,
paragraphs, bullet lists, tables, charts, learning entries) in ``SECTION_TITLES`` order; the PDF, the Word
document and the web page each only lay the blocks out, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from evidence_hub.services.releases.render.charts import Chart, SummaryCharts
from evidence_hub.services.releases.render.words import (
    NOT_AVAILABLE,
    clean_text,
    measure_change,
    measure_value,
    money,
    number,
    people,
    percent,
    percent_change,
    plural,
    unit_label,
    unit_with_direction,
)

EXECUTIVE_SUMMARY: Final = "Executive summary"
FINDINGS_BY_THEME: Final = "Findings by theme"
COSTS_PER_SITE: Final = "Costs per site"
OUTCOMES_AGAINST_BASELINES: Final = "Outcomes against baselines"
# Written out here as well as in impact_blocks.py, which imports this module.
IMPACT: Final = "Impact against comparison areas"
VALUE_FOR_MONEY: Final = "Value for money"
BARRIERS_AND_ENABLERS: Final = "Barriers and enablers"
RECOMMENDATIONS: Final = "Recommendations for national roll-out"
ROLLOUT_PROJECTION: Final = "Roll-out projection"
METHODOLOGY: Final = "Methodology"
CAVEATS: Final = "Data quality caveats"
DISCLOSURE_CONTROL: Final = "Disclosure control"
GLOSSARY: Final = "Glossary"

SECTION_TITLES: Final = (
    EXECUTIVE_SUMMARY,
    FINDINGS_BY_THEME,
    COSTS_PER_SITE,
    OUTCOMES_AGAINST_BASELINES,
    IMPACT,
    VALUE_FOR_MONEY,
    BARRIERS_AND_ENABLERS,
    RECOMMENDATIONS,
    ROLLOUT_PROJECTION,
    METHODOLOGY,
    CAVEATS,
    DISCLOSURE_CONTROL,
    GLOSSARY,
)


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 is a section, 2 a part of one (a theme), 3 an item (a finding)."""

    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    """Body text, with an optional label printed in bold before it ("Evidence strength: ...")."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with one header row; ``numeric`` marks the columns aligned right as figures."""

    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    # The last row is a total, printed in bold.
    has_total_row: bool = False


@dataclass(frozen=True)
class Picture:
    chart: Chart


@dataclass(frozen=True)
class Entry:
    """One cleared learning entry: its title, a line saying where it comes from, its labelled parts."""

    title: str
    source: str
    parts: tuple[tuple[str, str], ...]


Block = Heading | Paragraph | Bullets | Table | Picture | Entry


def _table(
    caption: str, columns: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]], *, total: bool = False
) -> Table:
    return Table(
        caption=caption,
        headings=tuple(heading for heading, _ in columns),
        rows=tuple(tuple(row) for row in rows),
        numeric=tuple(is_number for _, is_number in columns),
        has_total_row=total,
    )


def key_figures_table(summary: Mapping[str, Any]) -> Table:
    executive = summary.get("executive") or {}
    sites = executive.get("sites") or []
    periods = executive.get("periods") or []
    approved, expected = executive.get("returns_approved", 0), executive.get("returns_expected", 0)
    # Two different shares, each said in full: of the returns expected, how many were approved; of the
    # figures those returns must give, how many they gave.
    returns = f"{approved:,} of {expected:,} expected returns approved"
    completeness = executive.get("completeness_percent")
    if completeness is not None:
        returns += f"; {percent(completeness)} of the figures they must report are present"
    rows = [
        ("Pilot sites", site_list(sites) if len(sites) <= SITES_LISTED else sites_counted(sites)),
        (
            "Reporting periods",
            f"{clean_text(summary.get('period_label'))} ({plural(len(periods), 'period')})",
        ),
        ("Returns", returns),
        ("Attributable cost", money(executive.get("attributable_cost"))),
        ("People reached", people(executive.get("people_reached"))),
    ]
    return _table("Key figures", (("Item", False), ("Figure", False)), rows)


# Beyond this many sites the key figures (on the page and in every document) count them rather than
# name them all in one cell: at every local authority the names alone filled more than a page. The tables
# that follow name each site.
SITES_LISTED: Final = 12


def sites_counted(sites: Sequence[Mapping[str, Any]]) -> str:
    """350 sites in 412 local authorities; each is named in the tables below."""
    authorities = {
        clean_text(authority) for site in sites for authority in site.get("local_authorities") or []
    }
    counted = plural(len(sites), "site")
    if authorities:
        counted += f" in {len(authorities):,} local authorit{'y' if len(authorities) == 1 else 'ies'}"
    return f"{counted}; each is named in the tables below"


def site_list(sites: Sequence[Mapping[str, Any]]) -> str:
    """Kent (Kent County Council); Leeds (Leeds City Council)."""
    described = []
    for site in sites:
        name = clean_text(site.get("name"))
        authorities = [clean_text(authority) for authority in site.get("local_authorities") or []]
        described.append(f"{name} ({', '.join(authorities)})" if authorities else name)
    return "; ".join(described) if described else "None"


FINDING_COLUMNS: Final = (
    ("Site", False),
    ("Baseline", True),
    ("Latest", True),
    ("Latest period", False),
    ("Change", True),
    ("Change (%)", True),
    ("Evidence level", False),
)


def _site_figures_row(row: Mapping[str, Any], unit: object) -> tuple[str, ...]:
    return (
        clean_text(row.get("site")),
        measure_value(row.get("baseline"), unit),
        measure_value(row.get("latest"), unit),
        clean_text(row.get("latest_period")) or NOT_AVAILABLE,
        measure_change(row.get("change"), unit),
        percent_change(row.get("change_percent")),
        clean_text(row.get("evidence_level_name")) or "None recorded",
    )


def finding_table(finding: Mapping[str, Any]) -> Table:
    unit = finding.get("unit")
    return _table(
        f"{clean_text(finding.get('indicator'))} by site. Unit: {unit_label(unit)}",
        FINDING_COLUMNS,
        (_site_figures_row(row, unit) for row in finding.get("sites") or []),
    )


def _cost_rows(summary: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], bool]:
    """Each site's cost row, then the total row when there is one."""
    costs = summary.get("costs") or {}
    rows = list(costs.get("rows") or [])
    total = costs.get("total")
    return ([*rows, total], True) if total else (rows, False)


def costs_table(summary: Mapping[str, Any]) -> Table:
    rows, has_total = _cost_rows(summary)
    return _table(
        "Cost per site: recorded, attributable, set-up and running",
        (("Site", False), ("Recorded", True), ("Attributable", True), ("Set-up", True), ("Running", True)),
        (
            (
                clean_text(row.get("site")),
                money(row.get("recorded")),
                money(row.get("attributable")),
                money(row.get("set_up")),
                money(row.get("running")),
            )
            for row in rows
        ),
        total=has_total,
    )


def people_reached_table(summary: Mapping[str, Any]) -> Table:
    rows, has_total = _cost_rows(summary)
    return _table(
        "Cash and in-kind cost and people reached, per site",
        (("Site", False), ("Cash", True), ("In kind", True), ("People reached", True)),
        (
            (
                clean_text(row.get("site")),
                money(row.get("cash")),
                money(row.get("in_kind")),
                people(row.get("people_reached")),
            )
            for row in rows
        ),
        total=has_total,
    )


def outcome_groups(summary: Mapping[str, Any]) -> list[tuple[str, str, list[Mapping[str, Any]]]]:
    """The outcome rows grouped by indicator, in the order the summary lists them: (name, unit, rows)."""
    groups: dict[str, tuple[str, str, list[Mapping[str, Any]]]] = {}
    for row in (summary.get("outcomes") or {}).get("rows") or []:
        code = str(row.get("indicator_code"))
        if code not in groups:
            groups[code] = (clean_text(row.get("indicator")), str(row.get("unit") or ""), [])
        groups[code][2].append(row)
    return list(groups.values())


def outcome_table(indicator: str, unit: str, rows: Sequence[Mapping[str, Any]]) -> Table:
    return _table(
        f"{indicator} against baseline by site. Unit: {unit_label(unit)}",
        FINDING_COLUMNS,
        (_site_figures_row(row, unit) for row in rows),
    )


def barriers_enablers_table(summary: Mapping[str, Any]) -> Table:
    rows = (
        (
            clean_text(dimension.get("dimension")),
            number(dimension.get("barriers")),
            number(dimension.get("enablers")),
        )
        for dimension in summary.get("barriers_enablers") or []
    )
    return _table(
        "Barriers and enablers by dimension, all sites",
        (("Dimension", False), ("Barriers", True), ("Enablers", True)),
        rows,
    )


def barriers_enablers_by_site_table(summary: Mapping[str, Any]) -> Table:
    rows = (
        (
            clean_text(dimension.get("dimension")),
            clean_text(site.get("site")),
            number(site.get("barriers")),
            number(site.get("enablers")),
        )
        for dimension in summary.get("barriers_enablers") or []
        for site in dimension.get("by_site") or []
    )
    return _table(
        "Barriers and enablers by dimension and site",
        (("Dimension", False), ("Site", False), ("Barriers", True), ("Enablers", True)),
        rows,
    )


def glossary_table(summary: Mapping[str, Any]) -> Table:
    rows = (
        (clean_text(item.get("term")), clean_text(item.get("definition")))
        for item in summary.get("glossary") or []
    )
    return _table("Terms used in this summary", (("Term", False), ("Definition", False)), rows)


def entry_block(entry: Mapping[str, Any]) -> Entry:
    """A cleared learning entry: its source, what happened, why it matters, its national implication."""
    source = [
        clean_text(entry.get("learning_type_label")) or clean_text(entry.get("learning_type")),
        clean_text(entry.get("site")),
        clean_text(entry.get("period")),
    ]
    theme = clean_text(entry.get("theme"))
    if theme:
        source.append(f"theme: {theme}")
    dimensions = [clean_text(dimension) for dimension in entry.get("dimensions") or []]
    if dimensions:
        source.append(f"dimensions: {', '.join(dimensions)}")
    parts = (
        ("What happened", clean_text(entry.get("what_happened"))),
        ("Why it matters", clean_text(entry.get("why_it_matters"))),
        ("National implication", clean_text(entry.get("national_implication"))),
    )
    return Entry(
        title=clean_text(entry.get("title")) or "Untitled entry",
        source=" · ".join(part for part in source if part),
        parts=tuple((label, text) for label, text in parts if text),
    )


def _entries(entries: Sequence[Mapping[str, Any]], none_cleared: str) -> list[Block]:
    if not entries:
        return [Paragraph(none_cleared)]
    return [entry_block(entry) for entry in entries]


def _picture(chart: Chart | None) -> list[Block]:
    return [Picture(chart)] if chart is not None else []


def _lines(items: Sequence[object] | None, none: str) -> list[Block]:
    texts = tuple(clean_text(item) for item in items or [] if clean_text(item))
    return [Bullets(texts)] if texts else [Paragraph(none)]


def executive_blocks(summary: Mapping[str, Any]) -> list[Block]:
    executive = summary.get("executive") or {}
    blocks: list[Block] = [Heading(EXECUTIVE_SUMMARY, 1), key_figures_table(summary)]
    blocks += _lines(executive.get("key_points"), "No key points were recorded for this release.")
    return blocks


def findings_blocks(summary: Mapping[str, Any], charts: SummaryCharts) -> list[Block]:
    blocks: list[Block] = [Heading(FINDINGS_BY_THEME, 1)]
    themes = summary.get("themes") or []
    if not themes:
        blocks.append(Paragraph("The framework has no themes with findings in this release."))
    for theme in themes:
        blocks.append(Heading(clean_text(theme.get("name")), 2))
        description = clean_text(theme.get("description"))
        if description:
            blocks.append(Paragraph(description))
        findings = theme.get("findings") or []
        if not findings:
            blocks.append(Paragraph("No indicator on this theme was reported in this release."))
        for finding in findings:
            unit = finding.get("unit")
            blocks += [
                Heading(clean_text(finding.get("indicator")), 3),
                Paragraph(clean_text(finding.get("statement"))),
                Paragraph(
                    clean_text(finding.get("evidence")) or "No evidence level recorded", "Evidence strength"
                ),
                Paragraph(unit_with_direction(unit, finding.get("direction_label")), "Unit"),
                *(
                    [Paragraph(clean_text(finding.get("source_status")), "Source")]
                    if finding.get("source_status")
                    else []
                ),
                finding_table(finding),
            ]
            blocks += _picture(charts.findings.get(str(finding.get("indicator_code"))))
        blocks.append(Heading(f"Cleared learning: {clean_text(theme.get('name'))}", 3))
        blocks += _entries(
            theme.get("entries") or [], "No learning on this theme has been cleared for national sharing."
        )
    return blocks


def costs_blocks(summary: Mapping[str, Any], charts: SummaryCharts) -> list[Block]:
    return [
        Heading(COSTS_PER_SITE, 1),
        Paragraph(
            "Attributable cost is the part of each recorded cost that the pilot caused. Cost per person "
            "reached is a value-for-money figure: it is in that section, with its definition."
        ),
        costs_table(summary),
        *_picture(charts.costs),
        people_reached_table(summary),
        *_picture(charts.people),
    ]


def outcomes_blocks(summary: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        Heading(OUTCOMES_AGAINST_BASELINES, 1),
        Paragraph(
            "Each change here is a change from baseline, not an estimate of impact: figures move with the "
            "economy whatever a pilot does. Estimates against comparison areas are in the next section."
        ),
    ]
    groups = outcome_groups(summary)
    if not groups:
        blocks.append(Paragraph("No outcome with a baseline was reported in this release."))
    for indicator, unit, rows in groups:
        blocks += [Heading(indicator, 2), outcome_table(indicator, unit, rows)]
    return blocks


FIGURES_BY_SITE = (
    "net_present_value",
    "benefit_cost_ratio",
    "return_on_investment",
    "cost_per_person_reached",
    "cost_per_outcome",
    "cost_per_additional_outcome",
    "payback",
)


def _figures_by_key(scope: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {figure.get("key"): figure for figure in scope.get("figures") or []}


def _shown(figure: Mapping[str, Any] | None) -> str:
    return clean_text((figure or {}).get("display")) or NOT_AVAILABLE


def value_for_money_tables(summary: Mapping[str, Any]) -> list[Table]:
    """The Green Book figures by site, all sites period by period, the range, switching values and the
    parameters with their sources, as the release froze them (services/appraisal defines each figure)."""
    value = summary.get("value_for_money") or {}
    appraisal = value.get("appraisal") or {}
    scopes = [appraisal.get("programme") or {}, *(appraisal.get("sites") or [])]
    scopes = [scope for scope in scopes if scope]
    names = (
        {figure.get("key"): clean_text(figure.get("name")) for figure in (scopes[0].get("figures") or [])}
        if scopes
        else {}
    )
    tables = [
        _table(
            "Green Book figures by site",
            (("Site", False), *((names.get(key, key), True) for key in FIGURES_BY_SITE)),
            (
                (
                    clean_text(scope.get("name")),
                    *(_shown(_figures_by_key(scope).get(key)) for key in FIGURES_BY_SITE),
                )
                for scope in scopes
            ),
        ),
        _table(
            "Present values of costs and benefits by site",
            (("Site", False), ("Present value of costs", True), ("Present value of benefits", True)),
            (
                (
                    clean_text(scope.get("name")),
                    _shown(_figures_by_key(scope).get("present_value_costs")),
                    _shown(_figures_by_key(scope).get("present_value_benefits")),
                )
                for scope in scopes
            ),
        ),
    ]
    if scopes:
        tables.append(
            _table(
                "All sites, period by period",
                (
                    ("Period", False),
                    ("Costs, present value", True),
                    ("Benefits, present value", True),
                    ("Cumulative net present value", True),
                ),
                (
                    (
                        clean_text(row.get("name")),
                        *(
                            _shown(row.get(key)) if row.get("status") == "returned" else "no return"
                            for key in (
                                "costs_present_value",
                                "benefits_present_value",
                                "cumulative_net_present_value",
                            )
                        ),
                    )
                    for row in scopes[0].get("periods") or []
                ),
            )
        )
    tables.append(
        _table(
            "Low, central and high estimates, all sites",
            (("Figure", False), ("Low", True), ("Central", True), ("High", True)),
            (
                (
                    clean_text(row.get("name")),
                    _shown(row.get("low")),
                    _shown(row.get("central")),
                    _shown(row.get("high")),
                )
                for row in (value.get("range") or {}).get("figures") or []
            ),
        )
    )
    tables.append(
        _table(
            "Switching values: how far benefits may fall, or costs rise, before the net present value "
            "turns negative",
            (("Site", False), ("Benefits may fall by", True), ("Costs may rise by", True)),
            (
                (clean_text(row.get("scope")), _shown(row.get("benefits")), _shown(row.get("costs")))
                for row in value.get("switching") or []
            ),
        )
    )
    tables.append(
        _table(
            "Parameters and their sources",
            (("Parameter", False), ("Value", False), ("Source", False)),
            (
                (clean_text(line.get("label")), clean_text(line.get("value")), clean_text(line.get("source")))
                for line in appraisal.get("assumptions") or []
            ),
        )
    )
    return tables


def _workings_blocks(figure: Mapping[str, Any]) -> list[Block]:
    workings = figure.get("workings") or {}
    blocks: list[Block] = [
        Heading(f"{clean_text(figure.get('name'))}: {_shown(figure)}", 3),
        Paragraph(clean_text(workings.get("formula")), label="Formula"),
    ]
    if workings.get("calculation"):
        blocks.append(Paragraph(clean_text(workings.get("calculation")), label="Calculation"))
    lines = [
        f"{clean_text(line.get('label'))}: {clean_text(line.get('value'))}"
        + (f" ({clean_text(line.get('source'))})" if line.get("source") else "")
        for line in [*(workings.get("inputs") or []), *(workings.get("parameters") or [])]
    ]
    lines += [clean_text(note) for note in workings.get("notes") or []]
    if lines:
        blocks.append(Bullets(tuple(line for line in lines if line)))
    return blocks


def _projection_table(projection: Mapping[str, Any]) -> Table:
    measure = clean_text((projection.get("size_measure") or {}).get("name"))
    areas = [*(projection.get("areas") or []), projection.get("total") or {}]

    def central(area: Mapping[str, Any], key: str) -> Any:
        return (area.get("central") or {}).get(key)

    return _table(
        f"Roll-out over {projection.get('years')} years, scaled by {measure}",
        (
            ("Area", False),
            (f"Size ({measure})", True),
            ("Present value of costs, central", True),
            ("Net present value, low", True),
            ("Net present value, central", True),
            ("Net present value, high", True),
            ("Benefit–cost ratio, central", True),
        ),
        (
            (
                clean_text(area.get("name")),
                number(area.get("size")),
                _shown(central(area, "present_value_costs")),
                *(
                    _shown((area.get(level) or {}).get("net_present_value"))
                    for level in ("low", "central", "high")
                ),
                clean_text(central(area, "benefit_cost_ratio_display")) or NOT_AVAILABLE,
            )
            for area in areas
            if area
        ),
    )


def rollout_blocks(summary: Mapping[str, Any]) -> list[Block]:
    """The Green Book roll-out projection (services/appraisal/projection.py), scaled by area size, with its
    assumptions beside the figures and its workings: the same projection the value-for-money view shows."""
    value, blocks = _green_book_section(
        summary,
        ROLLOUT_PROJECTION,
        "This release was published before the roll-out projection followed the Green Book: its earlier "
        "projection used a different definition and is not shown. A newer release gives it.",
    )
    if value is None:
        return blocks
    projection = value.get("projection")
    if not projection:
        reasons = tuple(clean_text(reason) for reason in value.get("projection_problems") or [])
        return [*blocks, Bullets(reasons or ("No roll-out projection was made.",))]
    measure = projection.get("size_measure") or {}
    blocks += [
        Paragraph(
            "What rolling the pilot out to other areas would cost and return: the pilot sites' costs and "
            f"benefits per unit of {clean_text(measure.get('name'))} ({clean_text(measure.get('source'))}), "
            "scaled to each area, with optimism bias on costs and Green Book discounting. Low and high use "
            "the low and high appraisals, not the spread of the sites. It is a planning range, not a "
            "forecast."
        ),
        _projection_table(projection),
        _table(
            "Assumptions of the roll-out projection",
            (("Assumption", False), ("Low", False), ("Central", False), ("High", False), ("Basis", False)),
            (
                tuple(clean_text(row.get(key)) for key in ("assumption", "low", "central", "high", "basis"))
                for row in projection.get("assumptions") or []
            ),
        ),
    ]
    notes = tuple(clean_text(note) for note in projection.get("notes") or [] if clean_text(note))
    if notes:
        blocks.append(Bullets(notes))
    blocks.append(Heading("Workings of the roll-out projection", 2))
    for workings in projection.get("workings") or []:
        blocks += [
            Heading(clean_text(workings.get("title")), 3),
            Paragraph(clean_text(workings.get("formula")), label="Formula"),
            Paragraph(clean_text(workings.get("calculation")), label="Calculation"),
        ]
    return blocks


def _green_book_section(
    summary: Mapping[str, Any], title: str, before_green_book: str
) -> tuple[Mapping[str, Any] | None, list[Block]]:
    """A section read from the release's Green Book appraisal: its block and heading, or (None, the
    heading and `before_green_book`) for a release published before the appraisal."""
    value = summary.get("value_for_money") or {}
    if value.get("method") != "green_book":
        return None, [Heading(title, 1), Paragraph(before_green_book)]
    return value, [Heading(title, 1)]


def value_for_money_blocks(summary: Mapping[str, Any]) -> list[Block]:
    value, blocks = _green_book_section(
        summary,
        VALUE_FOR_MONEY,
        "This release was published before value for money followed the Green Book: its earlier figures "
        "mixed definitions and are not shown. A newer release gives the appraisal.",
    )
    if value is None:
        return blocks
    problems = tuple(clean_text(problem) for problem in value.get("problems") or [])
    if problems:
        return [*blocks, Paragraph("The value-for-money figures could not be worked out:"), Bullets(problems)]
    appraisal = value.get("appraisal") or {}
    final = appraisal.get("final_outcome") or {}
    base_year = clean_text(appraisal.get("price_base_year"))
    year_zero = clean_text(appraisal.get("year_zero"))
    blocks.append(
        Paragraph(
            f"A Green Book appraisal of the approved returns: money in {base_year} prices, discounted to "
            f"{year_zero}, with optimism bias on costs. Unit costs divide by the final outcome, "
            f"{clean_text(final.get('name'))}; additional outcomes "
            f"{clean_text(final.get('additional_outcomes'))}. {clean_text(value.get('parameters_from'))}."
        )
    )
    blocks += value_for_money_tables(summary)
    notes = tuple(
        clean_text(note)
        for note in [*(value.get("notes") or []), *((appraisal.get("programme") or {}).get("notes") or [])]
        if clean_text(note)
    )
    if notes:
        blocks.append(Bullets(notes))
    blocks.append(Heading("Workings of the figures for all sites", 2))
    for figure in (appraisal.get("programme") or {}).get("figures") or []:
        blocks += _workings_blocks(figure)
    blocks.append(
        _table(
            "Value-for-money definitions",
            (("Figure", False), ("Formula", False)),
            (
                (clean_text(entry.get("name")), clean_text(entry.get("formula")))
                for entry in value.get("glossary") or []
            ),
        )
    )
    return blocks


def barriers_enablers_blocks(summary: Mapping[str, Any], charts: SummaryCharts) -> list[Block]:
    dimensions = summary.get("barriers_enablers") or []
    blocks: list[Block] = [Heading(BARRIERS_AND_ENABLERS, 1)]
    if not dimensions:
        return [*blocks, Paragraph("No barrier or enabler was recorded in the returns released.")]
    blocks += [
        Paragraph(
            "How many barriers and enablers the approved returns recorded, by the dimension of the pilot "
            "they concern. Under each dimension are the entries cleared for national sharing."
        ),
        barriers_enablers_table(summary),
        *_picture(charts.barriers_enablers),
        barriers_enablers_by_site_table(summary),
    ]
    for dimension in dimensions:
        blocks.append(Heading(clean_text(dimension.get("dimension")), 2))
        blocks += _entries(dimension.get("entries") or [], "No entry on this dimension has been cleared.")
    return blocks


def recommendations_blocks(summary: Mapping[str, Any]) -> list[Block]:
    return [
        Heading(RECOMMENDATIONS, 1),
        Paragraph(
            "Recommendations cleared for national sharing, then cleared lessons that have a national "
            "implication."
        ),
        *_entries(
            summary.get("recommendations") or [], "No recommendation has been cleared for national sharing."
        ),
    ]


def methodology_blocks(summary: Mapping[str, Any]) -> list[Block]:
    texts = [clean_text(item) for item in summary.get("methodology") or []]
    paragraphs: list[Block] = [Paragraph(text) for text in texts if text]
    return [Heading(METHODOLOGY, 1), *(paragraphs or [Paragraph("No methodology notes were recorded.")])]


def summary_blocks(summary: Mapping[str, Any], charts: SummaryCharts) -> list[Block]:
    """The whole learning summary after its title page, section by section in ``SECTION_TITLES`` order.

    A table with no rows is said in words instead, so no reader meets a table of headings alone.
    """
    # Imported here: impact_blocks builds on this module's blocks.
    from evidence_hub.services.releases.render.impact_blocks import impact_blocks

    blocks = [
        *executive_blocks(summary),
        *findings_blocks(summary, charts),
        *costs_blocks(summary, charts),
        *outcomes_blocks(summary),
        *impact_blocks(summary),
        *value_for_money_blocks(summary),
        *barriers_enablers_blocks(summary, charts),
        *recommendations_blocks(summary),
        *rollout_blocks(summary),
        *methodology_blocks(summary),
        Heading(CAVEATS, 1),
        *_lines(summary.get("caveats"), "No caveats were recorded for this release."),
        Heading(DISCLOSURE_CONTROL, 1),
        *_lines(summary.get("disclosure"), "No disclosure rules were recorded for this release."),
        Heading(GLOSSARY, 1),
        glossary_table(summary),
    ]
    return [
        Paragraph(f"{block.caption}: no figures were published.")
        if isinstance(block, Table) and not block.rows
        else block
        for block in blocks
    ]
