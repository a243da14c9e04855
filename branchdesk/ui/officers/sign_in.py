"""Signing in, the first-run set-up, and the two put together as `admit`.

A database with officers' accounts is opened only once someone signs in; one without any (other
than the demo branch) is set up first, with the branch secretary's account. The same dialog
unlocks the window after it has been left idle, or lets another officer sign in instead.

An encrypted database is signed in to before it is open (the password unlocks it too): that is
`branchdesk.ui.encryption.unlock.UnlockDialog`, this dialog with another check. A new database
file is set up before it exists, so that an encrypted one is never written in plain first.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.access.officers import (
    OfficerError,
    SignInFailed,
    confirm_password,
    create_first_officer,
    sign_in,
)
from branchdesk.access.principal import Principal
from branchdesk.settings import Preferences, is_demo_database
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import StoreError
from branchdesk.ui.dialogs import DialogService, window_state
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.forms import (
    NewPassword,
    action_buttons,
    message_label,
    password_edit,
    show_message,
)
from branchdesk.ui.officers.gate import sentence

log = logging.getLogger(__name__)


class Purpose(StrEnum):
    START = "start"  # BranchDesk is starting: Cancel quits
    OPEN = "open"  # another database is being opened: Cancel keeps the one open
    LOCKED = "locked"  # the window locked itself: the same officer's password, or another's
    SIGNED_OUT = "signed_out"  # the officer signed out: anyone may sign in


LOCK_PURPOSES = (Purpose.LOCKED, Purpose.SIGNED_OUT)


# -- the name remembered ----------------------------------------------------------------------


def _state() -> QSettings:
    # Beside the window's remembered size (dialogs.window_state), never the password.
    return window_state()


def _key(db: Database | str) -> str:
    # One name per database; its location is hashed, so the settings file does not list it.
    # An encrypted database is known by its path before it is open: the same text.
    where = db if isinstance(db, str) else db.display_name
    digest = hashlib.sha256(where.encode("utf-8")).hexdigest()[:16]
    return f"sign_in/{digest}"


def remembered_name(db: Database | str) -> str:
    value = _state().value(_key(db), "")
    return value if isinstance(value, str) else ""


def remember_name(db: Database | str, name: str) -> None:
    state = _state()
    state.setValue(_key(db), name)
    state.sync()


# -- signing in -------------------------------------------------------------------------------


def _intro(purpose: Purpose, db: Database | None) -> str:
    if purpose is Purpose.LOCKED and db is not None and db.principal is not None:
        who = db.principal
        return translate(
            "officers.sign_in",
            "BranchDesk is locked, so nobody passing can read what was on screen. "
            "{name} ({role}) is signed in: enter your password to carry on.",
        ).format(name=who.name, role=who.role_label.lower())
    if purpose is Purpose.SIGNED_OUT:
        return translate(
            "officers.sign_in", "You have signed out. You, or another officer, can sign in here."
        )
    return translate("officers.sign_in", "Sign in with your name and password.")


class SignInDialog(QDialog):
    """Name and password; the sign-in is made here, so a wrong password keeps the dialog open.

    After a few wrong passwords an account waits before the next try: the dialog counts the
    seconds down and keeps Sign in greyed out until then.

    `db` is None for a database not open yet (an encrypted one): `where` names it, and a
    subclass's `_check` opens it.
    """

    # What the countdown says is waiting (translated where it is shown).
    TOO_MANY = QT_TRANSLATE_NOOP("officers.sign_in", "Too many wrong passwords for this account")

    def __init__(
        self,
        db: Database | None,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        purpose: Purpose = Purpose.START,
        where: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.where = where or (db.display_name if db is not None else "")
        self.purpose = purpose
        self.principal: Principal | None = None
        # Locked: the officer signed in stays, unless "Sign in as another officer" is chosen.
        self.locked_officer = db.principal if purpose is Purpose.LOCKED and db is not None else None
        self._reason = ""
        self._ready_at = 0.0
        self._closing = False
        locked = self.locked_officer is not None
        self.setWindowTitle(
            translate("officers.sign_in", "BranchDesk is locked")
            if locked
            else translate("officers.sign_in", "Sign in to BranchDesk")
        )
        self.setObjectName("signInDialog")
        self.setMinimumWidth(440)
        if purpose in LOCK_PURPOSES:
            # No close button: the window stays covered until someone signs in or quits.
            self.setWindowFlags(
                Qt.WindowType.Dialog
                | Qt.WindowType.CustomizeWindowHint
                | Qt.WindowType.WindowTitleHint
            )

        heading = QLabel(prefs.branch_name)
        heading.setObjectName("tabHeading")
        heading.setWordWrap(True)
        self.intro = QLabel(_intro(purpose, db))
        self.intro.setWordWrap(True)
        where_label = QLabel(
            translate("officers.sign_in", "Database: {name}").format(name=self.where)
        )
        where_label.setObjectName("tabSubheading")
        where_label.setWordWrap(True)
        where_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("officerName")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(
            translate("officers.sign_in", "your name, as the secretary set it up")
        )
        self.name_edit.textEdited.connect(self._name_changed)
        self.password = password_edit("password")
        self.form = QFormLayout()
        self.form.addRow(translate("officers.sign_in", "Name"), self.name_edit)
        self.form.addRow(translate("officers.sign_in", "Password"), self.password)
        self.another_button = QPushButton(
            translate("officers.sign_in", "Sign in as another officer")
        )
        self.another_button.setObjectName("anotherOfficer")
        self.another_button.setToolTip(
            translate(
                "officers.sign_in",
                "Sign in with your own account instead; the officer signed in now is signed out",
            )
        )
        self.another_button.clicked.connect(lambda _c=False: self.sign_in_as_another())
        self.another_button.setVisible(locked)
        if locked:
            assert self.locked_officer is not None
            self.name_edit.setText(self.locked_officer.name)
            self.form.setRowVisible(0, False)
        else:
            self.name_edit.setText(remembered_name(self.where))
        self.message = message_label()

        cancel = {
            Purpose.START: translate("officers.sign_in", "Quit"),
            Purpose.OPEN: translate("officers.sign_in", "Cancel"),
        }.get(purpose, translate("officers.sign_in", "Quit BranchDesk"))
        buttons, self.sign_in_button, cancel_button = action_buttons(
            self,
            translate("officers.sign_in", "Unlock")
            if locked
            else translate("officers.sign_in", "Sign in"),
            cancel,
            self._cancel,
        )
        assert cancel_button is not None
        self.cancel_button = cancel_button

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(self.form)
        layout.addWidget(self.another_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addWidget(where_label)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        (self.password if self.name_edit.text() else self.name_edit).setFocus()

    # -- choosing who -----------------------------------------------------------------------

    def sign_in_as_another(self) -> None:
        """Locked: let another officer sign in (the one signed in now will be signed out)."""
        self.locked_officer = None
        self.setWindowTitle(translate("officers.sign_in", "Sign in to BranchDesk"))
        self.intro.setText(
            translate(
                "officers.sign_in",
                "Sign in with your own name and password. The officer signed in until now is "
                "signed out, and anything they left open is closed.",
            )
        )
        self.name_edit.clear()
        self.password.clear()
        self.form.setRowVisible(0, True)
        self.another_button.hide()
        self.sign_in_button.setText(translate("officers.sign_in", "Sign in"))
        self._stop_waiting()
        show_message(self.message, "")
        self.name_edit.setFocus()

    def _name_changed(self, _text: str) -> None:
        # The wait belongs to the account tried; another name may be tried at once.
        if self._countdown.isActive():
            self._stop_waiting()
            show_message(self.message, "")

    # -- signing in ------------------------------------------------------------------------

    def accept(self) -> None:
        if not self.sign_in_button.isEnabled():
            return  # still waiting after too many wrong passwords
        name = " ".join(self.name_edit.text().split())
        password = self.password.text()
        if not name:
            show_message(self.message, translate("officers.sign_in", "Enter your name."))
            self.name_edit.setFocus()
            return
        if not password:
            show_message(self.message, translate("officers.sign_in", "Enter your password."))
            self.password.setFocus()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # Argon2 takes a moment
        try:
            principal = self._check(name, password)
        except SignInFailed as exc:
            self._failed(exc)
            return
        except (StoreError, DBAPIError) as exc:
            log.warning("sign-in not checked: %s", type(exc).__name__)
            show_message(
                self.message,
                translate(
                    "officers.sign_in",
                    "The database could not be read just now ({why}). Try again.",
                ).format(why=_why(exc)),
            )
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if principal is None:
            return  # `_check` has said why, or closed the dialog itself
        self._signed_in(principal)

    def _check(self, name: str, password: str) -> Principal | None:
        """Sign in (raising SignInFailed); None when there is nothing more to do here."""
        assert self.db is not None
        if self.locked_officer is not None:
            confirm_password(self.db, password)
            return self.db.principal
        return sign_in(self.db, name, password)

    def _signed_in(self, principal: Principal) -> None:
        self.principal = principal
        try:
            remember_name(self.where, principal.name)
        except OSError:  # pragma: no cover - QSettings reports nothing; belt and braces
            log.warning("could not remember the name signed in with")
        self._stop_waiting()
        self._closing = True
        super().accept()

    def _failed(self, exc: SignInFailed) -> None:
        self.password.clear()
        self.password.setFocus()
        text = str(exc)
        # "Too many wrong passwords… N seconds" is said by the countdown, kept up to date.
        self._reason = "" if exc.wait_seconds and text.startswith("Too many") else text
        if exc.wait_seconds > 0:
            self._wait(exc.wait_seconds)
        else:
            show_message(self.message, sentence(self._reason))

    def seconds_to_wait(self) -> int:
        return max(0, math.ceil(self._ready_at - time.monotonic()))

    def _tick(self) -> None:
        left = self.seconds_to_wait()
        reason = f"{sentence(self._reason)} " if self._reason else ""
        if left <= 0:
            self._stop_waiting()
            show_message(
                self.message, reason + translate("officers.sign_in", "You can try again now.")
            )
            return
        waiting = translate("officers.sign_in", self.TOO_MANY)
        wait = (
            translate("officers.sign_in", "{waiting}: try again in 1 second.")
            if left == 1
            else translate("officers.sign_in", "{waiting}: try again in {n} seconds.")
        )
        show_message(self.message, reason + wait.format(waiting=waiting, n=left))

    def _wait(self, seconds: float) -> None:
        """Grey out the button and count down `seconds` before the next try."""
        self._ready_at = time.monotonic() + seconds
        self.sign_in_button.setEnabled(False)
        self._countdown.start()
        self._tick()

    def _stop_waiting(self) -> None:
        self._countdown.stop()
        self._ready_at = 0.0
        self.sign_in_button.setEnabled(True)

    # -- leaving ---------------------------------------------------------------------------

    def _cancel(self) -> None:
        self._stop_waiting()
        self._closing = True
        super().reject()

    def reject(self) -> None:
        # Escape: a way out at start-up, but never past the lock.
        if self.purpose in LOCK_PURPOSES and not self._closing:
            return
        self._cancel()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.purpose in LOCK_PURPOSES:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.purpose in LOCK_PURPOSES and not self._closing:
            event.ignore()
            return
        super().closeEvent(event)


def _why(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError):
        return str(exc.orig).strip().rstrip(".")
    return str(exc).strip().rstrip(".") or type(exc).__name__


# -- the first run ----------------------------------------------------------------------------


SET_UP_TEXT = QT_TRANSLATE_NOOP(
    "officers.sign_in",
    "This database has no officers' accounts yet. The first is the branch secretary's: "
    "the secretary then adds the other officers (Officers › Officers…), each with a role "
    "that decides what they can see and change: caseworkers their own cases, the treasurer "
    "the hardship fund, and so on.",
)
NEW_DATABASE_TEXT = QT_TRANSLATE_NOOP(
    "officers.sign_in",
    "A new database starts with the branch secretary's account. The secretary then adds the "
    "other officers (Officers › Officers…), each with a role that decides what they can see "
    "and change: caseworkers their own cases, the treasurer the hardship fund, and so on.",
)
PASSWORD_TEXT = QT_TRANSLATE_NOOP(
    "officers.sign_in",
    "Everyone signs in with their own name and password. If you forget yours, another "
    "secretary can give you a new one, so once you are set up consider adding a second "
    "secretary's account.",
)
ENCRYPT_TEXT = QT_TRANSLATE_NOOP(
    "officers.sign_in",
    "The file is then unreadable without an officer's password, even to someone who copies "
    "it or finds it on a lost laptop. Next you are shown a recovery code to print or write "
    "down: it is the way back in if every secretary forgets their password.",
)
ENCRYPT_LATER_TEXT = QT_TRANSLATE_NOOP(
    "officers.sign_in",
    "To encrypt this database, choose File › Encrypt database… once you are signed in.",
)


class SetUpDialog(QDialog):
    """The branch's name and the secretary's account, on a database without any accounts.

    Given a path rather than an open database, it makes the new database file itself: an
    encrypted one if "Encrypt this database" stays ticked (`recovery_code` is then the code to
    show once), else a plain one. `db` is the database, signed in, once accepted.
    """

    def __init__(
        self,
        db: Database | Path,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        at_start: bool = True,
        back: bool = False,
    ) -> None:
        super().__init__(parent)
        self.new_path = db if isinstance(db, Path) else None
        self.db: Database | None = None if isinstance(db, Path) else db
        self.prefs = prefs
        self.principal: Principal | None = None
        self.recovery_code = ""
        self.setWindowTitle(translate("officers.sign_in", "Set up BranchDesk"))
        self.setObjectName("setUpDialog")
        self.setMinimumWidth(540)

        # From the welcome, which has already said welcome: what this step is.
        heading = QLabel(
            translate("officers.sign_in", "Set up your branch")
            if back
            else translate("officers.sign_in", "Welcome to BranchDesk")
        )
        heading.setObjectName("tabHeading")
        intro = QLabel(
            translate(
                "officers.sign_in", SET_UP_TEXT if self.new_path is None else NEW_DATABASE_TEXT
            )
        )
        intro.setWordWrap(True)
        where = QLabel(
            translate("officers.sign_in", "Database: {name}").format(
                name=db if isinstance(db, Path) else db.display_name
            )
        )
        where.setObjectName("tabSubheading")
        where.setWordWrap(True)

        self.branch_edit = QLineEdit(prefs.get("branch_name"))
        self.branch_edit.setObjectName("branchName")
        self.branch_edit.setMaxLength(200)
        self.branch_edit.setPlaceholderText(
            translate("officers.sign_in", "for example Northshire County Branch")
        )
        self.branch_edit.setToolTip(
            translate("officers.sign_in", "Printed on every export and shown in the title bar")
        )
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("officerName")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(
            translate("officers.sign_in", "the branch secretary's name")
        )
        self.name_edit.setToolTip(
            translate("officers.sign_in", "You sign in with this name; the audit log records it")
        )
        form = QFormLayout()
        form.addRow(translate("officers.sign_in", "Branch name"), self.branch_edit)
        form.addRow(translate("officers.sign_in", "Your name"), self.name_edit)
        self.new_password = NewPassword(form, lambda: self.name_edit.text())
        self.name_edit.textChanged.connect(lambda _t: self.new_password.update_problems())
        note = QLabel(translate("officers.sign_in", PASSWORD_TEXT))
        note.setObjectName("tabSubheading")
        note.setWordWrap(True)

        # Only a new SQLite file is made encrypted here; an existing one is converted from the
        # File menu, which also encrypts its backups.
        self.encrypt_box = QCheckBox(
            translate("officers.sign_in", "Encrypt this database (recommended)")
        )
        self.encrypt_box.setObjectName("encryptDatabase")
        self.encrypt_box.setChecked(True)
        encrypt_note = QLabel(translate("officers.sign_in", ENCRYPT_TEXT))
        encrypt_note.setObjectName("tabSubheading")
        encrypt_note.setWordWrap(True)
        encrypt_note.setIndent(22)  # under the box's text, not its square
        self.encrypt_box.toggled.connect(encrypt_note.setEnabled)
        later = QLabel(translate("officers.sign_in", ENCRYPT_LATER_TEXT))
        later.setObjectName("tabSubheading")
        later.setWordWrap(True)
        self.message = message_label()

        # Back: the set-up was reached from the welcome, which it returns to.
        cancel = (
            translate("officers.sign_in", "Back")
            if back
            else translate("officers.sign_in", "Quit")
            if at_start
            else translate("officers.sign_in", "Cancel")
        )
        buttons, self.create_button, cancel_button = action_buttons(
            self, translate("officers.sign_in", "Create the account"), cancel
        )
        assert cancel_button is not None
        self.cancel_button = cancel_button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(note)
        if self.new_path is not None:
            layout.addSpacing(6)
            layout.addWidget(self.encrypt_box)
            layout.addWidget(encrypt_note)
        else:
            self.encrypt_box.setChecked(False)
            self.encrypt_box.hide()
            existing = self.db
            if existing is not None and existing.path is not None and not existing.encrypted:
                layout.addWidget(later)
        layout.addWidget(self.message)
        layout.addWidget(where)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        (self.name_edit if self.branch_edit.text() else self.branch_edit).setFocus()

    @property
    def encrypting(self) -> bool:
        return self.new_path is not None and self.encrypt_box.isChecked()

    def accept(self) -> None:
        branch = " ".join(self.branch_edit.text().split())
        name = " ".join(self.name_edit.text().split())
        password = self.new_password.text()
        if not branch:
            show_message(
                self.message,
                translate(
                    "officers.sign_in", "Enter the branch's name: it is printed on every export."
                ),
            )
            self.branch_edit.setFocus()
            return
        if not name:
            show_message(self.message, translate("officers.sign_in", "Enter your name."))
            self.name_edit.setFocus()
            return
        if not self.new_password.ready():
            problems = self.new_password.problems() or [
                translate("officers.sign_in", "type the password twice")
            ]
            show_message(self.message, " ".join(sentence(p) for p in problems))
            self.new_password.password.setFocus()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.principal = self._create(name, password)
        except (OfficerError, StoreError) as exc:
            show_message(self.message, sentence(str(exc)))
            return
        except OSError as exc:
            log.warning("database not created: %s", type(exc).__name__)
            show_message(
                self.message,
                translate("officers.sign_in", "The database could not be made ({why}).").format(
                    why=_why(exc)
                ),
            )
            return
        except DBAPIError as exc:
            log.warning("first officer not created: %s", type(exc).__name__)
            show_message(
                self.message,
                translate("officers.sign_in", "The database could not be written ({why}).").format(
                    why=_why(exc)
                ),
            )
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.prefs.set("branch_name", branch)
        try:
            self.prefs.save()
        except OSError:
            # The account is made; the name can be given again in Preferences.
            log.warning("branch name not saved to preferences")
        assert self.db is not None
        remember_name(self.db, self.principal.name)
        super().accept()

    def _create(self, name: str, password: str) -> Principal:
        """The secretary's account, in the open database or in a new file made for it."""
        if self.new_path is None:
            assert self.db is not None
            return create_first_officer(self.db, name, password)
        if self.encrypting:
            from branchdesk.access.encryption import create_encrypted

            made = create_encrypted(self.new_path, name, password)
            self.db, self.recovery_code = made.db, made.recovery_code
        else:
            db: Database | None = None
            try:
                db = open_database(self.new_path, officer=self.prefs.officer_name)
                create_first_officer(db, name, password)
            except BaseException:
                if db is not None:
                    db.dispose()
                _remove_unfinished(self.new_path)
                raise
            self.db = db
        assert self.db.principal is not None
        return self.db.principal


