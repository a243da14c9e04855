"""Reading bank statements: the real sample files, OFX 2, and the ways CSV downloads go wrong."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from branchdesk.hardship.bankfiles import (
    KNOWN_PROFILES,
    BankFileError,
    CsvProfile,
    Statement,
    StatementLine,
    detect_profile,
    mask_account,
    read_csv,
    read_ofx,
    read_statement,
    same_account,
)
from branchdesk.money import Money

DATA = Path(__file__).parent / "data" / "bank"
LLOYDS = DATA / "lloyds-sample-statement.csv"
LLOYDS_HEADER = (
    "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,"
    "Debit Amount,Credit Amount,Balance,"
)


# --- the real sample files ------------------------------------------------------------------


def test_lloyds_csv() -> None:
    statement = read_statement(LLOYDS)

    assert statement.source == "csv"
    assert statement.currency is None
    assert statement.sort_code == "998874"
    assert statement.account == "1515152252"
    assert statement.starts_on == date(2023, 12, 1)
    assert statement.ends_on == date(2024, 1, 15)
    assert statement.closing_balance == Money(204059)
    assert statement.closing_balance_on == date(2024, 1, 15)
    assert len(statement.lines) == 12

    # The file is newest first; lines come out oldest first, same-day lines in the order they
    # happened (the running balance follows on).
    first, last = statement.lines[0], statement.lines[-1]
    assert (first.line_no, first.posted_on, first.amount) == (13, date(2023, 12, 1), Money(50000))
    assert first.description == "CLIENT CO LTD 400000005566778899 306364 10 01DEC23 09:15"
    assert first.balance == Money(642670)
    assert (last.line_no, last.posted_on, last.amount) == (2, date(2024, 1, 15), Money(-899))
    assert last.description == "ACME STORE CD 1417 14JAN24"
    assert last.reference == ""
    assert [line.line_no for line in statement.lines] == list(range(13, 1, -1))

    fpi = next(line for line in statement.lines if line.description.startswith("HHHHH LTD"))
    assert (fpi.posted_on, fpi.amount, fpi.balance) == (
        date(2023, 12, 1),
        Money(200000),
        Money(802949),
    )
    debits = [line for line in statement.lines if line.line_no not in (5, 13)]
    assert all(line.amount.pence < 0 for line in debits)
    assert sum(line.amount.pence for line in statement.lines) == 250000 - 638199

    # The fitid is a stored key: its recipe must never change, or re-imports would duplicate.
    key = "2024-01-15|-899|ACME STORE CD 1417 14JAN24|204059|1"
    assert last.fitid == "csv:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    assert last.fitid == "csv:098872f76e8152e4b52115d67c1b8e02"

    # The sample's own quirk: one running balance is £4.12 out.
    assert statement.warnings == (
        "line 6: the balance £6,029.49 does not follow from the line before "
        "(£6,039.58 and -£5.97 make £6,033.61); a line may be missing or out of order",
    )


def test_rereading_the_same_csv_gives_the_same_fitids() -> None:
    once = read_statement(LLOYDS)
    again = read_csv(LLOYDS.read_text(encoding="utf-8"))
    assert [line.fitid for line in once.lines] == [line.fitid for line in again.lines]
    assert len({line.fitid for line in once.lines}) == 12
    assert all(len(line.fitid) == 36 and line.fitid.startswith("csv:") for line in once.lines)


def test_bank_medium_ofx() -> None:
    statement = read_statement(DATA / "ofx" / "bank_medium.ofx")

    assert statement.source == "ofx"
    assert statement.currency == "CAD"
    assert statement.account == "12300 000012345678"
    assert statement.sort_code == ""  # BANKID 160000100 is not a UK sort code
    assert statement.starts_on == date(2009, 4, 1)
    assert statement.ends_on == date(2009, 5, 23)
    assert statement.closing_balance == Money(38234)  # LEDGERBAL, not AVAILBAL's 682.34
    assert statement.closing_balance_on == date(2009, 5, 23)
    assert statement.warnings == ()
    assert [line.line_no for line in statement.lines] == [15, 16, 17]

    first, middle, last = statement.lines
    assert first.posted_on == date(2009, 4, 1)  # 12:20 EST, kept as written
    assert first.amount == Money(-660)
    assert first.fitid == "0000123456782009040100001"
    assert first.description == "POS MERCHANDISE;MCDONALD'S #112"
    assert first.balance is None
    assert (middle.amount, middle.reference) == (Money(-31667), "0")  # CHECKNUM
    assert middle.description == "MISCELLANEOUS PAYMENTS;Joe's Bald Hairstyles"
    assert (last.posted_on, last.amount) == (date(2009, 4, 3), Money(-2200))
    assert last.fitid == "0000123456782009040300005"


def test_checking_ofx_with_a_ten_digit_bankid_imports() -> None:
    # ofxtools' convert() refuses this real bank's file ("String exceeds max length=9").
    statement = read_statement(DATA / "ofx" / "checking.ofx")

    assert statement.currency == "USD"
    assert statement.account == "1452687~7"
    assert statement.sort_code == ""
    assert statement.starts_on == date(2000, 1, 1)
    assert statement.ends_on == date(2013, 5, 25)
    assert statement.closing_balance == Money(10099)
    assert statement.closing_balance_on == date(2013, 5, 25)
    assert len(statement.lines) == 3

    first, middle, last = statement.lines
    assert (first.line_no, first.posted_on, first.amount, first.fitid) == (
        46,
        date(2011, 3, 31),
        Money(1),
        "0000486",
    )
    # NAME is MEMO cut short, so MEMO alone says it.
    assert first.description == (
        "DIVIDEND EARNED FOR PERIOD OF 03/01/2011 THROUGH 03/31/2011 "
        "ANNUAL PERCENTAGE YIELD EARNED IS 0.05%"
    )
    assert (middle.amount, middle.fitid) == (Money(-3451), "0000487")
    assert (last.line_no, last.posted_on, last.amount, last.fitid) == (
        62,
        date(2011, 4, 7),
        Money(-2500),
        "0000488",
    )
    assert last.reference == "319"


def test_ofx_without_dates_names_each_transaction() -> None:
    with pytest.raises(BankFileError) as caught:
        read_statement(DATA / "ofx" / "fail_nice" / "date_missing.ofx")
    assert caught.value.problems == (
        "transaction 184997056 (line 33): no date (DTPOSTED)",
        "transaction 2000957249 (line 40): no date (DTPOSTED is empty)",
        "transaction 2000957249 (line 48): '20120231' is not a date (DTPOSTED)",
        "FITID 2000957249 is used by more than one transaction (lines 40 and 48); "
        "each transaction's FITID must be unique",
    )
    message = str(caught.value)
    assert message.startswith("The file cannot be imported: 4 problems\n- transaction 184997056")
    assert "header" not in message


def test_ofx_with_a_dollar_amount_and_a_bad_date() -> None:
    with pytest.raises(BankFileError) as caught:
        read_ofx((DATA / "ofx" / "fail_nice" / "decimal_error.ofx").read_bytes())
    assert caught.value.problems == (
        "transaction 2000957249 (line 34): '201120000000' is not a date (DTPOSTED)",
        "transaction 2000957249 (line 34): '$120' is not an amount (TRNAMT)",
    )


def test_ofx_with_an_empty_balance() -> None:
    with pytest.raises(BankFileError, match=r"^LEDGERBAL: the balance is empty \(BALAMT\)$"):
        read_statement(DATA / "ofx" / "fail_nice" / "empty_balance.ofx")


# --- OFX written here (fictional) -----------------------------------------------------------

OFX2_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
)
OFX1_HEADER = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
    "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
)


def _ofx2(statement: str, messages: str = "BANKMSGSRSV1", wrapper: str = "STMTTRNRS") -> bytes:
    return (
        OFX2_HEADER
        + "<OFX>\n"
        + "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
        + "<DTSERVER>20240201090000.000[0:GMT]</DTSERVER><LANGUAGE>ENG</LANGUAGE>"
        + "</SONRS></SIGNONMSGSRSV1>\n"
        + f"<{messages}><{wrapper}><TRNUID>1</TRNUID>"
        + "<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\n"
        + statement
        + f"\n</{wrapper}></{messages}>\n</OFX>\n"
    ).encode()


def test_ofx2_xml_bank_statement() -> None:
    data = _ofx2(
        "<STMTRS><CURDEF>GBP</CURDEF>\n"
        "<BANKACCTFROM><BANKID>60-83-01</BANKID><ACCTID>20040321</ACCTID>"
        "<ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>\n"
        "<BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20240131235959</DTEND>\n"
        "<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20240110</DTPOSTED>"
        "<TRNAMT>250.00</TRNAMT><FITID>T-0002</FITID><NAME>Bakers &amp; Allied Workers</NAME>"
        "<MEMO>Solidarity donation</MEMO><REFNUM>DON-77</REFNUM></STMTTRN>\n"
        "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240105120000.000[-5:EST]</DTPOSTED>"
        "<TRNAMT>-45.50</TRNAMT><FITID>T-0001</FITID>"
        "<PAYEE><NAME>R Okafor</NAME></PAYEE><MEMO></MEMO></STMTTRN>\n"
        "</BANKTRANLIST>\n"
        "<LEDGERBAL><BALAMT>1204.50</BALAMT><DTASOF>20240131235959</DTASOF></LEDGERBAL>\n"
        "</STMTRS>"
    )
    statement = read_ofx(data)

    assert statement.source == "ofx"
    assert statement.currency == "GBP"
    assert (statement.account, statement.sort_code) == ("20040321", "608301")
    assert (statement.starts_on, statement.ends_on) == (date(2024, 1, 1), date(2024, 1, 31))
    assert statement.closing_balance == Money(120450)
    assert statement.closing_balance_on == date(2024, 1, 31)
    assert statement.warnings == ()
    assert statement.lines == (
        # in date order, though the file gives them the other way round
        StatementLine(
            line_no=10,
            posted_on=date(2024, 1, 5),
            amount=Money(-4550),
            description="R Okafor",
            reference="",
            fitid="T-0001",
            balance=None,
        ),
        StatementLine(
            line_no=9,
            posted_on=date(2024, 1, 10),
            amount=Money(25000),
            description="Bakers & Allied Workers / Solidarity donation",
            reference="DON-77",
            fitid="T-0002",
            balance=None,
        ),
    )


def test_ofx2_credit_card_statement() -> None:
    data = _ofx2(
        "<CCSTMTRS><CURDEF>GBP</CURDEF><CCACCTFROM><ACCTID>4929000000001234</ACCTID>"
        "</CCACCTFROM><BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20240131</DTEND>"
        "<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240112</DTPOSTED><TRNAMT>-19.99</TRNAMT>"
        "<FITID>CC1</FITID><NAME>PRINT SHOP</NAME></STMTTRN></BANKTRANLIST>"
        "<LEDGERBAL><BALAMT>-19.99</BALAMT><DTASOF>20240131</DTASOF></LEDGERBAL></CCSTMTRS>",
        messages="CREDITCARDMSGSRSV1",
        wrapper="CCSTMTTRNRS",
    )
    statement = read_ofx(data)
    assert (statement.account, statement.sort_code) == ("4929000000001234", "")
    assert [(line.amount, line.fitid) for line in statement.lines] == [(Money(-1999), "CC1")]
    assert statement.closing_balance == Money(-1999)


def test_sgml_with_empty_unclosed_elements_and_no_fitid() -> None:
    # SGML leaves data elements unclosed; an empty one (<MEMO> here) must not swallow the rest.
    body = (
        "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        "<STMTRS><CURDEF>GBP<BANKACCTFROM><BANKID>309950<ACCTID>30995012345678"
        "<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        "<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n"
        "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-12.50<FITID>X1<NAME>CAF\xa3 ONE<MEMO>\n"
        "</STMTTRN>\n"
        "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240106<TRNAMT>-1,25<NAME>NO FITID</STMTTRN>\n"
        "</BANKTRANLIST><LEDGERBAL><BALAMT>10<DTASOF>20240131</LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    statement = read_ofx(OFX1_HEADER.encode() + body.encode("cp1252"))

    assert statement.sort_code == "309950"
    assert [(line.line_no, line.description, line.amount) for line in statement.lines] == [
        (14, "CAF£ ONE", Money(-1250)),
        (16, "NO FITID", Money(-125)),  # the spec allows a decimal comma
    ]
    assert statement.lines[0].fitid == "X1"
    assert statement.lines[1].fitid.startswith("ofx:")
    assert statement.warnings == (
        "some transactions have no FITID; a key was made from their details",
    )
    assert read_ofx(OFX1_HEADER.encode() + body.encode("cp1252")) == statement


def _sgml(transactions: str, currency: str = "GBP", ledger: str = "10.00") -> bytes:
    return (
        "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
        f"<CURDEF>{currency}<BANKACCTFROM><BANKID>309950<ACCTID>12345678</BANKACCTFROM>"
        f"<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n{transactions}</BANKTRANLIST>"
        f"<LEDGERBAL><BALAMT>{ledger}<DTASOF>20240131</LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    ).encode()


def test_a_statement_without_transactions_and_without_header_is_read_with_warnings() -> None:
    statement = read_ofx(_sgml(""))
    assert statement.lines == ()
    assert statement.closing_balance == Money(1000)
    assert statement.warnings == (
        "the file has no OFX header; it was read from the <OFX> tag",
        "the statement has no transactions",
    )


def test_ofx_faults_are_all_reported_together() -> None:
    transactions = (
        "<STMTTRN><DTPOSTED>20240105<TRNAMT>1.005<FITID>A</STMTTRN>\n"
        "<STMTTRN><DTPOSTED>2024010<TRNAMT>12,345.00<FITID>B</STMTTRN>\n"
        "<STMTTRN><DTPOSTED>20240106<FITID>C</STMTTRN>\n"
    )
    with pytest.raises(BankFileError) as caught:
        read_ofx(_sgml(transactions, currency="POUNDS", ledger="ten"))
    assert caught.value.problems == (
        "'POUNDS' is not a currency code (CURDEF)",
        "transaction A (line 2): '1.005' has more than two decimal places (TRNAMT)",
        "transaction B (line 3): '2024010' is not a date (DTPOSTED)",
        "transaction B (line 3): '12,345.00' is not an amount (TRNAMT)",
        "transaction C (line 4): no amount (TRNAMT)",
        "LEDGERBAL: 'ten' is not an amount (BALAMT)",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>GBP", "no closing </OFX> tag"),
        (b"<OFX>\n<A>1</A> stray words\n<B>2</OFX>", "not well formed at line 2: stray text"),
        (b"just some text", "no <OFX> element"),
        (
            b"<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR"
            b"<MESSAGE>Signon invalid</STATUS></SONRS></SIGNONMSGSRSV1></OFX>",
            r"the bank sent an error instead of a statement: Signon invalid \(code 15500\)",
        ),
        (
            b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>GBP</STMTRS></STMTTRNRS>"
            b"<STMTTRNRS><STMTRS><CURDEF>GBP</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
            "statements for 2 accounts",
        ),
    ],
)
def test_ofx_that_is_not_a_statement(data: bytes, message: str) -> None:
    with pytest.raises(BankFileError, match=message):
        read_ofx(data)


# --- CSV ------------------------------------------------------------------------------------


def test_csv_row_faults_are_reported_by_line_and_column() -> None:
    text = (
        f"{LLOYDS_HEADER}\n"
        "15/01/2024,DEB,'99-88-74,1515152252,GOOD LINE,8.99,,2040.59\n"
        "31/02/2024,DEB,'99-88-74,1515152252,BAD DATE,8.99,,2040.59\n"
        "16/01/2024,DEB,'99-88-74,1515152252,BAD AMOUNT,8.9.9,,2040.59\n"
        "16/01/2024,FPI,'99-88-74,1515152252,BOTH FILLED,8.99,10.00,2040.59\n"
        "16/01/2024,FPI,'99-88-74,1515152252,NEITHER,,,2040.59\n"
        "16/01/2024,FPI,'99-88-74,1515152252,BAD BALANCE,,10.00,£lots\n"
    )
    with pytest.raises(BankFileError) as caught:
        read_csv(text)
    assert caught.value.problems == (
        "line 3, column 'Transaction Date': '31/02/2024' is not a date (day/month/year expected)",
        "line 4, column 'Debit Amount': '8.9.9' is not an amount",
        "line 5: both 'Debit Amount' (8.99) and 'Credit Amount' (10.00) are filled in; "
        "a line is either money out or money in",
        "line 6: neither 'Debit Amount' nor 'Credit Amount' has an amount",
        "line 7, column 'Balance': '£lots' is not an amount",
    )


def test_a_zero_in_the_unused_column_is_filler() -> None:
    text = f"{LLOYDS_HEADER}\n15/01/2024,DEB,,,SHOP,0.00,5.00,\n16/01/2024,DEB,,,SHOP,5.00,0,\n"
    statement = read_csv(text)
    assert [line.amount for line in statement.lines] == [Money(500), Money(-500)]
    assert (statement.account, statement.sort_code, statement.closing_balance) == ("", "", None)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,234.56", 123456),
        ("(12.00)", -1200),
        ("12.00 DR", -1200),
        ("12.00DR", -1200),
        ("5.00 CR", 500),
        ("-3", -300),
        ("£-3.50", -350),
        ("- £ 3.50", -350),
        ("12.00-", -1200),
        ("1,234", 123400),
        ("0.5", 50),
    ],
)
def test_csv_amounts(typed: str, pence: int) -> None:
    statement = read_csv(f'Date,Description,Amount\n15/01/2024,X,"{typed}"\n')
    assert [line.amount for line in statement.lines] == [Money(pence)]


@pytest.mark.parametrize("typed", ["12,34", "1.234", "£", "--1", "(1) DR", "1e5", "$5", "-1 CR"])
def test_csv_amounts_refused(typed: str) -> None:
    with pytest.raises(BankFileError, match=r"^line 2, column 'Amount': '.*' (is not an|has more)"):
        read_csv(f'Date,Description,Amount\n15/01/2024,X,"{typed}"\n')


@pytest.mark.parametrize(
    "typed", ["15/01/2024", "15/01/24", "15 Jan 2024", "15 JAN 24", "15-01-2024", "2024-01-15"]
)
def test_csv_dates_are_day_first(typed: str) -> None:
    statement = read_csv(f"Date,Description,Amount\n{typed},X,1.00\n")
    assert statement.lines[0].posted_on == date(2024, 1, 15)


def test_csv_date_with_a_time_of_day() -> None:
    statement = read_csv("Date,Description,Amount\n05/02/2024 10:22:31,X,1.00\n")
    assert statement.lines[0].posted_on == date(2024, 2, 5)


def test_month_first_dates_are_refused_not_guessed() -> None:
    with pytest.raises(BankFileError, match="'01/13/2024' is not a date"):
        read_csv("Date,Description,Amount\n01/13/2024,X,1.00\n")


def test_two_identical_rows_both_survive_with_different_fitids() -> None:
    text = "Date;Description;Amount\n15/01/2024;STRIKE PAY;-30.00\n15/01/2024;STRIKE PAY;-30.00\n"
    statement = read_csv(text)
    assert [line.amount for line in statement.lines] == [Money(-3000), Money(-3000)]
    first, second = (line.fitid for line in statement.lines)
    assert first != second
    assert [line.fitid for line in read_csv(text).lines] == [first, second]


def test_same_day_newest_first_file_is_turned_round_by_its_balance() -> None:
    text = (
        "Date,Description,Amount,Balance\n"
        "15/01/2024,THIRD,-5.00,85.00\n"
        "15/01/2024,SECOND,-10.00,90.00\n"
        "15/01/2024,FIRST,100.00,100.00\n"
    )
    statement = read_csv(text)
    assert [line.description for line in statement.lines] == ["FIRST", "SECOND", "THIRD"]
    assert statement.closing_balance == Money(8500)
    assert statement.warnings == ()


def test_unknown_csv_layout_asks_for_a_column_mapping() -> None:
    with pytest.raises(BankFileError) as caught:
        read_csv("\n\nWhen,What,Out,In\n15/01/2024,X,1.00,\n")
    assert str(caught.value) == (
        "the columns are not a bank layout BranchDesk knows (columns found: 'When', 'What', "
        "'Out', 'In'); a column mapping is needed to say which column holds the date, the "
        "description and the amount"
    )


def test_a_column_mapping_chosen_by_hand() -> None:
    profile = CsvProfile(
        name="Credit union",
        date_column="When",
        description_column="What",
        debit_column="Out",
        credit_column="In",
        reference_column="Ref",
        date_format="%Y%m%d",
    )
    statement = read_csv("When,What,Out,In,Ref\n20240115,Strike pay,30.00,,HF-12\n", profile)
    line = statement.lines[0]
    assert (line.posted_on, line.amount, line.reference) == (
        date(2024, 1, 15),
        Money(-3000),
        "HF-12",
    )

    with pytest.raises(BankFileError, match=r"no 'Ref' column for the 'Credit union' mapping"):
        read_csv("When,What,Out,In\n20240115,Strike pay,30.00,\n", profile)
    unusable = dataclasses.replace(profile, credit_column=None)
    with pytest.raises(BankFileError, match=r"both a debit .* and a credit .* column are needed"):
        read_csv("When,What,Out,In\n", unusable)


def test_nationwide_layout_with_account_lines_above_the_headings(write: Write) -> None:
    text = (
        '"Account Name:","FlexAccount ****12345"\n'
        '"Account Balance:","£1,000.01"\n'
        '"Available Balance: ","£1,000.01"\n'
        "\n"
        '"Date","Transaction type","Description","Paid out","Paid in","Balance"\n'
        '"15 Jan 2024","Visa purchase","PRINT SHOP","£8.99","","£991.01"\n'
        '"16 Jan 2024","Transfer from","BRANCH LEVY","","£9.00","£1,000.01"\n'
    )
    statement = read_statement(write(text.encode("cp1252")))
    assert [(line.line_no, line.amount) for line in statement.lines] == [
        (6, Money(-899)),
        (7, Money(900)),
    ]
    assert statement.closing_balance == Money(100001)
    assert statement.warnings == ("the 3 line(s) above the column headings were skipped",)


def test_a_csv_mixing_accounts_is_refused() -> None:
    text = (
        f"{LLOYDS_HEADER}\n"
        "15/01/2024,DEB,'99-88-74,1515152252,A,8.99,,\n"
        "15/01/2024,DEB,'99-88-74,1515159999,B,8.99,,\n"
    )
    with pytest.raises(BankFileError, match=r"mixes 2 accounts: \*\*\*\*2252 \(from line 2\)"):
        read_csv(text)


def test_an_empty_csv() -> None:
    with pytest.raises(BankFileError, match="the file is empty"):
        read_csv("\n \n")


# --- files ----------------------------------------------------------------------------------

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write(data: bytes, name: str = "statement.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def test_a_renamed_spreadsheet_is_refused_plainly(write: Write) -> None:
    path = write(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "statement.csv")
    with pytest.raises(BankFileError) as caught:
        read_statement(path)
    assert str(caught.value) == (
        "statement.csv is an Excel workbook (.xlsx) or other zipped file, not a statement: "
        "download the statement from online banking as CSV or as OFX (Money/Quicken)"
    )


def test_other_binary_files_are_refused(write: Write) -> None:
    with pytest.raises(BankFileError, match="is a PDF, not a statement"):
        read_statement(write(b"%PDF-1.7\n...", "statement.ofx"))
    with pytest.raises(BankFileError, match="is not a text file"):
        read_statement(write(b"\x01\x02\x00\x00binary", "statement.csv"))


def test_an_empty_file(write: Write) -> None:
    with pytest.raises(BankFileError, match=r"^statement\.csv is empty$"):
        read_statement(write(b""))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BankFileError, match=r"^there is no file at .*nowhere\.ofx$"):
        read_statement(tmp_path / "nowhere.ofx")


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(51 * 1024 * 1024)  # sparse: no real disk used
    with pytest.raises(
        BankFileError, match=r"huge\.csv is 51 MB, too large .*\(the limit is 50 MB\)"
    ):
        read_statement(path)


def test_files_are_told_apart_by_content_not_name(write: Write) -> None:
    ofx = read_statement(write((DATA / "ofx" / "checking.ofx").read_bytes(), "export.csv"))
    assert ofx.source == "ofx"
    csv = read_statement(write(LLOYDS.read_bytes(), "export.ofx"))
    assert csv.source == "csv"
    utf16 = read_statement(write(LLOYDS.read_text().encode("utf-16"), "unicode.txt"))
    assert utf16.lines == csv.lines


# --- layouts --------------------------------------------------------------------------------


def test_detect_profile() -> None:
    lloyds = detect_profile(LLOYDS_HEADER.split(","))
    assert lloyds is not None and lloyds.name == "Lloyds / Halifax / Bank of Scotland"
    shouting = [" TRANSACTION  DATE", "transaction type", "SORT CODE", "account number"]
    shouting += ["Transaction Description", "debit amount", "Credit Amount", "balance"]
    assert detect_profile(shouting) == lloyds

    monzo = "Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,"
    monzo += "Local currency,Notes and #tags,Address,Receipt,Description,Category split"
    detected = detect_profile(monzo.split(","))
    assert detected is not None and detected.name == "Monzo"  # not the plainer HSBC layout
    starling = "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category"
    detected = detect_profile(starling.split(","))
    assert detected is not None and detected.name == "Starling"
    assert detect_profile(["Date", "Amount"]) is None
    assert all(profile.problems() == [] for profile in KNOWN_PROFILES)
    assert len({profile.name for profile in KNOWN_PROFILES}) == len(KNOWN_PROFILES)


def test_csv_profile_json_round_trip() -> None:
    for profile in KNOWN_PROFILES:
        assert CsvProfile.from_json(profile.to_json()) == profile


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"name": "X", "date_column": "D", "description_column": "T", "colour": "red"}', "colour"),
        ('{"name": "X", "date_column": "D"}', "lacks: description_column"),
        ('{"name": "X", "date_column": 3, "description_column": "T"}', "date_column must be text"),
        (
            '{"name": "X", "date_column": "D", "description_column": "T"}',
            r"cannot be used: no column is chosen for the amount",
        ),
    ],
)
def test_csv_profile_bad_json(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CsvProfile.from_json(text)


def test_csv_profile_problems() -> None:
    profile = CsvProfile(
        name="",
        date_column="Date",
        description_column="date",
        amount_column="Amount",
        debit_column="Out",
        date_format="%d/%m",
    )
    assert profile.problems() == [
        "the column mapping has no name",
        "choose either one amount column or separate debit and credit columns, not both",
        "the column 'date' is chosen for more than one thing",
        "the date format '%d/%m' does not give a day, month and year",
    ]


# --- accounts -------------------------------------------------------------------------------


def _statement(account: str, sort_code: str = "") -> Statement:
    return Statement("ofx", "GBP", account, sort_code, None, None, None, None, (), ())


@pytest.mark.parametrize(
    ("fund_account", "fund_sort_code", "account", "sort_code", "same"),
    [
        ("1515152252", "99-88-74", "1515152252", "998874", True),
        ("15151522 52", "", "1515152252", "998874", True),
        ("1515152252", "11-22-33", "1515152252", "998874", False),
        ("1515152253", "99-88-74", "1515152252", "998874", False),
        ("12345678", "", "12300 000012345678", "", True),  # branch number first in ACCTID
        ("012345678", "", "12300 000012345678", "", True),
        ("5678", "", "12300 000012345678", "", False),  # too short to trust a suffix
        ("14526877", "", "1452687~7", "", True),
        ("12345678", "30-99-50", "'30-99-50 12345678", "", True),
        ("12345678", "30-99-50", "", "", True),  # nothing to compare
        ("", "", "12345678", "309950", True),
    ],
)
def test_same_account(
    fund_account: str, fund_sort_code: str, account: str, sort_code: str, same: bool
) -> None:
    assert same_account(fund_account, fund_sort_code, _statement(account, sort_code)) is same


def test_same_account_on_the_sample() -> None:
    statement = read_statement(LLOYDS)
    assert same_account("15151522-52", "998874", statement)
    assert not same_account("15151522-52", "998875", statement)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("1515152252", "****2252"),
        ("12300 000012345678", "****5678"),
        ("1452687~7", "****6877"),
        ("12", "****12"),
        ("", ""),
    ],
)
def test_mask_account(number: str, masked: str) -> None:
    assert mask_account(number) == masked


# --- the error ------------------------------------------------------------------------------


def test_bank_file_error_message() -> None:
    one = BankFileError(["the file is empty"])
    assert str(one) == "the file is empty"
    many = BankFileError([f"line {n}: bad" for n in range(2, 27)])
    text = str(many)
    assert text.startswith("The file cannot be imported: 25 problems\n- line 2: bad\n")
    assert text.endswith("- line 21: bad\n- and 5 more")
    assert len(many.problems) == 25
    assert isinstance(many, ValueError)
    assert pickle.loads(pickle.dumps(many)).problems == many.problems
