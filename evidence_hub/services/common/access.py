"""Who may see what. The one place where queries of site-owned data are narrowed to the acting user.

Every service that reads evidence passes its statement through `scope_to_user`; tests pin that a site
lead only ever sees their own site and a national official sees no record-level evidence at all.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from evidence_hub.models import Role, User

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])

ROLES_SEEING_EVERY_SITE = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR})


class NotVisible(LookupError):
    """The object does not exist or the user may not see it; both are answered with 404."""


def scope_to_user(statement: SelectT, user: User, site_id_column: InstrumentedAttribute[Any]) -> SelectT:
    """Narrow a select of site-owned rows to the sites the user may see record by record."""
    role = user.role_enum
    if role in ROLES_SEEING_EVERY_SITE:
        return statement
    if role is Role.SITE_LEAD and user.site_id is not None:
        return statement.where(site_id_column == user.site_id)
    return statement.where(false())


def may_see_site(user: User, site_id: int) -> bool:
    """The same rule as `scope_to_user`, for one site already in hand."""
    role = user.role_enum
    if role in ROLES_SEEING_EVERY_SITE:
        return True
    return role is Role.SITE_LEAD and user.site_id == site_id


def comparison_condition(
    user: User, cross_site_sharing: bool, site_id_column: Any, approved_at_column: Any
) -> ColumnElement[bool]:
    """Which returns' figures the user may see aggregated on the dashboards.

    Evaluators and administrators see every site. A site lead sees their own site's returns in any
    state and, only where an administrator has turned cross-site sharing on for the framework, other
    sites' approved returns beside them. Everyone else sees none.
    """
    role = user.role_enum
    if role in ROLES_SEEING_EVERY_SITE:
        return true()
    if role is Role.SITE_LEAD and user.site_id is not None:
        own_site = site_id_column == user.site_id
        if not cross_site_sharing:
            return own_site
        return or_(own_site, approved_at_column.is_not(None))
    return false()
