"""Hardship fund reports: the treasurer's ledger workbook, the income and expenditure statement
PDF, the payments list, and the CSV lists of the command line.

The ledger workbook adds up in Excel or LibreOffice by itself: the running balance is a formula
(the balance above, plus money in, less money out) and the In and Out columns end in SUM
formulas, so an auditor can check the arithmetic in the spreadsheet rather than trust it. The
named version carries members' names and is marked CONFIDENTIAL; the anonymised version shows
each member as a stable pseudonym ("Member 001", numbered by the member's first claim in the
fund) and names no individual donor.

The statement PDF names no member at all (payments to members are a count and a total), so it
carries no confidential marking. Every file is written atomically; user text is always a text
cell in a workbook (never a formula) and always escaped before it reaches reportlab markup. The
ledger and the payments are streamed from the database, never held whole, so a 200,000-entry
ledger exports in flat memory. openpyxl and reportlab are imported inside the functions.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from branchdesk.exports.report_parts import (
    check_suffix,
    facts_table,
    frame_width,
    report_styles,
    text_paragraph,
)
from branchdesk.exports.text import short_date
from branchdesk.exports.workbook import Formula, Sheet, write_workbook
from branchdesk.hardship.listing import ClaimFilter, ClaimListing
from branchdesk.hardship.queries import (
    FundInfo,
    IncomeExpenditure,
    LedgerRow,
    PaymentRow,
    donor_totals,
    fund_info,
    fund_lines,
    income_expenditure,
    ledger_rows,
    member_totals,
    payment_count,
    payment_rows,
)
from branchdesk.members.csvformat import cell_out
from branchdesk.money import ZERO, Money
from branchdesk.progress import Progress
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError
from branchdesk.store.listing import Column, rows_in_order

LEDGER_SUFFIXES = (".xlsx",)
STATEMENT_SUFFIXES = (".pdf",)
PAYMENTS_SUFFIXES = (".xlsx", ".pdf")

CONFIDENTIAL_TITLE = "CONFIDENTIAL: members' names"
ANONYMISED_TITLE = "anonymised: members shown as Member 001, Member 002…"


def _title(kind: str, fund: FundInfo, anonymised: bool) -> str:
    marking = ANONYMISED_TITLE if anonymised else CONFIDENTIAL_TITLE
    return f"{kind} — {fund.name} — {marking}"


def _period(fund: FundInfo) -> str:
    first = fund.first_posted or fund.starts_on
    last = fund.last_posted or date.today()
    return f"{short_date(first)} to {short_date(last)}"


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sum_foot(
    columns: Sequence[Column],
    label_at: int,
    summed: Sequence[int],
    extra: dict[int, str] | None = None,
) -> Callable[[int], list[Sequence[Any]]]:
    """A "Total" row: SUM formulas over the data rows of the `summed` columns (0-based), and
    `extra` formulas ({row} is the total row's number)."""
    from branchdesk.exports.xlsx import FIRST_DATA_ROW

    def foot(count: int) -> list[Sequence[Any]]:
        row: list[Any] = [None] * len(columns)
        row[label_at] = Formula("Total", "bold")
        if count == 0:
            return [row]
        first, last = FIRST_DATA_ROW, FIRST_DATA_ROW + count - 1
        for index in summed:
            letter = _col(index)
            sum_ = f"SUM({letter}{first}:{letter}{last})"
            if columns[index].kind == "money":
                # Rounded to the penny: spreadsheets add in floating point, and an auditor's
                # check of a total against the ledger's must come out exactly equal.
                row[index] = Formula(f"=ROUND({sum_},2)", "money_bold")
            else:
                row[index] = Formula(f"={sum_}", "int_bold")
        for index, formula in (extra or {}).items():
            row[index] = Formula(formula.format(row=last + 1), "money_bold")
        return [row]

    return foot


# --------------------------------------------------------------------------------------------
# The ledger workbook


def ledger_columns(anonymised: bool) -> tuple[Column, ...]:
    columns = [
        Column("id", "No.", "int", 8),
        Column("posted_on", "Date", "date", 11),
        Column("kind", "Type", "text", 18),
        Column("reference", "Reference", "text", 24),
        Column("description", "Details", "text", 40),
        Column("member", "Member", "text", 22),
        Column("member_number", "Number", "text", 13),
        Column("donor", "Donor", "text", 26),
        Column("money_in", "In", "money", 12),
        Column("money_out", "Out", "money", 12),
        Column("balance", "Balance", "money", 14),
    ]
    if anonymised:
        columns = [c for c in columns if c.key != "member_number"]
    return tuple(columns)


def _ledger_sheet(
    db: Database, fund: FundInfo, anonymised: bool, title: str, written: list[int]
) -> tuple[Sheet, Iterator[LedgerRow]]:
    """The Ledger sheet and the stream of entries behind it; `written[0]` counts them."""
    from branchdesk.exports.xlsx import FIRST_DATA_ROW

    columns = ledger_columns(anonymised)
    keys = [c.key for c in columns]
    at_in, at_out, at_balance = (
        keys.index("money_in"),
        keys.index("money_out"),
        keys.index("balance"),
    )
    col_in, col_out, col_balance = _col(at_in), _col(at_out), _col(at_balance)
    source = ledger_rows(db, fund.id, anonymised)

    def rows() -> Iterator[Sequence[Any]]:
        for n, entry in enumerate(source):
            r = FIRST_DATA_ROW + n
            previous = f"{col_balance}{r - 1}+" if n else ""
            values: list[Any] = [
                entry.id,
                entry.posted_on,
                entry.kind_label,
                entry.reference,
                entry.description,
                entry.member,
            ]
            if not anonymised:
                values.append(entry.member_number)
            values += [
                entry.donor,
                entry.money_in,
                entry.money_out,
                Formula(f"=ROUND({previous}{col_in}{r}-{col_out}{r},2)", "money"),
            ]
            written[0] += 1
            yield values

    sheet = Sheet(
        "Ledger",
        title,
        f"{_period(fund)} — {fund.entries:,} entries in the order they were recorded; the "
        "balance and totals are formulas",
        columns,
        rows(),
        _sum_foot(
            columns,
            keys.index("description"),
            (at_in, at_out),
            {at_balance: f"=ROUND({col_in}{{row}}-{col_out}{{row}},2)"},
        ),
        fund.entries,
    )
    return sheet, source


def member_columns(anonymised: bool) -> tuple[Column, ...]:
    columns = [
        Column("member", "Member", "text", 26),
        Column("member_number", "Number", "text", 13),
        Column("claims", "Claims", "int", 9),
        Column("approved", "Approved", "money", 13),
        Column("paid", "Paid", "money", 13),
        Column("owed", "Still owed", "money", 13),
    ]
    if anonymised:
        columns = [c for c in columns if c.key != "member_number"]
    return tuple(columns)


DONOR_COLUMNS: tuple[Column, ...] = (
    Column("donor", "Donor", "text", 36),
    Column("kind", "Kind of donor", "text", 28),
    Column("donations", "Donations", "int", 11),
    Column("total", "Total", "money", 14),
)


def _refuse_a_ledger_that_does_not_add_up(db: Database, fund_id: int) -> None:
    """An export is evidence for an auditor: a ledger whose running balances or reversals do
    not agree with its entries (changed outside BranchDesk) is reported, not exported."""
    from branchdesk.hardship.ledger import check_fund
    from branchdesk.hardship.models import Fund

    with db.read() as session:
        fund = session.get(Fund, fund_id)
        if fund is None:
            return
        problems = check_fund(session, fund).problems
    if problems:
        raise StoreError(
            f"The ledger of '{fund.name}' does not add up, so nothing was exported: "
            f"{problems[0]}. Run 'branchdesk check', and restore from a backup."
        )


def write_ledger_xlsx(
    db: Database,
    fund_id: int,
    path: str | os.PathLike[str],
    anonymised: bool = False,
    progress: Progress | None = None,
    *,
    branch_name: str = "",
) -> int:
    """The treasurer's ledger workbook: sheets Ledger (every entry, running balance and totals
    as formulas), Members (claims, approved, paid) and Donors. Returns the entries written."""
    out = Path(path)
    check_suffix(out, LEDGER_SUFFIXES)
    _refuse_a_ledger_that_does_not_add_up(db, fund_id)
    fund = fund_info(db, fund_id)
    heading = _title("Hardship fund ledger", fund, anonymised)
    if branch_name:
        heading = f"{heading} — {branch_name}"

    members = member_totals(db, fund_id, anonymised)
    member_cols = member_columns(anonymised)
    member_keys = [c.key for c in member_cols]
    member_rows = [
        [
            m.member,
            *([] if anonymised else [m.member_number]),
            m.claims,
            m.approved,
            m.paid,
            m.owed,
        ]
        for m in members
    ]
    donors = donor_totals(db, fund_id, anonymised)
    donor_rows = [[d.donor, d.kind_label, d.donations, d.total] for d in donors]

    written = [0]
    ledger, source = _ledger_sheet(db, fund, anonymised, heading, written)
    sheets = [
        ledger,
        Sheet(
            "Members",
            heading,
            "What each member has claimed, been approved and been paid (net of reversals)",
            member_cols,
            member_rows,
            _sum_foot(
                member_cols,
                0,
                [member_keys.index(k) for k in ("claims", "approved", "paid", "owed")],
            ),
            len(member_rows),
        ),
        Sheet(
            "Donors",
            heading,
            "Donations by donor, net of donations reversed"
            + (" (individual donors not named)" if anonymised else ""),
            DONOR_COLUMNS,
            donor_rows,
            _sum_foot(DONOR_COLUMNS, 0, (2, 3)),
            len(donor_rows),
        ),
    ]
    try:
        write_workbook(out, heading, sheets, progress, recalculate=True, ruled_totals=True)
    finally:
        source.close()  # releases the read session if the export stopped part-way
    return written[0]


# --------------------------------------------------------------------------------------------
# The income and expenditure statement


def _statement_styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    from branchdesk.exports.pdf import BOLD

    styles = report_styles()
    body = styles["body"]
    styles.update(
        {
            "line": ParagraphStyle("line", parent=body, fontSize=9.5, leading=12),
            "line_indent": ParagraphStyle(
                "line_indent", parent=body, fontSize=9.5, leading=12, leftIndent=12
            ),
            "line_bold": ParagraphStyle(
                "line_bold", parent=body, fontName=BOLD, fontSize=9.5, leading=12
            ),
            "amount": ParagraphStyle("amount", parent=body, fontSize=9.5, leading=12, alignment=2),
            "amount_bold": ParagraphStyle(
                "amount_bold", parent=body, fontName=BOLD, fontSize=9.5, leading=12, alignment=2
            ),
            "section": ParagraphStyle(
                "section", parent=body, fontName=BOLD, fontSize=9.5, leading=12, spaceBefore=4
            ),
        }
    )
    return styles


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


def _statement_table(figures: IncomeExpenditure, styles: dict[str, Any], width: float) -> Any:
    """Label, item amount, total: the layout of a club's or a charity's accounts."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table

    from branchdesk.exports.pdf import GRID, INK, RULE

    rows: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = []

    def add(
        label: str, item: Money | None = None, total: Money | None = None, kind: str = ""
    ) -> None:
        style = {
            "": styles["line_indent"],
            "head": styles["section"],
            "bold": styles["line_bold"],
        }[kind]
        amount_style = styles["amount_bold"] if kind == "bold" else styles["amount"]
        rows.append(
            [
                text_paragraph(label, style),
                text_paragraph(item.format(), styles["amount"]) if item is not None else "",
                text_paragraph(total.format(), amount_style) if total is not None else "",
            ]
        )

    f = figures
    add(f"Opening balance on {short_date(f.start)}", total=f.opening, kind="bold")
    add("Income", kind="head")
    if not f.donations:
        add("Donations", ZERO)
    for line in f.donations:
        add(f"Donations: {line.label} ({_plural(line.donations, 'donation')})", line.total)
    if f.interest:
        add("Bank interest", f.interest)
    if f.transfers_in:
        add("Transfers in", f.transfers_in)
    if f.other > ZERO:
        add("Other income", f.other)
    add("Total income", total=f.total_income, kind="bold")
    commands.append(("LINEABOVE", (2, len(rows) - 1), (2, len(rows) - 1), 0.5, HexColor(RULE)))
    add("Expenditure", kind="head")
    add(
        f"Payments to members ({_plural(f.payments_count, 'payment')} to "
        f"{_plural(f.members_paid, 'member')})",
        f.payments,
    )
    add("Bank charges", f.bank_charges)
    if f.transfers_out:
        add("Transfers out", f.transfers_out)
    if f.other < ZERO:
        add("Other expenditure", -f.other)
    add("Total expenditure", total=f.total_expenditure, kind="bold")
    commands.append(("LINEABOVE", (2, len(rows) - 1), (2, len(rows) - 1), 0.5, HexColor(RULE)))
    surplus = f.surplus
    add(
        "Surplus for the period" if surplus >= ZERO else "Deficit for the period",
        total=surplus,
        kind="bold",
    )
    add(f"Closing balance on {short_date(f.end)}", total=f.closing, kind="bold")
    last = len(rows) - 1
    commands += [
        ("LINEABOVE", (0, last), (-1, last), 0.75, HexColor(INK)),
        ("LINEBELOW", (0, last), (-1, last), 1.5, HexColor(INK)),
    ]
    table = Table(rows, colWidths=[width * 0.62, width * 0.19, width * 0.19], hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -2), 0.25, HexColor(GRID)),
            *commands,
        ]
    )
    return table


def _bank_story(figures: IncomeExpenditure, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table

    from branchdesk.exports.pdf import GRID, INK

    bank = figures.bank
    story: list[Any] = [text_paragraph("Reconciliation with the bank", styles["h2"])]
    if bank is None or bank.as_of is None:
        story.append(
            text_paragraph(
                "No bank statement has been imported for this fund, so its balance has not been "
                "checked against the bank's.",
                styles["body"],
            )
        )
        return story
    when = short_date(bank.as_of)
    rows: list[list[Any]] = []

    def add(label: str, amount: Money | None, bold: bool = False) -> None:
        rows.append(
            [
                text_paragraph(label, styles["line_bold" if bold else "line"]),
                text_paragraph(
                    amount.format() if amount is not None else "not given",
                    styles["amount_bold" if bold else "amount"],
                ),
            ]
        )

    add(f"Balance on the latest bank statement, {when}", bank.statement_balance)
    add(f"Balance of the ledger on {when}", bank.ledger_balance)
    add("Difference (statement less ledger)", bank.difference, bold=True)
    # Each kind of open item as what it adds to the difference, so they add up to it.
    add(
        "Explained by: ledger entries the bank has not shown yet "
        f"({_plural(bank.not_on_statement_count, 'entry')})",
        -bank.not_on_statement_total,
    )
    add(
        "Explained by: statement lines not yet in the ledger "
        f"({_plural(bank.not_in_ledger_count, 'line')})",
        bank.not_in_ledger_total,
    )
    if bank.brought_forward:
        add("Explained by: money the account held before the ledger began", bank.brought_forward)
    unexplained = bank.unexplained
    if unexplained is None:
        result, amount = "Not checked: the latest statement gives no closing balance", None
    elif unexplained != ZERO:
        result, amount = "Not reconciled: unexplained difference", unexplained
    elif bank.reconciled:
        result, amount = "Reconciled: the difference is fully explained by the items above", ZERO
    else:
        lines = _plural(bank.not_in_ledger_count, "statement line")
        result = f"Explained, not yet reconciled: {lines} to record in the ledger"
        amount = ZERO
    add(result, amount, bold=True)
    table = Table(rows, colWidths=[width * 0.75, width * 0.25], hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
            ("LINEABOVE", (0, -1), (-1, -1), 0.75, HexColor(INK)),
        ]
    )
    story.append(table)
    if bank.as_of != figures.end:
        story.append(
            text_paragraph(
                f"The latest statement runs to {when}; the period of this statement ends on "
                f"{short_date(figures.end)}.",
                styles["note"],
            )
        )
    return story


def _signatures(styles: dict[str, Any], width: float) -> Any:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import KeepTogether, Spacer, Table

    from branchdesk.exports.pdf import INK

    label_w, line_w, gap = width * 0.12, width * 0.34, width * 0.08
    rows: list[list[Any]] = [
        [
            text_paragraph("Treasurer", styles["line_bold"]),
            "",
            "",
            text_paragraph("Auditor", styles["line_bold"]),
            "",
        ],
    ]
    for label in ("Name", "Signature", "Date"):
        rows.append(
            [
                text_paragraph(label, styles["line"]),
                "",
                "",
                text_paragraph(label, styles["line"]),
                "",
            ]
        )
    table = Table(
        rows,
        colWidths=[label_w, line_w, gap, label_w, line_w],
        rowHeights=[18] + [30] * 3,
        hAlign="LEFT",
    )
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LINEBELOW", (1, 1), (1, -1), 0.5, HexColor(INK)),
            ("LINEBELOW", (4, 1), (4, -1), 0.5, HexColor(INK)),
        ]
    )
    return KeepTogether(
        [
            text_paragraph("Approval", styles["h2"]),
            text_paragraph(
                "We have examined this statement against the fund's ledger, its bank statements "
                "and the claims and payments behind it.",
                styles["body"],
            ),
            Spacer(1, 6),
            table,
        ]
    )


def statement_story(figures: IncomeExpenditure) -> list[Any]:
    """The flowables of the income and expenditure statement."""
    from reportlab.platypus import Spacer

    styles = _statement_styles()
    width = frame_width()
    fund = figures.fund
    bank_account = ", ".join(
        part
        for part in (
            fund.bank_account_name,
            f"sort code {fund.sort_code}" if fund.sort_code else "",
            f"account {fund.account_masked}" if fund.account_masked else "",
        )
        if part
    )
    pairs = [
        ("Fund", fund.name),
        ("Employer", fund.employer or "—"),
        ("Period", f"{short_date(figures.start)} to {short_date(figures.end)}"),
        ("Fund started", short_date(fund.starts_on)),
        ("Bank account", bank_account or "—"),
        ("Currency", fund.currency),
    ]
    story: list[Any] = [facts_table(pairs, styles, width), Spacer(1, 8)]
    story.append(text_paragraph("Income and expenditure", styles["h2"]))
    story.append(_statement_table(figures, styles, width))
    notes = [
        "Amounts are from the fund's ledger. A reversal (a donation refunded, a payment the "
        "bank returned, a mistake put right) is netted into the line of the entry it reverses; "
        "counts leave out entries reversed by the end of the period.",
    ]
    if figures.reversed_from_earlier:
        notes.append(
            f"The lines include {figures.reversed_from_earlier.format()} of reversals of entries "
            "made before the period."
        )
    if not figures.adds_up:  # the ledger's balance must be the sum of its entries
        notes.append(
            "Warning: the opening balance and the period's income and expenditure do not add "
            "up to the closing balance; run 'branchdesk check'."
        )
    story += [Spacer(1, 4)] + [text_paragraph(text, styles["note"]) for text in notes]
    story += _bank_story(figures, styles, width)
    story += [Spacer(1, 10), _signatures(styles, width)]
    return story


def write_statement_pdf(
    db: Database,
    fund_id: int,
    path: str | os.PathLike[str],
    start: date | None = None,
    end: date | None = None,
    *,
    branch_name: str = "",
) -> IncomeExpenditure:
    """The income and expenditure statement for `start`..`end` (default: the fund's whole life
    to today), with the reconciliation to the bank and lines for the treasurer's and the
    auditor's signatures. Names no member. Returns the figures printed."""
    from branchdesk.exports.pdf import PdfPages

    out = Path(path)
    check_suffix(out, STATEMENT_SUFFIXES)
    _refuse_a_ledger_that_does_not_add_up(db, fund_id)
    figures = income_expenditure(db, fund_id, start, end)
    pages = PdfPages(
        branch_name=branch_name or "Hardship fund",
        title=f"Income and expenditure statement — {figures.fund.name}",
        subtitle=f"{short_date(figures.start)} to {short_date(figures.end)}",
        confidential=False,
    )
    pages.build(out, statement_story(figures))
    return figures


# --------------------------------------------------------------------------------------------
# Payments


def payment_columns(anonymised: bool) -> tuple[Column, ...]:
    columns = [
        Column("paid_on", "Date", "date", 11),
        Column("type", "Type", "text", 10),
        Column("claim", "Claim", "text", 14),
        Column("member", "Member", "text", 24),
        Column("member_number", "Number", "text", 13),
        Column("method", "Method", "text", 9),
        Column("reference", "Reference", "text", 28),
        Column("amount", "Amount", "money", 13),
    ]
    if anonymised:
        columns = [c for c in columns if c.key != "member_number"]
    return tuple(columns)


def _payment_values(row: PaymentRow, anonymised: bool) -> list[Any]:
    values: list[Any] = [
        row.paid_on,
        "Reversal" if row.reversal else "Payment",
        row.claim_reference,
        row.member,
    ]
    if not anonymised:
        values.append(row.member_number)
    return [*values, row.method, row.reference, row.amount]


def write_payments(
    db: Database,
    fund_id: int,
    path: str | os.PathLike[str],
    anonymised: bool = False,
    *,
    branch_name: str = "",
    progress: Progress | None = None,
) -> int:
    """The payments to members (and the reversals of any), to .xlsx or .pdf by the file's
    suffix, with their total. Returns the rows written."""
    out = Path(path)
    suffix = check_suffix(out, PAYMENTS_SUFFIXES)
    _refuse_a_ledger_that_does_not_add_up(db, fund_id)
    fund = fund_info(db, fund_id)
    columns = payment_columns(anonymised)
    total_rows = payment_count(db, fund_id)
    source = payment_rows(db, fund_id, anonymised)
    subtitle = (
        f"{_period(fund)} — payments in the order they were made; a reversal (a payment "
        "returned) is shown as a negative amount"
    )
    try:
        if suffix == ".xlsx":
            heading = _title("Hardship payments", fund, anonymised)
            if branch_name:
                heading = f"{heading} — {branch_name}"
            sheet = Sheet(
                "Payments",
                heading,
                subtitle,
                columns,
                (_payment_values(row, anonymised) for row in source),
                _sum_foot(columns, [c.key for c in columns].index("reference"), [len(columns) - 1]),
                total_rows,
            )
            return write_workbook(
                out, heading, [sheet], progress, recalculate=True, ruled_totals=True
            )
        from branchdesk.exports.pdf import write_pdf_table

        total = [ZERO]

        def rows() -> Iterator[list[Any]]:
            for row in source:
                total[0] += row.amount
                yield _payment_values(row, anonymised)
            yield [None] * (len(columns) - 2) + ["Total", total[0]]

        marking = " (anonymised)" if anonymised else ""
        written = write_pdf_table(
            out,
            branch_name=branch_name or "Hardship fund",
            title=f"Hardship payments — {fund.name}{marking}",
            columns=columns,
            rows=rows(),
            confidential=not anonymised,
            subtitle=subtitle,
            total_rows=total_rows + 1,
            progress=progress,
            landscape=True,
        )
        return written - 1
    finally:
        source.close()


# --------------------------------------------------------------------------------------------
# CSV lists for the command line


def _pounds(value: Money | None) -> str:
    return "" if value is None else f"{value.to_decimal():.2f}"  # a number spreadsheets add


FUND_HEADERS = ("Fund", "Employer", "Starts", "Ends", "Status", "Claims", "Entries", "Balance")


def write_funds_csv(out: IO[str], db: Database) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FUND_HEADERS)
    lines = fund_lines(db)
    for line in lines:
        writer.writerow(
            [
                cell_out(line.name),
                cell_out(line.employer),
                cell_out(line.starts_on),
                cell_out(line.ends_on),
                "closed" if line.closed else "open",
                line.claims,
                line.entries,
                _pounds(line.balance),
            ]
        )
    return len(lines)


