"""Factories for test data: sensible defaults, so a test names only what it is about."""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import (
    Department,
    Framework,
    MembershipRole,
    PartnerType,
    PeriodKind,
    Programme,
    ProgrammeMembership,
    ReportingPeriod,
    ReturnStatus,
    Role,
    Site,
    SitePartner,
    SiteReturn,
    User,
)
from evidence_hub.services.accounts.passwords import hash_password
from evidence_hub.services.accounts.programmes import (
    FIRST_DEPARTMENT,
    FIRST_PROGRAMME,
    MEMBERSHIP_FOR_ACCOUNT,
    add_site,
)
from evidence_hub.services.accounts.users import new_session_token
from tests.snapshots import build_once, move_sequences_past_their_ids

DEFAULT_PASSWORD = "correct horse battery staple"
# The roles whose accounts the factories enrol in two-factor sign-in, as the service requires by default.
TWO_FACTOR_ROLES = (Role.ADMINISTRATOR, Role.NATIONAL_OFFICIAL)
SITE_NAMES = {"kent": "Kent", "leeds": "Leeds", "liverpool": "Liverpool City Region"}
_sequence = itertools.count(1)


def make_site(
    session: Session, code: str = "kent", *, programme: Programme | None = None, **fields: object
) -> Site:
    """The site with this code, created if it does not exist yet, taking part in `programme` (by default
    the factories' programme)."""
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
        session.flush()
        add_site(session, programme or the_programme(session), site)
    return site


def the_programme(session: Session) -> Programme:
    """The programme factories put everything in unless told otherwise: the first, made on first use with
    the same ids every time, so that snapshots of worlds built in it load wherever it exists."""
    existing = session.scalar(select(Programme).order_by(Programme.id))
    if existing is not None:
        return existing
    with transaction(session):
        session.add(Department(id=1, code=FIRST_DEPARTMENT[0], name=FIRST_DEPARTMENT[1]))
        session.flush()
        programme = Programme(id=1, code=FIRST_PROGRAMME[0], name=FIRST_PROGRAMME[1], department_id=1)
        session.add(programme)
        session.flush()
        move_sequences_past_their_ids(
            session.connection(), [(Department.__table__, Department.id), (Programme.__table__, Programme.id)]
        )
    return programme


def make_programme(session: Session, code: str, *, sites: tuple[str, ...] = ()) -> Programme:
    """A further programme, owned by the same department as the first, with these sites taking part."""
    existing = session.scalar(select(Programme).where(Programme.code == code))
    if existing is not None:
        return existing
    department_id = the_programme(session).department_id
    with transaction(session):
        programme = Programme(code=code, name=f"{code.title()} pilots", department_id=department_id)
        session.add(programme)
        session.flush()
    for site_code in sites:
        site = make_site(session, site_code, programme=programme)
        with transaction(session):
            add_site(session, programme, site)
    return programme


def give_membership(
    session: Session, user: User, programme: Programme, role: MembershipRole, site: str | None = None
) -> ProgrammeMembership:
    """A membership made as a row, for tests arranging who belongs where."""
    site_row = make_site(session, site) if site is not None else None
    with transaction(session):
        if site_row is not None:
            add_site(session, programme, site_row)
        membership = ProgrammeMembership(
            user_id=user.id,
            programme_id=programme.id,
            role=role.value,
            site_id=site_row.id if site_row else None,
        )
        session.add(membership)
    return membership


def make_user(
    session: Session,
    role: Role = Role.EVALUATOR,
    *,
    site: str | Site | None = None,
    email: str | None = None,
    full_name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    is_active: bool = True,
    two_factor: bool | None = None,
) -> User:
    """A user; administrators and national officials have set up two-factor sign-in (unless `two_factor`
    says otherwise), with the secret `factory_totp_secret` gives for their email address."""
    if two_factor is None:
        two_factor = role in TWO_FACTOR_ROLES
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
            session_token=new_session_token(),
            is_active=is_active,
        )
        if two_factor:
            user.totp_secret = factory_totp_secret(user.email)
            user.totp_confirmed_at = utc_now()
        session.add(user)
        session.flush()
        if role is not Role.ADMINISTRATOR:
            # The user holds the same role in the first programme (a site lead: at `site`).
            session.add(
                ProgrammeMembership(
                    user_id=user.id,
                    programme_id=the_programme(session).id,
                    role=MEMBERSHIP_FOR_ACCOUNT[role].value,
                    site_id=site_row.id if role is Role.SITE_LEAD and site_row is not None else None,
                )
            )
    return user


def factory_totp_secret(email: str) -> str:
    """The authenticator secret of a user the factories enrolled: made from the address, so that a test
    signing in needs nothing but the address."""
    return base64.b32encode(hashlib.sha256(email.lower().encode()).digest()).decode()[:32]


