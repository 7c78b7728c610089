"""Demo data: the three founding pilot sites and one account per role, for trying the service locally.

The accounts are fictional (never the people named in the seed documents). Their random passwords are
kept in instance/demo-accounts.txt (mode 600) so that running the demo again prints the same ones.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import PartnerType, Role, Site, SitePartner, User
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.passwords import verify_password
from evidence_hub.services.accounts.users import AccountSettings

DEMO_ACCOUNTS_FILE = "demo-accounts.txt"
PASSWORD_CHANGED_NOTE = "(changed since the demo was created: ask an administrator for a reset link)"  # noqa: S105


@dataclass(frozen=True)
class DemoSite:
    code: str
    name: str
    region: str
    local_authorities: tuple[str, ...]
    partners: tuple[tuple[str, PartnerType], ...]


DEMO_SITES = (
    DemoSite(
        "kent",
        "Kent",
        "South East",
        ("Kent County Council",),
        (
            ("Kent County Council", PartnerType.LOCAL_AUTHORITY),
            ("Jobcentre Plus Kent district", PartnerType.JOBCENTRE_PLUS),
            ("Local Improvement Adviser (Kent)", PartnerType.IMPROVEMENT_ADVISER),
            ("Department for Work and Pensions", PartnerType.GOVERNMENT_DEPARTMENT),
            ("Kent adult education provider", PartnerType.PROVIDER),
        ),
    ),
    DemoSite(
        "leeds",
        "Leeds",
        "Yorkshire and the Humber",
        ("Leeds City Council",),
        (
            ("Leeds City Council", PartnerType.LOCAL_AUTHORITY),
            ("Jobcentre Plus West Yorkshire", PartnerType.JOBCENTRE_PLUS),
            ("Local Improvement Adviser (Leeds)", PartnerType.IMPROVEMENT_ADVISER),
            ("Communities and Local Government", PartnerType.GOVERNMENT_DEPARTMENT),
            ("Leeds community employment network", PartnerType.VOLUNTARY_SECTOR),
        ),
    ),
    DemoSite(
        "liverpool",
        "Liverpool City Region",
        "North West",
        ("Halton", "Knowsley", "Liverpool", "Sefton", "St Helens", "Wirral"),
        (
            ("Liverpool City Council", PartnerType.LOCAL_AUTHORITY),
            ("Jobcentre Plus Merseyside", PartnerType.JOBCENTRE_PLUS),
            ("Local Improvement Adviser (Liverpool)", PartnerType.IMPROVEMENT_ADVISER),
            ("Department for Work and Pensions", PartnerType.GOVERNMENT_DEPARTMENT),
            ("Liverpool primary care trust", PartnerType.HEALTH),
        ),
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: Role
    site_code: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.evidence-hub.example", "Alex Administrator", Role.ADMINISTRATOR),
    DemoAccount("evaluator@demo.evidence-hub.example", "Erin Evaluator", Role.EVALUATOR),
    DemoAccount("kent.lead@demo.evidence-hub.example", "Kim Kent-Lead", Role.SITE_LEAD, "kent"),
    DemoAccount("leeds.lead@demo.evidence-hub.example", "Lee Leeds-Lead", Role.SITE_LEAD, "leeds"),
    DemoAccount(
        "liverpool.lead@demo.evidence-hub.example", "Lou Liverpool-Lead", Role.SITE_LEAD, "liverpool"
    ),
    DemoAccount("official@demo.evidence-hub.example", "Nat National-Official", Role.NATIONAL_OFFICIAL),
)


def _new_demo_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(4))


def _read_saved_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    saved: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if "\t" in line:
            email, password = line.split("\t", 1)
            saved[email] = password
    return saved


def _save_passwords(path: Path, passwords: dict[str, str]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.writelines(f"{email}\t{password}\n" for email, password in passwords.items())
    path.chmod(0o600)


def ensure_demo_sites(session: Session) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    with transaction(session):
        for demo in DEMO_SITES:
            site = session.scalar(select(Site).where(Site.code == demo.code))
            if site is None:
                site = Site(
                    code=demo.code,
                    name=demo.name,
                    region=demo.region,
                    local_authorities=list(demo.local_authorities),
                    partners=[
                        SitePartner(name=name, partner_type=kind.value) for name, kind in demo.partners
                    ],
                )
                session.add(site)
            sites[demo.code] = site
    return sites


def ensure_demo_accounts(
    session: Session, sites: dict[str, Site], instance_path: str, settings: AccountSettings
) -> list[tuple[DemoAccount, str]]:
    """Create any missing demo account; return every account with the password that signs it in now."""
    passwords_file = Path(instance_path) / DEMO_ACCOUNTS_FILE
    saved = _read_saved_passwords(passwords_file)
    result: list[tuple[DemoAccount, str]] = []
    with transaction(session):
        for demo in DEMO_ACCOUNTS:
            user = session.scalar(select(User).where(User.email == demo.email))
            password = saved.get(demo.email, "")
            if user is None:
                password = _new_demo_password()
                accounts.create_user(
                    session,
                    actor=None,
                    email=demo.email,
                    full_name=demo.full_name,
                    role=demo.role,
                    password=password,
                    settings=settings,
                    site_id=sites[demo.site_code].id if demo.site_code else None,
                )
            elif not password or not verify_password(user.password_hash, password):
                password = PASSWORD_CHANGED_NOTE
            result.append((demo, password))
    still_valid = {demo.email: password for demo, password in result if password != PASSWORD_CHANGED_NOTE}
    _save_passwords(passwords_file, still_valid)
    return result
