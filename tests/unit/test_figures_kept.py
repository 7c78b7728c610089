"""The figures kept per return (and per site) always equal the aggregation of the raw items: random
sequences of the writes people make (adding, changing and deleting costs, savings, activities and learning
through the services, answering and clearing measures, uploading a spreadsheet, submitting, returning,
approving and reopening) leave them equal after every step; closing a period and withdrawing an approval
are followed through in their own test."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    Activity,
    CostItem,
    LearningEntry,
    ReturnStatus,
    Role,
    SavingClaim,
    SiteReturn,
    User,
)
from evidence_hub.models.summaries import (
    ApprovedValueCount,
    ReturnCostSum,
    ReturnCostTotal,
    ReturnValuesReported,
)
from evidence_hub.models.summary_upkeep import figure_differences, rebuild_figures, rebuild_site_figures
from evidence_hub.services.returns import workflow
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.imports.sections import section_named
from evidence_hub.services.returns.imports.uploads import import_upload
from evidence_hub.services.returns.items import EvidenceItems
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from evidence_hub.services.returns.measure_checks import MeasureInput
from evidence_hub.services.returns.measures import delete_measure, measure_of, save_measure
from evidence_hub.services.returns.savings import SAVINGS, SavingInput
from tests.factories import make_return, make_site, make_user
from tests.returns_helpers import fill_return

SITES = itertools.count(1)
KINDS: dict[str, tuple[EvidenceItems[Any, Any, Any], type]] = {
    "cost": (COSTS, CostItem),
    "saving": (SAVINGS, SavingClaim),
    "activity": (ACTIVITIES, Activity),
    "learning": (LEARNING, LearningEntry),
}

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
people = st.one_of(st.none(), st.integers(min_value=0, max_value=5000))
choice = st.integers(min_value=0, max_value=1000)
LEARNING_TYPES = ["barrier", "enabler", "lesson", "good_practice", "recommendation"]

# What a step draws, whatever the database holds, so that Hypothesis can replay and shrink it: the input's
# values as plain choices, turned into the kind's input against the return once drawn.
raw_inputs = st.fixed_dictionaries(
    {
        "pick": choice,
        "amount": amounts,
        "percent": percents,
        "cost_type": st.sampled_from(["set_up", "running"]),
        "funding": st.sampled_from(["cash", "in_kind"]),
        "day": st.integers(min_value=0, max_value=80),
        "people": people,
        "learning_type": st.sampled_from(LEARNING_TYPES),
        "dimensions": st.lists(choice, min_size=1, max_size=3),
    }
)


def cost_input(site_return: SiteReturn, raw: dict[str, Any]) -> CostInput:
    categories = site_return.framework_version.cost_categories
    category = categories[raw["pick"] % len(categories)]
    percent = raw["percent"]
    return CostInput(
        category_id=category.id,
        description=f"Cost {raw['pick']}",
        amount=raw["amount"],
        cost_type=raw["cost_type"],
        funding="in_kind" if category.in_kind else raw["funding"],
        attributable_percent=percent,
        attribution_reason="Shared with other work" if percent < 100 else "",
    )


def activity_input(site_return: SiteReturn, raw: dict[str, Any]) -> ActivityInput:
    version, period = site_return.framework_version, site_return.reporting_period
    kinds = version.activity_types
    return ActivityInput(
        activity_type_id=kinds[raw["pick"] % len(kinds)].id,
        title=f"Activity {raw['pick']}",
        starts_on=min(period.starts_on + timedelta(days=raw["day"]), period.ends_on),
        people_reached=raw["people"],
    )


def learning_input(site_return: SiteReturn, raw: dict[str, Any]) -> LearningInput:
    version = site_return.framework_version
    dimensions = [dimension.code for dimension in version.learning_dimensions]
    themes = ["", *(theme.code for theme in version.themes)]
    return LearningInput(
        learning_type=raw["learning_type"],
        dimensions=sorted({dimensions[pick % len(dimensions)] for pick in raw["dimensions"]}),
        theme=themes[raw["pick"] % len(themes)],
        title=f"Learning {raw['pick']}",
        what_happened="Something happened.",
    )


def saving_input(_site_return: SiteReturn, raw: dict[str, Any]) -> SavingInput:
    return SavingInput(description=f"Saving {raw['pick']}", amount=raw["amount"], evidence="Logs")


INPUTS: dict[str, Callable[[SiteReturn, dict[str, Any]], Any]] = {
    "cost": cost_input,
    "saving": saving_input,
    "activity": activity_input,
    "learning": learning_input,
}


def write_measure(db: Session, lead: User, site_return: SiteReturn, raw: dict[str, Any]) -> bool:
    """Answer one indicator with a figure or "not yet available", or clear its answer; False when the
    answer is refused (a figure outside an indicator's range needs a justification: the test gives one)."""
    indicators = site_return.framework_version.indicators
    indicator = indicators[raw["pick"] % len(indicators)]
    level = indicator.framework_version.evidence_scales[0].levels[-1]
    try:
        with transaction(db):
            if measure_of(db, site_return, indicator) is not None and raw["day"] % 3 == 0:
                delete_measure(db, lead, site_return, indicator.code)
            elif raw["people"] is None:
                save_measure(
                    db,
                    lead,
                    site_return,
                    indicator.code,
                    MeasureInput(not_available=True, not_available_reason="Not collected yet"),
                )
            else:
                save_measure(
                    db,
                    lead,
                    site_return,
                    indicator.code,
                    MeasureInput(
                        value=str(raw["people"] % 101) if indicator.unit != "yes_no" else "yes",
                        target=str(raw["people"] % 101) if indicator.unit != "yes_no" else "yes",
                        range_justification="Checked with the team",
                        data_source="Council records",
                        quality_rating="good",
                        quality_reason="Audited",
                        evidence_level=level.id,
                    ),
                )
    except ReturnError:
        return False
    return True


def upload_costs(db: Session, lead: User, site_return: SiteReturn, raw: dict[str, Any]) -> None:
    """An upload of one to three cost rows; the same references again update instead of adding."""
    category = site_return.framework_version.cost_categories[0]
    rows = ["site_code,period_code,reference,category_code,description,amount,cost_type,funding"]
    for number in range(raw["pick"] % 3 + 1):
        rows.append(
            f"{site_return.site.code},{site_return.reporting_period.code},U-{number},{category.code},"
            f"Uploaded {number},{raw['amount']},running,{'in_kind' if category.in_kind else 'cash'}"
        )
    content = ("\r\n".join(rows) + "\r\n").encode()
    with transaction(db):
        import_upload(db, lead, site_return, section_named("costs"), content, "costs.csv")


def review(db: Session, lead: User, evaluator: User, site_return: SiteReturn, raw: dict[str, Any]) -> None:
    """The return's next step in review, whatever it is now: submitted (completed first), then approved or
    returned, and an approved return reopened."""
    status = site_return.status_enum
    if status in (ReturnStatus.DRAFT, ReturnStatus.RETURNED):
        fill_return(db, site_return)
        with transaction(db):
            workflow.submit(db, lead, site_return)
    elif status is ReturnStatus.SUBMITTED and raw["pick"] % 2:
        with transaction(db):
            workflow.approve(db, evaluator, site_return)
    elif status is ReturnStatus.SUBMITTED:
        with transaction(db):
            workflow.return_to_site(db, evaluator, site_return, "Please check the figures.")
    elif status is ReturnStatus.APPROVED:
        with transaction(db):
            workflow.reopen(db, evaluator, site_return, "The figures need checking.")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "add", "edit", "delete", "upload", "measure", "review", "review"]),
            st.sampled_from(sorted(KINDS)),
            raw_inputs,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_random_writes_keep_every_returns_figures_equal_to_its_items(
    db: Session, steps: list[tuple[str, str, dict[str, Any]]]
) -> None:
    # A site of its own for every example, so that each starts from an empty return.
    site = make_site(db, f"site-{next(SITES)}")
    site_return = make_return(db, site)
    lead = make_user(db, Role.SITE_LEAD, site=site)
    evaluator = make_user(db, Role.EVALUATOR)
    for action, kind, raw in steps:
        items, model = KINDS[kind]
        existing = list(
            db.scalars(select(model).where(model.site_return_id == site_return.id).order_by(model.id))
        )
        # A step the return's state refuses (a lead's change to a submitted return) changes nothing.
        try:
            if action == "review":
                review(db, lead, evaluator, site_return, raw)
            elif action == "upload":
                upload_costs(db, lead, site_return, raw)
            elif action == "measure":
                write_measure(db, lead, site_return, raw)
            elif action == "add" or not existing:
                with transaction(db):
                    items.add(db, lead, site_return, INPUTS[kind](site_return, raw))
            elif action == "edit":
                with transaction(db):
                    target = existing[raw["pick"] % len(existing)]
                    items.update(db, lead, site_return, target, INPUTS[kind](site_return, raw), None)
            else:
                with transaction(db):
                    items.delete(db, lead, site_return, existing[raw["pick"] % len(existing)], None)
        except ReturnError:
            db.rollback()
        assert figure_differences(db.connection()) == []
        db.commit()