def write_fund_claims_csv(out: IO[str], db: Database, fund_id: int, status: str = "") -> int:
    """The fund's claims, oldest received first, as the claims queue lists them."""
    listing = ClaimListing(db, ClaimFilter(fund_id, status))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in listing.columns])
    count = 0
    for row in rows_in_order(listing, listing.ids()):
        writer.writerow([_pounds(v) if isinstance(v, Money) else cell_out(v) for v in row])
        count += 1
    return count


LEDGER_HEADERS = (
    "No.",
    "Date",
    "Type",
    "Reference",
    "Details",
    "Member",
    "Number",
    "Donor",
    "In",
    "Out",
    "Balance",
)


def write_ledger_csv(out: IO[str], db: Database, fund_id: int) -> int:
    """Every entry in recording order, with its running balance."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEDGER_HEADERS)
    count = 0
    for row in ledger_rows(db, fund_id):
        writer.writerow(
            [
                row.id,
                cell_out(row.posted_on),
                row.kind_label,
                cell_out(row.reference),
                cell_out(row.description),
                cell_out(row.member),
                cell_out(row.member_number),
                cell_out(row.donor),
                _pounds(row.money_in),
                _pounds(row.money_out),
                _pounds(row.balance_after),
            ]
        )
        count += 1
    return count


__all__ = [
    "DONOR_COLUMNS",
    "ledger_columns",
    "member_columns",
    "payment_columns",
    "statement_story",
    "write_fund_claims_csv",
    "write_funds_csv",
    "write_ledger_csv",
    "write_ledger_xlsx",
    "write_payments",
    "write_statement_pdf",
]
