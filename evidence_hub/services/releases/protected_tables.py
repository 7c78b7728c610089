"""Disclosure control over a release's tables: what national officials may see of the exact tables."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from evidence_hub.models.framework import IndicatorUnit
from evidence_hub.services.releases.disclosure import (
    SUPPRESSED,
    DisclosureReport,
    DisclosureRules,
    protect_counts,
)
from evidence_hub.services.releases.table_definitions import TABLES, AggregatedTable
from evidence_hub.services.releases.tables import ExactTables, people_rows


def is_count_of_people(unit: str) -> bool:
    """Indicators counted in whole units are treated as counts of people: the framework's count indicators
    are people (into work, referred, supported), and treating a count of anything else as people only
    withholds more."""
    return unit == IndicatorUnit.COUNT.value


def protect_tables(
    exact: ExactTables, rules: DisclosureRules
) -> tuple[dict[str, AggregatedTable], DisclosureReport]:
    """Disclosure control over every table: the people-reached grid with its totals as one table, counts
    of people among measures and baselines on their own (they are published without totals), and
    percentage measures withheld where the site reached fewer people than the threshold that period."""
    grid = exact.people
    protected = protect_counts(
        [site.code for site in grid.sites], [period.code for period in grid.periods], grid.counts, rules
    )
    report = protected.report
    tables = dict(exact.tables)
    tables["people_reached"] = AggregatedTable(
        TABLES["people_reached"],
        people_rows(
            grid, protected.cells, protected.row_totals, protected.column_totals, protected.grand_total
        ),
    )
    people_by_place = {
        (site.code, period.code): grid.counts[site_index][period_index]
        for site_index, site in enumerate(grid.sites)
        for period_index, period in enumerate(grid.periods)
    }
    measure_report = DisclosureReport()
    measure_report.add_rules(rules.count_sentences()[:2])
    measure_report.add_notes(rules.count_notes())
    measures = exact.tables["measures"]
    value_index = measures.definition.column_index("value")
    unit_index = measures.definition.column_index("unit")
    protected_measures = []
    for row in measures.rows:
        row = list(row)
        unit = row[unit_index]
        if is_count_of_people(unit):
            row[value_index] = _protect_single_count(row[value_index], rules, measure_report)
        elif unit == IndicatorUnit.PERCENTAGE.value and row[value_index] is not None:
            base = people_by_place.get((row[0], row[2]), 0)
            if base < rules.threshold:
                row[value_index] = SUPPRESSED
                measure_report.withheld += 1
                measure_report.add_rules(
                    [
                        f"Percentage measures are withheld ({SUPPRESSED}) for a site and period in which the "
                        f"pilot reached fewer than {rules.threshold} people."
                    ]
                )
        protected_measures.append(row)
    tables["measures"] = AggregatedTable(measures.definition, protected_measures)
    baselines = exact.tables["baselines"]
    baseline_value = baselines.definition.column_index("value")
    baseline_unit = baselines.definition.column_index("unit")
    protected_baselines = []
    for row in baselines.rows:
        row = list(row)
        if is_count_of_people(row[baseline_unit]):
            row[baseline_value] = _protect_single_count(row[baseline_value], rules, measure_report)
        protected_baselines.append(row)
    tables["baselines"] = AggregatedTable(baselines.definition, protected_baselines)
    measure_report.tables = 2
    report = report.merge(measure_report)
    report.add_notes(
        [
            "Counts of activities, saving claims and learning entries are counts of records, not of people, "
            "and are shown in full.",
        ]
    )
    return tables, report


def _protect_single_count(value: str | None, rules: DisclosureRules, report: DisclosureReport) -> str | None:
    """A count of people published on its own (no totals beside it): primary suppression and rounding."""
    if value is None:
        return None
    count = Decimal(value)
    if (count == 0 and rules.suppress_zeros) or (0 < count < rules.threshold):
        report.primary_suppressed += 1
        return SUPPRESSED
    if rules.round_to and rules.round_to > 1:
        count = (count / rules.round_to).quantize(Decimal(1), ROUND_HALF_UP) * rules.round_to
        return str(int(count))
    return value
