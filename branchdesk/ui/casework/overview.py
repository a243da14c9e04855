"""The casework overview: a compact strip at the top of the Casework tab.

Open cases by type and by rep, cases opened and closed in each of the last twelve months as a
small bar chart, and the five oldest open cases (click one to see it on the Cases page). The
figures are those of the caseload report (`branchdesk.casework.reports.caseload`), read in the
background with a quiet worker run; the strip reads them again when casework changes, and only
while it is shown. "Hide overview" folds it away; the choice is remembered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from branchdesk.casework.reports import Caseload, OldCase, caseload
from branchdesk.casework.service import case_id_by_reference
from branchdesk.exports.text import MONTH_ABBR
from branchdesk.settings import OPTIONS, Preferences
from branchdesk.store.database import Database
from branchdesk.ui import style
from branchdesk.ui.casework.common import CASEWORK, WARNING_STYLE
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs import window_state
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind, redacted_traceback
from branchdesk.ui.tab_base import TabBase
from branchdesk.ui.table_model import READ_ERRORS, read_error_text

log = logging.getLogger(__name__)

# The preference that remembers whether the overview is shown.
PREFERENCE = "show_casework_overview"
OLDEST_SHOWN = 5
RETRY_MS = 3000  # a failed read (a locked database, say) is tried again after this
OPENED_COLOUR = "#3B6EA5"  # the same colours as the caseload report's chart
CLOSED_COLOUR = "#E0913A"


# -- what the overview shows -------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewData:
    load: Caseload
    # The ids of the oldest open cases shown, by reference (a case gone since is left out).
    case_ids: dict[str, int] = field(default_factory=dict)

    @property
    def oldest(self) -> list[OldCase]:
        return self.load.oldest[:OLDEST_SHOWN]


def read_overview(db: Database, today: date) -> OverviewData:
    """Everything the overview shows; runs off the GUI thread."""
    load = caseload(db, today)
    ids: dict[str, int] = {}
    for old in load.oldest[:OLDEST_SHOWN]:
        case_id = case_id_by_reference(db, old.reference)
        if case_id is not None:
            ids[old.reference] = case_id
    return OverviewData(load, ids)


def age_text(days: int) -> str:
    """'3 days', '5 weeks', '14 months': how long a case has been open, in one short phrase."""
    if days == 1:
        return translate("casework.overview", "1 day")
    if days < 14:
        return translate("casework.overview", "{n} days").format(n=days)
    if days < 61:
        return translate("casework.overview", "{n} weeks").format(n=days // 7)
    if days < 730:
        return translate("casework.overview", "{n} months").format(n=days * 12 // 365)
    return translate("casework.overview", "{n} years").format(n=days // 365)


# -- remembering whether it is shown -----------------------------------------------------------


def _declared() -> bool:
    return any(option.key == PREFERENCE for option in OPTIONS)


def overview_wanted(prefs: Preferences) -> bool:
    """Whether the user last left the overview shown (it is, the first time)."""
    if _declared():
        return bool(prefs.get(PREFERENCE))
    # Until settings.py declares the option, the choice is kept with the window's state.
    value = window_state().value("casework/show_overview", True)
    return value not in (False, "false", "0", 0)


def remember_wanted(prefs: Preferences, shown: bool) -> None:
    if not _declared():
        window_state().setValue("casework/show_overview", shown)
        return
    prefs.set(PREFERENCE, shown)
    try:
        prefs.save()
    except OSError as exc:  # not worth a message: the overview still folds away for now
        log.warning("preferences not saved: %s", error_kind(exc))


# -- the chart ---------------------------------------------------------------------------------


def _nice_step(top: int) -> int:
    """A gridline step of 1, 2 or 5 times a power of ten giving at most three lines."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if top <= step * 3:
                return step
        magnitude *= 10


