"""Ctrl+S in any dialog presses its Save (or OK) button.

Dialogs are made in many places; rather than each adding a shortcut, one event filter on the
application catches Ctrl+S in whichever dialog has the keyboard and presses its Save (or OK)
button, exactly as a click would (so the dialog's own checks run). Message boxes are left
alone: there the accept button means "Continue", "Stop and quit" and the like, never Save.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QWidget,
)

# Preferred in this order when a dialog has more than one accept-role button.
PREFERRED = (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Ok)


def save_button(dialog: QDialog) -> QAbstractButton | None:
    """The button Ctrl+S presses in `dialog`: its Save, else its OK, shown and enabled; None
    otherwise. Buttons of other words ("Import", "Restore this backup", "Encrypt…") are never
    pressed by it: Ctrl+S means save, and those do more than that."""
    if isinstance(dialog, QMessageBox):
        return None
    for box in dialog.findChildren(QDialogButtonBox):
        if box.window() is not dialog or not box.isVisible():
            continue  # a box in a page that is hidden, or in a dialog opened from this one
        for standard in PREFERRED:
            button = box.button(standard)
            if button is not None and button.isVisible() and button.isEnabled():
                return button
    return None


def _is_save(event: QKeyEvent) -> bool:
    # The platform's Save keys (Ctrl+S; Cmd+S on a Mac). Made here, not at import: a key
    # sequence needs the application to exist.
    pressed = QKeySequence(event.keyCombination())
    return any(
        pressed.matches(keys) == QKeySequence.SequenceMatch.ExactMatch
        for keys in QKeySequence.keyBindings(QKeySequence.StandardKey.Save)
    )


class SaveShortcut(QObject):
    """The application-wide event filter behind Ctrl+S; `install` puts one in place."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Cheap test first: this sees every event the application delivers.
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        assert isinstance(event, QKeyEvent)
        if not _is_save(event):
            return False
        dialog = watched.window()
        if not isinstance(dialog, QDialog):
            return False
        button = save_button(dialog)
        if button is None:
            return False
        button.click()
        return True


def install(app: QCoreApplication) -> SaveShortcut:
    """Put the Ctrl+S filter on `app`, once however often it is called."""
    existing = app.findChild(SaveShortcut)
    if isinstance(existing, SaveShortcut):
        return existing
    shortcut = SaveShortcut(app)
    app.installEventFilter(shortcut)
    return shortcut


def uninstall(app: QCoreApplication) -> None:
    existing = app.findChild(SaveShortcut)
    if isinstance(existing, SaveShortcut):
        app.removeEventFilter(existing)
        existing.setParent(None)
        existing.deleteLater()


__all__ = ["SaveShortcut", "install", "save_button", "uninstall"]
