"""Pieces the officers' dialogs share: password fields that say what is wrong as you type."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from branchdesk.access.officers import MIN_PASSWORD_LENGTH, password_problems
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.gate import sentence

NOT_THE_SAME = QT_TRANSLATE_NOOP("officers.forms", "the two passwords are not the same")


def password_edit(name: str, placeholder: str = "") -> QLineEdit:
    """A password field; `placeholder` comes translated."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(200)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def action_buttons(
    dialog: QDialog,
    action: str,
    cancel: str | None = "",
    on_cancel: Callable[[], object] | None = None,
) -> tuple[QDialogButtonBox, QPushButton, QPushButton | None]:
    """A dialog's buttons: its action, the default and styled as the primary button, and a
    cancel button (Cancel, or the text given; None for none), wired to accept and to reject
    (or `on_cancel`). The texts come translated."""
    buttons = QDialogButtonBox()
    primary = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    primary.setObjectName("primaryButton")
    primary.setDefault(True)
    cancel_button = None
    if cancel == "":
        cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    elif cancel is not None:
        cancel_button = buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(on_cancel or dialog.reject)
    return buttons, primary, cancel_button


def message_label() -> QLabel:
    """Red words under a form: what stops it going ahead."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class NewPassword(QWidget):
    """A new password typed twice, with what is wrong with it shown live underneath.

    `name` gives the officer's name as typed so far (a password may not be the name).
    """

    changed = Signal()

    def __init__(
        self,
        form: QFormLayout,
        name: Callable[[], str] = lambda: "",
        label: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`label` (translated) names the first field; None says "Password"."""
        super().__init__(parent)
        self._name = name
        self.password = password_edit(
            "newPassword",
            translate("officers.forms", "at least {n} characters").format(n=MIN_PASSWORD_LENGTH),
        )
        self.again = password_edit(
            "newPasswordAgain", translate("officers.forms", "the same again")
        )
        self.problems_label = QLabel()
        self.problems_label.setObjectName("tabSubheading")
        self.problems_label.setWordWrap(True)
        form.addRow(label or translate("officers.forms", "Password"), self.password)
        form.addRow(translate("officers.forms", "Again"), self.again)
        form.addRow("", self.problems_label)
        for edit in (self.password, self.again):
            edit.textChanged.connect(self.update_problems)
        self.update_problems()

    def problems(self) -> list[str]:
        text = self.password.text()
        found = password_problems(text, self._name())
        if self.again.text() and self.again.text() != text:
            found.append(translate("officers.forms", NOT_THE_SAME))
        return found

    def ready(self) -> bool:
        return not self.problems() and self.again.text() == self.password.text()

    def update_problems(self) -> None:
        """Say what is still wrong; once nothing is, say so (the label keeps its place)."""
        found = self.problems()
        if not self.password.text():
            text = translate(
                "officers.forms",
                "At least {n} characters. A few unrelated words are easy "
                "to remember and hard to guess.",
            ).format(n=MIN_PASSWORD_LENGTH)
        elif found:
            text = " ".join(sentence(p) for p in found)
        elif self.again.text() != self.password.text():
            text = translate("officers.forms", "Now type it again.")
        else:
            text = translate("officers.forms", "The password will do.")
        self.problems_label.setText(text)
        # Red while something is wrong, quiet grey otherwise (the style sheet goes by name).
        name = "fieldError" if found else "tabSubheading"
        if self.problems_label.objectName() != name:
            self.problems_label.setObjectName(name)
            self.problems_label.style().unpolish(self.problems_label)
            self.problems_label.style().polish(self.problems_label)
        self.changed.emit()

    def text(self) -> str:
        return self.password.text()
