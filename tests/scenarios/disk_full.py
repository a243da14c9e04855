"""Run inside a private mount namespace with a small tmpfs at argv[1] (see test_disk_full.py).

Imports members onto a disk that fills part-way, then prints one JSON line with what happened.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import sys
from pathlib import Path

from branchdesk.cli import main

HEADER = "Membership number,Last name,First name,Employer,Workplace,Department,Notes"


def _csv(path: Path, first: int, count: int) -> None:
    rows = [
        f"F{n:06d},Surname{n},Given{n},Employer {n % 7} (demo),Site {n % 31},Dept {n % 13},"
        f'"A long note to fill the disk for member {n}: {"x" * 200}"'
        for n in range(first, first + count)
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n")


def _run(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(list(args))
        except SystemExit as exc:
            status = int(exc.code or 0)
    return status, err.getvalue()


def main_scenario(disk: Path, scratch: Path) -> dict[str, object]:
    db = disk / "branch.sqlite3"
    small, big = scratch / "small.csv", scratch / "big.csv"
    _csv(small, 0, 50)
    _csv(big, 1000, 20_000)
    first = _run("--db", str(db), "import", "members", str(small))
    # Leave the database a little room, far less than the big import needs.
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(free - 256 * 1024, 0))
    second = _run("--db", str(db), "import", "members", str(big))
    filler.unlink()
    conn = sqlite3.connect(db)
    try:
        members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    third = _run("--db", str(db), "check")
    return {
        "first": first[0],
        "second": second[0],
        "second_message": second[1],
        "members": members,
        "integrity": integrity,
        "check": third[0],
    }


if __name__ == "__main__":
    print(json.dumps(main_scenario(Path(sys.argv[1]), Path(sys.argv[2]))))
