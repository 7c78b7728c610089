"""Figures that break the framework's theory of change are refused on entry unless the lead explains
them, and are flagged on the dashboards."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Role, Site, SiteReturn, User
from evidence_hub.services.dashboards.scope import StateFilter, chosen_scope
from evidence_hub.services.impact.relation_checks import breaches_in_scope
from evidence_hub.services.returns import measures
from evidence_hub.services.returns.errors import InvalidEvidence
from evidence_hub.services.returns.measure_checks import MeasureInput
from tests.factories import make_return, make_user
from tests.release_helpers import demo_world

GOOD = MeasureInput(
    value="120",
    target="150",
    data_source="The pilot's client tracking spreadsheet",
    quality_rating="good",
    quality_reason="Checked against the attendance registers",
    evidence_level="nesta:2",
)


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


def save(db: Session, lead: User, site_return: SiteReturn, code: str, data: MeasureInput) -> None:
    with transaction(db):
        measures.save_measure(db, lead, site_return, code, data)


def test_more_job_entries_than_clients_engaged_needs_a_justification(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    save(db, lead, kent_return, "WL-CLIENTS-ENGAGED", GOOD)
    with pytest.raises(InvalidEvidence) as caught:
        save(db, lead, kent_return, "WL-JOB-ENTRIES", replace(GOOD, value="130"))
    message = caught.value.problems["range_justification"]
    assert "Job entries among engaged clients (130) cannot be more than" in message
    assert "(120)" in message

    explained = replace(GOOD, value="130", range_justification="Ten clients engaged last quarter found work")
    save(db, lead, kent_return, "WL-JOB-ENTRIES", explained)

    evaluator = make_user(db, Role.EVALUATOR)
    framework = kent_return.reporting_period.framework
    scope = chosen_scope(
        db, evaluator, framework, None, [kent_return.reporting_period], [kent_return.site], StateFilter.ALL
    )
    flagged = breaches_in_scope(db, scope)
    assert [(each.site.code, each.return_id) for each in flagged] == [("kent", kent_return.id)]


def test_a_rate_that_is_not_its_numerator_over_its_denominator_needs_a_justification(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    save(db, lead, kent_return, "WL-CLIENTS-ENGAGED", replace(GOOD, value="200"))
    save(db, lead, kent_return, "WL-JOB-ENTRIES", replace(GOOD, value="50"))
    with pytest.raises(InvalidEvidence) as caught:
        save(db, lead, kent_return, "WL-JOB-ENTRY-RATE", replace(GOOD, value="40.0", target="30"))
    assert "is 25" in caught.value.problems["range_justification"]
    save(db, lead, kent_return, "WL-JOB-ENTRY-RATE", replace(GOOD, value="25.0", target="30"))


def test_the_demo_kent_return_with_more_clients_engaged_than_people_reached_is_flagged(
    db: Session, tmp_path: Path
) -> None:
    framework = demo_world(db, tmp_path)
    evaluator = make_user(db, Role.EVALUATOR)
    sites = list(db.scalars(select(Site).order_by(Site.name)))
    periods = list(framework.reporting_periods)
    scope = chosen_scope(db, evaluator, framework, None, periods, sites, StateFilter.ALL)
    kent = [each.message for each in breaches_in_scope(db, scope) if each.site.code == "kent"]
    assert kent
    assert all(
        message.startswith("Clients engaged through data-led targeting (")
        and "cannot be more than People reached by the return's activities" in message
        for message in kent
    ), kent
