"""Opening, changing, moving and closing cases, and their timeline, consents and deadlines.

The rules every caller (the window, the command line, the demo) shares. Each function is one
short transaction; an edit carries the version it was read at and is refused if the row has
changed since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.casework.codes import Stage
from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, ENTRY_KINDS, OUTCOMES, STAGES
from branchdesk.casework.models import (
    Case,
    CaseMember,
    Consent,
    Deadline,
    StageChange,
    TimelineEntry,
)
from branchdesk.members.models import Employer, Member, MemberStatus
from branchdesk.members.service import ValidationError
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit
from branchdesk.store.types import utcnow

# Help is for problems that arose after joining, and after this long a member.
MINIMUM_MEMBERSHIP = timedelta(weeks=4)
REFERENCE = re.compile(r"^C-(\d{4})-(\d{4,})$")
TEXT_LIMITS = {
    "sub_type": 200,
    "title": 300,
    "employer": 200,
    "rep": 200,
    "second_rep": 200,
    "companion_name": 200,
}


@dataclass
class CaseForm:
    """A case as the form shows it: members by membership number, employer by name."""

    membership_number: str = ""
    case_type: str = ""
    sub_type: str = ""
    title: str = ""
    employer: str = ""  # blank: the member's own employer
    rep: str = ""
    second_rep: str = ""
    opened_on: date | None = None
    problem_arose_on: date | None = None
    companion: str = ""
    companion_name: str = ""
    other_members: list[str] = field(default_factory=list)
    version: int | None = None

    def cleaned(self) -> CaseForm:
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = value.strip() if isinstance(value, str) else value
        values["other_members"] = [n.strip() for n in self.other_members if n.strip()]
        return CaseForm(**values)


@dataclass(frozen=True)
class EntryForm:
    happened_on: date
    kind: str
    title: str = ""
    body: str = ""
    confidential: bool = False
    version: int | None = None


def validate_case(form: CaseForm, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.membership_number:
        errors["membership_number"] = "Choose the member this case is for."
    if form.case_type not in CASE_TYPES:
        errors["case_type"] = "Choose the type of case."
    if form.companion not in COMPANIONS:
        errors["companion"] = "Choose who accompanies the member, or none."
    if form.opened_on is None:
        errors["opened_on"] = "Enter the date the case was opened."
    elif form.opened_on > today:
        errors["opened_on"] = "The case cannot be opened in the future."
    if form.problem_arose_on is not None and form.problem_arose_on > today:
        errors["problem_arose_on"] = "The problem cannot have arisen in the future."
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(form, name)) > limit:
            errors[name] = f"Too long: at most {limit} characters."
    if form.membership_number in form.other_members:
        errors["other_members"] = "The lead member is listed again among the other members."
    elif len(set(form.other_members)) != len(form.other_members):
        errors["other_members"] = "A member is listed twice."
    return errors


def eligibility_warnings(member: Member, problem_arose_on: date | None, today: date) -> list[str]:
    """Why the branch might not be able to help: a warning for the rep to weigh, never a block."""
    warnings = []
    if member.status != MemberStatus.CURRENT:
        warnings.append(f"The member's status is {member.status}, not current.")
    if not member.subs_up_to_date:
        warnings.append("The member's subscriptions are not up to date.")
    if member.date_joined is None:
        warnings.append("The member's date of joining is not recorded.")
        return warnings
    arose = problem_arose_on or today
    if arose < member.date_joined:
        warnings.append(
            f"The problem arose on {arose:%d %B %Y}, before the member joined on "
            f"{member.date_joined:%d %B %Y}."
        )
    elif arose < member.date_joined + MINIMUM_MEMBERSHIP:
        warnings.append(
            f"The member joined on {member.date_joined:%d %B %Y}, less than four weeks before "
            f"the problem arose on {arose:%d %B %Y}."
        )
    return warnings


def _member(session: Session, number: str, field_name: str) -> Member:
    member = session.scalar(select(Member).where(Member.membership_number == number))
    if member is None:
        raise ValidationError({field_name: f"No member has the membership number {number}."})
    return member


def _employer_id(session: Session, name: str, member: Member) -> int | None:
    if not name:
        return member.employer_id
    employer = session.scalar(select(Employer).where(Employer.name == name))
    if employer is None:
        employer = Employer(name=name)
        session.add(employer)
        session.flush()
    return employer.id


def next_reference(session: Session, year: int) -> str:
    """The next free reference of the year: C-2026-0001, C-2026-0002, …"""
    prefix = f"C-{year}-"
    last = session.scalar(
        select(func.max(Case.reference)).where(
            Case.reference.like(f"{prefix}%"), func.length(Case.reference) == len(prefix) + 4
        )
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    if number > 9999:
        # References stay sortable as text: past 9999 a year, count on past the longest.
        longest = session.scalar(
            select(func.max(Case.reference)).where(Case.reference.like(f"{prefix}%"))
        )
        number = max(number, int(str(longest)[len(prefix) :]) + 1)
    return f"{prefix}{number:04d}"


def _set_members(session: Session, case: Case, numbers: list[str]) -> bool:
    """Make the case's other members those numbered; True if that changed anything."""
    wanted = {_member(session, n, "other_members").id for n in numbers}
    existing = {
        row.member_id: row
        for row in session.scalars(select(CaseMember).where(CaseMember.case_id == case.id))
    }
    for member_id, row in existing.items():
        if member_id not in wanted:
            session.delete(row)
    for member_id in wanted - existing.keys():
        session.add(CaseMember(case_id=case.id, member_id=member_id))
    return wanted != existing.keys()


