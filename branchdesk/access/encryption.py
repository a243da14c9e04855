"""Encrypted databases as officers see them: creating one, encrypting a plain one, opening one
with a name and password, and getting back in with the recovery code.

The mechanics (the key file, SQLCipher, moving files) are in branchdesk.store.keys and
branchdesk.store.conversion; here they meet the officers' accounts and the audit log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from branchdesk.access import officers
from branchdesk.access.models import Officer
from branchdesk.access.principal import Principal, name_key
from branchdesk.access.roles import Role
from branchdesk.store import keys
from branchdesk.store.audit import entry, record
from branchdesk.store.database import Database, open_database, resolve_url
from branchdesk.store.errors import StoreError

log = logging.getLogger(__name__)


@dataclass
class Encrypted:
    """An encrypted database just made or converted: open, signed in, with its recovery code
    (to be shown once) and any backups that could not be encrypted (with why)."""

    db: Database
    recovery_code: str
    backups_encrypted: int = 0
    backups_failed: list[tuple[Path, str]] = field(default_factory=list)


def database_path(spec: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file a `--db` value names, or None for a server database."""
    url = resolve_url(spec)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def needs_key(spec: str | os.PathLike[str] | None) -> bool:
    """Does opening this database take an officer's name and password first?"""
    from branchdesk.store.conversion import finish_interrupted

    path = database_path(spec)
    if path is None:
        return False
    # A conversion cut off part-way is completed or undone first: it decides the answer.
    finish_interrupted(path)
    return keys.is_encrypted(path)


def open_encrypted(
    spec: str | os.PathLike[str] | None, name: str, password: str, *, migrate: bool = True
) -> Database:
    """Unlock an encrypted database with an officer's name and password, open it, and sign
    the officer in. Raises keys.KeyProblem (wrong password, no key, key file damaged),
    DatabaseDamaged (the key is right and the file is not) or officers.SignInFailed."""
    path = database_path(spec)
    if path is None or not needs_key(path):
        raise StoreError(f"{path or spec} is not an encrypted database")
    data_key = keys.unlock(path, name, password)
    db = open_database(path, key=data_key, migrate=migrate)
    try:
        officers.sign_in(db, name, password)
    except BaseException:
        db.dispose()
        raise
    return db


def create_encrypted(path: Path, name: str, password: str) -> Encrypted:
    """A new, empty encrypted database at `path`, with the secretary's account, signed in."""
    problems = officers.password_problems(password, name)
    if problems:
        raise officers.OfficerError("; ".join(problems).capitalize())
    if path.exists() and path.stat().st_size:
        raise StoreError(f"{path} exists already: choose a new file for the new database")
    key_file = keys.key_file_for(path)
    if key_file.exists():
        raise StoreError(f"{key_file} exists already: it belongs to another database")
    data_key = keys.new_data_key()
    code = keys.create_key_file(key_file, data_key, name, password)
    try:
        db = open_database(path, key=data_key)
    except BaseException:
        key_file.unlink(missing_ok=True)
        raise
    try:
        officers.create_first_officer(db, name, password)
        with db.write(system=True) as session:
            record(session, [entry(db.officer, "encrypt", "database", None, ["created"])])
    except BaseException:
        db.dispose()
        raise
    return Encrypted(db, code)


