"""What encryption at rest costs, on a copy of a large demo database, printed as JSON.

    .venv/bin/branchdesk --db /tmp/large.sqlite3 demo --size large
    .venv/bin/python benchmarks/encryption.py /tmp/large.sqlite3

The same steps run on the plain copy and then, after converting it, on the encrypted one:
opening and signing in, the first page of members (all ids, sorted, then 200 rows), a search,
the first page of a hardship fund's ledger, the damage check at open, the daily backup and the
restore drill. The conversion itself is timed too. The file given is only read. Nothing is
asserted.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from branchdesk.access import encryption, officers  # noqa: E402
from branchdesk.hardship.demo import FUND_NAME  # noqa: E402
from branchdesk.hardship.funds import fund_id_by_name  # noqa: E402
from branchdesk.hardship.listing import LedgerListing  # noqa: E402
from branchdesk.members.listing import MemberListing  # noqa: E402
from branchdesk.store import damage  # noqa: E402
from branchdesk.store.database import Database, open_database  # noqa: E402
from branchdesk.store.drill import newest_backup, run_drill  # noqa: E402
from branchdesk.store.schedule import take_backup  # noqa: E402

NAME, PASSWORD = "Bench Secretary", "benchmark password"


def _seconds(fn: Callable[[], Any], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return round(best, 4)


def _pages(db: Database) -> dict[str, float]:
    members = MemberListing(db)
    fund = fund_id_by_name(db, FUND_NAME)
    assert fund is not None
    ledger = LedgerListing(db, fund)
    return {
        "members_first_page_s": _seconds(
            lambda: members.rows(members.ids(sort_key="last_name")[:200])
        ),
        "members_search_s": _seconds(lambda: members.rows(members.ids(search="smith")[:200])),
        "ledger_first_page_s": _seconds(lambda: ledger.rows(ledger.ids()[:200])),
    }


def _files(path: Path, db: Database, folder: Path) -> dict[str, float]:
    backups = folder / f"backups-{path.stem}"
    figures = {
        "check_at_open_s": _seconds(lambda: damage.check_at_open(path, key=db.key), runs=1),
        "daily_backup_s": _seconds(lambda: take_backup(path, backups, key=db.key), runs=1),
    }
    figures["restore_drill_s"] = _seconds(
        lambda: run_drill(path, newest_backup(path, backups), key=db.key), runs=1
    )
    return figures


def main(source: Path) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="branchdesk-encryption-bench-"))
    path = folder / "bench.sqlite3"
    src = sqlite3.connect(damage.read_only_uri(source), uri=True)
    dst = sqlite3.connect(path)
    src.backup(dst)
    dst.close()
    src.close()
    figures: dict[str, Any] = {"file_mb": round(path.stat().st_size / 2**20, 1)}

    db = open_database(path)
    officers.create_first_officer(db, NAME, PASSWORD)
    db.dispose()

    def open_plain() -> Database:
        opened = open_database(path)
        officers.sign_in(opened, NAME, PASSWORD)
        return opened

    figures["plain_open_and_sign_in_s"] = _seconds(lambda: open_plain().dispose())
    db = open_plain()
    figures["plain"] = {**_pages(db), **_files(path, db, folder)}

    started = time.perf_counter()
    converted = encryption.encrypt_database(db, PASSWORD, [folder / "backups-bench"])
    figures["encrypt_in_place_s"] = round(time.perf_counter() - started, 2)
    converted.db.dispose()

    figures["encrypted_open_and_sign_in_s"] = _seconds(
        lambda: encryption.open_encrypted(path, NAME, PASSWORD).dispose()
    )
    db = encryption.open_encrypted(path, NAME, PASSWORD)
    figures["encrypted"] = {**_pages(db), **_files(path, db, folder)}
    db.dispose()
    shutil.rmtree(folder)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=2))
