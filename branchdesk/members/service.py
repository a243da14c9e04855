"""Adding, changing and reading members: the rules every caller (window, command line) shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.members.models import (
    PLAIN_FIELDS,
    Employer,
    Member,
    MemberStatus,
    Workplace,
    search_text_for,
)
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

STATUSES: list[tuple[str, str]] = [
    (MemberStatus.CURRENT.value, "Current"),
    (MemberStatus.LAPSED.value, "Lapsed"),
    (MemberStatus.LEFT.value, "Left"),
]
_STATUS_VALUES = {value for value, _ in STATUSES}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_PHONE = re.compile(r"^[0-9+() .\-]{6,25}$")

# Longest text each field takes; the database columns are sized to match.
LIMITS = {
    "membership_number": 40,
    "first_name": 100,
    "last_name": 100,
    "employer": 200,
    "workplace": 200,
    "department": 200,
    "job_title": 200,
    "work_email": 254,
    "work_phone": 40,
    "personal_email": 254,
    "personal_phone": 40,
    "home_address": 2000,
    "notes": 100_000,
}


class ValidationError(Exception):
    """Fields that cannot be saved, each with a message to show beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class MemberForm:
    """A member as a form shows it: plain values, employer and workplace by name."""

    membership_number: str = ""
    first_name: str = ""
    last_name: str = ""
    employer: str = ""
    workplace: str = ""
    department: str = ""
    job_title: str = ""
    work_email: str = ""
    work_phone: str = ""
    personal_email: str = ""
    personal_phone: str = ""
    home_address: str = ""
    date_joined: date | None = None
    status: str = MemberStatus.CURRENT.value
    subs_up_to_date: bool = True
    notes: str = ""
    version: int | None = None

    def cleaned(self) -> MemberForm:
        """The same form with surrounding spaces trimmed from every text field."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = value.strip() if isinstance(value, str) else value
        return MemberForm(**values)


def validate(form: MemberForm, today: date | None = None) -> dict[str, str]:
    """Every problem with the form, by field name; empty when it can be saved."""
    form = form.cleaned()
    errors: dict[str, str] = {}
    if not form.membership_number:
        errors["membership_number"] = "Enter the membership number."
    if not form.last_name:
        errors["last_name"] = "Enter the member's last name."
    if not form.first_name:
        errors["first_name"] = "Enter the member's first name."
    for name, limit in LIMITS.items():
        value = getattr(form, name)
        if len(value) > limit and name not in errors:
            errors[name] = f"Too long: at most {limit:,} characters."
    for name in ("work_email", "personal_email"):
        value = getattr(form, name)
        if value and name not in errors and not _EMAIL.match(value):
            errors[name] = "Not an email address (for example name@example.org)."
    for name in ("work_phone", "personal_phone"):
        value = getattr(form, name)
        if value and name not in errors and not _PHONE.match(value):
            errors[name] = "Not a phone number: use digits, spaces and + ( ) - only."
    if form.workplace and not form.employer:
        errors["workplace"] = "Choose the employer this workplace belongs to."
    if form.status not in _STATUS_VALUES:
        errors["status"] = "Choose current, lapsed or left."
    if form.date_joined is not None:
        if form.date_joined > (today or date.today()):
            errors["date_joined"] = "The date joined cannot be in the future."
        elif form.date_joined.year < 1900:
            errors["date_joined"] = "The date joined is before 1900."
    return errors


def _employer(session: Session, name: str) -> Employer | None:
    if not name:
        return None
    employer = session.scalar(select(Employer).where(Employer.name == name))
    if employer is None:
        employer = Employer(name=name)
        session.add(employer)
        session.flush()
    return employer


def _workplace(session: Session, employer: Employer | None, name: str) -> Workplace | None:
    if not name or employer is None:
        return None
    workplace = session.scalar(
        select(Workplace).where(Workplace.employer_id == employer.id, Workplace.name == name)
    )
    if workplace is None:
        workplace = Workplace(employer_id=employer.id, name=name)
        session.add(workplace)
        session.flush()
    return workplace


def _apply(session: Session, member: Member, form: MemberForm) -> None:
    for name in PLAIN_FIELDS:
        value = getattr(form, name)
        if getattr(member, name) != value:
            setattr(member, name, value)
    employer = _employer(session, form.employer)
    workplace = _workplace(session, employer, form.workplace)
    new_employer_id = employer.id if employer else None
    new_workplace_id = workplace.id if workplace else None
    if member.employer_id != new_employer_id:
        member.employer_id = new_employer_id
    if member.workplace_id != new_workplace_id:
        member.workplace_id = new_workplace_id
    text = search_text_for(
        {name: getattr(form, name) for name in PLAIN_FIELDS},
        employer.name if employer else "",
        workplace.name if workplace else "",
    )
    if member.search_text != text:
        member.search_text = text


def _number_taken(session: Session, number: str, except_id: int | None = None) -> bool:
    query = select(Member.id).where(Member.membership_number == number)
    if except_id is not None:
        query = query.where(Member.id != except_id)
    return session.scalar(query) is not None


def create_member(db: Database, form: MemberForm) -> int:
    form = form.cleaned()
    errors = validate(form)
    if errors:
        raise ValidationError(errors)
    try:
        with db.write() as session:
            if _number_taken(session, form.membership_number):
                raise ValidationError(_taken(form))
            member = Member()
            _apply(session, member, form)
            session.add(member)
            session.flush()
            return member.id
    except IntegrityError as exc:
        # Another PC saved the same number (or employer) between our check and our write.
        raise _conflict(form) from exc


def update_member(db: Database, member_id: int, form: MemberForm) -> None:
    """Save changes made to a member; refused if it changed since `form.version` was read."""
    form = form.cleaned()
    errors = validate(form)
    if errors:
        raise ValidationError(errors)
    if form.version is None:
        raise ValueError("update_member needs the version the form was read at")
    try:
        with db.write() as session:
            member = session.get(Member, member_id)
            if member is None:
                raise StaleEdit("This member has been deleted by someone else since you opened it.")
            if member.version != form.version:
                raise StaleEdit(_stale_message(member))
            if _number_taken(session, form.membership_number, except_id=member_id):
                raise ValidationError(_taken(form))
            _apply(session, member, form)
            try:
                session.flush()
            except StaleDataError as exc:
                # Another save landed between our read and our write.
                raise StaleEdit(_stale_message(member)) from exc
    except IntegrityError as exc:
        raise _conflict(form) from exc


def _taken(form: MemberForm) -> dict[str, str]:
    return {"membership_number": f"Membership number {form.membership_number} is taken."}


def _conflict(form: MemberForm) -> StaleEdit:
    return StaleEdit(
        "Someone else saved a change at the same moment (for example the same membership "
        f"number {form.membership_number}). Nothing was saved: try again."
    )


def _stale_message(member: Member) -> str:
    return (
        f"Member {member.membership_number} was changed by someone else after you opened it. "
        "Your changes have not been saved: close this form, reopen the member to see the "
        "latest details, and make your changes again."
    )


def get_member(db: Database, member_id: int) -> MemberForm:
    with db.read() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise KeyError(member_id)
        return MemberForm(
            membership_number=member.membership_number,
            first_name=member.first_name,
            last_name=member.last_name,
            employer=member.employer.name if member.employer else "",
            workplace=member.workplace.name if member.workplace else "",
            department=member.department,
            job_title=member.job_title,
            work_email=member.work_email,
            work_phone=member.work_phone,
            personal_email=member.personal_email,
            personal_phone=member.personal_phone,
            home_address=member.home_address,
            date_joined=member.date_joined,
            status=member.status,
            subs_up_to_date=member.subs_up_to_date,
            notes=member.notes,
            version=member.version,
        )


def member_id_by_number(db: Database, number: str) -> int | None:
    with db.read() as session:
        return session.scalar(select(Member.id).where(Member.membership_number == number))


def employer_names(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Employer.name).order_by(Employer.name)))


def workplace_names(db: Database, employer: str) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Workplace.name)
                .join(Employer, Workplace.employer_id == Employer.id)
                .where(Employer.name == employer)
                .order_by(Workplace.name)
            )
        )
