"""What a register shows in place of an empty list: what to do first, and a link.

A register with nothing in it says what to do first and links to the user guide's section on
it; a filter or search that hides everything says so, without the guide (it would not help),
or with a link to one of the page's own actions (such as "#show-all") that brings them back.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from branchdesk.ui import style


def open_guide(parent: QWidget, section: str) -> None:
    """The user guide at `section` (imported when asked: the window starts without it)."""
    from branchdesk.ui.guide import show_guide

    show_guide(parent, section)


def link_label(name: str = "emptyLink") -> QLabel:
    """A centred, wrapped label for one link, reachable with Tab and Enter as well as the mouse."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.LinksAccessibleByMouse
        | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    )
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    label.setOpenExternalLinks(False)
    return label


def set_link(label: QLabel, link_text: str, href: str) -> None:
    """`label` shows one link, `link_text` to `href`, and is read out by its words."""
    label.setText(f'<a href="{html.escape(href)}">{html.escape(link_text)}</a>')
    label.setAccessibleName(link_text)


class EmptyState(QWidget):
    """A sentence or two, centred and wrapped, with one link on a line of its own below."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        # Links whose address names an action of the page rather than a guide section.
        self.actions: dict[str, Callable[[], None]] = {}
        self.href = ""  # where the link shown goes (empty: no link)
        self.message = QLabel()
        self.message.setObjectName("emptyMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet(f"color: {style.MUTED};")
        self.link = link_label()
        self.link.linkActivated.connect(self.activate)
        column = QVBoxLayout(self)
        column.setContentsMargins(40, 24, 40, 24)
        column.setSpacing(10)
        column.addStretch(1)
        # Lines of a readable length, however wide the window: each label grows to at most
        # that width, centred between stretches (an alignment would shrink it to one word).
        readable = self.fontMetrics().averageCharWidth() * 72
        for label in (self.message, self.link):
            label.setMaximumWidth(readable)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(label, 100)
            row.addStretch(1)
            column.addLayout(row)
        column.addStretch(2)
        self.link.hide()

    def show_text(self, text: str, link_text: str = "", href: str = "") -> None:
        """Say `text` (plain), with a link `link_text` to `href` (a guide section or one of
        `actions`) if given."""
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.setAccessibleName(text)
        if link_text and href:
            set_link(self.link, link_text, href)
            self.link.show()
        else:
            self.link.clear()
            self.link.setAccessibleName("")
            self.link.hide()
        self.href = href if link_text else ""

    def text(self) -> str:
        """What the message says (without the link)."""
        return self.message.text()

    def activate(self, href: str) -> None:
        action = self.actions.get(href)
        if action is not None:
            action()
        else:
            open_guide(self, href)
