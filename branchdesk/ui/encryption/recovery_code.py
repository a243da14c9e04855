"""The recovery code, shown once: on screen in large type, and on paper.

The code opens an encrypted database when every secretary has forgotten their password, so it
is shown only when it is made and kept nowhere. The dialog cannot be closed until the officer
says it is printed or written down. There is deliberately no way to copy it: clipboard
managers keep a history, and the code would outlive the moment in one.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.ui.dialogs import DialogService
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.forms import action_buttons

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

# Groups of five characters per line on screen and on paper: two lines for the whole code.
GROUPS_PER_LINE = 4

# Untranslated here: each is translated where it is shown.
EXPLANATION = QT_TRANSLATE_NOOP(
    "encryption.recovery_code",
    "If every secretary forgets their password, this code is the only way back into the "
    "database. It is shown only this once: BranchDesk does not keep it anywhere, and nobody "
    "can show it to you again.",
)
KEEPING = QT_TRANSLATE_NOOP(
    "encryption.recovery_code",
    "Print it, or write it down, and keep it locked away from this computer (in the branch's "
    "safe, for example). Anyone who has the code and a copy of the database can read "
    "everything in it.",
)
SHEET_KEEPING = QT_TRANSLATE_NOOP(
    "encryption.recovery_code",
    "Anyone who has this code and a copy of the database can read everything in it: keep this "
    "sheet locked away from the computer, in the branch's safe for example.",
)
SHEET_USE = QT_TRANSLATE_NOOP(
    "encryption.recovery_code",
    "With this code, a secretary who has forgotten their password can set a new one: in the "
    "BranchDesk sign-in window, choose “Forgotten your password?”. Using it, or making a new "
    "code, stops this one working: then destroy this sheet.",
)


def code_lines(code: str) -> list[str]:
    """The code as it is shown: groups of five, four groups to a line."""
    groups = code.split("-")
    return [
        "-".join(groups[i : i + GROUPS_PER_LINE]) for i in range(0, len(groups), GROUPS_PER_LINE)
    ]


def _fixed_font(points: int) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSize(points)
    font.setBold(True)
    font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.5)
    return font


def print_recovery_code(
    printer: QPrinter,
    code: str,
    *,
    branch: str,
    database: str,
    made: datetime | None = None,
) -> None:
    """Print the recovery code on one A4 sheet, with what it is for and how to keep it.

    `database` is the database's file name (not its folder: the sheet says which database,
    not where to find it).
    """
    from PySide6.QtGui import QPageSize, QTextDocument

    made = made or datetime.now()
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName(translate("encryption.recovery_code", "BranchDesk recovery code"))
    lines = "<br>".join(html.escape(line) for line in code_lines(code))
    # Every piece of text escaped: a translation may hold "<" or "&" too.
    text = {
        "title": translate("encryption.recovery_code", "BranchDesk recovery code"),
        "confidential": translate("encryption.recovery_code", "Confidential"),
        "branch_label": translate("encryption.recovery_code", "Branch"),
        "database_label": translate("encryption.recovery_code", "Database"),
        "made_label": translate("encryption.recovery_code", "Made"),
        "branch": branch,
        "database": database,
        "use": translate("encryption.recovery_code", SHEET_USE),
        "keeping": translate("encryption.recovery_code", SHEET_KEEPING),
    }
    e = {key: html.escape(value) for key, value in text.items()}
    document = QTextDocument()
    document.setHtml(
        f"<h2>{e['title']}</h2>"
        f"<p><b>{e['confidential']}</b></p>"
        "<table cellpadding='3'>"
        f"<tr><td>{e['branch_label']}</td><td><b>{e['branch']}</b></td></tr>"
        f"<tr><td>{e['database_label']}</td><td><b>{e['database']}</b></td></tr>"
        f"<tr><td>{e['made_label']}</td><td>{made:%d %B %Y, %H:%M}</td></tr>"
        "</table>"
        "<p style='font-family: monospace; font-size: 22pt; font-weight: bold; "
        f"margin-top: 18px; margin-bottom: 18px'>{lines}</p>"
        f"<p>{e['use']}</p>"
        f"<p>{e['keeping']}</p>"
    )
    document.print_(printer)


class RecoveryCodeDialog(QDialog):
    """The code in large type, a Print… button, and a box to tick before it can be closed."""

    def __init__(
        self,
        code: str,
        *,
        branch: str,
        database: str,
        parent: QWidget | None = None,
        heading: str | None = None,
    ) -> None:
        """`heading` comes translated; None says "Your recovery code"."""
        super().__init__(parent)
        self.code = code
        self.branch = branch
        self.database = database
        self.setWindowTitle(translate("encryption.recovery_code", "Recovery code"))
        self.setObjectName("recoveryCodeDialog")
        # No close button in the title bar: the box below has to be ticked first.
        self.setWindowFlags(
            Qt.WindowType.Dialog | Qt.WindowType.CustomizeWindowHint | Qt.WindowType.WindowTitleHint
        )

        title = QLabel(heading or translate("encryption.recovery_code", "Your recovery code"))
        title.setObjectName("tabHeading")
        title.setWordWrap(True)
        explanation = _text(translate("encryption.recovery_code", EXPLANATION))

        self.code_label = QLabel("\n".join(code_lines(code)))
        self.code_label.setObjectName("recoveryCode")
        # Read out as a name first, then the code itself (the label's text).
        self.code_label.setAccessibleName(translate("encryption.recovery_code", "Recovery code"))
        self.code_label.setFont(_fixed_font(20))
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Not selectable, so not copied: see the module's note on clipboards.
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.code_label.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        box = QFrame()
        box.setObjectName("recoveryCodeBox")
        box.setStyleSheet(
            "QFrame#recoveryCodeBox { background: white; border: 1px solid #cbd2d9; "
            "border-radius: 4px; }"
        )
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(24, 18, 24, 18)
        box_layout.addWidget(self.code_label)

        keeping = _text(translate("encryption.recovery_code", KEEPING))
        self.print_button = QPushButton(translate("encryption.recovery_code", "Print…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(
            translate(
                "encryption.recovery_code",
                "Print the code on a sheet of its own, with what it is for",
            )
        )
        self.print_button.clicked.connect(lambda _c=False: self.print_code())
        print_row = QHBoxLayout()
        print_row.addWidget(self.print_button)
        print_row.addStretch(1)

        self.confirm_box = QCheckBox(
            translate("encryption.recovery_code", "I have printed it or written it down")
        )
        self.confirm_box.setObjectName("recoveryCodeKept")
        self.confirm_box.toggled.connect(self._update)

        buttons, self.done_button, _none = action_buttons(
            self, translate("encryption.recovery_code", "Done"), None
        )

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addSpacing(4)
        layout.addWidget(box)
        layout.addSpacing(4)
        layout.addWidget(keeping)
        layout.addLayout(print_row)
        layout.addSpacing(4)
        layout.addWidget(self.confirm_box)
        layout.addSpacing(4)
        layout.addWidget(buttons)
        self._update()
        self.print_button.setFocus()

    @property
    def kept(self) -> bool:
        return self.confirm_box.isChecked()

    def _update(self, _checked: bool = False) -> None:
        self.done_button.setEnabled(self.kept)
        self.done_button.setToolTip(
            ""
            if self.kept
            else translate(
                "encryption.recovery_code", "Tick the box once the code is printed or written down"
            )
        )

    # -- printing --------------------------------------------------------------------------

    def choose_printer(self, printer: QPrinter) -> bool:
        """Ask which printer (a test replaces this with a PDF file)."""
        from PySide6.QtPrintSupport import QPrintDialog

        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(translate("encryption.recovery_code", "Print the recovery code"))
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def print_code(self) -> None:
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.choose_printer(printer):
            print_recovery_code(printer, self.code, branch=self.branch, database=self.database)

    # -- closing only once the code is kept ------------------------------------------------

    def accept(self) -> None:
        if self.kept:
            super().accept()

    def reject(self) -> None:
        # Escape: allowed once the box is ticked, and then the same as Done.
        if self.kept:
            super().accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not self.kept:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.kept:
            event.ignore()
            return
        super().closeEvent(event)


def _text(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    # With SetMinimumSize, the dialog grows to the height the text needs at this width.
    label.setMinimumWidth(500)
    return label


def show_recovery_code(
    dialogs: DialogService,
    code: str,
    *,
    branch: str,
    database: str,
    parent: QWidget | None = None,
    heading: str | None = None,
) -> None:
    """Show a recovery code until the officer says it is kept (`heading` comes translated)."""
    dialog = RecoveryCodeDialog(
        code, branch=branch, database=database, parent=parent, heading=heading
    )
    try:
        dialogs.run_dialog(dialog)
    finally:
        dialog.deleteLater()
