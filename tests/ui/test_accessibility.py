"""What a screen reader or a keyboard user meets: every action says what it does, every field
has a name.

The window is built on the demo branch and every tab, and every tab inside a tab, is shown in
turn; then the dialogs the menus open are opened the way the other tests open them. Failures
list the module that built the widget, then its objectName (or class) path, so the owner can
find it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QSlider,
    QSplitter,
    QTextEdit,
    QToolBar,
    QWidget,
)
from window_walk import OPENERS, visit_every_page

from branchdesk.demo import fill_demo
from branchdesk.store.database import Database, open_database

pytestmark = pytest.mark.timeout(120)

INPUTS = (
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QCheckBox,
    QRadioButton,
    QAbstractItemView,
    QSlider,
)


def open_each_dialog(window: Any, dialogs: Any, inspect: Callable[[Any], None]) -> list[str]:
    """Open each dialog in OPENERS with `inspect` as the person working it; returns what
    could not be opened (a greyed-out action, or a question asked first)."""
    missed = []
    for path in OPENERS:
        target: Any = window
        for part in path.split("."):
            target = getattr(target, part, None)
        owner = getattr(target, "__self__", None)
        if target is None or (isinstance(owner, QAction) and not owner.isEnabled()):
            missed.append(f"{path}: not there or greyed out")
            continue
        dialogs.dialogs.append(inspect)
        try:
            target()
        except AssertionError as exc:  # the fake dialog service was asked something else
            missed.append(f"{path}: {exc}")
        if dialogs.dialogs:
            dialogs.dialogs.clear()
            missed.append(f"{path}: opened no dialog")
    return missed


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """The demo branch, so every page has rows, details and totals to show."""
    database = open_database(tmp_path / "demo.sqlite3", officer="Test Officer")
    fill_demo(database, "small", 1)
    yield database
    database.dispose()


def where(obj: Any) -> str:
    """`[casework.cases_page] caseSplitter/casesTable (QTableView)`."""
    parts, owner = [], ""
    kind = type(obj).__name__
    while obj is not None:
        if not owner and type(obj).__module__.startswith("branchdesk.ui."):
            owner = type(obj).__module__.removeprefix("branchdesk.ui.")
        name = obj.objectName()
        if not name.startswith("qt_"):
            parts.append(name or type(obj).__name__)
        obj = obj.parent()
    return f"[{owner or '?'}] {'/'.join(reversed(parts))} ({kind})"


def _is_qt_own(obj: Any) -> bool:
    return obj.objectName().startswith(("qt_", "_q_"))


def _plain(text: str) -> str:
    """An action's text as Qt shows it in its default tooltip: no & and no trailing dots."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.removesuffix("...").removesuffix("…").strip()


def actions_in(top: QWidget) -> dict[QAction, bool]:
    """Every action reachable in a window, with whether it sits in a menu (menus, toolbars,
    context actions on views, buttons' drop-down menus)."""
    found: dict[QAction, bool] = {}

    def from_menu(menu: QMenu) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                from_menu(action.menu())
            else:
                found[action] = True

    for menu in top.findChildren(QMenu):
        from_menu(menu)
    if hasattr(top, "menuBar"):
        for action in top.menuBar().actions():
            if action.menu() is not None:
                from_menu(action.menu())
    for widget in [top, *top.findChildren(QWidget)]:
        # QWidget.actions: a tab may have an `actions` attribute of its own.
        for action in QWidget.actions(widget):
            if action.menu() is not None:
                from_menu(action.menu())
            else:
                found.setdefault(action, isinstance(widget, QMenu))
    for toolbar in top.findChildren(QToolBar):
        for action in toolbar.actions():
            found.setdefault(action, False)
    for action in top.findChildren(QAction):
        found.setdefault(action, False)
    # A submenu's own action is its title, not something to do.
    return {
        a: in_menu
        for a, in_menu in found.items()
        if not a.isSeparator() and a.menu() is None and not _is_qt_own(a)
    }


def action_problems(top: QWidget) -> list[str]:
    problems = []
    for action, in_menu in actions_in(top).items():
        text, tip = action.text(), action.toolTip().strip()
        if not tip or tip in (_plain(text), text.replace("&", "").strip()):
            problems.append(f"{where(action)} {text!r}: no tooltip of its own")
        elif in_menu and not action.statusTip().strip():
            problems.append(f"{where(action)} {text!r}: in a menu without a status tip")
    return problems


def _label_for(widget: QWidget) -> str:
    """What Qt's accessibility falls back on for a name: a label beside the widget that points
    at it (setBuddy; QFormLayout.addRow("Text", widget) does that), or its group box's title."""
    parent = widget.parentWidget()
    if parent is None:
        return ""
    for label in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if label.buddy() is widget and label.text().strip():
            return label.text()
    return parent.title() if isinstance(parent, QGroupBox) else ""


