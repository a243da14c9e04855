"""Officers › Officers…: the branch secretary's list of accounts, and changing your own password.

Every change is made by the functions in `branchdesk.access.officers`, which check the role
again: a refusal from there is shown as it is said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.access.encryption import officers_without_key
from branchdesk.access.officers import (
    OfficerRow,
    add_officer,
    change_own_password,
    list_officers,
    reset_password,
    set_active,
    set_role,
)
from branchdesk.access.roles import ROLE_DESCRIPTIONS, ROLE_LABELS, Role
from branchdesk.exports.text import local_time, short_date
from branchdesk.store.errors import StoreError
from branchdesk.ui import style
from branchdesk.ui.context import AppContext
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

# Untranslated here: each is translated where it is shown.
COLUMNS = [
    QT_TRANSLATE_NOOP("officers.officers_dialog", "Name"),
    QT_TRANSLATE_NOOP("officers.officers_dialog", "Role"),
    QT_TRANSLATE_NOOP("officers.officers_dialog", "Account"),
    QT_TRANSLATE_NOOP("officers.officers_dialog", "Last signed in"),
]
NEEDS_PASSWORD = QT_TRANSLATE_NOOP("officers.officers_dialog", "Active, needs a new password")
NEEDS_PASSWORD_TIP = QT_TRANSLATE_NOOP(
    "officers.officers_dialog",
    "The database is encrypted, and this officer's password does not open it yet: give them "
    "a new one with Reset password…",
)


def signed_in_text(when: datetime | None) -> str:
    if when is None:
        return translate("officers.officers_dialog", "Never")
    local = local_time(when)
    return translate("officers.officers_dialog", "{date}, {time}").format(
        date=short_date(local.date()), time=f"{local:%H:%M}"
    )


def _attempt(message: QLabel, work: Callable[[], object]) -> bool:
    """Run a change; on a refusal, say why under the form and keep it open."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a password is hashed
    try:
        work()
    except StoreError as exc:
        show_message(message, sentence(str(exc)))
        return False
    except DBAPIError as exc:
        log.warning("officer's account not changed: %s", type(exc).__name__)
        show_message(
            message,
            translate(
                "officers.officers_dialog", "The database could not be written: {error}."
            ).format(error=exc.orig),
        )
        return False
    finally:
        QGuiApplication.restoreOverrideCursor()
    return True


def _form_dialog(dialog: QDialog, title: str, intro: str) -> tuple[QFormLayout, QVBoxLayout]:
    """A small form dialog; `title` and `intro` come translated."""
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(480)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(18, 16, 18, 14)
    layout.setSpacing(8)
    if intro:
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
    form = QFormLayout()
    layout.addLayout(form)
    return form, layout


def _buttons(dialog: QDialog, layout: QVBoxLayout, ok: str) -> QPushButton:
    buttons, button, _cancel = action_buttons(dialog, ok)
    layout.addSpacing(6)
    layout.addWidget(buttons)
    return button


class _RoleChooser(QComboBox):
    """The five roles, with what the one chosen may do shown beside it."""

    def __init__(self, current: Role = Role.CASEWORKER) -> None:
        super().__init__()
        self.setObjectName("roleChooser")
        for role, text in ROLE_LABELS.items():
            self.addItem(text, role.value)
        self.description = QLabel()
        self.description.setObjectName("tabSubheading")
        self.description.setWordWrap(True)
        self.currentIndexChanged.connect(self._describe)
        self.setCurrentIndex(max(0, self.findData(current.value)))
        self._describe()

    def role(self) -> Role:
        return Role(self.currentData())

    def choose(self, role: Role) -> None:
        self.setCurrentIndex(self.findData(role.value))

    def _describe(self, _index: int = 0) -> None:
        self.description.setText(ROLE_DESCRIPTIONS[self.role()])


class AddOfficerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.added: OfficerRow | None = None
        form, layout = _form_dialog(
            self,
            translate("officers.officers_dialog", "Add an officer"),
            translate(
                "officers.officers_dialog",
                "The officer signs in with this name and password; their role decides what they "
                "can see and change.",
            ),
        )
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("officerName")
        self.name_edit.setMaxLength(200)
        self.role = _RoleChooser()
        form.addRow(translate("officers.officers_dialog", "Name"), self.name_edit)
        form.addRow(translate("officers.officers_dialog", "Role"), self.role)
        form.addRow("", self.role.description)
        self.new_password = NewPassword(form, lambda: self.name_edit.text())
        self.name_edit.textChanged.connect(lambda _t: self.new_password.update_problems())
        note = QLabel(
            translate(
                "officers.officers_dialog",
                "Give them the password in person, not by email. They can change it once they "
                "have signed in (Officers › Change my password…).",
            )
        )
        note.setObjectName("tabSubheading")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(
            self, layout, translate("officers.officers_dialog", "Add officer")
        )
        self.name_edit.setFocus()

    def accept(self) -> None:
        if not self.name_edit.text().strip():
            show_message(
                self.message, translate("officers.officers_dialog", "Enter the officer's name.")
            )
            return
        if not self.new_password.ready():
            problems = self.new_password.problems() or [
                translate("officers.officers_dialog", "type the password twice")
            ]
            show_message(self.message, " ".join(sentence(p) for p in problems))
            return

        def add() -> None:
            self.added = add_officer(
                self.ctx.db, self.name_edit.text(), self.role.role(), self.new_password.text()
            )

        if _attempt(self.message, add):
            super().accept()


