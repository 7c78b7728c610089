"""Figures kept per return: how many of a return's measure values give a number, by the indicators'
collection frequency, so that the completeness view adds up one row a return rather than every measure
value. Built here from the values already held; from now on every write keeps it
(evidence_hub/models/summary_upkeep.py).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BUILD = (
    "INSERT INTO return_values_reported (site_return_id, frequency, values_reported) "
    "SELECT measure_values.site_return_id, indicators.frequency, count(*) FROM measure_values "
    "JOIN indicators ON indicators.id = measure_values.indicator_id "
    "WHERE measure_values.value IS NOT NULL "
    "GROUP BY measure_values.site_return_id, indicators.frequency"
)


def upgrade() -> None:
    op.create_table(
        "return_values_reported",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("values_reported", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_values_reported_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_return_id", "frequency", name=op.f("pk_return_values_reported")),
    )
    op.execute(BUILD)


def downgrade() -> None:
    op.drop_table("return_values_reported")
