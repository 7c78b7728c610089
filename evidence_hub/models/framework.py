"""The shared evaluation framework: versioned definitions that every site reports against.

A `Framework` is one evaluation programme (for example the worklessness data-sharing pilots). It has
numbered `FrameworkVersion`s; each version holds the themes, evaluation questions, indicators, cost
categories, activity types, learning guidance, the data-sharing journey and the evidence scales. A
version is imported as a draft, then published; publishing retires the version that was live. Published
and retired versions never change, so a changed definition can never silently rewrite what sites have
already reported against an earlier one. A framework's reporting periods are in models/periods.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from evidence_hub.db import Base, UTCDateTime, utc_now
from evidence_hub.models.accounts import User
from evidence_hub.models.enums import LabelledEnum, one_of
from evidence_hub.models.periods import ReportingPeriod
from evidence_hub.models.programmes import Programme
from evidence_hub.models.sites import PartnerType


class FrameworkStatus(LabelledEnum):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class IndicatorUnit(LabelledEnum):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    MONEY_GBP = "money_gbp", "Money (£, GBP)"
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"
    SCORE = "score", "Score"
    RATIO = "ratio", "Ratio"
    YES_NO = "yes_no", "Yes or no"


class Direction(LabelledEnum):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NO_DIRECTION = "no_direction", "Neither higher nor lower is better"


class CombineRule(LabelledEnum):
    """How one indicator's figures from several sites are put together into one figure."""

    SUM = "sum", "Added up across sites"
    MEAN = "mean", "Averaged across sites (mean)"
    WEIGHTED_MEAN = "weighted_mean", "Averaged across sites, weighted by another indicator"
    NOT_COMBINABLE = "not_combinable", "Not combined across sites: each site is reported on its own"


class CollectionFrequency(LabelledEnum):
    MONTHLY = "monthly", "Every month"
    QUARTERLY = "quarterly", "Every quarter"
    SIX_MONTHLY = "six_monthly", "Every six months"
    ANNUALLY = "annually", "Every year"
    ONCE = "once", "Once, at the end of the pilot"


class LearningType(LabelledEnum):
    """The kinds of learning a site records. Fixed, because the learning summary is built on them."""

    BARRIER = "barrier", "Barrier"
    ENABLER = "enabler", "Enabler"
    LESSON = "lesson", "Lesson"
    GOOD_PRACTICE = "good_practice", "Good practice"
    RECOMMENDATION = "recommendation", "Recommendation"


class PublishedFrameworkIsImmutable(RuntimeError):
    """Raised when anything tries to change a published or retired framework version."""


class Framework(Base):
    """One evaluation programme's framework, identified by a stable code; its content lives in versions."""

    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-case words joined by hyphens, used in addresses and on the command line.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The programme that owns the framework, and through it the versions, periods, returns and releases.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    # Whether site leads see other sites' approved figures beside their own on the dashboards. Off until
    # an administrator agrees it with the sites, because a site's figures are its own until then.
    cross_site_sharing: Mapped[bool] = mapped_column(default=False, server_default=false())

    programme: Mapped[Programme] = relationship()
    versions: Mapped[list[FrameworkVersion]] = relationship(
        back_populates="framework", order_by="FrameworkVersion.version"
    )
    reporting_periods: Mapped[list[ReportingPeriod]] = relationship(
        back_populates="framework", order_by="ReportingPeriod.starts_on"
    )

    __table_args__ = (CheckConstraint("code <> ''", name="code_not_empty"),)

    @property
    def published_version(self) -> FrameworkVersion | None:
        return next((v for v in self.versions if v.status == FrameworkStatus.PUBLISHED.value), None)

    @property
    def latest_version(self) -> FrameworkVersion | None:
        return self.versions[-1] if self.versions else None


