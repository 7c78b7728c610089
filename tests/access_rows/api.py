"""The JSON API: answered for a personal API token only, never for a browser session.

Every client here is signed in with a session cookie (or anonymous) and sends no token, so every
operation but the OpenAPI document refuses it with 401. What each role's token may call is tested in
tests/web/test_api.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.api.openapi import OPERATIONS
from tests.access_rows import EVERY_ROLE, Row
from tests.factories import the_framework


def extend_world(session: Session, world: dict[str, Any]) -> None:
    world["api_framework"] = the_framework(session).code


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(EVERY_ROLE, status)


# The refusal comes before any lookup, so a release need not exist for its rows to be checked.
EXAMPLE_VALUES = {"code": "{api_framework}", "reference": "WDS-2026-01", "table_code": "costs"}


def _example_url(path: str) -> str:
    url = "/api/v1" + path
    for name, value in EXAMPLE_VALUES.items():
        url = url.replace("{" + name + "}", value)
    return url


ROWS = [
    *(
        Row(
            f"api.{operation.name}",
            "GET",
            _example_url(operation.path),
            everyone(401 if operation.needs_token else 200),
        )
        for operation in OPERATIONS
    ),
    *(
        Row("api.unknown", method, "/api/v1/no-such-endpoint", everyone(404), note=method)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE")
    ),
    Row("api.unknown", "GET", "/api/v1", everyone(404), note="the API's root"),
    Row("api.unknown", "POST", "/api/v1/frameworks", everyone(405), note="a method the API does not take"),
    Row("api.unknown", "OPTIONS", "/api/v1/frameworks", everyone(200), note="the methods the API takes"),
]
