"""The payment run: every approved claim still owed money, the fund's balance, and one button
that pays them all (BACS or cheque, on a date, with a reference), all or nothing. When the fund
cannot pay everything owed, claims can be left out, or the balance shared pro rata. The run's
payment list is shown afterwards and can be exported. With nothing owed, the page says where
approved claims come from, with a link to the guide."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.hardship.codes import PAYMENT_METHODS
from branchdesk.hardship.payments import PaidLine, pay
from branchdesk.hardship.sharing import share_pro_rata
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.errors import StaleEdit
from branchdesk.ui.casework.common import date_of, warning_label
from branchdesk.ui.casework.exports import error_text
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import combo, line
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.hardship.data import FundSummary, OwedLine, PaymentRun, read_payment_run
from branchdesk.ui.hardship.ledger_page import export_payments
from branchdesk.ui.hardship.widgets import (
    GUIDE_SECTION,
    Exporter,
    button,
    cell,
    date_cell,
    day_edit,
    empty_stack,
    guide_link_text,
    money_cell,
    row,
    slug,
    table,
)
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.table_model import read_error_text

OWED_HEADERS = (
    QT_TRANSLATE_NOOP("hardship.payments_page", "Pay"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Claim"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Member"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Number"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Approved"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Paid so far"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Owed"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "To pay"),
)
PAID_HEADERS = (
    QT_TRANSLATE_NOOP("hardship.payments_page", "Claim"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Member"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Number"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Paid on"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Method"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Reference"),
    QT_TRANSLATE_NOOP("hardship.payments_page", "Amount"),
)


def _claims(n: int) -> str:
    return (
        translate("hardship.payments_page", "1 claim")
        if n == 1
        else translate("hardship.payments_page", "{n} claims").format(n=f"{n:,}")
    )


class PaymentsPage(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fund_id: int | None = None
        self.summary: FundSummary | None = None
        self.run: PaymentRun | None = None
        self.paid: list[PaidLine] = []
        self._generation = 0
        self._filling = False
        self._paying = False
        self.exporter = Exporter(ctx, self, lambda busy: self.export_button.setEnabled(not busy))

        self.balance_label = QLabel()
        self.balance_label.setObjectName("runBalance")
        self.balance_label.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.short_label = warning_label()
        self.short_label.setObjectName("fundShort")
        self.pro_rata_check = QCheckBox(
            translate("hardship.payments_page", "Share the balance pro rata")
        )
        self.pro_rata_check.setObjectName("proRata")
        self.pro_rata_check.setToolTip(
            translate(
                "hardship.payments_page",
                "Pay each claim ticked the same fraction of what it is owed, so the payments add "
                "up to exactly the fund's balance; the rest stays owed for a later run",
            )
        )
        self.pro_rata_check.toggled.connect(lambda _c: self._update_amounts())

        self.owed_table = table(
            "owedTable",
            [translate("hardship.payments_page", h) for h in OWED_HEADERS],
            2,
            (4, 5, 6, 7),
            translate("hardship.payments_page", "Claims owed money"),
        )
        self.owed_table.itemChanged.connect(self._ticked)
        self.empty = EmptyState("paymentsEmpty")
        self.empty.show_text(
            translate(
                "hardship.payments_page",
                "No approved claims are waiting to be paid.\n\nClaims the panel approves on the "
                "Claims page are listed here until they are paid in full.",
            ),
            guide_link_text(),
            GUIDE_SECTION,
        )
        self.owed_stack = empty_stack(self.empty, self.owed_table)

        self.method_box = combo(PAYMENT_METHODS, "bacs")
        self.method_box.setObjectName("paymentMethod")
        self.paid_on = day_edit(date.today())
        self.paid_on.setObjectName("paidOn")
        self.reference_edit = line(
            "", translate("hardship.payments_page", "BACS batch or first cheque number")
        )
        self.reference_edit.setObjectName("paymentReference")
        self.reference_edit.setMinimumWidth(240)
        self.pay_button = button(
            translate("hardship.payments_page", "Pay…"),
            "payClaims",
            translate("hardship.payments_page", "Pay the claims ticked"),
            primary=True,
        )
        self.pay_button.clicked.connect(lambda _c=False: self.pay_claims())
        self.errors: dict[str, QLabel] = {}
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(2)
        for column, (name, text, widget) in enumerate(
            (
                ("method", translate("hardship.payments_page", "Method"), self.method_box),
                ("paid_on", translate("hardship.payments_page", "Date paid"), self.paid_on),
                (
                    "reference",
                    translate("hardship.payments_page", "Reference"),
                    self.reference_edit,
                ),
            )
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addWidget(label, 0, column)
            form.addWidget(widget, 1, column)
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.hide()
            form.addWidget(error, 2, column)
            self.errors[name] = error
        form.addWidget(self.pay_button, 1, 3)
        form.setColumnStretch(4, 1)
        self.claims_error = QLabel()
        self.claims_error.setObjectName("fieldError")
        self.claims_error.setWordWrap(True)
        self.claims_error.hide()
        self.errors["claims"] = self.claims_error
        self.reference_edit.textChanged.connect(lambda _t: self._clear_errors())
        self.paid_on.dateChanged.connect(lambda _d: self._clear_errors())

        # The last run's payment list.
        self.paid_table = table(
            "paidTable",
            [translate("hardship.payments_page", h) for h in PAID_HEADERS],
            1,
            (6,),
            translate("hardship.payments_page", "Paid in this run"),
        )
        self.paid_total = QLabel()
        self.paid_total.setObjectName("countLabel")
        self.export_button = button(
            translate("hardship.payments_page", "Export payment list…"),
            "exportPayments",
            translate(
                "hardship.payments_page",
                "The fund's payments to members as a workbook or PDF, for the bank or the auditor",
            ),
        )
        self.export_button.clicked.connect(lambda _c=False: self.export_payments())
        self.paid_box = QGroupBox(translate("hardship.payments_page", "Paid in this run"))
        paid_layout = QVBoxLayout(self.paid_box)
        paid_layout.addLayout(row(self.paid_total, None, self.export_button))
        paid_layout.addWidget(self.paid_table)
        self.paid_box.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.balance_label)
        layout.addWidget(self.short_label)
        layout.addWidget(self.pro_rata_check)
        layout.addWidget(self.owed_stack, 3)
        layout.addWidget(self.claims_error)
        layout.addLayout(form)
        layout.addWidget(self.paid_box, 2)

    # -- reading -----------------------------------------------------------------------------------

    def set_fund(self, summary: FundSummary | None) -> None:
        if (summary.id if summary else None) != self.fund_id:
            self.paid = []
            self.paid_box.hide()
            # Nothing of the last fund's run may be paid while the new one is read.
            self.run = None
            self.owed_table.setRowCount(0)
            self.pay_button.setEnabled(False)
        self.summary = summary
        self.fund_id = summary.id if summary else None

    def refresh(self) -> None:
        if self.fund_id is None:
            return
        self._generation += 1
        generation, db, fund_id = self._generation, self.ctx.db, self.fund_id

        def done(run: PaymentRun) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._show(run)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                text = translate("hardship.payments_page", "Could not be read: {why}")
                self.balance_label.setText(text.format(why=read_error_text(exc)))

        self.ctx.worker.run(
            lambda: read_payment_run(db, fund_id), on_done=done, on_error=failed, quiet=True
        )

    def _show(self, run: PaymentRun) -> None:
        unticked = self._unticked()
        self.run = run

        self._filling = True
        try:
            self.owed_table.setRowCount(len(run.lines))
            for n, owed in enumerate(run.lines):
                tick = QTableWidgetItem()
                tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                tick.setCheckState(
                    Qt.CheckState.Unchecked if owed.claim_id in unticked else Qt.CheckState.Checked
                )
                tick.setData(Qt.ItemDataRole.UserRole, owed.claim_id)
                self.owed_table.setItem(n, 0, tick)
                self.owed_table.setItem(n, 1, cell(owed.reference))
                self.owed_table.setItem(n, 2, cell(owed.member_name))
                self.owed_table.setItem(n, 3, cell(owed.member_number))
                self.owed_table.setItem(n, 4, money_cell(owed.approved))
                self.owed_table.setItem(n, 5, money_cell(owed.paid or None))
                self.owed_table.setItem(n, 6, money_cell(owed.owed))
                self.owed_table.setItem(n, 7, money_cell(owed.owed))
        finally:
            self._filling = False
        self.owed_stack.setCurrentIndex(1 if run.lines else 0)
        self._update_amounts()

    def _unticked(self) -> set[int]:
        found = set()
        for n in range(self.owed_table.rowCount()):
            item = self.owed_table.item(n, 0)
            if item is not None and item.checkState() != Qt.CheckState.Checked:
                found.add(int(item.data(Qt.ItemDataRole.UserRole)))
        return found

    def ticked(self) -> list[OwedLine]:
        if self.run is None:
            return []
        unticked = self._unticked()
        return [owed for owed in self.run.lines if owed.claim_id not in unticked]

    def set_ticked(self, claim_id: int, on: bool) -> None:
        for n in range(self.owed_table.rowCount()):
            item = self.owed_table.item(n, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == claim_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _ticked(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == 0:
            self._update_amounts()

    def amounts(self) -> dict[int, Money]:
        """What the run would pay each claim ticked: in full, or a pro-rata share."""
        if self.run is None:
            return {}
        owed = {line.claim_id: line.owed for line in self.ticked()}
        if self.pro_rata_check.isChecked():
            shared = share_pro_rata(self.run.balance, owed)
            return {k: v for k, v in shared.items() if v > ZERO}
        return owed

    def _update_amounts(self) -> None:
        self._clear_errors()
        run = self.run
        if run is None:
            return
        amounts = self.amounts()
        self._filling = True
        try:
            for n, owed in enumerate(run.lines):
                share = amounts.get(owed.claim_id)
                item = money_cell(share)
                if share is not None and share < owed.owed:
                    tip = translate(
                        "hardship.payments_page", "{share} of the {owed} owed; the rest stays owed"
                    )
                    item.setToolTip(tip.format(share=share, owed=owed.owed))
                self.owed_table.setItem(n, 7, item)
        finally:
            self._filling = False
        ticked_owed = sum((line.owed for line in self.ticked()), ZERO)
        total = sum(amounts.values(), ZERO)
        if run.lines:
            text = translate(
                "hardship.payments_page",
                "Fund balance {balance} · owed on approved claims {owed} ({claims})",
            ).format(balance=run.balance, owed=run.total_owed, claims=_claims(len(run.lines)))
        else:
            text = translate(
                "hardship.payments_page", "Fund balance {balance} · owed on approved claims {owed}"
            ).format(balance=run.balance, owed=run.total_owed)
        self.balance_label.setText(text)
        short = ticked_owed > run.balance
        if short and not self.pro_rata_check.isChecked():
            text = translate(
                "hardship.payments_page",
                "The fund holds {balance} but the claims ticked are owed {owed}: {short} short. "
                "Untick claims to pay fewer, or share the balance pro rata (the rest stays owed "
                "for a later run).",
            )
            self.short_label.setText(
                text.format(balance=run.balance, owed=ticked_owed, short=ticked_owed - run.balance)
            )
        elif short:
            text = translate(
                "hardship.payments_page",
                "Sharing {balance} pro rata: each claim ticked gets the same fraction of what it "
                "is owed. {rest} stays owed for a later run.",
            )
            self.short_label.setText(text.format(balance=run.balance, rest=ticked_owed - total))
        self.short_label.setVisible(short)
        self.pro_rata_check.setVisible(short or self.pro_rata_check.isChecked())
        count = len(amounts)
        covered = total <= run.balance
        if count == 1:
            pay = translate("hardship.payments_page", "Pay 1 claim, {total}…")
        elif count:
            pay = translate("hardship.payments_page", "Pay {n} claims, {total}…")
        else:
            pay = translate("hardship.payments_page", "Pay…")
        self.pay_button.setText(pay.format(n=f"{count:,}", total=total))
        self.pay_button.setEnabled(count > 0 and covered and not self._paying)
        self.pay_button.setToolTip(
            translate("hardship.payments_page", "Pay the claims ticked")
            if covered
            else translate(
                "hardship.payments_page",
                "The fund cannot cover these: untick claims, or share the balance pro rata",
            )
        )

    # -- paying ------------------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            label = self.errors.get(name, self.claims_error)
            label.setText(message)
            label.show()

    def error_text(self, name: str) -> str:
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def pay_claims(self) -> None:
        if self.fund_id is None or self.run is None:
            return
        amounts = self.amounts()
        if not amounts:
            self.show_errors(
                {"claims": translate("hardship.payments_page", "Tick the claims to pay.")}
            )
            return
        total = sum(amounts.values(), ZERO)
        method = str(self.method_box.currentData())
        paid_on = date_of(self.paid_on)
        reference = self.reference_edit.text()
        if len(reference.strip()) > 150:
            self.show_errors(
                {
                    "reference": translate(
                        "hardship.payments_page", "Too long: at most 150 characters."
                    )
                }
            )
            return
        if len(amounts) == 1:
            question = translate(
                "hardship.payments_page",
                "Pay 1 claim a total of {total} by {method}, dated {date}?\n\n"
                "The fund's balance goes from {balance} to {after}. Each payment goes into the "
                "ledger; a mistake is put right later by reversing it.",
            )
        else:
            question = translate(
                "hardship.payments_page",
                "Pay {n} claims a total of {total} by {method}, dated {date}?\n\n"
                "The fund's balance goes from {balance} to {after}. Each payment goes into the "
                "ledger; a mistake is put right later by reversing it.",
            )
        text = question.format(
            n=f"{len(amounts):,}",
            total=total,
            method=PAYMENT_METHODS[method],
            date=short_date(paid_on),
            balance=self.run.balance,
            after=self.run.balance - total,
        )
        if not self.ctx.dialogs.confirm(
            self,
            translate("hardship.payments_page", "Pay claims"),
            text,
            yes=translate("hardship.payments_page", "Pay"),
        ):
            return
        db, fund_id = self.ctx.db, self.fund_id
        self._paying = True
        self.pay_button.setEnabled(False)

        def done(lines: list[PaidLine]) -> None:
            if not shiboken6.isValid(self):
                return
            self._paying = False
            self._show_paid(lines)
            self.reference_edit.clear()
            self.pro_rata_check.setChecked(False)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._paying = False
            self._update_amounts()
            if isinstance(exc, ValidationError):  # FundShort too
                self.show_errors(dict(exc.errors))
            elif isinstance(exc, StaleEdit):
                self.ctx.dialogs.error(
                    self, translate("hardship.payments_page", "Nothing was paid"), str(exc)
                )
                self.refresh()
            else:
                self.ctx.dialogs.error(
                    self, translate("hardship.payments_page", "Nothing was paid"), error_text(exc)
                )

        self.ctx.worker.run(
            lambda: pay(db, fund_id, amounts, paid_on, method, reference),
            on_done=done,
            on_error=failed,
        )

    def _show_paid(self, lines: list[PaidLine]) -> None:
        self.paid = lines
        self.paid_table.setRowCount(len(lines))
        for n, paid in enumerate(lines):
            self.paid_table.setItem(n, 0, cell(paid.claim_reference, paid.payment_id))
            self.paid_table.setItem(n, 1, cell(paid.member_name))
            self.paid_table.setItem(n, 2, cell(paid.member_number))
            self.paid_table.setItem(n, 3, date_cell(paid.paid_on))
            self.paid_table.setItem(n, 4, cell(PAYMENT_METHODS.get(paid.method, paid.method)))
            self.paid_table.setItem(n, 5, cell(paid.reference))
            self.paid_table.setItem(n, 6, money_cell(paid.amount))
        total = sum((p.amount for p in lines), ZERO)
        if len(lines) == 1:
            text = translate("hardship.payments_page", "1 payment, {total} in all")
        else:
            text = translate("hardship.payments_page", "{n} payments, {total} in all")
        self.paid_total.setText(text.format(n=f"{len(lines):,}", total=total))
        self.paid_box.setVisible(bool(lines))

    def export_payments(self, path: Path | None = None) -> None:
        name = slug(self.summary.name) if self.summary else "fund"
        export_payments(self.ctx, self.exporter, self.fund_id, name, path)
