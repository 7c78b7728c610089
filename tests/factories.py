"""Factories for test data: sensible defaults, so a test names only what it is about."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import PartnerType, Role, Site, SitePartner, User
from evidence_hub.services.accounts import new_session_token
from evidence_hub.services.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery staple"
SITE_NAMES = {"kent": "Kent", "leeds": "Leeds", "liverpool": "Liverpool City Region"}
_sequence = itertools.count(1)


def make_site(session: Session, code: str = "kent", **fields: object) -> Site:
    """The site with this code, created if it does not exist yet."""
    existing = session.scalar(select(Site).where(Site.code == code))
    if existing is not None:
        return existing
    with transaction(session):
        site = Site(
            code=code,
            name=str(fields.pop("name", SITE_NAMES.get(code, code.title()))),
            region=str(fields.pop("region", "South East")),
            local_authorities=list(fields.pop("local_authorities", [f"{code.title()} Council"])),  # type: ignore[call-overload]
            **fields,
        )
        site.partners.append(
            SitePartner(name="Jobcentre Plus", partner_type=PartnerType.JOBCENTRE_PLUS.value)
        )
        session.add(site)
    return site


def make_user(
    session: Session,
    role: Role = Role.EVALUATOR,
    *,
    site: str | Site | None = None,
    email: str | None = None,
    full_name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    is_active: bool = True,
) -> User:
    if role is Role.SITE_LEAD and site is None:
        site = "kent"
    site_row = make_site(session, site) if isinstance(site, str) else site
    number = next(_sequence)
    with transaction(session):
        user = User(
            email=email or f"{role.value.replace('_', '-')}-{number}@example.gov.uk",
            full_name=full_name or f"{role.label} {number}",
            password_hash=hash_password(password),
            role=role.value,
            site_id=site_row.id if role is Role.SITE_LEAD and site_row is not None else None,
            session_token=new_session_token(),
            is_active=is_active,
        )
        session.add(user)
    return user
