"""The tab base: refresh when a register it shows changes, only when visible; clean up."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QTabWidget

from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.tab_base import TabBase

pytestmark = pytest.mark.timeout(60)


class CountingTab(TabBase):
    registers = frozenset({MEMBERS})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.refreshes = 0

    def refresh(self) -> None:
        self.refreshes += 1


@pytest.fixture
def tabs(qtbot: Any, ctx: AppContext) -> tuple[QTabWidget, CountingTab, CountingTab]:
    widget = QTabWidget()
    first, second = CountingTab(ctx), CountingTab(ctx)
    widget.addTab(first, "First")
    widget.addTab(second, "Second")
    qtbot.addWidget(widget)
    widget.show()
    return widget, first, second


def test_only_the_visible_tab_refreshes_at_once(tabs: Any, ctx: AppContext) -> None:
    widget, first, second = tabs
    ctx.changed(MEMBERS)
    assert (first.refreshes, second.refreshes) == (1, 0)
    widget.setCurrentWidget(second)  # the hidden tab catches up when it is shown
    assert second.refreshes == 1
    widget.setCurrentWidget(first)
    assert first.refreshes == 1  # nothing changed meanwhile: no extra refresh


def test_other_registers_are_ignored(tabs: Any, ctx: AppContext) -> None:
    _widget, first, _second = tabs
    ctx.changed("hardship")
    assert first.refreshes == 0


def test_database_change_refreshes_and_cleanup_disconnects(tabs: Any, ctx: AppContext) -> None:
    _widget, first, second = tabs
    ctx.events.database_changed.emit()
    assert (first.refreshes, second.refreshes) == (1, 1)
    first.cleanup()
    ctx.events.database_changed.emit()
    ctx.changed(MEMBERS)
    assert first.refreshes == 1
    assert second.refreshes == 2
