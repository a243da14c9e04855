"""Reconciliation: the bank's balance against the ledger's, and what explains the difference.

Import statement… reads an OFX or CSV download in the background and says what it holds before
anything is imported; a CSV in a layout BranchDesk does not know gets a column mapping (which
can be remembered for next time). Then the page lists the matches proposed for the treasurer
to confirm, the statement lines the ledger lacks (recorded as a bank charge, interest or a
donation, or matched by hand), and the entries the bank has not shown yet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import plural, short_date
from branchdesk.hardship.bankfiles import BankFileError, CsvProfile, Statement
from branchdesk.hardship.codes import DONOR_KINDS, ENTRY_KINDS
from branchdesk.hardship.reconcile import (
    Reconciliation,
    StatementImport,
    StatementRefused,
    Suggestion,
    import_statement,
    match,
    match_many,
    matched_lines,
    read_for_fund,
    reconciliation,
    record_line,
    save_profile,
    saved_profiles,
    suggest_matches,
    unmatch,
)
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.ui.casework.common import WARNING_STYLE
from branchdesk.ui.casework.exports import error_text
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import combo, line
from branchdesk.ui.hardship.data import FundSummary, unmatched_entries
from branchdesk.ui.hardship.widgets import (
    BAD_STYLE,
    OK_STYLE,
    FormDialog,
    button,
    cell,
    date_cell,
    heading,
    money_cell,
    muted,
    row,
    run_dialog,
    selected_data,
    table,
)
from branchdesk.ui.table_model import read_error_text

STATEMENT_FILTER = "Bank statements (*.ofx *.qfx *.csv *.txt);;All files (*)"
SHOWN_WARNINGS = 8
PREVIEW_BYTES = 64 * 1024
PREVIEW_ROWS = 6
DATE_FORMATS = {
    "%d/%m/%Y": "31/01/2026",
    "%d-%m-%Y": "31-01-2026",
    "%d.%m.%Y": "31.01.2026",
    "%d/%m/%y": "31/01/26",
    "%d %b %Y": "31 Jan 2026",
    "%Y-%m-%d": "2026-01-31",
}


@dataclass
class Overview:
    """What the page shows, read together in the background."""

    reconciliation: Reconciliation
    suggestions: list[Suggestion]


def read_overview(db: Database, fund_id: int) -> Overview:
    return Overview(reconciliation(db, fund_id), suggest_matches(db, fund_id))


def _signed(amount: Money) -> str:
    return f"+{amount}" if amount.pence > 0 else str(amount)


# -- reading a CSV's headings for a column mapping -----------------------------------------------


def csv_preview(path: Path) -> tuple[list[str], list[list[str]]]:
    """The first row of a CSV (its headings, as far as can be told) and a few rows after it."""
    with path.open("rb") as handle:
        data = handle.read(PREVIEW_BYTES)
    for codec in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    lines = text.splitlines()
    if len(data) == PREVIEW_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    first = next((ln for ln in lines if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    rows = [r for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if any(r)]
    if not rows:
        return [], []
    headings = [h.strip() for h in rows[0]]
    return headings, rows[1 : 1 + PREVIEW_ROWS]


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def saved_layout_for(db: Database, headings: list[str]) -> CsvProfile | None:
    """A remembered column mapping whose columns this file has, if there is one."""
    try:
        profiles = saved_profiles(db)
    except ValueError:
        return None
    have = {_norm(h) for h in headings if h.strip()}
    for profile in profiles:
        if all(_norm(c) in have for c in profile.columns()):
            return profile
    return None


class MappingDialog(FormDialog):
    """Which column of a bank's CSV holds what, chosen by hand; can be remembered by name."""

    what = "column mapping"

    def __init__(
        self,
        ctx: AppContext,
        file_name: str,
        headings: list[str],
        sample: list[list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "Which column is which?", parent)
        self.profile: CsvProfile | None = None
        intro = QLabel(
            f"BranchDesk does not know the layout of {file_name}. Say which column holds "
            "what; the first rows of the file are shown to help."
        )
        intro.setWordWrap(True)
        self.layout_.insertWidget(0, intro)
        shown = [h or f"(column {n + 1})" for n, h in enumerate(headings)]
        preview = QTableWidget(len(sample), len(headings))
        preview.setObjectName("csvPreview")
        preview.setHorizontalHeaderLabels(shown)
        preview.verticalHeader().hide()
        preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        preview.setWordWrap(False)
        for r, values in enumerate(sample):
            for c, value in enumerate(values[: len(headings)]):
                preview.setItem(r, c, cell(value))
        preview.resizeColumnsToContents()
        row_height = preview.fontMetrics().height() + 10
        preview.verticalHeader().setDefaultSectionSize(row_height)
        preview.setFixedHeight(row_height * (len(sample) + 1) + 14)
        self.layout_.insertWidget(1, preview)
        self.headings = [h for h in headings if h.strip()]

        def choice(optional: bool) -> QComboBox:
            box = QComboBox()
            box.addItem("(none)" if optional else "(choose a column)", "")
            for heading_text in self.headings:
                box.addItem(heading_text, heading_text)
            return box

        self.date_box = choice(False)
        self.format_box = QComboBox()
        for fmt, example in DATE_FORMATS.items():
            self.format_box.addItem(example, fmt)
        self.description_box = choice(False)
        self.one_radio = QRadioButton("One amount column (money out negative)")
        self.two_radio = QRadioButton("Separate money in and money out columns")
        self.one_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.one_radio)
        group.addButton(self.two_radio)
        self.amount_box = choice(True)
        self.credit_box = choice(True)
        self.debit_box = choice(True)
        self.balance_box = choice(True)
        self.reference_box = choice(True)
        self.name_edit = line("", "e.g. Unity Trust current account")
        self.remember_check = QCheckBox("Remember this layout for the next statement")
        self.remember_check.setChecked(True)
        self._guess()

        kind = QWidget()
        kind_row = QVBoxLayout(kind)
        kind_row.setContentsMargins(0, 0, 0, 0)
        kind_row.setSpacing(2)
        kind_row.addWidget(self.one_radio)
        kind_row.addWidget(self.two_radio)
        self.add_field("date_column", "Date", self.date_box)
        self.add_field("date_format", "Dates look like", self.format_box)
        self.add_field("description_column", "Description", self.description_box)
        self.add_field("amounts", "Amounts", self.one_radio, kind)
        self.add_field("amount_column", "Amount", self.amount_box)
        self.add_field("credit_column", "Money in", self.credit_box)
        self.add_field("debit_column", "Money out", self.debit_box)
        self.add_field("balance_column", "Balance (if any)", self.balance_box)
        self.add_field("reference_column", "Reference (if any)", self.reference_box)
        self.add_field("name", "Name of the layout", self.name_edit)
        self.add_field("remember", "", self.remember_check)
        self.one_radio.toggled.connect(lambda _c: self._amounts_changed())
        self.save_button.setText("Import")
        self.finish_layout()
        self.setMinimumWidth(640)
        self._amounts_changed()

    def _guess(self) -> None:
        """Start from the likeliest column for each thing, by its heading."""
        words = {
            self.date_box: ("date",),
            self.description_box: ("description", "details", "narrative", "payee", "name"),
            self.amount_box: ("amount", "value"),
            self.credit_box: ("credit", "paid in", "money in", "in"),
            self.debit_box: ("debit", "paid out", "money out", "out"),
            self.balance_box: ("balance",),
            self.reference_box: ("reference", "ref"),
        }
        for box, wanted in words.items():
            for word in wanted:
                index = next(
                    (
                        i
                        for i in range(box.count())
                        if box.itemData(i) and word in str(box.itemData(i)).casefold()
                    ),
                    -1,
                )
                if index >= 0:
                    box.setCurrentIndex(index)
                    break
        if self.credit_box.currentData() and self.debit_box.currentData():
            self.two_radio.setChecked(True)

    def _amounts_changed(self) -> None:
        one = self.one_radio.isChecked()
        self.amount_box.setEnabled(one)
        self.credit_box.setEnabled(not one)
        self.debit_box.setEnabled(not one)

    def write(self) -> None:
        one = self.one_radio.isChecked()
        remember = self.remember_check.isChecked()
        name = self.name_edit.text().strip()
        errors: dict[str, str] = {}
        if remember and not name:
            errors["name"] = "Give the layout a name to remember it by."

        def chosen(box: QComboBox) -> str | None:
            return str(box.currentData() or "") or None

        profile = CsvProfile(
            name=name or "Chosen by hand",
            date_column=chosen(self.date_box) or "",
            description_column=chosen(self.description_box) or "",
            amount_column=chosen(self.amount_box) if one else None,
            debit_column=None if one else chosen(self.debit_box),
            credit_column=None if one else chosen(self.credit_box),
            balance_column=chosen(self.balance_box),
            reference_column=chosen(self.reference_box),
            date_format=str(self.format_box.currentData()),
        )
        problems = [p for p in profile.problems() if "has no name" not in p]
        if problems or errors:
            for problem in problems:
                if "date format" in problem:
                    key = "date_format"
                elif "for the date" in problem:
                    key = "date_column"
                elif "description" in problem:
                    key = "description_column"
                elif "debit" in problem or "credit" in problem or "amount" in problem:
                    key = "amount_column" if one else "credit_column"
                else:
                    key = "amounts"
                text = problem[:1].upper() + problem[1:] + "."
                errors[key] = f"{errors[key]} {text}" if key in errors else text
            raise ValidationError(errors)
        if remember:
            save_profile(self.ctx.db, profile)
        self.profile = profile


