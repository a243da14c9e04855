"""What the window offers an officer's role: a convenience, not the check.

The real check is made on every database session (`branchdesk.access.policy`); here the window
only leaves out what the role cannot read and greys out what it cannot change, saying why, so
nobody clicks a button just to be refused.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QWidget

from branchdesk.access.principal import Principal
from branchdesk.access.roles import AREA_LABELS, READ, WRITE, Area, can
from branchdesk.store.database import Database
from branchdesk.ui.i18n import translate


def may(db: Database, area: Area, action: str = READ) -> bool:
    """May whoever is at the keyboard do this? Always, on a database without accounts."""
    if not db.sign_in_required:
        return True
    principal = db.principal
    return principal is not None and can(principal.role, area, action)


def refusal(principal: Principal | None, area: Area, action: str = WRITE) -> str:
    """Why a control is greyed out, in a sentence."""
    if principal is None:
        return translate("officers.gate", "Sign in first.")
    if area is Area.OFFICERS and action == WRITE:
        return translate("officers.gate", "Only the branch secretary manages officers' accounts.")
    # The role's and the area's names are the access rules' own words.
    text = (
        translate("officers.gate", "Your role ({role}) does not include changing {area}.")
        if action == WRITE
        else translate("officers.gate", "Your role ({role}) does not include seeing {area}.")
    )
    return text.format(role=principal.role_label, area=AREA_LABELS[area])


def sentence(text: str) -> str:
    """A domain message ("there is already…") as a sentence to show."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


class _KeepDisabled(QObject):
    """Puts a widget back to disabled whenever its own code enables it (on a new selection)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.EnabledChange
            and isinstance(watched, QWidget)
            and watched.isEnabled()
        ):
            watched.setEnabled(False)
        return False


class Gate(QObject):
    """Greys out actions and buttons for one officer, and gives them back for the next.

    An action goes into a disabled action group, which keeps it disabled whatever its tab does;
    a button gets an event filter that does the same.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._group = QActionGroup(self)
        self._group.setExclusive(False)
        self._group.setEnabled(False)
        self._keeper = _KeepDisabled(self)
        # Each control's own tooltip and enabled state, to give back.
        self._tips: dict[int, tuple[QObject, str, bool]] = {}

    def refuse(self, control: QAction | QWidget, reason: str) -> None:
        key = id(control)
        if key not in self._tips:
            self._tips[key] = (control, control.toolTip(), control.isEnabled())
        control.setToolTip(reason)
        if isinstance(control, QAction):
            control.setStatusTip(reason)
            self._group.addAction(control)
        else:
            control.installEventFilter(self._keeper)
            control.setEnabled(False)

    def refused(self, control: QAction | QWidget) -> bool:
        return id(control) in self._tips

    def clear(self) -> None:
        """Give every control back its own state and tooltip."""
        for control, tip, enabled in self._tips.values():
            if not shiboken6.isValid(control):
                continue  # a tab's button, gone with its tab
            if isinstance(control, QAction):
                control.setToolTip(tip)
                control.setStatusTip(tip)
                # Leaving the group does not enable an action again by itself.
                self._group.removeAction(control)
                control.setEnabled(enabled)
            elif isinstance(control, QWidget):
                control.setToolTip(tip)
                control.removeEventFilter(self._keeper)
                control.setEnabled(enabled)
        self._tips.clear()
