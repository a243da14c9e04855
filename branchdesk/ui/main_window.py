"""The main window: a thin coordinator of tabs, menus and the status bar.

The window builds the tabs, puts their actions in menus, swaps the database when another one
is opened, and shows which database is open. The work itself is in the tabs, the dialogs and
`DatabaseActions`.

At start-up (`build_window`) the Casework tab is built just after the window first paints:
its modules, widgets and first queries take longer than the rest of the window together, and
the window is up sooner with a moment of "Loading…" in its place.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStyle, QTabWidget, QWidget

from branchdesk.settings import config_dir, is_demo_database
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.database_actions import DatabaseActions
from branchdesk.ui.tab_base import TabBase

if TYPE_CHECKING:
    from branchdesk.ui.casework.casework_tab import CaseworkTab
    from branchdesk.ui.demands.demands_tab import DemandsTab
    from branchdesk.ui.hardship.hardship_tab import HardshipTab
    from branchdesk.ui.members.members_tab import MembersTab
    from branchdesk.ui.outsourcing.outsourcing_tab import OutsourcingTab

log = logging.getLogger(__name__)

# The Casework tab's title, for its place before the tab is built (CaseworkTab.title).
CASEWORK_TITLE = "Casework"
# The other tabs, in order: each shows "Loading…" until it is built just after the first paint.
LATER_TITLES = ("Negotiating demands", "Outsourcing watch", "Hardship fund")


def location_warning(path: object) -> str | None:
    try:
        from branchdesk.store.location import location_warning as warn
    except ImportError:  # pragma: no cover - the check ships with the store
        return None
    return warn(path)  # type: ignore[arg-type]


def window_state() -> QSettings:
    """Remembered window size and layout: kept apart from preferences, beside them."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


class _FirstPaint(QObject):
    """Calls `then` once, as soon as the watched window has painted for the first time (unless
    the application is quitting by then)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then = then
        self._quitting = False
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._quit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # After this paint has reached the screen, not in the middle of it.
            QTimer.singleShot(0, self._run)
        return False

    def _quit(self) -> None:
        self._quitting = True

    def _run(self) -> None:
        if not self._quitting:
            self._then()


class MainWindow(QMainWindow):
    casework_tab: CaseworkTab
    members_tab: MembersTab
    demands_tab: DemandsTab
    outsourcing_tab: OutsourcingTab
    hardship_tab: HardshipTab

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, build_after_paint: bool = False
    ) -> None:
        """The window and its tabs; with `build_after_paint` the Casework tab (and the member
        register in it) is built once the window has painted, and "Loading…" shows until then.
        """
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mainWindow")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("registerTabs")
        self.tabs.setDocumentMode(True)
        self._loading_page: QLabel | None = _loading()
        self.tabs.addTab(self._loading_page, CASEWORK_TITLE)
        self.loading_pages = {title: _loading() for title in LATER_TITLES}
        for title, page in self.loading_pages.items():
            self.tabs.addTab(page, title)
        self.setCentralWidget(self.tabs)

        self.database_actions = DatabaseActions(ctx, self, self.swap_database)
        self._build_menus()
        self._build_status_bar()

        ctx.events.preferences_changed.connect(self.update_title)
        self.update_title()
        self.update_status()
        self.resize(1240, 780)
        self._restore_state()
        if build_after_paint:
            _FirstPaint(self, self.build_registers)
        else:
            self.build_registers()

    @property
    def tab_pages(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    @property
    def registers_built(self) -> bool:
        return self._loading_page is None

    def build_registers(self) -> None:
        """Put the Casework tab in place of "Loading…", and its member actions in the menus."""
        if self._loading_page is None:
            return
        from branchdesk.ui.casework.casework_tab import CaseworkTab

        # Cases, Deadlines and the member register, as pages of the Casework tab.
        self.casework_tab = CaseworkTab(self.ctx)
        self.members_tab = self.casework_tab.members_tab
        index = self.tabs.indexOf(self._loading_page)
        showing = self.tabs.currentIndex() == index
        # In first and then out, so no other tab is shown for a moment in between.
        self.tabs.insertTab(index, self.casework_tab, CaseworkTab.title)
        if showing:
            self.tabs.setCurrentIndex(index)
        self.tabs.removeTab(index + 1)
        self._loading_page.deleteLater()
        self._loading_page = None
        # Ctrl+F and Ctrl+N work from any tab: they bring the member register forward first.
        self.casework_tab.activate_requested.connect(self._show_members)
        self._add_member_actions(self.members_tab)
        from branchdesk.ui.demands.demands_tab import DemandsTab

        self.demands_tab = DemandsTab(self.ctx)
        self._replace_loading_page(self.demands_tab)
        from branchdesk.ui.outsourcing.outsourcing_tab import OutsourcingTab

        self.outsourcing_tab = OutsourcingTab(self.ctx)
        self._replace_loading_page(self.outsourcing_tab)
        from branchdesk.ui.hardship.hardship_tab import HardshipTab

        self.hardship_tab = HardshipTab(self.ctx)
        self._replace_loading_page(self.hardship_tab)

    def _replace_loading_page(self, tab: TabBase) -> None:
        """Put a register's tab where its "Loading…" page was, in the same place."""
        page = self.loading_pages.pop(tab.title, None)
        if page is None:
            return
        index = self.tabs.indexOf(page)
        showing = self.tabs.currentIndex() == index
        self.tabs.insertTab(index, tab, tab.title)
        if showing:
            self.tabs.setCurrentIndex(index)
        self.tabs.removeTab(index + 1)
        page.deleteLater()

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
        db = self.database_actions
        self.quit_action = self._action("&Quit", "Close BranchDesk", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.preferences_action = self._action(
            "&Preferences…", "Branch name and your name", self.show_preferences
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.rules_action = self._action(
            "&Deadline rules…",
            "Tribunal time limits and appeal windows, shared by everyone using this database",
            self.show_deadline_rules,
        )
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
        # The member register's Import and Export go here, once the register is built.
        self._file_members_end = file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        # And its Add, Edit and Find here.
        self._edit_members_end = edit_menu.addSeparator()
        edit_menu.addAction(self.rules_action)
        edit_menu.addAction(self.preferences_action)
        self._file_menu, self._edit_menu = file_menu, edit_menu

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.where_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        for menu in (file_menu, edit_menu, help_menu):
            menu.setToolTipsVisible(True)

    def _add_member_actions(self, members: MembersTab) -> None:
        self._file_menu.insertActions(
            self._file_members_end, [members.import_action, members.export_action]
        )
        self._edit_menu.insertActions(
            self._edit_members_end, [members.add_action, members.edit_action, members.find_action]
        )

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
        from branchdesk.ui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.ctx, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def show_deadline_rules(self) -> None:
        from branchdesk.ui.casework.rules_dialog import DeadlineRulesDialog

        dialog = DeadlineRulesDialog(self.ctx, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def show_about(self) -> None:
        from branchdesk.ui.help_dialogs import about_text

        self.ctx.dialogs.info(self, "About BranchDesk", about_text(self.ctx.db))

    def show_data_location(self) -> None:
        from branchdesk.ui.help_dialogs import DataLocationDialog

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


def _loading() -> QLabel:
    page = QLabel("Loading…")
    page.setObjectName("tabSubheading")
    page.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return page
