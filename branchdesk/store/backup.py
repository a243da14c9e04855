"""Backups of a SQLite database, taken with SQLite's online backup API.

A plain file copy of a WAL database can miss committed rows that still sit in the -wal file;
the backup API copies a consistent snapshot while other connections go on writing. Every
backup is checked with `integrity_check` before it is moved into place.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from branchdesk.store.atomic import atomic_path
from branchdesk.store.database import Database
from branchdesk.store.errors import DatabaseDamaged, StoreError


def _require_sqlite(db: Database) -> Path:
    if db.path is None:
        raise StoreError(
            "backups of a shared PostgreSQL database are taken on the server (pg_dump); "
            "BranchDesk backs up SQLite files"
        )
    return db.path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another file through the backup API, then check it."""
    with atomic_path(target) as tmp:
        src = sqlite3.connect(source, timeout=15)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if result != "ok":
            raise DatabaseDamaged(f"the backup of {source} failed its integrity check: {result}")


def backup_database(db: Database, out: str | os.PathLike[str]) -> Path:
    """Write a checked backup of the open database to `out`."""
    source = _require_sqlite(db)
    out = Path(out).expanduser().resolve()
    if out == source:
        raise StoreError("a backup cannot overwrite the database it is taken from")
    copy_sqlite(source, out)
    return out


def backup_beside(path: Path, label: str) -> Path:
    """A backup next to the database, named with a label and the time, e.g. before a migration."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{label}-{stamp}.sqlite3")
    copy_sqlite(path, target)
    return target


def check_backup_file(path: Path) -> None:
    """Refuse a file that is not a healthy BranchDesk database, before anything is overwritten."""
    if not path.is_file():
        raise StoreError(f"{path}: no such backup file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"{path} is not a readable database backup ({exc})") from exc
    if result != "ok":
        raise DatabaseDamaged(f"{path} is damaged: {result}")
    if "alembic_version" not in tables or "members" not in tables:
        raise StoreError(f"{path} is not a BranchDesk backup")


def restore_database(db: Database, backup: str | os.PathLike[str]) -> Path:
    """Replace the open database's contents with a backup; the current state is kept beside it.

    The caller must reopen the database afterwards (which upgrades an older backup's schema).
    """
    target = _require_sqlite(db)
    backup = Path(backup).expanduser().resolve()
    if backup == target:
        raise StoreError("cannot restore a database from itself")
    check_backup_file(backup)
    db.dispose()
    safety = backup_beside(target, "before-restore") if target.exists() else None
    src = sqlite3.connect(backup)
    try:
        dst = sqlite3.connect(target, timeout=15)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    finally:
        src.close()
    return safety or target


def remove_quietly(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink()
