"""The framework's relations between indicators: values that break them are listed in plain English."""

from __future__ import annotations

from decimal import Decimal

from evidence_hub.services.impact.theory_of_change import (
    AtMost,
    BrokenRelation,
    RateOf,
    Relation,
    broken_relations,
)

ENGAGED_WITHIN_REACHED = AtMost("WL-CLIENTS-ENGAGED", "PEOPLE-REACHED")
ENTRIES_WITHIN_ENGAGED = AtMost("WL-JOB-ENTRIES", "WL-CLIENTS-ENGAGED")
ENTRY_RATE = RateOf("WL-JOB-ENTRY-RATE", "WL-JOB-ENTRIES", "WL-CLIENTS-ENGAGED")
RELATIONS: list[Relation] = [ENGAGED_WITHIN_REACHED, ENTRIES_WITHIN_ENGAGED, ENTRY_RATE]
NAMES = {
    "PEOPLE-REACHED": "People reached",
    "WL-CLIENTS-ENGAGED": "Clients engaged",
    "WL-JOB-ENTRIES": "Job entries",
    "WL-JOB-ENTRY-RATE": "Job entry rate",
}


def test_values_that_keep_the_theory_of_change_break_nothing() -> None:
    values = {
        "PEOPLE-REACHED": Decimal(2400),
        "WL-CLIENTS-ENGAGED": Decimal(600),
        "WL-JOB-ENTRIES": Decimal(120),
        "WL-JOB-ENTRY-RATE": Decimal("20.0"),
    }

    assert broken_relations(RELATIONS, values, NAMES) == []


def test_more_job_entries_than_clients_engaged_is_flagged_with_both_indicators() -> None:
    values = {"WL-CLIENTS-ENGAGED": Decimal(100), "WL-JOB-ENTRIES": Decimal(130)}

    assert broken_relations(RELATIONS, values, NAMES) == [
        BrokenRelation(
            ENTRIES_WITHIN_ENGAGED,
            ("WL-JOB-ENTRIES", "WL-CLIENTS-ENGAGED"),
            "Job entries (130) cannot be more than Clients engaged (100).",
        )
    ]


def test_a_rate_that_is_not_its_numerator_over_its_denominator_is_flagged_with_the_sum() -> None:
    values = {
        "WL-CLIENTS-ENGAGED": Decimal(1250),
        "WL-JOB-ENTRIES": Decimal(250),
        "WL-JOB-ENTRY-RATE": Decimal(25),
    }

    [broken] = broken_relations(RELATIONS, values, NAMES)

    assert broken.indicator_codes == ("WL-JOB-ENTRY-RATE", "WL-JOB-ENTRIES", "WL-CLIENTS-ENGAGED")
    assert broken.message == (
        "Job entry rate is 25, but Job entries ÷ Clients engaged × 100 is 20 (250 ÷ 1,250 × 100)."
    )


def test_a_rate_rounded_when_it_was_entered_is_within_the_tolerance() -> None:
    values = {
        "WL-CLIENTS-ENGAGED": Decimal(300),
        "WL-JOB-ENTRIES": Decimal(37),
        "WL-JOB-ENTRY-RATE": Decimal("12.3"),
    }

    assert broken_relations([ENTRY_RATE], values, NAMES) == []


def test_a_rate_of_nobody_is_flagged() -> None:
    values = {"WL-CLIENTS-ENGAGED": Decimal(0), "WL-JOB-ENTRIES": Decimal(0), "WL-JOB-ENTRY-RATE": Decimal(5)}

    [broken] = broken_relations([ENTRY_RATE], values, NAMES)

    assert broken.message == (
        "Job entry rate is 5, but Clients engaged is 0, so there is no Job entries ÷ Clients engaged × 100 "
        "to give."
    )


def test_a_relation_with_a_missing_value_is_not_checked() -> None:
    values = {"WL-CLIENTS-ENGAGED": None, "WL-JOB-ENTRIES": Decimal(130), "WL-JOB-ENTRY-RATE": Decimal(99)}

    assert broken_relations(RELATIONS, values, NAMES) == []


def test_codes_stand_in_for_missing_names_and_other_multipliers_are_shown() -> None:
    per_thousand = RateOf("RATE", "EVENTS", "PEOPLE", multiplier=Decimal(1000), tolerance=Decimal(1))
    values = {"RATE": 3, "EVENTS": 5, "PEOPLE": 1000}

    [broken] = broken_relations([per_thousand], values)

    assert broken.message == "RATE is 3, but EVENTS ÷ PEOPLE × 1,000 is 5 (5 ÷ 1,000 × 1,000)."
