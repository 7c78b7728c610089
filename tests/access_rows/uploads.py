"""Spreadsheet templates and uploads: the site's own lead only, on an editable return."""

from tests.access_rows import SITE_LEAD, Row, only

ROWS = [
    Row("returns.upload", "GET", "/returns/{return_id}/upload/costs", only({SITE_LEAD: 200})),
    Row(
        "returns.upload",
        "GET",
        "/returns/{other_return_id}/upload/costs",
        only({SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.upload",
        "GET",
        "/returns/{submitted_return_id}/upload/costs",
        only({SITE_LEAD: 403}),
        note="submitted",
    ),
    Row(
        "returns.upload",
        "GET",
        "/returns/{return_id}/upload/nothing",
        only({SITE_LEAD: 404}),
        note="unknown section",
    ),
    # No file chosen: the form is shown again with its message.
    Row("returns.upload", "POST", "/returns/{return_id}/upload/costs", only({SITE_LEAD: 200})),
    Row(
        "returns.upload",
        "POST",
        "/returns/{other_return_id}/upload/costs",
        only({SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.upload_template",
        "GET",
        "/returns/{return_id}/upload/costs/template.xlsx",
        only({SITE_LEAD: 200}),
    ),
    Row(
        "returns.upload_template",
        "GET",
        "/returns/{return_id}/upload/measures/template.csv",
        only({SITE_LEAD: 200}),
        note="csv",
    ),
    Row(
        "returns.upload_template",
        "GET",
        "/returns/{other_return_id}/upload/costs/template.xlsx",
        only({SITE_LEAD: 404}),
        note="another site",
    ),
    Row(
        "returns.upload_template",
        "GET",
        "/returns/{return_id}/upload/costs/template.exe",
        only({SITE_LEAD: 404}),
        note="unknown format",
    ),
]
