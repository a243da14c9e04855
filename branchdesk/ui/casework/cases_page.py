"""The Cases page: filters over the case list, and the selected case in full beside it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk.casework.codes import Stage
from branchdesk.casework.deadlines import days_remaining, describe_remaining
from branchdesk.casework.documents import attach_document, document_path
from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, ENTRY_KINDS, OUTCOMES, STAGES, label
from branchdesk.casework.listing import CaseFilter, CaseListing, reps
from branchdesk.casework.models import Document
from branchdesk.casework.queries import CaseDetail, get_case
from branchdesk.casework.rules_store import load_rules
from branchdesk.casework.service import set_deadline_done
from branchdesk.ui import style
from branchdesk.ui.casework.common import (
    CASEWORK,
    CaseDialog,
    save_with_care,
    short_date,
    size_text,
    warning_label,
)
from branchdesk.ui.casework.dialogs import (
    CloseCaseDialog,
    DeadlineDialog,
    EntryDialog,
    MoveStageDialog,
    OpenCaseDialog,
)
from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.table_model import ListingTableModel

log = logging.getLogger(__name__)

# Columns of the case list hidden to leave room for the detail pane (the detail shows them).
HIDDEN_COLUMNS = ("membership_number", "employer", "rep")


class CaseTableModel(ListingTableModel):
    """The case list, with dates in words ("9 Jun 2026")."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            column = self.columns[index.column()]
            if column.kind == "date":
                value = super().data(index, Qt.ItemDataRole.UserRole)
                return short_date(value) if isinstance(value, date) else ""
        return super().data(index, role)


