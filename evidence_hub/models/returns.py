"""Site returns: one site's evidence for one reporting period, and the review of it.

A return moves draft → submitted → returned (with comments) or approved → locked when its period
closes. Every row of evidence carries its site (for the one scoping rule in services/common/access.py and for
aggregation in SQL) and a `version` that goes up by one on every change, so that saving over somebody
else's newer change is detected instead of silently overwriting it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.accounts import User
from evidence_hub.models.enums import LabelledEnum, one_of
from evidence_hub.models.framework import (
    ActivityType,
    CostCategory,
    EvidenceLevel,
    FrameworkVersion,
    Indicator,
    JourneyMilestone,
    LearningDimension,
    Theme,
)
from evidence_hub.models.periods import ReportingPeriod
from evidence_hub.models.sites import Site, SitePartner


class ReturnStatus(LabelledEnum):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved"
    LOCKED = "locked", "Locked"


def state_label(status: ReturnStatus, approved: bool) -> str:
    """A return's state in words, saying of a locked return whether it was approved before it locked."""
    if status is ReturnStatus.LOCKED:
        return "Locked: approved" if approved else "Locked: not approved"
    return status.label


# A site lead may change evidence only while the return is in one of these states.
EDITABLE_STATUSES = frozenset({ReturnStatus.DRAFT, ReturnStatus.RETURNED})


class ReturnSection(LabelledEnum):
    COSTS = "costs", "Costs and savings"
    ACTIVITIES = "activities", "Activities"
    MEASURES = "measures", "Impact measures"
    LEARNING = "learning", "Learning"
    JOURNEY = "journey", "Data-sharing journey and data flows"
    DOCUMENTS = "documents", "Supporting documents"


class CostType(LabelledEnum):
    SET_UP = "set_up", "One-off set-up"
    RUNNING = "running", "Recurring running"


class Funding(LabelledEnum):
    CASH = "cash", "Cash"
    IN_KIND = "in_kind", "In kind"


class TimeUnit(LabelledEnum):
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"


class QualityRating(LabelledEnum):
    GOOD = "good", "Good: complete, checked and from a reliable source"
    ADEQUATE = "adequate", "Adequate: some gaps or estimates, but fit for comparison"
    POOR = "poor", "Poor: incomplete or unverified; use with caution"


class AgreementStatus(LabelledEnum):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IN_PLACE = "in_place", "In place"
    NOT_NEEDED = "not_needed", "Not needed"


