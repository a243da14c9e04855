"""The search box: one search per pause in typing, Enter and Escape act at once."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)
from qt_checks import pseudo_translation, unnamed_inputs

from branchdesk.ui.filter_bar import PLACEHOLDER, FilterBar

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def bar(qtbot: Any) -> FilterBar:
    widget = FilterBar()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_placeholder_and_clear_button(bar: FilterBar) -> None:
    assert bar.edit.placeholderText() == PLACEHOLDER
    assert bar.edit.isClearButtonEnabled()


def test_typing_emits_one_search_after_a_pause(qtbot: Any, bar: FilterBar) -> None:
    searches: list[str] = []
    bar.search_changed.connect(searches.append)
    with qtbot.waitSignal(bar.search_changed, timeout=2000):
        qtbot.keyClicks(bar.edit, "smith")
    assert searches == ["smith"]


def test_enter_searches_at_once_and_escape_clears(qtbot: Any, bar: FilterBar) -> None:
    searches: list[str] = []
    bar.search_changed.connect(searches.append)
    qtbot.keyClicks(bar.edit, "  jones ")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert searches == ["jones"]
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert bar.edit.text() == ""
    assert searches == ["jones", ""]
    # The debounce timer, when it fires, finds nothing new: no repeated search.
    bar._timer.start()
    qtbot.waitUntil(lambda: not bar._timer.isActive(), timeout=2000)
    assert searches == ["jones", ""]


def test_the_search_box_has_a_name_for_screen_readers(bar: FilterBar) -> None:
    assert unnamed_inputs(bar) == []
    assert bar.edit.accessibleName() == "Search"


def test_the_check_finds_a_field_without_a_name(qtbot: Any) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    layout = QFormLayout(form)
    named = QLineEdit()
    named.setObjectName("named")
    layout.addRow("Branch name", named)  # the label is its buddy, and names it
    bare = QLineEdit()
    bare.setObjectName("bare")
    bare.setPlaceholderText("a placeholder is not a name")
    layout.addRow(bare)
    spin = QAbstractSpinBox()
    layout.addRow(spin)
    spin.setAccessibleName("Years")
    assert unnamed_inputs(form) == ["QLineEdit 'bare'"]


def test_the_default_words_go_through_the_translator(qtbot: Any) -> None:
    with pseudo_translation():
        bar = FilterBar()
        qtbot.addWidget(bar)
    assert bar.edit.placeholderText() == f"[{PLACEHOLDER}]"
    assert bar.edit.accessibleName() == "[Search]"
    # The caller's placeholder is shown as given: the caller translated it.
    claims = FilterBar(placeholder="Search claims")
    qtbot.addWidget(claims)
    assert claims.edit.placeholderText() == "Search claims"
