"""The branch's retention schedule, and the review of what it says is due for erasure.

The schedule is the branch's, kept in the database (`branch_settings`, as JSON with a version,
like the deadline rules) so every PC applies the same periods. Until the secretary edits it the
defaults below apply, each with its reason.

The rules, exactly (each "due from" date is the first day the record may be erased):

- **Closed cases** are deleted, with everything hanging off them, `closed_case_years` after the
  day they were closed (default 6: the limitation period for most claims a member could bring
  about how their case was handled, contract and negligence, is six years). An open case is
  never due, however old.
- **Settled hardship claims** (paid, or declined) keep their amounts and their ledger entries
  but lose their personal text (the member's circumstances, the evidence notes, the panel's
  reasons) `hardship_claim_years` after the end of the financial year in which they were settled
  (the day of the last payment, or of the decision to decline), counting from the day after
  that year ends (default 6: HMRC and the union's financial rules keep financial records for six
  years after the end of the year they relate to; the branch's financial year ends on
  `financial_year_end`, 31 December by default, as a union's annual return to the Certification
  Officer covers the calendar year).
- **Lapsed and left members** are anonymised (never deleted: the hardship ledger and other
  append-only rows point at them) `member_years` after they lapsed or left (default 2: time
  for a lapsed member to rejoin and keep their history, and to answer questions about their
  membership). BranchDesk keeps no leaving date, so the date is the audit log's record of the
  status being set to lapsed or left, or, where the log has none for the member (an import),
  the last time the member's record was changed; a later change only makes it later. A member
  is never due while a case they lead or join is open or a hardship claim of theirs is not
  settled, nor before each of their closed cases and settled claims is due itself: those
  records need to say whose they are for as long as they are kept, nor while a subject access
  request of theirs is being answered. Anonymising a member deletes the closed cases they lead,
  with them.

`due` reads what is due. It shows a record's reference, its member's number and name, the
reason and the date it fell due: what the secretary needs to recognise it, and no more of it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from branchdesk.access.policy import Guard
from branchdesk.access.roles import READ, WRITE, Area
from branchdesk.casework.codes import Stage
from branchdesk.casework.models import BranchSetting, Case, CaseMember
from branchdesk.exports.text import short_date
from branchdesk.hardship.models import Claim, PanelDecision, Payment
from branchdesk.members.models import Member, MemberStatus
from branchdesk.privacy.models import OPEN_STATUSES as SAR_OPEN_STATUSES
from branchdesk.privacy.models import SarRequest
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit, StoreError

KEY = "retention_schedule"

# Hardship claims whose business is over: nothing more will be paid or decided on them.
SETTLED_STATUSES: tuple[str, ...] = ("paid", "declined")
LEFT_STATUSES: tuple[str, ...] = (MemberStatus.LAPSED.value, MemberStatus.LEFT.value)
# An anonymised member's number is this and their id; their names say "Erased member <id>".
ERASED_NUMBER_PREFIX = "ERASED-"
MAX_YEARS = 100
# Ids per IN (...) list: well inside every database's limit on bound values.
_CHUNK = 500


class ScheduleError(StoreError):
    """A schedule that cannot be used (a period out of range, a date that is not one)."""


class RecordType(StrEnum):
    CASE = "case"
    MEMBER = "member"
    HARDSHIP_CLAIM = "hardship_claim"


RECORD_LABELS = {
    RecordType.CASE: "Closed case",
    RecordType.MEMBER: "Lapsed or left member",
    RecordType.HARDSHIP_CLAIM: "Settled hardship claim",
}

# What happens to each type of record when it is due.
ACTIONS = {
    RecordType.CASE: "erase",
    RecordType.MEMBER: "anonymise",
    RecordType.HARDSHIP_CLAIM: "anonymise",
}

# The table each type's audit event names.
TABLES = {
    RecordType.CASE: "cases",
    RecordType.MEMBER: "members",
    RecordType.HARDSHIP_CLAIM: "hardship_claims",
}

REASONS = {
    "closed_case_years": (
        "Six years is the limitation period for most claims a member could bring about how "
        "their case was handled (contract and negligence)."
    ),
    "member_years": (
        "Long enough for a lapsed member to rejoin and keep their history, and to answer "
        "questions about their membership. A member's record stays while any of their cases "
        "or hardship claims is kept."
    ),
    "hardship_claim_years": (
        "HMRC and the union's financial rules keep financial records for six years after the "
        "end of the financial year they relate to. The amounts and the ledger are kept for "
        "good; only the member's circumstances, evidence notes and the panel's reasons go."
    ),
    "financial_year_end": (
        "The last day of the branch's financial year: 31 December unless the union's rules say "
        "otherwise (a union's annual return covers the calendar year)."
    ),
}


@dataclass(frozen=True)
class Schedule:
    """How long each type of record is kept, in whole years."""

    closed_case_years: int = 6
    member_years: int = 2
    hardship_claim_years: int = 6
    # Month and day the branch's financial year ends on.
    financial_year_end_month: int = 12
    financial_year_end_day: int = 31

    def problems(self) -> list[str]:
        found = []
        for name, what in (
            ("closed_case_years", "closed cases"),
            ("member_years", "lapsed and left members"),
            ("hardship_claim_years", "settled hardship claims"),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                found.append(f"the period for {what} must be a whole number of years")
            elif not 1 <= value <= MAX_YEARS:
                found.append(f"the period for {what} must be from 1 to {MAX_YEARS} years")
        try:
            # 2001 is not a leap year: 29 February is refused, as it ends no year three in four.
            date(2001, self.financial_year_end_month, self.financial_year_end_day)
        except (TypeError, ValueError):
            found.append("the financial year's end is not a day of the year")
        return found

    def checked(self) -> Schedule:
        problems = self.problems()
        if problems:
            raise ScheduleError("; ".join(problems).capitalize() + ".")
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Schedule:
        """The schedule stored; a key it does not know is ignored, a missing one defaulted."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ScheduleError("the stored retention schedule cannot be read") from exc
        if not isinstance(data, dict):
            raise ScheduleError("the stored retention schedule cannot be read")
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        return cls(**values).checked()

    # -- the rules, on dates ---------------------------------------------------------------

    def case_due_on(self, closed_on: date) -> date:
        return add_years(closed_on, self.closed_case_years)

    def member_due_on(self, left_on: date) -> date:
        return add_years(left_on, self.member_years)

    def financial_year_end_after(self, day: date) -> date:
        """The last day of the financial year `day` falls in."""
        end = date(day.year, self.financial_year_end_month, self.financial_year_end_day)
        return end if day <= end else add_years(end, 1)

    def claim_due_on(self, settled_on: date) -> date:
        year_end = self.financial_year_end_after(settled_on)
        return add_years(year_end, self.hardship_claim_years) + timedelta(days=1)

    def latest_claim_settled_on(self, today: date) -> date:
        """The last day a claim can have been settled on to be due `today`: the end of the
        latest financial year whose claims are due by then."""
        year_end = self.financial_year_end_after(today)
        while self.claim_due_on(year_end) > today:
            year_end = self.financial_year_end_after(add_years(year_end, -1))
        return year_end


