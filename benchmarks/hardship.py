"""Hardship fund figures on a ledger of 200,000 entries: the ledger list opening and jumping,
the fund's and the members' balances (with the covering index and, for comparison, an index on
the member alone), the ledger workbook, and a 1,000-line bank statement imported and matched.

Called by benchmarks/run.py on the large demo (whose fund has exactly 200,000 entries); or run
it on its own against such a database:

    .venv/bin/python benchmarks/hardship.py --db /tmp/large.sqlite3 --out /tmp/hardship-out

Nothing is asserted: the targets are printed beside the figures. The index comparison and the
statement import run on a copy of the database, which is left as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from branchdesk.hardship.demo import FUND_NAME  # noqa: E402
from branchdesk.hardship.funds import fund_id_by_name  # noqa: E402
from branchdesk.hardship.ledger import balance, member_totals  # noqa: E402
from branchdesk.hardship.listing import LedgerListing  # noqa: E402
from branchdesk.hardship.models import Fund, LedgerEntry  # noqa: E402
from branchdesk.hardship.reconcile import import_statement, reconciliation  # noqa: E402
from branchdesk.hardship.reports import write_ledger_xlsx  # noqa: E402
from branchdesk.store.database import Database, open_database  # noqa: E402

STATEMENT_LINES = 1_000
PAGE = 30  # rows painted on one screen
TARGETS = {
    "list_ms": 50,
    "balance_ms": 50,
    "xlsx_seconds": 30,
    "xlsx_memory_mib": 100,
    "statement_import_seconds": 2,
}
# The per-member totals as ledger.member_totals asks for them, with a choice of index.
MEMBER_TOTALS_SQL = (
    "SELECT member_id, sum(amount) FROM ledger_entries INDEXED BY {index} "
    "WHERE fund_id = ? AND member_id IS NOT NULL GROUP BY member_id"
)


def _ms(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float, Any]:
    """(median, max) milliseconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2), round(max(times), 2), result


def _rss_mib() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _PeakMemory:
    """The most resident memory seen above the level at the start, sampled every 10 ms."""

    def __init__(self) -> None:
        self.before = _rss_mib()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mib())

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())

    @property
    def added(self) -> float:
        return round(self.peak - self.before, 1)


