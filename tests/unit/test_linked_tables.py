"""A release's tables as one linked system, read from the framework's declarations: what each declaration
makes the release show (worked examples computed by hand in the tests)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from evidence_hub.services.releases.disclosure import DisclosureRules
from evidence_hub.services.releases.linked_tables import linked_tables
from evidence_hub.services.releases.protection import protect_release
from evidence_hub.services.releases.table_definitions import TABLES, AggregatedTable

PLACE = ["leeds", "Leeds", "2010-Q1", "2010 Q1"]


def indicator(code: str, unit: str = "count", places: int = 0, **release: Any) -> Any:
    return SimpleNamespace(
        code=code, name=code.title(), unit=unit, decimal_places=places, release_rules=release
    )


def measure(code: str, unit: str, value: str) -> list[Any]:
    return [*PLACE, code, code.title(), unit, value, None, "", None, "", False, ""]


def tables(*measures: list[Any]) -> dict[str, AggregatedTable]:
    people = [
        [*PLACE, 40],
        ["leeds", "Leeds", "ALL", "All periods", 40],
        ["ALL", "All sites", "2010-Q1", "2010 Q1", 40],
        ["ALL", "All sites", "ALL", "All periods", 40],
    ]
    return {
        "people_reached": AggregatedTable(TABLES["people_reached"], people),
        "measures": AggregatedTable(TABLES["measures"], list(measures)),
        "baselines": AggregatedTable(TABLES["baselines"], []),
    }


def published(exact: dict[str, AggregatedTable], indicators: list[Any]) -> dict[str, Any]:
    linked = linked_tables(exact, indicators, {}, {("leeds", "2010-Q1"): 123_400})
    protection = protect_release(linked.release, linked.values, DisclosureRules())
    rows = linked.write_back(exact, protection.shown, protection.derived)["measures"].rows
    return {row[4]: (row[6], row[7]) for row in rows}


def test_a_rate_and_a_unit_cost_are_worked_out_from_the_published_figures_not_taken_as_reported() -> None:
    shown = published(
        tables(
            measure("clients", "count", "40"),
            measure("jobs", "count", "13"),
            measure("rate", "percentage", "99.9"),  # what the site reported: never printed
            measure("cost-per-client", "money_gbp", "1.00"),
        ),
        [
            indicator("clients"),
            indicator("jobs"),
            indicator("rate", "percentage", 1, numerator="jobs", denominator="clients", multiplier=100),
            indicator(
                "cost-per-client", "money_gbp", 2, numerator="attributable_cost", denominator="clients"
            ),
        ],
    )
    assert shown["rate"] == ("percentage", str(Decimal("32.5")))  # 13 / 40 × 100
    assert shown["cost-per-client"] == ("money_gbp", "30.85")  # £1,234.00 / 40


def test_a_rate_over_a_small_count_is_withheld_and_records_are_shown_in_full() -> None:
    shown = published(
        tables(
            measure("clients", "count", "6"),
            measure("jobs", "count", "2"),
            measure("referrals", "count", "3"),
            measure("rate", "percentage", "33.3"),
        ),
        [
            indicator("clients"),
            indicator("jobs"),
            indicator("referrals", counts="records"),
            indicator("rate", "percentage", 1, numerator="jobs", denominator="clients", multiplier=100),
        ],
    )
    assert shown["clients"][1] == "[c]" and shown["jobs"][1] == "[c]"
    assert shown["rate"][1] == "[c]"
    assert shown["referrals"][1] == "3"


def test_a_count_released_as_a_percentage_shows_the_percentage_instead_of_the_number() -> None:
    shown = published(
        tables(measure("clients", "count", "40"), measure("starts", "count", "14")),
        [indicator("clients"), indicator("starts", as_percentage_of="clients")],
    )
    assert shown["starts"] == ("percentage", "35.0")  # 14 / 40 × 100, not 14


def test_a_share_whose_part_is_small_is_withheld() -> None:
    shown = published(
        tables(measure("residents", "count", "40"), measure("new-users", "percentage", "12.5")),
        [
            indicator("residents"),
            indicator("new-users", "percentage", 1, denominator="residents", multiplier=100),
        ],
    )
    assert shown["new-users"][1] == "[c]"  # 12.5% of 40 is 5 people: fewer than 10
