"""The JSON API through the test client: each operation for each role's token, refusals, paging, audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from evidence_hub.api.openapi import OPERATIONS
from evidence_hub.db import transaction, utc_now
from evidence_hub.models import ApiToken, AuditEvent, Release, Role, User
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.releases import publishing, reading
from tests.factories import make_user
from tests.release_helpers import evaluator, published_release

RELEASE_READERS = (Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR)
FRAMEWORK = "worklessness-data-sharing"


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    """The demo world (Kent, Leeds, Liverpool City Region) with one published release."""
    return published_release(db, tmp_path)


TokenFor = Callable[..., str]


@pytest.fixture
def token_for(db: Session) -> TokenFor:
    """`token_for(Role.EVALUATOR)`: the secret of a new token of a new user with that role."""

    def make(role: Role, **user_fields: Any) -> str:
        user = make_user(db, role, **user_fields)
        with transaction(db):
            return api_tokens.create_token(db, user=user, name=f"{role.value} token", days=30).secret

    return make


def call(client: FlaskClient, url: str, secret: str | None = None) -> TestResponse:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    return client.get(url, headers=headers)


def json_of(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.data!r}"
    assert response.mimetype == "application/json"
    return response.get_json()


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    body = json_of(response, status)
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status and error["title"] and error["detail"]
    return dict(error)


def see_latest(db: Session) -> None:
    """End the test session's read transaction, whose snapshot would hide what the app has written since."""
    db.commit()
    db.expire_all()


def token_row(db: Session, secret: str) -> ApiToken:
    see_latest(db)
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == api_tokens.hash_secret(secret)))
    assert token is not None
    return token


NothingWritten = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def nothing_written(db: Session) -> NothingWritten:
    """`with nothing_written(): ...`: no audit record and no token's last use is written inside."""

    def snapshot() -> tuple[int, list[Any]]:
        see_latest(db)
        records = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
        uses = list(db.scalars(select(ApiToken.last_used_at).order_by(ApiToken.id)))
        return records, uses

    @contextmanager
    def check() -> Iterator[None]:
        before = snapshot()
        yield
        assert snapshot() == before

    return check


def downloads(db: Session) -> list[AuditEvent]:
    see_latest(db)
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == "release.download").order_by(AuditEvent.id))
    )


# --- The OpenAPI document ----------------------------------------------------------------------------


def test_the_openapi_document_is_served_to_anyone_and_names_every_route(
    client: FlaskClient, app: Flask
) -> None:
    document = json_of(client.get("/api/v1/openapi.json"))

    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerToken"]["description"],
    }
    documented = {"/api/v1" + path for path in document["paths"]}
    routed = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown"
    }
    assert documented == routed
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        operation = item["get"]
        assert "200" in operation["responses"]
        if operation["security"]:
            assert {"401", "403"} <= set(operation["responses"]), path


def test_the_document_says_which_roles_each_operation_is_for(client: FlaskClient) -> None:
    paths = json_of(client.get("/api/v1/openapi.json"))["paths"]

    assert paths["/releases"]["get"]["x-roles"] == ["national_official", "evaluator", "administrator"]
    assert "site lead" not in paths["/releases"]["get"]["description"]
    assert (
        "Only tokens made by national officials, evaluators and administrators"
        in (paths["/releases/{reference}/tables/{table_code}"]["get"]["description"])
    )
    assert paths["/openapi.json"]["get"]["security"] == []
    assert len(paths) == len(OPERATIONS)


# --- Frameworks and sites: every role -------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_token_reads_the_published_frameworks(
    client: FlaskClient, release: Release, token_for: TokenFor, role: Role
) -> None:
    secret = token_for(role)

    listed = json_of(call(client, "/api/v1/frameworks", secret))["data"]
    [framework] = [item for item in listed if item["code"] == FRAMEWORK]
    assert framework["links"]["self"] == f"/api/v1/frameworks/{FRAMEWORK}"

    detail = json_of(call(client, framework["links"]["self"], secret))
    assert detail["code"] == FRAMEWORK and detail["version"] == framework["version"]
    indicator = detail["indicators"][0]
    assert {"code", "name", "unit", "definition", "direction"} <= set(indicator)
    assert detail["themes"] and detail["themes"][0]["questions"]
    for section in ("cost_categories", "activity_types", "learning_dimensions", "journey_milestones"):
        assert detail[section], section
    assert {"code", "name", "include", "exclude"} <= set(detail["cost_categories"][0])
    assert {"code", "percentage", "title"} <= set(detail["journey_milestones"][0])


