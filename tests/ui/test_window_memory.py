"""Splitters, column widths and last-used folders come back the next time, from window.ini."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.casework.service import CaseForm, open_case
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs import DialogService, window_state
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.window_memory import restore_layout, save_layout, widget_key

pytestmark = pytest.mark.timeout(60)


def _cases(window: MainWindow) -> tuple[QSplitter, QTableView]:
    page = window.casework_tab.cases_page
    splitter = page.findChild(QSplitter, "caseSplitter")
    table = page.findChild(QTableView, "casesTable")
    assert splitter is not None and table is not None
    return splitter, table


@pytest.fixture
def a_case(db: Database) -> str:
    """One open case, so the Cases page shows its table and detail (not its empty state)."""
    return open_case(
        db, CaseForm(membership_number="M003", case_type="grievance", opened_on=date.today())
    )


def test_splitter_and_column_widths_come_back_after_closing(
    qtbot: Any, a_case: str, window: MainWindow, ctx: AppContext
) -> None:
    splitter, table = _cases(window)
    qtbot.waitUntil(lambda: table.isVisible() and table.horizontalHeader().count() > 0)
    qtbot.wait(50)  # the restore that follows the first show has run (with nothing saved)
    total = sum(splitter.sizes())
    splitter.setSizes([total - 420, 420])
    moved = splitter.sizes()
    header = table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    header.resizeSection(0, 233)
    window.close()
    assert window_state().value(
        "layout/mainWindow/registerTabs/caseworkPages/casesBody/caseSplitter/splitter"
    )

    again = MainWindow(ctx)
    qtbot.addWidget(again, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    # The offscreen platform gives back a saved geometry a little smaller: the same size as
    # before, so the splitter's sizes can be compared as they are.
    again.resize(window.size())
    again.show()
    qtbot.waitUntil(lambda: again.registers_built)
    splitter, table = _cases(again)
    assert splitter is not None
    qtbot.waitUntil(lambda: splitter.sizes() == moved, timeout=3000)
    qtbot.waitUntil(lambda: table.horizontalHeader().sectionSize(0) == 233, timeout=3000)


def _named_page() -> tuple[QWidget, QSplitter, QTableWidget]:
    root = QWidget()
    root.setObjectName("testRoot")
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("testSplitter")
    table = QTableWidget(3, 3)
    table.setObjectName("testTable")
    table.horizontalHeader().setStretchLastSection(True)
    splitter.addWidget(table)
    splitter.addWidget(QLabel("detail"))
    unnamed = QSplitter()  # no objectName: not remembered
    unnamed.addWidget(QLabel("a"))
    unnamed.addWidget(QLabel("b"))
    layout = QVBoxLayout(root)
    layout.addWidget(splitter)
    layout.addWidget(unnamed)
    root.resize(800, 400)
    return root, splitter, table


def test_only_named_widgets_on_screen_and_only_sizes_are_kept(qtbot: Any) -> None:
    root, splitter, table = _named_page()
    qtbot.addWidget(root)
    root.show()
    qtbot.waitExposed(root)
    assert widget_key(splitter, root) == "testRoot/testSplitter"
    header = table.horizontalHeader()
    header.resizeSection(0, 150)
    table.setColumnHidden(1, True)
    save_layout(root, window_state())
    saved = window_state()
    assert saved.value("layout/testRoot/testSplitter/splitter")
    assert saved.value("layout/testRoot/testSplitter/testTable/columns").startswith("150,0,")
    assert len([k for k in saved.allKeys() if k.startswith("layout/")]) == 2

    other, other_splitter, other_table = _named_page()
    qtbot.addWidget(other)
    assert restore_layout(other, window_state()) == 0  # not on screen yet: nothing done
    other.show()
    qtbot.waitExposed(other)
    assert restore_layout(other, window_state()) == 2
    assert other_table.horizontalHeader().sectionSize(0) == 150
    # Which columns are hidden is the page's business (a role may hide one), not the memory's.
    assert not other_table.isColumnHidden(1)
    assert other_splitter.sizes() == splitter.sizes()
    assert restore_layout(other, window_state()) == 0  # once only: later changes are the user's


def test_a_table_whose_columns_changed_keeps_its_own_widths(qtbot: Any) -> None:
    state = window_state()
    state.setValue("layout/testRoot/testSplitter/testTable/columns", "300,300")  # two, not three
    root, _splitter, table = _named_page()
    qtbot.addWidget(root)
    root.show()
    qtbot.waitExposed(root)
    before = table.horizontalHeader().sectionSize(0)
    restore_layout(root, window_state())
    assert table.horizontalHeader().sectionSize(0) == before


@pytest.mark.parametrize("saved", ["99999999999,1", "-5,300", "wide,narrow", "300,,300"])
def test_sizes_not_written_by_the_program_are_ignored(qtbot: Any, saved: str) -> None:
    state = window_state()
    state.setValue("layout/testRoot/testSplitter/splitter", saved)
    state.setValue("layout/testRoot/testSplitter/testTable/columns", saved + ",80")
    root, splitter, table = _named_page()
    qtbot.addWidget(root)
    root.show()
    qtbot.waitExposed(root)
    before = (splitter.sizes(), table.horizontalHeader().sectionSize(0))
    restore_layout(root, window_state())  # neither raises nor applies them
    assert (splitter.sizes(), table.horizontalHeader().sectionSize(0)) == before


def test_a_dialog_run_through_the_service_keeps_its_splitter(qtbot: Any) -> None:
    service = DialogService()

    def make() -> tuple[QDialog, QSplitter]:
        dialog = QDialog()
        dialog.setObjectName("testDialog")
        splitter = QSplitter()
        splitter.setObjectName("dialogSplitter")
        splitter.addWidget(QLabel("left"))
        splitter.addWidget(QLabel("right"))
        QVBoxLayout(dialog).addWidget(splitter)
        dialog.resize(600, 300)
        qtbot.addWidget(dialog)
        return dialog, splitter

    first, splitter = make()
    seen: dict[str, list[int]] = {}

    def drag_and_close() -> None:
        total = sum(splitter.sizes())
        splitter.setSizes([150, total - 150])
        seen["moved"] = splitter.sizes()
        first.accept()

    QTimer.singleShot(100, drag_and_close)
    assert service.run_dialog(first)

    second, again = make()

    def look_and_close() -> None:
        seen["again"] = again.sizes()
        second.reject()

    QTimer.singleShot(100, look_and_close)
    assert not service.run_dialog(second)
    assert seen["again"] == seen["moved"]


def test_file_choosers_start_in_the_folder_last_used_for_the_same_purpose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: Any
) -> None:
    starts: list[str] = []
    answers: list[str] = []

    def chooser(_parent: Any, _title: str, start: str, filter: str) -> tuple[str, str]:
        starts.append(start)
        return answers.pop(0), filter.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileName", chooser)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", chooser)
    imports, exports = tmp_path / "downloads", tmp_path / "reports"
    imports.mkdir()
    exports.mkdir()
    service = DialogService()
    csv = "CSV files (*.csv *.txt);;All files (*)"

    answers.append(str(imports / "members.csv"))
    assert service.open_file(None, "Import members", csv) == imports / "members.csv"
    assert starts[-1] == ""  # nothing remembered yet
    answers.append(str(imports / "survey.csv"))
    service.open_file(None, "Import a member survey", csv)
    assert starts[-1] == str(imports)  # another title, the same kind of file
    answers.append(str(exports / "list.xlsx"))
    service.save_file(None, "Export the watch list", "watch list.xlsx", "Spreadsheet (*.xlsx)")
    assert starts[-1] == "watch list.xlsx"
    answers.append(str(exports / "members.xlsx"))
    service.save_file(None, "Export members", "members.xlsx", "Excel workbook (*.xlsx)")
    assert starts[-1] == str(exports / "members.xlsx")
    # A folder the caller names wins over the remembered one.
    answers.append(str(imports / "other.csv"))
    service.open_file(None, "Import members", csv, tmp_path)
    assert starts[-1] == str(tmp_path)
    # A purpose of its own, remembered apart.
    answers.append(str(tmp_path / "a.csv"))
    service.open_file(None, "Import", csv, purpose="bank statements")
    assert starts[-1] == ""
    assert window_state().value("folders/bank statements") == str(tmp_path)
