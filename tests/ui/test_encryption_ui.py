"""Encrypted databases in the window: unlocking at start-up and from File › Open, the recovery
code (shown, printed, used), new encrypted databases, File › Encrypt database…, and backups,
restores and drills of an encrypted database. Everything is fictional."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from damaging import damage
from encryption_helpers import (
    SQLITE_HEADER,
    SURNAME,
    encrypted_branch,
    files_holding,
    keep_code,
    set_up,
    sign_in_with,
    tick,
)
from officer_helpers import OFFICERS, PASSWORD, add_officers, open_window
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QProgressDialog, QPushButton
from qt_checks import pseudo_translation, unnamed_inputs
from ui_helpers import click, column_texts, type_into

from branchdesk import app as app_module
from branchdesk.access.encryption import open_encrypted
from branchdesk.members.service import MemberForm, create_member
from branchdesk.settings import Preferences
from branchdesk.store import keys
from branchdesk.store.backup import check_backup_file
from branchdesk.store.database import Database
from branchdesk.store.keys import normalise_recovery_code
from branchdesk.store.schedule import backups_folder, scheduled_backups, take_backup
from branchdesk.ui import exception_hook
from branchdesk.ui.backup_dialogs import DamagedDatabaseDialog, RestoreDrillDialog
from branchdesk.ui.context import AppContext
from branchdesk.ui.encryption import actions
from branchdesk.ui.encryption.actions import EncryptDialog, NewRecoveryCodeDialog
from branchdesk.ui.encryption.recovery_code import RecoveryCodeDialog, print_recovery_code
from branchdesk.ui.encryption.unlock import RecoverDialog, UnlockDialog
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.officers.sign_in import SignInDialog, remembered_name
from branchdesk.ui.worker import Worker

pytestmark = pytest.mark.timeout(180)

NEW_PASSWORD = "a different fictional password"
CODE = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345-67ABC-DEFGH"


@pytest.fixture
def started(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MainWindow]]:
    """Windows `build_window` made; closed, their work finished and databases let go after.
    An unexpected error fails the test rather than waiting on a message box nobody closes."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_window installs its hook
    unexpected: list[str] = []
    monkeypatch.setattr(
        exception_hook, "_show_dialog", lambda message, details: unexpected.append(details)
    )
    windows: list[MainWindow] = []
    yield windows
    for window in windows:
        window.close()
        window.ctx.worker.wait_for_done(30_000)
        window.ctx.db.dispose()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == app_module._LOG_HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()
    assert unexpected == []


def _build(path: Path, dialogs: Any, qtbot: Any, started: list[MainWindow]) -> Any:
    built = app_module.build_window(str(path), ["branchdesk"], dialogs=dialogs)
    if isinstance(built, tuple):
        window = built[1]
        qtbot.addWidget(window, before_close_func=dialogs.closing)
        started.append(window)
        return window
    return built


def _shown(qtbot: Any, window: MainWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.registers_built and not window.loading_pages, timeout=10_000)


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture
def branch_and_code(tmp_path: Path) -> tuple[Path, str]:
    """The encrypted branch and the recovery code it was made with."""
    path = tmp_path / "office" / "branch.sqlite3"
    return path, encrypted_branch(path)


@pytest.fixture
def branch(branch_and_code: tuple[Path, str]) -> Path:
    return branch_and_code[0]


@pytest.fixture
def secretary_ctx(
    branch: Path, prefs: Preferences, dialogs: Any, worker: Worker
) -> Iterator[AppContext]:
    """The encrypted branch, open and signed in as the secretary, as a window would have it."""
    db = open_encrypted(branch, OFFICERS["secretary"], PASSWORD)
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=worker)
    yield ctx
    ctx.db.dispose()


# -- opening an encrypted database ---------------------------------------------------------------


