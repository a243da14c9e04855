"""Every question the app asks the user goes through here.

Tabs and windows never call QMessageBox or QFileDialog themselves: they ask a `DialogService`.
Tests hand in a fake that answers from a script, so the logic behind a prompt is tested
without a modal loop that nobody is there to close.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


def _suffix_of_filter(selected: str) -> str | None:
    """'.xlsx' from 'Excel workbook (*.xlsx)'; None for '(*)' or several patterns."""
    if "(" not in selected:
        return None
    patterns = selected[selected.rfind("(") + 1 : selected.rfind(")")].split()
    if len(patterns) != 1 or not patterns[0].startswith("*."):
        return None
    return patterns[0][1:]


def with_filter_suffix(path: Path, selected_filter: str) -> Path:
    """Add the chosen filter's extension when the user typed a name without one."""
    suffix = _suffix_of_filter(selected_filter)
    if suffix and path.suffix.lower() != suffix.lower():
        known = {".xlsx", ".pdf", ".csv", ".sqlite3", ".db"}
        if path.suffix.lower() not in known:
            return path.with_name(path.name + suffix)
    return path


class DialogService:
    """Message boxes, file choosers and custom dialogs, behind one seam."""

    def confirm(
        self, parent: QWidget | None, title: str, text: str, *, yes: str = "Continue"
    ) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ok

    def error(self, parent: QWidget | None, title: str, text: str, details: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        if details:
            box.setDetailedText(details)
        box.exec()

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def open_file(
        self, parent: QWidget | None, title: str, filter: str, directory: str | Path = ""
    ) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, str(directory), filter)
        return Path(name) if name else None

    def save_file(
        self, parent: QWidget | None, title: str, suggested: str | Path, filter: str
    ) -> Path | None:
        name, selected = QFileDialog.getSaveFileName(parent, title, str(suggested), filter)
        if not name:
            return None
        return with_filter_suffix(Path(name), selected)

    def run_dialog(self, dialog: QDialog) -> bool:
        """Show a dialog modally; True if it was accepted (Save, Import, OK)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def open_folder(self, path: Path) -> bool:
        """Open a folder in the system's file manager."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
