"""Emails: the outbox of every email the service sends, each person's choice of optional emails, and the
reminders already sent (one per site, period and stage, enforced by a unique constraint), and the requests
for password reset links made from the sign-in page (counted to limit them).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_requests")),
    )
    op.create_index(
        "ix_password_reset_requests_email_requested_at",
        "password_reset_requests",
        ["email", "requested_at"],
        unique=False,
    )
    op.create_index(
        "ix_password_reset_requests_ip_address_requested_at",
        "password_reset_requests",
        ["ip_address", "requested_at"],
        unique=False,
    )
    op.create_table(
        "emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_emails_attempts_counted")),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'delivered', 'not_delivered', 'recorded')",
            name=op.f("ck_emails_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_emails_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emails")),
    )
    op.create_index("ix_emails_queued_at", "emails", ["queued_at"], unique=False)
    op.create_index("ix_emails_status", "emails", ["status"], unique=False)
    op.create_index(op.f("ix_emails_user_id"), "emails", ["user_id"], unique=False)
    op.create_table(
        "email_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("wanted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "template", name=op.f("pk_email_preferences")),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("reporting_period_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IN ('due_14', 'due_3', 'overdue')", name=op.f("ck_reminders_sent_known_stage")
        ),
        sa.ForeignKeyConstraint(
            ["reporting_period_id"],
            ["reporting_periods.id"],
            name=op.f("fk_reminders_sent_reporting_period_id_reporting_periods"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_reminders_sent_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint(
            "site_id",
            "reporting_period_id",
            "stage",
            name=op.f("uq_reminders_sent_site_id_reporting_period_id_stage"),
        ),
    )
    op.create_index(
        op.f("ix_reminders_sent_reporting_period_id"), "reminders_sent", ["reporting_period_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_sent_reporting_period_id"), table_name="reminders_sent")
    op.drop_table("reminders_sent")
    op.drop_table("email_preferences")
    op.drop_index(op.f("ix_emails_user_id"), table_name="emails")
    op.drop_index("ix_emails_status", table_name="emails")
    op.drop_index("ix_emails_queued_at", table_name="emails")
    op.drop_table("emails")
    op.drop_index("ix_password_reset_requests_ip_address_requested_at", table_name="password_reset_requests")
    op.drop_index("ix_password_reset_requests_email_requested_at", table_name="password_reset_requests")
    op.drop_table("password_reset_requests")
