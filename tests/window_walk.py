"""Walking a window's pages, shared by the accessibility and translation tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QTabWidget, QWidget

# What opens the main dialogs through the dialog service, from the window: the menus' actions,
# then the buttons' slots (called as a click would call them).
OPENERS = (
    "preferences_action.trigger",
    "rules_action.trigger",
    "sar_action.trigger",
    "retention_action.trigger",
    "where_action.trigger",
    "members_tab.add_action.trigger",
    "casework_tab.cases_page.open_case",
    "demands_tab.new_claim",
    "outsourcing_tab.new_contract",
    "hardship_tab.new_fund",
    "hardship_tab.claims_page.new_claim",
    "hardship_tab.donations_page.record_donation",
    "hardship_tab.ledger_page.record_entry",
)


def inside_tab_widget(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QTabWidget):
            return True
        parent = parent.parentWidget()
    return False


def visit_every_page(qtbot: Any, top: QWidget, seen: Callable[[], None]) -> None:
    """Call `seen()` with each tab of each tab widget showing in turn, nested ones too."""

    def visit(tabs: QTabWidget) -> None:
        for index in range(tabs.count()):
            if not tabs.isTabEnabled(index):
                continue
            tabs.setCurrentIndex(index)
            qtbot.wait(5)
            seen()
            for inner in tabs.widget(index).findChildren(QTabWidget):
                if inner.isVisibleTo(top):
                    visit(inner)

    seen()
    for tabs in top.findChildren(QTabWidget):
        # The outermost ones; visit() reaches those inside.
        if tabs.isVisibleTo(top) and not inside_tab_widget(tabs, top):
            visit(tabs)
