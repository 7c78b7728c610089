"""Programmes through the test client: the header and home page, switching programme, administering
programmes and memberships, and API tokens that carry their user's memberships at use time."""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, MembershipRole, Programme, ProgrammeMembership, Role
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.accounts import programmes as programme_service
from tests.conftest import sign_in
from tests.factories import (
    give_membership,
    make_member_of,
    make_programme,
    make_return,
    make_second_framework,
    make_site,
    make_user,
    the_programme,
)
from tests.pages import error_summary, field_error, page, text_of

ClientAs = Callable[..., FlaskClient]


def header_programme(client: FlaskClient) -> str:
    soup = page(client.get("/"))
    shown = soup.select_one(".app-programme-in-view")
    return text_of(shown) if shown is not None else ""


def test_a_lead_of_one_site_in_two_programmes_switches_between_them(db: Session, client_as: ClientAs) -> None:
    make_site(db, "kent")
    libraries = make_programme(db, "libraries", sites=("kent",))
    lead = client_as(Role.SITE_LEAD, site="kent")
    give_membership(db, lead.user, libraries, MembershipRole.SITE_LEAD, site="kent")  # type: ignore[attr-defined]

    home = page(lead.get("/"))
    assert [text_of(item.strong) for item in home.select("#programmes + ul li")] == [
        "Libraries pilots",
        "Worklessness pilots",
    ]
    assert "Libraries pilots" in header_programme(lead)
    assert home.find("a", string="Switch programme") is not None

    response = lead.post(f"/programmes/{the_programme(db).id}/view")
    assert response.status_code == 302
    assert "Worklessness pilots" in header_programme(lead)


def test_a_member_of_one_programme_cannot_put_another_in_view(db: Session, client_as: ClientAs) -> None:
    libraries = make_programme(db, "libraries", sites=("york",))
    evaluator = client_as(Role.EVALUATOR)

    assert evaluator.post(f"/programmes/{libraries.id}/view").status_code == 404
    assert "Worklessness pilots" in header_programme(evaluator)
    assert page(evaluator.get("/")).find("a", string="Switch programme") is None


def test_a_service_administrator_adds_a_programme_then_a_member_then_ends_the_membership(
    db: Session, client_as: ClientAs
) -> None:
    kent = make_site(db, "kent")
    department_id = the_programme(db).department_id
    admin = client_as(Role.ADMINISTRATOR)
    lead = make_user(db, Role.SITE_LEAD, site="kent", full_name="Kim Kent")

    response = admin.post(
        "/admin/programmes/new",
        data={"code": "libraries", "name": "Libraries", "department_id": department_id, "site_ids": kent.id},
    )
    assert response.status_code == 302
    libraries = db.scalars(select(Programme).where(Programme.code == "libraries")).one()
    assert [site.code for site in libraries.sites] == ["kent"]

    response = admin.post(
        f"/admin/programmes/{libraries.id}/memberships/new",
        data={"user_id": lead.id, "role": "site_lead", "site_id": kent.id},
    )
    assert response.status_code == 302
    shown = page(admin.get(f"/admin/programmes/{libraries.id}"))
    assert "Kim Kent Pilot site lead Kent" in text_of(shown.select_one("main table tbody"))

    db.rollback()  # end this session's read, to see what the app has written since
    membership = db.scalars(
        select(ProgrammeMembership).where(ProgrammeMembership.programme_id == libraries.id)
    ).one()
    response = admin.post(f"/admin/memberships/{membership.id}/end", data={"reason": "Left the council."})
    assert response.status_code == 302
    db.rollback()
    assert membership.ended_at is not None
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type.in_(["programme", "programme_membership"]))
    ).all()
    assert sorted(actions) == ["membership.added", "membership.ended", "programme.created"]


def test_a_membership_that_does_not_match_the_account_is_explained_beside_the_field(
    db: Session, client_as: ClientAs
) -> None:
    admin = client_as(Role.ADMINISTRATOR)
    evaluator = make_user(db, Role.EVALUATOR, full_name="Erin Evaluator")
    libraries = make_programme(db, "libraries", sites=("york",))

    soup = page(
        admin.post(
            f"/admin/programmes/{libraries.id}/memberships/new",
            data={"user_id": evaluator.id, "role": "national_official"},
        )
    )
    assert error_summary(soup) == [field_error(soup, "role")]
    assert "account role is evaluator" in field_error(soup, "role")


