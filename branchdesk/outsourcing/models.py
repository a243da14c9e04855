"""Contracts and at-risk services, their contractors, events and the members they affect.

What the branch types itself (status, notes, members affected, pay and conditions) is kept
apart from what an import brings (title, dates, value, the OCDS identifiers), so re-importing
published data never overwrites the branch's own work.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from branchdesk.money import Money
from branchdesk.store.base import Base, Timestamped, Versioned, audit_values
from branchdesk.store.types import MoneyType


class Contract(Timestamped, Versioned, Base):
    __tablename__ = "contracts"
    __area__ = "outsourcing"
    __table_args__ = (
        UniqueConstraint("ocid", "award_id", "contract_id", name="uq_contracts_ocds"),
        Index("ix_contracts_critical", "critical_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The branch's own words and judgement.
    service: Mapped[str] = mapped_column(String(300), default="", info=audit_values())
    status: Mapped[str] = mapped_column(String(30), default="outsourced", info=audit_values())
    tupe_staff: Mapped[int | None] = mapped_column(Integer, info=audit_values())
    transfer_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    recognises_union: Mapped[bool | None] = mapped_column(Boolean, info=audit_values())
    # Free text, which may name people: the audit log names the field, never copies it.
    pay_notes: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    break_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    # From the contract itself, or an import.
    authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    title: Mapped[str] = mapped_column(String(500), default="", info=audit_values())
    description: Mapped[str] = mapped_column(Text, default="", info=audit_values())
    value: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    currency: Mapped[str] = mapped_column(String(3), default="GBP", info=audit_values())
    annual_value: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    start_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    end_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    max_end_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    # The earliest of the end date and the break date: the decision point is this less the
    # notice period set in preferences. Kept as a column so the window is found by an index.
    critical_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    # None for a contract the branch entered itself (so any number of those can exist).
    ocid: Mapped[str | None] = mapped_column(String(200), info=audit_values())
    release_id: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    award_id: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    contract_id: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    source_url: Mapped[str] = mapped_column(String(1000), default="", info=audit_values())
    ocds_status: Mapped[str] = mapped_column(String(50), default="", info=audit_values())
    import_warnings: Mapped[str] = mapped_column(Text, default="", info=audit_values())


class ContractSupplier(Base):
    __tablename__ = "contract_suppliers"
    __area__ = "outsourcing"
    __table_args__ = (Index("ix_contract_suppliers_contract", "contract_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), info=audit_values()
    )
    position: Mapped[int] = mapped_column(Integer, info=audit_values())
    name: Mapped[str] = mapped_column(String(300), index=True, info=audit_values())


class ContractMember(Base):
    """A member whose job the contract affects (transferred out, or at risk)."""

    __tablename__ = "contract_members"
    __area__ = "outsourcing"
    __table_args__ = (UniqueConstraint("contract_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True, info=audit_values()
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )


class ContractEvent(Timestamped, Versioned, Base):
    __tablename__ = "contract_events"
    __area__ = "outsourcing"
    __table_args__ = (Index("ix_contract_events_contract", "contract_id", "happened_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), info=audit_values()
    )
    happened_on: Mapped[date] = mapped_column(Date, info=audit_values())
    kind: Mapped[str] = mapped_column(String(30), info=audit_values())
    title: Mapped[str] = mapped_column(String(300), default="", info=audit_values())
    detail: Mapped[str] = mapped_column(Text, default="")
