"""The main window: a thin coordinator of tabs, menus and the status bar.

The window builds the tabs, puts their actions in menus, swaps the database when another one
is opened, and shows which database is open. The work itself is in the tabs, the dialogs and
`DatabaseActions`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStyle, QTabWidget, QWidget

from branchdesk.settings import config_dir, is_demo_database
from branchdesk.store.database import Database
from branchdesk.ui.casework.casework_tab import CaseworkTab
from branchdesk.ui.context import AppContext
from branchdesk.ui.database_actions import DatabaseActions
from branchdesk.ui.help_dialogs import DataLocationDialog, about_text
from branchdesk.ui.placeholder_tab import DEMANDS, HARDSHIP, OUTSOURCING, PlaceholderTab
from branchdesk.ui.preferences_dialog import PreferencesDialog
from branchdesk.ui.tab_base import TabBase

log = logging.getLogger(__name__)


def location_warning(path: object) -> str | None:
    try:
        from branchdesk.store.location import location_warning as warn
    except ImportError:  # pragma: no cover - the check ships with the store
        return None
    return warn(path)  # type: ignore[arg-type]


def window_state() -> QSettings:
    """Remembered window size and layout: kept apart from preferences, beside them."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mainWindow")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("registerTabs")
        self.tabs.setDocumentMode(True)
        # Cases, Deadlines and the member register, as pages of the Casework tab.
        self.casework_tab = CaseworkTab(ctx)
        self.members_tab = self.casework_tab.members_tab
        self.tabs.addTab(self.casework_tab, CaseworkTab.title)
        self.placeholder_tabs = [PlaceholderTab(p) for p in (DEMANDS, OUTSOURCING, HARDSHIP)]
        for page in self.placeholder_tabs:
            self.tabs.addTab(page, page.planned.title)
        self.setCentralWidget(self.tabs)
        # Ctrl+F and Ctrl+N work from any tab: they bring the member register forward first.
        self.casework_tab.activate_requested.connect(self._show_members)

        self.database_actions = DatabaseActions(ctx, self, self.swap_database)
        self._build_menus()
        self._build_status_bar()

        ctx.events.preferences_changed.connect(self.update_title)
        self.update_title()
        self.update_status()
        self.resize(1240, 780)
        self._restore_state()

    @property
    def tab_pages(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def _show_members(self) -> None:
        self.tabs.setCurrentWidget(self.casework_tab)

    # -- menus ---------------------------------------------------------------------------------

    def _action(
        self, text: str, tip: str, slot: Callable[[], object], shortcut: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        # triggered(bool) would hand "checked" to a slot with optional arguments: drop it.
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        members = self.members_tab
        db = self.database_actions
        self.quit_action = self._action("&Quit", "Close BranchDesk", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.preferences_action = self._action(
            "&Preferences…", "Branch name and your name", self.show_preferences
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.about_action = self._action(
            "&About BranchDesk", "Version, licence and where your data is kept", self.show_about
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.where_action = self._action(
            "&Where is my data?",
            "Show where the database and its backups are, and open the folder",
            self.show_data_location,
        )

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([db.new_action, db.open_action])
        file_menu.addSeparator()
        file_menu.addActions([db.backup_action, db.restore_action])
        file_menu.addSeparator()
        file_menu.addActions([members.import_action, members.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([members.add_action, members.edit_action, members.find_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.preferences_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.where_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        for menu in (file_menu, edit_menu, help_menu):
            menu.setToolTipsVisible(True)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.database_label = QLabel()
        self.database_label.setObjectName("databaseLabel")
        self.warning_icon = QLabel()
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.warning_icon.setPixmap(icon.pixmap(16, 16))
        self.warning_label = QLabel()
        self.warning_label.setObjectName("locationWarning")
        self.warning_label.setTextFormat(Qt.TextFormat.RichText)
        self.warning_label.linkActivated.connect(self._explain_warning)
        status.addWidget(self.database_label, 0)
        status.addWidget(self.warning_icon, 0)
        status.addWidget(self.warning_label, 1)
        self._warning = ""

    # -- the open database ---------------------------------------------------------------------

    def update_title(self) -> None:
        self.setWindowTitle(f"BranchDesk — {self.ctx.preferences.branch_name}")

    def update_status(self) -> None:
        db = self.ctx.db
        self.database_label.setText(f"Database: {db.display_name}")
        self.database_label.setToolTip(db.display_name)
        warning = location_warning(db.path) or ""
        self._warning = warning
        # The first sentence fits the status bar; the rest is a click (or a hover) away.
        first = warning.split(". ")[0].rstrip(".") + "." if warning else ""
        self.warning_label.setText(f"{html.escape(first)} <a href='#why'>Why does this matter?</a>")
        self.warning_label.setToolTip(warning)
        self.warning_label.setVisible(bool(warning))
        self.warning_icon.setVisible(bool(warning))

    def _explain_warning(self, _link: str = "") -> None:
        self.ctx.dialogs.info(self, "Where the database is kept", self._warning)

    def swap_database(self, db: Database) -> None:
        """Make `db` the open database; every tab re-reads from it."""
        old = self.ctx.db
        self.ctx.db = db
        prefs = self.ctx.preferences
        # The demo branch is never the database a plain start reopens.
        if not is_demo_database(db.path):
            prefs.set("last_database", db.display_name if db.path is not None else "")
            try:
                prefs.save()
            except OSError:
                log.warning("could not remember the database just opened", exc_info=True)
        self.ctx.events.database_changed.emit()
        if old is not db:
            old.dispose()
        self.update_status()

    # -- dialogs -------------------------------------------------------------------------------

    def show_preferences(self) -> None:
        dialog = PreferencesDialog(self.ctx, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def show_about(self) -> None:
        self.ctx.dialogs.info(self, "About BranchDesk", about_text(self.ctx.db))

    def show_data_location(self) -> None:
        dialog = DataLocationDialog(self.ctx.db, self.ctx.dialogs, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    # -- window state --------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = window_state()
        geometry = settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # type: ignore[arg-type]
        tab = settings.value("tab", 0, type=int)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def _save_state(self) -> None:
        settings = window_state()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("tab", self.tabs.currentIndex())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        worker = self.ctx.worker
        if worker.busy:
            if not self.ctx.dialogs.confirm(
                self,
                "Work still running",
                "An import, export or backup is still running. Stop it and quit? "
                "Anything it had not finished is not kept.",
                yes="Stop and quit",
            ):
                event.ignore()
                return
            worker.cancel_all()
        worker.wait_for_done(60_000)
        self._save_state()
        for page in self.tab_pages:
            if isinstance(page, TabBase):
                page.cleanup()
        super().closeEvent(event)
