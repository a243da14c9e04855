"""Member search: a lower-cased search_text column and an index that covers the search.

Filled in Python rather than SQL: SQLite's lower() leaves letters such as Ë unchanged.

Revision ID: 0002_member_search
Revises: 0001_initial
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_member_search"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT m.id, m.membership_number, m.first_name, m.last_name, m.department, "
            "COALESCE(e.name, ''), COALESCE(w.name, '') FROM members m "
            "LEFT JOIN employers e ON e.id = m.employer_id "
            "LEFT JOIN workplaces w ON w.id = m.workplace_id"
        )
    ).all()
    # The same text as branchdesk.members.models.search_text_for, frozen here as of this revision.
    updates = [
        {"id": row[0], "text": " ".join(part for part in row[1:] if part).lower()} for row in rows
    ]
    if updates:
        bind.execute(sa.text("UPDATE members SET search_text = :text WHERE id = :id"), updates)
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_members_search", ["last_name", "first_name", "id", "search_text"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_search")
        batch_op.drop_column("search_text")
