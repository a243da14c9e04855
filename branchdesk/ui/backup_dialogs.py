"""Dialogs for backups and recovery.

`RestoreDrillDialog` (File › Restore drill…) restores a backup into a temporary copy, checks
it and compares it with the open database, which it never changes. `DamagedDatabaseDialog`
appears at start-up when the database is damaged: it looks for the newest backup that passes
its checks, in the background, and offers to restore it.

The backups of an encrypted database are encrypted with the same key: every function here that
reads a file directly is given it (`key`), None for a plain database.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from branchdesk.store.drill import (
    DrillResult,
    backup_file,
    describe,
    newest_good_backup,
    run_drill,
)
from branchdesk.store.errors import StoreError
from branchdesk.store.schedule import BackupFile, backups_folder, restore_candidates
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.worker import Worker

if TYPE_CHECKING:
    from branchdesk.progress import Progress
    from branchdesk.settings import Preferences
    from branchdesk.store.database import Database
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.dialogs import DialogService

log = logging.getLogger(__name__)

BACKUP_FILTER = QT_TRANSLATE_NOOP("backup_dialogs", "BranchDesk backup (*.sqlite3);;All files (*)")
DAMAGED_TITLE = QT_TRANSLATE_NOOP("backup_dialogs", "BranchDesk — the database is damaged")


def ledger_problems(db: Database) -> list[str]:
    """The hardship fund ledgers re-added, as `branchdesk check` does (store cannot import a
    register, so this check is handed to the drill from here)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    from branchdesk.hardship.ledger import check_all_funds

    try:
        if not inspect(db.engine).has_table("ledger_entries"):
            return []
        return check_all_funds(db)
    except (DBAPIError, StoreError) as exc:
        return [
            translate("backup_dialogs", "the hardship fund ledgers cannot be read: {error}").format(
                error=getattr(exc, "orig", exc)
            )
        ]


def _icon(widget: QWidget, which: QStyle.StandardPixmap) -> QLabel:
    label = QLabel()
    label.setPixmap(widget.style().standardIcon(which).pixmap(32, 32))
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    return label


