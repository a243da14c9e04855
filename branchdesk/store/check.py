"""`branchdesk check`: is the database whole and consistent?"""

from __future__ import annotations

from sqlalchemy import text

from branchdesk.store.database import Database
from branchdesk.store.migrate import current_revision, head_revision


def run_checks(db: Database) -> list[str]:
    """Every problem found; an empty list means the database passed."""
    problems: list[str] = []
    with db.read() as session:
        if db.is_sqlite:
            for (line,) in session.execute(text("PRAGMA integrity_check")):
                if line != "ok":
                    problems.append(f"integrity check: {line}")
            for row in session.execute(text("PRAGMA foreign_key_check")):
                problems.append(
                    f"foreign key: {row[0]} row {row[1]} points at a missing {row[2]} row"
                )
    revision = current_revision(db)
    if revision != head_revision():
        problems.append(f"schema is at {revision}, expected {head_revision()}")
    return problems
