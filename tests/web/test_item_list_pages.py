"""Long lists of a return's items, a page at a time: the activities and learning sections, and the summaries
of check your answers and the evaluator's review, whose lists each keep their own page. However many items
a return holds, these pages send the same number of statements to the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from evidence_hub import ENGINE_KEY
from evidence_hub.db import transaction
from evidence_hub.models import Activity, CostItem, LearningEntry, ReturnStatus, Role, SiteReturn, User
from evidence_hub.services.returns import workflow
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from tests.factories import make_user
from tests.pages import components_both_ways, elements, page, text_of
from tests.returns_helpers import fill_return

ClientAs = Callable[..., FlaskClient]
IN_THE_PERIOD = date(2009, 5, 12)


def user(signed_in: FlaskClient) -> User:
    return signed_in.user  # type: ignore[attr-defined, no-any-return]


def add_activities(
    db: Session, site_return: SiteReturn, how_many: int, starts_on: date = IN_THE_PERIOD
) -> list[Activity]:
    version = site_return.framework_version
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    data = ActivityInput(
        activity_type_id=version.activity_types[0].id,
        starts_on=starts_on,
        partner_types=["jobcentre_plus"],
        theme_ids=[version.themes[0].id],
    )
    first = len(site_return.activities) + 1
    with transaction(db):
        return [
            ACTIVITIES.add(
                db, lead, site_return, ActivityInput(**{**vars(data), "title": f"Activity {number}"})
            )
            for number in range(first, first + how_many)
        ]


def add_costs(db: Session, site_return: SiteReturn, how_many: int) -> list[CostItem]:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    category = site_return.framework_version.cost_categories[0]
    with transaction(db):
        return [
            COSTS.add(
                db,
                lead,
                site_return,
                CostInput(
                    category_id=category.id,
                    description=f"Cost number {number}",
                    amount=Decimal("100.00"),
                    cost_type="running",
                    funding="cash",
                ),
            )
            for number in range(1, how_many + 1)
        ]


def add_learning(db: Session, site_return: SiteReturn, how_many: int) -> list[LearningEntry]:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    with transaction(db):
        return [
            LEARNING.add(
                db,
                lead,
                site_return,
                LearningInput(
                    learning_type="barrier",
                    dimensions=["LEGAL-GOVERNANCE"],
                    theme="DATA",
                    title=f"Lesson {number}",
                    what_happened="The request waited four months.",
                ),
            )
            for number in range(1, how_many + 1)
        ]


def set_status(db: Session, site_return: SiteReturn, status: ReturnStatus) -> None:
    """Put the return in a state (submitted: in front of the evaluator) without the workflow's checks."""
    with transaction(db):
        site_return.status = status.value


