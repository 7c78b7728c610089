"""Every log line is one JSON object carrying the id of its request; the response and the error page give
the same id, so a user's report of a failure can be found in the logs of whichever host served it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask
from gunicorn.config import Config

from evidence_hub.cli.gunicorn_logging import JsonAccessLogger
from evidence_hub.guards import public
from evidence_hub.request_log import JsonFormatter, RequestIdFilter
from tests.pages import page, text_of


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """The evidence_hub log as the production handler writes it."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("evidence_hub")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def exploding_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()

    @app.route("/explode")
    @public
    def explode() -> str:
        raise RuntimeError("a fault deep inside")

    return app


def test_a_failure_is_logged_as_json_with_the_id_the_error_page_shows(
    make_app: Callable[..., Flask], log_lines: list[str]
) -> None:
    response = exploding_app(make_app).test_client().get("/explode")

    request_id = response.headers["X-Request-Id"]
    assert len(request_id) == 32
    assert f"quote this reference: {request_id}" in text_of(page(response, status=500))
    [line] = [json.loads(line) for line in log_lines if "Unexpected error" in line]
    assert line["request_id"] == request_id
    assert line["level"] == "ERROR"
    assert line["path"] == "/explode"
    assert "RuntimeError: a fault deep inside" in line["exception"]


def test_an_id_from_the_proxy_in_front_is_kept_and_a_malformed_one_replaced(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app().test_client()
    kept = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a9c21-0001"})
    replaced = client.get("/healthz", headers={"X-Request-Id": 'bad "id" <script>'})

    assert kept.headers["X-Request-Id"] == "lb-7f3a9c21-0001"
    assert replaced.headers["X-Request-Id"] != 'bad "id" <script>'
    assert len(replaced.headers["X-Request-Id"]) == 32
    assert client.get("/healthz").headers["X-Request-Id"] != replaced.headers["X-Request-Id"]


def test_a_page_that_works_does_not_show_a_reference(make_app: Callable[..., Flask]) -> None:
    response = make_app().test_client().get("/sign-in")
    assert "quote this reference" not in response.get_data(as_text=True)


def test_gunicorns_access_log_is_json_even_for_an_address_with_quotes() -> None:
    settings = Config()
    settings.set("accesslog", "-")
    logger = JsonAccessLogger(settings)
    written: list[str] = []
    logger.access_log = SimpleNamespace(info=written.append)
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-Id", "abc12345")])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/a"b',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": '/a"b',
        "REMOTE_ADDR": "10.0.0.1",
    }

    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=42))

    [line] = [json.loads(text) for text in written]
    assert line["path"] == '/a"b'
    assert line["request_id"] == "abc12345"
    assert line["status"] == "200"
    assert line["duration_ms"] == 42.0
