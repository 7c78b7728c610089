"""Emails: the outbox of every email the service sends, what each person chose to receive, and the record
of reminders already sent.

An `Email` row is written in the same transaction as the event that causes it (a return submitted, a
release published), so an email exists exactly when its event does; a background job then sends it
(services/notifications). The row keeps what was sent (subject and body, as the person read it), to whom,
and what became of it: queued (with the reason of the last failed attempt, if any), sent to GOV.UK Notify,
delivered, or not delivered; or, with the development backend, recorded without being sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.accounts import User
from evidence_hub.models.enums import LabelledEnum, one_of


class EmailStatus(LabelledEnum):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sent to GOV.UK Notify"
    DELIVERED = "delivered", "Delivered"
    NOT_DELIVERED = "not_delivered", "Not delivered"
    # The development backend keeps the email here and sends nothing.
    RECORDED = "recorded", "Recorded, not sent"


class ReminderStage(LabelledEnum):
    DUE_IN_14_DAYS = "due_14", "Due in 14 days"
    DUE_IN_3_DAYS = "due_3", "Due in 3 days"
    OVERDUE = "overdue", "Overdue"


class Email(Base):
    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which template made it, e.g. "return_submitted" (services/notifications/templates.py).
    template: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    # Who it was for; kept when the account is deleted as the address alone.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    # Why the last attempt failed, or why Notify could not deliver it; kept after a later success.
    last_error: Mapped[str] = mapped_column(Text, default="")
    # GOV.UK Notify's id of the notification, for asking it about delivery.
    provider_id: Mapped[str] = mapped_column(String(64), default="")
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its delivery status was last learned (delivered, not delivered, or still on its way).
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(one_of("status", EmailStatus), name="known_status"),
        CheckConstraint("attempts >= 0", name="attempts_counted"),
        Index("ix_emails_queued_at", "queued_at"),
        Index("ix_emails_status", "status"),
    )

    @property
    def status_enum(self) -> EmailStatus:
        return EmailStatus(self.status)


class EmailPreference(Base):
    """One person's choice about one optional email; with no row, the template's default holds."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    template: Mapped[str] = mapped_column(String(40), primary_key=True)
    wanted: Mapped[bool] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)


class ReminderSent(Base):
    """A reminder about one site's return for one period at one stage: the database refuses a second."""

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    reporting_period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_periods.id", ondelete="RESTRICT"), index=True
    )
    stage: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    __table_args__ = (
        UniqueConstraint("site_id", "reporting_period_id", "stage"),
        CheckConstraint(one_of("stage", ReminderStage), name="known_stage"),
    )
