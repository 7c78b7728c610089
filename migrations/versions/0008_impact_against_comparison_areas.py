"""Impact against comparison areas: each site's own area and its comparison areas (GSS codes) per framework
version, with how each indicator is observed there; the comparison series uploaded for them, each figure
with its source and extraction date; and the evaluator's own rating of each site's evidence of impact.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comparison_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=9), nullable=False),
        sa.Column("area_name", sa.String(length=200), nullable=False),
        sa.Column("period_code", sa.String(length=20), nullable=False),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("extracted_on", sa.Date(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_comparison_series_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_comparison_series_uploaded_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_series")),
        sa.UniqueConstraint(
            "framework_version_id",
            "area_code",
            "period_code",
            "indicator_code",
            name="uq_comparison_series_figure",
        ),
    )
    with op.batch_alter_table("comparison_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comparison_series_framework_version_id"), ["framework_version_id"], unique=False
        )

    op.create_table(
        "impact_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=9), nullable=False),
        sa.Column("area_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('pilot_site', 'comparison')", name=op.f("ck_impact_areas_known_role")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_impact_areas_created_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_impact_areas_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_impact_areas_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_areas")),
        sa.UniqueConstraint(
            "framework_version_id",
            "site_id",
            "area_code",
            name=op.f("uq_impact_areas_framework_version_id_site_id_area_code"),
        ),
    )
    with op.batch_alter_table("impact_areas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_areas_framework_version_id"), ["framework_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_impact_areas_site_id"), ["site_id"], unique=False)

    op.create_table(
        "comparison_observations",
        sa.Column("impact_area_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("how_observed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["impact_area_id"],
            ["impact_areas.id"],
            name=op.f("fk_comparison_observations_impact_area_id_impact_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("impact_area_id", "indicator_code", name=op.f("pk_comparison_observations")),
    )
    op.create_table(
        "impact_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=40), nullable=False),
        sa.Column("evidence_level_id", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_level_id"],
            ["evidence_levels.id"],
            name=op.f("fk_impact_ratings_evidence_level_id_evidence_levels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_impact_ratings_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rated_by_id"],
            ["users.id"],
            name=op.f("fk_impact_ratings_rated_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_impact_ratings_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_ratings")),
        sa.UniqueConstraint(
            "framework_version_id",
            "site_id",
            "indicator_code",
            name=op.f("uq_impact_ratings_framework_version_id_site_id_indicator_code"),
        ),
    )
    with op.batch_alter_table("impact_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_ratings_framework_version_id"), ["framework_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_impact_ratings_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("impact_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_ratings_site_id"))
        batch_op.drop_index(batch_op.f("ix_impact_ratings_framework_version_id"))

    op.drop_table("impact_ratings")
    op.drop_table("comparison_observations")
    with op.batch_alter_table("impact_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_areas_site_id"))
        batch_op.drop_index(batch_op.f("ix_impact_areas_framework_version_id"))

    op.drop_table("impact_areas")
    with op.batch_alter_table("comparison_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comparison_series_framework_version_id"))

    op.drop_table("comparison_series")
