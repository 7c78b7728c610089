"""What a site lead notices while filling in and sending a return: the progress line, which sections
carry the evaluator's comments, why a return cannot be changed, a Change link beside every answer,
hints whose examples are themselves valid answers, and a confirmation page that says what happens next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import ReturnStatus, Role, SiteReturn, User
from evidence_hub.services.returns import comments
from tests.factories import make_return, make_user
from tests.pages import page, text_of
from tests.returns_helpers import add_cost, fill_return


def task_list_text(lead: FlaskClient, site_return: SiteReturn) -> str:
    return text_of(page(lead.get(f"/returns/{site_return.id}")))


def test_the_task_list_says_how_many_sections_are_completed(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    assert "You have completed 0 of 6 sections." in task_list_text(lead, site_return)
    fill_return(db, site_return)
    assert "You have completed 6 of 6 sections." in task_list_text(lead, site_return)


def test_the_task_list_shows_a_section_in_progress_once_something_is_recorded_in_it(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    add_cost(db, site_return)

    soup = page(lead.get(f"/returns/{site_return.id}"))
    statuses = {
        item.select_one(".govuk-task-list__name-and-hint a").get_text(strip=True): text_of(
            item.select_one(".govuk-task-list__status")
        )
        for item in soup.select(".govuk-task-list__item")
    }
    assert statuses["Costs and savings"] == "In progress"
    assert statuses["Activities"] == "Not started"
    assert statuses["Supporting documents"] == "Not started"


def test_the_task_list_marks_the_sections_that_carry_the_evaluators_comments(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    cost = add_cost(db, site_return)
    evaluator = make_user(db, Role.EVALUATOR)
    with transaction(db):
        site_return.status = ReturnStatus.SUBMITTED.value
    with transaction(db):
        comments.add_comment(db, evaluator, site_return, "Is this the pilot's share?", "cost", cost.id)
        comments.add_comment(db, evaluator, site_return, "And this one?", "cost", cost.id)
        site_return.status = ReturnStatus.RETURNED.value

    soup = page(lead.get(f"/returns/{site_return.id}"))
    sections = {
        item.select_one(".govuk-task-list__name-and-hint a").get_text(strip=True): text_of(item)
        for item in soup.select(".govuk-task-list__item")
    }
    assert "2 comments from the evaluator to read" in sections["Costs and savings"]
    assert "comment" not in sections["Activities"]


@pytest.mark.parametrize(
    ("status", "approved", "reason"),
    [
        (ReturnStatus.SUBMITTED, False, "cannot be changed while it is waiting for an evaluator's review"),
        (ReturnStatus.APPROVED, True, "has been approved, so it cannot be changed"),
        (
            ReturnStatus.LOCKED,
            True,
            "its reporting period closed on 2 July 2009, so nothing in it can be changed",
        ),
        (ReturnStatus.LOCKED, False, "It had not been approved when the period closed"),
    ],
)
def test_a_return_that_cannot_be_changed_says_why(
    db: Session, lead: FlaskClient, status: ReturnStatus, approved: bool, reason: str
) -> None:
    site_return = make_return(db, "kent", period=1, status=status, approved=approved)
    if status is ReturnStatus.LOCKED:
        with transaction(db):
            site_return.locked_at = datetime(2009, 7, 2, 9, 0, tzinfo=UTC)
    text = text_of(page(lead.get(f"/returns/{site_return.id}")).select_one(".app-read-only-reason"))
    assert reason in text


def test_check_your_answers_has_a_change_link_beside_every_answer(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    cost = add_cost(db, site_return)
    soup = page(lead.get(f"/returns/{site_return.id}/check"))
    card = soup.select_one(f"#cost-{cost.id}")
    # Each link names its answer and, for screen readers, the card: "Change amount (Staff ...: £4,500.00)".
    links = {
        text_of(link).split(" (")[0]: link["href"] for link in card.select(".govuk-summary-list__actions a")
    }
    edit = f"/returns/{site_return.id}/costs/{cost.id}/edit"
    assert links["Change amount"] == f"{edit}#amount"
    assert links["Change description"] == f"{edit}#description"
    assert links["Change cash or in kind"] == f"{edit}#funding"
    assert len(links) == 7  # every answer but the reference, which nobody types


def test_the_activity_date_hint_gives_an_example_inside_the_period(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    period = site_return.reporting_period
    hint = text_of(page(lead.get(f"/returns/{site_return.id}/activities/new")).select_one("#starts_on-hint"))
    example = hint.split("For example, ")[1].split(".")[0]
    day, month, year = (int(part) for part in example.split())
    assert period.starts_on <= datetime(year, month, day).date() <= period.ends_on


def test_submitting_ends_on_a_confirmation_page_that_says_what_happens_next(
    db: Session, lead: FlaskClient, site_return: SiteReturn, user_of: Callable[[FlaskClient], User]
) -> None:
    fill_return(db, site_return)
    response = lead.post(f"/returns/{site_return.id}/submit", data={"confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{site_return.id}/submitted")
    soup = page(lead.get(response.headers["Location"]))
    panel = text_of(soup.select_one(".govuk-panel--confirmation"))
    assert "Return submitted" in panel and f"Kent, {site_return.reporting_period.name}" in panel
    text = text_of(soup)
    assert "What happens next" in text
    assert "An evaluator will review your return" in text
    assert "return it with comments" in text


def theme_row(code: str, value: str, target: str = "", level: str = "") -> dict[str, str]:
    return {
        f"{code}-value": value,
        f"{code}-target": target,
        f"{code}-data_source": "Client tracker",
        f"{code}-quality_rating": "good",
        f"{code}-quality_reason": "Checked against registers",
        f"{code}-evidence_level": level,
        f"{code}-version": "0",
    }


def test_a_theme_takes_every_indicator_in_one_table_all_or_nothing(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    url = f"/returns/{site_return.id}/measures/themes/VFM"
    soup = page(lead.get(url))
    assert soup.find("h1").get_text(strip=True) == "Impact measures: Value for money: costs and benefits"
    assert len(soup.select("tbody tr")) == 6
    level = soup.select_one("#WL-CLIENTS-ENGAGED-evidence_level option[value!='']")["value"]
    index = page(lead.get(f"/returns/{site_return.id}/measures"))
    assert (
        index.find("a", href=url)
        .get_text(strip=True)
        .startswith("Answer the 6 indicators of Value for money")
    )

    wrong = {
        **theme_row("WL-CLIENTS-ENGAGED", "120", "150", level),
        **theme_row("WL-JOB-ENTRY-RATE", "lots", "20", level),
    }
    refused = page(lead.post(url, data=wrong))
    assert refused.title.get_text().startswith("Error: ")
    assert "There is a problem: nothing has been saved" in text_of(refused.select_one(".govuk-error-summary"))
    beside = refused.select_one("#WL-JOB-ENTRY-RATE-value-error")
    assert "must be a number" in text_of(beside)
    assert refused.select_one("#WL-JOB-ENTRY-RATE-value")["value"] == "lots"
    db.rollback()
    db.expire_all()
    assert db.get(SiteReturn, site_return.id).measures == []

    right = {**wrong, **theme_row("WL-JOB-ENTRY-RATE", "12.5", "20", level)}
    saved = lead.post(url, data=right)
    assert saved.status_code == 302
    db.rollback()
    db.expire_all()
    values = {m.indicator.code: m.value for m in db.get(SiteReturn, site_return.id).measures}
    assert values == {"WL-CLIENTS-ENGAGED": 120, "WL-JOB-ENTRY-RATE": 12.5}
    assert "2 answers saved for Value for money: costs and benefits." in text_of(
        page(lead.get(saved.headers["Location"]))
    )


def test_check_your_answers_changes_an_impact_measure_at_its_figure(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    fill_return(db, site_return)
    soup = page(lead.get(f"/returns/{site_return.id}/check"))
    measures = soup.select("#section-measures ~ .govuk-summary-list .govuk-summary-list__actions a")
    changes = [
        link["href"]
        for link in measures
        if "/measures/" in link["href"] and text_of(link).startswith("Change")
    ]
    # The figure, or (for a figure not yet available) the reason why, on the measure's own page.
    assert [href for href in changes if not href.endswith(("#value", "#not_available_reason"))] == []
    for href in {href.split("#")[1]: href for href in changes}.values():
        address, anchor = href.split("#")
        assert page(lead.get(address)).find(id=anchor) is not None, href
