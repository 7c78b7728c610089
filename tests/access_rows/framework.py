"""The evaluation framework: everyone signed in browses it; only administrators upload, publish and delete.

The world holds a small framework (tests/fixtures/frameworks/minimal.yaml) with version 1 published and
version 2 as a draft. Drafts are shown only to administrators and evaluators: others get 404, as if the
draft did not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.services.framework.lifecycle import import_framework, publish_version
from tests.access_rows import (
    ADMINISTRATOR,
    EVALUATOR,
    NATIONAL_OFFICIAL,
    SITE_LEAD,
    Row,
    only,
    signed_in_only,
)

MINIMAL_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "minimal.yaml"
LIVE = "/framework/{framework_code}/1"
DRAFT = "/framework/{framework_code}/2"


def extend_world(session: Session, world: dict[str, Any]) -> None:
    text = MINIMAL_FILE.read_text()
    with transaction(session):
        live = import_framework(session, text, actor=None).version
        publish_version(session, live, actor=None)
        import_framework(session, text.replace("\nversion: 1\n", "\nversion: 2\n"), actor=None)
    world["framework_code"] = live.framework.code


def draft_visible_to_reviewers(status: int) -> dict[str, int]:
    """Administrators and evaluators see drafts; other signed-in users are told there is no such page."""
    return only({ADMINISTRATOR: status, EVALUATOR: status, SITE_LEAD: 404, NATIONAL_OFFICIAL: 404})


def admin_only(status: int) -> dict[str, int]:
    return only({ADMINISTRATOR: status})


ROWS = [
    Row("framework.index", "GET", "/framework/", signed_in_only(200)),
    Row("framework.current", "GET", "/framework/{framework_code}", signed_in_only(302)),
    Row("framework.current", "GET", "/framework/no-such-framework", signed_in_only(404), note=" (unknown)"),
    Row("framework.version", "GET", LIVE, signed_in_only(200)),
    Row("framework.version", "GET", DRAFT, draft_visible_to_reviewers(200), note=" (draft)"),
    Row("framework.version", "GET", "/framework/{framework_code}/99", signed_in_only(404), note=" (unknown)"),
    Row("framework.indicator", "GET", LIVE + "/indicators/T-CLIENTS", signed_in_only(200)),
    Row(
        "framework.indicator",
        "GET",
        DRAFT + "/indicators/T-CLIENTS",
        draft_visible_to_reviewers(200),
        note=" (draft)",
    ),
    Row(
        "framework.indicator",
        "GET",
        LIVE + "/indicators/NO-SUCH-CODE",
        signed_in_only(404),
        note=" (unknown)",
    ),
    Row("framework.cost_categories", "GET", LIVE + "/cost-categories", signed_in_only(200)),
    Row("framework.learning", "GET", LIVE + "/learning-and-activities", signed_in_only(200)),
    Row("framework.journey", "GET", LIVE + "/data-sharing-journey", signed_in_only(200)),
    Row("framework.evidence_scales", "GET", LIVE + "/evidence-scales", signed_in_only(200)),
    Row("framework.changes", "GET", LIVE + "/changes", signed_in_only(200)),
    Row("framework.changes", "GET", DRAFT + "/changes", draft_visible_to_reviewers(200), note=" (draft)"),
    Row("framework.search", "GET", LIVE + "/search?q=clients", signed_in_only(200)),
    Row("framework.download_yaml", "GET", LIVE + "/framework.yaml", signed_in_only(200)),
    Row(
        "framework.download_yaml",
        "GET",
        DRAFT + "/framework.yaml",
        draft_visible_to_reviewers(200),
        note=" (draft)",
    ),
    Row("framework.download_xlsx", "GET", LIVE + "/data-dictionary.xlsx", signed_in_only(200)),
    Row("framework.schema", "GET", "/framework/schema.json", signed_in_only(200)),
    # Without a file the administrator sees the form again with an error, and nothing changes.
    Row("framework.upload", "GET", "/framework/upload", admin_only(200)),
    Row("framework.upload", "POST", "/framework/upload", admin_only(200)),
    Row("framework.publish", "GET", DRAFT + "/publish", admin_only(200)),
    Row("framework.publish", "POST", DRAFT + "/publish", admin_only(302)),
    # The live version cannot be published again: the page explains why, and nothing changes.
    Row("framework.publish", "POST", LIVE + "/publish", admin_only(200), note=" (already published)"),
    Row("framework.delete", "GET", DRAFT + "/delete", admin_only(200)),
    Row("framework.delete", "POST", DRAFT + "/delete", admin_only(302)),
    Row("framework.delete", "POST", LIVE + "/delete", admin_only(200), note=" (published: refused)"),
]

ROWS += [
    Row("framework.sharing", "GET", "/framework/{framework_code}/sharing", admin_only(200)),
    Row(
        "framework.sharing",
        "POST",
        "/framework/{framework_code}/sharing",
        admin_only(302),
        data={"sharing": "on"},
    ),
    Row(
        "framework.sharing",
        "GET",
        "/framework/no-such-framework/sharing",
        admin_only(404),
        note="no such framework",
    ),
]
