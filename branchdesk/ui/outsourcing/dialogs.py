"""The Outsourcing watch forms: a contract (new or edited) and an event on a contract.

Both are `CaseDialog`s: problems show in red beside the field they concern. A contract changed
by someone else (or by an import) since it was opened is not saved: the dialog says so and
closes with `stale` set, so the tab reads the contract again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from branchdesk.members.service import ValidationError
from branchdesk.money import Money, MoneyError
from branchdesk.outsourcing.codes import EVENT_KINDS, STATUSES
from branchdesk.outsourcing.service import (
    ContractForm,
    add_event,
    create_contract,
    set_contract_members,
    update_contract,
)
from branchdesk.ui.accessible_names import name_fields_from_labels
from branchdesk.ui.casework.common import CaseDialog, date_edit, date_of
from branchdesk.ui.casework.dialogs import SEPARATOR, MemberSearch, ReturnCatcher, member_name
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import OptionalDate, combo, line, text_box
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.outsourcing.code_words import words
from branchdesk.ui.outsourcing.data import ContractDetail

UNION_WORDS = {
    "unknown": QT_TRANSLATE_NOOP("outsourcing.dialogs", "Not known"),
    "yes": QT_TRANSLATE_NOOP("outsourcing.dialogs", "Yes"),
    "no": QT_TRANSLATE_NOOP("outsourcing.dialogs", "No"),
}


def union_word(code: str) -> str:
    """'Not known', 'Yes' or 'No' in the user's language."""
    return translate("outsourcing.dialogs", UNION_WORDS[code])


