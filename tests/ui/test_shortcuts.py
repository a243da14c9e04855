"""Keys: Ctrl+S presses a dialog's Save, Ctrl+1…Ctrl+5 and Ctrl+Tab move between the
registers, F1 opens the guide at the register on screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
)
from ui_helpers import type_into

from branchdesk.ui import guide, shortcuts
from branchdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def save_key(qapp: Any) -> Iterator[None]:
    shortcuts.install(qapp)
    shortcuts.install(qapp)  # twice: still one filter
    assert len(qapp.findChildren(shortcuts.SaveShortcut)) == 1
    yield
    shortcuts.uninstall(qapp)


class NoteDialog(QDialog):
    """A dialog as the registers make them: a field, then Save and Cancel."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[str] = []
        self.edit = QLineEdit()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        self.saved.append(self.edit.text())
        super().accept()


def test_ctrl_s_presses_save_in_a_dialog(qtbot: Any, save_key: None) -> None:
    dialog = NoteDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.edit, "Meeting moved to Tuesday")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_S, CTRL)
    assert dialog.saved == ["Meeting moved to Tuesday"]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()


def test_ctrl_s_does_nothing_while_save_is_greyed_out(qtbot: Any, save_key: None) -> None:
    dialog = NoteDialog()
    qtbot.addWidget(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_S, CTRL)
    assert dialog.saved == [] and dialog.isVisible()
    # Without the filter installed, Ctrl+S is an ordinary key again.
    shortcuts.uninstall(QApplication.instance())
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_S, CTRL)
    assert dialog.saved == []


def test_only_save_or_ok_is_pressed_and_message_boxes_are_left_alone(qtbot: Any) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QDialogButtonBox(dialog)
    # An accept button of other words (Import, Restore this backup) is never Ctrl+S's.
    box.addButton("Restore this backup", QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(QDialogButtonBox.StandardButton.Cancel)
    dialog.show()
    assert shortcuts.save_button(dialog) is None
    ok = box.addButton(QDialogButtonBox.StandardButton.Ok)
    assert shortcuts.save_button(dialog) is ok
    ok.hide()
    assert shortcuts.save_button(dialog) is None

    question = QMessageBox(QMessageBox.Icon.Question, "Stop and quit?", "Work is running.")
    qtbot.addWidget(question)
    question.addButton("Stop and quit", QMessageBox.ButtonRole.AcceptRole)
    question.show()
    assert shortcuts.save_button(question) is None


def _active(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_ctrl_number_brings_each_register_forward(qtbot: Any, window: MainWindow) -> None:
    _active(qtbot, window)
    expected = {
        Qt.Key.Key_5: window.hardship_tab,
        Qt.Key.Key_3: window.demands_tab,
        Qt.Key.Key_4: window.outsourcing_tab,
        Qt.Key.Key_1: window.casework_tab,
    }
    for key, tab in expected.items():
        qtbot.keyClick(window.tabs, key, CTRL)
        assert window.tabs.currentWidget() is tab
    qtbot.keyClick(window.tabs, Qt.Key.Key_2, CTRL)
    assert window.tabs.currentWidget() is window.casework_tab
    assert window.casework_tab.pages.currentWidget() is window.members_tab
    qtbot.keyClick(window.tabs, Qt.Key.Key_1, CTRL)  # back to the casework itself
    assert window.casework_tab.pages.currentWidget() is window.casework_tab.cases_page
    for action in window.view_actions.values():
        assert action.isEnabled() and action.toolTip() != action.text().replace("&", "")


def test_ctrl_tab_steps_through_the_tabs_from_a_text_box(qtbot: Any, window: MainWindow) -> None:
    _active(qtbot, window)
    window.show_register("members_tab")
    search = window.members_tab.filter_bar.edit
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_Tab, CTRL)
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(
        QApplication.focusWidget() or window,
        Qt.Key.Key_Backtab,
        CTRL | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.tabs.currentIndex() == 0
    qtbot.keyClick(
        QApplication.focusWidget() or window,
        Qt.Key.Key_Backtab,
        CTRL | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.tabs.currentIndex() == window.tabs.count() - 1  # round to the last


def test_f1_opens_the_guide_at_the_register_on_screen(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[Any, str | None]] = []
    listed: list[Any] = []
    monkeypatch.setattr(
        guide, "show_guide", lambda parent, section=None: opened.append((parent, section))
    )
    monkeypatch.setattr(guide, "show_shortcuts", listed.append)
    _active(qtbot, window)
    qtbot.keyClick(window.tabs, Qt.Key.Key_F1)
    window.show_register("members_tab")
    qtbot.keyClick(window.tabs, Qt.Key.Key_F1)
    for name in ("demands_tab", "outsourcing_tab", "hardship_tab"):
        window.show_register(name)
        window.guide_action.trigger()
    assert opened == [
        (window, "casework"),
        (window, "members"),
        (window, "demands"),
        (window, "outsourcing"),
        (window, "hardship"),
    ]
    window.shortcuts_action.trigger()
    assert listed == [window]
