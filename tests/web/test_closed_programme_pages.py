"""A closed programme takes no change to what it holds (its returns and their review, its comparison set-up
and ratings, its appraisal inputs, its framework, periods and sites): every such write is refused with the
reason `why_programme_takes_nothing` gives (beside the field, or on a 403 page for a plain button) and nothing
is saved. What stays open on a closed programme is pinned at the end: reopening it, who belongs to it,
finishing the review of returns sent before it closed, and reading it."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import Base, transaction
from evidence_hub.models import (
    AreaRole,
    AuditEvent,
    ComparisonSeriesValue,
    CostItem,
    ImpactArea,
    LearningEntry,
    MembershipRole,
    ProgrammeMembership,
    ProgrammeStatus,
    ReturnStatus,
    Role,
    SiteReturn,
)
from evidence_hub.services.common.access import why_programme_takes_nothing
from evidence_hub.services.framework import lifecycle
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH
from evidence_hub.services.impact import comparisons
from evidence_hub.services.impact.series_file import SeriesRow, series_csv
from tests.factories import (
    make_member_of,
    make_programme,
    make_return,
    make_site,
    make_user,
    periods_of,
    the_framework,
    the_programme,
    unique_reference,
)
from tests.pages import error_summary, field_error, heading, page, text_of

FRAMEWORK = "worklessness-data-sharing"

# Every kind of evidence write a lead makes to a return, as the pages post them.
WRITES = [
    "costs/new",
    "savings/new",
    "activities/new",
    "learning/new",
    "data-flows/new",
    "journey",
    "measures/WL-JOB-ENTRY-RATE",
    "comparison-figures",
    "documents/new",
    "upload/costs",
    "submit",
    "sections/costs/completed",
]


def _close(db: Session, site_return: SiteReturn) -> str:
    programme = site_return.reporting_period.framework.programme
    with transaction(db):
        programme.status = ProgrammeStatus.CLOSED.value
    return f"{programme.name} is closed: it takes no new evidence or returns"


@pytest.mark.parametrize("write", WRITES)
def test_a_write_to_a_return_in_a_closed_programme_is_refused_with_the_reason(
    db: Session, client_as: Callable[..., FlaskClient], write: str
) -> None:
    site_return = make_return(db, "kent")
    lead = client_as(Role.SITE_LEAD, site="kent")
    reason = _close(db, site_return)
    task_list = text_of(page(lead.get(f"/returns/{site_return.id}")).select_one(".app-read-only-reason"))
    assert reason in task_list

    response = lead.post(f"/returns/{site_return.id}/{write}", data={"amount": "100"})

    soup = page(response, 403)
    assert heading(soup) == "You cannot change this return"
    assert reason in text_of(soup)
    assert soup.find("a", string="Go back to the return")["href"] == f"/returns/{site_return.id}"
    assert db.scalar(select(func.count()).select_from(CostItem)) == 0


def test_a_closed_programme_takes_no_comparison_series_and_says_so_beside_the_file(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    framework = the_framework(db)
    evaluator = client_as(Role.EVALUATOR)
    with transaction(db):
        framework.programme.status = ProgrammeStatus.CLOSED.value
    reason = f"{framework.programme.name} is closed: it takes no new evidence or returns"
    row = SeriesRow(
        2, "E10000016", "Kent", "2009-Q2", "WL-JOB-ENTRY-RATE", Decimal(12), "ONS", date(2009, 7, 14)
    )
    content = series_csv([row])

    response = evaluator.post(
        f"/comparisons/{FRAMEWORK}/series",
        data={"spreadsheet": (io.BytesIO(content), "series.csv")},
        content_type="multipart/form-data",
    )

    soup = page(response, 403)
    assert any(reason in each for each in error_summary(soup))
    assert reason in field_error(soup, "spreadsheet")
    assert db.scalar(select(func.count()).select_from(ComparisonSeriesValue)) == 0


def test_a_closed_programme_takes_no_acceptance_of_a_sites_figures(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    evaluator = client_as(Role.EVALUATOR)
    named = evaluator.post(
        f"/comparisons/{FRAMEWORK}/areas/new",
        data={"site": "kent", "role": "pilot_site", "area_code": "E10000016", "area_name": "Kent"},
    )
    assert named.status_code == 302
    lead = client_as(Role.SITE_LEAD, site="kent")
    row = SeriesRow(
        2, "E10000016", "Kent", "2009-Q2", "WL-JOB-ENTRY-RATE", Decimal(12), "ONS", date(2009, 7, 14)
    )
    uploaded = lead.post(
        f"/comparisons/{FRAMEWORK}/series",
        data={"spreadsheet": (io.BytesIO(series_csv([row])), "series.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    seen = page(evaluator.get(f"/comparisons/{FRAMEWORK}")).select_one("input[name=seen]")["value"]
    reason = _close(db, site_return)

    response = evaluator.post(f"/comparisons/{FRAMEWORK}/sites/kent/accept", data={"seen": seen})

    assert reason in text_of(page(evaluator.get(response.headers["Location"])))
    db.rollback()
    assert db.scalars(select(ComparisonSeriesValue.accepted_at)).all() == [None]


# --- Every other write that changes what a closed programme holds ------------------------------------------


def _held(db: Session) -> dict[str, list[str]]:
    """Every row of every table, as text: equal before and after a refused write when nothing at all was
    saved (not even an audit record, nor who was last seen)."""
    db.rollback()
    db.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


def _next_version(db: Session) -> bytes:
    """The shipped framework's file as version 2: a new version of a framework the programme holds."""
    text = DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8").replace("\nversion: 1\n", "\nversion: 2\n", 1)
    return text.replace("reporting_year: financial", "reporting_year: calendar").encode()


