"""Figures kept per site: each site's measure values of each indicator in its approved returns (how many
give a number, how many there are, how many rest on evidence below the indicator's minimum), so that the
outcomes view over every period adds up a row a site and indicator rather than counting half a million
values. Built here from the values already held; from now on every change to a value or to a return's
approval keeps it (evidence_hub/models/summary_upkeep.py).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# Below the minimum: a value with a number whose evidence level is not given, or is lower than the
# indicator's minimum on the same scale (summary_upkeep's below_minimum_expression, written out).
BUILD = """
INSERT INTO approved_value_counts (site_id, indicator_id, "values", all_values, below_minimum)
SELECT
    measure_values.site_id,
    measure_values.indicator_id,
    count(measure_values.value),
    count(*),
    sum(
        CASE WHEN measure_values.value IS NOT NULL AND (
            stated.id IS NULL OR (stated.scale_id = minimum.scale_id AND stated.level < minimum.level)
        ) THEN 1 ELSE 0 END
    )
FROM measure_values
JOIN site_returns ON site_returns.id = measure_values.site_return_id
JOIN indicators ON indicators.id = measure_values.indicator_id
LEFT OUTER JOIN evidence_levels AS minimum ON minimum.id = indicators.minimum_evidence_level_id
LEFT OUTER JOIN evidence_levels AS stated ON stated.id = measure_values.evidence_level_id
WHERE site_returns.approved_at IS NOT NULL
GROUP BY measure_values.site_id, measure_values.indicator_id
"""


def upgrade() -> None:
    op.create_table(
        "approved_value_counts",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.Integer(), nullable=False),
        sa.Column("all_values", sa.Integer(), nullable=False),
        sa.Column("below_minimum", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_approved_value_counts_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_approved_value_counts_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "indicator_id", name=op.f("pk_approved_value_counts")),
    )
    op.create_index(
        op.f("ix_approved_value_counts_indicator_id"), "approved_value_counts", ["indicator_id"], unique=False
    )
    op.execute(BUILD)


def downgrade() -> None:
    op.drop_index(op.f("ix_approved_value_counts_indicator_id"), table_name="approved_value_counts")
    op.drop_table("approved_value_counts")