def open_case(db: Database, form: CaseForm, today: date | None = None) -> str:
    """Open a case; returns its reference. The eligibility check is recorded, not enforced."""
    today = today or date.today()
    form = form.cleaned()
    errors = validate_case(form, today)
    if errors:
        raise ValidationError(errors)
    assert form.opened_on is not None
    for attempt in range(3):
        try:
            with db.write() as session:
                member = _member(session, form.membership_number, "membership_number")
                case = Case(
                    reference=next_reference(session, form.opened_on.year),
                    member_id=member.id,
                    employer_id=_employer_id(session, form.employer, member),
                    case_type=form.case_type,
                    sub_type=form.sub_type,
                    title=form.title,
                    rep=form.rep,
                    second_rep=form.second_rep,
                    status=Stage.OPENED.value,
                    status_changed_on=form.opened_on,
                    opened_on=form.opened_on,
                    problem_arose_on=form.problem_arose_on,
                    eligibility_note="\n".join(
                        eligibility_warnings(member, form.problem_arose_on, form.opened_on)
                    ),
                    companion=form.companion,
                    companion_name=form.companion_name,
                )
                session.add(case)
                session.flush()
                _set_members(session, case, form.other_members)
                session.add(
                    StageChange(
                        case_id=case.id,
                        from_stage="",
                        to_stage=Stage.OPENED.value,
                        changed_on=form.opened_on,
                        officer=db.officer,
                    )
                )
                return case.reference
        except IntegrityError:
            # Another PC took the same reference at the same moment: take the next one.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _case_for_edit(session: Session, case_id: int, version: int | None) -> Case:
    if version is None:
        raise ValueError("an edit needs the version the case was read at")
    case = session.get(Case, case_id)
    if case is None:
        raise StaleEdit("This case has been deleted by someone else since you opened it.")
    if case.version != version:
        raise StaleEdit(
            f"Case {case.reference} was changed by someone else after you opened it. Nothing "
            "was saved: reopen the case to see the latest details and make your change again."
        )
    return case


def _flush(session: Session, case: Case) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleEdit(
            f"Case {case.reference} was changed by someone else at the same moment. Nothing "
            "was saved: reopen the case and try again."
        ) from exc


