"""The one background helper: run a plain function off the GUI thread, then call back on it.

`Worker.run(fn, on_done=..., on_error=...)` runs `fn()` on a thread of the worker's own pool
and calls `on_done(result)` or `on_error(exc)` later on the GUI thread. `run_with_progress`
gives the function a `Progress` that moves a progress dialog (with a Cancel button wired to
`progress.cancel()`); `Cancelled` ends up in `on_cancelled`, never in `on_error`.

Threads never touch widgets: the function only computes, and every callback runs on the GUI
thread through a queued signal. The signals live on a separate QObject created on the GUI
thread (subclassing QRunnable and QObject together breaks under PySide6).

`run(..., quiet=True)` is for short reads the user is not waiting on as "work" (the ids of a
search): they run on a pool of their own, so they never queue behind an import, and they do
not make the worker `busy` (no disabled menus, no "still running" question on quit).

`Worker(synchronous=True)` runs everything inline, for tests that want no threads.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    SIGNAL,
    SLOT,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from branchdesk.progress import Cancelled, Progress
from branchdesk.ui.i18n import translate
from branchdesk.ui.log_safe import error_kind, redacted_traceback

log = logging.getLogger(__name__)

# At most this many progress updates a second cross to the GUI thread: a loop reporting every
# row would otherwise flood the event queue and freeze the window it is meant to keep alive.
UPDATES_PER_SECOND = 20
# Work that is over before this never flashes a progress dialog on and off.
SHOW_PROGRESS_AFTER_MS = 300

Callback = Callable[[Any], None]


def report_unhandled(exc: BaseException) -> None:
    """The default error callback: hand the error to the global exception hook."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


