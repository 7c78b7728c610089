"""Impact against comparison areas: the areas an evaluator compares each pilot site with, the series
uploaded for the sites and those areas (with their source and extraction date), and the evaluator's own
rating of each site's evidence of impact.

Everything belongs to a framework version: its indicators and evidence scale give the series and the
ratings their meaning.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.enums import LabelledEnum, one_of
from evidence_hub.models.framework import EvidenceLevel
from evidence_hub.models.sites import Site


class AreaRole(LabelledEnum):
    PILOT_SITE = "pilot_site", "The pilot site itself"
    COMPARISON = "comparison", "Comparison area"


class ImpactArea(Base):
    """A local authority in a site's comparison: the pilot site's own area (one) or a comparison area
    that did not take part, by its GSS code."""

    __tablename__ = "impact_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # GSS code, such as E06000035.
    area_code: Mapped[str] = mapped_column(String(9))
    area_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    site: Mapped[Site] = relationship()
    observations: Mapped[list[ComparisonObservation]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="ComparisonObservation.indicator_code"
    )

    __table_args__ = (
        UniqueConstraint("framework_version_id", "site_id", "area_code"),
        CheckConstraint(one_of("role", AreaRole), name="known_role"),
    )

    @property
    def role_enum(self) -> AreaRole:
        return AreaRole(self.role)


class ComparisonObservation(Base):
    """That an indicator is observed in an area, and how (from which public source, on what definition)."""

    __tablename__ = "comparison_observations"

    impact_area_id: Mapped[int] = mapped_column(
        ForeignKey("impact_areas.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    how_observed: Mapped[str] = mapped_column(Text, default="")

    area: Mapped[ImpactArea] = relationship(back_populates="observations")


class ComparisonSeriesValue(Base):
    """One figure of an uploaded series: an area's value of an indicator in a quarter, with its source
    and the date it was extracted (its provenance, shown wherever the figure is)."""

    __tablename__ = "comparison_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    area_code: Mapped[str] = mapped_column(String(9))
    area_name: Mapped[str] = mapped_column(String(200))
    # A quarter code such as 2009-Q2, possibly before the framework's first reporting period.
    period_code: Mapped[str] = mapped_column(String(20))
    indicator_code: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    source: Mapped[str] = mapped_column(Text)
    extracted_on: Mapped[date] = mapped_column(Date)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # A figure a site lead gave counts only once an evaluator has vouched for it: through approving the
    # return it was entered in, or by accepting the lead's upload. An evaluator's own upload is accepted as
    # it is saved.
    site_return_id: Mapped[int | None] = mapped_column(
        ForeignKey("site_returns.id", ondelete="CASCADE"), index=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    __table_args__ = (
        CheckConstraint(
            "(accepted_at IS NULL AND accepted_by_id IS NULL) OR "
            "(accepted_at IS NOT NULL AND accepted_by_id IS NOT NULL)",
            name="comparison_figure_accepted_by_someone",
        ),
        CheckConstraint(
            "site_return_id IS NULL OR accepted_at IS NULL",
            name="return_figures_count_by_approval",
        ),
        UniqueConstraint(
            "framework_version_id",
            "area_code",
            "period_code",
            "indicator_code",
            name="uq_comparison_series_figure",
        ),
    )


class ImpactRating(Base):
    """The evaluator's own rating of a site's evidence of impact on one indicator, on the framework's
    scale: separate from the site's self-assessment."""

    __tablename__ = "impact_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(40))
    evidence_level_id: Mapped[int] = mapped_column(ForeignKey("evidence_levels.id", ondelete="CASCADE"))
    rationale: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    evidence_level: Mapped[EvidenceLevel] = relationship()

    __table_args__ = (UniqueConstraint("framework_version_id", "site_id", "indicator_code"),)