class EvidenceRow:
    """Columns every piece of evidence has: its site, who changed it last and its edit version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)


class SiteReturn(Base):
    __tablename__ = "site_returns"
    audit_name: ClassVar[str] = "return"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    reporting_period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_periods.id", ondelete="RESTRICT"), index=True
    )
    # The framework version in force when the return was started: its definitions govern every figure.
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ReturnStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    # Sections the lead has marked as completed (GOV.UK task list).
    completed_sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    journey_milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("journey_milestones.id", ondelete="RESTRICT")
    )
    journey_evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # Approval is a fact of its own, apart from the lock: a period closes over approved and unapproved
    # returns alike, and only returns approved by an evaluator count as approved anywhere.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    site: Mapped[Site] = relationship()
    reporting_period: Mapped[ReportingPeriod] = relationship()
    framework_version: Mapped[FrameworkVersion] = relationship()
    journey_milestone: Mapped[JourneyMilestone | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    costs: Mapped[list[CostItem]] = relationship(back_populates="site_return", order_by="CostItem.id")
    savings: Mapped[list[SavingClaim]] = relationship(back_populates="site_return", order_by="SavingClaim.id")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="site_return", order_by="Activity.starts_on"
    )
    measures: Mapped[list[MeasureValue]] = relationship(back_populates="site_return")
    learning: Mapped[list[LearningEntry]] = relationship(
        back_populates="site_return", order_by="LearningEntry.id"
    )
    documents: Mapped[list[SupportingDocument]] = relationship(
        back_populates="site_return", order_by="SupportingDocument.id"
    )
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="site_return", order_by="ReviewComment.created_at"
    )

    __table_args__ = (
        UniqueConstraint("site_id", "reporting_period_id"),
        CheckConstraint(one_of("status", ReturnStatus), name="known_status"),
        Index("ix_site_returns_status_site_id", "status", "site_id"),
        Index("ix_site_returns_period_status_site", "reporting_period_id", "status", "site_id"),
        # Returns waiting for review, the longest-waiting first (finding.returns_to_review): a page of them
        # is a range of this index however many are waiting, not a sort of them all.
        Index("ix_site_returns_waiting", "status", "submitted_at", "id"),
        CheckConstraint(
            "(approved_at IS NULL AND approved_by_id IS NULL) OR "
            "(approved_at IS NOT NULL AND approved_by_id IS NOT NULL)",
            name="approval_complete_or_absent",
        ),
        CheckConstraint(
            "status NOT IN ('approved') OR approved_at IS NOT NULL", name="approved_status_is_approved"
        ),
    )

    @property
    def status_enum(self) -> ReturnStatus:
        return ReturnStatus(self.status)

    @property
    def is_editable(self) -> bool:
        return self.status_enum in EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        """Approved by an evaluator (and not reopened since), whether or not its period has closed."""
        return self.approved_at is not None

    @property
    def state_label(self) -> str:
        return state_label(self.status_enum, self.is_approved)


class CostItem(EvidenceRow, Base):
    __tablename__ = "cost_items"
    audit_name: ClassVar[str] = "cost"

    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    cost_category_id: Mapped[int] = mapped_column(
        ForeignKey("cost_categories.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    # Pounds and pence. With staff time, quantity times rate, rounded to the penny.
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    cost_type: Mapped[str] = mapped_column(String(10))
    funding: Mapped[str] = mapped_column(String(10))
    attributable_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("100"))
    attribution_reason: Mapped[str] = mapped_column(Text, default="")
    staff_time_quantity: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    staff_time_unit: Mapped[str | None] = mapped_column(String(10))
    staff_rate: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    funder: Mapped[str] = mapped_column(String(200), default="")
    # The item's reference from the moment it exists (given by a spreadsheet row, or made when it is added
    # through a form), carried by every template, so that uploading the same rows again updates them.
    import_reference: Mapped[str] = mapped_column(String(60))

    site_return: Mapped[SiteReturn] = relationship(back_populates="costs")
    category: Mapped[CostCategory] = relationship()

    __table_args__ = (
        UniqueConstraint("site_return_id", "import_reference"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(one_of("cost_type", CostType), name="known_cost_type"),
        CheckConstraint(one_of("funding", Funding), name="known_funding"),
        CheckConstraint("attributable_percent >= 0 AND attributable_percent <= 100", name="percent_0_to_100"),
        CheckConstraint(
            "(staff_time_quantity IS NULL AND staff_time_unit IS NULL AND staff_rate IS NULL) OR "
            "(staff_time_quantity IS NOT NULL AND staff_time_unit IS NOT NULL AND staff_rate IS NOT NULL)",
            name="staff_time_complete_or_absent",
        ),
        Index("ix_cost_items_site_id_cost_category_id", "site_id", "cost_category_id"),
        # A return's costs in the order its section lists them (services/returns/item_lists.py): a page of
        # them is a range of this index, never a sort of every line of the return (over a thousand in the
        # largest). Saving claims, activities and learning entries have the same, in their lists' orders.
        Index("ix_cost_items_return_list", "site_return_id", "id"),
        # Covers the dashboards' cost totals by return, so they are read from the index alone.
        Index(
            "ix_cost_items_return_totals",
            "site_return_id",
            "cost_category_id",
            "cost_type",
            "funding",
            "amount",
            "attributable_percent",
        ),
    )

    @property
    def attributable_amount(self) -> Decimal:
        return (self.amount * self.attributable_percent / 100).quantize(Decimal("0.01"))


class SavingClaim(EvidenceRow, Base):
    """A cost avoided or a saving the site claims, recorded apart from costs, with its evidence."""

    __tablename__ = "saving_claims"
    audit_name: ClassVar[str] = "saving"

    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    evidence: Mapped[str] = mapped_column(Text)
    evidence_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_levels.id", ondelete="RESTRICT")
    )
    import_reference: Mapped[str] = mapped_column(String(60))

    site_return: Mapped[SiteReturn] = relationship(back_populates="savings")
    evidence_level: Mapped[EvidenceLevel | None] = relationship()

    __table_args__ = (
        UniqueConstraint("site_return_id", "import_reference"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_saving_claims_return_list", "site_return_id", "id"),
    )


activity_partners = Table(
    "activity_partners",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("site_partner_id", ForeignKey("site_partners.id", ondelete="RESTRICT"), primary_key=True),
)

activity_themes = Table(
    "activity_themes",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True),
)


class Activity(EvidenceRow, Base):
    __tablename__ = "activities"
    audit_name: ClassVar[str] = "activity"

    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    activity_type_id: Mapped[int] = mapped_column(
        ForeignKey("activity_types.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Kinds of partner involved (models.sites.PartnerType values), beside the named organisations.
    partner_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    people_reached: Mapped[int | None] = mapped_column()
    outputs: Mapped[str] = mapped_column(Text, default="")
    import_reference: Mapped[str] = mapped_column(String(60))

    site_return: Mapped[SiteReturn] = relationship(back_populates="activities")
    activity_type: Mapped[ActivityType] = relationship()
    partners: Mapped[list[SitePartner]] = relationship(
        secondary=activity_partners, order_by="SitePartner.name"
    )
    themes: Mapped[list[Theme]] = relationship(secondary=activity_themes, order_by="Theme.position")

    __table_args__ = (
        UniqueConstraint("site_return_id", "import_reference"),
        CheckConstraint("starts_on <= ends_on", name="starts_before_it_ends"),
        CheckConstraint("people_reached IS NULL OR people_reached >= 0", name="people_reached_not_negative"),
        Index("ix_activities_return_people_reached", "site_return_id", "people_reached"),
        Index("ix_activities_return_list", "site_return_id", "starts_on", "id"),
    )


class Baseline(EvidenceRow, Base):
    """A site's starting point for one indicator, set once and changed only with a reason (audited)."""

    __tablename__ = "baselines"
    audit_name: ClassVar[str] = "baseline"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    # The indicator code, stable across framework versions, so a baseline outlives a version change.
    indicator_code: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    period_description: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("site_id", "indicator_code"),)


