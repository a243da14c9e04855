"""Bank reconciliation against the fund's ledger: importing real statement files, refusing
another account's or currency's, matching, recording what the ledger lacks, and explaining the
difference between the bank and the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk.hardship.bankfiles import BankFileError, CsvProfile
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.funds import FundForm, create_fund
from branchdesk.hardship.ledger import balance, check_all_funds, record_entry
from branchdesk.hardship.models import BankLine, BankStatement, Donation
from branchdesk.hardship.reconcile import (
    StatementRefused,
    import_statement,
    match,
    match_many,
    reconciliation,
    record_line,
    save_profile,
    saved_profiles,
    suggest_matches,
    unmatch,
)
from branchdesk.members.service import ValidationError
from branchdesk.money import Money
from branchdesk.store.database import Database

BANK = Path(__file__).resolve().parent / "data" / "bank"
LLOYDS = BANK / "lloyds-sample-statement.csv"
HEADER = (
    "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,"
    "Debit Amount,Credit Amount,Balance,\n"
)


def _lloyds_fund(db: Database, **changes: str) -> int:
    values = {"sort_code": "99-88-74", "account_number": "1515152252"}
    values.update(changes)
    return create_fund(
        db,
        FundForm(name="Depot dispute", starts_on=date(2023, 11, 1), **values),  # type: ignore[arg-type]
    )


def _statements(db: Database) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(BankStatement)) or 0,
            session.scalar(select(func.count()).select_from(BankLine)) or 0,
        )


def test_a_real_statement_imports_once_and_reconciles(any_db: Database) -> None:
    fund_id = _lloyds_fund(any_db)
    record_donation(
        any_db,
        fund_id,
        DonationForm(
            received_on=date(2023, 12, 2),
            donor_kind="organisation",
            donor_name="HHHHH Ltd",
            amount=Money(200000),
            bank_reference="RP555000111222333",
        ),
    )
    first = import_statement(any_db, fund_id, LLOYDS)
    assert (first.imported, first.already_imported, first.matched) == (12, 0, 1)
    assert any("does not follow" in w for w in first.warnings)  # the sample's own quirk
    again = import_statement(any_db, fund_id, LLOYDS)
    assert (again.imported, again.already_imported) == (0, 12)
    assert _statements(any_db)[1] == 12

    view = reconciliation(any_db, fund_id)
    assert view.as_of == date(2024, 1, 15)
    assert view.statement_balance == Money(204059)
    assert view.ledger_balance == Money(200000)
    # £2,040.59 less the twelve lines (-£3,881.99) is what the account held beforehand.
    assert view.brought_forward == Money(592258)
    assert len(view.not_in_ledger) == 11 and view.not_on_statement == ()
    # All explained, but not reconciled until the ledger has the eleven lines it lacks.
    assert view.unexplained == Money(0) and not view.reconciled


def test_lines_the_ledger_lacks_are_recorded_and_matched(db: Database) -> None:
    fund_id = _lloyds_fund(db)
    import_statement(db, fund_id, LLOYDS)
    lines = {line.text.split()[0]: line for line in reconciliation(db, fund_id).not_in_ledger}
    client = lines["CLIENT"]
    with pytest.raises(ValidationError, match="money paid in"):
        record_line(db, client.id, "bank_charge")
    record_line(db, client.id, "donation", donor_kind="organisation", donor_name="Client Co (demo)")
    with db.read() as session:
        donation = session.scalars(select(Donation)).one()
    assert (donation.amount, donation.donor_name) == (Money(50000), "Client Co (demo)")
    record_line(db, lines["SERVICE"].id, "bank_charge", "Monthly service charge")
    assert balance(db, fund_id) == Money(50000 - 1250)
    with pytest.raises(ValidationError, match="already matched"):
        record_line(db, client.id, "donation")
    view = reconciliation(db, fund_id)
    assert len(view.not_in_ledger) == 10 and view.unexplained == Money(0)
    assert check_all_funds(db) == []


def test_suggested_matches_are_confirmed_or_made_by_hand(db: Database) -> None:
    fund_id = _lloyds_fund(db)
    record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=date(2023, 11, 20),
            donor_kind="branch",
            donor_name="Northtown branch (demo)",
            amount=Money(1_000_000),
        ),
    )
    tax = record_entry(db, fund_id, "transfer_out", Money(25000), date(2023, 11, 29), "TX1")
    late = record_entry(db, fund_id, "transfer_out", Money(899), date(2024, 1, 30), "ACME")
    import_statement(db, fund_id, LLOYDS)
    suggestions = suggest_matches(db, fund_id)
    assert [(s.entry_id, s.line_amount) for s in suggestions] == [(tax, Money(-25000))]
    assert "2 days apart" in suggestions[0].reason
    match(db, suggestions[0].line_id, tax)
    with pytest.raises(ValidationError, match="already matched"):
        match(db, suggestions[0].line_id, late)
    acme = next(i for i in reconciliation(db, fund_id).not_in_ledger if "ACME STORE" in i.text)
    match(db, acme.id, late)  # by hand: 15 days apart, outside the window
    unmatch(db, acme.id)
    pension = next(i for i in reconciliation(db, fund_id).not_in_ledger if "PENSIONS" in i.text)
    with pytest.raises(ValidationError, match="only equal amounts"):
        match(db, pension.id, late)
    view = reconciliation(db, fund_id)
    # The late entry is after the statement's date, so it is not an open item yet; the
    # donation before the statement never reached this account's lines, so it is.
    assert [i.amount for i in view.not_on_statement] == [Money(1_000_000)]
    assert view.unexplained == Money(0)


def test_another_currency_or_account_is_refused_naming_both(any_db: Database) -> None:
    fund_id = _lloyds_fund(any_db)
    with pytest.raises(
        StatementRefused, match="in CAD but the fund 'Depot dispute' is kept in GBP"
    ):
        import_statement(any_db, fund_id, BANK / "ofx" / "bank_medium.ofx")
    other = create_fund(
        any_db, FundForm(name="Other", starts_on=date(2023, 1, 1), account_number="87654321")
    )
    with pytest.raises(StatementRefused) as caught:
        import_statement(any_db, other, LLOYDS)
    assert "****2252" in str(caught.value) and "****4321" in str(caught.value)
    assert _statements(any_db) == (0, 0)


def test_statements_in_other_currencies_import_into_a_fund_kept_in_them(db: Database) -> None:
    fund_id = create_fund(
        db,
        FundForm(
            name="Canada", starts_on=date(2009, 1, 1), currency="CAD", account_number="000012345678"
        ),
    )
    result = import_statement(db, fund_id, BANK / "ofx" / "bank_medium.ofx")
    assert result.imported == 3
    usd = create_fund(db, FundForm(name="US", starts_on=date(2000, 1, 1), currency="USD"))
    assert import_statement(db, usd, BANK / "ofx" / "checking.ofx").imported == 3


@pytest.mark.parametrize("name", ["date_missing.ofx", "decimal_error.ofx", "empty_balance.ofx"])
def test_broken_statements_import_nothing(db: Database, name: str) -> None:
    fund_id = create_fund(db, FundForm(name="Any", starts_on=date(2000, 1, 1), currency="CAD"))
    usd = create_fund(db, FundForm(name="Any USD", starts_on=date(2000, 1, 1), currency="USD"))
    with pytest.raises(BankFileError) as caught:
        import_statement(
            db, usd if name == "date_missing.ofx" else fund_id, BANK / "ofx" / "fail_nice" / name
        )
    assert caught.value.problems
    assert _statements(db) == (0, 0)


def test_a_missing_statement_shows_as_unexplained(db: Database, tmp_path: Path) -> None:
    fund_id = _lloyds_fund(db)
    january = tmp_path / "january.csv"
    january.write_text(
        HEADER + "05/01/2024,BGC,'99-88-74,1515152252,NORTHTOWN BRANCH DON1,,100.00,100.00,\n",
        encoding="utf-8",
    )
    march = tmp_path / "march.csv"
    # February's statement (a £40.00 payment out) was never imported.
    march.write_text(
        HEADER + "03/03/2024,FPO,'99-88-74,1515152252,PAYMENT H-2024-0001,25.00,,35.00,\n",
        encoding="utf-8",
    )
    import_statement(db, fund_id, january)
    assert not reconciliation(db, fund_id).reconciled
    (line,) = reconciliation(db, fund_id).not_in_ledger
    record_line(db, line.id, "donation", donor_kind="branch", donor_name="Northtown (demo)")
    january_view = reconciliation(db, fund_id)
    assert january_view.reconciled and january_view.difference == Money(0)
    import_statement(db, fund_id, march)
    view = reconciliation(db, fund_id)
    assert view.statement_balance == Money(3500)
    assert view.brought_forward == Money(0)
    assert view.unexplained == Money(-4000) and not view.reconciled


def test_csv_layouts_are_saved_and_used(db: Database, tmp_path: Path) -> None:
    fund_id = _lloyds_fund(db, account_number="")
    odd = tmp_path / "odd.csv"
    odd.write_text("When,What,Money\n02/01/2024,Collection at the depot,45.50\n", encoding="utf-8")
    with pytest.raises(BankFileError, match="When"):
        import_statement(db, fund_id, odd)
    profile = CsvProfile(
        name="Branch tin", date_column="When", description_column="What", amount_column="Money"
    )
    save_profile(db, profile)
    assert saved_profiles(db) == [profile]
    assert import_statement(db, fund_id, odd, profile).imported == 1


def test_a_match_across_the_statement_date_is_an_open_item(db: Database, tmp_path: Path) -> None:
    fund_id = _lloyds_fund(db)
    statement = tmp_path / "march.csv"
    statement.write_text(
        HEADER + "30/03/2024,BGC,'99-88-74,1515152252,EASTSIDE BRANCH DON7,,100.00,100.00,\n",
        encoding="utf-8",
    )
    record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=date(2024, 4, 2),
            donor_kind="branch",
            donor_name="Eastside branch (demo)",
            amount=Money(10000),
            bank_reference="DON7",
        ),
    )
    assert import_statement(db, fund_id, statement).matched == 1
    view = reconciliation(db, fund_id)
    assert view.ledger_balance == Money(0)  # the entry is dated after the statement
    assert view.not_in_ledger_total == Money(10000) and view.not_in_ledger_count == 1
    assert view.unexplained == Money(0)


def test_equal_payments_under_one_batch_reference_wait_for_the_treasurer(
    db: Database, tmp_path: Path
) -> None:
    fund_id = _lloyds_fund(db)
    record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=date(2024, 3, 1),
            donor_kind="branch",
            donor_name="Northtown branch (demo)",
            amount=Money(20000),
            bank_reference="DON1",
        ),
    )
    for _ in range(2):
        record_entry(db, fund_id, "transfer_out", Money(5000), date(2024, 3, 4), "RUN1")
    statement = tmp_path / "run.csv"
    statement.write_text(
        HEADER
        + "01/03/2024,BGC,'99-88-74,1515152252,NORTHTOWN DON1,,200.00,200.00,\n"
        + "05/03/2024,FPO,'99-88-74,1515152252,RUN1,50.00,,150.00,\n"
        + "05/03/2024,FPO,'99-88-74,1515152252,RUN1,50.00,,100.00,\n",
        encoding="utf-8",
    )
    # The donation is certain; which RUN1 line is which RUN1 entry is not.
    assert import_statement(db, fund_id, statement).matched == 1
    assert len(suggest_matches(db, fund_id)) == 2
    # Both confirmed at once, in one transaction; a pair matched meanwhile is left out.
    first, second = suggest_matches(db, fund_id)
    match(db, first.line_id, first.entry_id)
    problems = match_many(db, [(first.line_id, first.entry_id), (second.line_id, second.entry_id)])
    assert problems == ["This statement line is already matched."]
    assert suggest_matches(db, fund_id) == []
    assert reconciliation(db, fund_id).reconciled