class RecordLineDialog(FormDialog):
    """A statement line the ledger lacks, recorded as a new entry and matched with it."""

    what = "statement line"

    def __init__(
        self,
        ctx: AppContext,
        line_id: int,
        posted_on: date,
        amount: Money,
        text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "Record a statement line in the ledger", parent)
        self.line_id = line_id
        self.entry_id: int | None = None
        money_in = amount > ZERO
        what = QLabel(
            f"{short_date(posted_on)}: {text or '(no description)'}, "
            f"<b>{amount if money_in else -amount} {'paid in' if money_in else 'paid out'}</b>"
        )
        what.setWordWrap(True)
        self.layout_.insertWidget(0, what)
        codes = (
            ("donation", "interest", "transfer_in") if money_in else ("bank_charge", "transfer_out")
        )
        kinds = {code: ENTRY_KINDS[code] for code in codes}
        self.kind_box = combo(kinds, "donation" if money_in else "bank_charge")
        self.description_edit = line(text, "what it was")
        self.donor_kind_box = combo(DONOR_KINDS, "anonymous")
        self.donor_name_edit = line("", "the donor's name")
        self.add_field("kind", "Record as", self.kind_box)
        self.add_field("description", "Details", self.description_edit)
        self.add_field("donor_kind", "Donor", self.donor_kind_box)
        self.add_field("donor_name", "Donor's name", self.donor_name_edit)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.donor_kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.finish_layout()
        self._kind_changed()

    def _kind_changed(self) -> None:
        donation = self.kind_box.currentData() == "donation"
        for name in ("donor_kind", "donor_name"):
            widget = self.inputs[name]
            label = self.form_layout.labelForField(widget.parentWidget())
            widget.parentWidget().setVisible(donation)
            if label is not None:
                label.setVisible(donation)
        self.donor_name_edit.setEnabled(self.donor_kind_box.currentData() != "anonymous")

    def write(self) -> None:
        kind = str(self.kind_box.currentData())
        donor_kind = str(self.donor_kind_box.currentData())
        name = self.donor_name_edit.text().strip()
        if kind == "donation" and donor_kind != "anonymous" and not name:
            raise ValidationError({"donor_name": "Give the donor's name, or choose Anonymous."})
        self.entry_id = record_line(
            self.ctx.db, self.line_id, kind, self.description_edit.text(), donor_kind, name
        )


