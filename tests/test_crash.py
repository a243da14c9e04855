"""A member import killed with SIGKILL part-way leaves all of the file's rows or none."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from branchdesk.cli import main
from branchdesk.store.database import open_database

ROWS = 20_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]


def _big_csv(path: Path) -> None:
    lines = ["Membership number,Last name,First name,Employer,Workplace,Department,Notes"]
    lines += [
        f"K{n:06d},Surname{n},Given{n},Employer {n % 7} (demo),Site {n % 31},Dept {n % 13},"
        f'"A note, with a comma, for member {n}"'
        for n in range(ROWS)
    ]
    path.write_text("\n".join(lines) + "\n")


def _import(db: Path, csv_file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "branchdesk", "--db", str(db), "import", "members", str(csv_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_imports_leave_all_or_nothing(tmp_path: Path) -> None:
    csv_file = tmp_path / "big.csv"
    _big_csv(csv_file)
    # How long one whole import takes here, so the kills land all through it.
    started = time.monotonic()
    assert _import(tmp_path / "timing.sqlite3", csv_file).wait(300) == 0
    full = time.monotonic() - started

    rng = random.Random(20261123)
    outcomes = {0: 0, ROWS: 0}
    killed_while_writing = 0
    for attempt in range(12):
        db = tmp_path / f"killed-{attempt}.sqlite3"
        # A migrated, empty database first, so every kill lands in the import itself.
        open_database(db).dispose()
        process = _import(db, csv_file)
        time.sleep(rng.uniform(0.05, full * 1.1))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        # Closing the empty database removed its WAL: one now means the import was writing.
        wal = Path(f"{db}-wal")
        was_writing = wal.exists() and wal.stat().st_size > 0

        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count = conn.execute("SELECT count(*) FROM members").fetchone()[0]
            audited = conn.execute(
                "SELECT count(*) FROM audit_log WHERE table_name = 'members'"
            ).fetchone()[0]
        finally:
            conn.close()
        assert count in outcomes, f"attempt {attempt}: {count} of {ROWS} rows survived"
        assert audited == count  # the audit rows went in the same transaction
        outcomes[count] += 1
        if was_writing and count == 0:
            killed_while_writing += 1
        assert main(["--db", str(db), "check"]) == 0
    # The test is pointless unless some kills landed inside the write transaction itself.
    assert killed_while_writing >= 1, outcomes
