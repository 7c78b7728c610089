"""Accounts: creating and changing users, signing in with throttling, passwords and reset links."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from evidence_hub.db import utc_now
from evidence_hub.formatting import datetime_uk
from evidence_hub.models import (
    MembershipRole,
    PasswordResetRequest,
    PasswordResetToken,
    ProgrammeMembership,
    Role,
    SignInAttempt,
    Site,
    User,
)
from evidence_hub.services.accounts import programmes
from evidence_hub.services.accounts.passwords import (
    hash_password,
    needs_rehash,
    problems_with_new_password,
    spend_verification_time,
    verify_password,
)
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import led_site_ids, signed_in_user
from evidence_hub.services.common.paging import ListPage, list_page
from evidence_hub.services.notifications.outbox import link, queue_email

RESET_REQUEST_WINDOW = timedelta(hours=1)
ASK_AGAIN = " Ask for a new one: choose 'Forgot your password?' on the sign-in page."


@dataclass(frozen=True)
class AccountSettings:
    password_min_length: int = 12
    sign_in_window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    password_reset_lifetime: timedelta = timedelta(hours=24)
    invitation_lifetime: timedelta = timedelta(days=7)
    reset_requests_per_account: int = 3
    reset_requests_per_address: int = 20

    @classmethod
    def from_config(cls, config: Any) -> AccountSettings:
        return cls(
            password_min_length=config["PASSWORD_MIN_LENGTH"],
            sign_in_window=timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]),
            max_failures_per_account=config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"],
            max_failures_per_address=config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
            password_reset_lifetime=timedelta(hours=config["PASSWORD_RESET_HOURS"]),
            invitation_lifetime=timedelta(days=config["INVITATION_DAYS"]),
            reset_requests_per_account=config["RESET_REQUESTS_PER_ACCOUNT_PER_HOUR"],
            reset_requests_per_address=config["RESET_REQUESTS_PER_ADDRESS_PER_HOUR"],
        )


class AccountError(ValueError):
    """A request that breaks an account rule; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def user_by_session_token(session: Session, token: str) -> User | None:
    """The active user a session cookie belongs to, or None when the token was rotated or is unknown."""
    if not token:
        return None
    return signed_in_user(session, token)


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


# Users the administrators' list shows at a time: a service of every local authority has a lead or two
# for each of hundreds of sites.
USERS_PER_PAGE = 50

# Active people first, then by name.
_USERS_IN_ORDER = select(User).order_by(User.is_active.desc(), User.full_name, User.id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(_USERS_IN_ORDER))


def users_page(session: Session, page: int = 1, per_page: int = USERS_PER_PAGE) -> ListPage[User]:
    """A page of every user, in `list_users`'s order; a page past the last shows the last."""
    return list_page(session, _USERS_IN_ORDER, page, per_page)


def led_site_names(session: Session, user_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """The names of the sites each person leads now, in any programme, by user id (of these people only,
    when given)."""
    statement = (
        select(ProgrammeMembership.user_id, Site.name)
        .join(Site, Site.id == ProgrammeMembership.site_id)
        .where(
            ProgrammeMembership.role == MembershipRole.SITE_LEAD.value, ProgrammeMembership.ended_at.is_(None)
        )
        .distinct()
        .order_by(Site.name)
    )
    if user_ids is not None:
        statement = statement.where(ProgrammeMembership.user_id.in_(list(user_ids)))
    rows = session.execute(statement)
    names: dict[int, list[str]] = {}
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "is_active": user.is_active,
    }


def _check_role_and_site(session: Session, role: Role, site_id: int | None) -> int | None:
    """The site a site lead leads in the service's only programme (an empty service's first). A lead's
    sites are their memberships: the account form names one only while there is at most one programme;
    with several, each programme's memberships page gives the lead their site there."""
    if role is not Role.SITE_LEAD:
        return None
    if programmes.runs_several_programmes(session):
        if site_id is not None:
            raise AccountError(
                "site_id",
                "Give this site lead their site on the memberships page of each programme they take part in",
            )
        return None
    if site_id is None:
        raise AccountError("site_id", "Select the pilot site this site lead reports for")
    site = session.get(Site, site_id)
    if site is None or not site.is_active:
        raise AccountError("site_id", "Select a pilot site from the list")
    return site_id


