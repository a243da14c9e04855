"""The main window: tabs, menus, preferences, database swaps, backups and the status bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from ui_helpers import click, column_texts, type_into

from branchdesk import __version__
from branchdesk.members.service import MemberForm, create_member
from branchdesk.settings import Preferences
from branchdesk.store.database import Database, open_database
from branchdesk.ui import main_window as main_window_module
from branchdesk.ui.context import AppContext
from branchdesk.ui.help_dialogs import DataLocationDialog
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.officers.sign_in import SetUpDialog
from branchdesk.ui.preferences_dialog import PreferencesDialog
from branchdesk.ui.worker import Worker

pytestmark = pytest.mark.timeout(60)


def _menu_texts(window: MainWindow) -> dict[str, list[str]]:
    menus = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        menus[action.text().replace("&", "")] = [
            a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()
        ]
    return menus


def test_title_tabs_and_menus(window: MainWindow) -> None:
    assert window.windowTitle() == "BranchDesk — Test Branch"
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Casework", "Negotiating demands", "Outsourcing watch", "Hardship fund"]
    menus = _menu_texts(window)
    assert list(menus) == ["File", "Edit", "View", "Tools", "Officers", "Help"]
    assert menus["Officers"] == ["Officers…", "Change my password…", "Lock now", "Sign out"]
    assert "Audit log…" in menus["Tools"]
    assert menus["File"] == [
        "New database…",
        "Open database…",
        "Back up…",
        "Restore…",
        "Restore drill…",
        "Encrypt database…",
        "Import CSV…",
        "Export members…",
        "Quit",
    ]
    assert "Preferences…" in menus["Edit"]
    assert menus["Help"] == [
        "BranchDesk guide",
        "Keyboard shortcuts",
        "Where is my data?",
        "About BranchDesk",
    ]
    assert menus["View"] == [
        "Casework",
        "Members",
        "Negotiating demands",
        "Outsourcing watch",
        "Hardship fund",
        "Next tab",
        "Previous tab",
    ]
    shortcuts = {
        a.text().replace("&", ""): a.shortcut().toString()
        for m in window.menuBar().actions()
        for a in m.menu().actions()
        if not a.shortcut().isEmpty()
    }
    assert shortcuts == {
        "Add member…": "Ctrl+N",
        "Find member": "Ctrl+F",
        "Export members…": "Ctrl+E",
        "Lock now": "Ctrl+L",
        "Quit": "Ctrl+Q",
        "BranchDesk guide": "F1",
        "Casework": "Ctrl+1",
        "Members": "Ctrl+2",
        "Negotiating demands": "Ctrl+3",
        "Outsourcing watch": "Ctrl+4",
        "Hardship fund": "Ctrl+5",
        "Next tab": "Ctrl+Tab",
        "Previous tab": "Ctrl+Shift+Tab",
    }
    for menu in window.menuBar().actions():
        for action in menu.menu().actions():
            if action.isSeparator():
                continue
            # A tooltip of its own (Qt's default is the text), and the same status tip.
            text = action.text().replace("&", "")
            assert action.toolTip() and action.toolTip().replace("&", "") != text, text
            assert action.statusTip() == action.toolTip(), text


def test_every_register_is_built_in_its_place(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Casework", "Negotiating demands", "Outsourcing watch", "Hardship fund"]
    assert window.loading_pages == {}
    assert window.tabs.widget(3) is window.hardship_tab


def test_preferences_change_the_title(
    qtbot: Any, window: MainWindow, dialogs: Any, prefs: Preferences, db: Database
) -> None:
    def rename(d: PreferencesDialog) -> None:
        assert d.branch_name.text() == "Test Branch"
        type_into(qtbot, d.branch_name, "Northmoor Local Government Branch")
        type_into(qtbot, d.officer_name, "Pat Secretary")
        type_into(qtbot, d.documents_folder, r"\\branch-server\casework")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(rename)
    window.preferences_action.trigger()
    assert window.windowTitle() == "BranchDesk — Northmoor Local Government Branch"
    saved = Preferences(prefs.path)
    assert saved.branch_name == "Northmoor Local Government Branch"
    assert saved.officer_name == "Pat Secretary"
    assert saved.get("documents_folder") == r"\\branch-server\casework"
    assert db.officer == "Pat Secretary"  # later changes are recorded under the new name


def test_about_and_where_is_my_data(
    qtbot: Any, window: MainWindow, dialogs: Any, db: Database
) -> None:
    window.about_action.trigger()
    [(title, text)] = dialogs.messages("info")
    assert title == "About BranchDesk"
    assert __version__ in text and "GPL-3.0-or-later" in text and str(db.path) in text

    seen: dict[str, str] = {}

    def open_folder(d: DataLocationDialog) -> None:
        seen["database"] = d.database_label.text()
        click(qtbot, d.open_button)
        d.reject()

    dialogs.dialogs.append(open_folder)
    window.where_action.trigger()
    assert seen["database"] == str(db.path)
    assert dialogs.opened_folders == [db.path.parent]


def test_shortcuts_reach_the_member_register_from_another_tab(
    qtbot: Any, window: MainWindow
) -> None:
    window.tabs.setCurrentIndex(3)
    window.activateWindow()
    # Window shortcuts reach only the active window; an earlier test's window may still be.
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.casework_tab
    assert window.casework_tab.pages.currentWidget() is window.members_tab
    assert isinstance(QApplication.focusWidget(), QLineEdit)
    assert QApplication.focusWidget() is window.members_tab.filter_bar.edit


def test_status_bar_shows_the_database_and_a_location_warning(
    window: MainWindow, db: Database, dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.database_label.text() == f"Database: {db.display_name}"
    assert window.warning_label.isHidden()
    warning = "The database is in a cloud-sync folder (OneDrive). Sync tools can corrupt it."
    monkeypatch.setattr(main_window_module, "location_warning", lambda _path: warning)
    window.update_status()
    assert "The database is in a cloud-sync folder (OneDrive)." in window.warning_label.text()
    assert "Sync tools" not in window.warning_label.text()
    assert window.warning_label.toolTip() == warning
    assert not window.warning_label.isHidden() and not window.warning_icon.isHidden()
    window.warning_label.linkActivated.emit("#why")  # "Why does this matter?"
    assert dialogs.messages("info") == [("Where the database is kept", warning)]


def _set_up(qtbot: Any) -> Any:
    """Works the first-run set-up a database without officers' accounts opens with."""

    def fill(d: SetUpDialog) -> None:
        d.encrypt_box.setChecked(False)  # a plain database: encryption is tested on its own
        type_into(qtbot, d.branch_edit, "Test Branch")
        type_into(qtbot, d.name_edit, "Sam Example")
        type_into(qtbot, d.new_password.password, "a fictional long password")
        type_into(qtbot, d.new_password.again, "a fictional long password")
        click(qtbot, d.create_button)

    return fill


