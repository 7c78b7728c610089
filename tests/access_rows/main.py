from tests.access_rows import ADMINISTRATOR, EVERY_ROLE, Row, signed_in_only

ROWS = [
    Row("main.home", "GET", "/", signed_in_only(200)),
    Row("main.programmes", "GET", "/programmes", signed_in_only(200)),
    Row("main.view_programme", "POST", "/programmes/{programme_id}/view", signed_in_only(302)),
    Row(
        "main.view_programme",
        "POST",
        "/programmes/{other_programme_id}/view",
        {**signed_in_only(404), ADMINISTRATOR: 302},
        note="a programme the user does not belong to",
    ),
    Row("main.accessibility", "GET", "/accessibility", dict.fromkeys(EVERY_ROLE, 200)),
    Row("main.privacy", "GET", "/privacy", dict.fromkeys(EVERY_ROLE, 200)),
    Row("main.healthz", "GET", "/healthz", dict.fromkeys(EVERY_ROLE, 200)),
    Row("static", "GET", "/static/app.css", dict.fromkeys(EVERY_ROLE, 200)),
]
