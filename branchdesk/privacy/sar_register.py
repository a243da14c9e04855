"""The register of subject access requests: when each arrived, when it must be answered, and how.

The deadline follows the ICO's guidance on the right of access: count from the day the request
is received (working day or not) to the same date in the next month; when the next month has
no such date (31 January), the last day of that month (28 or 29 February); and when that day
is a weekend or a bank holiday, the next working day. A complex request may be extended by up
to two further months (UK GDPR Article 12(3)), counted the same way from the day received.

Only the branch secretary keeps the register (the privacy area, `access.roles`): every
function here checks that first, so the command line is bound as the window is.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.access.policy import GUARD, Guard
from branchdesk.access.roles import READ, WRITE, Area
from branchdesk.casework.deadlines import (
    add_months,
    bank_holiday_name,
    format_date,
    is_working_day,
)
from branchdesk.members.models import Member
from branchdesk.privacy.models import (
    NOTES_LIMIT,
    OPEN_STATUSES,
    REASON_LIMIT,
    SAR_STATUSES,
    SarRequest,
    SarStatus,
)
from branchdesk.store.database import Database
from branchdesk.store.errors import AccessDenied, SignInRequired, StaleEdit
from branchdesk.store.types import utcnow

MAX_EXTENSION_MONTHS = 2
DUE_SOON_DAYS = 7

T = TypeVar("T")


class SarError(ValueError):
    """A request that cannot be logged or changed as asked; the message says why."""


# --------------------------------------------------------------------------------------------
# The deadline


def _next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(received_on: date, extended_months: int = 0) -> date:
    """The day a request received on `received_on` must be answered by (ICO's counting)."""
    if not 0 <= extended_months <= MAX_EXTENSION_MONTHS:
        raise SarError(f"a request can be extended by up to {MAX_EXTENSION_MONTHS} months")
    return _next_working_day(add_months(received_on, 1 + extended_months))


def explain_due(received_on: date, extended_months: int = 0) -> str:
    """How the deadline was worked out, in a sentence (for the dialog and the CSV)."""
    target = add_months(received_on, 1 + extended_months)
    months = 1 + extended_months
    text = f"{format_date(received_on)} plus {months} calendar month{'s' if months > 1 else ''}"
    if target.day != received_on.day:
        month = format_date(target).split(" ", 1)[1]
        text += f" (there is no {received_on.day} {month}, so its last day)"
    text += f": {format_date(target)}"
    due = _next_working_day(target)
    if due != target:
        holiday = bank_holiday_name(target)
        why = holiday if holiday else ("a Saturday", "a Sunday")[target.weekday() - 5]
        text += f", which is {why}"
        # Bank holidays skipped on the way (a Sunday before Easter Monday), named too.
        day = target + timedelta(days=1)
        while day < due:
            if (name := bank_holiday_name(day)) is not None:
                text += f", and {day.day} {format_date(day).split(' ')[1]} is {name}"
            day += timedelta(days=1)
        text += f", so the next working day: {format_date(due)}"
    return text + "."


# --------------------------------------------------------------------------------------------
# Who may


def require_privacy(db: Database, action: str = WRITE) -> None:
    """Refuse, clearly and on the record, anyone but the branch secretary.

    The check is the one every session makes (`access.policy`), made first so the officer is
    told plainly what they asked for rather than which table refused it.
    """
    try:
        with db.read() as session:
            guard: Guard | None = session.info.get(GUARD)
            if guard is not None:
                guard.require(Area.PRIVACY, action, SarRequest.__tablename__)
    except SignInRequired:
        raise
    except AccessDenied as refused:
        clearer = AccessDenied(
            f"{refused}: only the branch secretary handles members' subject access requests",
            table=refused.table,
            action=refused.action,
            row_id=refused.row_id,
        )
        clearer.recorded = refused.recorded
        raise clearer from None


# --------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class SarRow:
    id: int
    version: int
    member_id: int | None
    membership_number: str  # "" once the member has been erased
    member_name: str
    received_on: date
    extended_months: int
    extension_reason: str
    status: str
    sent_on: date | None
    exported_at: datetime | None
    export_folder: str
    notes: str

    @property
    def due_on(self) -> date:
        return due_date(self.received_on, self.extended_months)

    @property
    def status_label(self) -> str:
        return SAR_STATUSES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today: date) -> int:
        """Days to the deadline: 0 on the day, negative once overdue."""
        return (self.due_on - today).days

    def overdue(self, today: date) -> bool:
        return self.is_open and today > self.due_on

    def due_soon(self, today: date) -> bool:
        return self.is_open and 0 <= self.days_left(today) <= DUE_SOON_DAYS

    def flag(self, today: date) -> str:
        """ "overdue", "due soon" or ""."""
        if self.overdue(today):
            return "overdue"
        if self.due_soon(today):
            return "due soon"
        return ""

    def describe_left(self, today: date) -> str:
        if not self.is_open:
            return ""
        left = self.days_left(today)
        if left == 0:
            return "Due today"
        if left > 0:
            return f"{left} day{'s' if left != 1 else ''} left"
        return f"Overdue by {-left} day{'s' if left != -1 else ''}"


