"""`branchdesk retention …`: the retention review on the command line (the secretary's).

    branchdesk retention due [--on DATE]           what is due, as CSV
    branchdesk retention apply --all | --ref REF…  erase or anonymise it
        [--second-officer NAME]                    needed for more than one record; the
                                                   password from BRANCHDESK_SECOND_PASSWORD
    branchdesk retention schedule [--cases N] [--members N] [--claims N] [--year-end DD/MM]

Bad input exits with status 2 (a ValueError, which `cli.main` reports as such).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import os
import sys
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from branchdesk.privacy.retention import DueItem, Schedule
    from branchdesk.settings import Preferences
    from branchdesk.store.database import Database

SECOND_PASSWORD_ENV = "BRANCHDESK_SECOND_PASSWORD"
CSV_COLUMNS = (
    "type",
    "reference",
    "member_number",
    "member_name",
    "action",
    "due_since",
    "reason",
)


class RetentionUsageError(ValueError):
    """Bad arguments to a retention command: exit status 2, nothing erased."""


def _day(text: str) -> date:
    from branchdesk.members.csvformat import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_retention_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    retention = sub.add_parser(
        "retention", help="the retention review: what is due for erasure, and erasing it"
    )
    what = retention.add_subparsers(dest="what", metavar="WHAT", required=True)
    listed = what.add_parser("due", help="closed cases, members and claims due, as CSV")
    listed.add_argument(
        "--on", type=_day, metavar="DATE", help="as it will be on this day (default: today)"
    )
    apply = what.add_parser(
        "apply",
        help="erase or anonymise what is due today; more than one record needs a second "
        f"officer (--second-officer NAME, the password from ${SECOND_PASSWORD_ENV})",
    )
    apply.add_argument("--all", action="store_true", help="everything due today")
    apply.add_argument(
        "--ref",
        action="append",
        default=[],
        metavar="REF",
        help="one record due, by the reference `retention due` shows (repeat for more)",
    )
    apply.add_argument("--second-officer", default="", metavar="NAME")
    schedule = what.add_parser(
        "schedule", help="show the retention schedule, or change it (the secretary only)"
    )
    schedule.add_argument("--cases", type=int, metavar="YEARS", help="closed cases kept")
    schedule.add_argument("--members", type=int, metavar="YEARS", help="lapsed members kept")
    schedule.add_argument("--claims", type=int, metavar="YEARS", help="settled claims kept")
    schedule.add_argument(
        "--year-end", metavar="DD/MM", help="the last day of the financial year, e.g. 31/03"
    )


def run_retention_command(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    if args.what == "due":
        return _due(db, args.on or date.today())
    if args.what == "schedule":
        return _schedule(db, args)
    return _apply(db, args)


def _due(db: Database, today: date) -> int:
    from branchdesk.privacy.retention import due

    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", newline="")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(CSV_COLUMNS)
    for item in due(db, today):
        out.writerow(
            [
                item.kind.value,
                item.reference,
                item.member_number,
                # A name typed as "=cmd|…" must not run as a formula if the CSV is opened.
                _plain(item.member_name),
                item.action,
                item.due_since.isoformat(),
                item.reason,
            ]
        )
    sys.stdout.flush()
    return 0


def _plain(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _chosen(items: list[DueItem], args: argparse.Namespace) -> list[DueItem]:
    if args.all and args.ref:
        raise RetentionUsageError("give --all or --ref, not both")
    if not args.all and not args.ref:
        raise RetentionUsageError(
            "say what to erase: --all for everything due, or --ref REF for one record "
            "(see `branchdesk retention due`)"
        )
    if args.all:
        return items
    chosen: list[DueItem] = []
    for ref in args.ref:
        wanted = ref.strip().casefold()
        found = [i for i in items if i.reference.casefold() == wanted]
        if not found:
            raise RetentionUsageError(
                f"{ref.strip()!r} is not due for erasure today (see `branchdesk retention due`)"
            )
        if len(found) > 1:
            raise RetentionUsageError(f"{ref.strip()!r} names more than one record due")
        chosen += [f for f in found if f not in chosen]
    return chosen


def _second_password(name: str, needed: bool) -> str:
    if not needed:
        return ""
    if not name.strip():
        raise RetentionUsageError(
            "erasing more than one record needs a second officer: give --second-officer NAME "
            f"and their password in ${SECOND_PASSWORD_ENV}. Nothing was erased."
        )
    given = os.environ.get(SECOND_PASSWORD_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise RetentionUsageError(
            f"no password for the second officer: set {SECOND_PASSWORD_ENV} or run at a terminal"
        )
    return getpass.getpass(f"Password for {name.strip()} (second officer): ")


def _apply(db: Database, args: argparse.Namespace) -> int:
    from branchdesk.privacy.erasure import erase
    from branchdesk.privacy.retention import due, load_schedule

    today = date.today()
    schedule, _ = load_schedule(db)
    items = _chosen(due(db, today, schedule), args)
    if not items:
        print("nothing is due for erasure today")
        return 0
    password = _second_password(args.second_officer, len(items) > 1)
    result = erase(
        db,
        items,
        today,
        second_officer=args.second_officer,
        second_password=password,
        schedule=schedule,
    )
    print(result.summary())
    return 0


def _schedule(db: Database, args: argparse.Namespace) -> int:
    import dataclasses

    from branchdesk.privacy.retention import load_schedule, save_schedule

    schedule, version = load_schedule(db)
    changes: dict[str, int] = {}
    for option, name in (
        ("cases", "closed_case_years"),
        ("members", "member_years"),
        ("claims", "hardship_claim_years"),
    ):
        value = getattr(args, option)
        if value is not None:
            changes[name] = value
    if args.year_end is not None:
        changes.update(_year_end(args.year_end))
    if changes:
        schedule = dataclasses.replace(schedule, **changes)
        problems = schedule.problems()
        if problems:
            raise RetentionUsageError("; ".join(problems))
        save_schedule(db, schedule, version)
        print("retention schedule saved")
    _print_schedule(schedule)
    return 0


def _year_end(text: str) -> dict[str, int]:
    parts = text.strip().replace("-", "/").split("/")
    try:
        day, month = (int(p) for p in parts)
        date(2001, month, day)
    except ValueError:
        raise RetentionUsageError(
            f"{text!r} is not a day of the year: give it as DD/MM, e.g. 31/03"
        ) from None
    return {"financial_year_end_day": day, "financial_year_end_month": month}


def _print_schedule(schedule: Schedule) -> None:
    print(f"closed cases:            erased {schedule.closed_case_years} years after closing")
    print(f"lapsed and left members: anonymised {schedule.member_years} years after leaving")
    print(
        f"settled hardship claims: anonymised {schedule.hardship_claim_years} years after the "
        "financial year ends"
    )
    end = date(2001, schedule.financial_year_end_month, schedule.financial_year_end_day)
    print(f"financial year ends:     {end:%d %B}")
