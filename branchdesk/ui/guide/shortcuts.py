"""The keyboard shortcuts dialog: every action of a window that has a shortcut, and the keys
that are not actions (saving in a dialog, switching tab, the guide).

Read from the window each time it opens, so an action added later is listed with no change
here, with the keys as the computer names them (⌘ on a Mac).
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

# Keys that work without a QAction of the window: (what they do, the key sequence).
OTHER_KEYS = (
    (QT_TRANSLATE_NOOP("guide.shortcuts", "Save, in a form with a Save button"), "Ctrl+S"),
    (QT_TRANSLATE_NOOP("guide.shortcuts", "Switch to the next tab"), "Ctrl+Tab"),
    (QT_TRANSLATE_NOOP("guide.shortcuts", "Switch to the previous tab"), "Ctrl+Shift+Tab"),
    (QT_TRANSLATE_NOOP("guide.shortcuts", "Open the user guide"), "F1"),
)


def _plain(text: str) -> str:
    """An action's text without its mnemonic "&" (a doubled "&&" is a real ampersand)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _native(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutRow(NamedTuple):
    text: str  # what the keys do: the action's text, without "&"
    keys: str  # as the computer names them
    menu: str  # the menu the action is in ("" for keys that are in none)


def _menu_actions(menu: QMenu, title: str) -> list[tuple[QAction, str]]:
    found: list[tuple[QAction, str]] = []
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            found += _menu_actions(submenu, title)
        else:
            found.append((action, title))
    return found


def window_actions(window: QWidget) -> list[tuple[QAction, str]]:
    """The window's actions with the menu each is in: those in menus first, in menu order,
    then any others (with "" for the menu)."""
    ordered: list[tuple[QAction, str]] = []
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                ordered += _menu_actions(submenu, _plain(action.text()))
    ordered += [(action, "") for action in window.actions() + window.findChildren(QAction)]
    unique: list[tuple[QAction, str]] = []
    seen: set[int] = set()
    for action, menu in ordered:
        if id(action) not in seen:
            seen.add(id(action))
            unique.append((action, menu))
    return unique


def shortcut_rows(window: QWidget) -> list[ShortcutRow]:
    """Every shortcut of `window`: its actions' first, then the keys that are not actions."""
    rows: list[ShortcutRow] = []
    taken: set[str] = set()
    for action, menu in window_actions(window):
        sequences = [s for s in action.shortcuts() if not s.isEmpty()]
        if not sequences or action.isSeparator():
            continue
        # The first keys only: the others are spellings of the same (Ctrl+Shift+Backtab).
        row = ShortcutRow(_plain(action.text()), _native(sequences[0]), menu)
        if row not in rows:
            rows.append(row)
        taken.update(s.toString() for s in sequences)
    for text, keys in OTHER_KEYS:
        sequence = QKeySequence(keys)
        # An action of the window with the same keys says better what they do there.
        if sequence.toString() not in taken:
            rows.append(ShortcutRow(translate("guide.shortcuts", text), _native(sequence), ""))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(translate("guide.shortcuts", "Keyboard shortcuts"))
        intro = QLabel(
            translate(
                "guide.shortcuts",
                "These keys work in this window. The user guide's Keyboard shortcuts section "
                "has more.",
            )
        )
        intro.setWordWrap(True)

        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(translate("guide.shortcuts", "Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels(
            [
                translate("guide.shortcuts", "What it does"),
                translate("guide.shortcuts", "Keys"),
                translate("guide.shortcuts", "Menu"),
            ]
        )
        for row, line in enumerate(rows):
            for column, text in enumerate(line):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.guide_button = buttons.addButton(
            translate("guide.shortcuts", "Open the guide"),
            QDialogButtonBox.ButtonRole.HelpRole,
        )
        self.guide_button.setToolTip(
            translate("guide.shortcuts", "Open the Keyboard shortcuts section of the user guide")
        )
        self.guide_button.clicked.connect(self._open_guide)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setToolTip(translate("guide.shortcuts", "Close this list"))

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(540, 600)

    def rows(self) -> list[ShortcutRow]:
        """What the table shows, row by row (for tests and checks)."""
        table = self.table
        return [
            ShortcutRow(*(table.item(row, column).text() for column in range(3)))
            for row in range(table.rowCount())
        ]

    def _open_guide(self) -> None:
        from branchdesk.ui.guide import show_guide

        show_guide(self, "shortcuts")
