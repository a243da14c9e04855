"""Edit › Preferences: the branch name (on every export), the officer's name (audit log),
for a shared database the shared folder for case documents, the folder for the daily backups,
when the window locks itself, and the branch's retention schedule.

Everything but the schedule is this user's, kept in `preferences.json`. The schedule is the
branch's, kept in the database; it is edited with the same `ScheduleEditor` as Tools › Retention
review, so the rules for reading, checking and saving it stay in `branchdesk.privacy.retention`.
"""

from __future__ import annotations

from PySide6.QtCore import QDir
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk.access.roles import WRITE, Area
from branchdesk.store.schedule import BACKUPS_FOLDER_NAME, backups_folder
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.forms import message_label, show_message
from branchdesk.ui.officers.gate import may, refusal, sentence
from branchdesk.ui.privacy.retention_dialog import SECRETARY_ONLY, ScheduleEditor

# Long enough for any meeting; 0 ("Never") turns the lock off.
MAX_LOCK_MINUTES = 240

# The settings name their options in English and cannot use Qt's translator: the labels shown
# (the same English as `branchdesk.settings.OPTIONS`; a test keeps them in step).
_LABELS = {
    "branch_name": QT_TRANSLATE_NOOP("preferences_dialog", "Branch name"),
    "officer_name": QT_TRANSLATE_NOOP(
        "preferences_dialog", "Your name (recorded in the audit log)"
    ),
    "documents_folder": QT_TRANSLATE_NOOP("preferences_dialog", "Shared folder for case documents"),
    "backup_folder": QT_TRANSLATE_NOOP("preferences_dialog", "Folder for the daily backups"),
    "lock_after_minutes": QT_TRANSLATE_NOOP(
        "preferences_dialog", "Lock after this many minutes idle"
    ),
}

NOT_FOR_POSTGRES = QT_TRANSLATE_NOOP(
    "preferences_dialog",
    "A shared PostgreSQL database is backed up by its server (pg_dump), not by BranchDesk: "
    "this folder is only used for a database file.",
)


def _label(key: str) -> str:
    return translate("preferences_dialog", _LABELS[key])


class PreferencesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        prefs = ctx.preferences
        self.setWindowTitle(translate("preferences_dialog", "Preferences"))
        self.setMinimumWidth(660)

        self.branch_name = QLineEdit(prefs.get("branch_name"))
        self.branch_name.setObjectName("branch_name")
        self.branch_name.setPlaceholderText(
            translate("preferences_dialog", "for example Northshire County Branch")
        )
        self.branch_name.setMaxLength(200)
        self.officer_name = QLineEdit(prefs.get("officer_name"))
        self.officer_name.setObjectName("officer_name")
        self.officer_name.setPlaceholderText(prefs.officer_name)
        self.officer_name.setMaxLength(200)

        self.documents_folder = QLineEdit(prefs.get("documents_folder"))
        self.documents_folder.setObjectName("documents_folder")
        self.documents_folder.setPlaceholderText(
            translate("preferences_dialog", r"for example \\branch-server\casework")
        )
        self.documents_folder.setToolTip(
            translate(
                "preferences_dialog",
                "Only for a database shared between PCs: a folder every PC can reach, where the "
                "documents attached to cases are kept. With a database file on this PC, they are "
                "kept beside it.",
            )
        )

        principal = ctx.db.principal
        if principal is not None:
            # Signed in, changes are recorded under the account's name, not this one.
            self.officer_name.setText(principal.name)
            self.officer_name.setEnabled(False)
            self.officer_name.setToolTip(
                translate(
                    "preferences_dialog", "You are signed in as {name}: that is the name recorded."
                ).format(name=principal.name)
            )

        backups = self._build_backup_folder()

        self.lock_after = QSpinBox()
        self.lock_after.setObjectName("lock_after_minutes")
        self.lock_after.setRange(0, MAX_LOCK_MINUTES)
        self.lock_after.setSuffix(translate("preferences_dialog", " minutes"))
        self.lock_after.setSpecialValueText(translate("preferences_dialog", "Never"))
        self.lock_after.setValue(int(prefs.get("lock_after_minutes")))
        self.lock_after.setToolTip(
            translate(
                "preferences_dialog",
                "After this long without a key pressed or the mouse moved, BranchDesk hides what "
                "is on screen until the officer's password is entered again",
            )
        )
        if not may(ctx.db, Area.BRANCH, WRITE):
            self.lock_after.setEnabled(False)
            self.lock_after.setToolTip(
                translate(
                    "preferences_dialog", "The branch secretary decides when BranchDesk locks."
                )
            )

        form = QFormLayout()
        form.addRow(_label("branch_name"), self.branch_name)
        form.addRow(_label("officer_name"), self.officer_name)
        form.addRow(_label("documents_folder"), self.documents_folder)
        form.addRow(_label("backup_folder"), backups)
        form.addRow(_label("lock_after_minutes"), self.lock_after)

        note = QLabel(
            translate(
                "preferences_dialog",
                "The branch name is printed on every export and shown in the title bar. "
                "Your name is recorded against every change you make. The shared folder is only "
                "used when the database is shared between PCs. Locking hides what is on screen "
                "after that many minutes without use, until the password is entered again.",
            )
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
        layout.addWidget(self._build_retention())
        layout.addSpacing(8)
        layout.addWidget(buttons)
        # A window's first size ignores how tall wrapped text gets at its width, which squeezed
        # the schedule's boxes: size it for the wrapped text.
        width = max(self.minimumWidth(), self.sizeHint().width())
        self.resize(width, layout.totalHeightForWidth(width))

    # -- building ------------------------------------------------------------------------------

    def _build_backup_folder(self) -> QWidget:
        db_path = self.ctx.db.path
        self.backup_folder = QLineEdit(self.ctx.preferences.get("backup_folder"))
        self.backup_folder.setObjectName("backup_folder")
        self.backup_folder.setAccessibleName(_label("backup_folder"))
        self.backup_folder.setPlaceholderText(
            translate("preferences_dialog", "Default: {folder}, beside the database").format(
                folder=BACKUPS_FOLDER_NAME
            )
        )
        self.browse_button = QPushButton(translate("preferences_dialog", "Browse…"))
        self.browse_button.setObjectName("browseBackupFolder")
        self.browse_button.setAccessibleName(
            translate("preferences_dialog", "Choose the folder for the daily backups")
        )
        self.browse_button.clicked.connect(lambda _c=False: self.browse_backup_folder())
        if db_path is None:
            self.backup_folder.setPlaceholderText(
                translate("preferences_dialog", "Not used: the server backs it up")
            )
            for widget in (self.backup_folder, self.browse_button):
                widget.setEnabled(False)
                widget.setToolTip(translate("preferences_dialog", NOT_FOR_POSTGRES))
        else:
            self.backup_folder.setToolTip(
                translate(
                    "preferences_dialog",
                    "Where the daily backups of the database file go. Leave it empty for the "
                    "{name} folder beside the database ({default}). A folder that is not a full "
                    "path is taken from the database's folder ({folder}).",
                ).format(
                    name=BACKUPS_FOLDER_NAME,
                    default=db_path.parent / BACKUPS_FOLDER_NAME,
                    folder=db_path.parent,
                )
            )
            self.browse_button.setToolTip(
                translate("preferences_dialog", "Choose the folder for the daily backups")
            )
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.backup_folder, 1)
        row.addWidget(self.browse_button)
        return line

    def _build_retention(self) -> QGroupBox:
        box = QGroupBox(translate("preferences_dialog", "Retention"))
        box.setObjectName("retentionBox")
        box.setAccessibleName(translate("preferences_dialog", "Retention schedule"))
        self.retention = ScheduleEditor(self.ctx.db, self)
        intro = QLabel(
            translate(
                "preferences_dialog",
                "How long the branch keeps each kind of record before the retention review "
                "offers to erase or anonymise it. The schedule is the branch's, kept in the "
                "database, so it is the same on every PC. Point at a period for the reason "
                "behind its default.",
            )
        )
        intro.setObjectName("tabSubheading")
        intro.setWordWrap(True)
        self.retention_message = message_label()

        form = QFormLayout()
        for label, field, _reason in self.retention.rows():
            form.addRow(label, field)

        problem = self.retention.load()
        if problem:
            show_message(self.retention_message, problem)
            self.retention.lock(problem)
        elif not may(self.ctx.db, Area.PRIVACY, WRITE):
            why = sentence(refusal(self.ctx.db.principal, Area.PRIVACY, WRITE))
            # The rule is the retention dialog's own text, in its translation context.
            rule = translate("privacy.retention_dialog", SECRETARY_ONLY)
            self.retention.lock(
                translate("preferences_dialog", "{rule} {refusal}").format(rule=rule, refusal=why)
            )
            intro.setText(
                translate("preferences_dialog", "{intro} {rule}").format(
                    intro=intro.text(), rule=rule
                )
            )

        layout = QVBoxLayout(box)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.retention_message)
        return box

    # -- the backup folder ---------------------------------------------------------------------

    def browse_backup_folder(self) -> None:
        db_path = self.ctx.db.path
        if db_path is None:
            return
        current = backups_folder(db_path, self.backup_folder.text())
        start = current if current.is_dir() else db_path.parent
        chosen = QFileDialog.getExistingDirectory(
            self, translate("preferences_dialog", "Folder for the daily backups"), str(start)
        )
        if chosen:
            self.backup_folder.setText(QDir.toNativeSeparators(chosen))

    def _backup_folder_problem(self, text: str) -> str:
        db_path = self.ctx.db.path
        if not text or db_path is None:
            return ""
        folder = backups_folder(db_path, text)
        if folder.exists() and not folder.is_dir():
            return translate(
                "preferences_dialog",
                "{folder} is a file, not a folder. Choose a folder for the daily backups, or "
                "leave it empty for the {name} folder beside the database.",
            ).format(folder=folder, name=BACKUPS_FOLDER_NAME)
        return ""

    # -- saving --------------------------------------------------------------------------------

    def accept(self) -> None:
        backup_folder = self.backup_folder.text().strip()
        problem = self._backup_folder_problem(backup_folder)
        if problem:
            self.ctx.dialogs.error(
                self, translate("preferences_dialog", "Preferences not saved"), problem
            )
            return
        # The schedule first: if it is refused, nothing else has changed yet.
        if self.retention.editable:
            message = self.retention.save()
            if message:
                text = translate(
                    "preferences_dialog", "{message}\n\nNothing has been saved yet."
                ).format(message=message)
                self.ctx.dialogs.error(
                    self, translate("preferences_dialog", "Retention schedule not saved"), text
                )
                return
        prefs = self.ctx.preferences
        prefs.set("branch_name", self.branch_name.text().strip())
        if self.officer_name.isEnabled():  # not the account's name shown while signed in
            prefs.set("officer_name", self.officer_name.text().strip())
        prefs.set("documents_folder", self.documents_folder.text().strip())
        prefs.set("backup_folder", backup_folder)
        prefs.set("lock_after_minutes", self.lock_after.value())
        try:
            prefs.save()
        except OSError as exc:
            self.ctx.dialogs.error(
                self,
                translate("preferences_dialog", "Preferences not saved"),
                translate("preferences_dialog", "Could not save your preferences: {error}").format(
                    error=exc
                ),
            )
            return
        # Changes from now on are recorded under the new name.
        self.ctx.db.officer = prefs.officer_name
        self.ctx.events.preferences_changed.emit()
        super().accept()
