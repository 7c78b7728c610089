"""Costs and savings: what the service accepts, what it refuses (naming the field), and what it audits."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    AuditEvent,
    CostCategory,
    CostItem,
    ReturnStatus,
    Role,
    SavingClaim,
    SiteReturn,
    User,
)
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns.costs import (
    COSTS,
    CostInput,
    cost_totals,
    staff_time_cost,
    staff_time_text,
)
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.services.returns.savings import SAVINGS, SavingInput
from tests.factories import make_framework, make_return, make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks"


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


@pytest.fixture
def site_return(db: Session, lead: User) -> SiteReturn:
    return make_return(db, "kent")


def category(site_return: SiteReturn, code: str = "PILOT-STAFF") -> CostCategory:
    return next(each for each in site_return.framework_version.cost_categories if each.code == code)


def a_cost(site_return: SiteReturn, **changes: Any) -> CostInput:
    cost = CostInput(
        category_id=category(site_return).id,
        description="Project manager, April to June, 3 days a week",
        amount=Decimal("4500.00"),
        cost_type="running",
        funding="cash",
        funder="Kent County Council",
    )
    return replace(cost, **changes)


def a_saving(**changes: Any) -> SavingInput:
    saving = SavingInput(
        description="Fewer failed home visits",
        amount=Decimal("800.00"),
        evidence="Visit logs: 40 fewer wasted visits at £20 each",
    )
    return replace(saving, **changes)


def count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def evidence_events(db: Session) -> int:
    """Audit records of costs and savings (the factories audit what they make too)."""
    db.expire_all()
    statement = select(func.count()).where(AuditEvent.object_type.in_(["cost", "saving"]))
    return db.scalar(statement) or 0


def audit_events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def add(db: Session, lead: User, site_return: SiteReturn, **changes: Any) -> CostItem:
    with transaction(db):
        return COSTS.add(db, lead, site_return, a_cost(site_return, **changes))


# Adding costs


def test_a_cost_is_saved_for_the_returns_site_with_an_audit_record(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return, description="  Project manager  ")

    assert (item.site_id, item.site_return_id, item.category.code) == (
        site_return.site_id,
        site_return.id,
        "PILOT-STAFF",
    )
    assert (item.description, item.amount, item.attributable_percent, item.version) == (
        "Project manager",
        Decimal("4500.00"),
        Decimal("100.00"),
        1,
    )
    [event] = audit_events(db, "cost.created")
    assert (event.actor_id, event.object_type, event.object_id, event.site_id) == (
        lead.id,
        "cost",
        item.id,
        site_return.site_id,
    )
    assert event.after is not None
    assert (event.after["amount"], event.after["category"], event.after["funder"]) == (
        "4500",
        "PILOT-STAFF",
        "Kent County Council",
    )


def test_a_category_can_be_given_by_its_code_as_a_spreadsheet_does(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return, category_id=None, category_code="partner-time", funding="in_kind")

    assert item.category.code == "PARTNER-TIME"


def test_staff_time_gives_the_amount_as_time_times_rate_rounded_half_up_to_the_penny(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(
        db,
        lead,
        site_return,
        amount=None,
        staff_time_quantity=Decimal("7.5"),
        staff_time_unit="hours",
        staff_rate=Decimal("13.33"),
    )

    # 7.5 x 13.33 = 99.975, rounded half up to the penny.
    assert item.amount == Decimal("99.98")
    assert (item.staff_time_quantity, item.staff_time_unit, item.staff_rate) == (
        Decimal("7.50"),
        "hours",
        Decimal("13.33"),
    )
    assert staff_time_cost(Decimal("0.5"), Decimal("0.05")) == Decimal("0.03")  # Half up, not half even.
    assert staff_time_text(Decimal("7.50"), "hours", Decimal("13.33")) == "7.5 hours at £13.33 an hour"
    assert staff_time_text(Decimal("1"), "days", Decimal("250")) == "1 day at £250.00 a day"


def test_an_amount_typed_beside_staff_time_is_accepted_when_it_matches(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(
        db,
        lead,
        site_return,
        amount=Decimal("500"),
        staff_time_quantity=Decimal("2"),
        staff_time_unit="days",
        staff_rate=Decimal("250"),
    )

    assert item.amount == Decimal("500.00")


def test_an_amount_typed_beside_staff_time_that_differs_is_refused_saying_both_figures(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    with pytest.raises(InvalidEvidence) as refused, transaction(db):
        COSTS.add(
            db,
            lead,
            site_return,
            a_cost(
                site_return,
                amount=Decimal("600"),
                staff_time_quantity=Decimal("2"),
                staff_time_unit="days",
                staff_rate=Decimal("250"),
            ),
        )

    assert refused.value.problems == {
        "amount": "The amount you entered, £600.00, does not match the staff time: 2 days at £250.00 a day "
        "comes to £500.00. Clear the amount to use £500.00, or correct the staff time or rate"
    }
    assert count(db, CostItem) == 0


def test_a_share_below_100_percent_is_kept_with_its_reason_and_a_full_share_drops_any_reason(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    part = add(db, lead, site_return, attributable_percent=Decimal("40"), attribution_reason="2 of 5 days")
    full = add(db, lead, site_return, attributable_percent=Decimal("100"), attribution_reason="not needed")

    assert (part.attributable_percent, part.attribution_reason, part.attributable_amount) == (
        Decimal("40.00"),
        "2 of 5 days",
        Decimal("1800.00"),
    )
    assert full.attribution_reason == ""


BAD_COSTS = [
    ({"amount": Decimal("-0.01")}, "amount", "Amount must be £0 or more"),
    (
        {"amount": Decimal("12.345")},
        "amount",
        "Amount must be in pounds and pence, with no more than 2 decimal places",
    ),
    ({"amount": Decimal("NaN")}, "amount", "Amount must be a number, like 1250.50"),
    ({"amount": Decimal("Infinity")}, "amount", "Amount must be a number, like 1250.50"),
    ({"amount": Decimal("-Infinity")}, "amount", "Amount must be a number, like 1250.50"),
    ({"amount": Decimal("100000000.01")}, "amount", "Amount must be £100,000,000.00 or less"),
    ({"amount": None}, "amount", "Enter the amount in pounds, or the staff time and rate"),
    ({"description": "   "}, "description", "Enter a description of the cost"),
    ({"description": "x" * 5001}, "description", "Description must be 5,000 characters or fewer"),
    ({"funder": "x" * 201}, "funder", "Funder must be 200 characters or fewer"),
    ({"category_id": None}, "category", "Select a cost category"),
    ({"category_id": 999_999}, "category", "Select one of the cost categories listed"),
    (
        {"category_id": None, "category_code": "CATERING"},
        "category",
        "'CATERING' is not a cost category in version 1 of the framework: use one of PILOT-STAFF, "
        "PARTNER-TIME, GOVERNANCE-LEGAL, TECHNOLOGY-DATA, CLIENT-ENGAGEMENT, TRAINING, LOCAL-EVALUATION, "
        "ACCOMMODATION-OVERHEADS",
    ),
    (
        {"cost_type": ""},
        "cost_type",
        "Select whether this is a one-off set-up cost or a recurring running cost",
    ),
    (
        {"cost_type": "monthly"},
        "cost_type",
        "'monthly' is not a choice here: use one of set_up (One-off set-up), running (Recurring running)",
    ),
    ({"funding": ""}, "funding", "Select whether this cost was paid in cash or given in kind"),
    (
        {"funding": "grant"},
        "funding",
        "'grant' is not a choice here: use one of cash (Cash), in_kind (In kind)",
    ),
    (
        {"category_id": None, "category_code": "PARTNER-TIME", "funding": "cash"},
        "funding",
        "Partner staff time (in kind) is an in-kind category: select In kind, or choose another category",
    ),
    (
        {"attributable_percent": None},
        "attributable_percent",
        "Enter the share of this cost attributable to the pilot, from 0 to 100",
    ),
    (
        {"attributable_percent": Decimal("100.5")},
        "attributable_percent",
        "Share attributable to the pilot must be between 0 and 100",
    ),
    (
        {"attributable_percent": Decimal("-1")},
        "attributable_percent",
        "Share attributable to the pilot must be between 0 and 100",
    ),
    (
        {"attributable_percent": Decimal("NaN")},
        "attributable_percent",
        "Share attributable to the pilot must be a number from 0 to 100",
    ),
    (
        {"attributable_percent": Decimal("33.333")},
        "attributable_percent",
        "Share attributable to the pilot must have no more than 2 decimal places",
    ),
    (
        {"attributable_percent": Decimal("60")},
        "attribution_reason",
        "Explain why only 60% of this cost is attributable to the pilot",
    ),
    (
        {"attributable_percent": Decimal("60"), "attribution_reason": "x" * 5001},
        "attribution_reason",
        "Reason must be 5,000 characters or fewer",
    ),
    (
        {"staff_time_quantity": Decimal("3")},
        "staff_time_unit",
        "Select whether the staff time is in hours or days",
    ),
    (
        {"staff_time_quantity": Decimal("3")},
        "staff_rate",
        "Enter the rate for an hour or a day of staff time",
    ),
    ({"staff_rate": Decimal("25")}, "staff_time_quantity", "Enter the staff time, in hours or days"),
    (
        {"staff_time_quantity": Decimal("0"), "staff_time_unit": "hours", "staff_rate": Decimal("25")},
        "staff_time_quantity",
        "Staff time must be more than 0",
    ),
    (
        {"staff_time_quantity": Decimal("1.125"), "staff_time_unit": "hours", "staff_rate": Decimal("25")},
        "staff_time_quantity",
        "Staff time must have no more than 2 decimal places",
    ),
    (
        {"staff_time_quantity": Decimal("2"), "staff_time_unit": "weeks", "staff_rate": Decimal("25")},
        "staff_time_unit",
        "'weeks' is not a unit of time here: use hours or days",
    ),
    (
        {"staff_time_quantity": Decimal("2"), "staff_time_unit": "days", "staff_rate": Decimal("Infinity")},
        "staff_rate",
        "Rate must be a number, like 1250.50",
    ),
    (
        {"staff_time_quantity": Decimal("2"), "staff_time_unit": "days", "staff_rate": Decimal("-5")},
        "staff_rate",
        "Rate must be £0 or more",
    ),
    (
        {"staff_time_quantity": Decimal("100000"), "staff_time_unit": "days", "staff_rate": Decimal("99999")},
        "staff_time_quantity",
        "Staff time at this rate comes to £9,999,900,000.00, more than £100,000,000.00: check the time and "
        "the rate",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    BAD_COSTS,
    ids=[f"{field}-{index}" for index, (_, field, _) in enumerate(BAD_COSTS)],
)
def test_a_cost_with_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    db: Session, lead: User, site_return: SiteReturn, changes: dict[str, Any], field: str, message: str
) -> None:
    data = a_cost(site_return, **changes)

    with pytest.raises(InvalidEvidence) as refused, transaction(db):
        COSTS.add(db, lead, site_return, data)

    assert refused.value.problems[field] == message
    assert COSTS.problems(site_return, data)[field] == message
    assert count(db, CostItem) == 0
    assert evidence_events(db) == 0


def test_every_problem_with_a_cost_is_reported_at_once(site_return: SiteReturn) -> None:
    problems = COSTS.problems(site_return, CostInput(amount=Decimal("-3")))

    assert list(problems) == ["category", "description", "amount", "cost_type", "funding"]


def test_a_category_of_another_framework_version_is_refused(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    other = make_framework(db, FIXTURES / "minimal.yaml", periods=1)
    foreign = other.versions[0].cost_categories[0]

    problems = COSTS.problems(site_return, a_cost(site_return, category_id=foreign.id))

    assert problems == {"category": "Select one of the cost categories listed"}


def test_a_long_import_reference_is_refused(db: Session, lead: User, site_return: SiteReturn) -> None:
    with pytest.raises(InvalidEvidence) as refused, transaction(db):
        COSTS.add(db, lead, site_return, a_cost(site_return), reference="r" * 61)

    assert refused.value.problems == {"import_reference": "Reference must be 60 characters or fewer"}
    assert count(db, CostItem) == 0


def test_an_import_reference_is_kept_so_an_upload_can_find_the_row_again(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    with transaction(db):
        item = COSTS.add(db, lead, site_return, a_cost(site_return), reference="costs.xlsx:row-4")

    assert item.import_reference == "costs.xlsx:row-4"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            ReturnStatus.SUBMITTED,
            "This return cannot be changed because it has been submitted and is waiting for review.",
        ),
        (ReturnStatus.APPROVED, "This return cannot be changed because it has been approved."),
        (ReturnStatus.LOCKED, "This return cannot be changed because its reporting period has closed."),
    ],
)
def test_a_read_only_return_refuses_new_costs_and_savings(
    db: Session, lead: User, status: ReturnStatus, message: str
) -> None:
    read_only = make_return(db, "kent", period=1, status=status)

    with pytest.raises(ReturnError, match=message), transaction(db):
        COSTS.add(db, lead, read_only, a_cost(read_only))
    with pytest.raises(ReturnError, match=message), transaction(db):
        SAVINGS.add(db, lead, read_only, a_saving())

    assert (count(db, CostItem), count(db, SavingClaim), evidence_events(db)) == (0, 0, 0)


def test_only_the_sites_own_lead_can_add_costs(db: Session, site_return: SiteReturn) -> None:
    for user in (make_user(db, Role.SITE_LEAD, site="leeds"), make_user(db, Role.EVALUATOR)):
        with pytest.raises(ReturnError, match="Only the site's lead"), transaction(db):
            COSTS.add(db, user, site_return, a_cost(site_return))

    assert count(db, CostItem) == 0


# Changing and deleting costs


def test_a_change_is_audited_field_by_field_and_bumps_the_version(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return)

    with transaction(db):
        changed = COSTS.update(
            db,
            lead,
            item.site_return,
            item,
            a_cost(site_return, amount=Decimal("4750.50"), cost_type="set_up"),
            submitted_version=1,
        )

    assert changed is True
    assert (item.amount, item.cost_type, item.version) == (Decimal("4750.50"), "set_up", 2)
    [event] = audit_events(db, "cost.updated")
    assert (event.before, event.after) == (
        {"amount": "4500", "cost_type": "running"},
        {"amount": "4750.50", "cost_type": "set_up"},
    )


def test_saving_a_cost_unchanged_writes_nothing(db: Session, lead: User, site_return: SiteReturn) -> None:
    item = add(db, lead, site_return)

    with transaction(db):
        changed = COSTS.update(db, lead, item.site_return, item, a_cost(site_return), submitted_version=1)

    assert (changed, item.version, audit_events(db, "cost.updated")) == (False, 1, [])


def test_saving_over_a_newer_version_is_refused_showing_both_and_changes_nothing(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return)
    with transaction(db):
        COSTS.update(
            db, lead, item.site_return, item, a_cost(site_return, amount=Decimal("5000")), submitted_version=1
        )

    with pytest.raises(StaleEdit) as stale, transaction(db):
        COSTS.update(
            db, lead, item.site_return, item, a_cost(site_return, amount=Decimal("4000")), submitted_version=1
        )

    assert (stale.value.theirs["amount"], stale.value.yours["amount"]) == ("£5,000.00", "£4,000.00")
    db.expire_all()
    assert (item.amount, item.version) == (Decimal("5000.00"), 2)
    assert len(audit_events(db, "cost.updated")) == 1


def test_a_change_with_bad_input_leaves_the_cost_as_it_was(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return)

    with pytest.raises(InvalidEvidence), transaction(db):
        COSTS.update(
            db, lead, item.site_return, item, a_cost(site_return, amount=Decimal("-5")), submitted_version=1
        )

    db.expire_all()
    assert (item.amount, item.version, audit_events(db, "cost.updated")) == (Decimal("4500.00"), 1, [])


def test_a_deleted_cost_is_gone_and_the_audit_log_keeps_what_it_held(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return)
    item_id = item.id

    with transaction(db):
        COSTS.delete(db, lead, item.site_return, item, submitted_version=1)

    assert count(db, CostItem) == 0
    assert site_return.costs == []
    [event] = audit_events(db, "cost.deleted")
    assert event.object_id == item_id
    assert event.before is not None
    assert (event.before["description"], event.before["amount"]) == (
        "Project manager, April to June, 3 days a week",
        "4500",
    )


def test_deleting_a_cost_changed_since_the_user_looked_is_refused(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    item = add(db, lead, site_return)
    with transaction(db):
        COSTS.update(
            db, lead, item.site_return, item, a_cost(site_return, amount=Decimal("1")), submitted_version=1
        )

    with pytest.raises(StaleEdit), transaction(db):
        COSTS.delete(db, lead, item.site_return, item, submitted_version=1)

    assert count(db, CostItem) == 1


def test_another_sites_cost_is_not_visible_to_a_lead_even_through_their_own_return(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    leeds_return = make_return(db, "leeds")
    leeds_cost = add(db, leeds_lead, leeds_return)
    evaluator = make_user(db, Role.EVALUATOR)

    with pytest.raises(NotVisible):
        COSTS.find(db, lead, site_return, leeds_cost.id)
    with pytest.raises(NotVisible):
        COSTS.find(db, lead, leeds_return, leeds_cost.id)
    with pytest.raises(NotVisible):  # Visible to an evaluator, but not part of the Kent return.
        COSTS.find(db, evaluator, site_return, leeds_cost.id)
    assert COSTS.find(db, evaluator, leeds_return, leeds_cost.id) == leeds_cost


# Savings


def test_a_saving_is_recorded_with_its_evidence_and_evidence_level(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    with transaction(db):
        by_code = SAVINGS.add(db, lead, site_return, a_saving(evidence_level_code="Maryland-2"))
    level = next(
        level for level in site_return.framework_version.evidence_levels if level.scale.code == "nesta"
    )
    with transaction(db):
        by_id = SAVINGS.add(db, lead, site_return, a_saving(evidence_level_id=level.id))

    assert by_code.evidence_level is not None
    assert (by_code.evidence_level.scale.code, by_code.evidence_level.level) == ("maryland", 2)
    assert by_id.evidence_level == level
    [first, _] = audit_events(db, "saving.created")
    assert first.after is not None
    assert (first.after["evidence"], first.after["evidence_level"]) == (
        "Visit logs: 40 fewer wasted visits at £20 each",
        "maryland:2",
    )


BAD_SAVINGS = [
    ({"description": ""}, "description", "Enter a description of the saving or cost avoided"),
    ({"description": "x" * 5001}, "description", "Description must be 5,000 characters or fewer"),
    ({"amount": None}, "amount", "Enter the amount saved, in pounds"),
    ({"amount": Decimal("0")}, "amount", "Amount saved must be more than £0"),
    ({"amount": Decimal("-10")}, "amount", "Amount saved must be £0 or more"),
    (
        {"amount": Decimal("10.001")},
        "amount",
        "Amount saved must be in pounds and pence, with no more than 2 decimal places",
    ),
    ({"amount": Decimal("NaN")}, "amount", "Amount saved must be a number, like 1250.50"),
    ({"amount": Decimal("1E+9")}, "amount", "Amount saved must be £100,000,000.00 or less"),
    (
        {"evidence": " "},
        "evidence",
        "Enter the evidence for this saving: how you know it happened and how you valued it",
    ),
    ({"evidence": "x" * 5001}, "evidence", "Evidence must be 5,000 characters or fewer"),
    ({"evidence_level_id": 999_999}, "evidence_level", "Select one of the evidence levels listed"),
    (
        {"evidence_level_code": "maryland-9"},
        "evidence_level",
        "'maryland-9' is not an evidence level in this framework: use one of maryland:1, maryland:2, "
        "maryland:3, maryland:4, maryland:5, nesta:1, nesta:2, nesta:3, nesta:4, nesta:5",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    BAD_SAVINGS,
    ids=[f"{field}-{index}" for index, (_, field, _) in enumerate(BAD_SAVINGS)],
)
def test_a_saving_with_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    db: Session, lead: User, site_return: SiteReturn, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidEvidence) as refused, transaction(db):
        SAVINGS.add(db, lead, site_return, a_saving(**changes))

    assert refused.value.problems[field] == message
    assert count(db, SavingClaim) == 0
    assert evidence_events(db) == 0


def test_savings_are_changed_and_deleted_with_audit_records_and_version_checks(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    with transaction(db):
        item = SAVINGS.add(db, lead, site_return, a_saving())
    with transaction(db):
        SAVINGS.update(db, lead, item.site_return, item, a_saving(amount=Decimal("900")), submitted_version=1)
    with pytest.raises(StaleEdit), transaction(db):
        SAVINGS.update(db, lead, item.site_return, item, a_saving(amount=Decimal("950")), submitted_version=1)
    with transaction(db):
        SAVINGS.delete(db, lead, item.site_return, item, submitted_version=2)

    assert count(db, SavingClaim) == 0
    saving_events = select(AuditEvent).where(AuditEvent.object_type == "saving").order_by(AuditEvent.id)
    assert [event.action for event in db.scalars(saving_events)] == [
        "saving.created",
        "saving.updated",
        "saving.deleted",
    ]


# Totals


def test_totals_separate_set_up_from_running_and_cash_from_in_kind(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    add(db, lead, site_return, amount=Decimal("1000"), cost_type="set_up")
    add(
        db,
        lead,
        site_return,
        amount=Decimal("333.33"),
        attributable_percent=Decimal("50"),
        attribution_reason="Half of her time",
    )
    add(
        db,
        lead,
        site_return,
        category_id=None,
        category_code="PARTNER-TIME",
        amount=Decimal("200"),
        funding="in_kind",
    )
    with transaction(db):
        SAVINGS.add(db, lead, site_return, a_saving(amount=Decimal("120.50")))
        SAVINGS.add(db, lead, site_return, a_saving(amount=Decimal("79.50")))

    totals = cost_totals(site_return)

    assert (totals.total.total, totals.total.attributable) == (Decimal("1533.33"), Decimal("1366.66"))
    assert [(line.label, line.total, line.attributable) for line in totals.by_type] == [
        ("One-off set-up costs", Decimal("1000.00"), Decimal("1000.00")),
        ("Recurring running costs", Decimal("533.33"), Decimal("366.66")),
    ]
    assert [(line.label, line.total) for line in totals.by_funding] == [
        ("Cash costs", Decimal("1333.33")),
        ("In kind costs", Decimal("200.00")),
    ]
    assert (totals.savings, totals.cost_count, totals.saving_count) == (Decimal("200.00"), 3, 2)


def test_totals_read_from_the_kept_figures_equal_adding_every_cost_and_saving(
    db: Session, lead: User, site_return: SiteReturn
) -> None:
    """The section's totals come from the figures kept per return; worked out here from the items, cost by
    cost, they agree to the penny whatever the mix of shares, types and fundings."""
    shares = [Decimal("100"), Decimal("33.33"), Decimal("12.5"), Decimal("99.99"), Decimal("0.01")]
    for number in range(25):
        share = shares[number % len(shares)]
        add(
            db,
            lead,
            site_return,
            amount=Decimal(f"{number * 37 + 1}.{number % 100:02d}"),
            cost_type="set_up" if number % 3 == 0 else "running",
            attributable_percent=share,
            attribution_reason="" if share == 100 else "Shared with other work",
        )
    with transaction(db):
        SAVINGS.add(db, lead, site_return, a_saving(amount=Decimal("0.07")))

    totals = cost_totals(site_return)

    costs = list(db.scalars(select(CostItem).where(CostItem.site_return_id == site_return.id)))
    attributable = sum((cost.amount * cost.attributable_percent / 100 for cost in costs), Decimal(0))
    set_up = [cost for cost in costs if cost.cost_type == "set_up"]
    assert totals.cost_count == len(costs) == 25
    assert totals.total.total == sum((cost.amount for cost in costs), Decimal(0)).quantize(Decimal("0.01"))
    assert totals.total.attributable == attributable.quantize(Decimal("0.01"))
    assert totals.by_type[0].attributable == sum(
        (cost.amount * cost.attributable_percent / 100 for cost in set_up), Decimal(0)
    ).quantize(Decimal("0.01"))
    assert (totals.savings, totals.saving_count) == (Decimal("0.07"), 1)
