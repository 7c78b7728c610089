"""Helpers shared by every blueprint: the request's database session, the client address, safe redirects,
page links for long lists, and how the API answers a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Response

from evidence_hub.models import User

SESSION_FACTORY_KEY = "evidence_hub.session_factory"
# How long a client is asked to wait before trying again while the database is unavailable.
DATABASE_RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/v1"
# The API is read-only: every address under it takes these methods and no other.
API_METHODS = "GET, HEAD, OPTIONS"


def db_session() -> Session:
    """The request's database session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        factory = cast(sessionmaker[Session], current_app.extensions[SESSION_FACTORY_KEY])
        g.db_session = factory()
    return cast(Session, g.db_session)


def close_db_session(_exception: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def acting_user() -> User:
    """The signed-in user; only called from views whose access rule requires signing in."""
    return cast(User, current_user._get_current_object())


# The programme a user chose to view, kept in their signed session (only an id: what it allows is checked
# against their memberships on every request).
PROGRAMME_IN_VIEW_KEY = "programme_in_view"


def chosen_programme_id() -> int | None:
    chosen = session.get(PROGRAMME_IN_VIEW_KEY)
    return chosen if isinstance(chosen, int) else None


def client_address() -> str:
    return request.remote_addr or "unknown"


def is_safe_local_path(target: str | None) -> bool:
    """True only for a path on this service, so `next=` can never send someone to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(char) < 32 for char in target)


def pagination(page: int, pages: int, link: Callable[[int], str]) -> dict[str, Any] | None:
    """Page links for a long list (the audit log, all returns) as govukPagination takes them: the
    first, last and nearby pages, with ellipses; None for one page."""
    if pages <= 1:
        return None
    return {
        "previous": {"href": link(page - 1)} if page > 1 else None,
        "next": {"href": link(page + 1)} if page < pages else None,
        "items": [
            {"number": number, "href": link(number), "current": number == page}
            if number in (1, pages) or abs(number - page) <= 2
            else {"ellipsis": True}
            for number in range(1, pages + 1)
            if number in (1, pages) or abs(number - page) <= 3
        ],
    }


def asked_page() -> int:
    """The page of a long list the address asks for (`?page=`): 1 when it names none, or no number."""
    return request.args.get("page", 1, type=int) or 1


class PageOfList(Protocol):
    """A page of a long list, as services.common.paging.ListPage holds it: which page of how many."""

    @property
    def page(self) -> int: ...

    @property
    def pages(self) -> int: ...


def paged_list(listed: PageOfList, title: str, endpoint: str, **values: Any) -> dict[str, Any]:
    """What a page of a long list gives its template: the page itself (`listed`), its GOV.UK pagination
    (links to `endpoint` with `values` and each page's number) and its title, which says which page it
    shows after the first."""
    return {
        "listed": listed,
        "pages": pagination(
            listed.page, listed.pages, lambda number: url_for(endpoint, page=number, **values)
        ),
        "title": f"{title}, page {listed.page} of {listed.pages}" if listed.page > 1 else title,
    }


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def json_error(
    status: int,
    title: str,
    detail: str,
    *,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An API refusal: {"error": {"status", "title", "detail"[, "parameter"]}} with that status."""
    body: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    if parameter is not None:
        body["parameter"] = parameter
    response = jsonify({"error": body})
    response.status_code = status
    response.headers.update(headers or {})
    return response
