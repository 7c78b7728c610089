"""Saves that race each other, as real sessions: several leads of one site, each signed in with a client of
their own, post at the same instant behind a barrier. Exactly one save of an item wins each round, every
other one sees the conflict and overwrites nothing, and the audit log's before-and-after chain holds.
Many leads adding items to one return at once all land, each with its own reference."""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, ComparisonSeriesValue, CostItem, Role, SiteReturn
from tests.factories import make_return
from tests.pages import page, text_of
from tests.returns_helpers import add_cost

ROUNDS = 20
RACERS = 8
WRITERS = 50

ClientAs = Callable[..., FlaskClient]


def cost_form(site_return: SiteReturn, description: str, version: int | None = None) -> dict[str, str]:
    form = {
        "category": str(site_return.framework_version.cost_categories[0].id),
        "description": description,
        "amount": "4500.00",
        "cost_type": "running",
        "funding": "cash",
        "attributable_percent": "100",
    }
    if version is not None:
        form["version"] = str(version)
    return form


def race(clients: Sequence[FlaskClient], requests: Sequence[tuple[str, dict[str, str]]]) -> list[Any]:
    """Every client posts its request at the same instant; the responses, in the clients' order."""
    barrier = threading.Barrier(len(clients))

    def post(index: int) -> Any:
        url, data = requests[index]
        barrier.wait(timeout=30)
        return clients[index].post(url, data=data)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(post, range(len(clients))))


def name_kents_own_area(evaluator: FlaskClient) -> None:
    named = evaluator.post(
        "/comparisons/worklessness-data-sharing/areas/new",
        data={
            "site": "kent",
            "role": "pilot_site",
            "area_code": "E10000016",
            "area_name": "Kent",
            "indicators": "WL-JOB-ENTRY-RATE",
        },
    )
    assert named.status_code == 302


def fresh(db: Session) -> Session:
    db.rollback()
    db.expire_all()
    return db


def test_only_one_of_many_simultaneous_saves_of_a_cost_wins_each_round(
    db: Session, client_as: ClientAs
) -> None:
    site_return = make_return(db, "kent")
    item = add_cost(db, site_return)
    leads = [client_as(Role.SITE_LEAD, site="kent") for _ in range(RACERS)]
    url = f"/returns/{site_return.id}/costs/{item.id}/edit"

    for round_number in range(1, ROUNDS + 1):
        responses = race(
            leads,
            [
                (url, cost_form(site_return, f"Round {round_number}, lead {lead}", round_number))
                for lead in range(RACERS)
            ],
        )

        statuses = [response.status_code for response in responses]
        assert statuses.count(302) == 1, f"round {round_number}: {statuses}"
        assert statuses.count(200) == RACERS - 1
        winner = statuses.index(302)
        for loser, response in enumerate(responses):
            if loser != winner:
                assert "Somebody else changed this item after you opened it" in response.get_data(
                    as_text=True
                )
        saved = fresh(db).get(CostItem, item.id)
        assert saved is not None
        assert (saved.description, saved.version) == (
            f"Round {round_number}, lead {winner}",
            round_number + 1,
        )

    updates = list(
        fresh(db).scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "cost.updated", AuditEvent.object_id == item.id)
            .order_by(AuditEvent.id)
        )
    )
    assert len(updates) == ROUNDS
    # Each change's "before" is the row as the previous change left it: the history chains.
    for previous, following in itertools.pairwise(updates):
        assert following.before is not None and previous.after is not None
        assert following.before["description"] == previous.after["description"]


