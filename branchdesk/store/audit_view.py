"""The audit log as a list: filtered and sorted in SQL, newest first, rows a page at a time.

The window's audit viewer, its Excel export and `branchdesk export audit` all read the log
through `AuditListing`, so a log of hundreds of thousands of rows is never held as Python rows.
Rows, and the filters' choices, are read through the session, so the role checks
(`access.policy`, area "audit") apply to them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.listing import Column, fetch_ids

COLUMNS: tuple[Column, ...] = (
    Column("id", "Entry", "int", 7),
    Column("at", "When", "datetime", 16),
    Column("officer", "Officer", "text", 18),
    Column("action", "Action", "text", 13),
    Column("table", "Table", "text", 16),
    Column("row_id", "Record", "int", 8),
    Column("fields", "Fields", "text", 28, sortable=False),
    Column("details", "Details", "text", 44, sortable=False),
)

# How each action reads in the viewer and its export; any other code is shown as it is.
ACTION_LABELS: dict[str, str] = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "view": "Viewed",
    "export": "Exported",
    "denied": "Refused",
    "role_change": "Role changed",
    "erase": "Erased",
    "restore": "Restored",
    "encrypt": "Encrypted",
    "recover": "Recovery code used",
    "recovery_code": "New recovery code",
    "demo": "Demo data",
}

_SORT: dict[str, ColumnElement[Any]] = {
    "id": AuditEntry.id,
    "at": AuditEntry.at,
    "officer": AuditEntry.officer,
    "action": AuditEntry.action,
    "table": AuditEntry.table_name,
    "row_id": AuditEntry.row_id,
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _utc_start(day: date) -> datetime:
    # The PC's local midnight: "from 1 May" means as the officer's clock read it.
    return datetime.combine(day, time.min).astimezone()


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer's filters (or the command line) ask for; empty means any."""

    officer: str = ""  # matched ignoring case
    action: str = ""  # a code: "export", "update"…
    table: str = ""
    start: date | None = None  # local dates, both days included
    end: date | None = None
    row_id: int | None = None

    def problem(self) -> str | None:
        """Why the filter cannot be used, or None."""
        if self.start is not None and self.end is not None and self.start > self.end:
            return f"the period starts ({self.start:%d/%m/%Y}) after it ends ({self.end:%d/%m/%Y})"
        return None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.officer.strip():
            name = self.officer.strip()
            # SQLite's lower() folds ASCII only: the exact name matches whatever it holds.
            found.append(
                or_(AuditEntry.officer == name, func.lower(AuditEntry.officer) == name.lower())
            )
        if self.action:
            found.append(AuditEntry.action == self.action)
        if self.table:
            found.append(AuditEntry.table_name == self.table)
        if self.start is not None:
            found.append(AuditEntry.at >= _utc_start(self.start))
        if self.end is not None:
            found.append(AuditEntry.at < _utc_start(self.end + timedelta(days=1)))
        if self.row_id is not None:
            found.append(AuditEntry.row_id == self.row_id)
        return found

    def describe(self) -> str:
        """The filter in words, for an export's subtitle: "officer Sam Okoro, exports"."""
        parts: list[str] = []
        if self.officer.strip():
            parts.append(f"officer {self.officer.strip()}")
        if self.action:
            parts.append(f"action {action_label(self.action).lower()}")
        if self.table:
            parts.append(f"table {self.table}")
        if self.row_id is not None:
            parts.append(f"record {self.row_id}")
        if self.start is not None and self.end is not None:
            parts.append(f"{self.start:%d/%m/%Y} to {self.end:%d/%m/%Y}")
        elif self.start is not None:
            parts.append(f"from {self.start:%d/%m/%Y}")
        elif self.end is not None:
            parts.append(f"up to {self.end:%d/%m/%Y}")
        return ", ".join(parts) if parts else "every entry"


def field_text(fields: str) -> str:
    try:
        return ", ".join(str(name) for name in json.loads(fields))
    except (ValueError, TypeError):
        return fields


def _value_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def details_text(changes: str) -> str:
    """A row's kept values: "status: open → closed", or an event's "export: members"."""
    try:
        kept = json.loads(changes)
    except ValueError:
        return changes
    if not isinstance(kept, dict):
        return changes
    parts: list[str] = []
    for name, pair in kept.items():
        if isinstance(pair, list) and len(pair) == 2:
            old, new = pair
            if old is None:
                parts.append(f"{name}: {_value_text(new)}")
            else:
                parts.append(f"{name}: {_value_text(old)} → {_value_text(new)}")
        else:
            parts.append(f"{name}: {_value_text(pair)}")
    return "; ".join(parts)


class AuditListing:
    columns: Sequence[Column] = COLUMNS

    def __init__(self, db: Database, audit_filter: AuditFilter | None = None) -> None:
        self.db = db
        self.filter = audit_filter or AuditFilter()

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        # `search` is not used: the log is narrowed by its filters.
        query = select(AuditEntry.id).where(*self.filter.conditions())
        if sort_key is None or sort_key not in _SORT:
            # Newest first unless asked otherwise: ids rise with time, and the key is indexed.
            query = query.order_by(AuditEntry.id.asc() if descending else AuditEntry.id.desc())
        else:
            key = _SORT[sort_key]
            order = key.desc() if descending else key.asc()
            query = query.order_by(order, AuditEntry.id.desc() if descending else AuditEntry.id)
        with self.db.read() as session:
            # Ids straight from the cursor: half the time of the ORM's result for a long log.
            # Only numbers: the rows themselves are read through the session, role checks and
            # all.
            return fetch_ids(session, query)

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        query = select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.officer,
            AuditEntry.action,
            AuditEntry.table_name,
            AuditEntry.row_id,
            AuditEntry.fields,
            AuditEntry.changes,
        ).where(AuditEntry.id.in_(list(ids)))
        result: dict[int, tuple[Any, ...]] = {}
        with self.db.read() as session:
            for entry_id, at, officer, action, table, row_id, fields, changes in session.execute(
                query
            ):
                result[entry_id] = (
                    entry_id,
                    at,
                    officer,
                    action_label(action),
                    table,
                    row_id,
                    field_text(fields),
                    details_text(changes),
                )
        return result


@dataclass(frozen=True)
class AuditChoices:
    """What the log holds, for the filters' choices."""

    officers: list[str]
    actions: list[str]
    tables: list[str]


def audit_choices(db: Database) -> AuditChoices:
    """Every officer, action and table in the log (one pass over it: run off the GUI thread)."""
    officers: set[str] = set()
    actions: set[str] = set()
    tables: set[str] = set()
    query = select(AuditEntry.officer, AuditEntry.action, AuditEntry.table_name).distinct()
    with db.read() as session:
        for officer, action, table in session.execute(query):
            officers.add(officer)
            actions.add(action)
            tables.add(table)
    return AuditChoices(
        sorted(officers, key=str.casefold),
        sorted(actions, key=lambda a: action_label(a).casefold()),
        sorted(tables),
    )


def officers_in_log(db: Database) -> list[str]:
    """The officers named in the log, for a message that says which there are."""
    with db.read() as session:
        return sorted(session.scalars(select(AuditEntry.officer).distinct()), key=str.casefold)
