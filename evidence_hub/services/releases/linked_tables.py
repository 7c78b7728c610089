"""A release's tables as one linked system (``protection.LinkedRelease``), and the tables written back from
what protection decides to show.

What goes in, read from the framework's declarations (``definitions.ReleaseDeclaration``):

- the people-reached grid with its totals (each site over the periods, each period over the sites, and the
  whole): counts of people, every total the sum of its parts;
- every count indicator's value for each site and period, and each site's baseline of it: counts of people,
  or counts of records (referrals, data requests, partners) that are shown in full when the framework says
  so; a count of people released ``as_percentage_of`` another is not shown, its percentage is;
- every indicator with a formula (a rate such as job entries ÷ clients engaged × 100, a unit cost such as
  attributable cost ÷ clients engaged): a derived figure, computed from the protected figures (or withheld),
  never the figure the site reported; a share with a denominator alone is a hidden count of people (its
  numerator, worked out from what the site reported) over that denominator;
- each site's attributable cost in each period, in pence, where a formula uses it (shown in full).
- a percentage with no formula declared: withheld, since its base, and so whether it hides a [c], is unknown.

Keys. A figure about one site and period carries the return it comes from (its id and version) and a
digest of its value, so a corrected figure is a different quantity for the intruder, while the same figure
released twice is the same quantity in both releases; a total carries a digest of its parts' keys, so a
Q1–Q3 total and a Q1–Q4 total, or two totals over different sites, are different quantities. The labels
name figures for evaluators.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from evidence_hub.models.framework import Indicator, IndicatorUnit
from evidence_hub.services.framework.definitions import ReleaseDeclaration, release_declaration
from evidence_hub.services.framework.file_format import ATTRIBUTABLE_COST
from evidence_hub.services.releases.intruder import Linear
from evidence_hub.services.releases.protection import (
    SUPPRESSED,
    DerivedFigure,
    DerivedShown,
    Figure,
    Kind,
    LinkedRelease,
    Relation,
    Shown,
)
from evidence_hub.services.releases.spooled_rows import SpooledRows
from evidence_hub.services.releases.table_definitions import AggregatedTable
from evidence_hub.services.releases.tables import ALL_CODE

PEOPLE_TABLE = "people_reached"


def declaration_of(indicator: Indicator) -> ReleaseDeclaration:
    """The framework's declaration of how an indicator is released (the defaults when it says nothing)."""
    return release_declaration(indicator.release_rules)


def counts_people(indicator: Indicator) -> bool:
    return indicator.unit == IndicatorUnit.COUNT.value and declaration_of(indicator).counts == "people"


@dataclass
class LinkedTables:
    """The linked release of a set of tables, the true value of every figure, and where each figure sits
    in the tables (table code → row position → figure or derived key)."""

    release: LinkedRelease
    values: dict[str, int]
    places: dict[str, dict[int, str]] = field(default_factory=dict)

    def write_back(
        self,
        tables: Mapping[str, AggregatedTable],
        shown: Mapping[str, Shown],
        derived: Mapping[str, DerivedShown],
    ) -> dict[str, AggregatedTable]:
        """The tables with every figure of the linked release as protection decided to show it."""
        protected = dict(tables)
        for code, where in self.places.items():
            table = tables[code]
            column = table.definition.column_index(_VALUE_COLUMN[code])
            unit_column = (
                table.definition.column_index("unit")
                if "unit" in [c.key for c in table.definition.columns]
                else None
            )
            protected[code] = AggregatedTable(
                table.definition,
                SpooledRows(
                    _as_shown(code, table.rows, where, column, unit_column, shown, derived),
                ),
            )
        return protected


def _as_shown(
    code: str,
    rows: Iterable[list[Any]],
    where: Mapping[int, str],
    column: int,
    unit_column: int | None,
    shown: Mapping[str, Shown],
    derived: Mapping[str, DerivedShown],
) -> Iterator[list[Any]]:
    """The table's rows, one at a time, each figure of the linked release as protection decided to show
    it."""
    for position, row in enumerate(rows):
        key = where.get(position)
        if key is None:
            yield row
            continue
        row = list(row)
        if key in shown:
            value: Any = shown[key]
            row[column] = value if code == PEOPLE_TABLE or value == SUPPRESSED else str(value)
        else:
            value = derived[key]
            row[column] = value if value == SUPPRESSED else str(value)
            if unit_column is not None and key.startswith(_AS_PERCENTAGE):
                row[unit_column] = IndicatorUnit.PERCENTAGE.value
        yield row


_VALUE_COLUMN = {PEOPLE_TABLE: "people_reached", "measures": "value", "baselines": "value"}
_AS_PERCENTAGE = "share-of|"


