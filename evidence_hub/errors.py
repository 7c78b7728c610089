"""Error pages that say what happened and what to do, and reveal nothing internal."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from evidence_hub.services.common.access import NotVisible

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
}


def render_error(status: int, *, title: str | None = None, message: str | None = None) -> tuple[str, int]:
    default_title, default_message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    page = render_template(
        "errors/error.html", title=title or default_title, message=message or default_message, status=status
    )
    return page, status


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
    def not_visible(error: NotVisible) -> tuple[str, int]:
        # Another site's object and a missing one look the same from outside.
        log.info("Not found or not visible: %s", error)
        return render_error(404)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        # A view that aborts with its own description (e.g. which release is missing) has it shown;
        # werkzeug's generic descriptions are not.
        specific = error.description if error.description != type(error).description else None
        return render_error(status if status in ERROR_PAGES else 400, message=specific)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        log.exception("Unexpected error")
        return render_error(500)
