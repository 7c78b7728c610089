"""Single sign-on with OpenID Connect, end to end against a real identity provider on a local port: the
browser (the test client) goes to the provider, the provider sends it back with a code, and the service
exchanges the code for an ID token over HTTP and checks it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.config import ConfigurationError
from evidence_hub.models import AuditEvent, Role, User
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider, serve_identity_provider
from tests.pages import error_summary, heading, page, text_of


@pytest.fixture(scope="module")
def running_provider() -> Iterator[IdentityProvider]:
    yield from serve_identity_provider()


@pytest.fixture
def provider(running_provider: IdentityProvider) -> IdentityProvider:
    running_provider.misbehaviour = None
    running_provider.person = {}
    return running_provider


@pytest.fixture
def sso_app(make_app: Callable[..., Flask], provider: IdentityProvider) -> Callable[..., Flask]:
    def build(**settings: Any) -> Flask:
        return make_app(
            OIDC_ISSUER=provider.issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            OIDC_DISPLAY_NAME="Example Department",
            **settings,
        )

    return build


def person(email: str, *, verified: bool = True, subject: str = "provider-person-1") -> dict[str, Any]:
    return {"sub": subject, "email": email, "email_verified": verified, "name": "Alex Example"}


def sign_in_at_provider(client: FlaskClient, *, change_state: bool = False) -> Any:
    """Press "Sign in with ...", let the provider sign the person in, and come back: the service's answer."""
    to_provider = client.get("/sign-in/single-sign-on")
    assert to_provider.status_code == 302
    back = requests.get(to_provider.location, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    parts = urlsplit(back.headers["Location"])
    query = parts.query.replace("state=", "state=forged") if change_state else parts.query
    return client.get(f"{parts.path}?{query}")


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def test_a_person_the_provider_vouches_for_signs_in_to_their_account(
    sso_app: Callable[..., Flask], provider: IdentityProvider, db: Session
) -> None:
    user = make_user(db, Role.EVALUATOR, email="alex@example.gov.uk")
    client = sso_app().test_client()
    assert "Sign in with Example Department" in text_of(page(client.get("/sign-in")))
    provider.person = person("Alex@Example.gov.uk")

    response = sign_in_at_provider(client)

    assert response.status_code == 302
    assert is_signed_in(client)
    db.refresh(user)
    assert (user.sso_issuer, user.sso_subject) == (provider.issuer, "provider-person-1")
    assert user.last_signed_in_at is not None
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == user.id)).all()
    assert {"user.single_sign_on_linked", "user.signed_in_with_sso"} <= set(actions)


@pytest.mark.parametrize(
    ("misbehaviour", "change_state"),
    [
        ("bad_signature", False),
        ("wrong_nonce", False),
        ("wrong_issuer", False),
        ("wrong_audience", False),
        ("expired", False),
        (None, True),
    ],
    ids=["bad signature", "wrong nonce", "wrong issuer", "wrong audience", "expired", "wrong state"],
)
def test_an_answer_that_fails_a_check_signs_nobody_in_and_changes_nothing(
    sso_app: Callable[..., Flask],
    provider: IdentityProvider,
    db: Session,
    misbehaviour: str | None,
    change_state: bool,
) -> None:
    user = make_user(db, Role.EVALUATOR, email="alex@example.gov.uk")
    client = sso_app().test_client()
    provider.person = person(user.email)
    provider.misbehaviour = misbehaviour

    soup = page(sign_in_at_provider(client, change_state=change_state), status=400)

    assert heading(soup) == "Sign in"
    assert "could not be checked" in " ".join(error_summary(soup))
    assert not is_signed_in(client)
    db.refresh(user)
    assert user.sso_subject is None and user.last_signed_in_at is None
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_an_email_address_the_provider_has_not_verified_is_refused(
    sso_app: Callable[..., Flask], provider: IdentityProvider, db: Session
) -> None:
    user = make_user(db, Role.EVALUATOR, email="alex@example.gov.uk")
    client = sso_app().test_client()
    provider.person = person(user.email, verified=False)

    soup = page(sign_in_at_provider(client), status=403)

    assert "has not verified your email address" in " ".join(error_summary(soup))
    assert not is_signed_in(client)
    db.refresh(user)
    assert user.sso_subject is None