class UnmatchDialog(FormDialog):
    """The lines matched most recently; a wrong match is undone here (nothing is deleted: the
    line and the entry are simply open again)."""

    what = "statement line"

    def __init__(self, ctx: AppContext, fund_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Matched statement lines", parent)
        self.matched = matched_lines(ctx.db, fund_id)
        self.matched_table = table(
            "matchedLines", ["Date", "Statement line", "Amount", "Ledger entry", "Matched by"], 3
        )
        self.matched_table.setRowCount(len(self.matched))
        for n, m in enumerate(self.matched):
            self.matched_table.setItem(n, 0, date_cell(m.posted_on, m.line_id))
            self.matched_table.setItem(n, 1, cell(m.line_text))
            self.matched_table.setItem(n, 2, money_cell(m.amount))
            self.matched_table.setItem(n, 3, cell(f"{m.entry_id}: {m.entry_text}"))
            self.matched_table.setItem(n, 4, cell(m.matched_by))
        self.matched_table.setMinimumHeight(self.fontMetrics().height() * 18)
        self.matched_table.resizeColumnsToContents()
        self.matched_table.setColumnWidth(1, min(self.matched_table.columnWidth(1), 300))
        self.matched_table.setColumnWidth(3, max(self.matched_table.columnWidth(3), 280))
        note = muted(
            "The lines matched most recently first. Unmatching puts the line and the entry back "
            "in the lists to match again."
            if self.matched
            else "No statement line has been matched yet."
        )
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.matched_table)
        column.addWidget(note)
        self.add_field("line", "Matched", self.matched_table, box)
        self.save_button.setText("Unmatch")
        self.save_button.setEnabled(bool(self.matched))
        self.finish_layout()
        self.setMinimumWidth(1040)

    def write(self) -> None:
        line_id = selected_data(self.matched_table)
        if line_id is None:
            raise ValidationError({"line": "Choose the line to unmatch."})
        unmatch(self.ctx.db, int(line_id))


