"""Edit › Preferences: the branch name (on every export), the officer's name (audit log),
for a shared database the shared folder for case documents, and when the window locks itself."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk.access.roles import WRITE, Area
from branchdesk.settings import OPTIONS
from branchdesk.ui.context import AppContext
from branchdesk.ui.officers.gate import may

# Long enough for any meeting; 0 ("Never") turns the lock off.
MAX_LOCK_MINUTES = 240

_LABELS = {option.key: option.label for option in OPTIONS}


class PreferencesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        prefs = ctx.preferences
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(520)

        self.branch_name = QLineEdit(prefs.get("branch_name"))
        self.branch_name.setObjectName("branch_name")
        self.branch_name.setPlaceholderText("for example Northshire County Branch")
        self.branch_name.setMaxLength(200)
        self.officer_name = QLineEdit(prefs.get("officer_name"))
        self.officer_name.setObjectName("officer_name")
        self.officer_name.setPlaceholderText(prefs.officer_name)
        self.officer_name.setMaxLength(200)

        self.documents_folder = QLineEdit(prefs.get("documents_folder"))
        self.documents_folder.setObjectName("documents_folder")
        self.documents_folder.setPlaceholderText(r"for example \\branch-server\casework")
        self.documents_folder.setToolTip(
            "Only for a database shared between PCs: a folder every PC can reach, where the "
            "documents attached to cases are kept. With a database file on this PC, they are "
            "kept beside it."
        )

        principal = ctx.db.principal
        if principal is not None:
            # Signed in, changes are recorded under the account's name, not this one.
            self.officer_name.setText(principal.name)
            self.officer_name.setEnabled(False)
            self.officer_name.setToolTip(
                f"You are signed in as {principal.name}: that is the name recorded."
            )

        self.lock_after = QSpinBox()
        self.lock_after.setObjectName("lock_after_minutes")
        self.lock_after.setRange(0, MAX_LOCK_MINUTES)
        self.lock_after.setSuffix(" minutes")
        self.lock_after.setSpecialValueText("Never")
        self.lock_after.setValue(int(prefs.get("lock_after_minutes")))
        self.lock_after.setToolTip(
            "After this long without a key pressed or the mouse moved, BranchDesk hides what "
            "is on screen until the officer's password is entered again"
        )
        if not may(ctx.db, Area.BRANCH, WRITE):
            self.lock_after.setEnabled(False)
            self.lock_after.setToolTip("The branch secretary decides when BranchDesk locks.")

        form = QFormLayout()
        form.addRow(_LABELS["branch_name"], self.branch_name)
        form.addRow(_LABELS["officer_name"], self.officer_name)
        form.addRow(_LABELS["documents_folder"], self.documents_folder)
        form.addRow(_LABELS["lock_after_minutes"], self.lock_after)

        note = QLabel(
            "The branch name is printed on every export and shown in the title bar. "
            "Your name is recorded against every change you make. The shared folder is only "
            "used when the database is shared between PCs. Locking hides what is on screen "
            "after that many minutes without use, until the password is entered again."
        )
        note.setObjectName("tabSubheading")
        note.setWordWrap(True)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def accept(self) -> None:
        prefs = self.ctx.preferences
        prefs.set("branch_name", self.branch_name.text().strip())
        if self.officer_name.isEnabled():  # not the account's name shown while signed in
            prefs.set("officer_name", self.officer_name.text().strip())
        prefs.set("documents_folder", self.documents_folder.text().strip())
        prefs.set("lock_after_minutes", self.lock_after.value())
        try:
            prefs.save()
        except OSError as exc:
            self.ctx.dialogs.error(
                self, "Preferences not saved", f"Could not save your preferences: {exc}"
            )
            return
        # Changes from now on are recorded under the new name.
        self.ctx.db.officer = prefs.officer_name
        self.ctx.events.preferences_changed.emit()
        super().accept()
