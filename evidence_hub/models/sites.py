"""Pilot sites and the partner organisations working with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.enums import LabelledEnum


class PartnerType(LabelledEnum):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    JOBCENTRE_PLUS = "jobcentre_plus", "Jobcentre Plus"
    IMPROVEMENT_ADVISER = "improvement_adviser", "Improvement adviser"
    GOVERNMENT_DEPARTMENT = "government_department", "Government department"
    PROVIDER = "provider", "Provider"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    HEALTH = "health", "Health"
    OTHER = "other", "Other"


class Site(Base):
    """A pilot area, such as Kent, Leeds or Liverpool City Region."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short, stable, lower-case identifier used in addresses and spreadsheet uploads.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    region: Mapped[str] = mapped_column(String(120), default="")
    local_authorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    partners: Mapped[list[SitePartner]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SitePartner.name"
    )

    __table_args__ = (CheckConstraint("code <> ''", name="code_not_empty"),)


class SitePartner(Base):
    """An organisation taking part in a site's pilot."""

    __tablename__ = "site_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    partner_type: Mapped[str] = mapped_column(String(40))

    site: Mapped[Site] = relationship(back_populates="partners")

    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint(
            "partner_type IN (" + ", ".join(f"'{kind.value}'" for kind in PartnerType) + ")",
            name="known_partner_type",
        ),
    )

    @property
    def partner_type_label(self) -> str:
        return PartnerType(self.partner_type).label
