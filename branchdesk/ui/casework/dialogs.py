"""The casework dialogs: open or edit a case, add or change a timeline entry, record consent,
move, close or reopen a case, and add a deadline (by hand or computed by the deadline rules,
with the working shown first)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, QStringListModel, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QWidget,
)
from sqlalchemy import and_, select
from sqlalchemy.exc import DBAPIError

from branchdesk.casework.codes import Stage
from branchdesk.casework.deadlines import (
    Computed,
    DeadlineRules,
    appeal_deadline,
    describe_remaining,
    format_date,
    tribunal_deadline,
)
from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, ENTRY_KINDS, OUTCOMES, STAGES
from branchdesk.casework.models import TimelineEntry
from branchdesk.casework.queries import CaseDetail, consent_steps_used
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    close_case,
    move_stage,
    open_case,
    record_consent,
    reopen_case,
    update_case,
    update_entry,
)
from branchdesk.members.models import Member
from branchdesk.members.service import ValidationError, employer_names
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError
from branchdesk.ui import style
from branchdesk.ui.casework.common import CaseDialog, date_edit, date_of, warning_label
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

SEPARATOR = " — "


def find_members(db: Database, text: str, limit: int = 20) -> list[str]:
    """'M001 — Ada Lowmoor' for members whose number or name has every word typed."""
    words = text.lower().split()
    if not words:
        return []
    query = (
        select(Member.membership_number, Member.first_name, Member.last_name)
        .where(and_(*(Member.search_text.contains(w, autoescape=True) for w in words)))
        .order_by(Member.last_name, Member.first_name, Member.id)
        .limit(limit)
    )
    with db.read() as session:
        return [f"{n}{SEPARATOR}{f} {la}".strip() for n, f, la in session.execute(query)]


def member_name(db: Database, number: str) -> str | None:
    with db.read() as session:
        row = session.execute(
            select(Member.first_name, Member.last_name).where(Member.membership_number == number)
        ).first()
    return f"{row[0]} {row[1]}".strip() if row else None


def _combo(items: dict[str, str], first: str | None = None) -> QComboBox:
    combo = QComboBox()
    if first is not None:
        combo.addItem(first, "")
    for code, text in items.items():
        combo.addItem(text, str(code))
    return combo


def _text_box(lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class MemberSearch(QObject):
    """Suggestions under a membership-number field: type a number, or part of a name."""

    def __init__(self, ctx: AppContext, edit: QLineEdit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.edit = edit
        self.matches = QStringListModel(self)
        self.completer = QCompleter(self.matches, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(self.completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.search)
        edit.textEdited.connect(lambda _t: self._timer.start())

    def search(self) -> None:
        text = self.edit.text()
        if SEPARATOR in text:
            return
        try:
            found = find_members(self.ctx.db, text)
        except (StoreError, DBAPIError):
            # Suggestions are a convenience: a refused or failed look-up (signed out since
            # the typing, say) offers none rather than an error.
            found = []
        self.matches.setStringList(found)
        if self.edit.hasFocus() and self.matches.rowCount():
            self.completer.complete()

    def number(self) -> str:
        return self.edit.text().split(SEPARATOR)[0].strip()


class ReturnCatcher(QObject):
    """Enter in a field calls `action` instead of pressing the dialog's Save button."""

    def __init__(self, widget: QWidget, action: Callable[[], None]) -> None:
        super().__init__(widget)
        self._action = action
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            completer = watched.completer() if isinstance(watched, QLineEdit) else None
            if completer is not None and completer.popup().isVisible():
                return False  # Enter picks the suggestion first
            self._action()
            return True
        return False


