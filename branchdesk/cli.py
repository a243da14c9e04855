"""`branchdesk`: the window by default, sub-commands for work without it.

Bad input or a bad argument exits with status 2 and a message naming the problem; `check`
exits with 1 when it finds one. Every sub-command calls the same functions as the window.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from branchdesk import __version__
from branchdesk.casework.labels import CASE_TYPES, OPEN_STAGES
from branchdesk.cli_access import (
    SignInError,
    add_officer_commands,
    add_officer_option,
    run_officer_command,
    sign_in_for_command,
)
from branchdesk.cli_encryption import (
    add_encryption_commands,
    run_encrypt,
    run_recover,
    setup_encrypted,
    unlock_key,
)
from branchdesk.cli_retention import add_retention_commands, run_retention_command
from branchdesk.cli_sar import (
    add_export_sar,
    add_sar_commands,
    check_sar_folder,
    export_sar_command,
    run_sar_command,
)
from branchdesk.demands.codes import CLAIM_STATUSES
from branchdesk.hardship.codes import CLAIM_STATUSES as HARDSHIP_CLAIM_STATUSES

CASE_STATUS_CHOICES = ["open", "closed", *(str(s) for s in OPEN_STAGES)]
CASE_TYPE_CHOICES = [str(t) for t in CASE_TYPES]
CLAIM_STATUS_CHOICES = list(CLAIM_STATUSES)
# A hardship claim's status, "open" (awaiting a decision) or "owed" (approved, not fully paid).
HARDSHIP_STATUS_CHOICES = [*HARDSHIP_CLAIM_STATUSES, "open", "owed"]

if TYPE_CHECKING:
    from branchdesk.settings import Preferences
    from branchdesk.store.database import Database

EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2

log = logging.getLogger("branchdesk")


class UsageError(Exception):
    """Bad input: reported on stderr, exit status 2, nothing written."""


def _cli_date(text: str) -> date:
    """A date on the command line: 2026-04-01 or 01/04/2026 (day first), as imports read."""
    from branchdesk.members.csvformat import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fund_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fund", required=True, metavar="NAME", help="the hardship fund")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="branchdesk",
        description="Casework, demands, outsourcing watch and hardship fund for a union branch.",
    )
    parser.add_argument("--version", action="version", version=f"BranchDesk {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="a SQLite file or a postgresql+psycopg:// URL (default: $BRANCHDESK_DB, "
        "else branchdesk.sqlite3 in your data folder)",
    )
    where.add_argument(
        "--demo",
        action="store_true",
        help="use the demo branch (kept apart from real data; created on first use)",
    )
    add_officer_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_officer_commands(sub)
    add_sar_commands(sub)
    add_retention_commands(sub)
    add_encryption_commands(sub)

    demo = sub.add_parser("demo", help="fill an empty database with a fictional demo branch")
    demo.add_argument("--size", choices=("small", "large"), default="small")
    demo.add_argument("--seed", type=int, default=1)

    imp = sub.add_parser("import", help="import a file")
    imp_sub = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    imp_members = imp_sub.add_parser("members", help="members from CSV (header row required)")
    imp_members.add_argument("file", type=Path, metavar="FILE.csv")
    imp_contracts = imp_sub.add_parser(
        "contracts",
        help="published contracts (OCDS .json, as Contracts Finder publishes) or the "
        "branch's own list (.csv, one row per contract)",
    )
    imp_contracts.add_argument("file", type=Path, metavar="FILE.json|FILE.csv")
    imp_survey = imp_sub.add_parser(
        "survey", help="a member survey's responses from CSV, one row per respondent"
    )
    imp_survey.add_argument("file", type=Path, metavar="FILE.csv")
    imp_survey.add_argument("--claim", required=True, metavar="REF", help="e.g. CL-2027-001")
    imp_survey.add_argument("--name", default="", help="what to call it (default: the file name)")
    imp_bank = imp_sub.add_parser(
        "bank",
        help="a hardship fund's bank statement (.ofx, or .csv from online banking); lines "
        "already imported are skipped and sure matches are reconciled",
    )
    imp_bank.add_argument("file", type=Path, metavar="FILE.ofx|FILE.csv")
    _fund_option(imp_bank)
    imp_bank.add_argument(
        "--profile",
        metavar="NAME",
        help="the CSV layout, e.g. 'Unity Trust Bank' or a saved one (default: recognised "
        "from the column headings)",
    )

    exp = sub.add_parser("export", help="export a report; the format follows the file name")
    exp_sub = exp.add_subparsers(dest="what", metavar="WHAT", required=True)
    exp_members = exp_sub.add_parser("members", help="the member list to .xlsx or .pdf")
    exp_members.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.pdf")
    exp_members.add_argument("--search", default="", metavar="TEXT")
    exp_cases = exp_sub.add_parser("cases", help="the case list to .xlsx or .pdf")
    exp_cases.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.pdf")
    exp_cases.add_argument(
        "--status",
        default="",
        choices=CASE_STATUS_CHOICES,
        metavar="S",
        help="open, closed or a stage: " + ", ".join(CASE_STATUS_CHOICES[2:]),
    )
    exp_cases.add_argument("--rep", default="", metavar="NAME", help="the rep or second rep")
    exp_cases.add_argument(
        "--type",
        dest="case_type",
        default="",
        choices=CASE_TYPE_CHOICES,
        metavar="T",
        help=", ".join(CASE_TYPE_CHOICES),
    )
    exp_summary = exp_sub.add_parser(
        "case-summary", help="one case's summary PDF, for a hearing or a hand-over"
    )
    exp_summary.add_argument("--case", required=True, metavar="REF", help="e.g. C-2026-0042")
    exp_summary.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    exp_summary.add_argument(
        "--include-confidential",
        action="store_true",
        help="print timeline entries marked confidential too (left out by default)",
    )
    exp_caseload = exp_sub.add_parser(
        "caseload", help="the branch caseload report to .pdf or .xlsx"
    )
    exp_caseload.add_argument("--out", type=Path, required=True, metavar="FILE.pdf|FILE.xlsx")
    exp_deadlines = exp_sub.add_parser(
        "deadlines", help="deadlines not yet met on open cases, as calendar entries (.ics)"
    )
    exp_deadlines.add_argument("--out", type=Path, required=True, metavar="FILE.ics")
    exp_deadlines.add_argument("--rep", default="", metavar="NAME", help="the rep or second rep")
    exp_claim = exp_sub.add_parser(
        "claim", help="a claim's negotiation pack to .pdf or .xlsx (costings as formulas)"
    )
    exp_claim.add_argument("--claim", required=True, metavar="REF", help="e.g. CL-2027-001")
    exp_claim.add_argument("--out", type=Path, required=True, metavar="FILE.pdf|FILE.xlsx")
    exp_claims = exp_sub.add_parser("claims", help="every claim with its cost a year to .xlsx")
    exp_claims.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    exp_contracts = exp_sub.add_parser(
        "contracts", help="the outsourcing watch list to .xlsx (with OCDS column names)"
    )
    exp_contracts.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    exp_briefing = exp_sub.add_parser(
        "outsourcing-briefing",
        help="a briefing PDF for a branch committee or a councillor: decisions due, "
        "timeline, totals, staff affected",
    )
    exp_briefing.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    exp_briefing.add_argument(
        "--authority", default="", metavar="NAME", help="only this authority's contracts"
    )
    exp_ledger = exp_sub.add_parser(
        "ledger",
        help="a hardship fund's ledger to .xlsx: every entry with its running balance, "
        "per-member and per-donor totals (members named unless --anonymised)",
    )
    _fund_option(exp_ledger)
    exp_ledger.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    exp_ledger.add_argument(
        "--anonymised",
        action="store_true",
        help="members as Member 001, Member 002… (the same in every export of the fund)",
    )
    exp_statement = exp_sub.add_parser(
        "statement",
        help="a hardship fund's income and expenditure statement to .pdf, reconciled to the "
        "bank, with signature lines (names no member)",
    )
    _fund_option(exp_statement)
    exp_statement.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    exp_statement.add_argument(
        "--from",
        dest="start",
        type=_cli_date,
        metavar="DATE",
        help="first day of the period, e.g. 2026-04-01 or 01/04/2026 (default: the fund's start)",
    )
    exp_statement.add_argument(
        "--to", dest="end", type=_cli_date, metavar="DATE", help="last day (default: today)"
    )
    exp_payments = exp_sub.add_parser(
        "payments", help="a hardship fund's payments to members to .xlsx or .pdf, with the total"
    )
    _fund_option(exp_payments)
    exp_payments.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.pdf")
    exp_payments.add_argument(
        "--anonymised",
        action="store_true",
        help="members as Member 001, Member 002… and no membership numbers",
    )
    exp_audit = exp_sub.add_parser(
        "audit", help="the audit log to .xlsx, newest first: who did what, to which record, when"
    )
    exp_audit.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    exp_audit.add_argument(
        "--from", dest="start", type=_cli_date, metavar="DATE", help="first day, e.g. 2026-04-01"
    )
    exp_audit.add_argument("--to", dest="end", type=_cli_date, metavar="DATE", help="last day")
    # Its own dest: --officer before the command is who signs in.
    exp_audit.add_argument(
        "--officer", dest="only_officer", default="", metavar="NAME", help="only this officer"
    )
    add_export_sar(exp_sub)

    backup = sub.add_parser(
        "backup",
        help="write a checked backup of the database: to FILE, or without --out into the "
        "backups folder, kept by the rotation (7 daily, 5 weekly, 12 monthly)",
    )
    backup.add_argument("--out", type=Path, metavar="FILE")

    restore = sub.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file", type=Path, metavar="FILE")

    drill = sub.add_parser(
        "restore-drill",
        help="restore the newest backup (or --backup FILE) into a temporary copy, check it and "
        "compare it with the database; the database is not changed",
    )
    drill.add_argument("--backup", type=Path, metavar="FILE")

    sub.add_parser("check", help="check the database; exit status 1 on a problem")

    lst = sub.add_parser("list", help="print a list as CSV")
    lst_sub = lst.add_subparsers(dest="what", metavar="WHAT", required=True)
    lst_members = lst_sub.add_parser("members", help="members (the layout import reads back)")
    lst_members.add_argument("--search", default="", metavar="TEXT")
    lst_cases = lst_sub.add_parser("cases", help="cases, newest first")
    lst_cases.add_argument(
        "--status",
        default="",
        choices=CASE_STATUS_CHOICES,
        metavar="S",
        help="open, closed or a stage: " + ", ".join(CASE_STATUS_CHOICES[2:]),
    )
    lst_cases.add_argument("--rep", default="", metavar="NAME", help="the rep or second rep")
    lst_cases.add_argument(
        "--type",
        dest="case_type",
        default="",
        choices=CASE_TYPE_CHOICES,
        metavar="T",
        help=", ".join(CASE_TYPE_CHOICES),
    )
    lst_cases.add_argument("--search", default="", metavar="TEXT")
    lst_contracts = lst_sub.add_parser(
        "contracts", help="contracts by how soon the council must decide their future"
    )
    lst_contracts.add_argument(
        "--ending-within",
        type=int,
        metavar="MONTHS",
        help="only those whose decision point falls within this many months",
    )
    lst_claims = lst_sub.add_parser(
        "claims",
        help="negotiating claims, newest first; with --fund, a hardship fund's claims instead",
    )
    lst_claims.add_argument(
        "--status",
        default="",
        choices=CLAIM_STATUS_CHOICES + HARDSHIP_STATUS_CHOICES,
        metavar="S",
        help=", ".join(CLAIM_STATUS_CHOICES)
        + "; with --fund: "
        + ", ".join(HARDSHIP_STATUS_CHOICES),
    )
    lst_claims.add_argument(
        "--fund",
        metavar="NAME",
        help="list this hardship fund's claims (oldest first) instead of negotiating claims",
    )
    lst_sub.add_parser("funds", help="hardship funds with their claims, entries and balance")
    lst_ledger = lst_sub.add_parser(
        "ledger", help="a hardship fund's ledger in the order entries were recorded"
    )
    _fund_option(lst_ledger)
    return parser


def _db_spec(args: argparse.Namespace) -> str | None:
    if args.demo:
        from branchdesk.settings import demo_database_path

        return str(demo_database_path())
    return args.db


def _fail(message: str, status: int = EXIT_BAD_INPUT) -> NoReturn:
    print(f"branchdesk: {message}", file=sys.stderr)
    raise SystemExit(status)


# Smoke runs of a built bundle (packaging/build_bundle.py): open the window, then quit by
# itself after this many seconds, as if closed; exit status 0 when that went cleanly.
QUIT_AFTER_VARIABLE = "BRANCHDESK_QUIT_AFTER_SECONDS"
# With the above: a PNG of the window as it was on quitting, to look at what the bundle drew.
SCREENSHOT_VARIABLE = "BRANCHDESK_SCREENSHOT"


def _quit_after_seconds() -> float | None:
    text = os.environ.get(QUIT_AFTER_VARIABLE, "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 3600:
        _fail(f"{QUIT_AFTER_VARIABLE} must be a number of seconds between 0 and 3600, not {text!r}")
    return seconds


def _ensure_output_streams() -> None:
    """A windowed program on Windows (the bundle's branchdesk-gui.exe, the branchdesk-gui
    script) has no console: sys.stdout and sys.stderr are None, and the first print or log
    line would fail. Such output goes nowhere instead."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main(argv: Sequence[str] | None = None) -> int:
    _ensure_output_streams()
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from sqlalchemy.exc import DBAPIError

    from branchdesk.store.errors import StoreError

    if args.command is None:
        seconds = _quit_after_seconds()
        from branchdesk.app import run_gui

        return run_gui(
            _db_spec(args),
            argv=sys.argv[:1],
            demo=args.demo,
            close_after=seconds,
            screenshot=os.environ.get(SCREENSHOT_VARIABLE) if seconds is not None else None,
        )

    try:
        return _run(args)
    except BrokenPipeError:
        # The reader went away (`branchdesk list members | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UsageError, SignInError, StoreError, ValueError, OSError) as exc:
        _fail(str(exc))
    except DBAPIError as exc:
        # The driver's own words only: the statement's values could be members' details.
        _fail(f"database error: {exc.orig}", EXIT_PROBLEM)
    except KeyboardInterrupt:
        _fail("interrupted; nothing from the unfinished command was saved", 130)


