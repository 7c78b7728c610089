"""The evaluator's review as people use it, and each role's home page listing what needs attention."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, request
from flask.testing import FlaskClient
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, CostItem, ReturnStatus, ReviewComment, Role, SiteReturn, User
from evidence_hub.review.forms import ReturnFilterForm
from evidence_hub.services.common.values import snapshot
from evidence_hub.services.returns import workflow
from evidence_hub.services.returns.evidence_rows import record_updated
from tests.factories import make_return, make_user
from tests.pages import error_summary, field_error, page, text_of
from tests.returns_helpers import add_cost, add_document, fill_return


def links(soup: BeautifulSoup) -> dict[str, str]:
    return {link.get_text(" ", strip=True): link["href"] for link in soup.find_all("a")}


def status_of(db: Session, site_return: SiteReturn) -> ReturnStatus:
    db.expire_all()
    db.rollback()
    fresh = db.get(SiteReturn, site_return.id)
    assert fresh is not None
    return fresh.status_enum


def submitted_return(db: Session, lead: User, site: str = "kent", period: int = 0) -> SiteReturn:
    """A complete return with one cost, submitted by its lead."""
    site_return = make_return(db, site, period=period)
    add_cost(db, site_return)
    fill_return(db, site_return)
    with transaction(db):
        workflow.submit(db, lead, site_return)
    return site_return


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Lead")


@pytest.fixture
def evaluator(client_as: Callable[..., FlaskClient]) -> FlaskClient:
    return client_as(Role.EVALUATOR, full_name="Eve Evaluator")


def test_returns_waiting_for_review_are_listed_on_the_evaluators_home_and_review_pages(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    site_return = submitted_return(db, lead)
    make_return(db, "leeds")  # a draft: not waiting
    home = page(evaluator.get("/"))
    assert "review their returns and compare sites" in text_of(home)
    assert links(home)["Kent: 2009 Q2 (April to June 2009)"] == f"/review/returns/{site_return.id}"

    queue = page(evaluator.get("/review/"))
    rows = queue.select("tbody tr")
    assert len(rows) == 1
    assert "Kent" in text_of(rows[0]) and "Kim Lead" in text_of(rows[0])
    assert f"/review/returns/{site_return.id}" in links(queue).values()


def test_the_review_page_shows_the_whole_return_and_the_decisions(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    site_return = submitted_return(db, lead)
    soup = page(evaluator.get(f"/review/returns/{site_return.id}"))
    text = text_of(soup)
    assert soup.find("h1").get_text(" ", strip=True) == "Review Kent: 2009 Q2 (April to June 2009)"
    for heading in ("Costs and savings", "Activities", "Impact measures", "Learning", "Supporting documents"):
        assert heading in [h2.get_text(" ", strip=True) for h2 in soup.find_all("h2")], heading
    assert "Project manager, 3 days a week" in text
    available = links(soup)
    for action in ("Approve", "Return to the site", "Comment on an item", "History of this return"):
        assert action in available, action
    assert "What changed since it was last returned" not in text


def test_an_evaluator_comments_on_one_item(db: Session, lead: User, evaluator: FlaskClient) -> None:
    site_return = submitted_return(db, lead)
    cost = db.scalar(select(CostItem).where(CostItem.site_return_id == site_return.id))
    assert cost is not None
    form = page(evaluator.get(f"/review/returns/{site_return.id}/comment"))
    options = {option["value"]: option.get_text(strip=True) for option in form.select("#item option")}
    assert options["return"] == "The return as a whole"
    assert options[f"cost:{cost.id}"] == "Cost: Project manager, 3 days a week (£4,500.00)"

    response = evaluator.post(
        f"/review/returns/{site_return.id}/comment",
        data={"item": f"cost:{cost.id}", "body": "Is all of this the pilot's share?"},
    )
    assert response.status_code == 302
    assert "Your comment has been added" in text_of(page(evaluator.get(response.headers["Location"])))
    db.expire_all()
    db.rollback()
    [comment] = db.scalars(select(ReviewComment)).all()
    assert (comment.item_type, comment.item_id, comment.body) == (
        "cost",
        cost.id,
        "Is all of this the pilot's share?",
    )


def test_an_evaluator_comments_from_the_item_itself(db: Session, lead: User, evaluator: FlaskClient) -> None:
    site_return = submitted_return(db, lead)
    cost = db.scalar(select(CostItem).where(CostItem.site_return_id == site_return.id))
    assert cost is not None
    review_page = page(evaluator.get(f"/review/returns/{site_return.id}"))
    card = review_page.select_one(f"#cost-{cost.id}").find_next(class_="app-comment-on-item")
    link = card.find("a")
    assert link.get_text() == "Comment on this item: Cost: Project manager, 3 days a week (£4,500.00)"

    form = page(evaluator.get(link["href"]))
    assert form.find("h1").get_text(strip=True) == "Comment on this item"
    assert form.select_one("select#item") is None, "the item is named, not picked from a list"
    assert "About: Cost: Project manager, 3 days a week (£4,500.00)" in text_of(form)
    hidden = {
        field["name"]: field["value"]
        for field in form.select("form input[type=hidden]")
        if field.get("value")
    }
    response = evaluator.post(
        f"/review/returns/{site_return.id}/comment", data={**hidden, "body": "Is this the pilot's share?"}
    )
    assert response.status_code == 302
    db.rollback()
    [comment] = db.scalars(select(ReviewComment)).all()
    assert (comment.item_type, comment.item_id) == ("cost", cost.id)


def test_an_evaluator_comments_from_a_document_and_from_the_milestone(
    db: Session, lead: User, evaluator: FlaskClient, client_as: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    site_return = make_return(db, "kent")
    add_cost(db, site_return)
    fill_return(db, site_return)
    document_id = add_document(db, site_return.id, tmp_path)
    with transaction(db):
        workflow.submit(db, lead, site_return)
    milestone = site_return.journey_milestone
    assert milestone is not None
    review_page = page(evaluator.get(f"/review/returns/{site_return.id}"))
    for item, anchor, label in (
        (f"document:{document_id}", f"#document-{document_id}", "Document: agreement.pdf"),
        (f"milestone:{site_return.id}", "#journey-milestone", f"Data-sharing milestone: {milestone.title}"),
    ):
        link = review_page.select_one(anchor).find_next(class_="app-comment-on-item").find("a")
        assert link.get_text() == f"Comment on this item: {label}"
        form = page(evaluator.get(link["href"]))
        assert f"About: {label}" in text_of(form)
        hidden = {field["name"]: field["value"] for field in form.select("form input[type=hidden]")}
        assert item in hidden.values()
        response = evaluator.post(
            f"/review/returns/{site_return.id}/comment",
            data={**hidden, "body": f"Please explain the {anchor}"},
        )
        assert response.status_code == 302
    with transaction(db):
        workflow.return_to_site(db, make_user(db, Role.EVALUATOR), site_return, "See the comments")

    # The lead reads each comment beside its item, and the task list marks the journey as commented on.
    lead_client = client_as(Role.SITE_LEAD, site="kent")
    journey = page(lead_client.get(f"/returns/{site_return.id}/journey"))
    assert "Please explain the #journey-milestone" in text_of(journey.select_one(".app-review-comments"))
    documents = page(lead_client.get(f"/returns/{site_return.id}/documents"))
    assert "Please explain the #document-" in text_of(documents.select_one(".app-review-comments"))


def test_a_return_with_too_many_items_to_list_takes_a_comment_on_the_whole_and_points_to_its_items(
    db: Session, lead: User, evaluator: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The largest returns hold well over a thousand items: past the limit the page lists none of them,
    says how many there are and where to comment on one, and still takes a comment on the whole return;
    an item's own comment link still names that item."""
    site_return = submitted_return(db, lead)
    add_cost(db, site_return, description="Data analyst")
    monkeypatch.setattr("evidence_hub.review.views.MOST_ITEMS_TO_CHOOSE_FROM", 2)
    cost = db.scalars(select(CostItem).where(CostItem.site_return_id == site_return.id)).first()
    assert cost is not None

    form = page(evaluator.get(f"/review/returns/{site_return.id}/comment"))
    assert form.select_one("select#item") is None
    text = text_of(form)
    assert "About: the return as a whole" in text
    held = len(site_return.costs) + len(site_return.measures) + len(site_return.documents) + 1
    assert f"This return has {held} items, too many to choose from here." in text
    assert links(form)["go back to the return"] == f"/review/returns/{site_return.id}"

    response = evaluator.post(
        f"/review/returns/{site_return.id}/comment", data={"item": "return", "body": "Check every date."}
    )
    assert response.status_code == 302
    refused = page(
        evaluator.post(
            f"/review/returns/{site_return.id}/comment", data={"item": f"cost:{cost.id}", "body": "Too much?"}
        )
    )
    assert field_error(refused, "item") == "Select an item from this return"

    from_item = page(evaluator.get(f"/review/returns/{site_return.id}/comment?item=cost:{cost.id}"))
    assert f"About: Cost: {cost.description}" in text_of(from_item)
    response = evaluator.post(
        f"/review/returns/{site_return.id}/comment",
        data={"item": f"cost:{cost.id}", "from_item": "yes", "body": "Is all of this the pilot's share?"},
    )
    assert response.status_code == 302
    db.expire_all()
    db.rollback()
    assert [
        (comment.item_type, comment.item_id, comment.body)
        for comment in db.scalars(select(ReviewComment).order_by(ReviewComment.id))
    ] == [("return", None, "Check every date."), ("cost", cost.id, "Is all of this the pilot's share?")]


