"""Outsourcing watch: contracts and at-risk services, their suppliers, events and the members
they affect.

Revision ID: 0005_outsourcing
Revises: 0004_demands
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outsourcing"
down_revision: str | None = "0004_demands"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("tupe_staff", sa.Integer(), nullable=True),
        sa.Column("transfer_on", sa.Date(), nullable=True),
        sa.Column("recognises_union", sa.Boolean(), nullable=True),
        sa.Column("pay_notes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("break_on", sa.Date(), nullable=True),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("annual_value", sa.BigInteger(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("max_end_on", sa.Date(), nullable=True),
        sa.Column("critical_on", sa.Date(), nullable=True),
        sa.Column("ocid", sa.String(length=200), nullable=True),
        sa.Column("release_id", sa.String(length=200), nullable=False),
        sa.Column("award_id", sa.String(length=200), nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.String(length=1000), nullable=False),
        sa.Column("ocds_status", sa.String(length=50), nullable=False),
        sa.Column("import_warnings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["employers.id"],
            name=op.f("fk_contracts_authority_id_employers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("ocid", "award_id", "contract_id", name="uq_contracts_ocds"),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contracts_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index("ix_contracts_critical", ["critical_on"], unique=False)

    op.create_table(
        "contract_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_events_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_events")),
    )
    with op.batch_alter_table("contract_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contract_events_contract", ["contract_id", "happened_on"], unique=False
        )

    op.create_table(
        "contract_suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_suppliers_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_suppliers")),
    )
    with op.batch_alter_table("contract_suppliers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contract_suppliers_contract", ["contract_id", "position"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contract_suppliers_name"), ["name"], unique=False)

    op.create_table(
        "contract_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_members_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_contract_members_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_members")),
        sa.UniqueConstraint(
            "contract_id", "member_id", name=op.f("uq_contract_members_contract_id")
        ),
    )
    with op.batch_alter_table("contract_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_members_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_members_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contract_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_members_member_id"))
        batch_op.drop_index(batch_op.f("ix_contract_members_contract_id"))

    op.drop_table("contract_members")
    with op.batch_alter_table("contract_suppliers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_suppliers_name"))
        batch_op.drop_index("ix_contract_suppliers_contract")

    op.drop_table("contract_suppliers")
    with op.batch_alter_table("contract_events", schema=None) as batch_op:
        batch_op.drop_index("ix_contract_events_contract")

    op.drop_table("contract_events")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_critical")
        batch_op.drop_index(batch_op.f("ix_contracts_authority_id"))

    op.drop_table("contracts")
