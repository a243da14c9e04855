"""Funds, their payment rules, strike days and who took part in them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.hardship.models import Fund, FundRules, StrikeDay, StrikeParticipant
from branchdesk.hardship.rules import PaymentRules
from branchdesk.members.models import Employer, Member
from branchdesk.members.service import ValidationError
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class FundForm:
    name: str = ""
    employer: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    currency: str = "GBP"
    bank_account_name: str = ""
    sort_code: str = ""
    account_number: str = ""
    notes: str = ""
    closed: bool = False
    version: int | None = None


def validate_fund(form: FundForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = "Give the fund a name (for example the dispute it supports)."
    elif len(form.name.strip()) > 200:
        errors["name"] = "Too long: at most 200 characters."
    if form.starts_on is None:
        errors["starts_on"] = "Say when the fund starts."
    elif form.ends_on is not None and form.ends_on < form.starts_on:
        errors["ends_on"] = "The fund ends before it starts."
    if not _CURRENCY.match(form.currency.strip().upper()):
        errors["currency"] = "A currency is three letters, such as GBP."
    sort_code = re.sub(r"[\s-]", "", form.sort_code)
    if sort_code and not re.fullmatch(r"\d{6}", sort_code):
        errors["sort_code"] = "A sort code is six digits, such as 08-60-01."
    account = re.sub(r"\s", "", form.account_number)
    if account and not re.fullmatch(r"[0-9A-Za-z~-]{4,34}", account):
        errors["account_number"] = "An account number is 4 to 34 letters or digits."
    if len(form.employer.strip()) > 200:
        errors["employer"] = "Too long: at most 200 characters."
    if len(form.bank_account_name.strip()) > 200:
        errors["bank_account_name"] = "Too long: at most 200 characters."
    return errors


def format_sort_code(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"{digits[:2]}-{digits[2:4]}-{digits[4:6]}" if len(digits) == 6 else text.strip()


def _employer_id(session: Session, name: str) -> int | None:
    name = name.strip()[:200]
    if not name:
        return None
    employer = session.scalar(select(Employer).where(Employer.name == name))
    if employer is None:
        employer = Employer(name=name)
        session.add(employer)
        session.flush()
    return employer.id


def _apply(session: Session, fund: Fund, form: FundForm) -> None:
    values: dict[str, object] = {
        "name": form.name.strip(),
        "employer_id": _employer_id(session, form.employer),
        "starts_on": form.starts_on,
        "ends_on": form.ends_on,
        "currency": form.currency.strip().upper(),
        "bank_account_name": form.bank_account_name.strip(),
        "sort_code": format_sort_code(form.sort_code),
        "account_number": re.sub(r"\s", "", form.account_number),
        "notes": form.notes.strip(),
        "closed": form.closed,
    }
    for name, value in values.items():
        if getattr(fund, name) != value:
            setattr(fund, name, value)


def _name_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    query = select(Fund.id).where(func.lower(Fund.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Fund.id != except_id)
    return session.scalar(query) is not None


def create_fund(db: Database, form: FundForm, rules: PaymentRules | None = None) -> int:
    errors = validate_fund(form)
    if rules is not None and rules.problems():
        errors["rules"] = " ".join(rules.problems())
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        if _name_taken(session, form.name):
            raise ValidationError({"name": "There is already a fund with this name."})
        fund = Fund()
        _apply(session, fund, form)
        session.add(fund)
        session.flush()
        if rules is not None:
            session.add(_rules_row(fund.id, rules))
        return fund.id


def update_fund(db: Database, fund_id: int, form: FundForm) -> None:
    errors = validate_fund(form)
    if errors:
        raise ValidationError(errors)
    if form.version is None:
        raise ValueError("an edit needs the version the fund was read at")
    with db.write() as session:
        fund = session.get(Fund, fund_id)
        if fund is None:
            raise StaleEdit("This fund has been deleted by someone else.")
        if fund.version != form.version:
            raise StaleEdit(
                "This fund was changed by someone else after you opened it. Nothing was "
                "saved: open it again and make your change again."
            )
        if _name_taken(session, form.name, fund_id):
            raise ValidationError({"name": "There is already a fund with this name."})
        _apply(session, fund, form)
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit("This fund was changed by someone else at the same moment.") from exc


def get_fund(db: Database, fund_id: int) -> FundForm:
    with db.read() as session:
        fund = session.get(Fund, fund_id)
        if fund is None:
            raise StaleEdit("This fund has been deleted by someone else.")
        employer = session.get(Employer, fund.employer_id) if fund.employer_id else None
        return FundForm(
            name=fund.name,
            employer=employer.name if employer else "",
            starts_on=fund.starts_on,
            ends_on=fund.ends_on,
            currency=fund.currency,
            bank_account_name=fund.bank_account_name,
            sort_code=fund.sort_code,
            account_number=fund.account_number,
            notes=fund.notes,
            closed=fund.closed,
            version=fund.version,
        )


def fund_id_by_name(db: Database, name: str) -> int | None:
    """The fund called `name` (case does not matter), for the command line."""
    with db.read() as session:
        return session.scalar(select(Fund.id).where(func.lower(Fund.name) == name.strip().lower()))


def fund_names(db: Database) -> list[tuple[int, str]]:
    with db.read() as session:
        return [(i, n) for i, n in session.execute(select(Fund.id, Fund.name).order_by(Fund.name))]


# Rules ---------------------------------------------------------------------------------------


def _rules_row(fund_id: int, rules: PaymentRules) -> FundRules:
    return FundRules(
        fund_id=fund_id,
        effective_from=rules.effective_from,
        per_day=rules.per_day,
        unpaid_days=rules.unpaid_days,
        cap_per_day=rules.cap_per_day,
        cap_per_member=rules.cap_per_member,
        national_per_day=rules.national_per_day,
        limit_to_loss=rules.limit_to_loss,
        pro_rata_part_time=rules.pro_rata_part_time,
        approvals_needed=rules.approvals_needed,
    )


def _as_rules(row: FundRules) -> PaymentRules:
    return PaymentRules(
        effective_from=row.effective_from,
        per_day=row.per_day,
        unpaid_days=row.unpaid_days,
        cap_per_day=row.cap_per_day,
        cap_per_member=row.cap_per_member,
        national_per_day=row.national_per_day,
        limit_to_loss=row.limit_to_loss,
        pro_rata_part_time=row.pro_rata_part_time,
        approvals_needed=row.approvals_needed,
    )


def set_rules(db: Database, fund_id: int, rules: PaymentRules) -> None:
    """Rules from `rules.effective_from` on; rules already set from that same date are
    replaced, earlier ones stay in force for earlier days."""
    problems = rules.problems()
    if problems:
        raise ValidationError({"rules": " ".join(problems)})
    with db.write() as session:
        if session.get(Fund, fund_id) is None:
            raise StaleEdit("This fund has been deleted by someone else.")
        row = session.scalar(
            select(FundRules).where(
                FundRules.fund_id == fund_id, FundRules.effective_from == rules.effective_from
            )
        )
        new = _rules_row(fund_id, rules)
        if row is None:
            session.add(new)
            return
        for column in FundRules.__table__.columns:
            if column.key not in ("id", "fund_id", "created_at", "updated_at", "version"):
                value = getattr(new, column.key)
                if getattr(row, column.key) != value:
                    setattr(row, column.key, value)


def rules_in_session(session: Session, fund_id: int) -> list[PaymentRules]:
    rows = session.scalars(
        select(FundRules).where(FundRules.fund_id == fund_id).order_by(FundRules.effective_from)
    )
    return [_as_rules(row) for row in rows]


def fund_rules(db: Database, fund_id: int) -> list[PaymentRules]:
    with db.read() as session:
        return rules_in_session(session, fund_id)


# Strike days and who took part -----------------------------------------------------------------


def add_strike_day(db: Database, fund_id: int, day: date, description: str = "") -> int:
    if len(description.strip()) > 300:
        raise ValidationError({"description": "Too long: at most 300 characters."})
    with db.write() as session:
        fund = session.get(Fund, fund_id)
        if fund is None:
            raise StaleEdit("This fund has been deleted by someone else.")
        if day < fund.starts_on or (fund.ends_on is not None and day > fund.ends_on):
            raise ValidationError({"day": "This day is outside the fund's dates."})
        if session.scalar(
            select(StrikeDay.id).where(StrikeDay.fund_id == fund_id, StrikeDay.day == day)
        ):
            raise ValidationError({"day": "This day is already a strike day of the fund."})
        row = StrikeDay(fund_id=fund_id, day=day, description=description.strip())
        session.add(row)
        session.flush()
        return row.id


def remove_strike_day(db: Database, strike_day_id: int) -> None:
    """Only a day no claim names can go: claims keep the days they were decided on."""
    from branchdesk.hardship.models import ClaimDay

    with db.write() as session:
        if session.scalar(select(ClaimDay.id).where(ClaimDay.strike_day_id == strike_day_id)):
            raise ValidationError({"day": "Claims name this strike day, so it cannot be removed."})
        session.execute(
            delete(StrikeParticipant).where(StrikeParticipant.strike_day_id == strike_day_id)
        )
        row = session.get(StrikeDay, strike_day_id)
        if row is not None:
            session.delete(row)


@dataclass(frozen=True)
class StrikeDayRow:
    id: int
    day: date
    description: str
    taking_part: int


def strike_days(db: Database, fund_id: int) -> list[StrikeDayRow]:
    with db.read() as session:
        counts = (
            select(StrikeParticipant.strike_day_id, func.count().label("n"))
            .group_by(StrikeParticipant.strike_day_id)
            .subquery()
        )
        rows = session.execute(
            select(StrikeDay.id, StrikeDay.day, StrikeDay.description, counts.c.n)
            .outerjoin(counts, counts.c.strike_day_id == StrikeDay.id)
            .where(StrikeDay.fund_id == fund_id)
            .order_by(StrikeDay.day)
        )
        return [StrikeDayRow(i, d, text, n or 0) for i, d, text, n in rows]


def set_taking_part(db: Database, strike_day_id: int, member_numbers: Iterable[str]) -> list[str]:
    """Record who took part on a strike day (adding to those already recorded). Returns the
    membership numbers that matched no member, and records nothing if there are any."""
    numbers = {n.strip() for n in member_numbers if n.strip()}
    with db.write() as session:
        if session.get(StrikeDay, strike_day_id) is None:
            raise StaleEdit("This strike day has been removed by someone else.")
        found = dict(
            session.execute(
                select(Member.membership_number, Member.id).where(
                    Member.membership_number.in_(numbers)
                )
            ).all()
        )
        unknown = sorted(numbers - found.keys())
        if unknown:
            return unknown
        have = set(
            session.scalars(
                select(StrikeParticipant.member_id).where(
                    StrikeParticipant.strike_day_id == strike_day_id
                )
            )
        )
        for member_id in sorted(set(found.values()) - have):
            session.add(StrikeParticipant(strike_day_id=strike_day_id, member_id=member_id))
        return []


def remove_taking_part(db: Database, strike_day_id: int, member_numbers: Iterable[str]) -> int:
    """Take members off a strike day (recorded there by mistake); returns how many were."""
    numbers = {n.strip() for n in member_numbers if n.strip()}
    with db.write() as session:
        ids = select(Member.id).where(Member.membership_number.in_(numbers))
        rows = session.scalars(
            select(StrikeParticipant).where(
                StrikeParticipant.strike_day_id == strike_day_id,
                StrikeParticipant.member_id.in_(ids),
            )
        ).all()
        for row in rows:
            session.delete(row)
        return len(rows)


def member_strike_days(session: Session, fund_id: int, member_id: int) -> list[date]:
    """The strike days of the fund the member is recorded as taking part in."""
    return list(
        session.scalars(
            select(StrikeDay.day)
            .join(StrikeParticipant, StrikeParticipant.strike_day_id == StrikeDay.id)
            .where(StrikeDay.fund_id == fund_id, StrikeParticipant.member_id == member_id)
            .order_by(StrikeDay.day)
        )
    )
