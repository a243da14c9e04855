"""Add or edit a member.

The dialog only gathers a `MemberForm` and hands it to the member service; every rule lives
there. Problems are shown in red under the field they belong to: live once a field has been
left (so nobody is scolded half-way through typing an email address), and all at once on Save.
A save refused because someone else changed the member meanwhile leaves the dialog open, so
nothing typed is lost.

An existing member's dialog also lists every case they are in; asking to see one (double-click,
or Open case) saves or keeps the form first, closes the dialog and emits `case_requested`.
"""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from branchdesk.casework import labels
from branchdesk.casework.queries import member_cases
from branchdesk.exports.text import short_date
from branchdesk.members.service import (
    LIMITS,
    STATUSES,
    MemberForm,
    ValidationError,
    create_member,
    employer_names,
    update_member,
    validate,
    workplace_names,
)
from branchdesk.store.errors import AccessDenied, StaleEdit, StoreError
from branchdesk.ui.accessible_names import name_fields_from_labels
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.members.code_words import words

log = logging.getLogger(__name__)

_REQUIRED = ("membership_number", "first_name", "last_name")
# English here; shown through busy_message(), which translates it.
BUSY_MESSAGE = QT_TRANSLATE_NOOP(
    "members.member_dialog",
    "The database is busy (another BranchDesk or an import is writing). "
    "Nothing was saved; try again in a moment.",
)


def busy_message() -> str:
    """BUSY_MESSAGE in the user's language."""
    return translate("members.member_dialog", BUSY_MESSAGE)


def is_busy(exc: DBAPIError) -> bool:
    """Did the write fail only because someone else held the database's write lock?"""
    text = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


def _plain_text(height_lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)  # Tab moves on to the next field, as in every other field
    line = edit.fontMetrics().lineSpacing()
    edit.setMinimumHeight(line * height_lines + 14)
    return edit