class OpenCaseDialog(CaseDialog):
    """Open a case for a member. Eligibility is checked by the service and only warned about.

    `EditCaseDialog` is the same form filled from a case, saving its changes instead.
    """

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, title: str | None = None
    ) -> None:
        super().__init__(ctx, title or translate("casework.dialogs", "Open case"), parent)
        self.reference: str | None = None
        officer = ctx.db.officer
        self.member = QLineEdit()
        self.member.setPlaceholderText(
            translate("casework.dialogs", "Membership number, or type a name to search")
        )
        self._lead = MemberSearch(ctx, self.member, self)
        self._matches = self._lead.matches
        self.completer = self._lead.completer
        self.member_found = QLabel()
        self.member_found.setObjectName("tabSubheading")
        self.member.textChanged.connect(self._show_member)
        member_cell = QWidget()
        member_column = QHBoxLayout(member_cell)
        member_column.setContentsMargins(0, 0, 0, 0)
        member_column.addWidget(self.member, 1)
        member_column.addWidget(self.member_found)

        self.case_type = _combo(CASE_TYPES, translate("casework.dialogs", "Choose…"))
        self.sub_type = QLineEdit()
        self.sub_type.setPlaceholderText(
            translate("casework.dialogs", "For example: gross misconduct, flexible working")
        )
        self.title = QLineEdit()
        self.title.setPlaceholderText(
            translate("casework.dialogs", "A few words a rep will recognise")
        )
        self.employer = QLineEdit()
        self.employer.setPlaceholderText(
            translate("casework.dialogs", "Leave blank for the member's own employer")
        )
        employers = QCompleter(employer_names(ctx.db), self)
        employers.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        employers.setFilterMode(Qt.MatchFlag.MatchContains)
        self.employer.setCompleter(employers)
        self.rep = QLineEdit(officer)
        self.second_rep = QLineEdit()
        self.opened_on = date_edit(date.today())
        self.arose_known = QCheckBox(translate("casework.dialogs", "Known:"))
        self.arose_known.setAccessibleName(
            translate("casework.dialogs", "Date the problem arose is known")
        )
        self.problem_arose_on = date_edit(date.today())
        self.problem_arose_on.setEnabled(False)
        self.arose_known.toggled.connect(self.problem_arose_on.setEnabled)
        arose = QWidget()
        arose_row = QHBoxLayout(arose)
        arose_row.setContentsMargins(0, 0, 0, 0)
        arose_row.addWidget(self.arose_known)
        arose_row.addWidget(self.problem_arose_on)
        arose_row.addStretch(1)
        self.companion = _combo(COMPANIONS)
        self.companion_name = QLineEdit()
        self.companion_name.setPlaceholderText(
            translate("casework.dialogs", "Their name, if known")
        )
        self.companion_name.setObjectName("companion_name")
        self.companion_name.setAccessibleName(translate("casework.dialogs", "Companion's name"))
        companion = QWidget()
        companion_row = QHBoxLayout(companion)
        companion_row.setContentsMargins(0, 0, 0, 0)
        companion_row.addWidget(self.companion)
        companion_row.addWidget(self.companion_name, 1)
        self.companion.currentIndexChanged.connect(self._companion_changed)
        self._companion_changed()

        # Other members, for a collective case.
        self.other_number = QLineEdit()
        self.other_number.setObjectName("otherMemberNumber")
        self.other_number.setPlaceholderText(
            translate("casework.dialogs", "Another member's number or name, then Add")
        )
        self.other_number.setAccessibleName(translate("casework.dialogs", "Other member to add"))
        self._other = MemberSearch(ctx, self.other_number, self)
        self.add_other_button = QPushButton(translate("casework.dialogs", "Add"))
        self.add_other_button.setObjectName("addOtherMember")
        self.add_other_button.setAutoDefault(False)
        self.add_other_button.setToolTip(
            translate("casework.dialogs", "Add this member to the case (a collective case)")
        )
        self.add_other_button.clicked.connect(lambda _c=False: self.add_other_member())
        ReturnCatcher(self.other_number, self.add_other_member)
        self.other_list = QListWidget()
        self.other_list.setObjectName("otherMembersList")
        self.other_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.other_list.setMaximumHeight(self.fontMetrics().height() * 4 + 16)
        self.other_list.setMinimumHeight(self.fontMetrics().height() * 2 + 12)
        self.remove_other_button = QPushButton(translate("casework.dialogs", "Remove"))
        self.remove_other_button.setObjectName("removeOtherMember")
        self.remove_other_button.setAutoDefault(False)
        self.remove_other_button.setToolTip(
            translate("casework.dialogs", "Take the member selected in the list off the case")
        )
        self.remove_other_button.clicked.connect(lambda _c=False: self.remove_other_member())
        self.other_list.itemSelectionChanged.connect(self._update_other_buttons)
        others = QWidget()
        others_grid = QGridLayout(others)
        others_grid.setContentsMargins(0, 0, 0, 0)
        others_grid.setHorizontalSpacing(6)
        others_grid.setVerticalSpacing(4)
        others_grid.addWidget(self.other_number, 0, 0)
        others_grid.addWidget(self.add_other_button, 0, 1)
        others_grid.addWidget(self.other_list, 1, 0)
        others_grid.addWidget(self.remove_other_button, 1, 1, alignment=Qt.AlignmentFlag.AlignTop)
        self._update_other_buttons()

        self.add_field(
            "membership_number", translate("casework.dialogs", "Member *"), self.member, member_cell
        )
        self.add_field("case_type", translate("casework.dialogs", "Type *"), self.case_type)
        self.add_field("sub_type", translate("casework.dialogs", "Sub-type"), self.sub_type)
        self.add_field("title", translate("casework.dialogs", "Title"), self.title)
        self.add_field("employer", translate("casework.dialogs", "Employer"), self.employer)
        self.add_field("rep", translate("casework.dialogs", "Rep"), self.rep)
        self.add_field("second_rep", translate("casework.dialogs", "Second rep"), self.second_rep)
        opened = QWidget()
        opened_row = QHBoxLayout(opened)
        opened_row.setContentsMargins(0, 0, 0, 0)
        opened_row.addWidget(self.opened_on)
        opened_row.addStretch(1)
        self.add_field(
            "opened_on", translate("casework.dialogs", "Opened on *"), self.opened_on, opened
        )
        self.add_field(
            "problem_arose_on",
            translate("casework.dialogs", "Problem arose on"),
            self.problem_arose_on,
            arose,
        )
        self.add_field(
            "companion", translate("casework.dialogs", "Companion"), self.companion, companion
        )
        self.add_field(
            "other_members",
            translate("casework.dialogs", "Other members"),
            self.other_list,
            others,
        )
        self.note = QLabel(
            translate(
                "casework.dialogs",
                "Whether the member can be helped (membership, subs, when the problem arose) is "
                "checked when the case is opened: you will be warned, never stopped.",
            )
        )
        self.note.setObjectName("tabSubheading")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)
        self.finish_layout()
        self.setMinimumWidth(640)

    def _search_members(self) -> None:
        self._lead.search()

    def number(self) -> str:
        return self._lead.number()

    def _show_member(self, _text: str = "") -> None:
        number = self.number()
        name = member_name(self.ctx.db, number) if number else None
        self.member_found.setText(name or "")

    def _companion_changed(self, _index: int = 0) -> None:
        self.companion_name.setEnabled(bool(self.companion.currentData()))

    # -- other members ---------------------------------------------------------------------------

    def other_numbers(self) -> list[str]:
        return [
            str(self.other_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.other_list.count())
        ]

    def add_other_member(self, number: str | None = None, name: str | None = None) -> bool:
        """Add the member typed (or `number`) to the list; a problem shows beside the field."""
        number = (number if number is not None else self._other.number()).strip()
        if not number:
            return False
        if name is None:
            name = member_name(self.ctx.db, number)
        problem = ""
        if name is None:
            problem = translate(
                "casework.dialogs", "No member has the membership number {number}."
            ).format(number=number)
        elif number == self.number():
            problem = translate(
                "casework.dialogs", "{name} is the lead member of this case already."
            ).format(name=name)
        elif number in self.other_numbers():
            problem = translate("casework.dialogs", "{name} is listed already.").format(name=name)
        if problem:
            self.show_errors({"other_members": problem})
            self.other_number.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        item = QListWidgetItem(f"{number}{SEPARATOR}{name}")
        item.setData(Qt.ItemDataRole.UserRole, number)
        self.other_list.addItem(item)
        self.other_number.clear()
        self._clear_error("other_members")
        self._update_other_buttons()
        return True

    def remove_other_member(self, number: str | None = None) -> None:
        """Take the selected member (or `number`) off the list."""
        rows = [
            i
            for i in range(self.other_list.count())
            if (
                self.other_list.item(i).data(Qt.ItemDataRole.UserRole) == number
                if number is not None
                else self.other_list.item(i).isSelected()
            )
        ]
        for row in reversed(rows):
            self.other_list.takeItem(row)
        self._clear_error("other_members")
        self._update_other_buttons()

    def _update_other_buttons(self) -> None:
        self.remove_other_button.setEnabled(bool(self.other_list.selectedItems()))

    # -- saving ----------------------------------------------------------------------------------

    def form(self) -> CaseForm:
        return CaseForm(
            membership_number=self.number(),
            case_type=self.case_type.currentData() or "",
            sub_type=self.sub_type.text(),
            title=self.title.text(),
            employer=self.employer.text(),
            rep=self.rep.text(),
            second_rep=self.second_rep.text(),
            opened_on=date_of(self.opened_on),
            problem_arose_on=date_of(self.problem_arose_on)
            if self.arose_known.isChecked()
            else None,
            companion=self.companion.currentData() or "",
            companion_name=self.companion_name.text() if self.companion.currentData() else "",
            other_members=self.other_numbers(),
        )

    def write(self) -> None:
        self.reference = open_case(self.ctx.db, self.form())


