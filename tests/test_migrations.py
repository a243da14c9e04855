"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from branchdesk.schema import metadata
from branchdesk.store import migrate
from branchdesk.store.database import Database, open_database

# Made by migrations alone: the full-text index of timeline notes and its shadow tables.
_ONLY_IN_MIGRATIONS = ("case_events_fts", "ix_case_events_text")


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name or "").startswith(_ONLY_IN_MIGRATIONS) and name != "alembic_version"


def test_a_new_revision_would_leave_the_notes_index_alone(tmp_path: Path) -> None:
    # Generating a revision against an up-to-date database finds nothing to change: in
    # particular it does not drop the full-text tables the models do not describe.
    db = open_database(tmp_path / "current.sqlite3")
    versions = Path(migrate.MIGRATIONS) / "versions"
    before = set(versions.iterdir())
    try:
        migrate.new_revision(db, "nothing")
        (made,) = set(versions.iterdir()) - before
        text = made.read_text()
    finally:
        for path in set(versions.iterdir()) - before:
            path.unlink()
    assert "case_events_fts" not in text and "op.drop_table" not in text


def test_migrated_schema_matches_the_models(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _ours, "compare_type": True}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
