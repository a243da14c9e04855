"""Tools › Audit log: open it from the menu, filter, read the table, export and read it back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from qt_checks import pseudo_translation, unnamed_inputs
from sqlalchemy import select
from ui_helpers import click, column_texts, type_into

from branchdesk.exports.xlsx import FIRST_DATA_ROW, HEADER_ROW
from branchdesk.store.audit import AuditEntry, write_event
from branchdesk.store.audit_view import AuditListing
from branchdesk.store.database import Database
from branchdesk.ui.audit_viewer import AuditViewer
from branchdesk.ui.context import AppContext
from branchdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)

HEADERS = ["Entry", "When", "Officer", "Action", "Table", "Record", "Fields", "Details"]


@pytest.fixture
def events(db: Database) -> None:
    """Entries by a second (made-up) officer, besides the known members' creation."""
    write_event(db, "view", "cases", 42, ["health_notes"], officer="Fictional Auditor")
    write_event(db, "export", "members", None, (), {"rows": 4}, officer="Fictional Auditor")
    write_event(db, "sign_in", "officers", 3, officer="Fictional Auditor")
    write_event(db, "view", "cases", 43, ["disciplinary_detail"])


def _open(qtbot: Any, window: MainWindow) -> AuditViewer:
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    assert window.audit_action in tools.actions()
    window.audit_action.trigger()
    viewer = window.audit_viewer
    assert viewer is not None
    qtbot.waitExposed(viewer)
    qtbot.waitUntil(lambda: viewer.model.loaded)
    return viewer


def _choose(combo: Any, data: str) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def test_open_filter_and_export(
    qtbot: Any, window: MainWindow, events: None, dialogs: Any, tmp_path: Path, db: Database
) -> None:
    viewer = _open(qtbot, window)
    table = viewer.table
    headers = [table.model().headerData(c, _horizontal()) for c in range(len(HEADERS))]
    assert headers == HEADERS
    total = len(AuditListing(db).ids())
    assert viewer.model.rowCount() == total
    assert viewer.count_label.text() == f"{total} entries"
    # Newest first: the last event written is at the top.
    assert column_texts(table, 3)[0] == "Viewed" and column_texts(table, 5)[0] == "43"
    officers = [viewer.officer.itemText(i) for i in range(viewer.officer.count())]
    assert officers == ["All officers", "Fictional Auditor", "Test Officer"]

    _choose(viewer.officer, "Fictional Auditor")
    assert column_texts(table, 3) == ["Signed in", "Exported", "Viewed"]
    _choose(viewer.action, "view")
    assert column_texts(table, 2) == ["Fictional Auditor"]
    assert column_texts(table, 4) == ["cases"]
    assert column_texts(table, 6) == ["health_notes"]
    assert viewer.count_label.text() == "1 entry (officer Fictional Auditor, action viewed)"
    when = column_texts(table, 1)[0]
    assert when.startswith(f"{date.today():%d/%m/%Y} ")  # local time, day first

    out = tmp_path / "audit.xlsx"
    dialogs.save_files.append(out)
    click(qtbot, viewer.export_button)
    assert dialogs.messages("info") == [("Export finished", f"1 audit log entry written to\n{out}")]
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW)]
    assert rows[0] == HEADERS
    (row,) = rows[1:]
    assert row[2:] == ["Fictional Auditor", "Viewed", "cases", 42, "health_notes", None]
    assert isinstance(row[0], int)
    assert f"{row[1]:%d/%m/%Y %H:%M}" == when  # a real date-time, in local time
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + 1}"
    assert sheet.column_dimensions["G"].width >= 28
    subtitle = str(sheet["A2"].value)
    assert "officer Fictional Auditor, action viewed" in subtitle

    # The export is in the log (under the officer who made it), and the viewer shows it.
    _choose(viewer.officer, "Test Officer")
    _choose(viewer.action, "export")
    assert column_texts(table, 4) == ["audit_log"]
    assert column_texts(table, 7) == ["export: audit; format: xlsx; rows: 1"]


