"""The help window: the guide's contents on the left, a section on the right, and a search.

One window serves the whole program: asking for the guide again brings it forward at the
section asked for. Typing in the search box lists the sections that mention the term, with how
often, and highlights it in the section shown; Enter or F3 goes to the next match, and on from
the last match of a section to the next section listed. The window keeps nothing between runs.
"""

from __future__ import annotations

import logging
import os

import shiboken6
from PySide6.QtCore import QLocale, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from branchdesk.ui.guide.content import Section, load_guide
from branchdesk.ui.guide.search import find_all, rendered
from branchdesk.ui.i18n import LANGUAGE_VARIABLE, translate

log = logging.getLogger(__name__)

# Every match, and the one Enter/F3 has moved to (stronger, so the eye finds it).
MATCH_COLOUR = QColor("#fff2a8")
CURRENT_COLOUR = QColor("#ffb454")
# Links that leave the guide open in the browser or mail program; the rest are section ids.
OUTSIDE_SCHEMES = ("http", "https", "mailto")


def guide_language() -> str:
    """The language the window's text is in ("cy_GB"), chosen as `install_translators` does:
    $BRANCHDESK_LANGUAGE if set, else the locale."""
    chosen = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    return QLocale(chosen).name() if chosen else QLocale().name()


def _load() -> list[Section]:
    """The guide's sections; none (and the window says so) if the files are missing."""
    try:
        return load_guide(guide_language())
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("the user guide could not be read", exc_info=True)
        return []