class MeasureValue(EvidenceRow, Base):
    """A site's figure for one indicator in one period, or an explicit "not yet available"."""

    __tablename__ = "measure_values"
    audit_name: ClassVar[str] = "measure"

    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="RESTRICT"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    not_available_reason: Mapped[str | None] = mapped_column(Text)
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    data_source: Mapped[str] = mapped_column(Text, default="")
    quality_rating: Mapped[str | None] = mapped_column(String(10))
    quality_reason: Mapped[str] = mapped_column(Text, default="")
    evidence_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_levels.id", ondelete="RESTRICT")
    )
    commentary: Mapped[str] = mapped_column(Text, default="")
    # Required when the value lies outside the indicator's plausible range.
    range_justification: Mapped[str] = mapped_column(Text, default="")

    site_return: Mapped[SiteReturn] = relationship(back_populates="measures")
    indicator: Mapped[Indicator] = relationship()
    evidence_level: Mapped[EvidenceLevel | None] = relationship()

    __table_args__ = (
        UniqueConstraint("site_return_id", "indicator_id"),
        CheckConstraint(
            "(value IS NOT NULL AND not_available_reason IS NULL) OR "
            "(value IS NULL AND not_available_reason IS NOT NULL)",
            name="value_or_reason_not_available",
        ),
        CheckConstraint(
            "quality_rating IS NULL OR " + one_of("quality_rating", QualityRating),
            name="known_quality_rating",
        ),
        Index("ix_measure_values_indicator_id_site_id", "indicator_id", "site_id"),
        # Covers what the dashboards count over every value in view (indicator_summaries, completeness), so
        # that they never read the table's rows with their text.
        Index(
            "ix_measure_values_figures",
            "site_return_id",
            "indicator_id",
            "site_id",
            "evidence_level_id",
            "value",
        ),
    )

    @property
    def is_available(self) -> bool:
        return self.value is not None


