"""Hardship fund reports, read back: the ledger workbook cell by cell (its formulas worked out
here and compared with the ledger to the penny), the income and expenditure statement page by
page, and the payments list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from branchdesk.hardship.claims import ClaimForm, create_claim, decide
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.funds import FundForm, add_strike_day, create_fund, set_taking_part
from branchdesk.hardship.ledger import balance, balance_on, record_entry, reverse
from branchdesk.hardship.models import Donation, LedgerEntry, Payment
from branchdesk.hardship.payments import pay
from branchdesk.hardship.queries import (
    income_expenditure,
    ledger_rows,
    member_totals,
    pseudonyms,
)
from branchdesk.hardship.reconcile import (
    import_statement,
    match,
    reconciliation,
    record_line,
    suggest_matches,
)
from branchdesk.hardship.reports import write_ledger_xlsx, write_payments, write_statement_pdf
from branchdesk.hardship.rules import PaymentRules
from branchdesk.members.service import MemberForm, create_member
from branchdesk.money import Money
from branchdesk.store.database import Database

FUND = "R&D <b>strike</b> fund"
TRICKY_DONOR = "=1+1 <b>Trades</b> & Council"
TRICKY_REFERENCE = "=1+1"
PERSON_DONOR = "Ida Personal"
# (number, first name, last name), in the order their first claims are made: not name order.
MEMBERS = (
    ("HM-002", "Bram", "Zephyrine"),
    ("HM-001", "Ada", "Quillfeather"),
    ("HM-003", "Cleo", "Marchbanks"),
    ("HM-004", "Dov", "Inkwell"),
)


@dataclass
class Setup:
    fund_id: int
    claims: dict[str, int]  # membership number -> claim id


def _entry_of(db: Database, model: Any, row_id: int) -> int:
    with db.read() as session:
        return session.scalar(select(model.entry_id).where(model.id == row_id))


def _donate(
    db: Database, fund_id: int, day: int, kind: str, name: str, pence: int, ref: str
) -> int:
    return record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=date(2024, 3, day),
            donor_kind=kind,
            donor_name=name,
            amount=Money(pence),
            method="cheque",
            bank_reference=ref,
        ),
    )


def make_fund(db: Database, folder: Path, with_statement: bool = True) -> Setup:
    """A small fund with every kind of entry: donations from each kind of donor (one recorded
    twice and reversed), three paid claims (one payment returned by the bank and paid again by
    cheque), a claim not yet decided, a bank charge, and a bank statement with one line the
    ledger lacks and the cheque not yet presented."""
    for number, first, last in MEMBERS:
        create_member(
            db,
            MemberForm(
                membership_number=number,
                first_name=first,
                last_name=last,
                date_joined=date(2020, 1, 6),
            ),
        )
    fund_id = create_fund(
        db,
        FundForm(
            name=FUND,
            employer="Eastvale Council (test)",
            starts_on=date(2024, 3, 1),
            bank_account_name="Hardship account",
            sort_code="00-11-22",
            account_number="12345678",
        ),
        PaymentRules(effective_from=date(2024, 3, 1), per_day=Money(5_000)),
    )
    days = [date(2024, 3, 5), date(2024, 3, 6)]
    for day in days:
        strike_day = add_strike_day(db, fund_id, day)
        assert set_taking_part(db, strike_day, [m[0] for m in MEMBERS]) == []
    _donate(db, fund_id, 2, "union", "Regional fund", 100_000, "UNION-0001")
    _donate(db, fund_id, 3, "organisation", TRICKY_DONOR, 20_000, TRICKY_REFERENCE)
    _donate(db, fund_id, 4, "individual", PERSON_DONOR, 2_500, "ONLINE-77")
    _donate(db, fund_id, 4, "anonymous", "", 1_000, "")
    _donate(db, fund_id, 8, "branch", "Northtown & District branch", 30_000, "NT-0001")
    twice = _donate(db, fund_id, 8, "branch", "Northtown & District branch", 30_000, "NT-DUP")
    reverse(db, _entry_of(db, Donation, twice), date(2024, 3, 9), "Recorded twice")

    claims: dict[str, int] = {}
    for number, _, _ in MEMBERS:
        claims[number] = create_claim(
            db,
            fund_id,
            ClaimForm(
                member_number=number,
                received_on=date(2024, 3, 7),
                days=days,
                pay_deducted=Money(20_000),
                requested=Money(10_000),
            ),
        )
    approved = {"HM-002": 10_000, "HM-001": 8_000, "HM-003": 10_000}
    for number, pence in approved.items():
        decide(db, claims[number], True, Money(pence), "Meets the rules")
    lines = pay(
        db,
        fund_id,
        {claims[n]: Money(p) for n, p in approved.items()},
        date(2024, 3, 12),
        "bacs",
        "RUN-01",
    )
    cleo = next(line for line in lines if line.member_number == "HM-003")
    reverse(db, _entry_of(db, Payment, cleo.payment_id), date(2024, 3, 15), "Returned by bank")
    pay(db, fund_id, {claims["HM-003"]: Money(10_000)}, date(2024, 3, 20), "cheque", "CHQ-100200")
    record_entry(db, fund_id, "bank_charge", Money(850), date(2024, 3, 29), "FEE-MAR", "Fee")
    if with_statement:
        _import_statement(db, fund_id, folder / "statement.csv")
    return Setup(fund_id, claims)


def _import_statement(db: Database, fund_id: int, path: Path) -> None:
    """The bank's view of March: every entry but the cheque (not presented) and the donation
    recorded twice (and its reversal), plus a fee the ledger has not recorded."""
    with db.read() as session:
        entries = session.execute(
            select(LedgerEntry.posted_on, LedgerEntry.amount, LedgerEntry.reference)
            .where(LedgerEntry.fund_id == fund_id)
            .order_by(LedgerEntry.id)
        ).all()
    rows = [
        (day, amount.pence, ref or "CREDIT")
        for day, amount, ref in entries
        if not ref.startswith(("CHQ-", "NT-DUP"))
    ]
    rows.append((date(2024, 3, 30), -500, "UNPAID ITEM FEE"))
    rows.sort(key=lambda r: r[0])
    running = 0
    text = ["Date,Description,Debit,Credit,Balance"]
    for day, pence, words in rows:
        running += pence
        words = "CREDIT" if words == TRICKY_REFERENCE else words
        debit = f"{-pence / 100:.2f}" if pence < 0 else ""
        credit = f"{pence / 100:.2f}" if pence > 0 else ""
        text.append(f"{day:%d/%m/%Y},{words},{debit},{credit},{running / 100:.2f}")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    import_statement(db, fund_id, path)
    for suggestion in suggest_matches(db, fund_id):
        match(db, suggestion.line_id, suggestion.entry_id)


@pytest.fixture
def setup(db: Database, tmp_path: Path) -> Setup:
    return make_fund(db, tmp_path)


# --------------------------------------------------------------------------------------------
# Working out a workbook's formulas


_CELL = re.compile(r"([+-]?)([A-Z]+[0-9]+)")


class Evaluator:
    """The few formulas the exports write: sums of cells and SUM(range)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.cache: dict[str, Decimal] = {}

    def value(self, ref: str) -> Decimal:
        if ref in self.cache:
            return self.cache[ref]
        cell = self.sheet[ref]
        raw = cell.value
        if raw is None:
            result = Decimal(0)
        elif cell.data_type == "f":
            result = self.formula(raw)
        else:
            assert isinstance(raw, int | float), (ref, raw)
            result = Decimal(str(raw))
        self.cache[ref] = result
        return result

    def formula(self, text: str) -> Decimal:
        body = text[1:]
        rounded = re.fullmatch(r"ROUND\((.*),2\)", body)
        if rounded:
            return self.formula("=" + rounded.group(1)).quantize(Decimal("0.01"))
        found = re.fullmatch(r"SUM\(([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)\)", body)
        if found:
            column, first, _, last = found.groups()
            return sum(
                (self.value(f"{column}{r}") for r in range(int(first), int(last) + 1)), Decimal(0)
            )
        assert re.fullmatch(r"([+-]?[A-Z]+[0-9]+)+", body), text
        total = Decimal(0)
        for sign, ref in _CELL.findall(body):
            total += -self.value(ref) if sign == "-" else self.value(ref)
        return total


