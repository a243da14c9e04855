"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from branchdesk.schema import metadata
from branchdesk.store.database import Database

# Made by migrations alone: the full-text index of timeline notes and its shadow tables.
_ONLY_IN_MIGRATIONS = ("case_events_fts", "ix_case_events_text")


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name or "").startswith(_ONLY_IN_MIGRATIONS) and name != "alembic_version"


def test_migrated_schema_matches_the_models(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _ours, "compare_type": True}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
