"""Who may see what. The one place where queries are narrowed to the acting user.

The rule has two layers, the site rule inside the programme rule:

- Programme: a person sees only the programmes they hold a current membership of (a national official
  also those shared with their department), never an archived one. Every object of another programme
  answers 404.
- Site: inside a programme, evaluators and programme administrators see every site; a site lead sees the
  site they lead *in that programme*, so leading Kent in one programme shows nothing of Kent in another.
  The site-lead memberships are the only record of which sites a person leads (`led_site_ids`).

Service administrators (an administrator account with no programme-administrator membership) see
everything. Memberships are read from the database once a transaction (a request is one, or a few), so an
ended membership or an API token used after its user's memberships changed takes effect at once: on the
next request, or at once in the session that ended it (see `current_grants`). The account's role still
decides which pages a person may open (evidence_hub/guards.py); memberships decide what those pages show.

Every service that reads evidence passes its statement through `scope_to_user`; tests pin that a site
lead only ever sees their own site and a national official sees no record-level evidence at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    event,
    false,
    func,
    join,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session, SessionTransaction, object_session

from evidence_hub.db import Base
from evidence_hub.models import (
    ApiToken,
    AuditEvent,
    Framework,
    FrameworkVersion,
    MembershipRole,
    Programme,
    ProgrammeMembership,
    ProgrammeShare,
    ProgrammeSite,
    ProgrammeStatus,
    Release,
    ReportingPeriod,
    ReviewComment,
    Role,
    Site,
    SiteReturn,
    User,
)

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])

# Kept for the services that ask which account roles see every site of a programme they belong to.
ROLES_SEEING_EVERY_SITE = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR})
MEMBERSHIPS_SEEING_EVERY_SITE = frozenset({MembershipRole.PROGRAMME_ADMINISTRATOR, MembershipRole.EVALUATOR})


class NotVisible(LookupError):
    """The object does not exist or the user may not see it; both are answered with 404."""


@dataclass(frozen=True)
class Grant:
    """One current membership, as the rule reads it."""

    programme_id: int
    role: MembershipRole
    site_id: int | None


# Where a session keeps what it has read of the rule in its current transaction: (transaction, {key: value}),
# the keys being ("grants", user id) and ("programmes", user id, role, department id).
GRANTS_MEMO_KEY = "evidence_hub.access.grants"
# The rows the rule reads: writing one in a session drops that session's memo at once.
GRANT_SOURCES = (ProgrammeMembership, Programme, ProgrammeShare)
ReadT = TypeVar("ReadT")


def current_grants(user: User) -> list[Grant]:
    """The user's current memberships, as the database holds them in this transaction.

    A page asks this half a dozen times (header, navigation, scope checks), so the answer is kept for the
    rest of the session's transaction and no longer: committing, rolling back or closing the session drops
    it, as does writing a membership, a programme or a programme's share in the session. A new request is a
    new transaction, so a membership ended anywhere stops on the next request, and one ended in this session
    stops at once.
    """
    memberships = _current_memberships(user)
    return list(memberships.grants) if memberships is not None else []


@dataclass(frozen=True)
class _Memberships:
    """What one read of the user's current memberships gives: the grants, the programmes they are in (by
    name) and the sites they lead (by name). Every signed-in page needs all three for its header, so they
    come in one statement, not three."""

    grants: tuple[Grant, ...]
    programmes: tuple[Programme, ...]
    led_sites: tuple[Site, ...]


def _current_memberships(user: User) -> _Memberships | None:
    session = object_session(user)
    if session is None or user.id is None:
        return None
    user_id = user.id
    return _remembered(session, ("grants", user_id), lambda: _read_memberships(session, user_id))


def _remembered(session: Session, key: tuple[Any, ...], read: Callable[[], ReadT]) -> ReadT:
    """What `read` answers, kept in the session for the rest of its transaction (see `current_grants`)."""
    memo = _memo_for(session)
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    value = read()
    # Kept against the transaction the read ran in (it began one if none was open).
    transaction = session.get_transaction()
    if transaction is not None:
        kept: tuple[SessionTransaction, dict[tuple[Any, ...], Any]] | None = session.info.get(GRANTS_MEMO_KEY)
        if kept is None or kept[0] is not transaction:
            kept = session.info[GRANTS_MEMO_KEY] = (transaction, {})
        kept[1][key] = value
    return value


def signed_in_user(session: Session, session_token: str) -> User | None:
    """The active user a session token belongs to, with their current memberships read in the same
    statement and kept for the transaction, as `current_grants` keeps them: every signed-in page needs both
    before it draws anything, and each statement is a round trip."""
    rows = session.execute(_ACTIVE_USER_BY_TOKEN, {"session_token": session_token}).all()
    if not rows:
        return None
    user: User = rows[0][0]
    _remembered(session, ("grants", user.id), lambda: _memberships_of(rows))
    return user


def _read_memberships(session: Session, user_id: int) -> _Memberships:
    return _memberships_of(session.execute(_USER_BY_ID, {"user_id": user_id}).all())


# The user, and one current membership: its programme, role and site, the programme, the led site and
# that site's place by name (outer joins: None where the user holds no membership, or it names no site).
_MembershipRow = tuple[User, int, str, int | None, Programme, Site | None, int]


def _user_and_memberships(*conditions: ColumnElement[bool]) -> Select[*_MembershipRow]:
    """A row for each current membership of the user (one row with no membership when they have none)."""
    # An archived programme is put away: its members no longer see it at all.
    in_open_programme = join(
        ProgrammeMembership,
        Programme,
        and_(
            Programme.id == ProgrammeMembership.programme_id,
            Programme.status != ProgrammeStatus.ARCHIVED.value,
        ),
    )
    # The led site's place among the user's led sites by name, in the database's own collation.
    site_order = func.dense_rank().over(order_by=(Site.name, Site.id)).label("site_order")
    return (
        select(
            User,
            ProgrammeMembership.programme_id,
            ProgrammeMembership.role,
            ProgrammeMembership.site_id,
            Programme,
            Site,
            site_order,
        )
        .select_from(User)
        .outerjoin(
            in_open_programme,
            and_(ProgrammeMembership.user_id == User.id, ProgrammeMembership.ended_at.is_(None)),
        )
        .outerjoin(
            Site,
            and_(
                Site.id == ProgrammeMembership.site_id,
                ProgrammeMembership.role == MembershipRole.SITE_LEAD.value,
            ),
        )
        .where(*conditions)
        .order_by(Programme.name, ProgrammeMembership.id)
    )


def _memberships_of(rows: Sequence[Row[*_MembershipRow]]) -> _Memberships:
    held = [row for row in rows if row.programme_id is not None]
    led_by_name = sorted((row for row in held if row.Site is not None), key=lambda row: row.site_order)
    return _Memberships(
        grants=tuple(Grant(row.programme_id, MembershipRole(row.role), row.site_id) for row in held),
        programmes=tuple({row.Programme.id: row.Programme for row in held}.values()),
        led_sites=tuple({row.Site.id: row.Site for row in led_by_name}.values()),
    )


# Built once: every signed-in request runs the first, and building it anew took longer than running it.
_ACTIVE_USER_BY_TOKEN = _user_and_memberships(
    User.session_token == bindparam("session_token"), User.is_active.is_(True)
)
_USER_BY_ID = _user_and_memberships(User.id == bindparam("user_id"))


def _memo_for(session: Session) -> dict[tuple[Any, ...], Any]:
    """What is kept in this session's open transaction; nothing when it has ended since, or when the session
    holds a membership, programme or share changed but not yet written (reading would write it first)."""
    memo = session.info.get(GRANTS_MEMO_KEY)
    if memo is None:
        return {}
    if memo[0] is not session.get_transaction() or _holds_grant_sources(
        session.new, session.dirty, session.deleted
    ):
        forget_grants(session)
        return {}
    return memo[1]  # type: ignore[no-any-return]


def _holds_grant_sources(*collections: Iterable[object]) -> bool:
    return any(isinstance(instance, GRANT_SOURCES) for objects in collections for instance in objects)


def forget_grants(session: Session) -> None:
    """Drop the grants a session keeps, so the next question reads the memberships again."""
    session.info.pop(GRANTS_MEMO_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, _transaction: SessionTransaction) -> None:
    # Every end of a transaction: a commit, a rollback, closing the session, and a savepoint's end.
    forget_grants(session)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _holds_grant_sources(session.new, session.dirty, session.deleted):
        forget_grants(session)


@event.listens_for(Session, "do_orm_execute")
def _statement_executed(state: ORMExecuteState) -> None:
    # Any statement that is not a read (a bulk UPDATE of memberships, say) may change what grants hold.
    if not state.is_select:
        forget_grants(state.session)


def led_site_ids(user: User, programme_id: int | None = None) -> list[int]:
    """The sites the user leads now (in one programme, if given): their site-lead memberships are the only
    source, so leading Kent in one programme says nothing about Kent in another."""
    return list(
        dict.fromkeys(
            grant.site_id
            for grant in current_grants(user)
            if grant.role is MembershipRole.SITE_LEAD
            and grant.site_id is not None
            and (programme_id is None or grant.programme_id == programme_id)
        )
    )


def leads_site(user: User, site_id: int, programme_id: int) -> bool:
    """Whether the user leads this site in this programme: the one test for preparing its returns."""
    return site_id in led_site_ids(user, programme_id)


def led_sites(user: User, programme_id: int | None = None) -> list[Site]:
    """The sites the user leads now (in one programme, if given), by name."""
    memberships = _current_memberships(user)
    site_ids = led_site_ids(user, programme_id)
    if memberships is None or not site_ids:
        return []
    return [site for site in memberships.led_sites if site.id in site_ids]


def is_service_administrator(user: User) -> bool:
    """An administrator account not limited to the programmes it administers."""
    if user.role_enum is not Role.ADMINISTRATOR:
        return False
    return not any(grant.role is MembershipRole.PROGRAMME_ADMINISTRATOR for grant in current_grants(user))


def visible_programme_ids(user: User) -> list[int] | None:
    """The programmes the user belongs to (national officials: also those shared with their department);
    None for a service administrator, who sees every programme."""
    if is_service_administrator(user):
        return None
    session = object_session(user)
    if session is None:
        return list(dict.fromkeys(grant.programme_id for grant in current_grants(user)))
    key = ("programme ids", user.id, user.role, user.department_id)
    return list(_remembered(session, key, lambda: _read_programme_ids(session, user)))


def _read_programme_ids(session: Session, user: User) -> list[int]:
    ids = list(dict.fromkeys(grant.programme_id for grant in current_grants(user)))
    if _sees_department_programmes(user):
        shared = session.scalars(
            select(Programme.id)
            .where(
                Programme.status != ProgrammeStatus.ARCHIVED.value,
                or_(
                    Programme.department_id == user.department_id,
                    Programme.id.in_(
                        select(ProgrammeShare.programme_id).where(
                            ProgrammeShare.department_id == user.department_id
                        )
                    ),
                ),
            )
            .order_by(Programme.name)
        )
        ids.extend(programme_id for programme_id in shared if programme_id not in ids)
    return ids


def _sees_department_programmes(user: User) -> bool:
    """A national official sees their department's programmes, and those shared with it, besides their own."""
    return user.role_enum is Role.NATIONAL_OFFICIAL and user.department_id is not None


