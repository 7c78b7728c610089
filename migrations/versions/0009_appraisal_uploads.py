"""Uploads for the value-for-money appraisal: a GDP deflator series per framework, replacing the parameter
set's, and the list of area sizes the roll-out projection scales by.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _uploaded(table: str) -> list[Any]:
    """The columns and keys every upload has: its framework, file name, time and who uploaded it."""
    return [
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f(f"fk_{table}_framework_id_frameworks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f(f"fk_{table}_uploaded_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "deflator_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("index_values", sa.JSON(), nullable=False),
        sa.Column("reference_year", sa.Integer(), nullable=True),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.Column("source_publisher", sa.String(length=200), nullable=False),
        sa.Column("source_published", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        *_uploaded("deflator_uploads"),
    )
    op.create_index(op.f("ix_deflator_uploads_framework_id"), "deflator_uploads", ["framework_id"])
    op.create_table(
        "area_size_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("measure_name", sa.String(length=200), nullable=False),
        sa.Column("measure_source", sa.Text(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        *_uploaded("area_size_uploads"),
    )
    op.create_index(op.f("ix_area_size_uploads_framework_id"), "area_size_uploads", ["framework_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_area_size_uploads_framework_id"), table_name="area_size_uploads")
    op.drop_table("area_size_uploads")
    op.drop_index(op.f("ix_deflator_uploads_framework_id"), table_name="deflator_uploads")
    op.drop_table("deflator_uploads")
