"""Releases: frozen, disclosure-controlled snapshots of approved evidence for national officials, and the
personal API tokens that read them.

A release holds everything its outputs are drawn from: the learning summary's figures and cleared text
(`content`) and the rows of each aggregated table (`ReleaseRow`). Nothing is read from the live evidence
after publication, so a release cited in a minister's briefing says the same thing next year. The only
change a release may undergo is being withdrawn; the rows are append-only (an ORM guard here, and
database triggers in migration 0005).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.accounts import User
from evidence_hub.models.enums import one_of
from evidence_hub.models.framework import Framework, FrameworkVersion
from evidence_hub.models.periods import ReportingPeriod


class ReleaseIsFrozen(RuntimeError):
    """Raised when anything tries to change a published release other than by withdrawing it."""


class ReleaseStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Release(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What people cite, e.g. "WDS-2026-03": the framework's code, the year published, a sequence number.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True)
    # None when the release covers returns made against every published version of the framework.
    framework_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="RESTRICT")
    )
    period_from_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id", ondelete="RESTRICT"))
    period_to_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id", ondelete="RESTRICT"))
    site_codes: Mapped[list[str]] = mapped_column(JSON)
    threshold: Mapped[int] = mapped_column()
    round_to: Mapped[int | None] = mapped_column()
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The learning summary's figures and text, already disclosure-controlled, and the tables' definitions.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the canonical JSON of the content and every row, printed on each output.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ReleaseStatus.PUBLISHED.value)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")

    framework: Mapped[Framework] = relationship()
    framework_version: Mapped[FrameworkVersion | None] = relationship()
    period_from: Mapped[ReportingPeriod] = relationship(foreign_keys=[period_from_id])
    period_to: Mapped[ReportingPeriod] = relationship(foreign_keys=[period_to_id])
    published_by: Mapped[User] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    __table_args__ = (
        CheckConstraint(one_of("status", ReleaseStatus), name="known_status"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("round_to IS NULL OR round_to >= 2", name="rounding_base"),
        CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn_when_withdrawn"
        ),
    )

    @property
    def status_enum(self) -> ReleaseStatus:
        return ReleaseStatus(self.status)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == ReleaseStatus.WITHDRAWN.value

    @property
    def period_label(self) -> str:
        if self.period_from_id == self.period_to_id:
            return self.period_from.name
        return f"{self.period_from.name} to {self.period_to.name}"


class ReleaseRow(Base):
    """One row of one of a release's aggregated tables, its cells in the table's column order."""

    __tablename__ = "release_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="RESTRICT"))
    table_code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column()
    cells: Mapped[list[Any]] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("release_id", "table_code", "position"),
        Index("ix_release_rows_release_table_position", "release_id", "table_code", "position"),
    )


class ApiToken(Base):
    """A personal API token. Only a SHA-256 of the secret is kept: the secret is 256 random bits, shown
    once, so a hash that is fast to compute is enough (there is nothing to guess by brute force)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the token, shown in lists so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The role the token was made for: when the user's role changes, the token stops working.
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


# A release may only move from published to withdrawn, recording who, when and why.
_WITHDRAWAL_FIELDS = frozenset(
    {"status", "withdrawn_at", "withdrawn_by_id", "withdrawal_reason", "withdrawn_by"}
)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_releases(session: Session, _context: Any, _instances: Any) -> None:
    for instance in session.deleted:
        if isinstance(instance, Release | ReleaseRow):
            raise ReleaseIsFrozen("A published release cannot be deleted: withdraw it instead.")
    for instance in session.dirty:
        if isinstance(instance, ReleaseRow) and session.is_modified(instance):
            raise ReleaseIsFrozen("A published release's tables cannot be changed.")
        if isinstance(instance, Release) and session.is_modified(instance):
            state = inspect(instance)
            changed = {attribute.key for attribute in state.attrs if attribute.history.has_changes()}
            status_history = state.attrs.status.history
            was_published = not status_history.deleted or status_history.deleted[0] == "published"
            if not (changed <= _WITHDRAWAL_FIELDS and was_published and instance.is_withdrawn):
                raise ReleaseIsFrozen(
                    f"Release {instance.reference} is frozen: publish a new release to change what it says."
                )
