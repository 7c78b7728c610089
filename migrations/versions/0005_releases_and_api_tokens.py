"""Releases (frozen, disclosure-controlled snapshots for national officials) and personal API tokens.

The database itself keeps a release frozen: its rows can be neither changed nor deleted, and the release
can change only by being withdrawn. The ORM guard in models/releases.py says so earlier and more clearly.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FROZEN_MESSAGE = "a published release is frozen"
# Every column of a release except those that record its withdrawal.
FROZEN_RELEASE_COLUMNS = (
    "id",
    "reference",
    "title",
    "framework_id",
    "framework_version_id",
    "period_from_id",
    "period_to_id",
    "site_codes",
    "threshold",
    "round_to",
    "published_at",
    "published_by_id",
    "content",
    "fingerprint",
)


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=True),
        sa.Column("period_from_id", sa.Integer(), nullable=False),
        sa.Column("period_to_id", sa.Integer(), nullable=False),
        sa.Column("site_codes", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("round_to", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('published', 'withdrawn')", name=op.f("ck_releases_known_status")),
        sa.CheckConstraint("threshold >= 1", name=op.f("ck_releases_threshold_positive")),
        sa.CheckConstraint("round_to IS NULL OR round_to >= 2", name=op.f("ck_releases_rounding_base")),
        sa.CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)",
            name=op.f("ck_releases_withdrawn_when_withdrawn"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_releases_framework_id_frameworks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_releases_framework_version_id_framework_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_from_id"],
            ["reporting_periods.id"],
            name=op.f("fk_releases_period_from_id_reporting_periods"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["period_to_id"],
            ["reporting_periods.id"],
            name=op.f("fk_releases_period_to_id_reporting_periods"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_releases_published_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["users.id"],
            name=op.f("fk_releases_withdrawn_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("reference", name=op.f("uq_releases_reference")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_releases_framework_id"), ["framework_id"], unique=False)

    op.create_table(
        "release_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("table_code", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_rows_release_id_releases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_rows")),
        sa.UniqueConstraint(
            "release_id",
            "table_code",
            "position",
            name=op.f("uq_release_rows_release_id_table_code_position"),
        ),
    )
    with op.batch_alter_table("release_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_release_rows_release_table_position", ["release_id", "table_code", "position"], unique=False
        )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    _freeze_releases()


def downgrade() -> None:
    _drop_release_guards()
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
    op.drop_table("api_tokens")
    with op.batch_alter_table("release_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_release_rows_release_table_position")
    op.drop_table("release_rows")
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_releases_framework_id"))
    op.drop_table("releases")


def _freeze_releases() -> None:
    if op.get_bind().dialect.name == "sqlite":
        frozen_changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in FROZEN_RELEASE_COLUMNS)
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER release_rows_no_{operation.lower()} BEFORE {operation} ON release_rows "
                f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
            )
        op.execute(
            "CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases "
            f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER releases_frozen BEFORE UPDATE ON releases WHEN {frozen_changed} "
            f"OR OLD.status = 'withdrawn' BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
        )
        return
    frozen_changed = " OR ".join(
        f"NEW.{column}::text IS DISTINCT FROM OLD.{column}::text" for column in FROZEN_RELEASE_COLUMNS
    )
    op.execute(
        "CREATE FUNCTION release_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{FROZEN_MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER release_rows_frozen BEFORE UPDATE OR DELETE OR TRUNCATE ON release_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION release_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER releases_no_delete BEFORE DELETE OR TRUNCATE ON releases "
        "FOR EACH STATEMENT EXECUTE FUNCTION release_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER releases_frozen BEFORE UPDATE ON releases FOR EACH ROW "
        f"WHEN ({frozen_changed} OR OLD.status = 'withdrawn') EXECUTE FUNCTION release_refuse_change()"
    )


def _drop_release_guards() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in (
            "release_rows_no_update",
            "release_rows_no_delete",
            "releases_no_delete",
            "releases_frozen",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        return
    op.execute("DROP TRIGGER IF EXISTS release_rows_frozen ON release_rows")
    op.execute("DROP TRIGGER IF EXISTS releases_no_delete ON releases")
    op.execute("DROP TRIGGER IF EXISTS releases_frozen ON releases")
    op.execute("DROP FUNCTION IF EXISTS release_refuse_change()")
