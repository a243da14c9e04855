"""Alembic environment: BranchDesk always hands it an open connection (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
# Only set when generating a new revision (store/migrate.py: new_revision).
target_metadata = config.attributes.get("target_metadata")

# Made by migrations alone, not the models: the full-text index of case notes (its FTS5 table
# and shadow tables on SQLite, a GIN index on PostgreSQL). A new revision must not drop them.
MIGRATION_ONLY = ("case_events_fts", "ix_case_events_text")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, other: object
) -> bool:
    return not (name or "").startswith(MIGRATION_ONLY)


context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite can only change tables by copying them
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
