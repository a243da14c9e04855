"""Reading cases back: one case whole, deadlines across cases, and timeline search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import Session

from branchdesk.casework.codes import CaseType, Stage
from branchdesk.casework.models import (
    Case,
    CaseMember,
    Consent,
    Deadline,
    Document,
    StageChange,
    TimelineEntry,
)
from branchdesk.members.models import Employer, Member, Workplace
from branchdesk.store.database import Database


@dataclass(frozen=True)
class MemberLine:
    id: int
    membership_number: str
    name: str
    employer: str
    workplace: str
    job_title: str
    date_joined: date | None
    status: str
    subs_up_to_date: bool


@dataclass(frozen=True)
class DeadlineLine:
    id: int
    case_id: int
    reference: str
    title: str
    due_on: date
    rule: str
    working: str
    done_on: date | None
    rep: str
    version: int
    member: str  # "Last, First": shown to reps, never written to a calendar file


@dataclass(frozen=True)
class CaseDetail:
    id: int
    version: int
    reference: str
    member: MemberLine
    other_members: tuple[MemberLine, ...]
    employer: str
    case_type: str
    sub_type: str
    title: str
    rep: str
    second_rep: str
    status: str
    status_changed_on: date
    opened_on: date
    closed_on: date | None
    problem_arose_on: date | None
    eligibility_note: str
    companion: str
    companion_name: str
    outcome: str
    remedy: str
    stages: tuple[StageChange, ...]
    timeline: tuple[TimelineEntry, ...]
    consents: tuple[Consent, ...]
    deadlines: tuple[DeadlineLine, ...]
    documents: tuple[Document, ...]


def _member_lines(session: Session, member_ids: list[int]) -> dict[int, MemberLine]:
    rows = session.execute(
        select(
            Member.id,
            Member.membership_number,
            Member.first_name,
            Member.last_name,
            Employer.name,
            Workplace.name,
            Member.job_title,
            Member.date_joined,
            Member.status,
            Member.subs_up_to_date,
        )
        .outerjoin(Employer, Member.employer_id == Employer.id)
        .outerjoin(Workplace, Member.workplace_id == Workplace.id)
        .where(Member.id.in_(member_ids))
    )
    return {
        r[0]: MemberLine(
            r[0], r[1], f"{r[2]} {r[3]}".strip(), r[4] or "", r[5] or "", r[6], r[7], r[8], r[9]
        )
        for r in rows
    }


def _deadline_query() -> Select[Any]:
    return (
        select(
            Deadline.id,
            Deadline.case_id,
            Case.reference,
            Deadline.title,
            Deadline.due_on,
            Deadline.rule,
            Deadline.working,
            Deadline.done_on,
            Case.rep,
            Deadline.version,
            Member.last_name + ", " + Member.first_name,
        )
        .join(Case, Deadline.case_id == Case.id)
        .join(Member, Case.member_id == Member.id)
    )


def get_case(db: Database, case_id: int) -> CaseDetail:
    """Everything about one case, read in one short transaction; KeyError if it is gone."""
    with db.read() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise KeyError(case_id)
        others = list(
            session.scalars(select(CaseMember.member_id).where(CaseMember.case_id == case_id))
        )
        members = _member_lines(session, [case.member_id, *others])
        employer = session.get(Employer, case.employer_id) if case.employer_id else None
        stages = session.scalars(
            select(StageChange)
            .where(StageChange.case_id == case_id)
            .order_by(StageChange.changed_on, StageChange.id)
        ).all()
        timeline = session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.case_id == case_id)
            .order_by(TimelineEntry.happened_on, TimelineEntry.id)
        ).all()
        consents = session.scalars(
            select(Consent)
            .where(Consent.case_id == case_id)
            .order_by(Consent.recorded_on, Consent.id)
        ).all()
        deadlines = [
            DeadlineLine(*row)
            for row in session.execute(
                _deadline_query()
                .where(Deadline.case_id == case_id)
                .order_by(Deadline.due_on, Deadline.id)
            )
        ]
        documents = session.scalars(
            select(Document).where(Document.case_id == case_id).order_by(Document.id)
        ).all()
        return CaseDetail(
            id=case.id,
            version=case.version,
            reference=case.reference,
            member=members[case.member_id],
            other_members=tuple(
                sorted((members[i] for i in others if i in members), key=lambda m: m.name)
            ),
            employer=employer.name if employer else "",
            case_type=case.case_type,
            sub_type=case.sub_type,
            title=case.title,
            rep=case.rep,
            second_rep=case.second_rep,
            status=case.status,
            status_changed_on=case.status_changed_on,
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            problem_arose_on=case.problem_arose_on,
            eligibility_note=case.eligibility_note,
            companion=case.companion,
            companion_name=case.companion_name,
            outcome=case.outcome,
            remedy=case.remedy,
            stages=tuple(stages),
            timeline=tuple(timeline),
            consents=tuple(consents),
            deadlines=tuple(deadlines),
            documents=tuple(documents),
        )


def deadlines_due(
    db: Database,
    today: date,
    within_days: int | None = 14,
    rep: str = "",
    include_overdue: bool = True,
    open_cases_only: bool = True,
) -> list[DeadlineLine]:
    """Deadlines not yet met: overdue ones, and those due within `within_days` (None: any)."""
    query = _deadline_query().where(Deadline.done_on.is_(None))
    if within_days is not None:
        query = query.where(Deadline.due_on <= today + timedelta(days=within_days))
    if not include_overdue:
        query = query.where(Deadline.due_on >= today)
    if rep:
        query = query.where(or_(Case.rep == rep, Case.second_rep == rep))
    if open_cases_only:
        query = query.where(Case.status != Stage.CLOSED.value)
    query = query.order_by(Deadline.due_on, Case.reference, Deadline.id)
    with db.read() as session:
        return [DeadlineLine(*row) for row in session.execute(query)]


def member_cases(db: Database, member_id: int) -> list[tuple[int, str, str, str, date]]:
    """(id, reference, type, stage, opened) of every case the member is in, newest first."""
    in_collective = select(CaseMember.case_id).where(CaseMember.member_id == member_id)
    query = (
        select(Case.id, Case.reference, Case.case_type, Case.status, Case.opened_on)
        .where(or_(Case.member_id == member_id, Case.id.in_(in_collective)))
        .order_by(Case.opened_on.desc(), Case.id.desc())
    )
    with db.read() as session:
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def _fts_query(words: list[str]) -> str:
    # Each word quoted (so AND, OR, NEAR and punctuation are plain text) and matched as a prefix.
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


# Health and disciplinary cases' notes are left out of the notes search: a list of the cases
# whose notes hold a word typed ("cancer") would disclose their content without the recorded
# opening (casework/sensitive.py) that showing them requires.
_NOT_SEARCHED = (CaseType.SICKNESS.value, CaseType.DISCIPLINARY.value, CaseType.CAPABILITY.value)


def search_timeline(db: Database, search: str, limit: int = 200) -> list[tuple[int, int, str]]:
    """(entry id, case id, case reference) of timeline entries whose title or text has every
    word typed, newest first; not those of health and disciplinary cases."""
    words = search.split()
    if not words:
        return []
    if db.is_sqlite:
        matches = text(
            "case_events.id IN (SELECT rowid FROM case_events_fts WHERE case_events_fts MATCH :q)"
        ).bindparams(q=_fts_query(words))
    else:
        # The words typed are cut into lexemes by the same parser that built the index (an
        # email address stays whole, "R&D" is two), each matched as a prefix; quoted, so
        # nothing typed is read as a tsquery operator. No lexemes: no query, no rows.
        matches = text(
            "to_tsvector('simple', case_events.title || ' ' || case_events.body) @@ ("
            "  SELECT to_tsquery('simple', string_agg(quote_literal(lexeme) || ':*', ' & '))"
            "  FROM unnest(to_tsvector('simple', :q)))"
        ).bindparams(q=" ".join(words))
    # An ORM query, so the officer's role narrows it like any other (a caseworker's own cases).
    query = (
        select(TimelineEntry.id, TimelineEntry.case_id, Case.reference)
        .join(Case, Case.id == TimelineEntry.case_id)
        .where(matches, Case.case_type.not_in(_NOT_SEARCHED))
        .order_by(TimelineEntry.happened_on.desc(), TimelineEntry.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def caseload_counts(db: Database) -> dict[str, dict[str, int]]:
    """Open cases by type, by stage, by employer and by rep."""
    out: dict[str, dict[str, int]] = {}
    groups = {
        "type": Case.case_type,
        "stage": Case.status,
        "employer": func.coalesce(Employer.name, ""),
        "rep": Case.rep,
    }
    with db.read() as session:
        for name, key in groups.items():
            query = (
                select(key, func.count())
                .select_from(Case)
                .outerjoin(Employer, Case.employer_id == Employer.id)
                .where(Case.status != Stage.CLOSED.value)
                .group_by(key)
            )
            out[name] = {str(k): int(n) for k, n in session.execute(query)}
    return out


def consent_steps_used(db: Database, limit: int = 50) -> list[str]:
    """The steps consent has been recorded for before, most used first (for suggestions)."""
    query = (
        select(Consent.step)
        .group_by(Consent.step)
        .order_by(func.count().desc(), Consent.step)
        .limit(limit)
    )
    with db.read() as session:
        return [step for step in session.scalars(query) if step]
