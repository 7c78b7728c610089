"""Approval becomes a fact of its own, and every listed item has a reference from the moment it exists.

A return records when and by whom it was approved, apart from its lock: closing a period locks approved and
unapproved returns alike. Existing approved returns keep their approval (from when they were reviewed); a
locked return counts as approved only if it was approved when its period closed, as its "return.locked"
audit record says. Costs, savings, activities and learning entries added through the forms get the
reference a template would have given them (C-1, S-1, A-1, L-1, ... by kind, never one already used in the
same return), so that uploading a pre-filled template again matches them instead of adding them twice.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Table, the prefix of the references its items get.
REFERENCED_ITEMS = (
    ("cost_items", "C"),
    ("saving_claims", "S"),
    ("activities", "A"),
    ("learning_entries", "L"),
)


def upgrade() -> None:
    with op.batch_alter_table("site_returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_site_returns_approved_by_id_users"),
            "users",
            ["approved_by_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    _record_existing_approvals(op.get_bind())
    with op.batch_alter_table("site_returns", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "approval_complete_or_absent",
            "(approved_at IS NULL AND approved_by_id IS NULL) OR "
            "(approved_at IS NOT NULL AND approved_by_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            "approved_status_is_approved", "status NOT IN ('approved') OR approved_at IS NOT NULL"
        )

    connection = op.get_bind()
    for table, prefix in REFERENCED_ITEMS:
        _give_references(connection, table, prefix)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("import_reference", existing_type=sa.String(length=60), nullable=False)


def downgrade() -> None:
    for table, _prefix in REFERENCED_ITEMS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("import_reference", existing_type=sa.String(length=60), nullable=True)
    with op.batch_alter_table("site_returns", schema=None) as batch_op:
        batch_op.drop_constraint("approved_status_is_approved", type_="check")
        batch_op.drop_constraint("approval_complete_or_absent", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_site_returns_approved_by_id_users"), type_="foreignkey")
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")


def _record_existing_approvals(connection: Any) -> None:
    returns = sa.table(
        "site_returns",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("reviewed_at", sa.DateTime(timezone=True)),
        sa.column("reviewed_by_id", sa.Integer),
        sa.column("approved_at", sa.DateTime(timezone=True)),
        sa.column("approved_by_id", sa.Integer),
    )
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.Integer),
        sa.column("before", sa.JSON),
    )
    approved_when_locked = set()
    for object_id, before in connection.execute(
        sa.select(events.c.object_id, events.c.before)
        .where(events.c.object_type == "return", events.c.action == "return.locked")
        .order_by(events.c.id)
    ):
        if isinstance(before, dict) and before.get("status") == "approved":
            approved_when_locked.add(object_id)
    for return_id, status, reviewed_at, reviewed_by_id in connection.execute(
        sa.select(returns.c.id, returns.c.status, returns.c.reviewed_at, returns.c.reviewed_by_id)
    ):
        approved = status == "approved" or (status == "locked" and return_id in approved_when_locked)
        if approved and reviewed_at is not None and reviewed_by_id is not None:
            connection.execute(
                returns.update()
                .where(returns.c.id == return_id)
                .values(approved_at=reviewed_at, approved_by_id=reviewed_by_id)
            )


def _give_references(connection: Any, table_name: str, prefix: str) -> None:
    items = sa.table(
        table_name,
        sa.column("id", sa.Integer),
        sa.column("site_return_id", sa.Integer),
        sa.column("import_reference", sa.String),
    )
    taken: dict[int, set[str]] = defaultdict(set)
    missing: list[tuple[int, int]] = []
    for item_id, return_id, reference in connection.execute(
        sa.select(items.c.id, items.c.site_return_id, items.c.import_reference).order_by(items.c.id)
    ):
        if reference is None:
            missing.append((item_id, return_id))
        else:
            taken[return_id].add(reference)
    for item_id, return_id in missing:
        number = len(taken[return_id]) + 1
        while f"{prefix}-{number}" in taken[return_id]:
            number += 1
        reference = f"{prefix}-{number}"
        taken[return_id].add(reference)
        connection.execute(items.update().where(items.c.id == item_id).values(import_reference=reference))
