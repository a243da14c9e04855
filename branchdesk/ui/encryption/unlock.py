"""Opening an encrypted database: one name and password both unlock the file and sign in.

`UnlockDialog` is the sign-in dialog whose check opens the database (`open_encrypted`) rather
than signing in to one already open. The database cannot count wrong passwords before it is
open, so the dialog counts them itself: after three in a row each further try waits, doubling
up to five minutes, as an account does. "Forgotten your password?" leads to `RecoverDialog`,
where the recovery code gives a secretary a new password.

`unlock_database` puts it together for start-up and File › Open, including a damaged file:
once the key is known, the newest good backup is offered, as for a plain database.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.access.encryption import Encrypted, open_encrypted, recover
from branchdesk.access.officers import SignInFailed, sign_in, wait_after
from branchdesk.access.principal import Principal
from branchdesk.settings import Preferences
from branchdesk.store import keys
from branchdesk.store.database import Database
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.ui import style
from branchdesk.ui.dialogs import DialogService
from branchdesk.ui.encryption.recovery_code import _fixed_font, show_recovery_code
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.forms import NewPassword, action_buttons, message_label, show_message
from branchdesk.ui.officers.gate import sentence
from branchdesk.ui.officers.sign_in import Purpose, SignInDialog, admit, remember_name
from branchdesk.ui.worker import Worker

log = logging.getLogger(__name__)

# Untranslated here: each is translated where it is shown.
UNLOCK_TEXT = QT_TRANSLATE_NOOP(
    "encryption.unlock",
    "This database is encrypted. Your name and password open it and sign you in.",
)
RECOVER_TEXT = QT_TRANSLATE_NOOP(
    "encryption.unlock",
    "The recovery code was shown when the database was encrypted, to be printed or written "
    "down. With it, a secretary's account gets a new password. A new recovery code is then "
    "shown, and the old one stops working.",
)
WRONG = QT_TRANSLATE_NOOP("encryption.unlock", "Wrong name or password.")


@dataclass
class _Tries:
    wrong_in_a_row: int = 0
    ready_at: float = 0.0  # time.monotonic() of the next try allowed


# Wrong passwords per database file, for as long as BranchDesk runs: closing the dialog and
# choosing File › Open again does not start the count afresh.
_tries: dict[str, _Tries] = {}


def _tries_for(where: str) -> _Tries:
    return _tries.setdefault(where, _Tries())


class UnlockDialog(SignInDialog):
    """Name and password for an encrypted database: accepted with `db` open and signed in,
    or with `damaged` set (the key is right and the file is not), for the restore offer."""

    # The sign-in dialog translates this in its own context: declared in that one.
    TOO_MANY = QT_TRANSLATE_NOOP("officers.sign_in", "Too many wrong passwords")

    def __init__(
        self,
        path: Path,
        prefs: Preferences,
        dialogs: DialogService,
        parent: QWidget | None = None,
        *,
        purpose: Purpose = Purpose.START,
    ) -> None:
        super().__init__(None, prefs, parent, purpose=purpose, where=str(path))
        self.setObjectName("unlockDialog")
        self.path = path
        self.prefs = prefs
        self.dialogs = dialogs
        self.damaged: DatabaseDamaged | None = None
        self.key: bytes | None = None
        # Kept only to sign in again once a damaged file is restored from a backup.
        self.credentials: tuple[str, str] | None = None
        self.intro.setText(translate("encryption.unlock", UNLOCK_TEXT))

        self.forgotten_button = QPushButton(
            translate("encryption.unlock", "Forgotten your password?")
        )
        self.forgotten_button.setObjectName("forgottenPassword")
        self.forgotten_button.setFlat(True)
        self.forgotten_button.setCursor(Qt.CursorShape.PointingHandCursor)
        # A link, not a button: it leads elsewhere rather than doing anything.
        self.forgotten_button.setStyleSheet(
            f"QPushButton#forgottenPassword {{ color: {style.ACCENT}; text-decoration: "
            "underline; border: none; padding: 2px 0; text-align: left; }"
        )
        self.forgotten_button.setToolTip(
            translate(
                "encryption.unlock",
                "A secretary who has forgotten their password can set a new one with the "
                "recovery code",
            )
        )
        self.forgotten_button.clicked.connect(lambda _c=False: self.recover())
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(
            layout.indexOf(self.another_button) + 1,
            self.forgotten_button,
            0,
            Qt.AlignmentFlag.AlignLeft,
        )
        # Still waiting after wrong passwords in an earlier dialog for this file.
        left = _tries_for(self.where).ready_at - time.monotonic()
        if left > 0:
            self._reason = translate("encryption.unlock", WRONG)
            self._wait(left)

    def _name_changed(self, _text: str) -> None:
        # The wait is the file's, not one account's: another name does not lift it.
        return

    def _check(self, name: str, password: str) -> Principal | None:
        tries = _tries_for(self.where)
        try:
            db = open_encrypted(self.path, name, password)
        except keys.WrongPassword:
            tries.wrong_in_a_row += 1
            wait = wait_after(tries.wrong_in_a_row)
            tries.ready_at = time.monotonic() + wait
            raise SignInFailed(translate("encryption.unlock", WRONG), wait) from None
        except keys.KeyProblem as exc:
            show_message(self.message, sentence(str(exc)))
            self.password.clear()
            return None
        except DatabaseDamaged as exc:
            # The password opened the key (open_encrypted checks the key first), so the file
            # itself is damaged: the key is needed to check and restore its backups.
            tries.wrong_in_a_row = 0
            self.key = keys.unlock(self.path, name, password)
            self.damaged = exc
            self.credentials = (name, password)
            self._closing = True
            QDialog.accept(self)
            return None
        except SignInFailed:
            raise  # the account waits, or is switched off: the database says which
        except StoreError as exc:
            show_message(
                self.message,
                translate("encryption.unlock", "The database could not be opened: {error}").format(
                    error=sentence(str(exc))
                ),
            )
            return None
        tries.wrong_in_a_row = 0
        tries.ready_at = 0.0
        self.db = db
        return db.principal

    # -- forgotten password ------------------------------------------------------------------

    def recover(self) -> None:
        """The recovery code: a secretary's new password, the new code shown, then in."""
        dialog = RecoverDialog(self.path, self, name=self.name_edit.text())
        try:
            if not self.dialogs.run_dialog(dialog) or dialog.result_ is None:
                return
            result = dialog.result_
        finally:
            dialog.deleteLater()
        _tries.pop(self.where, None)
        self._stop_waiting()
        show_recovery_code(
            self.dialogs,
            result.recovery_code,
            branch=self.prefs.branch_name,
            database=self.path.name,
            parent=self,
            heading=translate("encryption.unlock", "Your new recovery code"),
        )
        self.db = result.db
        principal = result.db.principal
        assert principal is not None
        self._signed_in(principal)