def test_only_one_of_many_simultaneous_saves_of_the_milestone_wins(db: Session, client_as: ClientAs) -> None:
    site_return = make_return(db, "kent")
    leads = [client_as(Role.SITE_LEAD, site="kent") for _ in range(RACERS)]
    codes = [milestone.code for milestone in site_return.framework_version.milestones]
    url = f"/returns/{site_return.id}/journey"

    responses = race(
        leads,
        [
            (
                url,
                {
                    "milestone": codes[lead % len(codes)],
                    "evidence": f"Evidence from lead {lead}",
                    "version": "1",
                },
            )
            for lead in range(RACERS)
        ],
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(302) == 1, statuses
    saved = fresh(db).get(SiteReturn, site_return.id)
    assert saved is not None and saved.journey_evidence == f"Evidence from lead {statuses.index(302)}"


def test_many_leads_adding_costs_to_one_return_at_once_all_land_with_their_own_references(
    db: Session, client_as: ClientAs
) -> None:
    site_return = make_return(db, "kent")
    leads = [client_as(Role.SITE_LEAD, site="kent") for _ in range(WRITERS)]
    url = f"/returns/{site_return.id}/costs/new"

    responses = race(
        leads, [(url, cost_form(site_return, f"Cost from lead {lead}")) for lead in range(WRITERS)]
    )

    assert [response.status_code for response in responses] == [302] * WRITERS
    costs = list(fresh(db).scalars(select(CostItem).where(CostItem.site_return_id == site_return.id)))
    assert sorted(cost.description for cost in costs) == sorted(
        f"Cost from lead {lead}" for lead in range(WRITERS)
    )
    assert sorted(cost.import_reference for cost in costs) == sorted(
        f"C-{number}" for number in range(1, WRITERS + 1)
    )
    created = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "cost.created")))
    assert sorted(event.object_id for event in created) == sorted(cost.id for cost in costs)


def test_only_one_of_many_simultaneous_saves_of_comparison_figures_wins(
    db: Session, client_as: ClientAs
) -> None:
    site_return = make_return(db, "kent")
    evaluator = client_as(Role.EVALUATOR)
    name_kents_own_area(evaluator)
    leads = [client_as(Role.SITE_LEAD, site="kent") for _ in range(RACERS)]
    url = f"/returns/{site_return.id}/comparison-figures"
    opened = page(leads[0].get(url)).select_one("input[name=opened_with]")["value"]

    responses = race(
        leads,
        [
            (
                url,
                {
                    "opened_with": opened,
                    "figure-E10000016-WL-JOB-ENTRY-RATE": f"1{lead}.5",
                    "source": f"Nomis, read by lead {lead}",
                    "extracted_on": ["14", "7", "2009"],  # type: ignore[dict-item]
                },
            )
            for lead in range(RACERS)
        ],
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(302) == 1, statuses
    winner = statuses.index(302)
    held = fresh(db).scalars(select(ComparisonSeriesValue)).one()
    assert (str(held.value.normalize()), held.source) == (f"1{winner}.5", f"Nomis, read by lead {winner}")


def test_an_evaluator_accepting_a_sites_figures_never_accepts_figures_uploaded_as_they_accept(
    db: Session, client_as: ClientAs
) -> None:
    make_return(db, "kent")
    evaluator = client_as(Role.EVALUATOR)
    name_kents_own_area(evaluator)
    lead = client_as(Role.SITE_LEAD, site="kent")
    base = "/comparisons/worklessness-data-sharing"
    header = "area_code,area_name,period,indicator_code,value,source,date_extracted"

    def upload(value: str) -> dict[str, Any]:
        row = f"E10000016,Kent,2009-Q2,WL-JOB-ENTRY-RATE,{value},ONS Nomis,2011-05-03"
        return {"spreadsheet": (io.BytesIO(f"{header}\r\n{row}".encode()), "series.csv")}

    outcomes = []
    for round_number in range(1, 11):
        assert lead.post(f"{base}/series", data=upload(f"{round_number}.5")).status_code == 302
        seen = page(evaluator.get(base)).select_one("form[action$='/sites/kent/accept'] input[name=seen]")[
            "value"
        ]
        accepted, uploaded = race(
            [evaluator, lead],
            [(f"{base}/sites/kent/accept", {"seen": seen}), (f"{base}/series", upload(f"{round_number}.75"))],
        )
        assert (accepted.status_code, uploaded.status_code) == (302, 302)
        told = text_of(page(evaluator.get(accepted.headers["Location"])))
        outcomes.append("accepted" if "1 figure from Kent accepted" in told else "refused")
        if outcomes[-1] == "refused":
            assert "changed after you opened this page" in told
        # Whichever landed first, the figure uploaded during the acceptance was never seen, so never accepted.
        held = fresh(db).scalars(select(ComparisonSeriesValue)).one()
        assert (str(held.value.normalize()), held.accepted_at) == (f"{round_number}.75", None)
    accepted_events = (
        fresh(db).scalars(select(AuditEvent).where(AuditEvent.action == "impact.figures_accepted")).all()
    )
    assert len(accepted_events) == outcomes.count("accepted")