class MemberDialog(QDialog):
    # The id of one of the member's cases the user asked to see. By then the dialog has closed:
    # accepted if the member's changes were saved first, rejected if there were none.
    case_requested = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        member_id: int | None = None,
        form: MemberForm | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.member_id = member_id
        self._version = form.version if form else None
        self._touched: set[str] = set()
        self._save_attempted = False
        self._service_errors: dict[str, str] = {}
        self.inputs: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}

        if member_id is None:
            self.setWindowTitle(translate("members.member_dialog", "Add member"))
        else:
            name = f"{form.first_name} {form.last_name}".strip() if form else ""
            self.setWindowTitle(
                translate("members.member_dialog", "Edit member — {name}").format(name=name)
                if name
                else translate("members.member_dialog", "Edit member")
            )

        self._build()
        self._load(form or MemberForm(date_joined=date.today()))
        self._load_cases()
        self._initial = self.form()
        self._connect_changes()

    # -- building ------------------------------------------------------------------------------

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        # The red border of a field with a problem must not make it shrink.
        edit.setMinimumHeight(self._line_height)
        edit.setMaxLength(LIMITS.get(name, 200))
        if placeholder:
            edit.setPlaceholderText(placeholder)
        return edit

    def _build(self) -> None:
        self._line_height = QLineEdit().sizeHint().height()
        self._labels: list[QLabel] = []
        self.membership_number = self._line("membership_number")
        self.first_name = self._line("first_name")
        self.last_name = self._line("last_name")
        self.status = QComboBox()
        for value, label in words(dict(STATUSES)).items():
            self.status.addItem(label, value)
        self.date_joined = QDateEdit()
        self.date_joined.setCalendarPopup(True)
        self.date_joined.setDisplayFormat("dd/MM/yyyy")
        self.date_joined.setMinimumDate(QDate(1900, 1, 1))
        self.date_joined.setMaximumDate(QDate.currentDate())
        self.date_unknown = QCheckBox(translate("members.member_dialog", "Not known"))
        self.date_unknown.setAccessibleName(
            translate("members.member_dialog", "Date joined not known")
        )
        self.date_unknown.setObjectName("date_unknown")
        self.date_unknown.toggled.connect(self.date_joined.setDisabled)
        self.subs_up_to_date = QCheckBox(translate("members.member_dialog", "Subs are up to date"))

        self.employer = QComboBox()
        self.employer.setEditable(True)
        self.employer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.employer.lineEdit().setPlaceholderText(
            translate("members.member_dialog", "Choose or type a new employer")
        )
        self.employer.lineEdit().setMaxLength(LIMITS["employer"])
        self.workplace = QComboBox()
        self.workplace.setEditable(True)
        self.workplace.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.workplace.lineEdit().setPlaceholderText(
            translate("members.member_dialog", "Choose or type a new workplace")
        )
        self.workplace.lineEdit().setMaxLength(LIMITS["workplace"])
        self.department = self._line("department")
        self.job_title = self._line("job_title")
        self.work_email = self._line(
            "work_email", translate("members.member_dialog", "name@employer.gov.uk")
        )
        self.work_phone = self._line("work_phone")
        self.personal_email = self._line("personal_email")
        self.personal_phone = self._line("personal_phone")
        self.home_address = _plain_text(3)
        # Room for five lines at most; any height to spare goes to the notes.
        line = self.home_address.fontMetrics().lineSpacing()
        self.home_address.setMaximumHeight(line * 5 + 14)
        self.notes = _plain_text(8)
        self.notes.setPlaceholderText(
            translate(
                "members.member_dialog", "Anything a rep should know. Casework goes in a case."
            )
        )
        # The Notes box is its only label: name the field for a screen reader.
        self.notes.setAccessibleName(translate("members.member_dialog", "Notes"))

        for name in (
            "membership_number",
            "first_name",
            "last_name",
            "status",
            "date_joined",
            "subs_up_to_date",
            "employer",
            "workplace",
            "department",
            "job_title",
            "work_email",
            "work_phone",
            "personal_email",
            "personal_phone",
            "home_address",
            "notes",
        ):
            widget = getattr(self, name)
            widget.setObjectName(name)
            self.inputs[name] = widget

        date_row = QWidget()
        date_layout = QHBoxLayout(date_row)
        date_layout.setContentsMargins(0, 0, 0, 0)
        date_layout.addWidget(self.date_joined)
        date_layout.addWidget(self.date_unknown)
        date_layout.addStretch(1)

        member_box = QGroupBox(translate("members.member_dialog", "Member"))
        member = self._form_layout(member_box)
        self._add_row(
            member, translate("members.member_dialog", "Membership number *"), "membership_number"
        )
        self._add_row(member, translate("members.member_dialog", "First name *"), "first_name")
        self._add_row(member, translate("members.member_dialog", "Last name *"), "last_name")
        self._add_row(member, translate("members.member_dialog", "Status"), "status")
        self._add_row(
            member, translate("members.member_dialog", "Date joined"), "date_joined", date_row
        )
        self._add_row(
            member, translate("members.member_dialog", "Subscriptions"), "subs_up_to_date"
        )

        work_box = QGroupBox(translate("members.member_dialog", "Work"))
        work = self._form_layout(work_box)
        self._add_row(work, translate("members.member_dialog", "Employer"), "employer")
        self._add_row(work, translate("members.member_dialog", "Workplace"), "workplace")
        self._add_row(work, translate("members.member_dialog", "Department"), "department")
        self._add_row(work, translate("members.member_dialog", "Job title"), "job_title")
        self._add_row(work, translate("members.member_dialog", "Work email"), "work_email")
        self._add_row(work, translate("members.member_dialog", "Work phone"), "work_phone")

        personal_box = QGroupBox(translate("members.member_dialog", "Personal contact"))
        personal = self._form_layout(personal_box)
        self._add_row(personal, translate("members.member_dialog", "Email"), "personal_email")
        self._add_row(personal, translate("members.member_dialog", "Phone"), "personal_phone")
        self._add_row(personal, translate("members.member_dialog", "Home address"), "home_address")

        notes_box = QGroupBox(translate("members.member_dialog", "Notes"))
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.addWidget(self._with_error("notes", self.notes))
        # A new member has no cases yet: the box is only there when editing.
        cases_box = self._build_cases() if self.member_id is not None else None

        # One label width for the boxes in a column, so their fields line up.
        left_labels = self._labels[:12]
        widest = max(label.sizeHint().width() for label in left_labels)
        for label in left_labels:
            label.setMinimumWidth(widest)

        left = QVBoxLayout()
        left.addWidget(member_box)
        left.addWidget(work_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(personal_box)
        right.addWidget(notes_box, 1)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        required = QLabel(translate("members.member_dialog", "* needed for every member"))
        required.setObjectName("tabSubheading")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(required)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(columns, 1)
        if cases_box is not None:
            # Across the whole width, so a case type as long as "Bullying or harassment" fits.
            layout.addWidget(cases_box)
        layout.addSpacing(6)
        layout.addLayout(bottom)
        self.setMinimumWidth(900)
        name_fields_from_labels(self)

    def _build_cases(self) -> QGroupBox:
        """The member's cases: reference, type, stage and date opened, newest first."""
        self.cases_table = QTableWidget(0, 4)
        self.cases_table.setObjectName("memberCases")
        self.cases_table.setAccessibleName(translate("members.member_dialog", "The member's cases"))
        self.cases_table.setHorizontalHeaderLabels(
            [
                translate("members.member_dialog", "Reference"),
                translate("members.member_dialog", "Type"),
                translate("members.member_dialog", "Stage"),
                translate("members.member_dialog", "Opened"),
            ]
        )
        self.cases_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cases_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cases_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cases_table.setAlternatingRowColors(True)
        self.cases_table.setShowGrid(False)
        self.cases_table.setWordWrap(False)
        self.cases_table.verticalHeader().hide()
        self.cases_table.setToolTip(
            translate("members.member_dialog", "Double-click a case to open it")
        )
        header = self.cases_table.horizontalHeader()
        header.setHighlightSections(False)
        for column in range(4):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column == 1
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        line = self.fontMetrics().lineSpacing()
        self.cases_table.setMinimumHeight(header.sizeHint().height() + 3 * (line + 10))
        self.cases_table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.cases_table.itemSelectionChanged.connect(self._update_case_button)
        self.cases_table.installEventFilter(self)

        self.no_cases_label = QLabel(translate("members.member_dialog", "No cases"))
        self.no_cases_label.setObjectName("tabSubheading")
        self.no_cases_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cases_stack = QStackedWidget()
        self.cases_stack.addWidget(self.cases_table)
        self.cases_stack.addWidget(self.no_cases_label)

        self.open_case_button = QPushButton(translate("members.member_dialog", "Open case"))
        self.open_case_button.setObjectName("openCaseButton")
        self.open_case_button.setToolTip(
            translate(
                "members.member_dialog",
                "Close this member and show the case chosen on the Cases page",
            )
        )
        self.open_case_button.setAutoDefault(False)  # Enter still means Save
        self.open_case_button.clicked.connect(self.open_selected_case)
        self.cases_count = QLabel()
        self.cases_count.setObjectName("tabSubheading")
        self.cases_count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side = QVBoxLayout()
        side.addWidget(self.open_case_button)
        side.addWidget(self.cases_count)
        side.addStretch(1)

        box = QGroupBox(translate("members.member_dialog", "Cases"))
        layout = QHBoxLayout(box)
        layout.addWidget(self.cases_stack, 1)
        layout.addLayout(side)
        return box

    def _form_layout(self, box: QGroupBox) -> QFormLayout:
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.setVerticalSpacing(6)
        return layout

    def _with_error(self, name: str, field: QWidget) -> QWidget:
        """The field with a red message right under it, hidden until there is a problem."""
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.error_labels[name] = error
        return cell

    def _add_row(
        self, layout: QFormLayout, label: str, name: str, field: QWidget | None = None
    ) -> None:
        widget = self.inputs[name]
        label_widget = QLabel(label)
        label_widget.setBuddy(widget)
        label_widget.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label_widget.setMinimumHeight(self._line_height)
        self._labels.append(label_widget)
        layout.addRow(label_widget, self._with_error(name, field or widget))
        item = layout.itemAt(layout.rowCount() - 1, QFormLayout.ItemRole.LabelRole)
        if item is not None:
            # Level with the field itself, not half-way down to an error message under it.
            item.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

    # -- reading and writing the fields --------------------------------------------------------

    def _load(self, form: MemberForm) -> None:
        self.membership_number.setText(form.membership_number)
        self.first_name.setText(form.first_name)
        self.last_name.setText(form.last_name)
        index = self.status.findData(form.status)
        self.status.setCurrentIndex(max(index, 0))
        if form.date_joined is None:
            self.date_joined.setDate(QDate.currentDate())
            self.date_unknown.setChecked(True)
        else:
            self.date_joined.setDate(QDate(form.date_joined))
            self.date_unknown.setChecked(False)
        self.subs_up_to_date.setChecked(form.subs_up_to_date)

        self.employer.addItems(employer_names(self.ctx.db))
        self.employer.setCurrentIndex(-1)
        self.employer.setEditText(form.employer)
        self._fill_workplaces(form.employer)
        self.workplace.setEditText(form.workplace)
        self.department.setText(form.department)
        self.job_title.setText(form.job_title)
        self.work_email.setText(form.work_email)
        self.work_phone.setText(form.work_phone)
        self.personal_email.setText(form.personal_email)
        self.personal_phone.setText(form.personal_phone)
        self.home_address.setPlainText(form.home_address)
        self.notes.setPlainText(form.notes)
        for edit in self.findChildren(QLineEdit):
            edit.setCursorPosition(0)  # show the start of a long email address, not its end

    def _load_cases(self) -> None:
        self.case_ids: list[int] = []
        if self.member_id is None:
            return
        try:
            cases = member_cases(self.ctx.db, self.member_id)
        except (DBAPIError, AccessDenied) as exc:
            # The member's own details are still worth editing: say so in the box instead.
            log.warning("cases of member %s not read: %s", self.member_id, error_kind(exc))
            self.no_cases_label.setText(
                translate(
                    "members.member_dialog",
                    "Cases are not shown: your role does not include casework.",
                )
                if isinstance(exc, AccessDenied)
                else translate("members.member_dialog", "The cases could not be read just now.")
            )
            self.cases_stack.setCurrentWidget(self.no_cases_label)
            self.open_case_button.hide()
            self.cases_count.setText("")
            self._update_case_button()
            return
        self.cases_table.setRowCount(len(cases))
        for row, (case_id, reference, case_type, stage, opened) in enumerate(cases):
            texts = (
                reference,
                labels.label(labels.CASE_TYPES, case_type),
                labels.label(labels.STAGES, stage),
            )
            for column, text in enumerate((*texts, short_date(opened))):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setData(Qt.ItemDataRole.UserRole, case_id)
                self.cases_table.setItem(row, column, item)
            self.case_ids.append(case_id)
        self.cases_stack.setCurrentWidget(self.cases_table if cases else self.no_cases_label)
        self.open_case_button.setVisible(bool(cases))
        self.cases_count.setText(
            ""
            if not cases
            else translate("members.member_dialog", "1 case")
            if len(cases) == 1
            else translate("members.member_dialog", "{n} cases").format(n=len(cases))
        )
        self._update_case_button()

    def case_texts(self) -> list[list[str]]:
        """What the cases table shows, row by row (for tests and screen readers)."""
        table = self.cases_table
        return [
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]

    def _fill_workplaces(self, employer: str) -> None:
        typed = self.workplace.currentText()
        self.workplace.blockSignals(True)
        self.workplace.clear()
        if employer.strip():
            self.workplace.addItems(workplace_names(self.ctx.db, employer.strip()))
        self.workplace.setCurrentIndex(-1)
        self.workplace.setEditText(typed)
        self.workplace.blockSignals(False)

    def form(self) -> MemberForm:
        return MemberForm(
            membership_number=self.membership_number.text(),
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            employer=self.employer.currentText(),
            workplace=self.workplace.currentText(),
            department=self.department.text(),
            job_title=self.job_title.text(),
            work_email=self.work_email.text(),
            work_phone=self.work_phone.text(),
            personal_email=self.personal_email.text(),
            personal_phone=self.personal_phone.text(),
            home_address=self.home_address.toPlainText(),
            date_joined=None if self.date_unknown.isChecked() else self._date(),
            status=self.status.currentData() or "current",
            subs_up_to_date=self.subs_up_to_date.isChecked(),
            notes=self.notes.toPlainText(),
            version=self._version,
        ).cleaned()

    def _date(self) -> date:
        value = self.date_joined.date().toPython()
        assert isinstance(value, date)
        return value

    def has_changes(self) -> bool:
        return self.form() != self._initial

    # -- validation ----------------------------------------------------------------------------

    def _connect_changes(self) -> None:
        for name, widget in self.inputs.items():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _t, n=name: self._changed(n))
                widget.editingFinished.connect(lambda n=name: self._touch(n))
            elif isinstance(widget, QComboBox):
                widget.currentTextChanged.connect(lambda _t, n=name: self._changed(n, touch=True))
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(lambda n=name: self._changed(n, touch=True))
            elif isinstance(widget, QDateEdit):
                widget.dateChanged.connect(lambda _d, n=name: self._changed(n, touch=True))
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(lambda _c, n=name: self._changed(n, touch=True))
        self.date_unknown.toggled.connect(lambda _c: self._changed("date_joined", touch=True))
        self.employer.currentTextChanged.connect(self._fill_workplaces)

    def _touch(self, name: str) -> None:
        self._touched.add(name)
        self._revalidate()

    def _changed(self, name: str, touch: bool = False) -> None:
        # A message from the last save attempt goes as soon as the field is changed.
        self._service_errors.pop(name, None)
        if touch:
            self._touched.add(name)
        self._revalidate()

    def _revalidate(self) -> dict[str, str]:
        errors = validate(self.form())
        if self._save_attempted:
            shown = dict(errors)
        else:
            shown = {k: v for k, v in errors.items() if k in self._touched}
        shown.update(self._service_errors)
        self._show_errors(shown)
        return errors

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.error_labels.items():
            message = errors.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            widget = self.inputs[name]
            if bool(widget.property("invalid")) != bool(message):
                widget.setProperty("invalid", bool(message))
                # Re-polish so the style sheet's red border follows the property.
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def error_text(self, name: str) -> str:
        """The message showing under a field, or '' (for tests and screen readers)."""
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        for name in self.inputs:
            if name in errors:
                self.inputs[name].setFocus(Qt.FocusReason.OtherFocusReason)
                return

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save through the member service; True if saved. Problems keep the dialog open."""
        self._save_attempted = True
        errors = self._revalidate()
        if errors:
            self._focus_first_error(errors)
            return False
        form = self.form()
        try:
            if self.member_id is None:
                self.member_id = create_member(self.ctx.db, form)
            else:
                update_member(self.ctx.db, self.member_id, form)
        except ValidationError as exc:
            self._service_errors = dict(exc.errors)
            self._revalidate()
            self._focus_first_error(exc.errors)
            return False
        except StaleEdit as exc:
            self.ctx.dialogs.error(
                self,
                translate("members.member_dialog", "Not saved: this member was changed"),
                str(exc),
            )
            return False
        except StoreError as exc:
            self.ctx.dialogs.error(self, translate("members.member_dialog", "Not saved"), str(exc))
            return False
        except DBAPIError as exc:
            # Locked by another writer past the busy timeout, or the file unwritable: say so
            # and keep the dialog open with what was typed, rather than a crash report.
            log.warning("member %s not saved: %s", self.member_id or "(new)", error_kind(exc))
            if is_busy(exc):
                self.ctx.dialogs.error(
                    self,
                    translate("members.member_dialog", "Not saved: the database is busy"),
                    busy_message(),
                )
            else:
                self.ctx.dialogs.error(
                    self,
                    translate("members.member_dialog", "Not saved"),
                    translate(
                        "members.member_dialog",
                        "The database could not be written: {reason}. Nothing was saved.",
                    ).format(reason=exc.orig),
                )
            return False
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()

    # -- opening one of the member's cases -----------------------------------------------------

    def _update_case_button(self) -> None:
        rows = self.cases_table.selectionModel().selectedRows()
        self.open_case_button.setEnabled(bool(rows) and bool(self.case_ids))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter on a selected case opens it, rather than saving the member.
        if (
            watched is getattr(self, "cases_table", None)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.cases_table.selectionModel().selectedRows()
        ):
            self.open_selected_case()
            return True
        return super().eventFilter(watched, event)

    def open_selected_case(self) -> None:
        rows = self.cases_table.selectionModel().selectedRows()
        if rows:
            self._open_row(rows[0].row())

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.case_ids):
            self.request_case(self.case_ids[row])

    def request_case(self, case_id: int) -> None:
        """Close the dialog and ask for the case, saving changes first if the user agrees."""
        if self.has_changes():
            if not self.ctx.dialogs.confirm(
                self,
                translate("members.member_dialog", "Save changes first?"),
                translate(
                    "members.member_dialog",
                    "You have changed this member's details. Save them before opening the case? "
                    "(Cancel to stay here with your changes.)",
                ),
                yes=translate("members.member_dialog", "Save and open case"),
            ):
                return
            if not self.save():
                return  # the problem is shown; everything typed is still here
            QDialog.accept(self)
        else:
            QDialog.reject(self)  # nothing to save or to lose
        self.case_requested.emit(case_id)

    def reject(self) -> None:
        if self.has_changes() and not self.ctx.dialogs.confirm(
            self,
            translate("members.member_dialog", "Discard changes?"),
            translate(
                "members.member_dialog",
                "You have changed this member's details. Close without saving them?",
            ),
            yes=translate("members.member_dialog", "Discard changes"),
        ):
            return
        super().reject()