def _item(text: str, data: object = None, colour: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if colour:
        item.setForeground(QColor(colour))
    if len(text) > 30:
        item.setToolTip(text)
    return item


def small_table(name: str, headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    for i in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if i == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(i, mode)
    return table


def _caption(text: str) -> QLabel:
    caption = QLabel(text)
    caption.setStyleSheet(f"font-weight: 600; color: {style.ACCENT};")
    return caption


class CaseDetailPane(QWidget):
    """Everything about one case: header, warnings, deadlines, timeline and documents."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: CaseDetail | None = None
        self.today = date.today()
        self.heading = QLabel("No case selected")
        self.heading.setObjectName("tabHeading")
        self.summary = QLabel("Choose a case in the list to see it here.")
        self.summary.setObjectName("caseSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = warning_label()

        self.deadlines = small_table("caseDeadlines", ["Due", "Time left", "Deadline"], 2)
        self.timeline = small_table("caseTimeline", ["Date", "Kind", "Title", "Text"], 3)
        self.timeline.setWordWrap(True)
        self.timeline.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.timeline.setColumnWidth(2, 180)
        self.documents = small_table("caseDocuments", ["Name", "Added", "Size"], 0)
        self.documents.setToolTip("Double-click a document to open it.")

        def block(caption: str, table: QTableWidget) -> QWidget:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 4, 0, 0)
            column.setSpacing(3)
            column.addWidget(_caption(caption))
            column.addWidget(table, 1)
            return box

        self.sections = QSplitter(Qt.Orientation.Vertical)
        self.sections.setChildrenCollapsible(False)
        self.sections.addWidget(block("Deadlines", self.deadlines))
        self.sections.addWidget(block("Timeline", self.timeline))
        self.sections.addWidget(block("Documents", self.documents))
        self.sections.setStretchFactor(0, 2)
        self.sections.setStretchFactor(1, 5)
        self.sections.setStretchFactor(2, 2)
        row_height = self.fontMetrics().height() + 12
        # The header and three deadlines in sight without scrolling.
        self.deadlines.setMinimumHeight(row_height * 4 + 6)
        self.documents.setMinimumHeight(row_height * 3)

        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        self.more_buttons = QHBoxLayout()
        self.more_buttons.setSpacing(6)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addLayout(self.buttons)
        layout.addLayout(self.more_buttons)
        layout.addWidget(self.sections, 1)

    def show_case(self, case: CaseDetail | None, today: date | None = None) -> None:
        self.case = case
        self.today = today or date.today()
        for table in (self.deadlines, self.timeline, self.documents):
            table.setRowCount(0)
        if case is None:
            self.heading.setText("No case selected")
            self.summary.setText("Choose a case in the list to see it here.")
            self.warnings.hide()
            return
        self.heading.setText(f"{case.reference} · {case.member.name}")
        stage = label(STAGES, case.status)
        if case.status == Stage.CLOSED:
            stage = f"Closed {short_date(case.closed_on)}: {label(OUTCOMES, case.outcome)}"
        else:
            stage = f"{stage} (since {short_date(case.status_changed_on)})"
        kind = label(CASE_TYPES, case.case_type)
        if case.sub_type:
            kind = f"{kind} — {case.sub_type}"
        reps_text = case.rep or "none"
        if case.second_rep:
            reps_text += f" and {case.second_rep}"
        rows = [
            (
                "Member",
                f"{case.member.name} ({case.member.membership_number})"
                + (f", {case.employer}" if case.employer else ""),
            ),
            ("Type", kind),
            ("Stage", stage),
            ("Rep", reps_text),
            ("Opened", short_date(case.opened_on)),
        ]
        if case.title:
            rows.insert(0, ("Title", case.title))
        if case.companion:
            who = label(COMPANIONS, case.companion)
            rows.append(
                ("Companion", f"{who}: {case.companion_name}" if case.companion_name else who)
            )
        if case.remedy and case.status == Stage.CLOSED:
            rows.append(("Remedy", case.remedy))
        self.summary.setText(
            "<table cellspacing='0' cellpadding='1'>"
            + "".join(
                f"<tr><td style='color:{style.MUTED}; padding-right:10px'>{_esc(k)}</td>"
                f"<td>{_esc(v)}</td></tr>"
                for k, v in rows
            )
            + "</table>"
        )
        note = case.eligibility_note.strip()
        self.warnings.setText("Eligibility: " + note.replace("\n", " ") if note else "")
        self.warnings.setVisible(bool(note))

        for line in case.deadlines:
            row = self.deadlines.rowCount()
            self.deadlines.insertRow(row)
            if line.done_on is not None:
                left, colour = f"met {short_date(line.done_on)}", style.MUTED
            else:
                left = describe_remaining(line.due_on, self.today)
                colour = style.ERROR if days_remaining(line.due_on, self.today) < 0 else None
            cells = [short_date(line.due_on), left, line.title]
            for col, text in enumerate(cells):
                item = _item(text, line.id, colour)
                if col == 2 and line.working:
                    item.setToolTip(line.working)
                self.deadlines.setItem(row, col, item)
        for entry in reversed(case.timeline):  # newest first
            row = self.timeline.rowCount()
            self.timeline.insertRow(row)
            title = entry.title
            if entry.confidential:
                title = f"🔒 Confidential: {title}" if title else "🔒 Confidential"
            cells = [
                short_date(entry.happened_on),
                label(ENTRY_KINDS, entry.kind),
                title,
                entry.body,
            ]
            for col, text in enumerate(cells):
                self.timeline.setItem(row, col, _item(text, entry.id))
        self.timeline.resizeRowsToContents()
        for doc in case.documents:
            row = self.documents.rowCount()
            self.documents.insertRow(row)
            cells = [doc.name, short_date(doc.added_on), size_text(doc.size)]
            for col, text in enumerate(cells):
                self.documents.setItem(row, col, _item(text, doc.id))

    def selected_deadline(self) -> int | None:
        rows = self.deadlines.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.deadlines.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return int(value)

    def texts(self, table: QTableWidget) -> list[list[str]]:
        """What a table shows, row by row (for tests and checks)."""
        return [
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]


def _esc(text: str) -> str:
    import html

    return html.escape(text)


class CasesPage(TabBase):
    title = "Cases"
    registers = frozenset({CASEWORK, MEMBERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._keep_selected: int | None = None
        self._reveal: int | None = None
        self._widened = False
        self.model = CaseTableModel(
            CaseListing(ctx.db, self._filter_from_defaults()), self, runner=self._run_quietly
        )
        self._build()
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.ids_loaded.connect(self._on_ids_loaded)
        self.model.modelReset.connect(self._update_count)
        self._update_count()
        self._update_buttons()

    @staticmethod
    def _filter_from_defaults() -> CaseFilter:
        return CaseFilter(status="open")

    def _run_quietly(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.ctx.worker.run(fn, on_done=on_done, on_error=on_error, quiet=True)

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem("Open cases", "open")
        self.status.addItem("Closed cases", "closed")
        self.status.addItem("All cases", "")
        self.status.insertSeparator(3)
        for code, text in STAGES.items():
            if code != Stage.CLOSED:
                self.status.addItem(f"Stage: {text}", str(code))
        self.case_type = QComboBox()
        self.case_type.setObjectName("typeFilter")
        self.case_type.addItem("All types", "")
        for code, text in CASE_TYPES.items():
            self.case_type.addItem(text, str(code))
        self.rep = QComboBox()
        self.rep.setObjectName("repFilter")
        self.rep.setMinimumContentsLength(12)
        self.rep.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._fill_reps()
        self.my_cases = QCheckBox("My cases")
        self.my_cases.setObjectName("myCases")
        self.my_cases.setToolTip("Only cases where you are the rep or second rep")
        self.filter_bar = FilterBar(placeholder="Search reference, member or title")
        self.filter_bar.edit.setMinimumWidth(220)
        self.filter_bar.search_changed.connect(self.model.set_search)
        for combo in (self.status, self.case_type, self.rep):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.my_cases.toggled.connect(lambda _c: self.apply_filters())

        self.open_button = QPushButton("Open case…")
        self.open_button.setObjectName("primaryButton")
        self.open_button.setToolTip("Open a new case for a member")
        self.open_button.clicked.connect(self.open_case)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")

        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.filter_bar, 3)
        filters.addWidget(self.status, 0)
        filters.addWidget(self.case_type, 0)
        filters.addWidget(self.rep, 0)
        filters.addWidget(self.my_cases, 0)
        filters.addStretch(0)
        filters.addWidget(self.count_label)
        filters.addSpacing(8)
        filters.addWidget(self.open_button)

        self.table = QTableView()
        self.table.setObjectName("casesTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        horizontal = self.table.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setStretchLastSection(True)
        char = self.fontMetrics().horizontalAdvance("0")
        for i, column in enumerate(self.model.columns):
            self.table.setColumnHidden(i, column.key in HIDDEN_COLUMNS)
            width = {
                "reference": 11,
                "member": 14,
                "case_type": 12,
                "status": 12,
                "opened_on": 10,
            }.get(column.key, column.width or 12)
            horizontal.resizeSection(i, width * char + 16)
        horizontal.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.detail = CaseDetailPane()
        self.entry_button = self._button(
            "Add entry…", self.add_entry, "Add a note, meeting, hearing or letter to the timeline"
        )
        self.move_button = self._button(
            "Move stage…", self.move_stage, "Move the case to another stage"
        )
        self.close_button = self._button(
            "Close case…", self.close_case, "Close the case with its outcome"
        )
        self.reopen_button = self._button("Reopen…", self.reopen_case, "Reopen a closed case")
        self.deadline_button = self._button(
            "Add deadline…",
            self.add_deadline,
            "Add a deadline by hand, or work out a tribunal or appeal deadline",
        )
        self.met_button = self._button(
            "Mark deadline met", self.mark_met, "Mark the deadline selected below as met today"
        )
        self.attach_button = self._button(
            "Attach document…", self.attach, "Copy a letter or other file into the case"
        )
        for button in (self.entry_button, self.move_button, self.close_button, self.reopen_button):
            self.detail.buttons.addWidget(button)
        self.detail.buttons.addStretch(1)
        for button in (self.deadline_button, self.met_button, self.attach_button):
            self.detail.more_buttons.addWidget(button)
        self.detail.more_buttons.addStretch(1)
        self.detail.deadlines.itemSelectionChanged.connect(self._update_buttons)
        self.detail.documents.cellDoubleClicked.connect(lambda row, _c: self.open_document(row))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([700, 540])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

    def _button(self, text: str, slot: Callable[[], None], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def _fill_reps(self) -> None:
        current = self.rep.currentData() if self.rep.count() else ""
        self.rep.blockSignals(True)
        self.rep.clear()
        self.rep.addItem("All reps", "")
        for name in reps(self.ctx.db):
            self.rep.addItem(name, name)
        index = self.rep.findData(current)
        self.rep.setCurrentIndex(max(index, 0))
        self.rep.blockSignals(False)

    # -- filters -------------------------------------------------------------------------------

    def case_filter(self) -> CaseFilter:
        mine = self.my_cases.isChecked()
        self.rep.setEnabled(not mine)
        rep = self.ctx.preferences.officer_name if mine else (self.rep.currentData() or "")
        return CaseFilter(
            status=self.status.currentData() or "",
            case_type=self.case_type.currentData() or "",
            rep=rep,
        )

    def apply_filters(self) -> None:
        """Show the cases the filters ask for: a new listing, same search and sort."""
        self._keep_selected = self.selected_id()
        self.model.set_listing(CaseListing(self.ctx.db, self.case_filter()))

    def show_everything(self) -> None:
        self._keep_selected = None
        for combo in (self.status, self.case_type, self.rep):
            combo.blockSignals(True)
        self.status.setCurrentIndex(self.status.findData(""))
        self.case_type.setCurrentIndex(0)
        self.rep.setCurrentIndex(0)
        self.my_cases.blockSignals(True)
        self.my_cases.setChecked(False)
        self.my_cases.blockSignals(False)
        for combo in (self.status, self.case_type, self.rep):
            combo.blockSignals(False)
        self.filter_bar.edit.blockSignals(True)
        self.filter_bar.clear()
        self.filter_bar.edit.blockSignals(False)
        self.model.set_search("")
        self.apply_filters()

    # -- selection -----------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def select_id(self, case_id: int) -> bool:
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def show_case(self, case_id: int) -> None:
        """Select a case (from the Deadlines page, say), widening the filters if they hide it."""
        self.reveal(case_id)
        self.load_detail(case_id)

    def reveal(self, case_id: int) -> None:
        """Select the case in the list, now or when the ids being read arrive."""
        if not self.select_id(case_id):
            self._reveal = case_id
            self._widened = False
            self.model.refresh()

    def _remember_selection(self) -> None:
        if self._keep_selected is None:
            self._keep_selected = self.selected_id()

    def _on_ids_loaded(self) -> None:
        keep, self._keep_selected = self._keep_selected, None
        reveal, self._reveal = self._reveal, None
        if reveal is not None and self.model.row_of(reveal) is None and not self._widened:
            # The filters or the search hide the case asked for: show every case instead.
            self._widened = True
            self._reveal = reveal
            self.show_everything()
            return
        target = reveal if reveal is not None else keep
        if target is not None:
            self.table.selectionModel().blockSignals(True)
            self.select_id(target)
            self.table.selectionModel().blockSignals(False)
            self.table.viewport().update()
        self._update_count()

    def _selection_changed(self) -> None:
        case_id = self.selected_id()
        if case_id is not None:
            self.load_detail(case_id)
        self._update_buttons()

    def load_detail(self, case_id: int | None) -> None:
        if case_id is None:
            self.detail.show_case(None)
        else:
            try:
                self.detail.show_case(get_case(self.ctx.db, case_id))
            except KeyError:
                self.detail.show_case(None)
                self.ctx.dialogs.info(
                    self, "Case not found", "This case is no longer in the register."
                )
        self._update_buttons()

    def reload_detail(self) -> None:
        self.load_detail(self.detail.case.id if self.detail.case else None)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(
            "Loading…" if not self.model.loaded else f"{n:,} case{'s' if n != 1 else ''}"
        )

    def _update_buttons(self) -> None:
        case = self.detail.case
        has = case is not None
        closed = has and case.status == Stage.CLOSED  # type: ignore[union-attr]
        self.entry_button.setEnabled(has)
        self.move_button.setEnabled(has and not closed)
        self.close_button.setEnabled(has and not closed)
        self.reopen_button.setEnabled(bool(closed))
        self.deadline_button.setEnabled(has)
        self.attach_button.setEnabled(has)
        self.met_button.setEnabled(has and self._selected_open_deadline() is not None)

    def _selected_open_deadline(self) -> Any:
        case = self.detail.case
        deadline_id = self.detail.selected_deadline()
        if case is None or deadline_id is None:
            return None
        return next((d for d in case.deadlines if d.id == deadline_id and d.done_on is None), None)

    # -- TabBase -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._fill_reps()
        self.model.refresh()
        self.reload_detail()

    def database_changed(self) -> None:
        self.table.clearSelection()
        self._keep_selected = self._reveal = None
        self._fill_reps()
        self.model.set_listing(CaseListing(self.ctx.db, self.case_filter()))
        self.detail.show_case(None)
        self._update_buttons()

    # -- changes -------------------------------------------------------------------------------

    def _run(self, dialog: CaseDialog) -> bool:
        try:
            accepted = self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()
        if accepted or dialog.stale:
            self.ctx.changed(CASEWORK)
            if not self.isVisible():
                self.refresh()
        return accepted

    def open_case(self) -> None:
        dialog = OpenCaseDialog(self.ctx, self)
        if not self._run(dialog) or dialog.reference is None:
            return
        from branchdesk.casework.service import case_id_by_reference

        case_id = case_id_by_reference(self.ctx.db, dialog.reference)
        if case_id is None:
            return
        self.reveal(case_id)
        self.load_detail(case_id)
        case = self.detail.case
        if case is not None and case.eligibility_note:
            self.ctx.dialogs.info(
                self,
                f"Case {case.reference} opened — please check",
                "The case is open, but check whether the branch can help:\n\n"
                + case.eligibility_note,
            )

    def add_entry(self) -> None:
        if self.detail.case is not None:
            self._run(EntryDialog(self.ctx, self.detail.case, self))

    def move_stage(self) -> None:
        if self.detail.case is not None:
            self._run(MoveStageDialog(self.ctx, self.detail.case, parent=self))

    def reopen_case(self) -> None:
        if self.detail.case is not None:
            self._run(MoveStageDialog(self.ctx, self.detail.case, reopen=True, parent=self))

    def close_case(self) -> None:
        if self.detail.case is not None:
            self._run(CloseCaseDialog(self.ctx, self.detail.case, self))

    def add_deadline(self) -> None:
        if self.detail.case is None:
            return
        try:
            rules, _version = load_rules(self.ctx.db)
        except ValueError as exc:
            self.ctx.dialogs.error(
                self, "Deadline rules cannot be read", f"{exc}. Check them in Preferences."
            )
            return
        self._run(DeadlineDialog(self.ctx, self.detail.case, rules, self))

    def mark_met(self) -> None:
        line = self._selected_open_deadline()
        if line is None:
            return

        def write() -> None:
            set_deadline_done(self.ctx.db, line.id, date.today(), line.version)

        save_with_care(self.ctx, self, write)  # a stale one is explained; reload either way
        self.ctx.changed(CASEWORK)
        if not self.isVisible():
            self.refresh()

    def attach(self, path: Any = None) -> None:
        case = self.detail.case
        if case is None:
            return
        if path is None:
            path = self.ctx.dialogs.open_file(
                self, f"Attach a document to {case.reference}", "All files (*)"
            )
        if path is None:
            return
        db, case_id = self.ctx.db, case.id
        self.attach_button.setEnabled(False)

        def done(_result: object) -> None:
            self.ctx.changed(CASEWORK)
            if not self.isVisible():
                self.refresh()
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            self._update_buttons()

            def reraise() -> None:
                raise exc

            save_with_care(self.ctx, self, reraise)
            self.reload_detail()

        # Copying a large file takes a while: off the GUI thread.
        self.ctx.worker.run(
            lambda: attach_document(db, case_id, path), on_done=done, on_error=failed
        )

    def open_document(self, row: int) -> None:
        case = self.detail.case
        if case is None or not 0 <= row < len(case.documents):
            return
        document: Document = case.documents[row]
        check = document_path(self.ctx.db, document)
        if not check.ok:
            self.ctx.dialogs.error(
                self,
                "The document cannot be opened",
                f"{check.problem} Attach it again from the original if you still have it.",
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(check.path))):
            self.ctx.dialogs.error(
                self,
                "The document cannot be opened",
                f"No program on this PC opened {document.name}. It is kept at {check.path}.",
            )
