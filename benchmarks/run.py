"""Measure BranchDesk on a large demo database and print the figures as JSON.

    .venv/bin/python benchmarks/run.py [--out benchmarks/out] [--keep]

Each figure is printed beside a floor measured in the same run on the same machine (a bare Qt
window, raw sqlite3 inserts, a raw openpyxl write-only loop) and the ratio between them, so the
numbers mean something on a slow PC too. Nothing here is asserted: the targets from the issue
are printed next to the figures for a reader to compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from branchdesk.demo import fill_demo  # noqa: E402
from branchdesk.members.csvformat import write_csv  # noqa: E402
from branchdesk.members.export_csv import member_csv_rows  # noqa: E402
from branchdesk.members.importer import import_members_csv  # noqa: E402
from branchdesk.members.listing import COLUMNS, MemberListing  # noqa: E402
from branchdesk.members.reports import export_members  # noqa: E402
from branchdesk.members.service import get_member, update_member  # noqa: E402
from branchdesk.store.database import Database, open_database  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from casework import casework_figures, casework_window_figures  # noqa: E402
from demands import demands_figures  # noqa: E402
from hardship import hardship_figures  # noqa: E402
from outsourcing import outsourcing_figures, window_figures  # noqa: E402


def rss_mib() -> float:
    """Resident memory now (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median seconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- floors -------------------------------------------------------------------------------------

BARE_WINDOW = r"""
import sys, time
t0 = time.perf_counter()
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget
app = QApplication(sys.argv)
window = QMainWindow()
tabs = QTabWidget()
for name in ("Casework", "Negotiating demands", "Outsourcing watch", "Hardship fund"):
    tabs.addTab(QLabel(name), name)
window.setCentralWidget(tabs)
window.resize(1200, 750)
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.perf_counter() - t0, flush=True)
            QTimer.singleShot(0, app.quit)
        return False
watcher = Painted()
window.installEventFilter(watcher)
window.show()
QTimer.singleShot(5000, app.quit)
app.exec()
"""

OUR_WINDOW = r"""
import sys, time
t0 = time.perf_counter()
from branchdesk.app import build_window
from PySide6.QtCore import QEvent, QObject, QTimer
app, window = build_window(sys.argv[1])
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.perf_counter() - t0, flush=True)
            QTimer.singleShot(0, app.quit)
        return False
watcher = Painted()
window.installEventFilter(watcher)
window.show()
QTimer.singleShot(5000, app.quit)
app.exec()
mods = sorted(m for m in ("openpyxl", "reportlab") if m in sys.modules)
print("export libraries loaded at start-up:", mods, flush=True)
"""


def start_to_paint(script: str, *args: str, repeat: int = 5) -> float:
    """Wall time from launching the process to its window's first paint (median)."""
    samples = []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, env=env
        )
        assert process.stdout is not None
        first = process.stdout.readline()  # printed at the first paint
        samples.append(time.perf_counter() - start)
        rest = process.stdout.read()
        process.wait(30)
        if not first.strip():
            raise RuntimeError("the window never painted")
        if "export libraries loaded at start-up: []" not in rest and "export" in rest:
            print("warning: " + rest.strip(), file=sys.stderr)
    return statistics.median(samples)


def raw_sqlite_inserts(folder: Path, rows: list[dict[str, Any]]) -> float:
    path = folder / "floor.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    keys = list(rows[0])
    conn.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {', '.join(keys)})")
    sql = f"INSERT INTO t ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"
    data = [tuple(str(r[k]) for k in keys) for r in rows]
    start = time.perf_counter()
    with conn:
        conn.executemany(sql, data)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def raw_openpyxl(folder: Path, rows: list[tuple[Any, ...]]) -> float:
    from openpyxl import Workbook

    start = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("t")
    for row in rows:
        sheet.append(list(row))
    book.save(folder / "floor.xlsx")
    return time.perf_counter() - start


# --- our figures --------------------------------------------------------------------------------


FILTER_WORDS = ("Nowak", "town hall", "care")


def list_figures(db: Database) -> dict[str, Any]:
    """Scrolling, jumping, sorting and filtering through the real table model and view."""
    from PySide6.QtWidgets import QApplication, QTableView

    from branchdesk.ui.table_model import ListingTableModel

    app = QApplication.instance() or QApplication([])
    gc.collect()
    before = rss_mib()
    listing = MemberListing(db)
    build, model = timed(lambda: ListingTableModel(listing))
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 700)
    view.show()
    app.processEvents()
    rows = model.rowCount()
    visible = 30

    def show_rows_at(first: int) -> None:
        # What painting a screenful asks of the model.
        for row in range(first, min(first + visible, rows)):
            for column in range(model.columnCount()):
                model.data(model.index(row, column))

    rng = random.Random(1)
    jumps = [rng.randrange(rows - visible) for _ in range(30)]
    jump_times = [timed(lambda j=j: show_rows_at(j))[0] for j in jumps]
    scroll_times = []
    position = rows // 2
    for _ in range(60):
        position += visible
        scroll_times.append(timed(lambda p=position: show_rows_at(p))[0])
    sort_times = {}
    for column in range(model.columnCount()):
        key = model.columns[column].key
        sort_times[key] = ms(timed(lambda c=column: model.sort(c))[0])
    model.sort(1)
    # A different word each time: the model ignores a search for the text it already shows.
    # With no runner the model filters at once, so each call times a real search.
    filter_times = [timed(lambda w=word: model.set_search(w))[0] for word in FILTER_WORDS]
    model.set_search("")
    app.processEvents()
    after = rss_mib()
    view.close()
    return {
        "rows": rows,
        "model_build_ms": ms(build),
        "jump_ms_median": ms(statistics.median(jump_times)),
        "jump_ms_max": ms(max(jump_times)),
        "scroll_ms_median": ms(statistics.median(scroll_times)),
        "scroll_ms_max": ms(max(scroll_times)),
        "sort_ms_by_column": sort_times,
        "sort_ms_max": max(sort_times.values()),
        "filter_words": list(FILTER_WORDS),
        "filter_ms_median": ms(statistics.median(filter_times)),
        "filter_ms_max": ms(max(filter_times)),
        "memory_added_mib": round(after - before, 1),
    }


