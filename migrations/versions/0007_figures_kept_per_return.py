"""Figures kept per return: costs, activities, savings and learning added up by return, for the dashboards
and releases to aggregate instead of every item. The tables are built here from the evidence already held;
from now on every write keeps them (evidence_hub/models/summary_upkeep.py).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Whole pence, written out for the two money columns below (fixed names, never input).
AMOUNT_PENCE = "CAST(round(amount * 100) AS BIGINT)"
PERCENT_HUNDREDTHS = "CAST(round(attributable_percent * 100) AS BIGINT)"
BUILD = (
    "INSERT INTO return_cost_totals "
    "(site_return_id, cost_category_id, cost_type, funding, lines, recorded_pence, attributable_units) "
    "SELECT site_return_id, cost_category_id, cost_type, funding, count(*), "
    "sum(" + AMOUNT_PENCE + "), "
    "sum(" + AMOUNT_PENCE + " * " + PERCENT_HUNDREDTHS + ") "
    "FROM cost_items GROUP BY site_return_id, cost_category_id, cost_type, funding",
    "INSERT INTO return_activity_totals "
    "(site_return_id, activity_type_id, activities, people_reached, without_reach) "
    "SELECT site_return_id, activity_type_id, count(*), CAST(coalesce(sum(people_reached), 0) AS BIGINT), "
    "sum(CASE WHEN people_reached IS NULL THEN 1 ELSE 0 END) "
    "FROM activities GROUP BY site_return_id, activity_type_id",
    "INSERT INTO return_saving_totals (site_return_id, claims, amount_pence, without_level) "  # noqa: S608
    "SELECT site_return_id, count(*), sum(" + AMOUNT_PENCE + "), "
    "sum(CASE WHEN evidence_level_id IS NULL THEN 1 ELSE 0 END) FROM saving_claims GROUP BY site_return_id",
    "INSERT INTO return_learning_counts "
    "(site_return_id, learning_type, theme_id, learning_dimension_id, entries) "
    "SELECT site_return_id, learning_type, theme_id, NULL, count(*) "
    "FROM learning_entries GROUP BY site_return_id, learning_type, theme_id",
    "INSERT INTO return_learning_counts "
    "(site_return_id, learning_type, theme_id, learning_dimension_id, entries) "
    "SELECT entry.site_return_id, entry.learning_type, entry.theme_id, link.learning_dimension_id, count(*) "
    "FROM learning_entries AS entry "
    "JOIN learning_entry_dimensions AS link ON link.learning_entry_id = entry.id "
    "GROUP BY entry.site_return_id, entry.learning_type, entry.theme_id, link.learning_dimension_id",
)


def upgrade() -> None:
    op.create_table(
        "return_cost_totals",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("cost_category_id", sa.Integer(), nullable=False),
        sa.Column("cost_type", sa.String(length=10), nullable=False),
        sa.Column("funding", sa.String(length=10), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("recorded_pence", sa.BigInteger(), nullable=False),
        sa.Column("attributable_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cost_category_id"],
            ["cost_categories.id"],
            name=op.f("fk_return_cost_totals_cost_category_id_cost_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_cost_totals_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "site_return_id", "cost_category_id", "cost_type", "funding", name=op.f("pk_return_cost_totals")
        ),
    )
    op.create_table(
        "return_activity_totals",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("activity_type_id", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("people_reached", sa.BigInteger(), nullable=False),
        sa.Column("without_reach", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_type_id"],
            ["activity_types.id"],
            name=op.f("fk_return_activity_totals_activity_type_id_activity_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_activity_totals_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_return_id", "activity_type_id", name=op.f("pk_return_activity_totals")),
    )
    op.create_table(
        "return_saving_totals",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("without_level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_saving_totals_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_return_id", name=op.f("pk_return_saving_totals")),
    )
    op.create_table(
        "return_learning_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("learning_type", sa.String(length=20), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("learning_dimension_id", sa.Integer(), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learning_dimension_id"],
            ["learning_dimensions.id"],
            name=op.f("fk_return_learning_counts_learning_dimension_id_learning_dimensions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_learning_counts_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_return_learning_counts_theme_id_themes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_learning_counts")),
    )
    op.create_index(
        "ix_return_learning_counts_return_type",
        "return_learning_counts",
        ["site_return_id", "learning_type"],
        unique=False,
    )
    for statement in BUILD:
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_return_learning_counts_return_type", table_name="return_learning_counts")
    op.drop_table("return_learning_counts")
    op.drop_table("return_saving_totals")
    op.drop_table("return_activity_totals")
    op.drop_table("return_cost_totals")
