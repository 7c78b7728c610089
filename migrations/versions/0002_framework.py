"""The shared evaluation framework: frameworks, versions, their definitions, and reporting periods.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f("ck_frameworks_code_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
        sa.UniqueConstraint("code", name=op.f("uq_frameworks_code")),
        sa.UniqueConstraint("name", name=op.f("uq_frameworks_name")),
    )
    op.create_table(
        "reporting_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("returns_due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('quarter', 'month')", name=op.f("ck_reporting_periods_known_kind")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_reporting_periods_known_status")),
        sa.CheckConstraint(
            "ends_on <= returns_due_on", name=op.f("ck_reporting_periods_returns_due_after_it_ends")
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_reporting_periods_starts_before_it_ends")),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_reporting_periods_framework_id_frameworks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_periods")),
        sa.UniqueConstraint("framework_id", "code", name=op.f("uq_reporting_periods_framework_id_code")),
        sa.UniqueConstraint(
            "framework_id", "starts_on", name=op.f("uq_reporting_periods_framework_id_starts_on")
        ),
    )
    with op.batch_alter_table("reporting_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reporting_periods_framework_id"), ["framework_id"], unique=False)

    op.create_table(
        "framework_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source_yaml", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_filename", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'draft' AND published_at IS NULL) OR (status <> 'draft' AND published_at IS NOT NULL)",
            name=op.f("ck_framework_versions_published_at_when_published"),
        ),
        sa.CheckConstraint(
            "(status = 'retired' AND retired_at IS NOT NULL) OR (status <> 'retired' AND retired_at IS NULL)",
            name=op.f("ck_framework_versions_retired_at_when_retired"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'retired')", name=op.f("ck_framework_versions_known_status")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_framework_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_versions_framework_id_frameworks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["users.id"],
            name=op.f("fk_framework_versions_imported_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_framework_versions_published_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_versions")),
        sa.UniqueConstraint(
            "framework_id", "version", name=op.f("uq_framework_versions_framework_id_version")
        ),
    )
    with op.batch_alter_table("framework_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_versions_framework_id"), ["framework_id"], unique=False
        )
        batch_op.create_index(
            "uq_framework_versions_one_published",
            ["framework_id"],
            unique=True,
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )

    op.create_table(
        "activity_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_activity_types_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_types")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_activity_types_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("activity_types", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_types_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "cost_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("include_guidance", sa.Text(), nullable=False),
        sa.Column("exclude_guidance", sa.Text(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("in_kind", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_cost_categories_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_categories")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_cost_categories_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("cost_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cost_categories_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "evidence_scales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_evidence_scales_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_scales")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_evidence_scales_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("evidence_scales", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_scales_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "journey_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("percentage", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "percentage BETWEEN 0 AND 100", name=op.f("ck_journey_milestones_percentage_0_to_100")
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_journey_milestones_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_milestones")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_journey_milestones_framework_version_id_code")
        ),
        sa.UniqueConstraint(
            "framework_version_id",
            "percentage",
            name=op.f("uq_journey_milestones_framework_version_id_percentage"),
        ),
    )
    with op.batch_alter_table("journey_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journey_milestones_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "learning_dimensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_learning_dimensions_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_dimensions")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_learning_dimensions_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("learning_dimensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_dimensions_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "learning_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "code IN ('barrier', 'enabler', 'lesson', 'good_practice', 'recommendation')",
            name=op.f("ck_learning_types_known_learning_type"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_learning_types_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_types")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_learning_types_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("learning_types", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_types_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "partner_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("partner_type", sa.String(length=40), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "partner_type IN ('local_authority', 'jobcentre_plus', 'improvement_adviser', 'government_department', 'provider', 'voluntary_sector', 'health', 'other')",
            name=op.f("ck_partner_roles_known_partner_type"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_partner_roles_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_roles")),
        sa.UniqueConstraint(
            "framework_version_id",
            "partner_type",
            name=op.f("uq_partner_roles_framework_version_id_partner_type"),
        ),
    )
    with op.batch_alter_table("partner_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_roles_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_themes_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("framework_version_id", "code", name=op.f("uq_themes_framework_version_id_code")),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_themes_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "evaluation_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_evaluation_questions_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_evaluation_questions_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_questions")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_evaluation_questions_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("evaluation_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_questions_framework_version_id"), ["framework_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evaluation_questions_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "evidence_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("scale_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.CheckConstraint("level >= 1", name=op.f("ck_evidence_levels_level_positive")),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_evidence_levels_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scale_id"],
            ["evidence_scales.id"],
            name=op.f("fk_evidence_levels_scale_id_evidence_scales"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_levels")),
        sa.UniqueConstraint("scale_id", "level", name=op.f("uq_evidence_levels_scale_id_level")),
    )
    with op.batch_alter_table("evidence_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_levels_framework_version_id"), ["framework_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_levels_scale_id"), ["scale_id"], unique=False)

    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("decimal_places", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("combine_rule", sa.String(length=20), nullable=False),
        sa.Column("weighted_by_code", sa.String(length=40), nullable=True),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("baseline_required", sa.Boolean(), nullable=False),
        sa.Column("target_required", sa.Boolean(), nullable=False),
        sa.Column("plausible_min", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("plausible_max", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("include_guidance", sa.Text(), nullable=False),
        sa.Column("exclude_guidance", sa.Text(), nullable=False),
        sa.Column("data_sources", sa.JSON(), nullable=False),
        sa.Column("minimum_evidence_level_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(combine_rule = 'weighted_mean' AND weighted_by_code IS NOT NULL) OR (combine_rule <> 'weighted_mean' AND weighted_by_code IS NULL)",
            name=op.f("ck_indicators_weight_only_for_weighted_mean"),
        ),
        sa.CheckConstraint(
            "combine_rule IN ('sum', 'mean', 'weighted_mean', 'not_combinable')",
            name=op.f("ck_indicators_known_combine_rule"),
        ),
        sa.CheckConstraint(
            "direction IN ('higher_is_better', 'lower_is_better', 'no_direction')",
            name=op.f("ck_indicators_known_direction"),
        ),
        sa.CheckConstraint(
            "frequency IN ('monthly', 'quarterly', 'six_monthly', 'annually', 'once')",
            name=op.f("ck_indicators_known_frequency"),
        ),
        sa.CheckConstraint(
            "unit <> 'percentage' OR ((plausible_min IS NULL OR plausible_min >= 0) AND (plausible_max IS NULL OR plausible_max <= 100))",
            name=op.f("ck_indicators_percentage_range_within_0_100"),
        ),
        sa.CheckConstraint(
            "unit IN ('count', 'percentage', 'money_gbp', 'hours', 'days', 'score', 'ratio', 'yes_no')",
            name=op.f("ck_indicators_known_unit"),
        ),
        sa.CheckConstraint(
            "decimal_places BETWEEN 0 AND 4", name=op.f("ck_indicators_decimal_places_in_range")
        ),
        sa.CheckConstraint(
            "plausible_min IS NULL OR plausible_max IS NULL OR plausible_min <= plausible_max",
            name=op.f("ck_indicators_plausible_min_not_above_max"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_indicators_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["minimum_evidence_level_id"],
            ["evidence_levels.id"],
            name=op.f("fk_indicators_minimum_evidence_level_id_evidence_levels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_indicators_theme_id_themes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint(
            "framework_version_id", "code", name=op.f("uq_indicators_framework_version_id_code")
        ),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicators_framework_version_id"), ["framework_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_indicators_minimum_evidence_level_id"), ["minimum_evidence_level_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_indicators_theme_id"), ["theme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_theme_id"))
        batch_op.drop_index(batch_op.f("ix_indicators_minimum_evidence_level_id"))
        batch_op.drop_index(batch_op.f("ix_indicators_framework_version_id"))

    op.drop_table("indicators")
    with op.batch_alter_table("evidence_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_levels_scale_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_levels_framework_version_id"))

    op.drop_table("evidence_levels")
    with op.batch_alter_table("evaluation_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_questions_theme_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_questions_framework_version_id"))

    op.drop_table("evaluation_questions")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_framework_version_id"))

    op.drop_table("themes")
    with op.batch_alter_table("partner_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_roles_framework_version_id"))

    op.drop_table("partner_roles")
    with op.batch_alter_table("learning_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_types_framework_version_id"))

    op.drop_table("learning_types")
    with op.batch_alter_table("learning_dimensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_dimensions_framework_version_id"))

    op.drop_table("learning_dimensions")
    with op.batch_alter_table("journey_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journey_milestones_framework_version_id"))

    op.drop_table("journey_milestones")
    with op.batch_alter_table("evidence_scales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_scales_framework_version_id"))

    op.drop_table("evidence_scales")
    with op.batch_alter_table("cost_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_categories_framework_version_id"))

    op.drop_table("cost_categories")
    with op.batch_alter_table("activity_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_types_framework_version_id"))

    op.drop_table("activity_types")
    with op.batch_alter_table("framework_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_framework_versions_one_published",
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )
        batch_op.drop_index(batch_op.f("ix_framework_versions_framework_id"))

    op.drop_table("framework_versions")
    with op.batch_alter_table("reporting_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_periods_framework_id"))

    op.drop_table("reporting_periods")
    op.drop_table("frameworks")
