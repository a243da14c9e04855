"""The subject access request register: members' requests, their deadlines and answers.

Revision ID: 0009_sar_register
Revises: 0008_audit_chain
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_sar_register"
down_revision: str | None = "0008_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("extended_months", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("export_folder", sa.String(length=1000), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_sar_requests_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_requests")),
    )
    with op.batch_alter_table("sar_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_requests_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sar_requests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sar_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_requests_status"))
        batch_op.drop_index(batch_op.f("ix_sar_requests_member_id"))
    op.drop_table("sar_requests")