def programme_condition(
    entity: Any, site_id_column: Any, programme_ids: Iterable[int]
) -> ColumnElement[bool]:
    """The rows of `entity` that belong to these programmes.

    Returns belong to their reporting period's framework's programme, and every item of a return to the
    return's. A site belongs to each programme it takes part in; rows owned by a site alone (baselines,
    audit records about a site) belong to the programmes that site takes part in.
    """
    ids = list(programme_ids)
    periods = (
        select(ReportingPeriod.id)
        .join(Framework, Framework.id == ReportingPeriod.framework_id)
        .where(Framework.programme_id.in_(ids))
    )
    if entity is SiteReturn:
        return SiteReturn.reporting_period_id.in_(periods)
    if hasattr(entity, "site_return_id"):
        return entity.site_return_id.in_(
            select(SiteReturn.id).where(SiteReturn.reporting_period_id.in_(periods))
        )  # type: ignore[no-any-return]
    if entity is Programme:
        return Programme.id.in_(ids)
    if hasattr(entity, "programme_id"):
        return entity.programme_id.in_(ids)  # type: ignore[no-any-return]
    if hasattr(entity, "framework_id"):
        return entity.framework_id.in_(select(Framework.id).where(Framework.programme_id.in_(ids)))  # type: ignore[no-any-return]
    in_programme_sites = site_id_column.in_(
        select(ProgrammeSite.site_id).where(ProgrammeSite.programme_id.in_(ids))
    )
    if entity is AuditEvent:
        return _audit_condition(ids, in_programme_sites)
    return in_programme_sites  # type: ignore[no-any-return]


