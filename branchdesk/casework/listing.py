"""The case list: filtered, searched and sorted in SQL, rows fetched a page of ids at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from branchdesk.casework.codes import Stage
from branchdesk.casework.labels import CASE_TYPES, STAGES, label
from branchdesk.casework.models import Case, Deadline
from branchdesk.members.models import Employer, Member
from branchdesk.store.database import Database
from branchdesk.store.listing import Column

COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", "text", 12),
    Column("member", "Member", "text", 22),
    Column("membership_number", "Number", "text", 12),
    Column("case_type", "Type", "text", 18),
    Column("employer", "Employer", "text", 26),
    Column("rep", "Rep", "text", 16),
    Column("status", "Stage", "text", 16),
    Column("opened_on", "Opened", "date", 11),
    Column("next_due", "Next due", "date", 11),
)

# The earliest deadline not yet met, per case.
_next_due = (
    select(func.min(Deadline.due_on))
    .where(Deadline.case_id == Case.id, Deadline.done_on.is_(None))
    .correlate(Case)
    .scalar_subquery()
)
_member_name = Member.last_name + ", " + Member.first_name

_EXPRESSIONS: dict[str, ColumnElement[Any]] = {
    "reference": Case.reference,
    "member": _member_name,
    "membership_number": Member.membership_number,
    "case_type": Case.case_type,
    "employer": Employer.name,
    "rep": Case.rep,
    "status": Case.status,
    "opened_on": Case.opened_on,
    "next_due": _next_due,
}


@dataclass(frozen=True)
class CaseFilter:
    """What the filter bar asks for; empty means any."""

    status: str = ""  # a stage code, or "open" / "closed"
    case_type: str = ""
    rep: str = ""  # matches the rep or the second rep
    employer: str = ""
    member_id: int | None = None
    # Only these cases (those whose timeline matched a notes search, say); None means any.
    case_ids: frozenset[int] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.status == "open":
            found.append(Case.status != Stage.CLOSED.value)
        elif self.status == "closed":
            found.append(Case.status == Stage.CLOSED.value)
        elif self.status:
            found.append(Case.status == self.status)
        if self.case_type:
            found.append(Case.case_type == self.case_type)
        if self.rep:
            found.append(or_(Case.rep == self.rep, Case.second_rep == self.rep))
        if self.employer:
            found.append(Employer.name == self.employer)
        if self.member_id is not None:
            found.append(Case.member_id == self.member_id)
        if self.case_ids is not None:
            found.append(Case.id.in_(sorted(self.case_ids)))
        return found


def _joined(query: Select[Any]) -> Select[Any]:
    return query.join(Member, Case.member_id == Member.id).outerjoin(
        Employer, Case.employer_id == Employer.id
    )


def search_condition(search: str) -> ColumnElement[bool] | None:
    """Every word must appear in the reference, the member's number or name, or the case title."""
    words = search.lower().split()
    if not words:
        return None
    return and_(
        *(
            or_(
                func.lower(Case.reference).contains(w, autoescape=True),
                Member.search_text.contains(w, autoescape=True),
                func.lower(Case.title).contains(w, autoescape=True),
            )
            for w in words
        )
    )


class CaseListing:
    columns: Sequence[Column] = COLUMNS

    def __init__(self, db: Database, case_filter: CaseFilter | None = None) -> None:
        self.db = db
        self.filter = case_filter or CaseFilter()

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        query = _joined(select(Case.id))
        for condition in self.filter.conditions():
            query = query.where(condition)
        condition = search_condition(search)
        if condition is not None:
            query = query.where(condition)
        key = _EXPRESSIONS[sort_key] if sort_key else Case.opened_on
        if sort_key is None:
            descending = not descending  # newest first unless asked otherwise
        # Cases with no deadline sort after those with one, whichever way.
        first = [key.is_(None)] if sort_key == "next_due" else []
        order = [*first, key.desc() if descending else key.asc()]
        query = query.order_by(*order, Case.id.desc() if descending else Case.id)
        with self.db.read() as session:
            return list(session.scalars(query))

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        query = _joined(select(Case.id, *(_EXPRESSIONS[c.key] for c in COLUMNS))).where(
            Case.id.in_(list(ids))
        )
        result: dict[int, tuple[Any, ...]] = {}
        with self.db.read() as session:
            for row in session.execute(query):
                values = list(row[1:])
                values[3] = label(CASE_TYPES, values[3])
                values[6] = label(STAGES, values[6])
                result[row[0]] = tuple(values)
        return result


def reps(db: Database) -> list[str]:
    """Every rep named on a case, for the filter's choices."""
    with db.read() as session:
        names = set(session.scalars(select(Case.rep).distinct()))
        names |= set(session.scalars(select(Case.second_rep).distinct()))
    return sorted(n for n in names if n)


def case_employers(db: Database) -> list[str]:
    """Every employer a case is with, for the filter's choices."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Employer.name)
                .where(Employer.id.in_(select(Case.employer_id).distinct()))
                .order_by(Employer.name)
            )
        )


def open_case_count(db: Database) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Case).where(Case.status != Stage.CLOSED.value)
            )
            or 0
        )