class EditCaseDialog(OpenCaseDialog):
    """The open-case form filled from a case; saves its details with the version it was read at.

    The stage is not here (Move stage, Close and Reopen change it). The eligibility check is
    made again by the service when the member or the date the problem arose changes.
    """

    def __init__(self, ctx: AppContext, case: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            parent,
            title=translate("casework.dialogs", "Edit case details — {reference}").format(
                reference=case.reference
            ),
        )
        self.case = case
        self.reference = case.reference
        self.member.setText(case.member.membership_number)
        self.case_type.setCurrentIndex(max(self.case_type.findData(case.case_type), 0))
        self.sub_type.setText(case.sub_type)
        self.title.setText(case.title)
        self.employer.setText(case.employer)
        self.rep.setText(case.rep)
        self.second_rep.setText(case.second_rep)
        self.opened_on.setDate(QDate(case.opened_on))
        self.arose_known.setChecked(case.problem_arose_on is not None)
        if case.problem_arose_on is not None:
            self.problem_arose_on.setDate(QDate(case.problem_arose_on))
        self.companion.setCurrentIndex(max(self.companion.findData(case.companion), 0))
        self.companion_name.setText(case.companion_name)
        for other in case.other_members:
            item = QListWidgetItem(f"{other.membership_number}{SEPARATOR}{other.name}")
            item.setData(Qt.ItemDataRole.UserRole, other.membership_number)
            self.other_list.addItem(item)
        self.note.setText(
            translate(
                "casework.dialogs",
                "The stage changes with Move stage, Close case and Reopen. Eligibility is checked "
                "again if the member or the date the problem arose changes.",
            )
        )

    def write(self) -> None:
        form = self.form()
        form.version = self.case.version
        update_case(self.ctx.db, self.case.id, form)