def _check_email_free(session: Session, email: str, *, except_user_id: int | None = None) -> None:
    existing = session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.id != except_user_id:
        raise AccountError("email", "A user with this email address already exists")


def create_user(
    session: Session,
    *,
    actor: User | None,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    settings: AccountSettings,
    site_id: int | None = None,
) -> User:
    email = normalise_email(email)
    _check_email_free(session, email)
    site_id = _check_role_and_site(session, role, site_id)
    problems = problems_with_new_password(password, minimum_length=settings.password_min_length, email=email)
    if problems:
        raise AccountError("password", problems[0])
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role.value,
        password_hash=hash_password(password),
        session_token=new_session_token(),
        is_active=True,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        object_type="user",
        object_id=user.id,
        site_id=None,
        after=_snapshot(user),
    )
    programmes.follow_account_role(session, actor=actor, user=user, site_id=site_id)
    return user


def update_user(
    session: Session,
    *,
    actor: User,
    user: User,
    email: str,
    full_name: str,
    role: Role,
    site_id: int | None,
) -> User:
    email = normalise_email(email)
    _check_email_free(session, email, except_user_id=user.id)
    site_id = _check_role_and_site(session, role, site_id)
    if user.id == actor.id and role is not Role.ADMINISTRATOR:
        raise AccountError("role", "You cannot remove your own administrator role")
    before = _snapshot(user)
    only = programmes.the_only_programme(session)
    site_changed = role is Role.SITE_LEAD and only is not None and site_id not in led_site_ids(user, only.id)
    role_or_site_changed = user.role != role.value or site_changed
    user.email, user.full_name, user.role = email, full_name.strip(), role.value
    if role_or_site_changed:
        # What a person may see has changed: their open sessions must not keep the old rights.
        user.session_token = new_session_token()
    changed_before, changed_after = audit.changed_fields(before, _snapshot(user))
    if changed_after:
        audit.record(
            session,
            actor=actor,
            action="user.updated",
            object_type="user",
            object_id=user.id,
            before=changed_before,
            after=changed_after,
        )
    if role_or_site_changed:
        programmes.follow_account_role(session, actor=actor, user=user, site_id=site_id)
    return user


