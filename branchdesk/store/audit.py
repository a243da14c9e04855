"""The audit log: who created, changed or deleted which row, and which fields.

Every flush of an ORM session writes one audit row per created, changed or deleted object of an
audited table. Values are kept only for columns marked with `audit_values()`; personal fields are
named but never copied here, so erasing a member leaves no trace of their details in the log.
Bulk writers (the importers) call `record` themselves. Events that change no row (signing in, a
refusal, opening a sensitive record, an export) are written with `record_event`.

The log is tamper-evident. Database triggers refuse UPDATE and DELETE on it, and each row
carries `row_hash`, a SHA-256 over the previous row's hash and its own content, so a row edited,
removed or moved by someone who lifted the triggers breaks the chain at that row; `verify_chain`
(run by `branchdesk check`) names the first such row. The id is not hashed: PostgreSQL's
sequences skip numbers after a rollback.

Every insert into the log must go through `chain` (as `record`, `record_event` and the flush hook
do): it serialises the writers, so two transactions never both follow the same row.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, String, Text, func, insert, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from branchdesk.money import Money
from branchdesk.store.base import Base
from branchdesk.store.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from branchdesk.store.database import Database

# What the first row follows: there is no row before it.
GENESIS = "0" * 64
# The PostgreSQL advisory lock that serialises writers of the log (any fixed 64-bit number; this
# one is "BDaudit" in ASCII, unlikely to be chosen by anything else sharing the server).
CHAIN_LOCK_KEY = 0x4244_6175_6469_74


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __area__ = "audit"
    __audited__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    officer: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    table_name: Mapped[str] = mapped_column(String(100), nullable=False)
    row_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # JSON: the names of the fields written, and old/new values of the non-personal ones.
    fields: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    # Hex SHA-256: the row before's `row_hash` (GENESIS for the first), and this row's own.
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    row_hash: Mapped[str] = mapped_column(String(64), nullable=False)

    def field_list(self) -> list[str]:
        return list(json.loads(self.fields))

    def change_map(self) -> dict[str, list[Any]]:
        return dict(json.loads(self.changes))


_LOG = AuditEntry.__table__


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.pence
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def entry(
    officer: str,
    action: str,
    table: str,
    row_id: int | None,
    fields: Iterable[str],
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> dict[str, Any]:
    """One audit row as a dict for `record` (its hashes are added when it is written)."""
    return {
        "at": utcnow(),
        "officer": officer,
        "action": action,
        "table_name": table,
        "row_id": row_id,
        "fields": json.dumps(sorted(fields)),
        "changes": json.dumps(
            {k: [_plain(old), _plain(new)] for k, (old, new) in sorted((changes or {}).items())}
        ),
    }


# --------------------------------------------------------------------------------------------
# The hash chain

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _time_text(at: datetime) -> str:
    # Microseconds always: both databases keep them, so the text is the same read back.
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # stored as UTC; a naive value can only mean that
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(
    prev_hash: str,
    at: datetime | str,
    officer: str,
    action: str,
    table_name: str,
    row_id: int | None,
    fields: str,
    changes: str,
) -> str:
    """A row's hash: SHA-256 over the previous hash and the row's content as a JSON array.

    `fields` and `changes` are hashed as the JSON text stored, not re-encoded, so the hash does
    not depend on how a JSON library spaces or orders what it writes.
    """
    when = at if isinstance(at, str) else _time_text(at)
    content = _encode([prev_hash, when, officer, action, table_name, row_id, fields, changes])
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def last_hash(connection: Connection) -> str:
    """The newest row's hash, once this transaction alone may add rows to the log.

    SQLite: write sessions begin with BEGIN IMMEDIATE and so already hold the only write lock.
    PostgreSQL: a transaction-scoped advisory lock, taken before the read (in its own statement,
    so the read's snapshot includes whatever the previous holder committed).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    # By the primary key's index: one row, however long the log.
    last = connection.execute(select(_LOG.c.row_hash).order_by(_LOG.c.id.desc()).limit(1))
    return last.scalar() or GENESIS


def chain(
    connection: Connection, rows: Sequence[dict[str, Any]], at: datetime | None = None
) -> None:
    """Give `rows`, in the order they will be inserted, their `prev_hash` and `row_hash`.

    Call it in the transaction that inserts them, just before the insert; `at` is the time of
    rows that carry none of their own (a bulk insert that writes the time into the SQL). Rows
    are completed as they will be stored, so what is hashed is what is read back.
    """
    if not rows:
        return
    prev = last_hash(connection)
    times: dict[datetime, str] = {}  # a bulk import stamps thousands of rows alike
    for row in rows:
        when = row.get("at") or at
        if when is None:
            when = row["at"] = utcnow()
        stamp = times.get(when)
        if stamp is None:
            stamp = times[when] = _time_text(when)
        row_id = row.get("row_id")
        if row_id is not None and type(row_id) is not int:
            row_id = row["row_id"] = int(row_id)
        row["prev_hash"] = prev
        prev = row["row_hash"] = row_hash(
            prev,
            stamp,
            row["officer"],
            row["action"],
            row["table_name"],
            row_id,
            row.setdefault("fields", "[]"),
            row.setdefault("changes", "{}"),
        )


def _insert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    chain(connection, rows)
    # On the connection, not through the session: an audit row is the app's own record of what
    # an officer did, whatever their role allows them to write (see access.policy).
    connection.execute(insert(_LOG), rows)


def record(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write audit rows built with `entry` (for bulk work that bypasses the ORM)."""
    if rows:
        _insert(session.connection(), rows)


@dataclass(frozen=True)
class ChainHead:
    """The newest row of the log: noted somewhere else, it shows later that no newer rows
    were removed from the end (which the chain alone cannot show)."""

    row: int
    row_hash: str
    rows: int


def chain_head(session: Session) -> ChainHead | None:
    connection = session.connection()
    last = connection.execute(
        select(_LOG.c.id, _LOG.c.row_hash).order_by(_LOG.c.id.desc()).limit(1)
    ).first()
    if last is None:
        return None
    count = connection.execute(select(func.count()).select_from(_LOG)).scalar()
    return ChainHead(last[0], last[1], int(count or 0))


def verify_chain(session: Session) -> str | None:
    """The first row that breaks the chain, described for a person; None if the log is whole.

    Reads the log once in id order, a few thousand rows at a time.
    """
    columns = (
        _LOG.c.id,
        _LOG.c.at,
        _LOG.c.officer,
        _LOG.c.action,
        _LOG.c.table_name,
        _LOG.c.row_id,
        _LOG.c.fields,
        _LOG.c.changes,
        _LOG.c.prev_hash,
        _LOG.c.row_hash,
    )
    previous_id: int | None = None
    previous_hash = GENESIS
    for row in _in_id_order(session.connection(), columns):
        row_id, prev, stored = row[0], row[8], row[9]
        if stored != row_hash(prev or "", row[1], *row[2:8]):
            return (
                f"audit log row {row_id} was changed after it was written: its content no "
                "longer matches its hash"
            )
        if prev != previous_hash:
            if previous_id is None:
                return (
                    f"audit log row {row_id} does not follow the start of the log: rows before "
                    "it were removed, or its links were rewritten"
                )
            return (
                f"audit log row {row_id} does not follow row {previous_id}: a row between them "
                "was removed, or the rows' hashes were rewritten or put out of order"
            )
        previous_id, previous_hash = row_id, stored
    return None


def _in_id_order(connection: Connection, columns: Sequence[Any], page: int = 5000) -> Iterator[Any]:
    # Keyset pages by the primary key: memory stays flat and each page is an index range.
    after = None
    while True:
        query = select(*columns).order_by(_LOG.c.id).limit(page)
        if after is not None:
            query = query.where(_LOG.c.id > after)
        rows = connection.execute(query).all()
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1][0]


# --------------------------------------------------------------------------------------------
# Events: what an officer did that changed no row

EVENT_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "view",  # opening a sensitive record (health, disciplinary detail)
    "export",  # every export is a disclosure
    "denied",  # an action the officer's role does not allow
    "role_change",
    "erase",
)


def record_event(
    session: Session,
    officer: str,
    action: str,
    table: str,
    row_id: int | None = None,
    fields: Iterable[str] = (),
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Write one event to the log in `session`'s transaction.

    `fields` names what the event concerned; `changes` holds plain details as name -> value
    (kept as [None, value], the shape of any audit row's changes). Ids, counts and codes only:
    never a name, a note, health detail or an amount (RELIABILITY.md rules 14 and 15).
    """
    if action not in EVENT_ACTIONS:
        raise ValueError(
            f"{action!r} is not an audit event: choose from {', '.join(EVENT_ACTIONS)}"
        )
    details = {name: (None, value) for name, value in (changes or {}).items()}
    record(session, [entry(officer, action, table, row_id, fields, details)])


def write_event(
    db: Database,
    action: str,
    table: str,
    row_id: int | None = None,
    fields: Iterable[str] = (),
    changes: Mapping[str, Any] | None = None,
    officer: str | None = None,
) -> None:
    """`record_event` in a transaction of its own, under the database's officer."""
    with db.write() as session:
        record_event(session, officer or db.officer, action, table, row_id, fields, changes)


# Each export BranchDesk writes (named as `branchdesk export` names them) and the table whose
# records it discloses.
EXPORTS: dict[str, str] = {
    "members": "members",
    "cases": "cases",
    "case-summary": "cases",
    "caseload": "cases",
    "deadlines": "case_deadlines",
    "claim": "claims",
    "claims": "claims",
    "contracts": "contracts",
    "outsourcing-briefing": "contracts",
    "ledger": "hardship_funds",
    "statement": "hardship_funds",
    "payments": "hardship_funds",
    "audit": "audit_log",
    "sar": "members",  # a subject access request: the member's id as the record
    "case-document": "case_documents",  # a plain copy of a sealed document, to open it
}


def record_export(
    db: Database,
    export: str,
    out: str | os.PathLike[str],
    count: int | None = None,
    *,
    record_id: int | None = None,
    anonymised: bool = False,
) -> None:
    """Record that an export was written: which, how many rows, what kind of file.

    Call it once the file is in place. `record_id` is the one record an export is about (the
    case of a case summary, the claim of a negotiation pack, the fund of a ledger). The file's
    name and folder are not kept: a user may name a file after a member.
    """
    table = EXPORTS.get(export)
    if table is None:
        raise ValueError(f"{export!r} is not a known export: add it to audit.EXPORTS")
    details: dict[str, Any] = {"export": export, "format": Path(out).suffix.lower().lstrip(".")}
    if count is not None:
        details["rows"] = int(count)
    if anonymised:
        details["anonymised"] = True
    write_event(db, "export", table, record_id, (), details)


# --------------------------------------------------------------------------------------------
# Row changes, from every flush


_SKIP = {"version", "created_at", "updated_at"}


def _describe(obj: Any, action: str) -> tuple[list[str], dict[str, tuple[Any, Any]]]:
    state = inspect(obj)
    fields: list[str] = []
    changes: dict[str, tuple[Any, Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIP or key == "id":
            continue
        column = attr.columns[0]
        if column.info.get("audit_skip"):
            continue
        history = state.attrs[key].history
        if action == "update":
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        elif action == "create":
            new = getattr(obj, key)
            if new is None or new == "":
                continue
            old = None
        else:  # delete: name every field that held something, values as for any change
            old = getattr(obj, key)
            if old is None or old == "":
                continue
            new = None
        fields.append(key)
        if column.info.get("audit_values"):
            changes[key] = (old, new)
    return fields, changes


def audit_flush(session: Session, _context: Any) -> None:
    """The `after_flush` hook that `Database` attaches to every session it makes."""
    # after_flush: ids of new rows exist, and attribute history still shows what changed.
    officer = session.info.get("officer", "unknown")
    rows: list[dict[str, Any]] = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not getattr(obj, "__audited__", False):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            fields, changes = _describe(obj, action)
            if action == "update" and not fields:
                continue
            row_id = inspect(obj).identity[0] if inspect(obj).identity else getattr(obj, "id", None)
            rows.append(entry(officer, action, obj.__tablename__, row_id, fields, changes))
    if rows:
        _insert(session.connection(), rows)
