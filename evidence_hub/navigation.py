"""The service navigation: which links each role sees in the header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_login import current_user

from evidence_hub.models import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class NavigationLink:
    text: str
    endpoint: str
    roles: frozenset[Role]
    # Endpoints under this prefix mark the link as the current section.
    section: str
    # Only for service administrators, not those administering some programmes only.
    service_only: bool = False


LINKS = (
    NavigationLink("Home", "main.home", ALL_ROLES, "main.home"),
    NavigationLink(
        "Returns",
        "returns.index",
        frozenset({Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR}),
        "returns.",
    ),
    NavigationLink(
        "Dashboards",
        "dashboard.index",
        frozenset({Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR}),
        "dashboard.",
    ),
    NavigationLink(
        "Releases",
        "downloads.index",
        frozenset({Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR}),
        "downloads.",
    ),
    NavigationLink("Review", "review.index", frozenset({Role.EVALUATOR, Role.ADMINISTRATOR}), "review."),
    NavigationLink("Framework", "framework.index", ALL_ROLES, "framework."),
    NavigationLink("Users", "admin.users", frozenset({Role.ADMINISTRATOR}), "admin.user", service_only=True),
    NavigationLink("Sites", "admin.sites", frozenset({Role.ADMINISTRATOR}), "admin.site", service_only=True),
    NavigationLink(
        "Programmes",
        "admin.programmes",
        frozenset({Role.ADMINISTRATOR}),
        "admin.programme",
        service_only=True,
    ),
    NavigationLink("Jobs", "background_jobs.index", frozenset({Role.ADMINISTRATOR}), "background_jobs."),
    NavigationLink("API tokens", "tokens.index", ALL_ROLES, "tokens."),
    NavigationLink("Your account", "auth.account", ALL_ROLES, "auth.account"),
)


def items_for_current_user(service_administrator: bool) -> list[dict[str, Any]]:
    """Items for the govukServiceNavigation macro; none when nobody is signed in. The service's own links
    are for a service administrator (as the access rule decides: the caller asks it)."""
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    return [
        {
            "text": link.text,
            "href": url_for(link.endpoint),
            "active": endpoint.startswith(link.section),
        }
        for link in LINKS
        if current_user.role_enum in link.roles and (service_administrator or not link.service_only)
    ]
