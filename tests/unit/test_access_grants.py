"""The grants a session keeps for the rest of its transaction: read once a request, yet an ended membership
still stops at once (in the session that ended it) or on the next request (anywhere else)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import (
    Department,
    MembershipRole,
    ProgrammeMembership,
    ProgrammeShare,
    Role,
    Site,
    User,
)
from evidence_hub.services.accounts import programmes as programme_service
from evidence_hub.services.common.access import (
    current_grants,
    visible_programme_ids,
    visible_programmes,
    visible_site_ids,
)
from evidence_hub.web import PROGRAMME_IN_VIEW_KEY
from tests.conftest import sign_in
from tests.factories import give_membership, make_programme, make_site, make_user, the_programme
from tests.pages import page, text_of


def libraries_evaluator(db: Session) -> tuple[User, int, int]:
    """An evaluator of the first programme and of a second (libraries): (user, first id, libraries id)."""
    make_site(db, "kent")
    libraries = make_programme(db, "libraries", sites=("york",))
    evaluator = make_user(db, Role.EVALUATOR)
    give_membership(db, evaluator, libraries, MembershipRole.EVALUATOR)
    return evaluator, the_programme(db).id, libraries.id


def membership_in(session: Session, user: User, programme_id: int) -> ProgrammeMembership:
    return session.scalars(
        select(ProgrammeMembership).where(
            ProgrammeMembership.user_id == user.id, ProgrammeMembership.programme_id == programme_id
        )
    ).one()


def membership_reads(session: Session) -> list[str]:
    """The statements reading memberships that the session runs from now on."""
    statements: list[str] = []

    @event.listens_for(session, "do_orm_execute")
    def record(state: object) -> None:
        statement = str(getattr(state, "statement", ""))
        if "programme_memberships" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    return statements


def test_a_transaction_reads_a_users_memberships_once(db: Session) -> None:
    evaluator, first_id, libraries_id = libraries_evaluator(db)
    db.commit()
    reads = membership_reads(db)

    for _ in range(5):
        assert sorted(visible_programme_ids(evaluator) or []) == sorted([first_id, libraries_id])

    assert len(reads) == 1
    db.commit()
    current_grants(evaluator)
    assert len(reads) == 2, "a new transaction reads them again"


def test_a_membership_ended_in_the_same_session_stops_at_once(db: Session) -> None:
    evaluator, first_id, libraries_id = libraries_evaluator(db)
    assert libraries_id in (visible_programme_ids(evaluator) or [])

    membership = membership_in(db, evaluator, libraries_id)
    programme_service.end_membership(db, actor=None, membership=membership)

    # Not yet committed, nor even written: the session's own change is what it answers with.
    assert visible_programme_ids(evaluator) == [first_id]
    db.rollback()
    assert sorted(visible_programme_ids(evaluator) or []) == sorted([first_id, libraries_id])


def test_a_membership_ended_after_a_flush_in_the_same_session_stops_at_once(db: Session) -> None:
    evaluator, first_id, libraries_id = libraries_evaluator(db)
    assert libraries_id in (visible_programme_ids(evaluator) or [])

    membership_in(db, evaluator, libraries_id).ended_at = utc_now()
    db.flush()

    assert visible_programme_ids(evaluator) == [first_id]


def test_a_bulk_update_of_memberships_in_the_same_session_stops_at_once(db: Session) -> None:
    evaluator, first_id, libraries_id = libraries_evaluator(db)
    assert libraries_id in (visible_programme_ids(evaluator) or [])

    db.execute(
        update(ProgrammeMembership)
        .where(ProgrammeMembership.programme_id == libraries_id)
        .values(ended_at=utc_now())
    )

    assert visible_programme_ids(evaluator) == [first_id]


def test_a_programme_archived_in_the_same_session_leaves_at_once(db: Session) -> None:
    evaluator, first_id, libraries_id = libraries_evaluator(db)
    libraries = make_programme(db, "libraries")
    assert libraries_id in (visible_programme_ids(evaluator) or [])

    libraries.status = "archived"

    assert visible_programme_ids(evaluator) == [first_id]


def test_a_membership_ended_in_another_session_stops_when_the_next_transaction_begins(
    db: Session, app: Flask
) -> None:
    evaluator, first_id, libraries_id = libraries_evaluator(db)
    db.commit()
    assert libraries_id in (visible_programme_ids(evaluator) or [])

    other: Session = app.extensions["evidence_hub.session_factory"]()
    try:
        with transaction(other):
            programme_service.end_membership(
                other, actor=None, membership=membership_in(other, evaluator, libraries_id)
            )
    finally:
        other.close()
    db.commit()  # This session's transaction ends: a request ending, say.

    assert visible_programme_ids(evaluator) == [first_id]


def test_a_membership_ended_elsewhere_disappears_from_the_next_page(db: Session, client: FlaskClient) -> None:
    evaluator, _first_id, libraries_id = libraries_evaluator(db)
    sign_in(client, evaluator.email)

    listed = [text_of(item.strong) for item in page(client.get("/")).select("#programmes + ul li")]
    assert listed == ["Libraries pilots", "Worklessness pilots"]

    with transaction(db):
        programme_service.end_membership(
            db, actor=None, membership=membership_in(db, evaluator, libraries_id)
        )

    listed = [text_of(item.strong) for item in page(client.get("/")).select("#programmes + ul li")]
    assert listed == ["Worklessness pilots"]
    assert client.post(f"/programmes/{libraries_id}/view").status_code == 404


def test_a_page_reads_the_signed_in_users_memberships_once(
    db: Session, client: FlaskClient, app: Flask
) -> None:
    evaluator, _first_id, _libraries_id = libraries_evaluator(db)
    sign_in(client, evaluator.email)
    reads: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if "programme_memberships" in statement and statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    engine = app.extensions["evidence_hub.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)

    grant_reads = [statement for statement in reads if "ended_at IS NULL" in statement]
    assert len(grant_reads) == 1


def test_a_programme_shared_with_an_officials_department_in_the_same_session_shows_at_once(
    db: Session,
) -> None:
    make_site(db, "kent")
    libraries = make_programme(db, "libraries", sites=("york",))
    other_department = Department(code="DCMS", name="Department for Culture, Media and Sport")
    with transaction(db):
        db.add(other_department)
        db.flush()
        libraries.department_id = other_department.id
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    with transaction(db):
        official.department_id = the_programme(db).department_id
    assert [programme.code for programme in visible_programmes(official)] == [the_programme(db).code]

    db.add(ProgrammeShare(programme_id=libraries.id, department_id=official.department_id))

    assert [programme.code for programme in visible_programmes(official)] == [
        "libraries",
        the_programme(db).code,
    ]
    both = set(db.scalars(select(Site.id).where(Site.code.in_(["kent", "york"]))))
    assert visible_site_ids(official) == both


def test_a_signed_in_page_reads_the_user_their_memberships_and_the_headers_sites_in_one_statement(
    db: Session, client: FlaskClient, app: Flask
) -> None:
    # Led sites are named in the header by name, whatever order the memberships were made in.
    lead = make_user(db, Role.SITE_LEAD, site="liverpool")
    give_membership(db, lead, the_programme(db), MembershipRole.SITE_LEAD, site="kent")
    libraries = make_programme(db, "libraries", sites=("york",))
    give_membership(db, lead, libraries, MembershipRole.SITE_LEAD, site="york")
    archived = make_programme(db, "archived", sites=("leeds",))
    give_membership(db, lead, archived, MembershipRole.SITE_LEAD, site="leeds")
    with transaction(db):
        archived.status = "archived"
    sign_in(client, lead.email)
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = app.extensions["evidence_hub.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        statement_page = page(client.get("/accessibility"))
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert len(statements) == 1, statements
    header = text_of(statement_page.select_one(".govuk-service-navigation"))
    # Libraries comes first by name, so it is in view; the archived programme's site is not led any more.
    assert "(Pilot site lead, York)" in header
    assert "Programme in view: Libraries pilots" in header
    assert "Leeds" not in header

    with client.session_transaction() as browser:
        browser[PROGRAMME_IN_VIEW_KEY] = the_programme(db).id
    header = text_of(page(client.get("/accessibility")).select_one(".govuk-service-navigation"))
    assert "(Pilot site lead, Kent, Liverpool City Region)" in header
    assert f"Programme in view: {the_programme(db).name}" in header
