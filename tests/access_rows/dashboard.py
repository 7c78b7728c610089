"""Dashboards: evaluators, administrators and site leads; national officials receive released outputs.

A site lead sees their own site's profile and not another site's, because cross-site sharing is off
unless an administrator turns it on (tests/unit/test_dashboard_figures.py covers sharing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.chart_assets.views import plotly_js_version
from evidence_hub.dashboard.views import VIEWS
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only, signed_in_only
from tests.factories import the_framework


def extend_world(session: Session, world: dict[str, Any]) -> None:
    world["dashboard_framework"] = the_framework(session).code


DASHBOARD_USERS = only({ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200})
# Uploads for the appraisal: evaluators and administrators; a POST with no file shows the form's errors.
UPLOADERS = only({ADMINISTRATOR: 200, EVALUATOR: 200})
OWN_SITE_ONLY = only({ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 404})
FILTERS = "?framework={dashboard_framework}"

ROWS = [
    Row("dashboard.index", "GET", "/dashboard/", DASHBOARD_USERS),
    Row("dashboard.glossary", "GET", "/dashboard/glossary", DASHBOARD_USERS),
    *(
        Row(endpoint, method, f"/dashboard/value-for-money/{path}{FILTERS}", UPLOADERS)
        for endpoint, path in (
            ("dashboard.upload_deflators", "deflators"),
            ("dashboard.upload_area_sizes", "area-sizes"),
        )
        for method in ("GET", "POST")
    ),
    *(
        Row("dashboard.view", "GET", f"/dashboard/{slug}{FILTERS}", DASHBOARD_USERS, note=slug)
        for slug in VIEWS
    ),
    Row(
        "dashboard.view",
        "GET",
        "/dashboard/costs?framework=no-such-framework",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="unknown framework",
    ),
    Row("dashboard.download", "GET", f"/dashboard/costs/by-site.csv{FILTERS}", DASHBOARD_USERS),
    Row(
        "dashboard.download",
        "GET",
        f"/dashboard/completeness/grid.csv{FILTERS}",
        DASHBOARD_USERS,
        note="completeness grid",
    ),
    Row(
        "dashboard.download",
        "GET",
        f"/dashboard/costs/no-such-chart.csv{FILTERS}",
        only({ADMINISTRATOR: 404, EVALUATOR: 404, SITE_LEAD: 404}),
        note="unknown chart",
    ),
    Row("dashboard.site_profile", "GET", f"/dashboard/sites/kent{FILTERS}", DASHBOARD_USERS),
    Row(
        "dashboard.site_profile",
        "GET",
        f"/dashboard/sites/leeds{FILTERS}",
        OWN_SITE_ONLY,
        note="another site, sharing off",
    ),
    Row("dashboard.site_download", "GET", f"/dashboard/sites/kent/over-time.csv{FILTERS}", DASHBOARD_USERS),
    Row(
        "dashboard.site_download",
        "GET",
        f"/dashboard/sites/leeds/over-time.csv{FILTERS}",
        OWN_SITE_ONLY,
        note="another site, sharing off",
    ),
    Row("dashboard.learning_entries", "GET", f"/dashboard/learning/entries{FILTERS}", DASHBOARD_USERS),
    Row(
        "chart_assets.plotly_js",
        "GET",
        f"/static/vendor/plotly-{plotly_js_version()}.min.js",
        signed_in_only(200, anonymous=200),
    ),
]