def _text(text: str = "", name: str = "", width: int = 560) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    # With the layouts' SetMinimumSize, the dialog is as tall as the text needs at this width.
    label.setMinimumWidth(width)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class RestoreDrillDialog(QDialog):
    """Choose a backup (the newest by default), run the drill, read the result."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert ctx.db.path is not None, "only a SQLite database has backups to drill"
        self.ctx = ctx
        self.db_path = ctx.db.path
        self.folder = backups_folder(self.db_path, ctx.preferences.get("backup_folder"))
        self.result_: DrillResult | None = None
        self.setWindowTitle(translate("backup_dialogs", "Restore drill"))

        intro = _text(
            translate(
                "backup_dialogs",
                "A restore drill shows that a backup can really be used. BranchDesk restores it "
                "into a temporary copy, checks the copy as 'branchdesk check' does, counts its "
                "members, cases and ledger entries and compares them with the open database, "
                "then deletes the copy. The open database is not changed.",
            )
        )
        self.backups = QComboBox()
        self.backups.setObjectName("drillBackups")
        self.backups.setAccessibleName(translate("backup_dialogs", "Backup to drill"))
        # The list's width follows the dialog, not the longest file name.
        self.backups.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.backups.setMinimumContentsLength(30)
        for backup in restore_candidates(self.db_path, self.folder):
            self._add(backup)
        self.choose_button = QPushButton(translate("backup_dialogs", "Choose a file…"))
        self.choose_button.setToolTip(
            translate("backup_dialogs", "Drill a backup kept somewhere else, such as a USB stick")
        )
        self.choose_button.clicked.connect(self.choose_file)
        self.choose_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout()
        row.addWidget(self.backups, 1)
        row.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.result_icon = QLabel()
        self.result_label = _text(name="drillResult", width=510)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_icon, 0, Qt.AlignmentFlag.AlignTop)
        result_row.addWidget(self.result_label, 1)
        self.none_label = _text(
            translate(
                "backup_dialogs",
                "There are no backups of this database in {folder} yet. BranchDesk takes one "
                "the first time the database is opened each day; File › Back up takes one now. "
                "Or choose a backup file.",
            ).format(folder=self.folder),
            "tabSubheading",
        )
        self.none_label.setVisible(self.backups.count() == 0)
        self.backups.setVisible(self.backups.count() > 0)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = buttons.addButton(
            translate("backup_dialogs", "Run the drill"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.run_button.setObjectName("primaryButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        # Wrapped text grows the dialog downwards rather than being cut off.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(intro)
        heading = QLabel(translate("backup_dialogs", "Backup to drill"))
        heading.setObjectName("tabSubheading")
        layout.addWidget(heading)
        layout.addWidget(self.none_label)
        layout.addLayout(row)
        layout.addLayout(result_row)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._update_buttons()

    def _add(self, backup: BackupFile, index: int = -1) -> None:
        index = self.backups.count() if index < 0 else index
        self.backups.insertItem(index, describe(backup), backup)
        self.backups.setItemData(index, str(backup.path), Qt.ItemDataRole.ToolTipRole)

    def selected(self) -> BackupFile | None:
        backup = self.backups.currentData()
        return backup if isinstance(backup, BackupFile) else None

    def _update_buttons(self, running: bool = False) -> None:
        self.run_button.setEnabled(not running and self.selected() is not None)
        self.choose_button.setEnabled(not running)
        self.backups.setEnabled(not running)

    def choose_file(self) -> None:
        start = self.folder if self.folder.is_dir() else self.db_path.parent
        path = self.ctx.dialogs.open_file(
            self,
            translate("backup_dialogs", "Choose a backup to drill"),
            translate("backup_dialogs", BACKUP_FILTER),
            start,
        )
        if path is None:
            return
        try:
            backup = backup_file(path.resolve())
        except OSError as exc:
            self.ctx.dialogs.error(
                self,
                translate("backup_dialogs", "Restore drill"),
                translate("backup_dialogs", "Cannot read {path}: {error}").format(
                    path=path, error=exc
                ),
            )
            return
        self._add(backup, 0)
        self.backups.setCurrentIndex(0)
        self.backups.setVisible(True)
        self.none_label.setVisible(False)
        self._update_buttons()

    def run(self) -> None:
        backup = self.selected()
        if backup is None:
            return
        self._update_buttons(running=True)
        self._show("", None)
        db_path, key = self.db_path, self.ctx.db.key

        def drill(progress: Progress) -> DrillResult:
            return run_drill(
                db_path, backup, extra_checks=ledger_problems, progress=progress, key=key
            )

        self.ctx.worker.run_with_progress(
            drill,
            parent=self,
            title=translate("backup_dialogs", "Restore drill"),
            label=translate(
                "backup_dialogs", "Restoring and checking the backup of {label}…"
            ).format(label=backup.label),
            on_done=self._done,
            on_error=self._failed,
            on_cancelled=lambda: self._finish(
                translate("backup_dialogs", "The drill was cancelled."), None
            ),
        )

    def _done(self, result: DrillResult) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the drill ran; the log has the outcome
        self.result_ = result
        icon = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if result.passed
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        self._finish(result.summary(), icon)

    def _failed(self, exc: BaseException) -> None:
        log.warning("restore drill failed: %s", error_kind(exc))
        self._finish(
            translate("backup_dialogs", "The drill could not be run: {error}").format(error=exc),
            QStyle.StandardPixmap.SP_MessageBoxCritical,
        )

    def _finish(self, text: str, icon: QStyle.StandardPixmap | None) -> None:
        if not shiboken6.isValid(self):
            return
        self._show(text, icon)
        self._update_buttons()

    def _show(self, text: str, icon: QStyle.StandardPixmap | None) -> None:
        self.result_label.setText(text)
        self.result_label.setVisible(bool(text))
        if icon is None:
            self.result_icon.clear()
        else:
            self.result_icon.setPixmap(self.style().standardIcon(icon).pixmap(32, 32))
        self.result_icon.setVisible(icon is not None)


class DamagedDatabaseDialog(QDialog):
    """Says the database is damaged, finds the newest good backup and offers to restore it."""

    def __init__(
        self,
        db_path: Path,
        reason: str,
        folder: Path,
        officer: str,
        worker: Worker,
        parent: QWidget | None = None,
        *,
        key: bytes | None = None,
        at_start: bool = True,
    ) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.folder = folder
        self.officer = officer
        self.worker = worker
        self._key = key
        self.backup: BackupFile | None = None
        self.restored: tuple[Database, Path | None] | None = None
        self.setWindowTitle(translate("backup_dialogs", DAMAGED_TITLE))

        heading = QLabel(translate("backup_dialogs", "The database is damaged"))
        heading.setObjectName("tabHeading")
        self.reason_label = _text(reason, "damageReason", 520)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = _text(name="recoveryStatus", width=520)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self._status(
            translate("backup_dialogs", "Looking for the newest backup that passes its checks…")
        )
        text = QVBoxLayout()
        text.setSpacing(10)
        text.addWidget(heading)
        text.addWidget(self.reason_label)
        text.addWidget(self.status_label)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(_icon(self, QStyle.StandardPixmap.SP_MessageBoxCritical), 0)
        top.addLayout(text, 1)

        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(
            translate("backup_dialogs", "Restore this backup"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.restore_button.setObjectName("primaryButton")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore)
        # At start-up there is nothing else to go back to; from File › Open, the database
        # already open stays open.
        self.quit_button = buttons.addButton(
            translate("backup_dialogs", "Quit")
            if at_start
            else translate("backup_dialogs", "Cancel"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.quit_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addWidget(buttons)

        worker.run(
            lambda: newest_good_backup(db_path, folder, key=key),
            on_done=self._found,
            on_error=self._search_failed,
        )

    def _status(self, plain: str) -> None:
        self.status_label.setText(f"<p>{html.escape(plain)}</p>")

    def _found(self, found: tuple[BackupFile | None, list[tuple[BackupFile, str]]]) -> None:
        if not shiboken6.isValid(self):
            return  # quit while the backups were being checked
        backup, failed = found
        # A sentence of its own, with the space that joins it to the one before.
        if not failed:
            skipped = ""
        elif len(failed) == 1:
            skipped = " " + translate(
                "backup_dialogs", "1 newer backup fails its checks and cannot be used."
            )
        else:
            skipped = " " + translate(
                "backup_dialogs", "{n} newer backups fail their checks and cannot be used."
            ).format(n=len(failed))
        if backup is None:
            self._status(
                translate(
                    "backup_dialogs",
                    "No backup of it that passes its checks was found in {folder} or beside "
                    "the database.{skipped} If a backup is kept elsewhere, restore it with "
                    "'branchdesk restore BACKUP-FILE'.",
                ).format(folder=self.folder, skipped=skipped)
            )
            return
        self.backup = backup
        self.status_label.setText(
            translate(
                "backup_dialogs",
                "<p>The newest good backup is from <b>{label}</b> ({file}).{skipped}</p>"
                "<p>Restoring it replaces the damaged file, which is kept beside it as a "
                "“before-restore” copy. Anything entered after the backup was taken is not in "
                "it.</p>",
            ).format(
                label=html.escape(backup.label),
                file=html.escape(backup.path.name),
                skipped=html.escape(skipped),
            )
        )
        self.restore_button.setEnabled(True)
        self.restore_button.setFocus()

    def _search_failed(self, exc: BaseException) -> None:
        log.warning("looking for a good backup failed: %s", error_kind(exc))
        if not shiboken6.isValid(self):
            return
        self._status(
            translate("backup_dialogs", "The backups could not be checked: {error}").format(
                error=exc
            )
        )

    def restore(self) -> None:
        backup = self.backup
        if backup is None:
            return
        self.restore_button.setEnabled(False)
        self.quit_button.setEnabled(False)
        self._status(
            translate("backup_dialogs", "Restoring the backup of {label}…").format(
                label=backup.label
            )
        )
        target, officer, key = self.db_path, self.officer, self._key

        def run() -> tuple[Database, Path | None]:
            from branchdesk.store.restore import restore_and_reopen

            return restore_and_reopen(target, backup.path, officer, key=key)

        self.worker.run(run, on_done=self._restored, on_error=self._restore_failed)

    def _restored(self, result: tuple[Database, Path | None]) -> None:
        self.restored = result
        self.accept()

    def _restore_failed(self, exc: BaseException) -> None:
        self._status(translate("backup_dialogs", "The restore failed: {error}").format(error=exc))
        self.quit_button.setEnabled(True)
        self.restore_button.setEnabled(True)

    def reject(self) -> None:
        if self.quit_button.isEnabled():  # never while a restore is under way
            super().reject()


def recover_damaged(
    db_path: Path | None,
    reason: str,
    dialogs: DialogService,
    prefs: Preferences,
    worker: Worker,
    *,
    key: bytes | None = None,
    parent: QWidget | None = None,
    at_start: bool = True,
) -> Database | None:
    """Offer to restore a damaged database from its newest good backup (at start-up, or when
    File › Open finds it damaged).

    Returns the restored, reopened database, or None if nothing was restored (the caller then
    exits). Without any backup to try, it says so in a plain message. `key` is an encrypted
    database's, unlocked with the officer's password: its backups need it to be checked.
    """
    title = translate("backup_dialogs", DAMAGED_TITLE)
    if db_path is None:
        dialogs.error(parent, title, reason)
        return None
    folder = backups_folder(db_path, prefs.get("backup_folder"))
    if not restore_candidates(db_path, folder):
        dialogs.error(
            parent,
            title,
            translate(
                "backup_dialogs",
                "{reason}\n\nBranchDesk has not written anything to the file. No backup of it "
                "was found in {folder} or beside it. Restore a backup kept elsewhere with "
                "'branchdesk restore BACKUP-FILE', or open BranchDesk on another database with "
                "'branchdesk --db FILE'.",
            ).format(reason=reason, folder=folder),
        )
        return None
    dialog = DamagedDatabaseDialog(
        db_path, reason, folder, prefs.officer_name, worker, parent, key=key, at_start=at_start
    )
    try:
        accepted = dialogs.run_dialog(dialog)
    finally:
        worker.wait_for_done(120_000)
        dialog.deleteLater()
    if not accepted or dialog.restored is None or dialog.backup is None:
        return None
    db, kept = dialog.restored
    log.info("damaged database restored from its %s backup", dialog.backup.kind)
    dialogs.info(
        parent,
        translate("backup_dialogs", "Database restored"),
        translate(
            "backup_dialogs",
            "The database now holds the backup of {label}. Anything entered after "
            "that is not in it.\n\nThe damaged file is kept in\n{kept}",
        ).format(label=dialog.backup.label, kept=kept),
    )
    return db