def _audit_subjects() -> dict[str, Any]:
    """Each kind of audited object that belongs to a programme, by the name its records carry."""
    subjects: dict[str, Any] = {
        mapper.class_.audit_name: mapper.class_
        for mapper in Base.registry.mappers
        if isinstance(getattr(mapper.class_, "audit_name", None), str)
    }
    subjects.update(
        {
            "comment": ReviewComment,
            "reporting_period": ReportingPeriod,
            "framework": Framework,
            "framework_version": FrameworkVersion,
            "release": Release,
            "programme": Programme,
            "programme_membership": ProgrammeMembership,
        }
    )
    return subjects


def _audit_condition(ids: list[int], in_programme_sites: ColumnElement[bool]) -> ColumnElement[bool]:
    """An audit record belongs to the programmes of the object it is about: a return's to its programme's,
    an item's to its return's, a period's or a version's to its framework's, a person's (and their API
    tokens') to the programmes they belong or belonged to. Records about an object deleted since, or about
    anything else, belong to the programmes of the site they name; a record naming neither is the
    service's, for service administrators.
    """
    subjects = _audit_subjects()
    conditions = [
        and_(
            AuditEvent.object_type == name,
            or_(
                AuditEvent.object_id.in_(
                    select(model.id).where(programme_condition(model, getattr(model, "site_id", None), ids))
                ),
                # An object deleted since (an item taken out of a return) is known by its site alone.
                and_(AuditEvent.object_id.not_in(select(model.id)), in_programme_sites),
            ),
        )
        for name, model in subjects.items()
    ]
    members = select(ProgrammeMembership.user_id).where(ProgrammeMembership.programme_id.in_(ids))
    conditions.append(and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(members)))
    conditions.append(
        and_(
            AuditEvent.object_type == "api_token",
            AuditEvent.object_id.in_(select(ApiToken.id).where(ApiToken.user_id.in_(members))),
        )
    )
    conditions.append(
        and_(AuditEvent.object_type.not_in([*subjects, "user", "api_token"]), in_programme_sites)
    )
    return or_(*conditions)


