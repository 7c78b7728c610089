"""Administering users and pilot sites as an administrator would: pages, messages, and what was saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.admin.views import format_datetime
from evidence_hub.models import AuditEvent, PartnerType, Role, Site, SitePartner, User
from evidence_hub.services.accounts import sites as site_service
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.common.access import led_site_ids
from tests.conftest import sign_in
from tests.factories import make_site, make_user
from tests.pages import components_both_ways, elements, error_summary, field_error, heading, page, text_of

STRONG_PASSWORD = "paper lantern orchard 42"
ClientAs = Callable[..., FlaskClient]


@pytest.fixture
def admin(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.ADMINISTRATOR, full_name="Alex Admin")


def new_user_form(**changes: Any) -> dict[str, Any]:
    form = {
        "full_name": "Priya Shah",
        "email": "priya.shah@example.gov.uk",
        "role": Role.EVALUATOR.value,
        "site_id": "",
        "password": STRONG_PASSWORD,
        "confirm_password": STRONG_PASSWORD,
    }
    form.update(changes)
    return form


def site_form(**changes: Any) -> dict[str, Any]:
    form = {
        "name": "Leeds",
        "code": "leeds",
        "region": "Yorkshire and the Humber",
        "local_authorities": "Leeds City Council",
    }
    form.update(changes)
    return form


def table_rows(soup: BeautifulSoup, caption: str | None = None) -> list[list[str]]:
    tables = soup.select("table.govuk-table")
    if caption is not None:
        tables = [table for table in tables if caption in table.caption.get_text()]
    assert tables, "no table on the page"
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in tables[0].select("tbody tr")
    ]


def summary(soup: BeautifulSoup) -> dict[str, str]:
    return {
        row.select_one(".govuk-summary-list__key").get_text(strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }


def link(soup: BeautifulSoup, text: str) -> str | None:
    """Where the link (or button-styled link) with this text goes; None when there is no such link."""
    for anchor in soup.select("main a"):
        if anchor.get_text(" ", strip=True) == text:
            return str(anchor["href"])
    return None


def has_button(soup: BeautifulSoup, text: str) -> bool:
    return any(button.get_text(" ", strip=True) == text for button in soup.select("main button"))


def success_banner(soup: BeautifulSoup) -> str:
    banner = soup.select_one(".govuk-notification-banner--success")
    return banner.get_text(" ", strip=True) if banner else ""


def see_latest(db: Session) -> None:
    """End the test session's read transaction and forget loaded rows, to see what requests committed."""
    db.rollback()
    db.expire_all()


def audit_actions(db: Session, **match: Any) -> list[str]:
    see_latest(db)
    conditions = [getattr(AuditEvent, column) == value for column, value in match.items()]
    return list(db.scalars(select(AuditEvent.action).where(*conditions).order_by(AuditEvent.id)))


def count(db: Session, model: type) -> int:
    see_latest(db)
    return db.scalar(select(func.count()).select_from(model)) or 0


def fresh(db: Session, model: type, object_id: int) -> Any:
    see_latest(db)
    return db.get(model, object_id)


# The users list


def test_the_users_list_shows_each_persons_role_site_and_status(admin: FlaskClient, db: Session) -> None:
    make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Lead", email="kim@example.gov.uk")
    make_user(db, Role.NATIONAL_OFFICIAL, full_name="Nat Official", is_active=False)

    soup = page(admin.get("/admin/users"))

    assert heading(soup) == "Users"
    rows = {row[0]: row for row in table_rows(soup)}
    assert rows["Kim Lead"] == [
        "Kim Lead",
        "kim@example.gov.uk",
        "Pilot site lead",
        "Kent",
        "Active",
        "Never",
    ]
    assert rows["Nat Official"][2:5] == ["National official", "None", "Deactivated"]
    assert rows["Alex Admin"][3] == "All sites"
    assert rows["Alex Admin"][5] != "Never"
    assert link(soup, "Add a user") == "/admin/users/new"
    assert link(soup, "Kim Lead").startswith("/admin/users/")


# Adding a user


