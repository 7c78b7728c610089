"""Cross-site sharing: whether site leads see other sites' approved figures on the dashboards."""

from __future__ import annotations

from sqlalchemy.orm import Session

from evidence_hub.models import Framework, Role, User
from evidence_hub.services.common import audit
from evidence_hub.services.framework.errors import FrameworkError


def set_cross_site_sharing(session: Session, framework: Framework, shared: bool, *, actor: User) -> bool:
    """Turn on or off site leads' view of other sites' approved figures on the dashboards.

    Returns whether anything changed. Only administrators decide it, and the decision is audited.
    """
    if actor.role_enum is not Role.ADMINISTRATOR:
        raise FrameworkError("Only an administrator can change cross-site sharing.")
    if framework.cross_site_sharing == shared:
        return False
    audit.record(
        session,
        actor=actor,
        action="framework.cross_site_sharing_changed",
        object_type="framework",
        object_id=framework.id,
        before={"cross_site_sharing": framework.cross_site_sharing},
        after={"cross_site_sharing": shared},
    )
    framework.cross_site_sharing = shared
    return True