def linked_tables(
    tables: Mapping[str, AggregatedTable],
    indicators: Sequence[Indicator],
    revisions: Mapping[tuple[str, str], str],
    attributable_pence: Mapping[tuple[str, str], int],
) -> LinkedTables:
    """The linked release of a release's exact tables.

    ``revisions`` names the return behind each (site code, period code), e.g. "412.3" (id and version);
    ``attributable_pence`` is each site's attributable cost in each period, in pence."""
    builder = _Builder(revisions)
    builder.people(tables[PEOPLE_TABLE])
    builder.measures(
        tables["measures"], {indicator.code: indicator for indicator in indicators}, attributable_pence
    )
    builder.baselines(tables["baselines"], {indicator.code: indicator for indicator in indicators})
    return LinkedTables(
        LinkedRelease(tuple(builder.figures), tuple(builder.relations), tuple(builder.derived)),
        builder.values,
        builder.places,
    )


class _Builder:
    def __init__(self, revisions: Mapping[tuple[str, str], str]) -> None:
        self.revisions = revisions
        self.figures: list[Figure] = []
        self.relations: list[Relation] = []
        self.derived: list[DerivedFigure] = []
        self.values: dict[str, int] = {}
        self.kinds: dict[str, Kind] = {}
        self.places: dict[str, dict[int, str]] = {}

    def _figure(
        self, key: str, label: str, value: int, kind: Kind = Kind.PEOPLE, *, shown: bool = True
    ) -> str:
        if key not in self.values:
            self.figures.append(Figure(key, label, kind, shown))
            self.values[key] = value
            self.kinds[key] = kind
        return key

    def _place(self, table: str, position: int, key: str) -> None:
        self.places.setdefault(table, {})[position] = key

    def _revision(self, site: str, period: str) -> str:
        return self.revisions.get((site, period), "0")

    def people(self, table: AggregatedTable) -> None:
        """Cells first, then each total over the keys of its parts."""
        cells: dict[tuple[str, str], str] = {}
        totals: list[tuple[int, list[Any]]] = []
        for position, row in enumerate(table.rows):
            site, site_name, period, period_name, value = row
            if site == ALL_CODE or period == ALL_CODE:
                totals.append((position, row))
                continue
            key = f"people|{site}|{period}|{self._revision(site, period)}"
            cells[(site, period)] = self._figure(
                key, f"{site_name}, {period_name}, people reached", int(value)
            )
            self._place(PEOPLE_TABLE, position, key)
        sites = list(dict.fromkeys(site for site, _ in cells))
        periods = list(dict.fromkeys(period for _, period in cells))
        row_totals: dict[str, str] = {}
        column_totals: dict[str, str] = {}
        positions = {(row[0], row[2]): (position, row) for position, row in totals}
        for site in sites:
            parts = [cells[(site, period)] for period in periods if (site, period) in cells]
            position, row = positions[(site, ALL_CODE)]
            row_totals[site] = self._total(
                position, row, "people", parts, f"{row[1]}, all periods, people reached"
            )
        for period in periods:
            parts = [cells[(site, period)] for site in sites if (site, period) in cells]
            position, row = positions[(ALL_CODE, period)]
            column_totals[period] = self._total(
                position, row, "people", parts, f"All sites, {row[3]}, people reached"
            )
        position, row = positions[(ALL_CODE, ALL_CODE)]
        grand = self._total(
            position, row, "people", list(row_totals.values()), "All sites, all periods, people reached"
        )
        self.relations.append(Relation(grand, tuple(column_totals.values())))

    def _total(self, position: int, row: list[Any], prefix: str, parts: list[str], label: str) -> str:
        digest = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]
        key = self._figure(f"{prefix}|{row[0]}|{row[2]}|{digest}", label, int(row[4]))
        self.relations.append(Relation(key, tuple(parts)))
        self._place(PEOPLE_TABLE, position, key)
        return key

    def measures(
        self,
        table: AggregatedTable,
        indicators: Mapping[str, Indicator],
        attributable_pence: Mapping[tuple[str, str], int],
    ) -> None:
        columns = [column.key for column in table.definition.columns]
        keys: dict[tuple[str, str, str], str] = {}
        used = {
            code
            for indicator in indicators.values()
            for code in (
                declaration_of(indicator).numerator,
                declaration_of(indicator).denominator,
                declaration_of(indicator).as_percentage_of,
            )
        }
        # Counts first: the formulas below use them.
        for position, row in enumerate(_as_dicts(columns, table.rows)):
            indicator = indicators.get(row["indicator_code"])
            if indicator is None or indicator.unit != IndicatorUnit.COUNT.value or row["value"] is None:
                continue
            declared = declaration_of(indicator)
            if declared.counts == "records" and indicator.code not in used:
                continue  # shown in full, as reported, and no figure of the release is worked out from it
            site, period = row["site_code"], row["period_code"]
            revision = self._revision(site, period)
            key = f"measure|{site}|{period}|{revision}|{indicator.code}|{_stamp(row['value'])}"
            kind = Kind.PEOPLE if declared.counts == "people" else Kind.RECORDS
            label = f"{row['site']}, {row['period']}, {indicator.name}"
            self._figure(key, label, int(Decimal(row["value"])), kind, shown=not declared.as_percentage_of)
            keys[(site, period, indicator.code)] = key
            if not declared.as_percentage_of:
                self._place("measures", position, key)
        for position, row in enumerate(_as_dicts(columns, table.rows)):
            indicator = indicators.get(row["indicator_code"])
            if indicator is None or row["value"] is None:
                continue
            declared = declaration_of(indicator)
            site, period = row["site_code"], row["period_code"]
            label = f"{row['site']}, {row['period']}, {indicator.name}"
            if declared.as_percentage_of:
                whole = keys.get((site, period, declared.as_percentage_of))
                key = f"{_AS_PERCENTAGE}{site}|{period}|{self._revision(site, period)}|{indicator.code}"
                part = keys[(site, period, indicator.code)]
                self._derived(position, key, label, part, whole, Fraction(100), 1, share=True, base=True)
            elif declared.has_formula and indicator.unit != IndicatorUnit.COUNT.value:
                self._formula(position, row, indicator, declared, keys, attributable_pence, label)
            elif indicator.unit == IndicatorUnit.PERCENTAGE.value:
                # A percentage with no declared formula: its base is unknown, so neither the small-base
                # rule nor "withheld when an input is [c]" can be applied, and the site's own figure over a
                # suppressed base (33.3 of a [c] that is 3) would say what the [c] hides. Withheld.
                key = f"derived|{site}|{period}|{self._revision(site, period)}|{indicator.code}"
                self._derived(
                    position,
                    key,
                    label,
                    None,
                    None,
                    Fraction(100),
                    indicator.decimal_places,
                    share=True,
                    base=True,
                )

    def _formula(
        self,
        position: int,
        row: Mapping[str, Any],
        indicator: Indicator,
        declared: ReleaseDeclaration,
        keys: Mapping[tuple[str, str, str], str],
        attributable_pence: Mapping[tuple[str, str], int],
        label: str,
    ) -> None:
        site, period = row["site_code"], row["period_code"]
        revision = self._revision(site, period)
        whole = keys.get((site, period, declared.denominator))
        scale = Fraction(declared.multiplier)
        part: str | None
        if declared.numerator == ATTRIBUTABLE_COST:
            pence = attributable_pence.get((site, period), 0)
            part = self._figure(
                f"cost|{site}|{period}|{revision}|{_stamp(pence)}",
                f"{row['site']}, {row['period']}, attributable cost (pence)",
                pence,
                Kind.AMOUNT,
            )
            scale /= 100  # pence into pounds
        elif declared.numerator:
            part = keys.get((site, period, declared.numerator))
        elif whole is not None:
            # A share whose numerator no indicator holds: the count the site's figure implies, hidden.
            implied = Decimal(row["value"]) * self.values[whole] / declared.multiplier
            part = self._figure(
                f"share|{site}|{period}|{revision}|{indicator.code}|{_stamp(row['value'])}",
                f"{label} (people counted)",
                int(implied.quantize(Decimal(1), ROUND_HALF_UP)),
                shown=False,
            )
        else:
            part = None
        people = whole is not None and whole.startswith("measure|") and self._counts_people(whole)
        percentage = indicator.unit == IndicatorUnit.PERCENTAGE.value
        key = f"derived|{site}|{period}|{revision}|{indicator.code}"
        self._derived(
            position,
            key,
            label,
            part,
            whole,
            scale,
            indicator.decimal_places,
            share=percentage and declared.multiplier == 100,
            base=people,
        )

    def _counts_people(self, key: str) -> bool:
        return self.kinds[key] is Kind.PEOPLE

    def _derived(
        self,
        position: int,
        key: str,
        label: str,
        part: str | None,
        whole: str | None,
        scale: Fraction,
        places: int,
        *,
        share: bool,
        base: bool,
    ) -> None:
        if part is None or whole is None:
            # Inputs the release does not hold: nothing to compute it from, so it is withheld.
            whole = part = self._figure(f"missing|{key}", f"{label} (inputs not reported)", 0, Kind.RECORDS)
        self.derived.append(
            DerivedFigure(key, label, _of(part), _of(whole), scale, places, base_rule=base, share_rule=share)
        )
        self._place("measures", position, key)

    def baselines(self, table: AggregatedTable, indicators: Mapping[str, Indicator]) -> None:
        columns = [column.key for column in table.definition.columns]
        for position, cells in enumerate(table.rows):
            row = dict(zip(columns, cells, strict=True))
            indicator = indicators.get(row["indicator_code"])
            if indicator is None or indicator.unit != IndicatorUnit.COUNT.value or row["value"] is None:
                continue
            declared = declaration_of(indicator)
            if declared.counts == "records":
                continue  # shown in full, as reported
            kind = Kind.PEOPLE
            key = f"baseline|{row['site_code']}|{indicator.code}|{_stamp(row['value'])}"
            label = f"{row['site']}, baseline, {indicator.name}"
            self._figure(key, label, int(Decimal(row["value"])), kind)
            self._place("baselines", position, key)


def _stamp(value: object) -> str:
    """A short digest of a figure's value, part of its key: a figure corrected after an earlier release is
    a different quantity from the one that release showed (without it, the two releases' facts would
    contradict each other), while an unchanged figure stays the same quantity. Keys stay internal."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:10]


def _of(key: str) -> Linear:
    return Linear.of(key)


def _as_dicts(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Each row as a dict by column key, one at a time (a table may be read from disk: never all at once)."""
    for row in rows:
        yield dict(zip(columns, row, strict=True))
