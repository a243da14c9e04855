"""The first start: with no database anywhere, the welcome offers the demo branch, a new
database, or an existing one; the demo is never the database a plain start reopens."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from officer_helpers import OFFICERS, PASSWORD, add_officers
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QApplication,
)
from qt_checks import unnamed_inputs
from ui_helpers import click, type_into

from branchdesk import app as app_module
from branchdesk.members.service import MemberForm, create_member
from branchdesk.settings import Preferences, default_database_path, demo_database_path
from branchdesk.store.database import Database, open_database
from branchdesk.ui import shortcuts
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.officers.sign_in import SetUpDialog, SignInDialog
from branchdesk.ui.welcome import WelcomeDialog

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def started(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MainWindow]]:
    """Windows `build_window` made; closed, their work finished and databases let go after."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_window installs its hook
    windows: list[MainWindow] = []
    yield windows
    for window in windows:
        window.close()
        window.ctx.worker.wait_for_done(30_000)
        window.ctx.db.dispose()
    shortcuts.uninstall(QApplication.instance())
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == app_module._LOG_HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()


def _start(dialogs: Any, qtbot: Any, started: list[MainWindow]) -> Any:
    """A plain start, as `branchdesk` with no --db: the window, or the exit status."""
    built = app_module.build_window(None, ["branchdesk"], dialogs=dialogs)
    if isinstance(built, tuple):
        window = built[1]
        qtbot.addWidget(window, before_close_func=dialogs.closing)
        started.append(window)
        return window
    return built


def _fill_set_up(qtbot: Any, branch: str = "Northmoor Branch (fictional)") -> Any:
    def fill(d: SetUpDialog) -> None:
        d.encrypt_box.setChecked(False)  # a plain database: encryption is tested on its own
        type_into(qtbot, d.branch_edit, branch)
        type_into(qtbot, d.name_edit, OFFICERS["secretary"])
        type_into(qtbot, d.new_password.password, PASSWORD)
        type_into(qtbot, d.new_password.again, PASSWORD)
        click(qtbot, d.create_button)

    return fill


def _quit(qtbot: Any, seen: list[str]) -> Any:
    def quit_(d: WelcomeDialog) -> None:
        seen.append(d.objectName())
        click(qtbot, d.quit_button)

    return quit_


def test_quit_at_the_welcome_opens_nothing(
    qtbot: Any, dialogs: Any, started: list[MainWindow]
) -> None:
    seen: list[str] = []
    dialogs.dialogs.append(_quit(qtbot, seen))
    assert _start(dialogs, qtbot, started) == 0
    assert seen == ["welcomeDialog"]
    assert started == []
    assert not default_database_path().exists()


def test_the_demo_opens_apart_and_is_never_remembered(
    qtbot: Any, dialogs: Any, started: list[MainWindow]
) -> None:
    def try_the_demo(d: WelcomeDialog) -> None:
        assert d.windowTitle() == "Welcome to BranchDesk"
        click(qtbot, d.demo_button)

    dialogs.dialogs.append(try_the_demo)
    window = _start(dialogs, qtbot, started)
    assert isinstance(window, MainWindow)
    db = window.ctx.db
    assert db.path == demo_database_path().resolve()
    assert db.path.parent != default_database_path().parent  # a folder of its own
    assert db.principal is None  # the demo branch runs without accounts
    # The window says plainly that this is the demo.
    assert window.windowTitle() == "BranchDesk — DEMO branch (fictional data)"
    assert not window.demo_label.isHidden()
    assert "fictional" in window.demo_label.text()
    window.show()
    qtbot.waitUntil(lambda: window.registers_built, timeout=10_000)
    qtbot.waitUntil(lambda: window.members_tab.model.rowCount() > 0, timeout=10_000)
    assert Preferences().get("last_database") == ""
    window.close()

    # The next plain start has still no real database: the welcome again.
    seen: list[str] = []
    dialogs.dialogs.append(_quit(qtbot, seen))
    assert _start(dialogs, qtbot, started) == 0
    assert seen == ["welcomeDialog"]


