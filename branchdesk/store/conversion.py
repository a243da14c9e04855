"""Turning a plain SQLite database, and its backups, into encrypted ones.

The encrypted copy is written and checked beside the plain file before anything is moved:

1. `NAME.encrypting` is written with `sqlcipher_export`, then checked (`integrity_check`, and
   every table's row count against the plain file's); `NAME.keys.new` is written.
2. The plain file is moved aside to `NAME.plain-before-encryption`, the encrypted one takes
   its name, then the key file takes its own.
3. The plain file is overwritten with zeros and deleted.

A crash at any point leaves a state `finish_interrupted` (run at every open) recognises: it
undoes the change before step 2, or completes it after.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from branchdesk.store import sqlfile
from branchdesk.store.atomic import _fsync_dir
from branchdesk.store.damage import HEADER
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.store.keys import create_key_file, key_file_for, shred

log = logging.getLogger(__name__)

ENCRYPTING = ".encrypting"
PLAIN_ASIDE = ".plain-before-encryption"
NEW_KEYS = ".new"


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _new_keys(path: Path) -> Path:
    return _beside(key_file_for(path), NEW_KEYS)


def _steps(path: Path) -> tuple[Path, Path, Path]:
    """The plain file moved aside, the encrypted copy being written, the new key file."""
    return _beside(path, PLAIN_ASIDE), _beside(path, ENCRYPTING), _new_keys(path)


def is_plain(path: Path) -> bool:
    """Does the file start like a plain SQLite database?"""
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == HEADER
    except OSError:
        return False


def _shred_with_side_files(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal", ""):
        shred(Path(f"{path}{suffix}"))


def finish_interrupted(path: Path) -> None:
    """Complete or undo a conversion of the database at `path` that was cut off part-way."""
    aside, encrypting, new_keys = _steps(path)
    if not aside.exists():
        # Cut off while writing the encrypted copy: the plain database is untouched.
        for leftover in (encrypting, new_keys):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        return
    if not path.exists():
        # The plain file was moved aside and the encrypted one not yet moved in: put it back.
        os.replace(aside, path)
        for leftover in (encrypting, new_keys):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        log.warning("an interrupted encryption was undone")
        return
    if new_keys.exists():
        os.replace(new_keys, key_file_for(path))
    if key_file_for(path).exists() and not is_plain(path):
        _shred_with_side_files(aside)
        log.warning("an interrupted encryption was completed")


def _counts(connection: object, schema: str) -> dict[str, int]:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    names = [
        row[0]
        for row in cursor.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # FTS5 shadow tables are counted with their parent: their content is the same.
    return {
        name: cursor.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
        for name in names
    }


def export_encrypted(source: Path, target: Path, key: bytes) -> None:
    """Write an encrypted copy of the plain database `source` to `target`, and check it."""
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    # The SQLCipher module opens a plain file when given no key.
    conn = sqlfile.cipher_connect_plain(source)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise DatabaseDamaged(f"{source} failed its integrity check ({result}): not encrypted")
        sqlfile.attach_encrypted(conn, str(target), "encrypted", key)
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
        before = _counts(conn, "main")
    finally:
        conn.close()
    # Checked as the next open will read it: a new connection, with the key.
    check = sqlfile.connect(target, key)
    try:
        check.execute("PRAGMA journal_mode = DELETE")
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
        after = _counts(check, "main")
    finally:
        check.close()
    if result != "ok":
        raise DatabaseDamaged(f"the encrypted copy of {source} failed its check ({result})")
    if after != before:
        raise StoreError(f"the encrypted copy of {source} does not hold every row")
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def encrypt_file(path: Path, key: bytes, name: str, password: str) -> str:
    """Replace the plain database at `path` (closed by the caller, WAL checkpointed) with an
    encrypted copy under `key`, wrapped for one officer; returns the new recovery code."""
    aside, encrypting, new_keys = _steps(path)
    if key_file_for(path).exists():
        raise StoreError(f"{path} is encrypted already")
    finish_interrupted(path)
    try:
        export_encrypted(path, encrypting, key)
        code = create_key_file(new_keys, key, name, password)
    except BaseException:
        for leftover in (encrypting, new_keys):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    os.replace(path, aside)
    os.replace(encrypting, path)
    os.replace(new_keys, key_file_for(path))
    _fsync_dir(path.parent)
    _shred_with_side_files(aside)
    return code


def plain_backups(db_path: Path, folders: list[Path]) -> list[Path]:
    """Plain copies of the database that BranchDesk made, in `folders` and beside it: its
    daily backups, and the copies from before upgrades and restores."""
    found = []
    stem = re.escape(db_path.stem)
    pattern = re.compile(stem + r"\.(backup|before-upgrade|before-restore)-[0-9-]+\.sqlite3")
    for folder in {db_path.parent, *folders}:
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(folder):
                if (
                    entry.is_file(follow_symlinks=False)
                    and pattern.fullmatch(entry.name)
                    and is_plain(Path(entry.path))
                ):
                    found.append(Path(entry.path))
    return sorted(found)


def encrypt_backups(
    db_path: Path,
    folders: list[Path],
    key: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[Path, str]]:
    """Encrypt the database's plain backups in place (same names, key file beside each), each
    one checked before its plain file is overwritten. Returns those that could not be, and
    why: they are left as they were."""
    failed = []
    backups = plain_backups(db_path, folders)
    for n, backup in enumerate(backups):
        if progress is not None:
            progress(n, len(backups))
        encrypting = _beside(backup, ENCRYPTING)
        try:
            export_encrypted(backup, encrypting, key)
            from branchdesk.store.backup import copy_key_file

            copy_key_file(db_path, backup)
            aside = _beside(backup, PLAIN_ASIDE)
            os.replace(backup, aside)
            os.replace(encrypting, backup)
            _shred_with_side_files(aside)
        except (StoreError, *sqlfile.DatabaseError, OSError) as exc:
            with contextlib.suppress(FileNotFoundError):
                encrypting.unlink()
            failed.append((backup, str(exc)))
    _fsync_dir(db_path.parent)
    return failed
