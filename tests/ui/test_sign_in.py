"""Start-up: the first-run set-up on a new database, and signing in on one with accounts."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from officer_helpers import OFFICERS, PASSWORD, add_officers
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select
from ui_helpers import click, type_into

from branchdesk import app as app_module
from branchdesk.access.models import Officer
from branchdesk.access.officers import SignInFailed, has_officers, list_officers, sign_in
from branchdesk.demo import ensure_demo
from branchdesk.settings import Preferences, demo_database_path
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database, open_database
from branchdesk.ui import shortcuts
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.officers.sign_in import SetUpDialog, SignInDialog, admit, remembered_name

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def started(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MainWindow]]:
    """Windows `build_window` made; closed, their work finished and databases let go after."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_window installs its hook
    windows: list[MainWindow] = []
    yield windows
    for window in windows:
        window.close()
        window.ctx.worker.wait_for_done(30_000)
        window.ctx.db.dispose()
    shortcuts.uninstall(QApplication.instance())  # build_window put in the Ctrl+S filter
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == app_module._LOG_HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()


def _build(path: Path, dialogs: Any, qtbot: Any, started: list[MainWindow]) -> Any:
    built = app_module.build_window(str(path), ["branchdesk"], dialogs=dialogs)
    if isinstance(built, tuple):
        window = built[1]
        qtbot.addWidget(window, before_close_func=dialogs.closing)
        started.append(window)
        return window
    return built


def _branch(path: Path) -> Path:
    db = open_database(path, officer="set-up")
    add_officers(db, "treasurer")
    db.dispose()
    return path


# -- the first run ----------------------------------------------------------------------------


