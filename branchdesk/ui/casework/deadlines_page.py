"""The Deadlines page: what is due across every open case, soonest first, overdue in red."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk.casework.deadlines import days_remaining, describe_remaining
from branchdesk.casework.listing import reps
from branchdesk.casework.queries import DeadlineLine, deadlines_due
from branchdesk.exports.text import short_date
from branchdesk.ui import style
from branchdesk.ui.casework.common import CASEWORK
from branchdesk.ui.context import AppContext
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.table_model import READ_ERRORS, read_error_text

HEADERS = (
    QT_TRANSLATE_NOOP("casework.deadlines_page", "Due"),
    QT_TRANSLATE_NOOP("casework.deadlines_page", "Time left"),
    QT_TRANSLATE_NOOP("casework.deadlines_page", "Case"),
    QT_TRANSLATE_NOOP("casework.deadlines_page", "Member"),
    QT_TRANSLATE_NOOP("casework.deadlines_page", "Deadline"),
    QT_TRANSLATE_NOOP("casework.deadlines_page", "Rep"),
)
FORTNIGHT = 14
ALL_OPEN = 1  # the window choice's index for every open deadline
# The empty state's link that shows every open deadline, whoever's.
SHOW_ALL = "#show-all"


class DeadlinesPage(TabBase):
    title = QT_TRANSLATE_NOOP("casework.deadlines_page", "Deadlines")
    registers = frozenset({CASEWORK})
    # The user asked to see a case (by double-clicking one of its deadlines).
    case_requested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.lines: list[DeadlineLine] = []
        self.today = date.today()
        self.rep = QComboBox()
        self.rep.setObjectName("deadlineRep")
        self.rep.setAccessibleName(translate("casework.deadlines_page", "Deadlines for"))
        self.rep.setMinimumContentsLength(14)
        self.rep.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.window_choice = QComboBox()
        self.window_choice.setObjectName("deadlineWindow")
        self.window_choice.setAccessibleName(translate("casework.deadlines_page", "Show deadlines"))
        self.window_choice.addItem(
            translate("casework.deadlines_page", "Next 14 days and overdue"), FORTNIGHT
        )
        self.window_choice.addItem(translate("casework.deadlines_page", "All open deadlines"), None)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        intro = QLabel(
            translate(
                "casework.deadlines_page",
                "Deadlines not yet met on open cases. Double-click one to go to its case.",
            )
        )
        intro.setObjectName("tabSubheading")

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(QLabel(translate("casework.deadlines_page", "Show")))
        bar.addWidget(self.window_choice)
        bar.addSpacing(8)
        bar.addWidget(QLabel(translate("casework.deadlines_page", "for")))
        bar.addWidget(self.rep)
        bar.addStretch(1)
        bar.addWidget(self.count_label)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("deadlinesTable")
        self.table.setAccessibleName(translate("casework.deadlines_page", "Deadlines due"))
        self.table.setHorizontalHeaderLabels(
            [translate("casework.deadlines_page", text) for text in HEADERS]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        char = self.fontMetrics().horizontalAdvance("0")
        for i, width in enumerate((12, 17, 13, 20, 0, 20)):
            if width:
                header.resizeSection(i, width * char + 16)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(self._on_double_clicked)

        # In place of an empty table: what to do first, why nothing shows, or a read error.
        self.empty = EmptyState("deadlinesEmpty")
        self.empty.actions[SHOW_ALL] = self.show_everything
        self.stack = QStackedWidget()
        self.stack.setObjectName("deadlinesBody")
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self._fill_reps()
        self.rep.currentIndexChanged.connect(lambda _i: self.reload())
        self.window_choice.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def _fill_reps(self) -> None:
        current = self.rep.currentData() if self.rep.count() else ""
        self.rep.blockSignals(True)
        self.rep.clear()
        self.rep.addItem(translate("casework.deadlines_page", "Everyone"), "")
        names = reps(self.ctx.db)
        officer = self.ctx.db.officer
        if officer and officer not in names:
            names = sorted([*names, officer])
        for name in names:
            self.rep.addItem(name, name)
        self.rep.setCurrentIndex(max(self.rep.findData(current), 0))
        self.rep.blockSignals(False)

    def reload(self, today: date | None = None) -> None:
        self.today = today or date.today()
        try:
            self.lines = deadlines_due(
                self.ctx.db,
                self.today,
                within_days=self.window_choice.currentData(),
                rep=self.rep.currentData() or "",
            )
        except READ_ERRORS as exc:
            self.lines = []
            self.empty.show_text(
                translate(
                    "casework.deadlines_page", "The deadlines could not be read: {error}."
                ).format(error=read_error_text(exc))
            )
            self.stack.setCurrentWidget(self.empty)
            self.count_label.setText("")
            return
        self.table.setRowCount(0)
        for line in self.lines:
            row = self.table.rowCount()
            self.table.insertRow(row)
            overdue = days_remaining(line.due_on, self.today) < 0
            cells = [
                short_date(line.due_on),
                describe_remaining(line.due_on, self.today),
                line.reference,
                line.member,
                line.title,
                line.rep,
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, line.case_id)
                if overdue:
                    item.setForeground(QColor(style.ERROR))
                if col == 4 and line.working:
                    item.setToolTip(line.working)
                self.table.setItem(row, col, item)
        n = len(self.lines)
        overdue_n = sum(1 for line in self.lines if line.due_on < self.today)
        if n == 1:
            text = translate("casework.deadlines_page", "1 deadline")
        else:
            text = translate("casework.deadlines_page", "{n} deadlines").format(n=n)
        if overdue_n:
            text = translate("casework.deadlines_page", "{count}, {n} overdue").format(
                count=text, n=overdue_n
            )
        self.count_label.setText(text)
        if n:
            self.stack.setCurrentWidget(self.table)
        else:
            self._show_why_empty()
            self.stack.setCurrentWidget(self.empty)

    def filtered(self) -> bool:
        """The choices hide some open deadlines (the later ones, or other reps')."""
        return self.window_choice.currentData() is not None or bool(self.rep.currentData())

    def _show_why_empty(self) -> None:
        """No deadline listed: none to meet at all, or none for the choices made."""
        if self.filtered():
            try:
                # Read only when nothing is listed, and only on a change of choice.
                anything = bool(deadlines_due(self.ctx.db, self.today, within_days=None))
            except READ_ERRORS:
                anything = True  # say what is known: nothing for this choice
        else:
            anything = False
        if anything:
            self.empty.show_text(
                translate(
                    "casework.deadlines_page",
                    "Nothing due for this choice: no open deadline matches the filter.",
                ),
                translate("casework.deadlines_page", "Show every open deadline"),
                SHOW_ALL,
            )
        else:
            self.empty.show_text(
                translate(
                    "casework.deadlines_page",
                    "No deadlines to meet. Add one to a case on the Cases page with "
                    "Add deadline…; it shows here, soonest first, until it is met.",
                ),
                translate("casework.deadlines_page", "Read the guide: deadlines and time limits"),
                "casework",
            )

    def show_everything(self) -> None:
        """Every open deadline, whoever's and however far off."""
        for combo in (self.window_choice, self.rep):
            combo.blockSignals(True)
        self.window_choice.setCurrentIndex(ALL_OPEN)
        self.rep.setCurrentIndex(0)
        for combo in (self.window_choice, self.rep):
            combo.blockSignals(False)
        self.reload()

    def texts(self) -> list[list[str]]:
        return [
            [self.table.item(r, c).text() for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]

    def _on_double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.lines):
            self.case_requested.emit(self.lines[row].case_id)

    def refresh(self) -> None:
        self._fill_reps()
        self.reload()
