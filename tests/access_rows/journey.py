"""The data-sharing journey and the site's data flows: readers see them; only the site's lead changes
them, from a return that is a draft or returned. Another site's return or data flow is 404 for the
lead, whether in its own address or in the lead's return's."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import DataFlow
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}
# Every form carries the version it was opened at: the return and the flow each start at version 1.
MILESTONE = {"milestone": "J25", "evidence": "A draft business case naming each data set", "version": "1"}
FLOW = {
    "dataset": "Housing Benefit claimants",
    "holder": "Kent County Council",
    "purpose": "To offer employment support to working-age claimants",
    "agreement_status": "in_progress",
    "impact_assessment_status": "not_started",
    "requested_on": ["1", "5", "2009"],
    "approved_on": ["", "", ""],
    "received_on": ["", "", ""],
    "version": "1",
}


def add_flow(session: Session, site_id: int) -> int:
    with transaction(session):
        flow = DataFlow(
            site_id=site_id,
            dataset="Jobseeker's Allowance claimants by postcode",
            holder="DWP",
            purpose="To find streets where many people are out of work",
            requested_on=date(2009, 4, 20),
        )
        session.add(flow)
    return flow.id


def extend_world(session: Session, world: dict[str, Any]) -> None:
    world["data_flow_id"] = add_flow(session, world["site_id"])
    world["other_data_flow_id"] = add_flow(session, world["other_site_id"])


def flow_rows(action: str, post_status: int, data: dict[str, Any]) -> list[Row]:
    rows = []
    for return_part, flow_part, refused, note in (
        ("{return_id}", "{data_flow_id}", None, ""),
        ("{return_id}", "{other_data_flow_id}", 404, "another site's data flow in the lead's return"),
        ("{other_return_id}", "{other_data_flow_id}", 404, "another site"),
        ("{submitted_return_id}", "{data_flow_id}", 403, "submitted"),
    ):
        url = f"/returns/{return_part}/data-flows/{flow_part}/{action}"
        rows.append(
            Row(f"returns.data_flow_{action}", "GET", url, only({SITE_LEAD: refused or 200}), note=note)
        )
        rows.append(
            Row(
                f"returns.data_flow_{action}",
                "POST",
                url,
                only({SITE_LEAD: refused or post_status}),
                data,
                note,
            )
        )
    return rows


ROWS = [
    Row("returns.journey", "GET", "/returns/{return_id}/journey", only(READERS)),
    Row(
        "returns.journey",
        "GET",
        "/returns/{other_return_id}/journey",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row("returns.journey", "GET", "/returns/{submitted_return_id}/journey", only(READERS), note="submitted"),
    *(
        Row(
            "returns.journey_save",
            "POST",
            f"/returns/{part}/journey",
            only({SITE_LEAD: status}),
            MILESTONE,
            note,
        )
        for part, status, note in (
            ("{return_id}", 302, ""),
            ("{other_return_id}", 404, "another site"),
            ("{submitted_return_id}", 403, "submitted"),
        )
    ),
    *(
        Row(
            "returns.data_flow_new",
            method,
            f"/returns/{part}/data-flows/new",
            only({SITE_LEAD: status}),
            data,
            note,
        )
        for part, get_status, post_status, note in (
            ("{return_id}", 200, 302, ""),
            ("{other_return_id}", 404, 404, "another site"),
            ("{submitted_return_id}", 403, 403, "submitted"),
        )
        for method, status, data in (("GET", get_status, {}), ("POST", post_status, FLOW))
    ),
    *flow_rows("edit", 302, FLOW),
    *flow_rows("delete", 302, {"version": "1"}),
]
