"""What every list in BranchDesk is: columns, and rows fetched by id from SQL.

A register describes a list as a `Listing`: the ordered ids that match a search and a sort
(computed by the database), and the rows for a handful of ids at a time. The Qt table model,
the exports and the command line all read lists through this one protocol, so a 200,000-row
ledger never has to be held as Python rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

ColumnKind = Literal["text", "int", "date", "datetime", "money", "bool"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind = "text"
    width: int | None = None  # in characters; a hint for views and exports
    sortable: bool = True


class Listing(Protocol):
    """A list the database can search, sort and page through.

    Row values are plain Python: str, int, bool, date, datetime, `Money` or None, in column order.
    """

    columns: Sequence[Column]

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> Sequence[int]: ...

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]: ...


def rows_in_order(
    listing: Listing, ids: Sequence[int], page: int = 500
) -> Iterator[tuple[Any, ...]]:
    """The rows for `ids` in that order, read a page at a time so memory stays flat."""
    for start in range(0, len(ids), page):
        chunk = ids[start : start + page]
        rows = listing.rows(chunk)
        for row_id in chunk:
            if row_id in rows:  # deleted since the ids were read
                yield rows[row_id]


def fetch_ids(session: Session, query: Select[Any]) -> list[int]:
    """The ids a one-column query selects, straight from the driver's cursor.

    SQLAlchemy's result machinery costs about as much again as SQLite takes to find 200,000
    ids; a list's ids need no type processing, so they are read from the cursor itself.
    """
    guard = session.info.get("branchdesk_guard")
    if guard is not None:
        # The cursor below goes round the session's role checks: make them here.
        query = guard.restrict(query)
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    args: Any = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, args)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()
