"""Start-up: the window opens on the database; a damaged database is refused with status 2."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from ui_helpers import click, type_into

from branchdesk import app as app_module
from branchdesk.ui import shortcuts
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.officers.sign_in import SetUpDialog

PASSWORD = "a fictional long password"

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def keep_hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # run_gui installs its exception hook and a log file; undo both afterwards.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    yield
    app = QApplication.instance()
    if app is not None:
        shortcuts.uninstall(app)  # build_window put in the Ctrl+S filter
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == app_module._LOG_HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()


def test_run_gui_opens_the_window(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Any, keep_hook: None
) -> None:
    shown: list[Any] = []

    def event_loop(self: QApplication) -> int:
        # What is on screen when the event loop would start.
        shown.extend(w for w in QApplication.topLevelWidgets() if w.isVisible())
        return 0

    monkeypatch.setattr(QApplication, "exec", event_loop)
    # A new database: the first-run set-up makes the secretary's account first.
    dialogs.dialogs.append(set_up_secretary(qtbot))
    status = app_module.run_gui(str(tmp_path / "start.sqlite3"), ["branchdesk"], dialogs=dialogs)
    assert status == 0
    app = QApplication.instance()
    [window] = [w for w in shown if isinstance(w, MainWindow)]
    qtbot.addWidget(window)
    assert window.windowTitle() == "BranchDesk — Northmoor Branch (fictional)"
    assert app.applicationName() == "BranchDesk"
    assert app.organizationName() == "BranchDesk"
    assert (tmp_path / "start.sqlite3").is_file()
    assert dialogs.shown == []


def set_up_secretary(qtbot: Any) -> Any:
    def fill(d: SetUpDialog) -> None:
        d.encrypt_box.setChecked(False)  # a plain database: encryption is tested on its own
        type_into(qtbot, d.branch_edit, "Northmoor Branch (fictional)")
        type_into(qtbot, d.name_edit, "Sam Example")
        type_into(qtbot, d.new_password.password, PASSWORD)
        type_into(qtbot, d.new_password.again, PASSWORD)
        click(qtbot, d.create_button)

    return fill


def test_a_damaged_database_is_refused_with_status_2(
    tmp_path: Path, dialogs: Any, keep_hook: None, qapp: Any
) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database at all " * 200)
    status = app_module.run_gui(str(damaged), ["branchdesk"], dialogs=dialogs)
    assert status == 2
    [(title, text)] = dialogs.messages("error")
    assert "damaged" in title
    assert str(damaged) in text and "restore" in text.lower()


def test_remembered_database_is_used_only_if_it_still_exists(tmp_path: Path) -> None:
    prefs = app_module.Preferences(tmp_path / "p.json")
    prefs.set("last_database", str(tmp_path / "gone.sqlite3"))
    assert app_module._remembered_database(prefs) is None
    (tmp_path / "here.sqlite3").write_bytes(b"")
    prefs.set("last_database", str(tmp_path / "here.sqlite3"))
    assert app_module._remembered_database(prefs) == str(tmp_path / "here.sqlite3")


START_UP = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtWidgets import QApplication
    started = time.perf_counter()
    shown = []
    def event_loop(self):
        shown.extend(w for w in QApplication.topLevelWidgets() if w.isVisible())
        return 0
    QApplication.exec = event_loop
    from branchdesk.app import run_gui
    from branchdesk.ui.dialogs import DialogService
    class Officer(DialogService):
        # The first start sets up the secretary's account; the next signs in with it.
        def run_dialog(self, dialog):
            if dialog.objectName() == "setUpDialog":
                dialog.encrypt_box.setChecked(False)
                dialog.branch_edit.setText("Test Branch")
                dialog.new_password.password.setText("a fictional long password")
                dialog.new_password.again.setText("a fictional long password")
            else:
                dialog.password.setText("a fictional long password")
            dialog.name_edit.setText("Sam Example")
            dialog.accept()
            return dialog.result() == 1
    status = run_gui(sys.argv[1], ["branchdesk"], dialogs=Officer())
    print("status", status)
    print("visible", any(type(w).__name__ == "MainWindow" for w in shown))
    print("heavy", sorted(m for m in ("openpyxl", "reportlab") if m in sys.modules))
    print("alembic", "alembic" in sys.modules)
    print(f"seconds {time.perf_counter() - started:.2f}")
    """
)


def _start_up(tmp_path: Path) -> list[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "BRANCHDESK_CONFIG_DIR": str(tmp_path / "config"),
        "BRANCHDESK_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", START_UP, str(tmp_path / "s.sqlite3")],
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert "status 0" in lines and "visible True" in lines
    return lines


def test_start_up_does_not_load_the_export_libraries(tmp_path: Path) -> None:
    lines = _start_up(tmp_path)
    assert "heavy []" in lines, lines


def test_start_up_on_a_database_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    assert "alembic True" in _start_up(tmp_path)  # a new database is made by the migrations
    assert "alembic False" in _start_up(tmp_path)
