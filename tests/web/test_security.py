"""Security behaviour a user or an attacker would notice: headers, cookies, CSRF, limits, error pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import Role, SignInAttempt, User
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.pages import heading, page, text_of


def test_every_page_carries_a_strict_content_security_policy(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.get_data(as_text=True))
    assert inline_scripts, "the GOV.UK template has one inline script"
    assert all(f'nonce="{nonce.group(1)}"' in attributes for attributes in inline_scripts)


def test_the_nonce_changes_with_every_response(client: FlaskClient) -> None:
    first = client.get("/sign-in").headers["Content-Security-Policy"]
    second = client.get("/sign-in").headers["Content-Security-Policy"]
    assert first != second


def test_other_security_headers_are_set(client: FlaskClient) -> None:
    headers = client.get("/sign-in").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_over_https(client: FlaskClient) -> None:
    headers = client.get("/sign-in", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_session_cookie_is_http_only_and_same_site(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    response = client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_when_configured(make_app: Callable[..., Flask], db: Session) -> None:
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    user = make_user(db)
    response = client.post(
        "/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD}, base_url="https://localhost"
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    make_app: Callable[..., Flask], db: Session
) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    user = make_user(db)
    response = client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    soup = page(response, status=400)
    assert heading(soup) == "Your form could not be sent"
    assert "nothing was saved" in text_of(soup)
    assert db.scalar(select(func.count()).select_from(SignInAttempt)) == 0


def test_a_form_with_its_csrf_token_is_accepted(make_app: Callable[..., Flask], db: Session) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    user = make_user(db)
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)
    )
    assert token is not None
    response = client.post(
        "/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302


def test_sign_out_needs_a_post_with_a_token(make_app: Callable[..., Flask], db: Session) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    user = make_user(db)
    page_html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_html)
    assert token is not None
    client.post(
        "/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token.group(1)}
    )
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account").status_code == 200


def test_a_body_over_the_limit_gets_413_and_a_plain_page(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    soup = page(client.post("/sign-in", data={"email": "a" * 5000, "password": "x"}), status=413)
    assert heading(soup) == "The file or form you sent is too large"


def test_an_unexpected_error_shows_a_page_that_reveals_nothing(make_app: Callable[..., Flask]) -> None:
    from evidence_hub.guards import public

    app = make_app()

    @app.route("/explode")
    @public
    def explode() -> str:
        raise RuntimeError("secret internal detail /srv/evidence_hub")

    soup = page(app.test_client().get("/explode"), status=500)
    assert heading(soup) == "Sorry, there is a problem with the service"
    assert "secret internal detail" not in str(soup)


def test_an_unknown_page_gets_a_helpful_404(client: FlaskClient) -> None:
    soup = page(client.get("/no-such-page"), status=404)
    assert heading(soup) == "Page not found"


def test_a_route_without_an_access_rule_is_unreachable(make_app: Callable[..., Flask], db: Session) -> None:
    app = make_app()

    @app.route("/forgotten")
    def forgotten() -> str:
        return "should never be served"

    admin = make_user(db, Role.ADMINISTRATOR)
    client = app.test_client()
    sign_in(client, admin.email)
    assert client.get("/forgotten").status_code == 404


def test_the_wrong_role_gets_403_and_is_logged(client_as: Callable[..., FlaskClient], caplog: object) -> None:
    import logging

    with caplog.at_level(logging.WARNING, logger="evidence_hub.security"):  # type: ignore[attr-defined]
        response = client_as(Role.SITE_LEAD).get("/admin/users")
    soup = page(response, status=403)
    assert heading(soup) == "You do not have permission to see this page"
    assert "Refused access" in caplog.text  # type: ignore[attr-defined]


def test_logs_never_hold_a_password_or_session_token(
    client: FlaskClient, db: Session, caplog: object
) -> None:
    import logging

    user = make_user(db)
    with caplog.at_level(logging.DEBUG, logger="evidence_hub"):  # type: ignore[attr-defined]
        client.post("/sign-in", data={"email": user.email, "password": "a wrong password"})
        sign_in(client, user.email)
        client.post("/sign-out")
    logged = caplog.text  # type: ignore[attr-defined]
    assert "Sign-in failed" in logged and "Sign-in succeeded" in logged
    assert DEFAULT_PASSWORD not in logged and "a wrong password" not in logged
    assert user.session_token not in logged
    refreshed = db.get(User, user.id)
    assert refreshed is not None
    db.refresh(refreshed)
    assert refreshed.session_token not in logged


def test_health_check_answers_200_when_the_database_is_reachable(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "reachable"}


def test_health_check_answers_503_when_the_database_is_not(
    make_app: Callable[..., Flask], tmp_path: object
) -> None:
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}


def test_static_assets_are_served_from_the_service(client: FlaskClient) -> None:
    css = client.get("/static/govuk-frontend/govuk-frontend.min.css")
    assert css.status_code == 200
    assert b"GDS Transport" not in css.data
    assert client.get("/static/govuk-frontend/govuk-frontend.min.js").status_code == 200
    assert client.get("/static/app.js").status_code == 200
