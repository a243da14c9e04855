"""Hardship fund: funds, payment rules, strike days, claims and panel decisions, donations,
payments, the append-only ledger, bank statements and saved CSV layouts.

Revision ID: 0006_hardship
Revises: 0005_outsourcing
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from branchdesk.store.triggers import append_only, drop_append_only

revision: str = "0006_hardship"
down_revision: str | None = "0005_outsourcing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_csv_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_csv_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_bank_csv_profiles_name")),
    )
    op.create_table(
        "hardship_funds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bank_account_name", sa.String(length=200), nullable=False),
        sa.Column("sort_code", sa.String(length=20), nullable=False),
        sa.Column("account_number", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_hardship_funds_employer_id_employers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_funds")),
        sa.UniqueConstraint("name", name=op.f("uq_hardship_funds_name")),
    )
    with op.batch_alter_table("hardship_funds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hardship_funds_employer_id"), ["employer_id"], unique=False
        )

    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("closing_balance", sa.BigInteger(), nullable=True),
        sa.Column("closing_balance_on", sa.Date(), nullable=True),
        sa.Column("lines_imported", sa.Integer(), nullable=False),
        sa.Column("lines_skipped", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_bank_statements_fund_id_hardship_funds"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
    )
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_statements_fund_id"), ["fund_id"], unique=False)

    op.create_table(
        "hardship_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("per_day", sa.BigInteger(), nullable=False),
        sa.Column("unpaid_days", sa.Integer(), nullable=False),
        sa.Column("cap_per_day", sa.BigInteger(), nullable=True),
        sa.Column("cap_per_member", sa.BigInteger(), nullable=True),
        sa.Column("national_per_day", sa.BigInteger(), nullable=False),
        sa.Column("limit_to_loss", sa.Boolean(), nullable=False),
        sa.Column("pro_rata_part_time", sa.Boolean(), nullable=False),
        sa.Column("approvals_needed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_hardship_rules_fund_id_hardship_funds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_rules")),
        sa.UniqueConstraint("fund_id", "effective_from", name=op.f("uq_hardship_rules_fund_id")),
    )
    op.create_table(
        "strike_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_strike_days_fund_id_hardship_funds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strike_days")),
        sa.UniqueConstraint("fund_id", "day", name=op.f("uq_strike_days_fund_id")),
    )
    op.create_table(
        "hardship_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("fte", sa.String(length=40), nullable=False),
        sa.Column("pay_deducted", sa.BigInteger(), nullable=True),
        sa.Column("payslip_seen", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("circumstances", sa.Text(), nullable=False),
        sa.Column("requested", sa.BigInteger(), nullable=False),
        sa.Column("entitlement", sa.BigInteger(), nullable=False),
        sa.Column("working", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved", sa.BigInteger(), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_hardship_claims_fund_id_hardship_funds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_hardship_claims_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_claims")),
        sa.UniqueConstraint("reference", name=op.f("uq_hardship_claims_reference")),
    )
    with op.batch_alter_table("hardship_claims", schema=None) as batch_op:
        batch_op.create_index("ix_hardship_claims_fund_status", ["fund_id", "status"], unique=False)
        batch_op.create_index("ix_hardship_claims_member", ["member_id", "fund_id"], unique=False)

    op.create_table(
        "strike_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strike_day_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_strike_participants_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["strike_day_id"],
            ["strike_days.id"],
            name=op.f("fk_strike_participants_strike_day_id_strike_days"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strike_participants")),
        sa.UniqueConstraint(
            "strike_day_id", "member_id", name=op.f("uq_strike_participants_strike_day_id")
        ),
    )
    with op.batch_alter_table("strike_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strike_participants_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "hardship_claim_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("strike_day_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["hardship_claims.id"],
            name=op.f("fk_hardship_claim_days_claim_id_hardship_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["strike_day_id"],
            ["strike_days.id"],
            name=op.f("fk_hardship_claim_days_strike_day_id_strike_days"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_claim_days")),
        sa.UniqueConstraint(
            "claim_id", "strike_day_id", name=op.f("uq_hardship_claim_days_claim_id")
        ),
    )
    with op.batch_alter_table("hardship_claim_days", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hardship_claim_days_strike_day_id"), ["strike_day_id"], unique=False
        )

    op.create_table(
        "hardship_panel_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["hardship_claims.id"],
            name=op.f("fk_hardship_panel_decisions_claim_id_hardship_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_panel_decisions")),
        sa.UniqueConstraint(
            "claim_id", "officer", name=op.f("uq_hardship_panel_decisions_claim_id")
        ),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("donor", sa.String(length=200), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["hardship_claims.id"],
            name=op.f("fk_ledger_entries_claim_id_hardship_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_ledger_entries_fund_id_hardship_funds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ledger_entries_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_reverses_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_entries_reverses_id")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_fund_member", ["fund_id", "member_id", "amount"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_fund_posted", ["fund_id", "posted_on", "amount"], unique=False
        )
        batch_op.create_index("ix_ledger_fund", ["fund_id", "id"], unique=False)

    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("fitid", sa.String(length=255), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(length=200), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_bank_lines_entry_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_bank_lines_fund_id_hardship_funds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_lines_statement_id_bank_statements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_bank_lines_entry_id")),
        sa.UniqueConstraint("fund_id", "fitid", name=op.f("uq_bank_lines_fund_id")),
    )
    with op.batch_alter_table("bank_lines", schema=None) as batch_op:
        batch_op.create_index("ix_bank_lines_fund_posted", ["fund_id", "posted_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_bank_lines_statement_id"), ["statement_id"], unique=False
        )

    op.create_table(
        "hardship_donations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("donor_kind", sa.String(length=20), nullable=False),
        sa.Column("donor_name", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("bank_reference", sa.String(length=200), nullable=False),
        sa.Column("restriction", sa.String(length=300), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_hardship_donations_entry_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_hardship_donations_fund_id_hardship_funds"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_donations")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_hardship_donations_entry_id")),
    )
    with op.batch_alter_table("hardship_donations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hardship_donations_fund", ["fund_id", "received_on"], unique=False
        )

    op.create_table(
        "hardship_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["hardship_claims.id"],
            name=op.f("fk_hardship_payments_claim_id_hardship_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_hardship_payments_entry_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["hardship_funds.id"],
            name=op.f("fk_hardship_payments_fund_id_hardship_funds"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_payments")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_hardship_payments_entry_id")),
    )
    with op.batch_alter_table("hardship_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hardship_payments_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hardship_payments_fund_id"), ["fund_id"], unique=False)

    append_only("ledger_entries")


def downgrade() -> None:
    drop_append_only("ledger_entries")
    with op.batch_alter_table("hardship_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hardship_payments_fund_id"))
        batch_op.drop_index(batch_op.f("ix_hardship_payments_claim_id"))

    op.drop_table("hardship_payments")
    with op.batch_alter_table("hardship_donations", schema=None) as batch_op:
        batch_op.drop_index("ix_hardship_donations_fund")

    op.drop_table("hardship_donations")
    with op.batch_alter_table("bank_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_lines_statement_id"))
        batch_op.drop_index("ix_bank_lines_fund_posted")

    op.drop_table("bank_lines")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_fund")
        batch_op.drop_index("ix_ledger_fund_posted")
        batch_op.drop_index("ix_ledger_fund_member")
        batch_op.drop_index(batch_op.f("ix_ledger_entries_claim_id"))

    op.drop_table("ledger_entries")
    op.drop_table("hardship_panel_decisions")
    with op.batch_alter_table("hardship_claim_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hardship_claim_days_strike_day_id"))

    op.drop_table("hardship_claim_days")
    with op.batch_alter_table("strike_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strike_participants_member_id"))

    op.drop_table("strike_participants")
    with op.batch_alter_table("hardship_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_hardship_claims_member")
        batch_op.drop_index("ix_hardship_claims_fund_status")

    op.drop_table("hardship_claims")
    op.drop_table("strike_days")
    op.drop_table("hardship_rules")
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_statements_fund_id"))

    op.drop_table("bank_statements")
    with op.batch_alter_table("hardship_funds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hardship_funds_employer_id"))

    op.drop_table("hardship_funds")
    op.drop_table("bank_csv_profiles")
