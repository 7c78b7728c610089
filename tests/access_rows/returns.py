"""The return itself: overview, task list, check answers, starting, marking sections, submitting."""

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.models import ReturnStatus
from tests.access_rows import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVALUATOR,
    NATIONAL_OFFICIAL,
    SITE_LEAD,
    Row,
    only,
)
from tests.factories import make_return, periods_of, the_framework

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}


def extend_world(session: Session, world: dict[str, Any]) -> None:
    framework = the_framework(session)
    world["return_id"] = make_return(session, "kent", period=0).id
    world["other_return_id"] = make_return(session, "leeds", period=0).id
    world["submitted_return_id"] = make_return(session, "kent", period=1, status=ReturnStatus.SUBMITTED).id
    world["open_period_id"] = periods_of(session, framework)[2].id


ROWS = [
    Row("returns.index", "GET", "/returns/", only({ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 302})),
    Row("returns.site_overview", "GET", "/returns/sites/{site_id}", only(READERS)),
    Row(
        "returns.site_overview",
        "GET",
        "/returns/sites/{other_site_id}",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row("returns.start", "POST", "/returns/start/{open_period_id}", only({SITE_LEAD: 302})),
    Row("returns.task_list", "GET", "/returns/{return_id}", only(READERS)),
    Row(
        "returns.task_list",
        "GET",
        "/returns/{other_return_id}",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row("returns.check_answers", "GET", "/returns/{return_id}/check", only(READERS)),
    Row(
        "returns.check_answers",
        "GET",
        "/returns/{other_return_id}/check",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.mark_section",
        "POST",
        "/returns/{return_id}/sections/costs/completed",
        only({SITE_LEAD: 302}),
        data={"completed": "yes"},
    ),
    Row(
        "returns.mark_section",
        "POST",
        "/returns/{other_return_id}/sections/costs/completed",
        only({SITE_LEAD: 404}),
        data={"completed": "yes"},
        note="another site",
    ),
    Row(
        "returns.mark_section",
        "POST",
        "/returns/{submitted_return_id}/sections/costs/completed",
        only({SITE_LEAD: 403}),
        data={"completed": "yes"},
        note="submitted",
    ),
    Row("returns.submitted", "GET", "/returns/{submitted_return_id}/submitted", only({SITE_LEAD: 200})),
    Row(
        "returns.submitted",
        "GET",
        "/returns/{other_return_id}/submitted",
        only({SITE_LEAD: 404}),
        note="another site",
    ),
    # Incomplete: the check page is shown again with what is missing.
    Row(
        "returns.submit", "POST", "/returns/{return_id}/submit", only({SITE_LEAD: 200}), data={"confirm": "y"}
    ),
    Row(
        "returns.submit",
        "POST",
        "/returns/{other_return_id}/submit",
        only({SITE_LEAD: 404}),
        data={"confirm": "y"},
        note="another site",
    ),
]

__all__ = ["ANONYMOUS", "NATIONAL_OFFICIAL", "ROWS", "extend_world"]
