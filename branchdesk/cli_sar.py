"""`branchdesk export sar` and `branchdesk sar …`: members' subject access requests.

Kept beside `cli.py` (as `cli_access.py` is) so the main command line only wires them in. The
work is done by `branchdesk.privacy`, which refuses anyone but the branch secretary.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from branchdesk.settings import Preferences
    from branchdesk.store.database import Database


def _cli_date(text: str) -> date:
    from branchdesk.members.csvformat import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_export_sar(exp_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sar = exp_sub.add_parser(
        "sar",
        help="everything held about a member, for their subject access request: a PDF and a "
        "spreadsheet for them, and a list of other people named, to review before release",
    )
    sar.add_argument("--member", required=True, metavar="NUMBER", help="the membership number")
    sar.add_argument(
        "--out", type=Path, required=True, metavar="FOLDER", help="a new or empty folder"
    )
    sar.add_argument(
        "--request",
        type=int,
        metavar="N",
        help="the register's request this answers (see `sar list`); noted on the request",
    )


def add_sar_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sar = sub.add_parser("sar", help="the register of subject access requests (the secretary)")
    what = sar.add_subparsers(dest="what", metavar="WHAT", required=True)
    add = what.add_parser("add", help="log a request; its deadline is one calendar month on")
    add.add_argument("--member", required=True, metavar="NUMBER", help="the membership number")
    add.add_argument(
        "--received", type=_cli_date, metavar="DATE", help="the day it arrived (default: today)"
    )
    add.add_argument("--notes", default="", metavar="TEXT", help="a short note")
    what.add_parser(
        "list", help="every request with its deadline, days left and flags, as CSV, newest first"
    )
    sent = what.add_parser("sent", help="record that the answer was sent to the member")
    sent.add_argument("--id", dest="request_id", type=int, required=True, metavar="N")
    sent.add_argument("--on", type=_cli_date, metavar="DATE", help="the day sent (default: today)")
    extend = what.add_parser(
        "extend", help="allow a complex request 1 or 2 further months (tell the member why)"
    )
    extend.add_argument("--id", dest="request_id", type=int, required=True, metavar="N")
    extend.add_argument("--months", type=int, choices=(1, 2), required=True)
    extend.add_argument("--reason", required=True, metavar="TEXT")
    refuse = what.add_parser("refuse", help="record that a request was refused, and why")
    refuse.add_argument("--id", dest="request_id", type=int, required=True, metavar="N")
    refuse.add_argument("--reason", required=True, metavar="TEXT")


def check_sar_folder(args: argparse.Namespace) -> None:
    """Refuse a folder that already holds files before any database is opened."""
    from branchdesk.privacy.sar import check_folder

    check_folder(args.out.expanduser())


def export_sar_command(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.privacy.sar import export_sar

    result = export_sar(
        db, args.member, args.out, prefs.branch_name, date.today(), request_id=args.request
    )
    print(
        f"subject access export for member {args.member.strip()} written to {result.folder}: "
        f"{result.pdf.name}, {result.xlsx.name}, and {result.review.name} ({result.named} "
        "other people named: review it before release, and do not send it)"
    )
    return 0


def run_sar_command(db: Database, args: argparse.Namespace, prefs: Preferences) -> int:
    from branchdesk.privacy import sar_register as register

    if args.what == "add":
        request_id = register.log_request(db, args.member, args.received, args.notes)
        row = register.get_request(db, request_id)
        print(
            f"request {request_id} from member {row.membership_number} logged, received "
            f"{row.received_on:%d/%m/%Y}: answer by {row.due_on:%d/%m/%Y}"
        )
    elif args.what == "list":
        # UTF-8 and bare line feeds on every platform, as the other lists.
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8", newline="")
        register.write_register_csv(sys.stdout, db)
        sys.stdout.flush()
    elif args.what == "sent":
        register.mark_sent(db, args.request_id, args.on)
        print(f"request {args.request_id} marked sent")
    elif args.what == "extend":
        due = register.extend_request(db, args.request_id, args.months, args.reason)
        print(f"request {args.request_id} extended: answer by {due:%d/%m/%Y}")
    else:
        register.refuse_request(db, args.request_id, args.reason)
        print(f"request {args.request_id} recorded as refused")
    return 0
