"""Approved means approved: closing a period locks returns as they stand, and only returns an evaluator
approved count as approved on the dashboards, in releases and in completeness."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, Framework, Release, ReportingPeriod, Role, SiteReturn, User
from evidence_hub.models.returns import ReturnStatus
from evidence_hub.services.dashboards.costs import cost_figures
from evidence_hub.services.dashboards.scope import (
    DashboardFilters,
    StateFilter,
    filter_options,
    resolve_scope,
)
from evidence_hub.services.releases import reading
from evidence_hub.services.returns import workflow
from evidence_hub.services.returns.errors import ReturnError
from tests.factories import make_user
from tests.release_helpers import demo_world, evaluator, publish


@pytest.fixture
def framework(db: Session, tmp_path: Path) -> Framework:
    return demo_world(db, tmp_path)


def latest_period(framework: Framework) -> ReportingPeriod:
    return list(framework.reporting_periods)[-1]


def returns_of(db: Session, period: ReportingPeriod) -> dict[str, SiteReturn]:
    rows = db.scalars(select(SiteReturn).where(SiteReturn.reporting_period_id == period.id))
    return {site_return.site.code: site_return for site_return in rows}


def close(db: Session, period: ReportingPeriod) -> None:
    with transaction(db):
        workflow.close_period(db, make_user(db, Role.ADMINISTRATOR), period)


def status_rows(db: Session, release: Release, period_code: str) -> dict[str, str]:
    """Each site's "Return" column (approved or not) in the release's returns table for one period."""
    return {
        row[0]: row[4]
        for row in reading.iter_rows(db, release, "returns")
        if row[2] == period_code and row[0] != "all"
    }


def test_closing_a_period_locks_unapproved_returns_as_not_approved(db: Session, framework: Framework) -> None:
    period = latest_period(framework)
    before = {code: site_return.status for code, site_return in returns_of(db, period).items()}
    assert before == {"kent": "submitted", "leeds": "returned", "liverpool": "draft"}

    close(db, period)

    after = returns_of(db, period)
    assert {code: site_return.status for code, site_return in after.items()} == dict.fromkeys(after, "locked")
    assert not any(site_return.is_approved for site_return in after.values())
    assert {site_return.state_label for site_return in after.values()} == {"Locked: not approved"}
    locks = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "return.locked", AuditEvent.object_id.in_([r.id for r in after.values()])
        )
    )
    assert {event.after["approved"] for event in locks if event.after is not None} == {False}


def test_a_release_after_the_close_counts_and_shows_only_approved_returns(
    db: Session, framework: Framework
) -> None:
    period = latest_period(framework)
    close(db, period)

    release = publish(db, framework)

    executive = release.content["summary"]["executive"]["key_points"][0]
    # Kent 7, Leeds 7 and Liverpool City Region 5 quarters were approved; the closed quarter's three were not.
    assert executive.startswith("19 of the 24 returns expected from 3 sites over 8 periods were approved")
    assert status_rows(db, release, period.code) == dict.fromkeys(
        ["kent", "leeds", "liverpool"], "Not approved"
    )
    costs = [
        row
        for row in reading.iter_rows(db, release, "costs")
        if row[2] == period.code and row[0] in ("kent", "leeds", "liverpool")
    ]
    assert costs == [], "a return locked without approval adds nothing to a release's figures"


def test_the_dashboards_approved_returns_leave_out_a_return_locked_without_approval(
    db: Session, framework: Framework
) -> None:
    period = latest_period(framework)
    user = evaluator(db)

    def kent_cost_in(state: StateFilter) -> object:
        options = filter_options(db, user, framework.code)
        scope = resolve_scope(
            db,
            user,
            options,
            DashboardFilters(
                framework_code=framework.code, period_from=period.code, period_to=period.code, state=state
            ),
        )
        figures = cost_figures(db, scope)
        kent = next(site for site in scope.sites if site.code == "kent")
        return figures.by_site.get(kent.id)

    assert kent_cost_in(StateFilter.APPROVED) is None
    close(db, period)
    assert kent_cost_in(StateFilter.APPROVED) is None, "locking does not approve"

    kent_return = returns_of(db, period)["kent"]
    with transaction(db):
        workflow.approve(db, user, kent_return, "Checked against the invoices after the period closed.")
    assert kent_return.is_approved and kent_return.status == ReturnStatus.LOCKED.value
    assert kent_cost_in(StateFilter.APPROVED) is not None


def test_approving_a_locked_return_needs_a_reason_and_withdrawing_an_approval_is_audited(
    db: Session, framework: Framework
) -> None:
    period = latest_period(framework)
    close(db, period)
    kent_return = returns_of(db, period)["kent"]
    user: User = evaluator(db)

    with pytest.raises(ReturnError, match="reason for approving"), transaction(db):
        workflow.approve(db, user, kent_return, "  ")
    with transaction(db):
        workflow.approve(db, user, kent_return, "Invoices checked.")
    with pytest.raises(ReturnError, match="approved before its period closed"), transaction(db):
        workflow.approve(db, user, kent_return, "Again.")
    with transaction(db):
        workflow.withdraw_approval(db, user, kent_return, "The invoices were for another programme.")

    assert not kent_return.is_approved
    actions = list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "return", AuditEvent.object_id == kent_return.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions[-3:] == ["return.locked", "return.approved_after_lock", "return.approval_withdrawn"]
    assert [comment.body for comment in kent_return.comments][-2:] == [
        "Invoices checked.",
        "Approval withdrawn: The invoices were for another programme.",
    ]


def test_reopening_an_approved_return_takes_its_approval_away(db: Session, framework: Framework) -> None:
    kent_return = returns_of(db, latest_period(framework))["kent"]
    user = evaluator(db)
    with transaction(db):
        workflow.approve(db, user, kent_return)
    assert (kent_return.status, kent_return.is_approved) == ("approved", True)

    with transaction(db):
        workflow.reopen(db, user, kent_return, "DWP revised the job entries.")

    assert (kent_return.status, kent_return.is_approved) == ("returned", False)