def _draft_version(db: Session) -> None:
    with transaction(db):
        lifecycle.import_framework(db, _next_version(db).decode(), actor=None)


def _area(db: Session) -> ImpactArea:
    framework = the_framework(db)
    with transaction(db):
        return comparisons.add_area(
            db,
            make_user(db, Role.EVALUATOR),
            framework.published_version,  # type: ignore[arg-type]
            make_site(db, "kent"),
            role=AreaRole.PILOT_SITE,
            area_code="E10000016",
            area_name="Kent",
            observed={},
        )


def _submitted(db: Session) -> SiteReturn:
    return make_return(db, "kent", status=ReturnStatus.SUBMITTED)


def _file(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name


@dataclass(frozen=True)
class RefusedWrite:
    """A write a closed programme refuses: who makes it normally, what they post (set up while the programme
    was active), and where the reason is shown: beside `field`, or on the page `status` answers with."""

    name: str
    role: Role
    arrange: Callable[[Session], tuple[str, dict[str, Any]]]
    status: int
    field: str | None = None

    def __str__(self) -> str:
        return self.name


REFUSED = [
    RefusedWrite(
        "comparison area added",
        Role.EVALUATOR,
        lambda db: (
            the_framework(db) and make_site(db, "kent") and f"/comparisons/{FRAMEWORK}/areas/new",
            {"site": "kent", "role": "pilot_site", "area_code": "E10000016", "area_name": "Kent"},
        ),
        403,
        "site",
    ),
    RefusedWrite(
        "comparison area removed",
        Role.EVALUATOR,
        lambda db: (f"/comparisons/{FRAMEWORK}/areas/{_area(db).id}/remove", {}),
        403,
    ),
    RefusedWrite(
        "rating recorded",
        Role.EVALUATOR,
        lambda db: (
            the_framework(db) and make_site(db, "kent") and f"/comparisons/{FRAMEWORK}/ratings",
            {"site": "kent", "indicator": "WL-JOB-ENTRY-RATE", "level": "3", "rationale": "Passed check."},
        ),
        403,
        "site",
    ),
    RefusedWrite(
        "comparison series uploaded",
        Role.EVALUATOR,
        lambda db: (
            _area(db) and f"/comparisons/{FRAMEWORK}/series",
            {
                "spreadsheet": _file(
                    series_csv(
                        [
                            SeriesRow(
                                2,
                                "E10000016",
                                "Kent",
                                "2009-Q2",
                                "WL-JOB-ENTRY-RATE",
                                Decimal(12),
                                "ONS",
                                date(2009, 7, 14),
                            )
                        ]
                    ),
                    "series.csv",
                )
            },
        ),
        403,
        "spreadsheet",
    ),
    RefusedWrite(
        "framework version imported",
        Role.ADMINISTRATOR,
        lambda db: (
            the_framework(db) and "/framework/upload",
            {"framework_file": _file(_next_version(db), "framework.yaml")},
        ),
        200,
    ),
    RefusedWrite(
        "draft version published",
        Role.ADMINISTRATOR,
        lambda db: (_draft_version(db) or f"/framework/{FRAMEWORK}/2/publish", {}),
        200,
    ),
    RefusedWrite(
        "draft version deleted",
        Role.ADMINISTRATOR,
        lambda db: (_draft_version(db) or f"/framework/{FRAMEWORK}/2/delete", {}),
        200,
    ),
    RefusedWrite(
        "reporting period closed",
        Role.ADMINISTRATOR,
        lambda db: (f"/admin/periods/{_submitted(db).reporting_period_id}/close", {}),
        403,
    ),
    RefusedWrite(
        "sites taking part changed",
        Role.ADMINISTRATOR,
        lambda db: (
            f"/admin/programmes/{the_programme(db).id}/edit",
            {
                "name": the_programme(db).name,
                "department_id": str(the_programme(db).department_id),
                "description": "",
                "status": "closed",
                # Leeds takes part too: leaving it out would take it out of the programme.
                "site_ids": [str(make_site(db, "kent").id)] if make_site(db, "leeds") else [],
            },
        ),
        200,
        "site_ids",
    ),
    RefusedWrite(
        "deflator series uploaded",
        Role.EVALUATOR,
        lambda db: (
            the_framework(db) and f"/dashboard/value-for-money/deflators?framework={FRAMEWORK}",
            {
                "deflator_file": _file(b"financial_year,deflator\n2009-10,70.9\n", "deflators.csv"),
                "source_title": "Test deflators",
                "source_publisher": "HM Treasury",
            },
        ),
        200,
        "deflator_file",
    ),
    RefusedWrite(
        "area sizes uploaded",
        Role.EVALUATOR,
        lambda db: (
            the_framework(db)
            and make_site(db, "kent")
            and f"/dashboard/value-for-money/area-sizes?framework={FRAMEWORK}",
            {
                "area_file": _file(b"code,name,size\nkent,Kent,900000\n", "sizes.csv"),
                "measure_name": "working-age population (16 to 64)",
                "measure_source": "ONS mid-year estimates, mid-2023",
            },
        ),
        200,
        "area_file",
    ),
    RefusedWrite(
        "review comment added",
        Role.EVALUATOR,
        lambda db: (
            f"/review/returns/{_submitted(db).id}/comment",
            {"item": "return", "body": "Where is the invoice?"},
        ),
        200,
        "body",
    ),
    RefusedWrite(
        "return sent back to the site",
        Role.EVALUATOR,
        lambda db: (f"/review/returns/{_submitted(db).id}/return", {"comment": "Add the invoices."}),
        200,
        "comment",
    ),
    RefusedWrite(
        "return reopened",
        Role.EVALUATOR,
        lambda db: (f"/review/returns/{_submitted(db).id}/reopen", {"reason": "A figure is wrong."}),
        200,
        "reason",
    ),
    RefusedWrite(
        "return started",
        Role.SITE_LEAD,
        lambda db: (f"/returns/start/{periods_of(db, the_framework(db))[0].id}", {}),
        302,
    ),
]


@pytest.mark.parametrize("write", REFUSED, ids=str)
def test_every_write_to_what_a_closed_programme_holds_is_refused_with_the_reason_and_saves_nothing(
    db: Session, client_as: Callable[..., FlaskClient], write: RefusedWrite
) -> None:
    path, data = write.arrange(db)
    client = client_as(write.role, site="kent") if write.role is Role.SITE_LEAD else client_as(write.role)
    programme = the_programme(db)
    with transaction(db):
        programme.status = ProgrammeStatus.CLOSED.value
    reason = why_programme_takes_nothing(programme)
    held = _held(db)

    response = client.post(path, data=data, content_type="multipart/form-data")

    if write.status == 302:
        assert response.status_code == 302
        soup = page(client.get(response.headers["Location"], follow_redirects=True))
    else:
        soup = page(response, write.status)
    if write.field is not None:
        assert field_error(soup, write.field) == reason
        assert reason in error_summary(soup)
    elif write.status == 403:
        assert heading(soup) == "You cannot change this programme"
    assert reason in text_of(soup)
    assert _held(db) == held


# --- What stays open on a closed programme --------------------------------------------------------------


def _programme_form(db: Session, **changes: Any) -> dict[str, Any]:
    programme = the_programme(db)
    return {
        "name": programme.name,
        "department_id": str(programme.department_id),
        "description": programme.description,
        "status": programme.status,
        "site_ids": [str(site.id) for site in programme.sites],
        **changes,
    }


def _outsider(db: Session) -> int:
    """An evaluator of another programme only: somebody to add to the closed one."""
    libraries = make_programme(db, "libraries")
    return make_member_of(db, libraries, Role.EVALUATOR, MembershipRole.EVALUATOR).id


def _membership(db: Session) -> int:
    member = make_user(db, Role.EVALUATOR)
    return db.scalars(select(ProgrammeMembership.id).where(ProgrammeMembership.user_id == member.id)).one()


def _learning_entry(db: Session) -> tuple[str, dict[str, Any]]:
    site_return = make_return(db, "kent", status=ReturnStatus.APPROVED)
    with transaction(db):
        entry = LearningEntry(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            learning_type="barrier",
            title="Waiting for the legal gateway",
            what_happened="Six months before any data was shared.",
            import_reference=unique_reference("LRN"),
        )
        db.add(entry)
    return f"/returns/{site_return.id}/learning/{entry.id}/national-sharing", {"cleared": "yes"}


@dataclass(frozen=True)
class AllowedWrite:
    """A write a closed programme still takes, with the audit record it leaves."""

    name: str
    role: Role
    arrange: Callable[[Session], tuple[str, dict[str, Any]]]
    action: str

    def __str__(self) -> str:
        return self.name


ALLOWED = [
    # The service administrator decides whether it opens again, is archived, or only what it is called.
    AllowedWrite(
        "programme reopened",
        Role.ADMINISTRATOR,
        lambda db: (f"/admin/programmes/{the_programme(db).id}/edit", _programme_form(db, status="active")),
        "programme.updated",
    ),
    AllowedWrite(
        "programme archived",
        Role.ADMINISTRATOR,
        lambda db: (
            f"/admin/programmes/{the_programme(db).id}/edit",
            _programme_form(db, status="archived"),
        ),
        "programme.updated",
    ),
    AllowedWrite(
        "programme described",
        Role.ADMINISTRATOR,
        lambda db: (
            f"/admin/programmes/{the_programme(db).id}/edit",
            _programme_form(db, description="The pilots ended in March 2011."),
        ),
        "programme.updated",
    ),
    # Who may read it: an evaluator joining to write the final report, a member leaving.
    AllowedWrite(
        "member added",
        Role.ADMINISTRATOR,
        lambda db: (
            f"/admin/programmes/{the_programme(db).id}/memberships/new",
            {"user_id": str(_outsider(db)), "role": "evaluator"},
        ),
        "membership.added",
    ),
    AllowedWrite(
        "membership ended",
        Role.ADMINISTRATOR,
        lambda db: (f"/admin/memberships/{_membership(db)}/end", {"reason": "The pilots have ended."}),
        "membership.ended",
    ),
    AllowedWrite(
        "cross-site sharing turned on",
        Role.ADMINISTRATOR,
        lambda db: (the_framework(db) and f"/framework/{FRAMEWORK}/sharing", {"sharing": "on"}),
        "framework.cross_site_sharing_changed",
    ),
    # Finishing the review of what the sites sent before it closed, so that it can count.
    AllowedWrite(
        "return approved",
        Role.EVALUATOR,
        lambda db: (f"/review/returns/{_submitted(db).id}/approve", {"comment": ""}),
        "return.approved",
    ),
    AllowedWrite(
        "approval withdrawn",
        Role.EVALUATOR,
        lambda db: (
            f"/review/returns/{make_return(db, 'kent', status=ReturnStatus.LOCKED).id}/withdraw-approval",
            {"reason": "The job entries were counted twice."},
        ),
        "return.approval_withdrawn",
    ),
    # What national officials may read of it: clearing learning is part of publishing it, not a change to
    # what the site said.
    AllowedWrite(
        "learning cleared for national sharing", Role.EVALUATOR, _learning_entry, "learning.updated"
    ),
]


@pytest.mark.parametrize("write", ALLOWED, ids=str)
def test_a_closed_programme_still_takes_its_reopening_its_members_and_the_end_of_its_reviews(
    db: Session, client_as: Callable[..., FlaskClient], write: AllowedWrite
) -> None:
    path, data = write.arrange(db)
    client = client_as(write.role)
    with transaction(db):
        the_programme(db).status = ProgrammeStatus.CLOSED.value

    response = client.post(path, data=data)

    assert response.status_code == 302, text_of(page(response))
    db.rollback()
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == write.action)) is not None


