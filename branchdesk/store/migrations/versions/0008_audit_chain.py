"""Audit chain: each audit row carries the previous row's hash and its own.

The rows already there are chained in id order. The log is append-only, so its triggers are
lifted around the backfill and put back after it, in the same transaction.

Revision ID: 0008_audit_chain
Revises: 0007_officers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Not frozen here, unlike other revisions' helpers: the backfilled hashes must be the ones
# `branchdesk check` verifies, so there is one hash function.
from branchdesk.store.audit import GENESIS, row_hash
from branchdesk.store.triggers import append_only, drop_append_only
from branchdesk.store.types import UTCDateTime

revision: str = "0008_audit_chain"
down_revision: str | None = "0007_officers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5000

_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    # Read as the model reads it (aware UTC), so the hashes match those written later.
    sa.column("at", UTCDateTime()),
    sa.column("officer", sa.String()),
    sa.column("action", sa.String()),
    sa.column("table_name", sa.String()),
    sa.column("row_id", sa.Integer()),
    sa.column("fields", sa.Text()),
    sa.column("changes", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)


def upgrade() -> None:
    drop_append_only("audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
    append_only("audit_log")


def _backfill(conn: sa.Connection) -> None:
    # A page at a time by id, so a log of hundreds of thousands of rows never sits in memory.
    update = (
        sa.update(_log)
        .where(_log.c.id == sa.bindparam("_id"))
        .values(prev_hash=sa.bindparam("_prev"), row_hash=sa.bindparam("_hash"))
    )
    prev = GENESIS
    after = 0
    while True:
        rows = conn.execute(
            sa.select(
                _log.c.id,
                _log.c.at,
                _log.c.officer,
                _log.c.action,
                _log.c.table_name,
                _log.c.row_id,
                _log.c.fields,
                _log.c.changes,
            )
            .where(_log.c.id > after)
            .order_by(_log.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        hashes = []
        for row in rows:
            digest = row_hash(prev, *row[1:])
            hashes.append({"_id": row[0], "_prev": prev, "_hash": digest})
            prev = digest
        conn.execute(update, hashes)
        after = rows[-1][0]


def downgrade() -> None:
    drop_append_only("audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    append_only("audit_log")
