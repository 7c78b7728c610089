"""Single sign-on: which account a person the identity provider has vouched for signs in to.

The ID token's signature, issuer, audience, expiry and nonce are checked before this is reached (by
Authlib, in auth/single_sign_on.py); here the claims decide the account. A person is matched by an email
address the provider says it has verified, and from then on by the provider's own identifier for them, so
that an address later given to someone else at the provider does not open the account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
from evidence_hub.services.accounts.users import AccountSettings, create_user, normalise_email
from evidence_hub.services.common import audit


@dataclass(frozen=True)
class SingleSignOnSettings:
    issuer: str
    # The role a new account gets, and the email domains whose people may have one made; no role: never.
    new_account_role: Role | None = None
    new_account_domains: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: Any) -> SingleSignOnSettings:
        role = config["OIDC_NEW_ACCOUNT_ROLE"]
        return cls(
            issuer=str(config["OIDC_ISSUER"]),
            new_account_role=Role(role) if role else None,
            new_account_domains=frozenset(
                domain.strip().lower()
                for domain in config["OIDC_NEW_ACCOUNT_DOMAINS"].split(",")
                if domain.strip()
            ),
        )


class SingleSignOnRefused(ValueError):
    """The identity provider vouched for someone who may not sign in; the message says why, plainly."""


def _verified_email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    # The claim is a JSON boolean; a provider that sends the string "true" still means it.
    verified = claims.get("email_verified") in (True, "true")
    if not isinstance(email, str) or not email.strip():
        raise SingleSignOnRefused(
            "Your identity provider did not tell us your email address, so we cannot find your account. "
            "Sign in another way, or ask an administrator of your programme."
        )
    if not verified:
        raise SingleSignOnRefused(
            "Your identity provider has not verified your email address, so we cannot match it to an "
            "account. Verify your email address with your organisation, then try again."
        )
    return normalise_email(email)


def _create_account(
    session: Session,
    email: str,
    claims: dict[str, Any],
    settings: SingleSignOnSettings,
    accounts: AccountSettings,
) -> User | None:
    domain = email.rsplit("@", 1)[-1]
    if settings.new_account_role is None or domain not in settings.new_account_domains:
        return None
    name = claims.get("name")
    return create_user(
        session,
        actor=None,
        email=email,
        full_name=name if isinstance(name, str) and name.strip() else email,
        role=settings.new_account_role,
        # Nobody knows this password: the account signs in through single sign-on until a reset link is made.
        password=secrets.token_urlsafe(32),
        settings=accounts,
    )


def account_for_identity(
    session: Session, *, claims: dict[str, Any], settings: SingleSignOnSettings, accounts: AccountSettings
) -> User:
    """The account the verified identity in `claims` signs in to, recording the sign-in; or
    SingleSignOnRefused. Call inside `transaction(session)`."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SingleSignOnRefused("Your identity provider's answer did not say who you are. Try again.")
    user = session.scalar(select(User).where(User.sso_issuer == settings.issuer, User.sso_subject == subject))
    if user is None:
        email = _verified_email(claims)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = _create_account(session, email, claims, settings, accounts)
        if user is None:
            raise SingleSignOnRefused(
                f"There is no Evidence Hub account for {email}. Ask an administrator of your programme to "
                "add you, then sign in again."
            )
        if user.sso_subject is not None:
            raise SingleSignOnRefused(
                f"The Evidence Hub account for {email} is linked to a different account at your identity "
                "provider. Ask an administrator of your programme."
            )
        user.sso_issuer, user.sso_subject = settings.issuer, subject
        audit.record(
            session,
            actor=user,
            action="user.single_sign_on_linked",
            object_type="user",
            object_id=user.id,
            after={"issuer": settings.issuer},
        )
    if not user.is_active:
        raise SingleSignOnRefused(
            "This account has been deactivated. Contact an administrator of your programme."
        )
    audit.record(
        session,
        actor=user,
        action="user.signed_in_with_sso",
        object_type="user",
        object_id=user.id,
        after={"issuer": settings.issuer},
    )
    return user