def list_figures(db: Database, fund_id: int) -> dict[str, Any]:
    """The ledger list as the window uses it: every id in order, then one screenful of rows
    (with the running balance) wherever the user jumps."""
    listing = LedgerListing(db, fund_id)
    open_median, open_max, ids = _ms(listing.ids)
    jumps: dict[str, Any] = {}
    for name, at in (("start", 0), ("middle", len(ids) // 2), ("end", len(ids) - PAGE)):
        page = ids[at : at + PAGE]
        median, worst, rows = _ms(lambda p=page: listing.rows(p))
        assert len(rows) == len(page)
        jumps[name] = {"median_ms": median, "max_ms": worst}
    newest_median, _, _ = _ms(lambda: listing.ids("", "id", descending=True))
    floor = None
    if db.path is not None:
        conn = sqlite3.connect(db.path)
        try:
            sql = "SELECT id FROM ledger_entries WHERE fund_id = ? ORDER BY id"
            floor, _, _ = _ms(lambda: [r[0] for r in conn.execute(sql, (fund_id,))])
        finally:
            conn.close()
    return {
        "entries": len(ids),
        "open_ids_ms": {"median": open_median, "max": open_max},
        "floor_raw_sqlite3_ids_ms": floor,
        "open_newest_first_ms": newest_median,
        "page_rows_ms": jumps,
        "page_rows": PAGE,
        "target_ms": TARGETS["list_ms"],
    }


def balance_figures(db: Database, fund_id: int, copy: Path) -> dict[str, Any]:
    with db.read() as session:
        first, last = session.execute(
            select(func.min(LedgerEntry.posted_on), func.max(LedgerEntry.posted_on)).where(
                LedgerEntry.fund_id == fund_id
            )
        ).one()
    middle = date.fromordinal((first.toordinal() + last.toordinal()) // 2)
    now_median, now_max, _ = _ms(lambda: balance(db, fund_id))
    on_median, on_max, _ = _ms(lambda: balance(db, fund_id, middle))
    totals_median, totals_max, totals = _ms(lambda: member_totals(db, fund_id))

    # The same per-member query with the covering (fund, member, amount) index and with an
    # index on the member alone (made on a copy), straight through sqlite3.
    conn = sqlite3.connect(copy)
    try:
        conn.execute(
            "CREATE INDEX IF NOT EXISTS ix_bench_member_only ON ledger_entries (member_id)"
        )
        conn.execute("ANALYZE")
        compared: dict[str, Any] = {}
        for index in ("ix_ledger_fund_member", "ix_bench_member_only"):
            sql = MEMBER_TOTALS_SQL.format(index=index)
            plan = " | ".join(
                row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", (fund_id,))
            )
            median, worst, rows = _ms(lambda s=sql: conn.execute(s, (fund_id,)).fetchall())
            compared[index] = {"median_ms": median, "max_ms": worst, "plan": plan}
            assert len(rows) == len(totals)
    finally:
        conn.close()
    return {
        "fund_balance_now_ms": {"median": now_median, "max": now_max},
        "fund_balance_on_a_day_ms": {"median": on_median, "max": on_max, "day": str(middle)},
        "member_totals_ms": {"median": totals_median, "max": totals_max, "members": len(totals)},
        "member_totals_by_index_ms": compared,
        "target_ms": TARGETS["balance_ms"],
    }


def raw_openpyxl_seconds(out: Path, rows: int) -> float:
    """The floor: as many rows of ledger-like plain values (no styles, no checks), written by
    openpyxl's write-only mode alone."""
    from openpyxl import Workbook

    start = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ledger")
    day = date(2025, 1, 1)
    for n in range(rows):
        sheet.append(
            [
                n + 1,
                day,
                "Donation",
                f"DEMO-DON-{n:06d}",
                "Donation: Another branch",
                None,
                None,
                "Northtown branch (demo)",
                Decimal("12.50"),
                None,
                f"=K{n + 4}+I{n + 5}-J{n + 5}",
            ]
        )
    book.save(out)
    return time.perf_counter() - start


_EXPORT_IN_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from benchmarks.hardship import LedgerEntry, _PeakMemory, func, select
from branchdesk.hardship.reports import write_ledger_xlsx
from branchdesk.store.database import open_database
import openpyxl  # loaded before the baseline: the export pays for it only once per session
db = open_database(sys.argv[2], officer="Benchmark")
with db.read() as session:  # the ORM and a connection, before the baseline
    session.scalar(select(func.count()).select_from(LedgerEntry))
with _PeakMemory() as memory:
    start = time.perf_counter()
    rows = write_ledger_xlsx(db, int(sys.argv[3]), sys.argv[4], branch_name="Benchmark")
    seconds = time.perf_counter() - start
print(json.dumps({"rows": rows, "seconds": seconds, "added": memory.added}))
"""


def xlsx_figures(db: Database, fund_id: int, out_dir: Path) -> dict[str, Any]:
    """The ledger workbook, written in a fresh process so that its memory is its own: the
    most resident memory seen during the export above the level just before it."""
    out = out_dir / "hardship-ledger.xlsx"
    if db.path is None:
        with _PeakMemory() as memory:
            start = time.perf_counter()
            rows = write_ledger_xlsx(db, fund_id, out, branch_name="Benchmark")
            seconds, added = time.perf_counter() - start, memory.added
    else:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _EXPORT_IN_CHILD,
                str(ROOT),
                str(db.path),
                str(fund_id),
                str(out),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        child = json.loads(done.stdout.strip().splitlines()[-1])
        rows, seconds, added = child["rows"], child["seconds"], child["added"]
    floor = raw_openpyxl_seconds(out_dir / "hardship-floor.xlsx", rows)
    (out_dir / "hardship-floor.xlsx").unlink(missing_ok=True)
    return {
        "entries": rows,
        "seconds": round(seconds, 2),
        "floor_raw_openpyxl_seconds": round(floor, 2),
        "ratio_to_floor": round(seconds / floor, 2),
        "memory_added_mib": round(added, 1),
        "file_mib": round(out.stat().st_size / 2**20, 1),
        "targets": {"seconds": TARGETS["xlsx_seconds"], "memory_mib": TARGETS["xlsx_memory_mib"]},
    }


def write_statement_ofx(copy: Path, fund_id: int, path: Path, lines: int) -> int:
    """An OFX statement of the fund's latest `lines` entries the bank has shown, as their bank
    would send it; on the copy those entries' statement lines are removed first, so the
    statement's lines arrive unmatched. Returns the number of lines written."""
    conn = sqlite3.connect(copy)
    try:
        sort_code, account = conn.execute(
            "SELECT sort_code, account_number FROM hardship_funds WHERE id = ?", (fund_id,)
        ).fetchone()
        rows = conn.execute(
            "SELECT e.id, e.posted_on, e.amount, e.reference, e.kind FROM ledger_entries e "
            "JOIN bank_lines b ON b.entry_id = e.id WHERE e.fund_id = ? "
            "ORDER BY e.id DESC LIMIT ?",
            (fund_id, lines),
        ).fetchall()
        rows.reverse()
        conn.execute(
            f"DELETE FROM bank_lines WHERE entry_id IN ({','.join('?' * len(rows))})",
            [r[0] for r in rows],
        )
        closing = conn.execute(
            "SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE fund_id = ? "
            "AND posted_on <= ?",
            (fund_id, rows[-1][1]),
        ).fetchone()[0]
        conn.commit()
    finally:
        conn.close()

    def day(text: str) -> str:
        return text.replace("-", "") + "120000"

    out = [
        "OFXHEADER:100",
        "DATA:OFXSGML",
        "VERSION:102",
        "SECURITY:NONE",
        "ENCODING:USASCII",
        "CHARSET:1252",
        "COMPRESSION:NONE",
        "OLDFILEUID:NONE",
        "NEWFILEUID:NONE",
        "",
        "<OFX>",
        "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>",
        f"<DTSERVER>{day(rows[-1][1])}<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>",
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>",
        "<STMTRS><CURDEF>GBP",
        f"<BANKACCTFROM><BANKID>{sort_code.replace('-', '')}<ACCTID>{account}"
        "<ACCTTYPE>CHECKING</BANKACCTFROM>",
        f"<BANKTRANLIST><DTSTART>{day(rows[0][1])}<DTEND>{day(rows[-1][1])}",
    ]
    for entry_id, posted, pence, reference, kind in rows:
        words = {"donation": "BANK GIRO CREDIT", "payment": "FASTER PAYMENT"}.get(kind, "CHARGE")
        out.append(
            f"<STMTTRN><TRNTYPE>{'CREDIT' if pence > 0 else 'DEBIT'}<DTPOSTED>{day(posted)}"
            f"<TRNAMT>{pence / 100:.2f}<FITID>BENCH{entry_id:09d}<REFNUM>{reference}"
            f"<NAME>{words}<MEMO>{reference}</STMTTRN>"
        )
    out += [
        "</BANKTRANLIST>",
        f"<LEDGERBAL><BALAMT>{closing / 100:.2f}<DTASOF>{day(rows[-1][1])}</LEDGERBAL>",
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
        "",
    ]
    path.write_text("\r\n".join(out), encoding="ascii")
    return len(rows)


def statement_figures(copy: Path, fund_id: int, out_dir: Path) -> dict[str, Any]:
    path = out_dir / "hardship-statement.ofx"
    written = write_statement_ofx(copy, fund_id, path, STATEMENT_LINES)
    db = open_database(copy, officer="Benchmark")
    try:
        start = time.perf_counter()
        result = import_statement(db, fund_id, path)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        view = reconciliation(db, fund_id)
        view_seconds = time.perf_counter() - start
    finally:
        db.dispose()
    return {
        "lines": written,
        "imported": result.imported,
        "matched_automatically": result.matched,
        "import_and_match_seconds": round(seconds, 3),
        "reconciliation_view_seconds": round(view_seconds, 3),
        "unexplained_after": view.unexplained.format() if view.unexplained is not None else None,
        "target_seconds": TARGETS["statement_import_seconds"],
    }


def hardship_figures(db: Database, out_dir: Path) -> dict[str, Any]:
    """Every figure, on `db`'s demo fund (or its largest fund)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fund_id = fund_id_by_name(db, FUND_NAME)
    if fund_id is None:
        with db.read() as session:
            fund_id = session.scalar(
                select(Fund.id)
                .join(LedgerEntry, LedgerEntry.fund_id == Fund.id)
                .group_by(Fund.id)
                .order_by(func.count().desc())
                .limit(1)
            )
    if fund_id is None:
        return {"skipped": "no hardship fund in this database"}
    copy = out_dir / "hardship-copy.sqlite3"
    copy.unlink(missing_ok=True)
    if db.path is None:
        return {"skipped": "the figures are taken on a SQLite database"}
    source, target = sqlite3.connect(db.path), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    try:
        return {
            "ledger_list": list_figures(db, fund_id),
            "balances": balance_figures(db, fund_id, copy),
            "ledger_xlsx": xlsx_figures(db, fund_id, out_dir),
            "statement_import": statement_figures(copy, fund_id, out_dir),
        }
    finally:
        copy.unlink(missing_ok=True)


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a large demo database (demo --size large)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    db = open_database(args.db, officer="Benchmark")
    try:
        print(json.dumps(hardship_figures(db, args.out), indent=2))
    finally:
        db.dispose()


if __name__ == "__main__":
    _main()
