"""The case timeline as a reader wants it: newest first, each entry's whole text wrapped, the
confidential ones marked, and the entries a notes search found highlighted."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QPainter,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from branchdesk.casework.labels import ENTRY_KINDS, label
from branchdesk.casework.models import TimelineEntry
from branchdesk.exports.text import short_date
from branchdesk.ui import style
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

# The rich text a cell paints (its DisplayRole keeps the plain words, for copying and tests).
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
# True on the cells of an entry a notes search found.
MATCH_ROLE = Qt.ItemDataRole.UserRole + 3
MATCH_ROW = "#fff6d6"  # the row of an entry a notes search found
MATCH_WORD = "#ffd666"  # the words it found in it
CONFIDENTIAL = QT_TRANSLATE_NOOP("casework.case_timeline", "🔒 Confidential")
CONFIDENTIAL_BACKGROUND = "#fde8e6"

AnyIndex = QModelIndex | QPersistentModelIndex


def words_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """Words as the notes search matches them: at the start of a word, any case."""
    words = [w for w in words if w.strip()]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def marked(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` escaped for rich text, the words matching `pattern` highlighted, lines kept."""
    if pattern is None:
        out = html.escape(text)
    else:
        pieces, position = [], 0
        for found in pattern.finditer(text):
            pieces.append(html.escape(text[position : found.start()]))
            pieces.append(
                f"<span style='background-color:{MATCH_WORD}'>{html.escape(found.group())}</span>"
            )
            position = found.end()
        pieces.append(html.escape(text[position:]))
        out = "".join(pieces)
    return out.replace("\n", "<br>")