class RoleDialog(QDialog):
    def __init__(self, ctx: AppContext, officer: OfficerRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.officer = officer
        form, layout = _form_dialog(
            self,
            translate("officers.officers_dialog", "Change role — {name}").format(name=officer.name),
            translate(
                "officers.officers_dialog",
                "{name} is {role} now. The new role applies from their next sign-in.",
            ).format(name=officer.name, role=officer.role_label.lower()),
        )
        self.role = _RoleChooser(officer.role)
        form.addRow(translate("officers.officers_dialog", "Role"), self.role)
        form.addRow("", self.role.description)
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(
            self, layout, translate("officers.officers_dialog", "Change role")
        )

    def accept(self) -> None:
        role = self.role.role()
        if _attempt(self.message, lambda: set_role(self.ctx.db, self.officer.id, role)):
            super().accept()


class ResetPasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, officer: OfficerRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.officer = officer
        form, layout = _form_dialog(
            self,
            translate("officers.officers_dialog", "New password — {name}").format(
                name=officer.name
            ),
            translate(
                "officers.officers_dialog",
                "For when {name} has forgotten theirs. The old password stops working at "
                "once, and any wait after wrong passwords is cleared.",
            ).format(name=officer.name),
        )
        self.new_password = NewPassword(
            form, lambda: officer.name, translate("officers.officers_dialog", "New password")
        )
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(
            self, layout, translate("officers.officers_dialog", "Set password")
        )

    def accept(self) -> None:
        if not self.new_password.ready():
            problems = self.new_password.problems() or [
                translate("officers.officers_dialog", "type the password twice")
            ]
            show_message(self.message, " ".join(sentence(p) for p in problems))
            return
        password = self.new_password.text()
        if _attempt(self.message, lambda: reset_password(self.ctx.db, self.officer.id, password)):
            super().accept()


class ChangePasswordDialog(QDialog):
    """Officers › Change my password…: the current one, then the new one twice."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        principal = ctx.db.principal
        name = principal.name if principal is not None else ""
        form, layout = _form_dialog(
            self,
            translate("officers.officers_dialog", "Change my password"),
            translate(
                "officers.officers_dialog", "The password {name} signs in with, from now on."
            ).format(name=name),
        )
        self.current = password_edit("currentPassword")
        form.addRow(translate("officers.officers_dialog", "Current password"), self.current)
        self.new_password = NewPassword(
            form, lambda: name, translate("officers.officers_dialog", "New password")
        )
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(
            self, layout, translate("officers.officers_dialog", "Change password")
        )
        self.current.setFocus()

    def accept(self) -> None:
        if not self.current.text():
            show_message(
                self.message, translate("officers.officers_dialog", "Enter your current password.")
            )
            return
        if not self.new_password.ready():
            problems = self.new_password.problems() or [
                translate("officers.officers_dialog", "type the new password twice")
            ]
            show_message(self.message, " ".join(sentence(p) for p in problems))
            return
        old, new = self.current.text(), self.new_password.text()
        if not _attempt(self.message, lambda: change_own_password(self.ctx.db, old, new)):
            # The domain says "the name or the password" (in English: the domain's words are
            # not translated); here only the password was typed.
            if self.message.text().startswith("The name or the password"):
                show_message(
                    self.message,
                    translate("officers.officers_dialog", "Your current password is not right."),
                )
            self.current.clear()
            self.current.setFocus()
            return
        super().accept()


class OfficersDialog(QDialog):
    """The accounts, and what the secretary can do with them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[OfficerRow] = []
        # The secretary changed their own role: the window signs them out when this closes.
        self.own_role_changed = False
        self.setWindowTitle(translate("officers.officers_dialog", "Officers"))
        self.setMinimumSize(720, 420)

        heading = QLabel(translate("officers.officers_dialog", "Officers' accounts"))
        heading.setObjectName("tabHeading")
        intro = QLabel(
            translate(
                "officers.officers_dialog",
                "Everyone using BranchDesk signs in with their own account. Their role decides "
                "what they can see and change; everything they do is recorded under their name.",
            )
        )
        intro.setObjectName("tabSubheading")
        intro.setWordWrap(True)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("officersTable")
        self.table.setAccessibleName(translate("officers.officers_dialog", "Officers' accounts"))
        self.table.setHorizontalHeaderLabels(
            [translate("officers.officers_dialog", column) for column in COLUMNS]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.change_role())

        self.role_text = QLabel()
        self.role_text.setObjectName("tabSubheading")
        self.role_text.setWordWrap(True)

        self.add_button = QPushButton(translate("officers.officers_dialog", "Add officer…"))
        self.add_button.setObjectName("primaryButton")
        self.add_button.setToolTip(
            translate(
                "officers.officers_dialog", "Give another officer an account, with their role"
            )
        )
        self.add_button.clicked.connect(lambda _c=False: self.add_officer())
        self.role_button = QPushButton(translate("officers.officers_dialog", "Change role…"))
        self.role_button.setToolTip(
            translate(
                "officers.officers_dialog", "Change what the chosen officer can see and change"
            )
        )
        self.role_button.clicked.connect(lambda _c=False: self.change_role())
        self.reset_button = QPushButton(translate("officers.officers_dialog", "Reset password…"))
        self.reset_button.setToolTip(
            translate("officers.officers_dialog", "Give the chosen officer a new password")
        )
        self.reset_button.clicked.connect(lambda _c=False: self.reset_password())
        self.active_button = QPushButton(translate("officers.officers_dialog", "Switch off"))
        self.active_button.clicked.connect(lambda _c=False: self.toggle_active())
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.add_button, self.role_button, self.reset_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.role_text)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.refresh()

    # -- the list ----------------------------------------------------------------------------

    def refresh(self, select: int | None = None) -> None:
        keep = select if select is not None else self._selected_id()
        try:
            self.rows = list_officers(self.ctx.db)
        except (StoreError, DBAPIError) as exc:
            self.rows = []
            text = (
                sentence(str(exc))
                if isinstance(exc, StoreError)
                else translate("officers.officers_dialog", "Try again.")
            )
            self.ctx.dialogs.error(
                self, translate("officers.officers_dialog", "The officers could not be read"), text
            )
        me = self.ctx.db.principal
        without_key = self._without_key()
        self.table.setRowCount(len(self.rows))
        for row, officer in enumerate(self.rows):
            name = (
                translate("officers.officers_dialog", "{name} (you)").format(name=officer.name)
                if me and me.officer_id == officer.id
                else officer.name
            )
            needs_key = officer.active and officer.name in without_key
            if not officer.active:
                account = translate("officers.officers_dialog", "Switched off")
            elif needs_key:
                account = translate("officers.officers_dialog", NEEDS_PASSWORD)
            else:
                account = translate("officers.officers_dialog", "Active")
            cells = [name, officer.role_label, account, signed_in_text(officer.last_signed_in_at)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, officer.id)
                if needs_key:
                    item.setToolTip(translate("officers.officers_dialog", NEEDS_PASSWORD_TIP))
                if not officer.active:
                    item.setForeground(QColor(style.MUTED))
                self.table.setItem(row, column, item)
        for row, officer in enumerate(self.rows):
            if officer.id == keep:
                self.table.selectRow(row)
                break
        self._update_buttons()

    def _without_key(self) -> set[str]:
        """Officers an encrypted database does not open for yet (none for a plain one)."""
        if not self.ctx.db.encrypted:
            return set()
        try:
            return set(officers_without_key(self.ctx.db))
        except (StoreError, DBAPIError) as exc:
            log.warning("officers without a key not read: %s", type(exc).__name__)
            return set()

    def _selected_id(self) -> int | None:
        officer = self.selected()
        return officer.id if officer is not None else None

    def selected(self) -> OfficerRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def select(self, name: str) -> None:
        for row, officer in enumerate(self.rows):
            if officer.name == name:
                self.table.selectRow(row)
                return

    def column(self, column: int) -> list[str]:
        """What one column shows, top to bottom (for tests)."""
        return [self.table.item(r, column).text() for r in range(self.table.rowCount())]

    def _is_me(self, officer: OfficerRow) -> bool:
        me = self.ctx.db.principal
        return me is not None and me.officer_id == officer.id

    def _update_buttons(self) -> None:
        officer = self.selected()
        for button in (self.role_button, self.reset_button, self.active_button):
            button.setEnabled(officer is not None)
        self.role_text.setText(
            translate("officers.officers_dialog", "{name}: {role}. {description}").format(
                name=officer.name,
                role=officer.role_label,
                description=ROLE_DESCRIPTIONS[officer.role],
            )
            if officer is not None
            else translate(
                "officers.officers_dialog",
                "Choose an officer to change their role or password, or switch their account off.",
            )
        )
        active = officer is None or officer.active
        self.active_button.setText(
            translate("officers.officers_dialog", "Switch off")
            if active
            else translate("officers.officers_dialog", "Switch on")
        )
        self.active_button.setToolTip(
            translate(
                "officers.officers_dialog",
                "Stop the chosen officer signing in (nothing they recorded is removed)",
            )
            if active
            else translate("officers.officers_dialog", "Let the chosen officer sign in again")
        )
        if officer is not None and active and self._is_me(officer):
            self.active_button.setEnabled(False)
            self.active_button.setToolTip(
                translate("officers.officers_dialog", "You cannot switch off your own account.")
            )

    # -- changes -----------------------------------------------------------------------------

    def _run(self, dialog: QDialog) -> bool:
        try:
            return self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def add_officer(self) -> None:
        dialog = AddOfficerDialog(self.ctx, self)
        if self._run(dialog) and dialog.added is not None:
            self.refresh(select=dialog.added.id)

    def change_role(self) -> None:
        officer = self.selected()
        if officer is None:
            return
        dialog = RoleDialog(self.ctx, officer, self)
        if self._run(dialog):
            if self._is_me(officer) and dialog.role.role() != officer.role:
                self.own_role_changed = True
            self.refresh()

    def reset_password(self) -> None:
        officer = self.selected()
        if officer is None:
            return
        if self._is_me(officer):
            self.ctx.dialogs.info(
                self,
                translate("officers.officers_dialog", "Your own password"),
                translate(
                    "officers.officers_dialog",
                    "Change your own password with Officers › Change my password…, which asks "
                    "for the current one first.",
                ),
            )
            return
        if self._run(ResetPasswordDialog(self.ctx, officer, self)):
            self.ctx.dialogs.info(
                self,
                translate("officers.officers_dialog", "Password set"),
                translate(
                    "officers.officers_dialog",
                    "{name} can sign in with the new password now. Give it to them in person.",
                ).format(name=officer.name),
            )

    def toggle_active(self) -> None:
        officer = self.selected()
        if officer is None:
            return
        if officer.active and not self.ctx.dialogs.confirm(
            self,
            translate("officers.officers_dialog", "Switch off {name}'s account?").format(
                name=officer.name
            ),
            translate(
                "officers.officers_dialog",
                "{name} will not be able to sign in until the account is switched on "
                "again. Nothing they recorded is removed.",
            ).format(name=officer.name),
            yes=translate("officers.officers_dialog", "Switch off"),
        ):
            return
        try:
            set_active(self.ctx.db, officer.id, not officer.active)
        except StoreError as exc:
            self.ctx.dialogs.error(
                self, translate("officers.officers_dialog", "Not changed"), sentence(str(exc))
            )
        except DBAPIError as exc:
            log.warning("officer's account not switched: %s", type(exc).__name__)
            self.ctx.dialogs.error(
                self,
                translate("officers.officers_dialog", "Not changed"),
                translate(
                    "officers.officers_dialog", "The database could not be written: {error}."
                ).format(error=exc.orig),
            )
        self.refresh()
