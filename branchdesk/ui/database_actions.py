"""File menu actions on the database itself: new, open, back up, restore and the restore drill;
and the daily backup, taken in the background just after the window is up.

Opening runs migrations (and a backup before them), restoring copies a whole file: both run in
the background worker. When a new database is ready the window swaps it in, and every tab is
told through `AppEvents.database_changed`. A SQLite file on a network drive or in a cloud-sync
folder is refused before anything opens it.

An encrypted database is opened by signing in to it (the password unlocks it), and a new one is
set up before its file exists (encrypted, unless the officer says not). Backups, restores and
the daily backup of an encrypted database use its key, so its backups are encrypted too.
Encrypting a plain database, and a new recovery code, are in `branchdesk.ui.encryption`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

from branchdesk.access.encryption import needs_key
from branchdesk.settings import DB_FILE_NAME, data_dir, is_demo_database
from branchdesk.store.backup import backup_database
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.store.keys import key_file_for
from branchdesk.store.location import location_problem
from branchdesk.store.schedule import backups_folder, has_backup_on, take_backup
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.worker import report_unhandled

log = logging.getLogger(__name__)

# Untranslated here; each is translated where it is shown.
DB_FILTER = QT_TRANSLATE_NOOP("database_actions", "BranchDesk database (*.sqlite3);;All files (*)")
RESTORE_TEXT = QT_TRANSLATE_NOOP(
    "database_actions",
    "This replaces everything in the open database with the backup. "
    "A copy of the current database is kept beside it.",
)
POSTGRES_BACKUPS = QT_TRANSLATE_NOOP(
    "database_actions",
    "Backups of a shared PostgreSQL database are taken on the server (pg_dump), not by BranchDesk.",
)
STATUS_SECONDS = 15


class DatabaseActions(QObject):
    def __init__(
        self,
        ctx: AppContext,
        window: QWidget,
        swap_database: Callable[[Database], None],
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._swap = swap_database
        self.new_action = self._action(
            translate("database_actions", "&New database…"),
            translate("database_actions", "Start a new, empty BranchDesk database file"),
            self.new_database,
        )
        self.open_action = self._action(
            translate("database_actions", "&Open database…"),
            translate("database_actions", "Open another BranchDesk database file"),
            self.open_database,
        )
        self.backup_action = self._action(
            translate("database_actions", "&Back up…"),
            translate(
                "database_actions",
                "Save a checked copy of the whole database, for example to a USB stick",
            ),
            self.backup,
        )
        self.restore_action = self._action(
            translate("database_actions", "&Restore…"),
            translate(
                "database_actions",
                "Replace the open database with a backup (the current one is kept beside it)",
            ),
            self.restore,
        )
        self.restore_drill_action = self._action(
            translate("database_actions", "Restore &drill…"),
            translate(
                "database_actions",
                "Check that a backup can be restored: restore it into a temporary copy, check it "
                "and compare it with this database, which is not changed",
            ),
            self.restore_drill,
        )
        from branchdesk.ui.encryption.actions import EncryptionActions

        self.encryption = EncryptionActions(ctx, window, swap_database)
        self.encrypt_action = self.encryption.encrypt_action
        self.recovery_code_action = self.encryption.recovery_code_action
        self.ctx.worker.busy_changed.connect(self._on_busy)

    def _action(self, text: str, tip: str, slot: Callable[[], None]) -> QAction:
        """A menu action; `text` and `tip` come translated."""
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        # triggered(bool) would hand "checked" to a slot with optional arguments: drop it.
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _on_busy(self, busy: bool) -> None:
        # Swapping the database under a running import or export would pull it from under them.
        for action in (self.new_action, self.open_action, self.restore_action):
            action.setEnabled(not busy)

    def _folder(self) -> Path:
        path = self.ctx.db.path
        return path.parent if path is not None else data_dir()

    def _error(self, title: str) -> Callable[[BaseException], None]:
        """Shows a store or file error under `title` (translated by the caller)."""

        def show(exc: BaseException) -> None:
            if isinstance(exc, StoreError | OSError):
                self.ctx.dialogs.error(self.window, title, str(exc))
            else:
                report_unhandled(exc)

        return show

    # -- new and open --------------------------------------------------------------------------

    def new_database(self) -> None:
        title = translate("database_actions", "New database")
        path = self.ctx.dialogs.save_file(
            self.window,
            title,
            self._folder() / DB_FILE_NAME,
            translate("database_actions", DB_FILTER),
        )
        if path is None:
            return
        if path.exists():
            self.ctx.dialogs.error(
                self.window,
                title,
                translate(
                    "database_actions",
                    "{path} already exists. Choose another name, or use Open database to open it.",
                ).format(path=path),
            )
            return
        if self._refused(path, title):
            return
        from branchdesk.ui.officers.sign_in import set_up_new_database

        # Set up before the file exists: an encrypted database is never written in plain.
        db = set_up_new_database(
            path.resolve(), self.ctx.preferences, self.ctx.dialogs, self.window, at_start=False
        )
        if db is not None:
            self._opened(db)

    def open_database(self) -> None:
        title = translate("database_actions", "Open database")
        path = self.ctx.dialogs.open_file(
            self.window, title, translate("database_actions", DB_FILTER), self._folder()
        )
        if path is None:
            return
        if self.ctx.db.path is not None and path.resolve() == self.ctx.db.path:
            return  # already open
        if self._refused(path, title):
            return
        if needs_key(path):
            self._unlock(path.resolve())
            return
        self._open(path, translate("database_actions", "Opening {name}…").format(name=path.name))

    def _unlock(self, path: Path) -> None:
        from branchdesk.ui.encryption.unlock import unlock_database

        unlocked = unlock_database(
            path,
            self.ctx.preferences,
            self.ctx.dialogs,
            self.ctx.worker,
            self.window,
            at_start=False,
        )
        if unlocked.db is not None:
            self._opened(unlocked.db)

    def _refused(self, path: Path, title: str) -> bool:
        problem = location_problem(path)
        if problem is not None:
            self.ctx.dialogs.error(
                self.window,
                translate("database_actions", "{title}: not in this place").format(title=title),
                problem,
            )
        return problem is not None

    def _open(self, path: Path, label: str) -> None:
        officer = self.ctx.preferences.officer_name
        self.ctx.worker.run_with_progress(
            lambda _progress: open_database(path, officer=officer),
            parent=self.window,
            title=translate("database_actions", "Database"),
            label=label,
            on_done=self._opened,
            on_error=self._open_failed(path),
        )

    def _open_failed(self, path: Path) -> Callable[[BaseException], None]:
        fallback = self._error(translate("database_actions", "Could not open the database"))

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, DatabaseDamaged):
                fallback(exc)
                return
            from branchdesk.ui.backup_dialogs import recover_damaged

            # Nothing was written to it: the newest good backup is offered, as at start-up.
            restored = recover_damaged(
                path.resolve(),
                str(exc),
                self.ctx.dialogs,
                self.ctx.preferences,
                self.ctx.worker,
                parent=self.window,
                at_start=False,
            )
            if restored is not None:
                self._opened(restored)

        return failed

    def _opened(self, db: Database) -> None:
        self._swap(db)
        self.start_daily_backup()

    # -- backup and restore --------------------------------------------------------------------

    def backup(self) -> None:
        if self.ctx.db.path is None:
            self.ctx.dialogs.info(
                self.window,
                translate("database_actions", "Back up"),
                translate(
                    "database_actions",
                    "This is a shared PostgreSQL database: it is backed up on the server "
                    "(with pg_dump), not from BranchDesk.",
                ),
            )
            return
        suggested = Path.home() / f"branchdesk-backup-{date.today():%Y-%m-%d}.sqlite3"
        out = self.ctx.dialogs.save_file(
            self.window,
            translate("database_actions", "Back up database"),
            suggested,
            translate("database_actions", DB_FILTER),
        )
        if out is None:
            return
        db = self.ctx.db
        self.ctx.worker.run_with_progress(
            lambda _progress: backup_database(db, out),
            parent=self.window,
            title=translate("database_actions", "Back up"),
            label=translate("database_actions", "Writing and checking {name}…").format(
                name=out.name
            ),
            on_done=lambda written: self.ctx.dialogs.info(
                self.window,
                translate("database_actions", "Backup saved"),
                backup_saved_text(written, db.encrypted),
            ),
            on_error=self._error(translate("database_actions", "Backup failed")),
        )

    def restore(self) -> None:
        if self.ctx.db.path is None:
            self.ctx.dialogs.info(
                self.window,
                translate("database_actions", "Restore"),
                translate(
                    "database_actions",
                    "This is a shared PostgreSQL database: restore it on the server (pg_restore).",
                ),
            )
            return
        backup = self.ctx.dialogs.open_file(
            self.window,
            translate("database_actions", "Restore from a backup"),
            translate("database_actions", DB_FILTER),
            Path.home(),
        )
        if backup is None:
            return
        if not self.ctx.dialogs.confirm(
            self.window,
            translate("database_actions", "Restore from a backup?"),
            translate("database_actions", RESTORE_TEXT),
            yes=translate("database_actions", "Restore"),
        ):
            return
        db = self.ctx.db
        target, key = db.path, db.key
        officer = self.ctx.preferences.officer_name

        def run(_progress: object) -> tuple[Database, Path | None]:
            # Imported here: it brings the ORM models in, which the window needs only later.
            from branchdesk.store.restore import restore_and_reopen

            db.dispose()
            # An encrypted database takes back only its own (encrypted) backups.
            return restore_and_reopen(target, backup, officer, key=key)

        def done(result: tuple[Database, Path | None]) -> None:
            new_db, kept = result
            self._swap(new_db)
            self.ctx.dialogs.info(
                self.window,
                translate("database_actions", "Restored"),
                translate(
                    "database_actions",
                    "The database now holds the backup from {name}.\n\n"
                    "The database as it was before is kept in\n{kept}",
                ).format(name=backup.name, kept=kept),
            )

        self.ctx.worker.run_with_progress(
            run,
            parent=self.window,
            title=translate("database_actions", "Restore"),
            label=translate("database_actions", "Restoring from {name}…").format(name=backup.name),
            on_done=done,
            on_error=self._error(translate("database_actions", "Restore failed")),
        )

    # -- the restore drill ---------------------------------------------------------------------

    def restore_drill(self) -> None:
        if self.ctx.db.path is None:
            self.ctx.dialogs.info(
                self.window,
                translate("database_actions", "Restore drill"),
                translate("database_actions", POSTGRES_BACKUPS),
            )
            return
        from branchdesk.ui.backup_dialogs import RestoreDrillDialog

        dialog = RestoreDrillDialog(self.ctx, self.window)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    # -- the daily backup ----------------------------------------------------------------------

    def _alive(self) -> bool:
        # A backup can end after its window has closed (a test's, or a database swapped out).
        return shiboken6.isValid(self) and shiboken6.isValid(self.window)

    def _status(self, text: str, seconds: int = 0) -> None:
        if self._alive() and isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, seconds * 1000)

    def start_daily_backup(self) -> None:
        """Today's backup of the open database, if it has none yet; never blocks the window.

        Whether one is due is looked up in the background too: the backups folder may be on a
        slow drive. A failure is shown in the status bar and logged, and nothing else happens.
        """
        db = self.ctx.db
        if db.path is None:
            self._status(translate("database_actions", POSTGRES_BACKUPS), STATUS_SECONDS)
            return
        if is_demo_database(db.path):
            return  # fictional data, made again on demand
        path, key = db.path, db.key
        folder = backups_folder(path, self.ctx.preferences.get("backup_folder"))

        def due() -> bool:
            return path.is_file() and not has_backup_on(path, folder, date.today())

        def then(is_due: bool) -> None:
            if is_due:
                self._take_daily_backup(path, folder, key)

        self.ctx.worker.run(due, on_done=then, on_error=self._daily_backup_failed, quiet=True)

    def _take_daily_backup(self, path: Path, folder: Path, key: bytes | None) -> None:
        self._status(translate("database_actions", "Taking today's backup of the database…"))
        self.ctx.worker.run(
            lambda: take_backup(path, folder, key=key),
            on_done=lambda written: self._status(
                translate("database_actions", "Today's backup is saved and checked: {path}").format(
                    path=written
                ),
                STATUS_SECONDS,
            ),
            on_error=self._daily_backup_failed,
            # Quiet: it asks nothing and disables nothing, and there is nothing to cancel (a
            # backup cut off leaves no file). Closing the window waits for it to end.
            quiet=True,
        )

    def _daily_backup_failed(self, exc: BaseException) -> None:
        # Whatever went wrong (a full disk, a folder gone, a locked file), the window carries
        # on: the status bar says so, and the log has the kind of error, never its details.
        log.warning("daily backup failed: %s", error_kind(exc))
        self._status(
            translate("database_actions", "Today's backup could not be taken: {error}").format(
                error=exc
            )
        )
        if isinstance(exc, DatabaseDamaged) and self._alive():
            # Every page was copied and the copy failed its check: the database itself may be.
            self.ctx.dialogs.error(
                self.window,
                translate("database_actions", "Today's backup failed its check"),
                translate(
                    "database_actions",
                    "{error}\n\nThe database itself may be damaged. Use File › Restore drill… to "
                    "check the newest backup, close BranchDesk and run 'branchdesk check'; if it "
                    "finds damage, restore the newest good backup.",
                ).format(error=exc),
            )


def backup_saved_text(written: Path, encrypted: bool) -> str:
    """What Back up says once the backup is written and checked."""
    if not encrypted:
        return translate("database_actions", "The backup is checked and saved in\n{path}").format(
            path=written
        )
    return translate(
        "database_actions",
        "The backup is checked and saved in\n{path}\n\nIt is encrypted, like the database, "
        "and opens with the same passwords or the recovery code. Keep its key file, {key_file}, "
        "beside it.",
    ).format(path=written, key_file=key_file_for(written).name)