def second_factor_codes(secret: str) -> list[str]:
    """Codes to try, in turn, for the second step of signing in: this time step's, then the next one's
    (the service accepts each step once, and a test may sign the same user in twice within one)."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(datetime_now())
    return [totp.generate_otp(now_step), totp.generate_otp(now_step + 1)]


def datetime_now() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


def make_member_of(
    session: Session, programme: Programme, role: Role, as_member: MembershipRole, site: str | None = None
) -> User:
    """A user with this account role who belongs to `programme` alone, as `as_member`."""
    user = make_user(session, role, site=site)
    with transaction(session):
        for membership in session.scalars(
            select(ProgrammeMembership).where(ProgrammeMembership.user_id == user.id)
        ):
            session.delete(membership)
    give_membership(session, user, programme, as_member, site=site)
    return user


def make_second_framework(session: Session, programme: Programme, periods: int = 2) -> Framework:
    """The second shipped framework (digital inclusion in libraries), owned by `programme`, published, with
    open quarterly periods from 2024 Q2."""
    from evidence_hub.services.framework.lifecycle import import_framework, publish_version
    from evidence_hub.services.framework.periods import add_reporting_periods
    from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH, shipped_framework_files

    source = next(path for path in shipped_framework_files() if path != DEFAULT_FRAMEWORK_PATH)
    with transaction(session):
        version = import_framework(
            session, source.read_text(encoding="utf-8"), actor=None, programme=programme
        ).version
        publish_version(session, version, actor=None)
        add_reporting_periods(
            session,
            version.framework,
            kind=PeriodKind.QUARTER,
            first_starts_on=date(2024, 4, 1),
            count=periods,
            actor=None,
        )
    return version.framework


def make_framework(session: Session, source: Path | None = None, periods: int = 4) -> Framework:
    """A published framework (the shipped worklessness one unless `source` says otherwise) with open
    quarterly reporting periods from 2009 Q2."""
    from evidence_hub.services.framework.lifecycle import import_framework, publish_version
    from evidence_hub.services.framework.periods import add_reporting_periods
    from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH

    source_text = (source or DEFAULT_FRAMEWORK_PATH).read_text(encoding="utf-8")
    if source is None:
        # The tests name quarters by calendar year ("2009 Q2", "2009-Q2"); the shipped framework, and so
        # the demo, names them by financial year (tests/unit/test_reporting_years.py covers that).
        source_text = source_text.replace("reporting_year: financial", "reporting_year: calendar")

    def build() -> Framework:
        programme = the_programme(session)
        with transaction(session):
            outcome = import_framework(session, source_text, actor=None, programme=programme)
            publish_version(session, outcome.version, actor=None)
            framework = outcome.version.framework
            add_reporting_periods(
                session,
                framework,
                kind=PeriodKind.QUARTER,
                first_starts_on=date(2009, 4, 1),
                count=periods,
                actor=None,
            )
        return framework

    def reload() -> Framework:
        return session.scalars(select(Framework)).one()

    return build_once(session, ("framework", source_text, periods), build, reload)


WORKLESSNESS = "worklessness-data-sharing"


def the_framework(session: Session) -> Framework:
    """The shipped worklessness framework with its periods, made on first use: what returns report against."""
    return session.scalar(select(Framework).where(Framework.code == WORKLESSNESS)) or make_framework(session)


def periods_of(session: Session, framework: Framework) -> list[ReportingPeriod]:
    return list(
        session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.framework_id == framework.id)
            .order_by(ReportingPeriod.starts_on)
        )
    )


def make_return(
    session: Session,
    site: str | Site = "kent",
    *,
    period: int = 0,
    status: ReturnStatus = ReturnStatus.DRAFT,
    approved: bool | None = None,
) -> SiteReturn:
    """A return for the site in the n-th reporting period of the framework, in the given state.

    An approved return is approved by an evaluator; so is a locked one, unless `approved` is False (a
    return locked as it stood when its period closed).
    """
    framework = the_framework(session)
    site_row = make_site(session, site) if isinstance(site, str) else site
    if approved is None:
        approved = status in (ReturnStatus.APPROVED, ReturnStatus.LOCKED)
    approver = make_user(session, Role.EVALUATOR) if approved else None
    with transaction(session):
        site_return = SiteReturn(
            site_id=site_row.id,
            reporting_period_id=periods_of(session, framework)[period].id,
            framework_version_id=framework.published_version.id,  # type: ignore[union-attr]
            status=status.value,
            completed_sections=[],
            approved_at=utc_now() if approver is not None else None,
            approved_by_id=approver.id if approver is not None else None,
        )
        session.add(site_return)
    return site_return


_references = itertools.count(1)


def unique_reference(prefix: str) -> str:
    """A reference no other item made by the tests has (items built as rows, not through the services)."""
    return f"{prefix}-T{next(_references)}"
