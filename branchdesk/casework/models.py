"""Cases, the members they are for, their stages, timeline, consents, documents and deadlines.

What a case is about, its timeline and its documents are personal data: the audit log names the
fields that changed but keeps their values only where `audit_values()` says so (types, stages,
dates, outcomes), so erasing a member's case erases its words everywhere.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from branchdesk.casework.codes import Stage
from branchdesk.members.models import Employer, Member
from branchdesk.store.base import Base, Timestamped, Versioned, audit_values


class Case(Timestamped, Versioned, Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_opened", "status", "opened_on"),
        Index("ix_cases_rep", "rep"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True, info=audit_values())
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    case_type: Mapped[str] = mapped_column(String(40), index=True, info=audit_values())
    sub_type: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    rep: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    second_rep: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    status: Mapped[str] = mapped_column(String(40), default=Stage.OPENED.value, info=audit_values())
    status_changed_on: Mapped[date] = mapped_column(Date, info=audit_values())
    opened_on: Mapped[date] = mapped_column(Date, info=audit_values())
    closed_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    # When the problem arose: help is for problems that arose after joining.
    problem_arose_on: Mapped[date | None] = mapped_column(Date)
    # What the eligibility check said when the case was opened (a warning, never a block).
    eligibility_note: Mapped[str] = mapped_column(Text, default="")
    companion: Mapped[str] = mapped_column(String(40), default="", info=audit_values())
    companion_name: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(40), default="", info=audit_values())
    remedy: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[Member] = relationship()
    employer: Mapped[Employer | None] = relationship()


class CaseMember(Base):
    """The other members of a collective case (the lead member is `Case.member`)."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True, info=audit_values()
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )


class StageChange(Base):
    """One move of a case from stage to stage, kept so the case's history can be told."""

    __tablename__ = "case_stage_changes"
    __table_args__ = (Index("ix_case_stage_changes_case", "case_id", "changed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), info=audit_values()
    )
    from_stage: Mapped[str] = mapped_column(String(40), default="", info=audit_values())
    to_stage: Mapped[str] = mapped_column(String(40), info=audit_values())
    changed_on: Mapped[date] = mapped_column(Date, info=audit_values())
    officer: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    note: Mapped[str] = mapped_column(Text, default="")


class Consent(Timestamped, Versioned, Base):
    """Whether the member agreed to a step taken on their behalf (notifying ACAS, say)."""

    __tablename__ = "case_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True, info=audit_values()
    )
    step: Mapped[str] = mapped_column(String(300))
    consented: Mapped[bool] = mapped_column(Boolean, info=audit_values())
    recorded_on: Mapped[date] = mapped_column(Date, info=audit_values())
    note: Mapped[str] = mapped_column(Text, default="")


class TimelineEntry(Timestamped, Versioned, Base):
    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_on", "case_id", "happened_on", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), info=audit_values()
    )
    happened_on: Mapped[date] = mapped_column(Date, info=audit_values())
    kind: Mapped[str] = mapped_column(String(40), info=audit_values())
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, info=audit_values())
    author: Mapped[str] = mapped_column(String(200), default="", info=audit_values())


class Document(Timestamped, Versioned, Base):
    """A file copied into the managed folder beside the database, checked by its SHA-256."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    name: Mapped[str] = mapped_column(String(300))
    # Where the copy lives, relative to the documents folder (never an absolute path): the
    # case reference and a random name, never the file's own name, which can be personal.
    stored_as: Mapped[str] = mapped_column(String(300), unique=True, info=audit_values())
    added_on: Mapped[date] = mapped_column(Date, info=audit_values())
    size: Mapped[int] = mapped_column(BigInteger, info=audit_values())
    sha256: Mapped[str] = mapped_column(String(64), info=audit_values())


class Deadline(Timestamped, Versioned, Base):
    __tablename__ = "case_deadlines"
    __table_args__ = (
        # Deadlines due across all cases, and a case's next deadline (which the list sorts by).
        Index("ix_case_deadlines_open_due", "done_on", "due_on"),
        Index("ix_case_deadlines_case_open", "case_id", "done_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), info=audit_values()
    )
    # Free text, and the working quotes the date of the act: personal, so not kept in the audit.
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date, info=audit_values())
    # "" for a deadline entered by hand; else the rule id that computed it ("tribunal.general").
    rule: Mapped[str] = mapped_column(String(60), default="", info=audit_values())
    # The working behind a computed deadline, one step a line, so it can be checked by hand.
    working: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None] = mapped_column(Date, info=audit_values())


class BranchSetting(Timestamped, Versioned, Base):
    """Settings the whole branch shares (on every PC using this database), as JSON text."""

    __tablename__ = "branch_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True, info=audit_values())
    value: Mapped[str] = mapped_column(Text, info=audit_values())