def test_an_unknown_framework_is_a_json_404(
    client: FlaskClient, release: Release, token_for: TokenFor
) -> None:
    error = error_of(call(client, "/api/v1/frameworks/no-such-framework", token_for(Role.EVALUATOR)), 404)

    assert "no-such-framework" in error["detail"]


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.ADMINISTRATOR, Role.NATIONAL_OFFICIAL])
def test_sites_are_listed_with_their_region_and_local_authorities(
    client: FlaskClient, release: Release, token_for: TokenFor, role: Role
) -> None:
    sites = json_of(call(client, "/api/v1/sites", token_for(role)))["data"]

    # The worklessness programme's sites; a service administrator also sees the demo's other programme's.
    other_programme = ["bristol", "cornwall"] if role is Role.ADMINISTRATOR else []
    assert sorted(site["code"] for site in sites) == sorted(["kent", "leeds", "liverpool", *other_programme])
    kent = next(site for site in sites if site["code"] == "kent")
    assert kent["name"] == "Kent" and kent["region"] == "South East"
    assert kent["local_authorities"] and all(isinstance(name, str) for name in kent["local_authorities"])


def test_a_site_leads_token_sees_only_the_leads_own_site(
    client: FlaskClient, release: Release, token_for: TokenFor
) -> None:
    sites = json_of(call(client, "/api/v1/sites", token_for(Role.SITE_LEAD, site="leeds")))["data"]

    assert [site["code"] for site in sites] == ["leeds"]


# --- Releases: officials, evaluators and administrators -------------------------------------------------


@pytest.mark.parametrize("role", RELEASE_READERS)
def test_release_readers_list_the_releases(
    client: FlaskClient, release: Release, token_for: TokenFor, role: Role
) -> None:
    body = json_of(call(client, "/api/v1/releases", token_for(role)))

    [listed] = body["data"]
    assert listed["reference"] == release.reference
    assert listed["title"] == release.title
    assert listed["framework"]["code"] == FRAMEWORK
    assert listed["period_label"] == release.period_label
    assert listed["status"] == "published"
    assert listed["published_at"].startswith(str(release.published_at.date()))
    assert listed["links"]["self"] == f"/api/v1/releases/{release.reference}"
    assert body["meta"] == {"page": 1, "per_page": 100, "total": 1, "pages": 1}
    assert body["links"]["next"] is None and body["links"]["prev"] is None


@pytest.mark.parametrize("role", RELEASE_READERS)
def test_release_readers_read_a_release_and_each_call_is_audited(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, role: Role
) -> None:
    secret = token_for(role)

    body = json_of(call(client, f"/api/v1/releases/{release.reference}", secret))

    assert body["reference"] == release.reference and body["fingerprint"] == release.fingerprint
    assert body["period_from"]["code"] == release.period_from.code
    assert body["disclosure"] == release.content["disclosure"]
    assert body["caveats"] == release.content["caveats"]
    codes = [table["code"] for table in body["tables"]]
    assert codes == [table.code for table in reading.table_definitions(release)]
    costs = next(table for table in body["tables"] if table["code"] == "costs")
    assert costs["links"]["rows"] == f"/api/v1/releases/{release.reference}/tables/costs"
    assert {"key", "heading", "kind", "description"} == set(costs["columns"][0])
    [record] = downloads(db)
    assert record.object_id == release.id
    assert record.after is not None and record.after["what"] == "api:release"
    assert record.actor_id == token_row(db, secret).user_id
    assert token_row(db, secret).last_used_at is not None


