"""Signing in on the command line, and `branchdesk officer …` to manage officers' accounts.

A command on a database with officers' accounts runs as a signed-in officer and is bound by
their role, as in the window: `--officer NAME`, with the password from BRANCHDESK_PASSWORD or
asked at the prompt. New passwords come from BRANCHDESK_NEW_PASSWORD or the prompt (twice).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import os
import sys
from typing import TYPE_CHECKING

from branchdesk.access.roles import ROLE_LABELS, Role

if TYPE_CHECKING:
    from branchdesk.settings import Preferences
    from branchdesk.store.database import Database

PASSWORD_ENV = "BRANCHDESK_PASSWORD"
NEW_PASSWORD_ENV = "BRANCHDESK_NEW_PASSWORD"
ROLE_CHOICES = [r.value for r in Role]


class SignInError(Exception):
    """Cannot sign in as asked: reported on stderr with exit status 2."""


def add_officer_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--officer",
        metavar="NAME",
        help=f"sign in as this officer (password from ${PASSWORD_ENV} or the prompt); "
        "needed once a database has officers' accounts",
    )


def add_officer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    officer = sub.add_parser("officer", help="officers' accounts and roles")
    what = officer.add_subparsers(dest="what", metavar="WHAT", required=True)
    setup = what.add_parser(
        "setup", help="create the first account, the branch secretary's (a new database only)"
    )
    setup.add_argument("--name", required=True, metavar="NAME")
    from branchdesk.cli_encryption import add_setup_options

    add_setup_options(setup)
    add = what.add_parser("add", help="add an officer (the secretary only)")
    add.add_argument("--name", required=True, metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLE_CHOICES)
    what.add_parser("list", help="officers with their roles, as CSV")
    role = what.add_parser("role", help="change an officer's role (the secretary only)")
    role.add_argument("--name", required=True, metavar="NAME")
    role.add_argument("--role", required=True, choices=ROLE_CHOICES)
    reset = what.add_parser(
        "password", help="give an officer a new password (the secretary; or your own)"
    )
    reset.add_argument("--name", required=True, metavar="NAME")
    what.add_parser(
        "recovery-code",
        help="a new recovery code for an encrypted database (the secretary); the old one "
        "stops working",
    )
    for verb, text in (("off", "switch an account off"), ("on", "switch an account back on")):
        toggle = what.add_parser(verb, help=f"{text} (the secretary only)")
        toggle.add_argument("--name", required=True, metavar="NAME")


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise SignInError(f"no password given: set {PASSWORD_ENV} or run at a terminal")
    return getpass.getpass(prompt)


def new_password() -> str:
    given = os.environ.get(NEW_PASSWORD_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise SignInError(f"no new password given: set {NEW_PASSWORD_ENV} or run at a terminal")
    first = getpass.getpass("New password: ")
    if getpass.getpass("The same again: ") != first:
        raise SignInError("the two passwords differ; nothing was changed")
    return first


# Passwords typed at the prompt during this command, so each is asked once.
_typed: dict[str, str] = {}


def forget_typed_passwords() -> None:
    _typed.clear()


def password_for(name: str) -> str:
    """The officer's password, from the environment or asked once at the prompt: the same
    answer unlocks an encrypted database and signs the officer in."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    if name not in _typed:
        _typed[name] = _ask(f"Password for {name}: ")
    return _typed[name]


def sign_in_for_command(db: Database, args: argparse.Namespace) -> None:
    """Sign in as --officer when the database needs it; refuse clearly when it cannot."""
    from branchdesk.access.officers import sign_in

    if not db.sign_in_required:
        return
    name = (args.officer or "").strip()
    if not name:
        raise SignInError(
            "this database has officers' accounts: sign in with --officer NAME "
            f"(the password from ${PASSWORD_ENV} or the prompt)"
        )
    sign_in(db, name, password_for(name))


def run_officer_command(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.access import officers

    if args.what == "setup":
        if db.sign_in_required:
            raise SignInError("this database already has officers' accounts: use officer add")
        principal = officers.create_first_officer(db, args.name, new_password())
        print(f"{principal.name} is the branch secretary; sign in with --officer next time")
        return 0
    if not db.sign_in_required:
        raise SignInError("this database has no officers' accounts yet: start with officer setup")
    if args.what == "recovery-code":
        from branchdesk.cli_encryption import run_new_recovery_code

        return run_new_recovery_code(db)
    if args.what == "list":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["name", "role", "active", "last_signed_in"])
        for row in officers.list_officers(db):
            when = row.last_signed_in_at
            out.writerow(
                [
                    row.name,
                    row.role.value,
                    "yes" if row.active else "no",
                    when.isoformat(timespec="minutes") if when else "",
                ]
            )
        return 0
    officer_id = _officer_id(db, args.name)
    if args.what == "add":
        row = officers.add_officer(db, args.name, args.role, new_password())
        print(f"{row.name} added as {ROLE_LABELS[row.role].lower()}")
    elif args.what == "role":
        officers.set_role(db, _require(officer_id, args.name), args.role)
        print(f"{args.name} is now {ROLE_LABELS[Role(args.role)].lower()}")
    elif args.what == "password":
        target = _require(officer_id, args.name)
        if db.principal is not None and target == db.principal.officer_id:
            officers.change_own_password(db, password_for(args.officer), new_password())
        else:
            officers.reset_password(db, target, new_password())
        print(f"{args.name}'s password is changed")
    else:
        officers.set_active(db, _require(officer_id, args.name), args.what == "on")
        print(f"{args.name}'s account is switched {args.what}")
    return 0


def _officer_id(db: Database, name: str) -> int | None:
    from branchdesk.access import officers
    from branchdesk.access.principal import name_key

    wanted = name_key(name)
    return next((r.id for r in officers.list_officers(db) if name_key(r.name) == wanted), None)


def _require(officer_id: int | None, name: str) -> int:
    if officer_id is None:
        raise SignInError(f"no officer called {name.strip()!r}")
    return officer_id
