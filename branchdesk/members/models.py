"""Employers, workplaces and members."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from branchdesk.store.base import Base, Timestamped, Versioned, audit_values


class MemberStatus(StrEnum):
    CURRENT = "current"
    LAPSED = "lapsed"
    LEFT = "left"


class Employer(Timestamped, Versioned, Base):
    __tablename__ = "employers"
    __area__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, info=audit_values())

    workplaces: Mapped[list[Workplace]] = relationship(back_populates="employer")


class Workplace(Timestamped, Versioned, Base):
    __tablename__ = "workplaces"
    __area__ = "employers"
    __table_args__ = (UniqueConstraint("employer_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    name: Mapped[str] = mapped_column(String(200), info=audit_values())

    employer: Mapped[Employer] = relationship(back_populates="workplaces")


class Member(Timestamped, Versioned, Base):
    __tablename__ = "members"
    __area__ = "members"
    __table_args__ = (
        Index("ix_members_name", "last_name", "first_name"),
        Index("ix_members_joined", "date_joined"),
        # Covers the member search: filtering search_text in name order reads only this index.
        Index("ix_members_search", "last_name", "first_name", "id", "search_text"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_number: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    workplace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workplaces.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    department: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    work_email: Mapped[str] = mapped_column(String(254), default="")
    work_phone: Mapped[str] = mapped_column(String(40), default="")
    personal_email: Mapped[str] = mapped_column(String(254), default="")
    personal_phone: Mapped[str] = mapped_column(String(40), default="")
    home_address: Mapped[str] = mapped_column(Text, default="")
    date_joined: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(20), default=MemberStatus.CURRENT.value, index=True, info=audit_values()
    )
    subs_up_to_date: Mapped[bool] = mapped_column(Boolean, default=True, info=audit_values())
    notes: Mapped[str] = mapped_column(Text, default="")
    # Number, names, department, employer and workplace in lower case, for search; set by every
    # writer through `search_text_for` (renaming an employer or workplace must refresh it).
    search_text: Mapped[str] = mapped_column(Text, default="", info={"audit_skip": True})

    employer: Mapped[Employer | None] = relationship()
    workplace: Mapped[Workplace | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# The member's own fields that forms and imports set directly (employer and workplace are set by
# name and resolved to rows).
PLAIN_FIELDS: tuple[str, ...] = (
    "membership_number",
    "first_name",
    "last_name",
    "department",
    "job_title",
    "work_email",
    "work_phone",
    "personal_email",
    "personal_phone",
    "home_address",
    "date_joined",
    "status",
    "subs_up_to_date",
    "notes",
)


def search_text_for(values: dict[str, Any], employer: str, workplace: str) -> str:
    """What member search looks in: lower-cased so that any case matches on any database."""
    parts = (
        values.get("membership_number") or "",
        values.get("first_name") or "",
        values.get("last_name") or "",
        values.get("department") or "",
        employer,
        workplace,
    )
    return " ".join(p for p in parts if p).lower()