def test_a_reopened_programme_takes_changes_again(db: Session, client_as: Callable[..., FlaskClient]) -> None:
    the_framework(db)
    make_site(db, "kent")
    administrator, evaluator = client_as(Role.ADMINISTRATOR), client_as(Role.EVALUATOR)
    with transaction(db):
        the_programme(db).status = ProgrammeStatus.CLOSED.value
    area = {"site": "kent", "role": "pilot_site", "area_code": "E10000016", "area_name": "Kent"}
    assert evaluator.post(f"/comparisons/{FRAMEWORK}/areas/new", data=area).status_code == 403

    reopened = administrator.post(
        f"/admin/programmes/{the_programme(db).id}/edit", data=_programme_form(db, status="active")
    )

    assert reopened.status_code == 302
    assert evaluator.post(f"/comparisons/{FRAMEWORK}/areas/new", data=area).status_code == 302
    db.rollback()
    assert db.scalars(select(ImpactArea.area_code)).all() == ["E10000016"]


def test_what_a_closed_programme_holds_can_still_be_read(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = _submitted(db)
    _area(db)
    evaluator = client_as(Role.EVALUATOR)
    with transaction(db):
        the_programme(db).status = ProgrammeStatus.CLOSED.value

    for address in (
        f"/comparisons/{FRAMEWORK}",
        f"/dashboard/impact?framework={FRAMEWORK}",
        f"/dashboard/value-for-money?framework={FRAMEWORK}",
        f"/review/returns/{site_return.id}",
        f"/returns/{site_return.id}",
        f"/framework/{FRAMEWORK}",
    ):
        assert evaluator.get(address, follow_redirects=True).status_code == 200, address


def test_a_closed_programmes_pages_give_the_reason_instead_of_the_buttons_that_would_change_it(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = _submitted(db)
    _area(db)
    evaluator, administrator = client_as(Role.EVALUATOR), client_as(Role.ADMINISTRATOR)
    open_comparisons = page(evaluator.get(f"/comparisons/{FRAMEWORK}"))
    assert open_comparisons.find("a", string="Add an area") and open_comparisons.select("main form")
    with transaction(db):
        the_programme(db).status = ProgrammeStatus.CLOSED.value
    reason = why_programme_takes_nothing(the_programme(db))

    comparisons_page = page(evaluator.get(f"/comparisons/{FRAMEWORK}"))
    close_page = page(administrator.get(f"/admin/periods/{site_return.reporting_period_id}/close"))

    for soup in (comparisons_page, close_page):
        assert text_of(soup.select_one(".app-read-only-reason")) == reason
        assert soup.select("main form") == []
    assert comparisons_page.find("a", string="Add an area") is None


def test_reviewing_a_return_of_a_closed_programme_offers_approval_alone_and_says_why(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = _submitted(db)
    evaluator = client_as(Role.EVALUATOR)
    with transaction(db):
        the_programme(db).status = ProgrammeStatus.CLOSED.value

    soup = page(evaluator.get(f"/review/returns/{site_return.id}"))

    assert text_of(soup.select_one(".app-read-only-reason")) == why_programme_takes_nothing(the_programme(db))
    offered = {text_of(link) for link in soup.select("main a.govuk-button")}
    assert "Approve" in offered
    assert not offered & {"Return to the site", "Comment on an item", "Reopen this return"}
    assert soup.find("a", href=f"/review/returns/{site_return.id}/reopen") is None
    assert soup.find("a", href=lambda href: bool(href and "/comment" in href)) is None


# --- Pages that offer a change: a closed programme's give the reason instead ------------------------------


def _draft(db: Session) -> str:
    _draft_version(db)
    return f"/framework/{FRAMEWORK}/2"


@dataclass(frozen=True)
class ChangingPage:
    """A page that offers a change while its programme is active: a form (`posts`; to the page itself unless
    its action is one of `offers`) or links to `offers`. Closed, the programme's reason is in their place
    (unless `says_why` is off, for a link inside a sentence), with the link `back` where the page was only
    its form."""

    name: str
    role: Role
    arrange: Callable[[Session], str]
    posts: bool = False
    offers: tuple[str, ...] = ()
    back: str | None = None
    says_why: bool = True

    def __str__(self) -> str:
        return self.name


COMPARISONS = f"/comparisons/{FRAMEWORK}"
VALUE_FOR_MONEY = f"/dashboard/value-for-money?framework={FRAMEWORK}"

CHANGING_PAGES = [
    ChangingPage(
        "add a comparison area",
        Role.EVALUATOR,
        lambda db: the_framework(db) and make_site(db, "kent") and f"{COMPARISONS}/areas/new",
        posts=True,
        back=COMPARISONS,
    ),
    ChangingPage(
        "rate the evidence",
        Role.EVALUATOR,
        lambda db: the_framework(db) and make_site(db, "kent") and f"{COMPARISONS}/ratings",
        posts=True,
        back=COMPARISONS,
    ),
    ChangingPage(
        "upload comparison series",
        Role.EVALUATOR,
        lambda db: the_framework(db) and f"{COMPARISONS}/series",
        posts=True,
        back=COMPARISONS,
    ),
    ChangingPage(
        "upload a site's own comparison series",
        Role.SITE_LEAD,
        lambda db: _area(db) and f"{COMPARISONS}/series",
        posts=True,
        back=f"/dashboard/impact?framework={FRAMEWORK}",
    ),
    ChangingPage(
        "upload a deflator series",
        Role.EVALUATOR,
        lambda db: the_framework(db) and f"/dashboard/value-for-money/deflators?framework={FRAMEWORK}",
        posts=True,
        back=VALUE_FOR_MONEY,
    ),
    ChangingPage(
        "upload area sizes",
        Role.EVALUATOR,
        lambda db: the_framework(db) and f"/dashboard/value-for-money/area-sizes?framework={FRAMEWORK}",
        posts=True,
        back=VALUE_FOR_MONEY,
    ),
    ChangingPage(
        "a site's returns",
        Role.SITE_LEAD,
        lambda db: the_framework(db) and f"/returns/sites/{make_site(db, 'kent').id}",
        posts=True,
        offers=("/returns/start/",),
    ),
    ChangingPage(
        "value for money",
        Role.EVALUATOR,
        lambda db: make_return(db, "kent", status=ReturnStatus.APPROVED) and VALUE_FOR_MONEY,
        offers=("/dashboard/value-for-money/deflators", "/dashboard/value-for-money/area-sizes"),
    ),
    ChangingPage(
        "the Impact view of a site lead",
        Role.SITE_LEAD,
        lambda db: _area(db) and f"/dashboard/impact?framework={FRAMEWORK}",
        offers=(f"{COMPARISONS}/series",),
        says_why=False,
    ),
    ChangingPage(
        "reporting periods",
        Role.ADMINISTRATOR,
        lambda db: the_framework(db) and "/admin/periods/",
        offers=("/admin/periods/",),
    ),
    ChangingPage(
        "a draft version",
        Role.ADMINISTRATOR,
        _draft,
        offers=(f"/framework/{FRAMEWORK}/2/publish", f"/framework/{FRAMEWORK}/2/delete"),
    ),
    ChangingPage(
        "what changed in a draft version",
        Role.ADMINISTRATOR,
        lambda db: f"{_draft(db)}/changes",
        offers=(f"/framework/{FRAMEWORK}/2/publish", f"/framework/{FRAMEWORK}/2/delete"),
    ),
]


def _offered(soup: Any, page_path: str, offers: tuple[str, ...]) -> list[str]:
    """The links and form actions in the page's main part that lead to one of `offers` (the periods list's
    own address is offered only as a period's close link)."""
    main = soup.select_one("main")
    targets = [link["href"] for link in main.select("a[href]")]
    targets += [form.get("action") or page_path for form in main.select("form[method=post]")]
    return [
        target
        for target in targets
        if any(target.startswith(each) for each in offers) and target != page_path.split("?")[0]
    ]


@pytest.mark.parametrize("changing", CHANGING_PAGES, ids=str)
def test_a_closed_programmes_page_gives_the_reason_instead_of_a_change_it_would_refuse(
    db: Session, client_as: Callable[..., FlaskClient], changing: ChangingPage
) -> None:
    path = changing.arrange(db)
    client = (
        client_as(changing.role, site="kent") if changing.role is Role.SITE_LEAD else client_as(changing.role)
    )
    active = page(client.get(path))
    assert bool(active.select("main form[method=post]")) is changing.posts
    assert len(_offered(active, path, changing.offers)) >= len(changing.offers)
    with transaction(db):
        the_programme(db).status = ProgrammeStatus.CLOSED.value
    reason = why_programme_takes_nothing(the_programme(db))

    soup = page(client.get(path))

    if changing.says_why:
        assert text_of(soup.select_one("main .app-read-only-reason")) == reason
    assert soup.select("main form[method=post]") == []
    assert _offered(soup, path, changing.offers) == []
    if changing.back is not None:
        assert soup.select_one("main .app-read-only-reason + p a")["href"] == changing.back
