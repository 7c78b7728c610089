"""A site lead gives their area's and comparison areas' figures in the return, where the framework asks
for them: saved all or nothing with the source and extraction date, read by the Impact view like an
evaluator's upload, and never writable by another site's lead or after submission."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import ComparisonSeriesValue, ReturnStatus, Role
from evidence_hub.services.returns import workflow
from tests.factories import make_return, make_site, the_framework
from tests.pages import page, text_of
from tests.returns_helpers import fill_return, lead_of

FRAMEWORK = "worklessness-data-sharing"
KENT_AREAS = [
    ("pilot_site", "E10000016", "Kent"),
    ("comparison", "E10000030", "Surrey"),
    ("comparison", "E10000032", "West Sussex"),
]


def _name_kents_areas(client_as: Callable[..., FlaskClient]) -> None:
    evaluator = client_as(Role.EVALUATOR)
    for role, code, name in KENT_AREAS:
        response = evaluator.post(
            f"/comparisons/{FRAMEWORK}/areas/new",
            data={
                "site": "kent",
                "role": role,
                "area_code": code,
                "area_name": name,
                "indicators": "WL-JOB-ENTRY-RATE",
                "how_observed": "ONS Nomis, claimant count off-flows into work",
            },
        )
        assert response.status_code == 302, text_of(page(response))


def _opened(lead: FlaskClient, return_id: int) -> dict[str, str]:
    soup = page(lead.get(f"/returns/{return_id}/comparison-figures"))
    return {
        "csrf_token": soup.select_one("input[name=csrf_token]")["value"],
        "opened_with": soup.select_one("input[name=opened_with]")["value"],
    }


def _figures(**figures: str) -> dict[str, str]:
    return {f"figure-{code}-WL-JOB-ENTRY-RATE": value for code, value in figures.items()}


DATED = {"extracted_on": ["14", "7", "2009"]}
SOURCE = {"source": "ONS Nomis, claimant count (CC01)"}


def test_a_lead_gives_the_quarters_comparison_figures_and_the_impact_view_reads_them(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    make_site(db, "kent")
    _name_kents_areas(client_as)
    site_return = make_return(db, "kent", period=0)
    lead = client_as(Role.SITE_LEAD, site="kent")

    measures = text_of(page(lead.get(f"/returns/{site_return.id}/measures")))
    assert "Comparison figures" in measures and "0 of 3 given" in measures

    response = lead.post(
        f"/returns/{site_return.id}/comparison-figures",
        data={
            **_opened(lead, site_return.id),
            **_figures(E10000016="12.5", E10000030="10.25", E10000032="9"),
            **SOURCE,
            **DATED,
        },
    )
    assert response.status_code == 302, text_of(page(response))[:1500]
    assert "3 comparison figures saved for 2009-Q2." in text_of(page(lead.get(response.headers["Location"])))
    saved = {
        figure.area_code: figure
        for figure in db.scalars(
            select(ComparisonSeriesValue).where(ComparisonSeriesValue.period_code == "2009-Q2")
        )
    }
    assert {code: str(figure.value.normalize()) for code, figure in saved.items()} == {
        "E10000016": "12.5",
        "E10000030": "10.25",
        "E10000032": "9",
    }
    assert {figure.source for figure in saved.values()} == {"ONS Nomis, claimant count (CC01)"}

    # A draft return's figures are held and shown to the evaluator, but the estimates do not rest on them.
    evaluator = client_as(Role.EVALUATOR)
    impact = text_of(page(evaluator.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "3 figures from Kent are not counted yet" in impact
    assert "Kent (E10000016): ONS Nomis" not in impact
    comparisons = text_of(page(evaluator.get(f"/comparisons/{FRAMEWORK}")))
    assert "1 in returns not yet approved" in comparisons

    # Once the evaluator approves the return, they count; reopened, they stop counting again.
    fill_return(db, site_return)
    with transaction(db):
        workflow.submit(db, lead_of(db, site_return.site_id), site_return)  # type: ignore[arg-type]
    assert (
        evaluator.post(f"/review/returns/{site_return.id}/approve", data={"comment": ""}).status_code == 302
    )
    impact = text_of(page(evaluator.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "Kent (E10000016): ONS Nomis, claimant count (CC01), extracted 14 July 2009" in impact
    assert "not counted yet" not in impact
    reopened = evaluator.post(
        f"/review/returns/{site_return.id}/reopen", data={"reason": "The claimant count was revised."}
    )
    assert reopened.status_code == 302, text_of(page(reopened))[:800]
    impact = text_of(page(evaluator.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "3 figures from Kent are not counted yet" in impact

    # Clearing a figure removes it, and says so in the audit log.
    response = lead.post(
        f"/returns/{site_return.id}/comparison-figures",
        data={**_opened(lead, site_return.id), **_figures(E10000016="12.5", E10000030="10.25", E10000032="")},
    )
    assert response.status_code == 302
    assert (
        db.scalars(select(ComparisonSeriesValue).where(ComparisonSeriesValue.area_code == "E10000032")).all()
        == []
    )


def test_mistakes_are_shown_beside_their_fields_and_nothing_is_saved(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    make_site(db, "kent")
    _name_kents_areas(client_as)
    site_return = make_return(db, "kent", period=0)
    lead = client_as(Role.SITE_LEAD, site="kent")

    response = lead.post(
        f"/returns/{site_return.id}/comparison-figures",
        data={
            **_opened(lead, site_return.id),
            **_figures(E10000016="twelve", E10000030="10.123456", E10000032="9"),
            "extracted_on": ["14", "7", "2031"],
        },
    )
    assert response.status_code == 200
    soup = page(response)
    summary = text_of(soup.select_one(".govuk-error-summary"))
    assert "Enter Kent's job entry rate among engaged clients as a number, like 12.5" in summary
    assert "at most 4 decimal places" in summary
    assert "Enter where the figures come from" in summary
    assert "must be today or in the past" in summary
    assert soup.select_one("#figure-E10000016-WL-JOB-ENTRY-RATE")["value"] == "twelve"
    assert soup.title.string.startswith("Error:")
    assert db.scalars(select(ComparisonSeriesValue)).all() == []


def test_a_save_over_somebody_elses_newer_figures_is_refused(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    make_site(db, "kent")
    _name_kents_areas(client_as)
    site_return = make_return(db, "kent", period=0)
    lead = client_as(Role.SITE_LEAD, site="kent")
    stale = _opened(lead, site_return.id)
    first = lead.post(
        f"/returns/{site_return.id}/comparison-figures",
        data={**_opened(lead, site_return.id), **_figures(E10000016="12.5"), **SOURCE, **DATED},
    )
    assert first.status_code == 302
    second = lead.post(
        f"/returns/{site_return.id}/comparison-figures",
        data={**stale, **_figures(E10000016="99"), **SOURCE, **DATED},
    )
    assert second.status_code == 200
    assert "Somebody else changed this item after you opened it" in text_of(page(second))
    held = db.scalars(select(ComparisonSeriesValue)).one()
    assert str(held.value.normalize()) == "12.5"


def test_only_the_sites_lead_changes_them_and_only_while_the_return_is_open(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    make_site(db, "kent")
    make_site(db, "leeds")
    _name_kents_areas(client_as)
    draft = make_return(db, "kent", period=0)
    submitted = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)
    leeds_lead = client_as(Role.SITE_LEAD, site="leeds")
    assert leeds_lead.get(f"/returns/{draft.id}/comparison-figures").status_code == 404
    kent_lead = client_as(Role.SITE_LEAD, site="kent")
    read_only = page(kent_lead.get(f"/returns/{submitted.id}/comparison-figures"))
    assert not read_only.select("input[name^=figure-]")
    assert kent_lead.post(f"/returns/{submitted.id}/comparison-figures", data={}).status_code == 403
    evaluator = client_as(Role.EVALUATOR)
    assert "Only the site’s lead" in text_of(page(evaluator.get(f"/returns/{draft.id}/comparison-figures")))


def test_a_return_whose_site_has_no_areas_asks_for_none(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    site_return = make_return(db, "kent", period=0)
    lead = client_as(Role.SITE_LEAD, site="kent")
    assert "Comparison figures" not in text_of(page(lead.get(f"/returns/{site_return.id}/measures")))
    assert lead.get(f"/returns/{site_return.id}/comparison-figures").status_code == 404


def test_check_your_answers_lists_each_figure_with_a_change_link(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    make_site(db, "kent")
    _name_kents_areas(client_as)
    site_return = make_return(db, "kent", period=0)
    lead = client_as(Role.SITE_LEAD, site="kent")
    lead.post(
        f"/returns/{site_return.id}/comparison-figures",
        data={**_opened(lead, site_return.id), **_figures(E10000030="10.25"), **SOURCE, **DATED},
    )
    soup = page(lead.get(f"/returns/{site_return.id}/check"))
    text = text_of(soup.select_one("#summary-comparison-figures").find_next("dl"))
    assert "Surrey (E10000030): Job entry rate among engaged clients 10.25" in text
    assert "Kent (E10000016): Job entry rate among engaged clients Not given" in text
    links = [a["href"] for a in soup.select("a") if a["href"].endswith("#figure-E10000030-WL-JOB-ENTRY-RATE")]
    assert links == [f"/returns/{site_return.id}/comparison-figures#figure-E10000030-WL-JOB-ENTRY-RATE"]
