"""Is the audit log's end still there? Checked against the newest backup.

The hash chain shows a row changed, removed or moved, but not rows cut from the end: what is
left is still a whole chain. The newest backup remembers where the log ended when it was
taken; that row must still be in the database, unchanged. Rows cut after the newest backup
cannot be seen this way. A backup older than the last restore is not compared: the restore
itself put the log back to an earlier end.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import func, select

from branchdesk.store import sqlfile
from branchdesk.store.audit import AuditEntry
from branchdesk.store.damage import read_only_uri
from branchdesk.store.database import Database
from branchdesk.store.schedule import BackupFile, when_label


def _newest_row(backup: BackupFile, key: bytes | None) -> tuple[int, str] | None:
    conn = sqlfile.connect(read_only_uri(backup.path), key, uri=True)
    try:
        row = conn.execute("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return (int(row[0]), str(row[1])) if row is not None and row[1] else None


def log_end_problems(db: Database, backups: list[BackupFile]) -> list[str]:
    """Problems with the end of the audit log, from the newest readable backup (newest first
    in `backups`); none when there is no backup to compare with."""
    with db.read(system=True) as session:
        restored = session.scalar(
            select(func.max(AuditEntry.at)).where(AuditEntry.action == "restore")
        )
    for backup in backups:
        if restored is not None and backup.taken.astimezone(UTC) <= restored:
            break  # from before the last restore, which put the log back deliberately
        try:
            newest = _newest_row(backup, db.key)
        except sqlfile.DatabaseError:
            continue  # damaged, or from before the chain: try an older one
        if newest is None:
            continue
        row_id, row_hash = newest
        with db.read(system=True) as session:
            live = session.scalar(select(AuditEntry.row_hash).where(AuditEntry.id == row_id))
        taken = f"the backup of {when_label(backup.taken)}"
        if live is None:
            return [
                f"audit log: row {row_id}, the last one in {taken}, is missing from the "
                "database: rows were cut from the end of the log since"
            ]
        if live != row_hash:
            return [f"audit log: row {row_id} differs from the same row in {taken}"]
        return []
    return []
