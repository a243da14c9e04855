"""Start-up of the window: the Qt application, the database, the main window.

Only what the first paint needs is imported here; openpyxl and reportlab load when an export
first runs, so the window is up in well under a second.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

from branchdesk import __version__
from branchdesk.settings import Preferences, log_dir

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from branchdesk.ui.dialogs import DialogService
    from branchdesk.ui.main_window import MainWindow

log = logging.getLogger("branchdesk")

EXIT_CANNOT_OPEN = 2
# Quit at the sign-in or the first-run set-up: nothing wrong, nothing opened.
EXIT_NOT_SIGNED_IN = 0
_LOG_HANDLER_NAME = "branchdesk-file"


def _log_to_file() -> None:
    """Keep a small rotating log in the data folder: what the error dialog points people to."""
    root = logging.getLogger()
    if any(getattr(h, "name", "") == _LOG_HANDLER_NAME for h in root.handlers):
        return
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            folder / "branchdesk.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return  # a read-only profile should not stop the app from starting
    handler.name = _LOG_HANDLER_NAME
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def _remembered_database(prefs: Preferences) -> str | None:
    """The database opened last time, if it is still there (never recreate a vanished file)."""
    if os.environ.get("BRANCHDESK_DB"):
        return None
    last = prefs.get("last_database")
    if last and ("://" in last or Path(last).is_file()):
        return str(last)
    return None


def _sqlite_path(spec: str | None) -> Path | None:
    from branchdesk.store.database import resolve_url

    url = resolve_url(spec)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def _refuse_unsafe_location(spec: str | None) -> None:
    """A SQLite file on a network drive or in a cloud-sync folder is not opened (UnsafeLocation,
    a StoreError, names the place and what to do instead)."""
    from branchdesk.store.location import refuse_unsafe_location

    refuse_unsafe_location(_sqlite_path(spec))


def build_window(
    db_spec: str | None,
    argv: list[str] | None = None,
    *,
    demo: bool = False,
    dialogs: DialogService | None = None,
) -> tuple[QApplication, MainWindow] | int:
    """The application and its main window on a database, or the exit status if it won't open.

    The window is built but not shown; `run_gui` shows it and runs the event loop.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from branchdesk.access.encryption import needs_key
    from branchdesk.store.database import Database, open_database
    from branchdesk.store.errors import DatabaseDamaged, StoreError
    from branchdesk.store.keys import KeyRequired
    from branchdesk.ui import exception_hook
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.dialogs import DialogService
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.officers.sign_in import is_new_database
    from branchdesk.ui.style import apply_style
    from branchdesk.ui.worker import Worker

    app = QApplication.instance() or QApplication(argv or ["branchdesk"])
    assert isinstance(app, QApplication)
    app.setApplicationName("BranchDesk")
    app.setOrganizationName("BranchDesk")
    app.setApplicationVersion(__version__)
    from branchdesk.ui.icons import APP_ID, app_icon

    # Dialogs shown before the main window (sign-in, set-up) get the icon too; on Wayland the
    # desktop shell finds the icon through the .desktop file this names (packaging/linux/).
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)
    from branchdesk.casework.documents import clear_viewing_folder

    # Copies of documents opened for viewing, left behind if BranchDesk was stopped last time.
    clear_viewing_folder()
    apply_style(app)
    _log_to_file()
    exception_hook.install()
    dialogs = dialogs or DialogService()

    prefs = Preferences()
    spec = db_spec or _remembered_database(prefs)
    worker = Worker(app)
    try:
        _refuse_unsafe_location(spec)
        path = _sqlite_path(spec)
        encrypted = needs_key(spec)
        db: Database | None = None
        if not encrypted and not demo and is_new_database(path):
            # Set up before the file exists, so an encrypted one is never written in plain.
            assert path is not None
            from branchdesk.ui.officers.sign_in import set_up_new_database

            db = set_up_new_database(path, prefs, dialogs)
            if db is None:
                return EXIT_NOT_SIGNED_IN
        elif not encrypted:
            try:
                db = open_database(spec, officer=prefs.officer_name)
            except KeyRequired:
                encrypted = True  # an encryption cut off part-way, which opening completed
            if db is not None and demo:
                from branchdesk.demo import ensure_demo

                ensure_demo(db)
        if encrypted:
            # The name and password unlock the file and sign in, in one go.
            assert path is not None
            from branchdesk.ui.encryption.unlock import unlock_database

            unlocked = unlock_database(path, prefs, dialogs, worker)
            if unlocked.db is None:
                return EXIT_CANNOT_OPEN if unlocked.damaged else EXIT_NOT_SIGNED_IN
            db = unlocked.db
        assert db is not None
    except DatabaseDamaged as exc:
        from branchdesk.ui.backup_dialogs import recover_damaged

        log.error("the database is damaged; offering a restore")  # the path may name the user
        restored = recover_damaged(_sqlite_path(spec), str(exc), dialogs, prefs, worker)
        if restored is None:
            return EXIT_CANNOT_OPEN
        db = restored
    except (StoreError, OSError) as exc:
        log.error("cannot open the database: %s", exc)
        dialogs.error(None, "BranchDesk cannot open the database", str(exc))
        return EXIT_CANNOT_OPEN

    from branchdesk.ui.officers.sign_in import admit

    # Someone signs in (or, on a database without accounts, sets up the secretary's) before
    # the window shows anything; the demo branch runs without accounts. Already done for an
    # encrypted or a new database.
    if not admit(db, prefs, dialogs):
        db.dispose()
        return EXIT_NOT_SIGNED_IN

    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=worker)
    # The Casework tab comes a moment after the window first paints (see MainWindow).
    window = MainWindow(ctx, build_after_paint=True)
    # Today's backup starts, in the background, once the event loop runs the window.
    QTimer.singleShot(0, window.database_actions, window.database_actions.start_daily_backup)
    return app, window


def run_gui(
    db_spec: str | None,
    argv: list[str] | None = None,
    *,
    demo: bool = False,
    dialogs: DialogService | None = None,
) -> int:
    """Open the window on a database; returns the exit status (2 if it cannot be opened)."""
    built = build_window(db_spec, argv, demo=demo, dialogs=dialogs)
    if isinstance(built, int):
        return built
    app, window = built
    window.show()
    try:
        return app.exec()
    finally:
        window.ctx.worker.wait_for_done(60_000)
        window.ctx.db.dispose()