DEFAULT_SCHEDULE = Schedule()


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March (never a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


# --------------------------------------------------------------------------------------------
# Who may: the secretary alone


def require_privacy(db: Database, action: str = WRITE) -> None:
    """Refuse anyone but the secretary (the only role with the privacy area), recording it.

    The role checks on each table would let a caseworker change members, say; retention is
    the branch's decision, so it is checked as an area of its own. A database without officers'
    accounts (the demo) has no roles to check.
    """
    if not db.sign_in_required:
        return
    # The refusal is raised inside a session, so `Database` records it in the audit log.
    with db.read():
        Guard(db.principal).require(Area.PRIVACY, action, "retention")


# --------------------------------------------------------------------------------------------
# The stored schedule


def load_schedule(db: Database) -> tuple[Schedule, int | None]:
    """The schedule in force and the version stored (None: the defaults, never edited)."""
    with db.read() as session:
        row = session.scalar(select(BranchSetting).where(BranchSetting.key == KEY))
    if row is None:
        return DEFAULT_SCHEDULE, None
    return Schedule.from_json(row.value), row.version


_STALE = (
    "The retention schedule was changed by someone else after you opened it. Nothing was saved: "
    "open it again and make your change."
)


def save_schedule(db: Database, schedule: Schedule, version: int | None) -> int:
    """Store an edited schedule (the secretary's to change); `version` is what `load_schedule`
    gave. Returns the new version."""
    require_privacy(db, WRITE)
    text = schedule.checked().to_json()
    try:
        with db.write() as session:
            row = session.scalar(select(BranchSetting).where(BranchSetting.key == KEY))
            if (row.version if row is not None else None) != version:
                raise StaleEdit(_STALE)
            if row is None:
                row = BranchSetting(key=KEY, value=text)
                session.add(row)
            else:
                row.value = text
            session.flush()
            return row.version
    except IntegrityError as exc:
        # Another PC stored its first edit at the same moment.
        raise StaleEdit(_STALE) from exc


# --------------------------------------------------------------------------------------------
# What is due


@dataclass(frozen=True)
class DueItem:
    """One record the schedule says is due: what it is, whose, why and since when."""

    kind: RecordType
    record_id: int
    reference: str  # the case or claim reference, or the membership number
    member_number: str
    member_name: str
    reason: str
    due_since: date

    @property
    def action(self) -> str:
        return ACTIONS[self.kind]

    @property
    def table(self) -> str:
        return TABLES[self.kind]

    @property
    def label(self) -> str:
        if self.kind is RecordType.CASE:
            return f"Case {self.reference}"
        if self.kind is RecordType.HARDSHIP_CLAIM:
            return f"Hardship claim {self.reference}"
        return f"Member {self.reference}"

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind.value, self.record_id)


