"""The idle lock: after the minutes set in Preferences without input, everything on screen is
covered until the officer's password is entered again (or another officer signs in)."""

from __future__ import annotations

from typing import Any

import pytest
from officer_helpers import OFFICERS, PASSWORD, add_officers, open_window, sign_in_as
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout
from ui_helpers import click, type_into

from branchdesk.settings import Preferences
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.officers.lock import Cover, IdleWatch
from branchdesk.ui.preferences_dialog import PreferencesDialog

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def signed_in(qtbot: Any, ctx: AppContext, db: Database) -> MainWindow:
    add_officers(db, "treasurer")
    return open_window(qtbot, ctx)


def _covers(widget: Any) -> list[Cover]:
    direct = Qt.FindChildOption.FindDirectChildrenOnly
    return [c for c in widget.findChildren(Cover, options=direct) if c.isVisible()]


def test_the_interval_is_read_from_preferences(
    qtbot: Any, signed_in: MainWindow, prefs: Preferences, dialogs: Any
) -> None:
    assert prefs.get("lock_after_minutes") == 10
    assert signed_in.idle.interval_ms == 10 * 60_000 and signed_in.idle.active

    def never(d: PreferencesDialog) -> None:
        assert d.lock_after.value() == 10
        d.lock_after.setValue(0)
        assert d.lock_after.text() == "Never"
        click(qtbot, d.save_button)

    dialogs.dialogs.append(never)
    signed_in.preferences_action.trigger()
    assert Preferences(prefs.path).get("lock_after_minutes") == 0
    assert not signed_in.idle.active

    def five(d: PreferencesDialog) -> None:
        d.lock_after.setValue(5)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(five)
    signed_in.preferences_action.trigger()
    assert signed_in.idle.active and signed_in.idle.interval_ms == 5 * 60_000


def test_only_the_secretary_sets_the_lock(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    add_officers(db, "caseworker")
    sign_in_as(db, "caseworker")
    seen: dict[str, Any] = {}

    def look(d: PreferencesDialog) -> None:
        seen["lock"] = (d.lock_after.isEnabled(), d.lock_after.toolTip())
        seen["name"] = d.officer_name.isEnabled()
        d.reject()

    dialogs.dialogs.append(look)
    open_window(qtbot, ctx).preferences_action.trigger()
    assert seen["lock"] == (False, "The branch secretary decides when BranchDesk locks.")
    assert not seen["name"]  # the name recorded is the account's


def test_input_puts_the_lock_off(qtbot: Any, signed_in: MainWindow) -> None:
    idle = signed_in.idle
    idle.RESTART_EVERY_S = 0  # type: ignore[misc]
    qtbot.wait(300)
    before = idle._timer.remainingTime()
    # Straight through the application, as every key typed anywhere in it goes.
    press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(signed_in.tabs, press)
    assert idle._timer.remainingTime() > before


def test_idle_lock_locks_and_unlocks_with_the_password(
    qtbot: Any, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    # A member's details open in a dialog when the officer walks away.
    open_dialog = QDialog(signed_in)
    QVBoxLayout(open_dialog).addWidget(QLabel("Ada Lowmoor, M001 (fictional)"))
    open_dialog.show()
    monkeypatch.setattr(IdleWatch, "MS_PER_MINUTE", 50)
    signed_in.ctx.preferences.set("lock_after_minutes", 1)
    signed_in.ctx.events.preferences_changed.emit()
    qtbot.waitUntil(lambda: signed_in.locked, timeout=5000)

    dialog = signed_in.lock_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "BranchDesk is locked"
    assert "Sam Example (branch secretary) is signed in" in dialog.intro.text()
    assert len(_covers(signed_in)) == 1 and len(_covers(open_dialog)) == 1
    assert _covers(signed_in)[0].geometry() == signed_in.rect()
    assert not signed_in.idle.active
    # Escape does not get past it.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and signed_in.locked

    type_into(qtbot, dialog.password, "not the password at all")
    click(qtbot, dialog.sign_in_button)
    assert signed_in.locked and dialog.message.text() == "The name or the password is not right."

    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog.sign_in_button)
    assert not signed_in.locked
    assert _covers(signed_in) == [] and _covers(open_dialog) == []
    assert open_dialog.isVisible()  # the same officer: nothing was closed
    assert db.principal is not None and db.principal.name == "Sam Example"
    assert signed_in.idle.active


def test_another_officer_signs_in_at_the_lock(
    qtbot: Any, signed_in: MainWindow, db: Database
) -> None:
    left_open = QDialog(signed_in)
    left_open.show()
    signed_in.lock_action.trigger()
    dialog = signed_in.lock_dialog
    assert dialog is not None
    click(qtbot, dialog.another_button)
    assert dialog.name_edit.isVisible() and dialog.name_edit.text() == ""
    type_into(qtbot, dialog.name_edit, OFFICERS["treasurer"])
    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog.sign_in_button)
    qtbot.waitUntil(lambda: not signed_in.locked, timeout=10_000)
    assert not left_open.isVisible()  # the secretary's work is not left to the treasurer
    tabs = [signed_in.tabs.tabText(i) for i in range(signed_in.tabs.count())]
    assert tabs == ["Members", "Hardship fund"]
    assert signed_in.officer_label.text() == "Signed in: Terry Example · Treasurer"
    assert db.principal is not None and db.principal.name == OFFICERS["treasurer"]


def test_quitting_at_the_lock_closes_the_window(qtbot: Any, signed_in: MainWindow) -> None:
    signed_in.lock_action.trigger()
    dialog = signed_in.lock_dialog
    assert dialog is not None
    click(qtbot, dialog.cancel_button)
    assert not signed_in.isVisible()
    assert signed_in.ctx.db.principal is None  # signed out as the window closed