def test_create_chooses_the_place_and_back_returns_to_the_welcome(
    qtbot: Any, dialogs: Any, tmp_path: Path, started: list[MainWindow]
) -> None:
    chosen = tmp_path / "branch files" / "northmoor.sqlite3"
    seen: dict[str, Any] = {}

    def choose_then_create(d: WelcomeDialog) -> None:
        seen["default"] = d.location_edit.text()
        click(qtbot, d.choose_button)  # the file chooser answers `chosen`
        seen["chosen"] = d.location_edit.text()
        click(qtbot, d.create_button)

    def go_back(d: SetUpDialog) -> None:
        seen["back"] = d.cancel_button.text()
        seen["where"] = d.new_path
        click(qtbot, d.cancel_button)

    def create_again(d: WelcomeDialog) -> None:
        seen["kept"] = d.location_edit.text()
        click(qtbot, d.create_button)

    dialogs.save_files.append(chosen)
    dialogs.dialogs += [choose_then_create, go_back, create_again, _fill_set_up(qtbot)]
    window = _start(dialogs, qtbot, started)
    assert isinstance(window, MainWindow)
    assert seen["default"] == str(default_database_path())
    assert seen["chosen"] == str(chosen)
    assert seen["back"] == "Back"
    assert seen["where"] == chosen.resolve()
    assert seen["kept"] == str(chosen.resolve())
    db = window.ctx.db
    assert db.path == chosen.resolve()
    assert db.principal is not None and db.principal.name == OFFICERS["secretary"]
    assert window.windowTitle() == "BranchDesk — Northmoor Branch (fictional)"
    assert window.demo_label.isHidden()
    # Remembered: the next start opens it (and asks for the password), no welcome.
    assert Preferences().get("last_database") == str(chosen.resolve())
    window.close()

    def sign_in(d: SignInDialog) -> None:
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)

    dialogs.dialogs.append(sign_in)
    again = _start(dialogs, qtbot, started)
    assert isinstance(again, MainWindow)
    assert again.ctx.db.path == chosen.resolve()


def test_create_refuses_a_place_where_a_file_already_is(
    qtbot: Any, dialogs: Any, tmp_path: Path, started: list[MainWindow]
) -> None:
    taken = tmp_path / "taken.sqlite3"
    taken.write_text("somebody's notes")
    seen: dict[str, Any] = {}

    def try_there(d: WelcomeDialog) -> None:
        type_into(qtbot, d.location_edit, str(taken))
        click(qtbot, d.create_button)
        seen["visible"] = d.isVisible()
        seen["message"] = d.message.text()
        click(qtbot, d.quit_button)

    dialogs.dialogs.append(try_there)
    assert _start(dialogs, qtbot, started) == 0
    assert seen["visible"]
    assert "already a file" in seen["message"] and str(taken) in seen["message"]
    assert taken.read_text() == "somebody's notes"


def test_open_an_existing_database(
    qtbot: Any, dialogs: Any, tmp_path: Path, started: list[MainWindow]
) -> None:
    existing = tmp_path / "copied" / "branch.sqlite3"
    db = open_database(existing, officer="set-up")
    add_officers(db)
    create_member(db, MemberForm(membership_number="W1", first_name="Wren", last_name="Example"))
    db.dispose()

    def open_it(d: WelcomeDialog) -> None:
        click(qtbot, d.open_button)  # the file chooser answers `existing`

    def sign_in(d: SignInDialog) -> None:
        type_into(qtbot, d.name_edit, OFFICERS["secretary"])
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)

    dialogs.open_files.append(existing)
    dialogs.dialogs += [open_it, sign_in]
    window = _start(dialogs, qtbot, started)
    assert isinstance(window, MainWindow)
    assert ("open_file", "Open a BranchDesk database") in [
        (kind, title) for kind, title, _text in dialogs.shown
    ]
    assert window.ctx.db.path == existing.resolve()
    window.show()
    qtbot.waitUntil(lambda: window.registers_built, timeout=10_000)
    qtbot.waitUntil(lambda: window.members_tab.model.rowCount() == 1, timeout=10_000)
    assert Preferences().get("last_database") == str(existing.resolve())


def test_open_refuses_a_file_that_is_not_a_database_and_stays(
    qtbot: Any, dialogs: Any, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.sqlite3"
    letter.write_text("Dear colleague, <b>&amp;</b> = not a database", encoding="utf-8")
    dialog = WelcomeDialog(dialogs)
    qtbot.addWidget(dialog)
    dialog.show()
    dialogs.open_files.append(letter)
    click(qtbot, dialog.open_button)
    assert dialog.isVisible() and dialog.result() == 0
    assert "is not a BranchDesk database" in dialog.message.text()
    assert str(letter) in dialog.message.text()


def test_the_welcome_looks_as_it_should(qtbot: Any, dialogs: Any) -> None:
    dialog = WelcomeDialog(dialogs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    name = QAccessible.queryAccessibleInterface(dialog.location_edit).text(QAccessible.Text.Name)
    assert name == "Where to keep the database"
    for button in (dialog.demo_button, dialog.create_button, dialog.open_button):
        assert button.isVisible() and button.toolTip()
    assert dialog.create_button.isDefault()


def test_every_field_of_the_first_start_has_a_name(
    qtbot: Any, dialogs: Any, prefs: Preferences, db: Database, tmp_path: Path
) -> None:
    shown = [
        WelcomeDialog(dialogs),
        SetUpDialog(tmp_path / "new.sqlite3", prefs),
        SetUpDialog(db, prefs),
        SignInDialog(db, prefs),
    ]
    for dialog in shown:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert unnamed_inputs(dialog) == [], dialog.objectName()