class EntryDialog(CaseDialog):
    """Add a timeline entry, or (given `entry`) change one, with the version it was read at."""

    def __init__(
        self,
        ctx: AppContext,
        case: CaseDetail,
        parent: QWidget | None = None,
        entry: TimelineEntry | None = None,
    ) -> None:
        if entry is not None:
            title = translate("casework.dialogs", "Edit timeline entry — {reference}")
        else:
            title = translate("casework.dialogs", "Add to the timeline — {reference}")
        super().__init__(ctx, title.format(reference=case.reference), parent)
        self.case = case
        self.entry = entry
        self.entry_id: int | None = entry.id if entry is not None else None
        self.happened_on = date_edit(date.today())
        self.kind = _combo(ENTRY_KINDS)
        self.title = QLineEdit()
        self.title.setMaxLength(300)
        self.body = _text_box(6)
        self.confidential = QCheckBox(
            translate("casework.dialogs", "Confidential (left out of hand-over summaries)")
        )
        self.add_field("happened_on", translate("casework.dialogs", "Date"), self.happened_on)
        self.add_field("kind", translate("casework.dialogs", "Kind"), self.kind)
        self.add_field("title", translate("casework.dialogs", "Title"), self.title)
        self.add_field("body", translate("casework.dialogs", "Text"), self.body)
        self.add_field("confidential", "", self.confidential)
        if entry is not None:
            self.happened_on.setDate(QDate(entry.happened_on))
            self.kind.setCurrentIndex(max(self.kind.findData(entry.kind), 0))
            self.title.setText(entry.title)
            self.body.setPlainText(entry.body)
            self.confidential.setChecked(entry.confidential)
            if entry.author:
                by = QLabel(
                    translate("casework.dialogs", "Recorded by {author}").format(
                        author=entry.author
                    )
                )
                by.setObjectName("tabSubheading")
                self.layout_.addWidget(by)
            self.body.setMinimumHeight(self.body.fontMetrics().lineSpacing() * 12 + 14)
            self.setMinimumWidth(640)
        self.finish_layout()

    def write(self) -> None:
        entry = EntryForm(
            happened_on=date_of(self.happened_on),
            kind=self.kind.currentData() or "",
            title=self.title.text(),
            body=self.body.toPlainText(),
            confidential=self.confidential.isChecked(),
            version=self.entry.version if self.entry is not None else None,
        )
        if self.entry is not None:
            update_entry(self.ctx.db, self.entry.id, entry)
        else:
            self.entry_id = add_entry(self.ctx.db, self.case.id, entry)