def update_case(db: Database, case_id: int, form: CaseForm, today: date | None = None) -> None:
    """Save the case's details (not its stage: see `move_stage` and `close_case`)."""
    today = today or date.today()
    form = form.cleaned()
    errors = validate_case(form, today)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        case = _case_for_edit(session, case_id, form.version)
        member = _member(session, form.membership_number, "membership_number")
        assert form.opened_on is not None
        first_move = session.scalar(
            select(func.min(StageChange.changed_on)).where(
                StageChange.case_id == case.id, StageChange.from_stage != ""
            )
        )
        if first_move is not None and form.opened_on > first_move:
            raise ValidationError(
                {"opened_on": f"The case moved stage on {first_move:%d %B %Y}; it opened before."}
            )
        if form.opened_on != case.opened_on:
            opening = session.scalar(
                select(StageChange).where(
                    StageChange.case_id == case.id, StageChange.from_stage == ""
                )
            )
            if opening is not None:
                opening.changed_on = form.opened_on
            if case.status == Stage.OPENED:
                case.status_changed_on = form.opened_on
        values = {
            "member_id": member.id,
            "employer_id": _employer_id(session, form.employer, member),
            "case_type": form.case_type,
            "sub_type": form.sub_type,
            "title": form.title,
            "rep": form.rep,
            "second_rep": form.second_rep,
            "opened_on": form.opened_on,
            "problem_arose_on": form.problem_arose_on,
            "companion": form.companion,
            "companion_name": form.companion_name,
        }
        if member.id != case.member_id or form.problem_arose_on != case.problem_arose_on:
            # A different member, or a different date the problem arose: check again.
            values["eligibility_note"] = "\n".join(
                eligibility_warnings(member, form.problem_arose_on, form.opened_on)
            )
        for name, value in values.items():
            if getattr(case, name) != value:
                setattr(case, name, value)
        if _set_members(session, case, form.other_members):
            # The members live in rows of their own: touch the case so its version moves on
            # and a save made against the old list is refused.
            case.updated_at = utcnow()
        _flush(session, case)


def _last_change(session: Session, case_id: int) -> date | None:
    return session.scalar(
        select(func.max(StageChange.changed_on)).where(StageChange.case_id == case_id)
    )


def _check_move_date(session: Session, case: Case, on: date, today: date) -> None:
    if on > today:
        raise ValidationError({"changed_on": "A change of stage cannot be dated in the future."})
    last = _last_change(session, case.id) or case.opened_on
    if on < last:
        raise ValidationError(
            {
                "changed_on": f"The case last changed stage on {last:%d %B %Y}; "
                "date this change on or after it."
            }
        )


def _record_move(
    session: Session, case: Case, to_stage: str, on: date, officer: str, note: str
) -> None:
    """Move the case and keep the move in its history."""
    session.add(
        StageChange(
            case_id=case.id,
            from_stage=case.status,
            to_stage=to_stage,
            changed_on=on,
            officer=officer,
            note=note.strip(),
        )
    )
    case.status = to_stage
    case.status_changed_on = on


def move_stage(
    db: Database,
    case_id: int,
    to_stage: str,
    on: date,
    version: int | None,
    note: str = "",
    today: date | None = None,
) -> None:
    """Move an open case to another open stage (closing takes an outcome: `close_case`)."""
    today = today or date.today()
    if to_stage not in STAGES:
        raise ValidationError({"to_stage": f"There is no stage called {to_stage!r}."})
    if to_stage == Stage.CLOSED:
        raise ValidationError({"to_stage": "Close the case with its outcome instead."})
    with db.write() as session:
        case = _case_for_edit(session, case_id, version)
        if case.status == Stage.CLOSED:
            raise ValidationError(
                {"to_stage": f"Case {case.reference} is closed: reopen it first."}
            )
        if case.status == to_stage:
            raise ValidationError({"to_stage": f"The case is already at {STAGES[to_stage]}."})
        _check_move_date(session, case, on, today)
        _record_move(session, case, to_stage, on, db.officer, note)
        _flush(session, case)


def close_case(
    db: Database,
    case_id: int,
    outcome: str,
    on: date,
    version: int | None,
    remedy: str = "",
    note: str = "",
    today: date | None = None,
) -> None:
    today = today or date.today()
    if outcome not in OUTCOMES:
        raise ValidationError(
            {"outcome": "Choose the outcome: won, settled, partly upheld, lost or withdrawn."}
        )
    with db.write() as session:
        case = _case_for_edit(session, case_id, version)
        if case.status == Stage.CLOSED:
            raise ValidationError({"outcome": f"Case {case.reference} is already closed."})
        _check_move_date(session, case, on, today)
        _record_move(session, case, Stage.CLOSED.value, on, db.officer, note)
        case.closed_on = on
        case.outcome = outcome
        case.remedy = remedy.strip()
        _flush(session, case)


