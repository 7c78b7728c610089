"""Access rules for views, declared beside each route and enforced in one place before every request.

Every view carries exactly one of `@public`, `@signed_in` or `@roles(...)`. `enforce_access_rule`
runs before each request and refuses any endpoint that declares no rule (fail closed), so a route added
without one is unreachable, and tests/test_access_matrix.py fails until it gets a rule and a row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from evidence_hub.models import Role

security_log = logging.getLogger("evidence_hub.security")

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

# Endpoints Flask itself registers, which cannot carry an attribute.
BUILT_IN_PUBLIC_ENDPOINTS = frozenset({"static"})

SESSION_SIGNED_IN_AT = "signed_in_at"
SESSION_LAST_SEEN_AT = "last_seen_at"


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    # None: any signed-in user. Otherwise only these roles.
    roles: frozenset[Role] | None = None

    def describe(self) -> str:
        if self.public:
            return "public"
        if self.roles is None:
            return "signed in"
        return "roles: " + ", ".join(sorted(role.value for role in self.roles))


def _declare(rule: AccessRule) -> Callable[[ViewT], ViewT]:
    def decorate(view: ViewT) -> ViewT:
        if hasattr(view, "access_rule"):
            raise TypeError(f"{view.__name__} already declares an access rule")
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


public = _declare(AccessRule(public=True))
signed_in = _declare(AccessRule())


def roles(*allowed: Role) -> Callable[[ViewT], ViewT]:
    if not allowed:
        raise TypeError("roles() needs at least one role")
    return _declare(AccessRule(roles=frozenset(allowed)))


def access_rule_for(endpoint: str | None) -> AccessRule | None:
    if endpoint is None:
        return None
    if endpoint in BUILT_IN_PUBLIC_ENDPOINTS:
        return AccessRule(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def _session_expired() -> str | None:
    """Why the signed-in session has ended, or None while it is still valid."""
    now = datetime.now(UTC).timestamp()
    signed_in_at = session.get(SESSION_SIGNED_IN_AT)
    last_seen_at = session.get(SESSION_LAST_SEEN_AT)
    if not isinstance(signed_in_at, int | float) or not isinstance(last_seen_at, int | float):
        return "Your session has ended. Sign in again."
    if now - signed_in_at > current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600:
        hours = current_app.config["SESSION_ABSOLUTE_HOURS"]
        return f"You have been signed out because you were signed in for more than {hours} hours."
    if now - last_seen_at > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        minutes = current_app.config["SESSION_IDLE_MINUTES"]
        return f"You have been signed out because you had not used the service for {minutes} minutes."
    return None


def start_session_clock() -> None:
    now = datetime.now(UTC).timestamp()
    session[SESSION_SIGNED_IN_AT] = now
    session[SESSION_LAST_SEEN_AT] = now


def _sign_in_redirect(message: str | None) -> Response:
    if message:
        flash(message, "information")
    target = request.full_path if request.method == "GET" else None
    if target and target.endswith("?"):
        target = target[:-1]
    return redirect(url_for("auth.sign_in", next=target))


def enforce_access_rule() -> Response | None:
    """before_request: end stale sessions, then apply the endpoint's declared rule."""
    if request.endpoint is None:
        return None  # No route matched: Flask answers 404 or 405 itself.
    rule = access_rule_for(request.endpoint)
    if rule is None:
        security_log.error("Refused %s: endpoint %s declares no access rule", request.path, request.endpoint)
        abort(404)

    if current_user.is_authenticated:
        expired_because = _session_expired()
        if expired_because:
            security_log.info("Session ended for user %s: %s", current_user.id, expired_because)
            logout_user()
            session.clear()
            if rule.public:
                return None
            return _sign_in_redirect(expired_because)
        session[SESSION_LAST_SEEN_AT] = datetime.now(UTC).timestamp()

    if rule.public:
        return None
    if not current_user.is_authenticated:
        return _sign_in_redirect(None)
    if rule.roles is not None and current_user.role_enum not in rule.roles:
        security_log.warning(
            "Refused access: user %s (%s) to %s %s",
            current_user.id,
            current_user.role,
            request.method,
            request.path,
        )
        abort(403)
    return None
