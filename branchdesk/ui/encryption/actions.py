"""File › Encrypt database… and Tools › New recovery code…, and the status bar's "Encrypted".

Encrypting converts the open plain SQLite database in place, and its backups, in the
background: the window then carries on with the encrypted database, signed in as before, and
the secretary is shown the recovery code and told which officers need a new password (only the
secretary's password opens the file at first). Both are the signed-in secretary's to do; the
menu entries are greyed out otherwise, saying why.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.access.encryption import (
    Encrypted,
    encrypt_database,
    new_recovery_code,
    officers_without_key,
    open_encrypted,
)
from branchdesk.access.officers import SignInFailed
from branchdesk.access.roles import Role
from branchdesk.progress import Cancelled, Progress
from branchdesk.settings import is_demo_database
from branchdesk.store import keys
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError
from branchdesk.store.schedule import backups_folder
from branchdesk.ui import style
from branchdesk.ui.context import AppContext
from branchdesk.ui.encryption.recovery_code import show_recovery_code
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.officers.forms import action_buttons, message_label, password_edit, show_message
from branchdesk.ui.officers.gate import sentence
from branchdesk.ui.worker import report_unhandled

log = logging.getLogger(__name__)

# Untranslated here: each is translated where it is shown.
ENCRYPT_TIP = QT_TRANSLATE_NOOP(
    "encryption.actions",
    "Encrypt the database file and its backups, so that they open only with an officer's password",
)
RECOVERY_TIP = QT_TRANSLATE_NOOP(
    "encryption.actions",
    "Make a new recovery code for this encrypted database; the old one stops working",
)
BADGE_TIP = QT_TRANSLATE_NOOP(
    "encryption.actions",
    "The database file is encrypted: it opens only with an officer's password, or with the "
    "recovery code.",
)
POSTGRES = QT_TRANSLATE_NOOP(
    "encryption.actions",
    "A shared PostgreSQL database is protected on its server (TLS, and the server's disk), "
    "not by BranchDesk.",
)
ALREADY = QT_TRANSLATE_NOOP("encryption.actions", "This database is encrypted already.")
DEMO = QT_TRANSLATE_NOOP(
    "encryption.actions", "The demo branch holds only fictional members, and is not encrypted."
)
NO_ACCOUNTS = QT_TRANSLATE_NOOP(
    "encryption.actions",
    "Set up the branch secretary's account first: encrypting needs their password.",
)
SECRETARY_ONLY = QT_TRANSLATE_NOOP(
    "encryption.actions", "Only the branch secretary can encrypt the database."
)
BUSY = QT_TRANSLATE_NOOP("encryption.actions", "Wait until the work under way has finished.")
NOT_ENCRYPTED = QT_TRANSLATE_NOOP(
    "encryption.actions",
    "Only an encrypted database has a recovery code (File › Encrypt database…).",
)
SECRETARY_ONLY_CODE = QT_TRANSLATE_NOOP(
    "encryption.actions", "Only the branch secretary makes a new recovery code."
)


def _secretary(db: Database) -> bool:
    return db.principal is not None and db.principal.role == Role.SECRETARY


def encrypt_refusal(db: Database, busy: bool = False) -> str:
    """Why File › Encrypt database… cannot be used now ("" when it can), translated."""
    if db.path is None:
        reason = POSTGRES
    elif db.encrypted:
        reason = ALREADY
    elif is_demo_database(db.path):
        reason = DEMO
    elif not db.sign_in_required:
        reason = NO_ACCOUNTS
    elif not _secretary(db):
        reason = SECRETARY_ONLY
    else:
        reason = BUSY if busy else ""
    return translate("encryption.actions", reason) if reason else ""


def recovery_code_refusal(db: Database) -> str:
    """Why Tools › New recovery code… cannot be used now ("" when it can), translated."""
    if db.path is None or not db.encrypted:
        return translate("encryption.actions", NOT_ENCRYPTED)
    return "" if _secretary(db) else translate("encryption.actions", SECRETARY_ONLY_CODE)


def lock_pixmap(size: int = 16) -> QPixmap:
    """A small closed padlock, drawn in the accent colour at the size asked for."""
    ratio = 2.0  # drawn at twice the size, so it stays sharp on a high-density screen
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(style.ACCENT)
    s = size / 16
    pen = QPen(colour, 1.8 * s)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    # The shackle: half a rounded loop above the body.
    painter.drawArc(QRectF(4.5 * s, 1.5 * s, 7 * s, 9 * s), 0, 180 * 16)
    painter.drawLine(QPointF(4.5 * s, 6 * s), QPointF(4.5 * s, 8 * s))
    painter.drawLine(QPointF(11.5 * s, 6 * s), QPointF(11.5 * s, 8 * s))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(2.5 * s, 7 * s, 11 * s, 8 * s), 1.5 * s, 1.5 * s)
    painter.setBrush(QColor("white"))
    painter.drawEllipse(QPointF(8 * s, 10.5 * s), 1.3 * s, 1.3 * s)
    painter.end()
    return pixmap


class EncryptedBadge(QWidget):
    """A padlock and "Encrypted" in the status bar, while the open database is encrypted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("encryptedBadge")
        icon = QLabel()
        icon.setPixmap(lock_pixmap(14))
        self.label = QLabel(translate("encryption.actions", "Encrypted"))
        self.label.setObjectName("encryptedLabel")
        # The padlock close to its word (the status bar pads every label apart).
        self.setStyleSheet("QLabel { padding: 0px; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 10, 0)
        layout.setSpacing(4)
        layout.addWidget(icon)
        layout.addWidget(self.label)
        self.setToolTip(translate("encryption.actions", BADGE_TIP))


class EncryptionActions(QObject):
    """The two menu entries, and the badge, following the open database and who is in."""

    def __init__(
        self, ctx: AppContext, window: QWidget, swap_database: Callable[[Database], None]
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._swap = swap_database
        self._menus: set[int] = set()
        self.encrypt_action = QAction(translate("encryption.actions", "&Encrypt database…"), self)
        self.encrypt_action.triggered.connect(lambda _checked=False: self.encrypt())
        self.recovery_code_action = QAction(
            translate("encryption.actions", "&New recovery code…"), self
        )
        self.recovery_code_action.triggered.connect(lambda _checked=False: self.new_code())
        self.badge = EncryptedBadge()
        if isinstance(window, QMainWindow):
            window.statusBar().addPermanentWidget(self.badge)
        ctx.events.database_changed.connect(self.update)
        ctx.worker.busy_changed.connect(self._busy_changed)
        self.update()
        # The menus are built after this: hook them once the window is up.
        QTimer.singleShot(0, self, self.update)

    def _busy_changed(self, _busy: bool) -> None:
        self.update()

    def update(self) -> None:
        """Enable, grey out (saying why) and show what fits the database and the officer."""
        db = self.ctx.db
        for action, reason, tip in (
            (
                self.encrypt_action,
                encrypt_refusal(db, self.ctx.worker.busy),
                translate("encryption.actions", ENCRYPT_TIP),
            ),
            (
                self.recovery_code_action,
                recovery_code_refusal(db),
                translate("encryption.actions", RECOVERY_TIP),
            ),
        ):
            action.setEnabled(not reason)
            action.setToolTip(reason or tip)
            action.setStatusTip(reason or tip)
        self.badge.setVisible(db.encrypted)
        # Who is signed in changes without a signal (a sign-out, the lock): look again each
        # time a menu holding these opens.
        for action in (self.encrypt_action, self.recovery_code_action):
            for menu in action.associatedObjects():
                if isinstance(menu, QMenu) and id(menu) not in self._menus:
                    self._menus.add(id(menu))
                    menu.aboutToShow.connect(self.update)

    # -- File › Encrypt database… ------------------------------------------------------------

    def encrypt(self) -> None:
        reason = encrypt_refusal(self.ctx.db, self.ctx.worker.busy)
        if reason:
            self.ctx.dialogs.info(
                self.window, translate("encryption.actions", "Encrypt database"), reason
            )
            return
        dialog = EncryptDialog(self.ctx, self.window)
        try:
            if not self.ctx.dialogs.run_dialog(dialog) or dialog.result_ is None:
                return
            result = dialog.result_
        finally:
            dialog.deleteLater()
        self._swap(result.db)
        db = result.db
        assert db.path is not None
        if result.recovery_code:
            show_recovery_code(
                self.ctx.dialogs,
                result.recovery_code,
                branch=self.ctx.preferences.branch_name,
                database=db.path.name,
                parent=self.window,
                heading=translate(
                    "encryption.actions", "The database is encrypted: here is its recovery code"
                ),
            )
        self._tell_what_is_left(result)
        self.update()

    def _tell_what_is_left(self, result: Encrypted) -> None:
        """Which officers need a new password, and any backup left as it was."""
        try:
            waiting = officers_without_key(result.db)
        except (StoreError, DBAPIError) as exc:
            log.warning("officers without a key not listed: %s", error_kind(exc))
            waiting = []
        if waiting:
            names = "\n".join(f"• {name}" for name in waiting)
            text = translate(
                "encryption.actions",
                "The database and its backups are encrypted.\n\n"
                "These officers cannot open it until you give them a new password "
                "(Officers › Officers…, Reset password…):\n{names}",
            ).format(names=names)
        else:
            text = translate(
                "encryption.actions",
                "The database and its backups are encrypted. Nobody else needs a new password.",
            )
        self.ctx.dialogs.info(
            self.window, translate("encryption.actions", "Database encrypted"), text
        )
        if result.backups_failed:
            lines = "\n".join(f"• {path}: {why}" for path, why in result.backups_failed)
            self.ctx.dialogs.error(
                self.window,
                translate("encryption.actions", "Some files are not encrypted"),
                translate(
                    "encryption.actions",
                    "These could not be encrypted, and were left as they were: they are still "
                    "readable without a password. Delete backups you do not need, or keep them "
                    "safe; case documents left are encrypted the next time the database is "
                    "opened.\n\n{lines}",
                ).format(lines=lines),
            )

    # -- Tools › New recovery code… ----------------------------------------------------------

    def new_code(self) -> None:
        reason = recovery_code_refusal(self.ctx.db)
        if reason:
            self.ctx.dialogs.info(
                self.window, translate("encryption.actions", "New recovery code"), reason
            )
            return
        dialog = NewRecoveryCodeDialog(self.ctx, self.window)
        try:
            if not self.ctx.dialogs.run_dialog(dialog) or not dialog.code:
                return
            code = dialog.code
            dialog.code = ""
        finally:
            dialog.deleteLater()
        path = self.ctx.db.path
        assert path is not None
        show_recovery_code(
            self.ctx.dialogs,
            code,
            branch=self.ctx.preferences.branch_name,
            database=path.name,
            parent=self.window,
            heading=translate("encryption.actions", "Your new recovery code"),
        )


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("tabHeading")
    label.setWordWrap(True)
    return label


def _text(text: str, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMinimumWidth(520)  # with SetMinimumSize, wrapped text makes the dialog taller
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return label


def wrong_password_text(exc: SignInFailed) -> str:
    """A confirming password refused: it is the officer's own, so no "name or"."""
    text = str(exc)
    if text.startswith("Too many"):
        return sentence(text)
    if not exc.wait_seconds:
        return translate("encryption.actions", "That is not your password.")
    if exc.wait_seconds == 1:
        return translate(
            "encryption.actions", "That is not your password. Wait 1 second before trying again."
        )
    return translate(
        "encryption.actions",
        "That is not your password. Wait {n} seconds before trying again.",
    ).format(n=f"{exc.wait_seconds:,}")


def _report_only(progress: Progress) -> Callable[[int, int], None]:
    """Progress reports that never stop the work: once the database is encrypted, its
    backups are too, rather than leaving some readable because Cancel was pressed."""

    def report(done: int, total: int) -> None:
        with contextlib.suppress(Cancelled):
            progress.update(done, total)

    return report


class EncryptDialog(QDialog):
    """What encrypting does, and the secretary's password; the conversion runs from here, in
    the background. `result_` is the encrypted database once it is done."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        path = ctx.db.path
        assert path is not None and ctx.db.principal is not None
        self.ctx = ctx
        self.folder = backups_folder(path, ctx.preferences.get("backup_folder"))
        self.result_: Encrypted | None = None
        self._running = False
        self.setWindowTitle(translate("encryption.actions", "Encrypt database"))
        self.setObjectName("encryptDialog")

        folder = html.escape(str(self.folder))
        what_happens = [
            translate(
                "encryption.actions",
                "The database is copied into an encrypted file, which is checked. The plain file "
                "is then overwritten and removed.",
            ),
            translate(
                "encryption.actions",
                "Its backups, in <b>{folder}</b> and beside the database, are encrypted too. "
                "Copies kept elsewhere (on a USB stick, say) stay readable: delete them, or keep "
                "them locked away.",
            ).format(folder=folder),
            translate(
                "encryption.actions",
                "You open the database with your name and password, as now. Every other officer "
                "needs a new password from you before they can open it (Officers › Officers…, "
                "Reset password…).",
            ),
            translate(
                "encryption.actions",
                "You are then shown a recovery code, once, to print or write down.",
            ),
        ]
        items = "".join(f"<li style='margin-bottom: 4px'>{item}</li>" for item in what_happens)
        intro = translate(
            "encryption.actions",
            "Encrypting makes the database file unreadable without an officer's password, "
            "so members' details stay safe if the file is copied, or the computer is lost or "
            "stolen.",
        )
        steps = _text(f"<p>{intro}</p><ul style='margin-left: -20px'>{items}</ul>", rich=True)
        self.password = password_edit("password")
        form = QFormLayout()
        form.addRow(translate("encryption.actions", "Your password"), self.password)
        self.message = message_label()

        buttons, self.encrypt_button, self.cancel_button = action_buttons(
            self, translate("encryption.actions", "Encrypt")
        )

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(_heading(translate("encryption.actions", "Encrypt this database")))
        layout.addWidget(steps)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.password.setFocus()

    def accept(self) -> None:
        if self._running:
            return
        password = self.password.text()
        if not password:
            show_message(self.message, translate("encryption.actions", "Enter your password."))
            self.password.setFocus()
            return
        show_message(self.message, "")
        self._running = True
        self.encrypt_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        db, folders = self.ctx.db, [self.folder]
        # Background reads (a list refreshing, today's backup) finish first: nothing of this
        # program may have the file open while it is copied and replaced.
        self.ctx.worker.quiet_pool.waitForDone(60_000)
        task = self.ctx.worker.run_with_progress(
            lambda progress: encrypt_database(db, password, folders, _report_only(progress)),
            parent=self,
            title=translate("encryption.actions", "Encrypt database"),
            label=translate("encryption.actions", "Encrypting the database and its backups…"),
            on_done=self._done,
            on_error=lambda exc: self._failed(exc, password),
        )
        if task.dialog is not None:
            # Nothing to cancel: stopping half-way would leave some backups readable.
            task.dialog.canceled.disconnect(task.cancel)
            task.dialog.setCancelButton(None)  # type: ignore[arg-type]

    def _done(self, result: Encrypted) -> None:
        self.result_ = result
        self._running = False
        if shiboken6.isValid(self):
            super().accept()

    def _failed(self, exc: BaseException, password: str) -> None:
        self._running = False
        if not shiboken6.isValid(self):
            report_unhandled(exc)
            return
        path = self.ctx.db.path
        if path is not None and keys.is_encrypted(path) and not isinstance(exc, SignInFailed):
            # The file was encrypted and something after it failed: open it as it now is.
            self._after_partial(path, exc, password)
            return
        self.encrypt_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        if isinstance(exc, SignInFailed):
            show_message(self.message, wrong_password_text(exc))
            self.password.clear()
            self.password.setFocus()
        elif isinstance(exc, StoreError | OSError):
            show_message(self.message, sentence(str(exc)))
        else:
            report_unhandled(exc)

    def _after_partial(self, path: Path, exc: BaseException, password: str) -> None:
        log.warning("encrypted, but the rest failed: %s", error_kind(exc))
        principal = self.ctx.db.principal
        assert principal is not None
        try:
            db = open_encrypted(path, principal.name, password)
            # The code made with the file was lost with the error: make the one to show.
            code = new_recovery_code(db, password)
        except (StoreError, DBAPIError) as again:
            log.warning("encrypted database not reopened: %s", error_kind(again))
            self.encrypt_button.setEnabled(False)
            self.cancel_button.setEnabled(True)
            show_message(
                self.message,
                translate(
                    "encryption.actions",
                    "The database is encrypted, but then something failed ({error}) "
                    "Close BranchDesk and open it again with your name and password, then make a "
                    "new recovery code (Tools › New recovery code…).",
                ).format(error=sentence(str(exc))),
            )
            return
        self.result_ = Encrypted(db, code, backups_failed=[(self.folder, str(exc))])
        super().accept()

    def reject(self) -> None:
        if not self._running:  # never while the file is being converted
            super().reject()


class NewRecoveryCodeDialog(QDialog):
    """The secretary's password for a new recovery code; `code` once it is made."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.code = ""
        self.setWindowTitle(translate("encryption.actions", "New recovery code"))
        self.setObjectName("newRecoveryCodeDialog")

        intro = _text(
            translate(
                "encryption.actions",
                "A new recovery code replaces the old one, which no longer opens the database. "
                "Backups taken before keep the keys they were taken with, the old code's too: "
                "if someone who should not have it may have seen the old code, delete the older "
                "backups once a new one is taken. Make a new code if the code has been lost, or "
                "may have been seen.",
            )
        )
        self.password = password_edit("password")
        form = QFormLayout()
        form.addRow(translate("encryption.actions", "Your password"), self.password)
        self.message = message_label()
        buttons, self.make_button, self.cancel_button = action_buttons(
            self, translate("encryption.actions", "Make a new code")
        )

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(_heading(translate("encryption.actions", "Make a new recovery code")))
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.password.setFocus()

    def accept(self) -> None:
        password = self.password.text()
        if not password:
            show_message(self.message, translate("encryption.actions", "Enter your password."))
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # Argon2, twice
        try:
            self.code = new_recovery_code(self.ctx.db, password)
        except (StoreError, DBAPIError) as exc:
            log.warning("no new recovery code: %s", error_kind(exc))
            if isinstance(exc, SignInFailed):
                text = wrong_password_text(exc)
            else:
                text = sentence(str(exc) if isinstance(exc, StoreError) else str(exc.orig))
            show_message(self.message, text)
            self.password.clear()
            self.password.setFocus()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        super().accept()
