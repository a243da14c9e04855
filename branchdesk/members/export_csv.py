"""Members as dicts in the CSV layout (csvformat.FIELDS), for `list members`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from branchdesk.members.csvformat import FIELDS
from branchdesk.members.listing import _employer, _workplace, search_condition
from branchdesk.members.models import Member
from branchdesk.store.database import Database


def member_csv_rows(db: Database, search: str = "") -> Iterator[dict[str, Any]]:
    """Every member matching `search`, by last name, streamed from the database."""
    plain = [getattr(Member, f) for f, _ in FIELDS if f not in ("employer", "workplace")]
    query = (
        select(*plain, _employer.name.label("employer"), _workplace.name.label("workplace"))
        .outerjoin(_employer, Member.employer_id == _employer.id)
        .outerjoin(_workplace, Member.workplace_id == _workplace.id)
        .order_by(Member.last_name, Member.first_name, Member.id)
    )
    condition = search_condition(search)
    if condition is not None:
        query = query.where(condition)
    with db.read() as session:
        for row in session.execute(query.execution_options(yield_per=1000)).mappings():
            yield dict(row)
