"""Who may see what. The one place where queries of site-owned data are narrowed to the acting user.

Every service that reads evidence passes its statement through `scope_to_user`; tests pin that a site
lead only ever sees their own site and a national official sees no record-level evidence at all.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false
from sqlalchemy.orm import InstrumentedAttribute

from evidence_hub.models import Role, User

SelectT = TypeVar("SelectT", bound=Select[Any])

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