def _other_database(path: Path) -> Path:
    other = open_database(path, officer="Someone Else")
    create_member(other, MemberForm(membership_number="X1", first_name="Olive", last_name="Other"))
    other.dispose()
    return path


def test_open_another_database(
    qtbot: Any,
    window: MainWindow,
    dialogs: Any,
    ctx: AppContext,
    tmp_path: Path,
    prefs: Preferences,
) -> None:
    path = _other_database(tmp_path / "other.sqlite3")
    dialogs.open_files.append(path)
    dialogs.dialogs.append(_set_up(qtbot))
    window.database_actions.open_action.trigger()
    assert ctx.db.path == path.resolve()
    assert column_texts(window.members_tab.table, 1) == ["Other"]
    assert window.database_label.text() == f"Database: {path.resolve()}"
    assert Preferences(prefs.path).get("last_database") == str(path.resolve())


def test_open_database_on_a_real_thread(
    qtbot: Any, db: Database, prefs: Preferences, dialogs: Any, tmp_path: Path
) -> None:
    threaded = Worker()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    path = _other_database(tmp_path / "threaded.sqlite3")
    dialogs.open_files.append(path)
    dialogs.dialogs.append(_set_up(qtbot))
    window.database_actions.open_action.trigger()
    qtbot.waitUntil(lambda: ctx.db.path == path.resolve(), timeout=20_000)
    # The member list of the new database is read in the background too.
    qtbot.waitUntil(lambda: column_texts(window.members_tab.table, 1) == ["Other"], timeout=5000)
    assert threaded.wait_for_done(10_000)
    ctx.db.dispose()