class GuideWindow(QWidget):
    def __init__(
        self, parent: QWidget | None = None, sections: list[Section] | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("guideWindow")
        self.setWindowTitle(translate("guide.window", "BranchDesk user guide"))
        self.sections = sections if sections is not None else _load()
        self._by_id = {section.id: section for section in self.sections}
        self._documents: dict[str, QTextDocument] = {}
        self.current_section: str | None = None
        self._matches: list[QTextEdit.ExtraSelection] = []
        self._match_index = -1

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("guideSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(translate("guide.window", "Search the guide"))
        self.search_edit.setAccessibleName(translate("guide.window", "Search the guide"))
        self.search_edit.setToolTip(
            translate(
                "guide.window",
                "Type a word to list the sections that mention it. Enter or F3 goes to the next "
                "match, Shift+F3 to the one before.",
            )
        )
        self.search_edit.textChanged.connect(self._search)
        self.search_edit.returnPressed.connect(self.next_match)

        self.results_label = QLabel()
        self.results_label.setObjectName("guideResultsLabel")
        self.results_label.setWordWrap(True)
        self.results_list = QListWidget()
        self.results_list.setObjectName("guideResults")
        self.results_list.setSpacing(1)
        self.results_list.setAccessibleName(
            translate("guide.window", "Sections that mention the search")
        )
        self.results_list.setToolTip(
            translate("guide.window", "Click a section to read it with the matches highlighted")
        )
        self.results_list.itemClicked.connect(self._item_chosen)
        self.results_list.itemActivated.connect(self._item_chosen)

        contents_label = QLabel(translate("guide.window", "Contents"))
        contents_label.setObjectName("tabSubheading")
        self.contents_list = QListWidget()
        self.contents_list.setObjectName("guideContents")
        self.contents_list.setSpacing(1)
        self.contents_list.setAccessibleName(translate("guide.window", "Contents of the guide"))
        self.contents_list.setToolTip(translate("guide.window", "Click a section to read it"))
        for section in self.sections:
            item = QListWidgetItem(section.title)
            item.setData(Qt.ItemDataRole.UserRole, section.id)
            self.contents_list.addItem(item)
        self.contents_list.itemClicked.connect(self._item_chosen)
        self.contents_list.itemActivated.connect(self._item_chosen)
        contents_label.setBuddy(self.contents_list)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_edit)
        left_layout.addWidget(self.results_label)
        left_layout.addWidget(self.results_list)
        left_layout.addWidget(contents_label)
        left_layout.addWidget(self.contents_list, 1)

        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setAccessibleName(translate("guide.window", "Guide text"))
        # Links between sections are section ids, not files: the window follows them itself.
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self.follow_link)
        self.browser.document().setDocumentMargin(16)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("guideSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.browser)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([240, 720])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.splitter)

        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)

        self._show_results([])
        self.resize(980, 680)

    # -- showing a section ---------------------------------------------------------------------

    def show_section(self, section_id: str | None) -> None:
        """Show `section_id`; the contents page when it is None or not a section."""
        section = self._by_id.get(section_id or "")
        if section is None:
            self.current_section = None
            self.browser.setMarkdown(self._contents_markdown())
            self.contents_list.setCurrentRow(-1)
            self.contents_list.clearSelection()
        else:
            self.current_section = section.id
            self.browser.setMarkdown(section.markdown)
            _space_headings(self.browser.document())
            self._select_in(self.contents_list, section.id)
            self._select_in(self.results_list, section.id)
        self._highlight()

    def _contents_markdown(self) -> str:
        heading = translate("guide.window", "BranchDesk user guide")
        intro = translate(
            "guide.window",
            "Choose a section, or search the guide for a word with the box on the left.",
        )
        if not self.sections:
            missing = translate(
                "guide.window",
                "The user guide is missing from this copy of BranchDesk. Installing it again "
                "puts it back.",
            )
            return f"# {heading}\n\n{missing}\n"
        lines = [f"# {heading}", "", intro, ""]
        lines += [f"- [{section.title}]({section.id})" for section in self.sections]
        return "\n".join(lines)

    @staticmethod
    def _select_in(listing: QListWidget, section_id: str) -> None:
        for row in range(listing.count()):
            if listing.item(row).data(Qt.ItemDataRole.UserRole) == section_id:
                listing.setCurrentRow(row)
                return
        listing.clearSelection()

    def _item_chosen(self, item: QListWidgetItem) -> None:
        self.show_section(str(item.data(Qt.ItemDataRole.UserRole)))

    def follow_link(self, url: QUrl) -> None:
        if url.scheme() in OUTSIDE_SCHEMES:
            QDesktopServices.openUrl(url)
            return
        target = url.path() or url.toString()
        if target in self._by_id:
            self.show_section(target)

    # -- search --------------------------------------------------------------------------------

    @property
    def term(self) -> str:
        return self.search_edit.text().strip()

    def _document(self, section: Section) -> QTextDocument:
        if section.id not in self._documents:
            self._documents[section.id] = rendered(section)
        return self._documents[section.id]

    def match_counts(self, term: str) -> list[tuple[Section, int]]:
        """The sections that mention `term`, in the guide's order, with how often."""
        counts = []
        for section in self.sections:
            count = len(find_all(self._document(section), term))
            if count:
                counts.append((section, count))
        return counts

    def _search(self) -> None:
        term = self.term
        found = self.match_counts(term) if term else []
        self._show_results(found)
        if found and self.current_section not in {section.id for section, _n in found}:
            # The section on screen does not mention it: show the first one that does.
            self.show_section(found[0][0].id)
        else:
            self._highlight()

    def _show_results(self, found: list[tuple[Section, int]]) -> None:
        self.results_list.clear()
        term = self.term
        searching = bool(term)
        self.results_label.setVisible(searching)
        self.results_list.setVisible(bool(found))
        if not searching:
            return
        if not found:
            self.results_label.setText(
                translate("guide.window", "No section mentions “{term}”.").format(term=term)
            )
            return
        if len(found) == 1:
            text = translate("guide.window", "Found in 1 section:")
        else:
            text = translate("guide.window", "Found in {n} sections:").format(n=len(found))
        self.results_label.setText(text)
        for section, count in found:
            label = translate("guide.window", "{title} ({count})").format(
                title=section.title, count=count
            )
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, section.id)
            if count == 1:
                tip = translate("guide.window", "1 match")
            else:
                tip = translate("guide.window", "{n} matches").format(n=count)
            item.setToolTip(tip)
            self.results_list.addItem(item)
        # As tall as its rows (up to a point), leaving the rest to the contents below.
        listing = self.results_list
        rows = listing.sizeHintForRow(0) + 2 * listing.spacing()
        listing.setFixedHeight(min(rows * len(found), 240) + 2 * listing.frameWidth() + 2)
        if self.current_section is not None:
            self._select_in(self.results_list, self.current_section)

    def _highlight(self) -> None:
        """Mark every match in the section shown, and move to the first."""
        self._matches = []
        self._match_index = -1
        term = self.term
        if term and self.current_section is not None:
            for cursor in find_all(self.browser.document(), term):
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor  # type: ignore[misc]
                selection.format.setBackground(MATCH_COLOUR)
                self._matches.append(selection)
        self.browser.setExtraSelections(self._matches)
        if self._matches:
            self._go_to(0)

    @property
    def match_count(self) -> int:
        """How many matches the section shown has (for tests and the tooltip)."""
        return len(self._matches)

    @property
    def match_index(self) -> int:
        return self._match_index

    def _go_to(self, index: int) -> None:
        self._match_index = index
        selections = []
        for i, match in enumerate(self._matches):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = match.cursor  # type: ignore[misc]
            selection.format.setBackground(CURRENT_COLOUR if i == index else MATCH_COLOUR)
            selections.append(selection)
        self.browser.setExtraSelections(selections)
        cursor = self._matches[index].cursor
        # A cursor without the selection, so the highlight shows rather than the selection.
        cursor.setPosition(cursor.selectionStart())
        self.browser.setTextCursor(cursor)
        # A third of the way down, so the lines around the match are read with it.
        bar = self.browser.verticalScrollBar()
        top = self.browser.cursorRect(cursor).top()
        bar.setValue(bar.value() + top - self.browser.viewport().height() // 3)

    def next_match(self) -> None:
        self._step(1)

    def previous_match(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        if not self.term:
            return
        if self._matches and 0 <= self._match_index + step < len(self._matches):
            self._go_to(self._match_index + step)
            return
        # Past either end of this section: on to the next (or back to the previous) one listed.
        ids = [
            str(self.results_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.results_list.count())
        ]
        if not ids:
            return
        here = ids.index(self.current_section) if self.current_section in ids else -1
        self.show_section(ids[(here + step) % len(ids)])
        if step < 0 and self._matches:
            self._go_to(len(self._matches) - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # F3 and Esc reach here from the search box and the text, which do not use them.
        key = event.key()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_F3:
            self.previous_match() if shift else self.next_match()
        elif key == Qt.Key.Key_Escape:
            self._escape()
        else:
            super().keyPressEvent(event)

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _escape(self) -> None:
        if self.search_edit.text():
            self.search_edit.clear()
        else:
            self.close()


def _space_headings(document: QTextDocument) -> None:
    """Room above each heading below the title, so sections stand apart when read."""
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 1:
            cursor.setPosition(block.position())
            fmt = block.blockFormat()
            fmt.setTopMargin(max(fmt.topMargin(), 14))
            cursor.setBlockFormat(fmt)
        block = block.next()


_window: GuideWindow | None = None


def _top_window(parent: QWidget | None) -> QWidget | None:
    """The outermost window above `parent`: the help window lives as long as it does, not
    as long as the dialog it was opened from."""
    if parent is None:
        return None
    top = parent.window()
    while top.parentWidget() is not None:
        top = top.parentWidget().window()
    return top


def guide_window() -> GuideWindow | None:
    """The help window, if it has been opened and still exists."""
    if _window is not None and shiboken6.isValid(_window):
        return _window
    return None


def close_guide() -> None:
    """Close the help window and let it go (the next `open_guide` builds a new one)."""
    global _window
    window = guide_window()
    _window = None
    if window is not None:
        window.close()
        window.deleteLater()


def open_guide(parent: QWidget | None, section: str | None = None) -> GuideWindow:
    global _window
    window = guide_window()
    owner = _top_window(parent)
    if window is not None and owner is not None and window.parentWidget() is not owner:
        # Opened before from elsewhere (or on its own): move it under this window.
        window.setParent(owner, Qt.WindowType.Window)
    if window is None:
        window = GuideWindow(owner)
        _window = window
    window.show_section(section)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
