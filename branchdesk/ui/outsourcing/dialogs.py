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
from branchdesk.ui.casework.common import CaseDialog, date_edit, date_of
from branchdesk.ui.casework.dialogs import SEPARATOR, MemberSearch, ReturnCatcher, member_name
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import OptionalDate, combo, line, text_box
from branchdesk.ui.outsourcing.data import ContractDetail

UNION_WORDS = {"unknown": "Not known", "yes": "Yes", "no": "No"}


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
        super().__init__(ctx, "Edit contract" if contract else "New contract", parent)
        self.contract = contract
        self.contract_id: int | None = contract.id if contract else None
        c = contract
        self.service_edit = line(c.service if c else "", "as staff know it, e.g. School meals")
        self.authority_edit = line(c.authority if c else "", "the council or body")
        self.contractors_box = text_box("\n".join(c.contractors) if c else "", 56)
        self.contractors_box.setPlaceholderText("One contractor a line")
        self.title_edit = line(c.title if c else "", "the contract's published title")
        self.status_box = combo(STATUSES, c.status if c else "outsourced")
        self.value_edit = line(_money(c.value) if c else "", "total, e.g. 1,250,000")
        self.annual_edit = line(_money(c.annual_value) if c else "", "a year, if known")
        self.start = OptionalDate(c.start_on if c else None, "Known")
        self.end = OptionalDate(c.end_on if c else None, "Known")
        self.max_end = OptionalDate(c.max_end_on if c else None, "Known")
        self.break_date = OptionalDate(c.break_on if c else None, "Known")
        tupe = "" if c is None or c.tupe_staff is None else str(c.tupe_staff)
        self.tupe_edit = line(tupe, "how many staff transferred")
        self.transfer = OptionalDate(c.transfer_on if c else None, "Known")
        self.union_box = combo(UNION_WORDS, _union_code(c.recognises_union if c else None))
        self.pay_box = text_box(c.pay_notes if c else "", 56)
        self.notes_box = text_box(c.notes if c else "", 56)
        self.add_field("service", "Service", self.service_edit)
        self.add_field("authority", "Authority", self.authority_edit)
        self.add_field("contractors", "Contractors", self.contractors_box)
        self.add_field("title", "Contract title", self.title_edit)
        self.add_field("status", "Status", self.status_box)
        self.add_field("value", "Value (£)", self.value_edit)
        self.add_field("annual_value", "Value a year (£)", self.annual_edit)
        self.add_field("start_on", "Starts", self.start.edit, self.start)
        self.add_field("end_on", "Ends", self.end.edit, self.end)
        self.add_field("max_end_on", "Ends with extensions", self.max_end.edit, self.max_end)
        self.add_field("break_on", "Break date", self.break_date.edit, self.break_date)
        self.add_field("tupe_staff", "Staff transferred (TUPE)", self.tupe_edit)
        self.add_field("transfer_on", "Transfer date", self.transfer.edit, self.transfer)
        self.add_field("recognises_union", "Recognises the union", self.union_box)
        self.add_field("pay_notes", "Pay and conditions", self.pay_box)
        self.add_field("notes", "Notes", self.notes_box)
        self.finish_layout()
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
                errors["tupe_staff"] = "A whole number of staff, for example 45."
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
        super().__init__(ctx, "Add event", parent)
        self.contract_id = contract_id
        self.date_edit = date_edit(today)
        self.kind_box: QComboBox = combo(EVENT_KINDS, "performance_failure")
        self.title_edit = line("", "what happened, in a line")
        self.detail_box = text_box("", 90)
        self.add_field("happened_on", "Date", self.date_edit)
        self.add_field("kind", "Kind", self.kind_box)
        self.add_field("title", "What happened", self.title_edit)
        self.add_field("detail", "Detail", self.detail_box)
        self.finish_layout()

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
        super().__init__(ctx, "Members affected", parent)
        self.contract = contract
        self.member_edit = QLineEdit()
        self.member_edit.setObjectName("memberNumber")
        self.member_edit.setPlaceholderText("Membership number, or type a name to search")
        self.search = MemberSearch(ctx, self.member_edit, self)
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("addMember")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda _c=False: self.add_member())
        ReturnCatcher(self.member_edit, self.add_member)
        self.member_list = QListWidget()
        self.member_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.member_list.setMinimumHeight(self.fontMetrics().height() * 8 + 16)
        self.remove_button = QPushButton("Remove")
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
        self.add_field("members", "Members", self.member_list, cell)
        self.finish_layout()
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
            problem = f"No member has the membership number {number}."
        elif number in self.numbers():
            problem = f"{name} is listed already."
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
        self.count_label.setText(f"{count:,} member{'' if count == 1 else 's'}")

    def write(self) -> None:
        set_contract_members(self.ctx.db, self.contract.id, self.numbers(), self.contract.version)