def _rows(session: Session, where: list[object] | None = None) -> list[SarRow]:
    query = (
        select(SarRequest, Member.membership_number, Member.first_name, Member.last_name)
        .outerjoin(Member, SarRequest.member_id == Member.id)
        .order_by(SarRequest.received_on.desc(), SarRequest.id.desc())
    )
    for condition in where or ():
        query = query.where(condition)  # type: ignore[arg-type]
    rows = []
    for request, number, first, last in session.execute(query):
        name = f"{first or ''} {last or ''}".strip() if number else "(member erased)"
        rows.append(
            SarRow(
                id=request.id,
                version=request.version,
                member_id=request.member_id,
                membership_number=number or "",
                member_name=name,
                received_on=request.received_on,
                extended_months=request.extended_months,
                extension_reason=request.extension_reason,
                status=request.status,
                sent_on=request.sent_on,
                exported_at=request.exported_at,
                export_folder=request.export_folder,
                notes=request.notes,
            )
        )
    return rows


def list_requests(db: Database, open_only: bool = False) -> list[SarRow]:
    """Every request, newest first (only those awaiting an answer with `open_only`)."""
    require_privacy(db, READ)
    with db.read() as session:
        where = [SarRequest.status.in_(OPEN_STATUSES)] if open_only else None
        return _rows(session, where)


def get_request(db: Database, request_id: int) -> SarRow:
    require_privacy(db, READ)
    with db.read() as session:
        found = _rows(session, [SarRequest.id == request_id])
    if not found:
        raise SarError(f"there is no subject access request number {request_id}")
    return found[0]


# --------------------------------------------------------------------------------------------
# Changing


def _short(text: str, limit: int, what: str) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        raise SarError(f"keep the {what} short: at most {limit} characters (it has {len(text)})")
    return text


def _not_future(day: date, today: date, what: str) -> None:
    if day > today:
        raise SarError(f"the {what} date {day:%d/%m/%Y} is in the future")


def log_request(
    db: Database,
    membership_number: str,
    received_on: date | None = None,
    notes: str = "",
    today: date | None = None,
) -> int:
    """Log a request from the member with this number; returns the request's number."""
    require_privacy(db, WRITE)
    today = today or date.today()
    received_on = received_on or today
    _not_future(received_on, today, "received")
    notes = _short(notes, NOTES_LIMIT, "notes")
    number = membership_number.strip()
    if not number:
        raise SarError("give the membership number of the member making the request")
    with db.write() as session:
        member_id = session.scalar(select(Member.id).where(Member.membership_number == number))
        if member_id is None:
            raise SarError(f"no member has the membership number {number!r}")
        request = SarRequest(member_id=member_id, received_on=received_on, notes=notes)
        session.add(request)
        session.flush()
        return request.id


def _change(
    db: Database, request_id: int, version: int | None, change: Callable[[SarRequest], T]
) -> T:
    """Apply `change` to one request in one transaction, refusing a stale copy."""
    require_privacy(db, WRITE)
    with db.write() as session:
        request = session.get(SarRequest, request_id)
        if request is None:
            raise SarError(f"there is no subject access request number {request_id}")
        if version is not None and request.version != version:
            raise StaleEdit(
                "This request was changed by someone else after you opened it. Nothing was "
                "saved: look at it again and make your change again."
            )
        result = change(request)
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit("This request was changed by someone else at the same moment.") from exc
        return result


