"""Regression test for PySide6 6.12.0 on CPython 3.11 losing references to None and True.

With that release every void Qt call made from Python (setText, setModel,
setFilterFixedString, ...) drops one reference to None, and every Signal.emit()
drops one to True.  A busy GUI makes tens of thousands of such calls, after
which the interpreter frees None itself and aborts ("none_dealloc").  That is
why pyproject.toml excludes PySide6 6.12.0 for Python < 3.12.

The calls run in a child process so that an abort fails this test instead of
killing the whole test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys

    import PySide6
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel

    MARGIN = 1000  # None/True references legitimately come and go a little

    print(f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]}")
    app = QApplication([])
    label = QLabel()

    class Emitter(QObject):
        toggled = Signal(bool)

    received = [0]

    def on_toggled(value):
        # Count, don't store: a list of 10000 Trues would hide 10000 lost references.
        if value is True:
            received[0] += 1

    emitter = Emitter()
    emitter.toggled.connect(on_toggled)

    failures = []

    none_before = sys.getrefcount(None)
    for i in range(50_000):
        label.setText("x" if i % 2 else "y")  # a void call: returns None
    none_lost = none_before - sys.getrefcount(None)
    print(f"setText x50000: refs to None {none_before} -> {none_before - none_lost}")
    if none_lost > MARGIN:
        failures.append(f"50000 setText() calls lost {none_lost} references to None")

    true_before = sys.getrefcount(True)
    for _ in range(10_000):
        emitter.toggled.emit(True)
    true_lost = true_before - sys.getrefcount(True)
    print(f"emit x10000: refs to True {true_before} -> {true_before - true_lost}")
    if true_lost > MARGIN:
        failures.append(f"10000 Signal.emit(True) calls lost {true_lost} references to True")
    if received[0] != 10_000:
        failures.append(f"the slot received True {received[0]} times, not 10000")

    if failures:
        print("FAIL: " + "; ".join(failures))
        sys.exit(1)
    print("ok")
    """
)


def test_void_calls_and_emit_keep_none_and_true_alive() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        # -u: unbuffered, so the lines printed before an abort still reach us.
        [sys.executable, "-u", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and "ok" in result.stdout.splitlines(), (
        "This PySide6 loses references to None/True on void Qt calls and Signal.emit() "
        "(the PySide6 6.12.0 on Python 3.11 bug: the app aborts in none_dealloc after a "
        "while). pyproject.toml's dependencies exclude it "
        "('PySide6>=6.8,!=6.12.0; python_version < \"3.12\"'): extend that exclusion "
        f"to the version below.\nexit code: {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr[-4000:]}"
    )