# Steps a rep commonly needs the member's agreement for; steps recorded before are offered too.
# Offered in the user's language; the step chosen is saved as the words shown.
CONSENT_STEPS = (
    QT_TRANSLATE_NOOP("casework.dialogs", "Notify ACAS (early conciliation)"),
    QT_TRANSLATE_NOOP("casework.dialogs", "Share documents with the employer"),
    QT_TRANSLATE_NOOP("casework.dialogs", "Refer to regional office"),
    QT_TRANSLATE_NOOP("casework.dialogs", "Contact the member's GP/occupational health"),
    QT_TRANSLATE_NOOP("casework.dialogs", "Share medical evidence with the employer"),
    QT_TRANSLATE_NOOP("casework.dialogs", "Speak to witnesses"),
    QT_TRANSLATE_NOOP("casework.dialogs", "Pass the case to the union's solicitors"),
)


class ConsentDialog(CaseDialog):
    """Record whether the member agreed to a step the rep wants to take for them."""

    def __init__(self, ctx: AppContext, case: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            translate("casework.dialogs", "Record consent — {reference}").format(
                reference=case.reference
            ),
            parent,
        )
        self.case = case
        self.consent_id: int | None = None
        self.step = QComboBox()
        self.step.setEditable(True)
        self.step.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        steps = [translate("casework.dialogs", step) for step in CONSENT_STEPS]
        steps += [s for s in consent_steps_used(ctx.db) if s not in steps]
        self.step.addItems(steps)
        self.step.setCurrentIndex(-1)
        self.step.setMaxVisibleItems(12)
        line = self.step.lineEdit()
        assert line is not None
        line.setMaxLength(300)
        line.setPlaceholderText(
            translate("casework.dialogs", "Choose, or say what the member was asked to agree to")
        )
        self.agreed = QRadioButton(translate("casework.dialogs", "Yes, agreed"))
        self.agreed.setObjectName("consentYes")
        self.refused = QRadioButton(translate("casework.dialogs", "No, did not agree"))
        self.refused.setObjectName("consentNo")
        self.answer = QButtonGroup(self)
        self.answer.addButton(self.agreed)
        self.answer.addButton(self.refused)
        self.agreed.setChecked(True)
        answers = QWidget()
        answers_row = QHBoxLayout(answers)
        answers_row.setContentsMargins(0, 0, 0, 0)
        answers_row.addWidget(self.agreed)
        answers_row.addWidget(self.refused)
        answers_row.addStretch(1)
        self.recorded_on = date_edit(date.today())
        self.recorded_on.setMaximumDate(QDate.currentDate())
        self.note = _text_box(3)
        self.note.setPlaceholderText(
            translate("casework.dialogs", "How it was given (in writing, by phone), any conditions")
        )
        self.add_field("step", translate("casework.dialogs", "Step *"), self.step)
        self.add_field(
            "consented", translate("casework.dialogs", "Member's answer"), self.agreed, answers
        )
        self.add_field("recorded_on", translate("casework.dialogs", "On"), self.recorded_on)
        self.add_field("note", translate("casework.dialogs", "Note"), self.note)
        self.finish_layout()
        self.setMinimumWidth(560)

    def write(self) -> None:
        self.consent_id = record_consent(
            self.ctx.db,
            self.case.id,
            self.step.currentText(),
            self.agreed.isChecked(),
            date_of(self.recorded_on),
            self.note.toPlainText(),
        )


