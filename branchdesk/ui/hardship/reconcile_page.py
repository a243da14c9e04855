"""Reconciliation: the bank's balance against the ledger's, and what explains the difference.

Import statement… reads an OFX or CSV download in the background and says what it holds before
anything is imported; a CSV in a layout BranchDesk does not know gets a column mapping (which
can be remembered for next time). Then the page lists the matches proposed for the treasurer
to confirm, the statement lines the ledger lacks (recorded as a bank charge, interest or a
donation, or matched by hand), and the entries the bank has not shown yet. Before any statement
is imported, the page says how to start, with a link to the guide.
"""

from __future__ import annotations

import csv
import html
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

from branchdesk.exports.text import short_date
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
    guide_link,
    heading,
    money_cell,
    muted,
    row,
    run_dialog,
    selected_data,
    table,
)
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.table_model import read_error_text

STATEMENT_FILTER = QT_TRANSLATE_NOOP(
    "hardship.reconcile_page", "Bank statements (*.ofx *.qfx *.csv *.txt);;All files (*)"
)
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
        super().__init__(
            ctx, translate("hardship.reconcile_page", "Which column is which?"), parent
        )
        self.profile: CsvProfile | None = None
        intro_text = translate(
            "hardship.reconcile_page",
            "BranchDesk does not know the layout of {file}. Say which column holds what; the "
            "first rows of the file are shown to help.",
        )
        intro = QLabel(intro_text.format(file=file_name))
        intro.setWordWrap(True)
        self.layout_.insertWidget(0, intro)
        untitled = translate("hardship.reconcile_page", "(column {n})")
        shown = [h or untitled.format(n=n + 1) for n, h in enumerate(headings)]
        preview = QTableWidget(len(sample), len(headings))
        preview.setObjectName("csvPreview")
        preview.setAccessibleName(
            translate("hardship.reconcile_page", "The first rows of the statement")
        )
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
            box.addItem(
                translate("hardship.reconcile_page", "(none)")
                if optional
                else translate("hardship.reconcile_page", "(choose a column)"),
                "",
            )
            for heading_text in self.headings:
                box.addItem(heading_text, heading_text)
            return box

        self.date_box = choice(False)
        self.format_box = QComboBox()
        for fmt, example in DATE_FORMATS.items():
            self.format_box.addItem(example, fmt)
        self.description_box = choice(False)
        self.one_radio = QRadioButton(
            translate("hardship.reconcile_page", "One amount column (money out negative)")
        )
        self.two_radio = QRadioButton(
            translate("hardship.reconcile_page", "Separate money in and money out columns")
        )
        self.one_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.one_radio)
        group.addButton(self.two_radio)
        self.amount_box = choice(True)
        self.credit_box = choice(True)
        self.debit_box = choice(True)
        self.balance_box = choice(True)
        self.reference_box = choice(True)
        self.name_edit = line(
            "", translate("hardship.reconcile_page", "e.g. Unity Trust current account")
        )
        self.remember_check = QCheckBox(
            translate("hardship.reconcile_page", "Remember this layout for the next statement")
        )
        self.remember_check.setChecked(True)
        self._guess()

        kind = QWidget()
        kind_row = QVBoxLayout(kind)
        kind_row.setContentsMargins(0, 0, 0, 0)
        kind_row.setSpacing(2)
        kind_row.addWidget(self.one_radio)
        kind_row.addWidget(self.two_radio)
        self.add_field("date_column", translate("hardship.reconcile_page", "Date"), self.date_box)
        self.add_field(
            "date_format", translate("hardship.reconcile_page", "Dates look like"), self.format_box
        )
        self.add_field(
            "description_column",
            translate("hardship.reconcile_page", "Description"),
            self.description_box,
        )
        self.add_field(
            "amounts", translate("hardship.reconcile_page", "Amounts"), self.one_radio, kind
        )
        self.add_field(
            "amount_column", translate("hardship.reconcile_page", "Amount"), self.amount_box
        )
        self.add_field(
            "credit_column", translate("hardship.reconcile_page", "Money in"), self.credit_box
        )
        self.add_field(
            "debit_column", translate("hardship.reconcile_page", "Money out"), self.debit_box
        )
        self.add_field(
            "balance_column",
            translate("hardship.reconcile_page", "Balance (if any)"),
            self.balance_box,
        )
        self.add_field(
            "reference_column",
            translate("hardship.reconcile_page", "Reference (if any)"),
            self.reference_box,
        )
        self.add_field(
            "name", translate("hardship.reconcile_page", "Name of the layout"), self.name_edit
        )
        self.add_field("remember", "", self.remember_check)
        self.one_radio.toggled.connect(lambda _c: self._amounts_changed())
        self.save_button.setText(translate("hardship.reconcile_page", "Import"))
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
            errors["name"] = translate(
                "hardship.reconcile_page", "Give the layout a name to remember it by."
            )

        def chosen(box: QComboBox) -> str | None:
            return str(box.currentData() or "") or None

        profile = CsvProfile(
            name=name or translate("hardship.reconcile_page", "Chosen by hand"),
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
        super().__init__(
            ctx,
            translate("hardship.reconcile_page", "Record a statement line in the ledger"),
            parent,
        )
        self.line_id = line_id
        self.entry_id: int | None = None
        money_in = amount > ZERO
        facts = (
            translate("hardship.reconcile_page", "{date}: {text}, <b>{amount} paid in</b>")
            if money_in
            else translate("hardship.reconcile_page", "{date}: {text}, <b>{amount} paid out</b>")
        )
        what = QLabel(
            facts.format(
                date=html.escape(short_date(posted_on)),
                text=html.escape(text or translate("hardship.reconcile_page", "(no description)")),
                amount=html.escape(str(amount if money_in else -amount)),
            )
        )
        what.setWordWrap(True)
        self.layout_.insertWidget(0, what)
        codes = (
            ("donation", "interest", "transfer_in") if money_in else ("bank_charge", "transfer_out")
        )
        kinds = {code: ENTRY_KINDS[code] for code in codes}
        self.kind_box = combo(kinds, "donation" if money_in else "bank_charge")
        self.description_edit = line(text, translate("hardship.reconcile_page", "what it was"))
        self.donor_kind_box = combo(DONOR_KINDS, "anonymous")
        self.donor_name_edit = line("", translate("hardship.reconcile_page", "the donor's name"))
        self.add_field("kind", translate("hardship.reconcile_page", "Record as"), self.kind_box)
        self.add_field(
            "description", translate("hardship.reconcile_page", "Details"), self.description_edit
        )
        self.add_field(
            "donor_kind", translate("hardship.reconcile_page", "Donor"), self.donor_kind_box
        )
        self.add_field(
            "donor_name", translate("hardship.reconcile_page", "Donor's name"), self.donor_name_edit
        )
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
            raise ValidationError(
                {
                    "donor_name": translate(
                        "hardship.reconcile_page", "Give the donor's name, or choose Anonymous."
                    )
                }
            )
        self.entry_id = record_line(
            self.ctx.db, self.line_id, kind, self.description_edit.text(), donor_kind, name
        )


class UnmatchDialog(FormDialog):
    """The lines matched most recently; a wrong match is undone here (nothing is deleted: the
    line and the entry are simply open again)."""

    what = "statement line"

    def __init__(self, ctx: AppContext, fund_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx, translate("hardship.reconcile_page", "Matched statement lines"), parent
        )
        self.matched = matched_lines(ctx.db, fund_id)
        self.matched_table = table(
            "matchedLines",
            [
                translate("hardship.reconcile_page", "Date"),
                translate("hardship.reconcile_page", "Statement line"),
                translate("hardship.reconcile_page", "Amount"),
                translate("hardship.reconcile_page", "Ledger entry"),
                translate("hardship.reconcile_page", "Matched by"),
            ],
            3,
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
            translate(
                "hardship.reconcile_page",
                "The lines matched most recently first. Unmatching puts the line and the entry "
                "back in the lists to match again.",
            )
            if self.matched
            else translate("hardship.reconcile_page", "No statement line has been matched yet.")
        )
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.matched_table)
        column.addWidget(note)
        self.add_field(
            "line", translate("hardship.reconcile_page", "Matched"), self.matched_table, box
        )
        self.save_button.setText(translate("hardship.reconcile_page", "Unmatch"))
        self.save_button.setEnabled(bool(self.matched))
        self.finish_layout()
        self.setMinimumWidth(1040)

    def write(self) -> None:
        line_id = selected_data(self.matched_table)
        if line_id is None:
            raise ValidationError(
                {"line": translate("hardship.reconcile_page", "Choose the line to unmatch.")}
            )
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
        super().__init__(ctx, translate("hardship.reconcile_page", "Match by hand"), parent)
        self.line_id = line_id
        facts = translate(
            "hardship.reconcile_page", "Statement line {date}: {text}, <b>{amount}</b>"
        )
        what = QLabel(
            facts.format(
                date=html.escape(short_date(posted_on)),
                text=html.escape(text or translate("hardship.reconcile_page", "(no description)")),
                amount=html.escape(_signed(amount)),
            )
        )
        what.setWordWrap(True)
        self.layout_.insertWidget(0, what)
        self.entries = unmatched_entries(ctx.db, fund_id, amount)
        self.entry_table = table(
            "matchCandidates",
            [
                translate("hardship.reconcile_page", "No."),
                translate("hardship.reconcile_page", "Date"),
                translate("hardship.reconcile_page", "Type"),
                translate("hardship.reconcile_page", "Details"),
            ],
            3,
        )
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
        note_text = (
            translate(
                "hardship.reconcile_page",
                "Ledger entries of {amount} not matched with a statement line yet.",
            )
            if self.entries
            else translate(
                "hardship.reconcile_page",
                "No ledger entry of {amount} is waiting to be matched. Record the line as a new "
                "entry instead; if the bank's figure differs from the ledger's, record the "
                "difference as its own entry.",
            )
        )
        note = muted(note_text.format(amount=_signed(amount)))
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.entry_table)
        column.addWidget(note)
        self.add_field(
            "entry", translate("hardship.reconcile_page", "Ledger entry"), self.entry_table, box
        )
        self.save_button.setText(translate("hardship.reconcile_page", "Match"))
        self.save_button.setEnabled(bool(self.entries))
        self.finish_layout()
        self.setMinimumWidth(640)

    def write(self) -> None:
        entry_id = selected_data(self.entry_table)
        if entry_id is None:
            raise ValidationError(
                {"entry": translate("hardship.reconcile_page", "Choose the ledger entry.")}
            )
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
            translate("hardship.reconcile_page", "Import statement…"),
            "importStatement",
            translate(
                "hardship.reconcile_page",
                "Read a statement downloaded from online banking (OFX or CSV) and match its lines",
            ),
            primary=True,
        )
        self.import_button.clicked.connect(lambda _c=False: self.import_statement())
        self.matched_button = button(
            translate("hardship.reconcile_page", "Matched…"),
            "matchedLines",
            translate(
                "hardship.reconcile_page", "See the lines already matched, and undo a wrong match"
            ),
        )
        self.matched_button.clicked.connect(lambda _c=False: self.show_matched())
        self.state_label = QLabel()
        self.state_label.setObjectName("reconcileState")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName(
            translate("hardship.reconcile_page", "Where the reconciliation stands")
        )
        # Before any statement is imported: how to start, in the guide.
        self.guide_link = guide_link(self)
        self.guide_link.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.guide_link.hide()

        self.figures: dict[str, QLabel] = {}
        figures = QGridLayout()
        figures.setHorizontalSpacing(18)
        figures.setVerticalSpacing(3)
        rows = (
            ("statement", translate("hardship.reconcile_page", "Statement balance")),
            ("ledger", translate("hardship.reconcile_page", "Ledger balance on the same day")),
            ("difference", translate("hardship.reconcile_page", "Difference")),
            ("explained", translate("hardship.reconcile_page", "Explained by")),
            ("brought_forward", translate("hardship.reconcile_page", "balance brought forward")),
            (
                "not_on_statement",
                translate("hardship.reconcile_page", "entries the bank has not shown yet"),
            ),
            (
                "not_in_ledger",
                translate("hardship.reconcile_page", "statement lines not in the ledger yet"),
            ),
            ("unexplained", translate("hardship.reconcile_page", "Unexplained")),
        )
        indented = ("brought_forward", "not_on_statement", "not_in_ledger")
        for n, (key, text) in enumerate(rows):
            # The parts of "Explained by" sit under it (the indent is layout, not text).
            label = QLabel(f"   {text}" if key in indented else text)
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
        summary_box = QGroupBox(translate("hardship.reconcile_page", "Bank against ledger"))
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.addWidget(self.state_label)
        summary_layout.addWidget(self.guide_link)
        summary_layout.addLayout(figures)

        # Suggested matches.
        self.suggestions_table = table(
            "suggestionsTable",
            [
                translate("hardship.reconcile_page", "Statement date"),
                translate("hardship.reconcile_page", "Statement line"),
                translate("hardship.reconcile_page", "Amount"),
                translate("hardship.reconcile_page", "Ledger date"),
                translate("hardship.reconcile_page", "Ledger entry"),
                translate("hardship.reconcile_page", "Why"),
            ],
            1,
            (2,),
            translate("hardship.reconcile_page", "Suggested matches"),
        )
        self.confirm_button = button(
            translate("hardship.reconcile_page", "Confirm match"),
            "confirmMatch",
            translate("hardship.reconcile_page", "Reconcile the chosen line with its ledger entry"),
        )
        self.confirm_button.clicked.connect(lambda _c=False: self.confirm_match())
        self.confirm_all_button = button(
            translate("hardship.reconcile_page", "Confirm all"),
            "confirmAll",
            translate("hardship.reconcile_page", "Reconcile every proposed pair listed"),
        )
        self.confirm_all_button.clicked.connect(lambda _c=False: self.confirm_all())
        self.suggestions_heading = heading(
            translate("hardship.reconcile_page", "Suggested matches")
        )
        suggestions = self._section(
            self.suggestions_heading,
            self.suggestions_table,
            self.confirm_button,
            self.confirm_all_button,
        )

        # Statement lines the ledger lacks.
        self.lines_table = table(
            "unmatchedLines",
            [
                translate("hardship.reconcile_page", "Date"),
                translate("hardship.reconcile_page", "Statement line"),
                translate("hardship.reconcile_page", "Amount"),
            ],
            1,
            (2,),
            translate("hardship.reconcile_page", "Statement lines not in the ledger"),
        )
        self.record_button = button(
            translate("hardship.reconcile_page", "Record as…"),
            "recordLine",
            translate(
                "hardship.reconcile_page",
                "Record the line in the ledger as a bank charge, interest, a transfer or a "
                "donation",
            ),
        )
        self.record_button.clicked.connect(lambda _c=False: self.record_line())
        self.match_button = button(
            translate("hardship.reconcile_page", "Match by hand…"),
            "matchByHand",
            translate("hardship.reconcile_page", "Match the line with a ledger entry you choose"),
        )
        self.match_button.clicked.connect(lambda _c=False: self.match_by_hand())
        self.lines_heading = heading(
            translate("hardship.reconcile_page", "Statement lines not in the ledger")
        )
        lines = self._section(
            self.lines_heading, self.lines_table, self.record_button, self.match_button
        )

        # Entries the bank has not shown.
        self.entries_table = table(
            "unmatchedEntries",
            [
                translate("hardship.reconcile_page", "Date"),
                translate("hardship.reconcile_page", "Ledger entry"),
                translate("hardship.reconcile_page", "Amount"),
            ],
            1,
            (2,),
            translate("hardship.reconcile_page", "Ledger entries not on the statement"),
        )
        self.entries_heading = heading(
            translate("hardship.reconcile_page", "Ledger entries not on the statement")
        )
        entries = self._section(self.entries_heading, self.entries_table)

        for widget in (self.suggestions_table, self.lines_table, self.entries_table):
            widget.itemSelectionChanged.connect(self._update_buttons)

        lists = QSplitter(Qt.Orientation.Vertical)
        lists.setObjectName("reconcileSplitter")
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
                text = translate(
                    "hardship.reconcile_page", "The reconciliation could not be read: {why}"
                )
                self.state_label.setText(text.format(why=read_error_text(exc)))

        self.ctx.worker.run(
            lambda: read_overview(db, fund_id), on_done=done, on_error=failed, quiet=True
        )

    def _show(self, overview: Overview) -> None:
        self.overview = overview
        rec = overview.reconciliation
        f = self.figures
        statement = rec.statement_balance
        as_of = short_date(rec.as_of) if rec.as_of else ""
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
        nothing_yet = statement is None and rec.as_of is None
        self.guide_link.setVisible(nothing_yet)
        if nothing_yet:
            self.state_label.setText(
                translate(
                    "hardship.reconcile_page",
                    "No bank statement imported yet. Download one from online banking (OFX, or "
                    "CSV) and press Import statement… to check the ledger against the bank.",
                )
            )
            self.state_label.setStyleSheet("")
        elif statement is None:
            self.state_label.setText(
                translate(
                    "hardship.reconcile_page",
                    "The statements imported give no closing balance, so the balances cannot be "
                    "compared; the lines can still be matched.",
                )
            )
            self.state_label.setStyleSheet("")
        elif unexplained is not None and unexplained != ZERO:
            text = (
                translate(
                    "hardship.reconcile_page",
                    "Not reconciled on {date}: {amount} of the difference is not explained by "
                    "the items listed. Look for a line or entry missing from either side.",
                )
                if as_of
                else translate(
                    "hardship.reconcile_page",
                    "Not reconciled: {amount} of the difference is not explained by the items "
                    "listed. Look for a line or entry missing from either side.",
                )
            )
            self.state_label.setText(text.format(date=as_of, amount=unexplained))
            self.state_label.setStyleSheet(BAD_STYLE)
        elif not rec.reconciled:
            # Explained, but only because the ledger still lacks (or has not matched) lines.
            self.state_label.setText(_not_yet_text(as_of, rec.not_in_ledger_count))
            self.state_label.setStyleSheet(WARNING_STYLE)
        else:
            self.state_label.setText(
                _reconciled_text(as_of, statement, rec.ledger_balance, rec.not_on_statement_count)
            )
            self.state_label.setStyleSheet(OK_STYLE)

        self.suggestions_table.setRowCount(len(overview.suggestions))
        for n, s in enumerate(overview.suggestions):
            self.suggestions_table.setItem(n, 0, date_cell(s.line_date, (s.line_id, s.entry_id)))
            self.suggestions_table.setItem(n, 1, cell(s.line_text))
            self.suggestions_table.setItem(n, 2, money_cell(s.line_amount))
            self.suggestions_table.setItem(n, 3, date_cell(s.entry_date))
            self.suggestions_table.setItem(n, 4, cell(f"{s.entry_id}: {s.entry_text}"))
            self.suggestions_table.setItem(n, 5, cell(s.reason))
        self.suggestions_heading.setText(
            translate("hardship.reconcile_page", "Suggested matches ({n})").format(
                n=f"{len(overview.suggestions):,}"
            )
        )
        items = rec.not_in_ledger
        self.lines_table.setRowCount(len(items))
        for n, item in enumerate(items):
            self.lines_table.setItem(n, 0, date_cell(item.posted_on, item.id))
            self.lines_table.setItem(n, 1, cell(item.text))
            self.lines_table.setItem(n, 2, money_cell(item.amount))
        self.lines_heading.setText(
            translate("hardship.reconcile_page", "Statement lines not in the ledger ({n})").format(
                n=_count(len(items), rec.not_in_ledger_count)
            )
        )
        entries = rec.not_on_statement
        self.entries_table.setRowCount(len(entries))
        for n, item in enumerate(entries):
            self.entries_table.setItem(n, 0, date_cell(item.posted_on, item.id))
            self.entries_table.setItem(n, 1, cell(f"{item.id}: {item.text}"))
            self.entries_table.setItem(n, 2, money_cell(item.amount))
        self.entries_heading.setText(
            translate(
                "hardship.reconcile_page", "Ledger entries not on the statement ({n})"
            ).format(n=_count(len(entries), rec.not_on_statement_count))
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
                self.ctx.dialogs.error(
                    self,
                    translate("hardship.reconcile_page", "Not all matched"),
                    "\n".join(problems[:20]),
                )
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._importing = False
            self._update_buttons()
            self.ctx.dialogs.error(
                self, translate("hardship.reconcile_page", "Not matched"), read_error_text(exc)
            )

        self.ctx.worker.run(lambda: match_many(db, pairs), on_done=done, on_error=failed)

    def confirm_match(self) -> None:
        pair = selected_data(self.suggestions_table)
        if pair is not None:
            self._match([tuple(pair)])

    def confirm_all(self) -> None:
        if self.overview is None or not self.overview.suggestions:
            return
        pairs = [(s.line_id, s.entry_id) for s in self.overview.suggestions]
        question = (
            translate(
                "hardship.reconcile_page",
                "Reconcile the 1 suggested pair? Check it first: it pairs a statement line with "
                "a ledger entry of the same amount.",
            )
            if len(pairs) == 1
            else translate(
                "hardship.reconcile_page",
                "Reconcile all {n} suggested pairs? Check them first: each pairs a statement "
                "line with a ledger entry of the same amount.",
            ).format(n=f"{len(pairs):,}")
        )
        if not self.ctx.dialogs.confirm(
            self,
            translate("hardship.reconcile_page", "Confirm all matches"),
            question,
            yes=translate("hardship.reconcile_page", "Confirm all"),
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
        path = path or self.ctx.dialogs.open_file(
            self,
            translate("hardship.reconcile_page", "Import a bank statement"),
            translate("hardship.reconcile_page", STATEMENT_FILTER),
        )
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
            title=translate("hardship.reconcile_page", "Import a bank statement"),
            label=translate("hardship.reconcile_page", "Reading {file}…").format(file=path.name),
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
                more = translate("hardship.reconcile_page", "… and {n} more")
                shown += "\n" + more.format(n=len(problems) - SHOWN_WARNINGS)
            text = translate(
                "hardship.reconcile_page", "Nothing was imported from {file}:\n{problems}"
            )
            self.ctx.dialogs.error(
                self,
                translate("hardship.reconcile_page", "Not imported"),
                text.format(file=path.name, problems=shown),
            )
        elif isinstance(exc, StatementRefused):
            self.ctx.dialogs.error(
                self, translate("hardship.reconcile_page", "Not imported"), str(exc)
            )
        else:
            text = translate("hardship.reconcile_page", "Nothing was imported: {why}")
            self.ctx.dialogs.error(
                self,
                translate("hardship.reconcile_page", "Not imported"),
                text.format(why=error_text(exc)),
            )

    def _choose_layout(self, path: Path) -> None:
        try:
            headings, sample = csv_preview(path)
        except OSError as exc:
            self.ctx.dialogs.error(
                self, translate("hardship.reconcile_page", "Not imported"), error_text(exc)
            )
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
        text = [_holds_text(path.name, s)]
        if s.closing_balance is not None:
            closing = translate("hardship.reconcile_page", "Closing balance {amount} on {date}.")
            text.append(
                closing.format(amount=s.closing_balance, date=short_date(s.closing_balance_on))
            )
        if profile is not None:
            layout = translate("hardship.reconcile_page", "Columns read with the layout “{name}”.")
            text.append(layout.format(name=profile.name))
        warnings = list(s.warnings)
        if warnings:
            text.append(
                "\n" + translate("hardship.reconcile_page", "1 warning:")
                if len(warnings) == 1
                else "\n"
                + translate("hardship.reconcile_page", "{n} warnings:").format(
                    n=f"{len(warnings):,}"
                )
            )
            text += [f"• {w}" for w in warnings[:SHOWN_WARNINGS]]
            if len(warnings) > SHOWN_WARNINGS:
                more = translate("hardship.reconcile_page", "… and {n} more")
                text.append(more.format(n=len(warnings) - SHOWN_WARNINGS))
        text.append(
            "\n"
            + translate(
                "hardship.reconcile_page",
                "Lines imported before are skipped. Lines that match a ledger entry without "
                "doubt are matched at once; the rest are listed for you.",
            )
        )
        if not self.ctx.dialogs.confirm(
            self,
            translate("hardship.reconcile_page", "Import a bank statement"),
            "\n".join(text),
            yes=translate("hardship.reconcile_page", "Import"),
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
                translate(
                    "hardship.reconcile_page",
                    "1 line imported, {matched} matched with the ledger at once.",
                )
                if r.imported == 1
                else translate(
                    "hardship.reconcile_page",
                    "{n} lines imported, {matched} matched with the ledger at once.",
                )
            ).format(n=f"{r.imported:,}", matched=f"{r.matched:,}")
            if r.already_imported:
                skipped = translate("hardship.reconcile_page", "{n} imported before were skipped.")
                message += " " + skipped.format(n=f"{r.already_imported:,}")
            self.ctx.dialogs.info(
                self, translate("hardship.reconcile_page", "Statement imported"), message
            )

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self._set_importing(False)
                self._read_failed(path, profile, exc)

        self.ctx.worker.run_with_progress(
            lambda _progress: import_statement(db, fund_id, path, profile),
            parent=self,
            title=translate("hardship.reconcile_page", "Import a bank statement"),
            label=translate("hardship.reconcile_page", "Importing {file}…").format(file=path.name),
            on_done=done,
            on_error=failed,
        )


def _count(shown: int, total: int) -> str:
    """ "12", or "the first 500 of 1,204" when the list is cut short."""
    if shown == total:
        return f"{total:,}"
    text = translate("hardship.reconcile_page", "the first {shown} of {total}")
    return text.format(shown=f"{shown:,}", total=f"{total:,}")


def _holds_text(file_name: str, s: Statement) -> str:
    """What a statement read holds: "x.csv holds 12 transactions from … to …"."""
    count, n = len(s.lines), f"{len(s.lines):,}"
    if s.starts_on and s.ends_on:
        text = (
            translate(
                "hardship.reconcile_page", "{file} holds 1 transaction from {start} to {end}."
            )
            if count == 1
            else translate(
                "hardship.reconcile_page", "{file} holds {n} transactions from {start} to {end}."
            )
        )
        return text.format(
            file=file_name, n=n, start=short_date(s.starts_on), end=short_date(s.ends_on)
        )
    text = (
        translate("hardship.reconcile_page", "{file} holds 1 transaction.")
        if count == 1
        else translate("hardship.reconcile_page", "{file} holds {n} transactions.")
    )
    return text.format(file=file_name, n=n)


def _not_yet_text(as_of: str, lines: int) -> str:
    """Explained, but with statement lines not matched with the ledger yet."""
    if as_of and lines == 1:
        text = translate(
            "hardship.reconcile_page",
            "Not reconciled yet on {date}: 1 statement line not matched with the ledger. "
            "Confirm the suggested matches, or record each line (a bank charge, interest, a "
            "donation) or match it by hand.",
        )
    elif as_of:
        text = translate(
            "hardship.reconcile_page",
            "Not reconciled yet on {date}: {n} statement lines not matched with the ledger. "
            "Confirm the suggested matches, or record each line (a bank charge, interest, a "
            "donation) or match it by hand.",
        )
    elif lines == 1:
        text = translate(
            "hardship.reconcile_page",
            "Not reconciled yet: 1 statement line not matched with the ledger. Confirm the "
            "suggested matches, or record each line (a bank charge, interest, a donation) or "
            "match it by hand.",
        )
    else:
        text = translate(
            "hardship.reconcile_page",
            "Not reconciled yet: {n} statement lines not matched with the ledger. Confirm the "
            "suggested matches, or record each line (a bank charge, interest, a donation) or "
            "match it by hand.",
        )
    return text.format(date=as_of, n=f"{lines:,}")


def _reconciled_text(as_of: str, statement: Money, ledger: Money, waiting: int) -> str:
    """The bank and the ledger agree, or differ only by entries the bank has not shown yet."""
    if statement == ledger:
        text = (
            translate(
                "hardship.reconcile_page",
                "✓ Reconciled on {date}: the bank's {statement} agrees with the ledger.",
            )
            if as_of
            else translate(
                "hardship.reconcile_page",
                "✓ Reconciled: the bank's {statement} agrees with the ledger.",
            )
        )
    elif as_of and waiting == 1:
        text = translate(
            "hardship.reconcile_page",
            "✓ Reconciled on {date}: the bank's {statement} and the ledger's {ledger} differ "
            "only by 1 entry the bank has not shown yet.",
        )
    elif as_of:
        text = translate(
            "hardship.reconcile_page",
            "✓ Reconciled on {date}: the bank's {statement} and the ledger's {ledger} differ "
            "only by {n} entries the bank has not shown yet.",
        )
    elif waiting == 1:
        text = translate(
            "hardship.reconcile_page",
            "✓ Reconciled: the bank's {statement} and the ledger's {ledger} differ only by 1 "
            "entry the bank has not shown yet.",
        )
    else:
        text = translate(
            "hardship.reconcile_page",
            "✓ Reconciled: the bank's {statement} and the ledger's {ledger} differ only by {n} "
            "entries the bank has not shown yet.",
        )
    return text.format(date=as_of, statement=statement, ledger=ledger, n=f"{waiting:,}")
