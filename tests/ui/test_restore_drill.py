"""Backups and recovery in the window: the restore drill, today's backup taken in the
background at start-up, a damaged database restored from its newest good backup, and a
database in a sync folder refused."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from damaging import DAMAGE, branch_template, copy_branch, damage, fingerprint, member_count
from PySide6.QtWidgets import QDialog
from qt_checks import pseudo_translation, unnamed_inputs
from ui_helpers import click

from branchdesk import app as app_module
from branchdesk.members.service import MemberForm, create_member
from branchdesk.store.database import Database
from branchdesk.store.errors import DatabaseDamaged
from branchdesk.store.schedule import backups_folder, scheduled_backups, take_backup
from branchdesk.ui import database_actions as database_actions_module
from branchdesk.ui import exception_hook
from branchdesk.ui.backup_dialogs import DamagedDatabaseDialog, RestoreDrillDialog
from branchdesk.ui.context import AppContext
from branchdesk.ui.main_window import MainWindow

__all__ = ["branch_template"]  # the fixture, imported for pytest

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def keep_hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # build_window installs its exception hook and a log file; undo both afterwards. An
    # unexpected error fails the test instead of waiting on a message box nobody closes.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    unexpected: list[str] = []
    monkeypatch.setattr(
        exception_hook, "_show_dialog", lambda message, details: unexpected.append(details)
    )
    yield
    assert unexpected == []
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == app_module._LOG_HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture(autouse=True)
def _no_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing in at start-up is tested on its own; these tests start on a database with no
    officers' accounts, so the first-run set-up is skipped here."""
    monkeypatch.setattr("branchdesk.ui.officers.sign_in.admit", lambda *args, **kwargs: True)


@pytest.fixture
def branch(branch_template: Path, tmp_path: Path) -> Path:
    return copy_branch(branch_template, tmp_path / "office" / "branch.sqlite3")


def _built(qtbot: Any, dialogs: Any, spec: Path) -> MainWindow:
    built = app_module.build_window(str(spec), ["branchdesk"], dialogs=dialogs)
    assert not isinstance(built, int), dialogs.shown
    _, window = built
    qtbot.addWidget(window, before_close_func=dialogs.closing)
    return window


def _close(window: MainWindow) -> None:
    assert window.ctx.worker.wait_for_done(30_000)
    window.ctx.db.dispose()


# -- the restore drill -------------------------------------------------------------------------


def test_the_restore_drill_from_the_file_menu(
    window: MainWindow, ctx: AppContext, db: Database, dialogs: Any, qtbot: Any
) -> None:
    assert db.path is not None
    take_backup(db.path, backups_folder(db.path, ""), datetime(2026, 11, 29, 9, 12))
    create_member(db, MemberForm(membership_number="M005", first_name="Eve", last_name="Later"))
    before = fingerprint(db.path)
    seen: dict[str, str] = {}

    def drill(d: RestoreDrillDialog) -> None:
        assert d.backups.currentText() == "29 Nov 2026 09:12 (daily backup)"
        click(qtbot, d.run_button)
        seen["result"] = d.result_label.text()
        d.reject()

    dialogs.dialogs.append(drill)
    window.database_actions.restore_drill_action.trigger()
    assert seen["result"].startswith(
        "The backup of 29 Nov 2026 09:12 restores and passes its checks: 4 members, 0 cases, "
        "0 ledger entries."
    )
    assert "holds 5 members" in seen["result"] and "1 more member" in seen["result"]
    assert fingerprint(db.path) == before
    assert sorted(p.name for p in db.path.parent.iterdir() if "drill" in p.name) == []


def test_the_drill_of_a_chosen_file_that_is_damaged(
    window: MainWindow, db: Database, dialogs: Any, qtbot: Any, tmp_path: Path
) -> None:
    assert db.path is not None
    chosen = take_backup(db.path, tmp_path / "usb", datetime(2026, 10, 1, 18, 0))
    damage(chosen, "garbage-appended")
    dialogs.open_files.append(chosen)
    seen: dict[str, Any] = {}

    def drill(d: RestoreDrillDialog) -> None:
        assert d.backups.count() == 0 and not d.run_button.isEnabled()
        assert "There are no backups of this database" in d.none_label.text()
        click(qtbot, d.choose_button)
        assert d.backups.currentText() == "1 Oct 2026 18:00 (daily backup)"
        click(qtbot, d.run_button)
        seen["result"] = d.result_label.text()
        seen["passed"] = d.result_ is not None and d.result_.passed
        d.reject()

    dialogs.dialogs.append(drill)
    window.database_actions.restore_drill_action.trigger()
    assert "FAILED the drill" in seen["result"] and "bytes were added" in seen["result"]
    assert seen["passed"] is False


