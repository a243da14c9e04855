"""`branchdesk check`: is the database whole and consistent?"""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from branchdesk.store.database import Database
from branchdesk.store.migrate import alembic_config, current_revision


def run_checks(db: Database) -> list[str]:
    """Every problem found; an empty list means the database passed. Nothing is written."""
    problems: list[str] = []
    try:
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
    except DBAPIError as exc:
        return [*problems, f"the database cannot be read: {exc.orig}"]
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if revision is None:
        problems.append("this is not a BranchDesk database (it has no schema version)")
    elif revision not in known:
        problems.append(
            f"the schema ({revision}) was written by a newer version of BranchDesk than this one"
        )
    else:
        # An older known revision is not a problem: it is upgraded the next time it is opened.
        problems += audit_chain_problems(db)
    return problems


def audit_chain_problems(db: Database) -> list[str]:
    """The first row that breaks the audit log's hash chain, if any (see store/audit.py)."""
    from branchdesk.store.audit import verify_chain

    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("audit_log")}
        if "row_hash" not in columns:
            return []  # an older schema: chained when it is next opened, then checked
        with db.read() as session:
            broken = verify_chain(session)
    except DBAPIError as exc:
        return [f"the audit log cannot be read: {exc.orig}"]
    return [broken] if broken else []
