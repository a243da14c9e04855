"""Restoring a SQLite database from a backup, for the window and the command line alike."""

from __future__ import annotations

import os
from pathlib import Path

from branchdesk.store import audit
from branchdesk.store.backup import restore_database
from branchdesk.store.database import Database, open_database


def restore_and_reopen(
    target: str | os.PathLike[str],
    backup: str | os.PathLike[str],
    officer: str,
    key: bytes | None = None,
) -> tuple[Database, Path | None]:
    """Restore `target` from `backup`, reopen it (upgrading an older schema) and audit it.

    Returns the reopened database and where the previous state was kept. The restore itself is
    recorded in the audit log, whose older rows now come from the backup.
    """
    kept = restore_database(target, backup, key)
    db = open_database(target, officer=officer, key=key)
    # The program's own record of what it did, written whoever signs in afterwards.
    with db.write(system=True) as session:
        audit.record(session, [audit.entry(officer, "restore", "database", None, [])])
    return db, kept
