"""The Hardship fund tab, worked as a treasurer and the panel would: set up a fund, take
donations, decide claims, pay them, put a mistake right and reconcile with the bank."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from ui_helpers import click, column_texts, type_into

from branchdesk.hardship.claims import ClaimForm, create_claim, decide, get_claim
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.funds import (
    FundForm,
    add_strike_day,
    create_fund,
    fund_names,
    fund_rules,
    set_taking_part,
    strike_days,
)
from branchdesk.hardship.ledger import balance
from branchdesk.hardship.rules import PaymentRules
from branchdesk.money import Money
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.hardship.claim_dialogs import ClaimDialog, DecideDialog
from branchdesk.ui.hardship.data import donation_totals
from branchdesk.ui.hardship.donations_page import DonationDialog
from branchdesk.ui.hardship.fund_dialog import FundDialog, TakingPartDialog
from branchdesk.ui.hardship.hardship_tab import HardshipTab
from branchdesk.ui.hardship.ledger_page import EntryDialog, ReverseDialog
from branchdesk.ui.hardship.reconcile_page import MappingDialog, RecordLineDialog

pytestmark = pytest.mark.timeout(60)

DAY_ONE = date(2026, 3, 10)
DAY_TWO = date(2026, 3, 11)
LLOYDS_HEADER = (
    "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,"
    "Debit Amount,Credit Amount,Balance,"
)


def make_tab(qtbot: Any, ctx: AppContext) -> HardshipTab:
    page = HardshipTab(ctx)
    qtbot.addWidget(page, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def new_fund(
    db: Database, approvals: int = 1, account: str = "12345678", per_day: int = 50_00
) -> int:
    """A fund from 1 March 2026 paying £50 a strike day, two strike days, M001 and M002 out."""
    fund_id = create_fund(
        db,
        FundForm(
            name="Refuse strike 2026",
            employer="Northmoor Borough Council",
            starts_on=date(2026, 3, 1),
            sort_code="08-60-01",
            account_number=account,
        ),
        PaymentRules(
            effective_from=date(2026, 3, 1),
            per_day=Money(per_day),
            approvals_needed=approvals,
        ),
    )
    for day in (DAY_ONE, DAY_TWO):
        day_id = add_strike_day(db, fund_id, day, "All-out strike")
        assert set_taking_part(db, day_id, ["M001", "M002"]) == []
    return fund_id


def donate(db: Database, fund_id: int, pounds: int, on: date = date(2026, 3, 2)) -> int:
    return record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=on,
            donor_kind="branch",
            donor_name="Eastvale branch",
            amount=Money(pounds * 100),
        ),
    )


def approved_claim(db: Database, fund_id: int, number: str, pounds: int) -> int:
    claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number=number,
            received_on=date(2026, 3, 12),
            days=[DAY_ONE, DAY_TWO],
            pay_deducted=Money(200_00),
            requested=Money(pounds * 100),
        ),
    )
    decide(db, claim_id, True, Money(pounds * 100), "Meets the rules")
    return claim_id


def fill_fund_page(qtbot: Any, d: FundDialog) -> None:
    type_into(qtbot, d.name_edit, "Refuse strike 2026")
    type_into(qtbot, d.employer_edit, "Northmoor Borough Council")
    d.starts.setDate(date(2026, 3, 1))
    d.ends.check.setChecked(True)
    d.ends.edit.setDate(date(2026, 6, 30))
    type_into(qtbot, d.sort_code_edit, "086001")
    type_into(qtbot, d.account_edit, "12345678")


# -- the fund -------------------------------------------------------------------------------------


def test_with_no_fund_the_tab_says_what_to_do_first(
    qtbot: Any, ctx: AppContext, dialogs: Any
) -> None:
    tab = make_tab(qtbot, ctx)
    assert tab.stack.currentIndex() == 0
    assert "New fund…" in tab.empty_label.text()
    assert not tab.header.isVisible()
    dialogs.dialogs.append(lambda d: click(qtbot, d.cancel_button))
    click(qtbot, tab.empty_new_button)
    assert tab.stack.currentIndex() == 0  # cancelled: still nothing


def test_a_fund_is_set_up_with_rules_strike_days_and_who_took_part(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    tab = make_tab(qtbot, ctx)

    def fill(d: FundDialog) -> None:
        click(qtbot, d.save_button)  # nothing typed
        assert "name" in d.error_text("name").lower()
        assert d.pages.currentIndex() == 0
        fill_fund_page(qtbot, d)
        # A negative amount a day: said beside the field, on its page, and nothing saved.
        type_into(qtbot, d.per_day_edit, "-50")
        click(qtbot, d.save_button)
        assert d.pages.currentIndex() == 1
        assert "more than £0.00" in d.error_text("per_day")
        assert "per_day" not in d.error_text("per_day")  # no code names shown
        assert fund_names(db) == []
        type_into(qtbot, d.per_day_edit, "50")
        d.approvals_spin.setValue(2)
        d.unpaid_spin.setValue(1)
        assert "first strike day in the dispute is unpaid" in d.plain_words.toPlainText()
        # A strike day outside the fund's dates is refused where it is typed.
        d.pages.setCurrentIndex(2)
        d.day_edit.setDate(date(2025, 12, 1))
        click(qtbot, d.add_day_button)
        assert "outside the fund's dates" in d.error_text("strike_days")
        assert d.days_table.rowCount() == 0
        d.day_edit.setDate(DAY_TWO)
        type_into(qtbot, d.day_text, "Second day")
        click(qtbot, d.add_day_button)
        d.day_edit.setDate(DAY_ONE)
        type_into(qtbot, d.day_text, "All-out strike")
        click(qtbot, d.add_day_button)
        assert d.error_text("strike_days") == ""
        assert column_texts(d.days_table, 0) == ["10 Mar 2026", "11 Mar 2026"]
        d.days_table.selectRow(0)
        click(qtbot, d.taking_part_button)
        assert d.days_table.item(0, 2).text() == "2 (+2)"
        click(qtbot, d.save_button)

    def taking_part(d: TakingPartDialog) -> None:
        type_into(qtbot, d.numbers_box, "M001\nM999, M002")
        assert d.count_label.text() == "3 numbers to add"
        click(qtbot, d.save_button)
        assert "M999" in d.error_text("numbers")
        type_into(qtbot, d.numbers_box, "M001, M002")
        click(qtbot, d.save_button)

    dialogs.dialogs += [fill, taking_part]
    click(qtbot, tab.empty_new_button)

    ((fund_id, name),) = fund_names(db)
    assert name == "Refuse strike 2026"
    (rules,) = fund_rules(db, fund_id)
    assert rules.per_day == Money(50_00) and rules.approvals_needed == 2
    assert rules.unpaid_days == 1
    days = strike_days(db, fund_id)
    assert [(d.day, d.description, d.taking_part) for d in days] == [
        (DAY_ONE, "All-out strike", 2),
        (DAY_TWO, "Second day", 0),
    ]
    assert tab.stack.currentIndex() == 1
    assert tab.fund_box.currentText() == "Refuse strike 2026"
    assert tab.balance_label.text() == "Balance £0.00"
    assert "2 strike days" in tab.facts_label.text()
    assert "****5678 (08-60-01)" in tab.facts_label.text()

    # Edit: the rules change from a later day, a day goes, more members are added.
    def edit(d: FundDialog) -> None:
        assert d.name_edit.text() == "Refuse strike 2026"
        d.effective.setDate(DAY_TWO)
        type_into(qtbot, d.per_day_edit, "60")
        d.pages.setCurrentIndex(2)
        d.days_table.selectRow(1)
        click(qtbot, d.remove_day_button)
        assert d.days_table.rowCount() == 1
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, tab.edit_fund_button)
    assert [r.per_day for r in fund_rules(db, fund_id)] == [Money(50_00), Money(60_00)]
    assert [d.day for d in strike_days(db, fund_id)] == [DAY_ONE]
    assert "1 strike day" in tab.facts_label.text()


# -- donations ------------------------------------------------------------------------------------


def test_a_donation_is_recorded_and_goes_into_the_ledger(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.donations_page)
    assert tab.donations_page.stack.currentIndex() == 0  # "No donations recorded yet"

    def fill(d: DonationDialog) -> None:
        d.received.setDate(date(2026, 3, 3))
        type_into(qtbot, d.amount_edit, "-20")
        click(qtbot, d.save_button)
        assert "more than £0.00" in d.error_text("amount")
        assert "donor" in d.error_text("donor_name").lower()
        assert donation_totals(db, fund_id).count == 0
        type_into(qtbot, d.amount_edit, "12.345")
        click(qtbot, d.save_button)
        assert "decimal places" in d.error_text("amount")
        type_into(qtbot, d.name_edit, "Eastvale UNISON branch")
        type_into(qtbot, d.amount_edit, "250")
        type_into(qtbot, d.reference_edit, "EASTVALE SOLIDARITY")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.donations_page.record_button)
    page = tab.donations_page
    assert page.stack.currentIndex() == 1
    assert column_texts(page.table, 0) == ["3 Mar 2026"]
    assert column_texts(page.table, 1) == ["Eastvale UNISON branch"]
    assert column_texts(page.table, 2) == ["Another branch"]
    assert column_texts(page.table, 6) == ["£250.00"]
    amount = page.model.index(0, 6).data(Qt.ItemDataRole.TextAlignmentRole)
    assert amount & Qt.AlignmentFlag.AlignRight
    assert page.total_label.text() == "1 donation, £250.00 in all"
    assert tab.balance_label.text() == "Balance £250.00"
    assert tab.ledger_page.model.rowCount() == 1
    assert column_texts(tab.ledger_page.table, 7) == ["£250.00"]


# -- claims ---------------------------------------------------------------------------------------


def test_a_claim_is_entered_with_its_entitlement_and_decided_by_two_officers(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db, approvals=2)
    donate(db, fund_id, 500)
    tab = make_tab(qtbot, ctx)
    page = tab.claims_page
    assert page.model.rowCount() == 0

    def fill(d: ClaimDialog) -> None:
        type_into(qtbot, d.member_edit, "M001")
        d.received.setDate(date(2026, 3, 12))
        d.day_checks[DAY_ONE].setChecked(True)
        d.day_checks[DAY_TWO].setChecked(True)
        type_into(qtbot, d.fte_edit, "0.5")
        type_into(qtbot, d.pay_edit, "120")
        type_into(qtbot, d.requested_edit, "-1")
        d.update_preview()  # as the typing pauses
        # Two days at £50 × 0.5 FTE, worked out as it is typed.
        assert d.amount_label.text() == "£50.00"
        assert "Ada Lowmoor" in d.who_label.text()
        assert "£50.00 x 0.5 FTE = £25.00" in d.working_label.text()
        click(qtbot, d.save_button)
        assert "negative" in d.error_text("requested")
        type_into(qtbot, d.requested_edit, "80")
        d.update_preview()
        assert d.warnings_label.isVisibleTo(d)
        assert "more than the £50.00" in d.warnings_label.text()
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, page.new_button)
    assert page.model.rowCount() == 1
    assert page.detail is not None
    claim_id = page.detail.id
    assert page.detail.entitlement == Money(50_00)
    text = page.details.toPlainText()
    assert "How the entitlement is worked out" in text and "£25.00" in text
    assert "It needs 2 panel approvals; 0 given so far." in text
    assert column_texts(page.table, page.model.column_index("entitlement")) == ["£50.00"]

    # The first officer approves (after being told the reasons are needed).
    def first(d: DecideDialog) -> None:
        assert "Test Officer" in d.officer_label.text()
        assert d.amount_edit.text() == "50.00"  # the entitlement, less than asked
        click(qtbot, d.save_button)
        assert "reasons" in d.error_text("reasons").lower()
        type_into(qtbot, d.reasons_box, "Payslip seen; two days out")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(first)
    click(qtbot, page.decide_button)
    assert get_claim(db, claim_id).status == "under_review"
    ((_title, told),) = dialogs.messages("info")
    assert "1 of the 2 approvals" in told
    assert "1 given so far" in page.details.toPlainText()
    # Once an officer has decided, the claim cannot be edited, only decided.
    assert not page.edit_button.isEnabled() and page.decide_button.isEnabled()

    # The same officer cannot give the second approval.
    def again(d: DecideDialog) -> None:
        assert "already decided" in d.error_text("officer")
        assert not d.save_button.isEnabled()
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(again)
    click(qtbot, page.decide_button)
    assert get_claim(db, claim_id).status == "under_review"

    # Another officer signs in and approves: the claim is decided at the lower amount agreed.
    db.officer = "Second Officer"

    def second(d: DecideDialog) -> None:
        assert "Test Officer" in d.findChild(type(d.officer_label), "panelDecisions").text()
        # A slip of the keyboard: more than the rules allow is confirmed first, and refused.
        type_into(qtbot, d.amount_edit, "4500")
        type_into(qtbot, d.reasons_box, "Agreed")
        click(qtbot, d.save_button)
        assert d.isVisible() and "check the amount" in d.error_text("amount")
        type_into(qtbot, d.amount_edit, "45")
        click(qtbot, d.save_button)

    dialogs.confirms.append(False)
    dialogs.dialogs.append(second)
    click(qtbot, page.decide_button)
    ((_title, asked),) = dialogs.messages("confirm")
    assert "£4,500.00 is more than the £50.00 the rules entitle" in asked
    detail = get_claim(db, claim_id)
    assert detail.status == "part_approved" and detail.approved == Money(45_00)
    # Decided, so no longer awaiting a decision; its page stays up, read again.
    assert page.model.rowCount() == 0
    assert page.detail is not None and page.detail.status == "part_approved"
    assert not page.decide_button.isEnabled()
    page.show_status("owed")
    assert column_texts(page.table, 0) == [detail.reference]
    assert "£45.00 owed on approved claims" in tab.facts_label.text()


def test_a_declined_claim_needs_reasons_and_no_amount(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number="M003",
            received_on=date(2026, 3, 12),
            days=[DAY_ONE],
            requested=Money(50_00),
        ),
    )
    tab = make_tab(qtbot, ctx)
    page = tab.claims_page
    page.select_claim(claim_id)
    assert "not recorded as taking part" in page.details.toPlainText()

    def decline(d: DecideDialog) -> None:
        click(qtbot, d.decline_radio)
        assert not d.amount_edit.isEnabled()
        type_into(qtbot, d.reasons_box, "Not on strike that day")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(decline)
    click(qtbot, page.decide_button)
    assert get_claim(db, claim_id).status == "declined"
    assert dialogs.messages("info") == []


def test_a_claim_changed_elsewhere_is_not_overwritten(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    from branchdesk.hardship.claims import update_claim

    fund_id = new_fund(db)
    claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number="M001",
            received_on=date(2026, 3, 12),
            days=[DAY_ONE],
            requested=Money(50_00),
        ),
    )
    tab = make_tab(qtbot, ctx)
    page = tab.claims_page
    page.select_claim(claim_id)

    def correct(d: ClaimDialog) -> None:
        assert d.member_edit.text() == "M001 — Ada Lowmoor"
        assert d.day_checks[DAY_ONE].isChecked() and not d.day_checks[DAY_TWO].isChecked()
        d.day_checks[DAY_TWO].setChecked(True)
        type_into(qtbot, d.requested_edit, "100")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(correct)
    click(qtbot, page.edit_button)
    assert get_claim(db, claim_id).days == (DAY_ONE, DAY_TWO)
    assert "£100.00" in page.details.toPlainText()

    def stale(d: ClaimDialog) -> None:
        other = get_claim(db, claim_id).form()
        other.evidence = "Payslip seen by the branch secretary"
        update_claim(db, claim_id, other)
        type_into(qtbot, d.evidence_box, "my change")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(stale)
    click(qtbot, page.edit_button)
    ((title, text),) = dialogs.messages("error")
    assert title == "Not saved: the claim was changed" and "Nothing was saved" in text
    assert get_claim(db, claim_id).evidence == "Payslip seen by the branch secretary"
    assert "Payslip seen by the branch secretary" in page.details.toPlainText()


# -- paying ---------------------------------------------------------------------------------------


def test_a_payment_run_pays_everything_owed(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 200)
    first = approved_claim(db, fund_id, "M001", 100)
    second = approved_claim(db, fund_id, "M002", 60)
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.payments_page)
    page = tab.payments_page
    assert page.owed_table.rowCount() == 2
    assert not page.short_label.isVisible()
    assert page.pay_button.text() == "Pay 2 claims, £160.00…"
    type_into(qtbot, page.reference_edit, "BACS-0001")
    dialogs.confirms.append(True)
    click(qtbot, page.pay_button)
    ((_title, asked),) = dialogs.messages("confirm")
    assert "£160.00" in asked and "£200.00 to £40.00" in asked
    assert get_claim(db, first).status == "paid" and get_claim(db, second).status == "paid"
    # The payment list, and the fund's balance everywhere.
    assert page.paid_box.isVisible()
    assert column_texts(page.paid_table, 6) == ["£100.00", "£60.00"]
    assert page.paid_table.item(0, 5).text() == f"BACS-0001 {get_claim(db, first).reference}"
    assert page.paid_total.text() == "2 payments, £160.00 in all"
    assert page.owed_stack.currentIndex() == 0  # nothing owed now
    assert tab.balance_label.text() == "Balance £40.00"
    assert column_texts(tab.ledger_page.table, 7)[-1] == "£40.00"


def test_when_the_fund_is_short_the_balance_is_shared_pro_rata(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 60)
    first = approved_claim(db, fund_id, "M001", 50)
    second = approved_claim(db, fund_id, "M002", 30)
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.payments_page)
    page = tab.payments_page
    assert page.short_label.isVisible()
    assert "£20.00 short" in page.short_label.text()
    assert not page.pay_button.isEnabled()  # the fund cannot cover it all
    # Leaving a claim out fits the balance...
    page.set_ticked(second, False)
    assert page.pay_button.isEnabled() and page.pay_button.text() == "Pay 1 claim, £50.00…"
    page.set_ticked(second, True)
    # ... or sharing it: 60/80 of each.
    page.pro_rata_check.setChecked(True)
    assert column_texts(page.owed_table, 7) == ["£37.50", "£22.50"]
    assert page.pay_button.text() == "Pay 2 claims, £60.00…"
    dialogs.confirms.append(True)
    click(qtbot, page.pay_button)
    assert get_claim(db, first).owed == Money(12_50)
    assert get_claim(db, second).owed == Money(7_50)
    assert balance(db, fund_id) == Money(0)
    assert tab.balance_label.text() == "Balance £0.00"
    # Still owed the rest, for a later run.
    assert column_texts(page.owed_table, 6) == ["£12.50", "£7.50"]
    assert not page.pro_rata_check.isChecked()


def test_a_payment_the_fund_cannot_cover_is_refused_whole(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    approved_claim(db, fund_id, "M001", 80)
    tab = make_tab(qtbot, ctx)
    page = tab.payments_page
    assert page.pay_button.isEnabled()
    # Someone else pays money out meanwhile: the run is refused and nothing is paid.
    from branchdesk.hardship.ledger import record_entry

    record_entry(db, fund_id, "transfer_out", Money(50_00), date(2026, 3, 4))
    dialogs.confirms.append(True)
    click(qtbot, page.pay_button)
    assert "Nothing was paid" in page.error_text("claims")
    assert balance(db, fund_id) == Money(50_00)


# -- the ledger -----------------------------------------------------------------------------------


def test_a_bank_charge_is_recorded_and_an_entry_reversed_with_its_reason(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    donate(db, fund_id, 50, on=date(2026, 3, 3))
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.ledger_page)
    page = tab.ledger_page
    assert not page.reverse_button.isEnabled()

    def charge(d: EntryDialog) -> None:
        assert d.direction.text() == "paid out of the fund"
        type_into(qtbot, d.amount_edit, "2.50")
        type_into(qtbot, d.description_edit, "Monthly fee")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(charge)
    click(qtbot, page.record_button)
    assert page.model.rowCount() == 3
    assert column_texts(page.table, 2) == ["Donation", "Donation", "Bank charge"]
    assert column_texts(page.table, 5) == ["£100.00", "£50.00", ""]
    assert column_texts(page.table, 6) == ["", "", "£2.50"]
    assert column_texts(page.table, 7) == ["£100.00", "£150.00", "£147.50"]
    today = date.today()
    assert column_texts(page.table, 1) == [
        "2 Mar 2026",
        "3 Mar 2026",
        f"{today.day} {today:%b} {today.year}",
    ]

    # The £50 donation was entered by mistake: reversed, with the reason, both kept.
    page.table.selectRow(1)

    def reverse_it(d: ReverseDialog) -> None:
        click(qtbot, d.save_button)
        assert "why" in d.error_text("reason").lower()
        type_into(qtbot, d.reason_box, "Entered against the wrong fund")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(reverse_it)
    click(qtbot, page.reverse_button)
    assert page.model.rowCount() == 4
    assert column_texts(page.table, 2)[-1] == "Reversal"
    assert "Entered against the wrong fund" in column_texts(page.table, 4)[-1]
    assert column_texts(page.table, 7)[-1] == "£97.50"
    assert tab.balance_label.text() == "Balance £97.50"
    # The donation is marked on its page and no longer counted.
    donations = tab.donations_page
    assert donations.total_label.text() == "1 donation, £100.00 in all (and 1 reversed)"
    assert column_texts(donations.table, 7) == ["Reversed", ""]

    # Reversing the £100 would overdraw the fund: refused, and said why.
    page.table.selectRow(0)

    def overdraw(d: ReverseDialog) -> None:
        type_into(qtbot, d.reason_box, "Returned to the donor")
        click(qtbot, d.save_button)
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(overdraw)
    click(qtbot, page.reverse_button)
    ((_title, told),) = dialogs.messages("error")
    assert "would overdraw it" in told
    assert page.model.rowCount() == 4

    # An entry is reversed once; a reversal is not itself reversed.
    page.table.selectRow(1)
    click(qtbot, page.reverse_button)
    page.table.selectRow(3)
    assert not page.reverse_button.isEnabled()
    assert [text for _title, text in dialogs.messages("info")] == [
        "Entry 2 has already been reversed, by entry 4.",
    ]


# -- reconciliation -------------------------------------------------------------------------------


def write_statement(tmp_path: Path, account: str = "12345678") -> Path:
    path = tmp_path / "statement.csv"
    path.write_text(
        "\n".join(
            [
                LLOYDS_HEADER,
                f"05/03/2026,DEB,'08-60-01,{account},ACCOUNT FEE,2.50,,97.50,",
                f"02/03/2026,FPI,'08-60-01,{account},EASTVALE BRANCH,,100.00,100.00,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def test_a_statement_is_imported_matched_and_reconciled(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.reconcile_page)
    page = tab.reconcile_page
    assert "No bank statement imported yet" in page.state_label.text()

    dialogs.open_files.append(write_statement(tmp_path))
    dialogs.confirms.append(True)
    click(qtbot, page.import_button)
    ((_title, summary),) = dialogs.messages("confirm")
    assert "2 transactions from 2 Mar 2026 to 5 Mar 2026" in summary
    assert "Closing balance £97.50 on 5 Mar 2026" in summary
    ((_title, told),) = dialogs.messages("info")
    assert told.startswith("2 lines imported")
    assert page.figures["statement"].text() == "£97.50"
    assert page.figures["ledger"].text() == "£100.00"
    assert page.figures["difference"].text() == "-£2.50"
    # The difference is explained, but the lines are not in the ledger yet: not reconciled.
    assert page.figures["unexplained"].text() == "£0.00"
    assert page.state_label.text().startswith(
        "Not reconciled yet on 5 Mar 2026: 2 statement lines not matched"
    )

    # The donation is proposed for its bank line; the treasurer confirms it.
    assert page.suggestions_table.rowCount() == 1
    assert page.suggestions_table.item(0, 1).text() == "EASTVALE BRANCH"
    assert page.entries_table.rowCount() == 1  # the donation, until it is matched
    page.suggestions_table.selectRow(0)
    click(qtbot, page.confirm_button)
    assert page.suggestions_table.rowCount() == 0
    assert page.entries_table.rowCount() == 0

    # A wrong match is undone from the list of matched lines, and can be confirmed again.
    def undo(d: Any) -> None:
        assert d.matched_table.rowCount() == 1
        assert d.matched_table.item(0, 1).text() == "EASTVALE BRANCH"
        d.matched_table.selectRow(0)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(undo)
    click(qtbot, page.matched_button)
    assert page.suggestions_table.rowCount() == 1
    page.suggestions_table.selectRow(0)
    click(qtbot, page.confirm_button)
    assert page.suggestions_table.rowCount() == 0

    # The fee the ledger lacks is recorded as a bank charge from its line.
    assert column_texts(page.lines_table, 1) == ["ACCOUNT FEE"]
    page.lines_table.selectRow(0)

    def record(d: RecordLineDialog) -> None:
        assert d.kind_box.currentData() == "bank_charge"
        assert not d.donor_kind_box.isVisibleTo(d)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(record)
    click(qtbot, page.record_button)
    assert page.lines_table.rowCount() == 0
    assert page.state_label.text().startswith("✓ Reconciled on 5 Mar 2026")
    assert page.figures["unexplained"].text() == "£0.00"
    assert page.figures["difference"].text() == "£0.00"
    assert tab.balance_label.text() == "Balance £97.50"

    # The same file again: every line is known, nothing doubles.
    dialogs.open_files.append(write_statement(tmp_path))
    dialogs.confirms.append(True)
    click(qtbot, page.import_button)
    assert "0 lines imported" in dialogs.messages("info")[-1][1]
    assert "2 imported before were skipped" in dialogs.messages("info")[-1][1]


def test_a_statement_for_another_account_is_refused(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    new_fund(db)
    tab = make_tab(qtbot, ctx)
    dialogs.open_files.append(write_statement(tmp_path, account="99999999"))
    click(qtbot, tab.reconcile_page.import_button)
    ((title, text),) = dialogs.messages("error")
    assert title == "Not imported" and "nothing was imported" in text
    assert dialogs.messages("confirm") == []
    assert tab.reconcile_page.lines_table.rowCount() == 0


def test_an_unknown_csv_layout_is_mapped_by_hand_and_remembered(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    new_fund(db, account="")
    tab = make_tab(qtbot, ctx)
    page = tab.reconcile_page
    path = tmp_path / "credit-union.csv"
    path.write_text(
        "When,What,Paid in,Paid out,Left\n"
        "02/03/2026,Eastvale branch,100.00,,100.00\n"
        "05/03/2026,Fee,,2.50,97.50\n",
        encoding="utf-8",
    )

    def mapping(d: MappingDialog) -> None:
        assert d.credit_box.currentData() == "Paid in"  # guessed from the headings
        assert d.two_radio.isChecked()
        click(qtbot, d.save_button)
        assert "date" in d.error_text("date_column")
        assert "name" in d.error_text("name").lower()
        d.date_box.setCurrentIndex(d.date_box.findData("When"))
        d.description_box.setCurrentIndex(d.description_box.findData("What"))
        d.balance_box.setCurrentIndex(d.balance_box.findData("Left"))
        type_into(qtbot, d.name_edit, "Credit union")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(mapping)
    dialogs.open_files.append(path)
    dialogs.confirms.append(True)
    click(qtbot, page.import_button)
    assert "Credit union" in dialogs.messages("confirm")[0][1]
    assert page.lines_table.rowCount() == 2
    assert page.figures["statement"].text() == "£97.50"
    # Next time the layout is known: no questions asked.
    again = tmp_path / "credit-union-april.csv"
    again.write_text(
        "When,What,Paid in,Paid out,Left\n06/03/2026,Interest,0.10,,97.60\n", encoding="utf-8"
    )
    dialogs.open_files.append(again)
    dialogs.confirms.append(True)
    click(qtbot, page.import_button)
    assert page.lines_table.rowCount() == 3
    assert page.figures["statement"].text() == "£97.60"


# -- the window -----------------------------------------------------------------------------------


def test_the_window_shows_the_hardship_tab_in_its_place(window: Any) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[-1] == "Hardship fund"
    assert isinstance(window.tabs.widget(titles.index("Hardship fund")), HardshipTab)
    assert window.hardship_tab is window.tabs.widget(titles.index("Hardship fund"))


def test_exports_are_written_in_the_background(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    approved_claim(db, fund_id, "M001", 50)
    tab = make_tab(qtbot, ctx)
    page = tab.ledger_page
    ledger = tmp_path / "ledger.xlsx"
    dialogs.save_files.append(ledger)
    page.ledger_action.trigger()
    ((title, told),) = dialogs.messages("info")
    assert title == "Export finished" and str(ledger) in told
    book = openpyxl.load_workbook(ledger)
    assert any("Eastvale" in str(c.value) for row in book.worksheets[0].iter_rows() for c in row)
    statement = tmp_path / "statement.pdf"

    def backwards_then_fine(d: Any) -> None:
        d.start_edit.setDate(date(2026, 9, 1))
        d.end_edit.setDate(date(2026, 8, 1))
        click(qtbot, d.save_button)
        assert d.isVisible() and "ends before it starts" in d.error_labels["end"].text()
        d.end_edit.setDate(date(2026, 9, 30))
        click(qtbot, d.save_button)

    dialogs.dialogs.append(backwards_then_fine)
    dialogs.save_files.append(statement)
    page.statement_action.trigger()
    assert statement.read_bytes().startswith(b"%PDF")
    assert "1 Sep 2026 to 30 Sep 2026" in PdfReader(statement).pages[0].extract_text()
    payments = tmp_path / "payments.pdf"
    dialogs.save_files.append(payments)
    page.payments_action.trigger()
    assert payments.read_bytes().startswith(b"%PDF")
    assert f"The payment list was written to\n{payments}" in dialogs.messages("info")[-1][1]
    # A name without a known ending is refused, not guessed.
    dialogs.save_files.append(tmp_path / "ledger.txt")
    page.ledger_action.trigger()
    assert "ending in .xlsx" in dialogs.messages("error")[-1][1]
