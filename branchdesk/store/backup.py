"""Backups of a SQLite database, taken with SQLite's online backup API.

A plain file copy of a WAL database can miss committed rows that still sit in the -wal file;
the backup API copies a consistent snapshot while other connections go on writing. Every
backup is checked with `integrity_check` before it is moved into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import datetime
from pathlib import Path

from branchdesk.store import sqlfile
from branchdesk.store.atomic import atomic_path
from branchdesk.store.damage import header_problem, read_only_uri
from branchdesk.store.database import Database
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.store.keys import key_file_for


def require_sqlite(db: Database) -> Path:
    if db.path is None:
        raise StoreError(
            "backups of a shared PostgreSQL database are taken on the server (pg_dump); "
            "BranchDesk backs up SQLite files"
        )
    return db.path


def copy_sqlite(source: Path, target: Path, key: bytes | None = None) -> None:
    """Copy one SQLite database into another file through the backup API, then check it.

    An encrypted database (`key` set) is copied page by page still encrypted, with the same
    key, and its key file goes beside the copy, so that the copy opens on its own.
    """
    with atomic_path(target) as tmp:
        src = sqlfile.connect(source, key)
        try:
            dst = sqlfile.connect(tmp, key)
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
    if key is not None:
        copy_key_file(source, target)


def copy_key_file(source: Path, target: Path) -> None:
    """Put the key file of the database at `source` beside the database at `target`."""
    with atomic_path(key_file_for(target)) as tmp:
        shutil.copyfile(key_file_for(source), tmp)


def backup_database(db: Database, out: str | os.PathLike[str]) -> Path:
    """Write a checked backup of the open database to `out`."""
    source = require_sqlite(db)
    out = Path(out).expanduser().resolve()
    if out == source:
        raise StoreError("a backup cannot overwrite the database it is taken from")
    copy_sqlite(source, out, db.key)
    return out


KEEP_BESIDE = 5


def backup_beside(path: Path, label: str, key: bytes | None = None) -> Path:
    """A backup next to the database, named with a label and the time, e.g. before a migration.

    Only the newest few of each label are kept: each is a full copy of members' data.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.stem}.{label}-{stamp}.sqlite3")
    copy_sqlite(path, target, key)
    _prune(path, label)
    return target


def _prune(path: Path, label: str) -> None:
    old = sorted(path.parent.glob(f"{path.stem}.{label}-*.sqlite3"))[:-KEEP_BESIDE]
    for stale in old:
        with contextlib.suppress(OSError):
            stale.unlink()
            key_file_for(stale).unlink(missing_ok=True)


def check_backup_file(path: Path, key: bytes | None = None) -> None:
    """Refuse a file that is not a healthy BranchDesk database, before anything is overwritten.

    With `key`, the backup must be encrypted with that key (it is a backup of an encrypted
    database); without, it must be a plain one.
    """
    if not path.is_file():
        raise StoreError(f"{path}: no such backup file")
    plain = header_problem(path) is None
    if key is not None and plain and path.stat().st_size:
        raise StoreError(
            f"{path} is a plain (unencrypted) backup, and this database is encrypted. Restore "
            "it as a database of its own (--db NEW-FILE restore), then encrypt that one."
        )
    problem = header_problem(path, encrypted=key is not None)
    if problem is not None:
        raise DatabaseDamaged(f"{path} is not a readable database backup ({problem})")
    try:
        # Read without creating -wal or -shm files beside someone's backup.
        conn = sqlfile.connect(read_only_uri(path), key, uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlfile.DatabaseError as exc:
        if key is not None and "not a database" in str(exc):
            raise StoreError(
                f"{path} is not a backup of this database: it does not open with this "
                "database's key (or it is damaged)"
            ) from exc
        raise DatabaseDamaged(f"{path} is not a readable database backup ({exc})") from exc
    if result != "ok":
        raise DatabaseDamaged(f"{path} is damaged: {result}")
    if "alembic_version" not in tables or "members" not in tables:
        raise StoreError(f"{path} is not a BranchDesk backup")


def restore_database(
    target: str | os.PathLike[str], backup: str | os.PathLike[str], key: bytes | None = None
) -> Path | None:
    """Replace the SQLite database at `target` with a backup; works on a damaged target too.

    The backup is checked before anything is touched. Whatever was at `target` is first copied
    file by file (it may be damaged, so not through SQLite) to a "before-restore" file beside
    it, whose path is returned (None if there was nothing). Close other copies of BranchDesk
    first; the caller reopens the database afterwards, which upgrades an older backup's schema.
    """
    target = Path(target).expanduser().resolve()
    backup = Path(backup).expanduser().resolve()
    if backup == target:
        raise StoreError("cannot restore a database from itself")
    check_backup_file(backup, key)
    kept = _keep_as_is(target) if target.exists() else None
    try:
        copy_into(backup, target, key)
    except sqlfile.DatabaseError:
        # The old file is too damaged to be written through SQLite: put a fresh file in its
        # place instead (its contents are safe in the before-restore copy).
        with atomic_path(target) as tmp:
            copy_into(backup, tmp, key)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{target}{suffix}").unlink()
    if key is not None and key_file_for(backup).is_file():
        # The officers' keys as they were, to match the officers' accounts restored with it.
        copy_key_file(backup, target)
    return kept


def copy_into(source: Path, target: Path, key: bytes | None = None) -> None:
    src = sqlfile.connect(read_only_uri(source), key, uri=True)
    try:
        dst = sqlfile.connect(target, key)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _keep_as_is(path: Path) -> Path:
    """Copy a database and its WAL byte for byte, for a file that may not open as a database."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    kept = path.with_name(f"{path.stem}.before-restore-{stamp}.sqlite3")
    for suffix in ("", "-wal", ".keys"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            shutil.copy2(source, f"{kept}{suffix}")
    return kept
