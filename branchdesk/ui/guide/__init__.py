"""The user guide shipped with the app, in a help window, and the list of keyboard shortcuts.

Any part of the window can open the guide at the section it needs:
`show_guide(self, "casework")`. The sections are listed in `content.SECTION_IDS`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

__all__ = ["show_guide", "show_shortcuts"]


def show_guide(parent: QWidget | None, section: str | None = None) -> None:
    """Open the help window (or bring it forward) at `section`; at the contents when it is
    None or not a section of the guide."""
    from branchdesk.ui.guide.window import open_guide

    open_guide(parent, section)


def show_shortcuts(window: QWidget) -> None:
    """Show the keyboard shortcuts of `window` in a dialog beside it (not modal)."""
    from branchdesk.ui.guide.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
