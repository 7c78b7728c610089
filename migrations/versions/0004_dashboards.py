"""Dashboards: the per-framework cross-site sharing switch, and covering indexes for the aggregations.

The dashboards group every cost line, activity, measure value and learning entry of the returns in view
by return. Indexes that lead with the return and carry the grouped and summed columns let both engines
answer those GROUP BYs from the index alone, without visiting the table rows.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COVERING_INDEXES = {
    "cost_items": (
        "ix_cost_items_return_totals",
        ["site_return_id", "cost_category_id", "cost_type", "funding", "amount", "attributable_percent"],
    ),
    "activities": ("ix_activities_return_people_reached", ["site_return_id", "people_reached"]),
    "learning_entries": (
        "ix_learning_entries_return_type_theme",
        ["site_return_id", "learning_type", "theme_id"],
    ),
    "site_returns": ("ix_site_returns_period_status_site", ["reporting_period_id", "status", "site_id"]),
}


def upgrade() -> None:
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cross_site_sharing", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    for table, (name, columns) in COVERING_INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, (name, _columns) in COVERING_INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.drop_column("cross_site_sharing")
