"""A comparison figure a site lead gives counts only once an evaluator has vouched for it.

Figures entered in a return carry the return, and count once it is approved (and stop counting if it is
reopened). Figures a lead uploads wait for an evaluator to accept them. An evaluator's or administrator's
own upload is accepted as it is saved.

Existing figures uploaded by an evaluator or administrator are accepted as of their upload. Every other
existing figure (a lead's upload, or a figure a lead entered in a return, which the older schema could not
tell apart) waits for an evaluator to accept it: before this revision those counted at once, unchecked.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comparison_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_return_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("accepted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_comparison_series_site_return_id_site_returns"),
            "site_returns",
            ["site_return_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_comparison_series_accepted_by_id_users"),
            "users",
            ["accepted_by_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_index(
            batch_op.f("ix_comparison_series_site_return_id"), ["site_return_id"], unique=False
        )
    op.get_bind().execute(
        sa.text(
            "UPDATE comparison_series SET accepted_at = uploaded_at, accepted_by_id = uploaded_by_id "
            "WHERE uploaded_by_id IN "
            "(SELECT id FROM users WHERE role IN ('evaluator', 'administrator'))"
        )
    )
    with op.batch_alter_table("comparison_series", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "comparison_figure_accepted_by_someone",
            "(accepted_at IS NULL AND accepted_by_id IS NULL) OR "
            "(accepted_at IS NOT NULL AND accepted_by_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            "return_figures_count_by_approval", "site_return_id IS NULL OR accepted_at IS NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("comparison_series", schema=None) as batch_op:
        batch_op.drop_constraint("return_figures_count_by_approval", type_="check")
        batch_op.drop_constraint("comparison_figure_accepted_by_someone", type_="check")
        batch_op.drop_index(batch_op.f("ix_comparison_series_site_return_id"))
        batch_op.drop_constraint(batch_op.f("fk_comparison_series_accepted_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_comparison_series_site_return_id_site_returns"), type_="foreignkey"
        )
        batch_op.drop_column("accepted_by_id")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("site_return_id")
