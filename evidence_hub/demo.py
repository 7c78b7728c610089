"""Demo data: two programmes (the worklessness pilots on the three founding sites, and digital inclusion
in libraries on Kent and two sites of its own), and accounts for each role, for trying the service locally.

The accounts are fictional (never the people named in the seed documents). Their random passwords are
kept in instance/demo-accounts.txt (mode 600) so that running the demo again prints the same ones.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Framework, PartnerType, PeriodKind, Programme, Role, Site, SitePartner, User
from evidence_hub.services.accounts import programmes as programme_service
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.passwords import verify_password
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.lifecycle import import_framework, publish_version
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH, shipped_framework_files
from evidence_hub.services.notifications import preferences as email_preferences

DEMO_ACCOUNTS_FILE = "demo-accounts.txt"
PASSWORD_CHANGED_NOTE = "(changed since the demo was created: ask an administrator for a reset link)"  # noqa: S105


@dataclass(frozen=True)
class DemoSite:
    code: str
    name: str
    region: str
    local_authorities: tuple[str, ...]
    partners: tuple[tuple[str, PartnerType], ...]


DEMO_SITES: tuple[DemoSite, ...] = (
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
    DemoSite(
        "bristol",
        "Bristol",
        "South West",
        ("Bristol City Council",),
        (
            ("Bristol City Council", PartnerType.LOCAL_AUTHORITY),
            ("Bristol Libraries", PartnerType.OTHER),
        ),
    ),
    DemoSite(
        "cornwall",
        "Cornwall",
        "South West",
        ("Cornwall Council",),
        (
            ("Cornwall Council", PartnerType.LOCAL_AUTHORITY),
            ("Cornwall library service", PartnerType.OTHER),
        ),
    ),
)

WORKLESSNESS = "worklessness"
DIGITAL_INCLUSION = "digital-inclusion"


@dataclass(frozen=True)
class DemoProgramme:
    code: str
    name: str
    department: tuple[str, str]
    description: str
    site_codes: tuple[str, ...]


DEMO_PROGRAMMES = (
    DemoProgramme(
        WORKLESSNESS,
        "Worklessness pilots",
        ("dwp", "Department for Work and Pensions"),
        "The worklessness data-sharing pilots.",
        ("kent", "leeds", "liverpool"),
    ),
    DemoProgramme(
        DIGITAL_INCLUSION,
        "Digital inclusion in libraries",
        ("dcms", "Department for Culture, Media and Sport"),
        "Public libraries helping residents get online. Kent takes part in both programmes.",
        ("kent", "bristol", "cornwall"),
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: Role
    site_code: str | None = None
    # The programmes the account belongs to (with the same role, and site for a lead, in each).
    programmes: tuple[str, ...] = (WORKLESSNESS,)


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.evidence-hub.example", "Alex Administrator", Role.ADMINISTRATOR, programmes=()),
    DemoAccount("evaluator@demo.evidence-hub.example", "Erin Evaluator", Role.EVALUATOR),
    DemoAccount(
        "libraries.evaluator@demo.evidence-hub.example",
        "Dana Digital-Evaluator",
        Role.EVALUATOR,
        programmes=(DIGITAL_INCLUSION,),
    ),
    DemoAccount(
        "kent.lead@demo.evidence-hub.example",
        "Kim Kent-Lead",
        Role.SITE_LEAD,
        "kent",
        programmes=(WORKLESSNESS, DIGITAL_INCLUSION),
    ),
    DemoAccount(
        "bristol.lead@demo.evidence-hub.example",
        "Bo Bristol-Lead",
        Role.SITE_LEAD,
        "bristol",
        programmes=(DIGITAL_INCLUSION,),
    ),
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


def ensure_demo_programmes(session: Session, sites: dict[str, Site]) -> dict[str, Programme]:
    """The two demo programmes with their sites: the worklessness pilots (which the default framework joined
    when it was imported), and digital inclusion with the second shipped framework and quarterly periods
    from 2024 Q2."""
    programmes: dict[str, Programme] = {}
    with transaction(session):
        for demo in DEMO_PROGRAMMES:
            programme = session.scalar(select(Programme).where(Programme.code == demo.code))
            if programme is None:
                department = programme_service.department_with_code(session, *demo.department)
                programme = programme_service.create_programme(
                    session,
                    actor=None,
                    code=demo.code,
                    name=demo.name,
                    department_id=department.id,
                    description=demo.description,
                )
            for code in demo.site_codes:
                programme_service.add_site(session, programme, sites[code])
            programmes[demo.code] = programme
        _ensure_second_framework(session, programmes[DIGITAL_INCLUSION])
    return programmes


def _ensure_second_framework(session: Session, programme: Programme) -> None:
    source = next(path for path in shipped_framework_files() if path != DEFAULT_FRAMEWORK_PATH)
    source_text = source.read_text(encoding="utf-8")
    if session.scalar(select(Framework).where(Framework.programme_id == programme.id)) is not None:
        return
    reason = "Demo data: the second framework shipped with the service"
    outcome = import_framework(
        session, source_text, actor=None, filename=source.name, reason=reason, programme=programme
    )
    publish_version(session, outcome.version, actor=None, reason=reason)
    add_reporting_periods(
        session,
        outcome.version.framework,
        kind=PeriodKind.QUARTER,
        first_starts_on=date(2024, 4, 1),
        count=4,
        actor=None,
    )


def ensure_demo_memberships(
    session: Session, programmes: dict[str, Programme], sites: dict[str, Site]
) -> None:
    """Each demo account's memberships: the programmes it lists, with its role (and site) in each."""
    with transaction(session):
        for demo in DEMO_ACCOUNTS:
            user = session.scalar(select(User).where(User.email == demo.email))
            if user is None:
                continue
            held = {
                membership.programme_id
                for membership in programme_service.memberships_of_user(session, user)
                if membership.ended_at is None
            }
            for code in demo.programmes:
                if programmes[code].id not in held:
                    programme_service.add_membership(
                        session,
                        actor=None,
                        user=user,
                        programme=programmes[code],
                        role=programme_service.MEMBERSHIP_FOR_ACCOUNT[demo.role],
                        site_id=sites[demo.site_code].id if demo.site_code else None,
                    )