class RecoverDialog(QDialog):
    """The recovery code, a secretary's name and a new password; `result_` once it worked."""

    def __init__(self, path: Path, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.path = path
        self.result_: Encrypted | None = None
        self.setWindowTitle(translate("encryption.unlock", "Forgotten your password?"))
        self.setObjectName("recoverDialog")
        self.setMinimumWidth(520)

        heading = QLabel(translate("encryption.unlock", "Get back in with the recovery code"))
        heading.setObjectName("tabHeading")
        heading.setWordWrap(True)
        intro = QLabel(translate("encryption.unlock", RECOVER_TEXT))
        intro.setWordWrap(True)

        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("recoveryCodeEdit")
        self.code_edit.setFont(_fixed_font(11))
        self.code_edit.setMaxLength(80)
        self.code_edit.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-…")  # the code's shape
        self.code_edit.setToolTip(
            translate(
                "encryption.unlock", "Capitals or small letters; spaces and dashes do not matter"
            )
        )
        self.name_edit = QLineEdit(" ".join(name.split()))
        self.name_edit.setObjectName("officerName")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(translate("encryption.unlock", "a secretary's name"))
        form = QFormLayout()
        form.addRow(translate("encryption.unlock", "Recovery code"), self.code_edit)
        form.addRow(translate("encryption.unlock", "Secretary's name"), self.name_edit)
        self.new_password = NewPassword(
            form, lambda: self.name_edit.text(), translate("encryption.unlock", "New password")
        )
        self.name_edit.textChanged.connect(lambda _t: self.new_password.update_problems())
        self.message = message_label()

        buttons, self.recover_button, self.cancel_button = action_buttons(
            self, translate("encryption.unlock", "Set the new password")
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.code_edit.setFocus()

    def accept(self) -> None:
        code = self.code_edit.text().strip()
        name = " ".join(self.name_edit.text().split())
        if not code:
            show_message(self.message, translate("encryption.unlock", "Enter the recovery code."))
            self.code_edit.setFocus()
            return
        if not name:
            show_message(
                self.message,
                translate("encryption.unlock", "Enter the name of a secretary's account."),
            )
            self.name_edit.setFocus()
            return
        if not self.new_password.ready():
            problems = self.new_password.problems() or [
                translate("encryption.unlock", "type the new password twice")
            ]
            show_message(self.message, " ".join(sentence(p) for p in problems))
            self.new_password.password.setFocus()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # Argon2, several times
        try:
            self.result_ = recover(self.path, code, name, self.new_password.text())
        except (StoreError, DBAPIError) as exc:
            log.warning("recovery refused: %s", type(exc).__name__)
            text = str(exc) if isinstance(exc, StoreError) else str(exc.orig)
            show_message(self.message, sentence(text))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        super().accept()


# -- start-up and File › Open ------------------------------------------------------------------


@dataclass
class Unlocked:
    """What came of opening an encrypted database: `db` (signed in), or None, and whether
    that was because the file is damaged and no backup was restored."""

    db: Database | None = None
    damaged: bool = False


def unlock_database(
    path: Path,
    prefs: Preferences,
    dialogs: DialogService,
    worker: Worker,
    parent: QWidget | None = None,
    *,
    at_start: bool = True,
) -> Unlocked:
    """Ask for a name and password, open the encrypted database at `path` and sign in; on a
    damaged file, offer its newest good backup (the password has given the key to check it)."""
    dialog = UnlockDialog(
        path, prefs, dialogs, parent, purpose=Purpose.START if at_start else Purpose.OPEN
    )
    try:
        if not dialogs.run_dialog(dialog):
            return Unlocked()
        if dialog.db is not None:
            return Unlocked(dialog.db)
        damaged, key, credentials = dialog.damaged, dialog.key, dialog.credentials
        dialog.credentials = None
    finally:
        dialog.deleteLater()
    if damaged is None or key is None or credentials is None:
        return Unlocked()
    from branchdesk.ui.backup_dialogs import recover_damaged

    log.error("the encrypted database is damaged; offering a restore")
    db = recover_damaged(
        path, str(damaged), dialogs, prefs, worker, key=key, parent=parent, at_start=at_start
    )
    if db is None:
        return Unlocked(damaged=True)
    # The accounts are the backup's now: the same name and password sign in if they were the
    # same then; otherwise whoever is at the keyboard signs in as usual.
    name, password = credentials
    try:
        sign_in(db, name, password)
    except (StoreError, DBAPIError) as exc:
        log.info("sign-in after the restore needs asking: %s", type(exc).__name__)
    if db.principal is None and not admit(db, prefs, dialogs, parent, at_start=at_start):
        db.dispose()
        return Unlocked()
    if db.principal is not None:
        remember_name(db, db.principal.name)
    return Unlocked(db)
