"""Programmes: departments, programmes owning frameworks, the sites taking part in each, the departments
each is shared with, and people's roles per programme.

Existing data becomes one programme, the worklessness pilots, owned by the Department for Work and
Pensions: every framework belongs to it, every site takes part in it, and every evaluator, site lead and
national official gets the same role in it that their account holds (national officials join the
department). Administrators stay service administrators and need no membership. An empty database gets no
programme: the first framework imported makes one.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DEPARTMENT_CODE = "dwp"
DEPARTMENT_NAME = "Department for Work and Pensions"
PROGRAMME_CODE = "worklessness"
PROGRAMME_NAME = "Worklessness pilots"
PROGRAMME_DESCRIPTION = "The worklessness data-sharing pilots: the programme the service began with."


def _create_tables() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f("ck_departments_code_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code <> ''", name=op.f("ck_programmes_code_not_empty")),
        sa.CheckConstraint("status IN ('active', 'closed')", name=op.f("ck_programmes_known_status")),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_programmes_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("code", name=op.f("uq_programmes_code")),
        sa.UniqueConstraint("name", name=op.f("uq_programmes_name")),
    )
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programmes_department_id"), ["department_id"], unique=False)
    op.create_table(
        "programme_sites",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_sites_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_programme_sites_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("programme_id", "site_id", name=op.f("pk_programme_sites")),
    )
    with op.batch_alter_table("programme_sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_sites_site_id"), ["site_id"], unique=False)
    op.create_table(
        "programme_shares",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_programme_shares_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_shares_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("programme_id", "department_id", name=op.f("pk_programme_shares")),
    )
    with op.batch_alter_table("programme_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_shares_department_id"), ["department_id"], unique=False
        )
    op.create_table(
        "programme_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(role = 'site_lead' AND site_id IS NOT NULL) OR (role <> 'site_lead' AND site_id IS NULL)",
            name=op.f("ck_programme_memberships_site_only_for_site_leads"),
        ),
        sa.CheckConstraint(
            "role IN ('programme_administrator', 'evaluator', 'site_lead', 'national_official')",
            name=op.f("ck_programme_memberships_known_role"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_programme_memberships_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_memberships_programme_id_programmes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_programme_memberships_site_id_sites"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_programme_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_memberships")),
    )
    with op.batch_alter_table("programme_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_memberships_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_programme_memberships_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            "ix_programme_memberships_user_id_ended_at", ["user_id", "ended_at"], unique=False
        )


def _existing_data_becomes_one_programme() -> int | None:
    """The worklessness programme holding everything already recorded; None on an empty database."""
    connection = op.get_bind()
    has_data = connection.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM frameworks) + (SELECT count(*) FROM sites) "
            "+ (SELECT count(*) FROM users WHERE role <> 'administrator')"
        )
    ).scalar_one()
    if not has_data:
        return None
    now = sa.func.now() if connection.dialect.name == "postgresql" else sa.text("CURRENT_TIMESTAMP")
    departments = sa.table("departments", sa.column("id"), sa.column("code"), sa.column("name"))
    connection.execute(departments.insert().values(code=DEPARTMENT_CODE, name=DEPARTMENT_NAME))
    department_id = connection.execute(
        sa.select(departments.c.id).where(departments.c.code == DEPARTMENT_CODE)
    ).scalar_one()
    programmes = sa.table(
        "programmes",
        sa.column("id"),
        sa.column("code"),
        sa.column("name"),
        sa.column("department_id"),
        sa.column("description"),
        sa.column("status"),
        sa.column("created_at"),
    )
    connection.execute(
        programmes.insert().values(
            code=PROGRAMME_CODE,
            name=PROGRAMME_NAME,
            department_id=department_id,
            description=PROGRAMME_DESCRIPTION,
            status="active",
            created_at=now,
        )
    )
    programme_id = connection.execute(
        sa.select(programmes.c.id).where(programmes.c.code == PROGRAMME_CODE)
    ).scalar_one()
    parameters = {"programme": programme_id, "department": department_id}
    connection.execute(
        sa.text(
            "INSERT INTO programme_sites (programme_id, site_id, joined_at) "
            "SELECT :programme, id, created_at FROM sites"
        ),
        parameters,
    )
    connection.execute(
        sa.text(
            "INSERT INTO programme_memberships (user_id, programme_id, role, site_id, started_at) "
            "SELECT id, :programme, role, site_id, created_at FROM users WHERE role <> 'administrator'"
        ),
        parameters,
    )
    connection.execute(
        sa.text("UPDATE users SET department_id = :department WHERE role = 'national_official'"), parameters
    )
    connection.execute(sa.text("UPDATE frameworks SET programme_id = :programme"), parameters)
    return programme_id


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))
    _existing_data_becomes_one_programme()
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_frameworks_programme_id"), ["programme_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_frameworks_programme_id_programmes"),
            "programmes",
            ["programme_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_frameworks_programme_id_programmes"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_frameworks_programme_id"))
        batch_op.drop_column("programme_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_department_id_departments"), type_="foreignkey")
        batch_op.drop_column("department_id")
    op.drop_table("programme_memberships")
    op.drop_table("programme_shares")
    op.drop_table("programme_sites")
    op.drop_table("programmes")
    op.drop_table("departments")