class RichTextDelegate(QStyledItemDelegate):
    """Paints a cell's HTML_ROLE text wrapped to the column's width, and sizes the row to it."""

    def _document(self, option: QStyleOptionViewItem, text: str, width: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)  # type: ignore[attr-defined]
        document.setDocumentMargin(5)
        wrap = QTextOption()
        wrap.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(wrap)
        document.setHtml(text)
        document.setTextWidth(max(width, 40))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        text = index.data(HTML_ROLE)
        if not text:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        qstyle = widget.style() if widget is not None else QApplication.style()
        # Background, alternate rows, the selection and the focus, as any cell has them.
        qstyle.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = opt.rect  # type: ignore[attr-defined]
        document = self._document(opt, text, rect.width())
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))  # type: ignore[attr-defined]
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(rect.translated(-rect.topLeft()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        text = index.data(HTML_ROLE)
        if not text:
            return super().sizeHint(option, index)
        width = option.rect.width()  # type: ignore[attr-defined]
        document = self._document(option, text, width if width > 0 else 400)
        return QSize(int(document.idealWidth()) + 2, int(document.size().height()) + 2)


class TimelineTable(QTableWidget):
    """Two columns: when (date over kind) and the entry (title over its whole text)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setObjectName("caseTimeline")
        self.setHorizontalHeaderLabels(
            [
                translate("casework.case_timeline", "When"),
                translate("casework.case_timeline", "Entry"),
            ]
        )
        self.setAccessibleName(translate("casework.case_timeline", "Case timeline"))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.verticalHeader().hide()
        self.setItemDelegate(RichTextDelegate(self))
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        # "When" is as wide as the longest date and kind, measured once rather than row by row.
        metrics = self.fontMetrics()
        widest = max(
            metrics.horizontalAdvance(text) for text in ["30 Sept 2026", *ENTRY_KINDS.values()]
        )
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(0, widest + 24)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setToolTip(translate("casework.case_timeline", "Double-click an entry to change it."))
        # Rows are as tall as their text at the column's width. Measuring hundreds of entries
        # takes a while, so the first screenful is measured at once and the rest a batch per
        # turn of the event loop: a long case opens at once and stays responsive.
        self._next_row = 0
        self._measure = QTimer(self)
        self._measure.setInterval(0)
        self._measure.timeout.connect(self._measure_batch)
        self._resize_rows = QTimer(self)
        self._resize_rows.setSingleShot(True)
        self._resize_rows.setInterval(30)
        self._resize_rows.timeout.connect(self._measure_from_start)
        header.sectionResized.connect(lambda *_a: self._resize_rows.start())

    FIRST_ROWS = 12
    BATCH_ROWS = 40

    def _measure_from_start(self) -> None:
        self._next_row = 0
        self._measure_batch(self.FIRST_ROWS)
        if self._next_row < self.rowCount():
            self._measure.start()

    def _measure_batch(self, count: int | None = None) -> None:
        end = min(self._next_row + (count or self.BATCH_ROWS), self.rowCount())
        for row in range(self._next_row, end):
            self.resizeRowToContents(row)
        self._next_row = end
        if end >= self.rowCount():
            self._measure.stop()

    def measuring(self) -> bool:
        """Some rows are still to be measured (tests wait for this to end)."""
        return self._measure.isActive()

    def show_entries(
        self,
        entries: Sequence[TimelineEntry],
        matches: Collection[int] = (),
        words: Sequence[str] = (),
    ) -> None:
        """Newest first; entries whose id is in `matches` highlighted, with `words` marked."""
        self._measure.stop()
        self.setRowCount(0)
        pattern = words_pattern(words) if matches else None
        ordered = sorted(entries, key=lambda e: (e.happened_on, e.id), reverse=True)
        confidential = translate("casework.case_timeline", CONFIDENTIAL)
        marker = translate("casework.case_timeline", "Confidential")
        self.setRowCount(len(ordered))
        for row, entry in enumerate(ordered):
            found = entry.id in matches
            kind = label(ENTRY_KINDS, entry.kind)
            when = QTableWidgetItem(f"{short_date(entry.happened_on)}\n{kind}")
            when.setData(
                HTML_ROLE,
                f"{html.escape(short_date(entry.happened_on))}<br>"
                f"<span style='color:{style.MUTED}'>{html.escape(kind)}</span>",
            )
            title = entry.title
            if entry.confidential:
                title = (
                    translate("casework.case_timeline", "{marker}: {title}").format(
                        marker=confidential, title=title
                    )
                    if title
                    else confidential
                )
            text = f"{title}\n{entry.body}" if title and entry.body else title or entry.body
            what = QTableWidgetItem(text)
            rich = []
            if entry.confidential:
                # No emoji in the painted text: not every office PC has a font with the padlock.
                rich.append(
                    f"<span style='color:{style.ERROR}; background-color:{CONFIDENTIAL_BACKGROUND};"
                    f" font-weight:600'>&nbsp;{html.escape(marker)}&nbsp;</span> "
                )
            if entry.title:
                rich.append(f"<b>{marked(entry.title, pattern)}</b>")
            if entry.body:
                if rich:
                    rich.append("<br>")
                rich.append(marked(entry.body, pattern))
            what.setData(HTML_ROLE, "".join(rich))
            if entry.author:
                tip = translate(
                    "casework.case_timeline",
                    "Recorded by {author}. Double-click to change this entry.",
                ).format(author=entry.author)
            else:
                tip = translate("casework.case_timeline", "Double-click to change this entry.")
            for item in (when, what):
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setData(Qt.ItemDataRole.UserRole, entry.id)
                item.setToolTip(tip)
                if found:
                    item.setBackground(QColor(MATCH_ROW))
                    item.setData(MATCH_ROLE, True)
            self.setItem(row, 0, when)
            self.setItem(row, 1, what)
        self._measure_from_start()

    def entry_id(self, row: int) -> int | None:
        item = self.item(row, 0)
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def matching_rows(self) -> list[int]:
        return [
            r
            for r in range(self.rowCount())
            if self.item(r, 0) is not None and self.item(r, 0).data(MATCH_ROLE)
        ]
