"""File menu actions on the database itself: new, open, back up and restore.

Opening runs migrations (and a backup before them), restoring copies a whole file: both run in
the background worker. When a new database is ready the window swaps it in, and every tab is
told through `AppEvents.database_changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from branchdesk.settings import DB_FILE_NAME, data_dir
from branchdesk.store.backup import backup_database
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import StoreError
from branchdesk.ui.context import AppContext
from branchdesk.ui.worker import report_unhandled

DB_FILTER = "BranchDesk database (*.sqlite3);;All files (*)"
RESTORE_TEXT = (
    "This replaces everything in the open database with the backup. "
    "A copy of the current database is kept beside it."
)


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
            "&New database…", "Start a new, empty BranchDesk database file", self.new_database
        )
        self.open_action = self._action(
            "&Open database…", "Open another BranchDesk database file", self.open_database
        )
        self.backup_action = self._action(
            "&Back up…",
            "Save a checked copy of the whole database, for example to a USB stick",
            self.backup,
        )
        self.restore_action = self._action(
            "&Restore…",
            "Replace the open database with a backup (the current one is kept beside it)",
            self.restore,
        )
        self.ctx.worker.busy_changed.connect(self._on_busy)

    def _action(self, text: str, tip: str, slot: Callable[[], None]) -> QAction:
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
        def show(exc: BaseException) -> None:
            if isinstance(exc, StoreError | OSError):
                self.ctx.dialogs.error(self.window, title, str(exc))
            else:
                report_unhandled(exc)

        return show

    # -- new and open --------------------------------------------------------------------------

    def new_database(self) -> None:
        path = self.ctx.dialogs.save_file(
            self.window, "New database", self._folder() / DB_FILE_NAME, DB_FILTER
        )
        if path is None:
            return
        if path.exists():
            self.ctx.dialogs.error(
                self.window,
                "New database",
                f"{path} already exists. Choose another name, or use Open database to open it.",
            )
            return
        self._open(path, f"Creating {path.name}…")

    def open_database(self) -> None:
        path = self.ctx.dialogs.open_file(self.window, "Open database", DB_FILTER, self._folder())
        if path is None:
            return
        if self.ctx.db.path is not None and path.resolve() == self.ctx.db.path:
            return  # already open
        self._open(path, f"Opening {path.name}…")

    def _open(self, path: Path, label: str) -> None:
        officer = self.ctx.preferences.officer_name
        self.ctx.worker.run_with_progress(
            lambda _progress: open_database(path, officer=officer),
            parent=self.window,
            title="Database",
            label=label,
            on_done=self._swap,
            on_error=self._error("Could not open the database"),
        )

    # -- backup and restore --------------------------------------------------------------------

    def backup(self) -> None:
        if self.ctx.db.path is None:
            self.ctx.dialogs.info(
                self.window,
                "Back up",
                "This is a shared PostgreSQL database: it is backed up on the server "
                "(with pg_dump), not from BranchDesk.",
            )
            return
        suggested = Path.home() / f"branchdesk-backup-{date.today():%Y-%m-%d}.sqlite3"
        out = self.ctx.dialogs.save_file(self.window, "Back up database", suggested, DB_FILTER)
        if out is None:
            return
        db = self.ctx.db
        self.ctx.worker.run_with_progress(
            lambda _progress: backup_database(db, out),
            parent=self.window,
            title="Back up",
            label=f"Writing and checking {out.name}…",
            on_done=lambda written: self.ctx.dialogs.info(
                self.window, "Backup saved", f"The backup is checked and saved in\n{written}"
            ),
            on_error=self._error("Backup failed"),
        )

    def restore(self) -> None:
        if self.ctx.db.path is None:
            self.ctx.dialogs.info(
                self.window,
                "Restore",
                "This is a shared PostgreSQL database: restore it on the server (pg_restore).",
            )
            return
        backup = self.ctx.dialogs.open_file(
            self.window, "Restore from a backup", DB_FILTER, Path.home()
        )
        if backup is None:
            return
        if not self.ctx.dialogs.confirm(
            self.window, "Restore from a backup?", RESTORE_TEXT, yes="Restore"
        ):
            return
        db = self.ctx.db
        target = db.path
        officer = self.ctx.preferences.officer_name

        def run(_progress: object) -> tuple[Database, Path | None]:
            # Imported here: it brings the ORM models in, which the window needs only later.
            from branchdesk.store.restore import restore_and_reopen

            db.dispose()
            return restore_and_reopen(target, backup, officer)

        def done(result: tuple[Database, Path | None]) -> None:
            new_db, kept = result
            self._swap(new_db)
            self.ctx.dialogs.info(
                self.window,
                "Restored",
                f"The database now holds the backup from {backup.name}.\n\n"
                f"The database as it was before is kept in\n{kept}",
            )

        self.ctx.worker.run_with_progress(
            run,
            parent=self.window,
            title="Restore",
            label=f"Restoring from {backup.name}…",
            on_done=done,
            on_error=self._error("Restore failed"),
        )
