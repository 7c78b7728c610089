"""Reporting periods: the quarters or months that sites report on, each open until it is closed.

Reporting periods belong to a framework, not to one of its versions: they outlive versions, and closing
one is an operational change, not a change of definitions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.enums import LabelledEnum, one_of

if TYPE_CHECKING:
    from evidence_hub.models.framework import Framework


class PeriodKind(LabelledEnum):
    QUARTER = "quarter", "Quarter"
    MONTH = "month", "Month"


class ReportingYear(LabelledEnum):
    """How a framework's quarters are named: by calendar year ("2009 Q2" for April to June 2009) or by
    the UK public sector's financial year, April to March ("2009-10 Q1" for April to June 2009)."""

    CALENDAR = "calendar", "Calendar year, January to December"
    FINANCIAL = "financial", "Financial year, April to March"


class PeriodStatus(LabelledEnum):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportingPeriod(Base):
    """A quarter or month that sites report on. Returns for it are due by `returns_due_on`."""

    __tablename__ = "reporting_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True)
    # For example "2009-Q2" or "2009-04".
    code: Mapped[str] = mapped_column(String(20))
    # For example "2009 Q2 (April to June 2009)".
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    returns_due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=PeriodStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    framework: Mapped[Framework] = relationship(back_populates="reporting_periods")

    __table_args__ = (
        UniqueConstraint("framework_id", "code"),
        UniqueConstraint("framework_id", "starts_on"),
        CheckConstraint(one_of("kind", PeriodKind), name="known_kind"),
        CheckConstraint(one_of("status", PeriodStatus), name="known_status"),
        CheckConstraint("starts_on <= ends_on", name="starts_before_it_ends"),
        CheckConstraint("ends_on <= returns_due_on", name="returns_due_after_it_ends"),
    )

    @property
    def status_enum(self) -> PeriodStatus:
        return PeriodStatus(self.status)