def add_running_cost(db: Session, lead: User, site_return: SiteReturn, amount: Decimal) -> None:
    with transaction(db):
        COSTS.add(
            db,
            lead,
            site_return,
            CostInput(
                category_id=site_return.framework_version.cost_categories[0].id,
                description="Analyst",
                amount=amount,
                cost_type="running",
                funding="cash",
            ),
        )


def test_rebuilding_every_returns_figures_gives_the_figures_kept(db: Session) -> None:
    """What the migration and a bulk load do (rebuild from scratch) agrees with what each write keeps."""
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    add_running_cost(db, lead, site_return, Decimal("1200.50"))
    with transaction(db):
        rebuild_figures(db.connection())
        assert figure_differences(db.connection()) == []


def test_answering_and_clearing_measures_keeps_the_values_reported(db: Session) -> None:
    """Completeness reads how many figures each return gives from the kept figures: a figure counts, "not
    yet available" does not, and a cleared answer stops counting."""
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    indicator = site_return.framework_version.indicators[0]

    def kept() -> list[tuple[str, int]]:
        return [
            (row.frequency, row.values_reported)
            for row in db.scalars(
                select(ReturnValuesReported).where(ReturnValuesReported.site_return_id == site_return.id)
            )
        ]

    answer = {"pick": 0, "day": 1, "people": 12}
    assert write_measure(db, lead, site_return, answer)
    db.commit()
    assert kept() == [(indicator.frequency, 1)]
    assert write_measure(db, lead, site_return, {**answer, "people": None})
    db.commit()
    assert kept() == []
    assert write_measure(db, lead, site_return, answer)
    assert write_measure(db, lead, site_return, {**answer, "day": 3})
    db.commit()
    assert kept() == []
    assert figure_differences(db.connection()) == []


