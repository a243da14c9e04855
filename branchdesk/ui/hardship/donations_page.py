"""Donations into the fund: the list (searched and sorted in SQL) with its total, and the
form to record one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTableView, QVBoxLayout, QWidget

from branchdesk.exports.text import plural
from branchdesk.hardship.codes import DONATION_METHODS, DONOR_KINDS
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.listing import DonationListing
from branchdesk.members.service import ValidationError
from branchdesk.ui.casework.common import date_of
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import combo, line
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.hardship.data import (
    DonationTotals,
    FundSummary,
    HardshipTableModel,
    donation_totals,
)
from branchdesk.ui.hardship.widgets import (
    FormDialog,
    button,
    day_edit,
    empty_note,
    money_line,
    row,
    run_dialog,
    set_widths,
    typed_money,
)
from branchdesk.ui.list_view import list_view
from branchdesk.ui.table_model import read_error_text


class DonationDialog(FormDialog):
    what = "donation"

    def __init__(self, ctx: AppContext, fund_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record donation", parent)
        self.fund_id = fund_id
        self.donation_id: int | None = None
        self.received = day_edit(date.today())
        self.kind_box = combo(DONOR_KINDS, "branch")
        self.name_edit = line("", "e.g. Eastvale UNISON branch")
        self.amount_edit = money_line("", "e.g. 250.00")
        self.method_box = combo(DONATION_METHODS, "bank_transfer")
        self.reference_edit = line("", "as on the bank statement")
        self.restriction_edit = line("", "only if the donor limited its use")
        self.add_field("received_on", "Received", self.received)
        self.add_field("donor_kind", "Donor", self.kind_box)
        self.add_field("donor_name", "Donor's name", self.name_edit)
        self.add_field("amount", "Amount (£)", self.amount_edit)
        self.add_field("method", "How it came in", self.method_box)
        self.add_field("bank_reference", "Bank reference", self.reference_edit)
        self.add_field("restriction", "Restriction", self.restriction_edit)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.finish_layout()

    def _kind_changed(self) -> None:
        anonymous = self.kind_box.currentData() == "anonymous"
        self.name_edit.setEnabled(not anonymous)
        self._clear_error("donor_name")

    def form(self) -> DonationForm:
        errors: dict[str, str] = {}
        amount = typed_money(self.amount_edit, "amount", errors, "Give the amount.")
        if errors:
            raise ValidationError(errors)
        return DonationForm(
            received_on=date_of(self.received),
            donor_kind=str(self.kind_box.currentData()),
            donor_name=self.name_edit.text(),
            amount=amount,
            method=str(self.method_box.currentData()),
            bank_reference=self.reference_edit.text(),
            restriction=self.restriction_edit.text(),
        )

    def write(self) -> None:
        self.donation_id = record_donation(self.ctx.db, self.fund_id, self.form())


WIDTHS = {
    "received_on": 10,
    "donor": 26,
    "donor_kind": 18,
    "method": 14,
    "bank_reference": 16,
    "restriction": 16,
    "amount": 10,
    "reversed": 8,
}


class DonationsPage(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fund_id: int | None = None
        self.totals: DonationTotals | None = None
        self._generation = 0
        self.model = HardshipTableModel(DonationListing(ctx.db, 0), self, runner=self._run_quietly)
        self.filter_bar = FilterBar(placeholder="Search donor, reference or restriction")
        self.filter_bar.edit.setMinimumWidth(260)
        self.filter_bar.search_changed.connect(self.model.set_search)
        self.record_button = button(
            "Record donation…", "recordDonation", "Money given to the fund", primary=True
        )
        self.record_button.clicked.connect(lambda _c=False: self.record_donation())
        self.total_label = QLabel()
        self.total_label.setObjectName("countLabel")
        self.table = QTableView()
        self.table.setObjectName("donationsTable")
        self.table.setModel(self.model)
        list_view(self.table)
        set_widths(self.table, WIDTHS, self.model.columns, stretch="donor")
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.model.ids_loaded.connect(self._loaded)
        self.empty = empty_note(
            "No donations recorded yet.\n\nRecord each donation as it comes in with "
            "Record donation…: it goes into the ledger at once. A refund is a reversal, "
            "made on the Ledger page."
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(row(self.filter_bar, None, self.total_label, 8, self.record_button))
        layout.addWidget(self.stack, 1)

    def _run_quietly(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.ctx.worker.run(fn, on_done=on_done, on_error=on_error, quiet=True)

    def set_fund(self, summary: FundSummary | None) -> None:
        self.fund_id = summary.id if summary else None
        self.record_button.setEnabled(summary is not None)

    def refresh(self) -> None:
        self.model.set_listing(DonationListing(self.ctx.db, self.fund_id or 0))
        if self.fund_id is None:
            return
        self._generation += 1
        generation, db, fund_id = self._generation, self.ctx.db, self.fund_id

        def done(totals: DonationTotals) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.totals = totals
                self._loaded()

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.total_label.setText(f"The donations could not be read: {read_error_text(exc)}")

        self.ctx.worker.run(
            lambda: donation_totals(db, fund_id), on_done=done, on_error=failed, quiet=True
        )

    def _loaded(self) -> None:
        totals = self.totals
        empty = self.model.rowCount() == 0 and not self.model.search
        self.stack.setCurrentIndex(0 if empty else 1)
        if totals is None or (totals.count == 0 and totals.reversed == 0):
            self.total_label.setText("")
            return
        text = f"{plural(totals.count, 'donation')}, {totals.total} in all"
        if totals.reversed:
            text += f" (and {totals.reversed:,} reversed)"
        if self.model.search:
            text = f"{plural(self.model.rowCount(), 'found', 'found')} · " + text
        self.total_label.setText(text)

    def record_donation(self) -> None:
        if self.fund_id is None:
            return
        dialog = DonationDialog(self.ctx, self.fund_id, parent=self)
        if run_dialog(self.ctx, dialog):
            self.changed.emit()