def _content(order_by: str) -> Any:
    """The relationship from a version to one kind of its content."""
    return relationship(
        back_populates="framework_version",
        order_by=order_by,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


def _version(collection: str) -> Any:
    """The relationship from a piece of content to the version it belongs to."""
    return relationship(back_populates=collection)


class FrameworkVersion(Base):
    """One numbered version of a framework: draft, then published, then retired when a newer one goes live."""

    __tablename__ = "framework_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=FrameworkStatus.DRAFT.value)
    description: Mapped[str] = mapped_column(Text, default="")
    # The date from which sites report against this version.
    effective_from: Mapped[date] = mapped_column(Date)
    # The file exactly as it was imported: what "download the framework file" serves.
    source_yaml: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    framework: Mapped[Framework] = relationship(back_populates="versions")
    imported_by: Mapped[User | None] = relationship(foreign_keys=[imported_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    # Content is created with the version and removed with it (only a draft can be removed).
    themes: Mapped[list[Theme]] = _content("Theme.position")
    questions: Mapped[list[EvaluationQuestion]] = _content("EvaluationQuestion.position")
    evidence_scales: Mapped[list[EvidenceScale]] = _content("EvidenceScale.position")
    evidence_levels: Mapped[list[EvidenceLevel]] = _content("EvidenceLevel.level")
    indicators: Mapped[list[Indicator]] = _content("Indicator.position")
    cost_categories: Mapped[list[CostCategory]] = _content("CostCategory.position")
    activity_types: Mapped[list[ActivityType]] = _content("ActivityType.position")
    learning_types: Mapped[list[LearningTypeGuidance]] = _content("LearningTypeGuidance.position")
    learning_dimensions: Mapped[list[LearningDimension]] = _content("LearningDimension.position")
    partner_roles: Mapped[list[PartnerRole]] = _content("PartnerRole.position")
    milestones: Mapped[list[JourneyMilestone]] = _content("JourneyMilestone.position")

    __table_args__ = (
        UniqueConstraint("framework_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(one_of("status", FrameworkStatus), name="known_status"),
        CheckConstraint(
            "(status = 'draft' AND published_at IS NULL) OR (status <> 'draft' AND published_at IS NOT NULL)",
            name="published_at_when_published",
        ),
        CheckConstraint(
            "(status = 'retired' AND retired_at IS NOT NULL) OR (status <> 'retired' AND retired_at IS NULL)",
            name="retired_at_when_retired",
        ),
        # At most one live version of each framework, whatever code or tool writes.
        Index(
            "uq_framework_versions_one_published",
            "framework_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    @property
    def status_enum(self) -> FrameworkStatus:
        return FrameworkStatus(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == FrameworkStatus.DRAFT.value

    @property
    def label(self) -> str:
        return f"{self.framework.name}, version {self.version}"


class Theme(Base):
    """A line of enquiry, such as value for money, holding evaluation questions and indicators."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("themes")
    # Questions and indicators belong to the version (which deletes them); a theme only groups them, so
    # the ORM must never try to detach them from a theme being deleted with its draft.
    questions: Mapped[list[EvaluationQuestion]] = relationship(
        back_populates="theme", order_by="EvaluationQuestion.position", passive_deletes="all"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="theme", order_by="Indicator.position", passive_deletes="all"
    )

    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)


class EvaluationQuestion(Base):
    __tablename__ = "evaluation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("questions")
    theme: Mapped[Theme] = relationship(back_populates="questions")

    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)


class EvidenceScale(Base):
    """A published scale of evidence strength, such as the Maryland Scientific Methods Scale."""

    __tablename__ = "evidence_scales"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Where the scale is published, so that a reader can check the wording.
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("evidence_scales")
    levels: Mapped[list[EvidenceLevel]] = relationship(
        back_populates="scale",
        order_by="EvidenceLevel.level",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)


class EvidenceLevel(Base):
    __tablename__ = "evidence_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Carried here too so that every row of a version can be found (and guarded) by its version alone.
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    scale_id: Mapped[int] = mapped_column(ForeignKey("evidence_scales.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # The plain-English question a pilot lead answers to place their evidence at this level.
    prompt: Mapped[str] = mapped_column(Text)

    framework_version: Mapped[FrameworkVersion] = _version("evidence_levels")
    scale: Mapped[EvidenceScale] = relationship(back_populates="levels")

    __table_args__ = (
        UniqueConstraint("scale_id", "level"),
        CheckConstraint("level >= 1", name="level_positive"),
    )

    @property
    def label(self) -> str:
        return f"{self.scale.name}, level {self.level}: {self.title}"


class Indicator(Base):
    """An impact measure. Its code stays the same across versions so figures can be compared over time."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(16))
    decimal_places: Mapped[int] = mapped_column()
    direction: Mapped[str] = mapped_column(String(20))
    combine_rule: Mapped[str] = mapped_column(String(20))
    # For a weighted mean: the code of the indicator (in the same version) that gives each site's weight.
    weighted_by_code: Mapped[str | None] = mapped_column(String(40))
    frequency: Mapped[str] = mapped_column(String(20))
    baseline_required: Mapped[bool] = mapped_column()
    target_required: Mapped[bool] = mapped_column()
    # Values outside the plausible range are accepted only with a justification. None for yes/no.
    plausible_min: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    plausible_max: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    include_guidance: Mapped[str] = mapped_column(Text)
    exclude_guidance: Mapped[str] = mapped_column(Text)
    data_sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How its figures go into a release (services/framework/definitions.ReleaseDeclaration); None: the
    # defaults (a count of people, no formula).
    release_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    minimum_evidence_level_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_levels.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("indicators")
    theme: Mapped[Theme] = relationship(back_populates="indicators")
    minimum_evidence_level: Mapped[EvidenceLevel] = relationship()

    __table_args__ = (
        UniqueConstraint("framework_version_id", "code"),
        CheckConstraint(one_of("unit", IndicatorUnit), name="known_unit"),
        CheckConstraint(one_of("direction", Direction), name="known_direction"),
        CheckConstraint(one_of("combine_rule", CombineRule), name="known_combine_rule"),
        CheckConstraint(one_of("frequency", CollectionFrequency), name="known_frequency"),
        CheckConstraint("decimal_places BETWEEN 0 AND 4", name="decimal_places_in_range"),
        CheckConstraint(
            "plausible_min IS NULL OR plausible_max IS NULL OR plausible_min <= plausible_max",
            name="plausible_min_not_above_max",
        ),
        CheckConstraint(
            "(combine_rule = 'weighted_mean' AND weighted_by_code IS NOT NULL) "
            "OR (combine_rule <> 'weighted_mean' AND weighted_by_code IS NULL)",
            name="weight_only_for_weighted_mean",
        ),
        CheckConstraint(
            "unit <> 'percentage' OR ((plausible_min IS NULL OR plausible_min >= 0) "
            "AND (plausible_max IS NULL OR plausible_max <= 100))",
            name="percentage_range_within_0_100",
        ),
    )

    @property
    def unit_enum(self) -> IndicatorUnit:
        return IndicatorUnit(self.unit)

    @property
    def direction_enum(self) -> Direction:
        return Direction(self.direction)

    @property
    def combine_rule_enum(self) -> CombineRule:
        return CombineRule(self.combine_rule)

    @property
    def frequency_enum(self) -> CollectionFrequency:
        return CollectionFrequency(self.frequency)


class CostCategory(Base):
    """A kind of cost, with what to include and exclude so that sites separate pilot costs the same way."""

    __tablename__ = "cost_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    include_guidance: Mapped[str] = mapped_column(Text)
    exclude_guidance: Mapped[str] = mapped_column(Text)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Costs met in kind (such as partner staff time) rather than paid for: valued, but no money changes hands.
    in_kind: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("cost_categories")

    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)


class ActivityType(Base):
    __tablename__ = "activity_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("activity_types")

    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)


class LearningTypeGuidance(Base):
    """What this framework means by one kind of learning (barrier, enabler, ...), with examples."""

    __tablename__ = "learning_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("learning_types")

    __table_args__ = (
        UniqueConstraint("framework_version_id", "code"),
        CheckConstraint(one_of("code", LearningType), name="known_learning_type"),
    )

    @property
    def learning_type(self) -> LearningType:
        return LearningType(self.code)

    @property
    def name(self) -> str:
        return self.learning_type.label


class LearningDimension(Base):
    """An area a barrier or enabler belongs to, such as legal and information governance."""

    __tablename__ = "learning_dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("learning_dimensions")

    __table_args__ = (UniqueConstraint("framework_version_id", "code"),)


class PartnerRole(Base):
    """The part one kind of partner (models.sites.PartnerType) plays in this programme."""

    __tablename__ = "partner_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    partner_type: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("partner_roles")

    __table_args__ = (
        UniqueConstraint("framework_version_id", "partner_type"),
        CheckConstraint(one_of("partner_type", PartnerType), name="known_partner_type"),
    )

    @property
    def partner_type_label(self) -> str:
        return PartnerType(self.partner_type).label


class JourneyMilestone(Base):
    """A step of the data-sharing journey, from 0 (nothing shared) to 100 (sharing fully in place)."""

    __tablename__ = "journey_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    percentage: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    # What a site can show to demonstrate it has reached the milestone.
    evidence: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column()

    framework_version: Mapped[FrameworkVersion] = _version("milestones")

    __table_args__ = (
        UniqueConstraint("framework_version_id", "code"),
        UniqueConstraint("framework_version_id", "percentage"),
        CheckConstraint("percentage BETWEEN 0 AND 100", name="percentage_0_to_100"),
    )


VERSION_CONTENT_MODELS: tuple[type[Base], ...] = (
    Theme,
    EvaluationQuestion,
    EvidenceScale,
    EvidenceLevel,
    Indicator,
    CostCategory,
    ActivityType,
    LearningTypeGuidance,
    LearningDimension,
    PartnerRole,
    JourneyMilestone,
)

# The only change a published version may undergo: being retired when a newer version goes live.
_RETIREMENT_FIELDS = frozenset({"status", "retired_at"})


def _status_before_this_flush(version: FrameworkVersion) -> str:
    history = inspect(version).attrs.status.history
    if history.deleted:
        return str(history.deleted[0])
    return version.status


def _changed_fields(instance: Any) -> set[str]:
    state = inspect(instance)
    return {attribute.key for attribute in state.attrs if attribute.history.has_changes()}


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published_frameworks(session: Session, _context: Any, _instances: Any) -> None:
    """Published and retired versions are read-only, whichever code path tries to change them."""
    with session.no_autoflush:
        for instance in session.deleted:
            if isinstance(instance, FrameworkVersion) and _status_before_this_flush(instance) != "draft":
                raise PublishedFrameworkIsImmutable(
                    f"Version {instance.version} is {_status_before_this_flush(instance)}: only a draft "
                    "version can be deleted."
                )
        for instance in session.dirty:
            if not isinstance(instance, FrameworkVersion) or not session.is_modified(instance):
                continue
            before = _status_before_this_flush(instance)
            if before == "draft":
                continue
            changed = _changed_fields(instance)
            retiring = (
                before == "published" and instance.status == "retired" and changed <= _RETIREMENT_FIELDS
            )
            if changed and not retiring:
                raise PublishedFrameworkIsImmutable(
                    f"Version {instance.version} is {before} and cannot be changed. "
                    "Import a new version instead."
                )
        for instance in (*session.new, *session.dirty, *session.deleted):
            if not isinstance(instance, VERSION_CONTENT_MODELS):
                continue
            if instance in session.dirty and not session.is_modified(instance):
                continue
            version: FrameworkVersion | None = getattr(instance, "framework_version", None)
            if version is None or version in session.new:
                continue  # A brand-new version: its content is being created with it.
            before = _status_before_this_flush(version)
            if before != "draft":
                raise PublishedFrameworkIsImmutable(
                    f"Version {version.version} is {before}: its definitions cannot be added to, changed "
                    "or removed. Import a new version instead."
                )


def below_minimum_expression(measure_level: Any, minimum_level: Any) -> Any:
    """Evidence below the indicator's minimum: no level given, or a lower level on the same scale."""
    return case(
        (measure_level.id.is_(None), True),
        (
            and_(measure_level.scale_id == minimum_level.scale_id, measure_level.level < minimum_level.level),
            True,
        ),
        else_=False,
    )