def reopen_case(
    db: Database,
    case_id: int,
    to_stage: str,
    on: date,
    version: int | None,
    note: str = "",
    today: date | None = None,
) -> None:
    """Reopen a closed case (an appeal lodged late, a tribunal claim): its outcome is cleared."""
    today = today or date.today()
    if to_stage not in STAGES or to_stage == Stage.CLOSED:
        raise ValidationError({"to_stage": "Choose the open stage the case goes back to."})
    with db.write() as session:
        case = _case_for_edit(session, case_id, version)
        if case.status != Stage.CLOSED:
            raise ValidationError({"to_stage": f"Case {case.reference} is not closed."})
        _check_move_date(session, case, on, today)
        _record_move(session, case, to_stage, on, db.officer, note)
        case.closed_on = None
        case.outcome = ""
        _flush(session, case)


def _check_entry(entry: EntryForm, today: date) -> None:
    errors = {}
    if entry.kind not in ENTRY_KINDS:
        errors["kind"] = "Choose what kind of entry this is."
    if entry.happened_on > today + timedelta(days=366):
        errors["happened_on"] = "The date is more than a year ahead: check it."
    if not entry.title.strip() and not entry.body.strip():
        errors["title"] = "Give the entry a title or some text."
    if len(entry.title.strip()) > 300:
        errors["title"] = "Too long: at most 300 characters."
    if errors:
        raise ValidationError(errors)


def add_entry(db: Database, case_id: int, entry: EntryForm, today: date | None = None) -> int:
    """Add to the case's timeline (a meeting or hearing may be dated ahead, when it is booked)."""
    _check_entry(entry, today or date.today())
    with db.write() as session:
        if session.get(Case, case_id) is None:
            raise StaleEdit("This case has been deleted by someone else.")
        row = TimelineEntry(
            case_id=case_id,
            happened_on=entry.happened_on,
            kind=entry.kind,
            title=entry.title.strip(),
            body=entry.body.strip(),
            confidential=entry.confidential,
            author=db.officer,
        )
        session.add(row)
        session.flush()
        return row.id


def update_entry(db: Database, entry_id: int, entry: EntryForm, today: date | None = None) -> None:
    _check_entry(entry, today or date.today())
    with db.write() as session:
        row = session.get(TimelineEntry, entry_id)
        if row is None or row.version != entry.version:
            raise StaleEdit(
                "This timeline entry was changed or deleted by someone else after you opened it. "
                "Nothing was saved."
            )
        row.happened_on = entry.happened_on
        row.kind = entry.kind
        row.title = entry.title.strip()
        row.body = entry.body.strip()
        row.confidential = entry.confidential
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit(
                "This timeline entry was changed by someone else at the same moment."
            ) from exc


def record_consent(
    db: Database, case_id: int, step: str, consented: bool, on: date, note: str = ""
) -> int:
    step = step.strip()
    if not step:
        raise ValidationError({"step": "Say what the member was asked to agree to."})
    if len(step) > 300:
        raise ValidationError({"step": "Too long: at most 300 characters."})
    with db.write() as session:
        if session.get(Case, case_id) is None:
            raise StaleEdit("This case has been deleted by someone else.")
        row = Consent(
            case_id=case_id, step=step, consented=consented, recorded_on=on, note=note.strip()
        )
        session.add(row)
        session.flush()
        return row.id


def add_deadline(
    db: Database, case_id: int, title: str, due_on: date, rule: str = "", working: str = ""
) -> int:
    """A deadline entered by hand (`rule` empty) or computed by a rule (its working kept)."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": 'Say what is due (for example "Appeal letter").'})
    if len(title) > 300:
        raise ValidationError({"title": "Too long: at most 300 characters."})
    with db.write() as session:
        if session.get(Case, case_id) is None:
            raise StaleEdit("This case has been deleted by someone else.")
        row = Deadline(case_id=case_id, title=title, due_on=due_on, rule=rule, working=working)
        session.add(row)
        session.flush()
        return row.id


def set_deadline_done(db: Database, deadline_id: int, done_on: date | None, version: int) -> None:
    """Mark a deadline met (or, with None, not met after all)."""
    with db.write() as session:
        row = session.get(Deadline, deadline_id)
        if row is None or row.version != version:
            raise StaleEdit(
                "This deadline was changed or deleted by someone else. Nothing was saved."
            )
        row.done_on = done_on
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit(
                "This deadline was changed by someone else at the same moment."
            ) from exc


def case_id_by_reference(db: Database, reference: str) -> int | None:
    with db.read() as session:
        return session.scalar(select(Case.id).where(Case.reference == reference.strip().upper()))