def test_the_file_menu_entries_say_what_they_do_and_the_drill_names_its_list(
    window: MainWindow, dialogs: Any, qtbot: Any
) -> None:
    actions = window.database_actions
    for action in (
        actions.new_action,
        actions.open_action,
        actions.backup_action,
        actions.restore_action,
        actions.restore_drill_action,
        actions.encrypt_action,
        actions.recovery_code_action,
    ):
        text = action.text().replace("&", "")
        assert action.toolTip() and action.toolTip() != text, text
        assert action.statusTip() == action.toolTip(), text
    seen: dict[str, Any] = {}

    def look(d: RestoreDrillDialog) -> None:
        seen["unnamed"] = unnamed_inputs(d)
        seen["list"] = d.backups.accessibleName()
        d.reject()

    dialogs.dialogs.append(look)
    actions.restore_drill_action.trigger()
    assert seen == {"unnamed": [], "list": "Backup to drill"}


def test_what_back_up_says_goes_through_the_translator(tmp_path: Path) -> None:
    written = tmp_path / "branchdesk-backup.sqlite3"
    plain = database_actions_module.backup_saved_text(written, encrypted=False)
    assert plain == f"The backup is checked and saved in\n{written}"
    with pseudo_translation():
        translated = database_actions_module.backup_saved_text(written, encrypted=True)
    assert translated.startswith("[The backup is checked and saved in\n")
    assert str(written) in translated and translated.endswith("beside it.]")


# -- today's backup ----------------------------------------------------------------------------


def test_start_up_takes_todays_backup_in_the_background(
    qtbot: Any, branch: Path, dialogs: Any, keep_hook: None
) -> None:
    window = _built(qtbot, dialogs, branch)
    folder = branch.parent / "backups"
    assert scheduled_backups(branch, folder) == []  # nothing was taken before the window
    window.show()
    qtbot.waitUntil(lambda: len(scheduled_backups(branch, folder)) == 1, timeout=30_000)
    status = window.statusBar()
    qtbot.waitUntil(lambda: "Today's backup is saved and checked" in status.currentMessage())
    _close(window)
    assert dialogs.shown == []


def test_a_failed_daily_backup_is_reported_and_nothing_else_happens(
    window: MainWindow, dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(source: Path, target: Path, key: bytes | None = None) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(database_actions_module, "take_backup", full_disk)
    window.database_actions.start_daily_backup()
    message = window.statusBar().currentMessage()
    assert "Today's backup could not be taken" in message and "No space left" in message
    assert dialogs.shown == []

    def damaged(source: Path, target: Path, key: bytes | None = None) -> Path:
        raise DatabaseDamaged("the backup failed its integrity check: row 3 missing")

    monkeypatch.setattr(database_actions_module, "take_backup", damaged)
    window.database_actions.start_daily_backup()
    [(title, text)] = dialogs.messages("error")
    assert title == "Today's backup failed its check" and "Restore drill" in text


# -- a damaged database at start-up ------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_database_is_restored_from_the_newest_good_backup(
    qtbot: Any, branch: Path, dialogs: Any, keep_hook: None, kind: str
) -> None:
    folder = branch.parent / "backups"
    take_backup(branch, folder, datetime(2026, 11, 28, 9, 12))
    damage(take_backup(branch, folder, datetime(2026, 11, 29, 9, 12)), "truncated")
    members = member_count(branch)
    damaged = damage(branch, kind)
    before = fingerprint(branch)
    seen: dict[str, Any] = {}

    def restore_it(d: DamagedDatabaseDialog) -> None:
        qtbot.waitUntil(d.restore_button.isEnabled, timeout=30_000)
        seen["reason"] = d.reason_label.text()
        seen["status"] = d.status_label.text()
        seen["untouched"] = fingerprint(branch) == before
        click(qtbot, d.restore_button)
        qtbot.waitUntil(lambda: d.result() == QDialog.DialogCode.Accepted, timeout=30_000)

    dialogs.dialogs.append(restore_it)
    window = _built(qtbot, dialogs, branch)
    assert "is damaged" in seen["reason"] and str(branch) in seen["reason"]
    assert "28 Nov 2026 09:12" in seen["status"] and "1 newer backup fails" in seen["status"]
    assert seen["untouched"]
    assert window.ctx.db.path == branch and member_count(branch) == members
    [(title, text)] = dialogs.messages("info")
    assert title == "Database restored" and "28 Nov 2026 09:12" in text
    kept = Path(text.split("\n")[-1])
    assert kept.read_bytes() == damaged
    _close(window)


