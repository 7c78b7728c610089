"""The learning summary of a release: what national decision-makers read, as plain JSON data.

It is written only from a release's disclosure-controlled tables and the learning entries cleared for
national sharing, never from the exact figures, so nothing here can say more than the tables do: a figure
derived from a withheld one ([c]) is withheld too. The page, the PDF and the DOCX print this data as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evidence_hub.formatting import money
from evidence_hub.models import Framework, FrameworkVersion, ReportingPeriod, Site
from evidence_hub.models.framework import Direction, IndicatorUnit, LearningType
from evidence_hub.services.appraisal.evidence import NO_RETURN as APPRAISAL_NO_RETURN
from evidence_hub.services.dashboards.ratios import share
from evidence_hub.services.dashboards.scope import period_range_label
from evidence_hub.services.framework.definitions import release_declaration
from evidence_hub.services.impact.estimates import CHANGE_FROM_BASELINE_LABEL
from evidence_hub.services.releases.disclosure import SUPPRESSED, DisclosureReport, DisclosureRules
from evidence_hub.services.releases.table_definitions import NOT_ACCREDITED, AggregatedTable
from evidence_hub.services.releases.tables import ALL_CODE

PENNY = Decimal("0.01")
# What a figure reads when the site has no approved return for it: never 0 (services/appraisal's word).
NO_RETURN = str(APPRAISAL_NO_RETURN)
TENTH = Decimal("0.1")
STATUS_LINE = (
    "Management information, not accredited official statistics. Disclosure-controlled for sharing "
    "with national policy teams."
)

GLOSSARY = (
    ("Attributable cost", "The part of a cost that the pilot caused, as the site judged and explained it."),
    (
        "Set-up cost",
        "A one-off cost of starting the pilot, such as a data-sharing agreement or new software.",
    ),
    ("Running cost", "A cost of operating the pilot in each period, such as staff time."),
    ("In-kind cost", "A cost given in staff time, premises or equipment rather than paid in cash."),
    ("Baseline", "An indicator's value at a site before the pilot began, against which change is measured."),
    (
        "Evidence level",
        "The strength of the evidence behind a figure on a published scale, such as the "
        "Maryland Scientific Methods Scale (1 to 5) or the Nesta Standards of Evidence (1 to 5).",
    ),
    ("[c]", "A figure withheld to protect confidentiality (disclosure control)."),
    (
        "Disclosure audit",
        "A check, before a release is published, that no figure shown as [c] can be worked out or "
        "narrowed down to a small range from everything published for the framework.",
    ),
    (
        "Cleared for national sharing",
        "A learning entry an evaluator has checked and agreed national officials may read.",
    ),
    (
        "Data-sharing journey",
        "The framework's steps from no data shared (0%) to data sharing fully in place (100%).",
    ),
    (
        "Management information",
        "Figures collected to run and evaluate the pilots, not produced to the "
        "standards of accredited official statistics.",
    ),
    ("Release", "A frozen, numbered copy of the approved evidence at one moment; it never changes."),
)


@dataclass(frozen=True)
class SummaryInputs:
    reference: str
    title: str
    published_on: date
    framework: Framework
    version: FrameworkVersion | None
    periods: list[ReportingPeriod]
    sites: list[Site]
    site_colours: dict[str, str]
    tables: dict[str, AggregatedTable]
    entries: list[dict[str, Any]]
    rules: DisclosureRules
    report: DisclosureReport
    caveats: list[str]


def build_summary(inputs: SummaryInputs) -> dict[str, Any]:
    return _SummaryWriter(inputs).write()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == SUPPRESSED:
        return None
    return Decimal(value)


def _percent(part: Decimal, whole: Decimal) -> str | None:
    percentage = share(part, whole)
    return None if percentage is None else str(percentage.quantize(TENTH, ROUND_HALF_UP))


class _SummaryWriter:
    def __init__(self, inputs: SummaryInputs) -> None:
        self.inputs = inputs
        self.tables = inputs.tables
        self.rules = inputs.rules
        self.version = inputs.version or next(
            (version for version in reversed(inputs.framework.versions) if version.status != "draft"), None
        )
        self.site_names = {site.code: site.name for site in inputs.sites}

    def rows(self, code: str) -> Iterator[dict[str, Any]]:
        """The table's rows as dicts, one at a time: the biggest tables are read from disk, never held."""
        table = self.tables[code]
        keys = [column.key for column in table.definition.columns]
        for row in table.rows:
            yield dict(zip(keys, row, strict=True))

    def write(self) -> dict[str, Any]:
        inputs = self.inputs
        costs = self.costs()
        outcomes = self.outcomes()
        barriers_enablers = self.barriers_enablers()
        summary = {
            "title": inputs.title,
            "reference": inputs.reference,
            "published_on": inputs.published_on.isoformat(),
            "framework": {
                "code": inputs.framework.code,
                "name": inputs.framework.name,
                "version_label": f"Version {inputs.version.version}"
                if inputs.version
                else "All published versions",
            },
            "period_label": period_range_label(inputs.periods),
            "status_line": STATUS_LINE,
            "site_colours": inputs.site_colours,
            "costs": costs,
            "outcomes": {"rows": outcomes},
            "themes": self.themes(outcomes),
            # Publishing adds the Green Book appraisal (value_for_money_block), which reads the database.
            "value_for_money": {},
            "barriers_enablers": barriers_enablers,
            "recommendations": self.recommendations(),
            "methodology": self.methodology(),
            "caveats": list(inputs.caveats),
            "glossary": [{"term": term, "definition": definition} for term, definition in GLOSSARY],
            "disclosure": inputs.report.summary(),
        }
        summary["executive"] = self.executive(costs, barriers_enablers)
        return summary

    def executive(self, costs: dict[str, Any], barriers: list[dict[str, Any]]) -> dict[str, Any]:
        inputs = self.inputs
        returns = self.rows("returns")
        approved = [row for row in returns if row["status"] == "Approved"]
        reported = sum(row["items_reported"] for row in approved)
        required = sum(row["items_required"] for row in approved)
        completeness = _percent(Decimal(reported), Decimal(required))
        expected = len(inputs.sites) * len(inputs.periods)
        people_total = costs["total"]["people_reached"]
        key_points = [
            f"{len(approved)} of the {expected} returns expected from {len(inputs.sites)} sites over "
            f"{len(inputs.periods)} periods were approved when this release was published.",
        ]
        if completeness is not None:
            key_points.append(
                f"Approved returns reported {completeness}% of the items every return must report."
            )
        key_points.append(
            f"The pilots' attributable cost was {money(Decimal(costs['total']['attributable']))}, of which "
            f"{money(Decimal(costs['total']['set_up']))} was set-up."
        )
        if people_total != SUPPRESSED:
            key_points.append(f"Activities reached {int(people_total):,} people.")
        # Value for money's key point (one definition: services/appraisal) is added by publishing.
        if barriers:
            most = max(barriers, key=lambda row: row["barriers"])
            if most["barriers"]:
                key_points.append(
                    f"Barriers were most often about {most['dimension'].lower()} "
                    f"({most['barriers']} entries)."
                )
        cleared = len(inputs.entries)
        recurring = sum(1 for entry in inputs.entries if entry["times_recorded"] > 1)
        key_points.append(
            f"{cleared} learning {'entry was' if cleared == 1 else 'entries were'} "
            "cleared for national sharing"
            + (
                f"; {recurring} of them recur in more than one period and are quoted once."
                if recurring
                else "."
            )
        )
        return {
            "sites": [
                {
                    "code": site.code,
                    "name": site.name,
                    "local_authorities": list(site.local_authorities or []),
                }
                for site in inputs.sites
            ],
            "periods": [{"code": period.code, "name": period.name} for period in inputs.periods],
            "returns_expected": expected,
            "returns_approved": len(approved),
            "completeness_percent": completeness,
            "attributable_cost": costs["total"]["attributable"],
            "people_reached": people_total,
            "key_points": key_points,
        }

    def costs(self) -> dict[str, Any]:
        sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        keys = ("recorded", "attributable", "set_up", "running", "cash", "in_kind")
        for row in self.rows("costs"):
            for key in keys:
                sums[row["site_code"]][key] += Decimal(row[key])
        people = {
            row["site_code"]: row["people_reached"]
            for row in self.rows("people_reached")
            if row["period_code"] == ALL_CODE
        }
        approved = {row["site_code"] for row in self.rows("returns") if row["status"] == "Approved"}
        rows = []
        total: dict[str, Decimal] = defaultdict(Decimal)
        for site in self.inputs.sites:
            site_row: dict[str, Any] = {"site_code": site.code, "site": site.name}
            if site.code not in approved:
                # No approved return in the release: nothing was reported, which is not a cost of £0.
                site_row.update(dict.fromkeys((*keys, "people_reached"), NO_RETURN))
                rows.append(site_row)
                continue
            figures = sums.get(site.code, {})
            for key in keys:
                amount = figures.get(key, Decimal(0))
                total[key] += amount
                site_row[key] = str(amount.quantize(PENNY))
            site_row["people_reached"] = people.get(site.code, 0)
            rows.append(site_row)
        total_row: dict[str, Any] = {"site_code": ALL_CODE, "site": "All sites"}
        for key in keys:
            total_row[key] = str(total[key].quantize(PENNY))
        total_row["people_reached"] = people.get(ALL_CODE, 0)
        return {"rows": rows, "total": total_row}

    def _indicators(self) -> list[Any]:
        return list(self.version.indicators) if self.version is not None else []

    def outcomes(self) -> list[dict[str, Any]]:
        baselines = {
            (row["site_code"], row["indicator_code"]): row["value"] for row in self.rows("baselines")
        }
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        period_order = {period.code: index for index, period in enumerate(self.inputs.periods)}
        for row in self.rows("measures"):
            if row["value"] is None:
                continue
            key = (row["site_code"], row["indicator_code"])
            current = latest.get(key)
            if current is None or period_order[row["period_code"]] > period_order[current["period_code"]]:
                latest[key] = row
        rows = []
        for indicator in self._indicators():
            for site in self.inputs.sites:
                measure = latest.get((site.code, indicator.code))
                baseline = baselines.get((site.code, indicator.code))
                if measure is None and baseline is None:
                    continue
                latest_value = measure["value"] if measure else None
                change, change_percent = self._change(baseline, latest_value)
                rows.append(
                    {
                        "indicator_code": indicator.code,
                        "indicator": indicator.name,
                        "unit": IndicatorUnit(indicator.unit).label,
                        "site_code": site.code,
                        "site": site.name,
                        "baseline": baseline,
                        "latest": latest_value,
                        "latest_period": measure["period"] if measure else None,
                        "change": change,
                        "change_percent": change_percent,
                        "evidence_scale": measure["evidence_scale"] if measure else "",
                        "evidence_level": measure["evidence_level"] if measure else None,
                        "evidence_level_name": measure["evidence_level_name"] if measure else "",
                    }
                )
        return rows

    @staticmethod
    def _change(baseline: Any, latest: Any) -> tuple[str | None, str | None]:
        """Change from baseline, only when both figures are published (so it reveals nothing withheld)."""
        before, after = _decimal(baseline), _decimal(latest)
        if before is None or after is None:
            return None, None
        change = after - before
        return str(change), _percent(change, abs(before)) if before else None

    def themes(self, outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.version is None:
            return []
        by_indicator: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in outcomes:
            by_indicator[row["indicator_code"]].append(row)
        themes = []
        for theme in self.version.themes:
            findings = []
            for indicator in (each for each in self._indicators() if each.theme_id == theme.id):
                site_rows = by_indicator.get(indicator.code, [])
                if not site_rows:
                    continue
                findings.append(self._finding(indicator, site_rows))
            entries = [entry for entry in self.inputs.entries if entry["theme_code"] == theme.code]
            themes.append(
                {
                    "code": theme.code,
                    "name": theme.title,
                    "description": theme.description,
                    "findings": findings,
                    "entries": entries,
                }
            )
        return themes

    def _finding(self, indicator: Any, site_rows: list[dict[str, Any]]) -> dict[str, Any]:
        direction = Direction(indicator.direction)
        compared = [row for row in site_rows if row["change"] is not None]
        improved = [
            row
            for row in compared
            if (Decimal(row["change"]) > 0 and direction is Direction.HIGHER_IS_BETTER)
            or (Decimal(row["change"]) < 0 and direction is Direction.LOWER_IS_BETTER)
        ]
        if not compared:
            statement = (
                f"{len(site_rows)} {'site reports' if len(site_rows) == 1 else 'sites report'} this "
                "indicator; no site has both a baseline and a latest value that can be published, so change "
                "cannot be shown."
            )
        elif direction is Direction.NO_DIRECTION:
            statement = (
                f"Change from baseline is shown for {len(compared)} of {len(site_rows)} sites reporting."
            )
        else:
            statement = (
                f"Improved from baseline at {len(improved)} of {len(compared)} "
                f"{'site' if len(compared) == 1 else 'sites'} with a baseline and a latest value "
                f"({len(site_rows)} reporting): a {CHANGE_FROM_BASELINE_LABEL}."
            )
        levels = sorted(
            {
                (row["evidence_scale"], row["evidence_level"])
                for row in site_rows
                if row["evidence_level"] is not None
            },
            key=lambda pair: (pair[0], pair[1]),
        )
        if not levels:
            evidence = "No evidence level recorded."
        else:
            scale = levels[0][0]
            numbers = sorted({level for each_scale, level in levels if each_scale == scale})
            span = f"level {numbers[0]}" if len(numbers) == 1 else f"levels {numbers[0]} to {numbers[-1]}"
            evidence = f"{scale}: {span}."
            if indicator.minimum_evidence_level is not None:
                evidence += (
                    f" The framework asks for at least level {indicator.minimum_evidence_level.level}."
                )
        management_information = release_declaration(indicator.release_rules).management_information
        return {
            "indicator_code": indicator.code,
            "indicator": indicator.name,
            "unit": IndicatorUnit(indicator.unit).label,
            "source_status": NOT_ACCREDITED if management_information else "",
            "direction_label": direction.label,
            "statement": statement,
            "evidence": evidence,
            "sites": [
                {
                    key: row[key]
                    for key in (
                        "site_code",
                        "site",
                        "baseline",
                        "latest",
                        "latest_period",
                        "change",
                        "change_percent",
                        "evidence_level_name",
                    )
                }
                for row in site_rows
            ],
        }

    def _outcome_total(self, values: list[Any]) -> int | str | None:
        if not values:
            return None
        if any(value == SUPPRESSED for value in values):
            return SUPPRESSED
        total = sum(Decimal(value) for value in values)
        if 0 < total < self.rules.threshold:
            return SUPPRESSED
        return int(total)

    def barriers_enablers(self) -> list[dict[str, Any]]:
        by_dimension: dict[str, dict[str, Any]] = {}
        for row in self.rows("barriers_enablers"):
            dimension = by_dimension.setdefault(
                row["dimension_code"],
                {
                    "dimension_code": row["dimension_code"],
                    "dimension": row["dimension"],
                    "barriers": 0,
                    "enablers": 0,
                    "sites": defaultdict(lambda: [0, 0]),
                },
            )
            dimension["barriers"] += row["barriers"]
            dimension["enablers"] += row["enablers"]
            dimension["sites"][row["site_code"]][0] += row["barriers"]
            dimension["sites"][row["site_code"]][1] += row["enablers"]
        order = (
            {dimension.code: dimension.position for dimension in self.version.learning_dimensions}
            if self.version
            else {}
        )
        result = []
        for code, dimension in sorted(
            by_dimension.items(), key=lambda item: (order.get(item[0], 999), item[0])
        ):
            sites = dimension.pop("sites")
            dimension["by_site"] = [
                {
                    "site_code": site.code,
                    "site": site.name,
                    "barriers": sites[site.code][0],
                    "enablers": sites[site.code][1],
                }
                for site in self.inputs.sites
                if site.code in sites
            ]
            dimension["entries"] = [
                entry
                for entry in self.inputs.entries
                if code in entry["dimension_codes"]
                and entry["learning_type"] in (LearningType.BARRIER.value, LearningType.ENABLER.value)
            ]
            result.append(dimension)
        return result

    def recommendations(self) -> list[dict[str, Any]]:
        recommendations = [
            entry
            for entry in self.inputs.entries
            if entry["learning_type"] == LearningType.RECOMMENDATION.value
        ]
        lessons = [
            entry
            for entry in self.inputs.entries
            if entry["learning_type"] != LearningType.RECOMMENDATION.value
            and entry["national_implication"].strip()
        ]
        return recommendations + lessons

    def methodology(self) -> list[str]:
        inputs = self.inputs
        return [
            f"Each pilot site made a return for each reporting period against the {inputs.framework.name} "
            "framework: its costs and savings, activities, impact measures with baselines and evidence "
            "levels, learning, and its progress on the data-sharing journey.",
            "Evaluators reviewed every return and returned it with comments where it needed correcting. Only "
            "returns an evaluator had approved when the release was published are included.",
            "Figures are added up by site and period from the individual items in each return; nothing is "
            "estimated or imputed. A site with no approved return for a period contributes nothing for it.",
            "Change from baseline compares each site's latest published value with its own baseline; "
            "evidence levels show how strong the evidence behind each value is.",
            "Learning text comes only from entries an evaluator cleared for national sharing; the counts of "
            "barriers, enablers and other learning include every entry in approved returns.",
            f"Disclosure control was applied to everything in the release with a threshold of "
            f"{self.rules.threshold} people"
            + (f" and rounding to the nearest {self.rules.round_to}" if self.rules.round_to else "")
            + ".",
        ]
