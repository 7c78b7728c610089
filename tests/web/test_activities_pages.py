"""The activities section, as a site lead fills it in and as an evaluator reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    Activity,
    AuditEvent,
    PartnerType,
    ReturnStatus,
    ReviewComment,
    Role,
    SitePartner,
    SiteReturn,
    User,
)
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from tests.factories import make_return, make_site, make_user
from tests.pages import error_summary, field_error, page, text_of

ClientAs = Callable[..., FlaskClient]
PERIOD = "2009 Q2 (April to June 2009): between 1 April 2009 and 30 June 2009"


@pytest.fixture
def council(db: Session, site_return: SiteReturn) -> SitePartner:
    # Through the site's own list, so that the site loaded in this session knows of it.
    with transaction(db):
        partner = SitePartner(name="Kent County Council", partner_type=PartnerType.LOCAL_AUTHORITY.value)
        site_return.site.partners.append(partner)
    return partner


def see_latest(db: Session) -> None:
    """End the test session's read transaction and forget loaded rows, to see what requests committed."""
    db.rollback()
    db.expire_all()


def count(db: Session) -> int:
    see_latest(db)
    return db.scalar(select(func.count()).select_from(Activity)) or 0


def actions(db: Session) -> list[str]:
    see_latest(db)
    statement = select(AuditEvent.action).where(AuditEvent.object_type == "activity").order_by(AuditEvent.id)
    return list(db.scalars(statement))


def user(signed_in: FlaskClient) -> User:
    return signed_in.user  # type: ignore[attr-defined, no-any-return]


def type_id(site_return: SiteReturn, code: str = "PARTNERSHIP-MEETING") -> int:
    return next(kind.id for kind in site_return.framework_version.activity_types if kind.code == code)


def theme_id(site_return: SiteReturn, code: str = "VFM") -> int:
    return next(theme.id for theme in site_return.framework_version.themes if theme.code == code)


