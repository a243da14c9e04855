"""Encrypted databases on the command line: unlocking one for a command, `encrypt`,
`officer setup --encrypt`, `recover` and `officer recovery-code`.

An encrypted database opens with an officer's name (`--officer`) and password, the same ones
that sign the officer in: the password is asked once. The recovery code is printed once, on
standard output, and stored nowhere.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from branchdesk.cli_access import PASSWORD_ENV, SignInError, new_password, password_for

if TYPE_CHECKING:
    from branchdesk.access.encryption import Encrypted
    from branchdesk.settings import Preferences
    from branchdesk.store.database import Database

RECOVERY_CODE_ENV = "BRANCHDESK_RECOVERY_CODE"


def add_encryption_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "encrypt",
        help="encrypt this SQLite database and its backups (the secretary, signed in); prints "
        "the recovery code once",
    )
    recover = sub.add_parser(
        "recover",
        help=f"open an encrypted database with its recovery code (from ${RECOVERY_CODE_ENV} "
        "or the prompt) and give a secretary a new password; prints a new recovery code",
    )
    recover.add_argument("--name", required=True, metavar="NAME", help="a secretary's name")


def add_setup_options(setup: argparse.ArgumentParser) -> None:
    setup.add_argument(
        "--encrypt",
        action="store_true",
        help="make the new database encrypted (SQLCipher); prints the recovery code once",
    )


def unlock_key(spec: str | None, args: argparse.Namespace) -> bytes | None:
    """The data key when the database is encrypted (None when not), from --officer and the
    officer's password."""
    from branchdesk.access.encryption import database_path, needs_key
    from branchdesk.store import keys

    if args.command == "recover" or not needs_key(spec):
        return None
    path = database_path(spec)
    assert path is not None
    name = (args.officer or "").strip()
    if not name:
        raise SignInError(
            f"{path} is encrypted: open it with --officer NAME (the password from "
            f"${PASSWORD_ENV} or the prompt); a secretary who has lost the password uses "
            "recover with the recovery code"
        )
    return keys.unlock(path, name, password_for(name))


def print_recovery_code(result: Encrypted) -> None:
    print(
        "\nRecovery code (shown this once; it is stored nowhere). Print it or write it down, "
        "and keep it locked away from the computer. With it, a secretary who has forgotten "
        "their password can get back in; without it and without any officer's password, "
        "nobody can open the database:\n"
    )
    print(f"    {result.recovery_code}\n")


def setup_encrypted(spec: str | None, args: argparse.Namespace) -> int:
    """`officer setup --encrypt`: a new, encrypted database with the secretary's account."""
    from branchdesk.access.encryption import create_encrypted, database_path

    path = database_path(spec)
    if path is None:
        raise SignInError("only a SQLite database file can be encrypted")
    result = create_encrypted(path, args.name, new_password())
    try:
        print(f"{result.db.officer} is the branch secretary of the encrypted database {path}")
        print_recovery_code(result)
    finally:
        result.db.dispose()
    return 0


def run_encrypt(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.access.encryption import encrypt_database, officers_without_key
    from branchdesk.store.schedule import backups_folder

    if db.path is None:
        raise SignInError("a shared PostgreSQL database is encrypted on the server (TLS, disk)")
    if db.principal is None:
        raise SignInError(
            "set up the secretary's account first (officer setup --name NAME), then encrypt"
        )
    folder = backups_folder(db.path, prefs.get("backup_folder"))
    result = encrypt_database(db, password_for(db.principal.name), [folder])
    try:
        print(f"{db.path} is now encrypted, and the plain file was overwritten and removed")
        failed = result.backups_failed
        for backup, why in failed:
            print(f"branchdesk: warning: backup {backup} left as it was: {why}", file=sys.stderr)
        waiting = officers_without_key(result.db)
        if waiting:
            print(
                "These officers need a new password from the secretary before they can open "
                "it (officer password --name NAME): " + ", ".join(waiting)
            )
        print_recovery_code(result)
    finally:
        result.db.dispose()
    return 0


def run_recover(spec: str | None, args: argparse.Namespace) -> int:
    from branchdesk.access.encryption import database_path, needs_key, recover

    path = database_path(spec)
    if path is None or not needs_key(spec):
        raise SignInError(f"{path or spec} is not an encrypted database: it has no recovery code")
    code = os.environ.get(RECOVERY_CODE_ENV)
    if code is None:
        if not sys.stdin.isatty():
            raise SignInError(
                f"no recovery code given: set {RECOVERY_CODE_ENV} or run at a terminal"
            )
        code = getpass.getpass("Recovery code: ")
    result = recover(Path(path), code, args.name, new_password())
    try:
        print(f"{result.db.officer} has a new password; the old recovery code no longer works")
        print_recovery_code(result)
    finally:
        result.db.dispose()
    return 0


def run_new_recovery_code(db: Database) -> int:
    from branchdesk.access.encryption import Encrypted, new_recovery_code

    if db.principal is None:
        raise SignInError("sign in as a secretary with --officer NAME")
    code = new_recovery_code(db, password_for(db.principal.name))
    print("A new recovery code; the old one no longer works.")
    print_recovery_code(Encrypted(db, code))
    return 0
