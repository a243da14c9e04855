"""Start-up of the window: the Qt application, the database, the main window.

Only what the first paint needs is imported here; openpyxl and reportlab load when an export
first runs, so the window is up in well under a second.
"""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

from branchdesk import __version__
from branchdesk.settings import Preferences, default_database_path, is_demo_database, log_dir

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


def _first_run(prefs: Preferences) -> bool:
    """No database named, none remembered, none at the default place: the welcome is shown."""
    if os.environ.get("BRANCHDESK_DB") or _remembered_database(prefs) is not None:
        return False
    from branchdesk.ui.officers.sign_in import is_new_database

    return is_new_database(default_database_path())


def _remember(db_path: Path | None, display_name: str, prefs: Preferences) -> None:
    """The database opened is the one a plain start reopens; never the demo branch."""
    if db_path is None or is_demo_database(db_path) or prefs.get("last_database") == display_name:
        return
    prefs.set("last_database", display_name)
    try:
        prefs.save()
    except OSError:
        log.warning("could not remember the database just opened", exc_info=True)


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
    from branchdesk.ui.i18n import install_translators

    # Before any window or dialog makes its text.
    install_translators(app)
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
    from branchdesk.ui import shortcuts

    shortcuts.install(app)  # Ctrl+S presses a dialog's Save
    dialogs = dialogs or DialogService()

    prefs = Preferences()
    spec = db_spec or _remembered_database(prefs)
    made: Database | None = None
    if spec is None and not demo and _first_run(prefs):
        from branchdesk.ui.welcome import welcome

        start = welcome(prefs, dialogs)
        if start is None:
            return EXIT_NOT_SIGNED_IN
        spec, demo, made = str(start.path), start.demo, start.db
    worker = Worker(app)
    try:
        _refuse_unsafe_location(spec)
        path = _sqlite_path(spec)
        encrypted = made is None and needs_key(spec)
        db: Database | None = made
        if made is not None:
            pass  # the welcome's set-up made it, and signed the secretary in
        elif not encrypted and not demo and is_new_database(path):
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
        from branchdesk.ui.dialogs import cannot_open_title

        dialogs.error(None, cannot_open_title(), str(exc))
        return EXIT_CANNOT_OPEN

    from branchdesk.ui.officers.sign_in import admit

    # Someone signs in (or, on a database without accounts, sets up the secretary's) before
    # the window shows anything; the demo branch runs without accounts. Already done for an
    # encrypted or a new database.
    if not admit(db, prefs, dialogs):
        db.dispose()
        return EXIT_NOT_SIGNED_IN
    _remember(db.path, db.display_name, prefs)

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
    close_after: float | None = None,
    screenshot: str | None = None,
) -> int:
    """Open the window on a database; returns the exit status (2 if it cannot be opened).

    `close_after` (seconds) is for smoke runs of a built bundle: the window closes itself then,
    as if closed by hand, first saving a picture of itself to `screenshot` if given.
    """
    built = build_window(db_spec, argv, demo=demo, dialogs=dialogs)
    if isinstance(built, int):
        return built
    app, window = built
    window.show()
    if close_after is not None:
        _close_after(app, window, close_after, screenshot)
    try:
        return app.exec()
    finally:
        window.ctx.worker.wait_for_done(60_000)
        window.ctx.db.dispose()


def _close_after(
    app: QApplication, window: MainWindow, seconds: float, screenshot: str | None
) -> None:
    from PySide6.QtCore import QTimer

    print(f"branchdesk: window shown: {window.windowTitle()}", file=sys.stderr, flush=True)

    def close() -> None:
        if screenshot:
            window.grab().save(screenshot)
        if window.close():
            print(f"branchdesk: window closed after {seconds:g} s", file=sys.stderr, flush=True)
            app.exit(0)  # even if some other window of the process is still open
        else:
            print("branchdesk: the window refused to close", file=sys.stderr, flush=True)
            app.exit(1)

    QTimer.singleShot(round(seconds * 1000), window, close)
