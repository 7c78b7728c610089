from tests.access_rows import EVERY_ROLE, Row, signed_in_only

ROWS = [
    Row("main.home", "GET", "/", signed_in_only(200)),
    Row("main.accessibility", "GET", "/accessibility", dict.fromkeys(EVERY_ROLE, 200)),
    Row("main.privacy", "GET", "/privacy", dict.fromkeys(EVERY_ROLE, 200)),
    Row("main.healthz", "GET", "/healthz", dict.fromkeys(EVERY_ROLE, 200)),
    Row("static", "GET", "/static/app.css", dict.fromkeys(EVERY_ROLE, 200)),
]
