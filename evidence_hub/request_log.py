"""One line of JSON per log record, each carrying the id of the request it belongs to.

Behind a load balancer with several hosts, the only way to follow one user's failed request through the
logs is an id that every line of that request carries, that the response returns (`X-Request-Id`) and that
the error page shows, so that a user reporting a problem can quote it. An id set by a trusted proxy in front
of the service is kept, so that the proxy's logs and ours share it; anything else is replaced.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-Id"
# Long enough for a UUID or a load balancer's trace id; nothing that could break a log line or a header.
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
NO_REQUEST = "-"


def current_request_id() -> str:
    if has_request_context() and "request_id" in g:
        return str(g.request_id)
    return NO_REQUEST


def _take_request_id() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if ACCEPTABLE_REQUEST_ID.fullmatch(offered) else secrets.token_hex(16)


def _return_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    return response


class RequestIdFilter(logging.Filter):
    """Gives every record the request id, so both formats can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: the fields a log search needs, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if has_request_context():
            line["method"] = request.method
            line["path"] = request.path
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logger = logging.getLogger("evidence_hub")
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.addFilter(RequestIdFilter())
        if str(app.config["LOG_FORMAT"]).lower() == "text":
            handler.setFormatter(logging.Formatter(TEXT_FORMAT))
        else:
            handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    app.before_request(_take_request_id)
    app.after_request(_return_request_id)