learning_entry_dimensions = Table(
    "learning_entry_dimensions",
    Base.metadata,
    Column("learning_entry_id", ForeignKey("learning_entries.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "learning_dimension_id", ForeignKey("learning_dimensions.id", ondelete="RESTRICT"), primary_key=True
    ),
)


class LearningEntry(EvidenceRow, Base):
    __tablename__ = "learning_entries"
    audit_name: ClassVar[str] = "learning"

    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    learning_type: Mapped[str] = mapped_column(String(20))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    what_happened: Mapped[str] = mapped_column(Text)
    why_it_matters: Mapped[str] = mapped_column(Text, default="")
    national_implication: Mapped[str] = mapped_column(Text, default="")
    # Set only by an evaluator: whether national officials may read this entry's text.
    cleared_for_national: Mapped[bool] = mapped_column(default=False)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    import_reference: Mapped[str] = mapped_column(String(60))

    site_return: Mapped[SiteReturn] = relationship(back_populates="learning")
    theme: Mapped[Theme | None] = relationship()
    dimensions: Mapped[list[LearningDimension]] = relationship(
        secondary=learning_entry_dimensions, order_by="LearningDimension.position"
    )

    __table_args__ = (
        UniqueConstraint("site_return_id", "import_reference"),
        Index("ix_learning_entries_site_id_learning_type", "site_id", "learning_type"),
        Index("ix_learning_entries_return_type_theme", "site_return_id", "learning_type", "theme_id"),
        Index("ix_learning_entries_return_list", "site_return_id", "id"),
    )


class DataFlow(EvidenceRow, Base):
    """One data set the site's pilot seeks: who holds it, on what legal basis, and how far it has got."""

    __tablename__ = "data_flows"
    audit_name: ClassVar[str] = "data_flow"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    dataset: Mapped[str] = mapped_column(String(200))
    holder: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    legal_gateway: Mapped[str] = mapped_column(Text, default="")
    agreement_status: Mapped[str] = mapped_column(String(16), default=AgreementStatus.NOT_STARTED.value)
    impact_assessment_status: Mapped[str] = mapped_column(
        String(16), default=AgreementStatus.NOT_STARTED.value
    )
    requested_on: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(one_of("agreement_status", AgreementStatus), name="known_agreement_status"),
        CheckConstraint(
            one_of("impact_assessment_status", AgreementStatus), name="known_impact_assessment_status"
        ),
        CheckConstraint("approved_on IS NULL OR requested_on IS NOT NULL", name="approved_after_requested"),
        CheckConstraint("received_on IS NULL OR approved_on IS NOT NULL", name="received_after_approved"),
        CheckConstraint(
            "approved_on IS NULL OR approved_on >= requested_on", name="approval_not_before_request"
        ),
        CheckConstraint(
            "received_on IS NULL OR received_on >= approved_on", name="receipt_not_before_approval"
        ),
    )


class SupportingDocument(Base):
    __tablename__ = "supporting_documents"
    audit_name: ClassVar[str] = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    # Random name under the instance folder's documents store; never derived from the upload's name.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    # Detected from the file's content, not its name.
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    site_return: Mapped[SiteReturn] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)


class ReviewComment(Base):
    """An evaluator's comment on a return as a whole (item_type 'return') or on one item of it."""

    __tablename__ = "review_comments"
    audit_name: ClassVar[str] = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int | None] = mapped_column()
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    # The submission round the comment belongs to (1 for the first submission, and so on).
    round: Mapped[int] = mapped_column(default=1)

    site_return: Mapped[SiteReturn] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class ReturnSnapshot(Base):
    """The whole content of a return as submitted, so a resubmission can show exactly what changed."""

    __tablename__ = "return_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_return_id: Mapped[int] = mapped_column(ForeignKey("site_returns.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column()
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("site_return_id", "round"),)
