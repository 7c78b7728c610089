"""Learning: readers see the entries; only the site's lead changes them, only while the return is a draft
or returned; only evaluators and administrators clear an entry for national sharing. Another site's
return or entry is 404 for the lead, whether in its own address or in the lead's return's."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import LearningEntry
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only
from tests.access_rows.measures import return_of
from tests.factories import unique_reference

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}
ENTRY = {
    "learning_type": "enabler",
    "dimensions": ["PARTNERSHIP"],
    "theme": "CONTEXT",
    "title": "Jobcentre Plus involved early",
    "what_happened": "Jobcentre Plus helped to write the business case from the start.",
    # The version the form was opened at: every entry starts at version 1.
    "version": "1",
}


def add_entry(session: Session, return_id: int) -> int:
    site_return = return_of(session, return_id)
    dimension = site_return.framework_version.learning_dimensions[0]
    with transaction(session):
        entry = LearningEntry(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            import_reference=unique_reference("L"),
            learning_type="barrier",
            title="Waiting for the legal gateway",
            what_happened="Four months waiting for DWP to confirm the legal basis.",
            dimensions=[dimension],
        )
        session.add(entry)
    return entry.id


def extend_world(session: Session, world: dict[str, Any]) -> None:
    # tests/access_rows/returns.py has made the returns already: it extends the world first.
    world["learning_id"] = add_entry(session, world["return_id"])
    world["other_learning_id"] = add_entry(session, world["other_return_id"])
    world["submitted_learning_id"] = add_entry(session, world["submitted_return_id"])


def entry_rows(action: str, post_status: int, data: dict[str, Any]) -> list[Row]:
    rows = []
    for return_part, entry_part, refused, note in (
        ("{return_id}", "{learning_id}", None, ""),
        ("{return_id}", "{other_learning_id}", 404, "another site's entry in the lead's return"),
        ("{other_return_id}", "{other_learning_id}", 404, "another site"),
        ("{submitted_return_id}", "{submitted_learning_id}", 403, "submitted"),
    ):
        url = f"/returns/{return_part}/learning/{entry_part}/{action}"
        get_status = {SITE_LEAD: refused or 200}
        post = {SITE_LEAD: refused or post_status}
        rows.append(Row(f"returns.learning_{action}", "GET", url, only(get_status), note=note))
        rows.append(Row(f"returns.learning_{action}", "POST", url, only(post), data, note=note))
    return rows


ROWS = [
    Row("returns.learning", "GET", "/returns/{return_id}/learning", only(READERS)),
    Row(
        "returns.learning",
        "GET",
        "/returns/{other_return_id}/learning",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.learning", "GET", "/returns/{submitted_return_id}/learning", only(READERS), note="submitted"
    ),
    *(
        Row(
            "returns.learning_new",
            method,
            f"/returns/{part}/learning/new",
            only({SITE_LEAD: status}),
            data,
            note,
        )
        for part, get_status, post_status, note in (
            ("{return_id}", 200, 302, ""),
            ("{other_return_id}", 404, 404, "another site"),
            ("{submitted_return_id}", 403, 403, "submitted"),
        )
        for method, status, data in (("GET", get_status, {}), ("POST", post_status, ENTRY))
    ),
    *entry_rows("edit", 302, ENTRY),
    *entry_rows("delete", 302, {"version": "1"}),
    Row(
        "returns.learning_national_sharing",
        "POST",
        "/returns/{return_id}/learning/{learning_id}/national-sharing",
        only({ADMINISTRATOR: 302, EVALUATOR: 302}),
        {"cleared": "yes"},
    ),
    Row(
        "returns.learning_national_sharing",
        "POST",
        "/returns/{other_return_id}/learning/{other_learning_id}/national-sharing",
        only({ADMINISTRATOR: 302, EVALUATOR: 302}),
        {"cleared": "yes"},
        note="another site",
    ),
    Row(
        "returns.learning_national_sharing",
        "POST",
        "/returns/{return_id}/learning/{other_learning_id}/national-sharing",
        only({ADMINISTRATOR: 404, EVALUATOR: 404}),
        {"cleared": "yes"},
        note="an entry of another return",
    ),
]
