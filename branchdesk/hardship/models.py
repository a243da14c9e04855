"""Hardship funds, their payment rules and strike days, claims, donations, payments, the ledger
and bank statements.

The ledger is the fund's money: every donation, payment, bank charge and transfer is one entry
in whole pence, positive in and negative out. Entries are never edited or deleted (database
triggers refuse it); a mistake is put right by a reversing entry that points at the one it
reverses, and both stay visible. Donations and payments keep the details a treasurer types
(donor, method, claim) and point at the entry that moved the money.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from branchdesk.money import Money
from branchdesk.store.base import Base, Timestamped, Versioned, audit_values
from branchdesk.store.types import DecimalText, MoneyType, UTCDateTime, utcnow


class Fund(Timestamped, Versioned, Base):
    __tablename__ = "hardship_funds"
    __area__ = "hardship"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, info=audit_values())
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    starts_on: Mapped[date] = mapped_column(Date, info=audit_values())
    ends_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    currency: Mapped[str] = mapped_column(String(3), default="GBP", info=audit_values())
    bank_account_name: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    sort_code: Mapped[str] = mapped_column(String(20), default="", info=audit_values())
    # Kept whole for matching statements; shown masked everywhere.
    account_number: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    closed: Mapped[bool] = mapped_column(Boolean, default=False, info=audit_values())


class FundRules(Timestamped, Versioned, Base):
    """The payment rules from a date on; a change of rules is a new row, so claims decided
    earlier can still be explained by the rules in force then."""

    __tablename__ = "hardship_rules"
    __area__ = "hardship"
    __table_args__ = (UniqueConstraint("fund_id", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="CASCADE"), info=audit_values()
    )
    effective_from: Mapped[date] = mapped_column(Date, info=audit_values())
    per_day: Mapped[Money] = mapped_column(MoneyType(), info=audit_values())
    unpaid_days: Mapped[int] = mapped_column(Integer, default=0, info=audit_values())
    cap_per_day: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    cap_per_member: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    national_per_day: Mapped[Money] = mapped_column(
        MoneyType(), default=Money(0), info=audit_values()
    )
    limit_to_loss: Mapped[bool] = mapped_column(Boolean, default=True, info=audit_values())
    pro_rata_part_time: Mapped[bool] = mapped_column(Boolean, default=True, info=audit_values())
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1, info=audit_values())


class StrikeDay(Timestamped, Base):
    __tablename__ = "strike_days"
    __area__ = "hardship"
    __table_args__ = (UniqueConstraint("fund_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="CASCADE"), info=audit_values()
    )
    day: Mapped[date] = mapped_column(Date, info=audit_values())
    description: Mapped[str] = mapped_column(String(300), default="", info=audit_values())


class StrikeParticipant(Base):
    """A member who took part in the action on a strike day."""

    __tablename__ = "strike_participants"
    __area__ = "hardship"
    __table_args__ = (UniqueConstraint("strike_day_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strike_day_id: Mapped[int] = mapped_column(
        ForeignKey("strike_days.id", ondelete="CASCADE"), info=audit_values()
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )


class Claim(Timestamped, Versioned, Base):
    __tablename__ = "hardship_claims"
    __area__ = "hardship"
    __table_args__ = (
        Index("ix_hardship_claims_fund_status", "fund_id", "status"),
        Index("ix_hardship_claims_member", "member_id", "fund_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True, info=audit_values())
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="RESTRICT"), info=audit_values()
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), info=audit_values()
    )
    received_on: Mapped[date] = mapped_column(Date, info=audit_values())
    # Part-time members: their fraction of full time, for pro-rata rules.
    fte: Mapped[Decimal] = mapped_column(DecimalText(), default=Decimal(1))
    pay_deducted: Mapped[Money | None] = mapped_column(MoneyType())
    payslip_seen: Mapped[bool] = mapped_column(Boolean, default=False, info=audit_values())
    evidence: Mapped[str] = mapped_column(Text, default="")
    circumstances: Mapped[str] = mapped_column(Text, default="")
    requested: Mapped[Money] = mapped_column(MoneyType())
    entitlement: Mapped[Money] = mapped_column(MoneyType(), default=Money(0))
    working: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="received", info=audit_values())
    approved: Mapped[Money | None] = mapped_column(MoneyType())
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date, info=audit_values())


class ClaimDay(Base):
    __tablename__ = "hardship_claim_days"
    __area__ = "hardship"
    __table_args__ = (UniqueConstraint("claim_id", "strike_day_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_claims.id", ondelete="CASCADE"), info=audit_values()
    )
    strike_day_id: Mapped[int] = mapped_column(
        ForeignKey("strike_days.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )


class PanelDecision(Base):
    """One panel officer's decision on a claim. A claim is decided when the number of
    approvals its rules need have been given, or when any officer declines it."""

    __tablename__ = "hardship_panel_decisions"
    __area__ = "hardship"
    __table_args__ = (UniqueConstraint("claim_id", "officer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_claims.id", ondelete="CASCADE"), info=audit_values()
    )
    officer: Mapped[str] = mapped_column(String(200), info=audit_values())
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, info=audit_values())
    approve: Mapped[bool] = mapped_column(Boolean, info=audit_values())
    amount: Mapped[Money] = mapped_column(MoneyType(), default=Money(0))
    reasons: Mapped[str] = mapped_column(Text, default="")


class LedgerEntry(Base):
    """One movement of the fund's money. Append-only: triggers refuse UPDATE and DELETE."""

    __tablename__ = "ledger_entries"
    __area__ = "hardship"
    __audited__ = False  # the ledger is its own record; each entry names who made it
    __table_args__ = (
        # Covering indexes: the running balance and the fund's balance read only the index,
        # and per-member totals never touch the table.
        Index("ix_ledger_fund_posted", "fund_id", "posted_on", "amount"),
        # The ledger's own order (entry number) within a fund.
        Index("ix_ledger_fund", "fund_id", "id"),
        Index("ix_ledger_fund_member", "fund_id", "member_id", "amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("hardship_funds.id", ondelete="RESTRICT"))
    posted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    # Signed whole pence: positive money in, negative money out.
    amount: Mapped[Money] = mapped_column(MoneyType())
    # The fund's balance once this entry was recorded, in the order entries are recorded (the
    # ledger's own order, like a cash book's lines). Written once under the fund's lock, so
    # the running balance never has to be summed; `branchdesk check` re-adds it.
    balance_after: Mapped[Money] = mapped_column(MoneyType())
    reference: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("hardship_claims.id", ondelete="RESTRICT"), index=True
    )
    # An organisation's name; "Individual" or "Anonymous" otherwise, because the ledger can
    # never be changed and a person's name must be erasable (it stays in hardship_donations).
    donor: Mapped[str] = mapped_column(String(200), default="")
    # A reversal points at the entry it puts right; an entry can be reversed only once.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class Donation(Timestamped, Base):
    __tablename__ = "hardship_donations"
    __area__ = "hardship"
    __table_args__ = (Index("ix_hardship_donations_fund", "fund_id", "received_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="RESTRICT"), info=audit_values()
    )
    received_on: Mapped[date] = mapped_column(Date, info=audit_values())
    donor_kind: Mapped[str] = mapped_column(String(20), info=audit_values())
    # Organisations' names are kept in the audit; an individual's name is personal.
    donor_name: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Money] = mapped_column(MoneyType(), info=audit_values())
    method: Mapped[str] = mapped_column(String(20), info=audit_values())
    # A bank reference often carries the payer's name: personal, so not kept in the audit.
    bank_reference: Mapped[str] = mapped_column(String(200), default="")
    restriction: Mapped[str] = mapped_column(String(300), default="")
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True, info=audit_values()
    )


