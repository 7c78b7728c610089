"""The return workflow from draft to locked: who may take each step, what each step changes, and that
every step leaves an audit record."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    AuditEvent,
    CostItem,
    PeriodStatus,
    ReturnSnapshot,
    ReturnStatus,
    ReviewComment,
    Role,
    SiteReturn,
    User,
)
from evidence_hub.services.common.values import snapshot
from evidence_hub.services.returns import changes as return_changes
from evidence_hub.services.returns import comments as review_comments
from evidence_hub.services.returns import completeness, editing, finding, workflow
from evidence_hub.services.returns.completeness import IncompleteReturn
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.evidence_rows import record_created, record_updated
from tests.factories import make_return, make_user
from tests.returns_helpers import add_cost, fill_return


def actions_for(db: Session, site_return: SiteReturn) -> list[str]:
    """The workflow steps recorded for the return, in order."""
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "return", AuditEvent.object_id == site_return.id)
            .order_by(AuditEvent.id)
        )
    )


def reload(db: Session, site_return: SiteReturn) -> SiteReturn:
    db.expire_all()
    fresh = db.get(SiteReturn, site_return.id)
    assert fresh is not None
    return fresh


def change_cost(db: Session, lead: User, cost: CostItem, amount: str) -> None:
    """The lead changes a cost's amount, as the costs page does: checked, audited, version bumped."""
    with transaction(db):
        editing.require_lead_can_edit(lead, cost.site_return)
        before = snapshot(cost)
        cost.amount = Decimal(amount)
        record_updated(db, lead, cost, before, snapshot(cost))


def test_a_return_goes_from_draft_to_locked_with_every_step_audited(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    administrator = make_user(db, Role.ADMINISTRATOR)
    site_return = make_return(db, "kent")

    # An incomplete draft cannot be submitted; the problems say what the framework still needs.
    with pytest.raises(IncompleteReturn) as incomplete, transaction(db):
        workflow.submit(db, lead, site_return)
    messages = [problem.message for problem in incomplete.value.problems]
    assert any(message.startswith("Enter a value for") for message in messages)
    assert "Choose the data-sharing milestone your site has reached" in messages
    assert "Mark the section 'Supporting documents' as completed" in messages
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.DRAFT
    assert actions_for(db, site_return) == []

    # Complete, with a cost, it is submitted and becomes read-only for the lead.
    cost = add_cost(db, site_return, amount="4500.00")
    site_return = fill_return(db, site_return)
    assert completeness.completeness_problems(db, site_return) == []
    with transaction(db):
        workflow.submit(db, lead, site_return)
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.SUBMITTED
    assert site_return.submitted_by_id == lead.id
    with pytest.raises(ReturnError, match="submitted and is waiting for review"):
        editing.require_lead_can_edit(lead, site_return)
    assert return_changes.changes_since_last_review(db, site_return) is None

    # The evaluator comments on the cost and returns the return with a comment.
    with transaction(db):
        review_comments.add_comment(
            db, evaluator, site_return, "Is this the pilot's share only?", "cost", cost.id
        )
        workflow.return_to_site(db, evaluator, site_return, "Please check the project manager's cost.")
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.RETURNED
    comments = {(comment.item_type, comment.item_id): comment.body for comment in site_return.comments}
    assert comments == {
        ("cost", cost.id): "Is this the pilot's share only?",
        ("return", None): "Please check the project manager's cost.",
    }

    # The lead changes the cost and adds another; the changes show before the return is sent again.
    cost = db.get(CostItem, cost.id)
    assert cost is not None
    change_cost(db, lead, cost, "3000.00")
    added = add_cost(db, site_return, description="Data analyst, 10 days", amount="2500.00")
    with transaction(db):
        record_created(db, lead, added, after=snapshot(added))
    site_return = reload(db, site_return)
    pending = return_changes.changes_since_last_review(db, site_return)
    assert pending is not None and pending.since_round == 1

    with transaction(db):
        workflow.submit(db, lead, site_return)
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.SUBMITTED
    changes = return_changes.changes_since_last_review(db, site_return)
    assert changes is not None and changes.since_round == 1
    described = {
        (change.item, change.description): (change.before, change.after) for change in changes.changes
    }
    assert described[("Project manager, 3 days a week", "Amount changed")] == ("4500", "3000")
    assert ("Data analyst, 10 days", "added") in described
    assert described[("Data analyst, 10 days", "added")][1]["amount"] == "2500"
    assert all(
        not name.endswith("_id") for change in changes.changes if change.after for name in change.after
    )

    # Approved, reopened with a reason, submitted and approved again.
    with transaction(db):
        workflow.approve(db, evaluator, site_return, "Thank you.")
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.APPROVED
    with pytest.raises(ReturnError, match="Enter the reason"), transaction(db):
        workflow.reopen(db, evaluator, site_return, "   ")
    with transaction(db):
        workflow.reopen(db, evaluator, site_return, "The job entries figure was revised by DWP.")
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.RETURNED
    editing.require_lead_can_edit(lead, site_return)
    with transaction(db):
        workflow.submit(db, lead, site_return)
        workflow.approve(db, evaluator, site_return)

    # Closing the period locks the return for good.
    period = site_return.reporting_period
    with transaction(db):
        assert workflow.close_period(db, administrator, period) >= 1
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.LOCKED
    assert site_return.reporting_period.status_enum is PeriodStatus.CLOSED
    with pytest.raises(ReturnError, match="its reporting period has closed"):
        editing.require_lead_can_edit(lead, site_return)
    with pytest.raises(ReturnError), transaction(db):
        workflow.reopen(db, evaluator, site_return, "Too late")

    assert actions_for(db, site_return) == [
        "return.submitted",
        "return.returned",
        "return.submitted",
        "return.approved",
        "return.reopened",
        "return.submitted",
        "return.approved",
        "return.locked",
    ]
    returned = db.scalar(select(AuditEvent).where(AuditEvent.action == "return.returned"))
    assert returned is not None
    assert (returned.actor_id, returned.before, returned.after["status"]) == (
        evaluator.id,
        {"status": "submitted"},
        "returned",
    )
    assert returned.reason == "Please check the project manager's cost."
    reopened = db.scalar(select(AuditEvent).where(AuditEvent.action == "return.reopened"))
    assert reopened is not None and reopened.reason == "The job entries figure was revised by DWP."
    closed = db.scalar(select(AuditEvent).where(AuditEvent.action == "reporting_period.closed"))
    assert closed is not None
    assert (closed.object_type, closed.object_id, closed.actor_id) == (
        "reporting_period",
        period.id,
        administrator.id,
    )
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "cost.updated")) is not None
    comment_records = db.scalars(select(AuditEvent).where(AuditEvent.action == "comment.created")).all()
    assert len(comment_records) == 4  # the item comment, the return comment, approval's and reopening's
    assert [row.round for row in db.scalars(select(ReturnSnapshot).order_by(ReturnSnapshot.round))] == [
        1,
        2,
        3,
    ]


