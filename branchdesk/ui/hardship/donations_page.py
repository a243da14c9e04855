"""Donations into the fund: the list (searched and sorted in SQL) with its total, and the
form to record one. With none yet, the page says how to record the first, with a link to the
guide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from branchdesk.hardship.codes import DONATION_METHODS, DONOR_KINDS
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.listing import DonationListing
from branchdesk.members.service import ValidationError
from branchdesk.ui.casework.common import date_of
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import combo, line
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.hardship.data import (
    DonationTotals,
    FundSummary,
    HardshipTableModel,
    donation_totals,
)
from branchdesk.ui.hardship.widgets import (
    GUIDE_SECTION,
    FormDialog,
    button,
    day_edit,
    empty_stack,
    guide_link_text,
    money_line,
    row,
    run_dialog,
    set_widths,
    typed_money,
)
from branchdesk.ui.i18n import translate
from branchdesk.ui.list_view import list_view
from branchdesk.ui.table_model import read_error_text


class DonationDialog(FormDialog):
    what = "donation"

    def __init__(self, ctx: AppContext, fund_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, translate("hardship.donations_page", "Record donation"), parent)
        self.fund_id = fund_id
        self.donation_id: int | None = None
        self.received = day_edit(date.today())
        self.kind_box = combo(DONOR_KINDS, "branch")
        self.name_edit = line(
            "", translate("hardship.donations_page", "e.g. Eastvale UNISON branch")
        )
        self.amount_edit = money_line("", translate("hardship.donations_page", "e.g. 250.00"))
        self.method_box = combo(DONATION_METHODS, "bank_transfer")
        self.reference_edit = line(
            "", translate("hardship.donations_page", "as on the bank statement")
        )
        self.restriction_edit = line(
            "", translate("hardship.donations_page", "only if the donor limited its use")
        )
        self.add_field(
            "received_on", translate("hardship.donations_page", "Received"), self.received
        )
        self.add_field("donor_kind", translate("hardship.donations_page", "Donor"), self.kind_box)
        self.add_field(
            "donor_name", translate("hardship.donations_page", "Donor's name"), self.name_edit
        )
        self.add_field(
            "amount", translate("hardship.donations_page", "Amount (£)"), self.amount_edit
        )
        self.add_field(
            "method", translate("hardship.donations_page", "How it came in"), self.method_box
        )
        self.add_field(
            "bank_reference",
            translate("hardship.donations_page", "Bank reference"),
            self.reference_edit,
        )
        self.add_field(
            "restriction",
            translate("hardship.donations_page", "Restriction"),
            self.restriction_edit,
        )
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.finish_layout()

    def _kind_changed(self) -> None:
        anonymous = self.kind_box.currentData() == "anonymous"
        self.name_edit.setEnabled(not anonymous)
        self._clear_error("donor_name")

    def form(self) -> DonationForm:
        errors: dict[str, str] = {}
        amount = typed_money(
            self.amount_edit,
            "amount",
            errors,
            translate("hardship.donations_page", "Give the amount."),
        )
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
        self.filter_bar = FilterBar(
            placeholder=translate(
                "hardship.donations_page", "Search donor, reference or restriction"
            )
        )
        self.filter_bar.edit.setMinimumWidth(260)
        self.filter_bar.edit.setAccessibleName(
            translate("hardship.donations_page", "Search donations")
        )
        self.filter_bar.search_changed.connect(self.model.set_search)
        self.record_button = button(
            translate("hardship.donations_page", "Record donation…"),
            "recordDonation",
            translate("hardship.donations_page", "Money given to the fund"),
            primary=True,
        )
        self.record_button.clicked.connect(lambda _c=False: self.record_donation())
        self.total_label = QLabel()
        self.total_label.setObjectName("countLabel")
        self.table = QTableView()
        self.table.setObjectName("donationsTable")
        self.table.setAccessibleName(translate("hardship.donations_page", "Donations"))
        self.table.setModel(self.model)
        list_view(self.table)
        set_widths(self.table, WIDTHS, self.model.columns, stretch="donor")
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.model.ids_loaded.connect(self._loaded)
        self.empty = EmptyState("donationsEmpty")
        self.stack = empty_stack(self.empty, self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(row(self.filter_bar, None, self.total_label, 8, self.record_button))
        layout.addWidget(self.stack, 1)
        self._show_empty()

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
                text = translate(
                    "hardship.donations_page", "The donations could not be read: {why}"
                )
                self.total_label.setText(text.format(why=read_error_text(exc)))

        self.ctx.worker.run(
            lambda: donation_totals(db, fund_id), on_done=done, on_error=failed, quiet=True
        )

    def _loaded(self) -> None:
        totals = self.totals
        self._show_empty()
        if totals is None or (totals.count == 0 and totals.reversed == 0):
            self.total_label.setText("")
            return
        if totals.count == 1:
            text = translate("hardship.donations_page", "1 donation, {total} in all")
        else:
            text = translate("hardship.donations_page", "{n} donations, {total} in all")
        text = text.format(n=f"{totals.count:,}", total=totals.total)
        if totals.reversed:
            more = translate("hardship.donations_page", "{text} (and {n} reversed)")
            text = more.format(text=text, n=f"{totals.reversed:,}")
        if self.model.search:
            found = translate("hardship.donations_page", "{n} found · {text}")
            text = found.format(n=f"{self.model.rowCount():,}", text=text)
        self.total_label.setText(text)

    def _show_empty(self) -> None:
        """The list, or in its place what to do first (nothing recorded yet) or that the
        search finds nothing."""
        if self.model.rowCount():
            self.stack.setCurrentIndex(1)
            return
        if self.model.search:
            self.empty.show_text(
                translate("hardship.donations_page", "No donations match the search.")
            )
        else:
            self.empty.show_text(
                translate(
                    "hardship.donations_page",
                    "No donations recorded yet.\n\nRecord each donation as it comes in with "
                    "Record donation…: it goes into the ledger at once. A refund is a reversal, "
                    "made on the Ledger page.",
                ),
                guide_link_text(),
                GUIDE_SECTION,
            )
        self.stack.setCurrentIndex(0)

    def record_donation(self) -> None:
        if self.fund_id is None:
            return
        dialog = DonationDialog(self.ctx, self.fund_id, parent=self)
        if run_dialog(self.ctx, dialog):
            self.changed.emit()
