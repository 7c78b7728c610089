"""Background jobs: only administrators see them."""

from tests.access_rows import ADMINISTRATOR, Row, only

ROWS = [
    Row("background_jobs.index", "GET", "/admin/background-jobs", only({ADMINISTRATOR: 200})),
    Row(
        "background_jobs.index",
        "GET",
        "/admin/background-jobs?status=failed",
        only({ADMINISTRATOR: 200}),
        note=" (failed only)",
    ),
    Row(
        "background_jobs.index",
        "GET",
        "/admin/background-jobs?status=lost",
        only({ADMINISTRATOR: 404}),
        note=" (unknown state)",
    ),
]