def encrypt_database(
    db: Database,
    password: str,
    backup_folders: list[Path],
    progress: Callable[[int, int], None] | None = None,
) -> Encrypted:
    """Encrypt the open plain database `db` in place, and its backups.

    Only a signed-in secretary may, confirming with their password. The key is wrapped for
    that secretary only: every other officer needs a new password from the secretary, which
    gives them a key (their accounts are listed in the audit event, by id). `db` is closed;
    the returned one is open and signed in as the same officer.
    """
    from branchdesk.store.conversion import encrypt_backups, encrypt_file
    from branchdesk.store.sealed import documents_folder_beside, seal_folder

    principal = db.principal
    path = db.path
    if path is None:
        raise StoreError("only a SQLite database file can be encrypted")
    if db.encrypted:
        raise StoreError(f"{path} is encrypted already")
    if principal is None or principal.role != Role.SECRETARY:
        raise StoreError("only a signed-in secretary can encrypt the database")
    officers.confirm_password(db, password)
    with db.read() as session:  # bound by the role, as any officer's reading
        others = session.scalars(
            select(Officer.id).where(Officer.id != principal.officer_id).order_by(Officer.id)
        ).all()
    # This program's own connections closed, and no new ones while the file is replaced;
    # encrypt_file refuses if any other program has it open.
    db.retired = True
    db.dispose()
    data_key = keys.new_data_key()
    try:
        code = encrypt_file(path, data_key, principal.name, password)
    except BaseException:
        db.retired = False  # nothing was changed: the plain database carries on
        raise
    # From here the database is encrypted: a problem with the documents or the backups is
    # reported beside the recovery code, never raised (the code would be lost with it).
    failed: list[tuple[Path, str]] = []
    documents = documents_folder_beside(path)
    try:
        # Sealed before the backups: they are the live copies. (Left unsealed, they are
        # sealed at the next open.)
        seal_folder(documents, data_key)
    except (StoreError, OSError) as exc:
        failed.append((documents, f"the documents were not all encrypted yet: {exc}"))
    try:
        failed += encrypt_backups(path, backup_folders, data_key, progress)
    except (StoreError, OSError) as exc:
        failed.append((path.parent, f"the backups were not all encrypted: {exc}"))
    encrypted = open_database(path, officer=principal.name, key=data_key)
    encrypted.principal = principal
    encrypted.sign_in_required = True
    try:
        with encrypted.write(system=True) as session:
            record(session, [entry(principal.name, "encrypt", "database", None, ["converted"])])
    except (StoreError, DBAPIError) as exc:
        log.warning("the encryption is not in the audit log: %s", type(exc).__name__)
    if others:
        log.info("%d other officers need a new password to get a key", len(others))
    return Encrypted(encrypted, code, backups_failed=failed)


def officers_without_key(db: Database) -> list[str]:
    """Active officers of an encrypted database who cannot open it yet (none if plain)."""
    if db.key is None or db.path is None:
        return []
    held = keys.KeyFile.load(keys.key_file_for(db.path)).officers
    with db.read(system=True) as session:
        names = session.scalars(select(Officer.name).where(Officer.active.is_(True))).all()
    return sorted(name for name in names if keys.slot(name) not in held)


def recover(path: Path, code: str, name: str, new_password: str) -> Encrypted:
    """Open an encrypted database with its recovery code and give a secretary's account a new
    password. The used code stops working: a new one is returned, to be shown once."""
    problems = officers.password_problems(new_password, name)
    if problems:
        raise officers.OfficerError("; ".join(problems).capitalize())
    data_key = keys.unlock_with_recovery(path, code)
    db = open_database(path, key=data_key)
    try:
        with db.write(system=True) as session:
            officer = session.scalar(select(Officer).where(Officer.name_key == name_key(name)))
            if officer is None or officer.role != Role.SECRETARY or not officer.active:
                raise officers.OfficerError(
                    f"'{name.strip()}' is not an active secretary's account: the recovery code "
                    "gives a secretary a new password, who then sets the others'"
                )
            officer.password_hash = officers.hash_password(new_password)
            officer.failed_attempts = 0
            officer.last_failed_at = None
            session.flush()
            record(session, [entry(officer.name, "recover", "officers", officer.id, ["password"])])
            codes: list[str] = []

            def rewrap(held: keys.KeyFile) -> None:
                held.give(data_key, officer.name, new_password)
                codes.append(held.new_recovery(data_key))

            keys.change_with(session, path, rewrap)
            new_code = codes[0]
            principal = Principal(officer.id, officer.name, Role.SECRETARY)
    except BaseException:
        db.dispose()
        raise
    db.principal = principal
    db.sign_in_required = True
    return Encrypted(db, new_code)


def new_recovery_code(db: Database, password: str) -> str:
    """A new recovery code for an encrypted database (the old one stops working); a signed-in
    secretary's, confirming with their password."""
    if db.key is None or db.path is None:
        raise StoreError("only an encrypted database has a recovery code")
    principal = db.principal
    if principal is None or principal.role != Role.SECRETARY:
        raise StoreError("only a signed-in secretary can make a new recovery code")
    officers.confirm_password(db, password)
    key = db.key
    codes: list[str] = []
    with db.write() as session:
        record(session, [entry(principal.name, "recovery_code", "database", None, [])])
        keys.change_with(session, db.path, lambda held: codes.append(held.new_recovery(key)))
    return codes[0]
