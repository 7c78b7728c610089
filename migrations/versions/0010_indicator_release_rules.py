"""How each indicator's figures go into a release: what a count counts (people or records), its formula
over other indicators, whether it is released as a percentage, and whether it is the sites' own management
information. None keeps the defaults (a count of people, no formula).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.add_column(sa.Column("release_rules", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.drop_column("release_rules")