def test_file_open_on_a_damaged_database_offers_its_newest_good_backup(
    qtbot: Any, branch: Path, dialogs: Any, keep_hook: None
) -> None:
    other = copy_branch(branch, branch.parent.parent / "other" / "other.sqlite3")
    take_backup(branch, branch.parent / "backups", datetime(2026, 11, 28, 9, 12))
    members = member_count(branch)
    damaged = damage(branch, "garbage-appended")
    window = _built(qtbot, dialogs, other)
    seen: dict[str, str] = {}

    def cancel(d: DamagedDatabaseDialog) -> None:
        qtbot.waitUntil(d.restore_button.isEnabled, timeout=30_000)
        seen["cancel"] = d.quit_button.text()
        click(qtbot, d.quit_button)

    def restore_it(d: DamagedDatabaseDialog) -> None:
        qtbot.waitUntil(d.restore_button.isEnabled, timeout=30_000)
        click(qtbot, d.restore_button)
        qtbot.waitUntil(lambda: d.result() == QDialog.DialogCode.Accepted, timeout=30_000)

    # Cancelled: the database already open stays open, the damaged file as it was.
    dialogs.open_files.append(branch)
    dialogs.dialogs.append(cancel)
    window.database_actions.open_database()
    qtbot.waitUntil(lambda: not window.ctx.worker.busy, timeout=30_000)
    assert seen["cancel"] == "Cancel"
    assert window.ctx.db.path == other.resolve() and branch.read_bytes() == damaged
    # Restored: the window moves onto it.
    dialogs.open_files.append(branch)
    dialogs.dialogs.append(restore_it)
    window.database_actions.open_database()
    qtbot.waitUntil(lambda: window.ctx.db.path == branch.resolve(), timeout=30_000)
    assert member_count(branch) == members
    [(title, _)] = dialogs.messages("info")
    assert title == "Database restored"
    _close(window)


def test_quitting_the_damaged_dialog_leaves_the_file_alone(
    qtbot: Any, branch: Path, dialogs: Any, keep_hook: None
) -> None:
    take_backup(branch, branch.parent / "backups", datetime(2026, 11, 28, 9, 12))
    damage(branch, "zeroed-header")
    before = fingerprint(branch)

    def quit_(d: DamagedDatabaseDialog) -> None:
        qtbot.waitUntil(d.restore_button.isEnabled, timeout=30_000)
        click(qtbot, d.quit_button)

    dialogs.dialogs.append(quit_)
    status = app_module.build_window(str(branch), ["branchdesk"], dialogs=dialogs)
    assert status == app_module.EXIT_CANNOT_OPEN
    assert fingerprint(branch) == before


# -- where the database is ---------------------------------------------------------------------


def test_start_up_refuses_a_database_in_a_sync_folder(
    tmp_path: Path, dialogs: Any, keep_hook: None, qapp: Any
) -> None:
    synced = tmp_path / "Dropbox" / "branchdesk.sqlite3"
    status = app_module.build_window(str(synced), ["branchdesk"], dialogs=dialogs)
    assert status == app_module.EXIT_CANNOT_OPEN
    [(_, text)] = dialogs.messages("error")
    assert "cloud-sync folder" in text and "PostgreSQL" in text
    assert not synced.exists()


def test_file_open_refuses_a_database_in_a_sync_folder(
    window: MainWindow, ctx: AppContext, db: Database, dialogs: Any, tmp_path: Path
) -> None:
    synced = copy_branch(db.path, tmp_path / "OneDrive" / "branch.sqlite3")  # type: ignore[arg-type]
    dialogs.open_files.append(synced)
    window.database_actions.open_action.trigger()
    [(title, text)] = dialogs.messages("error")
    assert "not in this place" in title and "cloud-sync folder" in text
    assert ctx.db is db