def _pounds(money: Money) -> Decimal:
    return money.to_decimal()


def _headers(sheet: Any) -> list[str]:
    return [c.value for c in sheet[4] if c.value is not None]


def _all_text(book: Any) -> str:
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


# --------------------------------------------------------------------------------------------
# The ledger workbook


def test_ledger_workbook_adds_up_to_the_penny(db: Database, setup: Setup, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "ledger.xlsx"
    assert write_ledger_xlsx(db, setup.fund_id, out, branch_name="Test branch") == 13
    book = load_workbook(out)
    assert book.sheetnames == ["Ledger", "Members", "Donors"]
    sheet = book["Ledger"]
    title = sheet["A1"].value
    assert FUND in title and "CONFIDENTIAL" in title and "anonymised" not in title
    assert sheet["A2"].value.startswith("Produced ") and "2 Mar 2024 to 29 Mar 2024" in (
        sheet["A2"].value
    )
    headers = _headers(sheet)
    assert headers == [
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
    ]
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == "A4:K17"
    evaluator = Evaluator(sheet)
    entries = list(ledger_rows(db, setup.fund_id))
    assert len(entries) == 13
    for offset, entry in enumerate(entries):
        r = 5 + offset
        assert sheet[f"A{r}"].value == entry.id
        assert sheet[f"B{r}"].value.date() == entry.posted_on
        assert sheet[f"B{r}"].number_format == "dd/mm/yyyy"
        balance_cell = sheet[f"K{r}"]
        # The running balance is a formula, and works out to the ledger's own balance.
        assert balance_cell.data_type == "f"
        expected = f"=ROUND(I{r}-J{r},2)" if offset == 0 else f"=ROUND(K{r - 1}+I{r}-J{r},2)"
        assert balance_cell.value == expected
        assert "£" in balance_cell.number_format
        assert evaluator.value(f"K{r}") == _pounds(entry.balance_after)
        money_in, money_out = sheet[f"I{r}"].value, sheet[f"J{r}"].value
        assert (money_in is None) != (money_out is None)
    total = 5 + len(entries)
    assert sheet[f"E{total}"].value == "Total"
    assert sheet[f"I{total}"].value == f"=ROUND(SUM(I5:I{total - 1}),2)"
    assert sheet[f"J{total}"].value == f"=ROUND(SUM(J5:J{total - 1}),2)"
    assert sheet[f"K{total}"].value == f"=ROUND(I{total}-J{total},2)"
    now = balance(db, setup.fund_id)
    assert now == Money(124_650)
    assert evaluator.value(f"K{total}") == _pounds(now)
    assert evaluator.value(f"K{total - 1}") == _pounds(now)
    assert evaluator.value(f"I{total}") - evaluator.value(f"J{total}") == _pounds(now)

    # Members named, with their numbers; paid is net of the returned payment.
    members = book["Members"]
    assert _headers(members) == ["Member", "Number", "Claims", "Approved", "Paid", "Still owed"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in members.iter_rows(min_row=5, max_row=8)}
    assert rows == {
        "Ada Quillfeather": ["HM-001", 1, 80, 80, 0],
        "Dov Inkwell": ["HM-004", 1, 0, 0, 0],
        "Cleo Marchbanks": ["HM-003", 1, 100, 100, 0],
        "Bram Zephyrine": ["HM-002", 1, 100, 100, 0],
    }
    assert members["A9"].value == "Total" and members["E9"].value == "=ROUND(SUM(E5:E8),2)"
    assert Evaluator(members).value("E9") == Decimal(280)

    donors = book["Donors"]
    table = {r[0].value: [c.value for c in r[1:]] for r in donors.iter_rows(min_row=5, max_row=9)}
    assert table == {
        "Regional fund": ["Union (regional or national)", 1, 1000],
        "Northtown & District branch": ["Another branch", 1, 300],  # the reversed one left out
        TRICKY_DONOR: ["Other organisation", 1, 200],
        PERSON_DONOR: ["Individual", 1, 25],
        "Anonymous": ["Anonymous", 1, 10],
    }
    assert donors["D10"].value == "=ROUND(SUM(D5:D9),2)"
    assert Evaluator(donors).value("D10") == Decimal("1535")


def test_user_text_that_looks_like_a_formula_stays_text(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "ledger.xlsx"
    write_ledger_xlsx(db, setup.fund_id, out)
    book = load_workbook(out)
    sheet = book["Ledger"]
    tricky = [
        cell
        for row in sheet.iter_rows(min_row=5)
        for cell in row
        if cell.value in (TRICKY_DONOR, TRICKY_REFERENCE)
    ]
    assert {c.value for c in tricky} == {TRICKY_DONOR, TRICKY_REFERENCE}
    assert all(c.data_type == "s" for c in tricky)
    donor_cell = next(c for c in book["Donors"]["A"] if c.value == TRICKY_DONOR)
    assert donor_cell.data_type == "s"
    # The only formulas are the balances and the totals written by the export.
    for each in book.worksheets:
        for row in each.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert re.fullmatch(
                        # Money rounded to the penny; counts (claims, gifts) plain sums.
                        r"=ROUND\((SUM\([A-Z]+\d+:[A-Z]+\d+\)|[A-Z]+\d+([+-][A-Z]+\d+)+),2\)"
                        r"|=SUM\([A-Z]+\d+:[A-Z]+\d+\)",
                        cell.value,
                    ), cell.value
    # Fund name with markup is kept as written in the title.
    assert FUND in sheet["A1"].value


def test_anonymised_ledger_names_nobody_and_pseudonyms_are_stable(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_ledger_xlsx(db, setup.fund_id, first, anonymised=True)
    write_ledger_xlsx(db, setup.fund_id, second, anonymised=True)
    books = [load_workbook(first), load_workbook(second)]
    for book in books:
        text = _all_text(book)
        for number, first_name, last_name in MEMBERS:
            assert number not in text and first_name not in text and last_name not in text
        assert PERSON_DONOR not in text
        assert "anonymised" in book["Ledger"]["A1"].value
        assert "CONFIDENTIAL" not in book["Ledger"]["A1"].value
        assert "Number" not in _headers(book["Ledger"])
        assert "Number" not in _headers(book["Members"])

    def member_column(book: Any) -> list[Any]:
        return [c.value for c in book["Ledger"]["F"][4:]]

    assert member_column(books[0]) == member_column(books[1])
    # Numbered by each member's first claim: Bram claimed first.
    names = pseudonyms(db, setup.fund_id)
    assert [names[m.member_id] for m in member_totals(db, setup.fund_id)] == [
        "Member 004",  # Dov Inkwell
        "Member 003",  # Cleo Marchbanks
        "Member 002",  # Ada Quillfeather
        "Member 001",  # Bram Zephyrine
    ]
    members = [r[0].value for r in books[0]["Members"].iter_rows(min_row=5, max_row=8)]
    assert members == ["Member 001", "Member 002", "Member 003", "Member 004"]
    assert "Member 001" in member_column(books[0]) and None in member_column(books[0])
    donors = [r[0].value for r in books[0]["Donors"].iter_rows(min_row=5, max_row=9)]
    assert "Individual donor" in donors and TRICKY_DONOR in donors
    # The running balance still adds up with the Number column gone.
    sheet = books[0]["Ledger"]
    evaluator = Evaluator(sheet)
    last = 4 + 13
    for r in range(5, last + 1):
        evaluator.value(f"J{r}")
    assert evaluator.value(f"J{last}") == _pounds(balance(db, setup.fund_id))

    # A new member's claim comes after everyone else's: no pseudonym changes.
    create_member(db, MemberForm(membership_number="HM-000", first_name="Ann", last_name="Aaron"))
    create_claim(
        db,
        setup.fund_id,
        ClaimForm(
            member_number="HM-000",
            received_on=date(2024, 4, 1),
            days=[date(2024, 3, 5)],
            requested=Money(5_000),
        ),
    )
    later = pseudonyms(db, setup.fund_id)
    assert {k: v for k, v in later.items() if k in names} == names
    assert sorted(later.values())[-1] == "Member 005"


def test_ledger_export_streams_without_orm_objects(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    loaded: list[Any] = []
    listener = lambda target, context: loaded.append(target)  # noqa: E731
    event.listen(LedgerEntry, "load", listener)
    try:
        write_ledger_xlsx(db, setup.fund_id, tmp_path / "l.xlsx")
        write_payments(db, setup.fund_id, tmp_path / "p.xlsx")
        write_payments(db, setup.fund_id, tmp_path / "p.pdf")
    finally:
        event.remove(LedgerEntry, "load", listener)
    assert loaded == []


def test_an_empty_fund_exports(db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    fund_id = create_fund(db, FundForm(name="Empty fund", starts_on=date(2024, 1, 1)))
    out = tmp_path / "empty.xlsx"
    assert write_ledger_xlsx(db, fund_id, out) == 0
    sheet = load_workbook(out)["Ledger"]
    assert sheet["E5"].value == "Total" and sheet["I5"].value is None
    figures = write_statement_pdf(db, fund_id, tmp_path / "empty.pdf")
    assert figures.closing == Money(0) and figures.bank is None
    assert write_payments(db, fund_id, tmp_path / "empty-payments.pdf") == 0


# --------------------------------------------------------------------------------------------
# The income and expenditure statement


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def test_statement_pdf_for_the_whole_life(db: Database, setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "statement.pdf"
    figures = write_statement_pdf(
        db, setup.fund_id, out, end=date(2024, 3, 31), branch_name="Test <branch> & co"
    )
    assert figures.adds_up
    assert figures.opening == Money(0) and figures.closing == Money(124_650)
    pages = _pdf_text(out)
    text = "\n".join(pages)
    flat = " ".join(text.split())
    assert "Income and expenditure statement" in flat
    assert FUND in flat  # escaped markup prints as written
    assert "Test <branch> & co" in flat
    assert "Opening balance on 1 Mar 2024 £0.00" in flat
    assert "Closing balance on 31 Mar 2024 £1,246.50" in flat
    # Donations by source; the donation recorded twice is netted out.
    assert "Donations: Union (regional or national) (1 donation) £1,000.00" in flat
    assert "Donations: Another branch (1 donation) £300.00" in flat
    assert "Donations: Other organisation (1 donation) £200.00" in flat
    assert "Donations: Individual (1 donation) £25.00" in flat
    assert "Donations: Anonymous (1 donation) £10.00" in flat
    assert "Total income £1,535.00" in flat
    # Payments: a count and a total, never a name; the returned payment is netted.
    assert "Payments to members (3 payments to 3 members) £280.00" in flat
    assert "Bank charges £8.50" in flat
    assert "Total expenditure £288.50" in flat
    for number, first_name, last_name in MEMBERS:
        assert first_name not in text and last_name not in text and number not in text
    assert PERSON_DONOR not in text and TRICKY_DONOR not in text
    assert "Confidential" not in text
    # The bank: the cheque not presented and the fee not yet recorded explain the difference.
    bank = reconciliation(db, setup.fund_id)
    assert bank.unexplained == Money(0) and bank.statement_balance == Money(134_150)
    assert "Balance on the latest bank statement, 30 Mar 2024 £1,341.50" in flat
    assert "Balance of the ledger on 30 Mar 2024 £1,246.50" in flat
    assert "Difference (statement less ledger) £95.00" in flat
    assert "the bank has not shown yet (3 entries) £100.00" in flat
    assert "statement lines not yet in the ledger (1 line) -£5.00" in flat
    assert "Explained, not yet reconciled: 1 statement line to record in the ledger £0.00" in flat
    # Signature lines for the treasurer and the auditor.
    assert "Treasurer" in flat and "Auditor" in flat
    assert flat.count("Name") >= 2 and flat.count("Signature") >= 2 and flat.count("Date") >= 2
    assert "Page 1 of" in flat


def test_statement_says_reconciled_once_the_ledger_has_every_line(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    missing = reconciliation(db, setup.fund_id).not_in_ledger
    assert [item.amount for item in missing] == [Money(-500)]
    record_line(db, missing[0].id, "bank_charge", "Unpaid item fee")
    out = tmp_path / "statement.pdf"
    figures = write_statement_pdf(db, setup.fund_id, out, end=date(2024, 3, 31))
    assert figures.bank is not None and figures.bank.reconciled
    assert figures.bank_charges == Money(1_350)
    flat = " ".join(" ".join(_pdf_text(out)).split())
    assert "Bank charges £13.50" in flat
    assert "Reconciled: the difference is fully explained by the items above £0.00" in flat


def test_statement_for_a_period_starts_from_the_balance_before_it(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    start, end = date(2024, 3, 10), date(2024, 3, 20)
    figures = income_expenditure(db, setup.fund_id, start, end)
    with db.read() as session:
        assert figures.opening == balance_on(session, setup.fund_id, date(2024, 3, 9))
        assert figures.closing == balance_on(session, setup.fund_id, end)
    assert figures.adds_up
    # Payments on the 12th (3), one returned on the 15th, paid again on the 20th.
    assert figures.payments == Money(28_000) and figures.payments_count == 3
    assert figures.donations == ()
    out = tmp_path / "period.pdf"
    write_statement_pdf(db, setup.fund_id, out, start, end)
    flat = " ".join(" ".join(_pdf_text(out)).split())
    assert "Opening balance on 10 Mar 2024 £1,535.00" in flat
    assert "Closing balance on 20 Mar 2024 £1,255.00" in flat
    assert "10 Mar 2024 to 20 Mar 2024" in flat
    with pytest.raises(ValueError, match="ends"):
        income_expenditure(db, setup.fund_id, end, start)


def test_statement_without_a_bank_statement_says_so(db: Database, tmp_path: Path) -> None:
    made = make_fund(db, tmp_path, with_statement=False)
    out = tmp_path / "s.pdf"
    figures = write_statement_pdf(db, made.fund_id, out, end=date(2024, 4, 30))
    assert figures.bank is None
    flat = " ".join(" ".join(_pdf_text(out)).split())
    assert "No bank statement has been imported" in flat


def test_statement_pages_render(db: Database, setup: Setup, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "s.pdf"
    write_statement_pdf(db, setup.fund_id, out, end=date(2024, 3, 31))
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595.28, abs=1)
    # No link or image from user text.
    assert "/Annots" not in reader.pages[0] and "/XObject" not in str(
        reader.pages[0].get("/Resources", {})
    )


# --------------------------------------------------------------------------------------------
# Payments


def test_payments_workbook_and_pdf(db: Database, setup: Setup, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "payments.xlsx"
    assert write_payments(db, setup.fund_id, out) == 5
    sheet = load_workbook(out)["Payments"]
    assert "CONFIDENTIAL" in sheet["A1"].value
    assert _headers(sheet) == [
        "Date",
        "Type",
        "Claim",
        "Member",
        "Number",
        "Method",
        "Reference",
        "Amount",
    ]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5, max_row=9)]
    assert [r[1] for r in rows] == ["Payment", "Payment", "Payment", "Reversal", "Payment"]
    assert [r[3] for r in rows] == [
        "Bram Zephyrine",
        "Ada Quillfeather",
        "Cleo Marchbanks",
        "Cleo Marchbanks",
        "Cleo Marchbanks",
    ]
    assert [r[7] for r in rows] == [100, 80, 100, -100, 100]
    assert rows[4][5] == "Cheque" and rows[4][6] == "CHQ-100200 H-2024-0003"
    assert sheet["G10"].value == "Total" and sheet["H10"].value == "=ROUND(SUM(H5:H9),2)"
    assert Evaluator(sheet).value("H10") == Decimal(280)

    anonymous = tmp_path / "payments-anon.xlsx"
    write_payments(db, setup.fund_id, anonymous, anonymised=True)
    book = load_workbook(anonymous)
    text = _all_text(book)
    assert "Number" not in _headers(book["Payments"])
    for number, first_name, last_name in MEMBERS:
        assert number not in text and first_name not in text and last_name not in text
    assert [c.value for c in book["Payments"]["D"][4:9]] == [
        "Member 001",
        "Member 002",
        "Member 003",
        "Member 003",
        "Member 003",
    ]

    pdf = tmp_path / "payments.pdf"
    assert write_payments(db, setup.fund_id, pdf) == 5
    flat = " ".join(" ".join(_pdf_text(pdf)).split())
    assert "Bram Zephyrine" in flat and "HM-002" in flat and "Confidential" in flat
    assert "Total £280.00" in flat and "-£100.00" in flat
    anon_pdf = tmp_path / "payments-anon.pdf"
    write_payments(db, setup.fund_id, anon_pdf, anonymised=True)
    flat = " ".join(" ".join(_pdf_text(anon_pdf)).split())
    assert "Member 001" in flat and "Bram" not in flat and "HM-002" not in flat
    assert "Confidential" not in flat

    with pytest.raises(ValueError, match=r"\.xlsx or \.pdf"):
        write_payments(db, setup.fund_id, tmp_path / "payments.csv")


# --------------------------------------------------------------------------------------------
# The same on PostgreSQL


def test_figures_and_exports_on_both_databases(any_db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    made = make_fund(any_db, tmp_path)
    figures = income_expenditure(any_db, made.fund_id, end=date(2024, 3, 31))
    assert figures.adds_up and figures.closing == Money(124_650)
    assert figures.payments == Money(28_000) and figures.payments_count == 3
    assert figures.total_donations == Money(153_500)
    assert figures.bank is not None and figures.bank.unexplained == Money(0)
    totals = {
        m.member_number: (m.claims, m.approved, m.paid) for m in member_totals(any_db, made.fund_id)
    }
    assert totals["HM-003"] == (1, Money(10_000), Money(10_000))
    out = tmp_path / "ledger.xlsx"
    assert write_ledger_xlsx(any_db, made.fund_id, out, anonymised=True) == 13
    sheet = load_workbook(out)["Ledger"]
    assert Evaluator(sheet).value("J18") == Decimal("1246.50")
    write_statement_pdf(any_db, made.fund_id, tmp_path / "s.pdf", end=date(2024, 3, 31))


def test_the_bulk_demo_history_on_both_databases(any_db: Database) -> None:
    """The large demo's bulk writer (raw executemany on SQLite, Core inserts elsewhere) leaves
    a ledger that passes every check, and ids that new entries carry on from."""
    import random

    from branchdesk.hardship.demo import _bulk_history
    from branchdesk.hardship.ledger import check_all_funds

    for n in range(101, 121):
        create_member(
            any_db,
            MemberForm(membership_number=f"DEMO-{n:06d}", first_name="Demo", last_name=f"M{n}"),
        )
    fund_id = create_fund(
        any_db,
        FundForm(name="Bulk fund (demo)", starts_on=date(2024, 1, 1)),
        PaymentRules(effective_from=date(2024, 1, 1), per_day=Money(5_000)),
    )
    _bulk_history(
        any_db, random.Random(3), fund_id, date(2024, 1, 1), date(2024, 4, 1), 2_000, None
    )
    assert check_all_funds(any_db) == []
    with any_db.read() as session:
        count = session.scalar(select(func.count()).select_from(LedgerEntry))
    assert count == 2_000
    # The reconciliation of the history: every entry on a statement, nothing left over.
    bank = reconciliation(any_db, fund_id)
    assert bank.unexplained == Money(0) and bank.not_on_statement_count == 0
    # New rows take the next ids (the sequences moved on past the explicit ids on PostgreSQL).
    _donate(any_db, fund_id, 20, "branch", "After the history", 1_000, "AFTER-1")
    assert balance(any_db, fund_id) == bank.ledger_balance + Money(1_000)


def test_names_in_bank_text_and_reasons_stay_out_of_anonymised_exports(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from branchdesk.hardship.reconcile import reconciliation, record_line

    statement = tmp_path / "april.csv"
    statement.write_text(
        "Date,Description,Debit,Credit,Balance\n"
        "02/04/2024,FP MORWENNA GIFTWELL SUPPORT,,15.00,15.00\n",
        encoding="utf-8",
    )
    import_statement(db, setup.fund_id, statement)
    (line,) = [i for i in reconciliation(db, setup.fund_id).not_in_ledger if "GIFTWELL" in i.text]
    gift = record_line(db, line.id, "donation", donor_kind="individual", donor_name="M Giftwell")
    reverse(db, gift, date(2024, 4, 3), "Morwenna Giftwell asked for it back")
    out = tmp_path / "anonymised.xlsx"
    write_ledger_xlsx(db, setup.fund_id, out, anonymised=True)
    text = _all_text(load_workbook(out))
    assert "GIFTWELL" not in text.upper()
    assert f"Reverses entry {gift}" in text
    # The treasurer's own (named) ledger keeps the reason, but never the person's bank text.
    named = tmp_path / "named.xlsx"
    write_ledger_xlsx(db, setup.fund_id, named)
    named_text = _all_text(load_workbook(named))
    assert "asked for it back" in named_text and "FP MORWENNA" not in named_text


def test_a_ledger_that_does_not_add_up_is_not_exported(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from branchdesk.store.errors import StoreError

    with db.write() as session:
        session.execute(text("DROP TRIGGER ledger_entries_no_update"))
        session.execute(text("UPDATE ledger_entries SET amount = amount + 100 WHERE id = 2"))
    for write, name in (
        (lambda p: write_ledger_xlsx(db, setup.fund_id, p), "ledger.xlsx"),
        (lambda p: write_statement_pdf(db, setup.fund_id, p), "statement.pdf"),
        (lambda p: write_payments(db, setup.fund_id, p), "payments.pdf"),
    ):
        with pytest.raises(StoreError, match="does not add up, so nothing was exported"):
            write(tmp_path / name)
        assert not (tmp_path / name).exists()


def test_the_bank_line_of_a_period_uses_the_statement_of_that_period(
    db: Database, setup: Setup, tmp_path: Path
) -> None:
    later = tmp_path / "may.csv"
    later.write_text(
        "Date,Description,Debit,Credit,Balance\n05/05/2024,LATE FEE,2.00,,999.99\n",
        encoding="utf-8",
    )
    import_statement(db, setup.fund_id, later)
    march = income_expenditure(db, setup.fund_id, end=date(2024, 3, 31))
    assert march.bank is not None and march.bank.as_of == date(2024, 3, 30)
    whole = income_expenditure(db, setup.fund_id)
    assert whole.bank is not None and whole.bank.as_of == date(2024, 5, 5)
