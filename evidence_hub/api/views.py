"""The read-only JSON API under /api/v1, answered for a personal API token and nothing else.

Routes come from the one description in api/openapi.py. Every view is `@public` to the session guard:
the browser session plays no part here (it is set aside before the guard runs), and the token is checked
by `_authenticate` before each view, against the roles its operation declares. A view with no declared
operation is refused, so an undeclared route fails closed.

Nothing is written for a refused request. A successful one records the token's use and, when it returns
evidence from a release, an audit record, in one transaction at the end of the view (`_answer`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, current_app, g, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.sessions import SessionInterface, SessionMixin
from flask.wrappers import Request
from flask.wrappers import Response as FlaskResponse
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from evidence_hub.api import openapi
from evidence_hub.api.openapi import DEFAULT_PER_PAGE, MAX_PER_PAGE, OPERATIONS_BY_NAME, Operation
from evidence_hub.db import transaction
from evidence_hub.extensions import login_manager
from evidence_hub.guards import public
from evidence_hub.models import ApiToken, Framework, FrameworkVersion, Release, User
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.accounts import sites as site_service
from evidence_hub.services.accounts.api_tokens import TokenRefused
from evidence_hub.services.common.access import visible_site_ids
from evidence_hub.services.common.paging import page_count
from evidence_hub.services.framework import finding
from evidence_hub.services.framework.version_rows import definition_of
from evidence_hub.services.releases import reading
from evidence_hub.services.releases.reading import ReleaseUnavailable
from evidence_hub.web import API_METHODS, db_session, is_api_path, json_error

api = Blueprint("api", __name__, url_prefix=openapi.API_PREFIX)
security_log = logging.getLogger("evidence_hub.security")
log = logging.getLogger("evidence_hub.api")

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

# Query values longer than this cannot be a page number anyone means (and int() of a huge string is slow).
MAX_NUMBER_LENGTH = 9


class ApiError(Exception):
    """A refusal answered as JSON: {"error": {"status", "title", "detail"[, "parameter"]}}."""

    def __init__(self, status: int, title: str, detail: str, *, parameter: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.parameter = parameter


def error_response(
    status: int, title: str, detail: str, *, parameter: str | None = None, challenge: str | None = None
) -> Response:
    headers = {"WWW-Authenticate": challenge} if challenge is not None else None
    return json_error(status, title, detail, parameter=parameter, headers=headers)


# --- Declaring routes ------------------------------------------------------------------------------------


class _UnknownPaths:
    """The declaration of the view that answers addresses under /api/v1 that match no operation: it
    needs no token, because all it ever says is that there is nothing there."""


def operation(name: str) -> Callable[[ViewT], ViewT]:
    """Register the view at its documented path and attach the operation that declares its roles."""
    described = OPERATIONS_BY_NAME[name]

    def register(view: ViewT) -> ViewT:
        if view.__name__ != described.name:
            raise TypeError(f"View {view.__name__} is registered as operation {described.name}")
        view.api_operation = described  # type: ignore[attr-defined]
        # OPTIONS is answered by `unknown`, in JSON like everything else here.
        api.add_url_rule(
            described.flask_rule,
            endpoint=described.name,
            view_func=view,
            methods=["GET"],
            provide_automatic_options=False,
        )
        return view

    return register


def _declared_operation() -> Operation | _UnknownPaths | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "api_operation", None)


class _NoSessionForTheApi(SessionInterface):
    """The app's session interface, except that requests to the API get no session at all: the cookie
    is neither read nor refreshed, so an API answer can never depend on, or change, a browser session."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if is_api_path(request.path):
            return None  # Flask then uses a null session, which it never saves.
        return self.inner.open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: FlaskResponse) -> None:
        self.inner.save_session(app, session, response)


@api.record_once
def _stop_sessions_for_the_api(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)
    app.session_interface = _NoSessionForTheApi(app.session_interface)