class _Relay(QObject):
    """Carries a job's outcome from the pool thread to the GUI thread.

    Created on the GUI thread, so signals emitted from the pool thread reach these slots
    through the event queue (a queued connection), and the callbacks run on the GUI thread.
    """

    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progressed = Signal(int, int)

    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.cancelled.connect(self._on_cancelled, Qt.ConnectionType.QueuedConnection)
        self.progressed.connect(self._on_progressed, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._task._finish("done", result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self._task._finish("error", exc)

    @Slot()
    def _on_cancelled(self) -> None:
        self._task._finish("cancelled", None)

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        self._task._show_progress(done, total)


class _Job(QRunnable):
    """What the pool runs: the function, and the relay to report through. No QObject here."""

    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        relay = self._relay
        try:
            result = self._fn()
        except Cancelled:
            relay.cancelled.emit()
        except BaseException as exc:  # everything goes back to the GUI thread, nothing is lost
            relay.failed.emit(exc)
        else:
            relay.finished.emit(result)
        finally:
            # Drop our references on this thread; the task keeps the relay alive until it is done.
            self._fn = None  # type: ignore[assignment]
            self._relay = None  # type: ignore[assignment]


class Task:
    """One piece of background work, from start to its single callback."""

    def __init__(
        self,
        worker: Worker,
        on_done: Callback | None,
        on_error: Callback | None,
        on_cancelled: Callable[[], None] | None,
        progress: Progress | None = None,
        dialog: QProgressDialog | None = None,
        discard_if_cancelled: bool = False,
        quiet: bool = False,
    ) -> None:
        self._worker = worker
        self.quiet = quiet
        self._on_done = on_done
        self._on_error = on_error or report_unhandled
        self._on_cancelled = on_cancelled
        self.progress = progress
        self.dialog = dialog
        self._discard_if_cancelled = discard_if_cancelled
        self.relay = _Relay(self)
        self.outcome: str | None = None  # "done", "error" or "cancelled" once finished
        self.dialog_shown = False
        self._last_emit = 0.0

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def cancel(self) -> None:
        if self.progress is not None and not self.finished:
            self.progress.cancel()
            if self.dialog is not None:
                self.dialog.setLabelText(translate("worker", "Cancelling…"))
                button = self.dialog.findChild(QPushButton, "cancelButton")
                if button is not None:
                    button.setEnabled(False)

    # -- called on the pool thread -------------------------------------------------------------

    def _progress_callback(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last_emit < 1.0 / UPDATES_PER_SECOND:
            return
        self._last_emit = now
        self.relay.progressed.emit(done, total)

    # -- called on the GUI thread --------------------------------------------------------------

    def _show_dialog(self) -> None:
        if self.dialog is not None and not self.finished:
            self.dialog_shown = True
            self.dialog.show()

    def _show_progress(self, done: int, total: int) -> None:
        if self.dialog is None or self.finished:
            return
        # QProgressDialog takes ints; scale large totals down so they fit its 32-bit range.
        scale = max(1, total // 1_000_000)
        self.dialog.setMaximum(max(1, total // scale))
        self.dialog.setValue(min(done // scale, self.dialog.maximum()))

    def _finish(self, outcome: str, value: object) -> None:
        if self.finished:
            return
        if (
            outcome == "done"
            and self._discard_if_cancelled
            and self.progress is not None
            and self.progress.cancelled
        ):
            outcome, value = "cancelled", None
        self.outcome = outcome
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self._worker._forget(self)
        if outcome == "done":
            if self._on_done is not None:
                self._on_done(value)
        elif outcome == "error":
            assert isinstance(value, BaseException)
            # By type and frames only: the message may quote a member's details. A quiet read's
            # caller logs its own failures (a locked database retried each second would
            # otherwise fill the log).
            if not self.quiet:
                log.warning(
                    "background work failed: %s\n%s", error_kind(value), redacted_traceback(value)
                )
            self._on_error(value)
        elif self._on_cancelled is not None:
            self._on_cancelled()


class Worker(QObject):
    """Runs functions on its own thread pool and calls back on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        synchronous: bool = False,
        max_threads: int = 2,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.quiet_pool = QThreadPool(self)
        self.quiet_pool.setMaxThreadCount(2)
        self._tasks: set[Task] = set()
        self._quiet_tasks: set[Task] = set()  # kept alive until their callback has run

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_done: Callback | None = None,
        on_error: Callback | None = None,
        on_cancelled: Callable[[], None] | None = None,
        quiet: bool = False,
    ) -> Task:
        """Run `fn()` in the background; exactly one callback follows on the GUI thread."""
        task = Task(self, on_done, on_error, on_cancelled, quiet=quiet)
        self._start(task, fn)
        return task

    def run_with_progress(
        self,
        fn: Callable[[Progress], Any],
        *,
        parent: QWidget | None,
        title: str,
        label: str,
        on_done: Callback | None = None,
        on_error: Callback | None = None,
        on_cancelled: Callable[[], None] | None = None,
        discard_if_cancelled: bool = False,
    ) -> Task:
        """Run `fn(progress)` with a progress dialog and a Cancel button.

        `discard_if_cancelled` is for work that changes nothing (checking a file): if Cancel was
        pressed, its result is thrown away even when the function finished without noticing.
        """
        dialog = _progress_dialog(parent, title, label)
        task = Task(
            self,
            on_done,
            on_error,
            on_cancelled,
            dialog=dialog,
            discard_if_cancelled=discard_if_cancelled,
        )
        task.progress = Progress(task._progress_callback)
        dialog.canceled.connect(task.cancel)
        progress = task.progress
        self._start(task, lambda: fn(progress))
        return task

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until the pools' threads are idle (used at shutdown and by tests)."""
        return self.pool.waitForDone(msecs) and self.quiet_pool.waitForDone(msecs)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _start(self, task: Task, fn: Callable[[], Any]) -> None:
        if task.quiet:
            self._quiet_tasks.add(task)
        else:
            was_busy = self.busy
            self._tasks.add(task)
            if not was_busy:
                self.busy_changed.emit(True)
        if task.dialog is not None and not self.synchronous:
            QTimer.singleShot(SHOW_PROGRESS_AFTER_MS, task.relay, task._show_dialog)
        if self.synchronous:
            self._run_inline(task, fn)
            return
        (self.quiet_pool if task.quiet else self.pool).start(_Job(fn, task.relay))

    def _run_inline(self, task: Task, fn: Callable[[], Any]) -> None:
        task._last_emit = float("-inf")
        try:
            result = fn()
        except Cancelled:
            task._finish("cancelled", None)
        except BaseException as exc:
            task._finish("error", exc)
        else:
            task._finish("done", result)

    def _forget(self, task: Task) -> None:
        if task.quiet:
            self._quiet_tasks.discard(task)
            return
        self._tasks.discard(task)
        if not self._tasks:
            self.busy_changed.emit(False)


def _progress_dialog(parent: QWidget | None, title: str, label: str) -> QProgressDialog:
    # `title` and `label` come translated from the caller.
    dialog = QProgressDialog(label, translate("worker", "Cancel"), 0, 0, parent)
    dialog.setWindowTitle(title)
    # Not modal: the window keeps painting and can be looked at while the work goes on.
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)  # its own auto-show agrees with ours
    dialog.setMinimumWidth(420)
    button = QPushButton(translate("worker", "Cancel"), dialog)
    button.setObjectName("cancelButton")
    dialog.setCancelButton(button)
    # QProgressDialog's own cancel() hides the dialog at once; we keep it up, saying
    # "Cancelling…", until the work has really stopped and its transaction is rolled back.
    QObject.disconnect(dialog, SIGNAL("canceled()"), dialog, SLOT("cancel()"))
    return dialog
