"""The member list: every sort and search gives the order the full join gives."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from branchdesk.members.listing import (
    _EXPRESSIONS,
    COLUMNS,
    MemberListing,
    _joined,
    search_condition,
)
from branchdesk.members.models import Member
from branchdesk.members.service import MemberForm, create_member
from branchdesk.store.database import Database

PEOPLE = (
    ("N1", "Nowak", "Ola", "Northmoor Council", "Town Hall", "Finance", "Clerk"),
    ("N2", "Nowak", "Ada", "Northmoor Council", "Riverside Depot", "Waste", "Driver"),
    ("K1", "Khan", "Sam", "Kestrel Care", "Willow Court", "Care", "Care Worker"),
    ("K2", "Khan", "Sam", "Kestrel Care", "", "Care", "Cook"),
    ("X1", "Xu", "Li", "", "", "", ""),
    ("A1", "Abbott", "Bea", "Eastvale Council", "Town Hall", "Libraries", "Librarian"),
)


def _reference(db: Database, search: str, sort_key: str | None, descending: bool) -> list[int]:
    """The order as it was computed before: both tables always joined, through the ORM."""
    query = _joined(select(Member.id))
    condition = search_condition(search)
    if condition is not None:
        query = query.where(condition)
    keys = [_EXPRESSIONS[sort_key]] if sort_key else [Member.last_name]
    if keys[0] is Member.last_name:
        keys.append(Member.first_name)
    order = [k.desc() if descending else k.asc() for k in keys]
    query = query.order_by(*order, Member.id.desc() if descending else Member.id)
    with db.read() as session:
        return list(session.scalars(query))


@pytest.fixture
def people(any_db: Database) -> Database:
    for n, (number, last, first, employer, workplace, department, job) in enumerate(PEOPLE):
        create_member(
            any_db,
            MemberForm(
                membership_number=number,
                last_name=last,
                first_name=first,
                employer=employer,
                workplace=workplace,
                department=department,
                job_title=job,
                date_joined=date(2020, 1, 1 + n % 2) if n % 3 else None,
                subs_up_to_date=n % 2 == 0,
                status="lapsed" if n == 3 else "current",
            ),
        )
    return any_db


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("search", ["", "town hall", "care", "nowak", "nobody"])
def test_every_sort_gives_the_order_of_the_full_join(
    people: Database, search: str, descending: bool
) -> None:
    listing = MemberListing(people)
    for sort_key in (None, *(c.key for c in COLUMNS)):
        expected = _reference(people, search, sort_key, descending)
        assert listing.ids(search, sort_key, descending) == expected, (sort_key, search)


def test_ids_are_plain_ints(people: Database) -> None:
    ids = MemberListing(people).ids("", "employer")
    assert len(ids) == len(PEOPLE) and all(type(i) is int for i in ids)
