"""An index that covers what the dashboards count over every measure value in view.

The outcomes view's count of sites, values and evidence below the minimum for every indicator, and the
completeness view's count of values per return, read every value of the returns in view: half a million at
350 sites × 40 quarters. With this index they read it alone, never the table's rows with their text.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_measure_values_figures",
        "measure_values",
        ["site_return_id", "indicator_id", "site_id", "evidence_level_id", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_measure_values_figures", table_name="measure_values")