def due(db: Database, today: date, schedule: Schedule | None = None) -> list[DueItem]:
    """Every record due for erasure or anonymisation on `today`, oldest due first.

    The secretary's alone to see (the list names members who have left).
    """
    require_privacy(db, READ)
    if schedule is None:
        schedule, _ = load_schedule(db)
    with db.read() as session:
        items = [
            *due_cases(session, today, schedule),
            *due_claims(session, today, schedule),
            *due_members(session, today, schedule),
        ]
    order = {RecordType.CASE: 0, RecordType.HARDSHIP_CLAIM: 1, RecordType.MEMBER: 2}
    return sorted(items, key=lambda i: (i.due_since, order[i.kind], i.reference))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _members(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    wanted = sorted(set(ids))
    for chunk in _chunks(wanted):
        for member_id, number, first, last in session.execute(
            select(Member.id, Member.membership_number, Member.first_name, Member.last_name).where(
                Member.id.in_(chunk)
            )
        ):
            found[member_id] = (number, f"{first} {last}".strip())
    return found


def due_cases(
    session: Session, today: date, schedule: Schedule, ids: Sequence[int] | None = None
) -> list[DueItem]:
    """Closed cases whose period has run (only those in `ids`, when given)."""
    # Closed on or before this day: due today or earlier.
    latest = _latest_event(today, schedule.closed_case_years)
    query = select(Case.id, Case.reference, Case.member_id, Case.closed_on).where(
        Case.status == Stage.CLOSED.value, Case.closed_on.is_not(None), Case.closed_on <= latest
    )
    if ids is not None:
        query = query.where(Case.id.in_(list(ids)))
    rows = [r for r in session.execute(query) if schedule.case_due_on(r.closed_on) <= today]
    members = _members(session, (r.member_id for r in rows))
    items = []
    for case_id, reference, member_id, closed_on in rows:
        number, name = members.get(member_id, ("", ""))
        items.append(
            DueItem(
                RecordType.CASE,
                case_id,
                reference,
                number,
                name,
                f"closed {short_date(closed_on)}; kept {_years(schedule.closed_case_years)} "
                "after closing",
                schedule.case_due_on(closed_on),
            )
        )
    return items


def _latest_event(today: date, years: int) -> date:
    """A day no earlier than the latest an event can have happened for a record kept `years`
    after it to be due today: a filter for the database, made exact afterwards."""
    return add_years(today, -years)


def _years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def _claims_with_reasons(session: Session, claim_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(list(claim_ids)):
        found.update(
            session.scalars(
                select(PanelDecision.claim_id)
                .where(PanelDecision.claim_id.in_(chunk), PanelDecision.reasons != "")
                .distinct()
            )
        )
    return found


@dataclass(frozen=True)
class _SettledClaim:
    id: int
    reference: str
    member_id: int
    settled_on: date
    has_text: bool


def _settled_claims(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    member_ids: Sequence[int] | None = None,
    settled_by: date | None = None,
) -> list[_SettledClaim]:
    # A paid claim is settled by its last payment; a declined one by the decision.
    last_paid = (
        select(func.max(Payment.paid_on))
        .where(Payment.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    settled = func.coalesce(last_paid, Claim.decided_on, Claim.received_on, type_=Date)
    query = select(
        Claim.id,
        Claim.reference,
        Claim.member_id,
        settled.label("settled_on"),
        Claim.circumstances,
        Claim.evidence,
        Claim.decision_reasons,
    ).where(Claim.status.in_(SETTLED_STATUSES))
    if ids is not None:
        query = query.where(Claim.id.in_(list(ids)))
    if settled_by is not None:
        # In the database: in a branch that reviews every year, most claims are not yet due.
        query = query.where(settled <= settled_by)
    rows = []
    for chunk in _chunks(list(member_ids)) if member_ids is not None else [None]:
        part = query if chunk is None else query.where(Claim.member_id.in_(chunk))
        rows.extend(session.execute(part).all())
    with_reasons = _claims_with_reasons(session, [r.id for r in rows])
    claims = []
    for row in rows:
        has_text = bool(row.circumstances or row.evidence or row.decision_reasons) or (
            row.id in with_reasons
        )
        claims.append(_SettledClaim(row.id, row.reference, row.member_id, row.settled_on, has_text))
    return claims


def due_claims(
    session: Session, today: date, schedule: Schedule, ids: Sequence[int] | None = None
) -> list[DueItem]:
    """Settled hardship claims past their period that still hold personal text."""
    settled_by = schedule.latest_claim_settled_on(today)
    claims = [c for c in _settled_claims(session, ids=ids, settled_by=settled_by) if c.has_text]
    claims = [c for c in claims if schedule.claim_due_on(c.settled_on) <= today]
    members = _members(session, (c.member_id for c in claims))
    items = []
    for claim in claims:
        number, name = members.get(claim.member_id, ("", ""))
        year_end = schedule.financial_year_end_after(claim.settled_on)
        items.append(
            DueItem(
                RecordType.HARDSHIP_CLAIM,
                claim.id,
                claim.reference,
                number,
                name,
                f"settled {short_date(claim.settled_on)}; kept "
                f"{_years(schedule.hardship_claim_years)} after the year ending "
                f"{short_date(year_end)}",
                schedule.claim_due_on(claim.settled_on),
            )
        )
    return items


def left_dates(session: Session, members: Sequence[tuple[int, Any]]) -> dict[int, date]:
    """When each member (id, updated_at) lapsed or left, as the rules above say."""
    latest: dict[int, tuple[Any, str]] = {}
    ids = [member_id for member_id, _ in members]
    for chunk in _chunks(ids):
        rows = session.execute(
            select(AuditEntry.row_id, AuditEntry.at, AuditEntry.changes)
            .where(
                AuditEntry.table_name == "members",
                AuditEntry.action.in_(("create", "update")),
                AuditEntry.row_id.in_(chunk),
                AuditEntry.changes.contains('"status"'),
            )
            .order_by(AuditEntry.id)
        )
        for row_id, at, changes in rows:
            try:
                new = json.loads(changes).get("status", [None, None])[1]
            except (ValueError, AttributeError, IndexError, TypeError):
                continue
            latest[row_id] = (at, new)  # in id order: the last one wins
    found = {}
    for member_id, updated_at in members:
        recorded = latest.get(member_id)
        if recorded is not None and recorded[1] in LEFT_STATUSES:
            found[member_id] = recorded[0].date()
        else:
            # Not in the log (imported), or the log's last word is older than the status:
            # the last change to the record, which came no earlier than the leaving.
            found[member_id] = updated_at.date()
    return found


def due_members(
    session: Session, today: date, schedule: Schedule, ids: Sequence[int] | None = None
) -> list[DueItem]:
    """Lapsed and left members past their period, with no case or claim still needing them."""
    query = select(
        Member.id, Member.membership_number, Member.first_name, Member.last_name, Member.updated_at
    ).where(
        Member.status.in_(LEFT_STATUSES),
        ~Member.membership_number.startswith(ERASED_NUMBER_PREFIX, autoescape=True),
    )
    if ids is not None:
        query = query.where(Member.id.in_(list(ids)))
    rows = session.execute(query).all()
    if not rows:
        return []
    left = left_dates(session, [(r.id, r.updated_at) for r in rows])
    # First by the member's own period: most lapsed members are not yet due at all.
    candidates = {r.id: r for r in rows if schedule.member_due_on(left[r.id]) <= today}
    held_until: dict[int, date] = defaultdict(lambda: date.min)
    blocked: set[int] = set()
    candidate_ids = sorted(candidates)
    for chunk in _chunks(candidate_ids):
        in_case = or_(
            Case.member_id.in_(chunk),
            Case.id.in_(select(CaseMember.case_id).where(CaseMember.member_id.in_(chunk))),
        )
        cases = session.execute(
            select(Case.id, Case.member_id, Case.status, Case.closed_on).where(in_case)
        ).all()
        others: dict[int, list[int]] = defaultdict(list)
        for case_id, member_id in session.execute(
            select(CaseMember.case_id, CaseMember.member_id).where(CaseMember.member_id.in_(chunk))
        ):
            others[case_id].append(member_id)
        for case_id, lead_id, status, closed_on in cases:
            people = {lead_id, *others.get(case_id, [])} & set(chunk)
            for member_id in people:
                if status != Stage.CLOSED.value or closed_on is None:
                    blocked.add(member_id)
                else:
                    due_on = schedule.case_due_on(closed_on)
                    held_until[member_id] = max(held_until[member_id], due_on)
        unsettled = session.scalars(
            select(Claim.member_id)
            .where(Claim.member_id.in_(chunk), Claim.status.not_in(SETTLED_STATUSES))
            .distinct()
        )
        blocked.update(unsettled)
        # Their data cannot go while the branch is still answering their request for it.
        blocked.update(
            session.scalars(
                select(SarRequest.member_id).where(
                    SarRequest.member_id.in_(chunk), SarRequest.status.in_(SAR_OPEN_STATUSES)
                )
            )
        )
    for claim in _settled_claims(session, member_ids=candidate_ids):
        due_on = schedule.claim_due_on(claim.settled_on)
        held_until[claim.member_id] = max(held_until[claim.member_id], due_on)
    items = []
    for member_id in candidate_ids:
        if member_id in blocked:
            continue
        row = candidates[member_id]
        own = schedule.member_due_on(left[member_id])
        due_on = max(own, held_until[member_id])
        if due_on > today:
            continue
        reason = (
            f"lapsed or left {short_date(left[member_id])}; kept "
            f"{_years(schedule.member_years)} after leaving"
        )
        if held_until[member_id] > own:
            reason += ", and until their cases and hardship claims were due"
        items.append(
            DueItem(
                RecordType.MEMBER,
                member_id,
                row.membership_number,
                row.membership_number,
                f"{row.first_name} {row.last_name}".strip(),
                reason,
                due_on,
            )
        )
    return items


def due_again(session: Session, item: DueItem, today: date, schedule: Schedule) -> DueItem | None:
    """`item` as the schedule sees it now, in this transaction; None if it is no longer due
    (a case reopened, a member rejoined, erased by someone else meanwhile)."""
    finder = {
        RecordType.CASE: due_cases,
        RecordType.HARDSHIP_CLAIM: due_claims,
        RecordType.MEMBER: due_members,
    }[item.kind]
    found = finder(session, today, schedule, ids=[item.record_id])
    return found[0] if found else None