class Payment(Timestamped, Base):
    __tablename__ = "hardship_payments"
    __area__ = "hardship"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_claims.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    paid_on: Mapped[date] = mapped_column(Date, info=audit_values())
    # What a member was paid is as personal as what they were approved.
    amount: Mapped[Money] = mapped_column(MoneyType())
    method: Mapped[str] = mapped_column(String(20), info=audit_values())
    reference: Mapped[str] = mapped_column(String(200), default="")
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True, info=audit_values()
    )


class BankStatement(Timestamped, Base):
    __tablename__ = "bank_statements"
    __area__ = "hardship"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    file_name: Mapped[str] = mapped_column(String(300), default="", info=audit_values())
    source: Mapped[str] = mapped_column(String(10), info=audit_values())
    starts_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    ends_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    closing_balance: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    closing_balance_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    lines_imported: Mapped[int] = mapped_column(Integer, default=0, info=audit_values())
    lines_skipped: Mapped[int] = mapped_column(Integer, default=0, info=audit_values())


class BankLine(Timestamped, Versioned, Base):
    """A line of a bank statement, and the ledger entry it was reconciled with."""

    __tablename__ = "bank_lines"
    __area__ = "hardship"
    __table_args__ = (
        # The OFX transaction id (or a CSV line's derived key) stops a line importing twice.
        UniqueConstraint("fund_id", "fitid"),
        Index("ix_bank_lines_fund_posted", "fund_id", "posted_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        ForeignKey("hardship_funds.id", ondelete="RESTRICT"), info=audit_values()
    )
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("bank_statements.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    fitid: Mapped[str] = mapped_column(String(255), info=audit_values())
    posted_on: Mapped[date] = mapped_column(Date, info=audit_values())
    amount: Mapped[Money] = mapped_column(MoneyType(), info=audit_values())
    description: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    balance: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    # The entry this line was reconciled with; one line per entry.
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True, info=audit_values()
    )
    matched_by: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=audit_values())


class BankCsvProfile(Timestamped, Versioned, Base):
    """A saved column mapping for one bank's CSV exports."""

    __tablename__ = "bank_csv_profiles"
    __area__ = "hardship"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, info=audit_values())
    mapping: Mapped[str] = mapped_column(Text, info=audit_values())
