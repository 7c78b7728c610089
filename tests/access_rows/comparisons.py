"""Comparison areas, comparison series and the evaluator's ratings: evaluators and administrators only.

Site leads and national officials are refused, but a site lead may upload figures for their own site's
areas: the comparison is the evaluator's, set up once for every site, and a site's self-assessment is
kept apart from the evaluator's rating.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AreaRole, Site, User
from evidence_hub.services.impact import comparisons
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only
from tests.factories import the_framework


def extend_world(session: Session, world: dict[str, Any]) -> None:
    framework = the_framework(session)
    version = comparisons.impact_version(framework)
    assert version is not None
    evaluator = session.scalar(select(User).where(User.email == world["emails"][EVALUATOR]))
    kent = session.get(Site, world["site_id"])
    assert evaluator is not None and kent is not None
    with transaction(session):
        area = comparisons.add_area(
            session,
            evaluator,
            version,
            kent,
            role=AreaRole.COMPARISON,
            area_code="E06000035",
            area_name="Medway",
            observed={"WL-JOB-ENTRY-RATE": "ONS Nomis"},
        )
    world["comparison_framework"] = framework.code
    world["comparison_area_id"] = area.id


EVALUATORS = only({ADMINISTRATOR: 200, EVALUATOR: 200})
EVALUATORS_REDIRECTED = only({ADMINISTRATOR: 302, EVALUATOR: 302})
UPLOADERS = only({ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200})
BASE = "/comparisons/{comparison_framework}"
NEW_AREA = {
    "site": "kent",
    "role": "comparison",
    "area_code": "E08000032",
    "area_name": "Bradford",
    "indicators": "WL-JOB-ENTRY-RATE",
    "how_observed": "ONS Nomis",
}
RATING = {"site": "kent", "indicator": "WL-JOB-ENTRY-RATE", "level": "2", "rationale": "Before and after."}

ROWS = [
    Row("comparisons.index", "GET", BASE, EVALUATORS),
    Row(
        "comparisons.index",
        "GET",
        "/comparisons/no-such-framework",
        only({ADMINISTRATOR: 404, EVALUATOR: 404}),
        note="unknown framework",
    ),
    Row("comparisons.new_area", "GET", BASE + "/areas/new", EVALUATORS),
    # The administrator (tried first) adds the area; the evaluator adding it again is told it is there.
    Row(
        "comparisons.new_area",
        "POST",
        BASE + "/areas/new",
        only({ADMINISTRATOR: 302, EVALUATOR: 200}),
        data=NEW_AREA,
    ),
    Row(
        "comparisons.new_area",
        "POST",
        BASE + "/areas/new",
        EVALUATORS,
        data={**NEW_AREA, "area_code": "E0600003"},
        note="a code that is not a GSS code",
    ),
    Row(
        "comparisons.remove_area",
        "POST",
        BASE + "/areas/{comparison_area_id}/remove",
        # The administrator (tried first) removes it; then it is gone.
        only({ADMINISTRATOR: 302, EVALUATOR: 404}),
    ),
    Row(
        "comparisons.remove_area",
        "POST",
        BASE + "/areas/987654/remove",
        only({ADMINISTRATOR: 404, EVALUATOR: 404}),
        note="no such area",
    ),
    # A site lead uploads figures for their own site's areas only (tests/web/test_impact_pages.py).
    Row("comparisons.upload_series", "GET", BASE + "/series", UPLOADERS),
    Row("comparisons.upload_series", "POST", BASE + "/series", UPLOADERS, note="no file chosen"),
    # Nothing waits from Kent here: accepting says so and goes back (tests/web/test_impact_pages.py).
    Row("comparisons.accept_figures", "POST", BASE + "/sites/kent/accept", EVALUATORS_REDIRECTED),
    Row(
        "comparisons.accept_figures",
        "POST",
        BASE + "/sites/no-such-site/accept",
        only({ADMINISTRATOR: 404, EVALUATOR: 404}),
        note="no such site",
    ),
    Row("comparisons.rate", "GET", BASE + "/ratings", EVALUATORS),
    Row("comparisons.rate", "POST", BASE + "/ratings", EVALUATORS_REDIRECTED, data=RATING),
    Row(
        "comparisons.rate",
        "POST",
        BASE + "/ratings",
        EVALUATORS,
        data={**RATING, "rationale": ""},
        note="no rationale",
    ),
]
