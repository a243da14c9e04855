"""Outsourcing watch figures: the sample Contracts Finder files in, the watch list query over a
register of thousands, and the briefing PDF and watch list workbook out.

Not yet called by benchmarks/run.py; run it on its own against any database:

    .venv/bin/python benchmarks/outsourcing.py --db /tmp/ob.sqlite3 --out /tmp/ob-out
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

from branchdesk.outsourcing.ocds import read_ocds
from branchdesk.outsourcing.queries import contract_lines
from branchdesk.outsourcing.reports import export_briefing, export_contracts
from branchdesk.outsourcing.service import DEFAULT_NOTICE_MONTHS, import_records
from branchdesk.store.database import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "ocds" / "contracts-finder"
IMPORT_TARGET_SECONDS = 2.0


def outsourcing_figures(db: Database, out_dir: Path) -> dict[str, Any]:
    """Time the sample import (into a new, empty database in `out_dir`), the watch list query
    and the exports over `db`'s contracts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    today = date.today()
    notice = DEFAULT_NOTICE_MONTHS

    files = sorted(SAMPLES.glob("*.json"))
    empty_path = out_dir / "outsourcing-import.sqlite3"
    empty_path.unlink(missing_ok=True)
    empty = open_database(empty_path, officer="Benchmark")
    try:
        start = time.perf_counter()
        created = 0
        for path in files:
            created += import_records(empty, read_ocds(path).records, today=today).created
        import_seconds = time.perf_counter() - start
    finally:
        empty.dispose()

    start = time.perf_counter()
    every = contract_lines(db, today, notice)
    all_seconds = time.perf_counter() - start
    start = time.perf_counter()
    window = contract_lines(db, today, notice, within_months=18)
    window_seconds = time.perf_counter() - start

    start = time.perf_counter()
    pdf = export_briefing(db, out_dir / "outsourcing-briefing.pdf", "Benchmark", today, notice)
    briefing_seconds = time.perf_counter() - start
    start = time.perf_counter()
    rows = export_contracts(db, out_dir / "outsourcing-watch.xlsx", "Benchmark", today, notice)
    xlsx_seconds = time.perf_counter() - start

    from pypdf import PdfReader

    return {
        "import_files": len(files),
        "import_contracts": created,
        "import_seconds": round(import_seconds, 3),
        "import_within_target": import_seconds <= IMPORT_TARGET_SECONDS,
        "contracts": len(every),
        "watch_list_all_seconds": round(all_seconds, 3),
        "watch_list_window": len(window),
        "watch_list_window_seconds": round(window_seconds, 3),
        "briefing_seconds": round(briefing_seconds, 2),
        "briefing_pages": len(PdfReader(pdf).pages),
        "watch_xlsx_rows": rows,
        "watch_xlsx_seconds": round(xlsx_seconds, 2),
    }


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    db = open_database(args.db, officer="Benchmark")
    try:
        print(json.dumps(outsourcing_figures(db, args.out), indent=2))
    finally:
        db.dispose()


if __name__ == "__main__":
    _main()