class MatchDialog(FormDialog):
    """Match a statement line with a ledger entry of the same amount, chosen by hand."""

    what = "statement line"

    def __init__(
        self,
        ctx: AppContext,
        fund_id: int,
        line_id: int,
        posted_on: date,
        amount: Money,
        text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "Match by hand", parent)
        self.line_id = line_id
        what = QLabel(
            f"Statement line {short_date(posted_on)}: {text or '(no description)'}, "
            f"<b>{_signed(amount)}</b>"
        )
        what.setWordWrap(True)
        self.layout_.insertWidget(0, what)
        self.entries = unmatched_entries(ctx.db, fund_id, amount)
        self.entry_table = table("matchCandidates", ["No.", "Date", "Type", "Details"], 3)
        self.entry_table.setRowCount(len(self.entries))
        for n, entry in enumerate(self.entries):
            self.entry_table.setItem(n, 0, cell(str(entry.id), entry.id, right=True))
            self.entry_table.setItem(n, 1, date_cell(entry.posted_on))
            self.entry_table.setItem(n, 2, cell(ENTRY_KINDS.get(entry.kind, entry.kind)))
            details = " ".join(p for p in (entry.description, entry.reference) if p)
            self.entry_table.setItem(n, 3, cell(details))
        self.entry_table.setMinimumHeight(self.fontMetrics().height() * 9)
        self.entry_table.setVisible(bool(self.entries))
        if self.entries:
            self.entry_table.selectRow(0)
        note = muted(
            f"Ledger entries of {_signed(amount)} not matched with a statement line yet."
            if self.entries
            else f"No ledger entry of {_signed(amount)} is waiting to be matched. Record the "
            "line as a new entry instead; if the bank's figure differs from the ledger's, record "
            "the difference as its own entry."
        )
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.entry_table)
        column.addWidget(note)
        self.add_field("entry", "Ledger entry", self.entry_table, box)
        self.save_button.setText("Match")
        self.save_button.setEnabled(bool(self.entries))
        self.finish_layout()
        self.setMinimumWidth(640)

    def write(self) -> None:
        entry_id = selected_data(self.entry_table)
        if entry_id is None:
            raise ValidationError({"entry": "Choose the ledger entry."})
        match(self.ctx.db, self.line_id, int(entry_id))


