"""Splitter positions and column widths, remembered between runs in window.ini.

Every QSplitter and every item view's column header under a window is keyed on the path of
objectNames that leads to it ("mainWindow/registerTabs/caseworkTab/caseSplitter"): a widget
without an objectName of its own is skipped, so only layouts a tab named on purpose are kept.
Only sizes are stored, never which columns are hidden or how rows are sorted: a role may hide a
column, and that must not come back for another officer because a previous one saw it.

Tabs build their pages lazily (after the first paint) and often size their columns when a page
is first shown, so `restore_layout` applies saved sizes to each widget once, the first time it
is found on screen, after its page's own sizing; `LayoutMemory` looks again, a moment later,
whenever a tab or a stacked page changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

log = logging.getLogger(__name__)

GROUP = "layout"
# Marks a widget whose saved sizes were applied (or found to be none), so it is done once.
RESTORED = "windowMemoryRestored"
FOLLOWED = "windowMemoryFollowed"


def widget_key(widget: QWidget, root: QWidget) -> str | None:
    """'root/…/widget' from the objectNames on the way up; None if `widget` has none itself.

    Qt's own inner widgets ("qt_tabwidget_stackedwidget") are left out of the path.
    """
    if not widget.objectName() or not root.objectName():
        return None
    names: list[str] = []
    current: QWidget | None = widget
    while current is not None:
        name = current.objectName()
        if name and not name.startswith("qt_"):
            names.append(name)
        if current is root:
            return "/".join(reversed(names))
        current = current.parentWidget()
    return None  # not under root (a window of its own)


def _splitters(root: QWidget) -> dict[str, QSplitter]:
    found: dict[str, QSplitter] = {}
    for splitter in root.findChildren(QSplitter):
        key = widget_key(splitter, root)
        if key is not None:
            found.setdefault(f"{key}/splitter", splitter)  # the first of two with one name
    return found


def _headers(root: QWidget) -> dict[str, QHeaderView]:
    """The column header of every named item view (a header is keyed on its view's name)."""
    found: dict[str, QHeaderView] = {}
    for view in root.findChildren(QAbstractItemView):
        if isinstance(view, QHeaderView):
            continue
        header = getattr(view, "horizontalHeader", None) or getattr(view, "header", None)
        if header is None:
            continue  # a list view: no columns
        key = widget_key(view, root)
        if key is not None:
            found.setdefault(f"{key}/columns", header())
    return found


# Wider than any screen: a bigger number in window.ini was not written by us, and Qt's
# 32-bit sizes would overflow on it.
_MOST = 100_000


def _sizes(text: object) -> list[int] | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        return None
    return sizes if all(0 <= size <= _MOST for size in sizes) else None


def _resizable(header: QHeaderView, section: int) -> bool:
    """Sections sized by Qt (stretched, fitted to contents, or the stretched last) are left."""
    if header.sectionResizeMode(section) != QHeaderView.ResizeMode.Interactive:
        return False
    last = header.logicalIndex(header.count() - 1)
    return not (header.stretchLastSection() and section == last)


def _column_widths(header: QHeaderView) -> str:
    return ",".join(
        str(0 if header.isSectionHidden(i) else header.sectionSize(i))
        for i in range(header.count())
    )


def _restore_columns(header: QHeaderView, widths: list[int]) -> None:
    if len(widths) != header.count():
        return  # the columns have changed since: the tab's own widths stand
    for section, width in enumerate(widths):
        if width > 0 and not header.isSectionHidden(section) and _resizable(header, section):
            header.resizeSection(section, width)


def _restore_splitter(splitter: QSplitter, sizes: list[int]) -> None:
    if len(sizes) == splitter.count() and sum(sizes) > 0:
        splitter.setSizes(sizes)


def restore_layout(root: QWidget, settings: QSettings) -> int:
    """Put back the saved sizes of each splitter and column header under `root` not yet done;
    returns how many were put back."""
    restored = 0
    widgets: dict[str, QWidget] = {**_splitters(root), **_headers(root)}
    for key, widget in widgets.items():
        if widget.property(RESTORED) or not widget.isVisible():
            continue  # done already, or not on screen yet: its page may still size it
        widget.setProperty(RESTORED, True)
        sizes = _sizes(settings.value(f"{GROUP}/{key}"))
        if sizes is None:
            continue
        if isinstance(widget, QSplitter):
            _restore_splitter(widget, sizes)
        elif isinstance(widget, QHeaderView):
            # A header whose model is not set yet has no columns to size: try again later.
            if widget.count() == 0:
                widget.setProperty(RESTORED, False)
                continue
            _restore_columns(widget, sizes)
        restored += 1
    return restored


def save_layout(root: QWidget, settings: QSettings) -> None:
    """Write the sizes of each splitter and column header under `root`.

    A widget whose saved sizes were never applied (built after the last restore) is written
    only if nothing is saved for it yet, so a page never shown this run keeps last run's sizes.
    """

    def due(widget: QWidget, key: str) -> bool:
        return bool(widget.property(RESTORED)) or not settings.contains(f"{GROUP}/{key}")

    for key, splitter in _splitters(root).items():
        if due(splitter, key) and splitter.count() and sum(splitter.sizes()) > 0:
            settings.setValue(f"{GROUP}/{key}", ",".join(map(str, splitter.sizes())))
    for key, header in _headers(root).items():
        if due(header, key) and header.count():
            settings.setValue(f"{GROUP}/{key}", _column_widths(header))
    settings.sync()


class LayoutMemory(QObject):
    """Restores a window's layout now, and again as tabs and pages are built or first shown."""

    def __init__(self, root: QWidget, settings: Callable[[], QSettings]) -> None:
        super().__init__(root)
        self._root = root
        # Read afresh each time, as the rest of window.ini is: other windows write to it too.
        self._settings = settings
        self._pending = False

    def _state(self) -> QSettings:
        return self._settings()

    def restore(self) -> None:
        self._pending = False
        restore_layout(self._root, self._state())
        self._follow_pages()

    def restore_soon(self) -> None:
        """After the page just brought forward has built and sized itself (pages size their
        columns in a zero timer of their own when first shown: this runs after it)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._restore_next)

    def _restore_next(self) -> None:
        QTimer.singleShot(0, self, self.restore)

    def save(self) -> None:
        save_layout(self._root, self._state())

    def _follow_pages(self) -> None:
        for pages in [
            *self._root.findChildren(QTabWidget),
            *self._root.findChildren(QStackedWidget),
        ]:
            if pages.property(FOLLOWED):
                continue
            pages.setProperty(FOLLOWED, True)
            pages.currentChanged.connect(self._page_changed)

    def _page_changed(self, _index: int) -> None:
        self.restore_soon()