def _require_open(request: SarRequest, doing: str) -> None:
    if request.status not in OPEN_STATUSES:
        label = SAR_STATUSES.get(request.status, request.status).lower()
        when = f" on {request.sent_on:%d/%m/%Y}" if request.sent_on else ""
        raise SarError(f"request {request.id} was already {label}{when}: it cannot be {doing}")


def extend_request(
    db: Database, request_id: int, months: int, reason: str, version: int | None = None
) -> date:
    """Allow `months` (1 or 2) further months for a complex request; returns the new deadline.

    The reason is required: the member must be told of the extension, and why, within the
    first month.
    """
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise SarError(f"a request can be extended by 1 or {MAX_EXTENSION_MONTHS} further months")
    reason = _short(reason, REASON_LIMIT, "reason")
    if not reason:
        raise SarError("give the reason for the extension (why the request is complex)")

    def extend(request: SarRequest) -> date:
        _require_open(request, "extended")
        if months < request.extended_months:
            raise SarError(
                f"request {request.id} is already extended by {request.extended_months} months; "
                "an extension cannot be shortened"
            )
        request.extended_months = months
        request.extension_reason = reason
        return due_date(request.received_on, months)

    return _change(db, request_id, version, extend)


def mark_sent(
    db: Database,
    request_id: int,
    sent_on: date | None = None,
    version: int | None = None,
    export_folder: str | Path | None = None,
    today: date | None = None,
) -> None:
    """Record that the answer went to the member (and, if given, the export folder sent)."""
    today = today or date.today()
    sent_on = sent_on or today
    _not_future(sent_on, today, "sent")

    def send(request: SarRequest) -> None:
        _require_open(request, "marked sent")
        if sent_on < request.received_on:
            raise SarError(
                f"the sent date {sent_on:%d/%m/%Y} is before the request was received "
                f"({request.received_on:%d/%m/%Y})"
            )
        request.status = SarStatus.SENT.value
        request.sent_on = sent_on
        if export_folder is not None:
            request.export_folder = str(export_folder)

    _change(db, request_id, version, send)


def refuse_request(db: Database, request_id: int, reason: str, version: int | None = None) -> None:
    """Record that the request was refused (manifestly unfounded or excessive), and why."""
    reason = _short(reason, NOTES_LIMIT, "reason")
    if not reason:
        raise SarError("give the reason the request was refused: the member must be told it")

    def refuse(request: SarRequest) -> None:
        _require_open(request, "refused")
        request.status = SarStatus.REFUSED.value
        request.notes = reason

    _change(db, request_id, version, refuse)


def link_export(session: Session, request_id: int, folder: Path) -> None:
    """Note on a request the export just made for it (in the export's own transaction)."""
    request = session.get(SarRequest, request_id)
    if request is None:
        raise SarError(f"there is no subject access request number {request_id}")
    request.exported_at = utcnow()
    request.export_folder = str(folder)
    if request.status == SarStatus.RECEIVED.value:
        request.status = SarStatus.IN_PROGRESS.value


# --------------------------------------------------------------------------------------------
# The register as CSV


CSV_HEADER = [
    "id",
    "membership_number",
    "member",
    "received_on",
    "due_by",
    "days_left",
    "flag",
    "status",
    "extended_months",
    "extension_reason",
    "sent_on",
    "exported_on",
    "notes",
]


def _cell(text: str) -> str:
    # A spreadsheet would run text starting with = + - @ as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_register_csv(out: IO[str], db: Database, today: date | None = None) -> int:
    """Every request as CSV with its deadline and flags; returns the number of rows."""
    today = today or date.today()
    rows = list_requests(db)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.id,
                _cell(row.membership_number),
                _cell(row.member_name),
                row.received_on.isoformat(),
                row.due_on.isoformat(),
                row.days_left(today) if row.is_open else "",
                row.flag(today),
                row.status,
                row.extended_months,
                _cell(row.extension_reason),
                row.sent_on.isoformat() if row.sent_on else "",
                row.exported_at.date().isoformat() if row.exported_at else "",
                _cell(row.notes),
            ]
        )
    return len(rows)