def test_a_submitted_return_can_be_reopened_with_a_reason(db: Session) -> None:
    evaluator = make_user(db, Role.EVALUATOR)
    site_return = make_return(db, "kent", status=ReturnStatus.SUBMITTED)
    with transaction(db):
        workflow.reopen(db, evaluator, site_return, "Sent by mistake, says the site")
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.RETURNED
    assert [comment.body for comment in site_return.comments] == ["Reopened: Sent by mistake, says the site"]
    assert actions_for(db, site_return) == ["return.reopened"]


def test_returning_a_return_needs_a_comment_and_nothing_changes_without_one(db: Session) -> None:
    evaluator = make_user(db, Role.EVALUATOR)
    site_return = make_return(db, "kent", status=ReturnStatus.SUBMITTED)
    with pytest.raises(ReturnError, match="Enter a comment"), transaction(db):
        workflow.return_to_site(db, evaluator, site_return, "  ")
    site_return = reload(db, site_return)
    assert site_return.status_enum is ReturnStatus.SUBMITTED
    assert db.scalar(select(ReviewComment)) is None
    assert actions_for(db, site_return) == []


def test_an_item_from_another_return_cannot_be_commented_on(db: Session) -> None:
    evaluator = make_user(db, Role.EVALUATOR)
    kent = make_return(db, "kent", status=ReturnStatus.SUBMITTED)
    leeds = make_return(db, "leeds")
    leeds_cost = add_cost(db, leeds)
    with pytest.raises(LookupError), transaction(db):
        review_comments.add_comment(db, evaluator, kent, "Wrong return", "cost", leeds_cost.id)
    assert db.scalar(select(ReviewComment)) is None