def cards(soup: Any, kind: str) -> list[str]:
    return [
        text_of(card.select_one(".govuk-summary-card__title"))
        for card in soup.select(f".govuk-summary-card[id^={kind}-]")
    ]


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends to the database inside the block."""
    sent: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    engine = app.extensions[ENGINE_KEY]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


# The activities section


def test_a_return_with_120_activities_shows_50_a_page(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_activities(db, site_return, 120)

    first = page(lead.get(f"/returns/{site_return.id}/activities"))
    assert cards(first, "activity")[:2] == ["Activity 1", "Activity 2"]
    assert len(cards(first, "activity")) == 50
    assert "Activities 1 to 50 of 120, page 1 of 3" in text_of(first.select_one(".app-list-position"))

    last = page(lead.get(first.select(".govuk-pagination__item a")[-1]["href"]))
    assert cards(last, "activity") == [f"Activity {number}" for number in range(101, 121)]
    assert "Activities 101 to 120 of 120, page 3 of 3" in text_of(last.select_one(".app-list-position"))
    assert text_of(last.select_one("title")).startswith("Activities, page 3 of 3")


def test_a_short_list_of_activities_has_no_pages(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_activities(db, site_return, 3)

    soup = page(lead.get(f"/returns/{site_return.id}/activities"))
    assert len(cards(soup, "activity")) == 3
    assert soup.select_one(".govuk-pagination") is None
    assert soup.select_one(".app-list-position") is None


def activity_form(site_return: SiteReturn, **changes: Any) -> dict[str, Any]:
    version = site_return.framework_version
    form: dict[str, Any] = {
        "activity_type": str(version.activity_types[0].id),
        "title": "Steering group",
        "starts_on": ["12", "5", "2009"],
        "ends_on": ["", "", ""],
        "partner_types": ["jobcentre_plus"],
        "themes": [str(version.themes[0].id)],
    }
    return {**form, **changes}


def test_changing_the_75th_activity_goes_back_to_the_page_showing_it(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_activities(db, site_return, 120)[74]

    response = lead.post(
        f"/returns/{site_return.id}/activities/{item.id}/edit",
        data=activity_form(site_return, title="Activity 75, corrected", version=str(item.version)),
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/returns/{site_return.id}/activities?page=2#activity-{item.id}"
    )
    assert "Activity 75, corrected" in cards(page(lead.get(response.headers["Location"])), "activity")


def test_an_activity_is_listed_by_its_date_and_after_adding_one_the_page_showing_it_opens(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_activities(db, site_return, 60)

    earliest = lead.post(
        f"/returns/{site_return.id}/activities/new",
        data=activity_form(site_return, title="The first meeting", starts_on=["2", "4", "2009"]),
    )
    latest = lead.post(
        f"/returns/{site_return.id}/activities/new",
        data=activity_form(site_return, title="The last meeting", starts_on=["30", "6", "2009"]),
    )

    assert "/activities#activity-" in earliest.headers["Location"]
    assert "/activities?page=2#activity-" in latest.headers["Location"]
    assert (
        cards(page(lead.get(f"/returns/{site_return.id}/activities")), "activity")[0] == "The first meeting"
    )
    assert cards(page(lead.get(latest.headers["Location"])), "activity")[-1] == "The last meeting"


# The learning section


def test_clearing_an_entry_on_the_second_page_goes_back_to_it(
    db: Session, client_as: ClientAs, site_return: SiteReturn
) -> None:
    entry = add_learning(db, site_return, 55)[52]
    evaluator = client_as(Role.EVALUATOR)

    first = page(evaluator.get(f"/returns/{site_return.id}/learning"))
    assert len(cards(first, "learning")) == 50
    assert "Learning entries 1 to 50 of 55, page 1 of 2" in text_of(first.select_one(".app-list-position"))

    response = evaluator.post(
        f"/returns/{site_return.id}/learning/{entry.id}/national-sharing", data={"cleared": "yes"}
    )

    assert response.headers["Location"].endswith(
        f"/returns/{site_return.id}/learning?page=2#learning-{entry.id}"
    )
    second = page(evaluator.get(response.headers["Location"]))
    assert len(cards(second, "learning")) == 5
    assert "Cleared for national sharing" in text_of(second.find(id=f"learning-{entry.id}"))


# The summaries of check your answers and the evaluator's review


def test_check_answers_shows_20_costs_a_page_with_the_totals_of_them_all(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_costs(db, site_return, 52)

    soup = page(lead.get(f"/returns/{site_return.id}/check"))

    assert len(cards(soup, "cost")) == 20
    assert "Costs 1 to 20 of 52, page 1 of 3" in text_of(soup.select_one(".app-list-position"))
    assert "All costs £5,200.00 £5,200.00" in text_of(soup.find(id="cost-totals"))
    following = soup.select_one(".govuk-pagination__next a")["href"]
    assert urlsplit(following).path == f"/returns/{site_return.id}/check"
    assert urlsplit(following).fragment == "summary-costs"
    second = page(lead.get(following))
    assert len(cards(second, "cost")) == 20
    assert "Costs 21 to 40 of 52, page 2 of 3" in text_of(second.select_one(".app-list-position"))
    last = page(lead.get(f"/returns/{site_return.id}/check?costs_page=3"))
    assert len(cards(last, "cost")) == 12
    assert "Costs 41 to 52 of 52, page 3 of 3" in text_of(last.select_one(".app-list-position"))
    assert "All costs £5,200.00 £5,200.00" in text_of(second.find(id="cost-totals"))


def test_paging_one_list_of_the_summary_keeps_the_others_on_their_page(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_costs(db, site_return, 21)
    add_activities(db, site_return, 50)
    add_learning(db, site_return, 21)

    soup = page(lead.get(f"/returns/{site_return.id}/check?activities_page=3&learning_page=2"))

    assert len(cards(soup, "activity")) == 10
    assert len(cards(soup, "learning")) == 1
    positions = [text_of(each) for each in soup.select(".app-list-position")]
    assert "Activities 41 to 50 of 50, page 3 of 3." in positions
    assert "Learning entries 21 to 21 of 21, page 2 of 2." in positions
    next_costs = soup.select(".govuk-pagination__next a")[0]["href"]
    assert query_of(next_costs) == {"costs_page": ["2"], "activities_page": ["3"], "learning_page": ["2"]}
    assert urlsplit(next_costs).fragment == "summary-costs"
    activity_pages = [link["href"] for link in soup.select("#section-activities ~ .govuk-pagination a")]
    assert any(
        query_of(href) == {"activities_page": ["1"], "learning_page": ["2"]}
        and urlsplit(href).fragment == "section-activities"
        for href in activity_pages
    )


def test_the_review_page_pages_each_list_and_names_each_item_to_comment_on(
    db: Session, client_as: ClientAs, site_return: SiteReturn
) -> None:
    activities = add_activities(db, site_return, 55)
    add_learning(db, site_return, 3)
    set_status(db, site_return, ReturnStatus.SUBMITTED)
    evaluator = client_as(Role.EVALUATOR)

    soup = page(evaluator.get(f"/review/returns/{site_return.id}?activities_page=3"))

    assert cards(soup, "activity") == [f"Activity {number}" for number in range(41, 56)]
    assert "Activities 41 to 55 of 55, page 3 of 3" in text_of(soup)
    previous = soup.select_one(".govuk-pagination__prev a")["href"]
    assert urlsplit(previous).path == f"/review/returns/{site_return.id}"
    assert urlsplit(previous).fragment == "section-activities"
    links = {
        " ".join(link.get_text().split()): link["href"] for link in soup.select(".app-comment-on-item a")
    }
    assert query_of(links["Comment on this item: Activity: Activity 53"]) == {
        "item": [f"activity:{activities[52].id}"]
    }
    assert "Comment on this item: Learning: Lesson 1" in links


# Statements a page sends, however many items the return holds


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("lead", "/returns/{id}/activities"),
        ("lead", "/returns/{id}/learning"),
        ("lead", "/returns/{id}/check"),
        ("evaluator", "/review/returns/{id}"),
    ],
)
def test_a_page_sends_as_many_statements_for_120_items_as_for_10(
    app: Flask, db: Session, client_as: ClientAs, site_return: SiteReturn, who: str, path: str
) -> None:
    reader = client_as(Role.SITE_LEAD, site="kent") if who == "lead" else client_as(Role.EVALUATOR)
    address = path.format(id=site_return.id)

    def statements_for_items(how_many: int) -> int:
        set_status(db, site_return, ReturnStatus.DRAFT)
        already = len(site_return.activities)
        add_activities(db, site_return, how_many - already)
        add_costs(db, site_return, how_many - already)
        add_learning(db, site_return, how_many - already)
        if who == "evaluator":
            set_status(db, site_return, ReturnStatus.SUBMITTED)
        reader.get(address)  # the first request of a session reads what later ones keep
        with statements_sent(app) as sent:
            assert reader.get(address).status_code == 200
        return len(sent)

    few = statements_for_items(10)
    many = statements_for_items(120)

    assert many == few


def test_commenting_on_one_item_reads_that_item_and_no_list_of_the_returns_items(
    app: Flask, db: Session, client_as: ClientAs, site_return: SiteReturn
) -> None:
    """Opened from an item, the comment page names that item: the return's other items (well over a
    thousand in the largest returns) are neither read nor labelled."""
    evaluator = client_as(Role.EVALUATOR)
    activity = add_activities(db, site_return, 120)[74]
    add_costs(db, site_return, 30)
    set_status(db, site_return, ReturnStatus.SUBMITTED)
    address = f"/review/returns/{site_return.id}/comment?item=activity:{activity.id}"
    evaluator.get(address)  # the first request of a session reads what later ones keep

    with statements_sent(app) as sent:
        shown = page(evaluator.get(address))

    assert "About: Activity: Activity 75" in text_of(shown)
    assert shown.select_one("select#item") is None
    listed = [
        statement
        for statement in sent
        if any(f"FROM {table}" in statement for table in ("activities", "cost_items", "learning_entries"))
    ]
    assert all(".id = " in statement for statement in listed), listed


# The cards are drawn in Python (summary_card), as the Design System's macro draws them


@pytest.mark.parametrize("can_edit", [True, False])
@pytest.mark.parametrize("summary", ["activities", "learning"])
def test_activity_and_learning_cards_are_drawn_as_the_design_systems_summary_list_draws_them(
    app: Flask, db: Session, site_return: SiteReturn, can_edit: bool, summary: str
) -> None:
    add_activities(db, site_return, 2)
    add_learning(db, site_return, 2)
    site_return = db.get(SiteReturn, site_return.id)  # type: ignore[assignment]
    written, through_macro = components_both_ways(
        app, f"returns/summary/{summary}.html", site_return=site_return, comments={}, can_edit=can_edit
    )
    assert elements(written) == elements(through_macro)
    assert len(BeautifulSoup(written, "html.parser").select(".govuk-summary-card")) == 2


def test_what_changed_since_the_last_review_links_to_the_page_showing_each_item(
    db: Session, client_as: ClientAs, site_return: SiteReturn
) -> None:
    activities = add_activities(db, site_return, 55)
    fill_return(db, site_return)
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    with transaction(db):
        workflow.submit(db, lead, site_return)
    evaluator = client_as(Role.EVALUATOR)
    evaluator.post(f"/review/returns/{site_return.id}/return", data={"comment": "Check the activities"})
    db.expire_all()
    first, later = (db.get(Activity, activities[index].id) for index in (0, 52))
    with transaction(db):
        for activity in (first, later):
            ACTIVITIES.update(
                db,
                lead,
                site_return,
                activity,
                ActivityInput(
                    title=f"{activity.title}, corrected",
                    activity_type_id=activity.activity_type_id,
                    starts_on=activity.starts_on,
                    partner_types=["jobcentre_plus"],
                ),
                activity.version,
            )
        workflow.submit(db, lead, site_return)

    soup = page(evaluator.get(f"/review/returns/{site_return.id}"))

    table = soup.find(id="changes").find_next("table")
    assert table.find("a", href=f"#activity-{first.id}") is not None
    on_page_three = table.find("a", string=lambda text: text and "Activity 53" in text)["href"]
    assert query_of(on_page_three) == {"activities_page": ["3"]}
    assert urlsplit(on_page_three).fragment == f"activity-{later.id}"
    assert soup.find(id=f"activity-{later.id}") is None
    assert page(evaluator.get(on_page_three)).find(id=f"activity-{later.id}") is not None


def test_the_task_list_of_a_returned_return_sends_as_many_statements_for_120_activities_as_for_10(
    app: Flask, db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    """It compares the draft with the submission the evaluator returned, item by item."""
    fill_return(db, site_return)
    submitter = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    with transaction(db):
        workflow.submit(db, submitter, site_return)
        workflow.return_to_site(db, evaluator, site_return, "Add the activities")
    address = f"/returns/{site_return.id}"

    def statements_for_activities(how_many: int) -> int:
        add_activities(db, site_return, how_many - len(site_return.activities))
        lead.get(address)
        with statements_sent(app) as sent:
            assert lead.get(address).status_code == 200
        return len(sent)

    few = statements_for_activities(10)
    many = statements_for_activities(120)

    assert many == few


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("lead", "/returns/{id}"),
        ("lead", "/returns/{id}/costs"),
        ("lead", "/returns/{id}/check"),
        ("evaluator", "/review/returns/{id}"),
    ],
)
def test_a_return_page_reads_the_returns_site_period_and_programme_together(
    app: Flask, db: Session, client_as: ClientAs, site_return: SiteReturn, who: str, path: str
) -> None:
    if who == "evaluator":
        set_status(db, site_return, ReturnStatus.SUBMITTED)
    reader = client_as(Role.SITE_LEAD, site="kent") if who == "lead" else client_as(Role.EVALUATOR)
    address = path.format(id=site_return.id)
    reader.get(address)  # the first request of a session reads what later ones keep

    with statements_sent(app) as sent:
        shown = reader.get(address)

    assert shown.status_code == 200
    assert "Kent" in shown.get_data(as_text=True)
    one_row_reads = [
        statement
        for statement in sent
        for table in ("sites", "reporting_periods", "framework_versions", "frameworks", "programmes")
        if f"FROM {table} \nWHERE {table}.id = " in statement
        or f"FROM {table} WHERE {table}.id = " in statement
    ]
    assert one_row_reads == []
