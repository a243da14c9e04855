"""The background helper: results, errors and cancellation come back on the GUI thread."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QPushButton

from branchdesk.progress import Cancelled, Progress
from branchdesk.ui.worker import Worker

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def threaded(qapp: Any) -> Any:
    runner = Worker()
    yield runner
    runner.cancel_all()
    assert runner.wait_for_done(10_000)


def test_synchronous_mode_calls_back_at_once(worker: Worker) -> None:
    results: list[Any] = []
    worker.run(lambda: 6 * 7, on_done=results.append)
    assert results == [42]
    assert not worker.busy


def test_synchronous_error_goes_to_on_error(worker: Worker) -> None:
    errors: list[BaseException] = []
    worker.run(lambda: 1 / 0, on_done=pytest.fail, on_error=errors.append)
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)


def test_unhandled_error_goes_to_the_exception_hook(
    worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: hooked.append(t))
    worker.run(lambda: [][1])
    assert hooked == [IndexError]


def test_real_thread_runs_off_the_gui_thread_and_calls_back_on_it(
    qtbot: Any, threaded: Worker
) -> None:
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> str:
        seen["work"] = threading.get_ident()
        return "finished"

    def done(result: str) -> None:
        seen["callback"] = threading.get_ident()
        seen["result"] = result  # type: ignore[assignment]

    with qtbot.waitSignal(threaded.busy_changed, timeout=5000, check_params_cb=lambda b: not b):
        threaded.run(work, on_done=done)
    assert seen["result"] == "finished"
    assert seen["work"] != gui
    assert seen["callback"] == gui


def test_real_thread_error_is_reported_on_the_gui_thread(qtbot: Any, threaded: Worker) -> None:
    errors: list[tuple[BaseException, int]] = []
    threaded.run(
        lambda: int("not a number"),
        on_error=lambda exc: errors.append((exc, threading.get_ident())),
    )
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0][0], ValueError)
    assert errors[0][1] == threading.get_ident()


def test_many_jobs_all_report_once(qtbot: Any, threaded: Worker) -> None:
    results: list[int] = []
    for i in range(200):
        threaded.run(lambda i=i: i, on_done=results.append)
    qtbot.waitUntil(lambda: len(results) == 200, timeout=10_000)
    assert sorted(results) == list(range(200))


def _until_cancelled(progress: Progress) -> str:
    # Stands for a long import: reports progress until the user presses Cancel.
    deadline = time.monotonic() + 20
    done = 0
    while time.monotonic() < deadline:
        done += 1
        progress.update(done % 1000, 1000)
        time.sleep(0.001)
    return "ran to the end"


def test_cancel_button_cancels_real_background_work(qtbot: Any, threaded: Worker) -> None:
    outcome: list[str] = []
    task = threaded.run_with_progress(
        _until_cancelled,
        parent=None,
        title="Import members",
        label="Importing…",
        on_done=outcome.append,
        on_error=lambda exc: outcome.append(f"error {exc!r}"),
        on_cancelled=lambda: outcome.append("cancelled"),
    )
    dialog = task.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)  # shown once the work takes a while
    qtbot.waitUntil(lambda: dialog.maximum() == 1000, timeout=5000)  # progress reached the GUI
    button = dialog.findChild(QPushButton, "cancelButton")
    assert button is not None
    button.click()
    assert dialog.labelText() == "Cancelling…"
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert outcome == ["cancelled"]
    assert task.dialog is None and not threaded.busy


def test_progress_updates_are_throttled(qtbot: Any, threaded: Worker) -> None:
    received: list[tuple[int, int]] = []

    def chatty(progress: Progress) -> int:
        for i in range(20_000):
            progress.update(i, 20_000)
        progress.update(20_000, 20_000)
        return 0

    finished: list[int] = []
    task = threaded.run_with_progress(
        chatty, parent=None, title="t", label="l", on_done=finished.append
    )
    task.relay.progressed.connect(lambda d, t: received.append((d, t)))
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    # 20,001 reports in a tight loop reach the GUI as a handful, the last one always included.
    assert len(received) < 100
    assert received and received[-1] == (20_000, 20_000)


class _ShowWatch(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.shown = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.shown += 1
        return False


def test_quick_work_never_flashes_a_progress_dialog(qtbot: Any, threaded: Worker) -> None:
    finished: list[str] = []
    task = threaded.run_with_progress(
        lambda progress: "quick", parent=None, title="t", label="l", on_done=finished.append
    )
    assert task.dialog is not None and not task.dialog.isVisible()
    watch = _ShowWatch()
    task.dialog.installEventFilter(watch)
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    assert not task.dialog_shown and task.dialog is None
    assert watch.shown == 0


def test_synchronous_progress_and_cancel(worker: Worker) -> None:
    outcome: list[str] = []

    def cancels(progress: Progress) -> None:
        progress.update(1, 10)
        raise Cancelled()

    worker.run_with_progress(
        cancels,
        parent=None,
        title="t",
        label="l",
        on_done=lambda _r: outcome.append("done"),
        on_error=lambda _e: outcome.append("error"),
        on_cancelled=lambda: outcome.append("cancelled"),
    )
    assert outcome == ["cancelled"]


def test_discard_if_cancelled_drops_a_finished_result(worker: Worker) -> None:
    outcome: list[str] = []

    def checks_without_noticing(progress: Progress) -> str:
        progress.cancel()  # the user pressed Cancel while a file was being read
        return "plan"

    worker.run_with_progress(
        checks_without_noticing,
        parent=None,
        title="t",
        label="l",
        on_done=outcome.append,
        on_cancelled=lambda: outcome.append("cancelled"),
        discard_if_cancelled=True,
    )
    assert outcome == ["cancelled"]


def test_quiet_reads_run_on_their_own_pool_and_never_make_the_worker_busy(
    qtbot: Any, threaded: Worker
) -> None:
    busy: list[bool] = []
    threaded.busy_changed.connect(busy.append)
    release = threading.Event()
    results: list[str] = []
    # Both threads of the main pool taken by long work (an import and a backup, say)...
    for _ in range(2):
        threaded.run(lambda: release.wait(10))
    assert busy == [True]
    # ...a search still runs at once, and is not "work still running" on quit.
    threaded.run(lambda: "ids", on_done=results.append, quiet=True)
    qtbot.waitUntil(lambda: results == ["ids"], timeout=5000)
    assert busy == [True]
    release.set()
    qtbot.waitUntil(lambda: not threaded.busy, timeout=5000)
    threaded.run(lambda: "more ids", on_done=results.append, quiet=True)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    assert busy == [True, False] and not threaded.busy


def test_a_failed_job_is_logged_without_its_message(
    worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    def import_a_bad_cell() -> None:
        cell = "Ada Lowmoor, 12 Acacia Avenue"
        raise ValueError(f"{cell!r} is not a date")

    errors: list[BaseException] = []
    with caplog.at_level(logging.WARNING, logger="branchdesk.ui.worker"):
        worker.run(import_a_bad_cell, on_error=errors.append)
    assert "Acacia" in str(errors[0])  # the user is still told everything
    assert "ValueError" in caplog.text and "import_a_bad_cell" in caplog.text
    assert "Acacia" not in caplog.text and "Lowmoor" not in caplog.text