def test_a_returns_costs_are_kept_in_one_row_by_type_and_funding(db: Session) -> None:
    """The row a return keeps over every category: recorded pence, and attributable pence × hundredths of a
    percent for each type and funding, empty (not 0) where the return has no such cost."""
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    category_id = site_return.framework_version.cost_categories[0].id

    def cost(amount: str, cost_type: str, funding: str, percent: str = "100") -> CostInput:
        return CostInput(
            category_id=category_id,
            description="Analyst",
            amount=Decimal(amount),
            cost_type=cost_type,
            funding=funding,
            attributable_percent=Decimal(percent),
            attribution_reason="" if percent == "100" else "Shared with the council's own work",
        )

    def kept() -> tuple[int | None, ...] | None:
        row = db.get(ReturnCostSum, site_return.id)
        db.expire_all()
        if row is None:
            return None
        return (
            row.recorded_pence,
            row.set_up_cash_units,
            row.set_up_in_kind_units,
            row.running_cash_units,
            row.running_in_kind_units,
        )

    with transaction(db):
        COSTS.add(db, lead, site_return, cost("1200.50", "running", "cash"))
        COSTS.add(db, lead, site_return, cost("300.00", "set_up", "in_kind", "50"))
        COSTS.add(db, lead, site_return, cost("0.00", "running", "in_kind"))
    # £1,200.50 at 100.00% and £300.00 at 50.00%; the nil in-kind running cost still counts as one.
    assert kept() == (150050, None, 30000 * 5000, 120050 * 10000, 0)
    set_up = db.scalars(select(CostItem).where(CostItem.cost_type == "set_up")).one()
    with transaction(db):
        COSTS.delete(db, lead, site_return, set_up, None)
    assert kept() == (120050, None, None, 120050 * 10000, 0)
    for item in db.scalars(select(CostItem)).all():
        with transaction(db):
            COSTS.delete(db, lead, site_return, item, None)
    assert kept() is None
    assert figure_differences(db.connection()) == []