def test_the_add_user_page_explains_each_role_and_offers_only_active_sites(
    admin: FlaskClient, db: Session
) -> None:
    make_site(db, "kent")
    make_site(db, "leeds", is_active=False)

    soup = page(admin.get("/admin/users/new"))

    assert heading(soup) == "Add a user"
    hints = [hint.get_text(strip=True) for hint in soup.select(".govuk-radios__hint")]
    assert len(hints) == len(Role)
    assert all(hints)
    sites_offered = [option.get_text(strip=True) for option in soup.select("#site_id option")]
    assert sites_offered == ["Select a pilot site", "Kent"]
    assert soup.select_one("main form").has_attr("novalidate")


def test_an_administrator_adds_a_site_lead_and_sees_their_page(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")

    response = admin.post(
        "/admin/users/new", data=new_user_form(role=Role.SITE_LEAD.value, site_id=str(kent.id))
    )

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert heading(soup) == "Priya Shah"
    assert "Priya Shah has been added" in success_banner(soup)
    assert summary(soup)["Role"] == "Pilot site lead"
    assert summary(soup)["Pilot site"] == "Kent"
    created = db.scalar(select(User).where(User.email == "priya.shah@example.gov.uk"))
    assert created is not None and led_site_ids(created) == [kent.id]
    assert audit_actions(db, object_type="user", object_id=created.id) == ["user.created", "user.invited"]


def test_the_new_user_can_sign_in_with_the_initial_password(admin: FlaskClient, client: FlaskClient) -> None:
    admin.post("/admin/users/new", data=new_user_form())

    sign_in(client, "priya.shah@example.gov.uk", STRONG_PASSWORD)


def test_a_site_lead_without_a_site_is_refused_beside_the_site_question(
    admin: FlaskClient, db: Session
) -> None:
    make_site(db, "kent")

    soup = page(admin.post("/admin/users/new", data=new_user_form(role=Role.SITE_LEAD.value)))

    assert field_error(soup, "site_id") == "Select the pilot site this site lead reports for"
    assert error_summary(soup) == ["Select the pilot site this site lead reports for"]
    assert soup.title.get_text().startswith("Error: ")
    assert count(db, User) == 1


def test_a_site_chosen_for_another_role_is_ignored(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")

    response = admin.post("/admin/users/new", data=new_user_form(site_id=str(kent.id)))

    assert response.status_code == 302
    created = db.scalar(select(User).where(User.email == "priya.shah@example.gov.uk"))
    assert created is not None and created.role == Role.EVALUATOR.value and led_site_ids(created) == []


def test_a_duplicate_email_is_refused_beside_the_email_field(admin: FlaskClient, db: Session) -> None:
    make_user(db, email="priya.shah@example.gov.uk", full_name="The First Priya")

    soup = page(admin.post("/admin/users/new", data=new_user_form(email="Priya.Shah@Example.gov.uk")))

    assert field_error(soup, "email") == "A user with this email address already exists"
    assert count(db, User) == 2
    assert audit_actions(db, action="user.created") == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"password": "short pass", "confirm_password": "short pass"},
            "password",
            "Password must be 12 characters or more",
        ),
        (
            {"password": "password1234", "confirm_password": "password1234"},
            "password",
            "Password is too common: choose one that would be hard to guess",
        ),
        (
            {"confirm_password": "paper lantern orchard 43"},
            "confirm_password",
            "The passwords you entered do not match",
        ),
        ({"password": "", "confirm_password": ""}, "password", "Enter an initial password"),
        ({"full_name": "   "}, "full_name", "Enter the user's full name"),
        ({"full_name": "x" * 121}, "full_name", "Full name must be 120 characters or fewer"),
        (
            {"email": "priya"},
            "email",
            "Enter an email address in the correct format, like name@example.gov.uk",
        ),
        ({"email": "p" * 250 + "@example.gov.uk"}, "email", "Email address must be 254 characters or fewer"),
        ({"role": ""}, "role", "Select a role"),
        ({"role": "superuser"}, "role", "Select a role"),
    ],
    ids=[
        "short password",
        "common password",
        "confirmation differs",
        "no password",
        "blank name",
        "long name",
        "bad email",
        "long email",
        "no role",
        "unknown role",
    ],
)
def test_bad_user_details_are_named_beside_the_field_and_nothing_is_saved(
    admin: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    soup = page(admin.post("/admin/users/new", data=new_user_form(**changes)))

    assert field_error(soup, field) == message
    assert message in error_summary(soup)
    assert count(db, User) == 1
    assert audit_actions(db, action="user.created") == []


def test_an_empty_form_names_every_missing_answer(admin: FlaskClient) -> None:
    soup = page(admin.post("/admin/users/new", data={}))

    assert error_summary(soup) == [
        "Enter the user's full name",
        "Enter the user's email address",
        "Select a role",
        "Enter an initial password",
        "Confirm the initial password",
    ]


# A user's page


def test_a_users_page_summarises_them(admin: FlaskClient, db: Session) -> None:
    person = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator", email="eve@example.gov.uk")

    soup = page(admin.get(f"/admin/users/{person.id}"))

    assert heading(soup) == "Eve Evaluator"
    details = summary(soup)
    assert details["Email address"] == "eve@example.gov.uk"
    assert details["Role"] == "Evaluator"
    assert details["Status"] == "Active"
    assert details["Last signed in"] == "Never"
    assert link(soup, "Change details") == f"/admin/users/{person.id}/edit"
    assert link(soup, "Deactivate") == f"/admin/users/{person.id}/deactivate"
    assert has_button(soup, "Create a password reset link")


def test_an_unknown_user_is_not_found(admin: FlaskClient) -> None:
    assert admin.get("/admin/users/4040").status_code == 404
    assert admin.post("/admin/users/4040/deactivate").status_code == 404
    assert admin.post("/admin/users/4040/reset-link").status_code == 404


# Changing a user's details


def test_the_change_page_starts_from_the_current_details(admin: FlaskClient, db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Lead")

    soup = page(admin.get(f"/admin/users/{lead.id}/edit"))

    assert heading(soup) == "Change details for Kim Lead"
    assert soup.find(id="full_name")["value"] == "Kim Lead"
    assert soup.find("input", {"name": "role", "checked": True})["value"] == Role.SITE_LEAD.value
    assert soup.select_one("#site_id option[selected]").get_text(strip=True) == "Kent"


def test_an_administrator_moves_an_evaluator_to_be_a_site_lead(admin: FlaskClient, db: Session) -> None:
    person = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator", email="eve@example.gov.uk")
    leeds = make_site(db, "leeds")

    response = admin.post(
        f"/admin/users/{person.id}/edit",
        data={
            "full_name": "Eve Evans",
            "email": "eve@example.gov.uk",
            "role": "site_lead",
            "site_id": leeds.id,
        },
    )

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert "Changes to Eve Evans have been saved" in success_banner(soup)
    changed = fresh(db, User, person.id)
    assert (changed.full_name, changed.role, led_site_ids(changed)) == ("Eve Evans", "site_lead", [leeds.id])
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert event is not None and event.object_id == person.id
    assert event.before == {"full_name": "Eve Evaluator", "role": "evaluator"}


def test_changing_to_an_email_another_user_has_is_refused(admin: FlaskClient, db: Session) -> None:
    make_user(db, email="taken@example.gov.uk")
    person = make_user(db, Role.EVALUATOR, email="eve@example.gov.uk", full_name="Eve Evaluator")

    soup = page(
        admin.post(
            f"/admin/users/{person.id}/edit",
            data={"full_name": "Eve Evaluator", "email": "taken@example.gov.uk", "role": "evaluator"},
        )
    )

    assert field_error(soup, "email") == "A user with this email address already exists"
    assert fresh(db, User, person.id).email == "eve@example.gov.uk"
    assert audit_actions(db, action="user.updated") == []


def test_an_administrator_cannot_remove_their_own_administrator_role(
    admin: FlaskClient, db: Session, user_of: Callable[[FlaskClient], User]
) -> None:
    me = user_of(admin)

    soup = page(
        admin.post(
            f"/admin/users/{me.id}/edit",
            data={"full_name": me.full_name, "email": me.email, "role": "evaluator"},
        )
    )

    assert field_error(soup, "role") == "You cannot remove your own administrator role"
    assert user_of(admin).role == Role.ADMINISTRATOR.value


# Deactivating and reactivating


def test_deactivation_is_confirmed_first_with_a_warning_that_sessions_end(
    admin: FlaskClient, db: Session
) -> None:
    person = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator")

    soup = page(admin.get(f"/admin/users/{person.id}/deactivate"))

    assert heading(soup) == "Deactivate Eve Evaluator"
    assert (
        "Every session Eve Evaluator has open ends at once"
        in soup.select_one(".govuk-warning-text").get_text()
    )
    assert soup.select_one("form input[name=csrf_token]") is not None
    assert fresh(db, User, person.id).is_active, "asking must not deactivate"


def test_deactivating_a_user_signs_them_out_everywhere(
    admin: FlaskClient, client_as: ClientAs, db: Session
) -> None:
    evaluator = client_as(Role.EVALUATOR, full_name="Eve Evaluator")
    person_id = evaluator.user.id  # type: ignore[attr-defined]

    response = admin.post(f"/admin/users/{person_id}/deactivate")

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert "Eve Evaluator has been deactivated" in success_banner(soup)
    assert summary(soup)["Status"] == "Deactivated"
    assert has_button(soup, "Reactivate")
    assert not fresh(db, User, person_id).is_active
    assert "/sign-in" in evaluator.get("/").headers["Location"]
    assert audit_actions(db, object_type="user", object_id=person_id) == ["user.deactivated"]


def test_an_administrator_cannot_deactivate_themselves(
    admin: FlaskClient, user_of: Callable[[FlaskClient], User], db: Session
) -> None:
    me = user_of(admin)
    assert link(page(admin.get(f"/admin/users/{me.id}")), "Deactivate") is None

    soup = page(admin.post(f"/admin/users/{me.id}/deactivate"))

    assert error_summary(soup) == ["You cannot deactivate your own account"]
    assert soup.title.get_text().startswith("Error: ")
    assert user_of(admin).is_active
    assert audit_actions(db, action="user.deactivated") == []


def test_a_deactivated_user_can_be_reactivated_and_sign_in_again(
    admin: FlaskClient, client: FlaskClient, db: Session
) -> None:
    person = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator", is_active=False)

    response = admin.post(f"/admin/users/{person.id}/reactivate")

    assert response.status_code == 302
    assert "Eve Evaluator has been reactivated" in success_banner(
        page(admin.get(response.headers["Location"]))
    )
    assert fresh(db, User, person.id).is_active
    sign_in(client, person.email)
    assert audit_actions(db, object_type="user", object_id=person.id) == ["user.reactivated"]


def test_deactivation_and_reactivation_refuse_get_requests(admin: FlaskClient, db: Session) -> None:
    person = make_user(db, Role.EVALUATOR, is_active=False)

    assert admin.get(f"/admin/users/{person.id}/reactivate").status_code == 405
    assert admin.get(f"/admin/users/{person.id}/reset-link").status_code == 405
    assert not fresh(db, User, person.id).is_active


# Password reset links


def test_a_reset_link_is_shown_once_as_a_full_address_with_its_expiry(
    admin: FlaskClient, client: FlaskClient, db: Session
) -> None:
    person = make_user(db, Role.EVALUATOR, full_name="Eve Evaluator")

    soup = page(admin.post(f"/admin/users/{person.id}/reset-link"))

    assert heading(soup) == "Password reset link for Eve Evaluator"
    link = soup.find(id="reset-link-url").get_text(strip=True)
    assert link.startswith("http://localhost/reset-password/")
    inset = soup.select_one(".govuk-inset-text").get_text(" ", strip=True)
    assert "24 hours from now" in inset
    assert "The link works once" in text_of(soup)
    assert "before this one has stopped working" in text_of(soup)
    assert heading(page(client.get(link.removeprefix("http://localhost")))) == "Set a new password"
    assert audit_actions(db, object_type="user", object_id=person.id) == ["user.password_reset_issued"]


def test_a_new_reset_link_stops_the_earlier_one_working(
    admin: FlaskClient, client: FlaskClient, db: Session
) -> None:
    person = make_user(db, Role.EVALUATOR)
    first = (
        page(admin.post(f"/admin/users/{person.id}/reset-link"))
        .find(id="reset-link-url")
        .get_text(strip=True)
    )
    second = (
        page(admin.post(f"/admin/users/{person.id}/reset-link"))
        .find(id="reset-link-url")
        .get_text(strip=True)
    )

    assert client.get(first.removeprefix("http://localhost")).status_code == 400
    assert client.get(second.removeprefix("http://localhost")).status_code == 200


# The sites list


def test_the_sites_list_shows_each_sites_figures_and_status(admin: FlaskClient, db: Session) -> None:
    make_site(db, "kent", local_authorities=["Kent County Council", "Medway Council"])
    make_site(db, "leeds", region="Yorkshire and the Humber", is_active=False)
    make_user(db, Role.SITE_LEAD, site="kent")

    soup = page(admin.get("/admin/sites"))

    assert heading(soup) == "Sites"
    assert table_rows(soup) == [
        ["Kent", "kent", "South East", "2", "1", "1", "Active"],
        ["Leeds", "leeds", "Yorkshire and the Humber", "1", "1", "0", "Deactivated"],
    ]
    assert link(soup, "Add a site") == "/admin/sites/new"


# Adding and changing a site


def test_an_administrator_adds_a_site_with_its_local_authorities(admin: FlaskClient, db: Session) -> None:
    response = admin.post(
        "/admin/sites/new",
        data=site_form(local_authorities="Leeds City Council\n\n  Wakefield Council \nleeds city council\n"),
    )

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert heading(soup) == "Leeds"
    assert "Leeds has been added" in success_banner(soup)
    assert [
        item.get_text(strip=True) for item in soup.select("ul[aria-labelledby=local-authorities] li")
    ] == [
        "Leeds City Council",
        "Wakefield Council",
    ]
    site = db.scalar(select(Site).where(Site.code == "leeds"))
    assert site is not None and site.local_authorities == ["Leeds City Council", "Wakefield Council"]
    assert audit_actions(db, object_type="site", object_id=site.id) == ["site.created"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a site code"),
        ({"code": "Leeds"}, "code", "Site code must only include lower-case letters, numbers and hyphens"),
        (
            {"code": "leeds pilot"},
            "code",
            "Site code must only include lower-case letters, numbers and hyphens",
        ),
        ({"code": "l"}, "code", "Site code must be between 2 and 40 characters"),
        ({"code": "l" * 41}, "code", "Site code must be between 2 and 40 characters"),
        ({"code": "kent"}, "code", "A site with this code already exists"),
        ({"name": "KENT"}, "name", "A site with this name already exists"),
        ({"name": ""}, "name", "Enter the site name"),
        ({"name": "n" * 121}, "name", "Site name must be 120 characters or fewer"),
        ({"region": "r" * 121}, "region", "Region must be 120 characters or fewer"),
        (
            {"local_authorities": "Leeds\n" + "a" * 121},
            "local_authorities",
            "Each local authority name must be 120 characters or fewer",
        ),
    ],
    ids=[
        "no code",
        "capital letters",
        "space in code",
        "short code",
        "long code",
        "code taken",
        "name taken",
        "no name",
        "long name",
        "long region",
        "long local authority",
    ],
)
def test_bad_site_details_are_named_beside_the_field_and_nothing_is_saved(
    admin: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    make_site(db, "kent")

    soup = page(admin.post("/admin/sites/new", data=site_form(**changes)))

    assert field_error(soup, field) == message
    assert error_summary(soup) == [message]
    assert count(db, Site) == 1
    assert audit_actions(db, action="site.created") == []


def test_the_site_change_page_starts_from_the_current_details(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent", local_authorities=["Kent County Council", "Medway Council"])

    soup = page(admin.get(f"/admin/sites/{kent.id}/edit"))

    assert heading(soup) == "Change details for Kent"
    assert soup.find(id="code")["value"] == "kent"
    assert soup.find(id="local_authorities").get_text() == "Kent County Council\nMedway Council"


def test_an_administrator_changes_a_sites_details(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")

    response = admin.post(
        f"/admin/sites/{kent.id}/edit",
        data={
            "name": "Kent",
            "code": "kent-and-medway",
            "region": "South East",
            "local_authorities": "Medway",
        },
    )

    assert response.status_code == 302
    assert "Changes to Kent have been saved" in success_banner(page(admin.get(response.headers["Location"])))
    changed = fresh(db, Site, kent.id)
    assert (changed.code, changed.local_authorities) == ("kent-and-medway", ["Medway"])
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert event is not None
    assert event.before == {"code": "kent", "local_authorities": ["Kent Council"]}
    assert event.after == {"code": "kent-and-medway", "local_authorities": ["Medway"]}


def test_a_site_cannot_take_another_sites_code(admin: FlaskClient, db: Session) -> None:
    make_site(db, "kent")
    leeds = make_site(db, "leeds")

    soup = page(admin.post(f"/admin/sites/{leeds.id}/edit", data=site_form(code="kent")))

    assert field_error(soup, "code") == "A site with this code already exists"
    assert fresh(db, Site, leeds.id).code == "leeds"


# A site's page, its partners and users


def test_a_sites_page_shows_its_details_partners_and_users(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent", local_authorities=["Kent County Council"])
    make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Lead")

    soup = page(admin.get(f"/admin/sites/{kent.id}"))

    assert heading(soup) == "Kent"
    assert summary(soup)["Code"] == "kent"
    assert table_rows(soup, "Partner organisations") == [
        ["Jobcentre Plus", "Jobcentre Plus", "Remove Jobcentre Plus"]
    ]
    assert table_rows(soup, "Users")[0][0] == "Kim Lead"
    assert link(soup, "Add a partner organisation") == f"/admin/sites/{kent.id}/partners/new"


def test_an_unknown_site_is_not_found(admin: FlaskClient) -> None:
    assert admin.get("/admin/sites/4040").status_code == 404
    assert admin.get("/admin/sites/4040/partners/new").status_code == 404


def test_an_administrator_adds_a_partner_organisation(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")
    form = page(admin.get(f"/admin/sites/{kent.id}/partners/new"))
    assert [label.get_text(strip=True) for label in form.select(".govuk-radios__label")] == [
        kind.label for kind in PartnerType
    ]

    response = admin.post(
        f"/admin/sites/{kent.id}/partners/new",
        data={"name": "Kent Voluntary Action", "partner_type": PartnerType.VOLUNTARY_SECTOR.value},
    )

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert "Kent Voluntary Action has been added" in success_banner(soup)
    assert ["Kent Voluntary Action", "Voluntary sector"] in [
        row[:2] for row in table_rows(soup, "Partner organisations")
    ]
    assert audit_actions(db, site_id=kent.id, action="site.partner_added") == ["site.partner_added"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "jobcentre plus", "partner_type": "jobcentre_plus"},
            "name",
            "Kent already has a partner organisation with this name",
        ),
        ({"name": "", "partner_type": "provider"}, "name", "Enter the name of the partner organisation"),
        ({"name": "p" * 161, "partner_type": "provider"}, "name", "Name must be 160 characters or fewer"),
        ({"name": "Kent Health"}, "partner_type", "Select the type of organisation"),
    ],
    ids=["duplicate", "no name", "long name", "no type"],
)
def test_bad_partner_details_are_named_beside_the_field(
    admin: FlaskClient, db: Session, data: dict[str, str], field: str, message: str
) -> None:
    kent = make_site(db, "kent")

    soup = page(admin.post(f"/admin/sites/{kent.id}/partners/new", data=data))

    assert field_error(soup, field) == message
    assert count(db, SitePartner) == 1


def test_an_administrator_removes_a_partner_organisation(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")
    partner_id = kent.partners[0].id

    response = admin.post(f"/admin/sites/{kent.id}/partners/{partner_id}/remove")

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert "Jobcentre Plus is no longer a partner organisation of Kent" in success_banner(soup)
    assert "No partner organisations recorded." in text_of(soup)
    assert count(db, SitePartner) == 0
    assert audit_actions(db, object_type="site_partner", object_id=partner_id) == ["site.partner_removed"]


def test_a_partner_cannot_be_removed_through_another_site(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")
    leeds = make_site(db, "leeds")

    response = admin.post(f"/admin/sites/{leeds.id}/partners/{kent.partners[0].id}/remove")

    assert response.status_code == 404
    assert count(db, SitePartner) == 2


# Deactivating and reactivating a site


def test_a_site_with_active_site_leads_cannot_be_deactivated(admin: FlaskClient, db: Session) -> None:
    kent = make_site(db, "kent")
    make_user(db, Role.SITE_LEAD, site="kent")
    make_user(db, Role.SITE_LEAD, site="kent")
    make_user(db, Role.SITE_LEAD, site="kent", is_active=False)

    soup = page(admin.post(f"/admin/sites/{kent.id}/deactivate"))

    assert error_summary(soup) == [
        "Kent cannot be deactivated because it has 2 active site leads. "
        "Deactivate them or move them to another site first."
    ]
    assert fresh(db, Site, kent.id).is_active
    assert audit_actions(db, action="site.deactivated") == []


def test_a_site_without_active_site_leads_is_deactivated_and_no_longer_offered(
    admin: FlaskClient, db: Session
) -> None:
    kent = make_site(db, "kent")
    make_site(db, "leeds")
    confirmation = page(admin.get(f"/admin/sites/{kent.id}/deactivate"))
    assert heading(confirmation) == "Deactivate Kent"
    assert fresh(db, Site, kent.id).is_active, "asking must not deactivate"

    response = admin.post(f"/admin/sites/{kent.id}/deactivate")

    assert response.status_code == 302
    soup = page(admin.get(response.headers["Location"]))
    assert "Kent has been deactivated" in success_banner(soup)
    assert summary(soup)["Status"] == "Deactivated"
    offered = [
        option.get_text(strip=True)
        for option in page(admin.get("/admin/users/new")).select("#site_id option")
    ]
    assert "Kent" not in offered
    assert audit_actions(db, object_type="site", object_id=kent.id) == ["site.deactivated"]


def test_a_deactivated_site_can_be_reactivated(admin: FlaskClient, db: Session) -> None:
    leeds = make_site(db, "leeds", is_active=False)

    response = admin.post(f"/admin/sites/{leeds.id}/reactivate")

    assert response.status_code == 302
    assert "Leeds has been reactivated" in success_banner(page(admin.get(response.headers["Location"])))
    assert fresh(db, Site, leeds.id).is_active
    assert audit_actions(db, object_type="site", object_id=leeds.id) == ["site.reactivated"]


# Every form that changes something carries the CSRF token


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/new",
        "/admin/users/{user_id}",
        "/admin/users/{user_id}/edit",
        "/admin/users/{user_id}/deactivate",
        "/admin/sites/new",
        "/admin/sites/{site_id}",
        "/admin/sites/{site_id}/edit",
        "/admin/sites/{site_id}/partners/new",
        "/admin/sites/{site_id}/deactivate",
    ],
)
def test_every_form_that_changes_something_carries_the_csrf_token(
    make_app: Callable[..., Any], db: Session, path: str
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    kent = make_site(db, "kent")
    person = make_user(db, Role.EVALUATOR)
    administrator = make_user(db, Role.ADMINISTRATOR)
    browser = app.test_client()
    sign_in(browser, administrator.email)

    soup = page(browser.get(path.format(user_id=person.id, site_id=kent.id)))

    forms = soup.select("main form[method=post]")
    assert forms
    for form in forms:
        assert form.select_one("input[name=csrf_token]")["value"]
        assert form.has_attr("novalidate")


def _position(soup: BeautifulSoup) -> str:
    return text_of(soup.select_one(".app-list-position"))


def test_the_sites_list_shows_fifty_sites_a_page(admin: FlaskClient, db: Session) -> None:
    for number in range(1, 60):
        make_site(db, f"site-{number:02}", name=f"Site {number:02}")
    make_site(db, "closed", name="A closed site", is_active=False)
    make_user(db, Role.SITE_LEAD, site="site-55")

    first = page(admin.get("/admin/sites"))
    second = page(admin.get("/admin/sites?page=2"))

    assert [row[0] for row in table_rows(first)] == [f"Site {number:02}" for number in range(1, 51)]
    assert _position(first) == "Sites 1 to 50 of 60, page 1 of 2."
    assert first.select_one(".govuk-pagination__next a")["href"] == "/admin/sites?page=2"
    # Active sites first, by name; then the deactivated one. Each row's figures are its own.
    assert [row[0] for row in table_rows(second)] == [
        *(f"Site {number:02}" for number in range(51, 60)),
        "A closed site",
    ]
    assert _position(second) == "Sites 51 to 60 of 60, page 2 of 2."
    assert heading(second) == "Sites"
    assert second.find("title").get_text(strip=True).startswith("Sites, page 2 of 2")
    rows = {row[0]: row for row in table_rows(second)}
    assert rows["Site 55"][5] == "1"
    assert rows["Site 56"][5] == "0"
    assert rows["A closed site"][6] == "Deactivated"
    # A page past the last shows the last.
    assert table_rows(page(admin.get("/admin/sites?page=9"))) == table_rows(second)


def test_the_users_list_shows_fifty_people_a_page(admin: FlaskClient, db: Session) -> None:
    make_site(db, "kent")
    for number in range(1, 55):
        make_user(db, Role.EVALUATOR, full_name=f"Person {number:02}")
    make_user(db, Role.SITE_LEAD, site="kent", full_name="Zed Lead")
    make_user(db, Role.NATIONAL_OFFICIAL, full_name="Ann Gone", is_active=False)

    first = page(admin.get("/admin/users"))
    second = page(admin.get("/admin/users?page=2"))

    # 54 people, the signed-in administrator and the lead are active; the deactivated account is last.
    assert _position(first) == "Users 1 to 50 of 57, page 1 of 2."
    assert [row[0] for row in table_rows(first)][:2] == ["Alex Admin", "Person 01"]
    assert [row[0] for row in table_rows(second)] == [
        *(f"Person {number:02}" for number in range(50, 55)),
        "Zed Lead",
        "Ann Gone",
    ]
    assert _position(second) == "Users 51 to 57 of 57, page 2 of 2."
    rows = {row[0]: row for row in table_rows(second)}
    assert rows["Zed Lead"][3] == "Kent"
    assert rows["Ann Gone"][4] == "Deactivated"
    assert second.select_one(".govuk-pagination__prev a")["href"] == "/admin/users?page=1"


def test_a_short_list_of_sites_or_users_has_no_pages(admin: FlaskClient, db: Session) -> None:
    make_site(db, "kent")

    for address in ("/admin/sites", "/admin/users"):
        soup = page(admin.get(address))
        assert soup.select_one(".app-list-position") is None
        assert soup.select_one(".govuk-pagination") is None


def test_the_sites_and_users_tables_are_the_design_systems_markup(app: Flask, db: Session) -> None:
    make_site(db, "kent", name="Kent <County>")
    make_site(db, "leeds", is_active=False)
    administrator = make_user(db, Role.ADMINISTRATOR)
    make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim <Lead>")
    sites_listed = site_service.sites_page(db)
    users_listed = accounts.users_page(db)

    for template, escaped_name, context in (
        (
            "admin/sites.html",
            "Kent &lt;County&gt;",
            {"summaries": sites_listed.items, "listed": sites_listed},
        ),
        (
            "admin/users.html",
            "Kim &lt;Lead&gt;",
            {
                "users": users_listed.items,
                "listed": users_listed,
                "site_names": accounts.led_site_names(db, [person.id for person in users_listed.items]),
                "format_datetime": format_datetime,
            },
        ),
    ):
        written, through_macro = components_both_ways(
            app, template, administrator, pages=None, title="Admin", **context
        )
        assert elements(written) == elements(through_macro)
        assert escaped_name in written
