"""The main window: a thin coordinator of tabs, menus and the status bar.

The window builds the tabs, puts their actions in menus, swaps the database when another one
is opened, and shows which database is open. The work itself is in the tabs, the dialogs and
`DatabaseActions`.

At start-up (`build_window`) the Casework tab is built just after the window first paints:
its modules, widgets and first queries take longer than the rest of the window together, and
the window is up sooner with a moment of "Loading…" in its place.

The window follows the signed-in officer's role (a convenience: the checks that count are made
on every database session): a register the role may not read has no tab, and what it may not
change is greyed out, with a tooltip saying why. Another officer signing in (after Sign out,
or at the idle lock) gets the tabs built again for their role.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QStyle,
    QTabWidget,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.access.roles import READ, WRITE, Area
from branchdesk.settings import is_demo_database
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError
from branchdesk.ui.context import AppContext
from branchdesk.ui.database_actions import DatabaseActions
from branchdesk.ui.dialogs import window_state
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.icons import app_icon, tab_icon
from branchdesk.ui.officers.gate import Gate, may, refusal
from branchdesk.ui.officers.lock import Cover, IdleWatch
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.window_memory import LayoutMemory

if TYPE_CHECKING:
    from branchdesk.ui.audit_viewer import AuditViewer
    from branchdesk.ui.casework.casework_tab import CaseworkTab
    from branchdesk.ui.demands.demands_tab import DemandsTab
    from branchdesk.ui.hardship.hardship_tab import HardshipTab
    from branchdesk.ui.members.members_tab import MembersTab
    from branchdesk.ui.officers.sign_in import Purpose, SignInDialog
    from branchdesk.ui.outsourcing.outsourcing_tab import OutsourcingTab

log = logging.getLogger(__name__)

# Tab titles are kept in English (tab icons and the tabs' own `title` are looked up by them)
# and translated where they are shown.
# The Casework tab's title, for its place before the tab is built (CaseworkTab.title).
CASEWORK_TITLE = QT_TRANSLATE_NOOP("main_window", "Casework")
# The other tabs, in order: each shows "Loading…" until it is built just after the first paint.
LATER_TITLES = (
    QT_TRANSLATE_NOOP("main_window", "Negotiating demands"),
    QT_TRANSLATE_NOOP("main_window", "Outsourcing watch"),
    QT_TRANSLATE_NOOP("main_window", "Hardship fund"),
)
# The area each tab needs to be shown at all.
LATER_AREAS = dict(zip(LATER_TITLES, (Area.DEMANDS, Area.OUTSOURCING, Area.HARDSHIP), strict=True))
# The window's attributes holding a register's tab (gone when the tabs are built again).
REGISTER_ATTRIBUTES = (
    "casework_tab",
    "members_tab",
    "demands_tab",
    "outsourcing_tab",
    "hardship_tab",
)
# A role that may read members but not casework (the treasurer, say) has the register alone.
MEMBERS_TITLE = QT_TRANSLATE_NOOP("main_window", "Members")
# The user guide's section for each register's tab (branchdesk.ui.guide).
GUIDE_SECTIONS = {
    "casework_tab": "casework",
    "members_tab": "members",
    "demands_tab": "demands",
    "outsourcing_tab": "outsourcing",
    "hardship_tab": "hardship",
}

NO_ACCOUNTS = QT_TRANSLATE_NOOP(
    "main_window",
    "This database has no officers' accounts, so nobody signs in (the demo branch works this way).",
)
SECRETARY_ONLY_BACKUP = QT_TRANSLATE_NOOP(
    "main_window",
    "Backing up and restoring the whole database is for the branch secretary: it holds every "
    "register, whatever each role may see.",
)
SECRETARY_ONLY_SAR = QT_TRANSLATE_NOOP(
    "main_window", "Only the branch secretary handles members' subject access requests."
)
SECRETARY_ONLY_RETENTION = QT_TRANSLATE_NOOP(
    "main_window",
    "Only the branch secretary reviews what the retention schedule says is due, and erases it.",
)
SECRETARY_ONLY_RULES = QT_TRANSLATE_NOOP(
    "main_window",
    "The deadline rules are the branch's, shared by every officer: the branch secretary "
    "changes them.",
)
COVER_TEXT = QT_TRANSLATE_NOOP("main_window", "BranchDesk is locked.")
# The demo branch's mark at the right of the status bar.
DEMO_MARK_STYLE = (
    "QLabel { color: #7a4a00; background: #fff7e0; border: 1px solid #f0cf7a;"
    " border-radius: 3px; padding: 1px 8px; font-weight: 600; }"
)
# The hardship fund's buttons that change it (greyed out for the auditor, who only reads it).
HARDSHIP_CHANGES = {
    "": ("new_fund_button", "edit_fund_button", "empty_new_button"),
    "claims_page": ("new_button", "edit_button", "decide_button"),
    "payments_page": ("pay_button",),
    "donations_page": ("record_button",),
    "ledger_page": ("record_button", "reverse_button"),
    "reconcile_page": (
        "import_button",
        "confirm_button",
        "confirm_all_button",
        "record_button",
        "match_button",
    ),
}


def location_warning(path: object) -> str | None:
    try:
        from branchdesk.store.location import location_warning as warn
    except ImportError:  # pragma: no cover - the check ships with the store
        return None
    return warn(path)  # type: ignore[arg-type]


__all__ = ["MainWindow", "window_state"]


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
        self.setWindowIcon(app_icon())

        self.tabs = QTabWidget()
        self.tabs.setObjectName("registerTabs")
        self.tabs.setDocumentMode(True)
        self.gate = Gate(self)
        self._member_actions: list[QAction] = []
        self._add_loading_pages()
        self.setCentralWidget(self.tabs)
        # The lock: the dialog asking for a password, and the sheets over every window.
        self.lock_dialog: SignInDialog | None = None
        self._covers: list[Cover] = []
        self.idle = IdleWatch(lambda: int(ctx.preferences.get("lock_after_minutes")), self)
        self.idle.idle.connect(self.lock)

        self.database_actions = DatabaseActions(ctx, self, self.swap_database)
        self.audit_viewer: AuditViewer | None = None
        # Splitters and column widths from the last run, put back as the registers appear.
        self.layout_memory = LayoutMemory(self, window_state)
        self._build_menus()
        self._build_status_bar()

        ctx.events.preferences_changed.connect(self.update_title)
        ctx.events.preferences_changed.connect(self._watch_idle)
        self.update_title()
        self.update_status()
        self._apply_role()
        self._watch_idle()
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
        return self._built

    def _add_loading_pages(self) -> None:
        """A "Loading…" page for each register the officer's role may read, in order."""
        db = self.ctx.db
        self._built = False
        # Who the tabs are built for: another officer or role means building them again.
        self._shown_for = self._officer_key()
        self._first_title = (
            CASEWORK_TITLE
            if may(db, Area.CASEWORK)
            else MEMBERS_TITLE
            if may(db, Area.MEMBERS)
            else None
        )
        self._loading_page: QLabel | None = None
        if self._first_title is not None:
            self._loading_page = _loading()
            self.tabs.addTab(
                self._loading_page,
                tab_icon(self._first_title),
                translate("main_window", self._first_title),
            )
        self.loading_pages = {
            title: _loading() for title in LATER_TITLES if may(db, LATER_AREAS[title])
        }
        for title, page in self.loading_pages.items():
            self.tabs.addTab(page, tab_icon(title), translate("main_window", title))

    def _officer_key(self) -> tuple[int, str] | None:
        principal = self.ctx.db.principal
        return (principal.officer_id, principal.role.value) if principal is not None else None

    def build_registers(self) -> None:
        """Put each register's tab in place of its "Loading…", and the member actions in the
        menus; then grey out what the officer's role may not change."""
        if self._built:
            return
        self._built = True
        if self._first_title == CASEWORK_TITLE:
            self._build_casework()
        elif self._first_title == MEMBERS_TITLE:
            self._build_members_alone()
        if "Negotiating demands" in self.loading_pages:
            from branchdesk.ui.demands.demands_tab import DemandsTab

            self.demands_tab = DemandsTab(self.ctx)
            self._replace_loading_page(self.demands_tab)
        if "Outsourcing watch" in self.loading_pages:
            from branchdesk.ui.outsourcing.outsourcing_tab import OutsourcingTab

            self.outsourcing_tab = OutsourcingTab(self.ctx)
            self._replace_loading_page(self.outsourcing_tab)
        if "Hardship fund" in self.loading_pages:
            from branchdesk.ui.hardship.hardship_tab import HardshipTab

            self.hardship_tab = HardshipTab(self.ctx)
            self._replace_loading_page(self.hardship_tab)
        self._apply_role()
        self.layout_memory.restore_soon()

    def _swap_in_first(self, tab: QWidget, title: str) -> None:
        assert self._loading_page is not None
        index = self.tabs.indexOf(self._loading_page)
        showing = self.tabs.currentIndex() == index
        # In first and then out, so no other tab is shown for a moment in between.
        self.tabs.insertTab(index, tab, tab_icon(title), translate("main_window", title))
        if showing:
            self.tabs.setCurrentIndex(index)
        self.tabs.removeTab(index + 1)
        self._loading_page.deleteLater()
        self._loading_page = None

    def _build_members_alone(self) -> None:
        """The member register as a tab of its own, for a role without casework."""
        from branchdesk.ui.members.members_tab import MembersTab

        self.members_tab = MembersTab(self.ctx)
        self._swap_in_first(self.members_tab, MEMBERS_TITLE)
        self.members_tab.activate_requested.connect(self._show_members)
        self._add_member_actions(self.members_tab)

    def _build_casework(self) -> None:
        from branchdesk.ui.casework.casework_tab import CaseworkTab

        # Cases, Deadlines and the member register, as pages of the Casework tab.
        self.casework_tab = CaseworkTab(self.ctx)
        self.members_tab = self.casework_tab.members_tab
        self._swap_in_first(self.casework_tab, CaseworkTab.title)
        # Ctrl+F and Ctrl+N work from any tab: they bring the member register forward first.
        self.casework_tab.activate_requested.connect(self._show_members)
        self._add_member_actions(self.members_tab)

    def _replace_loading_page(self, tab: TabBase) -> None:
        """Put a register's tab where its "Loading…" page was, in the same place."""
        page = self.loading_pages.pop(tab.title, None)
        if page is None:
            return
        index = self.tabs.indexOf(page)
        showing = self.tabs.currentIndex() == index
        self.tabs.insertTab(index, tab, tab_icon(tab.title), translate("main_window", tab.title))
        if showing:
            self.tabs.setCurrentIndex(index)
        self.tabs.removeTab(index + 1)
        page.deleteLater()

    def _show_members(self) -> None:
        casework = self.__dict__.get("casework_tab")
        self.tabs.setCurrentWidget(casework if casework is not None else self.members_tab)

    def rebuild_registers(self) -> None:
        """Build the tabs again for whoever is signed in now: their role may see other
        registers, and nothing the previous officer had open should stay on screen."""
        current = self.tabs.tabText(self.tabs.currentIndex())
        # The sizes the last officer left are the ones the next one starts with.
        self.layout_memory.save()
        self.gate.clear()
        for action in self._member_actions:
            for menu in (self._file_menu, self._edit_menu):
                menu.removeAction(action)
        self._member_actions = []
        pages = self.tab_pages
        self.tabs.clear()
        for page in pages:
            if isinstance(page, TabBase):
                page.cleanup()
            page.deleteLater()
        for name in REGISTER_ATTRIBUTES:
            self.__dict__.pop(name, None)
        viewer = getattr(self, "audit_viewer", None)
        if viewer is not None and shiboken6.isValid(viewer):
            # What the log showed was for the previous officer's eyes.
            viewer.close()
            viewer.deleteLater()
            self.audit_viewer = None
        self._add_loading_pages()
        self.build_registers()
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == current:
                self.tabs.setCurrentIndex(index)
        self.update_officer()

    # -- the officer's role --------------------------------------------------------------------

    def _apply_role(self) -> None:
        """Grey out what the signed-in officer's role may not change, saying why."""
        db, gate = self.ctx.db, self.gate
        principal = db.principal
        gate.clear()
        # Restore was greyed out while work ran; leaving the gate does not know that.
        self.database_actions.restore_action.setEnabled(not self.ctx.worker.busy)
        if not may(db, Area.BRANCH, WRITE):
            whole = self.database_actions
            for action in (whole.backup_action, whole.restore_action):
                gate.refuse(action, translate("main_window", SECRETARY_ONLY_BACKUP))
            gate.refuse(self.rules_action, translate("main_window", SECRETARY_ONLY_RULES))
        audit_action = getattr(self, "audit_action", None)
        if isinstance(audit_action, QAction) and not may(db, Area.AUDIT, READ):
            gate.refuse(audit_action, refusal(principal, Area.AUDIT, READ))
        sar_action = getattr(self, "sar_action", None)
        if isinstance(sar_action, QAction) and not may(db, Area.PRIVACY, WRITE):
            gate.refuse(sar_action, translate("main_window", SECRETARY_ONLY_SAR))
        retention_action = getattr(self, "retention_action", None)
        if isinstance(retention_action, QAction) and not may(db, Area.PRIVACY, WRITE):
            gate.refuse(retention_action, translate("main_window", SECRETARY_ONLY_RETENTION))
        members = self.__dict__.get("members_tab")
        if members is not None and not may(db, Area.MEMBERS, WRITE):
            for action in (members.add_action, members.import_action):
                gate.refuse(action, refusal(principal, Area.MEMBERS))
        hardship = self.__dict__.get("hardship_tab")
        if hardship is not None and not may(db, Area.HARDSHIP, WRITE):
            reason = refusal(principal, Area.HARDSHIP)
            for page_name, names in HARDSHIP_CHANGES.items():
                page = getattr(hardship, page_name) if page_name else hardship
                for name in names:
                    gate.refuse(getattr(page, name), reason)
        if not db.sign_in_required:
            for action in self._officer_actions:
                gate.refuse(action, translate("main_window", NO_ACCOUNTS))
        elif not may(db, Area.OFFICERS, WRITE):
            gate.refuse(self.officers_action, refusal(principal, Area.OFFICERS, WRITE))
        self._enable_view_actions()
        self.update_officer()

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
        self.quit_action = self._action(
            translate("main_window", "&Quit"),
            translate("main_window", "Close BranchDesk"),
            self.close,
            "Ctrl+Q",
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.preferences_action = self._action(
            translate("main_window", "&Preferences…"),
            translate("main_window", "Branch name and your name"),
            self.show_preferences,
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.rules_action = self._action(
            translate("main_window", "&Deadline rules…"),
            translate(
                "main_window",
                "Tribunal time limits and appeal windows, shared by everyone using this database",
            ),
            self.show_deadline_rules,
        )
        self.about_action = self._action(
            translate("main_window", "&About BranchDesk"),
            translate("main_window", "Version, licence and where your data is kept"),
            self.show_about,
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.where_action = self._action(
            translate("main_window", "&Where is my data?"),
            translate(
                "main_window", "Show where the database and its backups are, and open the folder"
            ),
            self.show_data_location,
        )
        self.guide_action = self._action(
            translate("main_window", "BranchDesk &guide"),
            translate("main_window", "Open the user guide at the part about the tab you are in"),
            self.show_guide,
            "F1",
        )
        self.shortcuts_action = self._action(
            translate("main_window", "&Keyboard shortcuts"),
            translate("main_window", "List the keys that work in this window"),
            self.show_shortcuts,
        )

        bar = self.menuBar()
        file_menu = bar.addMenu(translate("main_window", "&File"))
        file_menu.addActions([db.new_action, db.open_action])
        file_menu.addSeparator()
        file_menu.addActions([db.backup_action, db.restore_action, db.restore_drill_action])
        file_menu.addAction(db.encrypt_action)
        file_menu.addSeparator()
        # The member register's Import and Export go here, once the register is built.
        self._file_members_end = file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu(translate("main_window", "&Edit"))
        # And its Add, Edit and Find here.
        self._edit_members_end = edit_menu.addSeparator()
        edit_menu.addAction(self.rules_action)
        edit_menu.addAction(self.preferences_action)
        self._file_menu, self._edit_menu = file_menu, edit_menu

        view_menu = bar.addMenu(translate("main_window", "&View"))
        self._build_view_actions(view_menu)

        tools_menu = bar.addMenu(translate("main_window", "&Tools"))
        self.audit_action = self._action(
            translate("main_window", "&Audit log…"),
            translate(
                "main_window", "Who created, changed, viewed or exported which record, and when"
            ),
            self.show_audit_log,
        )
        tools_menu.addAction(self.audit_action)
        self.sar_action = self._action(
            translate("main_window", "&Subject access requests…"),
            translate(
                "main_window",
                "Members' requests for their data: deadlines, extensions, the export, sent",
            ),
            self.show_subject_access,
        )
        tools_menu.addAction(self.sar_action)
        self.retention_action = self._action(
            translate("main_window", "&Retention review…"),
            translate(
                "main_window",
                "The retention schedule, and the closed cases, lapsed members and settled claims "
                "due for erasure",
            ),
            self.show_retention_review,
        )
        tools_menu.addAction(self.retention_action)
        tools_menu.addSeparator()
        tools_menu.addAction(db.recovery_code_action)
        self._tools_menu = tools_menu

        self.officers_action = self._action(
            translate("main_window", "&Officers…"),
            translate(
                "main_window",
                "Officers' accounts and their roles: add an officer, change a role, reset a "
                "password",
            ),
            self.show_officers,
        )
        self.password_action = self._action(
            translate("main_window", "&Change my password…"),
            translate("main_window", "Change the password you sign in with"),
            self.change_password,
        )
        self.lock_action = self._action(
            translate("main_window", "&Lock now"),
            translate("main_window", "Hide what is on screen until you enter your password again"),
            self.lock,
            "Ctrl+L",
        )
        self.sign_out_action = self._action(
            translate("main_window", "&Sign out"),
            translate(
                "main_window",
                "Sign out without closing BranchDesk: you, or another officer, can then sign in",
            ),
            self.sign_out,
        )
        self._officer_actions = (
            self.officers_action,
            self.password_action,
            self.lock_action,
            self.sign_out_action,
        )
        officers_menu = bar.addMenu(translate("main_window", "&Officers"))
        officers_menu.addActions([self.officers_action, self.password_action])
        officers_menu.addSeparator()
        officers_menu.addActions([self.lock_action, self.sign_out_action])

        help_menu = bar.addMenu(translate("main_window", "&Help"))
        help_menu.addActions([self.guide_action, self.shortcuts_action])
        help_menu.addSeparator()
        help_menu.addAction(self.where_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        for menu in (file_menu, edit_menu, view_menu, tools_menu, officers_menu, help_menu):
            menu.setToolTipsVisible(True)

    def _build_view_actions(self, view_menu: QMenu) -> None:
        """Ctrl+1 to Ctrl+5 bring a register forward; Ctrl+Tab and Ctrl+Shift+Tab step through
        the tabs from anywhere in the window, a table or a text box included."""
        registers = (
            (
                "casework_tab",
                translate("main_window", "&Casework"),
                translate("main_window", "Show the Casework tab: cases and deadlines"),
            ),
            (
                "members_tab",
                translate("main_window", "&Members"),
                translate("main_window", "Show the member register"),
            ),
            (
                "demands_tab",
                translate("main_window", "Negotiating &demands"),
                translate("main_window", "Show the Negotiating demands tab"),
            ),
            (
                "outsourcing_tab",
                translate("main_window", "&Outsourcing watch"),
                translate("main_window", "Show the Outsourcing watch tab"),
            ),
            (
                "hardship_tab",
                translate("main_window", "&Hardship fund"),
                translate("main_window", "Show the Hardship fund tab"),
            ),
        )
        self.view_actions: dict[str, QAction] = {}
        for number, (name, text, tip) in enumerate(registers, start=1):
            action = self._action(
                text, tip, lambda name=name: self.show_register(name), f"Ctrl+{number}"
            )
            self.view_actions[name] = action
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.next_tab_action = self._action(
            translate("main_window", "&Next tab"),
            translate("main_window", "Show the tab to the right of this one"),
            lambda: self._step_tab(1),
            "Ctrl+Tab",
        )
        self.previous_tab_action = self._action(
            translate("main_window", "&Previous tab"),
            translate("main_window", "Show the tab to the left of this one"),
            lambda: self._step_tab(-1),
            "Ctrl+Shift+Tab",
        )
        # Shift+Tab arrives as Backtab: both spellings, so the key works on every platform.
        self.previous_tab_action.setShortcuts(
            [QKeySequence("Ctrl+Shift+Tab"), QKeySequence("Ctrl+Shift+Backtab")]
        )
        view_menu.addActions([self.next_tab_action, self.previous_tab_action])
        self._view_menu = view_menu

    def _register(self, name: str) -> QWidget | None:
        tab = self.__dict__.get(name)
        return tab if isinstance(tab, QWidget) else None

    def _enable_view_actions(self) -> None:
        """A register the officer's role does not show (or not built yet) cannot be chosen."""
        for name, action in self.view_actions.items():
            action.setEnabled(self._register(name) is not None)

    def show_register(self, name: str) -> None:
        """Bring a register forward: "casework_tab", "members_tab", "demands_tab"…"""
        tab = self._register(name)
        if tab is None:
            return
        casework = self._register("casework_tab")
        if name == "members_tab" and casework is not None:
            self.casework_tab.show_members()
            return
        if name == "casework_tab":
            # Ctrl+1 is the casework itself; Ctrl+2 the member register in the same tab.
            pages = self.casework_tab.pages
            if pages.currentWidget() is self._register("members_tab"):
                pages.setCurrentWidget(self.casework_tab.cases_page)
        self.tabs.setCurrentWidget(tab)

    def _step_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def current_section(self) -> str | None:
        """The user guide's section for what is on screen: the member register inside the
        Casework tab has a section of its own."""
        page = self.tabs.currentWidget()
        casework = self._register("casework_tab")
        if page is not None and page is casework:
            members = self._register("members_tab")
            showing = self.casework_tab.pages.currentWidget()
            return "members" if members is not None and showing is members else "casework"
        for name, section in GUIDE_SECTIONS.items():
            if page is not None and page is self._register(name):
                return section
        return None

    def show_guide(self) -> None:
        from branchdesk.ui.guide import show_guide

        show_guide(self, self.current_section())

    def show_shortcuts(self) -> None:
        from branchdesk.ui.guide import show_shortcuts

        show_shortcuts(self)

    def _add_member_actions(self, members: MembersTab) -> None:
        file_actions = [members.import_action, members.export_action]
        edit_actions = [members.add_action, members.edit_action, members.find_action]
        self._file_menu.insertActions(self._file_members_end, file_actions)
        self._edit_menu.insertActions(self._edit_members_end, edit_actions)
        self._member_actions = file_actions + edit_actions

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
        # The demo branch says so, plainly, for as long as it is open.
        self.demo_label = QLabel(translate("main_window", "Demo branch: fictional data"))
        self.demo_label.setObjectName("demoMark")
        self.demo_label.setStyleSheet(DEMO_MARK_STYLE)
        self.demo_label.setToolTip(
            translate(
                "main_window",
                "Every member, case, claim and payment in the demo branch is made up. Your "
                "branch's own database is kept apart from it.",
            )
        )
        status.addPermanentWidget(self.demo_label)
        # Who is signed in, and as what: at the right, where it stays whatever else is said.
        self.officer_label = QLabel()
        self.officer_label.setObjectName("officerLabel")
        status.addPermanentWidget(self.officer_label)

    def update_officer(self) -> None:
        principal = self.ctx.db.principal
        if principal is None:
            self.officer_label.hide()
            return
        self.officer_label.setText(
            translate("main_window", "Signed in: {name} · {role}").format(
                name=principal.name, role=principal.role_label
            )
        )
        self.officer_label.setToolTip(
            translate(
                "main_window", "Everything you change, open or export is recorded under your name."
            )
        )
        self.officer_label.show()

    # -- the open database ---------------------------------------------------------------------

    @property
    def is_demo(self) -> bool:
        return is_demo_database(self.ctx.db.path)

    def update_title(self) -> None:
        if self.is_demo:
            # Not the branch's name: the preferences name the real branch, not the demo.
            self.setWindowTitle(
                translate("main_window", "BranchDesk — DEMO branch (fictional data)")
            )
            return
        self.setWindowTitle(
            translate("main_window", "BranchDesk — {branch}").format(
                branch=self.ctx.preferences.branch_name
            )
        )

    def update_status(self) -> None:
        db = self.ctx.db
        self.demo_label.setVisible(self.is_demo)
        self.database_label.setText(
            translate("main_window", "Database: {name}").format(name=db.display_name)
        )
        self.database_label.setToolTip(db.display_name)
        warning = location_warning(db.path) or ""
        self._warning = warning
        # The first sentence fits the status bar; the rest is a click (or a hover) away.
        first = warning.split(". ")[0].rstrip(".") + "." if warning else ""
        self.warning_label.setText(
            translate("main_window", "{warning} <a href='#why'>Why does this matter?</a>").format(
                warning=html.escape(first)
            )
        )
        self.warning_label.setToolTip(warning)
        self.warning_label.setVisible(bool(warning))
        self.warning_icon.setVisible(bool(warning))

    def _explain_warning(self, _link: str = "") -> None:
        self.ctx.dialogs.info(
            self, translate("main_window", "Where the database is kept"), self._warning
        )

    def swap_database(self, db: Database) -> None:
        """Make `db` the open database, once someone has signed in to it (or set it up); every
        tab re-reads from it, or is built again if the officer or their role differs."""
        from branchdesk.ui.officers.sign_in import admit

        old = self.ctx.db
        if db is not old and not admit(
            db, self.ctx.preferences, self.ctx.dialogs, self, at_start=False
        ):
            db.dispose()
            if old.path is not None and old.path == db.path:
                # A restore replaced the open file: without a sign-in there is nothing to show,
                # and nothing to sign out of (the file's accounts are the backup's now).
                old.principal = None
                self.close()
            return
        self.ctx.db = db
        prefs = self.ctx.preferences
        # The demo branch is never the database a plain start reopens.
        if not is_demo_database(db.path):
            prefs.set("last_database", db.display_name if db.path is not None else "")
            try:
                prefs.save()
            except OSError:
                log.warning("could not remember the database just opened", exc_info=True)
        if self._officer_key() != self._shown_for:
            self.rebuild_registers()
        self.ctx.events.database_changed.emit()
        if old is not db:
            old.dispose()
        self.update_status()
        self._apply_role()
        self._watch_idle()
        # The set-up may have named the branch.
        self.ctx.events.preferences_changed.emit()

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

    def show_subject_access(self) -> None:
        from branchdesk.ui.privacy.sar_dialog import SarDialog

        dialog = SarDialog(self.ctx, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def show_retention_review(self) -> None:
        from branchdesk.ui.privacy.retention_dialog import RetentionDialog

        dialog = RetentionDialog(self.ctx, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def show_audit_log(self) -> None:
        """The audit viewer: one window, kept while the main window lasts, read afresh when
        shown again."""
        from branchdesk.ui.audit_viewer import AuditViewer

        if self.audit_viewer is None:
            self.audit_viewer = AuditViewer(self.ctx, self)
        else:
            self.audit_viewer.refresh()
        self.audit_viewer.show()
        self.layout_memory.restore_soon()  # its columns, as the officer left them
        self.audit_viewer.raise_()
        self.audit_viewer.activateWindow()

    def show_officers(self) -> None:
        from branchdesk.ui.officers.officers_dialog import OfficersDialog

        dialog = OfficersDialog(self.ctx, self)
        try:
            self.ctx.dialogs.run_dialog(dialog)
            changed_own_role = dialog.own_role_changed
        finally:
            dialog.deleteLater()
        if changed_own_role:
            self.ctx.dialogs.info(
                self,
                translate("main_window", "Your role has changed"),
                translate("main_window", "Sign in again to carry on in your new role."),
            )
            self.sign_out()

    def change_password(self) -> None:
        from branchdesk.ui.officers.officers_dialog import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.ctx, self)
        try:
            if self.ctx.dialogs.run_dialog(dialog):
                self.ctx.dialogs.info(
                    self,
                    translate("main_window", "Password changed"),
                    translate("main_window", "Sign in with the new password from now on."),
                )
        finally:
            dialog.deleteLater()

    # -- the lock ------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.lock_dialog is not None or bool(self._covers)

    def _watch_idle(self) -> None:
        """Lock after the minutes set in Preferences without input, while someone is signed in."""
        if self.ctx.db.principal is not None and not self.locked:
            self.idle.start()
        else:
            self.idle.stop()

    def lock(self) -> None:
        """Hide everything on screen and ask for the password again (Lock now, or idle)."""
        if self.locked or self.ctx.db.principal is None:
            return
        from branchdesk.ui.officers.sign_in import Purpose

        self._show_lock(Purpose.LOCKED)

    def sign_out(self) -> None:
        """Sign out, and show the sign-in for whoever comes next, without closing BranchDesk."""
        if self.locked or self.ctx.db.principal is None:
            return
        from branchdesk.access.officers import sign_out
        from branchdesk.ui.officers.sign_in import Purpose

        try:
            sign_out(self.ctx.db)
        except (StoreError, DBAPIError) as exc:
            log.warning("sign-out not recorded: %s", type(exc).__name__)
        self.ctx.db.principal = None  # signed out even if the record could not be written
        self._show_lock(Purpose.SIGNED_OUT)

    def _own_windows(self) -> list[QWidget]:
        """This window and every window opened from it that is on screen."""
        found: list[QWidget] = []
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible() or widget is self.lock_dialog:
                continue
            if widget.windowType() not in (Qt.WindowType.Window, Qt.WindowType.Dialog):
                continue  # menus, tooltips
            ancestor: QWidget | None = widget
            while ancestor is not None and ancestor is not self:
                ancestor = ancestor.parentWidget()
            if ancestor is self:
                found.append(widget)
        return found

    def _show_lock(self, purpose: Purpose) -> None:
        from branchdesk.ui.officers.sign_in import SignInDialog

        self.idle.stop()
        cover_text = translate("main_window", COVER_TEXT)
        self._covers = [Cover(window, cover_text) for window in self._own_windows()]
        dialog = SignInDialog(self.ctx.db, self.ctx.preferences, self, purpose=purpose)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.finished.connect(self._lock_finished)
        self.lock_dialog = dialog
        self.update_officer()
        dialog.show()

    def _lock_finished(self, result: int) -> None:
        dialog, self.lock_dialog = self.lock_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            self._quit_from_lock(dialog.purpose)
            return
        if self._officer_key() != self._shown_for:
            # Another officer: close what the last one left open, then build the tabs for the
            # new one once those dialogs have unwound (their tabs are about to go).
            self._close_own_dialogs()
            QTimer.singleShot(0, self, self._finish_switch)
            return
        self._remove_covers()

    def _finish_switch(self) -> None:
        self.rebuild_registers()
        self._remove_covers()

    def _remove_covers(self) -> None:
        for cover in self._covers:
            if shiboken6.isValid(cover):
                cover.remove()
        self._covers = []
        self.update_officer()
        self._watch_idle()

    def _close_own_dialogs(self) -> None:
        for window in self._own_windows():
            if window is self:
                continue
            if isinstance(window, QDialog):
                # Straight to "rejected": no "discard your changes?" for an officer gone.
                QDialog.done(window, QDialog.DialogCode.Rejected)
            else:
                window.close()

    def _quit_from_lock(self, purpose: Purpose) -> None:
        self._close_own_dialogs()
        self.close()
        if self.isVisible():  # the close was refused (work still running): stay locked
            self._remove_covers()
            self._show_lock(purpose)

    def show_about(self) -> None:
        from branchdesk.ui.help_dialogs import about_text

        self.ctx.dialogs.info(
            self, translate("main_window", "About BranchDesk"), about_text(self.ctx.db)
        )

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
        self.layout_memory.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        worker = self.ctx.worker
        if worker.busy:
            if not self.ctx.dialogs.confirm(
                self,
                translate("main_window", "Work still running"),
                translate(
                    "main_window",
                    "An import, export or backup is still running. Stop it and quit? "
                    "Anything it had not finished is not kept.",
                ),
                yes=translate("main_window", "Stop and quit"),
            ):
                event.ignore()
                return
            worker.cancel_all()
        worker.wait_for_done(60_000)
        from branchdesk.casework.documents import clear_viewing_folder

        # Plain copies of encrypted documents made for viewing go when the program closes.
        clear_viewing_folder()
        self._save_state()
        self.idle.stop()
        for page in self.tab_pages:
            if isinstance(page, TabBase):
                page.cleanup()
        if self.ctx.db.principal is not None:
            from branchdesk.access.officers import sign_out

            try:
                sign_out(self.ctx.db)  # the audit log shows when the session ended
            except (StoreError, DBAPIError) as exc:
                log.warning("sign-out at closing not recorded: %s", type(exc).__name__)
        super().closeEvent(event)


def _loading() -> QLabel:
    page = QLabel(translate("main_window", "Loading…"))
    page.setObjectName("tabSubheading")
    page.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return page