def test_figures_that_drift_from_their_items_are_named_by_table_and_return(db: Session) -> None:
    """`evidence-hub check --figures` says which kept table differs, and for which returns."""
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    add_running_cost(db, lead, site_return, Decimal("10.00"))
    with transaction(db):
        db.execute(update(ReturnCostSum).values(recorded_pence=ReturnCostSum.recorded_pence + 1))
    assert figure_differences(db.connection()) == [
        f"return_cost_sums: the figures kept for 1 return differ from their items (returns {site_return.id})"
    ]
    with transaction(db):
        db.execute(update(ReturnCostTotal).values(lines=ReturnCostTotal.lines + 1))
    assert [difference.split(":")[0] for difference in figure_differences(db.connection())] == [
        "return_cost_totals",
        "return_cost_sums",
    ]
    with transaction(db):
        rebuild_figures(db.connection(), [site_return.id])
    assert figure_differences(db.connection()) == []


def test_a_sites_approved_values_are_counted_until_the_approval_is_taken_back(db: Session) -> None:
    """The counts kept per site hold approved returns' values only: none while the return is a draft or
    waiting for review, every value once it is approved, still after its period closes, and none again
    once the approval is withdrawn."""
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    administrator = make_user(db, Role.ADMINISTRATOR)
    fill_return(db, site_return)

    def kept() -> dict[int, tuple[int, int, int]]:
        db.expire_all()
        return {
            row.indicator_id: (row.values, row.all_values, row.below_minimum)
            for row in db.scalars(
                select(ApprovedValueCount).where(ApprovedValueCount.site_id == site_return.site_id)
            )
        }

    with transaction(db):
        workflow.submit(db, lead, site_return)
    assert kept() == {}
    with transaction(db):
        workflow.approve(db, evaluator, site_return)
    measures = {measure.indicator_id: measure for measure in site_return.measures}
    assert set(kept()) == set(measures)
    for indicator_id, (values, all_values, _below) in kept().items():
        has_number = measures[indicator_id].value is not None
        assert (values, all_values) == (1 if has_number else 0, 1)
    counted = kept()
    with transaction(db):
        db.execute(update(ApprovedValueCount).values(all_values=ApprovedValueCount.all_values + 1))
    assert figure_differences(db.connection()) == [
        "approved_value_counts: the figures kept for 1 site differ from their values "
        f"(sites {site_return.site_id})"
    ]
    with transaction(db):
        rebuild_site_figures(db.connection(), [site_return.site_id])
    assert kept() == counted
    with transaction(db):
        workflow.close_period(db, administrator, site_return.reporting_period)
    assert kept() == counted
    with transaction(db):
        workflow.withdraw_approval(db, evaluator, site_return, "The job entries were double counted.")
    assert kept() == {}
    assert figure_differences(db.connection()) == []