def test_the_sign_in_unlocks_the_database_at_start_up(
    qtbot: Any, branch: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    seen: dict[str, str] = {}

    def sign_in(d: UnlockDialog) -> None:
        seen["title"] = d.windowTitle()
        seen["intro"] = d.intro.text()
        sign_in_with(qtbot, OFFICERS["treasurer"])(d)

    dialogs.dialogs.append(sign_in)
    window = _build(branch, dialogs, qtbot, started)
    assert isinstance(window, MainWindow), dialogs.shown
    assert seen["title"] == "Sign in to BranchDesk"
    assert "This database is encrypted" in seen["intro"]
    db = window.ctx.db
    assert db.encrypted and db.key is not None
    assert db.principal is not None and db.principal.name == OFFICERS["treasurer"]
    assert remembered_name(str(branch)) == OFFICERS["treasurer"]

    _shown(qtbot, window)
    qtbot.waitUntil(lambda: SURNAME in column_texts(window.members_tab.table, 1), timeout=5000)
    badge = window.database_actions.encryption.badge
    assert badge.isVisible() and badge.label.text() == "Encrypted"
    assert "encrypted" in badge.toolTip()
    # Nothing on screen ever shows the key.
    texts = [window.windowTitle()] + [label.text() for label in window.findChildren(QLabel)]
    assert not [t for t in texts if db.key.hex() in t.lower()]

    # Today's backup is taken with the key: encrypted, with its key file beside it.
    folder = backups_folder(branch, "")
    qtbot.waitUntil(lambda: len(scheduled_backups(branch, folder)) == 1, timeout=30_000)
    assert window.ctx.worker.wait_for_done(30_000)
    [backup] = scheduled_backups(branch, folder)
    assert backup.path.read_bytes()[:16] != SQLITE_HEADER
    assert keys.key_file_for(backup.path).is_file()
    check_backup_file(backup.path, key=db.key)
    assert dialogs.shown == []


def test_a_wrong_password_opens_nothing_and_three_make_the_dialog_wait(
    qtbot: Any, branch: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    before = _fingerprint(branch)
    said: list[str] = []
    seen: dict[str, Any] = {}

    def three_wrong(d: UnlockDialog) -> None:
        type_into(qtbot, d.name_edit, OFFICERS["secretary"])
        for _ in range(3):
            type_into(qtbot, d.password, "not the password at all")
            click(qtbot, d.sign_in_button)
            assert d.isVisible() and d.db is None
            said.append(d.message.text())
        seen["enabled"] = d.sign_in_button.isEnabled()
        # The wait is the file's: trying another name does not lift it.
        type_into(qtbot, d.name_edit, OFFICERS["treasurer"])
        seen["other name"] = d.sign_in_button.isEnabled()
        click(qtbot, d.cancel_button)

    def still_waiting_then_right(d: UnlockDialog) -> None:
        seen["waiting again"] = not d.sign_in_button.isEnabled()
        qtbot.waitUntil(d.sign_in_button.isEnabled, timeout=10_000)
        seen["after"] = d.message.text()
        sign_in_with(qtbot)(d)

    dialogs.dialogs += [three_wrong, still_waiting_then_right]
    assert _build(branch, dialogs, qtbot, started) == app_module.EXIT_NOT_SIGNED_IN
    assert said[:2] == ["Wrong name or password.", "Wrong name or password."]
    assert said[2].startswith("Wrong name or password. Too many wrong passwords: try again in")
    assert not seen["enabled"] and not seen["other name"]
    assert started == [] and _fingerprint(branch) == before  # nothing opened, nothing written

    # Quitting and starting again does not start the count afresh.
    window = _build(branch, dialogs, qtbot, started)
    assert isinstance(window, MainWindow)
    assert seen["waiting again"] and seen["after"].endswith("You can try again now.")
    assert window.ctx.db.principal is not None


def test_an_officer_without_a_key_is_told_so(
    qtbot: Any, branch: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    said: list[str] = []

    def unknown(d: UnlockDialog) -> None:
        sign_in_with(qtbot, "Nobody Example")(d)
        said.append(d.message.text())
        assert d.isVisible()
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(unknown)
    assert _build(branch, dialogs, qtbot, started) == app_module.EXIT_NOT_SIGNED_IN
    [message] = said
    assert message.startswith("This encrypted database holds no key for 'Nobody Example'.")
    assert "the secretary sets the account a new password" in message


def test_file_open_unlocks_an_encrypted_database_and_backs_it_up(
    qtbot: Any, window: MainWindow, ctx: AppContext, db: Database, dialogs: Any, branch: Path
) -> None:
    def cancel(d: UnlockDialog) -> None:
        assert isinstance(d, UnlockDialog) and d.cancel_button.text() == "Cancel"
        click(qtbot, d.cancel_button)

    dialogs.open_files += [branch, branch]
    dialogs.dialogs += [cancel, sign_in_with(qtbot)]
    window.database_actions.open_action.trigger()
    assert ctx.db is db  # cancelled: the database open before stays
    assert not window.database_actions.encryption.badge.isVisible()
    window.database_actions.open_action.trigger()
    try:
        assert ctx.db.path == branch.resolve() and ctx.db.encrypted
        assert ctx.db.principal is not None and ctx.db.principal.name == OFFICERS["secretary"]
        assert window.database_actions.encryption.badge.isVisible()
        qtbot.waitUntil(lambda: column_texts(window.members_tab.table, 1) == [SURNAME])
        [backup] = scheduled_backups(branch, backups_folder(branch, ""))
        check_backup_file(backup.path, key=ctx.db.key)
    finally:
        ctx.db.dispose()


# -- the recovery code ---------------------------------------------------------------------------


def test_forgotten_password_the_recovery_code_sets_a_new_one(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    path = tmp_path / "office" / "branch.sqlite3"
    old_code = encrypted_branch(path)
    said: dict[str, str] = {}
    seen: dict[str, Any] = {}

    def forgotten(d: UnlockDialog) -> None:
        type_into(qtbot, d.name_edit, OFFICERS["secretary"])
        click(qtbot, d.forgotten_button)

    def recover(d: RecoverDialog) -> None:
        assert d.name_edit.text() == OFFICERS["secretary"]
        type_into(qtbot, d.code_edit, CODE)
        type_into(qtbot, d.new_password.password, NEW_PASSWORD)
        type_into(qtbot, d.new_password.again, NEW_PASSWORD)
        click(qtbot, d.recover_button)
        said["wrong code"] = d.message.text()
        type_into(qtbot, d.name_edit, OFFICERS["treasurer"])
        type_into(qtbot, d.code_edit, old_code)
        click(qtbot, d.recover_button)
        said["not a secretary"] = d.message.text()
        type_into(qtbot, d.name_edit, OFFICERS["secretary"])
        # Typed loosely: small letters, spaces for dashes.
        type_into(qtbot, d.code_edit, old_code.lower().replace("-", " "))
        click(qtbot, d.recover_button)

    dialogs.dialogs += [forgotten, recover, keep_code(qtbot, seen)]
    window = _build(path, dialogs, qtbot, started)
    assert isinstance(window, MainWindow), dialogs.shown
    assert said["wrong code"] == "That is not this database's recovery code."
    assert "is not an active secretary's account" in said["not a secretary"]
    principal = window.ctx.db.principal
    assert principal is not None and principal.name == OFFICERS["secretary"]
    assert window.ctx.db.encrypted

    new_code = seen["code"]
    assert new_code != old_code and seen["shown"].replace("\n", "-") == new_code
    # The new password and the new code open it; the old password and code no longer do.
    key = window.ctx.db.key
    assert keys.unlock(path, OFFICERS["secretary"], NEW_PASSWORD) == key
    assert keys.unlock_with_recovery(path, new_code) == key
    with pytest.raises(keys.WrongPassword):
        keys.unlock(path, OFFICERS["secretary"], PASSWORD)
    with pytest.raises(keys.WrongPassword):
        keys.unlock_with_recovery(path, old_code)


def test_the_recovery_code_dialog_stays_until_the_box_is_ticked(qtbot: Any) -> None:
    dialog = RecoveryCodeDialog(CODE, branch="Test Branch", database="branch.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.code_label.text() == "ABCDE-FGHIJ-KLMNO-PQRST\nUVWXY-Z2345-67ABC-DEFGH"
    assert "shown only this once" in dialog.findChildren(QLabel)[1].text()
    # Not selectable, so it cannot be copied into a clipboard manager's history.
    flags = dialog.code_label.textInteractionFlags()
    assert flags == Qt.TextInteractionFlag.NoTextInteraction
    QApplication.clipboard().setText("before")
    qtbot.keyClick(dialog.code_label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "before"

    assert not dialog.done_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.close()
    assert dialog.isVisible()
    dialog.reject()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted

    tick(qtbot, dialog.confirm_box)
    assert dialog.done_button.isEnabled()
    click(qtbot, dialog.done_button)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted


def _pdf_text(path: Path) -> str:
    """The PDF's words, one space apart (the extractor gives tabs between some)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_recovery_code_prints_on_a_sheet_of_its_own(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "direct.pdf"))
    print_recovery_code(
        printer, CODE, branch="Research & Development <b>Branch</b>", database="branch.sqlite3"
    )
    text = _pdf_text(tmp_path / "direct.pdf")
    assert normalise_recovery_code(CODE) in normalise_recovery_code(text)
    assert "Research & Development <b>Branch</b>" in text  # printed as typed, not as markup
    assert "branch.sqlite3" in text and "Forgotten your password?" in text

    # The Print… button, with a PDF file for the printer the print dialog would offer.
    chosen = tmp_path / "from-the-button.pdf"

    def to_pdf(_dialog: RecoveryCodeDialog, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(chosen))
        return True

    monkeypatch.setattr(RecoveryCodeDialog, "choose_printer", to_pdf)
    dialog = RecoveryCodeDialog(CODE, branch="Test Branch", database="branch.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.print_button)
    printed = _pdf_text(chosen)
    assert normalise_recovery_code(CODE) in normalise_recovery_code(printed)
    assert "Test Branch" in printed
    assert dialog.isVisible()  # printing is not the same as saying it is kept
    tick(qtbot, dialog.confirm_box)
    click(qtbot, dialog.done_button)


def test_tools_new_recovery_code(
    qtbot: Any, secretary_ctx: AppContext, dialogs: Any, branch_and_code: tuple[Path, str]
) -> None:
    branch, old_code = branch_and_code
    window = open_window(qtbot, secretary_ctx)
    action = window.database_actions.recovery_code_action
    assert action.isEnabled()
    said: list[str] = []
    seen: dict[str, Any] = {}

    def make(d: NewRecoveryCodeDialog) -> None:
        type_into(qtbot, d.password, "not my password at all")
        click(qtbot, d.make_button)
        said.append(d.message.text())
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.make_button)

    dialogs.dialogs += [make, keep_code(qtbot, seen)]
    action.trigger()
    assert said == ["That is not your password."]
    assert seen["heading"] == "Recovery code" and seen["code"] != old_code
    assert keys.unlock_with_recovery(branch, seen["code"]) == secretary_ctx.db.key
    with pytest.raises(keys.WrongPassword):
        keys.unlock_with_recovery(branch, old_code)  # the old code stopped working


# -- new encrypted databases ---------------------------------------------------------------------


def test_the_first_run_set_up_makes_an_encrypted_database(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    path = tmp_path / "new.sqlite3"
    seen: dict[str, Any] = {}
    dialogs.dialogs += [set_up(qtbot), keep_code(qtbot, seen)]
    window = _build(path, dialogs, qtbot, started)
    assert isinstance(window, MainWindow), dialogs.shown
    assert path.read_bytes()[:16] != SQLITE_HEADER
    assert keys.key_file_for(path).is_file()
    db = window.ctx.db
    assert db.encrypted and db.principal is not None
    assert (db.principal.name, db.principal.role.value) == (OFFICERS["secretary"], "secretary")
    assert keys.unlock_with_recovery(path, seen["code"]) == db.key
    assert window.windowTitle() == "BranchDesk — Northmoor Branch (fictional)"
    _shown(qtbot, window)
    assert window.database_actions.encryption.badge.isVisible()
    assert not window.database_actions.encrypt_action.isEnabled()
    assert window.database_actions.encrypt_action.toolTip() == actions.ALREADY


def test_the_first_run_set_up_unticked_makes_a_plain_database(
    qtbot: Any, tmp_path: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    path = tmp_path / "new.sqlite3"
    dialogs.dialogs.append(set_up(qtbot, encrypt=False))
    window = _build(path, dialogs, qtbot, started)
    assert isinstance(window, MainWindow), dialogs.shown
    assert path.read_bytes()[:16] == SQLITE_HEADER
    assert not keys.key_file_for(path).exists()
    assert not window.ctx.db.encrypted and window.ctx.db.principal is not None
    _shown(qtbot, window)
    assert not window.database_actions.encryption.badge.isVisible()
    assert window.database_actions.encrypt_action.isEnabled()  # the secretary may, later


def test_file_new_makes_an_encrypted_database(
    qtbot: Any, window: MainWindow, ctx: AppContext, dialogs: Any, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.sqlite3"
    seen: dict[str, Any] = {}
    dialogs.save_files.append(path)
    dialogs.dialogs += [set_up(qtbot, branch="Test Branch"), keep_code(qtbot, seen)]
    window.database_actions.new_action.trigger()
    try:
        assert ctx.db.path == path.resolve() and ctx.db.encrypted
        assert path.read_bytes()[:16] != SQLITE_HEADER and keys.key_file_for(path).is_file()
        assert seen["heading"] == "Recovery code"
        assert keys.unlock_with_recovery(path, seen["code"]) == ctx.db.key
        assert window.members_tab.model.rowCount() == 0
        assert window.database_actions.encryption.badge.isVisible()
    finally:
        ctx.db.dispose()


# -- encrypting a plain database -----------------------------------------------------------------


def test_file_encrypt_database_converts_a_plain_database_and_its_backups(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, tmp_path: Path
) -> None:
    assert db.path is not None
    add_officers(db, "treasurer")  # the secretary's account, signed in, and one other
    create_member(db, MemberForm(membership_number="E001", first_name="Edith", last_name=SURNAME))
    folder = backups_folder(db.path, "")
    take_backup(db.path, folder, datetime(2026, 11, 28, 9, 12))
    assert len(files_holding(tmp_path, SURNAME.encode())) >= 2  # the database and its backup
    window = open_window(qtbot, ctx)
    action = window.database_actions.encrypt_action
    assert action.isEnabled() and action.toolTip() == actions.ENCRYPT_TIP
    assert not window.database_actions.recovery_code_action.isEnabled()
    seen: dict[str, Any] = {}

    def encrypt(d: EncryptDialog) -> None:
        seen["explained"] = d.findChildren(QLabel)[1].text()
        type_into(qtbot, d.password, "not my password at all")
        click(qtbot, d.encrypt_button)
        seen["wrong"] = d.message.text()
        assert d.isVisible()
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.encrypt_button)

    dialogs.dialogs += [encrypt, keep_code(qtbot, seen)]
    action.trigger()
    try:
        assert "overwritten and removed" in seen["explained"]
        assert str(folder) in seen["explained"] and "new password from you" in seen["explained"]
        assert seen["wrong"] == "That is not your password."
        assert ctx.db is not db and ctx.db.encrypted and ctx.db.path == db.path
        principal = ctx.db.principal
        assert principal is not None and principal.name == OFFICERS["secretary"]
        assert keys.unlock_with_recovery(db.path, seen["code"]) == ctx.db.key

        # The surname is in no file any more, plain or backup; the window still lists it.
        assert files_holding(tmp_path, SURNAME.encode()) == []
        assert db.path.read_bytes()[:16] != SQLITE_HEADER
        [backup] = scheduled_backups(db.path, folder)
        check_backup_file(backup.path, key=ctx.db.key)
        qtbot.waitUntil(lambda: SURNAME in column_texts(window.members_tab.table, 1))

        [(title, text)] = dialogs.messages("info")
        assert title == "Database encrypted"
        assert OFFICERS["treasurer"] in text and "Reset password" in text
        assert not action.isEnabled() and action.toolTip() == actions.ALREADY
        assert window.database_actions.recovery_code_action.isEnabled()
        assert window.database_actions.encryption.badge.isVisible()
    finally:
        ctx.db.dispose()


def test_encrypting_on_a_real_thread_cannot_be_cancelled_half_way(
    qtbot: Any, db: Database, prefs: Preferences, dialogs: Any, tmp_path: Path
) -> None:
    add_officers(db)
    threaded = Worker()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded)
    window = open_window(qtbot, ctx)
    seen: dict[str, Any] = {}

    def encrypt(d: EncryptDialog) -> None:
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.encrypt_button)
        [progress] = d.findChildren(QProgressDialog)
        seen["buttons"] = [b.text() for b in progress.findChildren(QPushButton)]
        seen["closable"] = d.cancel_button.isEnabled()
        qtbot.keyClick(d, Qt.Key.Key_Escape)  # ignored while the file is converted
        qtbot.waitUntil(lambda: d.result() == QDialog.DialogCode.Accepted, timeout=30_000)

    dialogs.dialogs += [encrypt, keep_code(qtbot, seen)]
    window.database_actions.encrypt_action.trigger()
    try:
        assert seen["buttons"] == [] and not seen["closable"]
        assert ctx.db.encrypted and ctx.db.principal is not None
        assert files_holding(tmp_path, b"Lowmoor") == []  # a known member's surname
        assert dialogs.messages("info")[-1][0] == "Database encrypted"
    finally:
        assert threaded.wait_for_done(10_000)
        ctx.db.dispose()


def test_what_greys_out_encrypting_and_the_recovery_code(
    qtbot: Any, ctx: AppContext, db: Database, window: MainWindow
) -> None:
    encrypt = window.database_actions.encrypt_action
    code = window.database_actions.recovery_code_action
    # No accounts yet: nobody's password to encrypt with.
    assert not encrypt.isEnabled() and encrypt.toolTip() == actions.NO_ACCOUNTS
    assert not code.isEnabled() and code.toolTip() == actions.NOT_ENCRYPTED
    add_officers(db, "treasurer")
    db.principal = None
    from branchdesk.access.officers import sign_in

    sign_in(db, OFFICERS["treasurer"], PASSWORD)
    window._file_menu.aboutToShow.emit()  # the entries are looked at again as the menu opens
    assert not encrypt.isEnabled() and encrypt.toolTip() == actions.SECRETARY_ONLY
    assert not code.isEnabled()
    # A shared PostgreSQL database, and the demo branch, are not for BranchDesk to encrypt.
    assert actions.encrypt_refusal(SimpleNamespace(path=None)) == actions.POSTGRES  # type: ignore[arg-type]
    from branchdesk.settings import demo_database_path

    demo = SimpleNamespace(path=demo_database_path(), encrypted=False)
    assert actions.encrypt_refusal(demo) == actions.DEMO  # type: ignore[arg-type]


def test_every_input_has_a_name_for_screen_readers(
    qtbot: Any, ctx: AppContext, db: Database, branch: Path, prefs: Preferences, dialogs: Any
) -> None:
    add_officers(db)  # the secretary, signed in: encrypting is theirs to do
    shown = [
        EncryptDialog(ctx),
        NewRecoveryCodeDialog(ctx),
        RecoveryCodeDialog(CODE, branch="Test Branch", database="branch.sqlite3"),
        RecoverDialog(branch),
        UnlockDialog(branch, prefs, dialogs),
    ]
    for dialog in shown:
        qtbot.addWidget(dialog)
        assert unnamed_inputs(dialog) == [], dialog.windowTitle()
    assert shown[2].code_label.accessibleName() == "Recovery code"


def test_encrypting_speaks_through_the_translator(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    add_officers(db)
    with pseudo_translation():
        dialog = EncryptDialog(ctx)
        qtbot.addWidget(dialog)
        refusal = actions.encrypt_refusal(SimpleNamespace(path=None))  # type: ignore[arg-type]
        code = RecoveryCodeDialog(CODE, branch="Test Branch", database="branch.sqlite3")
        qtbot.addWidget(code)
    assert dialog.windowTitle() == "[Encrypt database]"
    assert dialog.encrypt_button.text() == "[Encrypt]"
    assert refusal == f"[{actions.POSTGRES}]"
    assert code.confirm_box.text() == "[I have printed it or written it down]"
    # The code itself is never "translated".
    assert code.code_label.text() == "ABCDE-FGHIJ-KLMNO-PQRST\nUVWXY-Z2345-67ABC-DEFGH"


# -- backups, restores and drills of an encrypted database ---------------------------------------


def test_back_up_drill_and_restore_an_encrypted_database(
    qtbot: Any, secretary_ctx: AppContext, dialogs: Any, branch: Path, tmp_path: Path
) -> None:
    ctx = secretary_ctx
    window = open_window(qtbot, ctx)
    copy = tmp_path / "usb" / "copy.sqlite3"
    copy.parent.mkdir()
    dialogs.save_files.append(copy)
    window.database_actions.backup_action.trigger()
    title, text = dialogs.messages("info")[-1]
    assert title == "Backup saved" and "copy.sqlite3.keys" in text and "encrypted" in text
    assert copy.read_bytes()[:16] != SQLITE_HEADER
    check_backup_file(copy, key=ctx.db.key)

    # The drill restores a backup into an encrypted copy, with the key.
    take_backup(branch, backups_folder(branch, ""), datetime(2026, 11, 29, 9, 12), key=ctx.db.key)
    seen: dict[str, Any] = {}

    def drill(d: RestoreDrillDialog) -> None:
        click(qtbot, d.run_button)
        seen["result"] = d.result_label.text()
        seen["passed"] = d.result_ is not None and d.result_.passed
        d.reject()

    dialogs.dialogs.append(drill)
    window.database_actions.restore_drill_action.trigger()
    assert seen["passed"], seen["result"]
    assert seen["result"].startswith("The backup of 29 Nov 2026 09:12 restores and passes")

    # A member added after the backup is gone once it is restored; the sign-in comes again.
    create_member(
        ctx.db, MemberForm(membership_number="E002", first_name="Late", last_name="Joiner")
    )
    dialogs.open_files.append(copy)
    dialogs.confirms.append(True)

    def sign_in_again(d: SignInDialog) -> None:
        assert not isinstance(d, UnlockDialog)  # the file is open already: only the sign-in
        sign_in_with(qtbot)(d)

    dialogs.dialogs.append(sign_in_again)
    window.database_actions.restore_action.trigger()
    assert ctx.db.encrypted and ctx.db.principal is not None
    assert dialogs.messages("info")[-1][0] == "Restored"
    qtbot.waitUntil(lambda: column_texts(window.members_tab.table, 1) == [SURNAME])


def test_a_damaged_encrypted_database_is_restored_from_its_newest_good_backup(
    qtbot: Any, branch: Path, dialogs: Any, started: list[MainWindow]
) -> None:
    key = keys.unlock(branch, OFFICERS["secretary"], PASSWORD)
    take_backup(branch, backups_folder(branch, ""), datetime(2026, 11, 28, 9, 12), key=key)
    damage(branch, "garbage-appended")
    seen: dict[str, str] = {}

    def restore_it(d: DamagedDatabaseDialog) -> None:
        qtbot.waitUntil(d.restore_button.isEnabled, timeout=30_000)
        seen["status"] = d.status_label.text()
        click(qtbot, d.restore_button)
        qtbot.waitUntil(lambda: d.result() == QDialog.DialogCode.Accepted, timeout=30_000)

    dialogs.dialogs += [sign_in_with(qtbot), restore_it]
    window = _build(branch, dialogs, qtbot, started)
    assert isinstance(window, MainWindow), dialogs.shown
    assert "28 Nov 2026 09:12" in seen["status"]
    # Signed in with the password already typed: it was the same when the backup was taken.
    db = window.ctx.db
    assert db.encrypted and db.principal is not None
    assert db.principal.name == OFFICERS["secretary"]
    [(title, _text)] = dialogs.messages("info")
    assert title == "Database restored"
    _shown(qtbot, window)
    qtbot.waitUntil(lambda: SURNAME in column_texts(window.members_tab.table, 1), timeout=5000)