def screen_reader_name(widget: QWidget) -> str:
    if isinstance(widget, QComboBox):
        # On Linux Qt gives a combo box's current value as its name, so a combo box without a
        # label would pass here and fail on Windows: ask for the name it is given.
        return widget.accessibleName() or _label_for(widget)
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def _is_part_of_another(widget: QWidget) -> bool:
    """The line edit inside a combo or spin box, a table's header, a calendar's grid."""
    if isinstance(widget, QHeaderView) or _is_qt_own(widget):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QCalendarWidget)):
            return True
        parent = parent.parentWidget()
    return False


def nameless_inputs(top: QWidget) -> list[str]:
    return [
        where(widget)
        for widget in top.findChildren(QWidget)
        if isinstance(widget, INPUTS)
        and widget.isVisibleTo(top)
        and not _is_part_of_another(widget)
        and not screen_reader_name(widget)
    ]


class Findings:
    """Problems found on every visit, each listed once."""

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}

    def check(self, top: QWidget) -> None:
        for problem in action_problems(top):
            self.seen[f"action {problem}"] = None
        for problem in nameless_inputs(top):
            self.seen[f"no accessible name: {problem}"] = None

    def report(self) -> str:
        lines = sorted(self.seen, key=lambda line: line.split("] ")[0].split("[")[-1])
        return f"{len(lines)} problems:\n" + "\n".join(lines)


def test_the_window_names_every_action_and_field(qtbot: Any, window: Any) -> None:
    findings = Findings()
    visit_every_page(qtbot, window, lambda: findings.check(window))
    assert not findings.seen, findings.report()


def test_the_main_dialogs_name_every_action_and_field(
    qtbot: Any, window: Any, dialogs: Any
) -> None:
    findings = Findings()
    opened: list[str] = []

    def inspect(dialog: Any) -> None:
        opened.append(type(dialog).__name__)
        visit_every_page(qtbot, dialog, lambda: findings.check(dialog))
        dialog.reject()

    missed = open_each_dialog(window, dialogs, inspect)
    assert len(opened) >= len(OPENERS) - 3, f"opened {opened}; not opened: {missed}"

    window.audit_action.trigger()
    viewer = window.audit_viewer
    qtbot.waitExposed(viewer)
    visit_every_page(qtbot, viewer, lambda: findings.check(viewer))
    viewer.close()
    assert not findings.seen, findings.report()


def unnamed_layouts(top: QWidget) -> list[str]:
    """Splitters and item views without an objectName: their column widths and splitter
    positions are remembered between runs under that name."""
    return [
        where(widget)
        for widget in top.findChildren(QWidget)
        if isinstance(widget, (QSplitter, QAbstractItemView))
        and widget.isVisibleTo(top)
        and not _is_part_of_another(widget)
        and not widget.objectName()
    ]


def test_splitters_and_views_have_names_to_remember_them_by(qtbot: Any, window: Any) -> None:
    unnamed: dict[str, None] = {}

    def seen() -> None:
        unnamed.update(dict.fromkeys(unnamed_layouts(window)))

    visit_every_page(qtbot, window, seen)
    assert not unnamed, "no objectName:\n" + "\n".join(sorted(unnamed))


def test_the_checks_catch_what_they_are_for(qtbot: Any) -> None:
    """A nameless field, a combo box whose only "name" is its value, and an action whose
    tooltip is its text are caught; labelled ones pass."""
    page = QWidget()
    qtbot.addWidget(page)
    form = QFormLayout(page)
    form.addRow("Surname", QLineEdit())
    nameless = QLineEdit()
    form.addRow(nameless)
    unnamed_combo = QComboBox()
    unnamed_combo.addItems(["Open", "Closed"])
    form.addRow(unnamed_combo)
    labelled_combo = QComboBox()
    labelled_combo.addItems(["Open", "Closed"])
    form.addRow("Stage", labelled_combo)
    searched = QLineEdit()
    searched.setAccessibleName("Search members")
    form.addRow(searched)
    splitter = QSplitter()
    listed = QListWidget()
    listed.setObjectName("namesList")
    listed.setAccessibleName("Names")
    splitter.addWidget(listed)
    form.addRow(splitter)
    page.addAction(QAction("Refresh", page))
    tipped = QAction("&Export…", page)
    tipped.setToolTip("Write the list to a spreadsheet")
    page.addAction(tipped)
    page.show()
    qtbot.waitExposed(page)
    assert sorted(nameless_inputs(page)) == sorted([where(nameless), where(unnamed_combo)])
    assert [p.split("'")[1] for p in action_problems(page)] == ["Refresh"]
    assert unnamed_layouts(page) == [where(splitter)]