class MonthlyChart(QWidget):
    """Cases opened and closed in each month, as pairs of bars with a legend; drawn by hand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewChart")
        self.months: list[tuple[date, int, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(260)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        small = QFont(self.font())
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(7.0, small.pointSizeF() - 1.5))
        self._small = small

    def set_months(self, months: list[tuple[date, int, int]]) -> None:
        self.months = list(months)
        opened = sum(o for _, o, _ in self.months)
        closed = sum(c for _, _, c in self.months)
        self.setAccessibleName(translate("casework.overview", "Cases opened and closed per month"))
        self.setAccessibleDescription(
            translate(
                "casework.overview",
                "Over the last 12 months {opened} cases were opened and {closed} closed.",
            ).format(opened=opened, closed=closed)
        )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 120)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 90)

    # -- geometry shared by painting and tooltips ------------------------------------------------

    def _plot(self) -> tuple[QRect, int, int]:
        """The bars' area, the gridline step and the axis top."""
        fm = QFontMetrics(self._small)
        top_value = max([1, *(o for _, o, _ in self.months), *(c for _, _, c in self.months)])
        step = _nice_step(top_value)
        axis_top = step * -(-top_value // step)
        label_width = fm.horizontalAdvance(str(axis_top)) + 6
        legend = fm.height() + 4
        area = QRect(
            label_width,
            legend + 4,
            max(1, self.width() - label_width - 2),
            max(1, self.height() - legend - 4 - fm.height() - 4),
        )
        return area, step, axis_top

    def _slot(self, area: QRect) -> float:
        return area.width() / max(1, len(self.months))

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(self._small)
        fm = QFontMetrics(self._small)
        muted = QColor(style.MUTED)
        if not self.months:
            painter.setPen(muted)
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                translate("casework.overview", "Loading…"),
            )
            return
        area, step, axis_top = self._plot()

        # The legend, at the top right.
        x = self.width() - 2
        legend = (
            (translate("casework.overview", "Closed"), CLOSED_COLOUR),
            (translate("casework.overview", "Opened"), OPENED_COLOUR),
        )
        for text, colour in legend:
            x -= fm.horizontalAdvance(text)
            painter.setPen(QColor(style.TEXT))
            painter.drawText(x, fm.ascent() + 1, text)
            x -= 4 + 9
            painter.fillRect(QRect(x, (fm.height() - 9) // 2 + 1, 9, 9), QColor(colour))
            x -= 14

        # Gridlines and their values.
        painter.setPen(muted)
        value = 0
        while value <= axis_top:
            y = area.bottom() - round(value * area.height() / axis_top)
            painter.setPen(QColor(style.BORDER) if value else muted)
            painter.drawLine(area.left(), y, area.right(), y)
            painter.setPen(muted)
            label = str(value)
            painter.drawText(
                area.left() - 4 - fm.horizontalAdvance(label), y + fm.ascent() // 2 - 1, label
            )
            value += step

        # The bars, a pair per month, and the month under each pair.
        slot = self._slot(area)
        bar = max(2, min(14, int((slot - 6) / 2)))
        show_letters_only = fm.horizontalAdvance("May") + 2 > slot
        for i, (start, opened, closed) in enumerate(self.months):
            centre = area.left() + slot * i + slot / 2
            for n, (count, colour) in enumerate(((opened, OPENED_COLOUR), (closed, CLOSED_COLOUR))):
                if not count:
                    continue
                height = max(1, round(count * area.height() / axis_top))
                left = round(centre - bar + n * bar) + (1 if n else 0)
                painter.fillRect(
                    QRect(left, area.bottom() - height + 1, bar - 1, height), QColor(colour)
                )
            name = MONTH_ABBR[start.month - 1]
            if show_letters_only:
                name = name[0]
            if start.month == 1 and not show_letters_only and slot > fm.horizontalAdvance("Jan 26"):
                name = f"Jan {start.year % 100:02d}"
            painter.setPen(muted)
            painter.drawText(
                QRect(round(centre - slot / 2), area.bottom() + 3, round(slot), fm.height()),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                name,
            )
        painter.end()

    def month_at(self, pos: QPoint) -> int | None:
        if not self.months:
            return None
        area, _, _ = self._plot()
        if not area.left() <= pos.x() <= area.right():
            return None
        index = int((pos.x() - area.left()) / self._slot(area))
        return index if 0 <= index < len(self.months) else None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.month_at(event.pos())
            if index is None:
                QToolTip.hideText()
            else:
                start, opened, closed = self.months[index]
                QToolTip.showText(
                    event.globalPos(),
                    translate(
                        "casework.overview", "{month} {year}: {opened} opened, {closed} closed"
                    ).format(
                        month=MONTH_ABBR[start.month - 1],
                        year=start.year,
                        opened=opened,
                        closed=closed,
                    ),
                    self,
                )
            return True
        return super().event(event)


# -- the overview ------------------------------------------------------------------------------


def _compact_table(name: str, columns: int, stretch: int, rows: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.horizontalHeader().hide()
    table.verticalHeader().hide()
    row_height = table.fontMetrics().height() + 5
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(row_height)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = table.horizontalHeader()
    for i in range(columns):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if i == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(i, mode)
    table.setFixedHeight(row_height * rows + 2 * table.frameWidth())
    return table


def _cell(text: str, right: bool = False, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if not right:  # a name may be cut short in the narrow column
        item.setToolTip(text)
    return item


def _caption(text: str) -> QLabel:
    caption = QLabel(text)
    caption.setStyleSheet(f"font-weight: 600; color: {style.ACCENT};")
    return caption


def _panel(caption: QLabel, content: QWidget) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(3)
    column.addWidget(caption)
    column.addWidget(content, 1)
    return box


class CaseworkOverview(TabBase):
    """The strip above the Casework pages. `toggle_button` is placed by the tab that holds it."""

    title = QT_TRANSLATE_NOOP("casework.overview", "Overview")
    registers = frozenset({CASEWORK})
    # The user clicked one of the oldest cases: show it on the Cases page.
    case_requested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("caseworkOverview")
        self.data: OverviewData | None = None
        self._generation = 0
        self._loading = False
        # Read when next shown (the first time, or after a change while it was out of sight).
        # Kept apart from TabBase's own flag, which a database swap clears even when the read
        # it asked for could not run yet.
        self._needs_read = True
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._retry_now)

        rows = OLDEST_SHOWN
        self.by_type = _compact_table("overviewByType", 2, 0, rows)
        self.by_type.setAccessibleName(translate("casework.overview", "Open cases by type"))
        self.by_rep = _compact_table("overviewByRep", 2, 0, rows)
        self.by_rep.setAccessibleName(translate("casework.overview", "Open cases by rep"))
        self.oldest = _compact_table("overviewOldest", 3, 1, rows)
        self.oldest.setAccessibleName(translate("casework.overview", "Oldest open cases"))
        self.oldest.setCursor(Qt.CursorShape.PointingHandCursor)
        self.oldest.setToolTip(
            translate("casework.overview", "Click a case to see it on the Cases page.")
        )
        self.oldest.cellClicked.connect(lambda row, _c: self._oldest_clicked(row))
        self.chart = MonthlyChart()
        self.chart.setFixedHeight(self.oldest.height())

        self.type_caption = _caption(translate("casework.overview", "Open cases by type"))
        self.rep_caption = _caption(translate("casework.overview", "By rep"))
        self.chart_caption = _caption(
            translate("casework.overview", "Opened and closed, last 12 months")
        )
        self.oldest_caption = _caption(translate("casework.overview", "Oldest open cases"))

        char = self.fontMetrics().horizontalAdvance("0")
        panels = QWidget()
        row = QHBoxLayout(panels)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(18)
        for caption, content, width, stretch in (
            (self.type_caption, self.by_type, 26, 2),
            (self.rep_caption, self.by_rep, 24, 2),
            (self.chart_caption, self.chart, 0, 4),
            (self.oldest_caption, self.oldest, 34, 3),
        ):
            panel = _panel(caption, content)
            if width:
                panel.setMinimumWidth(width * char)
            row.addWidget(panel, stretch)

        self.message = QLabel()
        self.message.setObjectName("overviewMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(WARNING_STYLE)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # With nothing to count, one quiet line rather than four empty panels (the Cases page
        # below says what to do first, with its link to the guide).
        self.empty_note = QLabel()
        self.empty_note.setObjectName("overviewEmpty")
        self.empty_note.setWordWrap(True)
        self.empty_note.setStyleSheet(f"color: {style.MUTED};")
        self.stack = QStackedWidget()
        self.stack.addWidget(panels)
        self.stack.addWidget(self.message)
        self.empty_note.hide()  # outside the stack, so the strip is one line high with it
        self.panels = panels

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 6)
        layout.setSpacing(0)
        layout.addWidget(self.stack)
        layout.addWidget(self.empty_note)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        self.toggle_button = QToolButton()
        self.toggle_button.setObjectName("overviewToggle")
        self.toggle_button.setAutoRaise(True)
        self.toggle_button.setStyleSheet(f"QToolButton {{ color: {style.ACCENT}; }}")
        self.toggle_button.clicked.connect(lambda _c=False: self.set_shown(self.isHidden()))
        shown = overview_wanted(ctx.preferences)
        if not shown:
            self.hide()  # before it has a parent: show() now would make it a window of its own
        self._label_toggle(shown)

    # -- showing and hiding --------------------------------------------------------------------

    @property
    def shown(self) -> bool:
        return not self.isHidden()

    def set_shown(self, shown: bool, *, remember: bool = True) -> None:
        self.setVisible(shown)
        self._label_toggle(shown)
        if remember:
            remember_wanted(self.ctx.preferences, shown)

    def _label_toggle(self, shown: bool) -> None:
        self.toggle_button.setText(
            translate("casework.overview", "Hide overview")
            if shown
            else translate("casework.overview", "Show overview")
        )
        self.toggle_button.setToolTip(
            translate("casework.overview", "Fold the caseload overview away")
            if shown
            else translate("casework.overview", "Show the caseload overview")
        )

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.isVisible():
            self._needs_read = True
            return
        self._needs_read = False
        self._retry.stop()
        self._generation += 1
        generation = self._generation
        self._loading = True
        db, today = self.ctx.db, date.today()
        self.ctx.worker.run(
            lambda: read_overview(db, today),
            on_done=lambda data: self._arrived(generation, data),
            on_error=lambda exc: self._failed(generation, exc),
            quiet=True,
        )

    def database_changed(self) -> None:
        self.data = None
        self._generation += 1  # a read of the old database still on its way is dropped
        for table in (self.by_type, self.by_rep, self.oldest):
            table.setRowCount(0)
        self.chart.set_months([])
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._needs_read:
            self.refresh()

    def _retry_now(self) -> None:
        self.refresh()

    def _arrived(self, generation: int, data: OverviewData) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # closed meanwhile, or overtaken by a newer read
        self._loading = False
        self.show_data(data)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self._loading = False
        if isinstance(exc, READ_ERRORS):
            log.info("overview not read: %s", error_kind(exc))
            self.message.setText(
                translate(
                    "casework.overview",
                    "The overview could not be read: {error}. Trying again shortly.",
                ).format(error=read_error_text(exc))
            )
            self._retry.start()
        else:  # a bug: logged, and the rest of the tab goes on working
            log.warning("overview failed: %s\n%s", error_kind(exc), redacted_traceback(exc))
            self.message.setText(
                translate(
                    "casework.overview", "The overview could not be shown. Details are in the log."
                )
            )
        self._show_page(self.message)

    @property
    def loading(self) -> bool:
        return self._loading

    # -- showing the figures -------------------------------------------------------------------

    def show_data(self, data: OverviewData) -> None:
        self.data = data
        load = data.load
        total = load.open_total
        self.type_caption.setText(
            translate("casework.overview", "1 open case by type")
            if total == 1
            else translate("casework.overview", "{n} open cases by type").format(n=f"{total:,}")
        )
        self._fill(self.by_type, [(name, f"{n:,}") for name, n in load.by_type])
        self._fill(self.by_rep, [(name, f"{n:,}") for name, n in load.by_rep])
        if not load.by_type:
            self._fill(self.by_type, [(translate("casework.overview", "No open cases"), "")])
        self.chart.set_months(load.months)
        opened = sum(o for _, o, _ in load.months)
        closed = sum(c for _, _, c in load.months)
        self.chart_caption.setText(
            translate(
                "casework.overview", "Last 12 months: {opened} opened, {closed} closed"
            ).format(opened=f"{opened:,}", closed=f"{closed:,}")
        )
        self.oldest.setRowCount(0)
        for old in data.oldest:
            row = self.oldest.rowCount()
            self.oldest.insertRow(row)
            case_id = data.case_ids.get(old.reference)
            cells = [
                _cell(old.reference, data=case_id),
                _cell(old.case_type, data=case_id),
                _cell(age_text(old.age_days), right=True, data=case_id),
            ]
            for col, item in enumerate(cells):
                item.setToolTip(
                    translate(
                        "casework.overview",
                        "{reference}: {type}, {stage}, rep {rep}, open {days} days. "
                        "Click to see it.",
                    ).format(
                        reference=old.reference,
                        type=old.case_type,
                        stage=old.stage,
                        rep=old.rep or translate("casework.overview", "none"),
                        days=f"{old.age_days:,}",
                    )
                )
                self.oldest.setItem(row, col, item)
        if total or opened or closed or data.oldest:
            self._show_page(self.panels)
        else:
            self.empty_note.setText(
                translate(
                    "casework.overview",
                    "No open cases, and none opened or closed in the last 12 months: this "
                    "overview fills in as cases are opened and closed.",
                )
            )
            self._show_page(self.empty_note)

    def _show_page(self, page: QWidget) -> None:
        """The panels, a message, or (nothing to count) the one-line note in their place."""
        empty = page is self.empty_note
        self.stack.setVisible(not empty)
        self.empty_note.setVisible(empty)
        if not empty:
            self.stack.setCurrentWidget(page)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, str]]) -> None:
        table.setRowCount(0)
        for name, count in rows:
            row = table.rowCount()
            table.insertRow(row)
            table.setItem(row, 0, _cell(name))
            table.setItem(row, 1, _cell(count, right=True))

    def texts(self, table: QTableWidget) -> list[list[str]]:
        """What a table shows, row by row (for tests and checks)."""
        return [
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]

    def _oldest_clicked(self, row: int) -> None:
        item = self.oldest.item(row, 0)
        case_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if case_id is not None:
            self.case_requested.emit(int(case_id))
