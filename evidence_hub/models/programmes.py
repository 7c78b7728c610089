"""Programmes: one service hosting a department's many pilot programmes, each seeing only its own evidence.

A `Programme` (for example the worklessness pilots) belongs to a `Department` and owns its frameworks, and
through them their versions, reporting periods, returns and releases. A site can take part in several
programmes (`ProgrammeSite`). People hold roles per programme (`ProgrammeMembership`), several at once; a
membership ends rather than being deleted, so who could see what, when, stays on record. National officials
belong to a department and see the releases of the programmes shared with it (`ProgrammeShare`); the
owning department always sees its own. Service administrators (the `administrator` role on the account)
manage every programme without a membership.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.accounts import User
from evidence_hub.models.enums import LabelledEnum, one_of
from evidence_hub.models.sites import Site


class ProgrammeStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    # Read-only: its evidence stays visible to its members but takes no new evidence or returns.
    CLOSED = "closed", "Closed"
    # Put away: hidden from everyone but service administrators.
    ARCHIVED = "archived", "Archived"


class MembershipRole(LabelledEnum):
    PROGRAMME_ADMINISTRATOR = "programme_administrator", "Programme administrator"
    EVALUATOR = "evaluator", "Evaluator"
    SITE_LEAD = "site_lead", "Pilot site lead"
    NATIONAL_OFFICIAL = "national_official", "National official"


class Department(Base):
    """A government department: owns programmes, and its national officials read their releases."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)

    __table_args__ = (CheckConstraint("code <> ''", name="code_not_empty"),)


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short, stable, lower-case identifier used in addresses.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ProgrammeStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    department: Mapped[Department] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary="programme_sites", order_by="Site.name", viewonly=True)

    __table_args__ = (
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint(one_of("status", ProgrammeStatus), name="known_status"),
    )

    @property
    def status_label(self) -> str:
        return ProgrammeStatus(self.status).label


class ProgrammeSite(Base):
    """A site taking part in a programme."""

    __tablename__ = "programme_sites"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class ProgrammeShare(Base):
    """A department, other than the owner, whose national officials may read the programme's releases."""

    __tablename__ = "programme_shares"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ProgrammeMembership(Base):
    """One role a person holds in one programme, from when it started until it ended (if it has)."""

    __tablename__ = "programme_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # The site a site lead leads in this programme; None for every other role.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    programme: Mapped[Programme] = relationship()
    site: Mapped[Site | None] = relationship()

    __table_args__ = (
        CheckConstraint(one_of("role", MembershipRole), name="known_role"),
        CheckConstraint(
            "(role = 'site_lead' AND site_id IS NOT NULL) OR (role <> 'site_lead' AND site_id IS NULL)",
            name="site_only_for_site_leads",
        ),
        Index("ix_programme_memberships_user_id_ended_at", "user_id", "ended_at"),
    )

    @property
    def role_enum(self) -> MembershipRole:
        return MembershipRole(self.role)

    @property
    def role_label(self) -> str:
        return self.role_enum.label

    @property
    def is_current(self) -> bool:
        return self.ended_at is None
