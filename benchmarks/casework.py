"""Casework figures on the large demo database: the case list, a long case, notes search, reports.

Called by benchmarks/run.py, which prints them with the rest.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from branchdesk.casework.listing import CaseFilter, CaseListing
from branchdesk.casework.models import TimelineEntry
from branchdesk.casework.queries import get_case, search_timeline
from branchdesk.casework.reports import export_caseload
from branchdesk.store.database import Database


def _best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """(median, max) milliseconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2), round(max(times), 2)


def casework_figures(db: Database, out: Path) -> dict[str, Any]:
    today = date.today()
    with db.read() as session:
        entries = session.scalar(select(func.count()).select_from(TimelineEntry)) or 0
        longest_id, longest_count = session.execute(
            select(TimelineEntry.case_id, func.count())
            .group_by(TimelineEntry.case_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()

    def open_list(case_filter: CaseFilter) -> None:
        listing = CaseListing(db, case_filter)
        ids = listing.ids()
        listing.rows(ids[:100])  # the first screenful and a little more

    all_median, all_max = _best_of(lambda: open_list(CaseFilter()))
    open_median, open_max = _best_of(lambda: open_list(CaseFilter(status="open")))
    by_due_median, _ = _best_of(lambda: CaseListing(db).ids("", "next_due"))
    case_median, case_max = _best_of(lambda: get_case(db, longest_id))

    keystrokes = []
    for word in ("hearing", "outcome letter", "rota", "phone hr"):
        for end in range(1, len(word) + 1):
            keystrokes.append(_best_of(lambda w=word[:end]: search_timeline(db, w), 3)[0])

    def like_scan() -> None:
        with db.read() as session:
            session.execute(
                text("SELECT count(*) FROM case_events WHERE body LIKE :q"), {"q": "%rota%"}
            ).scalar()

    like_median, _ = _best_of(like_scan, 3)
    start = time.perf_counter()
    export_caseload(db, out / "caseload.pdf", "Benchmark", today)
    caseload_pdf = time.perf_counter() - start
    start = time.perf_counter()
    export_caseload(db, out / "caseload.xlsx", "Benchmark", today)
    caseload_xlsx = time.perf_counter() - start
    return {
        "case_events": entries,
        "case_list_all_ms": {"median": all_median, "max": all_max},
        "case_list_open_ms": {"median": open_median, "max": open_max},
        "case_list_sort_by_next_deadline_ms": by_due_median,
        "open_case_with_entries": longest_count,
        "open_case_ms": {"median": case_median, "max": case_max},
        "notes_search_ms_per_keystroke": {
            "median": round(statistics.median(keystrokes), 2),
            "max": round(max(keystrokes), 2),
        },
        "floor_like_scan_of_notes_ms": like_median,
        "caseload_pdf_seconds": round(caseload_pdf, 2),
        "caseload_xlsx_seconds": round(caseload_xlsx, 2),
        "targets": {"open_ms": 100, "notes_search_ms": 30, "caseload_seconds": 3},
    }


def casework_window_figures(db: Database) -> dict[str, Any]:
    """The Cases page as a rep sees it: built on the database, then the longest case opened."""
    from PySide6.QtWidgets import QApplication

    from branchdesk.settings import Preferences
    from branchdesk.ui.casework.cases_page import CasesPage
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.dialogs import DialogService
    from branchdesk.ui.style import apply_style
    from branchdesk.ui.worker import Worker

    app = QApplication.instance() or QApplication([])
    apply_style(app)  # type: ignore[arg-type]
    with db.read() as session:
        longest_id = session.execute(
            select(TimelineEntry.case_id)
            .group_by(TimelineEntry.case_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    ctx = AppContext(
        db=db,
        preferences=Preferences(Path(db.path or "x").with_name("bench-preferences.json")),
        dialogs=DialogService(),
        worker=Worker(synchronous=True),
    )

    def build() -> CasesPage:
        page = CasesPage(ctx)
        page.resize(1280, 700)
        page.show()
        app.processEvents()
        return page

    start = time.perf_counter()
    page = build()
    build_ms = (time.perf_counter() - start) * 1000

    def open_longest() -> None:
        page.load_detail(longest_id)
        app.processEvents()  # the first screenful painted

    open_median, open_max = _best_of(open_longest)
    page.close()
    return {
        "cases_page_build_and_show_ms": round(build_ms, 2),
        "open_longest_case_in_window_ms": {"median": open_median, "max": open_max},
        "target_ms": 100,
    }