def record_level_condition(user: User, entity: Any, site_id_column: Any) -> ColumnElement[bool]:
    """The rule for record-level evidence of `entity`: each evaluator's programme whole, and each led site
    within the programme it is led in."""
    grants = [grant for grant in current_grants(user) if grant.role is not MembershipRole.NATIONAL_OFFICIAL]
    whole = sorted({grant.programme_id for grant in grants if grant.role in MEMBERSHIPS_SEEING_EVERY_SITE})
    conditions: list[ColumnElement[bool]] = []
    if whole:
        conditions.append(programme_condition(entity, site_id_column, whole))
    for grant in grants:
        if grant.role is MembershipRole.SITE_LEAD and grant.programme_id not in whole:
            conditions.append(
                and_(
                    site_id_column == grant.site_id,
                    programme_condition(entity, site_id_column, [grant.programme_id]),
                )
            )
    return or_(*conditions) if conditions else false()


def scope_to_user(statement: SelectT, user: User, site_id_column: InstrumentedAttribute[Any]) -> SelectT:
    """Narrow a select of site-owned rows to the programmes, and the sites in them, the user may see."""
    if user.role_enum is Role.NATIONAL_OFFICIAL:
        return statement.where(false())
    if is_service_administrator(user):
        return statement
    return statement.where(record_level_condition(user, site_id_column.class_, site_id_column))


