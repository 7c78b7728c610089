"""The evaluator's review: evaluators and administrators only; site leads and national officials 403.

Decisions are tried by each allowed role in turn on the same submitted return: the first one taken
redirects back to the review page, and so does the refusal the second role then gets.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.models import ReturnStatus
from tests.access_rows import ADMINISTRATOR, EVALUATOR, Row, only
from tests.returns_helpers import return_in_quarter

REVIEWERS = {ADMINISTRATOR: 200, EVALUATOR: 200}
DECIDED = {ADMINISTRATOR: 302, EVALUATOR: 302}


def extend_world(session: Session, world: dict[str, Any]) -> None:
    world["approved_return_id"] = return_in_quarter(
        session, "leeds", quarter=10, status=ReturnStatus.APPROVED
    ).id
    world["locked_approved_return_id"] = return_in_quarter(
        session, "leeds", quarter=21, status=ReturnStatus.LOCKED
    ).id
    world["locked_unapproved_return_id"] = return_in_quarter(
        session, "leeds", quarter=22, status=ReturnStatus.LOCKED, approved=False
    ).id


SUBMITTED = "/review/returns/{submitted_return_id}"

ROWS = [
    Row("review.index", "GET", "/review/", only(REVIEWERS)),
    Row("review.all_returns", "GET", "/review/returns?status=submitted", only(REVIEWERS)),
    Row("review.review_return", "GET", SUBMITTED, only(REVIEWERS)),
    Row("review.review_return", "GET", "/review/returns/{other_return_id}", only(REVIEWERS), note="draft"),
    Row("review.review_return", "GET", "/review/returns/999999", only({ADMINISTRATOR: 404, EVALUATOR: 404})),
    Row("review.comment", "GET", SUBMITTED + "/comment", only(REVIEWERS)),
    Row(
        "review.comment",
        "POST",
        SUBMITTED + "/comment",
        only(DECIDED),
        data={"item": "return", "body": "Please add the source of the referrals figure."},
    ),
    Row("review.send_back", "GET", SUBMITTED + "/return", only(REVIEWERS)),
    Row(
        "review.send_back",
        "POST",
        SUBMITTED + "/return",
        only(DECIDED),
        data={"comment": "Separate the pilot's costs from the team's."},
    ),
    Row("review.approve", "GET", SUBMITTED + "/approve", only(REVIEWERS)),
    Row("review.approve", "POST", SUBMITTED + "/approve", only(DECIDED), data={"comment": ""}),
    Row("review.approve", "GET", "/review/returns/{return_id}/approve", only(DECIDED), note="draft"),
    Row(
        "review.approve",
        "GET",
        "/review/returns/{locked_unapproved_return_id}/approve",
        only(REVIEWERS),
        note="locked before it was approved",
    ),
    Row(
        "review.approve",
        "POST",
        "/review/returns/{locked_unapproved_return_id}/approve",
        only(DECIDED),
        data={"comment": "The site's figures were checked after the period closed."},
        note="locked before it was approved",
    ),
    Row(
        "review.withdraw_approval",
        "GET",
        "/review/returns/{locked_approved_return_id}/withdraw-approval",
        only(REVIEWERS),
    ),
    Row(
        "review.withdraw_approval",
        "POST",
        "/review/returns/{locked_approved_return_id}/withdraw-approval",
        only(DECIDED),
        data={"reason": "DWP corrected the job entries after the period closed."},
    ),
    Row(
        "review.withdraw_approval",
        "GET",
        "/review/returns/{locked_unapproved_return_id}/withdraw-approval",
        only(DECIDED),
        note="not approved: sent back to the return",
    ),
    Row("review.reopen", "GET", "/review/returns/{approved_return_id}/reopen", only(REVIEWERS)),
    Row(
        "review.reopen",
        "POST",
        "/review/returns/{approved_return_id}/reopen",
        only(DECIDED),
        data={"reason": "DWP revised the job entries figure."},
    ),
]
