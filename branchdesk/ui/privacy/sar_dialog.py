"""Tools › Subject access requests…: the register, each request's deadline, and the export.

Every change is made by `branchdesk.privacy.sar_register` and every export by
`branchdesk.privacy.sar`, which refuse anyone but the branch secretary; a refusal is shown as
it is said. The export runs off the GUI thread, with a progress bar and a Cancel button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
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

from branchdesk.exports.text import safe_filename, short_date
from branchdesk.privacy.models import NOTES_LIMIT, REASON_LIMIT
from branchdesk.privacy.sar_register import (
    DUE_SOON_DAYS,
    MAX_EXTENSION_MONTHS,
    SarRow,
    due_date,
    explain_due,
    extend_request,
    list_requests,
    log_request,
    mark_sent,
)
from branchdesk.store.errors import StoreError
from branchdesk.ui import style
from branchdesk.ui.casework.common import date_edit, date_of
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.forms import message_label, show_message
from branchdesk.ui.officers.gate import sentence
from branchdesk.ui.worker import report_unhandled

log = logging.getLogger(__name__)

# Untranslated here: each is translated where it is shown.
COLUMNS = [
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "No."),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Member"),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Number"),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Received"),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Answer by"),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Days left"),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Status"),
    QT_TRANSLATE_NOOP("privacy.sar_dialog", "Sent"),
]
DAYS_LEFT = COLUMNS.index("Days left")

INTRO = QT_TRANSLATE_NOOP(
    "privacy.sar_dialog",
    "A member may ask for a copy of everything the branch holds about them. Answer within one "
    "calendar month of receiving the request; a complex request may be extended by up to two "
    "more months, if you tell the member why within the first month.",
)
# The tooltip on the days left of a request that needs attention, by its flag.
FLAG_TIPS = {
    "overdue": QT_TRANSLATE_NOOP("privacy.sar_dialog", "Overdue: answer by {date}"),
    "due soon": QT_TRANSLATE_NOOP("privacy.sar_dialog", "Due soon: answer by {date}"),
}


def _attempt(message: QLabel, work: Callable[[], object]) -> bool:
    """Run a change; on a refusal, say why under the form and keep it open."""
    try:
        work()
    except (StoreError, ValueError) as exc:
        show_message(message, sentence(str(exc)))
        return False
    except DBAPIError as exc:
        log.warning("subject access request not changed: %s", type(exc).__name__)
        show_message(
            message,
            translate("privacy.sar_dialog", "The database could not be written: {error}.").format(
                error=exc.orig
            ),
        )
        return False
    return True


def _form(dialog: QDialog, title: str, intro: str) -> tuple[QFormLayout, QVBoxLayout]:
    """A small form dialog; `title` and `intro` come translated."""
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(460)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(18, 16, 18, 14)
    layout.setSpacing(8)
    text = QLabel(intro)
    text.setWordWrap(True)
    layout.addWidget(text)
    form = QFormLayout()
    layout.addLayout(form)
    return form, layout


def _buttons(dialog: QDialog, layout: QVBoxLayout, ok: str) -> QPushButton:
    box = QDialogButtonBox()
    button = box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    button.setObjectName("primaryButton")
    button.setDefault(True)
    box.addButton(QDialogButtonBox.StandardButton.Cancel)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    layout.addSpacing(6)
    layout.addWidget(box)
    return button


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("tabSubheading")
    label.setWordWrap(True)
    return label


class LogRequestDialog(QDialog):
    """Log a request: whose, and the day it arrived (the deadline follows)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.request_id: int | None = None
        form, layout = _form(
            self,
            translate("privacy.sar_dialog", "Log a subject access request"),
            translate(
                "privacy.sar_dialog",
                "A request can arrive in any form (a letter, an email, said at a meeting) and "
                "need not mention the law. Log it on the day it arrived.",
            ),
        )
        self.number = QLineEdit()
        self.number.setObjectName("memberNumber")
        self.number.setPlaceholderText(translate("privacy.sar_dialog", "the membership number"))
        self.received = date_edit(self.today)
        self.received.setObjectName("receivedOn")
        self.received.setMaximumDate(self.received.date())
        self.notes = QLineEdit()
        self.notes.setObjectName("requestNotes")
        self.notes.setMaxLength(NOTES_LIMIT)
        self.notes.setPlaceholderText(
            translate("privacy.sar_dialog", "optional: how it arrived, what it asks for")
        )
        form.addRow(translate("privacy.sar_dialog", "Member"), self.number)
        form.addRow(translate("privacy.sar_dialog", "Received on"), self.received)
        form.addRow(translate("privacy.sar_dialog", "Notes"), self.notes)
        self.due = _note()
        layout.addWidget(self.due)
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(self, layout, translate("privacy.sar_dialog", "Log request"))
        self.received.dateChanged.connect(lambda _d: self._show_due())
        self._show_due()
        self.number.setFocus()

    def _show_due(self) -> None:
        self.due.setText(
            translate("privacy.sar_dialog", "Answer by: {due}").format(
                due=explain_due(date_of(self.received))
            )
        )

    def accept(self) -> None:
        if not self.number.text().strip():
            show_message(
                self.message,
                translate(
                    "privacy.sar_dialog", "Enter the membership number of the member asking."
                ),
            )
            return

        def log_it() -> None:
            self.request_id = log_request(
                self.ctx.db,
                self.number.text(),
                date_of(self.received),
                self.notes.text(),
                today=self.today,
            )

        if _attempt(self.message, log_it):
            super().accept()


