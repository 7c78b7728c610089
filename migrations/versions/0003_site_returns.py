"""Site returns: costs, savings, activities, baselines, measure values, learning, data flows,
supporting documents, review comments and submission snapshots.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "baselines",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("period_description", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_baselines_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baselines")),
        sa.UniqueConstraint("site_id", "indicator_code", name=op.f("uq_baselines_site_id_indicator_code")),
    )
    with op.batch_alter_table("baselines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_baselines_site_id"), ["site_id"], unique=False)

    op.create_table(
        "data_flows",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_gateway", sa.Text(), nullable=False),
        sa.Column("agreement_status", sa.String(length=16), nullable=False),
        sa.Column("impact_assessment_status", sa.String(length=16), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "agreement_status IN ('not_started', 'in_progress', 'in_place', 'not_needed')",
            name=op.f("ck_data_flows_known_agreement_status"),
        ),
        sa.CheckConstraint(
            "impact_assessment_status IN ('not_started', 'in_progress', 'in_place', 'not_needed')",
            name=op.f("ck_data_flows_known_impact_assessment_status"),
        ),
        sa.CheckConstraint(
            "approved_on IS NULL OR approved_on >= requested_on",
            name=op.f("ck_data_flows_approval_not_before_request"),
        ),
        sa.CheckConstraint(
            "approved_on IS NULL OR requested_on IS NOT NULL",
            name=op.f("ck_data_flows_approved_after_requested"),
        ),
        sa.CheckConstraint(
            "received_on IS NULL OR approved_on IS NOT NULL",
            name=op.f("ck_data_flows_received_after_approved"),
        ),
        sa.CheckConstraint(
            "received_on IS NULL OR received_on >= approved_on",
            name=op.f("ck_data_flows_receipt_not_before_approval"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_data_flows_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_flows")),
    )
    with op.batch_alter_table("data_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_flows_site_id"), ["site_id"], unique=False)

    op.create_table(
        "site_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("reporting_period_id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("completed_sections", sa.JSON(), nullable=False),
        sa.Column("journey_milestone_id", sa.Integer(), nullable=True),
        sa.Column("journey_evidence", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'approved', 'locked')",
            name=op.f("ck_site_returns_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_site_returns_created_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_site_returns_framework_version_id_framework_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["journey_milestone_id"],
            ["journey_milestones.id"],
            name=op.f("fk_site_returns_journey_milestone_id_journey_milestones"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reporting_period_id"],
            ["reporting_periods.id"],
            name=op.f("fk_site_returns_reporting_period_id_reporting_periods"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_site_returns_reviewed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_returns_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_site_returns_submitted_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_returns")),
        sa.UniqueConstraint(
            "site_id", "reporting_period_id", name=op.f("uq_site_returns_site_id_reporting_period_id")
        ),
    )
    with op.batch_alter_table("site_returns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_returns_framework_version_id"), ["framework_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_site_returns_reporting_period_id"), ["reporting_period_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_site_returns_site_id"), ["site_id"], unique=False)
        batch_op.create_index("ix_site_returns_status_site_id", ["status", "site_id"], unique=False)

    op.create_table(
        "activities",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("activity_type_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("partner_types", sa.JSON(), nullable=False),
        sa.Column("people_reached", sa.Integer(), nullable=True),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("import_reference", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "people_reached IS NULL OR people_reached >= 0",
            name=op.f("ck_activities_people_reached_not_negative"),
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_activities_starts_before_it_ends")),
        sa.ForeignKeyConstraint(
            ["activity_type_id"],
            ["activity_types.id"],
            name=op.f("fk_activities_activity_type_id_activity_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_activities_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_activities_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint(
            "site_return_id", "import_reference", name=op.f("uq_activities_site_return_id_import_reference")
        ),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_activity_type_id"), ["activity_type_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activities_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_site_return_id"), ["site_return_id"], unique=False)

    op.create_table(
        "cost_items",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("cost_category_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost_type", sa.String(length=10), nullable=False),
        sa.Column("funding", sa.String(length=10), nullable=False),
        sa.Column("attributable_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("attribution_reason", sa.Text(), nullable=False),
        sa.Column("staff_time_quantity", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("staff_time_unit", sa.String(length=10), nullable=True),
        sa.Column("staff_rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("import_reference", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cost_type IN ('set_up', 'running')", name=op.f("ck_cost_items_known_cost_type")),
        sa.CheckConstraint("funding IN ('cash', 'in_kind')", name=op.f("ck_cost_items_known_funding")),
        sa.CheckConstraint(
            "(staff_time_quantity IS NULL AND staff_time_unit IS NULL AND staff_rate IS NULL) OR (staff_time_quantity IS NOT NULL AND staff_time_unit IS NOT NULL AND staff_rate IS NOT NULL)",
            name=op.f("ck_cost_items_staff_time_complete_or_absent"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_cost_items_amount_not_negative")),
        sa.CheckConstraint(
            "attributable_percent >= 0 AND attributable_percent <= 100",
            name=op.f("ck_cost_items_percent_0_to_100"),
        ),
        sa.ForeignKeyConstraint(
            ["cost_category_id"],
            ["cost_categories.id"],
            name=op.f("fk_cost_items_cost_category_id_cost_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_cost_items_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_cost_items_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_items")),
        sa.UniqueConstraint(
            "site_return_id", "import_reference", name=op.f("uq_cost_items_site_return_id_import_reference")
        ),
    )
    with op.batch_alter_table("cost_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cost_items_cost_category_id"), ["cost_category_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cost_items_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            "ix_cost_items_site_id_cost_category_id", ["site_id", "cost_category_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cost_items_site_return_id"), ["site_return_id"], unique=False)

    op.create_table(
        "learning_entries",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("learning_type", sa.String(length=20), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("why_it_matters", sa.Text(), nullable=False),
        sa.Column("national_implication", sa.Text(), nullable=False),
        sa.Column("cleared_for_national", sa.Boolean(), nullable=False),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("import_reference", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"],
            ["users.id"],
            name=op.f("fk_learning_entries_cleared_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_learning_entries_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_learning_entries_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_learning_entries_theme_id_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_entries")),
        sa.UniqueConstraint(
            "site_return_id",
            "import_reference",
            name=op.f("uq_learning_entries_site_return_id_import_reference"),
        ),
    )
    with op.batch_alter_table("learning_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_entries_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            "ix_learning_entries_site_id_learning_type", ["site_id", "learning_type"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learning_entries_site_return_id"), ["site_return_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learning_entries_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "return_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_snapshots_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_snapshots")),
        sa.UniqueConstraint("site_return_id", "round", name=op.f("uq_return_snapshots_site_return_id_round")),
    )
    with op.batch_alter_table("return_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_return_snapshots_site_return_id"), ["site_return_id"], unique=False
        )

    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_review_comments_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_review_comments_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_review_comments_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comments")),
    )
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_comments_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_comments_site_return_id"), ["site_return_id"], unique=False
        )

    op.create_table(
        "saving_claims",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_level_id", sa.Integer(), nullable=True),
        sa.Column("import_reference", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_saving_claims_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["evidence_level_id"],
            ["evidence_levels.id"],
            name=op.f("fk_saving_claims_evidence_level_id_evidence_levels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_saving_claims_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_saving_claims_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saving_claims")),
        sa.UniqueConstraint(
            "site_return_id",
            "import_reference",
            name=op.f("uq_saving_claims_site_return_id_import_reference"),
        ),
    )
    with op.batch_alter_table("saving_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saving_claims_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_saving_claims_site_return_id"), ["site_return_id"], unique=False)

    op.create_table(
        "supporting_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_supporting_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_supporting_documents_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_supporting_documents_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_supporting_documents_uploaded_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporting_documents")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_supporting_documents_stored_name")),
    )
    with op.batch_alter_table("supporting_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supporting_documents_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supporting_documents_site_return_id"), ["site_return_id"], unique=False
        )

    op.create_table(
        "activity_partners",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("site_partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_partners_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_partner_id"],
            ["site_partners.id"],
            name=op.f("fk_activity_partners_site_partner_id_site_partners"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("activity_id", "site_partner_id", name=op.f("pk_activity_partners")),
    )
    op.create_table(
        "activity_themes",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_themes_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_activity_themes_theme_id_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("activity_id", "theme_id", name=op.f("pk_activity_themes")),
    )
    op.create_table(
        "learning_entry_dimensions",
        sa.Column("learning_entry_id", sa.Integer(), nullable=False),
        sa.Column("learning_dimension_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learning_dimension_id"],
            ["learning_dimensions.id"],
            name=op.f("fk_learning_entry_dimensions_learning_dimension_id_learning_dimensions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["learning_entry_id"],
            ["learning_entries.id"],
            name=op.f("fk_learning_entry_dimensions_learning_entry_id_learning_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "learning_entry_id", "learning_dimension_id", name=op.f("pk_learning_entry_dimensions")
        ),
    )
    op.create_table(
        "measure_values",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("not_available_reason", sa.Text(), nullable=True),
        sa.Column("target", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("quality_rating", sa.String(length=10), nullable=True),
        sa.Column("quality_reason", sa.Text(), nullable=False),
        sa.Column("evidence_level_id", sa.Integer(), nullable=True),
        sa.Column("commentary", sa.Text(), nullable=False),
        sa.Column("range_justification", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "quality_rating IS NULL OR quality_rating IN ('good', 'adequate', 'poor')",
            name=op.f("ck_measure_values_known_quality_rating"),
        ),
        sa.CheckConstraint(
            "(value IS NOT NULL AND not_available_reason IS NULL) OR (value IS NULL AND not_available_reason IS NOT NULL)",
            name=op.f("ck_measure_values_value_or_reason_not_available"),
        ),
        sa.ForeignKeyConstraint(
            ["evidence_level_id"],
            ["evidence_levels.id"],
            name=op.f("fk_measure_values_evidence_level_id_evidence_levels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_measure_values_indicator_id_indicators"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_measure_values_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_measure_values_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_values")),
        sa.UniqueConstraint(
            "site_return_id", "indicator_id", name=op.f("uq_measure_values_site_return_id_indicator_id")
        ),
    )
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_values_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_index(
            "ix_measure_values_indicator_id_site_id", ["indicator_id", "site_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_measure_values_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_measure_values_site_return_id"), ["site_return_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_values_site_return_id"))
        batch_op.drop_index(batch_op.f("ix_measure_values_site_id"))
        batch_op.drop_index("ix_measure_values_indicator_id_site_id")
        batch_op.drop_index(batch_op.f("ix_measure_values_indicator_id"))

    op.drop_table("measure_values")
    op.drop_table("learning_entry_dimensions")
    op.drop_table("activity_themes")
    op.drop_table("activity_partners")
    with op.batch_alter_table("supporting_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supporting_documents_site_return_id"))
        batch_op.drop_index(batch_op.f("ix_supporting_documents_site_id"))

    op.drop_table("supporting_documents")
    with op.batch_alter_table("saving_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saving_claims_site_return_id"))
        batch_op.drop_index(batch_op.f("ix_saving_claims_site_id"))

    op.drop_table("saving_claims")
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_comments_site_return_id"))
        batch_op.drop_index(batch_op.f("ix_review_comments_site_id"))

    op.drop_table("review_comments")
    with op.batch_alter_table("return_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_snapshots_site_return_id"))

    op.drop_table("return_snapshots")
    with op.batch_alter_table("learning_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_entries_theme_id"))
        batch_op.drop_index(batch_op.f("ix_learning_entries_site_return_id"))
        batch_op.drop_index("ix_learning_entries_site_id_learning_type")
        batch_op.drop_index(batch_op.f("ix_learning_entries_site_id"))

    op.drop_table("learning_entries")
    with op.batch_alter_table("cost_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_items_site_return_id"))
        batch_op.drop_index("ix_cost_items_site_id_cost_category_id")
        batch_op.drop_index(batch_op.f("ix_cost_items_site_id"))
        batch_op.drop_index(batch_op.f("ix_cost_items_cost_category_id"))

    op.drop_table("cost_items")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_site_return_id"))
        batch_op.drop_index(batch_op.f("ix_activities_site_id"))
        batch_op.drop_index(batch_op.f("ix_activities_activity_type_id"))

    op.drop_table("activities")
    with op.batch_alter_table("site_returns", schema=None) as batch_op:
        batch_op.drop_index("ix_site_returns_status_site_id")
        batch_op.drop_index(batch_op.f("ix_site_returns_site_id"))
        batch_op.drop_index(batch_op.f("ix_site_returns_reporting_period_id"))
        batch_op.drop_index(batch_op.f("ix_site_returns_framework_version_id"))

    op.drop_table("site_returns")
    with op.batch_alter_table("data_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_flows_site_id"))

    op.drop_table("data_flows")
    with op.batch_alter_table("baselines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_baselines_site_id"))

    op.drop_table("baselines")
