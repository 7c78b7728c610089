"""Hostile input a user or an attacker could send: ids no database can hold, control characters in
addresses and in text, and methods a page does not take. Each is answered as a user would expect (a 404,
a 405 that says which methods work, or the text saved without the control characters), never a server
error, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from evidence_hub.models import (
    ApiToken,
    AuditEvent,
    Baseline,
    DataFlow,
    LearningEntry,
    MeasureValue,
    ReviewComment,
    Role,
    SiteReturn,
    SupportingDocument,
    User,
)
from evidence_hub.request_input import LARGEST_ID
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_return, make_user
from tests.pages import field_error, page
from tests.returns_helpers import pdf_bytes
from tests.web.test_admin import new_user_form
from tests.web.test_journey_pages import FLOW
from tests.web.test_learning_pages import ENTRY
from tests.web.test_measures_pages import BASELINE, ENGAGED, good_answer
from tests.web.test_review_pages import submitted_return

ClientAs = Callable[..., FlaskClient]

# Typed or pasted by nobody, but easily sent: NUL (which PostgreSQL refuses in text), BEL and ESC.
CONTROLS = "\x00\x07\x1b"


def hostile(text: str) -> str:
    """The text with control characters between its words."""
    return text.replace(" ", f" {CONTROLS}", 2) + CONTROLS


def fresh(db: Session) -> Session:
    db.expire_all()
    db.rollback()
    return db


def address_of(rule: Rule, value_for: Callable[[str, str], str]) -> str:
    """The rule's address with each of its parts filled in by value_for(converter, argument)."""

    def fill(match: re.Match[str]) -> str:
        converter, _, name = match.group(1).rpartition(":")
        return value_for(converter or "default", name)

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def plausible(converter: str, _name: str) -> str:
    if converter.startswith("any("):
        return re.findall(r"'([^']+)'", converter)[0]
    return "1" if converter == "int" else "x"


def method_for(rule: Rule) -> str:
    return "GET" if "GET" in (rule.methods or ()) else "POST"


def routes_with(app: Flask, converter: str) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any((type(each).__name__ == converter) for each in rule._converters.values())
    ]


@pytest.fixture
def administrator(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.ADMINISTRATOR)


# --- Ids beyond what the database holds ----------------------------------------------------------------


def test_every_route_with_an_id_is_checked(app: Flask) -> None:
    assert len(routes_with(app, "DatabaseIdConverter")) > 40


@pytest.mark.parametrize("number", [LARGEST_ID + 1, 2**63, 10**30], ids=["2^31", "2^63", "10^30"])
def test_an_id_too_large_for_the_database_is_not_found_in_every_address(
    app: Flask, administrator: FlaskClient, number: int
) -> None:
    for rule in routes_with(app, "DatabaseIdConverter"):

        def big_ids(converter: str, name: str) -> str:
            return str(number) if converter == "int" else plausible(converter, name)

        url = address_of(rule, big_ids)
        response = administrator.open(url, method=method_for(rule))
        assert response.status_code == 404, f"{method_for(rule)} {url}: {response.status_code}"


def test_the_largest_id_the_database_holds_is_looked_up_and_not_found(
    app: Flask, administrator: FlaskClient
) -> None:
    for rule in routes_with(app, "DatabaseIdConverter"):

        def largest_ids(converter: str, name: str) -> str:
            return str(LARGEST_ID) if converter == "int" else plausible(converter, name)

        url = address_of(rule, largest_ids)
        response = administrator.open(url, method=method_for(rule))
        assert response.status_code in (403, 404), f"{method_for(rule)} {url}: {response.status_code}"


# --- Control characters in addresses ---------------------------------------------------------------------


@pytest.mark.parametrize("character", ["%00", "%1B", "%0A"], ids=["NUL", "ESC", "newline"])
def test_an_address_with_a_control_character_is_not_found(
    app: Flask, administrator: FlaskClient, character: str
) -> None:
    text_routes = routes_with(app, "PlainTextConverter") + routes_with(app, "PlainPathConverter")
    assert len(text_routes) > 20
    for rule in text_routes:

        def with_control(converter: str, name: str) -> str:
            if converter in ("default", "string", "path"):
                return f"WL{character}X"
            return plausible(converter, name)

        url = address_of(rule, with_control)
        response = administrator.open(url, method=method_for(rule))
        assert response.status_code == 404, f"{method_for(rule)} {url!r}: {response.status_code}"
        if url.startswith("/api/v1/"):
            assert response.get_json()["error"]["status"] == 404