def _remove_unfinished(path: Path) -> None:
    """A database file this set-up began, removed when its first account could not be made:
    nothing of the branch's is in it yet, and trying again (or going back to the welcome and
    choosing the same place) must find the place free."""
    for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
        try:
            leftover.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("unfinished new database not removed: %s", type(exc).__name__)


def is_new_database(path: Path | None) -> bool:
    """Is there no database at `path` yet (nothing there, or an empty file), so that the
    set-up makes it? Never for the demo branch, which is made on demand without accounts."""
    if path is None or is_demo_database(path):
        return False
    try:
        return not path.exists() or path.stat().st_size == 0
    except OSError:
        return False


def set_up_new_database(
    path: Path,
    prefs: Preferences,
    dialogs: DialogService,
    parent: QWidget | None = None,
    *,
    at_start: bool = True,
    back: bool = False,
) -> Database | None:
    """Make a new database file with the secretary's account (encrypted unless the box is
    unticked, then showing the recovery code); None if the officer cancelled (or, with `back`,
    went back to the welcome)."""
    dialog = SetUpDialog(path, prefs, parent, at_start=at_start, back=back)
    try:
        if not dialogs.run_dialog(dialog) or dialog.db is None:
            return None
        db, code = dialog.db, dialog.recovery_code
    finally:
        dialog.deleteLater()
    if code:
        from branchdesk.ui.encryption.recovery_code import show_recovery_code

        show_recovery_code(
            dialogs,
            code,
            branch=prefs.branch_name,
            database=path.name,
            parent=parent,
            heading=translate(
                "officers.sign_in", "The database is encrypted: here is its recovery code"
            ),
        )
    return db


# -- both -------------------------------------------------------------------------------------


def admit(
    db: Database,
    prefs: Preferences,
    dialogs: DialogService,
    parent: QWidget | None = None,
    *,
    at_start: bool = True,
) -> bool:
    """Sign in to `db`, or set it up if it has no accounts; False if the user cancelled.

    The demo branch runs without accounts, as does a database someone has already signed in to.
    """
    if db.sign_in_required:
        if db.principal is not None:
            return True
        dialog: QDialog = SignInDialog(
            db, prefs, parent, purpose=Purpose.START if at_start else Purpose.OPEN
        )
    elif is_demo_database(db.path):
        return True
    else:
        dialog = SetUpDialog(db, prefs, parent, at_start=at_start)
    try:
        return dialogs.run_dialog(dialog)
    finally:
        dialog.deleteLater()