def test_an_email_address_matching_no_account_is_refused_and_no_account_is_made(
    sso_app: Callable[..., Flask], provider: IdentityProvider, db: Session
) -> None:
    make_user(db, Role.EVALUATOR, email="alex@example.gov.uk")
    client = sso_app().test_client()
    provider.person = person("stranger@example.gov.uk")

    soup = page(sign_in_at_provider(client), status=403)

    assert "There is no Evidence Hub account for stranger@example.gov.uk" in " ".join(error_summary(soup))
    assert not is_signed_in(client)
    assert db.scalar(select(func.count()).select_from(User)) == 1
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_deployment_may_make_accounts_for_its_own_domains(
    sso_app: Callable[..., Flask], provider: IdentityProvider, db: Session
) -> None:
    client = sso_app(
        OIDC_NEW_ACCOUNT_ROLE="evaluator", OIDC_NEW_ACCOUNT_DOMAINS="example.gov.uk"
    ).test_client()
    provider.person = person("newcomer@example.gov.uk")
    assert sign_in_at_provider(client).status_code == 302
    created = db.scalar(select(User).where(User.email == "newcomer@example.gov.uk"))
    assert created is not None and created.role_enum is Role.EVALUATOR and created.full_name == "Alex Example"

    other = sso_app(
        OIDC_NEW_ACCOUNT_ROLE="evaluator", OIDC_NEW_ACCOUNT_DOMAINS="example.gov.uk"
    ).test_client()
    provider.person = person("someone@elsewhere.example", subject="provider-person-2")
    soup = page(sign_in_at_provider(other), status=403)
    assert "There is no Evidence Hub account" in " ".join(error_summary(soup))


def test_an_account_linked_to_one_provider_account_refuses_another_with_the_same_address(
    sso_app: Callable[..., Flask], provider: IdentityProvider, db: Session
) -> None:
    user = make_user(db, Role.EVALUATOR, email="alex@example.gov.uk")
    provider.person = person(user.email, subject="the-first-alex")
    assert sign_in_at_provider(sso_app().test_client()).status_code == 302

    provider.person = person(user.email, subject="a-second-alex")
    soup = page(sign_in_at_provider(sso_app().test_client()), status=403)
    assert "linked to a different account" in " ".join(error_summary(soup))


def test_an_administrator_still_enters_a_code_unless_the_provider_is_trusted_for_it(
    sso_app: Callable[..., Flask], provider: IdentityProvider, db: Session
) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR, email="admin@example.gov.uk")
    provider.person = person(administrator.email)
    client = sso_app().test_client()
    response = sign_in_at_provider(client)
    assert urlsplit(response.location).path == "/sign-in/two-factor"
    assert not is_signed_in(client)

    trusting = sso_app(TWO_FACTOR_TRUSTS_SSO=True).test_client()
    assert urlsplit(sign_in_at_provider(trusting).location).path == "/"
    assert is_signed_in(trusting)


def test_password_sign_in_can_be_turned_off(sso_app: Callable[..., Flask], db: Session) -> None:
    user = make_user(db, Role.EVALUATOR)
    client = sso_app(PASSWORD_SIGN_IN=False).test_client()
    soup = page(client.get("/sign-in"))
    assert soup.select_one("input[name=password]") is None
    assert "Sign in with Example Department" in text_of(soup)

    refused = page(
        client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD}), status=403
    )
    assert "turned off" in " ".join(error_summary(refused))
    assert not is_signed_in(client)


def test_password_sign_in_cannot_be_turned_off_without_single_sign_on(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ConfigurationError, match="nobody could sign in"):
        make_app(PASSWORD_SIGN_IN=False)


def test_an_unreachable_identity_provider_is_explained(make_app: Callable[..., Flask]) -> None:
    client = make_app(
        OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET
    ).test_client()
    soup = page(client.get("/sign-in/single-sign-on"), status=503)
    assert "could not reach your identity provider" in " ".join(error_summary(soup))