def may_see_site(user: User, site_id: int) -> bool:
    """The same rule as `scope_to_user`, for one site already in hand."""
    session = object_session(user)
    if session is None:
        return False
    return session.scalar(scope_to_user(select(Site.id).where(Site.id == site_id), user, Site.id)) is not None


def programmes_showing_site(user: User, site_id: int) -> list[int]:
    """The programmes in which the user may see this site's evidence: those the site takes part in that the
    user evaluates or administers (all of them, for a service administrator), and those they lead it in."""
    session = object_session(user)
    if session is None or user.role_enum is Role.NATIONAL_OFFICIAL:
        return []
    taking_part = list(
        session.scalars(select(ProgrammeSite.programme_id).where(ProgrammeSite.site_id == site_id))
    )
    if is_service_administrator(user):
        return taking_part
    return list(
        dict.fromkeys(
            grant.programme_id
            for grant in current_grants(user)
            if (grant.role in MEMBERSHIPS_SEEING_EVERY_SITE and grant.programme_id in taking_part)
            or (grant.role is MembershipRole.SITE_LEAD and grant.site_id == site_id)
        )
    )


def may_see_programme(user: User, programme_id: int) -> bool:
    ids = visible_programme_ids(user)
    return ids is None or programme_id in ids


def may_administer_programme(user: User, programme_id: int) -> bool:
    """Whether the user manages this programme's frameworks, periods, sites and memberships: a service
    administrator any programme, a programme administrator only those they administer now."""
    if user.role_enum is not Role.ADMINISTRATOR:
        return False
    if is_service_administrator(user):
        return True
    return any(
        grant.programme_id == programme_id and grant.role is MembershipRole.PROGRAMME_ADMINISTRATOR
        for grant in current_grants(user)
    )


def why_programme_takes_nothing(programme: Programme) -> str:
    """Why a programme takes no new evidence, returns or comparison figures now; empty while it is active.
    Every write a closed programme refuses gives this reason, so people read the same words everywhere."""
    if programme.status == ProgrammeStatus.ACTIVE.value:
        return ""
    return (
        f"{programme.name} is {programme.status_label.lower()}: it takes no new evidence or returns, and "
        "what it holds can be read but not changed. Ask a service administrator if it should be reopened."
    )


class NotPermitted(PermissionError):
    """A change the acting user may not make whatever they enter, such as one their role does not make;
    `reason` says so in words they can read. Pages answer it with a 403 page giving the reason, the API with
    a JSON 403. The pages' own guards (evidence_hub/guards.py) refuse a role first: a service raising this
    is the second line, for every other caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProgrammeNotActive(NotPermitted):
    """A change refused because its programme is not active; `reason` is `why_programme_takes_nothing`'s.
    Pages answer it with a 403 page giving the reason, the API with a JSON 403, the commands with it."""


def require_programme_active(programme: Programme) -> None:
    """Refuse (ProgrammeNotActive) a change to a programme that is not active: its evidence, its comparison
    set-up and ratings, its framework, periods and sites. Services with their own refusal carrying a form
    field raise that instead, with the same reason (`why_programme_takes_nothing`)."""
    reason = why_programme_takes_nothing(programme)
    if reason:
        raise ProgrammeNotActive(reason)


def administered_programmes(user: User) -> list[Programme]:
    """The active programmes the user may administer, by name: where a new framework may go."""
    return [
        programme
        for programme in visible_programmes(user)
        if programme.status == ProgrammeStatus.ACTIVE.value and may_administer_programme(user, programme.id)
    ]


def scope_frameworks(statement: SelectT, user: User) -> SelectT:
    """Narrow a select of frameworks (or of anything joined to one) to the user's programmes."""
    ids = visible_programme_ids(user)
    return statement if ids is None else statement.where(Framework.programme_id.in_(ids))


