"""Personal API tokens: creating, listing and revoking your own, and authenticating a request by one.

A token is "ehub_" followed by 256 random bits. It is shown to its owner once; only its SHA-256 is kept,
with the first characters (the prefix) so people can tell their tokens apart. A token carries the role
its owner had when it was made: when that role changes the token stops working, so a token can never
carry more (or other) access than its owner was given when they made it.

`authenticate` only reads. Nothing about a refused request is written anywhere, so a stream of bad
tokens cannot fill the audit log or touch a real token's "last used" time. Functions that change
something add to the session and leave the commit to the caller's `transaction()`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from evidence_hub.db import utc_now
from evidence_hub.models import ApiToken, Role, User
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import NotVisible

TOKEN_START = "ehub_"  # noqa: S105  (what every token starts with, not a secret)
# secrets.token_urlsafe(32) is 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = re.compile(r"^ehub_[A-Za-z0-9_-]{43}$")
PREFIX_LENGTH = 12
NAME_MAX_LENGTH = 100
MIN_DAYS = 1
MAX_DAYS = 365
DEFAULT_DAYS = 90
TOKEN_PAGE_PATH = "/account/api-tokens"  # noqa: S105  (an address, not a secret)


class TokenState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TokenError(ValueError):
    """A token that cannot be made as asked; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TokenRefused(Exception):
    """Why a request's token does not let it through: an HTTP status, a short title and what to do."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret: the only time the secret exists outside its owner's hands."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def state_of(token: ApiToken, now: datetime | None = None) -> TokenState:
    if token.revoked_at is not None:
        return TokenState.REVOKED
    if token.expires_at <= (now or utc_now()):
        return TokenState.EXPIRED
    return TokenState.ACTIVE


def role_phrase(role: str) -> str:
    """ "the evaluator role", as a sentence names it."""
    try:
        return f"the {Role(role).label.lower()} role"
    except ValueError:
        return f"the {role} role"


def api_time(moment: datetime) -> str:
    """A time as an API message gives it: unambiguous, in UTC."""
    return moment.strftime("%Y-%m-%d at %H:%M UTC")


def create_token(session: Session, *, user: User, name: str, days: int) -> IssuedToken:
    """A new token for the user, valid for `days` days, with an audit record; flushed, not committed."""
    name = " ".join(name.split())
    if not name:
        raise TokenError("name", "Enter a name for the token")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError("name", f"Name must be {NAME_MAX_LENGTH} characters or fewer")
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise TokenError("days", f"Number of days must be between {MIN_DAYS} and {MAX_DAYS}")
    secret = TOKEN_START + secrets.token_urlsafe(32)
    now = utc_now()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        role=user.role,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="api_token.created",
        object_type="api_token",
        object_id=token.id,
        after={
            "name": token.name,
            "prefix": token.prefix,
            "role": token.role,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return IssuedToken(token=token, secret=secret)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's own tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_of(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; NotVisible for anyone else's, as for one that does not exist."""
    token = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise NotVisible(f"No API token {token_id} for user {user.id}")
    return token


def revoke_token(session: Session, *, user: User, token: ApiToken) -> bool:
    """Stop the token working, with an audit record. False, changing nothing, if it was already revoked."""
    if token.user_id != user.id:
        raise NotVisible(f"API token {token.id} is not user {user.id}'s")
    if token.revoked_at is not None:
        return False
    token.revoked_at = utc_now()
    audit.record(
        session,
        actor=user,
        action="api_token.revoked",
        object_type="api_token",
        object_id=token.id,
        before={"revoked_at": None},
        after={"name": token.name, "prefix": token.prefix, "revoked_at": token.revoked_at.isoformat()},
    )
    return True


def _missing() -> TokenRefused:
    return TokenRefused(
        401,
        "Token missing",
        "Send a personal API token in the Authorization header, as 'Authorization: Bearer <token>'. "
        f"Create one at {TOKEN_PAGE_PATH}.",
    )


def _not_recognised() -> TokenRefused:
    return TokenRefused(
        401,
        "Token not recognised",
        "The token sent is not a valid Evidence Hub API token. Check it was copied in full, "
        f"or create a new one at {TOKEN_PAGE_PATH}.",
    )


def secret_from_header(authorization: str | None) -> str:
    """The token in an 'Authorization: Bearer <token>' header; TokenRefused when there is none."""
    if authorization is None or not authorization.strip():
        raise _missing()
    scheme, _space, secret = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise _missing()
    secret = secret.strip()
    if not TOKEN_PATTERN.fullmatch(secret):
        raise _not_recognised()
    return secret


def authenticate(session: Session, authorization: str | None, now: datetime | None = None) -> ApiToken:
    """The token an Authorization header carries, if it may be used now; otherwise TokenRefused saying why.

    Reads only: the caller records the use (`mark_used`) once the request has succeeded.
    """
    secret = secret_from_header(authorization)
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)).options(joinedload(ApiToken.user))
    )
    if token is None:
        raise _not_recognised()
    now = now or utc_now()
    if token.revoked_at is not None:
        raise TokenRefused(
            401,
            "Token revoked",
            f"This token was revoked on {api_time(token.revoked_at)}. Create a new one at {TOKEN_PAGE_PATH}.",
        )
    if token.expires_at <= now:
        raise TokenRefused(
            401,
            "Token expired",
            f"This token expired on {api_time(token.expires_at)}. Create a new one at {TOKEN_PAGE_PATH}.",
        )
    if not token.user.is_active:
        raise TokenRefused(
            401,
            "Account deactivated",
            "The account this token belongs to has been deactivated, so its tokens no longer work.",
        )
    if token.user.role != token.role:
        raise TokenRefused(
            403,
            "Token made for another role",
            f"This token was made for {role_phrase(token.role)}, but your account now has "
            f"{role_phrase(token.user.role)}. Create a new token at {TOKEN_PAGE_PATH} to use the API "
            "with your current role.",
        )
    return token


def mark_used(token: ApiToken, now: datetime | None = None) -> None:
    token.last_used_at = now or utc_now()