@pytest.mark.parametrize("role", [Role.SITE_LEAD, Role.NATIONAL_OFFICIAL])
def test_only_evaluators_and_administrators_review(db: Session, role: Role) -> None:
    user = make_user(db, role, site="kent" if role is Role.SITE_LEAD else None)
    site_return = make_return(db, "kent", status=ReturnStatus.SUBMITTED)
    for step in (
        lambda: workflow.approve(db, user, site_return),
        lambda: workflow.return_to_site(db, user, site_return, "Change it"),
        lambda: workflow.reopen(db, user, site_return, "Because"),
        lambda: review_comments.add_comment(db, user, site_return, "A comment"),
    ):
        with pytest.raises(ReturnError, match="Only an evaluator"), transaction(db):
            step()
    assert reload(db, site_return).status_enum is ReturnStatus.SUBMITTED
    assert actions_for(db, site_return) == []
    assert db.scalar(select(ReviewComment)) is None


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SITE_LEAD, Role.NATIONAL_OFFICIAL])
def test_only_administrators_close_periods(db: Session, role: Role) -> None:
    user = make_user(db, role, site="kent" if role is Role.SITE_LEAD else None)
    site_return = make_return(db, "kent")
    with pytest.raises(ReturnError, match="Only an administrator"), transaction(db):
        workflow.close_period(db, user, site_return.reporting_period)
    assert reload(db, site_return).reporting_period.status_enum is PeriodStatus.OPEN


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.ADMINISTRATOR, Role.NATIONAL_OFFICIAL])
def test_only_the_sites_lead_submits(db: Session, role: Role) -> None:
    user = make_user(db, role)
    site_return = fill_return(db, make_return(db, "kent"))
    with pytest.raises(ReturnError, match="Only the site's lead"), transaction(db):
        workflow.submit(db, user, site_return)
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    with pytest.raises(ReturnError, match="Only the site's lead"), transaction(db):
        workflow.submit(db, leeds_lead, site_return)
    assert reload(db, site_return).status_enum is ReturnStatus.DRAFT


def test_a_closed_period_cannot_be_closed_again_and_no_return_can_be_started_in_it(db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR)
    lead = make_user(db, Role.SITE_LEAD, site="leeds")
    site_return = make_return(db, "kent", status=ReturnStatus.APPROVED)
    period = site_return.reporting_period
    with transaction(db):
        assert workflow.close_period(db, administrator, period) == 1
    with pytest.raises(ReturnError, match="already closed"), transaction(db):
        workflow.close_period(db, administrator, period)
    with pytest.raises(ReturnError, match="has closed"), transaction(db):
        workflow.start_return(db, lead, period)


def test_each_role_is_told_what_needs_its_attention(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    draft = make_return(db, "kent", period=0)
    sent_back = make_return(db, "kent", period=1, status=ReturnStatus.RETURNED)
    waiting = make_return(db, "leeds", period=0, status=ReturnStatus.SUBMITTED)
    make_return(db, "kent", period=2, status=ReturnStatus.SUBMITTED)

    for_lead = finding.returns_needing_attention(db, lead)
    assert [item.id for item in for_lead["to_complete"]] == [draft.id]
    assert [item.id for item in for_lead["returned"]] == [sent_back.id]
    assert [(period.code, site.code) for period, site in for_lead["to_start"]] == [("2010-Q1", "kent")]
    assert waiting.id in [item.id for item in finding.returns_needing_attention(db, evaluator)["to_review"]]
    assert finding.returns_needing_attention(db, make_user(db, Role.NATIONAL_OFFICIAL)) == {}


def test_a_lead_is_asked_nothing_about_a_closed_period(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    open_draft = make_return(db, "kent", period=0)
    closed_draft = make_return(db, "kent", period=1)
    closed_returned = make_return(db, "kent", period=2, status=ReturnStatus.RETURNED)
    with transaction(db):
        closed_draft.reporting_period.status = PeriodStatus.CLOSED.value
        closed_returned.reporting_period.status = PeriodStatus.CLOSED.value

    for_lead = finding.returns_needing_attention(db, lead)
    assert [item.id for item in for_lead["to_complete"]] == [open_draft.id]
    assert for_lead["returned"] == []
    closed = {closed_draft.reporting_period.code, closed_returned.reporting_period.code}
    assert not closed & {period.code for period, _site in for_lead["to_start"]}