def test_an_administrator_of_one_programme_does_not_administer_the_service(
    db: Session, client_as: ClientAs
) -> None:
    libraries = make_programme(db, "libraries", sites=("york",))
    programme_administrator = make_member_of(
        db, libraries, Role.ADMINISTRATOR, MembershipRole.PROGRAMME_ADMINISTRATOR
    )
    client = client_as(Role.EVALUATOR)  # any signed-in client, then sign in as the programme administrator
    client.post("/sign-out")
    sign_in(client, programme_administrator.email)

    assert client.get("/admin/programmes").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_an_api_token_carries_its_users_memberships_at_the_time_it_is_used(
    db: Session, client: FlaskClient
) -> None:
    make_site(db, "kent")
    make_site(db, "leeds")
    make_programme(db, "libraries", sites=("york",))
    evaluator = make_user(db, Role.EVALUATOR)
    with transaction(db):
        secret = api_tokens.create_token(db, user=evaluator, name="Script", days=30).secret
    headers = {"Authorization": f"Bearer {secret}"}

    listed = client.get("/api/v1/sites", headers=headers).get_json()["data"]
    assert [site["code"] for site in listed] == ["kent", "leeds"]

    membership = db.scalars(
        select(ProgrammeMembership).where(ProgrammeMembership.user_id == evaluator.id)
    ).one()
    with transaction(db):
        programme_service.end_membership(db, actor=None, membership=membership)

    assert client.get("/api/v1/sites", headers=headers).get_json()["data"] == []


def signed_in_as(app_client: FlaskClient, email: str) -> FlaskClient:
    sign_in(app_client, email)
    return app_client


def test_an_administrator_of_one_programme_manages_its_sites_and_members_and_finds_no_other(
    db: Session, client: FlaskClient
) -> None:
    worklessness = the_programme(db)
    libraries = make_programme(db, "libraries", sites=("york",))
    kent = make_site(db, "kent")
    administrator = make_member_of(db, libraries, Role.ADMINISTRATOR, MembershipRole.PROGRAMME_ADMINISTRATOR)
    newcomer = make_member_of(db, libraries, Role.EVALUATOR, MembershipRole.EVALUATOR)
    signed_in_as(client, administrator.email)

    home = page(client.get("/"))
    assert any("Manage Libraries pilots" in text_of(link) for link in home.select("a"))
    assert home.find("a", string="Users") is None
    assert client.get(f"/admin/programmes/{libraries.id}").status_code == 200
    edit = page(client.get(f"/admin/programmes/{libraries.id}/edit"))
    assert edit.find(attrs={"name": "status"}) is None  # the service's to decide

    response = client.post(
        f"/admin/programmes/{libraries.id}/edit",
        data={
            "description": "Libraries helping people online.",
            "site_ids": [str(kent.id), str(make_site(db, "york").id)],
        },
    )
    assert response.status_code == 302
    db.rollback()  # to see what the request committed
    db.expire_all()
    assert {site.code for site in libraries.sites} == {"kent", "york"}
    assert libraries.status == "active" and libraries.name == "Libraries pilots"

    membership = db.scalars(
        select(ProgrammeMembership).where(ProgrammeMembership.user_id == newcomer.id)
    ).one()
    assert (
        client.post(f"/admin/memberships/{membership.id}/end", data={"reason": "Moved on."}).status_code
        == 302
    )
    added = client.post(
        f"/admin/programmes/{libraries.id}/memberships/new",
        data={"user_id": str(newcomer.id), "role": "evaluator"},
    )
    assert added.status_code == 302
    db.rollback()
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == administrator.id).order_by(AuditEvent.id)
    ).all()
    assert actions == ["programme.updated", "membership.ended", "membership.added"]

    worklessness_member = db.scalars(
        select(ProgrammeMembership).where(ProgrammeMembership.programme_id == worklessness.id)
    ).first()
    assert client.get(f"/admin/programmes/{worklessness.id}").status_code == 404
    assert client.get(f"/admin/programmes/{worklessness.id}/edit").status_code == 404
    assert client.get(f"/admin/programmes/{worklessness.id}/memberships/new").status_code == 404
    if worklessness_member is not None:
        assert client.get(f"/admin/memberships/{worklessness_member.id}/end").status_code == 404
    assert client.get("/admin/sites").status_code == 403