def ensure_demo_accounts(
    session: Session, sites: dict[str, Site], instance_path: str, settings: AccountSettings
) -> list[tuple[DemoAccount, str]]:
    """Create any missing demo account, with its memberships; return every account with the password that
    signs it in now."""
    programmes = ensure_demo_programmes(session, sites)
    passwords_file = Path(instance_path) / DEMO_ACCOUNTS_FILE
    saved = _read_saved_passwords(passwords_file)
    result: list[tuple[DemoAccount, str]] = []
    with transaction(session):
        for demo in DEMO_ACCOUNTS:
            user = session.scalar(select(User).where(User.email == demo.email))
            password = saved.get(demo.email, "")
            if user is None:
                password = _new_demo_password()
                created = accounts.create_user(
                    session,
                    actor=None,
                    email=demo.email,
                    full_name=demo.full_name,
                    role=demo.role,
                    password=password,
                    settings=settings,
                )
                if demo.role is Role.NATIONAL_OFFICIAL:
                    # The demo's officials have asked to hear of new releases (an email they opt in to).
                    email_preferences.set_choices(session, user=created, wanted={"release_published"})
            elif not password or not verify_password(user.password_hash, password):
                password = PASSWORD_CHANGED_NOTE
            result.append((demo, password))
    ensure_demo_memberships(session, programmes, sites)
    still_valid = {demo.email: password for demo, password in result if password != PASSWORD_CHANGED_NOTE}
    _save_passwords(passwords_file, still_valid)
    return result
