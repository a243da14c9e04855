"""What a tab or dialog needs from the application, handed in rather than looked up.

A tab built with an `AppContext` of its own (a temporary database, fresh preferences, a fake
dialog service, a synchronous worker) runs alone in a test exactly as it runs in the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from branchdesk.settings import Preferences
from branchdesk.store.database import Database
from branchdesk.ui.dialogs import DialogService
from branchdesk.ui.worker import Worker

# Register names operations report as changed, so only the tabs showing them refresh.
MEMBERS = "members"


class AppEvents(QObject):
    """Application-wide news a tab may want to act on."""

    # Another database was opened (New, Open, Restore): everything shown is out of date.
    database_changed = Signal()
    # Some registers changed (a save, an import): a set of register names.
    data_changed = Signal(object)
    # Branch name or officer name changed.
    preferences_changed = Signal()


@dataclass
class AppContext:
    db: Database
    preferences: Preferences
    dialogs: DialogService
    worker: Worker
    events: AppEvents = field(default_factory=AppEvents)

    def changed(self, *registers: str) -> None:
        """Tell every tab that these registers changed."""
        self.events.data_changed.emit(set(registers))
