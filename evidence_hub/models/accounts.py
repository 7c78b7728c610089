"""People who use the service, their sign-in attempts, one-time password-reset links and the recovery codes
of their second factor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.enums import LabelledEnum, one_of


class Role(LabelledEnum):
    ADMINISTRATOR = "administrator", "Administrator"
    EVALUATOR = "evaluator", "Evaluator"
    SITE_LEAD = "site_lead", "Pilot site lead"
    NATIONAL_OFFICIAL = "national_official", "National official"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that an address is unique however it is typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    # The department a national official works for: they read the releases of programmes shared with it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Rotated at sign-out, deactivation and password change: every cookie holding the old one stops working.
    session_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The second factor: a time-based one-time password (RFC 6238) secret in base32, when it was confirmed
    # with a first code, and the last time step a code was accepted for (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column()
    # The identity provider's account this user signed in with first: later sign-ins through single sign-on
    # must come from the same one, so an address reassigned at the provider cannot take the account over.
    sso_issuer: Mapped[str | None] = mapped_column(String(255))
    sso_subject: Mapped[str | None] = mapped_column(String(255))

    # The sites a site lead leads come from their programme memberships alone (one per programme).
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="known_role"),
        CheckConstraint(
            "totp_confirmed_at IS NULL OR totp_secret IS NOT NULL", name="confirmed_second_factor_has_secret"
        ),
        UniqueConstraint("sso_issuer", "sso_subject"),
    )

    @property
    def has_second_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    # Flask-Login's user protocol. The cookie holds the session token, never the row id, so that
    # rotating the token ends every session at once.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return self.role_enum.label

    def has_role(self, *roles: Role) -> bool:
        return self.role_enum in roles


class SignInAttempt(Base):
    """One attempt to sign in, counted in the database so that limits hold across workers."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column()
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    __table_args__ = (
        Index("ix_sign_in_attempts_email_attempted_at", "email", "attempted_at"),
        Index("ix_sign_in_attempts_ip_address_attempted_at", "ip_address", "attempted_at"),
    )


class PasswordResetToken(Base):
    """A one-time link, valid for a limited time, that lets a user set a new password."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token: the link itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PasswordResetRequest(Base):
    """One request for a reset link from the sign-in page, whether or not the address has an account:
    counted so that requests are limited per address and per network address, whatever the answer."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    __table_args__ = (
        Index("ix_password_reset_requests_email_requested_at", "email", "requested_at"),
        Index("ix_password_reset_requests_ip_address_requested_at", "ip_address", "requested_at"),
    )


class RecoveryCode(Base):
    """One single-use code that stands in for the second factor when its device is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Hashed like a password: the codes are shown once and never stored.
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
