"""Background jobs: the service's record of each job and of the files built from each release; on
PostgreSQL also the queue of the procrastinate library (its own schema file, applied as shipped).

On SQLite jobs run in the web process (services/jobs), so the queue's tables exist only on PostgreSQL.
The procrastinate schema is the one of the installed version (pinned in requirements.lock); a later
version of the library ships its own migrations, applied by a later migration here.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

QUEUE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def _queue_schema() -> str:
    from procrastinate.schema import SchemaManager

    return SchemaManager.get_schema()


def _run_script(script: str) -> None:
    """Run a script of many statements as it is (it holds plpgsql with % and :: that a driver's parameter
    handling would misread): psycopg runs a query without parameters as the server reads it."""
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None
    driver_connection.execute(script)


def upgrade() -> None:
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("progress", sa.String(length=200), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_background_jobs_attempts_counted")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'failed', 'done')", name=op.f("ck_background_jobs_known_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_background_jobs_key")),
    )
    op.create_index(op.f("ix_background_jobs_status"), "background_jobs", ["status"], unique=False)
    op.create_table(
        "release_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_files_release_id_releases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_files")),
        sa.UniqueConstraint("file_name", name=op.f("uq_release_files_file_name")),
    )
    op.create_index(op.f("ix_release_files_release_id"), "release_files", ["release_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _run_script(_queue_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        schema = _queue_schema()
        statements = [f"DROP TABLE IF EXISTS {', '.join(QUEUE_TABLES)} CASCADE"]
        statements += [
            f"DROP FUNCTION IF EXISTS {name} CASCADE" for name in re.findall(r"CREATE FUNCTION (\w+)", schema)
        ]
        statements += [
            f"DROP TYPE IF EXISTS {name} CASCADE" for name in re.findall(r"CREATE TYPE (\w+)", schema)
        ]
        _run_script(";\n".join(statements))
    op.drop_index(op.f("ix_release_files_release_id"), table_name="release_files")
    op.drop_table("release_files")
    op.drop_index(op.f("ix_background_jobs_status"), table_name="background_jobs")
    op.drop_table("background_jobs")
