"""Shared pieces of the casework screens: date words, the form dialog base, save handling."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.members.service import ValidationError
from branchdesk.store.errors import StaleEdit, StoreError
from branchdesk.ui import style
from branchdesk.ui.accessible_names import name_from_label
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.members.member_dialog import BUSY_MESSAGE, is_busy

log = logging.getLogger(__name__)

# The register name casework saves report, so the casework pages refresh.
CASEWORK = "casework"

WARNING_STYLE = (
    f"color: {style.WARNING_TEXT}; background: {style.WARNING_BACKGROUND}; "
    f"border: 1px solid {style.WARNING_BORDER}; border-radius: 3px; padding: 6px 10px;"
)


# "Not saved: the … was changed", whole, for each thing a form can save (`CaseDialog.what`).
STALE_TITLES = {
    "case": QT_TRANSLATE_NOOP("casework.common", "Not saved: the case was changed"),
    "contract": QT_TRANSLATE_NOOP("casework.common", "Not saved: the contract was changed"),
    "ledger": QT_TRANSLATE_NOOP("casework.common", "Not saved: the ledger was changed"),
    "fund": QT_TRANSLATE_NOOP("casework.common", "Not saved: the fund was changed"),
    "column mapping": QT_TRANSLATE_NOOP(
        "casework.common", "Not saved: the column mapping was changed"
    ),
    "statement line": QT_TRANSLATE_NOOP(
        "casework.common", "Not saved: the statement line was changed"
    ),
    "claim": QT_TRANSLATE_NOOP("casework.common", "Not saved: the claim was changed"),
    "record": QT_TRANSLATE_NOOP("casework.common", "Not saved: the record was changed"),
    "donation": QT_TRANSLATE_NOOP("casework.common", "Not saved: the donation was changed"),
}


def stale_title(what: str) -> str:
    known = STALE_TITLES.get(what)
    if known is not None:
        return translate("casework.common", known)
    return translate("casework.common", "Not saved: the {what} was changed").format(what=what)


def size_text(size: int) -> str:
    if size < 1024:
        return translate("casework.common", "{size} bytes").format(size=size)
    if size < 1024 * 1024:
        return translate("casework.common", "{size} KB").format(size=f"{size / 1024:.0f}")
    return translate("casework.common", "{size} MB").format(size=f"{size / (1024 * 1024):.1f}")


def date_edit(value: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setMinimumDate(QDate(1900, 1, 1))
    edit.setDate(QDate(value or date.today()))
    edit.setMinimumWidth(130)
    return edit


def date_of(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


def warning_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("caseWarning")
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    label.setVisible(bool(text))
    return label


class CaseDialog(QDialog):
    """A small form: fields with their problems in red beside them, Save and Cancel.

    Subclasses add fields with `add_field` and write through the service in `write()`. A
    ValidationError shows under the field it names (or in a message box if no field does); a
    StaleEdit is explained and closes the dialog with `stale` set, so the page reloads the case.
    """

    # What the form saves, for "Not saved: the case was changed".
    what = "case"

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stale = False
        self.setWindowTitle(title)
        self.inputs: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.form_layout = QFormLayout()
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form_layout.setVerticalSpacing(6)
        self.form_layout.setHorizontalSpacing(12)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(18, 14, 18, 14)
        self.layout_.setSpacing(10)
        self.layout_.addLayout(self.form_layout)
        self.setMinimumWidth(520)

    def finish_layout(self) -> None:
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.buttons)

    def add_field(
        self, name: str, label: str, widget: QWidget, field: QWidget | None = None
    ) -> None:
        """A labelled row; `field` is what is laid out (the widget itself unless given)."""
        widget.setObjectName(name)
        self.inputs[name] = widget
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field or widget)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.error_labels[name] = error
        label_widget = QLabel(label)
        label_widget.setBuddy(widget)
        # The field sits in a cell of its own, where a screen reader does not find its label.
        name_from_label(widget, label)
        if label.endswith("*") and not widget.accessibleDescription():
            widget.setAccessibleDescription(translate("casework.common", "Required"))
        label_widget.setMinimumHeight(QLineEdit().sizeHint().height())
        label_widget.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form_layout.addRow(label_widget, cell)
        for signal in _change_signals(widget):
            signal.connect(lambda *_a, n=name: self._clear_error(n))

    def _clear_error(self, name: str) -> None:
        label = self.error_labels.get(name)
        if label is not None and label.isVisible():
            label.hide()
            self._mark(name, False)

    def _mark(self, name: str, invalid: bool) -> None:
        widget = self.inputs[name]
        target = (
            widget.lineEdit() if isinstance(widget, QComboBox) and widget.isEditable() else widget
        )
        if target is None:
            return
        target.setProperty("invalid", invalid)
        target.style().unpolish(target)
        target.style().polish(target)

    def show_errors(self, errors: dict[str, str]) -> None:
        elsewhere = []
        for name, message in errors.items():
            label = self.error_labels.get(name)
            if label is None:
                elsewhere.append(message)
                continue
            label.setText(message)
            label.show()
            self._mark(name, True)
        first = next((n for n in self.inputs if n in errors), None)
        if first is not None:
            self.inputs[first].setFocus(Qt.FocusReason.OtherFocusReason)
        if elsewhere:
            self.ctx.dialogs.error(
                self, translate("casework.common", "Not saved"), "\n".join(elsewhere)
            )

    def error_text(self, name: str) -> str:
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    def write(self) -> None:
        """Save through the service. Override."""
        raise NotImplementedError

    def accept(self) -> None:
        if save_with_care(self.ctx, self, self.write, self.show_errors, self._stale, self.what):
            super().accept()

    def _stale(self) -> None:
        self.stale = True
        super().reject()


def save_with_care(
    ctx: AppContext,
    parent: QWidget,
    write: Callable[[], object],
    on_invalid: Callable[[dict[str, str]], None] | None = None,
    on_stale: Callable[[], None] | None = None,
    what: str = "case",
) -> bool:
    """Run a write; say what went wrong, in words, if it did. True if it was saved."""
    try:
        write()
    except ValidationError as exc:
        if on_invalid is not None:
            on_invalid(dict(exc.errors))
        else:
            ctx.dialogs.error(
                parent, translate("casework.common", "Not saved"), "\n".join(exc.errors.values())
            )
        return False
    except StaleEdit as exc:
        ctx.dialogs.error(parent, stale_title(what), str(exc))
        if on_stale is not None:
            on_stale()
        return False
    except StoreError as exc:
        ctx.dialogs.error(parent, translate("casework.common", "Not saved"), str(exc))
        return False
    except DBAPIError as exc:
        log.warning("casework change not saved: %s", error_kind(exc))
        if is_busy(exc):
            ctx.dialogs.error(
                parent,
                translate("casework.common", "Not saved: the database is busy"),
                translate("members.member_dialog", BUSY_MESSAGE),
            )
        else:
            ctx.dialogs.error(
                parent,
                translate("casework.common", "Not saved"),
                translate("casework.common", "The database could not be written: {error}.").format(
                    error=exc.orig
                ),
            )
        return False
    return True


def _change_signals(widget: QWidget) -> list:  # type: ignore[type-arg]
    if isinstance(widget, QLineEdit):
        return [widget.textChanged]
    if isinstance(widget, QComboBox):
        return [widget.currentIndexChanged, widget.currentTextChanged]
    if isinstance(widget, QDateEdit):
        return [widget.dateChanged]
    if isinstance(widget, QPlainTextEdit):
        return [widget.textChanged]
    return []
