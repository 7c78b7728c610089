"""Figures kept per return: a return's costs over every category in one row (recorded, and attributable for
each type and funding), so that the costs view's totals by period and value for money read a row a return
rather than grouping every category's. Built here from the costs already held; from now on every write
keeps it (evidence_hub/models/summary_upkeep.py).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# The same arithmetic as summary_upkeep's whole_pence and attributable_units_of, written out: a migration
# keeps the statement it ran, whatever the application's code becomes.
BUILD = """
INSERT INTO return_cost_sums (
    site_return_id, recorded_pence,
    set_up_cash_units, set_up_in_kind_units, running_cash_units, running_in_kind_units
)
SELECT
    site_return_id,
    sum(CAST(round(amount * 100) AS BIGINT)),
    sum(CASE WHEN cost_type = 'set_up' AND funding = 'cash' THEN ATTRIBUTABLE END),
    sum(CASE WHEN cost_type = 'set_up' AND funding = 'in_kind' THEN ATTRIBUTABLE END),
    sum(CASE WHEN cost_type = 'running' AND funding = 'cash' THEN ATTRIBUTABLE END),
    sum(CASE WHEN cost_type = 'running' AND funding = 'in_kind' THEN ATTRIBUTABLE END)
FROM cost_items
GROUP BY site_return_id
""".replace(
    "ATTRIBUTABLE",
    "CAST(round(amount * 100) AS BIGINT) * CAST(round(attributable_percent * 100) AS BIGINT)",
)
UNITS_COLUMNS = ("set_up_cash_units", "set_up_in_kind_units", "running_cash_units", "running_in_kind_units")


def upgrade() -> None:
    op.create_table(
        "return_cost_sums",
        sa.Column("site_return_id", sa.Integer(), nullable=False),
        sa.Column("recorded_pence", sa.BigInteger(), nullable=False),
        *(sa.Column(column, sa.BigInteger(), nullable=True) for column in UNITS_COLUMNS),
        sa.ForeignKeyConstraint(
            ["site_return_id"],
            ["site_returns.id"],
            name=op.f("fk_return_cost_sums_site_return_id_site_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_return_id", name=op.f("pk_return_cost_sums")),
    )
    op.execute(BUILD)


def downgrade() -> None:
    op.drop_table("return_cost_sums")