# How each command opens the database: "create" makes and upgrades it if need be; "existing"
# upgrades one that is there; "as-is" reads it without upgrading (it may be damaged).
_OPENING = {
    "demo": "create",
    "import": "create",
    "list": "existing",
    "export": "existing",
    "backup": "as-is",
    "officer": "existing",
    "sar": "existing",
    "retention": "existing",
    "encrypt": "existing",
}


# The files each export can write, by sub-command (the first is named first in messages).
_EXPORT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "members": (".xlsx", ".pdf"),
    "cases": (".xlsx", ".pdf"),
    "case-summary": (".pdf",),
    "caseload": (".pdf", ".xlsx"),
    "deadlines": (".ics",),
    "claim": (".pdf", ".xlsx"),
    "claims": (".xlsx",),
    "contracts": (".xlsx",),
    "outsourcing-briefing": (".pdf",),
    "ledger": (".xlsx",),
    "statement": (".pdf",),
    "payments": (".xlsx", ".pdf"),
    "audit": (".xlsx",),
}


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse bad arguments before any database is opened or created."""
    if args.command == "import" and args.what == "contracts":
        suffix = args.file.suffix.lower()
        if suffix == ".csv":
            from branchdesk.members.importer import ImportRefused
            from branchdesk.outsourcing.csv_import import check_contracts_csv

            args.contract_plan = check_contracts_csv(args.file)
            for warning in args.contract_plan.warnings:
                print(f"branchdesk: warning: {args.file}: {warning}", file=sys.stderr)
            if not args.contract_plan.ok:
                raise UsageError(str(ImportRefused(args.contract_plan)))
        elif suffix == ".json":
            from branchdesk.outsourcing.ocds import read_ocds

            # Read and checked whole before the database is opened; OcdsRefused names the
            # problem.
            args.ocds = read_ocds(args.file)
        else:
            raise UsageError(
                f"{args.file.name}: choose a file ending in .json (OCDS) or .csv (the branch's "
                "own list)"
            )
    elif args.command == "import" and args.what == "survey":
        from branchdesk.demands.survey import SurveyRefused, read_survey

        try:
            args.survey = read_survey(args.file)
        except SurveyRefused as exc:
            raise UsageError(str(exc)) from exc
        for warning in args.survey.warnings:
            print(f"branchdesk: warning: {args.file}: {warning}", file=sys.stderr)
    elif args.command == "import" and args.what == "bank":
        from branchdesk.hardship.bankfiles import KNOWN_PROFILES, read_statement

        known = {p.name.casefold(): p for p in KNOWN_PROFILES}
        if args.profile is None or args.profile.strip().casefold() in known:
            # Read and checked whole before the database is opened (a saved layout needs the
            # database, so a file read with one is checked when it is imported).
            profile = known.get(args.profile.strip().casefold()) if args.profile else None
            try:
                read_statement(args.file, profile)
            except ValueError as exc:
                raise UsageError(_not_imported(args.file, exc)) from exc
    elif args.command == "import":
        from branchdesk.members.importer import ImportRefused, check_members_csv

        # The whole file is checked before the database is even opened.
        args.plan = check_members_csv(args.file)
        for warning in args.plan.warnings:
            print(f"branchdesk: warning: {args.file}: {warning}", file=sys.stderr)
        if not args.plan.ok:
            raise UsageError(str(ImportRefused(args.plan)))
    if args.command == "export" and args.what == "sar":
        check_sar_folder(args)  # a folder, not a file: new or empty
    elif args.command == "export":
        allowed = _EXPORT_SUFFIXES.get(args.what, (".xlsx", ".pdf"))
        if args.out.suffix.lower() not in allowed:
            raise UsageError(f"{args.out.name}: choose a file ending in {' or '.join(allowed)}")
    if args.command == "restore" and not _encrypted(_db_spec(args)):
        # (An encrypted database's backup is checked with its key, once that is unlocked.)
        from branchdesk.store.backup import check_backup_file

        check_backup_file(args.file)


def _encrypted(spec: str | None) -> bool:
    from branchdesk.access.encryption import needs_key

    return needs_key(spec)


def _existing_sqlite(spec: str | None, demo: bool) -> None:
    """A command that reads a database refuses a SQLite path with nothing there (a typo)."""
    from branchdesk.store.database import resolve_url

    url = resolve_url(spec)
    if not demo and url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        raise UsageError(f"no database at {url.database}")


def _run(args: argparse.Namespace) -> int:
    from branchdesk.cli_access import forget_typed_passwords
    from branchdesk.settings import Preferences

    forget_typed_passwords()
    from branchdesk.store.database import connect, open_database

    _check_arguments(args)
    prefs = Preferences()
    spec = _db_spec(args)
    _refuse_unsafe_location(spec, args)
    if args.command == "recover":
        return run_recover(spec, args)
    if args.command == "officer" and args.what == "setup" and args.encrypt:
        return setup_encrypted(spec, args)
    key = unlock_key(spec, args)
    if args.command == "restore":
        return _cmd_restore(spec, args, prefs, key)
    if args.command == "restore-drill":
        return _cmd_restore_drill(spec, args, prefs, key)
    if args.command == "check":
        return _cmd_check(spec, args, prefs, key)
    mode = _OPENING[args.command]
    if args.command == "import" and args.what == "bank":
        mode = "existing"  # a statement goes into a fund that must already be there
    if args.command == "officer" and args.what == "setup":
        mode = "create"
    if mode != "create":
        _existing_sqlite(spec, args.demo)
    existed = _sqlite_file(spec) is not None
    with _damage_advice(spec, args, prefs, key):
        if mode == "as-is":
            db = connect(spec, officer=prefs.officer_name, key=key)
        else:
            db = open_database(spec, officer=prefs.officer_name, key=key)
    if existed:
        _daily_backup(db, args, prefs)
    try:
        if args.command != "backup":
            sign_in_for_command(db, args)
        if args.demo and args.command != "demo":
            from branchdesk.demo import ensure_demo

            ensure_demo(db)
        return _COMMANDS[args.command](db, args, prefs)
    finally:
        db.dispose()


def _sqlite_file(spec: str | None) -> Path | None:
    """The SQLite file the command works on, if it is one and is there."""
    from branchdesk.store.database import resolve_url

    url = resolve_url(spec)
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    path = Path(url.database)
    return path if path.is_file() else None


# Commands that may still run on a file in a sync folder or on a network drive: they only
# read it, and `backup --out` is the safe way to copy it somewhere else.
_ALLOWED_IN_UNSAFE_PLACES = {"backup", "check", "restore-drill"}


def _refuse_unsafe_location(spec: str | None, args: argparse.Namespace) -> None:
    from branchdesk.store.database import resolve_url
    from branchdesk.store.location import refuse_unsafe_location

    url = resolve_url(spec)
    if url.get_backend_name() == "sqlite" and url.database:
        if args.command in _ALLOWED_IN_UNSAFE_PLACES:
            return
        refuse_unsafe_location(url.database)


def _restore_command(args: argparse.Namespace, spec: str | None) -> Callable[[Path], str]:
    """The command line that restores the database in use from a given backup file."""
    import shlex
    import subprocess

    path = _sqlite_file(spec)
    where = ["--demo"] if args.demo else (["--db", str(path or spec)] if spec else [])

    def command(backup: Path) -> str:
        words = ["branchdesk", *where, "restore", str(backup)]
        return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)

    return command


@contextlib.contextmanager
def _damage_advice(
    spec: str | None, args: argparse.Namespace, prefs: Preferences, key: bytes | None = None
) -> Iterator[None]:
    """A damaged database stops the command, with the newest good backup and how to restore it."""
    from branchdesk.store.errors import DatabaseDamaged

    try:
        yield
    except DatabaseDamaged as exc:
        path = _sqlite_file(spec)
        if path is None:
            raise
        from branchdesk.store.drill import recovery_advice
        from branchdesk.store.schedule import backups_folder

        folder = backups_folder(path, prefs.get("backup_folder"))
        advice = recovery_advice(path, folder, _restore_command(args, spec), key)
        _fail(f"{exc}\n{advice}", EXIT_PROBLEM)


def _daily_backup(db: Database, args: argparse.Namespace, prefs: Preferences) -> None:
    """Today's backup, at the first command of the day; a failure is reported, not fatal."""
    from branchdesk.settings import is_demo_database
    from branchdesk.store import sqlfile
    from branchdesk.store.errors import StoreError
    from branchdesk.store.schedule import backups_folder, take_daily_backup

    if db.path is None or args.command in ("backup", "demo") or is_demo_database(db.path):
        return
    try:
        folder = backups_folder(db.path, prefs.get("backup_folder"))
        taken = take_daily_backup(db.path, folder, key=db.key)
    except (StoreError, OSError, *sqlfile.DatabaseError) as exc:  # a full disk, a locked file…
        print(f"branchdesk: warning: today's backup could not be taken: {exc}", file=sys.stderr)
        return
    if taken is not None:
        print(f"branchdesk: today's backup written to {taken} and checked", file=sys.stderr)