class ReconcilePage(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fund_id: int | None = None
        self.summary: FundSummary | None = None
        self.overview: Overview | None = None
        self._generation = 0
        self._importing = False

        self.import_button = button(
            "Import statement…",
            "importStatement",
            "Read a statement downloaded from online banking (OFX or CSV) and match its lines",
            primary=True,
        )
        self.import_button.clicked.connect(lambda _c=False: self.import_statement())
        self.matched_button = button(
            "Matched…", "matchedLines", "See the lines already matched, and undo a wrong match"
        )
        self.matched_button.clicked.connect(lambda _c=False: self.show_matched())
        self.state_label = QLabel()
        self.state_label.setObjectName("reconcileState")
        self.state_label.setWordWrap(True)

        self.figures: dict[str, QLabel] = {}
        figures = QGridLayout()
        figures.setHorizontalSpacing(18)
        figures.setVerticalSpacing(3)
        rows = (
            ("statement", "Statement balance"),
            ("ledger", "Ledger balance on the same day"),
            ("difference", "Difference"),
            ("explained", "Explained by"),
            ("brought_forward", "   balance brought forward"),
            ("not_on_statement", "   entries the bank has not shown yet"),
            ("not_in_ledger", "   statement lines not in the ledger yet"),
            ("unexplained", "Unexplained"),
        )
        for n, (key, text) in enumerate(rows):
            label = QLabel(text)
            if key == "explained":
                label.setObjectName("tabSubheading")
                figures.addWidget(label, n, 0)
                continue
            value = QLabel()
            value.setObjectName(f"figure_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(110)
            if key in ("difference", "unexplained"):
                label.setStyleSheet("font-weight: 600;")
                value.setStyleSheet("font-weight: 600;")
            figures.addWidget(label, n, 0)
            figures.addWidget(value, n, 1)
            self.figures[key] = value
        figures.setColumnStretch(2, 1)
        summary_box = QGroupBox("Bank against ledger")
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.addWidget(self.state_label)
        summary_layout.addLayout(figures)

        # Suggested matches.
        self.suggestions_table = table(
            "suggestionsTable",
            ["Statement date", "Statement line", "Amount", "Ledger date", "Ledger entry", "Why"],
            1,
            (2,),
        )
        self.confirm_button = button(
            "Confirm match", "confirmMatch", "Reconcile the chosen line with its ledger entry"
        )
        self.confirm_button.clicked.connect(lambda _c=False: self.confirm_match())
        self.confirm_all_button = button(
            "Confirm all", "confirmAll", "Reconcile every proposed pair listed"
        )
        self.confirm_all_button.clicked.connect(lambda _c=False: self.confirm_all())
        self.suggestions_heading = heading("Suggested matches")
        suggestions = self._section(
            self.suggestions_heading,
            self.suggestions_table,
            self.confirm_button,
            self.confirm_all_button,
        )

        # Statement lines the ledger lacks.
        self.lines_table = table("unmatchedLines", ["Date", "Statement line", "Amount"], 1, (2,))
        self.record_button = button(
            "Record as…",
            "recordLine",
            "Record the line in the ledger as a bank charge, interest, a transfer or a donation",
        )
        self.record_button.clicked.connect(lambda _c=False: self.record_line())
        self.match_button = button(
            "Match by hand…", "matchByHand", "Match the line with a ledger entry you choose"
        )
        self.match_button.clicked.connect(lambda _c=False: self.match_by_hand())
        self.lines_heading = heading("Statement lines not in the ledger")
        lines = self._section(
            self.lines_heading, self.lines_table, self.record_button, self.match_button
        )

        # Entries the bank has not shown.
        self.entries_table = table("unmatchedEntries", ["Date", "Ledger entry", "Amount"], 1, (2,))
        self.entries_heading = heading("Ledger entries not on the statement")
        entries = self._section(self.entries_heading, self.entries_table)

        for widget in (self.suggestions_table, self.lines_table, self.entries_table):
            widget.itemSelectionChanged.connect(self._update_buttons)

        lists = QSplitter(Qt.Orientation.Vertical)
        lists.setChildrenCollapsible(False)
        lists.addWidget(suggestions)
        lists.addWidget(lines)
        lists.addWidget(entries)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(row(self.import_button, self.matched_button, None))
        left_layout.addWidget(summary_box)
        left_layout.addStretch(1)
        left.setMinimumWidth(380)
        left.setMaximumWidth(460)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(12)
        layout.addWidget(left)
        layout.addWidget(lists, 1)
        self._update_buttons()

    @staticmethod
    def _section(title: QLabel, widget: QTableWidget, *buttons: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 4)
        column.setSpacing(4)
        column.addLayout(row(title, None, *buttons))
        column.addWidget(widget, 1)
        return box

    # -- reading ---------------------------------------------------------------------------------

    def set_fund(self, summary: FundSummary | None) -> None:
        self.summary = summary
        self.fund_id = summary.id if summary else None

    def refresh(self) -> None:
        if self.fund_id is None:
            return
        self._generation += 1
        generation, db, fund_id = self._generation, self.ctx.db, self.fund_id

        def done(overview: Overview) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._show(overview)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.state_label.setText(
                    f"The reconciliation could not be read: {read_error_text(exc)}"
                )

        self.ctx.worker.run(
            lambda: read_overview(db, fund_id), on_done=done, on_error=failed, quiet=True
        )

    def _show(self, overview: Overview) -> None:
        self.overview = overview
        rec = overview.reconciliation
        f = self.figures
        statement = rec.statement_balance
        on = f" on {short_date(rec.as_of)}" if rec.as_of else ""
        lines_total = rec.not_in_ledger_total
        entries_total = rec.not_on_statement_total
        f["statement"].setText(str(statement) if statement is not None else "—")
        f["ledger"].setText(str(rec.ledger_balance))
        f["difference"].setText(str(rec.difference) if rec.difference is not None else "—")
        f["brought_forward"].setText(_signed(rec.brought_forward) if rec.brought_forward else "—")
        f["not_on_statement"].setText(_signed(-entries_total) if entries_total else "—")
        f["not_in_ledger"].setText(_signed(lines_total) if lines_total else "—")
        unexplained = rec.unexplained
        f["unexplained"].setText(str(unexplained) if unexplained is not None else "—")
        if statement is None and rec.as_of is None:
            self.state_label.setText(
                "No bank statement imported yet. Download one from online banking (OFX, or "
                "CSV) and press Import statement… to check the ledger against the bank."
            )
            self.state_label.setStyleSheet("")
        elif statement is None:
            self.state_label.setText(
                "The statements imported give no closing balance, so the balances cannot be "
                "compared; the lines can still be matched."
            )
            self.state_label.setStyleSheet("")
        elif unexplained is not None and unexplained != ZERO:
            self.state_label.setText(
                f"Not reconciled{on}: {unexplained} of the difference is not explained by the "
                "items listed. Look for a line or entry missing from either side."
            )
            self.state_label.setStyleSheet(BAD_STYLE)
        elif not rec.reconciled:
            # Explained, but only because the ledger still lacks (or has not matched) lines.
            self.state_label.setText(
                f"Not reconciled yet{on}: {plural(rec.not_in_ledger_count, 'statement line')} "
                "not matched with the ledger. Confirm the suggested matches, or record each "
                "line (a bank charge, interest, a donation) or match it by hand."
            )
            self.state_label.setStyleSheet(WARNING_STYLE)
        else:
            ledger = rec.ledger_balance
            text = f"✓ Reconciled{on}: the bank's {statement} "
            if statement == ledger:
                text += "agrees with the ledger."
            else:
                text += (
                    f"and the ledger's {ledger} differ only by "
                    f"{plural(rec.not_on_statement_count, 'entry', 'entries')} the bank has not "
                    "shown yet."
                )
            self.state_label.setText(text)
            self.state_label.setStyleSheet(OK_STYLE)

        self.suggestions_table.setRowCount(len(overview.suggestions))
        for n, s in enumerate(overview.suggestions):
            self.suggestions_table.setItem(n, 0, date_cell(s.line_date, (s.line_id, s.entry_id)))
            self.suggestions_table.setItem(n, 1, cell(s.line_text))
            self.suggestions_table.setItem(n, 2, money_cell(s.line_amount))
            self.suggestions_table.setItem(n, 3, date_cell(s.entry_date))
            self.suggestions_table.setItem(n, 4, cell(f"{s.entry_id}: {s.entry_text}"))
            self.suggestions_table.setItem(n, 5, cell(s.reason))
        self.suggestions_heading.setText(f"Suggested matches ({len(overview.suggestions)})")
        items = rec.not_in_ledger
        self.lines_table.setRowCount(len(items))
        for n, item in enumerate(items):
            self.lines_table.setItem(n, 0, date_cell(item.posted_on, item.id))
            self.lines_table.setItem(n, 1, cell(item.text))
            self.lines_table.setItem(n, 2, money_cell(item.amount))
        self.lines_heading.setText(
            f"Statement lines not in the ledger ({_count(len(items), rec.not_in_ledger_count)})"
        )
        entries = rec.not_on_statement
        self.entries_table.setRowCount(len(entries))
        for n, item in enumerate(entries):
            self.entries_table.setItem(n, 0, date_cell(item.posted_on, item.id))
            self.entries_table.setItem(n, 1, cell(f"{item.id}: {item.text}"))
            self.entries_table.setItem(n, 2, money_cell(item.amount))
        self.entries_heading.setText(
            "Ledger entries not on the statement "
            f"({_count(len(entries), rec.not_on_statement_count)})"
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self._importing and self.fund_id is not None
        self.import_button.setEnabled(idle)
        self.matched_button.setEnabled(idle)
        has_suggestions = self.suggestions_table.rowCount() > 0
        self.confirm_button.setEnabled(idle and selected_data(self.suggestions_table) is not None)
        self.confirm_all_button.setEnabled(idle and has_suggestions)
        line_chosen = selected_data(self.lines_table) is not None
        self.record_button.setEnabled(idle and line_chosen)
        self.match_button.setEnabled(idle and line_chosen)

    # -- matching --------------------------------------------------------------------------------

    def _match(self, pairs: list[tuple[int, int]]) -> None:
        """Match the pairs in one transaction, off the GUI thread (a BACS run can be hundreds)."""
        db = self.ctx.db
        self._importing = True  # no second import or match while this one runs
        self._update_buttons()

        def done(problems: list[str]) -> None:
            if not shiboken6.isValid(self):
                return
            self._importing = False
            if problems:
                self.ctx.dialogs.error(self, "Not all matched", "\n".join(problems[:20]))
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._importing = False
            self._update_buttons()
            self.ctx.dialogs.error(self, "Not matched", read_error_text(exc))

        self.ctx.worker.run(lambda: match_many(db, pairs), on_done=done, on_error=failed)

    def confirm_match(self) -> None:
        pair = selected_data(self.suggestions_table)
        if pair is not None:
            self._match([tuple(pair)])

    def confirm_all(self) -> None:
        if self.overview is None or not self.overview.suggestions:
            return
        pairs = [(s.line_id, s.entry_id) for s in self.overview.suggestions]
        if not self.ctx.dialogs.confirm(
            self,
            "Confirm all matches",
            f"Reconcile all {plural(len(pairs), 'suggested pair')}? Check them first: each "
            "pairs a statement line with a ledger entry of the same amount.",
            yes="Confirm all",
        ):
            return
        self._match(pairs)

    def _chosen_line(self) -> tuple[int, date, Money, str] | None:
        line_id = selected_data(self.lines_table)
        if line_id is None or self.overview is None:
            return None
        item = next(
            (i for i in self.overview.reconciliation.not_in_ledger if i.id == line_id),
            None,
        )
        if item is None:
            return None
        return item.id, item.posted_on, item.amount, item.text

    def record_line(self) -> None:
        chosen = self._chosen_line()
        if chosen is None:
            return
        dialog = RecordLineDialog(self.ctx, *chosen, parent=self)
        saved = run_dialog(self.ctx, dialog)
        if saved or dialog.stale:
            self.changed.emit()

    def show_matched(self) -> None:
        if self.fund_id is None:
            return
        dialog = UnmatchDialog(self.ctx, self.fund_id, parent=self)
        if run_dialog(self.ctx, dialog) or dialog.stale:
            self.changed.emit()

    def match_by_hand(self) -> None:
        chosen = self._chosen_line()
        if chosen is None or self.fund_id is None:
            return
        dialog = MatchDialog(self.ctx, self.fund_id, *chosen, parent=self)
        saved = run_dialog(self.ctx, dialog)
        if saved or dialog.stale:
            self.changed.emit()

    # -- importing -------------------------------------------------------------------------------

    def _set_importing(self, on: bool) -> None:
        self._importing = on
        self._update_buttons()

    def import_statement(self, path: Path | None = None) -> None:
        if self.fund_id is None:
            return
        path = path or self.ctx.dialogs.open_file(self, "Import a bank statement", STATEMENT_FILTER)
        if path is None:
            return
        self._read(Path(path), None)

    def _read(self, path: Path, profile: CsvProfile | None) -> None:
        db, fund_id = self.ctx.db, self.fund_id
        assert fund_id is not None
        self._set_importing(True)

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._set_importing(False)
            self._read_failed(path, profile, exc)

        def cancelled() -> None:
            if shiboken6.isValid(self):
                self._set_importing(False)

        self.ctx.worker.run_with_progress(
            lambda _progress: read_for_fund(db, fund_id, path, profile),
            parent=self,
            title="Import a bank statement",
            label=f"Reading {path.name}…",
            on_done=lambda statement: self._confirm(path, profile, statement),
            on_error=failed,
            on_cancelled=cancelled,
            discard_if_cancelled=True,
        )

    def _read_failed(self, path: Path, profile: CsvProfile | None, exc: BaseException) -> None:
        if isinstance(exc, BankFileError) and profile is None and "column mapping" in str(exc):
            self._choose_layout(path)
            return
        if isinstance(exc, BankFileError):
            problems = list(exc.problems)
            shown = "\n".join(f"• {p}" for p in problems[:SHOWN_WARNINGS])
            if len(problems) > SHOWN_WARNINGS:
                shown += f"\n… and {len(problems) - SHOWN_WARNINGS} more"
            self.ctx.dialogs.error(
                self,
                "Not imported",
                f"Nothing was imported from {path.name}:\n{shown}",
            )
        elif isinstance(exc, StatementRefused):
            self.ctx.dialogs.error(self, "Not imported", str(exc))
        else:
            self.ctx.dialogs.error(self, "Not imported", f"Nothing was imported: {error_text(exc)}")

    def _choose_layout(self, path: Path) -> None:
        try:
            headings, sample = csv_preview(path)
        except OSError as exc:
            self.ctx.dialogs.error(self, "Not imported", error_text(exc))
            return
        known = saved_layout_for(self.ctx.db, headings)
        if known is not None:
            self._read(path, known)
            return
        dialog = MappingDialog(self.ctx, path.name, headings, sample, parent=self)
        if run_dialog(self.ctx, dialog) and dialog.profile is not None:
            self._read(path, dialog.profile)

    def _confirm(self, path: Path, profile: CsvProfile | None, s: Statement) -> None:
        if not shiboken6.isValid(self):
            return
        count = len(s.lines)
        text = [f"{path.name} holds {plural(count, 'transaction')}"]
        if s.starts_on and s.ends_on:
            text[0] += f" from {short_date(s.starts_on)} to {short_date(s.ends_on)}"
        text[0] += "."
        if s.closing_balance is not None:
            text.append(
                f"Closing balance {s.closing_balance} on {short_date(s.closing_balance_on)}."
            )
        if profile is not None:
            text.append(f"Columns read with the layout “{profile.name}”.")
        warnings = list(s.warnings)
        if warnings:
            text.append(f"\n{plural(len(warnings), 'warning')}:")
            text += [f"• {w}" for w in warnings[:SHOWN_WARNINGS]]
            if len(warnings) > SHOWN_WARNINGS:
                text.append(f"… and {len(warnings) - SHOWN_WARNINGS} more")
        text.append(
            "\nLines imported before are skipped. Lines that match a ledger entry without "
            "doubt are matched at once; the rest are listed for you."
        )
        if not self.ctx.dialogs.confirm(
            self, "Import a bank statement", "\n".join(text), yes="Import"
        ):
            self._set_importing(False)
            return
        db, fund_id = self.ctx.db, self.fund_id

        def done(r: StatementImport) -> None:
            if not shiboken6.isValid(self):
                return
            self._set_importing(False)
            self.changed.emit()
            message = (
                f"{plural(r.imported, 'line')} imported, "
                f"{r.matched:,} matched with the ledger at once."
            )
            if r.already_imported:
                message += f" {r.already_imported:,} imported before were skipped."
            self.ctx.dialogs.info(self, "Statement imported", message)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self._set_importing(False)
                self._read_failed(path, profile, exc)

        self.ctx.worker.run_with_progress(
            lambda _progress: import_statement(db, fund_id, path, profile),
            parent=self,
            title="Import a bank statement",
            label=f"Importing {path.name}…",
            on_done=done,
            on_error=failed,
        )


def _count(shown: int, total: int) -> str:
    """ "12", or "the first 500 of 1,204" when the list is cut short."""
    return f"{total:,}" if shown == total else f"the first {shown:,} of {total:,}"