def _union_code(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


class ContractDialog(CaseDialog):
    """New contract, or a contract's details edited (with the version it was read at)."""

    what = "contract"

    def __init__(
        self,
        ctx: AppContext,
        contract: ContractDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            translate("outsourcing.dialogs", "Edit contract")
            if contract
            else translate("outsourcing.dialogs", "New contract"),
            parent,
        )
        self.contract = contract
        self.contract_id: int | None = contract.id if contract else None
        c = contract
        self.service_edit = line(
            c.service if c else "",
            translate("outsourcing.dialogs", "as staff know it, e.g. School meals"),
        )
        self.authority_edit = line(
            c.authority if c else "", translate("outsourcing.dialogs", "the council or body")
        )
        self.contractors_box = text_box("\n".join(c.contractors) if c else "", 56)
        self.contractors_box.setPlaceholderText(
            translate("outsourcing.dialogs", "One contractor a line")
        )
        self.title_edit = line(
            c.title if c else "", translate("outsourcing.dialogs", "the contract's published title")
        )
        self.status_box = combo(words(STATUSES), c.status if c else "outsourced")
        self.value_edit = line(
            _money(c.value) if c else "", translate("outsourcing.dialogs", "total, e.g. 1,250,000")
        )
        self.annual_edit = line(
            _money(c.annual_value) if c else "",
            translate("outsourcing.dialogs", "a year, if known"),
        )
        known = translate("outsourcing.dialogs", "Known")
        self.start = OptionalDate(c.start_on if c else None, known)
        self.end = OptionalDate(c.end_on if c else None, known)
        self.max_end = OptionalDate(c.max_end_on if c else None, known)
        self.break_date = OptionalDate(c.break_on if c else None, known)
        tupe = "" if c is None or c.tupe_staff is None else str(c.tupe_staff)
        self.tupe_edit = line(tupe, translate("outsourcing.dialogs", "how many staff transferred"))
        self.transfer = OptionalDate(c.transfer_on if c else None, known)
        self.union_box = combo(
            {code: union_word(code) for code in UNION_WORDS},
            _union_code(c.recognises_union if c else None),
        )
        self.pay_box = text_box(c.pay_notes if c else "", 56)
        self.notes_box = text_box(c.notes if c else "", 56)
        self.add_field("service", translate("outsourcing.dialogs", "Service"), self.service_edit)
        self.add_field(
            "authority", translate("outsourcing.dialogs", "Authority"), self.authority_edit
        )
        self.add_field(
            "contractors", translate("outsourcing.dialogs", "Contractors"), self.contractors_box
        )
        self.add_field("title", translate("outsourcing.dialogs", "Contract title"), self.title_edit)
        self.add_field("status", translate("outsourcing.dialogs", "Status"), self.status_box)
        self.add_field("value", translate("outsourcing.dialogs", "Value (£)"), self.value_edit)
        self.add_field(
            "annual_value", translate("outsourcing.dialogs", "Value a year (£)"), self.annual_edit
        )
        dates = (
            ("start_on", translate("outsourcing.dialogs", "Starts"), self.start),
            ("end_on", translate("outsourcing.dialogs", "Ends"), self.end),
            ("max_end_on", translate("outsourcing.dialogs", "Ends with extensions"), self.max_end),
            ("break_on", translate("outsourcing.dialogs", "Break date"), self.break_date),
        )
        for name, label, optional in dates:
            self.add_field(name, label, optional.edit, optional)
        self.add_field(
            "tupe_staff",
            translate("outsourcing.dialogs", "Staff transferred (TUPE)"),
            self.tupe_edit,
        )
        self.add_field(
            "transfer_on",
            translate("outsourcing.dialogs", "Transfer date"),
            self.transfer.edit,
            self.transfer,
        )
        self.add_field(
            "recognises_union",
            translate("outsourcing.dialogs", "Recognises the union"),
            self.union_box,
        )
        self.add_field(
            "pay_notes", translate("outsourcing.dialogs", "Pay and conditions"), self.pay_box
        )
        self.add_field("notes", translate("outsourcing.dialogs", "Notes"), self.notes_box)
        # Each date's "Known" box would read only "Known": say which date it is about.
        for label, optional in (
            *((label, optional) for _name, label, optional in dates),
            (translate("outsourcing.dialogs", "Transfer date"), self.transfer),
        ):
            optional.check.setAccessibleName(
                translate("outsourcing.dialogs", "{date} known").format(date=label)
            )
        self.finish_layout()
        name_fields_from_labels(self)
        self.setMinimumWidth(560)

    def form(self) -> ContractForm:
        """The form as typed; ValidationError for what cannot even be read (a bad amount)."""
        errors: dict[str, str] = {}
        values: dict[str, Money | None] = {}
        for name, edit in (("value", self.value_edit), ("annual_value", self.annual_edit)):
            text = edit.text().strip()
            values[name] = None
            if text:
                try:
                    values[name] = Money.parse(text)
                except MoneyError as exc:
                    message = str(exc)
                    errors[name] = message[:1].upper() + message[1:].rstrip(".") + "."
        tupe_text = self.tupe_edit.text().strip().replace(",", "")
        tupe: int | None = None
        if tupe_text:
            if tupe_text.isdigit():
                tupe = int(tupe_text)
            else:
                errors["tupe_staff"] = translate(
                    "outsourcing.dialogs", "A whole number of staff, for example 45."
                )
        if errors:
            raise ValidationError(errors)
        union = self.union_box.currentData()
        return ContractForm(
            service=self.service_edit.text(),
            authority=self.authority_edit.text(),
            contractors=self.contractors_box.toPlainText().splitlines(),
            title=self.title_edit.text(),
            status=str(self.status_box.currentData()),
            value=values["value"],
            annual_value=values["annual_value"],
            start_on=self.start.value(),
            end_on=self.end.value(),
            max_end_on=self.max_end.value(),
            break_on=self.break_date.value(),
            tupe_staff=tupe,
            transfer_on=self.transfer.value(),
            recognises_union=None if union == "unknown" else union == "yes",
            pay_notes=self.pay_box.toPlainText(),
            notes=self.notes_box.toPlainText(),
            version=self.contract.version if self.contract else None,
        )

    def write(self) -> None:
        form = self.form()
        if self.contract is None:
            self.contract_id = create_contract(self.ctx.db, form)
        else:
            update_contract(self.ctx.db, self.contract.id, form)


def _money(value: Money | None) -> str:
    return "" if value is None else value.format(symbol=False)


class EventDialog(CaseDialog):
    """Something that happened on a contract: a failure, a notice, a council decision."""

    what = "contract"

    def __init__(
        self, ctx: AppContext, contract_id: int, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, translate("outsourcing.dialogs", "Add event"), parent)
        self.contract_id = contract_id
        self.date_edit = date_edit(today)
        self.kind_box: QComboBox = combo(words(EVENT_KINDS), "performance_failure")
        self.title_edit = line("", translate("outsourcing.dialogs", "what happened, in a line"))
        self.detail_box = text_box("", 90)
        self.add_field("happened_on", translate("outsourcing.dialogs", "Date"), self.date_edit)
        self.add_field("kind", translate("outsourcing.dialogs", "Kind"), self.kind_box)
        self.add_field("title", translate("outsourcing.dialogs", "What happened"), self.title_edit)
        self.add_field("detail", translate("outsourcing.dialogs", "Detail"), self.detail_box)
        self.finish_layout()
        name_fields_from_labels(self)

    def write(self) -> None:
        add_event(
            self.ctx.db,
            self.contract_id,
            date_of(self.date_edit),
            str(self.kind_box.currentData()),
            self.title_edit.text(),
            self.detail_box.toPlainText(),
        )


class ContractMembersDialog(CaseDialog):
    """The members a contract affects: a list, a member search with Add, and Remove.

    Saved as a whole through `set_contract_members` with the version the contract was read at.
    """

    what = "contract"

    def __init__(
        self, ctx: AppContext, contract: ContractDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, translate("outsourcing.dialogs", "Members affected"), parent)
        self.contract = contract
        self.member_edit = QLineEdit()
        self.member_edit.setObjectName("memberNumber")
        self.member_edit.setPlaceholderText(
            translate("outsourcing.dialogs", "Membership number, or type a name to search")
        )
        # The form's label names the list; the search box beside it needs its own name.
        self.member_edit.setAccessibleName(translate("outsourcing.dialogs", "Find a member to add"))
        self.search = MemberSearch(ctx, self.member_edit, self)
        self.add_button = QPushButton(translate("outsourcing.dialogs", "Add"))
        self.add_button.setToolTip(
            translate("outsourcing.dialogs", "Add the member typed to the list")
        )
        self.add_button.setObjectName("addMember")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda _c=False: self.add_member())
        ReturnCatcher(self.member_edit, self.add_member)
        self.member_list = QListWidget()
        self.member_list.setObjectName("contractMembersList")
        self.member_list.setAccessibleName(translate("outsourcing.dialogs", "Members affected"))
        self.member_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.member_list.setMinimumHeight(self.fontMetrics().height() * 8 + 16)
        self.remove_button = QPushButton(translate("outsourcing.dialogs", "Remove"))
        self.remove_button.setToolTip(
            translate("outsourcing.dialogs", "Take the selected members off the list")
        )
        self.remove_button.setObjectName("removeMember")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(lambda _c=False: self.remove_member())
        self.member_list.itemSelectionChanged.connect(self._update_buttons)
        for _id, number, name in contract.members:
            self._add_item(number, name)
        self.count_label = QLabel()
        self.count_label.setObjectName("tabSubheading")
        cell = QWidget()
        grid = QGridLayout(cell)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.member_edit, 0, 0)
        grid.addWidget(self.add_button, 0, 1)
        grid.addWidget(self.member_list, 1, 0)
        grid.addWidget(self.remove_button, 1, 1, alignment=Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.count_label, 2, 0)
        self.add_field(
            "members", translate("outsourcing.dialogs", "Members"), self.member_list, cell
        )
        self.finish_layout()
        name_fields_from_labels(self)
        self._update_buttons()

    def numbers(self) -> list[str]:
        return [
            str(self.member_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.member_list.count())
        ]

    def _add_item(self, number: str, name: str) -> None:
        item = QListWidgetItem(f"{number}{SEPARATOR}{name}")
        item.setData(Qt.ItemDataRole.UserRole, number)
        self.member_list.addItem(item)

    def add_member(self, number: str | None = None) -> bool:
        """Add the member typed (or `number`); a problem shows under the list."""
        number = (number if number is not None else self.search.number()).strip()
        if not number:
            return False
        name = member_name(self.ctx.db, number)
        problem = ""
        if name is None:
            problem = translate(
                "outsourcing.dialogs", "No member has the membership number {number}."
            ).format(number=number)
        elif number in self.numbers():
            problem = translate("outsourcing.dialogs", "{name} is listed already.").format(
                name=name
            )
        if problem:
            self.show_errors({"members": problem})
            self.member_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self._add_item(number, name or "")
        self.member_edit.clear()
        self._clear_error("members")
        self._update_buttons()
        return True

    def remove_member(self, number: str | None = None) -> None:
        """Take the selected members (or `number`) off the list."""
        rows = [
            i
            for i in range(self.member_list.count())
            if (
                self.member_list.item(i).data(Qt.ItemDataRole.UserRole) == number
                if number is not None
                else self.member_list.item(i).isSelected()
            )
        ]
        for row in reversed(rows):
            self.member_list.takeItem(row)
        self._clear_error("members")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.member_list.selectedItems()))
        count = self.member_list.count()
        self.count_label.setText(
            translate("outsourcing.dialogs", "1 member")
            if count == 1
            else translate("outsourcing.dialogs", "{n} members").format(n=f"{count:,}")
        )

    def write(self) -> None:
        set_contract_members(self.ctx.db, self.contract.id, self.numbers(), self.contract.version)
