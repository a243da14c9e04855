"""Progress reports and cancellation for long work, with no Qt in sight.

Long functions (imports, exports, the demo generator) take a `Progress` and call `update` now
and then. The GUI's background worker passes one whose callback moves a progress bar and whose
`cancel()` is wired to a Cancel button; `update` then raises `Cancelled` in the worker thread,
and the function's own clean-up (a rolled-back transaction, a removed temporary file) runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """The user cancelled the work; nothing it was doing has been kept."""


class Progress:
    def __init__(self, callback: Callable[[int, int], None] | None = None) -> None:
        self._callback = callback
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def update(self, done: int, total: int) -> None:
        """Report `done` of `total` steps; raises `Cancelled` once cancel() has been called."""
        if self._cancel.is_set():
            raise Cancelled()
        if self._callback is not None:
            self._callback(done, total)


def silent() -> Progress:
    return Progress()
