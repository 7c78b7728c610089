"""The data-sharing journey pages: the milestone reached in the period with its evidence, and the site's
register of data flows, kept from any return the lead can still change."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, DataFlow, ReturnStatus, Role, SiteReturn
from tests.factories import make_return
from tests.pages import components_both_ways, elements, error_summary, field_error, heading, page, text_of

ClientAs = Callable[..., FlaskClient]

FLOW = {
    "dataset": "Jobseeker's Allowance claimants by postcode",
    "holder": "DWP",
    "purpose": "To find streets where many people are out of work",
    "legal_gateway": "Confirmed by DWP's information governance team",
    "agreement_status": "in_progress",
    "impact_assessment_status": "in_place",
    "requested_on": ["20", "4", "2009"],
    "approved_on": ["15", "6", "2009"],
    "received_on": ["", "", ""],
    "notes": "",
}


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.SITE_LEAD, site="kent")


def flows(db: Session) -> list[DataFlow]:
    db.expire_all()
    db.rollback()
    return list(db.scalars(select(DataFlow).order_by(DataFlow.id)))


def fresh(db: Session, site_return: SiteReturn) -> SiteReturn:
    db.expire_all()
    db.rollback()
    found = db.get(SiteReturn, site_return.id)
    assert found is not None
    return found


def add_flow(lead: FlaskClient, site_return: SiteReturn, **changes: Any) -> Any:
    return lead.post(f"/returns/{site_return.id}/data-flows/new", data={**FLOW, **changes})


def test_the_journey_page_lists_the_frameworks_milestones_with_their_meaning(
    lead: FlaskClient, kent_return: SiteReturn
) -> None:
    soup = page(lead.get(f"/returns/{kent_return.id}/journey"))

    assert heading(soup) == "Data-sharing journey and data flows"
    labels = [label.get_text(strip=True) for label in soup.select("input[name=milestone] + label")]
    assert labels[0] == "0%: Starting point"
    assert labels[-1] == "100%: Sharing established and sustained"
    form = text_of(soup.select_one("form[action$='/journey']"))
    assert "The business case or data request has been submitted to the data holder." in form
    assert "Evidence: The submitted business case and the date it was sent." in form
    assert "No data flows recorded yet." in text_of(soup)
    assert soup.find("form", action=f"/returns/{kent_return.id}/sections/journey/completed")


def test_the_milestone_is_saved_with_its_evidence(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    response = lead.post(
        f"/returns/{kent_return.id}/journey",
        data={"milestone": "J40", "evidence": "Business case sent on 20 April 2009", "version": "1"},
    )

    assert response.status_code == 302
    saved = fresh(db, kent_return)
    assert saved.journey_milestone is not None and saved.journey_milestone.code == "J40"
    assert saved.version == 2
    soup = page(lead.get(f"/returns/{kent_return.id}/journey"))
    assert soup.find("input", attrs={"name": "milestone", "value": "J40"}).has_attr("checked")
    record = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "return")).one()
    assert record.after == {
        "journey_milestone": "J40",
        "journey_evidence": "Business case sent on 20 April 2009",
    }


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"milestone": "", "evidence": ""}, "milestone", "Select the milestone your site has reached"),
        (
            {"milestone": "J999", "evidence": "x"},
            "milestone",
            "Select a milestone from the framework's journey",
        ),
        (
            {"milestone": "J70", "evidence": ""},
            "evidence",
            "Describe the evidence that your site has reached",
        ),
        ({"milestone": "J70", "evidence": "x" * 5001}, "evidence", "5,000 characters or fewer"),
    ],
)
def test_bad_milestones_are_explained_beside_the_field(
    db: Session, lead: FlaskClient, kent_return: SiteReturn, data: dict[str, str], field_id: str, message: str
) -> None:
    soup = page(lead.post(f"/returns/{kent_return.id}/journey", data=data))

    assert message in field_error(soup, field_id)
    assert any(message in item for item in error_summary(soup))
    assert fresh(db, kent_return).journey_milestone_id is None


def test_a_stale_milestone_form_shows_both_versions(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(
        f"/returns/{kent_return.id}/journey",
        data={"milestone": "J10", "evidence": "Contacts", "version": "1"},
    )

    soup = page(
        lead.post(
            f"/returns/{kent_return.id}/journey",
            data={"milestone": "J25", "evidence": "Draft", "version": "1"},
        )
    )

    conflict = text_of(soup.select_one(".govuk-error-summary"))
    assert "Somebody else changed this item after you opened it" in conflict
    assert "10%: People and partners identified" in conflict and "25%: Data needs defined" in conflict
    assert soup.find("input", attrs={"name": "version"})["value"] == "2"
    assert fresh(db, kent_return).journey_milestone.code == "J10"  # type: ignore[union-attr]


def test_a_data_flow_is_added_to_the_register_with_its_dates(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    soup = page(lead.get(f"/returns/{kent_return.id}/data-flows/new"))
    assert heading(soup) == "Add a data flow"
    assert "for example DWP, HMRC, Jobcentre Plus" in text_of(soup)

    response = add_flow(lead, kent_return)

    [flow] = flows(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{kent_return.id}/journey#data-flow-{flow.id}")
    card = text_of(page(lead.get(f"/returns/{kent_return.id}/journey")).find(id=f"data-flow-{flow.id}"))
    assert "Jobseeker's Allowance claimants by postcode (DWP)" in card
    assert "Requested 20 April 2009" in card
    assert "Approved 15 June 2009" in card
    assert "Received Not yet" in card
    assert "Data-sharing agreement In progress" in card
    assert "Privacy impact assessment In place" in card


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        (
            {"requested_on": ["1", "7", "2009"]},
            "approved_on",
            "The date approved must be the same as or after the date requested",
        ),
        (
            {"received_on": ["1", "6", "2009"]},
            "received_on",
            "The date received must be the same as or after the date approved",
        ),
        (
            {"requested_on": ["", "", ""]},
            "requested_on",
            "Enter the date the data was requested: it has been approved",
        ),
        ({"requested_on": ["20", "", "2009"]}, "requested_on", "The date requested must include a month"),
        ({"requested_on": ["31", "2", "2009"]}, "requested_on", "The date requested must be a real date"),
        ({"requested_on": ["1", "1", "3000"]}, "requested_on", "must be today or in the past"),
        (
            {"agreement_status": "signed"},
            "agreement_status",
            "Select the status of the data-sharing agreement",
        ),
        ({"dataset": ""}, "dataset", "Enter the name of the data set"),
        ({"holder": "x" * 201}, "holder", "200 characters or fewer"),
        ({"purpose": ""}, "purpose", "Say what the data will be used for"),
        ({"notes": "x" * 5001}, "notes", "5,000 characters or fewer"),
    ],
)
def test_bad_data_flows_are_explained_beside_the_field_and_nothing_is_saved(
    db: Session,
    lead: FlaskClient,
    kent_return: SiteReturn,
    changes: dict[str, Any],
    field_id: str,
    message: str,
) -> None:
    soup = page(add_flow(lead, kent_return, **changes))

    assert message in field_error(soup, field_id)
    assert any(message in item for item in error_summary(soup))
    assert flows(db) == []


def test_a_data_flow_is_changed_and_removed(db: Session, lead: FlaskClient, kent_return: SiteReturn) -> None:
    add_flow(lead, kent_return)
    [flow] = flows(db)
    edit_url = f"/returns/{kent_return.id}/data-flows/{flow.id}/edit"
    soup = page(lead.get(edit_url))
    assert soup.find("input", attrs={"id": "requested_on-day"})["value"] == "20"

    lead.post(edit_url, data={**FLOW, "agreement_status": "in_place", "version": "1"})
    assert flows(db)[0].agreement_status == "in_place"

    stale = page(lead.post(edit_url, data={**FLOW, "holder": "HMRC", "version": "1"}))
    assert "Somebody else changed this item" in text_of(stale)
    assert flows(db)[0].holder == "DWP"

    delete_url = f"/returns/{kent_return.id}/data-flows/{flow.id}/delete"
    confirmation = page(lead.get(delete_url))
    assert heading(confirmation) == "Are you sure you want to delete this data flow?"
    assert "Jobseeker's Allowance claimants by postcode" in text_of(confirmation.find(id="item-details"))
    assert lead.post(delete_url, data={"version": "2"}).status_code == 302
    assert flows(db) == []
    actions = [
        event.action
        for event in db.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "data_flow").order_by(AuditEvent.id)
        )
    ]
    assert actions == ["data_flow.created", "data_flow.updated", "data_flow.deleted"]


@pytest.mark.parametrize("can_edit", [True, False])
def test_a_data_flow_card_is_drawn_as_the_design_systems_summary_list_draws_it(
    app: Flask, db: Session, lead: FlaskClient, kent_return: SiteReturn, can_edit: bool
) -> None:
    add_flow(lead, kent_return, purpose="Line one\nLine <two> & more", notes="")
    site_return = fresh(db, kent_return)

    written, through_macro = components_both_ways(
        app,
        "returns/summary/journey.html",
        user=lead.user,  # type: ignore[attr-defined]
        site_return=site_return,
        comments={},
        can_edit=can_edit,
    )

    assert elements(written) == elements(through_macro)
    assert len(BeautifulSoup(written, "html.parser").select(".govuk-summary-card")) == 1
    assert "Line &lt;two&gt; &amp; more" in written


def test_the_register_is_the_sites_and_is_shown_in_every_return(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    add_flow(lead, kent_return)
    later = make_return(db, "kent", period=2)
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)

    editable = page(lead.get(f"/returns/{later.id}/journey"))
    assert "Jobseeker's Allowance claimants by postcode" in text_of(editable)
    assert editable.find("a", href=f"/returns/{later.id}/data-flows/{flows(db)[0].id}/edit")

    read_only = page(lead.get(f"/returns/{submitted.id}/journey"))
    assert "Jobseeker's Allowance claimants by postcode" in text_of(read_only)
    assert read_only.find("a", string="Change") is None
    assert read_only.find("input", attrs={"name": "milestone"}) is None
    assert add_flow(lead, submitted).status_code == 403
    assert lead.post(f"/returns/{submitted.id}/journey", data={"milestone": "J10"}).status_code == 403


def test_another_sites_data_flow_is_not_found(
    db: Session, client_as: ClientAs, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    leeds_return = make_return(db, "leeds")
    add_flow(client_as(Role.SITE_LEAD, site="leeds"), leeds_return)
    [leeds_flow] = flows(db)

    assert lead.get(f"/returns/{leeds_return.id}/journey").status_code == 404
    assert lead.get(f"/returns/{kent_return.id}/data-flows/{leeds_flow.id}/edit").status_code == 404
    tampered = lead.post(
        f"/returns/{kent_return.id}/data-flows/{leeds_flow.id}/edit", data={**FLOW, "holder": "Tampered"}
    )
    assert tampered.status_code == 404
    assert lead.post(f"/returns/{kent_return.id}/data-flows/{leeds_flow.id}/delete").status_code == 404
    assert flows(db)[0].holder == "DWP"
    own = page(lead.get(f"/returns/{kent_return.id}/journey"))
    assert "Jobseeker's Allowance" not in text_of(own)


def test_an_evaluator_reads_the_journey_without_forms(
    db: Session, client_as: ClientAs, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(
        f"/returns/{kent_return.id}/journey",
        data={"milestone": "J25", "evidence": "Draft business case", "version": "1"},
    )
    add_flow(lead, kent_return)
    evaluator = client_as(Role.EVALUATOR)

    soup = page(evaluator.get(f"/returns/{kent_return.id}/journey"))

    assert "25%: Data needs defined" in text_of(soup.find(id="journey-milestone"))
    assert "Draft business case" in text_of(soup)
    assert soup.find("input", attrs={"name": "milestone"}) is None
    assert evaluator.post(f"/returns/{kent_return.id}/journey", data={"milestone": "J100"}).status_code == 403


def test_the_check_answers_page_summarises_the_journey_with_a_change_link_beside_each_answer(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(
        f"/returns/{kent_return.id}/journey",
        data={"milestone": "J25", "evidence": "Draft business case", "version": "1"},
    )
    add_flow(lead, kent_return)
    [flow] = flows(db)

    soup = page(lead.get(f"/returns/{kent_return.id}/check"))

    assert soup.find(id="section-journey").get_text(strip=True) == "Data-sharing journey and data flows"
    assert "25%: Data needs defined" in text_of(soup.find(id="journey-milestone"))
    assert soup.find(id=f"data-flow-{flow.id}") is not None

    # A Change link beside each answer, landing on its own field.
    milestone_links = [
        link["href"] for link in soup.select("#journey-milestone .govuk-summary-list__actions a")
    ]
    assert milestone_links == [
        f"/returns/{kent_return.id}/journey#milestone",
        f"/returns/{kent_return.id}/journey#evidence",
    ]
    flow_links = {
        text_of(link).split(" (")[0]: link["href"]
        for link in soup.select(f"#data-flow-{flow.id} .govuk-summary-list__actions a")
    }
    edit = f"/returns/{kent_return.id}/data-flows/{flow.id}/edit"
    assert flow_links["Change held by"] == f"{edit}#holder"
    assert flow_links["Change requested"] == f"{edit}#requested_on-day"
    assert len(flow_links) == 10
    for href in [*milestone_links, *flow_links.values()]:
        address, anchor = href.split("#")
        assert page(lead.get(address)).find(id=anchor) is not None, href


def test_the_dashboards_register_shows_dates_in_words_and_its_csv_keeps_them_iso(
    db: Session, lead: FlaskClient, kent_return: SiteReturn, client_as: ClientAs
) -> None:
    assert add_flow(lead, kent_return).status_code == 302
    evaluator = client_as(Role.EVALUATOR)
    soup = page(evaluator.get("/dashboard/journey"))
    register = soup.select_one("#panel-register").find_parent("section")
    [row] = [
        [cell.get_text(" ", strip=True) for cell in each.select("th, td")]
        for each in register.select("table tbody tr")
    ]
    assert row[4:7] == ["20 April 2009", "15 June 2009", "–"]

    link = register.select_one("a[href*='.csv']")["href"]
    [_, csv_row] = list(csv.reader(io.StringIO(evaluator.get(link).get_data(as_text=True))))
    assert csv_row[4:7] == ["2009-04-20", "2009-06-15", ""]