def test_the_reported_addresses_with_nul_are_not_found(
    client: FlaskClient, administrator: FlaskClient
) -> None:
    page(administrator.get("/framework/%00"), status=404)
    assert client.get("/api/v1/frameworks/%00").get_json()["error"]["status"] == 404
    assert client.get("/static/%00").status_code == 404


# --- Control characters in text -------------------------------------------------------------------------


@pytest.fixture
def kent_lead(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.SITE_LEAD, site="kent")


def test_a_learning_entry_is_saved_without_control_characters(db: Session, kent_lead: FlaskClient) -> None:
    site_return = make_return(db, "kent")
    data = {
        **ENTRY,
        "title": hostile("Waiting for the gateway"),
        "what_happened": hostile(ENTRY["what_happened"]),
    }

    assert kent_lead.post(f"/returns/{site_return.id}/learning/new", data=data).status_code == 302

    [entry] = fresh(db).scalars(select(LearningEntry)).all()
    assert entry.title == "Waiting for the gateway"
    assert entry.what_happened == ENTRY["what_happened"]


def test_a_data_flow_is_saved_without_control_characters(db: Session, kent_lead: FlaskClient) -> None:
    site_return = make_return(db, "kent")
    data = {**FLOW, "dataset": hostile(FLOW["dataset"]), "notes": hostile("Signed by both parties")}

    assert kent_lead.post(f"/returns/{site_return.id}/data-flows/new", data=data).status_code == 302

    [flow] = fresh(db).scalars(select(DataFlow)).all()
    assert (flow.dataset, flow.notes) == (FLOW["dataset"], "Signed by both parties")


def test_measure_commentary_and_a_baseline_are_saved_without_control_characters(
    db: Session, kent_lead: FlaskClient
) -> None:
    site_return = make_return(db, "kent")
    answer = good_answer(db, commentary=hostile("Counted from the registers"))
    assert kent_lead.post(f"/returns/{site_return.id}/measures/{ENGAGED}", data=answer).status_code == 302
    baseline = {**BASELINE, "source": hostile("Client tracking sheet")}
    assert kent_lead.post(f"/returns/{site_return.id}/baselines/{ENGAGED}", data=baseline).status_code == 302

    [measure] = fresh(db).scalars(select(MeasureValue)).all()
    [saved_baseline] = db.scalars(select(Baseline)).all()
    assert measure.commentary == "Counted from the registers"
    assert saved_baseline.source == "Client tracking sheet"


def test_journey_evidence_is_saved_without_control_characters(db: Session, kent_lead: FlaskClient) -> None:
    site_return = make_return(db, "kent")
    data = {"milestone": "J40", "evidence": hostile("Business case sent on 20 April 2009"), "version": "1"}

    assert kent_lead.post(f"/returns/{site_return.id}/journey", data=data).status_code == 302

    saved = fresh(db).get(SiteReturn, site_return.id)
    assert saved is not None and saved.journey_evidence == "Business case sent on 20 April 2009"


def test_a_document_description_and_name_are_saved_without_control_characters(
    db: Session, kent_lead: FlaskClient
) -> None:
    site_return = make_return(db, "kent")
    data = {
        "document": (io.BytesIO(pdf_bytes()), "agree\x00ment.pdf"),
        "description": hostile("Data-sharing agreement with DWP"),
    }

    response = kent_lead.post(
        f"/returns/{site_return.id}/documents/new", data=data, content_type="multipart/form-data"
    )

    assert response.status_code == 302
    [document] = fresh(db).scalars(select(SupportingDocument)).all()
    assert (document.description, document.original_filename) == (
        "Data-sharing agreement with DWP",
        "agreement.pdf",
    )


def test_an_evaluators_comment_is_saved_without_control_characters(db: Session, client_as: ClientAs) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    site_return = submitted_return(db, lead)
    evaluator = client_as(Role.EVALUATOR)

    response = evaluator.post(
        f"/review/returns/{site_return.id}/comment",
        data={"item": "return", "body": hostile("Is all of this the pilot's share?")},
    )

    assert response.status_code == 302
    [comment] = fresh(db).scalars(select(ReviewComment)).all()
    assert comment.body == "Is all of this the pilot's share?"


