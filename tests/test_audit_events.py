"""Every export is recorded in the audit log; the log itself exports to xlsx from the command
line."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from branchdesk.cli import main
from branchdesk.exports.audit_log import export_audit
from branchdesk.exports.xlsx import FIRST_DATA_ROW, HEADER_ROW
from branchdesk.hardship.demo import FUND_NAME
from branchdesk.settings import Preferences
from branchdesk.store.audit import write_event
from branchdesk.store.audit_view import AuditFilter, AuditListing
from branchdesk.store.database import Database, open_database


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    prefs = Preferences()
    prefs.set("officer_name", "Test Officer")
    prefs.save()
    path = str(tmp_path / "demo.sqlite3")
    status, _, _ = run(capsys, "--db", path, "demo", "--seed", "7")
    assert status == 0
    return path


def _one(path: str, sql: str) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute(sql).fetchone()[0])


def _exports(path: str) -> list[tuple[str, str, int | None, dict[str, list[object]]]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT officer, table_name, row_id, changes FROM audit_log "
            "WHERE action = 'export' ORDER BY id"
        ).fetchall()
    return [(o, t, r, json.loads(c)) for o, t, r, c in rows]


def test_every_command_line_export_is_recorded(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _one(demo_db, "SELECT reference FROM cases ORDER BY id LIMIT 1")
    case_id = int(_one(demo_db, f"SELECT id FROM cases WHERE reference = '{case}'"))
    claim = _one(demo_db, "SELECT reference FROM claims ORDER BY id LIMIT 1")
    claim_id = int(_one(demo_db, f"SELECT id FROM claims WHERE reference = '{claim}'"))
    fund_id = int(_one(demo_db, "SELECT id FROM hardship_funds ORDER BY id LIMIT 1"))
    fund = ["--fund", FUND_NAME]
    funds = "hardship_funds"
    # Each export: its arguments, and what the log should say of it (table, record, rows given).
    exports: list[tuple[list[str], str, str, int | None, bool]] = [
        (["members", "--out", "m.xlsx"], "members", "members", None, True),
        (["members", "--out", "m.pdf"], "members", "members", None, True),
        (["cases", "--out", "c.xlsx"], "cases", "cases", None, True),
        (
            ["case-summary", "--case", case, "--out", "s.pdf"],
            "case-summary",
            "cases",
            case_id,
            False,
        ),
        (["caseload", "--out", "l.pdf"], "caseload", "cases", None, True),
        (["deadlines", "--out", "d.ics"], "deadlines", "case_deadlines", None, True),
        (["claim", "--claim", claim, "--out", "p.xlsx"], "claim", "claims", claim_id, False),
        (["claims", "--out", "cl.xlsx"], "claims", "claims", None, True),
        (["contracts", "--out", "w.xlsx"], "contracts", "contracts", None, True),
        (
            ["outsourcing-briefing", "--out", "b.pdf"],
            "outsourcing-briefing",
            "contracts",
            None,
            False,
        ),
        (["ledger", *fund, "--out", "g.xlsx"], "ledger", funds, fund_id, True),
        (["statement", *fund, "--out", "st.pdf"], "statement", funds, fund_id, False),
        (["payments", *fund, "--out", "py.xlsx", "--anonymised"], "payments", funds, fund_id, True),
        (["audit", "--out", "a.xlsx"], "audit", "audit_log", None, True),
    ]
    for args, export, table, record_id, counted in exports:
        before = len(_exports(demo_db))
        out = tmp_path / args[args.index("--out") + 1]
        args[args.index("--out") + 1] = str(out)
        status, _, err = run(capsys, "--db", demo_db, "export", *args)
        assert status == 0, err
        assert out.exists()
        recorded = _exports(demo_db)
        assert len(recorded) == before + 1, export
        officer, logged_table, logged_id, details = recorded[-1]
        assert (officer, logged_table, logged_id) == ("Test Officer", table, record_id)
        assert details["export"] == [None, export]
        assert details["format"] == [None, out.suffix.lstrip(".")]
        assert ("rows" in details) == counted, export
        assert ("anonymised" in details) == ("--anonymised" in args)
        # The file's name and folder are not kept.
        assert str(tmp_path) not in json.dumps(details)


def test_a_refused_export_is_not_recorded(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = run(capsys, "--db", demo_db, "export", "claim", "--claim", "CL-1900-001",
                       "--out", str(tmp_path / "x.pdf"))  # fmt: skip
    assert status == 2 and _exports(demo_db) == []


# -- branchdesk export audit ----------------------------------------------------------------------


@pytest.fixture
def logged(tmp_path: Path) -> Database:
    """A log with two made-up officers' events in it, besides the set-up's own rows."""
    db = open_database(tmp_path / "log.sqlite3", officer="Test Officer")
    write_event(db, "sign_in", "officers", 1)
    write_event(db, "view", "cases", 42, ["health_notes"], officer="Fictional Auditor")
    write_event(db, "export", "members", None, (), {"rows": 3}, officer="Fictional Auditor")
    write_event(db, "denied", "ledger_entries", None, ["write"])
    return db


def _sheet_rows(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=HEADER_ROW)]


def test_export_audit_filters_by_officer_and_period(
    logged: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit.xlsx"
    today = date.today()
    status, text, err = run(
        capsys, "--db", str(logged.path), "export", "audit", "--out", str(out),
        "--officer", "fictional auditor", "--from", f"{today - timedelta(days=1):%Y-%m-%d}",
        "--to", f"{today:%d/%m/%Y}",
    )  # fmt: skip
    assert status == 0, err
    assert text.startswith("2 audit log entries (officer fictional auditor, ")
    header, *rows = _sheet_rows(out)
    assert header == ["Entry", "When", "Officer", "Action", "Table", "Record", "Fields", "Details"]
    # Newest first.
    assert [row[2:] for row in rows] == [
        ["Fictional Auditor", "Exported", "members", None, None, "rows: 3"],
        ["Fictional Auditor", "Viewed", "cases", 42, "health_notes", None],
    ]
    assert all(isinstance(row[0], int) for row in rows) and rows[0][0] > rows[1][0]
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + 2}"
    assert "Confidential" in str(sheet["A1"].value)
    # The export itself is recorded, under the officer who ran it.
    with logged.read() as session:
        from sqlalchemy import select

        from branchdesk.store.audit import AuditEntry

        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "export" and last.table_name == "audit_log"
    assert last.change_map()["rows"] == [None, 2]


def test_export_audit_refuses_bad_input(
    logged: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(logged.path)
    out = tmp_path / "a.xlsx"
    status, _, err = run(capsys, "--db", db, "export", "audit", "--out", str(out),
                         "--from", "2026-05-02", "--to", "2026-05-01")  # fmt: skip
    assert status == 2 and "starts (02/05/2026) after it ends (01/05/2026)" in err
    status, _, err = run(capsys, "--db", db, "export", "audit", "--out", str(out),
                         "--officer", "Nobody Atall")  # fmt: skip
    assert status == 2 and "'Nobody Atall'" in err and "'Fictional Auditor'" in err
    status, _, err = run(capsys, "--db", db, "export", "audit", "--out", str(out),
                         "--from", "31/02/2026")  # fmt: skip
    assert status == 2 and "--from" in err
    status, _, err = run(capsys, "--db", db, "export", "audit", "--out", str(tmp_path / "a.pdf"))
    assert status == 2 and "ending in .xlsx" in err
    assert not out.exists()


def test_formula_like_text_is_written_as_text(logged: Database, tmp_path: Path) -> None:
    write_event(
        logged, "sign_in_failed", "officers", None, (), {"tried": "=1+1"}, officer="@SUM(1)"
    )
    out = tmp_path / "x.xlsx"
    assert export_audit(logged, out, AuditFilter(action="sign_in_failed"), branch_name="B") == 1
    from openpyxl import load_workbook

    row = load_workbook(out).active[FIRST_DATA_ROW]
    assert row[2].value == "@SUM(1)" and row[2].data_type == "s"
    assert row[7].value == "tried: =1+1" and row[7].data_type == "s"


def test_the_listing_filters_and_sorts_in_sql(logged: Database) -> None:
    everything = AuditListing(logged).ids()
    assert everything == sorted(everything, reverse=True)
    by_action = AuditListing(logged, AuditFilter(action="view", row_id=42))
    (only,) = by_action.ids()
    assert by_action.rows([only])[only][3:6] == ("Viewed", "cases", 42)
    assert AuditListing(logged, AuditFilter(table="officers")).ids(sort_key="officer")
    tomorrow = date.today() + timedelta(days=1)
    assert AuditListing(logged, AuditFilter(start=tomorrow)).ids() == []