def visible_programmes(user: User) -> list[Programme]:
    """The programmes the user may see, by name: the list on their home page and in the header."""
    session = object_session(user)
    if session is None:
        return []
    if not is_service_administrator(user) and not _sees_department_programmes(user):
        memberships = _current_memberships(user)
        return list(memberships.programmes) if memberships is not None else []
    statement = select(Programme).order_by(Programme.name)
    ids = visible_programme_ids(user)
    if ids is not None:
        statement = statement.where(Programme.id.in_(ids))
    # The header, the home page and the programme switcher each ask on one page.
    key = ("programmes", user.id, user.role, user.department_id)
    return list(_remembered(session, key, lambda: list(session.scalars(statement))))


def comparison_condition(
    user: User, cross_site_sharing: bool, site_id_column: Any, approved_at_column: Any
) -> ColumnElement[bool]:
    """Which returns' figures the user may see aggregated on the dashboards.

    Evaluators and administrators see every site of their programmes. A site lead sees their own site's
    returns in any state and, only where an administrator has turned cross-site sharing on for the
    framework, other sites' approved returns of the same programme beside them. Everyone else sees none.
    """
    role = user.role_enum
    if role is Role.NATIONAL_OFFICIAL:
        return false()
    if is_service_administrator(user):
        return true()
    entity = site_id_column.class_
    own = record_level_condition(user, entity, site_id_column)
    if role is Role.SITE_LEAD and cross_site_sharing:
        led = sorted(
            {grant.programme_id for grant in current_grants(user) if grant.role is MembershipRole.SITE_LEAD}
        )
        if led:
            return or_(
                own, and_(approved_at_column.is_not(None), programme_condition(entity, site_id_column, led))
            )
    return own


def programme_in_view(user: User, chosen_id: int | None) -> tuple[list[Programme], Programme | None]:
    """The user's programmes and the one in view: the one they chose, if they still belong to it, else the
    first by name. The header shows it; pages that open on one programme (the dashboards) start there."""
    programmes = visible_programmes(user)
    chosen = next((programme for programme in programmes if programme.id == chosen_id), None)
    return programmes, chosen or (programmes[0] if programmes else None)


def scope_listed_sites(statement: SelectT, user: User) -> SelectT:
    """Narrow a select of sites to those the user may see listed (by name, not their evidence): those taking
    part in a national official's programmes, else the sites `scope_to_user` lets them see. In SQL, so that
    a page of a long list never carries every visible site's id."""
    if is_service_administrator(user):
        return statement
    if user.role_enum is Role.NATIONAL_OFFICIAL:
        return statement.where(
            Site.id.in_(
                select(ProgrammeSite.site_id).where(
                    ProgrammeSite.programme_id.in_(visible_programme_ids(user) or [])
                )
            )
        )
    return scope_to_user(statement, user, Site.id)


def visible_site_ids(user: User) -> set[int] | None:
    """The ids of the sites the user may see listed (`scope_listed_sites`); None for a service
    administrator."""
    if is_service_administrator(user):
        return None
    session = object_session(user)
    if session is None:
        return set()
    return set(session.scalars(scope_listed_sites(select(Site.id), user)))


def visible_site_names(user: User) -> list[tuple[int, str]]:
    """(id, name) of every site, active or not, the user may see listed, by name: a filter's choices, read
    without loading each site (hundreds, at national scale)."""
    session = object_session(user)
    if session is None:
        return []
    statement = scope_listed_sites(select(Site.id, Site.name).order_by(Site.name, Site.id), user)
    return [(site_id, name) for site_id, name in session.execute(statement)]


def only_visible_sites(user: User, sites: Iterable[Site]) -> list[Site]:
    """The sites of a list the user may see listed, in the list's order (choices in a filter, say)."""
    site_ids = visible_site_ids(user)
    return [site for site in sites if site_ids is None or site.id in site_ids]