def test_record_and_period_filters(
    qtbot: Any, window: MainWindow, events: None, db: Database
) -> None:
    viewer = _open(qtbot, window)
    type_into(qtbot, viewer.record, "43")
    assert column_texts(viewer.table, 5) == ["43"]
    click(qtbot, viewer.clear_button)
    assert viewer.model.rowCount() == len(AuditListing(db).ids())
    viewer.use_start.setChecked(True)
    viewer.start.setDate(date.today() + timedelta(days=1))
    assert viewer.model.rowCount() == 0
    assert not viewer.export_button.isEnabled()
    viewer.use_end.setChecked(True)
    viewer.end.setDate(date.today())
    assert viewer.count_label.text().startswith("Nothing shown: the period starts")
    viewer.start.setDate(date.today())
    assert viewer.model.rowCount() == len(AuditListing(db).ids())


def test_opening_again_reads_the_log_afresh(
    qtbot: Any, window: MainWindow, events: None, db: Database
) -> None:
    viewer = _open(qtbot, window)
    before = viewer.model.rowCount()
    viewer.close()
    write_event(db, "sign_in", "officers", 3, officer="Another Fictional Officer")
    assert _open(qtbot, window) is viewer
    assert viewer.model.rowCount() == before + 1
    assert viewer.officer.findData("Another Fictional Officer") > 0


def test_render(qtbot: Any, window: MainWindow, events: None) -> None:
    viewer = _open(qtbot, window)
    viewer.resize(1240, 680)
    qtbot.wait(50)
    assert not viewer.grab().isNull()


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_exports_from_the_tabs_are_recorded(
    qtbot: Any, window: MainWindow, dialogs: Any, tmp_path: Path, db: Database
) -> None:
    def exports() -> list[tuple[str, str]]:
        with db.read() as session:
            rows = session.execute(
                select(AuditEntry.table_name, AuditEntry.changes)
                .where(AuditEntry.action == "export")
                .order_by(AuditEntry.id)
            ).all()
        return [(table, json.loads(changes)["export"][1]) for table, changes in rows]

    dialogs.save_files.append(tmp_path / "members.xlsx")
    window.members_tab.export_action.trigger()
    casework = window.casework_tab.exports
    casework.export_case_list(tmp_path / "cases.xlsx")
    casework.export_caseload(tmp_path / "caseload.pdf")
    casework.export_calendar(tmp_path / "deadlines.ics")
    window.outsourcing_tab.export_watch_list(tmp_path / "watch.xlsx")
    window.outsourcing_tab.export_briefing(tmp_path / "briefing.pdf")
    assert [kind for kind, _ in dialogs.messages("error")] == []
    assert exports() == [
        ("members", "members"),
        ("cases", "cases"),
        ("cases", "caseload"),
        ("case_deadlines", "deadlines"),
        ("contracts", "contracts"),
        ("contracts", "outsourcing-briefing"),
    ]


def test_every_filter_has_a_name_for_screen_readers(
    qtbot: Any, window: MainWindow, events: None
) -> None:
    viewer = _open(qtbot, window)
    assert unnamed_inputs(viewer) == []
    assert viewer.table.objectName() == "auditTable"
    assert viewer.record.accessibleName() == "Record id"
    assert viewer.start.accessibleName() == "From this day"


def test_the_viewer_speaks_through_the_translator(
    qtbot: Any, ctx: AppContext, events: None, db: Database
) -> None:
    with pseudo_translation():
        viewer = AuditViewer(ctx)
        qtbot.addWidget(viewer)
        viewer._update_count()
    assert viewer.windowTitle() == "[Audit log]"
    # The headings are the store's; the viewer hands the model translated ones.
    assert viewer.model.headerData(0, _horizontal()) == "[Entry]"
    assert viewer.officer.itemText(0) == "[All officers]"
    assert viewer.count_label.text() == f"[{len(AuditListing(db).ids())} entries]"
