"""Every question the app asks the user goes through here.

Tabs and windows never call QMessageBox or QFileDialog themselves: they ask a `DialogService`.
Tests hand in a fake that answers from a script, so the logic behind a prompt is tested
without a modal loop that nobody is there to close.

The file choosers start in the folder last used for the same purpose (window.ini), when the
caller names no folder of its own; dialogs run here get their splitters and column widths back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from branchdesk.settings import config_dir
from branchdesk.ui.i18n import translate

FOLDERS_GROUP = "folders"


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


def cannot_open_title() -> str:
    """The title of the message when the database chosen at start-up will not open."""
    return translate("dialogs", "BranchDesk cannot open the database")


def window_state() -> QSettings:
    """Remembered window sizes, layouts and folders: kept apart from preferences, beside them."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def file_purpose(kind: str, filter: str) -> str:
    """What a file chooser is for, from its first filter's patterns: 'open-csv-txt', 'save-pdf'.

    Titles name the record ("Attach a document to C-0012") and are translated, so the filter
    groups choosers better: every spreadsheet export starts where the last one was saved.
    """
    first = filter.split(";;")[0]
    inside = first[first.rfind("(") + 1 : first.rfind(")")] if "(" in first else first
    patterns = [p.removeprefix("*.").removeprefix("*") for p in inside.split()]
    words = [p.lower() for p in patterns if p.isalnum()] or ["any"]
    return "-".join([kind, *words])


def remembered_folder(purpose: str) -> Path | None:
    value = window_state().value(f"{FOLDERS_GROUP}/{purpose}", "")
    if isinstance(value, str) and value and Path(value).is_dir():
        return Path(value)
    return None


def remember_folder(purpose: str, folder: Path) -> None:
    state = window_state()
    state.setValue(f"{FOLDERS_GROUP}/{purpose}", str(folder))
    state.sync()


def _has_folder(suggested: str | Path) -> bool:
    text = str(suggested)
    return bool(text) and Path(text).parent != Path(".")


class DialogService:
    """Message boxes, file choosers and custom dialogs, behind one seam."""

    def confirm(
        self, parent: QWidget | None, title: str, text: str, *, yes: str = "Continue"
    ) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        # The default "Continue" is English a caller never chose: it is translated here.
        label = translate("dialogs", "Continue") if yes == "Continue" else yes
        ok = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
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
        self,
        parent: QWidget | None,
        title: str,
        filter: str,
        directory: str | Path = "",
        *,
        purpose: str | None = None,
    ) -> Path | None:
        purpose = purpose or file_purpose("open", filter)
        start = directory if str(directory) else remembered_folder(purpose) or ""
        name, _ = QFileDialog.getOpenFileName(parent, title, str(start), filter)
        if not name:
            return None
        remember_folder(purpose, Path(name).parent)
        return Path(name)

    def save_file(
        self,
        parent: QWidget | None,
        title: str,
        suggested: str | Path,
        filter: str,
        *,
        purpose: str | None = None,
    ) -> Path | None:
        purpose = purpose or file_purpose("save", filter)
        start = Path(suggested)
        if not _has_folder(suggested):
            folder = remembered_folder(purpose)
            if folder is not None:
                start = folder / str(suggested)
        name, selected = QFileDialog.getSaveFileName(parent, title, str(start), filter)
        if not name:
            return None
        path = with_filter_suffix(Path(name), selected)
        remember_folder(purpose, path.parent)
        return path

    def run_dialog(self, dialog: QDialog) -> bool:
        """Show a dialog modally; True if it was accepted (Save, Import, OK)."""
        from branchdesk.ui.window_memory import restore_layout, save_layout

        # A dialog with an objectName gets its splitters and column widths back, once it is
        # on screen (and has sized them itself).
        QTimer.singleShot(0, dialog, lambda: restore_layout(dialog, window_state()))
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            save_layout(dialog, window_state())

    def open_folder(self, path: Path) -> bool:
        """Open a folder in the system's file manager."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