@api.before_app_request
def _set_browser_session_aside() -> None:
    """Nobody is signed in, as far as an API request goes: Flask-Login finds an anonymous user already
    loaded, so it neither reads a remember-me cookie nor writes the (null) session.

    Registered as an app-wide hook so that it runs before the session guard, which would otherwise look
    for the signed-in user.
    """
    if request.blueprint == api.name:
        g._login_user = login_manager.anonymous_user()


@api.before_request
def _authenticate() -> None:
    """Check the token against the roles the operation declares; refuse an operation that declares none."""
    declared = _declared_operation()
    if declared is None or (isinstance(declared, Operation) and declared.roles == frozenset()):
        security_log.error("Refused %s: API endpoint %s declares no roles", request.path, request.endpoint)
        raise ApiError(403, "Endpoint closed", "This endpoint is not open to any token.")
    if isinstance(declared, _UnknownPaths) or declared.roles is None:
        return
    token = api_tokens.authenticate(db_session(), request.headers.get("Authorization"))
    if token.role not in {role.value for role in declared.roles}:
        security_log.warning(
            "Refused API token %s (%s) used beyond its role for %s", token.id, token.role, request.path
        )
        raise ApiError(
            403,
            "Token used beyond its role",
            f"This token was made for {api_tokens.role_phrase(token.role)}, which cannot call "
            f"{request.path}. Only tokens made by {openapi.roles_in_words(declared.roles)} can.",
        )
    g.api_token = token


# --- Errors ----------------------------------------------------------------------------------------------


@api.errorhandler(TokenRefused)
def _token_refused(error: TokenRefused) -> Response:
    security_log.info("Refused API token for %s: %s", request.path, error.title)
    challenge = None
    if error.status == 401:
        sent = bool((request.headers.get("Authorization") or "").strip())
        challenge = 'Bearer realm="Evidence Hub API"' + (', error="invalid_token"' if sent else "")
    return error_response(error.status, error.title, error.detail, challenge=challenge)


@api.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.title, error.detail, parameter=error.parameter)


@api.errorhandler(ReleaseUnavailable)
def _release_unavailable(error: ReleaseUnavailable) -> Response:
    if error.status_code == 410:
        return error_response(410, "Release withdrawn", str(error))
    return error_response(404, "Not found", str(error))


# Any other error (an unknown address, a method the API does not take, a failure) is answered in JSON by the
# app's error handlers (evidence_hub/errors.py), which know the API's addresses.


# --- Answering -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceGiven:
    """What a successful answer gave from a release, for the audit record."""

    release: Release
    what: str
    details: dict[str, Any]


def _answer(body: dict[str, Any], evidence: EvidenceGiven | None = None) -> Response:
    """A successful answer: the token's use (and the evidence given) recorded in one transaction."""
    token: ApiToken | None = g.get("api_token")
    if token is not None:
        session = db_session()
        with transaction(session):
            api_tokens.mark_used(token)
            if evidence is not None:
                reading.record_download(
                    session, token.user, evidence.release, evidence.what, **evidence.details
                )
    return jsonify(body)


def _token_user() -> User:
    token: ApiToken = g.api_token
    return token.user


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _whole_number(name: str, default: int, minimum: int, maximum: int | None) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    within = f"from {minimum} to {maximum}" if maximum is not None else f"of {minimum} or more"
    if not text.isascii() or not text.isdigit() or len(text) > MAX_NUMBER_LENGTH:
        raise ApiError(
            400,
            "Invalid query parameter",
            f"{name} must be a whole number {within}; {text[:40]!r} is not.",
            parameter=name,
        )
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        raise ApiError(
            400, "Invalid query parameter", f"{name} must be {within}; {value} is not.", parameter=name
        )
    return value


