"""The idle lock: after some minutes without a key or a click, the window hides what it shows.

`IdleWatch` watches every input event of the application and fires `idle` once the minutes set
in Preferences (`lock_after_minutes`, 0 for never) pass without one. `Cover` is what hides a
window's content meanwhile: an opaque sheet over the whole window, dialogs included, so a
member's details left open on a shared office PC cannot be read by whoever passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

# Events that show someone is at the keyboard.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatch(QObject):
    """Fires `idle` after `minutes()` minutes without input; not at all while that is 0."""

    idle = Signal()
    # Tests shorten the minute; nothing else should.
    MS_PER_MINUTE = 60_000
    # Restarting the timer on every mouse move would be wasteful: once a second is enough.
    RESTART_EVERY_S = 1.0

    def __init__(self, minutes: Callable[[], int], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._minutes = minutes
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer of many minutes is rounded to whole seconds; precise, every restart
        # counts from the input that caused it.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.idle)
        self._restarted = 0.0
        self._watching = False

    @property
    def interval_ms(self) -> int:
        return max(0, int(self._minutes())) * self.MS_PER_MINUTE

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Watch from now (again after an unlock, or after the minutes were changed)."""
        app = QCoreApplication.instance()
        interval = self.interval_ms
        if app is None or interval <= 0:
            self.stop()
            return
        if not self._watching:
            # The whole application's events: a key typed in any dialog counts.
            app.installEventFilter(self)
            self._watching = True
        self._timer.start(interval)
        self._restarted = time.monotonic()

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if self._watching and app is not None:
            app.removeEventFilter(self)
        self._watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            now = time.monotonic()
            if now - self._restarted >= self.RESTART_EVERY_S:
                self._restarted = now
                self._timer.start()
        return False


class Cover(QWidget):
    """An opaque sheet over one window's whole content, following its size."""

    def __init__(self, window: QWidget, text: str) -> None:
        super().__init__(window)
        self.setObjectName("lockCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        self.setStyleSheet("QWidget#lockCover { background: #e4e8ec; }")
        label = QLabel(text)
        label.setObjectName("tabSubheading")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
            self.raise_()
        elif event.type() == QEvent.Type.ChildAdded:
            # A widget added to the window later (a tab built after the first paint) stays under.
            QTimer.singleShot(0, self, self.raise_)
        return False

    def remove(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.deleteLater()
