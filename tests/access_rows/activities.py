"""Activities of a return: readers see the section; only the site's lead changes it, and only while the
return is a draft or returned. Another site's return or activity is 404 for the lead."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Activity
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only
from tests.access_rows.costs import item_rows, new_rows, return_of
from tests.factories import unique_reference

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}


def add_activity(session: Session, return_id: int) -> int:
    site_return = return_of(session, return_id)
    period = site_return.reporting_period
    with transaction(session):
        item = Activity(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            import_reference=unique_reference("A"),
            activity_type_id=site_return.framework_version.activity_types[0].id,
            title="Steering group meeting",
            starts_on=period.starts_on,
            ends_on=period.starts_on,
            partner_types=[],
        )
        session.add(item)
    return item.id


def extend_world(session: Session, world: dict[str, Any]) -> None:
    """An activity in the lead's draft return, in Leeds' return and in the submitted return."""
    for prefix, return_key in (
        ("", "return_id"),
        ("other_", "other_return_id"),
        ("submitted_", "submitted_return_id"),
    ):
        world[f"{prefix}activity_id"] = add_activity(session, world[return_key])


ROWS = [
    Row("returns.activities", "GET", "/returns/{return_id}/activities", only(READERS)),
    Row(
        "returns.activities",
        "GET",
        "/returns/{other_return_id}/activities",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.activities",
        "GET",
        "/returns/{submitted_return_id}/activities",
        only(READERS),
        note="submitted",
    ),
    *new_rows("activity", "activities"),
    *item_rows("activity", "activities", "activity"),
]
