"""The Outsourcing watch tab: the watch list, its timeline, the chosen contract, and totals.

The filters at the top (authority, contractor, status, and how soon the decision point comes)
choose the contracts listed; the list (sortable by any column) and the timeline below it show
the same contracts, and choosing one in either shows its page on the right. Import contracts…
reads an OCDS file in the background, says what it found, and imports it if asked to.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.outsourcing.codes import STATUSES
from branchdesk.outsourcing.ocds import OcdsFile, OcdsRefused, read_ocds
from branchdesk.outsourcing.queries import ContractLine, totals
from branchdesk.outsourcing.service import DEFAULT_NOTICE_MONTHS, ImportResult, import_records
from branchdesk.progress import Progress
from branchdesk.store.audit import record_export
from branchdesk.ui import style
from branchdesk.ui.context import AppContext
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.outsourcing.code_words import words
from branchdesk.ui.outsourcing.data import (
    OUTSOURCING,
    ContractDetail,
    ContractTableModel,
    WatchList,
    event_word,
    money_text,
    read_contract,
    read_watch_list,
)
from branchdesk.ui.outsourcing.dialogs import (
    ContractDialog,
    ContractMembersDialog,
    EventDialog,
    union_word,
)
from branchdesk.ui.outsourcing.timeline import SPANS, TimelineChart
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.worker import report_unhandled

IMPORT_FILTER = QT_TRANSLATE_NOOP(
    "outsourcing.outsourcing_tab", "OCDS JSON (*.json);;All files (*)"
)
WITHIN = {
    QT_TRANSLATE_NOOP("outsourcing.outsourcing_tab", "Any time"): None,
    QT_TRANSLATE_NOOP("outsourcing.outsourcing_tab", "6 months"): 6,
    QT_TRANSLATE_NOOP("outsourcing.outsourcing_tab", "12 months"): 12,
    QT_TRANSLATE_NOOP("outsourcing.outsourcing_tab", "18 months"): 18,
}
SHOWN_WARNINGS = 8


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def _filter_box(name: str, everything: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItem(everything, "")
    box.setMinimumContentsLength(14)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return box


def _labelled(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _totals_table(name: str, first: str, accessible: str) -> QTableWidget:
    table = QTableWidget(0, 3)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(
        [
            first,
            translate("outsourcing.outsourcing_tab", "Contracts"),
            translate("outsourcing.outsourcing_tab", "Value"),
        ]
    )
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
    return table


def _right(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class OutsourcingTab(TabBase):
    title = "Outsourcing watch"
    registers = frozenset({OUTSOURCING})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("outsourcingTab")
        self.today = date.today()
        self.selected_id: int | None = None
        self.detail: ContractDetail | None = None
        self._generation = 0
        self._detail_generation = 0
        self._build()
        self.refresh()

    # -- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.authority_box = _filter_box(
            "authorityFilter", translate("outsourcing.outsourcing_tab", "All authorities")
        )
        self.contractor_box = _filter_box(
            "contractorFilter", translate("outsourcing.outsourcing_tab", "All contractors")
        )
        self.status_box = _filter_box(
            "statusFilter", translate("outsourcing.outsourcing_tab", "Any status")
        )
        for code, word in words(STATUSES).items():
            self.status_box.addItem(word, code)
        self.within_box = QComboBox()
        self.within_box.setObjectName("withinFilter")
        for word, months in WITHIN.items():
            self.within_box.addItem(translate("outsourcing.outsourcing_tab", word), months)
        self.within_box.setToolTip(
            translate(
                "outsourcing.outsourcing_tab",
                "Only contracts still outside whose decision point (the earliest end or break, "
                "less the notice period in Preferences) falls within this time",
            )
        )
        for box in (self.authority_box, self.contractor_box, self.status_box, self.within_box):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        import_tip = translate(
            "outsourcing.outsourcing_tab",
            "Read an OCDS file (Contracts Finder, Find a Tender) and add or update its contracts",
        )
        # An action as well as a button, so the window's File menu can offer it too.
        self.import_action = QAction(
            translate("outsourcing.outsourcing_tab", "Import &contracts…"), self
        )
        self.import_action.setObjectName("importContractsAction")
        self.import_action.setToolTip(import_tip)
        self.import_action.setStatusTip(import_tip)
        self.import_action.triggered.connect(lambda _c=False: self.import_contracts())
        self.import_button = _button(
            translate("outsourcing.outsourcing_tab", "Import contracts…"),
            "importContracts",
            import_tip,
        )
        self.import_button.clicked.connect(self.import_action.trigger)
        self.new_button = _button(
            translate("outsourcing.outsourcing_tab", "New contract…"),
            "newContract",
            translate("outsourcing.outsourcing_tab", "Add a contract or service"),
        )
        self.new_button.clicked.connect(self.new_contract)
        self.export_button = _button(
            translate("outsourcing.outsourcing_tab", "Export ▾"),
            "exportContracts",
            translate(
                "outsourcing.outsourcing_tab", "The watch list as a spreadsheet, or a briefing PDF"
            ),
        )
        export_menu = QMenu(self.export_button)
        # The menu shows tooltips, so each action says what it writes, not just its name.
        export_menu.setToolTipsVisible(True)
        self.watch_list_action = export_menu.addAction(
            translate("outsourcing.outsourcing_tab", "Watch list (.xlsx)…")
        )
        watch_tip = translate(
            "outsourcing.outsourcing_tab",
            "Write every contract on the watch list to a spreadsheet, with its dates",
        )
        self.watch_list_action.setToolTip(watch_tip)
        self.watch_list_action.setStatusTip(watch_tip)
        self.watch_list_action.triggered.connect(lambda _c=False: self.export_watch_list())
        self.briefing_action = export_menu.addAction(
            translate("outsourcing.outsourcing_tab", "Briefing for councillors (.pdf)…")
        )
        briefing_tip = translate(
            "outsourcing.outsourcing_tab", "Decisions due, the timeline, totals and staff affected"
        )
        self.briefing_action.setToolTip(briefing_tip)
        self.briefing_action.setStatusTip(briefing_tip)
        self.briefing_action.triggered.connect(lambda _c=False: self.export_briefing())
        self.export_button.setMenu(export_menu)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        for text, widget in (
            (translate("outsourcing.outsourcing_tab", "Authority"), self.authority_box),
            (translate("outsourcing.outsourcing_tab", "Contractor"), self.contractor_box),
            (translate("outsourcing.outsourcing_tab", "Status"), self.status_box),
            (translate("outsourcing.outsourcing_tab", "Decision point within"), self.within_box),
        ):
            filters.addWidget(_labelled(text, widget))
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.new_button)
        actions.addWidget(self.export_button)

        self.model = ContractTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("contractTable")
        self.table.setAccessibleName(
            translate("outsourcing.outsourcing_tab", "Contracts on the watch list")
        )
        self.table.setModel(self.model)
        # Listed by decision point (the query's order) until a header is clicked.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.model.clear_sort()
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 120, 130, 115, 95, 115, 110)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.model.modelReset.connect(self._after_reset)

        self.timeline = TimelineChart()
        self.timeline.contract_clicked.connect(self.select_contract)
        self.zoom_box = QComboBox()
        self.zoom_box.setObjectName("timelineZoom")
        for years in SPANS:
            self.zoom_box.addItem(
                translate("outsourcing.outsourcing_tab", "{n} years").format(n=years), years
            )
        self.zoom_box.setCurrentIndex(SPANS.index(self.timeline.years))
        self.zoom_box.setToolTip(
            translate(
                "outsourcing.outsourcing_tab",
                "How many years the timeline shows (or Ctrl + mouse wheel)",
            )
        )
        self.zoom_box.currentIndexChanged.connect(
            lambda _i: self.timeline.set_years(int(self.zoom_box.currentData()))
        )
        self.timeline.span_changed.connect(
            lambda years: self.zoom_box.setCurrentIndex(SPANS.index(years))
        )
        legend = QLabel(
            translate(
                "outsourcing.outsourcing_tab",
                "Bar: the contract; lighter: possible extensions; ◆ decision point"
                " (<span style='color:#b42318'>passed</span>,"
                " <span style='color:#7a4a00'>within 12 months</span>); red line: today",
            )
        )
        legend.setObjectName("tabSubheading")
        timeline_box = QWidget()
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.setContentsMargins(0, 0, 0, 0)
        zoom_row = QHBoxLayout()
        zoom_row.addWidget(legend)
        zoom_row.addStretch(1)
        zoom_row.addWidget(
            _labelled(translate("outsourcing.outsourcing_tab", "Show"), self.zoom_box)
        )
        zoom_row.addWidget(self.zoom_box)
        timeline_layout.addLayout(zoom_row)
        timeline_layout.addWidget(self.timeline, 1)

        # Nothing to list: what to do first (or that the filters hide everything).
        self.empty_state = EmptyState("contractsEmptyState")
        self.list_stack = QStackedWidget()
        self.list_stack.setObjectName("contractListStack")
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_state)

        left = QSplitter(Qt.Orientation.Vertical)
        left.setObjectName("contractListSplitter")
        left.addWidget(self.list_stack)
        left.addWidget(timeline_box)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)

        self.right = QTabWidget()
        self.right.setObjectName("contractPages")
        self.right.addTab(
            self._build_contract_page(), translate("outsourcing.outsourcing_tab", "Contract")
        )
        self.right.addTab(
            self._build_totals_page(), translate("outsourcing.outsourcing_tab", "Totals")
        )

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("outsourcingSplitter")
        split.addWidget(left)
        split.addWidget(self.right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([870, 390])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(split, 1)

    def _build_contract_page(self) -> QWidget:
        page = QWidget()
        self.details = QTextBrowser()
        self.details.setObjectName("contractDetails")
        self.details.setAccessibleName(
            translate("outsourcing.outsourcing_tab", "The contract chosen")
        )
        self.details.setOpenExternalLinks(True)
        self.edit_button = _button(
            translate("outsourcing.outsourcing_tab", "Edit…"),
            "editContract",
            translate("outsourcing.outsourcing_tab", "Change this contract's details"),
        )
        self.edit_button.clicked.connect(self.edit_contract)
        self.event_button = _button(
            translate("outsourcing.outsourcing_tab", "Add event…"),
            "addEvent",
            translate(
                "outsourcing.outsourcing_tab",
                "Record a failure, a notice, a complaint or a decision",
            ),
        )
        self.event_button.clicked.connect(self.add_event)
        self.members_button = _button(
            translate("outsourcing.outsourcing_tab", "Members affected…"),
            "contractMembers",
            translate(
                "outsourcing.outsourcing_tab",
                "Link the members whose jobs this contract affects to their member records",
            ),
        )
        self.members_button.clicked.connect(self.edit_members)
        self.events_table = QTableWidget(0, 3)
        self.events_table.setObjectName("eventsTable")
        self.events_table.setAccessibleName(
            translate("outsourcing.outsourcing_tab", "Events on the contract")
        )
        self.events_table.setHorizontalHeaderLabels(
            [
                translate("outsourcing.outsourcing_tab", "Date"),
                translate("outsourcing.outsourcing_tab", "Kind"),
                translate("outsourcing.outsourcing_tab", "What happened"),
            ]
        )
        self.events_table.verticalHeader().hide()
        self.events_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.events_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.events_table.setWordWrap(False)
        header = self.events_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.event_button)
        buttons.addWidget(self.members_button)
        buttons.addStretch(1)
        events_label = QLabel(translate("outsourcing.outsourcing_tab", "Events"))
        events_label.setStyleSheet("font-weight: 600")
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 6)
        column.addLayout(buttons)
        column.addWidget(self.details, 3)
        column.addWidget(events_label)
        column.addWidget(self.events_table, 2)
        self._show_detail(None)
        return page

    def _build_totals_page(self) -> QWidget:
        page = QWidget()
        self.totals_note = QLabel()
        self.totals_note.setObjectName("tabSubheading")
        self.totals_note.setWordWrap(True)
        self.contractor_totals = _totals_table(
            "contractorTotals",
            translate("outsourcing.outsourcing_tab", "Contractor"),
            translate("outsourcing.outsourcing_tab", "By contractor"),
        )
        self.authority_totals = _totals_table(
            "authorityTotals",
            translate("outsourcing.outsourcing_tab", "Authority"),
            translate("outsourcing.outsourcing_tab", "By authority"),
        )
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.totals_note)
        column.addWidget(QLabel(translate("outsourcing.outsourcing_tab", "By contractor")))
        column.addWidget(self.contractor_totals, 3)
        column.addWidget(QLabel(translate("outsourcing.outsourcing_tab", "By authority")))
        column.addWidget(self.authority_totals, 2)
        return page

    # -- reading -------------------------------------------------------------------------------

    def notice_months(self) -> int:
        value = self.ctx.preferences.get("notice_months")
        return value if isinstance(value, int) and value >= 0 else DEFAULT_NOTICE_MONTHS

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.today = date.today()
        db, today, notice = self.ctx.db, self.today, self.notice_months()
        within = self.within_box.currentData()
        authority = str(self.authority_box.currentData() or "")
        contractor = str(self.contractor_box.currentData() or "")
        status = str(self.status_box.currentData() or "")
        self.ctx.worker.run(
            lambda: read_watch_list(db, today, notice, within, authority, contractor, status),
            on_done=lambda result: self._show_list(generation, result),
            on_error=self._read_failed,
            quiet=True,  # a read: closing the window need not wait for it
        )

    def _read_failed(self, exc: BaseException) -> None:
        self.count_label.setText(
            translate("outsourcing.outsourcing_tab", "The contracts could not be read.")
        )
        self.ctx.dialogs.error(
            self,
            translate("outsourcing.outsourcing_tab", "Contracts not read"),
            translate(
                "outsourcing.outsourcing_tab", "The database could not be read: {reason}"
            ).format(reason=exc),
        )

    def _show_list(self, generation: int, result: WatchList) -> None:
        if generation != self._generation:
            return  # a newer read is on its way
        self._fill_choices(self.authority_box, result.authorities)
        self._fill_choices(self.contractor_box, result.contractors)
        self.model.set_lines(result.lines, self.today)
        self.timeline.set_lines(self.model.lines, self.today)
        count = len(result.lines)
        self.count_label.setText(
            translate("outsourcing.outsourcing_tab", "1 contract")
            if count == 1
            else translate("outsourcing.outsourcing_tab", "{n} contracts").format(n=f"{count:,}")
        )
        self._show_empty_state(count)
        self._show_totals(result.lines)
        if self.selected_id is not None and self.model.row_of(self.selected_id) < 0:
            # Filtered out of the list: its page stays, but nothing is highlighted.
            self.timeline.select(None)
        if self.selected_id is not None:
            self._load_detail(self.selected_id)

    def filtered(self) -> bool:
        """Is any filter narrowing the list?"""
        return any(
            box.currentData()
            for box in (self.authority_box, self.contractor_box, self.status_box, self.within_box)
        )

    def _show_empty_state(self, count: int) -> None:
        if count:
            self.list_stack.setCurrentWidget(self.table)
            return
        if self.filtered():
            self.empty_state.show_text(
                translate(
                    "outsourcing.outsourcing_tab",
                    "No contracts match the filters chosen. Choose All authorities, All "
                    "contractors, Any status and Any time to see every contract.",
                )
            )
        else:
            self.empty_state.show_text(
                translate(
                    "outsourcing.outsourcing_tab",
                    "No contracts on the watch list yet. Bring in the contracts your councils "
                    "publish (OCDS files from Contracts Finder or Find a Tender) with Import "
                    "contracts…, or add one by hand with New contract…",
                ),
                translate(
                    "outsourcing.outsourcing_tab", "Read the guide: watching outsourced contracts"
                ),
                "outsourcing",
            )
        self.list_stack.setCurrentWidget(self.empty_state)

    @staticmethod
    def _fill_choices(box: QComboBox, names: list[str]) -> None:
        current = box.currentData()
        if [box.itemData(i) for i in range(1, box.count())] == names:
            return
        box.blockSignals(True)
        while box.count() > 1:
            box.removeItem(1)
        for name in names:
            box.addItem(name, name)
        index = box.findData(current)
        if index < 0 and current:
            box.addItem(current, current)  # keep the filter chosen, even with nothing in it
            index = box.count() - 1
        box.setCurrentIndex(max(0, index))
        box.blockSignals(False)

    def _show_totals(self, lines: list[ContractLine]) -> None:
        found = totals(lines)
        for table, group in (
            (self.contractor_totals, "contractor"),
            (self.authority_totals, "authority"),
        ):
            rows = sorted(found[group].items(), key=lambda kv: (-kv[1][1].pence, kv[0]))
            table.setRowCount(len(rows))
            for n, (name, (count, total)) in enumerate(rows):
                table.setItem(n, 0, QTableWidgetItem(name))
                table.setItem(n, 1, _right(f"{count:,}"))
                table.setItem(n, 2, _right(money_text(total)))
        self.totals_note.setText(
            translate(
                "outsourcing.outsourcing_tab",
                "For the {n} contracts listed. Values in pounds only; a contract shared by "
                "several contractors counts in full against each.",
            ).format(n=f"{len(lines):,}")
        )

    # -- choosing a contract -------------------------------------------------------------------

    def _after_reset(self) -> None:
        """After a refresh or a sort: the same contract chosen again, if it is still listed."""
        if self.selected_id is None:
            return
        row = self.model.row_of(self.selected_id)
        if row >= 0:
            self._highlight_row(row)
        self.timeline.set_lines(self.model.lines, self.today)
        self.timeline.select(self.selected_id)

    def _highlight_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.blockSignals(False)
        self.table.viewport().update()
        self.table.scrollTo(index)

    def _row_chosen(self, current: object, _previous: object = None) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        contract_id = self.model.lines[index.row()].id
        if contract_id != self.selected_id:
            self.selected_id = contract_id
            self.timeline.select(contract_id)
            self._load_detail(contract_id)

    def select_contract(self, contract_id: int) -> None:
        """Choose a contract (from the timeline or after a save): listed, drawn and shown."""
        self.selected_id = contract_id
        row = self.model.row_of(contract_id)
        if row >= 0:
            self._highlight_row(row)
        self.timeline.select(contract_id)
        self.right.setCurrentIndex(0)
        self._load_detail(contract_id)

    def _load_detail(self, contract_id: int) -> None:
        self._detail_generation += 1
        generation = self._detail_generation
        db = self.ctx.db

        def done(detail: ContractDetail | None) -> None:
            if generation == self._detail_generation:
                self._show_detail(detail)

        self.ctx.worker.run(
            lambda: read_contract(db, contract_id),
            on_done=done,
            on_error=self._read_failed,
            quiet=True,
        )

    def _show_detail(self, detail: ContractDetail | None) -> None:
        self.detail = detail
        self.edit_button.setEnabled(detail is not None)
        self.event_button.setEnabled(detail is not None)
        self.members_button.setEnabled(detail is not None)
        if detail is None:
            text = translate(
                "outsourcing.outsourcing_tab",
                "Choose a contract in the list or the timeline to see its details and events, "
                "or add one with New contract…",
            )
            self.details.setHtml(f"<p style='color:{style.MUTED}'>{html.escape(text)}</p>")
            self.events_table.setRowCount(0)
            return
        self.details.setHtml(_detail_html(detail, self.notice_months()))
        self.events_table.setRowCount(len(detail.events))
        for n, event in enumerate(detail.events):
            self.events_table.setItem(n, 0, QTableWidgetItem(short_date(event.happened_on)))
            self.events_table.setItem(n, 1, QTableWidgetItem(event_word(event.kind)))
            item = QTableWidgetItem(event.title)
            item.setToolTip(event.detail or event.title)
            self.events_table.setItem(n, 2, item)

    # -- changes -------------------------------------------------------------------------------

    def new_contract(self) -> None:
        dialog = ContractDialog(self.ctx, parent=self)
        if self.ctx.dialogs.run_dialog(dialog) and dialog.contract_id is not None:
            self.selected_id = dialog.contract_id
            self.ctx.changed(OUTSOURCING)
            self.refresh()
            self.select_contract(dialog.contract_id)

    def edit_contract(self) -> None:
        if self.detail is None:
            return
        dialog = ContractDialog(self.ctx, self.detail, parent=self)
        saved = self.ctx.dialogs.run_dialog(dialog)
        if saved:
            self.ctx.changed(OUTSOURCING)
        if saved or dialog.stale:
            self.refresh()
            if not self.isVisible():  # changed() refreshes only a visible tab; be sure
                self._load_detail(self.detail.id)

    def add_event(self) -> None:
        if self.detail is None:
            return
        dialog = EventDialog(self.ctx, self.detail.id, date.today(), parent=self)
        if self.ctx.dialogs.run_dialog(dialog):
            self.ctx.changed(OUTSOURCING)
            self._load_detail(self.detail.id)
        elif dialog.stale:
            self.refresh()

    def edit_members(self) -> None:
        if self.detail is None:
            return
        dialog = ContractMembersDialog(self.ctx, self.detail, parent=self)
        saved = self.ctx.dialogs.run_dialog(dialog)
        if saved:
            self.ctx.changed(OUTSOURCING)
            self._load_detail(self.detail.id)
        elif dialog.stale:
            self.refresh()
            if not self.isVisible():
                self._load_detail(self.detail.id)

    def import_contracts(self) -> None:
        path = self.ctx.dialogs.open_file(
            self,
            translate("outsourcing.outsourcing_tab", "Import contracts"),
            translate("outsourcing.outsourcing_tab", IMPORT_FILTER),
        )
        if path is None:
            return
        self.ctx.worker.run_with_progress(
            lambda _progress: read_ocds(path),
            parent=self,
            title=translate("outsourcing.outsourcing_tab", "Import contracts"),
            label=translate("outsourcing.outsourcing_tab", "Reading {name}…").format(
                name=Path(path).name
            ),
            on_done=self._confirm_import,
            on_error=self._import_failed,
            discard_if_cancelled=True,
        )

    # -- exports ---------------------------------------------------------------------------------

    def export_watch_list(self, path: Path | None = None) -> None:
        path = path or self.ctx.dialogs.save_file(
            self,
            translate("outsourcing.outsourcing_tab", "Export the watch list"),
            translate("outsourcing.outsourcing_tab", "contract watch list.xlsx"),
            translate("outsourcing.outsourcing_tab", "Spreadsheet (*.xlsx)"),
        )
        if path is None:
            return
        from branchdesk.outsourcing.reports import export_contracts  # openpyxl, when asked

        db, branch = self.ctx.db, str(self.ctx.preferences.branch_name)
        today, notice = self.today, self.notice_months()

        def write() -> None:
            count = export_contracts(db, path, branch, today, notice)
            record_export(db, "contracts", path, count)

        self._export(
            write,
            path,
            translate("outsourcing.outsourcing_tab", "The watch list was written to\n{path}"),
            translate("outsourcing.outsourcing_tab", "The watch list was not written: {reason}"),
        )

    def export_briefing(self, path: Path | None = None) -> None:
        """The briefing, for the authority chosen in the filter (or all of them)."""
        authority = str(self.authority_box.currentData() or "")
        name = translate("outsourcing.outsourcing_tab", "outsourcing briefing {authority}").format(
            authority=authority
        )
        name = name.strip() + ".pdf"
        path = path or self.ctx.dialogs.save_file(
            self,
            translate("outsourcing.outsourcing_tab", "Export a briefing"),
            name,
            translate("outsourcing.outsourcing_tab", "PDF (*.pdf)"),
        )
        if path is None:
            return
        from branchdesk.outsourcing.reports import export_briefing  # reportlab, when asked

        db, branch = self.ctx.db, str(self.ctx.preferences.branch_name)
        today, notice = self.today, self.notice_months()

        def write() -> None:
            export_briefing(db, path, branch, today, notice, authority)
            record_export(db, "outsourcing-briefing", path)

        self._export(
            write,
            path,
            translate("outsourcing.outsourcing_tab", "The briefing was written to\n{path}"),
            translate("outsourcing.outsourcing_tab", "The briefing was not written: {reason}"),
        )

    def _export(self, write: Any, path: Path, written: str, not_written: str) -> None:
        """`written` and `not_written` are whole sentences with {path} and {reason} in them."""
        self.export_button.setEnabled(False)

        def done(_result: object) -> None:
            self.export_button.setEnabled(True)
            self.ctx.dialogs.info(
                self,
                translate("outsourcing.outsourcing_tab", "Export finished"),
                written.format(path=path),
            )

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            if not isinstance(exc, (ValueError, OSError)):
                report_unhandled(exc)
                return
            self.ctx.dialogs.error(
                self,
                translate("outsourcing.outsourcing_tab", "Not exported"),
                not_written.format(reason=exc),
            )

        self.ctx.worker.run(write, on_done=done, on_error=failed)

    def _import_failed(self, exc: BaseException) -> None:
        reason = str(exc) if isinstance(exc, OcdsRefused) else f"{type(exc).__name__}: {exc}"
        self.ctx.dialogs.error(
            self,
            translate("outsourcing.outsourcing_tab", "Not imported"),
            translate("outsourcing.outsourcing_tab", "Nothing was imported: {reason}").format(
                reason=reason
            ),
        )

    def _confirm_import(self, found: OcdsFile) -> None:
        records = found.records
        if not records:
            problems = "; ".join(found.warnings) or translate(
                "outsourcing.outsourcing_tab", "nothing in it"
            )
            self.ctx.dialogs.error(
                self,
                translate("outsourcing.outsourcing_tab", "Nothing to import"),
                translate(
                    "outsourcing.outsourcing_tab",
                    "{name} holds no contracts to import ({problems}).",
                ).format(name=found.file.name, problems=problems),
            )
            return
        buyers = sorted({r.buyer for r in records if r.buyer})
        warnings = list(found.warnings) + [
            f"{r.title or r.ocid}: {w}" for r in records for w in r.warnings
        ]
        text = [_holds_text(found.file.name, len(records), buyers)]
        if warnings:
            text.append(
                "\n"
                + (
                    translate("outsourcing.outsourcing_tab", "1 warning:")
                    if len(warnings) == 1
                    else translate("outsourcing.outsourcing_tab", "{n} warnings:").format(
                        n=f"{len(warnings):,}"
                    )
                )
            )
            text += [f"• {w}" for w in warnings[:SHOWN_WARNINGS]]
            if len(warnings) > SHOWN_WARNINGS:
                text.append(
                    translate("outsourcing.outsourcing_tab", "… and {n} more").format(
                        n=f"{len(warnings) - SHOWN_WARNINGS:,}"
                    )
                )
        text.append(
            "\n"
            + translate(
                "outsourcing.outsourcing_tab",
                "Contracts already held are updated with what was published; your own notes, "
                "status and dates are kept.",
            )
        )
        if not self.ctx.dialogs.confirm(
            self,
            translate("outsourcing.outsourcing_tab", "Import contracts"),
            "\n".join(text),
            yes=translate("outsourcing.outsourcing_tab", "Import"),
        ):
            return
        db, today = self.ctx.db, date.today()

        def work(progress: Progress) -> ImportResult:
            return import_records(db, records, today=today, progress=progress)

        self.ctx.worker.run_with_progress(
            work,
            parent=self,
            title=translate("outsourcing.outsourcing_tab", "Import contracts"),
            label=translate("outsourcing.outsourcing_tab", "Importing {n} contracts…").format(
                n=f"{len(records):,}"
            ),
            on_done=self._imported,
            on_error=self._import_failed,
        )

    def _imported(self, result: ImportResult) -> None:
        self.ctx.changed(OUTSOURCING)
        self.refresh()
        self.ctx.dialogs.info(
            self,
            translate("outsourcing.outsourcing_tab", "Contracts imported"),
            translate(
                "outsourcing.outsourcing_tab",
                "{new} new, {updated} updated, {unchanged} unchanged.",
            ).format(
                new=f"{result.created:,}",
                updated=f"{result.updated:,}",
                unchanged=f"{result.unchanged:,}",
            ),
        )


def _holds_text(name: str, count: int, buyers: list[str]) -> str:
    """'x.json holds 3 contracts from A, B, C and 2 more.', each form a whole sentence."""
    n = f"{count:,}"
    if not buyers:
        text = (
            translate("outsourcing.outsourcing_tab", "{name} holds 1 contract.")
            if count == 1
            else translate("outsourcing.outsourcing_tab", "{name} holds {n} contracts.")
        )
        return text.format(name=name, n=n)
    from_ = ", ".join(buyers[:3])
    if len(buyers) > 3:
        text = (
            translate(
                "outsourcing.outsourcing_tab",
                "{name} holds 1 contract from {buyers} and {more} more.",
            )
            if count == 1
            else translate(
                "outsourcing.outsourcing_tab",
                "{name} holds {n} contracts from {buyers} and {more} more.",
            )
        )
    else:
        text = (
            translate("outsourcing.outsourcing_tab", "{name} holds 1 contract from {buyers}.")
            if count == 1
            else translate(
                "outsourcing.outsourcing_tab", "{name} holds {n} contracts from {buyers}."
            )
        )
    return text.format(name=name, n=n, buyers=from_, more=len(buyers) - 3)


def _detail_html(c: ContractDetail, notice_months: int) -> str:
    from branchdesk.outsourcing.service import decision_point

    e = html.escape

    def row(label: str, value: str) -> str:
        if not value:
            return ""
        return (
            f"<tr><td style='color:{style.MUTED}; padding-right:10px'>{e(label)}</td>"
            f"<td>{value}</td></tr>"
        )

    union = union_word({None: "unknown", True: "yes", False: "no"}[c.recognises_union])
    decision = decision_point(c.critical_on, notice_months)
    parts = [f"<h3 style='margin:0 0 4px 0; color:{style.ACCENT}'>{e(c.service or c.title)}</h3>"]
    if c.title and c.title != c.service:
        parts.append(f"<p style='margin:0 0 6px 0'>{e(c.title)}</p>")
    parts.append("<table cellspacing='0' cellpadding='2'>")
    notice = translate("outsourcing.outsourcing_tab", "{date} ({months} months' notice)")
    none_linked = e(translate("outsourcing.outsourcing_tab", "None linked"))
    parts += [
        row(translate("outsourcing.outsourcing_tab", "Authority"), e(c.authority)),
        row(
            translate("outsourcing.outsourcing_tab", "Contractors"),
            "<br>".join(e(n) for n in c.contractors),
        ),
        row(
            translate("outsourcing.outsourcing_tab", "Status"),
            e(words(STATUSES).get(c.status, c.status)),
        ),
        row(translate("outsourcing.outsourcing_tab", "Value"), e(money_text(c.value, c.currency))),
        row(
            translate("outsourcing.outsourcing_tab", "Value a year"),
            e(money_text(c.annual_value, c.currency)),
        ),
        row(translate("outsourcing.outsourcing_tab", "Starts"), e(short_date(c.start_on))),
        row(translate("outsourcing.outsourcing_tab", "Ends"), e(short_date(c.end_on))),
        row(
            translate("outsourcing.outsourcing_tab", "Ends with extensions"),
            e(short_date(c.max_end_on)),
        ),
        row(translate("outsourcing.outsourcing_tab", "Break date"), e(short_date(c.break_on))),
        row(
            translate("outsourcing.outsourcing_tab", "Decision point"),
            e(notice.format(date=short_date(decision), months=notice_months)) if decision else "",
        ),
        row(
            translate("outsourcing.outsourcing_tab", "Staff transferred"),
            "" if c.tupe_staff is None else f"{c.tupe_staff:,}",
        ),
        row(
            translate("outsourcing.outsourcing_tab", "Transfer date"), e(short_date(c.transfer_on))
        ),
        row(translate("outsourcing.outsourcing_tab", "Recognises the union"), e(union)),
        row(
            translate("outsourcing.outsourcing_tab", "Pay and conditions"),
            e(c.pay_notes).replace("\n", "<br>"),
        ),
        row(translate("outsourcing.outsourcing_tab", "Notes"), e(c.notes).replace("\n", "<br>")),
        row(
            translate("outsourcing.outsourcing_tab", "Members affected ({n})").format(
                n=f"{len(c.members):,}"
            ),
            "<br>".join(f"{e(number)} — {e(name)}" for _id, number, name in c.members)
            or f"<span style='color:{style.MUTED}'>{none_linked}</span>",
        ),
    ]
    if c.source_url:
        url = e(c.source_url)
        parts.append(
            row(
                translate("outsourcing.outsourcing_tab", "Published at"),
                f"<a href='{url}'>{url}</a>",
            )
        )
    elif c.ocid:
        parts.append(row(translate("outsourcing.outsourcing_tab", "OCDS id"), e(c.ocid)))
    parts.append("</table>")
    if c.description and c.description != c.title:
        parts.append(f"<p style='margin-top:6px'>{e(c.description[:1500])}</p>")
    if c.import_warnings.strip():
        items = "".join(f"<li>{e(w)}</li>" for w in c.import_warnings.splitlines() if w.strip())
        when = e(translate("outsourcing.outsourcing_tab", "When it was imported:"))
        parts.append(
            f"<div style='color:{style.MUTED}; font-size:small'>"
            f"<p style='margin:8px 0 2px 0'>{when}</p>"
            "<ul style='margin:0'>"
            f"{items}</ul></div>"
        )
    return "".join(parts)