def _cmd_demo(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.demo import fill_demo

    counts = fill_demo(db, args.size, args.seed)
    summary = ", ".join(f"{n:,} {kind}" for kind, n in counts.items())
    print(f"demo branch written to {db.display_name}: {summary}")
    return 0


def _cmd_import(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    if args.what == "contracts" and hasattr(args, "contract_plan"):
        from branchdesk.outsourcing.csv_import import apply_contracts_plan

        created = apply_contracts_plan(db, args.contract_plan).created
        print(f"{args.file}: {created:,} contracts added")
        return 0
    if args.what == "contracts":
        from branchdesk.outsourcing.service import import_records

        result = import_records(db, args.ocds.records)
        for warning in [*args.ocds.warnings, *result.warnings][:50]:
            print(f"branchdesk: warning: {args.file}: {warning}", file=sys.stderr)
        print(
            f"{args.file}: {result.created:,} contracts added, {result.updated:,} updated, "
            f"{result.unchanged:,} unchanged"
        )
        return 0
    if args.what == "bank":
        return _import_bank(db, args)
    if args.what == "survey":
        from branchdesk.demands.service import claim_id_by_reference, store_survey

        claim_id = claim_id_by_reference(db, args.claim)
        if claim_id is None:
            raise UsageError(f"no claim with the reference {args.claim.strip()!r}")
        store_survey(db, claim_id, args.name, args.survey)
        questions = len(args.survey.questions)
        print(
            f"{args.file}: {args.survey.respondents:,} responses to {questions} questions "
            f"kept with claim {args.claim.strip().upper()}"
        )
        return 0
    from branchdesk.members.importer import apply_plan

    result = apply_plan(db, args.plan)
    print(
        f"{args.file}: {result.created:,} members added, {result.updated:,} updated, "
        f"{result.unchanged:,} unchanged"
    )
    return 0


def _cmd_export(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    # Every export is a disclosure: each branch records it once the file is written.
    from branchdesk.store.audit import record_export

    if args.what == "sar":
        return export_sar_command(db, args, prefs)
    if args.what == "cases":
        from branchdesk.casework.listing import CaseFilter
        from branchdesk.casework.reports import export_cases

        case_filter = CaseFilter(status=args.status, case_type=args.case_type, rep=args.rep)
        count = export_cases(db, args.out, case_filter, prefs.branch_name)
        record_export(db, "cases", args.out, count)
        print(f"{count:,} cases exported to {args.out}")
        return 0
    if args.what == "case-summary":
        from datetime import date

        from branchdesk.casework.reports import export_case_summary
        from branchdesk.casework.service import case_id_by_reference

        case_id = case_id_by_reference(db, args.case)
        if case_id is None:
            raise UsageError(f"no case with the reference {args.case.strip()!r}")
        export_case_summary(
            db, case_id, args.out, prefs.branch_name, date.today(), args.include_confidential
        )
        record_export(db, "case-summary", args.out, record_id=case_id)
        print(f"summary of {args.case.strip().upper()} written to {args.out}")
        return 0
    if args.what == "caseload":
        from datetime import date

        from branchdesk.casework.reports import export_caseload

        load = export_caseload(db, args.out, prefs.branch_name, date.today())
        record_export(db, "caseload", args.out, load.open_total)
        print(f"caseload report ({load.open_total:,} open cases) written to {args.out}")
        return 0
    if args.what in ("claim", "claims"):
        from datetime import date

        from branchdesk.demands.reports import export_claim_pack, export_claims
        from branchdesk.demands.service import claim_id_by_reference

        if args.what == "claims":
            count = export_claims(db, args.out, prefs.branch_name)
            record_export(db, "claims", args.out, count)
            print(f"{count:,} claims exported to {args.out}")
            return 0
        claim_id = claim_id_by_reference(db, args.claim)
        if claim_id is None:
            raise UsageError(f"no claim with the reference {args.claim.strip()!r}")
        export_claim_pack(db, claim_id, args.out, prefs.branch_name, date.today())
        record_export(db, "claim", args.out, record_id=claim_id)
        print(f"negotiation pack for {args.claim.strip().upper()} written to {args.out}")
        return 0
    if args.what in ("contracts", "outsourcing-briefing"):
        from datetime import date

        from branchdesk.outsourcing.reports import export_briefing, export_contracts

        notice = prefs.get("notice_months")
        if args.what == "contracts":
            count = export_contracts(db, args.out, prefs.branch_name, date.today(), notice)
            record_export(db, "contracts", args.out, count)
            print(f"{count:,} contracts exported to {args.out}")
            return 0
        export_briefing(db, args.out, prefs.branch_name, date.today(), notice, args.authority)
        record_export(db, "outsourcing-briefing", args.out)
        print(f"outsourcing briefing written to {args.out}")
        return 0
    if args.what in ("ledger", "statement", "payments"):
        return _export_hardship(db, args, prefs)
    if args.what == "audit":
        return _export_audit(db, args, prefs)
    if args.what == "deadlines":
        from datetime import date

        from branchdesk.casework.calendar import export_deadlines_ics

        count = export_deadlines_ics(db, args.out, date.today(), rep=args.rep)
        record_export(db, "deadlines", args.out, count)
        print(f"{count:,} deadlines written to {args.out}")
        return 0
    from branchdesk.members.reports import export_members

    count = export_members(db, args.out, search=args.search, branch_name=prefs.branch_name)
    record_export(db, "members", args.out, count)
    print(f"{count:,} members exported to {args.out}")
    return 0


def _cmd_backup(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.store.backup import backup_database

    if args.out is not None:
        out = backup_database(db, args.out)
        print(f"backup written to {out} and checked")
        return 0
    from branchdesk.store.backup import require_sqlite
    from branchdesk.store.schedule import (
        KEEP_DAILY,
        KEEP_MONTHLY,
        KEEP_WEEKLY,
        backups_folder,
        scheduled_backups,
        take_backup,
    )

    path = require_sqlite(db)
    folder = backups_folder(path, prefs.get("backup_folder"))
    out = take_backup(path, folder, key=db.key)
    kept = len(scheduled_backups(path, folder))
    print(
        f"backup written to {out} and checked; {kept} {'backup' if kept == 1 else 'backups'} "
        f"kept in {folder} (the newest of each of the last {KEEP_DAILY} days, {KEEP_WEEKLY} "
        f"weeks and {KEEP_MONTHLY} months)"
    )
    return 0


def _cmd_restore(
    spec: str | None, args: argparse.Namespace, prefs: Preferences, key: bytes | None = None
) -> int:
    from branchdesk.store.database import resolve_url
    from branchdesk.store.restore import restore_and_reopen

    url = resolve_url(spec)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UsageError("a shared PostgreSQL database is restored on the server (pg_restore)")
    db, kept = restore_and_reopen(url.database, args.file, prefs.officer_name, key)
    db.dispose()
    print(f"restored {url.database} from {args.file}")
    if kept is not None:
        print(f"the database as it was before is kept in {kept}")
    return 0


def _cmd_restore_drill(
    spec: str | None, args: argparse.Namespace, prefs: Preferences, key: bytes | None = None
) -> int:
    from branchdesk.store.database import resolve_url
    from branchdesk.store.drill import backup_file, newest_backup, run_drill
    from branchdesk.store.schedule import backups_folder

    url = resolve_url(spec)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UsageError(
            "a shared PostgreSQL database is backed up and restored on the server (pg_dump, "
            "pg_restore): there is no BranchDesk backup of it to drill"
        )
    path = Path(url.database)
    if args.backup is not None:
        if not args.backup.is_file():
            raise UsageError(f"{args.backup}: no such backup file")
        backup = backup_file(args.backup.expanduser().resolve())
    else:
        backup = newest_backup(path, backups_folder(path, prefs.get("backup_folder")))
    print(f"restoring {backup.path} into a temporary copy and checking it…", file=sys.stderr)
    result = run_drill(path, backup, extra_checks=_ledger_problems, key=key)
    print(result.summary())
    return 0 if result.passed else EXIT_PROBLEM


def _cmd_check(
    spec: str | None, args: argparse.Namespace, prefs: Preferences, key: bytes | None = None
) -> int:
    from branchdesk.store.check import run_checks
    from branchdesk.store.database import connect
    from branchdesk.store.errors import DatabaseDamaged

    _existing_sqlite(spec, args.demo)
    try:
        db = connect(spec, officer=prefs.officer_name, key=key)
    except DatabaseDamaged as exc:
        from branchdesk.store.drill import recovery_advice
        from branchdesk.store.schedule import backups_folder

        print(f"problem: {exc}")
        path = _sqlite_file(spec)
        if path is not None:
            folder = backups_folder(path, prefs.get("backup_folder"))
            print(recovery_advice(path, folder, _restore_command(args, spec), key))
        return EXIT_PROBLEM
    # The check reads the file as a whole, as any program with the file could: no role applies.
    db.sign_in_required = False
    try:
        problems = run_checks(db)
        problems += _ledger_problems(db)
        path = _sqlite_file(spec)
        if path is not None:
            from branchdesk.store.audit_tail import log_end_problems
            from branchdesk.store.schedule import backups_folder, restore_candidates

            folder = backups_folder(path, prefs.get("backup_folder"))
            problems += log_end_problems(db, restore_candidates(path, folder))
    finally:
        db.dispose()
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        return EXIT_PROBLEM
    print(f"{db.display_name}: all checks passed")
    return 0


def _cmd_list(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    # UTF-8 and bare line feeds on every platform, so the output imports back unchanged.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", newline="")
    if args.what == "contracts":
        from branchdesk.outsourcing.export_csv import write_contracts_csv

        if args.ending_within is not None and not 0 <= args.ending_within <= 600:
            raise UsageError("--ending-within takes a number of months from 0 to 600")
        write_contracts_csv(sys.stdout, db, prefs.get("notice_months"), args.ending_within)
    elif args.what == "claims" and args.fund is not None:
        from branchdesk.hardship.reports import write_fund_claims_csv

        if args.status and args.status not in HARDSHIP_STATUS_CHOICES:
            raise UsageError(
                f"'{args.status}' is not a hardship claim status: choose from "
                + ", ".join(HARDSHIP_STATUS_CHOICES)
            )
        write_fund_claims_csv(sys.stdout, db, _fund_id(db, args.fund), args.status)
    elif args.what == "claims":
        from branchdesk.demands.export_csv import write_claims_csv

        if args.status and args.status not in CLAIM_STATUS_CHOICES:
            raise UsageError(
                f"'{args.status}' is not a negotiating claim's status (for a hardship fund's "
                "claims give --fund): choose from " + ", ".join(CLAIM_STATUS_CHOICES)
            )
        write_claims_csv(sys.stdout, db, args.status)
    elif args.what == "funds":
        from branchdesk.hardship.reports import write_funds_csv

        write_funds_csv(sys.stdout, db)
    elif args.what == "ledger":
        from branchdesk.hardship.reports import write_ledger_csv

        write_ledger_csv(sys.stdout, db, _fund_id(db, args.fund))
    elif args.what == "cases":
        from branchdesk.casework.export_csv import write_cases_csv
        from branchdesk.casework.listing import CaseFilter, CaseListing

        case_filter = CaseFilter(status=args.status, case_type=args.case_type, rep=args.rep)
        write_cases_csv(sys.stdout, CaseListing(db, case_filter), args.search)
    else:
        from branchdesk.members.csvformat import write_csv
        from branchdesk.members.export_csv import member_csv_rows

        write_csv(sys.stdout, member_csv_rows(db, args.search))
    sys.stdout.flush()
    return 0


# --------------------------------------------------------------------------------------------
# The hardship fund


def _fund_id(db: Database, name: str) -> int:
    """The fund called `name`; a UsageError naming it and the funds there are otherwise."""
    from branchdesk.hardship.funds import fund_id_by_name, fund_names

    fund_id = fund_id_by_name(db, name)
    if fund_id is not None:
        return fund_id
    names = [n for _, n in fund_names(db)]
    there = (
        "the funds are: " + ", ".join(repr(n) for n in names)
        if names
        else "there are no hardship funds yet"
    )
    raise UsageError(f"no hardship fund called {name.strip()!r}; {there}")


def _not_imported(path: Path, exc: Exception) -> str:
    message = str(exc)
    if "nothing was imported" not in message.lower():
        message += "\nNothing was imported."
    return f"{path}: {message}"


def _bank_profile(db: Database, name: str | None):  # type: ignore[no-untyped-def]
    from branchdesk.hardship.bankfiles import KNOWN_PROFILES
    from branchdesk.hardship.reconcile import saved_profiles

    if name is None:
        return None
    profiles = {p.name.casefold(): p for p in (*KNOWN_PROFILES, *saved_profiles(db))}
    found = profiles.get(name.strip().casefold())
    if found is None:
        raise UsageError(
            f"no CSV layout called {name.strip()!r}; the layouts are: "
            + ", ".join(repr(p.name) for p in profiles.values())
        )
    return found


def _import_bank(db: Database, args: argparse.Namespace) -> int:
    from branchdesk.hardship.reconcile import import_statement

    fund_id = _fund_id(db, args.fund)
    profile = _bank_profile(db, args.profile)
    try:
        result = import_statement(db, fund_id, args.file, profile)
    except ValueError as exc:  # BankFileError, StatementRefused
        raise UsageError(_not_imported(args.file, exc)) from exc
    for warning in result.warnings[:50]:
        print(f"branchdesk: warning: {args.file}: {warning}", file=sys.stderr)
    print(
        f"{args.file}: {result.imported:,} lines imported, {result.already_imported:,} "
        f"skipped (imported before), {result.matched:,} matched automatically"
    )
    return 0


def _export_hardship(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.hardship import reports
    from branchdesk.store.audit import record_export

    fund_id = _fund_id(db, args.fund)
    if args.what == "ledger":
        count = reports.write_ledger_xlsx(
            db, fund_id, args.out, args.anonymised, branch_name=prefs.branch_name
        )
        record_export(db, "ledger", args.out, count, record_id=fund_id, anonymised=args.anonymised)
        which = "anonymised ledger" if args.anonymised else "ledger"
        print(f"{which} of {count:,} entries written to {args.out}")
    elif args.what == "statement":
        figures = reports.write_statement_pdf(
            db, fund_id, args.out, args.start, args.end, branch_name=prefs.branch_name
        )
        record_export(db, "statement", args.out, record_id=fund_id)
        print(
            f"income and expenditure statement for {figures.start:%d/%m/%Y} to "
            f"{figures.end:%d/%m/%Y} (closing balance {figures.closing}) written to {args.out}"
        )
    else:
        count = reports.write_payments(
            db, fund_id, args.out, args.anonymised, branch_name=prefs.branch_name
        )
        record_export(
            db, "payments", args.out, count, record_id=fund_id, anonymised=args.anonymised
        )
        print(f"{count:,} payments written to {args.out}")
    return 0


def _export_audit(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.exports.audit_log import export_audit
    from branchdesk.store.audit import record_export
    from branchdesk.store.audit_view import AuditFilter, officers_in_log

    audit_filter = AuditFilter(officer=args.only_officer, start=args.start, end=args.end)
    problem = audit_filter.problem()
    if problem:
        raise UsageError(problem)
    if args.only_officer.strip():
        names = officers_in_log(db)
        if args.only_officer.strip().casefold() not in {n.casefold() for n in names}:
            raise UsageError(
                f"no entries by an officer called {args.only_officer.strip()!r}; the log names: "
                + ", ".join(repr(n) for n in names)
            )
    count = export_audit(db, args.out, audit_filter, branch_name=prefs.branch_name)
    record_export(db, "audit", args.out, count)
    print(f"{count:,} audit log entries ({audit_filter.describe()}) written to {args.out}")
    return 0


def _ledger_problems(db: Database) -> list[str]:
    """Every hardship fund's ledger re-added and cross-checked (`store` cannot import a
    register, so the check is run from here)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    from branchdesk.hardship.ledger import check_all_funds
    from branchdesk.store.errors import StoreError

    try:
        if not inspect(db.engine).has_table("ledger_entries"):
            return []  # an older schema: upgraded (and then checked) when next opened
        return check_all_funds(db)
    except (DBAPIError, StoreError) as exc:
        return [f"the hardship fund ledgers cannot be read: {getattr(exc, 'orig', exc)}"]


_COMMANDS = {
    "demo": _cmd_demo,
    "import": _cmd_import,
    "export": _cmd_export,
    "backup": _cmd_backup,
    "restore": _cmd_restore,
    "check": _cmd_check,
    "list": _cmd_list,
    "officer": run_officer_command,
    "sar": run_sar_command,
    "retention": run_retention_command,
    "encrypt": run_encrypt,
}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
