"""The audit log: who created, changed or deleted which row, and which fields.

Every flush of an ORM session writes one audit row per created, changed or deleted object of an
audited table. Values are kept only for columns marked with `audit_values()`; personal fields are
named but never copied here, so erasing a member leaves no trace of their details in the log.
Bulk writers (the importers) call `record` themselves. The table is append-only: database
triggers refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, Text, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from branchdesk.money import Money
from branchdesk.store.base import Base
from branchdesk.store.types import UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
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

    def field_list(self) -> list[str]:
        return list(json.loads(self.fields))

    def change_map(self) -> dict[str, list[Any]]:
        return dict(json.loads(self.changes))


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
    """One audit row as a dict for a Core insert."""
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


def record(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write audit rows built with `entry` (for bulk work that bypasses the ORM)."""
    if rows:
        session.execute(insert(AuditEntry), rows)


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
        session.connection().execute(insert(AuditEntry), rows)