def search_figures(db: Database) -> dict[str, Any]:
    listing = MemberListing(db)
    per_keystroke = []
    for word in ("Nowak", "Town Hall", "DEMO-0123", "priya lib"):
        for end in range(1, len(word) + 1):
            per_keystroke.append(timed(lambda w=word[:end]: listing.ids(w), repeat=3)[0])
    return {
        "keystrokes": len(per_keystroke),
        "search_ms_median": ms(statistics.median(per_keystroke)),
        "search_ms_max": ms(max(per_keystroke)),
    }


def save_figures(db: Database) -> dict[str, Any]:
    member_id = MemberListing(db).ids()[100]
    times = []
    for n in range(50):
        form = get_member(db, member_id)
        form.job_title = f"Care Worker {n}"
        times.append(timed(lambda f=form: update_member(db, member_id, f))[0])
    return {"save_ms_median": ms(statistics.median(times)), "save_ms_max": ms(max(times))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="branchdesk-bench-"))
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"python": sys.version.split()[0], "platform": sys.platform}
    try:
        large = open_database(folder / "large.sqlite3", officer="Benchmark")
        seconds, counts = timed(lambda: fill_demo(large, "large"))
        results["demo_large"] = {"seconds": round(seconds, 2), **counts}

        # Import: the large demo's own list, read back into an empty database.
        csv_path = folder / "members.csv"
        with csv_path.open("w", newline="") as handle:
            write_csv(handle, member_csv_rows(large))
        target = open_database(folder / "import.sqlite3", officer="Benchmark")
        import_seconds, result = timed(lambda: import_members_csv(target, csv_path))
        reimport_seconds, _ = timed(lambda: import_members_csv(target, csv_path))
        target.dispose()
        sample = list(member_csv_rows(large))
        floor = raw_sqlite_inserts(folder, sample)
        results["import_members"] = {
            "rows": result.created,
            "rows_per_second": round(result.created / import_seconds),
            "seconds_including_check": round(import_seconds, 2),
            "reimport_unchanged_seconds": round(reimport_seconds, 2),
            "floor_raw_sqlite3_rows_per_second": round(len(sample) / floor),
            "target_rows_per_second": 20_000,
        }

        results["search"] = {**search_figures(large), "target_ms": 30}
        results["save_form"] = {**save_figures(large), "target_ms": 5}

        xlsx_seconds, _ = timed(
            lambda: export_members(large, args.out / "members.xlsx", branch_name="Benchmark")
        )
        pdf_seconds, _ = timed(
            lambda: export_members(large, args.out / "members.pdf", branch_name="Benchmark")
        )
        listing = MemberListing(large)
        ids = listing.ids()
        plain_rows = [
            tuple(str(v) if v is not None else None for v in row)
            for start in range(0, len(ids), 1000)
            for row in listing.rows(ids[start : start + 1000]).values()
        ]
        openpyxl_floor = raw_openpyxl(folder, plain_rows)
        results["export_members"] = {
            "rows": len(ids),
            "columns": len(COLUMNS),
            "xlsx_seconds": round(xlsx_seconds, 2),
            "xlsx_target_seconds": 3,
            "floor_raw_openpyxl_seconds": round(openpyxl_floor, 2),
            "xlsx_ratio_to_floor": round(xlsx_seconds / openpyxl_floor, 2),
            "pdf_seconds": round(pdf_seconds, 2),
            "pdf_target_seconds": 6,
            "pdf_pages": _pdf_pages(args.out / "members.pdf"),
        }
        results["casework"] = casework_figures(large, args.out)
        results["demands"] = demands_figures(large, args.out)
        results["outsourcing"] = outsourcing_figures(large, args.out)
        # The large demo's hardship fund has 200,000 ledger entries.
        results["hardship"] = hardship_figures(large, args.out)
        results["list_20000"] = list_figures(large)
        results["casework"]["window"] = casework_window_figures(large)
        results["outsourcing"]["window"] = window_figures(large)

        huge = open_database(folder / "huge.sqlite3", officer="Benchmark")
        fill_demo(huge, "large", members=200_000)
        results["list_200000"] = {
            **list_figures(huge),
            "targets": {"jump_or_scroll_ms": 50, "sort_or_filter_ms": 250, "memory_mib": 100},
        }
        huge.dispose()

        bare = start_to_paint(BARE_WINDOW)
        ours = start_to_paint(OUR_WINDOW, str(folder / "large.sqlite3"))
        results["start_to_painted_window"] = {
            "seconds": round(ours, 3),
            "floor_bare_qt_window_seconds": round(bare, 3),
            "ratio_to_floor": round(ours / bare, 2),
            "targets": {"seconds": 1.0, "ratio": 4.0},
        }
        large.dispose()
        results["peak_memory_mib"] = round(peak_mib(), 1)
    finally:
        if args.keep:
            print(f"databases kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(results, indent=2)
    (args.out / "results.json").write_text(text)
    print(text)


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:  # pypdf comes with the test extras only
        return None
    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
