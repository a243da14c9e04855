"""The contracts as bars on a time line, drawn with QPainter.

Each contract is a row: a bar from its start to its end, the extension to the furthest end it
can run to drawn lighter, a diamond at its decision point and a vertical line for today. Only
the rows in view are painted, so a register of thousands scrolls as smoothly as one of ten.
The span shown (3, 5, 10 or 20 years) changes with the zoom box or Ctrl+wheel; the horizontal
scroll bar moves along the years. Clicking a bar reports that contract.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from branchdesk.outsourcing.queries import ContractLine
from branchdesk.ui import style
from branchdesk.ui.i18n import translate
from branchdesk.ui.outsourcing.data import PASSED_TEXT, SOON_TEXT, urgency

SPANS = (3, 5, 10, 20)  # years visible
ROW_HEIGHT = 22
LABEL_WIDTH = 200
AXIS_HEIGHT = 24
BAR = QColor("#1f5f8b")
EXTENSION = QColor("#a9c6dc")
SELECTED_ROW = QColor("#dbe9f4")
GRID = QColor("#e4e7eb")
TODAY = QColor("#b42318")


class TimelineChart(QAbstractScrollArea):
    contract_clicked = Signal(int)
    span_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contractTimeline")
        self.setAccessibleName(translate("outsourcing.timeline", "Contract timeline"))
        self.lines: list[ContractLine] = []
        self.today = date.today()
        self.years = 5
        self.selected_id: int | None = None
        self.painted_rows: range = range(0)  # for tests: the rows the last paint drew
        self._first = self.today
        self._last = self.today
        self.viewport().setMouseTracking(True)
        self.setMinimumHeight(140)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().setSingleStep(ROW_HEIGHT)

    # -- data and geometry ---------------------------------------------------------------------

    def set_lines(self, lines: list[ContractLine], today: date) -> None:
        keep_start = self.view_start() if self.lines else None
        self.lines = list(lines)
        self.today = today
        dates = [d for line in lines for d in (line.start_on, line.end_on, line.max_end_on) if d]
        dates += [line.decision_on for line in lines if line.decision_on]
        dates.append(today)
        self._first = min(dates) - timedelta(days=90)
        self._last = max(dates) + timedelta(days=180)
        self._update_scroll_bars()
        if keep_start is None:
            # Open with today a quarter of the way across.
            self.set_view_start(today - timedelta(days=int(self.span_days() / 4)))
        else:
            self.set_view_start(keep_start)
        self.viewport().update()

    def span_days(self) -> float:
        return self.years * 365.25

    def chart_width(self) -> int:
        return max(50, self.viewport().width() - LABEL_WIDTH)

    def pixels_per_day(self) -> float:
        return self.chart_width() / self.span_days()

    def view_start(self) -> date:
        return self._first + timedelta(days=self.horizontalScrollBar().value())

    def view_end(self) -> date:
        return self.view_start() + timedelta(days=int(self.span_days()))

    def set_view_start(self, start: date) -> None:
        self.horizontalScrollBar().setValue((start - self._first).days)

    def set_years(self, years: int) -> None:
        if years == self.years or years not in SPANS:
            return
        # Zoom about the middle of what is shown.
        middle = self.view_start() + timedelta(days=int(self.span_days() / 2))
        self.years = years
        self._update_scroll_bars()
        self.set_view_start(middle - timedelta(days=int(self.span_days() / 2)))
        self.viewport().update()
        self.span_changed.emit(years)

    def _update_scroll_bars(self) -> None:
        total_days = (self._last - self._first).days
        horizontal = self.horizontalScrollBar()
        horizontal.setRange(0, max(0, total_days - int(self.span_days())))
        horizontal.setPageStep(int(self.span_days()))
        horizontal.setSingleStep(30)
        body = max(0, self.viewport().height() - AXIS_HEIGHT)
        vertical = self.verticalScrollBar()
        vertical.setRange(0, max(0, len(self.lines) * ROW_HEIGHT - body))
        vertical.setPageStep(max(ROW_HEIGHT, body))

    def x_of(self, day: date) -> float:
        return LABEL_WIDTH + (day - self.view_start()).days * self.pixels_per_day()

    def row_at(self, y: float) -> int:
        if y < AXIS_HEIGHT:
            return -1
        row = int((y - AXIS_HEIGHT + self.verticalScrollBar().value()) // ROW_HEIGHT)
        return row if 0 <= row < len(self.lines) else -1

    def row_top(self, row: int) -> int:
        return AXIS_HEIGHT + row * ROW_HEIGHT - self.verticalScrollBar().value()

    def bar_rect(self, row: int) -> QRectF:
        """Where a contract's bar is drawn (viewport coordinates; may be off screen)."""
        line = self.lines[row]
        start = line.start_on or line.end_on or line.decision_on or self.today
        end = line.end_on or line.max_end_on or start
        left = self.x_of(start)
        right = max(self.x_of(end), left + 3)
        top = self.row_top(row) + 5
        return QRectF(left, top, right - left, ROW_HEIGHT - 10)

    def scroll_to_row(self, row: int) -> None:
        if not 0 <= row < len(self.lines):
            return
        top = row * ROW_HEIGHT
        bar = self.verticalScrollBar()
        body = max(ROW_HEIGHT, self.viewport().height() - AXIS_HEIGHT)
        if top < bar.value():
            bar.setValue(top)
        elif top + ROW_HEIGHT > bar.value() + body:
            bar.setValue(top + ROW_HEIGHT - body)

    def select(self, contract_id: int | None) -> None:
        self.selected_id = contract_id
        row = next((n for n, line in enumerate(self.lines) if line.id == contract_id), -1)
        self.scroll_to_row(row)
        self.viewport().update()

    # -- events --------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        start = self.view_start()
        super().resizeEvent(event)
        self._update_scroll_bars()
        self.set_view_start(start)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            index = SPANS.index(self.years)
            step = -1 if event.angleDelta().y() > 0 else 1  # wheel forward: closer in
            self.set_years(SPANS[max(0, min(len(SPANS) - 1, index + step))])
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            row = self.row_at(event.position().y())
            if row >= 0:
                self.selected_id = self.lines[row].id
                self.viewport().update()
                self.contract_clicked.emit(self.lines[row].id)
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self.row_at(event.position().y())
        if row >= 0:
            line = self.lines[row]
            parts = [line.service or line.title]
            if line.start_on or line.end_on:
                parts.append(
                    translate("outsourcing.timeline", "{start} to {end}").format(
                        start=_short(line.start_on), end=_short(line.end_on)
                    )
                )
            if line.max_end_on and line.max_end_on != line.end_on:
                parts.append(
                    translate("outsourcing.timeline", "can be extended to {date}").format(
                        date=_short(line.max_end_on)
                    )
                )
            if line.decision_on:
                parts.append(
                    translate("outsourcing.timeline", "decision point {date}").format(
                        date=_short(line.decision_on)
                    )
                )
            self.viewport().setToolTip("\n".join(parts))
        else:
            self.viewport().setToolTip("")
        super().mouseMoveEvent(event)

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.viewport().width()
        height = self.viewport().height()
        painter.fillRect(0, 0, width, height, QColor(style.BASE))
        metrics = QFontMetrics(self.font())
        if not self.lines:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(
                QRectF(0, 0, width, height),
                Qt.AlignmentFlag.AlignCenter,
                translate("outsourcing.timeline", "No contracts to show."),
            )
            self.painted_rows = range(0)
            painter.end()
            return
        first = max(0, self.verticalScrollBar().value() // ROW_HEIGHT)
        last = min(len(self.lines), first + (height - AXIS_HEIGHT) // ROW_HEIGHT + 2)
        self.painted_rows = range(first, last)
        painter.setClipRect(QRectF(0, AXIS_HEIGHT, width, height - AXIS_HEIGHT))
        self._paint_year_lines(painter, height)
        for row in self.painted_rows:
            self._paint_row(painter, row, width, metrics)
        painter.setClipping(False)
        self._paint_axis(painter, width, height, metrics)
        painter.end()

    def _years_shown(self) -> list[date]:
        step = 1 if self.years <= 10 else 2
        start, end = self.view_start(), self.view_end()
        return [
            date(year, 1, 1) for year in range(start.year + 1, end.year + 1) if year % step == 0
        ]

    def _paint_year_lines(self, painter: QPainter, height: int) -> None:
        painter.setPen(QPen(GRID, 1))
        for day in self._years_shown():
            x = self.x_of(day)
            painter.drawLine(QPointF(x, AXIS_HEIGHT), QPointF(x, height))

    def _paint_row(self, painter: QPainter, row: int, width: int, metrics: QFontMetrics) -> None:
        line = self.lines[row]
        top = self.row_top(row)
        if line.id == self.selected_id:
            painter.fillRect(QRectF(0, top, width, ROW_HEIGHT), SELECTED_ROW)
        label = metrics.elidedText(
            line.service or line.title, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 12
        )
        painter.setPen(QColor(style.TEXT))
        painter.drawText(
            QRectF(6, top, LABEL_WIDTH - 10, ROW_HEIGHT),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            label,
        )
        painter.save()
        painter.setClipRect(QRectF(LABEL_WIDTH, AXIS_HEIGHT, width - LABEL_WIDTH, 100_000))
        bar = self.bar_rect(row)
        painter.setPen(Qt.PenStyle.NoPen)
        if line.max_end_on and line.end_on and line.max_end_on > line.end_on:
            extension = QRectF(self.x_of(line.end_on), bar.top(), 0, bar.height())
            extension.setRight(self.x_of(line.max_end_on))
            painter.setBrush(EXTENSION)
            painter.drawRect(extension)
        if line.start_on or line.end_on:
            painter.setBrush(BAR)
            painter.drawRect(bar)
        if line.decision_on:
            state = urgency(line, self.today)
            colour = {"passed": PASSED_TEXT, "soon": SOON_TEXT}.get(state, "#1f2933")
            x = self.x_of(line.decision_on)
            middle = top + ROW_HEIGHT / 2
            diamond = QPolygonF(
                [
                    QPointF(x, middle - 6),
                    QPointF(x + 5, middle),
                    QPointF(x, middle + 6),
                    QPointF(x - 5, middle),
                ]
            )
            painter.setPen(QPen(QColor("white"), 1))
            painter.setBrush(QColor(colour))
            painter.drawPolygon(diamond)
        painter.restore()

    def _paint_axis(
        self, painter: QPainter, width: int, height: int, metrics: QFontMetrics
    ) -> None:
        painter.fillRect(QRectF(0, 0, width, AXIS_HEIGHT), QColor("#e9eef3"))
        painter.setPen(QPen(QColor(style.BORDER), 1))
        painter.drawLine(QPointF(0, AXIS_HEIGHT), QPointF(width, AXIS_HEIGHT))
        painter.drawLine(QPointF(LABEL_WIDTH, 0), QPointF(LABEL_WIDTH, height))
        painter.setPen(QColor(style.TEXT))
        painter.drawText(
            QRectF(6, 0, LABEL_WIDTH - 10, AXIS_HEIGHT),
            Qt.AlignmentFlag.AlignVCenter,
            translate("outsourcing.timeline", "1 contract")
            if len(self.lines) == 1
            else translate("outsourcing.timeline", "{n} contracts").format(
                n=f"{len(self.lines):,}"
            ),
        )
        painter.save()
        painter.setClipRect(QRectF(LABEL_WIDTH, 0, width - LABEL_WIDTH, height))
        today_x = self.x_of(self.today)
        for day in self._years_shown():
            x = self.x_of(day)
            if abs(x + 20 - today_x) < 45:
                continue  # the "Today" label is there
            painter.drawText(
                QRectF(x + 3, 0, 60, AXIS_HEIGHT), Qt.AlignmentFlag.AlignVCenter, str(day.year)
            )
        x = self.x_of(self.today)
        if LABEL_WIDTH <= x <= width:
            painter.setPen(QPen(TODAY, 2))
            painter.drawLine(QPointF(x, AXIS_HEIGHT - 6), QPointF(x, height))
            painter.setPen(TODAY)
            today = translate("outsourcing.timeline", "Today")
            text_width = metrics.horizontalAdvance(today) + 6
            painter.fillRect(QRectF(x - text_width / 2, 2, text_width, 14), QColor("#fff"))
            painter.drawText(
                QRectF(x - text_width / 2, 2, text_width, 14),
                Qt.AlignmentFlag.AlignCenter,
                today,
            )
        painter.restore()


def _short(day: date | None) -> str:
    from branchdesk.exports.text import short_date

    return short_date(day) or "?"
