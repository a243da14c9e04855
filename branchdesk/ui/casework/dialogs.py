"""The casework dialogs: open a case, add a timeline entry, move, close or reopen a case, and
add a deadline (by hand or computed by the deadline rules, with the working shown first)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStackedWidget,
    QWidget,
)
from sqlalchemy import and_, select

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
from branchdesk.casework.queries import CaseDetail
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    close_case,
    move_stage,
    open_case,
    reopen_case,
)
from branchdesk.members.models import Member
from branchdesk.members.service import ValidationError
from branchdesk.store.database import Database
from branchdesk.ui import style
from branchdesk.ui.casework.common import CaseDialog, date_edit, date_of, warning_label
from branchdesk.ui.context import AppContext

SEPARATOR = " — "


def find_members(db: Database, text: str, limit: int = 20) -> list[str]:
    """'M001 — Ada Lovelace' for members whose number or name has every word typed."""
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


class OpenCaseDialog(CaseDialog):
    """Open a case for a member. Eligibility is checked by the service and only warned about."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Open case", parent)
        self.reference: str | None = None
        officer = ctx.preferences.officer_name
        self.member = QLineEdit()
        self.member.setPlaceholderText("Membership number, or type a name to search")
        self._matches = QStringListModel(self)
        self.completer = QCompleter(self._matches, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.member.setCompleter(self.completer)
        self.member_found = QLabel()
        self.member_found.setObjectName("tabSubheading")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self._search_members)
        self.member.textEdited.connect(lambda _t: self._search_timer.start())
        self.member.textChanged.connect(self._show_member)
        member_cell = QWidget()
        member_column = QHBoxLayout(member_cell)
        member_column.setContentsMargins(0, 0, 0, 0)
        member_column.addWidget(self.member, 1)
        member_column.addWidget(self.member_found)

        self.case_type = _combo(CASE_TYPES, "Choose…")
        self.sub_type = QLineEdit()
        self.sub_type.setPlaceholderText("For example: gross misconduct, flexible working")
        self.title = QLineEdit()
        self.title.setPlaceholderText("A few words a rep will recognise")
        self.rep = QLineEdit(officer)
        self.second_rep = QLineEdit()
        self.opened_on = date_edit(date.today())
        self.arose_known = QCheckBox("Known:")
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
        self.companion_name.setPlaceholderText("Their name, if known")

        self.add_field("membership_number", "Member *", self.member, member_cell)
        self.add_field("case_type", "Type *", self.case_type)
        self.add_field("sub_type", "Sub-type", self.sub_type)
        self.add_field("title", "Title", self.title)
        self.add_field("rep", "Rep", self.rep)
        self.add_field("second_rep", "Second rep", self.second_rep)
        self.add_field("opened_on", "Opened on *", self.opened_on)
        self.add_field("problem_arose_on", "Problem arose on", self.problem_arose_on, arose)
        self.add_field("companion", "Companion", self.companion)
        self.add_field("companion_name", "Companion's name", self.companion_name)
        note = QLabel(
            "Whether the member can be helped (membership, subs, when the problem arose) is "
            "checked when the case is opened: you will be warned, never stopped."
        )
        note.setObjectName("tabSubheading")
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.finish_layout()
        self.setMinimumWidth(620)

    def _search_members(self) -> None:
        text = self.member.text()
        if SEPARATOR in text:
            return
        self._matches.setStringList(find_members(self.ctx.db, text))
        if self.member.hasFocus() and self._matches.rowCount():
            self.completer.complete()

    def number(self) -> str:
        return self.member.text().split(SEPARATOR)[0].strip()

    def _show_member(self, _text: str = "") -> None:
        number = self.number()
        name = member_name(self.ctx.db, number) if number else None
        self.member_found.setText(name or "")

    def form(self) -> CaseForm:
        return CaseForm(
            membership_number=self.number(),
            case_type=self.case_type.currentData() or "",
            sub_type=self.sub_type.text(),
            title=self.title.text(),
            rep=self.rep.text(),
            second_rep=self.second_rep.text(),
            opened_on=date_of(self.opened_on),
            problem_arose_on=date_of(self.problem_arose_on)
            if self.arose_known.isChecked()
            else None,
            companion=self.companion.currentData() or "",
            companion_name=self.companion_name.text(),
        )

    def write(self) -> None:
        self.reference = open_case(self.ctx.db, self.form())


