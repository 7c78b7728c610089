"""Typed SQLAlchemy models, one module per domain. Importing this package registers every table."""

from evidence_hub.models.accounts import PasswordResetToken, Role, SignInAttempt, User
from evidence_hub.models.audit import AuditEvent
from evidence_hub.models.sites import PartnerType, Site, SitePartner

__all__ = [
    "AuditEvent",
    "PartnerType",
    "PasswordResetToken",
    "Role",
    "SignInAttempt",
    "Site",
    "SitePartner",
    "User",
]