class MoveStageDialog(CaseDialog):
    """Move an open case to another stage, or (reopen=True) bring a closed one back."""

    def __init__(
        self, ctx: AppContext, case: CaseDetail, reopen: bool = False, parent: QWidget | None = None
    ) -> None:
        if reopen:
            title = translate("casework.dialogs", "Reopen — {reference}")
        else:
            title = translate("casework.dialogs", "Move stage — {reference}")
        super().__init__(ctx, title.format(reference=case.reference), parent)
        self.case = case
        self.reopen = reopen
        stages = {k: v for k, v in STAGES.items() if k != Stage.CLOSED and k != case.status}
        self.to_stage = _combo(stages)
        self.changed_on = date_edit(date.today())
        self.note = _text_box(3)
        current = QLabel(STAGES.get(case.status, case.status))
        self.form_layout.addRow(translate("casework.dialogs", "Now at"), current)
        self.add_field(
            "to_stage",
            translate("casework.dialogs", "Move to")
            if not reopen
            else translate("casework.dialogs", "Back to"),
            self.to_stage,
        )
        self.add_field("changed_on", translate("casework.dialogs", "On"), self.changed_on)
        self.add_field("note", translate("casework.dialogs", "Note"), self.note)
        self.finish_layout()

    def write(self) -> None:
        fn = reopen_case if self.reopen else move_stage
        fn(
            self.ctx.db,
            self.case.id,
            self.to_stage.currentData() or "",
            date_of(self.changed_on),
            self.case.version,
            note=self.note.toPlainText(),
        )


class CloseCaseDialog(CaseDialog):
    def __init__(self, ctx: AppContext, case: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            translate("casework.dialogs", "Close case — {reference}").format(
                reference=case.reference
            ),
            parent,
        )
        self.case = case
        self.outcome = _combo(OUTCOMES, translate("casework.dialogs", "Choose…"))
        self.remedy = _text_box(3)
        self.remedy.setPlaceholderText(
            translate("casework.dialogs", "What the member got: reinstated, paid, warning removed…")
        )
        self.changed_on = date_edit(date.today())
        self.note = _text_box(2)
        self.add_field("outcome", translate("casework.dialogs", "Outcome *"), self.outcome)
        self.add_field("remedy", translate("casework.dialogs", "Remedy"), self.remedy)
        self.add_field("changed_on", translate("casework.dialogs", "Closed on"), self.changed_on)
        self.add_field("note", translate("casework.dialogs", "Note"), self.note)
        self.finish_layout()

    def write(self) -> None:
        close_case(
            self.ctx.db,
            self.case.id,
            self.outcome.currentData() or "",
            date_of(self.changed_on),
            self.case.version,
            remedy=self.remedy.toPlainText(),
            note=self.note.toPlainText(),
        )


BY_HAND, TRIBUNAL, APPEAL = 0, 1, 2


