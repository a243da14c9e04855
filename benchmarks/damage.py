"""What the damage check at opening, the daily backup and the restore drill cost, as JSON.

    .venv/bin/branchdesk --db /tmp/large.sqlite3 demo --size large
    .venv/bin/python benchmarks/damage.py /tmp/large.sqlite3

Works on a copy (made with the backup API) in a temporary folder; the file given is only read.
"Cold" figures drop the copy from the OS cache first (POSIX_FADV_DONTNEED; Linux only), as
after a restart. Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from branchdesk.store import damage  # noqa: E402
from branchdesk.store.drill import newest_backup, run_drill  # noqa: E402
from branchdesk.store.schedule import take_backup  # noqa: E402


def _evict(path: Path) -> bool:
    if not hasattr(os, "posix_fadvise"):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return True


def _seconds(fn: Callable[[], Any], runs: int = 3, cold: Path | None = None) -> float:
    best = float("inf")
    for _ in range(runs):
        if cold is not None:
            _evict(cold)
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return round(best, 6)


def _pragma(path: Path, pragma: str) -> None:
    conn = sqlite3.connect(damage.read_only_uri(path), uri=True)
    try:
        conn.execute(pragma).fetchall()
    finally:
        conn.close()


def main(source: Path) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="branchdesk-damage-bench-"))
    path = folder / "bench.sqlite3"
    src = sqlite3.connect(damage.read_only_uri(source), uri=True)
    dst = sqlite3.connect(path)
    src.backup(dst)
    dst.close()
    src.close()
    size = path.stat().st_size
    figures: dict[str, Any] = {"file_mb": round(size / 2**20, 1)}
    figures["header_check_s"] = _seconds(lambda: damage.header_problem(path), runs=20)
    figures["quick_check_warm_s"] = _seconds(lambda: _pragma(path, "PRAGMA quick_check"))
    figures["quick_check_cold_s"] = _seconds(lambda: _pragma(path, "PRAGMA quick_check"), cold=path)
    figures["quick_check_cold_prefetched_s"] = _seconds(
        lambda: damage.quick_check_problems(path, prefetch=True), cold=path
    )
    figures["integrity_check_warm_s"] = _seconds(
        lambda: _pragma(path, "PRAGMA integrity_check"), runs=1
    )
    figures["check_at_open_first_of_day_s"] = _seconds(
        lambda: damage.check_at_open(path), runs=1, cold=path
    )
    backups = folder / "backups"
    figures["daily_backup_s"] = _seconds(lambda: take_backup(path, backups), runs=1)
    figures["check_at_open_later_that_day_s"] = _seconds(lambda: damage.check_at_open(path))
    figures["restore_drill_s"] = _seconds(
        lambda: run_drill(path, newest_backup(path, backups)), runs=1
    )
    for leftover in sorted(folder.rglob("*"), reverse=True):
        leftover.unlink() if leftover.is_file() else leftover.rmdir()
    folder.rmdir()
    return figures


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=2))
