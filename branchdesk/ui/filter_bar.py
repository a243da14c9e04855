"""The search box above a table: type, and the table narrows a moment later."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

# Untranslated: translated where it is shown, once a translator is installed.
PLACEHOLDER = QT_TRANSLATE_NOOP("filter_bar", "Search by name, number, employer or workplace")
# Long enough that a fast typist's "smith" is one query, not five; short enough to feel instant.
DEBOUNCE_MS = 150


class _SearchEdit(QLineEdit):
    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    """A search line edit with a clear button; emits `search_changed` after a short pause."""

    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, placeholder: str | None = None) -> None:
        """`placeholder` is shown as given (the caller translates it); None gives the default."""
        super().__init__(parent)
        if placeholder is None:
            placeholder = translate("filter_bar", PLACEHOLDER)
        self.edit = _SearchEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName(translate("filter_bar", "Search"))
        self.edit.setToolTip(
            translate("filter_bar", "{placeholder} (Ctrl+F). Every word must match.").format(
                placeholder=placeholder
            )
        )
        self.edit.setMinimumWidth(360)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self._emitted = ""

        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.returnPressed.connect(self._emit)  # Enter searches at once
        self.edit.escape_pressed.connect(self.clear)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)

    def text(self) -> str:
        return self.edit.text().strip()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)
        self._emit()

    def clear(self) -> None:
        self.edit.clear()
        self._emit()

    def focus_search(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def _on_text_changed(self, _text: str) -> None:
        self._timer.start()

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text()
        if text != self._emitted:
            self._emitted = text
            self.search_changed.emit(text)