@pytest.mark.parametrize("role", RELEASE_READERS)
def test_release_readers_page_through_a_table_of_rows_keyed_by_column(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, role: Role
) -> None:
    secret = token_for(role)
    definition = reading.table_definition(release, "costs")
    every_row = list(reading.iter_rows(db, release, "costs"))
    assert len(every_row) > 20

    body = json_of(
        call(client, f"/api/v1/releases/{release.reference}/tables/costs?page=2&per_page=10", secret)
    )

    keys = [column.key for column in definition.columns]
    assert [column["key"] for column in body["columns"]] == keys
    assert body["table"]["code"] == "costs" and body["release"] == release.reference
    assert body["data"] == [dict(zip(keys, row, strict=True)) for row in every_row[10:20]]
    pages = -(-len(every_row) // 10)
    assert body["meta"] == {"page": 2, "per_page": 10, "total": len(every_row), "pages": pages}
    base = f"/api/v1/releases/{release.reference}/tables/costs"
    assert body["links"] == {
        "self": f"{base}?page=2&per_page=10",
        "first": f"{base}?page=1&per_page=10",
        "last": f"{base}?page={pages}&per_page=10",
        "prev": f"{base}?page=1&per_page=10",
        "next": f"{base}?page=3&per_page=10",
    }
    [record] = downloads(db)
    assert record.after == {
        "reference": release.reference,
        "what": "api:table",
        "table": "costs",
        "page": 2,
        "per_page": 10,
    }


def test_following_the_next_links_gives_every_row_once(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor
) -> None:
    secret = token_for(Role.NATIONAL_OFFICIAL)
    every_row = list(reading.iter_rows(db, release, "people_reached"))
    url: str | None = f"/api/v1/releases/{release.reference}/tables/people_reached?per_page=7"
    seen: list[dict[str, Any]] = []
    while url is not None:
        body = json_of(call(client, url, secret))
        seen.extend(body["data"])
        url = body["links"]["next"]

    keys = [column.key for column in reading.table_definition(release, "people_reached").columns]
    assert seen == [dict(zip(keys, row, strict=True)) for row in every_row]
    assert body["links"]["self"] == body["links"]["last"]


def test_an_empty_page_request_uses_the_defaults_and_a_full_page_holds_1000(
    client: FlaskClient, release: Release, token_for: TokenFor
) -> None:
    secret = token_for(Role.EVALUATOR)
    base = f"/api/v1/releases/{release.reference}/tables/measures"

    default = json_of(call(client, base, secret))
    largest = json_of(call(client, f"{base}?per_page=1000", secret))

    assert default["meta"]["per_page"] == 100 and len(default["data"]) == min(100, default["meta"]["total"])
    assert largest["meta"]["pages"] == 1 and len(largest["data"]) == largest["meta"]["total"]


BAD_PAGES = [
    ("page=0", "page", "of 1 or more"),
    ("page=-1", "page", "whole number"),
    ("page=two", "page", "whole number"),
    ("page=1.5", "page", "whole number"),
    ("page=", "page", "whole number"),
    ("page=99", "page", "after the last page"),
    ("page=" + "9" * 40, "page", "whole number"),
    ("per_page=0", "per_page", "from 1 to 1000"),
    ("per_page=1001", "per_page", "from 1 to 1000"),
    ("per_page=many", "per_page", "whole number"),
]


def test_a_bad_page_or_per_page_is_a_400_naming_the_parameter_and_writes_nothing(
    client: FlaskClient, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.EVALUATOR)
    for query, parameter, words in BAD_PAGES:
        for path in ("/api/v1/releases", f"/api/v1/releases/{release.reference}/tables/costs"):
            with nothing_written():
                error = error_of(call(client, f"{path}?{query}", secret), 400)
            assert error["parameter"] == parameter, query
            assert parameter in error["detail"] and words in error["detail"], (query, error["detail"])


def test_a_site_leads_token_is_refused_the_releases_as_beyond_its_role(
    client: FlaskClient, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.SITE_LEAD, site="kent")
    for url in (
        "/api/v1/releases",
        f"/api/v1/releases/{release.reference}",
        f"/api/v1/releases/{release.reference}/tables/costs",
    ):
        with nothing_written():
            error = error_of(call(client, url, secret), 403)
        assert error["title"] == "Token used beyond its role"
        assert "made for the pilot site lead role" in error["detail"]


def test_an_unknown_release_or_table_is_a_json_404_and_writes_nothing(
    client: FlaskClient, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.NATIONAL_OFFICIAL)
    with nothing_written():
        unknown = error_of(call(client, "/api/v1/releases/WDS-1999-01", secret), 404)
        table = error_of(
            call(client, f"/api/v1/releases/{release.reference}/tables/no_such_table", secret), 404
        )
        rows = error_of(call(client, "/api/v1/releases/WDS-1999-01/tables/costs", secret), 404)

    assert "There is no release WDS-1999-01" in unknown["detail"]
    assert "no table called no_such_table" in table["detail"]
    assert "WDS-1999-01" in rows["detail"]


def test_a_withdrawn_release_is_a_json_410_saying_so_and_writes_nothing(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    with transaction(db):
        publishing.withdraw_release(
            db, actor=evaluator(db), release=release, reason="A site's costs were wrong."
        )
    secret = token_for(Role.EVALUATOR)

    with nothing_written():
        detail = error_of(call(client, f"/api/v1/releases/{release.reference}", secret), 410)
        table = error_of(call(client, f"/api/v1/releases/{release.reference}/tables/costs", secret), 410)

    assert "withdrawn" in detail["detail"] and "A site's costs were wrong." in detail["detail"]
    assert table["title"] == detail["title"] == "Release withdrawn"
    listed = json_of(call(client, "/api/v1/releases", secret))["data"]
    assert [item["status"] for item in listed] == ["withdrawn"]
    assert json_of(call(client, "/api/v1/releases", token_for(Role.NATIONAL_OFFICIAL)))["data"] == []


# --- Tokens refused ---------------------------------------------------------------------------------------


def test_no_token_is_a_401_with_a_bearer_challenge(
    client: FlaskClient, nothing_written: NothingWritten
) -> None:
    for operation in OPERATIONS:
        if not operation.needs_token:
            continue
        url = "/api/v1" + operation.path.format(code=FRAMEWORK, reference="WDS-2026-01", table_code="costs")
        with nothing_written():
            response = call(client, url)
            error = error_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert error["title"] == "Token missing"


def test_a_malformed_or_unknown_token_is_a_401(client: FlaskClient, nothing_written: NothingWritten) -> None:
    for header in ("Bearer ehub_" + "x" * 43, "Bearer ehub_short", "Token abc", "Bearer "):
        with nothing_written():
            response = client.get("/api/v1/releases", headers={"Authorization": header})
            error_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), header


def test_an_expired_token_is_a_401_saying_when_it_expired(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.EVALUATOR)
    with transaction(db):
        token_row(db, secret).expires_at = utc_now() - timedelta(days=2)
    expired_on = (utc_now() - timedelta(days=2)).strftime("%Y-%m-%d")

    with nothing_written():
        response = call(client, f"/api/v1/releases/{release.reference}", secret)
        error = error_of(response, 401)

    assert error["title"] == "Token expired"
    assert f"expired on {expired_on}" in error["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_a_401_saying_it_was_revoked(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.NATIONAL_OFFICIAL)
    token = token_row(db, secret)
    with transaction(db):
        api_tokens.revoke_token(db, user=token.user, token=token)

    with nothing_written():
        error = error_of(call(client, f"/api/v1/releases/{release.reference}/tables/costs", secret), 401)

    assert error["title"] == "Token revoked" and "was revoked on" in error["detail"]


def test_a_deactivated_users_token_is_a_401(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.EVALUATOR)
    with transaction(db):
        token_row(db, secret).user.is_active = False

    with nothing_written():
        error = error_of(call(client, "/api/v1/frameworks", secret), 401)

    assert error["title"] == "Account deactivated"


def test_a_token_whose_owner_changed_role_is_a_403_asking_for_a_new_token(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor, nothing_written: NothingWritten
) -> None:
    secret = token_for(Role.EVALUATOR)
    with transaction(db):
        token_row(db, secret).user.role = Role.NATIONAL_OFFICIAL.value

    with nothing_written():
        error = error_of(call(client, f"/api/v1/releases/{release.reference}", secret), 403)

    assert "This token was made for the evaluator role" in error["detail"]
    assert "create a new token" in error["detail"].lower()


def test_a_signed_in_browser_session_without_a_token_is_a_401(
    client_as: Callable[..., FlaskClient], release: Release, nothing_written: NothingWritten
) -> None:
    browser = client_as(Role.EVALUATOR)

    with nothing_written():
        for url in ("/api/v1/frameworks", "/api/v1/sites", f"/api/v1/releases/{release.reference}"):
            error = error_of(browser.get(url), 401)
            assert error["title"] == "Token missing"


def test_an_api_answer_never_reads_or_refreshes_the_browser_session(
    client_as: Callable[..., FlaskClient], token_for: TokenFor
) -> None:
    browser = client_as(Role.EVALUATOR)
    secret = token_for(Role.EVALUATOR)

    answers = [
        browser.get("/api/v1/openapi.json"),
        call(browser, "/api/v1/sites", secret),
        browser.get("/api/v1/sites"),
        browser.get("/api/v1/no-such-endpoint"),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 401, 404]
    for answer in answers:
        assert "Set-Cookie" not in answer.headers
        assert "Cookie" not in answer.headers.get("Vary", "")
    assert browser.get("/account").status_code == 200, "the browser session still works"


def test_a_token_is_answered_for_its_owner_whoever_is_signed_in_to_the_browser(
    client_as: Callable[..., FlaskClient], db: Session, release: Release, token_for: TokenFor
) -> None:
    browser = client_as(Role.EVALUATOR)
    secret = token_for(Role.SITE_LEAD, site="kent")

    error_of(call(browser, "/api/v1/releases", secret), 403)
    sites = json_of(call(browser, "/api/v1/sites", secret))["data"]

    assert [site["code"] for site in sites] == ["kent"]


def test_a_successful_call_records_the_tokens_last_use_and_only_evidence_is_audited(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor
) -> None:
    secret = token_for(Role.NATIONAL_OFFICIAL)
    assert token_row(db, secret).last_used_at is None

    json_of(call(client, "/api/v1/frameworks", secret))
    json_of(call(client, "/api/v1/sites", secret))
    json_of(call(client, "/api/v1/releases", secret))

    assert token_row(db, secret).last_used_at is not None
    assert downloads(db) == []


# --- Anything else under /api/v1 ---------------------------------------------------------------------


def test_an_unknown_address_under_the_api_is_a_json_404(client: FlaskClient) -> None:
    for url in ("/api/v1/nothing-here", "/api/v1", "/api/v1/", "/api/v1/frameworks/a/b"):
        error = error_of(client.get(url), 404)
        assert "/api/v1/openapi.json" in error["detail"]


def test_the_api_is_read_only_and_needs_no_csrf_token_to_say_so(make_app: Callable[..., Flask]) -> None:
    protected = make_app(WTF_CSRF_ENABLED=True).test_client()

    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = protected.open("/api/v1/releases", method=method)
        error_of(response, 405)
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    error_of(protected.post("/api/v1/no-such-thing"), 404)


def test_answers_are_never_cached(client: FlaskClient, release: Release, token_for: TokenFor) -> None:
    response = call(client, f"/api/v1/releases/{release.reference}", token_for(Role.EVALUATOR))

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_api_view_that_declares_no_roles_is_refused(
    app: Flask, client: FlaskClient, release: Release, token_for: TokenFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def undeclared() -> str:
        return "should never be answered"

    undeclared.access_rule = app.view_functions["api.sites"].access_rule  # type: ignore[attr-defined]
    monkeypatch.setitem(app.view_functions, "api.sites", undeclared)

    error = error_of(call(client, "/api/v1/sites", token_for(Role.ADMINISTRATOR)), 403)

    assert error["title"] == "Endpoint closed"


def test_an_official_is_never_given_anyones_email_address(
    client: FlaskClient, db: Session, release: Release, token_for: TokenFor
) -> None:
    secret = token_for(Role.NATIONAL_OFFICIAL)
    emails = [user.email for user in db.scalars(select(User))]
    bodies = [call(client, f"/api/v1/releases/{release.reference}", secret).get_data(as_text=True)]
    for table in reading.table_definitions(release):
        url = f"/api/v1/releases/{release.reference}/tables/{table.code}?per_page=1000"
        bodies.append(call(client, url, secret).get_data(as_text=True))

    assert not any(email in body for email in emails for body in bodies)
