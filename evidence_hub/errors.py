"""Error pages that say what happened and what to do, and reveal nothing internal.

Under /api/v1 every refusal and failure is JSON instead (web.json_error), whichever part of the service
raised it: routing (an unknown address, a method the API does not take), a view, or the database.
"""

from __future__ import annotations

import logging

from flask import Flask, g, make_response, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from evidence_hub.db import is_database_unavailable
from evidence_hub.services.common.access import NotPermitted, NotVisible, ProgrammeNotActive
from evidence_hub.web import (
    API_METHODS,
    API_PREFIX,
    DATABASE_RETRY_AFTER_SECONDS,
    close_db_session,
    is_api_path,
    json_error,
)

log = logging.getLogger("evidence_hub.errors")

ERROR_PAGES = {
    400: ("Sorry, there is a problem with your request", "The request could not be understood."),
    403: ("You do not have permission to see this page", "Your account does not give you access to it."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    410: (
        "This is no longer available",
        "It has been withdrawn. Use a newer version instead.",
    ),
    413: (
        "The file or form you sent is too large",
        "Go back and send a smaller file. Supporting documents must be 10 MB or smaller.",
    ),
    429: (
        "Too many attempts",
        "You have made too many requests in a short time. Wait 15 minutes, then try again.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. What you saved before the problem has not been lost.",
    ),
    503: (
        "Sorry, the service is unavailable",
        "You will be able to use the service later. Try again in a few minutes. What you saved before "
        "the problem has not been lost.",
    ),
}

API_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def render_error(
    status: int,
    *,
    title: str | None = None,
    message: str | None = None,
    back: tuple[str, str] | None = None,
) -> tuple[str, int]:
    """The error page; `back` is (address, link text) of the page to go back to, where there is one."""
    default_title, default_message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    page = render_template(
        "errors/error.html",
        title=title or default_title,
        message=message or default_message,
        status=status,
        back=back,
    )
    return page, status


def _api_error(status: int, detail: str | None, headers: dict[str, str]) -> Response:
    if status == 405:
        headers = {**headers, "Allow": API_METHODS}
        detail = detail or f"{request.path[:200]} only answers {API_METHODS}: the API is read-only."
    elif status == 404:
        detail = detail or (
            f"There is nothing at {request.path[:200]}. The endpoints are listed in "
            f"{API_PREFIX}/openapi.json."
        )
    return json_error(
        status,
        API_TITLES.get(status, "Error"),
        detail or ERROR_PAGES.get(status, ERROR_PAGES[500])[1],
        headers=headers,
    )


def _headers_of(error: HTTPException) -> dict[str, str]:
    """The headers an HTTP error carries besides its own body's (Allow on a 405, Retry-After on a 429)."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def _database_unavailable() -> Response:
    """503 while the database cannot be used. The request's session is closed first, and the page is
    drawn as if nobody were signed in, so that drawing it asks nothing of the database."""
    close_db_session()
    g._login_user = AnonymousUserMixin()
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
    if is_api_path(request.path):
        return _api_error(503, "The service cannot reach its database. Try again later.", headers)
    response = make_response(render_error(503))
    response.headers.update(headers)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        log.warning("Refused a form without a valid CSRF token: %s", error.description)
        return render_error(
            400,
            title="Your form could not be sent",
            message=(
                "The page had expired or was missing its security check, so nothing was saved. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(NotVisible)
    def not_visible(error: NotVisible) -> Response:
        # Another site's object and a missing one look the same from outside.
        log.info("Not found or not visible: %s", error)
        if is_api_path(request.path):
            return _api_error(404, None, {})
        return make_response(render_error(404))

    @app.errorhandler(ProgrammeNotActive)
    def programme_not_active(error: ProgrammeNotActive) -> Response:
        # A change a closed or archived programme refuses, from a plain button (a form with fields says it
        # beside the field instead): the same words as every other refusal of it.
        log.info("Refused a change to a programme that is not active: %s", error.reason)
        if is_api_path(request.path):
            return json_error(403, "Forbidden", error.reason)
        return make_response(
            render_error(403, title="You cannot change this programme", message=error.reason)
        )

    @app.errorhandler(NotPermitted)
    def not_permitted(error: NotPermitted) -> Response:
        # A service refusing what the acting user may not do (their role, say), past a page's own guard:
        # the same 403 as the guard's, with the service's reason instead of a generic one.
        log.warning("A service refused a change the user may not make: %s", error.reason)
        if is_api_path(request.path):
            return json_error(403, "Forbidden", error.reason)
        return make_response(render_error(403, title="You cannot do this", message=error.reason))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        headers = _headers_of(error)
        # A view that aborts with its own description (e.g. which release is missing) has it shown;
        # werkzeug's generic descriptions are not.
        specific = error.description if error.description != type(error).description else None
        if is_api_path(request.path):
            return _api_error(status, specific, headers)
        if isinstance(error, MethodNotAllowed) and "Allow" not in headers:
            headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
        response = make_response(render_error(status if status in ERROR_PAGES else 400, message=specific))
        response.headers.update(headers)
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> Response:
        if is_database_unavailable(error):
            log.error("The database is unavailable: %s", type(error.orig).__name__)
            return _database_unavailable()
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        log.exception("Unexpected error")
        if is_api_path(request.path):
            return _api_error(500, "Something went wrong on our side. Try again later.", {})
        return make_response(render_error(500))