def test_new_database_starts_empty(
    qtbot: Any, window: MainWindow, dialogs: Any, ctx: AppContext, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.sqlite3"
    dialogs.save_files.append(path)
    dialogs.dialogs.append(_set_up(qtbot))
    window.database_actions.new_action.trigger()
    assert ctx.db.path == path.resolve()
    tab = window.members_tab
    assert tab.model.rowCount() == 0
    assert tab.stack.currentWidget() is tab.empty_label
    assert "No members yet" in tab.empty_label.text()


def test_new_database_refuses_an_existing_file(
    window: MainWindow, dialogs: Any, ctx: AppContext, db: Database
) -> None:
    dialogs.save_files.append(db.path)
    window.database_actions.new_action.trigger()
    [(_title, text)] = dialogs.messages("error")
    assert "already exists" in text
    assert ctx.db is db


def test_back_up_then_restore(
    qtbot: Any, window: MainWindow, dialogs: Any, ctx: AppContext, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.sqlite3"
    dialogs.save_files.append(backup)
    window.database_actions.backup_action.trigger()
    assert backup.is_file()
    assert dialogs.messages("info")[-1][0] == "Backup saved"

    create_member(
        ctx.db, MemberForm(membership_number="M900", first_name="Late", last_name="Joiner")
    )
    window.members_tab.refresh()
    assert "Joiner" in column_texts(window.members_tab.table, 1)

    dialogs.open_files.append(backup)
    dialogs.confirms.append(True)
    dialogs.dialogs.append(_set_up(qtbot))  # the backup was taken before any accounts
    window.database_actions.restore_action.trigger()
    assert dialogs.messages("confirm") == [
        (
            "Restore from a backup?",
            "This replaces everything in the open database with the backup. "
            "A copy of the current database is kept beside it.",
        )
    ]
    assert "Joiner" not in column_texts(window.members_tab.table, 1)
    assert len(column_texts(window.members_tab.table, 1)) == 4
    title, text = dialogs.messages("info")[-1]
    assert title == "Restored"
    kept = [p for p in ctx.db.path.parent.iterdir() if "before-restore" in p.name]
    assert kept and str(kept[0]) in text


def test_restore_declined_changes_nothing(
    window: MainWindow, dialogs: Any, ctx: AppContext, db: Database, tmp_path: Path
) -> None:
    dialogs.open_files.append(tmp_path / "whatever.sqlite3")
    dialogs.confirms.append(False)
    window.database_actions.restore_action.trigger()
    assert ctx.db is db
    assert window.members_tab.model.rowCount() == 4


def test_restore_from_a_file_that_is_not_a_backup(
    window: MainWindow, dialogs: Any, ctx: AppContext, db: Database, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("shopping list")
    dialogs.open_files.append(junk)
    dialogs.confirms.append(True)
    window.database_actions.restore_action.trigger()
    [(title, _text)] = dialogs.messages("error")
    assert title == "Restore failed"
    assert ctx.db is db
    assert window.members_tab.model.rowCount() == 4


def test_ctrl_q_quits(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_at_start_up_the_casework_tab_comes_just_after_the_first_paint(
    qtbot: Any, window: MainWindow, ctx: AppContext
) -> None:
    main_window_module.window_state().setValue("tab", 2)  # the tab open when it last closed
    later = MainWindow(ctx, build_after_paint=True)
    qtbot.addWidget(later, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    assert not later.registers_built
    assert [later.tabs.tabText(i) for i in range(later.tabs.count())] == [
        window.tabs.tabText(i) for i in range(window.tabs.count())
    ]
    assert later.tabs.currentIndex() == 2
    later.show()
    qtbot.waitUntil(lambda: later.registers_built, timeout=5000)
    assert later.tabs.widget(0) is later.casework_tab
    assert later.tabs.currentIndex() == 2
    # The same menus, shortcuts and all, as a window built at once.
    assert _menu_texts(later) == _menu_texts(window)
    later.tabs.setCurrentIndex(1)
    later.activateWindow()
    qtbot.keyClick(later, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert later.tabs.currentWidget() is later.casework_tab
    assert later.casework_tab.pages.currentWidget() is later.members_tab
    qtbot.waitUntil(lambda: later.members_tab.model.rowCount() == 4, timeout=5000)
