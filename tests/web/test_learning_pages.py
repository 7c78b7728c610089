"""The learning pages: a lead records barriers, enablers and recommendations with the framework's
guidance beside the fields; an evaluator decides which entries national officials may read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, LearningEntry, ReturnStatus, Role, SiteReturn
from tests.factories import make_return
from tests.pages import error_summary, field_error, heading, page, text_of

ClientAs = Callable[..., FlaskClient]

ENTRY = {
    "learning_type": "barrier",
    "dimensions": ["LEGAL-GOVERNANCE", "NATIONAL-PROCESSES"],
    "theme": "DATA",
    "title": "Waiting for the legal gateway",
    "what_happened": "The request waited four months while DWP confirmed the legal basis.",
    "why_it_matters": "Outreach planned for the summer could not start.",
    "national_implication": "DWP should publish which gateways apply to which data sets.",
}


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.SITE_LEAD, site="kent")


def entries(db: Session) -> list[LearningEntry]:
    db.expire_all()
    db.rollback()
    return list(db.scalars(select(LearningEntry).order_by(LearningEntry.id)))


def add(lead: FlaskClient, site_return: SiteReturn, **changes: Any) -> Any:
    return lead.post(f"/returns/{site_return.id}/learning/new", data={**ENTRY, **changes})


def test_the_form_shows_the_frameworks_guidance_for_each_type_and_area(
    lead: FlaskClient, kent_return: SiteReturn
) -> None:
    soup = page(lead.get(f"/returns/{kent_return.id}/learning/new"))
    form = text_of(soup.select_one("main form"))

    assert heading(soup) == "Add a learning entry"
    assert [radio["value"] for radio in soup.select("input[name=learning_type]")] == [
        "barrier",
        "enabler",
        "lesson",
        "good_practice",
        "recommendation",
    ]
    assert "Something that stopped, delayed or limited data sharing" in form
    assert "A change proposed for local partners or for national government" in form
    assert "Legal gateways, data protection, consent, data-sharing agreements" in form
    assert "Business case forms that were daunting and complex to complete" in text_of(
        soup.select_one("aside")
    )
    assert soup.find("input", attrs={"name": "cleared_for_national"}) is None
    assert soup.find("input", attrs={"name": "cleared"}) is None


def test_an_entry_is_added_and_listed_with_its_areas_and_theme(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    response = add(lead, kent_return)

    [entry] = entries(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{kent_return.id}/learning#learning-{entry.id}")
    soup = page(lead.get(f"/returns/{kent_return.id}/learning"))
    card = text_of(soup.find(id=f"learning-{entry.id}"))
    assert "Barrier: Waiting for the legal gateway" in card
    assert "Legal and information governance" in card and "National processes" in card
    assert "Data and capacity factors" in card
    assert "Not cleared for national sharing" in card
    assert "What the framework means by each kind of learning" in text_of(soup)


def test_the_lead_cannot_clear_an_entry_for_national_sharing_through_the_form(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    add(lead, kent_return, cleared_for_national="y", cleared="yes", cleared_by_id="1", site_id="999")

    [entry] = entries(db)
    assert not entry.cleared_for_national
    assert entry.cleared_by_id is None
    assert entry.site_id == kent_return.site_id
    response = lead.post(
        f"/returns/{kent_return.id}/learning/{entry.id}/national-sharing", data={"cleared": "yes"}
    )
    assert response.status_code == 403
    assert not entries(db)[0].cleared_for_national


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"learning_type": ""}, "learning_type", "Select the type of learning"),
        ({"learning_type": "gripe"}, "learning_type", "Select a type of learning from the list"),
        ({"dimensions": []}, "dimensions", "Select at least one area the learning is about"),
        ({"dimensions": ["WEATHER"]}, "dimensions", "'WEATHER' is not one of the framework's areas"),
        ({"theme": "GOSSIP"}, "theme", "Select a line of enquiry from the list"),
        ({"title": ""}, "title", "Enter a short title for the learning"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"what_happened": ""}, "what_happened", "Describe what happened"),
        ({"what_happened": "x" * 5001}, "what_happened", "5,000 characters or fewer"),
        ({"national_implication": "x" * 5001}, "national_implication", "5,000 characters or fewer"),
    ],
)
def test_bad_entries_are_explained_beside_the_field_and_nothing_is_saved(
    db: Session,
    lead: FlaskClient,
    kent_return: SiteReturn,
    changes: dict[str, Any],
    field_id: str,
    message: str,
) -> None:
    soup = page(add(lead, kent_return, **changes))

    assert message in field_error(soup, field_id)
    assert any(message in item for item in error_summary(soup))
    assert entries(db) == []


def test_an_entry_is_changed_and_the_change_audited(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    add(lead, kent_return)
    [entry] = entries(db)
    edit_url = f"/returns/{kent_return.id}/learning/{entry.id}/edit"
    soup = page(lead.get(edit_url))
    assert heading(soup) == "Change a learning entry"
    assert soup.find("input", attrs={"name": "title"})["value"] == "Waiting for the legal gateway"
    assert soup.find("input", attrs={"name": "dimensions", "value": "NATIONAL-PROCESSES"}).has_attr("checked")

    response = lead.post(edit_url, data={**ENTRY, "title": "Four months for the gateway", "version": "1"})

    assert response.status_code == 302
    assert entries(db)[0].title == "Four months for the gateway"
    change = db.scalars(select(AuditEvent).where(AuditEvent.action == "learning.updated")).one()
    assert change.after == {"title": "Four months for the gateway"}


def test_saving_over_a_newer_version_shows_both(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    add(lead, kent_return)
    [entry] = entries(db)
    edit_url = f"/returns/{kent_return.id}/learning/{entry.id}/edit"
    lead.post(edit_url, data={**ENTRY, "title": "Theirs", "version": "1"})

    soup = page(lead.post(edit_url, data={**ENTRY, "title": "Mine", "version": "1"}))

    conflict = soup.select_one(".govuk-error-summary")
    [row] = [row for row in conflict.select("tbody tr") if "Title" in text_of(row)]
    assert [cell.get_text(strip=True) for cell in row.select("td")] == ["Theirs", "Mine"]
    assert soup.find("input", attrs={"name": "version"})["value"] == "2"
    assert entries(db)[0].title == "Theirs"


def test_deleting_an_entry_asks_first(db: Session, lead: FlaskClient, kent_return: SiteReturn) -> None:
    add(lead, kent_return)
    [entry] = entries(db)
    delete_url = f"/returns/{kent_return.id}/learning/{entry.id}/delete"

    confirmation = page(lead.get(delete_url))
    assert heading(confirmation) == "Are you sure you want to delete this learning entry?"
    assert "Waiting for the legal gateway" in text_of(confirmation.find(id="item-details"))
    assert entries(db) != []
    assert lead.post(delete_url, data={"version": "1"}).status_code == 302
    assert entries(db) == []


def test_an_evaluator_clears_an_entry_for_national_sharing_and_can_withdraw_it(
    db: Session, client_as: ClientAs, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    add(lead, kent_return)
    [entry] = entries(db)
    evaluator = client_as(Role.EVALUATOR)
    sharing_url = f"/returns/{kent_return.id}/learning/{entry.id}/national-sharing"

    soup = page(evaluator.get(f"/returns/{kent_return.id}/learning"))
    assert soup.find("form", action=sharing_url)
    assert soup.find("a", string="Change") is None

    assert evaluator.post(sharing_url, data={"cleared": "yes"}).status_code == 302
    assert entries(db)[0].cleared_for_national
    soup = page(evaluator.get(f"/returns/{kent_return.id}/learning"))
    assert "Cleared for national sharing" in text_of(soup.find(id=f"learning-{entry.id}"))
    assert "Withdraw clearance" in text_of(soup)

    evaluator.post(sharing_url, data={"cleared": "no"})
    assert not entries(db)[0].cleared_for_national
    actions = [
        event.after
        for event in db.scalars(
            select(AuditEvent).where(AuditEvent.action == "learning.updated").order_by(AuditEvent.id)
        )
    ]
    assert [after["cleared_for_national"] for after in actions if after] == [True, False]


def test_the_lead_sees_no_clearance_buttons(db: Session, lead: FlaskClient, kent_return: SiteReturn) -> None:
    add(lead, kent_return)
    [entry] = entries(db)

    soup = page(lead.get(f"/returns/{kent_return.id}/learning"))

    assert soup.find("form", action=f"/returns/{kent_return.id}/learning/{entry.id}/national-sharing") is None


def test_another_sites_entry_is_not_found(
    db: Session, client_as: ClientAs, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    leeds_return = make_return(db, "leeds")
    leeds_lead = client_as(Role.SITE_LEAD, site="leeds")
    add(leeds_lead, leeds_return)
    [leeds_entry] = entries(db)

    assert lead.get(f"/returns/{leeds_return.id}/learning").status_code == 404
    assert lead.get(f"/returns/{kent_return.id}/learning/{leeds_entry.id}/edit").status_code == 404
    tampered = lead.post(
        f"/returns/{kent_return.id}/learning/{leeds_entry.id}/edit", data={**ENTRY, "title": "Tampered"}
    )
    assert tampered.status_code == 404
    assert (
        lead.post(f"/returns/{kent_return.id}/learning/{leeds_entry.id}/delete", data={}).status_code == 404
    )
    assert entries(db)[0].title == ENTRY["title"]


def test_a_submitted_return_is_read_only(db: Session, lead: FlaskClient) -> None:
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)

    soup = page(lead.get(f"/returns/{submitted.id}/learning"))

    assert "Add a learning entry" not in text_of(soup)
    assert lead.get(f"/returns/{submitted.id}/learning/new").status_code == 403
    assert add(lead, submitted).status_code == 403
    assert entries(db) == []


def test_the_check_answers_page_summarises_the_learning(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    add(lead, kent_return)
    [entry] = entries(db)

    soup = page(lead.get(f"/returns/{kent_return.id}/check"))

    assert soup.find(id="section-learning").get_text(strip=True) == "Learning"
    assert "Waiting for the legal gateway" in text_of(soup.find(id=f"learning-{entry.id}"))