def set_active(session: Session, *, actor: User, user: User, active: bool) -> User:
    if user.id == actor.id and not active:
        raise AccountError("user", "You cannot deactivate your own account")
    if user.is_active == active:
        return user
    user.is_active = active
    # Deactivation ends every session at once; reactivation starts from a clean slate too.
    user.session_token = new_session_token()
    audit.record(
        session,
        actor=actor,
        action="user.reactivated" if active else "user.deactivated",
        object_type="user",
        object_id=user.id,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return user


@dataclass(frozen=True)
class SignInOutcome:
    user: User | None
    throttled: bool = False


def _count_rows(session: Session, model: type[Any], *conditions: Any, **match: str) -> int:
    """How many rows of `model` meet the conditions and have these column values (limits are counted so)."""
    matched = [getattr(model, column) == value for column, value in match.items()]
    return session.scalar(select(func.count()).select_from(model).where(*conditions, *matched)) or 0


def _recent_failures(session: Session, *, since: datetime, **match: str) -> int:
    return _count_rows(
        session,
        SignInAttempt,
        SignInAttempt.succeeded.is_(False),
        SignInAttempt.attempted_at >= since,
        **match,
    )


@dataclass(frozen=True)
class PasswordCheck:
    """What checking an email address and password found, before anything is recorded."""

    email: str
    # The active account the password is right for, if any.
    user: User | None
    throttled: bool = False
    # The password hashed again at today's cost, when the stored hash was made at an older one.
    new_hash: str | None = None


def throttled(session: Session, email: str, ip_address: str, settings: AccountSettings) -> bool:
    """Whether this account, or this address, has failed to sign in too often lately (a wrong password or
    a wrong second-factor code counts alike)."""
    since = utc_now() - settings.sign_in_window
    return (
        _recent_failures(session, since=since, email=email) >= settings.max_failures_per_account
        or _recent_failures(session, since=since, ip_address=ip_address) >= settings.max_failures_per_address
    )


def check_password(
    session: Session, *, email: str, password: str, ip_address: str, settings: AccountSettings
) -> PasswordCheck:
    """Check an email and password against the account, reading only. Call it outside a write transaction:
    the check takes as long as a password hash, and sign-ins must not queue for the database's write lock
    behind each other's hashing (on SQLite, fifty at once waited past the lock's timeout).

    An unknown email, an inactive account and a wrong password look the same from outside: same
    outcome, and the same password-hashing work, so neither the message nor the timing tells them apart.
    """
    email = normalise_email(email)
    if throttled(session, email, ip_address, settings):
        spend_verification_time()
        return PasswordCheck(email=email, user=None, throttled=True)
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        spend_verification_time()
        return PasswordCheck(email=email, user=None)
    if not verify_password(user.password_hash, password):
        return PasswordCheck(email=email, user=None)
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
    return PasswordCheck(email=email, user=user, new_hash=new_hash)


PURGE_BATCH = 500


def purge_sign_in_attempts(session: Session, *, older_than: datetime) -> int:
    """Delete the records of sign-in attempts made before `older_than` (up to a batch at a time); how many
    went. Rows another sign-in is deleting are skipped rather than waited for (PostgreSQL), so sign-ins at
    the same moment never queue or deadlock on each other's purge; the next sign-in takes what is left."""
    expired = (
        select(SignInAttempt.id)
        .where(SignInAttempt.attempted_at < older_than)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(expired))
    if not ids:
        return 0
    session.execute(delete(SignInAttempt).where(SignInAttempt.id.in_(ids)))
    return len(ids)


def record_attempt(
    session: Session, *, email: str, ip_address: str, succeeded: bool, settings: AccountSettings
) -> datetime:
    """Count one attempt at a step of signing in (a password, a second-factor code); when it was."""
    now = utc_now()
    # Attempts older than the window count for nothing, and the privacy notice says they are deleted.
    purge_sign_in_attempts(session, older_than=now - settings.sign_in_window)
    session.add(SignInAttempt(email=email, ip_address=ip_address, succeeded=succeeded, attempted_at=now))
    return now


def record_sign_in(
    session: Session, check: PasswordCheck, *, ip_address: str, settings: AccountSettings
) -> SignInOutcome:
    """Record the attempt a check made and sign the account in if it succeeded. Call inside
    `transaction(session)`. Failures are counted again under the write lock, so that attempts made at the
    same moment cannot slip past the limit between checking and recording."""
    if check.throttled or throttled(session, check.email, ip_address, settings):
        return SignInOutcome(user=None, throttled=True)
    user = check.user
    if user is not None:
        session.refresh(user)
        if not user.is_active:  # Deactivated while the password was being checked.
            user = None
    record_attempt(
        session, email=check.email, ip_address=ip_address, succeeded=user is not None, settings=settings
    )
    if user is None:
        return SignInOutcome(user=None)
    if check.new_hash is not None:
        user.password_hash = check.new_hash
    # Not signed in yet where a second step follows: `record_signed_in` marks the time once all are done.
    return SignInOutcome(user=user)


def record_signed_in(session: Session, user: User) -> None:
    """Every step of signing in is done (password or single sign-on, then any second factor): keep when,
    as administrators read it. Call inside `transaction(session)`."""
    user.last_signed_in_at = utc_now()


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie holding the old token is refused from now on."""
    user.session_token = new_session_token()


def _set_password(session: Session, user: User, new_password: str, settings: AccountSettings) -> None:
    problems = problems_with_new_password(
        new_password, minimum_length=settings.password_min_length, email=user.email
    )
    if problems:
        raise AccountError("new_password", problems[0])
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utc_now()
    end_all_sessions(user)


def change_own_password(
    session: Session, *, user: User, current_password: str, new_password: str, settings: AccountSettings
) -> None:
    if not verify_password(user.password_hash, current_password):
        raise AccountError("current_password", "Your current password is not correct")
    if current_password == new_password:
        raise AccountError("new_password", "New password must be different from your current password")
    _set_password(session, user, new_password, settings)
    audit.record(session, actor=user, action="user.password_changed", object_type="user", object_id=user.id)


def _hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def _new_reset_token(
    session: Session, *, actor: User, user: User, lifetime: timedelta
) -> tuple[PasswordResetToken, str]:
    """A one-time token and its raw value (never stored: only its hash is). Earlier unused links lapse."""
    now = utc_now()
    for earlier in session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        earlier.expires_at = min(earlier.expires_at, now)
    raw_token = secrets.token_urlsafe(32)
    token = PasswordResetToken(
        user_id=user.id,
        token_hash=_hash_token(raw_token),
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(token)
    return token, raw_token


def _reset_link(session: Session, raw_token: str) -> str:
    return link(session, f"/reset-password/{raw_token}")


def issue_password_reset(session: Session, *, actor: User, user: User, settings: AccountSettings) -> str:
    """Create a one-time reset token and return it, for an administrator to pass on."""
    _token, raw_token = _new_reset_token(
        session, actor=actor, user=user, lifetime=settings.password_reset_lifetime
    )
    audit.record(
        session, actor=actor, action="user.password_reset_issued", object_type="user", object_id=user.id
    )
    return raw_token


def invite(session: Session, *, actor: User, user: User, settings: AccountSettings) -> None:
    """Email a new account's owner an invitation with a link to set their own password. Flushes."""
    token, raw_token = _new_reset_token(
        session, actor=actor, user=user, lifetime=settings.invitation_lifetime
    )
    queue_email(
        session,
        template="invitation",
        user=user,
        content={
            "invited_by": actor.full_name,
            "role": user.role_label.lower(),
            "expires": datetime_uk(token.expires_at),
            "link": _reset_link(session, raw_token),
        },
    )
    audit.record(session, actor=actor, action="user.invited", object_type="user", object_id=user.id)


def _recent_reset_requests(session: Session, *, since: datetime, **match: str) -> int:
    return _count_rows(session, PasswordResetRequest, PasswordResetRequest.requested_at >= since, **match)


def request_password_reset(
    session: Session, *, email: str, ip_address: str, settings: AccountSettings
) -> None:
    """Someone asked for a reset link for `email` on the sign-in page: email one to the account's owner,
    if there is an active account, and the limits (per address and per network address, an hour) allow.
    Whatever happens the caller answers the same, so nobody learns which addresses have accounts; the
    link goes only to the account's own address. Call inside `transaction(session)`."""
    email = normalise_email(email)
    now = utc_now()
    since = now - RESET_REQUEST_WINDOW
    throttled = (
        _recent_reset_requests(session, since=since, email=email) >= settings.reset_requests_per_account
        or _recent_reset_requests(session, since=since, ip_address=ip_address)
        >= settings.reset_requests_per_address
    )
    # Requests older than the window count for nothing: they are deleted, as sign-in attempts are.
    session.execute(delete(PasswordResetRequest).where(PasswordResetRequest.requested_at < since))
    session.add(PasswordResetRequest(email=email, ip_address=ip_address, requested_at=now))
    user = session.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
    if throttled or user is None:
        return
    token, raw_token = _new_reset_token(
        session, actor=user, user=user, lifetime=settings.password_reset_lifetime
    )
    queue_email(
        session,
        template="password_reset",
        user=user,
        content={"expires": datetime_uk(token.expires_at), "link": _reset_link(session, raw_token)},
    )
    audit.record(
        session, actor=user, action="user.password_reset_requested", object_type="user", object_id=user.id
    )


class ResetLinkError(ValueError):
    pass


def usable_reset_token(session: Session, raw_token: str) -> PasswordResetToken:
    """The reset token behind a link, or ResetLinkError saying plainly why it cannot be used."""
    token = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(raw_token))
    )
    if token is None:
        raise ResetLinkError("This password reset link is not valid." + ASK_AGAIN)
    if token.used_at is not None:
        raise ResetLinkError("This password reset link has already been used." + ASK_AGAIN)
    if token.expires_at <= utc_now():
        raise ResetLinkError("This password reset link has expired." + ASK_AGAIN)
    if not token.user.is_active:
        raise ResetLinkError("This account has been deactivated. Contact an administrator.")
    return token


def redeem_password_reset(
    session: Session, *, raw_token: str, new_password: str, settings: AccountSettings
) -> User:
    token = usable_reset_token(session, raw_token)
    _set_password(session, token.user, new_password, settings)
    token.used_at = utc_now()
    audit.record(
        session,
        actor=token.user,
        action="user.password_reset_used",
        object_type="user",
        object_id=token.user_id,
    )
    return token.user