class EntryDialog(CaseDialog):
    def __init__(self, ctx: AppContext, case: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Add to the timeline — {case.reference}", parent)
        self.case = case
        self.entry_id: int | None = None
        self.happened_on = date_edit(date.today())
        self.kind = _combo(ENTRY_KINDS)
        self.title = QLineEdit()
        self.title.setMaxLength(300)
        self.body = _text_box(6)
        self.confidential = QCheckBox("Confidential (left out of hand-over summaries)")
        self.add_field("happened_on", "Date", self.happened_on)
        self.add_field("kind", "Kind", self.kind)
        self.add_field("title", "Title", self.title)
        self.add_field("body", "Text", self.body)
        self.add_field("confidential", "", self.confidential)
        self.finish_layout()

    def write(self) -> None:
        entry = EntryForm(
            happened_on=date_of(self.happened_on),
            kind=self.kind.currentData() or "",
            title=self.title.text(),
            body=self.body.toPlainText(),
            confidential=self.confidential.isChecked(),
        )
        self.entry_id = add_entry(self.ctx.db, self.case.id, entry)


class MoveStageDialog(CaseDialog):
    """Move an open case to another stage, or (reopen=True) bring a closed one back."""

    def __init__(
        self, ctx: AppContext, case: CaseDetail, reopen: bool = False, parent: QWidget | None = None
    ) -> None:
        verb = "Reopen" if reopen else "Move stage"
        super().__init__(ctx, f"{verb} — {case.reference}", parent)
        self.case = case
        self.reopen = reopen
        stages = {k: v for k, v in STAGES.items() if k != Stage.CLOSED and k != case.status}
        self.to_stage = _combo(stages)
        self.changed_on = date_edit(date.today())
        self.note = _text_box(3)
        current = QLabel(STAGES.get(case.status, case.status))
        self.form_layout.addRow("Now at", current)
        self.add_field("to_stage", "Move to" if not reopen else "Back to", self.to_stage)
        self.add_field("changed_on", "On", self.changed_on)
        self.add_field("note", "Note", self.note)
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
        super().__init__(ctx, f"Close case — {case.reference}", parent)
        self.case = case
        self.outcome = _combo(OUTCOMES, "Choose…")
        self.remedy = _text_box(3)
        self.remedy.setPlaceholderText("What the member got: reinstated, paid, warning removed…")
        self.changed_on = date_edit(date.today())
        self.note = _text_box(2)
        self.add_field("outcome", "Outcome *", self.outcome)
        self.add_field("remedy", "Remedy", self.remedy)
        self.add_field("changed_on", "Closed on", self.changed_on)
        self.add_field("note", "Note", self.note)
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
        super().__init__(ctx, f"Add deadline — {case.reference}", parent)
        self.case = case
        self.rules = rules
        self.computed: Computed | None = None
        self._auto_title = ""
        self.today = date.today()

        self.by_hand = QRadioButton("By hand")
        self.tribunal = QRadioButton("Tribunal claim")
        self.appeal = QRadioButton("Internal appeal")
        self.mode = QButtonGroup(self)
        modes = QWidget()
        modes_row = QHBoxLayout(modes)
        modes_row.setContentsMargins(0, 0, 0, 0)
        for n, button in enumerate((self.by_hand, self.tribunal, self.appeal)):
            self.mode.addButton(button, n)
            modes_row.addWidget(button)
        modes_row.addStretch(1)
        self.by_hand.setChecked(True)
        self.form_layout.addRow("Work it out", modes)

        self.title = QLineEdit()
        self.title.setMaxLength(300)
        self.title.setPlaceholderText('For example "Appeal letter"')
        self.add_field("title", "Deadline *", self.title)
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
        hand_row.addWidget(QLabel("Due on"))
        hand_row.addWidget(self.due_on)
        hand_row.addStretch(1)
        self.pages.addWidget(hand)

        tribunal = QWidget()
        grid = _Rows(tribunal)
        self.claim_kind = QComboBox()
        for rule in rules.claim_kinds:
            self.claim_kind.addItem(rule.label, rule.kind)
        self.act_date = date_edit(self.today)
        self.day_a_known = QCheckBox("ACAS Day A")
        self.day_a = date_edit(self.today)
        self.day_b_known = QCheckBox("Day B")
        self.day_b = date_edit(self.today)
        self.starts_from = QLabel()
        self.starts_from.setObjectName("tabSubheading")
        grid.add("Claim", self.claim_kind)
        self.starts_from.setWordWrap(True)
        self.claim_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.claim_kind.setMinimumContentsLength(36)
        grid.add("Start date", self.act_date)
        grid.layout.addRow("", self.starts_from)
        grid.add("Early conciliation", self.day_a_known, self.day_a, self.day_b_known, self.day_b)
        self.pages.addWidget(tribunal)

        appeal = QWidget()
        appeal_rows = _Rows(appeal)
        self.letter_date = date_edit(self.today)
        employer = QLabel(case.employer or "no employer recorded")
        appeal_rows.add("Outcome letter dated", self.letter_date)
        appeal_rows.add("Employer", employer)
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
            self.warnings_label.setText(f"Cannot work out the date: {problem}.")
            self.warnings_label.show()
        else:
            if due is not None:
                late = due < self.today
                self.due_label.setStyleSheet(
                    f"font-weight: 600; color: {style.ERROR if late else style.TEXT};"
                )
                self.due_label.setText(
                    f"Due {format_date(due)} ({describe_remaining(due, self.today)})"
                )
            steps = self.computed.steps if self.computed else ()
            self.steps_label.setText(
                "<b>How it was worked out</b><ol style='margin-left: -20px'>"
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
            raise ValidationError({"title": "The date could not be worked out."})
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
        caption.setMinimumWidth(130)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            line.addWidget(widget)
        line.addStretch(1)
        self.layout.addRow(caption, row)
