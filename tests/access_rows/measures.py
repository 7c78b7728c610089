"""Impact measures and baselines: readers see the pages; only the site's lead changes them, and only while
the return is a draft or returned. Another site's return, answer or baseline is 404 for the lead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Baseline, MeasureValue, SiteReturn
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}
ENGAGED = "WL-CLIENTS-ENGAGED"
THEME = "VFM"


def return_of(session: Session, return_id: int) -> SiteReturn:
    site_return = session.scalar(select(SiteReturn).where(SiteReturn.id == return_id))
    assert site_return is not None
    return site_return


def add_answer(session: Session, return_id: int) -> None:
    """An answer for WL-CLIENTS-ENGAGED in the return."""
    site_return = return_of(session, return_id)
    indicator = next(i for i in site_return.framework_version.indicators if i.code == ENGAGED)
    with transaction(session):
        session.add(
            MeasureValue(
                site_return_id=site_return.id,
                site_id=site_return.site_id,
                indicator_id=indicator.id,
                value=Decimal("120"),
                target=Decimal("150"),
                data_source="Client tracking spreadsheet",
                quality_rating="good",
                quality_reason="Checked",
                evidence_level_id=indicator.minimum_evidence_level_id,
            )
        )


def add_baseline(session: Session, site_id: int) -> None:
    with transaction(session):
        session.add(
            Baseline(
                site_id=site_id,
                indicator_code=ENGAGED,
                value=Decimal("80"),
                period_description="April 2008 to March 2009",
                source="Client tracking spreadsheet",
            )
        )


def extend_world(session: Session, world: dict[str, Any]) -> None:
    add_baseline(session, world["site_id"])
    add_baseline(session, world["other_site_id"])
    # tests/access_rows/returns.py has made the returns already: it extends the world first.
    for key in ("return_id", "other_return_id", "submitted_return_id"):
        add_answer(session, world[key])


ANSWER = {
    "availability": "available",
    "value": "130",
    "target": "150",
    "data_source": "Client tracking spreadsheet",
    "quality_rating": "good",
    "quality_reason": "Checked against registers",
    "evidence_level": "nesta:2",
    # The version of the answer every world starts with: the form was opened at it.
    "version": "1",
}
BASELINE = {
    "value": "85",
    "period_description": "April 2008 to March 2009",
    "source": "Client tracking spreadsheet",
    "reason": "Recounted without repeat visits",
    "version": "1",
}


def places(page_status: int) -> list[tuple[str, dict[str, int], str]]:
    """The lead's own draft return, another site's return, and the lead's submitted return."""
    return [
        ("{return_id}", {SITE_LEAD: page_status}, ""),
        ("{other_return_id}", {SITE_LEAD: 404}, "another site"),
        ("{submitted_return_id}", {SITE_LEAD: 403}, "submitted"),
    ]


ROWS = [
    Row("returns.measures", "GET", "/returns/{return_id}/measures", only(READERS)),
    # Kent's return asks for comparison figures (tests/access_rows/comparisons.py names its area); Leeds'
    # asks for none, so the page is not found for anyone.
    Row("returns.comparison_figures_page", "GET", "/returns/{return_id}/comparison-figures", only(READERS)),
    Row(
        "returns.comparison_figures_page",
        "GET",
        "/returns/{other_return_id}/comparison-figures",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="another site, which asks for none",
    ),
    Row(
        "returns.comparison_figures_page",
        "GET",
        "/returns/{submitted_return_id}/comparison-figures",
        only(READERS),
        note="submitted",
    ),
    *(
        Row(
            "returns.comparison_figures_save",
            "POST",
            f"/returns/{part}/comparison-figures",
            only({SITE_LEAD: status}),
            {},
            note,
        )
        for part, status, note in (
            ("{return_id}", 302, ""),
            ("{other_return_id}", 404, "another site"),
            ("{submitted_return_id}", 403, "submitted"),
        )
    ),
    Row(
        "returns.measures",
        "GET",
        "/returns/{other_return_id}/measures",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row("returns.measure", "GET", f"/returns/{{return_id}}/measures/{ENGAGED}", only(READERS)),
    Row(
        "returns.measure",
        "GET",
        f"/returns/{{other_return_id}}/measures/{ENGAGED}",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.measure",
        "GET",
        f"/returns/{{submitted_return_id}}/measures/{ENGAGED}",
        only(READERS),
        note="submitted: read only",
    ),
    Row(
        "returns.measure",
        "GET",
        "/returns/{return_id}/measures/WL-NO-SUCH-INDICATOR",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="unknown indicator",
    ),
    *(
        Row(
            "returns.theme_measures",
            "GET",
            f"/returns/{part}/measures/themes/{THEME}",
            only({**status, SITE_LEAD: 200 if status[SITE_LEAD] == 302 else status[SITE_LEAD]}),
            note=note,
        )
        for part, status, note in places(302)
    ),
    *(
        Row(
            "returns.theme_measures",
            "POST",
            f"/returns/{part}/measures/themes/{THEME}",
            only(status),
            {},
            note,
        )
        for part, status, note in places(302)
    ),
    Row(
        "returns.theme_measures",
        "GET",
        "/returns/{return_id}/measures/themes/NO-SUCH-THEME",
        only({SITE_LEAD: 404}),
        note="unknown theme",
    ),
    *(
        Row("returns.measure_save", "POST", f"/returns/{part}/measures/{ENGAGED}", only(status), ANSWER, note)
        for part, status, note in places(302)
    ),
    Row(
        "returns.measure_save",
        "POST",
        "/returns/{return_id}/measures/WL-NO-SUCH-INDICATOR",
        only({SITE_LEAD: 404}),
        ANSWER,
        note="unknown indicator",
    ),
    *(
        Row(
            "returns.measure_delete",
            method,
            f"/returns/{part}/measures/{ENGAGED}/delete",
            only(status),
            {"version": "1"} if method == "POST" else {},
            note=note,
        )
        for part, get_status, post_status, note in (
            ("{return_id}", 200, 302, ""),
            ("{other_return_id}", 404, 404, "another site"),
            ("{submitted_return_id}", 403, 403, "submitted"),
        )
        for method, status in (("GET", {SITE_LEAD: get_status}), ("POST", {SITE_LEAD: post_status}))
    ),
    Row(
        "returns.measure_delete",
        "GET",
        "/returns/{return_id}/measures/WL-REFERRALS/delete",
        only({SITE_LEAD: 404}),
        note="no answer to remove",
    ),
    Row("returns.baseline", "GET", f"/returns/{{return_id}}/baselines/{ENGAGED}", only(READERS)),
    Row(
        "returns.baseline",
        "GET",
        f"/returns/{{other_return_id}}/baselines/{ENGAGED}",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.baseline",
        "GET",
        "/returns/{return_id}/baselines/WL-NO-SUCH-INDICATOR",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="unknown indicator",
    ),
    *(
        Row(
            "returns.baseline_save",
            "POST",
            f"/returns/{part}/baselines/{ENGAGED}",
            only(status),
            BASELINE,
            note,
        )
        for part, status, note in places(302)
    ),
]