def test_signing_in_with_control_characters_in_the_email_is_refused_like_a_wrong_email(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.EVALUATOR, email="eve@example.gov.uk")

    soup = page(client.post("/sign-in", data={"email": "nobody\x00@example.gov.uk", "password": "x" * 12}))
    assert field_error(soup, "email") == "Enter the email address and password of an active account"

    # The same rule applies everywhere, so the address with its control characters removed is the account's.
    response = client.post(
        "/sign-in", data={"email": f"eve{CONTROLS}@example.gov.uk", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert user.email == "eve@example.gov.uk"


def test_administrators_forms_save_names_without_control_characters(
    db: Session, administrator: FlaskClient
) -> None:
    data = new_user_form(email="new.lead@example.gov.uk", full_name=hostile("Nia New Lead"))

    assert administrator.post("/admin/users/new", data=data).status_code == 302

    user = fresh(db).scalar(select(User).where(User.email == "new.lead@example.gov.uk"))
    assert user is not None and user.full_name == "Nia New Lead"


def test_an_api_tokens_name_is_saved_without_control_characters(db: Session, client_as: ClientAs) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)

    official.post("/account/api-tokens/new", data={"name": hostile("Analysis notebook"), "days": "30"})

    [token] = fresh(db).scalars(select(ApiToken)).all()
    assert token.name == "Analysis notebook"


@pytest.mark.parametrize(
    "address",
    [
        "/framework/?q=%00",
        "/dashboard/costs?sites=%00&theme=%00&from=%00",
        "/audit/?action=%00&user=%00&object_type=%00",
        "/review/returns?status=%00",
        "/sign-in?next=/%00",
        "/releases/new?framework=%00",
    ],
)
def test_queries_with_control_characters_are_answered(administrator: FlaskClient, address: str) -> None:
    response = administrator.get(address)
    assert response.status_code < 500


def test_nothing_else_was_written_for_refused_text(db: Session, kent_lead: FlaskClient) -> None:
    site_return = make_return(db, "kent")
    data: dict[str, Any] = {**ENTRY, "title": CONTROLS}

    soup = page(kent_lead.post(f"/returns/{site_return.id}/learning/new", data=data))

    assert field_error(soup, "title")
    assert fresh(db).scalars(select(LearningEntry)).all() == []
    assert not [event for event in db.scalars(select(AuditEvent)) if event.action.startswith("learning")]


# --- Methods a page does not take -------------------------------------------------------------------------


def test_every_405_says_which_methods_the_address_takes(app: Flask, client: FlaskClient) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue
        url = address_of(rule, plausible)
        allowed = {
            method
            for other in app.url_map.iter_rules()
            if other.rule == rule.rule
            for method in other.methods or ()
        }
        for method in ("DELETE", "TRACE", "PUT"):
            if method in allowed:
                continue
            response = client.open(url, method=method)
            assert response.status_code == 405, f"{method} {url}: {response.status_code}"
            assert set(response.headers["Allow"].split(", ")) == allowed, url
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
def test_the_api_answers_every_method_in_json(client: FlaskClient, method: str) -> None:
    for url in ("/api/v1/frameworks", "/api/v1/releases/WDS-2026-01", "/api/v1/openapi.json"):
        response = client.open(url, method=method)
        assert (response.status_code, response.mimetype) == (405, "application/json"), f"{method} {url}"
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert response.get_json()["error"]["title"] == "Method not allowed"


def test_the_api_answers_options_in_json_without_a_token(client: FlaskClient) -> None:
    response = client.options("/api/v1/releases")

    assert (response.status_code, response.mimetype) == (200, "application/json")
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.get_json() == {"methods": ["GET", "HEAD", "OPTIONS"]}
    nowhere = client.options("/api/v1/nothing-here")
    assert (nowhere.status_code, nowhere.mimetype) == (404, "application/json")


def test_a_failure_inside_the_api_is_a_json_500(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence_hub.services.accounts import api_tokens
    from evidence_hub.services.framework import finding

    user = make_user(db, Role.EVALUATOR)
    from evidence_hub.db import transaction

    with transaction(db):
        secret = api_tokens.create_token(db, user=user, name="Checks", days=1).secret

    def broken(*_args: object) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(finding, "list_frameworks", broken)
    response = client.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {secret}"})

    assert (response.status_code, response.mimetype) == (500, "application/json")
    assert "internal detail" not in response.get_data(as_text=True)


def test_signing_in_still_works_for_a_plain_password(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.EVALUATOR)
    sign_in(client, user.email)


def test_text_read_from_an_uploaded_spreadsheet_follows_the_same_rule() -> None:
    from evidence_hub.services.common.spreadsheet_reading import read_spreadsheet

    rows = read_spreadsheet(
        b"title,notes\r\nWaiting\x07 for the gateway,\x1bSigned\tin full\r\n", "a.csv", "x"
    )

    assert rows.rows == [(2, {"title": "Waiting for the gateway", "notes": "Signed\tin full"})]
