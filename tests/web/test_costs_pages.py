"""The costs and savings section, as a site lead fills it in and as an evaluator reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    AuditEvent,
    CostItem,
    ReturnStatus,
    ReviewComment,
    Role,
    SavingClaim,
    SiteReturn,
    User,
)
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.savings import SAVINGS, SavingInput
from tests.factories import make_framework, make_return, make_user
from tests.pages import components_both_ways, elements, error_summary, field_error, page, text_of

ClientAs = Callable[..., FlaskClient]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks"


def see_latest(db: Session) -> None:
    """End the test session's read transaction and forget loaded rows, to see what requests committed."""
    db.rollback()
    db.expire_all()


def count(db: Session, model: type) -> int:
    see_latest(db)
    return db.scalar(select(func.count()).select_from(model)) or 0


def actions(db: Session, object_type: str) -> list[str]:
    see_latest(db)
    statement = select(AuditEvent.action).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id)
    return list(db.scalars(statement))


def category_id(site_return: SiteReturn, code: str = "PILOT-STAFF") -> int:
    return next(each.id for each in site_return.framework_version.cost_categories if each.code == code)


def cost_form(site_return: SiteReturn, **changes: Any) -> dict[str, Any]:
    form = {
        "category": str(category_id(site_return)),
        "description": "Project manager, April to June, 3 days a week",
        "amount": "£4,500.00",
        "cost_type": "running",
        "funding": "cash",
        "attributable_percent": "100",
        "attribution_reason": "",
        "staff_time_quantity": "",
        "staff_rate": "",
        "funder": "Kent County Council",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def cost_data(site_return: SiteReturn, **changes: Any) -> CostInput:
    data = CostInput(
        category_id=category_id(site_return),
        description="Project manager, April to June, 3 days a week",
        amount=Decimal("4500.00"),
        cost_type="running",
        funding="cash",
    )
    return replace(data, **changes)


def user(signed_in: FlaskClient) -> User:
    return signed_in.user  # type: ignore[attr-defined, no-any-return]


def add_cost(db: Session, lead: FlaskClient, site_return: SiteReturn, **changes: Any) -> CostItem:
    with transaction(db):
        return COSTS.add(db, user(lead), site_return, cost_data(site_return, **changes))


def add_saving(db: Session, lead: FlaskClient, site_return: SiteReturn) -> SavingClaim:
    data = SavingInput(description="Fewer failed home visits", amount=Decimal("800"), evidence="Visit logs")
    with transaction(db):
        return SAVINGS.add(db, user(lead), site_return, data)


def section(site_return: SiteReturn) -> str:
    return f"/returns/{site_return.id}/costs"


def links(soup: BeautifulSoup) -> list[str]:
    return [anchor.get_text(" ", strip=True) for anchor in soup.select("main a")]


# The section page


def test_the_section_lists_costs_and_savings_with_totals_and_the_frameworks_guidance(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    cost = add_cost(
        db, lead, site_return, attributable_percent=Decimal("60"), attribution_reason="3 of 5 days"
    )
    saving = add_saving(db, lead, site_return)

    soup = page(lead.get(section(site_return)))

    assert soup.h1.get_text(strip=True) == "Costs and savings"
    card = text_of(soup.find(id=f"cost-{cost.id}"))
    assert "Staff paid by the pilot: £4,500.00" in card
    assert "Attributable to the pilot 60%, £2,700.00 3 of 5 days" in card
    assert "Saving: £800.00" in text_of(soup.find(id=f"saving-{saving.id}"))
    totals = text_of(soup.find(id="cost-totals"))
    assert "Recurring running costs £4,500.00 £2,700.00" in totals
    assert "One-off set-up costs £0.00 £0.00" in totals
    assert "Cash costs £4,500.00 £2,700.00" in totals
    assert "In kind costs £0.00 £0.00" in totals
    assert "All costs £4,500.00 £2,700.00" in totals
    assert text_of(soup.find(id="savings-total")) == "Savings and costs avoided claimed: £800.00"
    guidance = soup.find("a", string=lambda text: text and "cost categories in" in text)
    assert guidance["href"] == "/framework/worklessness-data-sharing/1/cost-categories"
    assert {"Add a cost", "Add a saving or cost avoided"} <= set(links(soup))
    assert "Have you completed this section?" in text_of(soup)


def test_evaluator_comments_are_shown_beside_the_item_they_are_about(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    cost = add_cost(db, lead, site_return)
    evaluator = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator")
    with transaction(db):
        db.add(
            ReviewComment(
                site_return_id=site_return.id,
                site_id=site_return.site_id,
                item_type="cost",
                item_id=cost.id,
                body="Is the project manager's time all on the pilot?",
                author_id=evaluator.id,
            )
        )

    soup = page(lead.get(section(site_return)))

    comment = soup.find(id=f"cost-{cost.id}").find_next_sibling(class_="app-review-comments")
    assert "Is the project manager's time all on the pilot?" in text_of(comment)
    assert "Eve Evaluator" in text_of(comment)


# Adding a cost


def test_the_cost_form_shows_each_categorys_guidance_beside_the_choice(
    lead: FlaskClient, site_return: SiteReturn
) -> None:
    soup = page(lead.get(f"{section(site_return)}/new"))

    details = {
        text_of(each.select_one(".govuk-details__summary-text")): text_of(
            each.select_one(".govuk-details__text")
        )
        for each in soup.select(".govuk-details")
    }
    assert len(details) == 8
    governance = details["What counts as Information governance and legal work"]
    assert "Include External legal advice on the pilot's data flows" in governance
    assert "Exclude Data management and data-security work running in parallel" in governance
    assert "Staff employed or seconded to work on the pilot" in text_of(soup.find(id="category").parent)
    assert soup.find("a", string=lambda text: text and "All cost categories in the framework" in text)


def test_a_lead_adds_a_cost_and_sees_it_in_the_section(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    response = lead.post(f"{section(site_return)}/new", data=cost_form(site_return))

    see_latest(db)
    [item] = db.scalars(select(CostItem))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{section(site_return)}#cost-{item.id}"
    soup = page(lead.get(response.headers["Location"]))
    assert "Cost added: Staff paid by the pilot, £4,500.00." in text_of(
        soup.select_one(".govuk-notification-banner")
    )
    assert (item.amount, item.funder, item.site_id) == (
        Decimal("4500.00"),
        "Kent County Council",
        site_return.site_id,
    )
    assert actions(db, "cost") == ["cost.created"]


def test_staff_time_is_turned_into_an_amount_which_the_lead_is_shown(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    form = cost_form(
        site_return, amount="", staff_time_quantity="37.5", staff_time_unit="hours", staff_rate="22.41"
    )

    response = lead.post(f"{section(site_return)}/new", data=form, follow_redirects=True)

    soup = page(response)
    # 37.5 x £22.41 = £840.375, rounded half up to the penny.
    assert (
        "Cost added: Staff paid by the pilot, £840.38, worked out from 37.5 hours at £22.41 an hour."
        in text_of(soup.select_one(".govuk-notification-banner"))
    )
    assert "Worked out from the staff time: 37.5 hours at £22.41 an hour" in text_of(soup)
    see_latest(db)
    [item] = db.scalars(select(CostItem))
    assert item.amount == Decimal("840.38")


def test_an_amount_that_does_not_match_the_staff_time_is_explained_and_not_saved(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    form = cost_form(
        site_return, amount="900", staff_time_quantity="4", staff_time_unit="days", staff_rate="200"
    )

    soup = page(lead.post(f"{section(site_return)}/new", data=form))

    assert field_error(soup, "amount") == (
        "The amount you entered, £900.00, does not match the staff time: 4 days at £200.00 a day comes to "
        "£800.00. Clear the amount to use £800.00, or correct the staff time or rate"
    )
    assert count(db, CostItem) == 0


BAD_COST_FORMS = [
    ({"amount": "-5"}, "amount", "Amount must be £0 or more"),
    (
        {"amount": "12.345"},
        "amount",
        "Amount must be in pounds and pence, with no more than 2 decimal places",
    ),
    ({"amount": "NaN"}, "amount", "Enter the amount as a number in pounds and pence, like 1250.50"),
    ({"amount": "Infinity"}, "amount", "Enter the amount as a number in pounds and pence, like 1250.50"),
    ({"amount": "1e6"}, "amount", "Enter the amount as a number in pounds and pence, like 1250.50"),
    ({"amount": "twelve"}, "amount", "Enter the amount as a number in pounds and pence, like 1250.50"),
    ({"amount": "9" * 40}, "amount", "Enter the amount as a number in pounds and pence, like 1250.50"),
    ({"amount": "250000000"}, "amount", "Amount must be £100,000,000.00 or less"),
    ({"amount": ""}, "amount", "Enter the amount in pounds, or the staff time and rate"),
    ({"description": ""}, "description", "Enter a description of the cost"),
    ({"description": "x" * 5001}, "description", "Description must be 5,000 characters or fewer"),
    ({"funder": "x" * 201}, "funder", "Funder must be 200 characters or fewer"),
    ({"category": None}, "category", "Select a cost category"),
    ({"category": "999999"}, "category", "Select one of the cost categories listed"),
    ({"category": "PILOT-STAFF"}, "category", "Select one of the cost categories listed"),
    (
        {"cost_type": None},
        "cost_type",
        "Select whether this is a one-off set-up cost or a recurring running cost",
    ),
    (
        {"cost_type": "monthly"},
        "cost_type",
        "'monthly' is not a choice here: use one of set_up (One-off set-up), running (Recurring running)",
    ),
    ({"funding": None}, "funding", "Select whether this cost was paid in cash or given in kind"),
    (
        {"attributable_percent": ""},
        "attributable_percent",
        "Enter the share of this cost attributable to the pilot, from 0 to 100",
    ),
    (
        {"attributable_percent": "150"},
        "attributable_percent",
        "Share attributable to the pilot must be between 0 and 100",
    ),
    (
        {"attributable_percent": "most"},
        "attributable_percent",
        "Enter the share attributable to the pilot as a number from 0 to 100, like 60",
    ),
    (
        {"attributable_percent": "60%"},
        "attribution_reason",
        "Explain why only 60% of this cost is attributable to the pilot",
    ),
    ({"staff_time_quantity": "3"}, "staff_time_unit", "Select whether the staff time is in hours or days"),
    (
        {"staff_time_quantity": "3", "staff_time_unit": "days"},
        "staff_rate",
        "Enter the rate for an hour or a day of staff time",
    ),
    (
        {"staff_time_quantity": "3", "staff_time_unit": "days", "staff_rate": "NaN"},
        "staff_rate",
        "Enter the rate as a number in pounds and pence, like 25.50",
    ),
    (
        {"staff_time_quantity": "-3", "staff_time_unit": "days", "staff_rate": "100", "amount": ""},
        "staff_time_quantity",
        "Staff time must be more than 0",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    BAD_COST_FORMS,
    ids=[f"{field}-{index}" for index, (_, field, _) in enumerate(BAD_COST_FORMS)],
)
def test_a_cost_with_bad_input_shows_the_message_beside_the_field_and_saves_nothing(
    db: Session, lead: FlaskClient, site_return: SiteReturn, changes: dict[str, Any], field: str, message: str
) -> None:
    soup = page(lead.post(f"{section(site_return)}/new", data=cost_form(site_return, **changes)))

    assert field_error(soup, field) == message
    assert message in error_summary(soup)
    assert soup.title.get_text().startswith("Error: Add a cost")
    assert (count(db, CostItem), actions(db, "cost")) == (0, [])


def test_every_problem_is_listed_at_once_and_what_was_typed_is_kept(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    form = {"amount": "lots", "description": "Room hire", "attributable_percent": "100"}

    soup = page(lead.post(f"{section(site_return)}/new", data=form))

    assert error_summary(soup) == [
        "Select a cost category",
        "Enter the amount as a number in pounds and pence, like 1250.50",
        "Select whether this is a one-off set-up cost or a recurring running cost",
        "Select whether this cost was paid in cash or given in kind",
    ]
    assert soup.find(id="amount")["value"] == "lots"
    assert soup.find(id="description").get_text() == "Room hire"
    assert count(db, CostItem) == 0


def test_a_tampered_category_from_another_framework_is_refused(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    other = make_framework(db, FIXTURES / "minimal.yaml", periods=1)
    foreign = other.versions[0].cost_categories[0].id

    soup = page(lead.post(f"{section(site_return)}/new", data=cost_form(site_return, category=str(foreign))))

    assert field_error(soup, "category") == "Select one of the cost categories listed"
    assert count(db, CostItem) == 0


def test_posted_fields_cannot_set_the_site_or_the_return(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    leeds_return = make_return(db, "leeds")
    form = cost_form(site_return, site_id=str(leeds_return.site_id), site_return_id=str(leeds_return.id))

    assert lead.post(f"{section(site_return)}/new", data=form).status_code == 302

    see_latest(db)
    [item] = db.scalars(select(CostItem))
    assert (item.site_id, item.site_return_id) == (site_return.site_id, site_return.id)


# Changing and deleting


def test_a_lead_changes_a_cost_and_the_change_is_audited(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_cost(db, lead, site_return)
    edit = f"{section(site_return)}/{item.id}/edit"
    form = page(lead.get(edit))
    assert form.find(id="amount")["value"] == "4500"
    assert form.find("input", {"name": "version"})["value"] == "1"

    response = lead.post(edit, data=cost_form(site_return, amount="4750.50", version="1"))

    assert response.status_code == 302
    see_latest(db)
    item = db.get(CostItem, item.id)
    assert (item.amount, item.version) == (Decimal("4750.50"), 2)
    assert actions(db, "cost") == ["cost.created", "cost.updated"]


def test_saving_over_someone_elses_change_shows_both_versions_and_overwrites_nothing(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_cost(db, lead, site_return)
    edit = f"{section(site_return)}/{item.id}/edit"
    page(lead.get(edit))
    with transaction(db):  # Somebody else saves first.
        COSTS.update(
            db,
            user(lead),
            item.site_return,
            item,
            cost_data(site_return, amount=Decimal("5000")),
            submitted_version=1,
        )

    soup = page(
        lead.post(edit, data=cost_form(site_return, amount="4000", description="My description", version="1"))
    )

    conflict = text_of(soup.select_one(".govuk-error-summary"))
    assert "Somebody else changed this item after you opened it" in conflict
    assert "Amount £5,000.00 £4,000.00" in conflict
    assert soup.find(id="amount")["value"] == "4000"
    assert soup.find("input", {"name": "version"})["value"] == "2"
    see_latest(db)
    assert db.get(CostItem, item.id).amount == Decimal("5000.00")

    # Saving again, having seen theirs, replaces it with the user's version.
    again = cost_form(site_return, amount="4000", description="My description", version="2")
    assert lead.post(edit, data=again).status_code == 302
    see_latest(db)
    assert db.get(CostItem, item.id).amount == Decimal("4000.00")


def test_a_missing_or_altered_version_is_treated_as_out_of_date(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_cost(db, lead, site_return)

    soup = page(
        lead.post(
            f"{section(site_return)}/{item.id}/edit", data=cost_form(site_return, amount="1", version="x")
        )
    )

    assert "Somebody else changed this item" in text_of(soup)
    see_latest(db)
    assert db.get(CostItem, item.id).amount == Decimal("4500.00")


def test_deleting_a_cost_asks_first_then_removes_it_and_audits_it(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_cost(db, lead, site_return)
    delete = f"{section(site_return)}/{item.id}/delete"

    soup = page(lead.get(delete))
    assert soup.h1.get_text(strip=True) == "Are you sure you want to delete this cost?"
    assert "Amount £4,500.00" in text_of(soup)
    assert count(db, CostItem) == 1

    response = lead.post(delete, data={"version": "1"}, follow_redirects=True)

    assert "Cost deleted: Staff paid by the pilot, £4,500.00." in text_of(page(response))
    assert count(db, CostItem) == 0
    assert actions(db, "cost") == ["cost.created", "cost.deleted"]


def test_deleting_a_cost_changed_since_the_page_was_opened_asks_again(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_cost(db, lead, site_return)
    with transaction(db):
        COSTS.update(
            db,
            user(lead),
            item.site_return,
            item,
            cost_data(site_return, amount=Decimal("1")),
            submitted_version=1,
        )

    soup = page(lead.post(f"{section(site_return)}/{item.id}/delete", data={"version": "1"}))

    assert "Somebody else changed this cost after you opened this page" in text_of(soup)
    assert soup.find("input", {"name": "version"})["value"] == "2"
    assert count(db, CostItem) == 1


# Savings


def test_a_lead_records_a_saving_with_its_evidence_and_strength(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    new = f"/returns/{site_return.id}/savings/new"
    form = page(lead.get(new))
    assert "Have you compared outcomes before and after the pilot" in text_of(form)
    level = next(
        each
        for each in site_return.framework_version.evidence_levels
        if each.scale.code == "maryland" and each.level == 2
    )

    response = lead.post(
        new,
        data={
            "description": "Fewer wasted visits",
            "amount": "800",
            "evidence": "Visit logs",
            "evidence_level": str(level.id),
        },
    )

    see_latest(db)
    [saving] = db.scalars(select(SavingClaim))
    assert response.headers["Location"] == f"{section(site_return)}#saving-{saving.id}"
    assert (saving.amount, saving.evidence_level_id) == (Decimal("800.00"), level.id)
    assert actions(db, "saving") == ["saving.created"]


BAD_SAVING_FORMS = [
    (
        {"evidence": ""},
        "evidence",
        "Enter the evidence for this saving: how you know it happened and how you valued it",
    ),
    ({"amount": "0"}, "amount", "Amount saved must be more than £0"),
    ({"amount": "-1"}, "amount", "Amount saved must be £0 or more"),
    (
        {"amount": "1.001"},
        "amount",
        "Amount saved must be in pounds and pence, with no more than 2 decimal places",
    ),
    ({"amount": "inf"}, "amount", "Enter the amount saved as a number in pounds and pence, like 1250.50"),
    ({"description": ""}, "description", "Enter a description of the saving or cost avoided"),
    ({"evidence": "x" * 5001}, "evidence", "Evidence must be 5,000 characters or fewer"),
    ({"evidence_level": "999999"}, "evidence_level", "Select one of the evidence levels listed"),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    BAD_SAVING_FORMS,
    ids=[f"{field}-{index}" for index, (_, field, _) in enumerate(BAD_SAVING_FORMS)],
)
def test_a_saving_with_bad_input_shows_the_message_beside_the_field_and_saves_nothing(
    db: Session, lead: FlaskClient, site_return: SiteReturn, changes: dict[str, Any], field: str, message: str
) -> None:
    form = {"description": "Fewer wasted visits", "amount": "800", "evidence": "Visit logs", **changes}

    soup = page(lead.post(f"/returns/{site_return.id}/savings/new", data=form))

    assert field_error(soup, field) == message
    assert message in error_summary(soup)
    assert count(db, SavingClaim) == 0


def test_a_saving_is_changed_and_deleted(db: Session, lead: FlaskClient, site_return: SiteReturn) -> None:
    saving = add_saving(db, lead, site_return)
    base = f"/returns/{site_return.id}/savings/{saving.id}"
    assert page(lead.get(f"{base}/edit")).find(id="evidence").get_text() == "Visit logs"

    changed = lead.post(
        f"{base}/edit",
        data={"description": "Fewer visits", "amount": "900", "evidence": "Logs", "version": "1"},
    )
    deleted = lead.post(f"{base}/delete", data={"version": "2"})

    assert (changed.status_code, deleted.status_code) == (302, 302)
    assert actions(db, "saving") == ["saving.created", "saving.updated", "saving.deleted"]


# Who may do what


def test_another_sites_cost_is_not_found_and_stays_as_it_was(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    leeds_return = make_return(db, "leeds")
    with transaction(db):
        leeds_cost = COSTS.add(db, leeds_lead, leeds_return, cost_data(leeds_return, amount=Decimal("100")))
    for url in (
        f"{section(site_return)}/{leeds_cost.id}/edit",
        f"/returns/{leeds_return.id}/costs/{leeds_cost.id}/edit",
        f"{section(site_return)}/{leeds_cost.id}/delete",
    ):
        assert lead.get(url).status_code == 404
        assert lead.post(url, data=cost_form(site_return, amount="1", version="1")).status_code == 404

    see_latest(db)
    assert db.get(CostItem, leeds_cost.id).amount == Decimal("100.00")
    assert actions(db, "cost") == ["cost.created"]


def test_an_evaluator_reads_the_section_but_cannot_change_it(
    db: Session, client_as: ClientAs, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_cost(db, lead, site_return)
    evaluator = client_as(Role.EVALUATOR)

    soup = page(evaluator.get(section(site_return)))

    assert "Staff paid by the pilot: £4,500.00" in text_of(soup)
    assert "Only the site" in text_of(soup)
    assert not {"Change", "Delete", "Add a cost", "Add a saving or cost avoided"} & set(links(soup))
    assert "Have you completed this section?" not in text_of(soup)
    assert evaluator.post(f"{section(site_return)}/new", data=cost_form(site_return)).status_code == 403
    assert evaluator.post(f"{section(site_return)}/{item.id}/delete").status_code == 403
    assert count(db, CostItem) == 1


def test_a_submitted_return_is_read_only_for_its_lead(db: Session, lead: FlaskClient) -> None:
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)
    url = f"/returns/{submitted.id}/costs"

    soup = page(lead.get(url))

    assert "This return cannot be changed now" in text_of(soup)
    assert "Add a cost" not in links(soup)
    assert lead.get(f"{url}/new").status_code == 403
    assert lead.post(f"{url}/new", data=cost_form(submitted)).status_code == 403
    assert count(db, CostItem) == 0


def test_the_read_only_summary_shows_every_item_with_anchors_for_comments(
    app: Flask, db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    cost = add_cost(db, lead, site_return)
    saving = add_saving(db, lead, site_return)

    with app.test_request_context():
        html = render_template(
            "returns/summary/costs.html", site_return=site_return, comments={}, can_edit=False
        )
    soup = BeautifulSoup(html, "html.parser")

    assert soup.h2.get_text(strip=True) == "Costs and savings"
    assert soup.find(id=f"cost-{cost.id}") and soup.find(id=f"saving-{saving.id}")
    assert "All costs £4,500.00 £4,500.00" in text_of(soup)
    assert not soup.find("a", string="Change")


def test_a_closed_programme_takes_no_new_cost_and_its_return_says_why(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    programme = site_return.reporting_period.framework.programme
    with transaction(db):
        programme.status = "closed"

    reason = text_of(page(lead.get(f"/returns/{site_return.id}")).select_one(".app-read-only-reason"))
    assert f"{programme.name} is closed: it takes no new evidence or returns" in reason
    response = lead.post(f"{section(site_return)}/new", data=cost_form(site_return))

    see_latest(db)
    assert response.status_code == 403
    assert db.scalars(select(CostItem)).all() == []


# A long list of costs, a page at a time


def add_costs(db: Session, lead: FlaskClient, site_return: SiteReturn, how_many: int) -> list[CostItem]:
    with transaction(db):
        return [
            COSTS.add(
                db, user(lead), site_return, cost_data(site_return, description=f"Cost number {number}")
            )
            for number in range(1, how_many + 1)
        ]


def test_a_return_with_many_costs_lists_fifty_a_page_and_totals_them_all(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_costs(db, lead, site_return, 52)

    first = page(lead.get(section(site_return)))
    assert len(first.select(".govuk-summary-card[id^=cost-]")) == 50
    assert "Costs 1 to 50 of 52, page 1 of 2" in text_of(first.select_one(".app-list-position"))
    assert "All costs £234,000.00 £234,000.00" in text_of(first)
    next_link = first.select_one(".govuk-pagination__next a")
    assert next_link is not None

    second = page(lead.get(str(next_link["href"])))
    cards = second.select(".govuk-summary-card[id^=cost-]")
    assert [text_of(card.select_one("h3")) for card in cards] == ["Staff paid by the pilot: £4,500.00"] * 2
    assert "Cost number 52" in text_of(second)
    assert "Costs 51 to 52 of 52, page 2 of 2" in text_of(second.select_one(".app-list-position"))
    assert text_of(second.select_one("title")).startswith("Costs and savings, costs page 2 of 2")


def test_a_short_list_of_costs_has_no_pages(db: Session, lead: FlaskClient, site_return: SiteReturn) -> None:
    add_costs(db, lead, site_return, 3)

    soup = page(lead.get(section(site_return)))
    assert len(soup.select(".govuk-summary-card[id^=cost-]")) == 3
    assert soup.select_one(".govuk-pagination") is None
    assert soup.select_one(".app-list-position") is None


def test_changing_a_cost_on_a_later_page_goes_back_to_that_page(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    last = add_costs(db, lead, site_return, 51)[-1]

    response = lead.post(
        f"/returns/{site_return.id}/costs/{last.id}/edit",
        data={
            **cost_form(site_return, description="Cost number 51, corrected"),
            "version": str(last.version),
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{site_return.id}/costs?page=2#cost-{last.id}")
    assert "Cost number 51, corrected" in text_of(page(lead.get(response.headers["Location"])))


def test_a_cost_added_to_a_full_first_page_is_shown_on_the_next(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_costs(db, lead, site_return, 50)

    response = lead.post(f"/returns/{site_return.id}/costs/new", data=cost_form(site_return))

    assert response.status_code == 302
    assert "/costs?page=2#cost-" in response.headers["Location"]


@pytest.mark.parametrize("can_edit", [True, False])
def test_a_cost_card_is_drawn_as_the_design_systems_summary_list_draws_it(
    app: Flask, db: Session, lead: FlaskClient, site_return: SiteReturn, can_edit: bool
) -> None:
    add_cost(db, lead, site_return, description="Line one\nLine <two> & more", funder=None)
    add_saving(db, lead, site_return)
    site_return = db.get(SiteReturn, site_return.id)  # type: ignore[assignment]
    written, through_macro = components_both_ways(
        app, "returns/summary/costs.html", site_return=site_return, comments={}, can_edit=can_edit
    )
    assert elements(written) == elements(through_macro)
    assert len(BeautifulSoup(written, "html.parser").select(".govuk-summary-card")) == 2