def activity_form(site_return: SiteReturn, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "activity_type": str(type_id(site_return)),
        "title": "Steering group agreed the data-sharing protocol",
        "description": "Monthly steering group.",
        "starts_on": ["12", "5", "2009"],
        "ends_on": ["", "", ""],
        "partner_types": ["jobcentre_plus"],
        "people_reached": "12",
        "outputs": "Signed protocol",
        "themes": [str(theme_id(site_return))],
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def add_activity(db: Session, lead: FlaskClient, site_return: SiteReturn, **changes: Any) -> Activity:
    data = ActivityInput(
        activity_type_id=type_id(site_return),
        title="Steering group meeting",
        starts_on=date(2009, 5, 12),
        people_reached=12,
    )
    with transaction(db):
        return ACTIVITIES.add(db, user(lead), site_return, replace(data, **changes))


def section(site_return: SiteReturn) -> str:
    return f"/returns/{site_return.id}/activities"


def links(soup: BeautifulSoup) -> list[str]:
    return [anchor.get_text(" ", strip=True) for anchor in soup.select("main a")]


def test_the_section_lists_activities_with_comments_beside_them(
    db: Session, lead: FlaskClient, site_return: SiteReturn, council: SitePartner
) -> None:
    item = add_activity(
        db,
        lead,
        site_return,
        ends_on=date(2009, 5, 14),
        partner_ids=[council.id],
        partner_types=["local_authority"],
        theme_ids=[theme_id(site_return)],
    )
    evaluator = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator")
    with transaction(db):
        db.add(
            ReviewComment(
                site_return_id=site_return.id,
                site_id=site_return.site_id,
                item_type="activity",
                item_id=item.id,
                body="How many attended?",
                author_id=evaluator.id,
            )
        )

    soup = page(lead.get(section(site_return)))

    assert soup.h1.get_text(strip=True) == "Activities"
    card = text_of(soup.find(id=f"activity-{item.id}"))
    assert "Type of activity Partnership meeting" in card
    assert "When 12 May 2009 to 14 May 2009" in card
    assert "Kinds of partner involved Local authority" in card
    assert "Partner organisations involved Kent County Council" in card
    assert "People reached 12" in card
    assert "Themes it informs Value for money: costs and benefits" in card
    comment = soup.find(id=f"activity-{item.id}").find_next_sibling(class_="app-review-comments")
    assert "How many attended?" in text_of(comment)
    assert "Add an activity" in links(soup)
    assert "Have you completed this section?" in text_of(soup)


def test_the_form_offers_the_frameworks_types_themes_and_the_sites_own_partners_with_guidance(
    db: Session, lead: FlaskClient, site_return: SiteReturn, council: SitePartner
) -> None:
    make_site(db, "leeds")

    soup = page(lead.get(f"{section(site_return)}/new"))

    partner_labels = [label.get_text(strip=True) for label in soup.select("input[name=partners] + label")]
    assert partner_labels == ["Jobcentre Plus", "Kent County Council"]
    type_hints = text_of(soup.find(id="activity_type").find_parent("fieldset"))
    assert "Preparing, revising or resubmitting a business case" in type_hints
    assert "It must be between 1 April 2009 and 30 June 2009" in text_of(soup)
    theme_labels = [label.get_text(strip=True) for label in soup.select("input[name=themes] + label")]
    assert theme_labels[0] == "Value for money: costs and benefits"


def test_a_lead_adds_an_activity_on_one_day(
    db: Session, lead: FlaskClient, site_return: SiteReturn, council: SitePartner
) -> None:
    form = activity_form(site_return, partners=[str(council.id)])

    response = lead.post(f"{section(site_return)}/new", data=form)

    see_latest(db)
    [item] = db.scalars(select(Activity))
    assert response.headers["Location"] == f"{section(site_return)}#activity-{item.id}"
    assert (item.starts_on, item.ends_on, item.people_reached) == (date(2009, 5, 12), date(2009, 5, 12), 12)
    assert [partner.name for partner in item.partners] == ["Kent County Council"]
    assert [theme.code for theme in item.themes] == ["VFM"]
    assert actions(db) == ["activity.created"]
    soup = page(lead.get(response.headers["Location"]))
    assert "Activity added: Steering group agreed the data-sharing protocol." in text_of(soup)


def test_a_lead_adds_an_activity_over_several_days(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    form = activity_form(site_return, ends_on=["30", "6", "2009"], people_reached="1,250")

    assert lead.post(f"{section(site_return)}/new", data=form).status_code == 302

    see_latest(db)
    [item] = db.scalars(select(Activity))
    assert (item.starts_on, item.ends_on, item.people_reached) == (date(2009, 5, 12), date(2009, 6, 30), 1250)


BAD_ACTIVITY_FORMS = [
    ({"activity_type": None}, "activity_type", "Select the type of activity"),
    ({"activity_type": "999999"}, "activity_type", "Select one of the types of activity listed"),
    ({"activity_type": "DATA-REQUEST"}, "activity_type", "Select one of the types of activity listed"),
    ({"title": ""}, "title", "Enter a title for the activity"),
    ({"title": "x" * 201}, "title", "Title must be 200 characters or fewer"),
    ({"description": "x" * 5001}, "description", "Description must be 5,000 characters or fewer"),
    ({"outputs": "x" * 5001}, "outputs", "Outputs must be 5,000 characters or fewer"),
    ({"starts_on": ["", "", ""]}, "starts_on", "Enter the date of the activity, or the date it started"),
    ({"starts_on": None}, "starts_on", "Enter the date of the activity, or the date it started"),
    (
        {"starts_on": ["31", "3", "2009"]},
        "starts_on",
        f"The date the activity started must be within {PERIOD}",
    ),
    (
        {"starts_on": ["1", "7", "2009"]},
        "starts_on",
        f"The date the activity started must be within {PERIOD}",
    ),
    (
        {"starts_on": ["31", "6", "2009"]},
        "starts_on",
        "The date the activity started must be a real date, like 27 5 2009",
    ),
    ({"starts_on": ["12", "", "2009"]}, "starts_on", "The date the activity started must include a month"),
    (
        {"starts_on": ["12", "5", "09"]},
        "starts_on",
        "The date the activity started must be a real date, like 27 5 2009",
    ),
    ({"starts_on": ["12"]}, "starts_on", "The date the activity started must include a month and a year"),
    ({"ends_on": ["1", "7", "2009"]}, "ends_on", f"The date the activity ended must be within {PERIOD}"),
    (
        {"ends_on": ["11", "5", "2009"]},
        "ends_on",
        "The date the activity ended must be the same as or after the date it started",
    ),
    ({"people_reached": "-4"}, "people_reached", "People reached must be 0 or more"),
    ({"people_reached": "2.5"}, "people_reached", "Enter people reached as a whole number, like 25"),
    ({"people_reached": "NaN"}, "people_reached", "Enter people reached as a whole number, like 25"),
    ({"people_reached": "9" * 13}, "people_reached", "Enter people reached as a whole number, like 25"),
    ({"people_reached": "99999999"}, "people_reached", "People reached must be 60,000,000 or fewer"),
    ({"partners": ["999999"]}, "partners", "Choose partner organisations from the list of Kent's partners"),
    ({"partners": ["Acme"]}, "partners", "Choose partner organisations from the list of Kent's partners"),
    (
        {"partner_types": ["bank"]},
        "partner_types",
        "'bank' is not a kind of partner: use one of local_authority, jobcentre_plus, improvement_adviser, "
        "government_department, provider, voluntary_sector, health, other",
    ),
    ({"themes": ["999999"]}, "themes", "Select themes from the list"),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    BAD_ACTIVITY_FORMS,
    ids=[f"{field}-{index}" for index, (_, field, _) in enumerate(BAD_ACTIVITY_FORMS)],
)
def test_an_activity_with_bad_input_shows_the_message_beside_the_field_and_saves_nothing(
    db: Session, lead: FlaskClient, site_return: SiteReturn, changes: dict[str, Any], field: str, message: str
) -> None:
    soup = page(lead.post(f"{section(site_return)}/new", data=activity_form(site_return, **changes)))

    assert field_error(soup, field) == message
    assert message in error_summary(soup)
    assert soup.title.get_text().startswith("Error: Add an activity")
    assert (count(db), actions(db)) == (0, [])


def test_a_partner_of_another_site_is_refused_beside_the_field(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    leeds_partner = make_site(db, "leeds").partners[0]

    soup = page(
        lead.post(
            f"{section(site_return)}/new", data=activity_form(site_return, partners=[str(leeds_partner.id)])
        )
    )

    assert field_error(soup, "partners") == "Choose partner organisations from the list of Kent's partners"
    assert count(db) == 0


def test_what_was_typed_is_kept_when_the_form_is_refused(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    soup = page(
        lead.post(
            f"{section(site_return)}/new", data=activity_form(site_return, starts_on=["31", "6", "2009"])
        )
    )

    assert [soup.find(id=f"starts_on-{part}")["value"] for part in ("day", "month", "year")] == [
        "31",
        "6",
        "2009",
    ]
    assert soup.find(id="title")["value"] == "Steering group agreed the data-sharing protocol"
    assert soup.find("input", {"name": "partner_types", "value": "jobcentre_plus"}).has_attr("checked")


def test_a_lead_changes_an_activity_and_a_stale_change_shows_both_versions(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_activity(db, lead, site_return)
    edit = f"{section(site_return)}/{item.id}/edit"
    soup = page(lead.get(edit))
    assert [soup.find(id=f"starts_on-{part}")["value"] for part in ("day", "month", "year")] == [
        "12",
        "05",
        "2009",
    ]
    assert soup.find(id="people_reached")["value"] == "12"

    first = lead.post(edit, data=activity_form(site_return, title="Protocol signed", version="1"))
    stale = page(lead.post(edit, data=activity_form(site_return, title="Mine", version="1")))

    assert first.status_code == 302
    assert "Title Protocol signed Mine" in text_of(stale.select_one(".govuk-error-summary"))
    assert stale.find("input", {"name": "version"})["value"] == "2"
    see_latest(db)
    assert db.get(Activity, item.id).title == "Protocol signed"
    assert actions(db) == ["activity.created", "activity.updated"]


def test_deleting_an_activity_asks_first_then_removes_it(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_activity(db, lead, site_return)
    delete = f"{section(site_return)}/{item.id}/delete"

    soup = page(lead.get(delete))
    assert "When 12 May 2009" in text_of(soup)

    response = lead.post(delete, data={"version": "1"}, follow_redirects=True)

    assert "Activity deleted: Steering group meeting." in text_of(page(response))
    assert count(db) == 0
    assert actions(db) == ["activity.created", "activity.deleted"]


def test_another_sites_activity_is_not_found_and_stays_as_it_was(
    db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    leeds_return = make_return(db, "leeds")
    with transaction(db):
        leeds_activity = ACTIVITIES.add(
            db,
            leeds_lead,
            leeds_return,
            ActivityInput(
                activity_type_id=type_id(leeds_return), title="Leeds meeting", starts_on=date(2009, 5, 1)
            ),
        )

    for url in (
        f"{section(site_return)}/{leeds_activity.id}/edit",
        f"/returns/{leeds_return.id}/activities/{leeds_activity.id}/edit",
        f"{section(site_return)}/{leeds_activity.id}/delete",
        f"/returns/{leeds_return.id}/activities",
    ):
        assert lead.get(url).status_code == 404
    assert (
        lead.post(f"{section(site_return)}/{leeds_activity.id}/delete", data={"version": "1"}).status_code
        == 404
    )

    assert count(db) == 1
    see_latest(db)
    assert db.get(Activity, leeds_activity.id).title == "Leeds meeting"


def test_an_evaluator_reads_activities_but_cannot_change_them(
    db: Session, client_as: ClientAs, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_activity(db, lead, site_return)
    evaluator = client_as(Role.EVALUATOR)

    soup = page(evaluator.get(section(site_return)))

    assert "Steering group meeting" in text_of(soup)
    assert not {"Change", "Delete", "Add an activity"} & set(links(soup))
    assert evaluator.post(f"{section(site_return)}/new", data=activity_form(site_return)).status_code == 403
    assert (
        evaluator.post(f"{section(site_return)}/{item.id}/edit", data=activity_form(site_return)).status_code
        == 403
    )
    assert count(db) == 1


def test_a_submitted_return_is_read_only_for_its_lead(db: Session, lead: FlaskClient) -> None:
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)

    soup = page(lead.get(section(submitted)))

    assert "This return cannot be changed now" in text_of(soup)
    assert "Add an activity" not in links(soup)
    assert lead.post(f"{section(submitted)}/new", data=activity_form(submitted)).status_code == 403
    assert count(db) == 0


def test_the_read_only_summary_shows_each_activity_with_an_anchor(
    app: Flask, db: Session, lead: FlaskClient, site_return: SiteReturn
) -> None:
    item = add_activity(db, lead, site_return)

    with app.test_request_context():
        html = render_template(
            "returns/summary/activities.html", site_return=site_return, comments={}, can_edit=False
        )
    soup = BeautifulSoup(html, "html.parser")

    assert soup.h2.get_text(strip=True) == "Activities"
    assert "Steering group meeting" in text_of(soup.find(id=f"activity-{item.id}"))
    assert not soup.find("a", string="Change")
