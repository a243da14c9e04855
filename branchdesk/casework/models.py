"""Cases, the members they are for, their stages, timeline, consents, documents and deadlines.

What a case is about, its timeline and its documents are personal data: the audit log names the
fields that changed but keeps their values only where `audit_values()` says so (types, stages,
dates, outcomes), so erasing a member's case erases its words everywhere.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

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
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from branchdesk.access.principal import name_key
from branchdesk.casework.codes import Stage
from branchdesk.members.models import Employer, Member
from branchdesk.store.base import Base, Timestamped, Versioned, audit_values


class Case(Timestamped, Versioned, Base):
    __tablename__ = "cases"
    __area__ = "casework"
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

    # A caseworker sees and changes only the cases they represent or are assigned to
    # (access.policy); a case of theirs may be handed over to another rep.
    __owner_root__ = True

    @classmethod
    def __own_rows__(cls, key: str) -> ColumnElement[bool]:
        return or_(
            func.lower(func.trim(cls.rep)) == key, func.lower(func.trim(cls.second_rep)) == key
        )

    def __owned_by__(self, key: str, session: Session) -> bool:
        return key in (name_key(self.rep or ""), name_key(self.second_rep or ""))


class _OfACase:
    """A row belonging to a case: seen and changed only by those who may see the case."""

    if TYPE_CHECKING:
        case_id: Mapped[int]

    @classmethod
    def __own_rows__(cls, key: str) -> ColumnElement[bool]:
        return cls.case_id.in_(select(Case.id).where(Case.__own_rows__(key)))

    def __owned_by__(self, key: str, session: Session) -> bool:
        # The session's own look-up leaves out cases the officer may not see.
        return self.case_id is not None and session.get(Case, self.case_id) is not None


class CaseMember(_OfACase, Base):
    """The other members of a collective case (the lead member is `Case.member`)."""

    __tablename__ = "case_members"
    __area__ = "casework"
    __table_args__ = (UniqueConstraint("case_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True, info=audit_values()
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )


class StageChange(_OfACase, Base):
    """One move of a case from stage to stage, kept so the case's history can be told."""

    __tablename__ = "case_stage_changes"
    __area__ = "casework"
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


class Consent(_OfACase, Timestamped, Versioned, Base):
    """Whether the member agreed to a step taken on their behalf (notifying ACAS, say)."""

    __tablename__ = "case_consents"
    __area__ = "casework"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True, info=audit_values()
    )
    step: Mapped[str] = mapped_column(String(300))
    consented: Mapped[bool] = mapped_column(Boolean, info=audit_values())
    recorded_on: Mapped[date] = mapped_column(Date, info=audit_values())
    note: Mapped[str] = mapped_column(Text, default="")


class TimelineEntry(_OfACase, Timestamped, Versioned, Base):
    __tablename__ = "case_events"
    __area__ = "casework"
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


class Document(_OfACase, Timestamped, Versioned, Base):
    """A file copied into the managed folder beside the database, checked by its SHA-256."""

    __tablename__ = "case_documents"
    __area__ = "casework"

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


class Deadline(_OfACase, Timestamped, Versioned, Base):
    __tablename__ = "case_deadlines"
    __area__ = "casework"
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
    __area__ = "branch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True, info=audit_values())
    value: Mapped[str] = mapped_column(Text, info=audit_values())
