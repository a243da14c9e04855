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
from typing import Any

from branchdesk.store import sqlfile
from branchdesk.store.atomic import _fsync_dir
from branchdesk.store.damage import HEADER
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.store.keys import converted_size, create_key_file, key_file_for, shred

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
    # The encrypted copy is in place only if the file there is the one that was written: an
    # empty or other file must never cost the plain copy set aside.
    expected = converted_size(new_keys if new_keys.exists() else key_file_for(path))
    if expected is None or is_plain(path) or path.stat().st_size != expected:
        raise StoreError(
            f"an encryption of {path} was cut off part-way and the file there is not the "
            f"encrypted copy: the database as it was is kept in {aside}. Nothing was removed."
        )
    if new_keys.exists():
        os.replace(new_keys, key_file_for(path))
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


IN_USE = (
    "{path} is open in another BranchDesk window or program: close it there, then encrypt it "
    "(nothing was changed)"
)


def hold_alone(path: Path) -> Any:
    """A connection that has the plain database at `path` to itself until it is closed.

    Its WAL is emptied and the file put in rollback-journal mode, which SQLite allows only when
    no other connection has it open (so a database in use elsewhere is refused), then an
    exclusive lock is taken and kept: nobody can write to the file while it is copied. It is
    the SQLCipher library's own connection, as the copy's is: two copies of SQLite in one
    process do not see each other's locks.
    """
    # A short wait: a BranchDesk window elsewhere keeps it open, so waiting longer helps nobody.
    conn = sqlfile.cipher_connect_plain(path, timeout=2)
    try:
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        if (busy is not None and busy[0]) or mode is None or str(mode[0]).lower() != "delete":
            raise StoreError(IN_USE.format(path=path))
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # in exclusive locking mode the lock outlasts the transaction
    except sqlfile.DatabaseError as exc:
        conn.close()
        raise StoreError(IN_USE.format(path=path)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def export_encrypted(source: Path, target: Path, key: bytes, held: Any = None) -> None:
    """Write an encrypted copy of the plain database `source` to `target`, and check it.

    `held` is a connection from `hold_alone` to copy through (left open); without it the
    file is opened for the copy (a backup, which nothing else uses).
    """
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    # The SQLCipher module opens a plain file when given no key.
    conn = held if held is not None else sqlfile.cipher_connect_plain(source)
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
        if held is None:
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
    """Replace the plain database at `path` (closed by the caller) with an encrypted copy under
    `key`, wrapped for one officer; returns the new recovery code. Refused, changing nothing,
    while the database is open anywhere else."""
    aside, encrypting, new_keys = _steps(path)
    if key_file_for(path).exists():
        raise StoreError(f"{path} is encrypted already")
    finish_interrupted(path)
    held = hold_alone(path)
    try:
        export_encrypted(path, encrypting, key, held)
        code = create_key_file(new_keys, key, name, password, size=encrypting.stat().st_size)
    except BaseException:
        held.close()
        for leftover in (encrypting, new_keys):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    # Closed only now, just before the file is moved (Windows cannot move an open file).
    held.close()
    for side in ("-wal", "-shm", "-journal"):
        # The plain database's; in rollback mode and held alone it should have none left.
        shred(Path(f"{path}{side}"))
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

            aside = _beside(backup, PLAIN_ASIDE)
            os.replace(backup, aside)
            os.replace(encrypting, backup)
            # After the swap: a key file beside a plain backup would make it look damaged.
            copy_key_file(db_path, backup)
            _shred_with_side_files(aside)
        except (StoreError, *sqlfile.DatabaseError, OSError) as exc:
            with contextlib.suppress(FileNotFoundError):
                encrypting.unlink()
            failed.append((backup, str(exc)))
    _fsync_dir(db_path.parent)
    return failed