def test_a_comment_needs_text_and_an_item_of_this_return(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    site_return = submitted_return(db, lead)
    other = make_return(db, "leeds")
    leeds_cost = add_cost(db, other)
    soup = page(
        evaluator.post(
            f"/review/returns/{site_return.id}/comment", data={"item": f"cost:{leeds_cost.id}", "body": ""}
        )
    )
    assert field_error(soup, "item") == "Select an item from this return"
    assert field_error(soup, "body") == "Enter your comment"
    assert error_summary(soup) == ["Select an item from this return", "Enter your comment"]
    db.expire_all()
    assert db.scalar(select(ReviewComment)) is None


def test_returning_to_the_site_needs_a_comment_then_the_lead_sees_it(
    db: Session, lead: User, evaluator: FlaskClient, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = submitted_return(db, lead)
    soup = page(evaluator.post(f"/review/returns/{site_return.id}/return", data={"comment": "  "}))
    assert field_error(soup, "comment") == "Enter a comment saying what the site needs to change"
    assert status_of(db, site_return) is ReturnStatus.SUBMITTED

    response = evaluator.post(
        f"/review/returns/{site_return.id}/return",
        data={"comment": "Separate the pilot's costs from the team's."},
    )
    assert response.status_code == 302
    assert "sent back to Kent" in text_of(page(evaluator.get(response.headers["Location"])))
    assert status_of(db, site_return) is ReturnStatus.RETURNED

    lead_client = client_as(Role.SITE_LEAD, site="kent")
    home = page(lead_client.get("/"))
    assert "Returned with comments" in text_of(home)
    assert links(home)["2009 Q2 (April to June 2009)"] == f"/returns/{site_return.id}"
    task_list = text_of(page(lead_client.get(f"/returns/{site_return.id}")))
    assert "Separate the pilot's costs from the team's." in task_list


def test_an_evaluator_approves_with_an_optional_comment(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    site_return = submitted_return(db, lead)
    page(evaluator.get(f"/review/returns/{site_return.id}/approve"))
    response = evaluator.post(f"/review/returns/{site_return.id}/approve", data={"comment": ""})
    assert response.status_code == 302
    soup = page(evaluator.get(response.headers["Location"]))
    assert "has been approved" in text_of(soup)
    assert "Reopen this return" in links(soup)
    assert status_of(db, site_return) is ReturnStatus.APPROVED
    assert db.scalar(select(ReviewComment)) is None

    again = evaluator.post(f"/review/returns/{site_return.id}/approve", data={"comment": "Twice?"})
    assert "Only a submitted return, or a locked one not yet approved, can be approved" in text_of(
        page(evaluator.get(again.headers["Location"]))
    )


def test_reopening_an_approved_return_needs_a_reason(db: Session, lead: User, evaluator: FlaskClient) -> None:
    site_return = submitted_return(db, lead)
    evaluator.post(f"/review/returns/{site_return.id}/approve", data={"comment": "Good"})
    soup = page(evaluator.post(f"/review/returns/{site_return.id}/reopen", data={"reason": ""}))
    assert field_error(soup, "reason") == "Enter the reason for reopening the return"
    assert status_of(db, site_return) is ReturnStatus.APPROVED

    response = evaluator.post(
        f"/review/returns/{site_return.id}/reopen", data={"reason": "DWP revised the job entries figure"}
    )
    assert response.status_code == 302
    assert status_of(db, site_return) is ReturnStatus.RETURNED
    record = db.scalar(select(AuditEvent).where(AuditEvent.action == "return.reopened"))
    assert record is not None and record.reason == "DWP revised the job entries figure"


def test_after_resubmission_the_evaluator_sees_exactly_what_changed(
    db: Session, lead: User, evaluator: FlaskClient
) -> None:
    site_return = submitted_return(db, lead)
    evaluator.post(f"/review/returns/{site_return.id}/return", data={"comment": "Check the cost"})
    db.expire_all()
    cost = db.scalar(select(CostItem).where(CostItem.site_return_id == site_return.id))
    assert cost is not None
    with transaction(db):
        before = snapshot(cost)
        cost.amount = Decimal("3000.00")
        cost.funder = "Department for Work and Pensions"
        record_updated(db, lead, cost, before, snapshot(cost))
    with transaction(db):
        workflow.submit(db, lead, db.get(SiteReturn, site_return.id))  # type: ignore[arg-type]

    soup = page(evaluator.get(f"/review/returns/{site_return.id}"))
    table = soup.find(id="changes").find_next("table")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.select("tbody tr")
    ]
    assert ["Costs Project manager, 3 days a week", "Amount changed", "4500", "3000"] in rows
    assert [
        "Costs Project manager, 3 days a week",
        "Funder changed",
        "Nothing",
        "Department for Work and Pensions",
    ] in rows
    assert "2 changes since submission 1" in text_of(table)
    assert table.find("a", href=f"#cost-{cost.id}") is not None


def test_all_returns_can_be_filtered_by_status(db: Session, lead: User, evaluator: FlaskClient) -> None:
    submitted = submitted_return(db, lead)
    draft = make_return(db, "leeds")
    everything = page(evaluator.get("/review/returns"))
    assert "2 returns" in text_of(everything)
    only_submitted = page(evaluator.get("/review/returns?status=submitted&site=&period="))
    assert "1 return" in text_of(only_submitted)
    assert f"/review/returns/{submitted.id}" in links(only_submitted).values()
    assert f"/review/returns/{draft.id}" not in links(only_submitted).values()
    leeds = page(evaluator.get(f"/review/returns?site={draft.site_id}"))
    assert f"/review/returns/{draft.id}" in links(leeds).values()
    assert f"/review/returns/{submitted.id}" not in links(leeds).values()


def test_decisions_on_a_return_that_is_not_waiting_are_refused(db: Session, evaluator: FlaskClient) -> None:
    draft = make_return(db, "kent")
    for action in ("approve", "return", "comment"):
        response = evaluator.get(f"/review/returns/{draft.id}/{action}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/review/returns/{draft.id}")
    soup = page(evaluator.get(f"/review/returns/{draft.id}"))
    assert "The site has not submitted this return yet" in text_of(soup)
    assert "Approve" not in links(soup)


def test_site_leads_and_national_officials_cannot_review(
    db: Session, lead: User, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = submitted_return(db, lead)
    for role in (Role.SITE_LEAD, Role.NATIONAL_OFFICIAL):
        other = client_as(role, site="kent" if role is Role.SITE_LEAD else None)
        assert other.get("/review/").status_code == 403
        assert other.post(f"/review/returns/{site_return.id}/approve", data={}).status_code == 403
    assert status_of(db, site_return) is ReturnStatus.SUBMITTED


def test_a_site_leads_home_lists_returns_to_start_and_drafts_to_complete(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    draft = make_return(db, "kent", period=0)
    lead_client = client_as(Role.SITE_LEAD, site="kent")
    home = page(lead_client.get("/"))
    text = text_of(home)
    assert "record what the Kent pilot cost" in text
    assert "Drafts to complete" in text
    assert links(home)["2009 Q2 (April to June 2009)"] == f"/returns/{draft.id}"
    start_buttons = [
        button for button in home.find_all("button") if button.get_text(strip=True).startswith("Start")
    ]
    assert len(start_buttons) == 3
    form = start_buttons[0].find_parent("form")
    assert form["method"] == "post"
    response = lead_client.post(form["action"])
    assert response.status_code == 302
    db.expire_all()
    assert len(db.scalars(select(SiteReturn).where(SiteReturn.site_id == draft.site_id)).all()) == 2


def test_the_administrators_home_lists_returns_waiting_for_review(
    db: Session, lead: User, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = submitted_return(db, lead)
    home = page(client_as(Role.ADMINISTRATOR).get("/"))
    assert "Manage users" in text_of(home)
    assert links(home)["Kent: 2009 Q2 (April to June 2009)"] == f"/review/returns/{site_return.id}"
    assert "Reporting periods" in links(home)


def test_an_evaluator_approves_a_return_locked_before_approval_giving_the_reason(
    db: Session, evaluator: FlaskClient
) -> None:
    site_return = make_return(db, "kent", status=ReturnStatus.LOCKED, approved=False)

    review = page(evaluator.get(f"/review/returns/{site_return.id}"))
    assert "locked as it stood when its reporting period closed, without being approved" in text_of(review)
    assert "Locked: not approved" in text_of(review)
    approve_url = links(review)["Approve this locked return"]

    refused = page(evaluator.post(approve_url, data={"comment": ""}))
    assert "reason for approving a return after its period closed" in field_error(refused, "comment")
    assert not status_and_approval(db, site_return)[1]

    evaluator.post(approve_url, data={"comment": "Invoices checked after the close."})
    assert status_and_approval(db, site_return) == (ReturnStatus.LOCKED, True)
    approved = page(evaluator.get(f"/review/returns/{site_return.id}"))
    assert "Locked: approved" in text_of(approved)
    assert "Withdraw the approval" in links(approved)


def test_an_evaluator_withdraws_the_approval_of_a_locked_return_with_a_reason(
    db: Session, evaluator: FlaskClient
) -> None:
    site_return = make_return(db, "kent", status=ReturnStatus.LOCKED)
    url = f"/review/returns/{site_return.id}/withdraw-approval"

    refused = page(evaluator.post(url, data={"reason": ""}))
    assert "Enter the reason for withdrawing the approval" in field_error(refused, "reason")
    evaluator.post(url, data={"reason": "The invoices belonged to another programme."})

    assert status_and_approval(db, site_return) == (ReturnStatus.LOCKED, False)


def status_and_approval(db: Session, site_return: SiteReturn) -> tuple[ReturnStatus, bool]:
    db.expire_all()
    db.rollback()
    fresh = db.get(SiteReturn, site_return.id)
    assert fresh is not None
    return fresh.status_enum, fresh.is_approved


def test_the_filter_of_every_return_draws_the_same_selects_as_the_design_systems_macro(app: Flask) -> None:
    with app.test_request_context("/review/returns?site=2&status=submitted"):
        form = ReturnFilterForm(formdata=request.args)
        form.set_choices([(1, "Kent"), (2, "Leeds & <Bradford>")], [(7, "2024-25 Q1")])
        for field in (form.status, form.site, form.period):
            fast = BeautifulSoup(str(field()), "html.parser")
            macro = BeautifulSoup(str(GovSelect()(field)), "html.parser")
            assert normalised(fast) == normalised(macro)


def normalised(soup: BeautifulSoup) -> list[tuple[str, dict[str, Any], str]]:
    return [
        (
            element.name,
            dict(element.attrs),
            element.get_text(" ", strip=True),
        )
        for element in soup.find_all(True)
    ]
