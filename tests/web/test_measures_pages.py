"""The impact measures pages as a pilot lead and an evaluator use them: the list of indicators, one page
per indicator with the framework's guidance beside the fields, baselines, and every kind of bad input
answered beside its field with nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import (
    AuditEvent,
    Baseline,
    EvidenceLevel,
    MeasureValue,
    ReturnStatus,
    Role,
    SiteReturn,
)
from tests.factories import make_return
from tests.pages import components_both_ways, elements, error_summary, field_error, heading, page, text_of

ClientAs = Callable[..., FlaskClient]
ENGAGED = "WL-CLIENTS-ENGAGED"


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.SITE_LEAD, site="kent")


def level_id(db: Session, scale: str, level: int) -> str:
    found = db.scalars(select(EvidenceLevel)).all()
    return str(next(item.id for item in found if item.scale.code == scale and item.level == level))


def good_answer(db: Session, **changes: Any) -> dict[str, Any]:
    return {
        "availability": "available",
        "value": "120",
        "target": "150",
        "data_source": "The pilot's client tracking spreadsheet",
        "quality_rating": "good",
        "quality_reason": "Checked against the attendance registers",
        "evidence_level": level_id(db, "nesta", 2),
        "commentary": "",
        "version": "0",
        **changes,
    }


def measures_saved(db: Session) -> list[MeasureValue]:
    db.expire_all()
    db.rollback()
    return list(db.scalars(select(MeasureValue)))


def url(site_return: SiteReturn, code: str = ENGAGED) -> str:
    return f"/returns/{site_return.id}/measures/{code}"


def test_the_lead_sees_every_indicator_grouped_by_theme(lead: FlaskClient, kent_return: SiteReturn) -> None:
    soup = page(lead.get(f"/returns/{kent_return.id}/measures"))

    assert heading(soup) == "Impact measures"
    assert [h2.get_text(strip=True) for h2 in soup.select("main h2")][1:6] == [
        "Value for money: costs and benefits",
        "Data and capacity factors",
        "Wider context and partnership working",
        "Systems learning: data, process and local fit",
        "Next steps: local and national action",
    ]
    row = soup.find(id=f"indicator-{ENGAGED}")
    assert "Clients engaged through data-led targeting" in text_of(row)
    assert "Not started" in text_of(row)
    assert "Baseline needed" in text_of(row)
    assert row.find("a", href=url(kent_return)).get_text(" ", strip=True).startswith("Enter")
    assert soup.find("form", action=f"/returns/{kent_return.id}/sections/measures/completed")


def test_an_indicator_page_puts_the_frameworks_guidance_beside_the_fields(
    lead: FlaskClient, kent_return: SiteReturn
) -> None:
    soup = page(lead.get(url(kent_return)))
    guidance = text_of(soup.select_one("aside"))
    form = text_of(soup.select_one("form[action$='/measures/WL-CLIENTS-ENGAGED']"))

    assert heading(soup) == "Clients engaged through data-led targeting"
    assert "took up an offer of support" in text_of(soup.select_one(".govuk-body-l"))
    assert "Count, a whole number" in guidance
    assert "0 to 5,000" in guidance
    assert "People who attended a first appointment" in guidance
    assert "People who came forward through routine Jobcentre Plus" in guidance
    assert "Attendance registers of outreach sessions and events" in guidance
    assert "At least level 2 of the Nesta Standards of Evidence" in guidance
    # Beside the fields themselves: the unit and range, each level's plain-English question, the sources.
    assert "Count, a whole number. Plausible range: 0 to 5,000." in form
    assert "Do you have data showing that things improved" in form
    # One scale per list: the Maryland prompts are not mixed into a Nesta indicator's choices.
    assert "Were people or areas chosen at random to take part or not" not in form
    assert "The framework expects at least this level for this indicator." in form
    assert "The framework suggests: The pilot's client tracking spreadsheet" in form
    assert soup.find("input", attrs={"name": "version", "value": "0"})


def test_saving_a_figure_moves_on_to_the_next_indicator_and_shows_it_in_the_list(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    response = lead.post(url(kent_return), data=good_answer(db))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(kent_return, "WL-REFERRALS"))
    [measure] = measures_saved(db)
    assert measure.value == 120
    soup = page(lead.get(f"/returns/{kent_return.id}/measures"))
    row = text_of(soup.find(id=f"measure-{measure.id}"))
    assert "120 , against a target of 150" in row
    assert "Entered" in row


def test_the_saved_answer_is_shown_in_the_form_to_change_it(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(url(kent_return), data=good_answer(db, value="1200"))

    soup = page(lead.get(url(kent_return)))

    assert soup.find("input", attrs={"name": "value"})["value"] == "1200"
    assert soup.find("input", attrs={"name": "availability", "value": "available"}).has_attr("checked")
    assert soup.find("input", attrs={"name": "version"})["value"] == "1"


@pytest.mark.parametrize(
    ("code", "changes", "field_id", "message"),
    [
        (
            ENGAGED,
            {"value": "6000"},
            "range_justification",
            "6,000 is outside the plausible range of 0 to 5,000",
        ),
        (ENGAGED, {"value": "12.5"}, "value", "must be a whole number"),
        (ENGAGED, {"value": "-3"}, "value", "cannot be negative"),
        (ENGAGED, {"value": "NaN"}, "value", "must be a number"),
        (ENGAGED, {"value": "Infinity"}, "value", "must be a number"),
        (ENGAGED, {"value": "1e100"}, "value", "is too large"),
        ("WL-JOB-ENTRY-RATE", {"value": "45.25"}, "value", "no more than 1 decimal place"),
        ("WL-JOB-ENTRY-RATE", {"value": "120"}, "value", "between 0 and 100"),
        ("WL-COST-PER-CLIENT", {"value": "10.999", "target": ""}, "value", "no more than 2 decimal places"),
        (ENGAGED, {"value": ""}, "value", "Enter the figure for Clients engaged"),
        (ENGAGED, {"availability": "", "value": ""}, "availability", "or say it is not yet available"),
        (
            ENGAGED,
            {"availability": "not_available", "not_available_reason": ""},
            "not_available_reason",
            "Say why the figure for Clients engaged through data-led targeting is not yet available",
        ),
        (ENGAGED, {"target": ""}, "target", "Enter your target for Clients engaged"),
        (ENGAGED, {"data_source": ""}, "data_source", "Say where the figure comes from"),
        (ENGAGED, {"quality_rating": ""}, "quality_rating", "Select how good the data behind the figure is"),
        (ENGAGED, {"quality_rating": "superb"}, "quality_rating", "Select a quality rating from the list"),
        (ENGAGED, {"evidence_level": "999999"}, "evidence_level", "Select a level of evidence"),
        (ENGAGED, {"commentary": "x" * 5001}, "commentary", "5,000 characters or fewer"),
    ],
)
def test_bad_answers_are_explained_beside_the_field_and_nothing_is_saved(
    db: Session,
    lead: FlaskClient,
    kent_return: SiteReturn,
    code: str,
    changes: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    soup = page(lead.post(url(kent_return, code), data=good_answer(db, **changes)))

    assert message in field_error(soup, field_id)
    assert any(message in item for item in error_summary(soup))
    assert soup.title.get_text().startswith("Error: ")
    assert measures_saved(db) == []


def test_not_yet_available_is_saved_as_an_answer_distinct_from_zero(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    response = lead.post(
        url(kent_return),
        data=good_answer(
            db,
            availability="not_available",
            value="999",
            not_available_reason="Waiting for the March registers",
        ),
    )

    assert response.status_code == 302
    [measure] = measures_saved(db)
    assert measure.value is None
    assert measure.not_available_reason == "Waiting for the March registers"
    soup = page(lead.get(f"/returns/{kent_return.id}/measures"))
    assert "Not yet available: Waiting for the March registers" in text_of(
        soup.find(id=f"measure-{measure.id}")
    )


def test_a_yes_or_no_indicator_is_answered_with_radios(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    code = "WL-LEGAL-BASIS-CONFIRMED"
    soup = page(lead.get(url(kent_return, code)))
    assert [radio["value"] for radio in soup.select("input[name=availability]")] == [
        "yes",
        "no",
        "not_available",
    ]
    assert soup.find("input", attrs={"name": "value"}) is None

    lead.post(url(kent_return, code), data=good_answer(db, availability="yes", value="", target=""))

    [measure] = measures_saved(db)
    assert measure.value == 1
    soup = page(lead.get(f"/returns/{kent_return.id}/measures"))
    assert "Yes" in text_of(soup.find(id=f"measure-{measure.id}"))


def test_saving_over_somebody_elses_newer_answer_shows_both_and_overwrites_nothing(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(url(kent_return), data=good_answer(db, value="120"))
    lead.post(url(kent_return), data=good_answer(db, value="130", version="1"))

    soup = page(lead.post(url(kent_return), data=good_answer(db, value="140", version="1")))

    conflict = soup.select_one(".govuk-error-summary")
    assert "Somebody else changed this item after you opened it" in text_of(conflict)
    [row] = [row for row in conflict.select("tbody tr") if "Figure" in text_of(row)]
    assert [cell.get_text(strip=True) for cell in row.select("td")] == ["130", "140"]
    assert soup.find("input", attrs={"name": "value"})["value"] == "140"
    assert soup.find("input", attrs={"name": "version"})["value"] == "2"
    [measure] = measures_saved(db)
    assert measure.value == 130


def test_every_change_is_in_the_audit_log(db: Session, lead: FlaskClient, kent_return: SiteReturn) -> None:
    lead.post(url(kent_return), data=good_answer(db, value="120"))
    lead.post(url(kent_return), data=good_answer(db, value="125", version="1"))

    db.expire_all()
    db.rollback()
    actions = [
        (event.action, event.after.get("value") if event.after else None)
        for event in db.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "measure").order_by(AuditEvent.id)
        )
    ]
    assert actions == [("measure.created", "120"), ("measure.updated", "125")]


def test_removing_an_answer_asks_first(db: Session, lead: FlaskClient, kent_return: SiteReturn) -> None:
    lead.post(url(kent_return), data=good_answer(db))

    soup = page(lead.get(f"{url(kent_return)}/delete"))
    assert heading(soup) == "Are you sure you want to delete this answer?"
    assert "Clients engaged through data-led targeting" in text_of(soup)
    assert measures_saved(db) != []

    response = lead.post(f"{url(kent_return)}/delete", data={"version": "1"})

    assert response.status_code == 302
    assert measures_saved(db) == []


def test_an_unknown_indicator_is_not_found(lead: FlaskClient, kent_return: SiteReturn) -> None:
    assert lead.get(url(kent_return, "WL-NOT-A-THING")).status_code == 404
    assert lead.post(url(kent_return, "WL-NOT-A-THING"), data={}).status_code == 404


def test_another_sites_return_is_not_found(db: Session, lead: FlaskClient, kent_return: SiteReturn) -> None:
    leeds_return = make_return(db, "leeds")

    assert lead.get(f"/returns/{leeds_return.id}/measures").status_code == 404
    assert lead.get(url(leeds_return)).status_code == 404
    assert lead.post(url(leeds_return), data=good_answer(db)).status_code == 404
    assert lead.post(f"/returns/{leeds_return.id}/baselines/{ENGAGED}", data={}).status_code == 404
    assert measures_saved(db) == []


def test_a_submitted_return_is_shown_read_only_and_cannot_be_changed(db: Session, lead: FlaskClient) -> None:
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)

    soup = page(lead.get(url(submitted)))
    assert soup.find("form", action=url(submitted)) is None
    assert "No answer has been recorded" in text_of(soup)
    assert lead.post(url(submitted), data=good_answer(db)).status_code == 403
    assert lead.post(f"/returns/{submitted.id}/baselines/{ENGAGED}", data={}).status_code == 403
    assert measures_saved(db) == []


def test_an_evaluator_reads_the_answers_without_a_form(
    db: Session, client_as: ClientAs, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(url(kent_return), data=good_answer(db))
    evaluator = client_as(Role.EVALUATOR)

    soup = page(evaluator.get(url(kent_return)))

    assert soup.find("input", attrs={"name": "value"}) is None
    assert "Nesta Standards of Evidence, level 2" in text_of(soup)
    assert "Good. Checked against the attendance registers" in text_of(soup)
    listing = page(evaluator.get(f"/returns/{kent_return.id}/measures"))
    assert "Remove" not in text_of(listing)
    assert evaluator.post(url(kent_return), data=good_answer(db)).status_code == 403


def test_the_check_answers_page_summarises_the_measures(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(url(kent_return), data=good_answer(db))
    [measure] = measures_saved(db)

    soup = page(lead.get(f"/returns/{kent_return.id}/check"))

    section = soup.find(id="section-measures")
    assert section.get_text(strip=True) == "Impact measures"
    assert "120 , against a target of 150" in text_of(soup.find(id=f"measure-{measure.id}"))


@pytest.mark.parametrize("can_edit", [True, False])
def test_the_measures_summary_draws_its_tags_as_the_design_systems_macro_draws_them(
    app: Flask, db: Session, lead: FlaskClient, kent_return: SiteReturn, can_edit: bool
) -> None:
    lead.post(url(kent_return), data=good_answer(db, evidence_level=level_id(db, "nesta", 1)))
    lead.post(
        url(kent_return, "WL-LEGAL-BASIS-CONFIRMED"),
        data=good_answer(db, availability="not_available", not_available_reason="Waiting <for> DWP & HMRC"),
    )
    assert len(measures_saved(db)) == 2
    site_return = db.get(SiteReturn, kent_return.id)

    written, through_macro = components_both_ways(
        app,
        "returns/summary/measures.html",
        user=lead.user,  # type: ignore[attr-defined]
        site_return=site_return,
        comments={},
        can_edit=can_edit,
    )

    assert elements(written) == elements(through_macro)
    tags = {tag.get_text(strip=True) for tag in BeautifulSoup(written, "html.parser").select(".govuk-tag")}
    assert {"Entered", "Not yet available", "Not started", "Baseline needed"} <= tags
    assert "Not yet available: Waiting &lt;for&gt; DWP &amp; HMRC" in written


# Baselines


def baseline_url(site_return: SiteReturn, code: str = ENGAGED) -> str:
    return f"/returns/{site_return.id}/baselines/{code}"


BASELINE = {
    "value": "80",
    "period_description": "April 2008 to March 2009",
    "source": "Client tracking",
    "version": "0",
}


def baselines(db: Session) -> list[Baseline]:
    db.expire_all()
    db.rollback()
    return list(db.scalars(select(Baseline)))


def test_the_lead_sets_a_baseline_once_without_a_reason(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    soup = page(lead.get(baseline_url(kent_return)))
    assert heading(soup) == "Baseline for Clients engaged through data-led targeting"
    assert soup.find(id="reason") is None

    response = lead.post(baseline_url(kent_return), data=BASELINE)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(kent_return))
    [baseline] = baselines(db)
    assert baseline.value == 80
    soup = page(lead.get(url(kent_return)))
    assert "April 2008 to March 2009" in text_of(soup)


def test_changing_a_baseline_asks_for_a_reason_that_goes_into_the_audit_log(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(baseline_url(kent_return), data=BASELINE)
    soup = page(lead.get(baseline_url(kent_return)))
    assert soup.find(id="reason") is not None

    soup = page(lead.post(baseline_url(kent_return), data={**BASELINE, "value": "95", "version": "1"}))
    assert "Give the reason for changing your site's baseline" in field_error(soup, "reason")
    assert baselines(db)[0].value == 80

    response = lead.post(
        baseline_url(kent_return),
        data={**BASELINE, "value": "95", "version": "1", "reason": "The first count included repeat visits"},
    )

    assert response.status_code == 302
    assert baselines(db)[0].value == 95
    change = db.scalars(select(AuditEvent).where(AuditEvent.action == "baseline.updated")).one()
    assert change.reason == "The first count included repeat visits"


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"value": ""}, "value", "Enter your site's baseline figure"),
        ({"value": "1.5"}, "value", "must be a whole number"),
        ({"value": "inf"}, "value", "must be a number"),
        ({"period_description": ""}, "period_description", "Enter the period the baseline describes"),
        ({"period_description": "x" * 201}, "period_description", "200 characters or fewer"),
        ({"source": ""}, "source", "Say where the baseline figure comes from"),
    ],
)
def test_bad_baselines_are_explained_beside_the_field(
    db: Session,
    lead: FlaskClient,
    kent_return: SiteReturn,
    changes: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    soup = page(lead.post(baseline_url(kent_return), data={**BASELINE, **changes}))

    assert message in field_error(soup, field_id)
    assert baselines(db) == []


def test_a_baseline_outlives_the_period_it_was_set_in(
    db: Session, lead: FlaskClient, kent_return: SiteReturn
) -> None:
    lead.post(baseline_url(kent_return), data=BASELINE)
    later = make_return(db, "kent", period=2)

    soup = page(lead.get(f"/returns/{later.id}/measures"))

    assert "Baseline: 80 (April 2008 to March 2009)" in text_of(soup.find(id=f"indicator-{ENGAGED}"))
    assert db.scalar(select(func.count()).select_from(Baseline)) == 1
