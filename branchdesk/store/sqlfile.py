"""Direct connections to a SQLite file, plain or encrypted, below SQLAlchemy.

Backups, restores, checks and drills talk to the file through the DB-API: the standard
`sqlite3` module for a plain database, `sqlcipher3` (the same API, built with SQLCipher) with
the data key for an encrypted one. Both modules' errors are caught as `DatabaseError`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from branchdesk.store.keys import sqlcipher_key


def _cipher_module() -> Any:
    from sqlcipher3 import dbapi2

    return dbapi2


def _errors() -> tuple[type[Exception], ...]:
    try:
        return (sqlite3.DatabaseError, _cipher_module().DatabaseError)
    except ImportError:  # pragma: no cover - sqlcipher3 is a dependency
        return (sqlite3.DatabaseError,)


DatabaseError = _errors()


def prepare_cipher(connection: Any, data_key: bytes) -> None:
    """Key a fresh SQLCipher connection; must come before anything reads the file."""
    cursor = connection.cursor()
    try:
        # SQLCipher writes a line to stderr for every page that fails its check: the caller
        # reports the error itself, once.
        cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute(f'PRAGMA key = "{sqlcipher_key(data_key)}"')
        # Sorting and temporary indexes stay in memory, never in a plain temporary file.
        cursor.execute("PRAGMA temp_store = MEMORY")
    finally:
        cursor.close()


def connect(
    target: str | Any, key: bytes | None = None, *, uri: bool = False, timeout: float = 15
) -> Any:
    """A DB-API connection to a SQLite file (`uri` for a file: URI), keyed when `key` is set."""
    if key is None:
        return sqlite3.connect(target, uri=uri, timeout=timeout)
    connection = _cipher_module().connect(str(target), uri=uri, timeout=timeout)
    prepare_cipher(connection, key)
    return connection


def cipher_connect_plain(path: Any, timeout: float = 15) -> Any:
    """A SQLCipher connection to a plain file, to copy it into an encrypted one."""
    connection = _cipher_module().connect(str(path), timeout=timeout)
    connection.execute("PRAGMA cipher_log_level = NONE")
    return connection


def attach_encrypted(connection: Any, path: str, alias: str, key: bytes | None) -> None:
    """Attach a database file under `alias`, encrypted with `key` (or plain with None)."""
    literal = f'"{sqlcipher_key(key)}"' if key is not None else "''"
    connection.execute(f"ATTACH DATABASE ? AS {alias} KEY {literal}", (path,))