def test_first_run_set_up_creates_the_secretary_and_opens_the_window(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    seen: dict[str, str] = {}

    def set_up(d: SetUpDialog) -> None:
        d.encrypt_box.setChecked(False)  # a plain database: encryption is tested on its own
        type_into(qtbot, d.branch_edit, "Northmoor Branch (fictional)")
        type_into(qtbot, d.name_edit, "Sam Example")
        type_into(qtbot, d.new_password.password, "short")
        seen["short"] = d.new_password.problems_label.text()
        type_into(qtbot, d.new_password.password, "Sam Example")
        seen["name"] = d.new_password.problems_label.text()
        type_into(qtbot, d.new_password.password, PASSWORD)
        type_into(qtbot, d.new_password.again, PASSWORD + "x")
        seen["again"] = d.new_password.problems_label.text()
        click(qtbot, d.create_button)
        seen["refused"] = d.message.text()
        assert d.isVisible()
        type_into(qtbot, d.new_password.again, PASSWORD)
        seen["fine"] = d.new_password.problems_label.text()
        click(qtbot, d.create_button)

    dialogs.dialogs.append(set_up)
    window = _build(tmp_path / "new.sqlite3", dialogs, qtbot, started)
    assert isinstance(window, MainWindow)
    assert "at least 10 characters" in seen["short"]
    assert "must not be the officer's name" in seen["name"]
    assert "not the same" in seen["again"] and "not the same" in seen["refused"]
    assert seen["fine"] == "The password will do."

    db = window.ctx.db
    [secretary] = list_officers(db)
    assert (secretary.name, secretary.role.value) == ("Sam Example", "secretary")
    assert db.principal is not None and db.principal.name == "Sam Example"
    assert window.windowTitle() == "BranchDesk — Northmoor Branch (fictional)"
    assert Preferences().get("branch_name") == "Northmoor Branch (fictional)"
    window.show()
    qtbot.waitUntil(lambda: window.registers_built, timeout=10_000)
    assert window.officer_label.text() == "Signed in: Sam Example · Branch secretary"
    assert window.officers_action.isEnabled()
    assert remembered_name(db) == "Sam Example"


def test_cancelling_the_set_up_quits_without_an_account(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    def cancel(d: SetUpDialog) -> None:
        type_into(qtbot, d.name_edit, "Sam Example")
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(cancel)
    assert _build(tmp_path / "new.sqlite3", dialogs, qtbot, started) == 0
    assert started == []
    db = open_database(tmp_path / "new.sqlite3")
    try:
        assert not has_officers(db)
    finally:
        db.dispose()


def test_a_set_up_that_fails_leaves_no_half_made_database(
    qtbot: Any, tmp_path: Path, dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from branchdesk.access import officers
    from branchdesk.ui.officers import sign_in

    path = tmp_path / "new.sqlite3"
    real = officers.create_first_officer

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(sign_in, "create_first_officer", real)
        raise officers.OfficerError("the account could not be made (test)")

    monkeypatch.setattr(sign_in, "create_first_officer", fails_once)
    dialog = SetUpDialog(path, Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.encrypt_box.setChecked(False)
    type_into(qtbot, dialog.branch_edit, "Northmoor Branch (fictional)")
    type_into(qtbot, dialog.name_edit, "Sam Example")
    type_into(qtbot, dialog.new_password.password, PASSWORD)
    type_into(qtbot, dialog.new_password.again, PASSWORD)
    click(qtbot, dialog.create_button)
    assert "could not be made (test)" in dialog.message.text()
    assert dialog.isVisible() and not path.exists()
    # Trying again makes it, in the same place.
    click(qtbot, dialog.create_button)
    assert dialog.db is not None and path.is_file()
    assert [o.name for o in list_officers(dialog.db)] == ["Sam Example"]
    dialog.db.dispose()


def test_the_demo_branch_opens_without_accounts(
    qtbot: Any, dialogs: Any, prefs: Preferences
) -> None:
    demo = open_database(demo_database_path(), officer="demo")
    try:
        ensure_demo(demo)
        assert admit(demo, prefs, dialogs)  # no dialog was asked for
        assert demo.principal is None and not demo.sign_in_required
    finally:
        demo.dispose()


# -- signing in -------------------------------------------------------------------------------


def test_sign_in_with_a_wrong_then_the_right_password(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    path = _branch(tmp_path / "branch.sqlite3")
    said: list[str] = []

    def sign_in_twice(d: SignInDialog) -> None:
        assert d.windowTitle() == "Sign in to BranchDesk"
        type_into(qtbot, d.name_edit, OFFICERS["treasurer"])
        type_into(qtbot, d.password, "not the password at all")
        click(qtbot, d.sign_in_button)
        assert d.isVisible()
        said.append(d.message.text())
        assert d.password.text() == ""  # typed again from scratch
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)

    dialogs.dialogs.append(sign_in_twice)
    window = _build(path, dialogs, qtbot, started)
    assert said == ["The name or the password is not right."]
    assert isinstance(window, MainWindow)
    principal = window.ctx.db.principal
    assert principal is not None and principal.name == OFFICERS["treasurer"]
    assert remembered_name(window.ctx.db) == OFFICERS["treasurer"]
    with window.ctx.db.read(system=True) as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("sign_in%"))
            ).all()
        )
    assert actions[-2:] == ["sign_in_failed", "sign_in"]


def test_the_name_is_remembered_for_the_next_start(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    path = _branch(tmp_path / "branch.sqlite3")
    names: list[str] = []

    def sign_in_as_treasurer(d: SignInDialog) -> None:
        names.append(d.name_edit.text())
        type_into(qtbot, d.name_edit, OFFICERS["treasurer"])
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)

    def quit_at_sign_in(d: SignInDialog) -> None:
        names.append(d.name_edit.text())
        assert d.password.text() == ""  # never the password
        click(qtbot, d.cancel_button)

    dialogs.dialogs += [sign_in_as_treasurer, quit_at_sign_in]
    assert isinstance(_build(path, dialogs, qtbot, started), MainWindow)
    assert _build(path, dialogs, qtbot, started) == 0  # Quit at the sign-in quits
    assert names == ["", OFFICERS["treasurer"]]
    settings = (Path(Preferences().path).parent / "window.ini").read_text(encoding="utf-8")
    assert PASSWORD not in settings


def test_an_account_waiting_after_wrong_passwords_shows_the_seconds(
    qtbot: Any, db: Database, prefs: Preferences, dialogs: Any
) -> None:
    add_officers(db, "caseworker")
    db.principal = None
    for _ in range(3):
        with pytest.raises(SignInFailed):
            sign_in(db, OFFICERS["caseworker"], "wrong but long enough")
    seen: dict[str, Any] = {}

    def wait_then_sign_in(d: SignInDialog) -> None:
        type_into(qtbot, d.name_edit, OFFICERS["caseworker"])
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)
        seen["message"] = d.message.text()
        seen["enabled"] = d.sign_in_button.isEnabled()
        # The button comes back when the wait is over; then the right password works.
        qtbot.waitUntil(d.sign_in_button.isEnabled, timeout=10_000)
        seen["after"] = d.message.text()
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)

    dialogs.dialogs.append(wait_then_sign_in)
    assert admit(db, prefs, dialogs)
    assert "Too many wrong passwords for this account: try again in" in seen["message"]
    assert "second" in seen["message"] and not seen["enabled"]
    assert seen["after"].endswith("You can try again now.")
    assert db.principal is not None and db.principal.name == OFFICERS["caseworker"]


def test_a_switched_off_account_is_told_so(
    qtbot: Any, db: Database, prefs: Preferences, dialogs: Any
) -> None:
    add_officers(db, "negotiator")
    with db.write(system=True) as session:
        officer = session.scalar(select(Officer).where(Officer.name == OFFICERS["negotiator"]))
        assert officer is not None
        officer.active = False
    db.principal = None
    said: list[str] = []

    def try_it(d: SignInDialog) -> None:
        type_into(qtbot, d.name_edit, OFFICERS["negotiator"])
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)
        said.append(d.message.text())
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(try_it)
    assert not admit(db, prefs, dialogs, at_start=False)
    assert said == [
        "Nina Example's account is switched off: the branch secretary can switch it on."
    ]
    assert db.principal is None


def test_escape_leaves_the_start_up_sign_in(qtbot: Any, db: Database, prefs: Preferences) -> None:
    add_officers(db)
    db.principal = None
    dialog = SignInDialog(db, prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
