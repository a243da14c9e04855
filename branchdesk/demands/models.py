"""Claims to an employer, their demands (with costing, evidence and status history), the
negotiation meetings, and member surveys.

What members said (quotes, survey answers) and meeting notes are personal: the audit log names
those fields but keeps no values. Titles, categories, statuses, dates and costings are kept.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from branchdesk.money import Money
from branchdesk.store.base import Base, Timestamped, Versioned, audit_values
from branchdesk.store.types import DecimalText, MoneyType


class Claim(Timestamped, Versioned, Base):
    __tablename__ = "claims"
    __area__ = "demands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True, info=audit_values())
    title: Mapped[str] = mapped_column(String(300), info=audit_values())
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employers.id", ondelete="RESTRICT"), index=True, info=audit_values()
    )
    bargaining_unit: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    workplace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workplaces.id", ondelete="RESTRICT"), info=audit_values()
    )
    submitted_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    settle_by: Mapped[date | None] = mapped_column(Date, info=audit_values())
    lead_reps: Mapped[str] = mapped_column(String(400), default="", info=audit_values())
    status: Mapped[str] = mapped_column(String(30), default="drafting", info=audit_values())
    notes: Mapped[str] = mapped_column(Text, default="")


class Demand(Timestamped, Versioned, Base):
    __tablename__ = "demands"
    __area__ = "demands"
    __table_args__ = (Index("ix_demands_claim_position", "claim_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), info=audit_values()
    )
    # Order within the claim, by priority as the reps put it (1 first).
    position: Mapped[int] = mapped_column(Integer, info=audit_values())
    title: Mapped[str] = mapped_column(String(300), info=audit_values())
    category: Mapped[str] = mapped_column(String(40), info=audit_values())
    priority: Mapped[str] = mapped_column(String(10), default="medium", info=audit_values())
    case_for: Mapped[str] = mapped_column(Text, default="")
    employer_response: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="proposed", info=audit_values())
    # The costing (all empty when the demand is not costed); see demands.costing.
    cost_headcount: Mapped[int | None] = mapped_column(Integer, info=audit_values())
    cost_basis: Mapped[str] = mapped_column(String(20), default="", info=audit_values())
    cost_current: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    cost_change_kind: Mapped[str] = mapped_column(String(20), default="", info=audit_values())
    cost_change: Mapped[Decimal | None] = mapped_column(DecimalText(), info=audit_values())
    cost_hourly_rate: Mapped[Money | None] = mapped_column(MoneyType(), info=audit_values())
    cost_hours_per_day: Mapped[Decimal | None] = mapped_column(DecimalText(), info=audit_values())
    cost_pension_percent: Mapped[Decimal | None] = mapped_column(DecimalText(), info=audit_values())
    cost_ni_percent: Mapped[Decimal | None] = mapped_column(DecimalText(), info=audit_values())


class DemandStatusChange(Base):
    __tablename__ = "demand_status_changes"
    __area__ = "demands"
    __table_args__ = (Index("ix_demand_status_changes_demand", "demand_id", "changed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), info=audit_values()
    )
    from_status: Mapped[str] = mapped_column(String(30), default="", info=audit_values())
    to_status: Mapped[str] = mapped_column(String(30), info=audit_values())
    changed_on: Mapped[date] = mapped_column(Date, info=audit_values())
    officer: Mapped[str] = mapped_column(String(200), default="", info=audit_values())
    note: Mapped[str] = mapped_column(Text, default="")


class Evidence(Timestamped, Versioned, Base):
    __tablename__ = "demand_evidence"
    __area__ = "demands"
    __table_args__ = (Index("ix_demand_evidence_demand", "demand_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), info=audit_values()
    )
    position: Mapped[int] = mapped_column(Integer, info=audit_values())
    kind: Mapped[str] = mapped_column(String(30), info=audit_values())
    title: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    # A survey result: which survey and which question (by its position in the survey).
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"), info=audit_values()
    )
    question: Mapped[int | None] = mapped_column(Integer, info=audit_values())


class Meeting(Timestamped, Versioned, Base):
    __tablename__ = "negotiation_meetings"
    __area__ = "demands"
    __table_args__ = (Index("ix_negotiation_meetings_claim", "claim_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), info=audit_values()
    )
    held_on: Mapped[date] = mapped_column(Date, info=audit_values())
    union_side: Mapped[str] = mapped_column(Text, default="")
    employer_side: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    union_proposals: Mapped[str] = mapped_column(Text, default="")
    employer_proposals: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")


class Survey(Timestamped, Base):
    """A member survey as imported: its questions, and each respondent's answers as a row."""

    __tablename__ = "surveys"
    __area__ = "demands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), index=True, info=audit_values()
    )
    name: Mapped[str] = mapped_column(String(300), info=audit_values())
    imported_on: Mapped[date] = mapped_column(Date, info=audit_values())
    respondents: Mapped[int] = mapped_column(Integer, info=audit_values())


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __area__ = "demands"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), info=audit_values()
    )
    position: Mapped[int] = mapped_column(Integer, info=audit_values())
    text: Mapped[str] = mapped_column(String(1000), info=audit_values())
    kind: Mapped[str] = mapped_column(String(10), info=audit_values())


class SurveyResponse(Base):
    """One respondent's answers, in question order, as JSON (answers may be personal)."""

    __tablename__ = "survey_responses"
    __area__ = "demands"
    __table_args__ = (Index("ix_survey_responses_survey", "survey_id", "line"),)
    __audited__ = False  # thousands of rows an import; the survey row records the import

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)  # the respondent's line in the file
    answers: Mapped[str] = mapped_column(Text)
