"""Initial schema: audit log, employers, workplaces, members.

The audit log is append-only: triggers refuse UPDATE and DELETE on it.

Revision ID: 0001_initial
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from branchdesk.store.triggers import append_only, drop_append_only

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("table_name", sa.String(length=100), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_row_id"), ["row_id"], unique=False)

    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("name", name=op.f("uq_employers_name")),
    )
    op.create_table(
        "workplaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_workplaces_employer_id_employers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplaces")),
        sa.UniqueConstraint("employer_id", "name", name=op.f("uq_workplaces_employer_id")),
    )
    with op.batch_alter_table("workplaces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workplaces_employer_id"), ["employer_id"], unique=False
        )

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_number", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("workplace_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("work_email", sa.String(length=254), nullable=False),
        sa.Column("work_phone", sa.String(length=40), nullable=False),
        sa.Column("personal_email", sa.String(length=254), nullable=False),
        sa.Column("personal_phone", sa.String(length=40), nullable=False),
        sa.Column("home_address", sa.Text(), nullable=False),
        sa.Column("date_joined", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("subs_up_to_date", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_members_employer_id_employers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workplace_id"],
            ["workplaces.id"],
            name=op.f("fk_members_workplace_id_workplaces"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("membership_number", name=op.f("uq_members_membership_number")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index("ix_members_joined", ["date_joined"], unique=False)
        batch_op.create_index("ix_members_name", ["last_name", "first_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_members_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_members_workplace_id"), ["workplace_id"], unique=False)

    append_only("audit_log")


def downgrade() -> None:
    drop_append_only("audit_log")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_workplace_id"))
        batch_op.drop_index(batch_op.f("ix_members_status"))
        batch_op.drop_index("ix_members_name")
        batch_op.drop_index("ix_members_joined")
        batch_op.drop_index(batch_op.f("ix_members_employer_id"))

    op.drop_table("members")
    with op.batch_alter_table("workplaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workplaces_employer_id"))

    op.drop_table("workplaces")
    op.drop_table("employers")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_row_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
