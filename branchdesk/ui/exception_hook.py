"""The last line of defence: an error nobody caught is logged and shown, never silently lost.

Without a hook, an exception in a Qt slot prints to a console a Windows user never sees, and
the click that caused it seems to do nothing. With it, the traceback goes to the log file
(without the error's message, which may quote a member's details) and the user gets a dialog
saying what went wrong and where the details are.

An action the officer's role does not allow is not a fault: the role check refused it (and the
audit log has it). One that reaches here, because no screen expected it, is said plainly.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from branchdesk.store.errors import AccessDenied
from branchdesk.ui.i18n import translate
from branchdesk.ui.log_safe import error_kind, redacted_traceback

log = logging.getLogger("branchdesk.unhandled")

_showing = False  # a dialog is up: an error raised while showing it must not show another


def _show_dialog(message: str, details: str) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        translate("exception_hook", "BranchDesk — something went wrong"),
        message,
    )
    box.setInformativeText(
        translate(
            "exception_hook",
            "What you were doing may not have finished. Your saved data is safe. "
            "If this keeps happening, send the details below to whoever looks after BranchDesk "
            "for your branch (the log keeps where it happened, but not the message).",
        )
    )
    box.setDetailedText(details)
    box.exec()


def _show_refusal(message: str) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Warning, translate("exception_hook", "Not allowed for your role"), message
    )
    box.exec()


def handle_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
) -> None:
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if issubclass(exc_type, AccessDenied):
        log.info("refused by the role check: %s", error_kind(exc))
        if _showing or QApplication.instance() is None:
            return
        if threading.current_thread() is not threading.main_thread():
            return
        _showing = True
        try:
            text = str(exc).strip()
            _show_refusal(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
        except Exception:
            log.exception("could not show the refusal")
        finally:
            _showing = False
        return
    # The type and frames only: the message may quote a member's details (it is shown below).
    log.error("unhandled error: %s\n%s", error_kind(exc), redacted_traceback(exc, tb))
    if _showing or QApplication.instance() is None:
        return
    if threading.current_thread() is not threading.main_thread():
        return  # widgets belong to the GUI thread; the log has it
    _showing = True
    try:
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        text = str(exc).strip() or exc_type.__name__
        _show_dialog(
            translate("exception_hook", "An unexpected error happened: {error}").format(error=text),
            details,
        )
    except Exception:
        log.exception("could not show the error dialog")
    finally:
        _showing = False


def install() -> None:
    """Make `handle_exception` the process's exception hook."""
    sys.excepthook = handle_exception