def _page_request() -> PageRequest:
    return PageRequest(
        page=_whole_number("page", 1, 1, None),
        per_page=_whole_number("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def _page_envelope(wanted: PageRequest, total: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meta and links of one page of `total` items; a page after the last one is refused."""
    pages = page_count(total, wanted.per_page)
    if wanted.page > pages:
        raise ApiError(
            400,
            "Invalid query parameter",
            f"page {wanted.page} is after the last page: there {'is' if pages == 1 else 'are'} "
            f"{pages} page{'' if pages == 1 else 's'} of {wanted.per_page} for {total} item"
            f"{'' if total == 1 else 's'}.",
            parameter="page",
        )

    def link(page: int) -> str:
        return url_for(
            request.endpoint or "", **(request.view_args or {}), page=page, per_page=wanted.per_page
        )

    meta = {"page": wanted.page, "per_page": wanted.per_page, "total": total, "pages": pages}
    links = {
        "self": link(wanted.page),
        "first": link(1),
        "last": link(pages),
        "prev": link(wanted.page - 1) if wanted.page > 1 else None,
        "next": link(wanted.page + 1) if wanted.page < pages else None,
    }
    return meta, links


# --- The operations --------------------------------------------------------------------------------------


@operation("openapi_document")
@public
def openapi_document() -> Response:
    """The OpenAPI document of this API."""
    return jsonify(openapi.document())


@operation("frameworks")
@public
def frameworks() -> Response:
    """Every framework of the token user's programmes with a published version."""
    listed = []
    for framework in finding.list_frameworks(db_session(), _token_user()):
        version = framework.published_version
        if version is not None and version.published_at is not None:
            listed.append(
                {
                    **_framework_summary(framework, version, version.published_at),
                    "links": {"self": url_for("api.framework", code=framework.code)},
                }
            )
    return _answer({"data": listed})


def _framework_summary(
    framework: Framework, version: FrameworkVersion, published_at: datetime
) -> dict[str, Any]:
    return {
        "code": framework.code,
        "name": framework.name,
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "published_at": published_at.isoformat(),
        "description": version.description,
    }


@operation("framework")
@public
def framework(code: str) -> Response:
    """A framework's published version with all its content."""
    session = db_session()
    not_found = ApiError(404, "Not found", f"There is no published framework with the code {code[:60]!r}.")
    found = finding.find_framework(session, code)
    published = found.published_version if found is not None else None
    if found is None or published is None or published.published_at is None:
        raise not_found
    version = finding.version_for_browsing(session, found.code, published.version, _token_user())
    if version is None:
        raise not_found
    content = openapi.plain_value(definition_of(version))
    body = {
        **_framework_summary(found, version, published.published_at),
        **{
            key: value
            for key, value in content.items()
            if key not in ("code", "name", "version", "effective_from", "description")
        },
        "links": {"self": url_for("api.framework", code=found.code)},
    }
    return _answer(body)


@operation("sites")
@public
def sites() -> Response:
    """The pilot sites of the token user's programmes; a site lead's token sees only their own."""
    user = _token_user()
    site_ids = visible_site_ids(user)
    listed = [
        {
            "code": summary.site.code,
            "name": summary.site.name,
            "region": summary.site.region,
            "local_authorities": list(summary.site.local_authorities),
            "active": summary.site.is_active,
        }
        for summary in site_service.list_sites(db_session())
        if site_ids is None or summary.site.id in site_ids
    ]
    return _answer({"data": listed})


def _release_framework(release: Release) -> dict[str, Any]:
    return {
        "code": release.framework.code,
        "name": release.framework.name,
        "version": release.framework_version.version if release.framework_version is not None else None,
    }


@operation("releases")
@public
def releases() -> Response:
    """One page of the releases the token's owner may see, newest first."""
    wanted = _page_request()
    visible = reading.releases_for(db_session(), _token_user())
    meta, links = _page_envelope(wanted, len(visible))
    data = [
        {
            "reference": release.reference,
            "title": release.title,
            "framework": _release_framework(release),
            "period_label": release.period_label,
            "published_at": release.published_at.isoformat(),
            "status": release.status,
            "links": {"self": url_for("api.release", reference=release.reference)},
        }
        for release in visible[wanted.offset : wanted.offset + wanted.per_page]
    ]
    return _answer({"data": data, "meta": meta, "links": links})


@operation("release")
@public
def release(reference: str) -> Response:
    """A release's details, tables, disclosure control and caveats."""
    user = _token_user()
    found = reading.release_for(db_session(), user, reference)
    tables = [
        {
            **definition.as_json(),
            "links": {
                "rows": url_for("api.release_table", reference=found.reference, table_code=definition.code)
            },
        }
        for definition in reading.table_definitions(found)
    ]
    body = {
        "reference": found.reference,
        "title": found.title,
        "framework": _release_framework(found),
        "period_label": found.period_label,
        "period_from": {"code": found.period_from.code, "name": found.period_from.name},
        "period_to": {"code": found.period_to.code, "name": found.period_to.name},
        "site_codes": list(found.site_codes),
        "published_at": found.published_at.isoformat(),
        "status": found.status,
        "fingerprint": found.fingerprint,
        "threshold": found.threshold,
        "round_to": found.round_to,
        "tables": tables,
        "disclosure": list(found.content.get("disclosure", [])),
        "caveats": list(found.content.get("caveats", [])),
        "value_for_money": (found.content.get("summary") or {}).get("value_for_money") or None,
        "impact": found.content.get("summary", {}).get("impact"),
        "links": {
            "self": url_for("api.release", reference=found.reference),
            "releases": url_for("api.releases"),
        },
    }
    return _answer(body, EvidenceGiven(found, "api:release", {}))


@operation("release_table")
@public
def release_table(reference: str, table_code: str) -> Response:
    """One page of a release's table, each row keyed by column."""
    wanted = _page_request()
    session = db_session()
    found = reading.release_for(session, _token_user(), reference)
    definition = reading.table_definition(found, table_code)
    meta, links = _page_envelope(wanted, definition.row_count)
    keys = [column.key for column in definition.columns]
    rows = [
        dict(zip(keys, cells, strict=True))
        for cells in reading.iter_rows(
            session, found, definition.code, offset=wanted.offset, limit=wanted.per_page
        )
    ]
    body = {
        "release": found.reference,
        "table": {"code": definition.code, "title": definition.title, "description": definition.description},
        "columns": [column.__dict__ for column in definition.columns],
        "data": rows,
        "meta": meta,
        "links": links,
    }
    evidence = EvidenceGiven(
        found, "api:table", {"table": definition.code, "page": wanted.page, "per_page": wanted.per_page}
    )
    return _answer(body, evidence)


# --- Addresses that match no operation -------------------------------------------------------------------

# Every method anyone sends, so that each gets its answer here in JSON; any other is refused as 405 in JSON
# by the app's error handlers.
EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@public
def unknown(path: str = "") -> Response:
    """Any other address under /api/v1, or a method an operation does not take: a JSON answer."""
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint = adapter.match(method="GET")[0] if adapter is not None else None
    except HTTPException:
        endpoint = None
    if endpoint is not None and endpoint != "api.unknown":
        response: Response
        if request.method == "OPTIONS":
            response = jsonify({"methods": API_METHODS.split(", ")})
        else:
            response = error_response(
                405, "Method not allowed", f"{request.path} only answers {API_METHODS}: the API is read-only."
            )
        response.headers["Allow"] = API_METHODS
        return response
    return error_response(
        404,
        "Not found",
        f"There is nothing at {request.path[:200]}. The endpoints are listed in "
        f"{url_for('api.openapi_document')}.",
    )


unknown.api_operation = _UnknownPaths()  # type: ignore[attr-defined]
# strict_slashes off: /api/v1 itself answers in JSON too, rather than redirecting to /api/v1/.
api.add_url_rule(
    "/",
    endpoint="unknown",
    view_func=unknown,
    methods=EVERY_METHOD,
    strict_slashes=False,
    provide_automatic_options=False,
)
api.add_url_rule(
    "/<path:path>",
    endpoint="unknown",
    view_func=unknown,
    methods=EVERY_METHOD,
    provide_automatic_options=False,
)
