"""An error nobody caught is logged and shown in a dialog, once, without recursing."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from qt_checks import pseudo_translation

from branchdesk.ui import exception_hook
from branchdesk.ui.log_safe import redacted_traceback

pytestmark = pytest.mark.timeout(60)


# An error whose message names a member, as a message quoting a form or a CSV cell may.
MESSAGE = "the printer caught fire printing Ada Lowmoor's letter"


def _raise_and_hook() -> None:
    try:
        raise RuntimeError(MESSAGE)
    except RuntimeError:
        exception_hook.handle_exception(*sys.exc_info())  # type: ignore[arg-type]


@pytest.fixture
def shown(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    boxes: list[dict[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        boxes.append(
            {"title": box.windowTitle(), "text": box.text(), "details": box.detailedText()}
        )
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return boxes


def test_hook_logs_and_shows_a_dialog(
    shown: list[dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="branchdesk.unhandled"):
        _raise_and_hook()
    [box] = shown
    assert "something went wrong" in box["title"]
    assert "the printer caught fire" in box["text"]
    assert "RuntimeError" in box["details"] and "_raise_and_hook" in box["details"]
    [record] = caplog.records
    # The log has the type and where it happened, never the message with the member's name.
    assert "RuntimeError" in record.getMessage() and "_raise_and_hook" in caplog.text
    assert "Lowmoor" not in caplog.text


def test_the_dialog_speaks_through_the_translator(shown: list[dict[str, str]]) -> None:
    with pseudo_translation():
        _raise_and_hook()
    [box] = shown
    assert box["title"] == "[BranchDesk — something went wrong]"
    # The error's own words are shown as they are, inside the translated sentence.
    assert box["text"] == f"[An unexpected error happened: {MESSAGE}]"


def test_the_log_leaves_out_the_messages_of_a_whole_chain(caplog: pytest.LogCaptureFixture) -> None:
    name = "Ada Lowmoor"
    try:
        try:
            raise KeyError(name)
        except KeyError as inner:
            raise ValueError(f"cannot save {name}") from inner
    except ValueError as exc:
        text = redacted_traceback(exc)
    assert "Lowmoor" not in text
    assert text.index("KeyError") < text.index("which led to") < text.index("ValueError")


def test_an_error_while_the_dialog_is_up_does_not_show_another(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def show_that_fails_again(message: str, details: str) -> None:
        calls.append(message)
        _raise_and_hook()  # the dialog itself goes wrong

    monkeypatch.setattr(exception_hook, "_show_dialog", show_that_fails_again)
    _raise_and_hook()
    assert len(calls) == 1
    assert exception_hook._showing is False


def test_a_dialog_that_cannot_be_shown_is_logged_not_raised(
    qapp: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(message: str, details: str) -> None:
        raise OSError("no display")

    monkeypatch.setattr(exception_hook, "_show_dialog", broken)
    with caplog.at_level(logging.ERROR):
        _raise_and_hook()
    assert any("could not show the error dialog" in r.getMessage() for r in caplog.records)
    assert exception_hook._showing is False


def test_install_sets_the_process_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    exception_hook.install()
    assert sys.excepthook is exception_hook.handle_exception
