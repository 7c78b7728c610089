"""A lead's sites come from their programme memberships alone, and a programme can be archived.

The account's own site (`users.site_id`) duplicated the site-lead memberships and, once a person led
different sites in different programmes, disagreed with them; the memberships already hold every lead's
site (migration 0011 made one for each), so the column goes. Going back, each site lead's account takes the
site of their earliest current site-lead membership (else of their latest ended one).

Programmes gain a third status, archived: hidden from everyone but service administrators. Going back, an
archived programme becomes closed, the nearest status the older schema knows.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SITE_ONLY_FOR_SITE_LEADS = (
    "(role = 'site_lead' AND site_id IS NOT NULL) OR (role <> 'site_lead' AND site_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_site_only_for_site_leads"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_users_site_id_sites"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_site_id"))
        batch_op.drop_column("site_id")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_programmes_known_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_programmes_known_status"), "status IN ('active', 'closed', 'archived')"
        )


def _site_lead_sites() -> None:
    """Each site lead's account takes a site from their memberships: a current one first, else the
    latest ended."""
    connection = op.get_bind()
    leads = connection.execute(sa.text("SELECT id FROM users WHERE role = 'site_lead'")).scalars().all()
    without = []
    for user_id in leads:
        site_id = connection.execute(
            sa.text(
                "SELECT site_id FROM programme_memberships WHERE user_id = :user AND role = 'site_lead' "
                "ORDER BY CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END, "
                "CASE WHEN ended_at IS NULL THEN id ELSE -id END LIMIT 1"
            ),
            {"user": user_id},
        ).scalar()
        if site_id is None:
            without.append(user_id)
            continue
        connection.execute(
            sa.text("UPDATE users SET site_id = :site WHERE id = :user"), {"site": site_id, "user": user_id}
        )
    if without:
        # The older schema requires every site lead to have one site; inventing one would grant access.
        raise RuntimeError(
            "Cannot go back before migration 0015: these site-lead accounts (ids "
            f"{', '.join(map(str, without))}) have never led a site in any programme. Give each a site-lead "
            "membership, or another role, first."
        )


def downgrade() -> None:
    op.execute("UPDATE programmes SET status = 'closed' WHERE status = 'archived'")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_programmes_known_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_programmes_known_status"), "status IN ('active', 'closed')"
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
    _site_lead_sites()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_site_id"), ["site_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_users_site_id_sites"), "sites", ["site_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_users_site_only_for_site_leads"), SITE_ONLY_FOR_SITE_LEADS
        )
