"""The member list: searched and sorted in SQL, rows fetched a page of ids at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import aliased

from branchdesk.members.models import Employer, Member, Workplace
from branchdesk.store.database import Database
from branchdesk.store.listing import Column, fetch_ids

COLUMNS: tuple[Column, ...] = (
    Column("membership_number", "Number", "text", 14),
    Column("last_name", "Last name", "text", 18),
    Column("first_name", "First name", "text", 16),
    Column("employer", "Employer", "text", 28),
    Column("workplace", "Workplace", "text", 24),
    Column("department", "Department", "text", 20),
    Column("job_title", "Job title", "text", 22),
    Column("status", "Status", "text", 9),
    Column("date_joined", "Joined", "date", 11),
    Column("subs_up_to_date", "Subs paid", "bool", 9),
)

_employer = aliased(Employer)
_workplace = aliased(Workplace)

_EXPRESSIONS: dict[str, ColumnElement[Any]] = {
    "membership_number": Member.membership_number,
    "last_name": Member.last_name,
    "first_name": Member.first_name,
    "employer": _employer.name,
    "workplace": _workplace.name,
    "department": Member.department,
    "job_title": Member.job_title,
    "status": Member.status,
    "date_joined": Member.date_joined,
    "subs_up_to_date": Member.subs_up_to_date,
}
_STATUS_LABELS = {"current": "Current", "lapsed": "Lapsed", "left": "Left"}


def _joined(query: Select[Any]) -> Select[Any]:
    return query.outerjoin(_employer, Member.employer_id == _employer.id).outerjoin(
        _workplace, Member.workplace_id == _workplace.id
    )


# Sort keys held in another table, and how to join it. Every other key (and the search, which
# reads members.search_text) needs members alone: joining both tables for every sort doubled
# the time a sort of 200,000 members takes.
_SORT_JOINS: dict[str, tuple[Any, ColumnElement[bool]]] = {
    "employer": (_employer, Member.employer_id == _employer.id),
    "workplace": (_workplace, Member.workplace_id == _workplace.id),
}


def search_condition(search: str) -> ColumnElement[bool] | None:
    """Every word typed must appear in the number, a name, the employer, workplace or department."""
    words = search.lower().split()
    if not words:
        return None
    return and_(*(Member.search_text.contains(w, autoescape=True) for w in words))


class MemberListing:
    columns: Sequence[Column] = COLUMNS

    def __init__(self, db: Database) -> None:
        self.db = db

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        query = select(Member.id)
        if sort_key in _SORT_JOINS:
            query = query.outerjoin(*_SORT_JOINS[sort_key])
        condition = search_condition(search)
        if condition is not None:
            query = query.where(condition)
        keys = [_EXPRESSIONS[sort_key]] if sort_key else [Member.last_name]
        if keys[0] is Member.last_name:
            keys.append(Member.first_name)  # people sharing a surname, by first name
        order = [k.desc() if descending else k.asc() for k in keys]
        query = query.order_by(*order, Member.id.desc() if descending else Member.id)
        with self.db.read() as session:
            return fetch_ids(session, query)

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        query = _joined(select(Member.id, *(_EXPRESSIONS[c.key] for c in COLUMNS))).where(
            Member.id.in_(list(ids))
        )
        result: dict[int, tuple[Any, ...]] = {}
        with self.db.read() as session:
            for row in session.execute(query):
                values = list(row[1:])
                values[7] = _STATUS_LABELS.get(values[7], values[7])
                result[row[0]] = tuple(values)
        return result

    def count(self, search: str = "") -> int:
        return len(self.ids(search))