class ExtendDialog(QDialog):
    """One or two further months for a complex request, with the reason."""

    def __init__(self, ctx: AppContext, row: SarRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        form, layout = _form(
            self,
            translate("privacy.sar_dialog", "Extend request {id} — {member}").format(
                id=row.id, member=row.member_name
            ),
            translate(
                "privacy.sar_dialog",
                "A request that is complex (many records, or several requests from the member) "
                "may take up to two further months. Tell the member about the extension, and "
                "why, within the first month (by {date}).",
            ).format(date=short_date(due_date(row.received_on))),
        )
        self.months = QComboBox()
        self.months.setObjectName("extensionMonths")
        for months in range(1, MAX_EXTENSION_MONTHS + 1):
            text = (
                translate("privacy.sar_dialog", "1 more month")
                if months == 1
                else translate("privacy.sar_dialog", "{n} more months").format(n=months)
            )
            self.months.addItem(text, months)
        self.months.setCurrentIndex(max(0, row.extended_months - 1))
        self.reason = QLineEdit(row.extension_reason)
        self.reason.setObjectName("extensionReason")
        self.reason.setMaxLength(REASON_LIMIT)
        self.reason.setPlaceholderText(
            translate("privacy.sar_dialog", "why the request is complex")
        )
        form.addRow(translate("privacy.sar_dialog", "Extend by"), self.months)
        form.addRow(translate("privacy.sar_dialog", "Reason"), self.reason)
        self.due = _note()
        layout.addWidget(self.due)
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(self, layout, translate("privacy.sar_dialog", "Extend"))
        self.months.currentIndexChanged.connect(lambda _i: self._show_due())
        self._show_due()

    def _show_due(self) -> None:
        months = int(self.months.currentData())
        self.due.setText(
            translate("privacy.sar_dialog", "New deadline: {due}").format(
                due=explain_due(self.row.received_on, months)
            )
        )

    def accept(self) -> None:
        months = int(self.months.currentData())
        work = lambda: extend_request(  # noqa: E731 - one call, named for _attempt
            self.ctx.db, self.row.id, months, self.reason.text(), self.row.version
        )
        if _attempt(self.message, work):
            super().accept()


class SentDialog(QDialog):
    """The day the answer went to the member."""

    def __init__(
        self, ctx: AppContext, row: SarRow, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.today = today or date.today()
        intro = (
            translate(
                "privacy.sar_dialog",
                "Record the day the answer went to the member. "
                "The export made on {date} is noted with it.",
            ).format(date=short_date(row.exported_at.date()))
            if row.exported_at
            else translate(
                "privacy.sar_dialog",
                "Record the day the answer went to the member. "
                "No export has been made from here for this request.",
            )
        )
        form, layout = _form(
            self,
            translate("privacy.sar_dialog", "Mark request {id} as sent — {member}").format(
                id=row.id, member=row.member_name
            ),
            intro,
        )
        self.sent = date_edit(self.today)
        self.sent.setObjectName("sentOn")
        self.sent.setMaximumDate(self.sent.date())
        form.addRow(translate("privacy.sar_dialog", "Sent on"), self.sent)
        self.message = message_label()
        layout.addWidget(self.message)
        self.save_button = _buttons(self, layout, translate("privacy.sar_dialog", "Mark as sent"))

    def accept(self) -> None:
        sent_on = date_of(self.sent)
        work = lambda: mark_sent(  # noqa: E731 - one call, named for _attempt
            self.ctx.db, self.row.id, sent_on, self.row.version, today=self.today
        )
        if _attempt(self.message, work):
            super().accept()


class SarDialog(QDialog):
    """The register of subject access requests, with their deadlines."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.rows: list[SarRow] = []
        self.last_export: Path | None = None
        self.setWindowTitle(translate("privacy.sar_dialog", "Subject access requests"))
        self.setMinimumSize(820, 440)

        heading = QLabel(translate("privacy.sar_dialog", "Subject access requests"))
        heading.setObjectName("tabHeading")
        intro = _note(translate("privacy.sar_dialog", INTRO))

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sarTable")
        self.table.setAccessibleName(translate("privacy.sar_dialog", "Subject access requests"))
        self.table.setHorizontalHeaderLabels(
            [translate("privacy.sar_dialog", column) for column in COLUMNS]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.detail = _note()
        self.summary = _note()
        self.summary.setObjectName("countLabel")

        self.log_button = QPushButton(translate("privacy.sar_dialog", "Log a request…"))
        self.log_button.setObjectName("primaryButton")
        self.log_button.setToolTip(
            translate(
                "privacy.sar_dialog", "Record a request on the day it arrived; its deadline follows"
            )
        )
        self.log_button.clicked.connect(lambda _c=False: self.log_request())
        self.extend_button = QPushButton(translate("privacy.sar_dialog", "Extend…"))
        self.extend_button.setToolTip(
            translate("privacy.sar_dialog", "Allow a complex request one or two further months")
        )
        self.extend_button.clicked.connect(lambda _c=False: self.extend())
        self.export_button = QPushButton(translate("privacy.sar_dialog", "Export SAR…"))
        self.export_button.setToolTip(
            translate(
                "privacy.sar_dialog",
                "Write everything held about the member into a new folder: a PDF and a "
                "spreadsheet for them, and a list of other people named, to review before "
                "release",
            )
        )
        self.export_button.clicked.connect(lambda _c=False: self.export())
        self.sent_button = QPushButton(translate("privacy.sar_dialog", "Mark as sent…"))
        self.sent_button.setToolTip(
            translate("privacy.sar_dialog", "Record the day the answer went to the member")
        )
        self.sent_button.clicked.connect(lambda _c=False: self.mark_sent())
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.log_button, self.extend_button, self.export_button, self.sent_button):
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
        layout.addWidget(self.summary)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.refresh()

    # -- the list ----------------------------------------------------------------------------

    def refresh(self, select: int | None = None) -> None:
        keep = select if select is not None else self._selected_id()
        try:
            self.rows = list_requests(self.ctx.db)
        except (StoreError, DBAPIError) as exc:
            self.rows = []
            text = (
                sentence(str(exc))
                if isinstance(exc, StoreError)
                else translate("privacy.sar_dialog", "Try again.")
            )
            self.ctx.dialogs.error(
                self, translate("privacy.sar_dialog", "The requests could not be read"), text
            )
        self.table.setRowCount(len(self.rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for index, row in enumerate(self.rows):
            cells = [
                str(row.id),
                row.member_name,
                row.membership_number,
                short_date(row.received_on),
                short_date(row.due_on),
                row.describe_left(self.today),
                row.status_label,
                short_date(row.sent_on),
            ]
            flag = row.flag(self.today)
            colour = {"overdue": style.ERROR, "due soon": style.WARNING_TEXT}.get(flag)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                if colour:
                    item.setForeground(QColor(colour))
                    if column == DAYS_LEFT:
                        item.setFont(bold)
                elif not row.is_open:
                    item.setForeground(QColor(style.MUTED))
                if column == DAYS_LEFT and flag:
                    tip = FLAG_TIPS.get(flag)
                    due_on = short_date(row.due_on)
                    item.setToolTip(
                        translate("privacy.sar_dialog", tip).format(date=due_on)
                        if tip
                        else f"{flag.capitalize()}: {due_on}"
                    )
                self.table.setItem(index, column, item)
        for index, row in enumerate(self.rows):
            if row.id == keep:
                self.table.selectRow(index)
                break
        waiting = [r for r in self.rows if r.is_open]
        overdue = sum(1 for r in waiting if r.overdue(self.today))
        soon = sum(1 for r in waiting if r.due_soon(self.today))
        # A whole sentence for each combination, so a translator can word each one.
        if overdue and soon:
            summary = translate(
                "privacy.sar_dialog",
                "{waiting} awaiting an answer, {overdue} overdue, {soon} due within {days} days.",
            )
        elif overdue:
            summary = translate(
                "privacy.sar_dialog", "{waiting} awaiting an answer, {overdue} overdue."
            )
        elif soon:
            summary = translate(
                "privacy.sar_dialog",
                "{waiting} awaiting an answer, {soon} due within {days} days.",
            )
        else:
            summary = translate("privacy.sar_dialog", "{waiting} awaiting an answer.")
        self.summary.setText(
            summary.format(waiting=len(waiting), overdue=overdue, soon=soon, days=DUE_SOON_DAYS)
        )
        self._update_buttons()

    def _selected_id(self) -> int | None:
        row = self.selected()
        return row.id if row is not None else None

    def selected(self) -> SarRow | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.rows[chosen[0].row()] if chosen else None

    def select(self, request_id: int) -> None:
        for index, row in enumerate(self.rows):
            if row.id == request_id:
                self.table.selectRow(index)
                return

    def column(self, column: int) -> list[str]:
        """What one column shows, top to bottom (for tests)."""
        return [self.table.item(r, column).text() for r in range(self.table.rowCount())]

    def _update_buttons(self) -> None:
        row = self.selected()
        is_open = row is not None and row.is_open
        self.extend_button.setEnabled(is_open)
        self.sent_button.setEnabled(is_open)
        self.export_button.setEnabled(row is not None and row.member_id is not None)
        if row is None:
            self.detail.setText(
                translate(
                    "privacy.sar_dialog",
                    "Choose a request to extend it, export the member's data or mark it sent.",
                )
            )
            return
        due = explain_due(row.received_on, row.extended_months)
        text = translate("privacy.sar_dialog", "Request {id} from {member}: {due}").format(
            id=row.id, member=row.member_name, due=due
        )
        # Each further sentence is said only when there is something to say.
        if row.extension_reason:
            text += " " + translate("privacy.sar_dialog", "Extended because: {reason}.").format(
                reason=row.extension_reason
            )
        if row.exported_at:
            text += " " + translate("privacy.sar_dialog", "Exported on {date}.").format(
                date=short_date(row.exported_at.date())
            )
        if row.notes:
            text += " " + translate("privacy.sar_dialog", "Notes: {notes}").format(notes=row.notes)
        self.detail.setText(text)

    # -- changes -----------------------------------------------------------------------------

    def _run(self, dialog: QDialog) -> bool:
        try:
            return self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def log_request(self) -> None:
        dialog = LogRequestDialog(self.ctx, self, self.today)
        if self._run(dialog):
            self.refresh(select=dialog.request_id)

    def extend(self) -> None:
        row = self.selected()
        if row is not None and self._run(ExtendDialog(self.ctx, row, self)):
            self.refresh(select=row.id)

    def mark_sent(self) -> None:
        row = self.selected()
        if row is not None and self._run(SentDialog(self.ctx, row, self, self.today)):
            self.refresh(select=row.id)

    # -- the export --------------------------------------------------------------------------

    def choose_folder(self) -> Path | None:
        """Where to put the export's own new folder (a seam tests replace)."""
        chosen = QFileDialog.getExistingDirectory(
            self,
            translate("privacy.sar_dialog", "Choose where to save the subject access export"),
            str(Path.home()),
        )
        return Path(chosen) if chosen else None

    def export(self) -> None:
        from branchdesk.privacy.sar import export_sar

        row = self.selected()
        if row is None or row.member_id is None:
            return
        parent = self.choose_folder()
        if parent is None:
            return
        folder = _new_folder(
            parent,
            translate("privacy.sar_dialog", "Subject access {number} {date}").format(
                number=row.membership_number, date=self.today
            ),
        )
        db, branch, today = self.ctx.db, self.ctx.preferences.branch_name, self.today
        number, request_id = row.membership_number, row.id
        self.export_button.setEnabled(False)
        self.ctx.worker.run_with_progress(
            lambda progress: export_sar(db, number, folder, branch, today, request_id, progress),
            parent=self,
            title=translate("privacy.sar_dialog", "Subject access export"),
            label=translate(
                "privacy.sar_dialog", "Gathering and writing everything held about member {number}…"
            ).format(number=number),
            on_done=lambda result: self._exported(result, request_id),
            on_error=self._export_failed,
            on_cancelled=self._export_cancelled,
        )

    def _exported(self, result: object, request_id: int) -> None:
        from branchdesk.privacy.sar import SarExport

        assert isinstance(result, SarExport)
        self.last_export = result.folder
        self.refresh(select=request_id)
        text = translate(
            "privacy.sar_dialog",
            "The export is in {folder}:\n\n"
            "• {pdf} and {xlsx}: for the member;\n"
            "• {review}: for you only. It lists {named} other people named in "
            "the records; check each and redact before sending.\n\n"
            "Case documents are listed by name: send copies of the files with it. Then mark the "
            "request as sent.",
        ).format(
            folder=result.folder,
            pdf=result.pdf.name,
            xlsx=result.xlsx.name,
            review=result.review.name,
            named=result.named,
        )
        if self.ctx.dialogs.confirm(
            self,
            translate("privacy.sar_dialog", "Subject access export written"),
            text,
            yes=translate("privacy.sar_dialog", "Open folder"),
        ):
            self.ctx.dialogs.open_folder(result.folder)

    def _export_failed(self, exc: object) -> None:
        self._update_buttons()
        if isinstance(exc, StoreError | ValueError | OSError):
            self.ctx.dialogs.error(
                self,
                translate("privacy.sar_dialog", "The export was not written"),
                sentence(str(exc)),
            )
        elif isinstance(exc, BaseException):
            report_unhandled(exc)

    def _export_cancelled(self) -> None:
        self._update_buttons()
        self.ctx.dialogs.info(
            self,
            translate("privacy.sar_dialog", "Export cancelled"),
            translate("privacy.sar_dialog", "The export was stopped; no files were left behind."),
        )


def _new_folder(parent: Path, name: str) -> Path:
    """A folder inside `parent` that does not exist yet, named after the request."""
    base = parent / safe_filename(name, translate("privacy.sar_dialog", "Subject access"))
    folder, number = base, 2
    while folder.exists():
        folder = base.with_name(f"{base.name} ({number})")
        number += 1
    return folder
