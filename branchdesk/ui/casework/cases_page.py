"""The Cases page: filters over the case list, and the selected case in full beside it.

A sickness absence, capability or disciplinary case shows its heading and deadlines at once,
but its timeline and documents only when asked (casework.sensitive): each opening is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from branchdesk.casework.codes import Stage
from branchdesk.casework.deadlines import days_remaining, describe_remaining
from branchdesk.casework.documents import attach_document, viewable_copy
from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, OUTCOMES, STAGES, label
from branchdesk.casework.listing import CaseFilter, CaseListing, case_employers, reps
from branchdesk.casework.models import Case, Document
from branchdesk.casework.queries import CaseDetail, get_case, search_timeline
from branchdesk.casework.rules_store import load_rules
from branchdesk.casework.sensitive import is_sensitive, open_sensitive, sealed, with_detail
from branchdesk.casework.service import set_deadline_done
from branchdesk.exports.text import short_date
from branchdesk.store.errors import StoreError
from branchdesk.ui import style
from branchdesk.ui.casework.case_timeline import MATCH_ROW, MATCH_WORD, TimelineTable
from branchdesk.ui.casework.common import (
    CASEWORK,
    CaseDialog,
    save_with_care,
    size_text,
    warning_label,
)
from branchdesk.ui.casework.dialogs import (
    CloseCaseDialog,
    ConsentDialog,
    DeadlineDialog,
    EditCaseDialog,
    EntryDialog,
    MoveStageDialog,
    OpenCaseDialog,
)
from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.list_view import list_view
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.table_model import READ_ERRORS, ListingTableModel, read_error_text
from branchdesk.ui.worker import report_unhandled

log = logging.getLogger(__name__)

# How many timeline entries a notes search reads back (newest first).
NOTES_SEARCH_LIMIT = 2000
AGREED = "#1a7f37"  # a consent given
SEARCH_PLACEHOLDER = QT_TRANSLATE_NOOP("casework.cases_page", "Search reference, member or title")
# The empty state's link that widens the filters to every case.
SHOW_ALL = "#show-all"

# Columns of the case list hidden to leave room for the detail pane (the detail shows them).
HIDDEN_COLUMNS = ("membership_number", "employer", "rep")
# The case list's headings, by column key (the listing's own are English).
HEADINGS = {
    "reference": QT_TRANSLATE_NOOP("casework.cases_page", "Reference"),
    "member": QT_TRANSLATE_NOOP("casework.cases_page", "Member"),
    "membership_number": QT_TRANSLATE_NOOP("casework.cases_page", "Number"),
    "case_type": QT_TRANSLATE_NOOP("casework.cases_page", "Type"),
    "employer": QT_TRANSLATE_NOOP("casework.cases_page", "Employer"),
    "rep": QT_TRANSLATE_NOOP("casework.cases_page", "Rep"),
    "status": QT_TRANSLATE_NOOP("casework.cases_page", "Stage"),
    "opened_on": QT_TRANSLATE_NOOP("casework.cases_page", "Opened"),
    "next_due": QT_TRANSLATE_NOOP("casework.cases_page", "Next due"),
}


class CaseTableModel(ListingTableModel):
    """The case list, with dates in words ("9 Jun 2026")."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return super().data(index, role)
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole and column.kind == "date":
            value = super().data(index, Qt.ItemDataRole.UserRole)
            return short_date(value) if isinstance(value, date) else ""
        if column.key == "next_due" and role in (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            # The next deadline in red once it has passed, and how long is left on hover.
            due = super().data(index, Qt.ItemDataRole.UserRole)
            if not isinstance(due, date):
                return None
            today = date.today()
            if role == Qt.ItemDataRole.ToolTipRole:
                return describe_remaining(due, today).capitalize()
            return QColor(style.ERROR) if days_remaining(due, today) < 0 else None
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


SHOW_SENSITIVE = QT_TRANSLATE_NOOP("casework.cases_page", "Show health / disciplinary details")


class SealedNotice(QWidget):
    """In place of a sensitive case's timeline or documents: why they are hidden, and a button
    to show them."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.text = QLabel()
        self.text.setObjectName("sealedText")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton(translate("casework.cases_page", SHOW_SENSITIVE))
        self.button.setObjectName("showSensitive")
        self.button.setToolTip(
            translate(
                "casework.cases_page",
                "Show them here; the audit log records that you opened them, and when",
            )
        )
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 18, 24, 18)
        column.setSpacing(10)
        column.addStretch(1)
        column.addWidget(self.text)
        column.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)

    def describe(self, case_type: str) -> None:
        kind = label(CASE_TYPES, case_type).lower()
        if self.what == "timeline":
            text = translate(
                "casework.cases_page",
                "This is a {kind} case: its timeline may hold health or disciplinary details, "
                "so they stay hidden until you ask to see them. Each time they are shown, the "
                "audit log records it under your name.",
            )
        else:
            text = translate(
                "casework.cases_page",
                "This is a {kind} case: its documents may hold health or disciplinary details, "
                "so they stay hidden until you ask to see them. Each time they are shown, the "
                "audit log records it under your name.",
            )
        self.text.setText(text.format(kind=kind))


class CaseDetailPane(QWidget):
    """Everything about one case: a header, its buttons, then the timeline, deadlines, consents
    and documents as pages of their own, so each (the timeline above all) has the room."""

    # "Show health / disciplinary details" was pressed on a sealed case.
    reveal_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: CaseDetail | None = None
        # The case shown is a sensitive one whose timeline and documents are not shown yet.
        self.sealed = False
        self.today = date.today()
        self.heading = QLabel(translate("casework.cases_page", "No case selected"))
        self.heading.setObjectName("tabHeading")
        self.summary = QLabel(
            translate("casework.cases_page", "Choose a case in the list to see it here.")
        )
        self.summary.setObjectName("caseSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = warning_label()

        self.timeline = TimelineTable()
        self.matches_label = QLabel()
        self.matches_label.setObjectName("timelineMatches")
        self.matches_label.setWordWrap(True)
        self.matches_label.setStyleSheet(
            f"background: {MATCH_ROW}; border: 1px solid {MATCH_WORD}; border-radius: 3px; "
            "padding: 4px 8px;"
        )
        self.matches_label.hide()
        self.deadlines = small_table(
            "caseDeadlines",
            [
                translate("casework.cases_page", "Due"),
                translate("casework.cases_page", "Time left"),
                translate("casework.cases_page", "Deadline"),
            ],
            2,
        )
        self.deadlines.setAccessibleName(translate("casework.cases_page", "Deadlines of the case"))
        self.consents = small_table(
            "caseConsents",
            [
                translate("casework.cases_page", "Step"),
                translate("casework.cases_page", "Agreed"),
                translate("casework.cases_page", "On"),
                translate("casework.cases_page", "Note"),
            ],
            0,
        )
        self.consents.setAccessibleName(translate("casework.cases_page", "Consents of the case"))
        self.consents.setWordWrap(True)
        self.consents.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.consents.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.documents = small_table(
            "caseDocuments",
            [
                translate("casework.cases_page", "Name"),
                translate("casework.cases_page", "Added"),
                translate("casework.cases_page", "Size"),
                translate("casework.cases_page", "SHA-256"),
            ],
            0,
        )
        self.documents.setAccessibleName(translate("casework.cases_page", "Documents of the case"))
        self.documents.setToolTip(
            translate("casework.cases_page", "Double-click a document to open it.")
        )

        def page(*widgets: QWidget) -> QWidget:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 6, 0, 0)
            column.setSpacing(4)
            for widget in widgets:
                column.addWidget(widget, 1 if isinstance(widget, QTableWidget) else 0)
            return box

        def sealable(shown: QWidget, notice: SealedNotice) -> QStackedWidget:
            stack = QStackedWidget()
            stack.addWidget(shown)
            stack.addWidget(notice)
            notice.button.clicked.connect(lambda _c=False: self.reveal_requested.emit())
            return stack

        self.sealed_timeline = SealedNotice("timeline")
        self.sealed_documents = SealedNotice("documents")
        self.timeline_stack = sealable(
            page(self.matches_label, self.timeline), self.sealed_timeline
        )
        self.documents_stack = sealable(page(self.documents), self.sealed_documents)

        self.blocks = QTabWidget()
        self.blocks.setObjectName("caseBlocks")
        self.blocks.setDocumentMode(True)
        self.blocks.addTab(self.timeline_stack, translate("casework.cases_page", "Timeline"))
        # Buttons that act on the deadline selected in the list go beside it.
        self.deadline_buttons = QHBoxLayout()
        self.deadline_buttons.setSpacing(6)
        deadlines_page = page(self.deadlines)
        deadlines_column = deadlines_page.layout()
        assert isinstance(deadlines_column, QVBoxLayout)
        deadlines_column.addLayout(self.deadline_buttons)
        self.blocks.addTab(deadlines_page, translate("casework.cases_page", "Deadlines"))
        self.blocks.addTab(page(self.consents), translate("casework.cases_page", "Consents"))
        self.blocks.addTab(self.documents_stack, translate("casework.cases_page", "Documents"))
        self._block_tables = (self.timeline, self.deadlines, self.consents, self.documents)

        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        self.more_buttons = QHBoxLayout()
        self.more_buttons.setSpacing(6)

        # The header scrolls within its part of a splitter: on a short screen the timeline
        # can be given more room by dragging the handle up.
        header = QWidget()
        header_column = QVBoxLayout(header)
        header_column.setContentsMargins(0, 0, 0, 4)
        header_column.setSpacing(6)
        header_column.addWidget(self.summary)
        header_column.addWidget(self.warnings)
        header_column.addStretch(1)
        self.header_area = QScrollArea()
        self.header_area.setObjectName("caseHeader")
        self.header_area.setWidget(header)
        self.header_area.setWidgetResizable(True)
        self.header_area.setFrameShape(QFrame.Shape.NoFrame)
        self.header_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header_area.viewport().setAutoFillBackground(False)
        header.setAutoFillBackground(False)
        self.header_area.setMinimumHeight(self.fontMetrics().height() * 2 + 8)
        lower = QWidget()
        lower_column = QVBoxLayout(lower)
        lower_column.setContentsMargins(0, 4, 0, 0)
        lower_column.setSpacing(6)
        lower_column.addLayout(self.buttons)
        lower_column.addLayout(self.more_buttons)
        lower_column.addWidget(self.blocks, 1)
        self.sections = QSplitter(Qt.Orientation.Vertical)
        self.sections.setObjectName("caseSections")
        self.sections.setChildrenCollapsible(False)
        self.sections.addWidget(self.header_area)
        self.sections.addWidget(lower)
        self.sections.setStretchFactor(0, 0)
        self.sections.setStretchFactor(1, 1)
        # The header shows whole until the user drags the handle; then it stays where put.
        self._header_dragged = False
        self.sections.splitterMoved.connect(self._header_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.sections, 1)
        self._set_block_titles()

    def _header_moved(self, _pos: int, _index: int) -> None:
        self._header_dragged = True

    def fit_header(self) -> None:
        """Give the header the height of its text (at most half the pane), unless the user
        has set it by dragging the handle."""
        total = sum(self.sections.sizes())
        if self._header_dragged or total <= 0:
            return
        header = self.header_area.widget()
        width = self.header_area.viewport().width()
        wanted = header.heightForWidth(width) if header.hasHeightForWidth() else -1
        if wanted < 0:
            wanted = header.sizeHint().height()
        wanted = max(self.header_area.minimumHeight(), min(wanted + 2, total // 2))
        self.sections.setSizes([wanted, total - wanted])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_header()

    def show_block(self, table: QTableWidget) -> None:
        """Bring the page holding `table` (the timeline, deadlines…) forward."""
        self.blocks.setCurrentIndex(self._block_tables.index(table))

    def show_case(
        self,
        case: CaseDetail | None,
        today: date | None = None,
        matches: Collection[int] = (),
        words: Sequence[str] = (),
        *,
        sealed: bool = False,
    ) -> None:
        """Show a case; `matches` are the ids of timeline entries a notes search found (for
        `words`): they are highlighted and the timeline comes forward at the first. A `sealed`
        case (see casework.sensitive) has its timeline and documents hidden behind a button."""
        same_case = case is not None and self.case is not None and self.case.id == case.id
        self.case = case
        self.sealed = sealed and case is not None
        self.timeline_stack.setCurrentIndex(1 if self.sealed else 0)
        self.documents_stack.setCurrentIndex(1 if self.sealed else 0)
        if case is not None and self.sealed:
            self.sealed_timeline.describe(case.case_type)
            self.sealed_documents.describe(case.case_type)
        self.today = today or date.today()
        scroll = self.timeline.verticalScrollBar().value() if same_case else 0
        for table in (self.deadlines, self.consents, self.documents):
            table.setRowCount(0)
        self.matches_label.hide()
        if case is None:
            self.timeline.setRowCount(0)
            self.heading.setText(translate("casework.cases_page", "No case selected"))
            self.summary.setText(
                translate("casework.cases_page", "Choose a case in the list to see it here.")
            )
            self.warnings.hide()
            self._set_block_titles()
            return
        self.heading.setText(f"{case.reference} · {case.member.name}")
        self.summary.setText(self._summary_html(case))
        note = case.eligibility_note.strip()
        self.warnings.setText(
            translate("casework.cases_page", "Eligibility: {note}").format(
                note=note.replace("\n", " ")
            )
            if note
            else ""
        )
        self.warnings.setVisible(bool(note))
        self.fit_header()

        for line in case.deadlines:
            row = self.deadlines.rowCount()
            self.deadlines.insertRow(row)
            if line.done_on is not None:
                left = translate("casework.cases_page", "met {date}").format(
                    date=short_date(line.done_on)
                )
                colour = style.MUTED
            else:
                left = describe_remaining(line.due_on, self.today)
                colour = style.ERROR if days_remaining(line.due_on, self.today) < 0 else None
            cells = [short_date(line.due_on), left, line.title]
            for col, text in enumerate(cells):
                item = _item(text, line.id, colour)
                if col == 2 and line.working:
                    item.setToolTip(line.working)
                self.deadlines.setItem(row, col, item)

        shown = [m for m in matches if any(e.id == m for e in case.timeline)]
        self.timeline.show_entries(case.timeline, shown, words)
        if shown:
            n = len(shown)
            searched = " ".join(words)
            if n == 1:
                found = translate(
                    "casework.cases_page", "1 timeline entry matches “{words}”: highlighted below."
                )
            else:
                found = translate(
                    "casework.cases_page",
                    "{n} timeline entries match “{words}”: highlighted below.",
                )
            self.matches_label.setText(found.format(n=n, words=searched))
            self.matches_label.show()
            self.show_block(self.timeline)
            first = self.timeline.matching_rows()[0]
            self.timeline.scrollTo(
                self.timeline.model().index(first, 0),
                QAbstractItemView.ScrollHint.PositionAtTop,
            )
        elif same_case:
            self.timeline.verticalScrollBar().setValue(scroll)

        for consent in reversed(case.consents):  # newest first
            row = self.consents.rowCount()
            self.consents.insertRow(row)
            answer_colour = AGREED if consent.consented else style.ERROR
            cells = [
                (consent.step, None),
                (
                    translate("casework.cases_page", "Yes")
                    if consent.consented
                    else translate("casework.cases_page", "No"),
                    answer_colour,
                ),
                (short_date(consent.recorded_on), None),
                (consent.note, None),
            ]
            for col, (text, colour) in enumerate(cells):
                self.consents.setItem(row, col, _item(text, consent.id, colour))
        self.consents.resizeRowsToContents()

        for doc in case.documents:
            row = self.documents.rowCount()
            self.documents.insertRow(row)
            # The start of the checksum, to compare with a copy; all of it on hover.
            cells = [doc.name, short_date(doc.added_on), size_text(doc.size), doc.sha256[:12]]
            for col, text in enumerate(cells):
                item = _item(text, doc.id)
                if col == 3:
                    item.setToolTip(
                        translate("casework.cases_page", "SHA-256 {checksum}").format(
                            checksum=doc.sha256
                        )
                    )
                self.documents.setItem(row, col, item)
        self._set_block_titles()

    def _summary_html(self, case: CaseDetail) -> str:
        if case.status == Stage.CLOSED:
            stage = translate("casework.cases_page", "Closed {date}: {outcome}").format(
                date=short_date(case.closed_on), outcome=label(OUTCOMES, case.outcome)
            )
        else:
            stage = translate("casework.cases_page", "{stage} (since {date})").format(
                stage=label(STAGES, case.status), date=short_date(case.status_changed_on)
            )
        opened = translate("casework.cases_page", " · opened {date}").format(
            date=short_date(case.opened_on)
        )
        stage = _esc(stage) + _muted(opened)
        kind = label(CASE_TYPES, case.case_type)
        if case.sub_type:
            kind = f"{kind} — {case.sub_type}"
        reps_text = case.rep or translate("casework.cases_page", "none")
        if case.second_rep:
            reps_text = translate("casework.cases_page", "{rep} and {second_rep}").format(
                rep=reps_text, second_rep=case.second_rep
            )
        member = _esc(f"{case.member.name} ({case.member.membership_number})")
        if case.employer:
            member += _esc(f", {case.employer}")
        rows: list[tuple[str, str]] = []
        if case.title:
            rows.append((translate("casework.cases_page", "Title"), _esc(case.title)))
        rows.append((translate("casework.cases_page", "Member"), member))
        if case.other_members:
            rows.append(
                (
                    translate("casework.cases_page", "Other members"),
                    _esc(
                        ", ".join(f"{m.name} ({m.membership_number})" for m in case.other_members)
                    ),
                )
            )
        rows += [
            (translate("casework.cases_page", "Type"), _esc(kind)),
            (translate("casework.cases_page", "Stage"), stage),
            (translate("casework.cases_page", "Rep"), _esc(reps_text)),
        ]
        if case.companion:
            who = label(COMPANIONS, case.companion)
            rows.append(
                (
                    translate("casework.cases_page", "Companion"),
                    _esc(f"{who}: {case.companion_name}" if case.companion_name else who),
                )
            )
        due = [d for d in case.deadlines if d.done_on is None]
        if due and case.status != Stage.CLOSED:
            nearest = min(due, key=lambda d: d.due_on)
            late = days_remaining(nearest.due_on, self.today) < 0
            text = _esc(
                f"{nearest.title}, {short_date(nearest.due_on)} "
                f"({describe_remaining(nearest.due_on, self.today)})"
            )
            rows.append(
                (
                    translate("casework.cases_page", "Next deadline"),
                    f"<span style='color:{style.ERROR}'>{text}</span>" if late else text,
                )
            )
        if case.remedy and case.status == Stage.CLOSED:
            rows.append((translate("casework.cases_page", "Remedy"), _esc(case.remedy)))
        return (
            "<table cellspacing='0' cellpadding='1'>"
            + "".join(
                f"<tr><td style='color:{style.MUTED}; padding-right:10px'>{_esc(k)}</td>"
                f"<td>{v}</td></tr>"
                for k, v in rows
            )
            + "</table>"
        )

    def _set_block_titles(self) -> None:
        case = self.case
        bar = self.blocks.tabBar()
        counts = (
            (len(case.timeline), len(case.deadlines), len(case.consents), len(case.documents))
            if case is not None
            else (0, 0, 0, 0)
        )
        names = (
            translate("casework.cases_page", "Timeline"),
            translate("casework.cases_page", "Deadlines"),
            translate("casework.cases_page", "Consents"),
            translate("casework.cases_page", "Documents"),
        )
        counted = (
            translate("casework.cases_page", "Timeline ({n})"),
            translate("casework.cases_page", "Deadlines ({n})"),
            translate("casework.cases_page", "Consents ({n})"),
            translate("casework.cases_page", "Documents ({n})"),
        )
        for i, (name, n) in enumerate(zip(names, counts, strict=True)):
            # Hidden: no count (it is not known yet), and the tab says why on hover.
            sealable = i in (0, 3)  # the timeline and the documents
            hidden = self.sealed and sealable
            shown_count = case is not None and not hidden
            self.blocks.setTabText(i, counted[i].format(n=n) if shown_count else name)
            if sealable:
                bar.setTabToolTip(
                    i,
                    translate(
                        "casework.cases_page",
                        "Hidden until asked for: health or disciplinary details",
                    )
                    if hidden
                    else "",
                )
        overdue = (
            sum(
                1
                for d in case.deadlines
                if d.done_on is None and days_remaining(d.due_on, self.today) < 0
            )
            if case is not None
            else 0
        )
        # The style sheet colours tab text, so an overdue deadline shows as a warning sign.
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.blocks.setTabIcon(1, warning if overdue else QIcon())
        bar.setTabToolTip(
            1,
            translate("casework.cases_page", "{n} overdue").format(n=overdue) if overdue else "",
        )

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


def _muted(text: str) -> str:
    return f"<span style='color:{style.MUTED}'>{_esc(text)}</span>"


def _esc(text: str) -> str:
    import html

    return html.escape(text)


class CasesPage(TabBase):
    title = QT_TRANSLATE_NOOP("casework.cases_page", "Cases")
    registers = frozenset({CASEWORK, MEMBERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._keep_selected: int | None = None
        self._reveal: int | None = None
        self._widened = False
        # While notes are searched: case id -> ids of its timeline entries that matched.
        self._note_hits: dict[int, set[int]] | None = None
        self._note_words: list[str] = []
        self._notes_generation = 0  # of the latest notes search; older answers are dropped
        self._notes_searching = False
        # The sensitive case whose timeline and documents were asked for (seen until another
        # case is chosen; asking again then is recorded again).
        self._revealed: int | None = None
        self.model = CaseTableModel(
            CaseListing(ctx.db, self._filter_from_defaults()), self, runner=self._run_quietly
        )
        self.model.set_headers(
            {key: translate("casework.cases_page", text) for key, text in HEADINGS.items()}
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
        self.status.setAccessibleName(translate("casework.cases_page", "Show cases"))
        self.status.addItem(translate("casework.cases_page", "Open cases"), "open")
        self.status.addItem(translate("casework.cases_page", "Closed cases"), "closed")
        self.status.addItem(translate("casework.cases_page", "All cases"), "")
        self.status.insertSeparator(3)
        for code, text in STAGES.items():
            if code != Stage.CLOSED:
                self.status.addItem(
                    translate("casework.cases_page", "Stage: {stage}").format(stage=text), str(code)
                )
        self.case_type = QComboBox()
        self.case_type.setObjectName("typeFilter")
        self.case_type.setAccessibleName(translate("casework.cases_page", "Case type"))
        self.case_type.addItem(translate("casework.cases_page", "All types"), "")
        for code, text in CASE_TYPES.items():
            self.case_type.addItem(text, str(code))
        # Narrower than their longest choice (the list drops down wide enough), so the filters
        # fit a 1280-pixel screen with room for the search.
        for combo in (self.status, self.case_type):
            combo.setMinimumContentsLength(11)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        self.rep = QComboBox()
        self.rep.setObjectName("repFilter")
        self.rep.setAccessibleName(translate("casework.cases_page", "Rep"))
        self.rep.setMinimumContentsLength(10)
        self.rep.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._fill_reps()
        self.employer = QComboBox()
        self.employer.setObjectName("employerFilter")
        self.employer.setAccessibleName(translate("casework.cases_page", "Employer"))
        self.employer.setMinimumContentsLength(10)
        self.employer.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._fill_employers()
        self.my_cases = QCheckBox(translate("casework.cases_page", "My cases"))
        self.my_cases.setObjectName("myCases")
        self.my_cases.setToolTip(
            translate("casework.cases_page", "Only cases where you are the rep or second rep")
        )
        self.filter_bar = FilterBar(
            placeholder=translate("casework.cases_page", SEARCH_PLACEHOLDER)
        )
        self.filter_bar.edit.setAccessibleName(translate("casework.cases_page", "Search cases"))
        self.filter_bar.edit.setMinimumWidth(150)
        self.filter_bar.search_changed.connect(self._search_changed)
        self.search_notes = QCheckBox(translate("casework.cases_page", "Search notes"))
        self.search_notes.setObjectName("searchNotes")
        self.search_notes.setToolTip(
            translate(
                "casework.cases_page",
                "Find cases by what their timeline says: every word typed must be in one entry. "
                "The entries found are highlighted in the case's timeline. Sickness absence, "
                "capability and disciplinary cases are not searched: their notes are opened only "
                "on request, and each opening is recorded.",
            )
        )
        self.search_notes.toggled.connect(self._notes_toggled)
        for combo in (self.status, self.case_type, self.rep, self.employer):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.my_cases.toggled.connect(lambda _c: self.apply_filters())

        self.open_button = QPushButton(translate("casework.cases_page", "Open case…"))
        self.open_button.setObjectName("primaryButton")
        self.open_button.setToolTip(
            translate("casework.cases_page", "Open a new case for a member")
        )
        self.open_button.clicked.connect(self.open_case)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        # Room for the longest it says, so a search never widens the window.
        widest = translate("casework.cases_page", "{n} cases").format(n="8,888")
        self.count_label.setFixedWidth(self.fontMetrics().horizontalAdvance(widest) + 8)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.filter_bar, 3)
        filters.addWidget(self.search_notes, 0)
        filters.addWidget(self.status, 0)
        filters.addWidget(self.case_type, 0)
        filters.addWidget(self.employer, 0)
        filters.addWidget(self.rep, 0)
        filters.addWidget(self.my_cases, 0)
        filters.addStretch(0)
        filters.addWidget(self.count_label)
        filters.addSpacing(8)
        filters.addWidget(self.open_button)

        self.table = QTableView()
        self.table.setObjectName("casesTable")
        self.table.setAccessibleName(translate("casework.cases_page", "Cases"))
        self.table.setModel(self.model)
        list_view(self.table)
        horizontal = self.table.horizontalHeader()
        char = self.fontMetrics().horizontalAdvance("0")
        for i, column in enumerate(self.model.columns):
            self.table.setColumnHidden(i, column.key in HIDDEN_COLUMNS)
            width = {
                "reference": 11,
                "member": 14,
                "case_type": 12,
                "status": 12,
                "opened_on": 10,
                "next_due": 10,
            }.get(column.key, column.width or 12)
            horizontal.resizeSection(i, width * char + 16)
        horizontal.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.detail = CaseDetailPane()
        self.edit_button = self._button(
            translate("casework.cases_page", "Edit details…"),
            self.edit_case,
            translate(
                "casework.cases_page",
                "Change the member, type, title, reps, dates, companion or other members",
            ),
        )
        self.entry_button = self._button(
            translate("casework.cases_page", "Add entry…"),
            self.add_entry,
            translate(
                "casework.cases_page", "Add a note, meeting, hearing or letter to the timeline"
            ),
        )
        self.move_button = self._button(
            translate("casework.cases_page", "Move stage…"),
            self.move_stage,
            translate("casework.cases_page", "Move the case to another stage"),
        )
        self.close_button = self._button(
            translate("casework.cases_page", "Close case…"),
            self.close_case,
            translate("casework.cases_page", "Close the case with its outcome"),
        )
        self.reopen_button = self._button(
            translate("casework.cases_page", "Reopen…"),
            self.reopen_case,
            translate("casework.cases_page", "Reopen a closed case"),
        )
        self.deadline_button = self._button(
            translate("casework.cases_page", "Add deadline…"),
            self.add_deadline,
            translate(
                "casework.cases_page",
                "Add a deadline by hand, or work out a tribunal or appeal deadline",
            ),
        )
        self.met_button = self._button(
            translate("casework.cases_page", "Mark deadline met"),
            self.mark_met,
            translate("casework.cases_page", "Mark the deadline selected above as met today"),
        )
        self.attach_button = self._button(
            translate("casework.cases_page", "Attach document…"),
            self.attach,
            translate("casework.cases_page", "Copy a letter or other file into the case"),
        )
        self.consent_button = self._button(
            translate("casework.cases_page", "Record consent…"),
            self.record_consent,
            translate(
                "casework.cases_page",
                "Record whether the member agreed to a step (notifying ACAS, sharing documents…)",
            ),
        )
        # Close and Reopen take turns in one place: a case is open or closed.
        for button in (
            self.edit_button,
            self.entry_button,
            self.move_button,
            self.close_button,
            self.reopen_button,
        ):
            self.detail.buttons.addWidget(button)
        self.detail.buttons.addStretch(1)
        for button in (self.deadline_button, self.consent_button, self.attach_button):
            self.detail.more_buttons.addWidget(button)
        self.detail.more_buttons.addStretch(1)
        self.detail.deadline_buttons.addWidget(self.met_button)
        self.detail.deadline_buttons.addStretch(1)
        self.detail.deadlines.itemSelectionChanged.connect(self._update_buttons)
        self.detail.documents.cellDoubleClicked.connect(lambda row, _c: self.open_document(row))
        self.detail.reveal_requested.connect(self.show_sensitive)
        self.detail.timeline.cellDoubleClicked.connect(lambda row, _c: self.edit_entry(row))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("caseSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([700, 540])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)
        # An empty list gives way to what to do first (no cases yet), or to a way back to
        # every case (the filters hide them all).
        self.empty_state = EmptyState("casesEmpty")
        self.empty_state.actions[SHOW_ALL] = self.show_everything
        self.body = QStackedWidget()
        self.body.setObjectName("casesBody")
        self.body.addWidget(self.splitter)
        self.body.addWidget(self.empty_state)

        layout.addLayout(filters)
        layout.addWidget(self.body, 1)

    def _button(self, text: str, slot: Callable[[], None], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def _fill_reps(self) -> None:
        current = self.rep.currentData() if self.rep.count() else ""
        self.rep.blockSignals(True)
        self.rep.clear()
        self.rep.addItem(translate("casework.cases_page", "All reps"), "")
        for name in reps(self.ctx.db):
            self.rep.addItem(name, name)
        index = self.rep.findData(current)
        self.rep.setCurrentIndex(max(index, 0))
        self.rep.blockSignals(False)

    def _fill_employers(self) -> None:
        current = self.employer.currentData() if self.employer.count() else ""
        self.employer.blockSignals(True)
        self.employer.clear()
        self.employer.addItem(translate("casework.cases_page", "All employers"), "")
        for name in case_employers(self.ctx.db):
            self.employer.addItem(name, name)
        self.employer.setCurrentIndex(max(self.employer.findData(current), 0))
        self.employer.blockSignals(False)

    # -- filters -------------------------------------------------------------------------------

    def case_filter(self) -> CaseFilter:
        mine = self.my_cases.isChecked()
        self.rep.setEnabled(not mine)
        rep = self.ctx.db.officer if mine else (self.rep.currentData() or "")
        hits = self._note_hits
        return CaseFilter(
            status=self.status.currentData() or "",
            case_type=self.case_type.currentData() or "",
            rep=rep,
            employer=self.employer.currentData() or "",
            case_ids=frozenset(hits) if hits is not None else None,
        )

    def apply_filters(self) -> None:
        """Show the cases the filters ask for: a new listing, same search and sort."""
        self._keep_selected = self.selected_id()
        self.model.set_listing(CaseListing(self.ctx.db, self.case_filter()))

    def show_everything(self) -> None:
        self._keep_selected = None
        for combo in (self.status, self.case_type, self.rep, self.employer):
            combo.blockSignals(True)
        self.status.setCurrentIndex(self.status.findData(""))
        self.case_type.setCurrentIndex(0)
        self.rep.setCurrentIndex(0)
        self.employer.setCurrentIndex(0)
        self.my_cases.blockSignals(True)
        self.my_cases.setChecked(False)
        self.my_cases.blockSignals(False)
        for combo in (self.status, self.case_type, self.rep, self.employer):
            combo.blockSignals(False)
        self.filter_bar.edit.blockSignals(True)
        self.filter_bar.clear()
        self.filter_bar.edit.blockSignals(False)
        self._forget_notes_search()
        self.model.set_search("")
        self.apply_filters()

    # -- searching the notes -------------------------------------------------------------------

    def notes_searched(self) -> bool:
        """The list shows the cases whose timeline has the words searched."""
        return self._note_hits is not None

    def _search_changed(self, text: str) -> None:
        if self.search_notes.isChecked():
            self._search_notes(text)
        else:
            self.model.set_search(text)

    def _notes_toggled(self, on: bool) -> None:
        self.filter_bar.edit.setPlaceholderText(
            translate("casework.cases_page", "Search the notes: words in a timeline entry")
            if on
            else translate("casework.cases_page", SEARCH_PLACEHOLDER)
        )
        text = self.filter_bar.text()
        if on:
            self.model.set_search("")
            self._search_notes(text)
        else:
            self._forget_notes_search()
            self.apply_filters()
            self.model.set_search(text)
            self.reload_detail()

    def _forget_notes_search(self) -> None:
        self._notes_generation += 1  # an answer still on its way is dropped
        self._notes_searching = False
        self._note_hits = None
        self._note_words = []

    def _search_notes(self, text: str) -> None:
        """Find the timeline entries with every word (full-text, off the GUI thread); the list
        then shows their cases only, and the detail highlights them."""
        words = text.split()
        if not words:
            had = self.notes_searched()
            self._forget_notes_search()
            if had:
                self.apply_filters()
                self.reload_detail()
            self._update_count()
            return
        self._notes_generation += 1
        generation = self._notes_generation
        db = self.ctx.db

        def found(rows: object) -> None:
            if not shiboken6.isValid(self) or generation != self._notes_generation:
                return  # the page closed, or a newer search overtook this one
            self._notes_searching = False
            hits: dict[int, set[int]] = {}
            for entry_id, case_id, _reference in rows:  # type: ignore[attr-defined]
                hits.setdefault(int(case_id), set()).add(int(entry_id))
            self._note_hits = hits
            self._note_words = words
            self.apply_filters()
            self.reload_detail()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self) or generation != self._notes_generation:
                return
            self._notes_searching = False
            if not isinstance(exc, READ_ERRORS):
                report_unhandled(exc)
                return
            log.warning("notes search failed: %s", type(exc).__name__)
            self.count_label.setText(translate("casework.cases_page", "Notes not searched"))
            self.ctx.dialogs.error(
                self,
                translate("casework.cases_page", "The notes could not be searched"),
                translate("casework.cases_page", "{error}. Try again.").format(
                    error=read_error_text(exc)
                ),
            )

        self._notes_searching = True
        self._update_count()
        self.ctx.worker.run(
            lambda: search_timeline(db, text, limit=NOTES_SEARCH_LIMIT),
            on_done=found,
            on_error=failed,
            quiet=True,
        )

    def note_matches(self, case_id: int) -> set[int]:
        """Ids of the case's timeline entries the notes search found (none if not searching)."""
        return set(self._note_hits.get(case_id, ())) if self._note_hits else set()

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
        if case_id != self._revealed:
            self._revealed = None
        if case_id is None:
            self.detail.show_case(None)
        else:
            try:
                case = get_case(self.ctx.db, case_id)
            except KeyError:
                self.detail.show_case(None)
                self.ctx.dialogs.info(
                    self,
                    translate("casework.cases_page", "Case not found"),
                    translate("casework.cases_page", "This case is no longer in the register."),
                )
            else:
                hidden = is_sensitive(case.case_type) and self._revealed != case_id
                self.detail.show_case(
                    sealed(case) if hidden else case,
                    matches=self.note_matches(case_id),
                    words=self._note_words,
                    sealed=hidden,
                )
        self._update_buttons()

    def show_sensitive(self) -> None:
        """Show a sealed case's timeline and documents; the opening goes in the audit log."""
        case = self.detail.case
        if case is None or not self.detail.sealed:
            return
        try:
            detail = open_sensitive(self.ctx.db, case.id)
        except KeyError:
            self.load_detail(case.id)  # gone meanwhile: says so
            return
        except StoreError as exc:
            self.ctx.dialogs.error(self, translate("casework.cases_page", "Not shown"), str(exc))
            return
        except DBAPIError as exc:
            log.warning("sensitive detail not read: %s", type(exc).__name__)
            self.ctx.dialogs.error(
                self,
                translate("casework.cases_page", "Not shown"),
                translate(
                    "casework.cases_page", "The database could not be read just now: {error}."
                ).format(error=exc.orig),
            )
            return
        self._revealed = case.id
        self.detail.show_case(
            with_detail(case, detail),
            matches=self.note_matches(case.id),
            words=self._note_words,
        )
        self._update_buttons()

    def reload_detail(self) -> None:
        self.load_detail(self.detail.case.id if self.detail.case else None)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self._notes_searching:
            text = translate("casework.cases_page", "Searching…")
        elif not self.model.loaded:
            text = translate("casework.cases_page", "Loading…")
        elif n == 1:
            text = translate("casework.cases_page", "1 case")
        else:
            text = translate("casework.cases_page", "{n} cases").format(n=f"{n:,}")
        self.count_label.setToolTip(
            translate("casework.cases_page", "Cases whose timeline has the words searched")
            if self.notes_searched()
            else ""
        )
        self.count_label.setText(text)
        self._update_empty_state()

    def filters_applied(self) -> bool:
        """The list is narrowed by more than the status (a search, a type, a rep…)."""
        return bool(
            self.filter_bar.text().strip()
            or self.notes_searched()
            or self.case_type.currentData()
            or self.rep.currentData()
            or self.employer.currentData()
            or self.my_cases.isChecked()
        )

    def _register_empty(self) -> bool:
        """No case at all in the database (read only when the list shows none)."""
        try:
            with self.ctx.db.read() as session:
                return not session.scalar(select(func.count()).select_from(Case))
        except READ_ERRORS as exc:  # the list says why in its own way; keep the table
            log.info("cases not counted: %s", type(exc).__name__)
            return False

    def _update_empty_state(self) -> None:
        """The table while it has rows (or is still loading); otherwise why it has none."""
        if self._notes_searching or not self.model.loaded or self.model.rowCount():
            self.body.setCurrentWidget(self.splitter)
            return
        if not self.filters_applied() and self._register_empty():
            self.empty_state.show_text(
                translate(
                    "casework.cases_page",
                    "No cases yet. Press Open case… to open the first one for a member; "
                    "the member needs to be on the Members page first.",
                ),
                translate("casework.cases_page", "Read the guide: running a case"),
                "casework",
            )
        elif not self.filters_applied():
            self.empty_state.show_text(
                translate(
                    "casework.cases_page",
                    "No cases match the filter: none has the status chosen.",
                ),
                translate("casework.cases_page", "Show every case"),
                SHOW_ALL,
            )
        else:
            self.empty_state.show_text(
                translate(
                    "casework.cases_page",
                    "No cases match the filter and search.",
                ),
                translate("casework.cases_page", "Show every case"),
                SHOW_ALL,
            )
        self.body.setCurrentWidget(self.empty_state)

    def _update_buttons(self) -> None:
        case = self.detail.case
        has = case is not None
        closed = has and case.status == Stage.CLOSED  # type: ignore[union-attr]
        self.edit_button.setEnabled(has)
        self.entry_button.setEnabled(has)
        self.consent_button.setEnabled(has)
        self.move_button.setEnabled(has and not closed)
        self.close_button.setEnabled(has and not closed)
        self.reopen_button.setEnabled(bool(closed))
        self.close_button.setVisible(not closed)
        self.reopen_button.setVisible(bool(closed))
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
        self._fill_employers()
        if self.notes_searched():
            self._search_notes(self.filter_bar.text())  # a saved entry may match now, or not
        else:
            self.model.refresh()
        self.reload_detail()

    def database_changed(self) -> None:
        self.table.clearSelection()
        self._keep_selected = self._reveal = self._revealed = None
        self._forget_notes_search()
        self._fill_reps()
        self._fill_employers()
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
                translate("casework.cases_page", "Case {reference} opened — please check").format(
                    reference=case.reference
                ),
                translate(
                    "casework.cases_page",
                    "The case is open, but check whether the branch can help:\n\n{note}",
                ).format(note=case.eligibility_note),
            )

    def edit_case(self) -> None:
        """Change the case's details, with the version they were read at."""
        if self.detail.case is not None:
            self._run(EditCaseDialog(self.ctx, self.detail.case, self))

    def add_entry(self) -> None:
        if self.detail.case is not None and self._run(
            EntryDialog(self.ctx, self.detail.case, self)
        ):
            self.detail.show_block(self.detail.timeline)

    def edit_entry(self, row: int) -> None:
        """Change the timeline entry on this row of the timeline."""
        case = self.detail.case
        entry_id = self.detail.timeline.entry_id(row)
        entry = next((e for e in case.timeline if e.id == entry_id), None) if case else None
        if case is not None and entry is not None:
            self._run(EntryDialog(self.ctx, case, self, entry=entry))

    def record_consent(self) -> None:
        if self.detail.case is not None and self._run(
            ConsentDialog(self.ctx, self.detail.case, self)
        ):
            self.detail.show_block(self.detail.consents)

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
                self,
                translate("casework.cases_page", "Deadline rules cannot be read"),
                translate("casework.cases_page", "{error}. Check them in Preferences.").format(
                    error=exc
                ),
            )
            return
        if self._run(DeadlineDialog(self.ctx, self.detail.case, rules, self)):
            self.detail.show_block(self.detail.deadlines)

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
                self,
                translate("casework.cases_page", "Attach a document to {reference}").format(
                    reference=case.reference
                ),
                translate("casework.cases_page", "All files (*)"),
            )
        if path is None:
            return
        db, case_id = self.ctx.db, case.id
        self.attach_button.setEnabled(False)

        def done(_result: object) -> None:
            self.detail.show_block(self.detail.documents)
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
        try:
            # An encrypted database's document is unsealed into a copy for the viewer.
            check = viewable_copy(self.ctx.db, document)
        except (StoreError, OSError, DBAPIError) as exc:
            text = str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)
            self.ctx.dialogs.error(
                self, translate("casework.cases_page", "The document cannot be opened"), text
            )
            return
        if not check.ok:
            self.ctx.dialogs.error(
                self,
                translate("casework.cases_page", "The document cannot be opened"),
                translate(
                    "casework.cases_page",
                    "{problem} Attach it again from the original if you still have it.",
                ).format(problem=check.problem),
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(check.path))):
            self.ctx.dialogs.error(
                self,
                translate("casework.cases_page", "The document cannot be opened"),
                translate(
                    "casework.cases_page",
                    "No program on this PC opened {name}. It is kept at {path}.",
                ).format(name=document.name, path=check.path),
            )
