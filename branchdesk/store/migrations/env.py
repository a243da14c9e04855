"""Alembic environment: BranchDesk always hands it an open connection (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
# Only set when generating a new revision (store/migrate.py: new_revision).
target_metadata = config.attributes.get("target_metadata")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite can only change tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
