"""What evaluators upload for the value-for-money appraisal of a framework: a GDP deflator series that
replaces the parameter set's, and the list of area sizes the roll-out projection scales by. The newest
upload of each kind for a framework is the one in use; earlier ones are kept as the record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidence_hub.db import Base, UTCDateTime, utc_now


class DeflatorUpload(Base):
    """A GDP deflator series: `index_values` maps each financial year ("2009" for 2009-10) to its index,
    written as a decimal string so nothing passes through a float."""

    __tablename__ = "deflator_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True)
    index_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    reference_year: Mapped[int | None] = mapped_column()
    source_title: Mapped[str] = mapped_column(String(300))
    source_publisher: Mapped[str] = mapped_column(String(200), default="")
    source_published: Mapped[str] = mapped_column(String(200), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class AreaSizeUpload(Base):
    """The size of each area (pilot sites by their site code, and the areas a roll-out would reach) on one
    measure, such as the working-age population. `areas` is a list of [code, name, size as text]."""

    __tablename__ = "area_size_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True)
    measure_name: Mapped[str] = mapped_column(String(200))
    measure_source: Mapped[str] = mapped_column(Text)
    areas: Mapped[list[Any]] = mapped_column(JSON)
    filename: Mapped[str] = mapped_column(String(255), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