def test_a_lead_of_kent_in_one_programme_and_york_in_another_sees_each_in_turn(
    db: Session, client_as: ClientAs
) -> None:
    make_site(db, "kent")
    libraries = make_programme(db, "libraries", sites=("york",))
    lead = client_as(Role.SITE_LEAD, site="kent")
    give_membership(db, lead.user, libraries, MembershipRole.SITE_LEAD, site="york")  # type: ignore[attr-defined]
    with transaction(db):
        secret = api_tokens.create_token(db, user=lead.user, name="Script", days=30).secret  # type: ignore[attr-defined]

    york_id, kent_id = make_site(db, "york").id, make_site(db, "kent").id
    lead.post(f"/programmes/{libraries.id}/view")
    home = page(lead.get("/"))
    assert "York" in text_of(home.select_one(".govuk-caption-l"))
    assert "Kent" not in text_of(home.select_one(".govuk-caption-l"))
    assert lead.get("/returns/").headers["Location"].endswith(f"/returns/sites/{york_id}")

    lead.post(f"/programmes/{the_programme(db).id}/view")
    home = page(lead.get("/"))
    assert "Kent" in text_of(home.select_one(".govuk-caption-l"))
    assert lead.get("/returns/").headers["Location"].endswith(f"/returns/sites/{kent_id}")

    listed = lead.get("/api/v1/sites", headers={"Authorization": f"Bearer {secret}"}).get_json()["data"]
    assert sorted(site["code"] for site in listed) == ["kent", "york"]
    membership = db.scalars(
        select(ProgrammeMembership).where(ProgrammeMembership.programme_id == libraries.id)
    ).one()
    with transaction(db):
        programme_service.end_membership(db, actor=None, membership=membership)
    listed = lead.get("/api/v1/sites", headers={"Authorization": f"Bearer {secret}"}).get_json()["data"]
    assert [site["code"] for site in listed] == ["kent"]


def test_an_archived_programme_leaves_the_switcher_and_home_but_not_the_service_administrators(
    db: Session, client_as: ClientAs
) -> None:
    libraries = make_programme(db, "libraries", sites=("york",))
    evaluator = client_as(Role.EVALUATOR)
    give_membership(db, evaluator.user, libraries, MembershipRole.EVALUATOR)  # type: ignore[attr-defined]
    administrator = client_as(Role.ADMINISTRATOR)
    assert len(page(evaluator.get("/")).select("#programmes + ul li")) == 2

    with transaction(db):
        libraries.status = "archived"

    listed = [text_of(item.strong) for item in page(evaluator.get("/")).select("#programmes + ul li")]
    assert listed == ["Worklessness pilots"]
    assert evaluator.post(f"/programmes/{libraries.id}/view").status_code == 404
    shown = [text_of(item) for item in page(administrator.get("/")).select("#programmes + ul li")]
    assert any("Libraries pilots" in item and "Archived" in item for item in shown)


def test_an_api_token_lists_only_the_frameworks_of_its_users_programmes(
    db: Session, client: FlaskClient
) -> None:
    make_return(db, "kent")  # the first programme's framework, published, with its periods
    libraries = make_programme(db, "libraries", sites=("york",))
    libraries_framework = make_second_framework(db, libraries)
    evaluator_of_libraries = make_member_of(db, libraries, Role.EVALUATOR, MembershipRole.EVALUATOR)
    with transaction(db):
        secret = api_tokens.create_token(db, user=evaluator_of_libraries, name="Script", days=30).secret
    headers = {"Authorization": f"Bearer {secret}"}

    listed = client.get("/api/v1/frameworks", headers=headers).get_json()["data"]
    assert [framework["code"] for framework in listed] == [libraries_framework.code]


def test_a_programmes_members_are_listed_fifty_a_page_current_ones_first(
    db: Session, client_as: ClientAs
) -> None:
    programme = the_programme(db)
    make_site(db, "kent")
    for number in range(1, 52):
        make_user(db, Role.EVALUATOR, full_name=f"Evaluator {number:02}")
    leaver = make_user(db, Role.EVALUATOR, full_name="Aaron Left")
    with transaction(db):
        programme_service.end_membership(
            db,
            actor=None,
            membership=db.scalars(
                select(ProgrammeMembership).where(ProgrammeMembership.user_id == leaver.id)
            ).one(),
            reason="Moved on.",
        )
    admin = client_as(Role.ADMINISTRATOR)

    first = page(admin.get(f"/admin/programmes/{programme.id}"))
    second = page(admin.get(f"/admin/programmes/{programme.id}?page=2"))

    def names(soup: BeautifulSoup) -> list[str]:
        return [row.find("td").get_text(strip=True) for row in soup.select("main table tbody tr")]

    # 51 current memberships by name, then the ended one (first by name, but ended).
    assert names(first) == [f"Evaluator {number:02}" for number in range(1, 51)]
    assert text_of(first.select_one(".app-list-position")) == (
        "Memberships 1 to 50 of 52, current first, page 1 of 2."
    )
    assert names(second) == ["Evaluator 51", "Aaron Left"]
    assert "Ended" in second.select("main table tbody tr")[-1].get_text(" ", strip=True)
    address = f"/admin/programmes/{programme.id}"
    assert second.select_one(".govuk-pagination__prev a")["href"] == f"{address}?page=1"
    assert second.find("title").get_text(strip=True).startswith(f"{programme.name}, page 2 of 2")