class DeadlineDialog(CaseDialog):
    """A deadline by hand, or computed: the date, its working and any warnings show first."""

    def __init__(
        self,
        ctx: AppContext,
        case: CaseDetail,
        rules: DeadlineRules,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            translate("casework.dialogs", "Add deadline — {reference}").format(
                reference=case.reference
            ),
            parent,
        )
        self.case = case
        self.rules = rules
        self.computed: Computed | None = None
        self._auto_title = ""
        self.today = date.today()

        self.by_hand = QRadioButton(translate("casework.dialogs", "By hand"))
        self.tribunal = QRadioButton(translate("casework.dialogs", "Tribunal claim"))
        self.appeal = QRadioButton(translate("casework.dialogs", "Internal appeal"))
        self.mode = QButtonGroup(self)
        modes = QWidget()
        modes_row = QHBoxLayout(modes)
        modes_row.setContentsMargins(0, 0, 0, 0)
        for n, button in enumerate((self.by_hand, self.tribunal, self.appeal)):
            self.mode.addButton(button, n)
            modes_row.addWidget(button)
        modes_row.addStretch(1)
        self.by_hand.setChecked(True)
        self.form_layout.addRow(translate("casework.dialogs", "Work it out"), modes)

        self.title = QLineEdit()
        self.title.setMaxLength(300)
        self.title.setPlaceholderText(translate("casework.dialogs", 'For example "Appeal letter"'))
        self.add_field("title", translate("casework.dialogs", "Deadline *"), self.title)
        for row in range(self.form_layout.rowCount()):
            item = self.form_layout.itemAt(row, self.form_layout.ItemRole.LabelRole)
            if item is not None and item.widget() is not None:
                item.widget().setMinimumWidth(130)  # level with the labels of the pages below
        self.form_layout.setContentsMargins(0, 0, 0, 0)

        # The inputs for each way, one page each.
        self.pages = QStackedWidget()
        hand = QWidget()
        hand_row = QHBoxLayout(hand)
        hand_row.setContentsMargins(0, 0, 0, 0)
        self.due_on = date_edit(self.today)
        due_caption = QLabel(translate("casework.dialogs", "Due on"))
        due_caption.setBuddy(self.due_on)  # a sibling: a screen reader names the field by it
        hand_row.addWidget(due_caption)
        hand_row.addWidget(self.due_on)
        hand_row.addStretch(1)
        self.pages.addWidget(hand)

        tribunal = QWidget()
        grid = _Rows(tribunal)
        self.claim_kind = QComboBox()
        for rule in rules.claim_kinds:
            self.claim_kind.addItem(rule.label, rule.kind)
        self.act_date = date_edit(self.today)
        self.day_a_known = QCheckBox(translate("casework.dialogs", "ACAS Day A"))
        self.day_a = date_edit(self.today)
        self.day_a.setAccessibleName(translate("casework.dialogs", "ACAS Day A date"))
        self.day_b_known = QCheckBox(translate("casework.dialogs", "Day B"))
        self.day_b = date_edit(self.today)
        self.day_b.setAccessibleName(translate("casework.dialogs", "Day B date"))
        self.starts_from = QLabel()
        self.starts_from.setObjectName("tabSubheading")
        grid.add(translate("casework.dialogs", "Claim"), self.claim_kind)
        self.starts_from.setWordWrap(True)
        self.claim_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.claim_kind.setMinimumContentsLength(36)
        grid.add(translate("casework.dialogs", "Start date"), self.act_date)
        grid.layout.addRow("", self.starts_from)
        grid.add(
            translate("casework.dialogs", "Early conciliation"),
            self.day_a_known,
            self.day_a,
            self.day_b_known,
            self.day_b,
        )
        self.pages.addWidget(tribunal)

        appeal = QWidget()
        appeal_rows = _Rows(appeal)
        self.letter_date = date_edit(self.today)
        employer = QLabel(case.employer or translate("casework.dialogs", "no employer recorded"))
        appeal_rows.add(translate("casework.dialogs", "Outcome letter dated"), self.letter_date)
        appeal_rows.add(translate("casework.dialogs", "Employer"), employer)
        self.pages.addWidget(appeal)
        self.layout_.addWidget(self.pages)

        self.due_label = QLabel()
        self.due_label.setObjectName("computedDue")
        self.due_label.setStyleSheet("font-weight: 600;")
        self.due_label.setWordWrap(True)
        self.steps_label = QLabel()
        self.steps_label.setObjectName("computedSteps")
        self.steps_label.setWordWrap(True)
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.warnings_label = warning_label()
        self.layout_.addWidget(self.due_label)
        self.layout_.addWidget(self.steps_label)
        self.layout_.addWidget(self.warnings_label)
        self.finish_layout()
        self.setMinimumWidth(680)

        self.mode.idToggled.connect(lambda _id, on: on and self._recompute())
        for edit in (self.due_on, self.act_date, self.day_a, self.day_b, self.letter_date):
            edit.dateChanged.connect(lambda _d: self._recompute())
        for box in (self.day_a_known, self.day_b_known):
            box.toggled.connect(lambda _c: self._recompute())
        self.claim_kind.currentIndexChanged.connect(lambda _i: self._recompute())
        self._recompute()

    def _recompute(self) -> None:
        mode = self.mode.checkedId()
        self.pages.setCurrentIndex(mode)
        self.day_a.setEnabled(self.day_a_known.isChecked())
        self.day_b_known.setEnabled(self.day_a_known.isChecked())
        self.day_b.setEnabled(self.day_a_known.isChecked() and self.day_b_known.isChecked())
        self.computed = None
        problem = ""
        try:
            if mode == TRIBUNAL:
                kind = self.claim_kind.currentData()
                self.starts_from.setText(self.rules.claim_kind(kind).starts_from)
                day_a = date_of(self.day_a) if self.day_a_known.isChecked() else None
                day_b = date_of(self.day_b) if day_a and self.day_b_known.isChecked() else None
                self.computed = tribunal_deadline(
                    self.rules, kind, date_of(self.act_date), day_a, day_b
                )
            elif mode == APPEAL:
                self.computed = appeal_deadline(
                    self.rules, self.case.employer or None, date_of(self.letter_date)
                )
        except ValueError as exc:
            problem = str(exc)
        due = self.due()
        if problem:
            self.due_label.setText("")
            self.steps_label.setText("")
            self.warnings_label.setText(
                translate("casework.dialogs", "Cannot work out the date: {problem}.").format(
                    problem=problem
                )
            )
            self.warnings_label.show()
        else:
            if due is not None:
                late = due < self.today
                self.due_label.setStyleSheet(
                    f"font-weight: 600; color: {style.ERROR if late else style.TEXT};"
                )
                self.due_label.setText(
                    translate("casework.dialogs", "Due {date} ({remaining})").format(
                        date=format_date(due), remaining=describe_remaining(due, self.today)
                    )
                )
            steps = self.computed.steps if self.computed else ()
            self.steps_label.setText(
                "<b>"
                + _escape(translate("casework.dialogs", "How it was worked out"))
                + "</b><ol style='margin-left: -20px'>"
                + "".join(f"<li>{_escape(s)}</li>" for s in steps)
                + "</ol>"
                if steps
                else ""
            )
            warnings = self.computed.warnings if self.computed else ()
            self.warnings_label.setText("\n\n".join(warnings))
            self.warnings_label.setVisible(bool(warnings))
        self.steps_label.setVisible(bool(self.steps_label.text()))
        self.save_button.setEnabled(due is not None and not problem)
        if self.computed is not None and self.title.text() in ("", self._auto_title):
            self._auto_title = self.computed.label
            self.title.setText(self._auto_title)
            self.title.setCursorPosition(0)
        self.adjustSize()

    def due(self) -> date | None:
        if self.mode.checkedId() == BY_HAND:
            return date_of(self.due_on)
        return self.computed.due if self.computed else None

    def write(self) -> None:
        due = self.due()
        if due is None:
            raise ValidationError(
                {"title": translate("casework.dialogs", "The date could not be worked out.")}
            )
        rule, working = "", ""
        if self.mode.checkedId() != BY_HAND and self.computed is not None:
            rule = self.computed.rule
            working = "\n".join(
                [*self.computed.steps, *(f"Warning: {w}" for w in self.computed.warnings)]
            )
        add_deadline(self.ctx.db, self.case.id, self.title.text(), due, rule, working)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


class _Rows:
    """Label + widgets rows inside a page, without error labels (nothing there can be wrong)."""

    def __init__(self, parent: QWidget) -> None:
        from PySide6.QtWidgets import QFormLayout

        self.layout = QFormLayout(parent)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def add(self, label: str, *widgets: QWidget) -> None:
        caption = QLabel(label)
        # The row's first field is named by the caption (a screen reader cannot find it there).
        first = widgets[0] if widgets else None
        named = first is None or isinstance(first, (QLabel, QCheckBox)) or first.accessibleName()
        if not named:
            first.setAccessibleName(label)  # type: ignore[union-attr]
        caption.setMinimumWidth(130)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            line.addWidget(widget)
        line.addStretch(1)
        self.layout.addRow(caption, row)
