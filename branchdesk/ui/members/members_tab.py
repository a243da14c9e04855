"""The member register: search, sort, add, edit, import and export members.

The Members page of the Casework tab. A case opened from a member's dialog is passed on with
`case_requested`, for the Casework tab to show on its Cases page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.members.listing import MemberListing
from branchdesk.members.service import get_member
from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.list_view import list_view
from branchdesk.ui.members.member_dialog import MemberDialog
from branchdesk.ui.members.transfers import MemberTransfers
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.table_model import ListingTableModel

log = logging.getLogger(__name__)

# The listing's column headings (by column key), for the translator: the listing cannot use Qt.
HEADERS = {
    "membership_number": QT_TRANSLATE_NOOP("members.members_tab", "Number"),
    "last_name": QT_TRANSLATE_NOOP("members.members_tab", "Last name"),
    "first_name": QT_TRANSLATE_NOOP("members.members_tab", "First name"),
    "employer": QT_TRANSLATE_NOOP("members.members_tab", "Employer"),
    "workplace": QT_TRANSLATE_NOOP("members.members_tab", "Workplace"),
    "department": QT_TRANSLATE_NOOP("members.members_tab", "Department"),
    "job_title": QT_TRANSLATE_NOOP("members.members_tab", "Job title"),
    "status": QT_TRANSLATE_NOOP("members.members_tab", "Status"),
    "date_joined": QT_TRANSLATE_NOOP("members.members_tab", "Joined"),
    "subs_up_to_date": QT_TRANSLATE_NOOP("members.members_tab", "Subs paid"),
}


def _count_text(n: int, search: str) -> str:
    if search:
        if n == 1:
            return translate("members.members_tab", "1 member found")
        return translate("members.members_tab", "{n} members found").format(n=f"{n:,}")
    if n == 1:
        return translate("members.members_tab", "1 member")
    return translate("members.members_tab", "{n} members").format(n=f"{n:,}")


class MembersTab(TabBase):
    title = "Casework"
    registers = frozenset({MEMBERS})
    # A case chosen from a member's dialog (by id), once that dialog has closed: the Casework
    # tab shows it on its Cases page.
    case_requested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._busy = 0
        self._fitted = False
        # The member to select when the next ids arrive, and one to show even if the search
        # in force hides them (a member just added).
        self._keep_selected: int | None = None
        self._reveal: int | None = None
        self.transfers = MemberTransfers(ctx, self, lambda: self.model.search, self._set_busy)
        self._build_actions()
        self.model = ListingTableModel(MemberListing(ctx.db), self, runner=self._run_quietly)
        self.model.set_headers(
            {key: translate("members.members_tab", text) for key, text in HEADERS.items()}
        )
        self._build()
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._update_count)
        self.model.ids_loaded.connect(self._on_ids_loaded)
        # Queued: the model reports from inside the table's paint, where the layout must wait.
        self.model.load_failed.connect(self._show_load_failed, Qt.ConnectionType.QueuedConnection)
        self.model.load_recovered.connect(self.load_banner.hide, Qt.ConnectionType.QueuedConnection)
        self._update_count()
        self._update_actions()

    def _run_quietly(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        # Searches and sorts read in the background, so typing never waits for the database.
        self.ctx.worker.run(fn, on_done=on_done, on_error=on_error, quiet=True)

    # -- building ------------------------------------------------------------------------------

    def _action(
        self, text: str, tip: str, slot: Callable[[], None], shortcut: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            tip = translate("members.members_tab", "{tip} ({keys})").format(tip=tip, keys=keys)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        # triggered(bool) would hand "checked" to a slot with optional arguments: drop it.
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # so its shortcut works even when the tab stands alone
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action(
            translate("members.members_tab", "&Add member…"),
            translate("members.members_tab", "Add a new member to the register"),
            self.add_member,
            "Ctrl+N",
        )
        self.edit_action = self._action(
            translate("members.members_tab", "&Edit member…"),
            translate("members.members_tab", "Edit the selected member (or double-click them)"),
            self.edit_selected,
        )
        self.import_action = self._action(
            translate("members.members_tab", "&Import CSV…"),
            translate(
                "members.members_tab",
                "Import members from a CSV file: every row is checked before anything is written",
            ),
            self.import_csv,
        )
        self.export_action = self._action(
            translate("members.members_tab", "E&xport members…"),
            translate(
                "members.members_tab", "Export the members shown to an Excel workbook or a PDF"
            ),
            self.export,
            "Ctrl+E",
        )
        self.find_action = self._action(
            translate("members.members_tab", "&Find member"),
            translate("members.members_tab", "Search the register"),
            self.focus_search,
            "Ctrl+F",
        )

    def _button(self, action: QAction, text: str, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        button.setEnabled(action.isEnabled())
        if primary:
            button.setDefault(True)
            button.setObjectName("primaryButton")
        return button

    def _build(self) -> None:
        heading = QLabel(translate("members.members_tab", "Members"))
        heading.setObjectName("tabHeading")
        subheading = QLabel(
            translate(
                "members.members_tab",
                "Everyone in the branch register. Double-click a member to edit them.",
            )
        )
        subheading.setObjectName("tabSubheading")
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)

        header = QFrame()
        header.setObjectName("tabHeader")
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(heading)
        titles.addWidget(subheading)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(18, 12, 18, 12)
        header_layout.addLayout(titles, 1)
        header_layout.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)

        self.filter_bar = FilterBar()
        self.filter_bar.search_changed.connect(self.set_search)
        self.filter_bar.edit.setAccessibleName(translate("members.members_tab", "Search members"))
        self.add_button = self._button(
            self.add_action, translate("members.members_tab", "Add member…"), primary=True
        )
        self.edit_button = self._button(self.edit_action, translate("members.members_tab", "Edit…"))
        self.import_button = self._button(
            self.import_action, translate("members.members_tab", "Import CSV…")
        )
        self.export_button = self._button(
            self.export_action, translate("members.members_tab", "Export…")
        )
        # The search box as tall as the buttons beside it.
        self.filter_bar.edit.setMinimumHeight(self.add_button.sizeHint().height())
        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        self.filter_bar.setMaximumWidth(560)
        toolbar.addWidget(self.filter_bar, 1)
        toolbar.addStretch(0)
        toolbar.addSpacing(12)
        for button in (self.add_button, self.edit_button, self.import_button, self.export_button):
            toolbar.addWidget(button)

        self.table = QTableView()
        self.table.setObjectName("membersTable")
        self.table.setAccessibleName(translate("members.members_tab", "Members"))
        self.table.setModel(self.model)
        list_view(self.table, row_padding=12, scroll_per_pixel=True)
        horizontal = self.table.horizontalHeader()
        horizontal.setSectionsMovable(False)
        horizontal.setStretchLastSection(False)
        self._set_column_widths()
        # No sort indicator at first: the register's own order (last name, then first name).
        horizontal.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.edit_selected)

        self.empty_label = EmptyState("membersEmptyState")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        # Says, without a dialog, that the list could not be read and is being read again.
        self.load_banner = QLabel()
        self.load_banner.setObjectName("loadBanner")
        self.load_banner.setWordWrap(True)
        self.load_banner.hide()

        body = QVBoxLayout()
        body.setContentsMargins(18, 12, 18, 12)
        body.setSpacing(10)
        body.addLayout(toolbar)
        body.addWidget(self.load_banner)
        body.addWidget(self.stack, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)

    def _column_widths(self) -> list[int]:
        """Pixels per column from each Column's width in characters, never narrower than its
        header (bold, with room for the sort arrow)."""
        # A digit is as wide as most capitals: membership numbers and dates fit exactly.
        char = self.table.fontMetrics().horizontalAdvance("0")
        bold_font = QFont(self.table.horizontalHeader().font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        widths = []
        for i, column in enumerate(self.model.columns):
            header_width = bold.horizontalAdvance(self.model.header_text(i)) + 34
            widths.append(max((column.width or 14) * char + 14, header_width))
        return widths

    def _flexible_columns(self) -> list[int]:
        # The long text columns give and take width; numbers, dates and flags keep theirs.
        return [
            i
            for i, c in enumerate(self.model.columns)
            if c.kind == "text" and (c.width or 14) >= 16
        ] or list(range(len(self.model.columns)))

    def _set_column_widths(self, available: int | None = None) -> None:
        widths = self._column_widths()
        if available is not None and available > 0:
            flexible = self._flexible_columns()
            excess = sum(widths) - available
            if excess > 0:
                # Too wide for the window: narrow the long text columns in proportion, to no
                # less than 60%, so Joined and Subs paid stay in sight without scrolling.
                room = sum(widths[i] * 0.4 for i in flexible)
                share = min(1.0, excess / room) if room else 0.0
                for i in flexible:
                    widths[i] = int(widths[i] * (1 - 0.4 * share))
            else:
                # Room to spare: share it out, so the table fills the window.
                spare, extra = divmod(-excess, len(flexible))
                for n, i in enumerate(flexible):
                    widths[i] += spare + (1 if n < extra else 0)
        header = self.table.horizontalHeader()
        for i, width in enumerate(widths):
            header.resizeSection(i, width)

    def fit_columns(self) -> None:
        self._set_column_widths(self.table.viewport().width())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:
            # Fit the columns to the window once its real width is known (after the layout
            # has run); after that the widths are the user's to change.
            self._fitted = True
            QTimer.singleShot(0, self.fit_columns)

    # -- state ---------------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.id_at(rows[0].row())

    def select_id(self, member_id: int) -> bool:
        row = self.model.row_of(member_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def _update_count(self) -> None:
        n = self.model.rowCount()
        search = self.model.search
        if not self.model.loaded:
            self.count_label.setText(translate("members.members_tab", "Loading…"))
            self.stack.setCurrentWidget(self.table)
        elif n:
            self.count_label.setText(_count_text(n, search))
            self.stack.setCurrentWidget(self.table)
        else:
            self.count_label.setText(_count_text(n, search))
            if search:
                self.empty_label.show_text(
                    translate(
                        "members.members_tab",
                        "No members match “{search}”. Try fewer words, or clear the search.",
                    ).format(search=search)
                )
            else:
                self.empty_label.show_text(
                    translate(
                        "members.members_tab",
                        "No members yet. Add the first with Add member…, or bring in the "
                        "branch's list from a spreadsheet saved as CSV with Import CSV…",
                    ),
                    translate(
                        "members.members_tab", "Read the guide: adding and importing members"
                    ),
                    "members",
                )
            self.stack.setCurrentWidget(self.empty_label)
        self._update_actions()

    def _update_actions(self) -> None:
        # A save while an import writes would wait on the database's write lock, freezing
        # the window, then fail: no adding or editing until the import is over.
        writing = self.transfers.writing
        self.add_action.setEnabled(not writing)
        self.edit_action.setEnabled(not writing and self.selected_id() is not None)
        idle = self._busy == 0
        self.import_action.setEnabled(idle)
        self.export_action.setEnabled(idle)

    def _set_busy(self, delta: int) -> None:
        self._busy += delta
        self._update_actions()

    # -- TabBase -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.model.refresh()

    def database_changed(self) -> None:
        # An id in another database is somebody else: nothing to keep selected.
        self.table.clearSelection()
        self._keep_selected = self._reveal = None
        self.model.set_listing(MemberListing(self.ctx.db))
        self._update_actions()

    # -- new ids from the model ----------------------------------------------------------------

    def _remember_selection(self) -> None:
        if self._keep_selected is None:
            self._keep_selected = self.selected_id()

    def _on_ids_loaded(self) -> None:
        keep, self._keep_selected = self._keep_selected, None
        reveal, self._reveal = self._reveal, None
        if reveal is not None and not self.select_id(reveal) and self.model.search:
            # A member just added who does not match the search in force: show them anyway.
            self._reveal = reveal
            self.filter_bar.clear()  # new ids come, and this runs again
        elif reveal is None and keep is not None:
            self.select_id(keep)
        self._update_count()

    def _show_load_failed(self, reason: str) -> None:
        self.load_banner.setText(
            translate(
                "members.members_tab", "The member list could not be read: {reason}. Retrying…"
            ).format(reason=reason)
        )
        self.load_banner.show()

    # -- searching -----------------------------------------------------------------------------

    def set_search(self, text: str) -> None:
        self.model.set_search(text)  # the selection is kept when the new ids arrive

    def focus_search(self) -> None:
        self.activate_requested.emit()
        self.filter_bar.focus_search()

    # -- adding and editing --------------------------------------------------------------------

    def add_member(self) -> None:
        if not self.add_action.isEnabled():
            return
        self.activate_requested.emit()
        dialog = MemberDialog(self.ctx, parent=self)
        try:
            if self.ctx.dialogs.run_dialog(dialog) and dialog.member_id is not None:
                self._reveal = dialog.member_id  # selected once the refreshed ids arrive
                self.ctx.changed(MEMBERS)
        finally:
            dialog.deleteLater()

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.selectRow(index.row())
            self.edit_selected()

    def edit_selected(self) -> None:
        member_id = self.selected_id()
        if member_id is None or not self.edit_action.isEnabled():
            return
        try:
            form = get_member(self.ctx.db, member_id)
        except KeyError:
            self.ctx.dialogs.info(
                self,
                translate("members.members_tab", "Member not found"),
                translate("members.members_tab", "This member is no longer in the register."),
            )
            self.refresh()
            return
        dialog = MemberDialog(self.ctx, member_id, form, parent=self)
        wanted: list[int] = []
        dialog.case_requested.connect(wanted.append)
        try:
            if self.ctx.dialogs.run_dialog(dialog):
                self.ctx.changed(MEMBERS)  # they stay selected when the new ids come
        finally:
            dialog.deleteLater()
        if wanted:
            # Only now, with the modal dialog gone, may another page come forward.
            self.case_requested.emit(wanted[-1])

    # -- importing and exporting: MemberTransfers does the work --------------------------------

    def import_csv(self, path: Path | None = None) -> None:
        self.transfers.import_csv(path)

    def export(self, path: Path | None = None) -> None:
        self.transfers.export(path)
