"""A return's costs, savings, activities and learning entries read a page at a time straight from an index
in the order their sections list them.

Each table's index on the return alone becomes an index on the return and the list's order (id, or for
activities start date then id). A page of the largest return's 1,269 costs was a sort of all of them on
PostgreSQL, and the planner could instead walk the whole table in id order to find the return's first 20
(78 ms on the 350-site benchmark data before it was analysed). The new index serves every look-up by return
the old one did.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# (table, the index on the return alone, the list's index and its columns after the return)
LISTS = (
    ("cost_items", "ix_cost_items_site_return_id", "ix_cost_items_return_list", ["id"]),
    ("saving_claims", "ix_saving_claims_site_return_id", "ix_saving_claims_return_list", ["id"]),
    ("activities", "ix_activities_site_return_id", "ix_activities_return_list", ["starts_on", "id"]),
    ("learning_entries", "ix_learning_entries_site_return_id", "ix_learning_entries_return_list", ["id"]),
)


def upgrade() -> None:
    for table, by_return, listed, order in LISTS:
        op.create_index(listed, table, ["site_return_id", *order])
        op.drop_index(by_return, table_name=table)


def downgrade() -> None:
    for table, by_return, listed, _order in LISTS:
        op.create_index(by_return, table, ["site_return_id"])
        op.drop_index(listed, table_name=table)
