"""The fund's ledger: every entry in the order it was recorded, with the running balance; bank
charges, interest and transfers recorded by hand; a mistaken entry put right by a reversal; and
the treasurer's exports (the ledger workbook, the income and expenditure statement, the payment
list). An empty ledger says how entries get there, with a link to the guide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.hardship.codes import ENTRY_KINDS, MANUAL_KINDS
from branchdesk.hardship.ledger import record_entry, reverse
from branchdesk.hardship.listing import LedgerListing
from branchdesk.members.service import ValidationError
from branchdesk.progress import Progress
from branchdesk.store.audit import record_export
from branchdesk.ui.casework.common import date_of, warning_label
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import combo, line, text_box
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.hardship.data import EntryLine, FundSummary, HardshipTableModel, read_entry
from branchdesk.ui.hardship.widgets import (
    GUIDE_SECTION,
    Exporter,
    FormDialog,
    button,
    day_edit,
    empty_stack,
    guide_link_text,
    money_line,
    row,
    run_dialog,
    set_widths,
    slug,
    typed_money,
)
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.list_view import list_view

WIDTHS = {
    "id": 8,
    "posted_on": 10,
    "kind": 17,
    "reference": 16,
    "description": 34,
    "money_in": 10,
    "money_out": 10,
    "balance_after": 11,
}
XLSX = QT_TRANSLATE_NOOP("hardship.ledger_page", "Excel workbook (*.xlsx)")
PDF = QT_TRANSLATE_NOOP("hardship.ledger_page", "PDF document (*.pdf)")


class EntryDialog(FormDialog):
    """A bank charge, interest or a transfer, typed as a positive amount: its kind gives the
    direction."""

    what = "ledger"

    def __init__(self, ctx: AppContext, fund_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            translate("hardship.ledger_page", "Record bank charge, interest or transfer"),
            parent,
        )
        self.fund_id = fund_id
        self.entry_id: int | None = None
        self.kind_box = combo({k: ENTRY_KINDS[k] for k in MANUAL_KINDS}, "bank_charge")
        self.posted = day_edit(date.today())
        self.amount_edit = money_line("", translate("hardship.ledger_page", "e.g. 5.00"))
        self.direction = QLabel()
        self.direction.setObjectName("tabSubheading")
        self.reference_edit = line(
            "", translate("hardship.ledger_page", "as on the bank statement")
        )
        self.description_edit = line(
            "", translate("hardship.ledger_page", "e.g. Monthly account fee")
        )
        self.add_field("kind", translate("hardship.ledger_page", "Kind"), self.kind_box)
        self.add_field("posted_on", translate("hardship.ledger_page", "Date"), self.posted)
        amount_box = QWidget()
        amount_row = row(self.amount_edit, self.direction, None)
        amount_box.setLayout(amount_row)
        self.add_field(
            "amount", translate("hardship.ledger_page", "Amount (£)"), self.amount_edit, amount_box
        )
        self.add_field(
            "reference", translate("hardship.ledger_page", "Reference"), self.reference_edit
        )
        self.add_field(
            "description", translate("hardship.ledger_page", "Details"), self.description_edit
        )
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.finish_layout()
        self._kind_changed()

    def _kind_changed(self) -> None:
        money_in = MANUAL_KINDS[str(self.kind_box.currentData())] > 0
        self.direction.setText(
            translate("hardship.ledger_page", "paid into the fund")
            if money_in
            else translate("hardship.ledger_page", "paid out of the fund")
        )

    def write(self) -> None:
        errors: dict[str, str] = {}
        amount = typed_money(
            self.amount_edit,
            "amount",
            errors,
            translate("hardship.ledger_page", "Give the amount."),
        )
        if errors:
            raise ValidationError(errors)
        assert amount is not None
        self.entry_id = record_entry(
            self.ctx.db,
            self.fund_id,
            str(self.kind_box.currentData()),
            amount,
            date_of(self.posted),
            self.reference_edit.text(),
            self.description_edit.text(),
        )


class StatementPeriodDialog(FormDialog):
    """The period an income and expenditure statement covers: the fund's life by default, or
    a quarter or a year for the committee and the auditor."""

    what = "fund"

    def __init__(self, ctx: AppContext, starts_on: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, translate("hardship.ledger_page", "Statement period"), parent)
        self.period: tuple[date, date] | None = None
        self.start_edit = day_edit(starts_on)
        self.end_edit = day_edit(date.today())
        self.add_field("start", translate("hardship.ledger_page", "From"), self.start_edit)
        self.add_field("end", translate("hardship.ledger_page", "To"), self.end_edit)
        self.save_button.setText(translate("hardship.ledger_page", "Choose file…"))
        self.finish_layout()

    def write(self) -> None:
        start, end = date_of(self.start_edit), date_of(self.end_edit)
        if end < start:
            raise ValidationError(
                {"end": translate("hardship.ledger_page", "The period ends before it starts.")}
            )
        self.period = (start, end)


class ReverseDialog(FormDialog):
    """Put a mistaken entry right with an equal and opposite one; both stay in the ledger."""

    what = "ledger"

    def __init__(self, ctx: AppContext, entry: EntryLine, parent: QWidget | None = None) -> None:
        title = translate("hardship.ledger_page", "Reverse entry {id}").format(id=entry.id)
        super().__init__(ctx, title, parent)
        self.entry = entry
        self.reversal_id: int | None = None
        kind = ENTRY_KINDS.get(entry.kind, entry.kind)
        money_in = entry.amount.pence > 0
        amount = entry.amount if money_in else -entry.amount
        facts = (
            translate("hardship.ledger_page", "Entry {id}, {date}: {kind}, {amount} in")
            if money_in
            else translate("hardship.ledger_page", "Entry {id}, {date}: {kind}, {amount} out")
        ).format(id=entry.id, date=short_date(entry.posted_on), kind=kind, amount=amount)
        what = QLabel(facts + (f"\n{entry.description}" if entry.description else ""))
        what.setWordWrap(True)
        if money_in:
            added = translate(
                "hardship.ledger_page",
                "A reversal of {amount} out is added to the ledger; the entry itself stays, "
                "marked as reversed by it.",
            )
        else:
            added = translate(
                "hardship.ledger_page",
                "A reversal of {amount} in is added to the ledger; the entry itself stays, "
                "marked as reversed by it.",
            )
        owed_again = translate("hardship.ledger_page", "The claim it paid is owed again.")
        note = QLabel(
            added.format(amount=amount) + (f" {owed_again}" if entry.kind == "payment" else "")
        )
        note.setObjectName("tabSubheading")
        note.setWordWrap(True)
        self.layout_.insertWidget(0, what)
        self.layout_.insertWidget(1, note)
        self.posted = day_edit(date.today())
        self.reason_box = text_box("", 70)
        self.reason_box.setPlaceholderText(
            translate("hardship.ledger_page", "Why it is being reversed, e.g. entered twice")
        )
        self.add_field(
            "posted_on", translate("hardship.ledger_page", "Date of reversal"), self.posted
        )
        self.add_field("reason", translate("hardship.ledger_page", "Reason"), self.reason_box)
        self.save_button.setText(translate("hardship.ledger_page", "Reverse"))
        self.finish_layout()

    def write(self) -> None:
        try:
            self.reversal_id = reverse(
                self.ctx.db, self.entry.id, date_of(self.posted), self.reason_box.toPlainText()
            )
        except ValidationError as exc:
            # "This entry is itself a reversal", "already reversed": beside the reason.
            raise ValidationError(
                {("reason" if k == "entry" else k): v for k, v in exc.errors.items()}
            ) from exc


class LedgerPage(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fund_id: int | None = None
        self.summary: FundSummary | None = None
        self.model = HardshipTableModel(LedgerListing(ctx.db, 0), self, runner=self._run_quietly)
        self.exporter = Exporter(ctx, self, lambda busy: self.export_button.setEnabled(not busy))

        self.filter_bar = FilterBar(
            placeholder=translate("hardship.ledger_page", "Search reference, details or donor")
        )
        self.filter_bar.edit.setMinimumWidth(260)
        self.filter_bar.edit.setAccessibleName(
            translate("hardship.ledger_page", "Search the ledger")
        )
        self.filter_bar.search_changed.connect(self.model.set_search)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.record_button = button(
            translate("hardship.ledger_page", "Record charge, interest or transfer…"),
            "recordEntry",
            translate(
                "hardship.ledger_page",
                "A bank charge, interest paid, or a transfer in or out of the fund's account",
            ),
        )
        self.record_button.clicked.connect(lambda _c=False: self.record_entry())
        self.reverse_button = button(
            translate("hardship.ledger_page", "Reverse entry…"),
            "reverseEntry",
            translate(
                "hardship.ledger_page",
                "Put the chosen entry right with an equal and opposite entry; both stay in the "
                "ledger",
            ),
        )
        self.reverse_button.clicked.connect(lambda _c=False: self.reverse_entry())

        self.export_menu = QMenu(self)
        self.export_menu.setToolTipsVisible(True)
        self.ledger_action = self._export_action(
            translate("hardship.ledger_page", "Ledger, with names (.xlsx)…"),
            translate(
                "hardship.ledger_page",
                "Export every entry with the running balance, for the treasurer",
            ),
        )
        self.ledger_action.triggered.connect(lambda _c=False: self.export_ledger())
        self.anonymised_action = self._export_action(
            translate("hardship.ledger_page", "Ledger, anonymised (.xlsx)…"),
            translate(
                "hardship.ledger_page",
                "Export the ledger with members and individual donors not named, for the "
                "auditor or a report",
            ),
        )
        self.anonymised_action.triggered.connect(
            lambda _c=False: self.export_ledger(anonymised=True)
        )
        self.statement_action = self._export_action(
            translate("hardship.ledger_page", "Income and expenditure statement (.pdf)…"),
            translate(
                "hardship.ledger_page",
                "Export the fund's income and expenditure over a period you choose, as a PDF "
                "for the committee or the auditor",
            ),
        )
        self.statement_action.triggered.connect(lambda _c=False: self.export_statement())
        self.payments_action = self._export_action(
            translate("hardship.ledger_page", "Payment list (.xlsx or .pdf)…"),
            translate("hardship.ledger_page", "Export every payment to members from the fund"),
        )
        self.payments_action.triggered.connect(lambda _c=False: self.export_payments())
        self.payments_anonymised_action = self._export_action(
            translate("hardship.ledger_page", "Payment list, anonymised (.xlsx or .pdf)…"),
            translate(
                "hardship.ledger_page",
                "Export the payments with members shown as Member 001, Member 002…, for a "
                "committee or AGM",
            ),
        )
        self.payments_anonymised_action.triggered.connect(
            lambda _c=False: self.export_payments(anonymised=True)
        )
        self.export_button = QToolButton()
        self.export_button.setObjectName("ledgerExport")
        self.export_button.setText(translate("hardship.ledger_page", "Export ▾"))
        self.export_button.setStyleSheet(
            "QToolButton { padding: 3px 10px; }"
            " QToolButton::menu-indicator { image: none; width: 0px; }"
        )
        self.export_button.setToolTip(
            translate(
                "hardship.ledger_page", "Export the ledger, the statement or the payment list"
            )
        )
        self.export_button.setAccessibleName(translate("hardship.ledger_page", "Export"))
        self.export_button.setMenu(self.export_menu)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

        self.banner = warning_label()
        self.model.load_failed.connect(
            lambda why: self._banner(
                translate(
                    "hardship.ledger_page", "The ledger could not be read ({why}); trying again…"
                ).format(why=why)
            )
        )
        self.model.load_recovered.connect(lambda: self._banner(""))
        self.table = QTableView()
        self.table.setObjectName("ledgerTable")
        self.table.setAccessibleName(translate("hardship.ledger_page", "Ledger entries"))
        self.table.setModel(self.model)
        list_view(self.table)
        set_widths(self.table, WIDTHS, self.model.columns, stretch="description")
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.ids_loaded.connect(self._loaded)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(
            row(
                self.filter_bar,
                None,
                self.count_label,
                8,
                self.record_button,
                self.reverse_button,
                self.export_button,
            )
        )
        layout.addWidget(self.banner)
        self.empty = EmptyState("ledgerEmpty")
        self.stack = empty_stack(self.empty, self.table)
        layout.addWidget(self.stack, 1)
        self._update_buttons()
        self._show_empty()

    def _run_quietly(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.ctx.worker.run(fn, on_done=on_done, on_error=on_error, quiet=True)

    def _export_action(self, text: str, tip: str) -> QAction:
        action = self.export_menu.addAction(text)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def _banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def set_fund(self, summary: FundSummary | None) -> None:
        self.summary = summary
        self.fund_id = summary.id if summary else None

    def refresh(self) -> None:
        self.model.set_listing(LedgerListing(self.ctx.db, self.fund_id or 0))

    def _loaded(self) -> None:
        count = self.model.rowCount()
        n = f"{count:,}"
        if self.model.search:
            text = (
                translate("hardship.ledger_page", "1 entry found")
                if count == 1
                else translate("hardship.ledger_page", "{n} entries found").format(n=n)
            )
        elif not count:
            text = translate("hardship.ledger_page", "No entries yet")
        elif self.summary is not None:
            text = (
                translate("hardship.ledger_page", "1 entry · balance {balance}")
                if count == 1
                else translate("hardship.ledger_page", "{n} entries · balance {balance}")
            ).format(n=n, balance=self.summary.balance)
        else:
            text = (
                translate("hardship.ledger_page", "1 entry")
                if count == 1
                else translate("hardship.ledger_page", "{n} entries").format(n=n)
            )
        self.count_label.setText(text)
        self._show_empty()
        if not self.model.search and self.model.sort_column < 0:
            # In the order recorded, like a cash book: the latest entries are the ones wanted.
            self.table.scrollToBottom()
        self._update_buttons()

    def _show_empty(self) -> None:
        """The ledger, or in its place how entries get there (none yet) or that the search
        finds nothing."""
        if self.model.rowCount():
            self.stack.setCurrentIndex(1)
            return
        if self.model.search:
            self.empty.show_text(translate("hardship.ledger_page", "No entries match the search."))
        else:
            self.empty.show_text(
                translate(
                    "hardship.ledger_page",
                    "No entries in the ledger yet.\n\nDonations and payments to members are "
                    "entered here as they are recorded, with the running balance. Record charge, "
                    "interest or transfer… adds a bank charge, interest paid or a transfer.",
                ),
                guide_link_text(),
                GUIDE_SECTION,
            )
        self.stack.setCurrentIndex(0)

    def _update_buttons(self) -> None:
        has_fund = self.fund_id is not None
        self.record_button.setEnabled(has_fund)
        rows = self.table.selectionModel().selectedRows()
        # A reversal is not itself reversed: the entry is recorded again instead.
        kind = self.model.index(rows[0].row(), 2).data() if rows else None
        self.reverse_button.setEnabled(
            has_fund and self.selected_id() is not None and kind != ENTRY_KINDS["reversal"]
        )

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def select_entry(self, entry_id: int) -> None:
        row_number = self.model.row_of(entry_id)
        if row_number is not None:
            self.table.selectRow(row_number)

    # -- changes ---------------------------------------------------------------------------------

    def record_entry(self) -> None:
        if self.fund_id is None:
            return
        dialog = EntryDialog(self.ctx, self.fund_id, parent=self)
        if run_dialog(self.ctx, dialog):
            self.changed.emit()

    def reverse_entry(self, entry_id: int | None = None) -> None:
        entry_id = entry_id or self.selected_id()
        if entry_id is None:
            return
        entry = read_entry(self.ctx.db, entry_id)
        if entry is None:
            return
        if entry.kind == "reversal":
            text = translate(
                "hardship.ledger_page",
                "Entry {id} is itself a reversal (of entry {original}). "
                "To undo it, record the original entry again.",
            )
            self.ctx.dialogs.info(
                self,
                translate("hardship.ledger_page", "Reverse entry"),
                text.format(id=entry.id, original=entry.reverses_id),
            )
            return
        if entry.reversed_by is not None:
            text = translate(
                "hardship.ledger_page", "Entry {id} has already been reversed, by entry {by}."
            )
            self.ctx.dialogs.info(
                self,
                translate("hardship.ledger_page", "Reverse entry"),
                text.format(id=entry.id, by=entry.reversed_by),
            )
            return
        dialog = ReverseDialog(self.ctx, entry, parent=self)
        if run_dialog(self.ctx, dialog):
            self.changed.emit()

    # -- exports ---------------------------------------------------------------------------------

    def _name(self) -> str:
        return slug(self.summary.name) if self.summary else "fund"

    def export_ledger(self, anonymised: bool = False, path: Path | None = None) -> None:
        if self.fund_id is None:
            return
        chosen = path or self.exporter.choose(
            translate("hardship.ledger_page", "Export the anonymised ledger")
            if anonymised
            else translate("hardship.ledger_page", "Export the ledger"),
            f"{self._name()}-ledger{'-anonymised' if anonymised else ''}-{date.today():%Y-%m-%d}"
            ".xlsx",
            translate("hardship.ledger_page", XLSX),
            (".xlsx",),
        )
        if chosen is None:
            return
        from branchdesk.hardship.reports import write_ledger_xlsx  # openpyxl, when asked

        db, fund_id, branch = self.ctx.db, self.fund_id, self.ctx.preferences.branch_name

        def run(progress: Progress) -> object:
            count = write_ledger_xlsx(
                db, fund_id, chosen, anonymised=anonymised, progress=progress, branch_name=branch
            )
            record_export(db, "ledger", chosen, count, record_id=fund_id, anonymised=anonymised)
            return count

        done = (
            translate("hardship.ledger_page", "The anonymised ledger was written to\n{path}")
            if anonymised
            else translate("hardship.ledger_page", "The ledger was written to\n{path}")
        )
        self.exporter.start(
            run,
            translate("hardship.ledger_page", "Export the ledger"),
            chosen,
            done.format(path=chosen),
        )

    def export_statement(self, path: Path | None = None) -> None:
        if self.fund_id is None:
            return
        start: date | None = None
        end: date | None = None
        if path is None:
            starts_on = self.summary.starts_on if self.summary is not None else date.today()
            dialog = StatementPeriodDialog(self.ctx, starts_on, self)
            if not run_dialog(self.ctx, dialog) or dialog.period is None:
                return
            start, end = dialog.period
        chosen = path or self.exporter.choose(
            translate("hardship.ledger_page", "Export the income and expenditure statement"),
            f"{self._name()}-statement-{date.today():%Y-%m-%d}.pdf",
            translate("hardship.ledger_page", PDF),
            (".pdf",),
        )
        if chosen is None:
            return
        from branchdesk.hardship.reports import write_statement_pdf  # reportlab, when asked

        db, fund_id, branch = self.ctx.db, self.fund_id, self.ctx.preferences.branch_name

        def run(_progress: Progress) -> None:
            write_statement_pdf(db, fund_id, chosen, start=start, end=end, branch_name=branch)
            record_export(db, "statement", chosen, record_id=fund_id)

        done = translate(
            "hardship.ledger_page", "The income and expenditure statement was written to\n{path}"
        )
        self.exporter.start(
            run,
            translate("hardship.ledger_page", "Export the statement"),
            chosen,
            done.format(path=chosen),
        )

    def export_payments(self, path: Path | None = None, anonymised: bool = False) -> None:
        export_payments(self.ctx, self.exporter, self.fund_id, self._name(), path, anonymised)


def export_payments(
    ctx: AppContext,
    exporter: Exporter,
    fund_id: int | None,
    name: str,
    path: Path | None = None,
    anonymised: bool = False,
) -> None:
    """The fund's payment list, as a workbook or a PDF (the Ledger and Payments pages)."""
    if fund_id is None:
        return
    xlsx, pdf = translate("hardship.ledger_page", XLSX), translate("hardship.ledger_page", PDF)
    chosen = path or exporter.choose(
        translate("hardship.ledger_page", "Export the payment list"),
        f"{name}-payments-{date.today():%Y-%m-%d}.xlsx",
        f"{xlsx};;{pdf}",
        (".xlsx", ".pdf"),
    )
    if chosen is None:
        return
    from branchdesk.hardship.reports import write_payments  # openpyxl or reportlab, when asked

    db, branch = ctx.db, ctx.preferences.branch_name

    def run(progress: Progress) -> object:
        count = write_payments(
            db, fund_id, chosen, anonymised=anonymised, branch_name=branch, progress=progress
        )
        record_export(db, "payments", chosen, count, record_id=fund_id, anonymised=anonymised)
        return count

    done = translate("hardship.ledger_page", "The payment list was written to\n{path}")
    exporter.start(
        run,
        translate("hardship.ledger_page", "Export the payment list"),
        chosen,
        done.format(path=chosen),
    )
