"""A small base for the main window's tabs.

A tab gets everything through its `AppContext`, refreshes when the database is swapped or a
register it shows (`registers`) changes, and does so only when it is visible: a hidden tab
just notes that it is out of date and catches up when it is shown. Its connections to the
shared events are undone in `cleanup`, so a closed tab never runs against a disposed database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from branchdesk.ui.context import AppContext


class TabBase(QWidget):
    title: str = ""
    registers: frozenset[str] = frozenset()
    # The tab wants to be the one showing (a shortcut for it was pressed on another tab).
    activate_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._connections: list[QMetaObject.Connection] = []
        self._stale = False
        self.watch(ctx.events.database_changed, self._on_database_changed)
        self.watch(ctx.events.data_changed, self._on_data_changed)

    def watch(self, signal: SignalInstance, slot: Callable[..., Any]) -> None:
        """Connect to a shared signal; undone by `cleanup`."""
        self._connections.append(signal.connect(slot))

    def cleanup(self) -> None:
        for connection in self._connections:
            QObject.disconnect(connection)
        self._connections.clear()

    # -- refreshing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read what the tab shows from the database again. Override."""

    def database_changed(self) -> None:
        """A different database is open now. Override if more than a refresh is needed."""
        self.refresh()

    def _on_database_changed(self) -> None:
        self.database_changed()
        self._stale = False

    def _on_data_changed(self, registers: set[str]) -> None:
        if not self.registers & set(registers):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()
