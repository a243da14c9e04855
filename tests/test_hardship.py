"""The hardship fund's service layer: funds and rules, claims and the panel, donations,
payments and the append-only ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from branchdesk.hardship.claims import (
    ClaimForm,
    create_claim,
    decide,
    get_claim,
    parse_fte,
    payment_plan,
    update_claim,
)
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.funds import (
    FundForm,
    add_strike_day,
    create_fund,
    fund_id_by_name,
    get_fund,
    remove_strike_day,
    set_rules,
    set_taking_part,
    strike_days,
    update_fund,
)
from branchdesk.hardship.ledger import (
    FundShort,
    balance,
    check_all_funds,
    member_totals,
    record_entry,
    reverse,
)
from branchdesk.hardship.listing import ClaimFilter, ClaimListing, LedgerListing
from branchdesk.hardship.models import LedgerEntry
from branchdesk.hardship.payments import pay
from branchdesk.hardship.rules import PaymentRules
from branchdesk.members.service import MemberForm, ValidationError, create_member
from branchdesk.money import Money
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import StaleEdit

START = date(2026, 3, 1)
DAY1, DAY2, DAY3 = date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)


def _fund(db: Database, approvals: int = 1, **rules: object) -> int:
    for n in range(1, 4):
        create_member(
            db, MemberForm(membership_number=f"H{n}", first_name=f"Member{n}", last_name="Demo")
        )
    values: dict[str, object] = {"per_day": Money(5000), "approvals_needed": approvals}
    values.update(rules)
    fund_id = create_fund(
        db,
        FundForm(
            name="Depot dispute", starts_on=START, sort_code="08-60-01", account_number="12345678"
        ),
        PaymentRules(effective_from=START, **values),  # type: ignore[arg-type]
    )
    for day in (DAY1, DAY2, DAY3):
        day_id = add_strike_day(db, fund_id, day, "All-out strike")
        assert set_taking_part(db, day_id, ["H1", "H2"]) == []
    return fund_id


def _donate(db: Database, fund_id: int, pence: int, on: date = START) -> int:
    return record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=on,
            donor_kind="branch",
            donor_name="Northtown branch (demo)",
            amount=Money(pence),
            bank_reference="DON",
        ),
    )


def _claim(
    db: Database,
    fund_id: int,
    number: str = "H1",
    days: tuple[date, ...] = (DAY1, DAY2),
    requested: int = 10000,
    **extra: object,
) -> int:
    form = ClaimForm(
        member_number=number, received_on=DAY3, days=list(days), requested=Money(requested), **extra
    )  # type: ignore[arg-type]
    return create_claim(db, fund_id, form)


def _entries(db: Database, fund_id: int) -> list[tuple[int, int, int | None]]:
    with db.read() as session:
        return [
            (amount.pence, after.pence, reverses)
            for amount, after, reverses in session.execute(
                select(LedgerEntry.amount, LedgerEntry.balance_after, LedgerEntry.reverses_id)
                .where(LedgerEntry.fund_id == fund_id)
                .order_by(LedgerEntry.id)
            )
        ]


# Funds ------------------------------------------------------------------------------------


def test_fund_form_is_checked_and_kept(any_db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        create_fund(any_db, FundForm(name="", starts_on=None, currency="pounds", sort_code="12"))
    assert set(caught.value.errors) == {"name", "starts_on", "currency", "sort_code"}
    fund_id = create_fund(
        any_db,
        FundForm(
            name="Depot dispute",
            starts_on=START,
            sort_code="086001",
            account_number="1234 5678",
            employer="Northtown Council (demo)",
        ),
    )
    form = get_fund(any_db, fund_id)
    assert (form.sort_code, form.account_number, form.employer) == (
        "08-60-01",
        "12345678",
        "Northtown Council (demo)",
    )
    assert fund_id_by_name(any_db, "DEPOT DISPUTE") == fund_id
    with pytest.raises(ValidationError, match="already a fund"):
        create_fund(any_db, FundForm(name="depot dispute", starts_on=START))
    form.notes = "Ballot result 92% yes"
    update_fund(any_db, fund_id, form)
    with pytest.raises(StaleEdit):
        update_fund(any_db, fund_id, form)  # read at the old version


def test_bad_rules_are_refused_and_new_rules_apply_from_their_date(db: Database) -> None:
    fund_id = _fund(db)
    with pytest.raises(ValidationError, match="rules"):
        set_rules(db, fund_id, PaymentRules(effective_from=DAY2, per_day=Money(-100)))
    set_rules(db, fund_id, PaymentRules(effective_from=DAY2, per_day=Money(3000)))
    claim = get_claim(db, _claim(db, fund_id))
    # DAY1 under the first rules (£50), DAY2 under the later ones (£30).
    assert claim.entitlement == Money(8000)


def test_strike_days_outside_the_fund_or_twice_are_refused(db: Database) -> None:
    fund_id = _fund(db)
    with pytest.raises(ValidationError, match="outside"):
        add_strike_day(db, fund_id, date(2026, 2, 1))
    with pytest.raises(ValidationError, match="already"):
        add_strike_day(db, fund_id, DAY1)
    day_id = strike_days(db, fund_id)[0].id
    assert set_taking_part(db, day_id, ["H3", "NOPE"]) == ["NOPE"]
    assert strike_days(db, fund_id)[0].taking_part == 2  # nothing added while one was unknown
    _claim(db, fund_id)
    with pytest.raises(ValidationError, match="Claims name"):
        remove_strike_day(db, day_id)


# Claims and the panel ---------------------------------------------------------------------


def test_claim_entitlement_and_warnings(any_db: Database) -> None:
    fund_id = _fund(any_db, unpaid_days=1)
    first = get_claim(any_db, _claim(any_db, fund_id, days=(DAY1, DAY2), requested=10000))
    assert first.reference.startswith("H-2026-")
    assert first.entitlement == Money(5000)  # the first day is unpaid
    assert any("unpaid" in line for line in first.working)
    assert any("more than the £50.00 the rules allow" in w for w in first.warnings)
    again = get_claim(any_db, _claim(any_db, fund_id, days=(DAY2, DAY3), requested=5000))
    assert any("also claimed in " + first.reference in w for w in again.warnings)
    outsider = get_claim(any_db, _claim(any_db, fund_id, number="H3", days=(DAY1,)))
    assert any("not recorded as taking part in this dispute" in w for w in outsider.warnings)
    with pytest.raises(ValidationError, match="Not a strike day"):
        _claim(any_db, fund_id, days=(date(2026, 3, 20),))
    with pytest.raises(ValidationError, match="No member"):
        _claim(any_db, fund_id, number="ZZZ")
    with pytest.raises(ValidationError) as caught:
        create_claim(
            any_db,
            fund_id,
            ClaimForm(
                member_number="H1", received_on=None, days=[], requested=Money(-1), fte=Decimal(2)
            ),
        )
    assert set(caught.value.errors) == {"received_on", "days", "requested", "fte"}


def test_part_time_pro_rata_and_editing_an_open_claim(db: Database) -> None:
    fund_id = _fund(db)
    claim_id = _claim(db, fund_id, fte=parse_fte("60%"))
    assert get_claim(db, claim_id).entitlement == Money(6000)  # 2 x £50 x 0.6
    form = get_claim(db, claim_id).form()
    form.days = [DAY1]
    update_claim(db, claim_id, form)
    assert get_claim(db, claim_id).entitlement == Money(3000)
    form = get_claim(db, claim_id).form()
    form.member_number = "H2"
    with pytest.raises(ValidationError, match="cannot move to another member"):
        update_claim(db, claim_id, form)
    assert parse_fte("0.6") == Decimal("0.6") and parse_fte("100%") == Decimal(1)
    for typed in ("lots", "1.5", "2", "0", "-0.5"):
        with pytest.raises(ValueError, match="fraction of full time"):
            parse_fte(typed)


def test_two_approvals_needed_then_decided_at_the_lower_amount(any_db: Database) -> None:
    fund_id = _fund(any_db, approvals=2)
    claim_id = _claim(any_db, fund_id)
    any_db.officer = "Panel One (demo)"
    warnings = decide(any_db, claim_id, True, Money(10000), "Payslip seen")
    assert warnings[-1] == "1 of the 2 approvals needed have been given."
    assert get_claim(any_db, claim_id).status == "under_review"
    with pytest.raises(ValidationError, match="already decided"):
        decide(any_db, claim_id, True, Money(10000), "again")
    any_db.officer = "Panel Two (demo)"
    decide(any_db, claim_id, True, Money(8000), "Agreed, less one day")
    claim = get_claim(any_db, claim_id)
    assert (claim.status, claim.approved, claim.owed) == ("part_approved", Money(8000), Money(8000))
    assert [d.officer for d in claim.decisions] == ["Panel One (demo)", "Panel Two (demo)"]
    any_db.officer = "Panel Three (demo)"
    with pytest.raises(ValidationError, match="already been decided"):
        decide(any_db, claim_id, False, None, "too late")
    with pytest.raises(ValidationError, match="decided claim"):
        update_claim(any_db, claim_id, claim.form())


def test_a_claim_cannot_change_once_the_panel_has_started(db: Database) -> None:
    fund_id = _fund(db, approvals=2)
    claim_id = _claim(db, fund_id, days=(DAY2,), requested=5000)
    decide(db, claim_id, True, Money(5000), "One day, payslip seen")
    form = get_claim(db, claim_id).form()
    form.days, form.requested = [DAY1, DAY2, DAY3], Money(15000)
    with pytest.raises(ValidationError, match="started deciding"):
        update_claim(db, claim_id, form)


def test_the_most_approvals_any_claimed_day_needs(db: Database) -> None:
    fund_id = _fund(db, approvals=1)
    set_rules(
        db, fund_id, PaymentRules(effective_from=DAY2, per_day=Money(5000), approvals_needed=2)
    )
    claim_id = _claim(db, fund_id, days=(DAY1, DAY2))
    assert get_claim(db, claim_id).approvals_needed == 2
    decide(db, claim_id, True, Money(10000), "ok")
    assert get_claim(db, claim_id).status == "under_review"


def test_decisions_see_todays_facts(db: Database) -> None:
    """Two claims entered before either is decided: the second decision sees the first."""
    fund_id = _fund(db, cap_per_member=Money(6000))
    first = _claim(db, fund_id, days=(DAY1,), requested=5000)
    second = _claim(db, fund_id, days=(DAY1,), requested=5000)
    assert get_claim(db, first).warnings == (
        "No pay deduction given, so the loss-of-pay limit could not be applied.",
    )
    decide(db, first, True, Money(5000), "ok")
    with pytest.raises(ValidationError, match=r"at most £10\.00 can be approved"):
        decide(db, second, True, Money(5000), "ok")
    warnings = decide(db, second, True, Money(1000), "the rest of the cap")
    assert any("also claimed in " + get_claim(db, first).reference in w for w in warnings)
    assert get_claim(db, second).entitlement == Money(1000)


def test_a_decline_needs_reasons_and_decides_the_claim(db: Database) -> None:
    fund_id = _fund(db)
    claim_id = _claim(db, fund_id)
    with pytest.raises(ValidationError, match="reasons"):
        decide(db, claim_id, False, None, "  ")
    warnings = decide(db, claim_id, True, Money(20000), "Exceptional circumstances")
    assert any("more than the £100.00 the rules entitle" in w for w in warnings)
    other = _claim(db, fund_id, number="H2")
    decide(db, other, False, None, "Not on strike that day")
    assert get_claim(db, other).status == "declined"


# Money ------------------------------------------------------------------------------------


def test_payments_refuse_overpaying_and_overdrawing(any_db: Database) -> None:
    fund_id = _fund(any_db)
    claim_id = _claim(any_db, fund_id)
    decide(any_db, claim_id, True, Money(10000), "ok")
    with pytest.raises(FundShort, match=r"holds £0\.00"):
        pay(any_db, fund_id, {claim_id: Money(10000)}, DAY3, "bacs")
    _donate(any_db, fund_id, 50000)
    with pytest.raises(ValidationError, match="more than was approved"):
        pay(any_db, fund_id, {claim_id: Money(10001)}, DAY3, "bacs")
    lines = pay(any_db, fund_id, {claim_id: Money(4000)}, DAY3, "bacs", "RUN1")
    assert lines[0].reference.startswith("RUN1 H-2026-")
    assert get_claim(any_db, claim_id).status == "approved"
    pay(any_db, fund_id, {claim_id: Money(6000)}, DAY3, "cheque", "000123")
    claim = get_claim(any_db, claim_id)
    assert (claim.status, claim.paid, claim.owed) == ("paid", Money(10000), Money(0))
    assert balance(any_db, fund_id) == Money(40000)
    assert member_totals(any_db, fund_id) == {claim.member_id: Money(10000)}
    assert check_all_funds(any_db) == []


def test_pro_rata_run_shares_the_balance_to_the_penny(db: Database) -> None:
    fund_id = _fund(db)
    _donate(db, fund_id, 10000)
    ids = [_claim(db, fund_id, number=n, days=(DAY1, DAY2)) for n in ("H1", "H2", "H3")]
    for claim_id in ids:
        decide(db, claim_id, True, Money(6000), "ok")
    plan = payment_plan(db, fund_id)
    assert plan.short and plan.total_owed == Money(18000)
    plan = payment_plan(db, fund_id, pro_rata=True)
    assert sorted(p.pence for p in plan.shares.values()) == [3333, 3333, 3334]
    pay(db, fund_id, plan.shares, DAY3, "bacs")
    assert balance(db, fund_id) == Money(0)
    # What is left owed stays owed, for when more money comes in.
    assert payment_plan(db, fund_id).total_owed == Money(8000)


def test_reversals_put_mistakes_right_and_both_stay(any_db: Database) -> None:
    fund_id = _fund(any_db)
    _donate(any_db, fund_id, 20000)
    charge = record_entry(any_db, fund_id, "bank_charge", Money(350), DAY1, "FEE")
    reversal = reverse(any_db, charge, DAY2, "Charged twice by the bank")
    assert balance(any_db, fund_id) == Money(20000)
    with pytest.raises(ValidationError, match="already been reversed"):
        reverse(any_db, charge, DAY2, "again")
    with pytest.raises(ValidationError, match="itself a reversal"):
        reverse(any_db, reversal, DAY2, "undo")
    claim_id = _claim(any_db, fund_id)
    decide(any_db, claim_id, True, Money(10000), "ok")
    pay(any_db, fund_id, {claim_id: Money(10000)}, DAY3, "bacs")
    payment_entry = max(LedgerListing(any_db, fund_id).ids())
    reverse(any_db, payment_entry, DAY3, "Returned by the bank: account closed")
    claim = get_claim(any_db, claim_id)
    assert (claim.status, claim.owed) == ("approved", Money(10000))
    entries = _entries(any_db, fund_id)
    assert [e[0] for e in entries] == [20000, -350, 350, -10000, 10000]
    assert [e[1] for e in entries] == [20000, 19650, 20000, 10000, 20000]
    with pytest.raises(ValidationError, match="positive amount"):
        record_entry(any_db, fund_id, "bank_charge", Money(-5), DAY1)
    with pytest.raises(FundShort):
        record_entry(any_db, fund_id, "transfer_out", Money(20001), DAY1)
    later = record_entry(any_db, fund_id, "bank_charge", Money(100), DAY2, "FEE2")
    with pytest.raises(ValidationError, match="before the entry it reverses"):
        reverse(any_db, later, DAY1, "dated too early")
    reverse(any_db, later, DAY2, "refunded")
    assert check_all_funds(any_db) == []


def test_the_ledger_refuses_update_and_delete_by_raw_sql(any_db: Database) -> None:
    fund_id = _fund(any_db)
    _donate(any_db, fund_id, 1000)
    for statement in ("UPDATE ledger_entries SET amount = 1", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError, match="append-only"), any_db.write() as session:
            session.execute(text(statement))
    assert balance(any_db, fund_id) == Money(1000)


def test_check_names_a_tampered_ledger(db: Database) -> None:
    fund_id = _fund(db)
    _donate(db, fund_id, 1000)
    _donate(db, fund_id, 2000)
    assert check_all_funds(db) == []
    with db.write() as session:
        session.execute(text("DROP TRIGGER ledger_entries_no_update"))
        session.execute(text("UPDATE ledger_entries SET amount = 1500 WHERE amount = 1000"))
    problems = check_all_funds(db)
    assert any("running balance says £10.00" in p for p in problems), problems
    assert any("donation" in p and "does not agree" in p for p in problems), problems


def test_donations_are_checked(db: Database) -> None:
    fund_id = _fund(db)
    with pytest.raises(ValidationError) as caught:
        record_donation(
            db,
            fund_id,
            DonationForm(received_on=None, donor_kind="individual", amount=Money(0), method="gold"),
        )
    assert set(caught.value.errors) == {"received_on", "donor_name", "amount", "method"}
    record_donation(
        db,
        fund_id,
        DonationForm(received_on=START, donor_kind="anonymous", amount=Money(2500), method="cash"),
    )
    with db.read() as session:
        assert session.scalar(select(LedgerEntry.donor)) == "Anonymous"


def test_two_clients_paying_the_last_fifty_pounds(any_db: Database, tmp_path: Path) -> None:
    """Exactly one of two simultaneous payments of the fund's last £50 goes through."""
    fund_id = _fund(any_db)
    _donate(any_db, fund_id, 5000)
    claims = [_claim(any_db, fund_id, number=n, days=(DAY2,)) for n in ("H1", "H2")]
    for claim_id in claims:
        decide(any_db, claim_id, True, Money(5000), "ok")
    second = open_database(
        any_db.url.render_as_string(hide_password=False) if not any_db.is_sqlite else any_db.path,
        officer="Other PC",
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay_one(db: Database, claim_id: int) -> None:
        barrier.wait()
        try:
            pay(db, fund_id, {claim_id: Money(5000)}, DAY3, "bacs")
            outcomes.append("paid")
        except FundShort:
            outcomes.append("short")

    threads = [
        threading.Thread(target=pay_one, args=(d, c))
        for d, c in zip((any_db, second), claims, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.dispose()
    assert sorted(outcomes) == ["paid", "short"]
    assert balance(any_db, fund_id) == Money(0)
    assert check_all_funds(any_db) == []


def test_listings_page_the_queue_and_the_ledger(db: Database) -> None:
    fund_id = _fund(db)
    _donate(db, fund_id, 10000)
    first = _claim(db, fund_id)
    _claim(db, fund_id, number="H2")
    decide(db, first, True, Money(10000), "ok")
    queue = ClaimListing(db, ClaimFilter(fund_id, "open"))
    ids = queue.ids()
    assert len(ids) == 1
    row = queue.rows(ids)[ids[0]]
    assert row[1] == "Demo, Member2" and row[7] == "Received"
    owed = ClaimListing(db, ClaimFilter(fund_id, "owed"))
    assert owed.ids(search="member1") == [first]
    pay(db, fund_id, {first: Money(10000)}, DAY3, "bacs")
    ledger = LedgerListing(db, fund_id)
    ids = ledger.ids()
    rows = ledger.rows(ids)
    assert [rows[i][5] for i in ids] == [Money(10000), None]
    assert [rows[i][6] for i in ids] == [None, Money(10000)]
    assert [rows[i][7] for i in ids] == [Money(10000), Money(0)]
    assert ledger.ids(sort_key="money_out", descending=True)[0] == ids[1]
    # Numbered without a gap, the ledger's order is a range; interleaved with another fund's
    # entries, the ids are read one by one: the same answer either way.
    assert isinstance(ids, range) and list(ledger.ids(descending=True)) == list(ids)[::-1]
    other = create_fund(db, FundForm(name="Second dispute", starts_on=START))
    _donate(db, other, 500)
    _donate(db, fund_id, 700)
    ids = ledger.ids()
    assert not isinstance(ids, range) and len(ids) == 3 and ids == sorted(ids)
    assert LedgerListing(db, other).ids() == range(ids[-1] - 1, ids[-1])


# Properties -------------------------------------------------------------------------------

_OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["donate", "charge", "interest", "reverse"]),
        st.integers(min_value=1, max_value=500_000),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=_OPERATIONS)
def test_balances_always_equal_the_sum_and_reversals_net_to_zero(
    tmp_path_factory: pytest.TempPathFactory, operations: list[tuple[str, int, int]]
) -> None:
    db = open_database(tmp_path_factory.mktemp("ledger") / "fund.sqlite3", officer="Property")
    try:
        fund_id = create_fund(db, FundForm(name="Property fund", starts_on=START))
        for action, pence, pick in operations:
            try:
                if action == "donate":
                    _donate(db, fund_id, pence)
                elif action == "charge":
                    record_entry(db, fund_id, "bank_charge", Money(pence), DAY1)
                elif action == "interest":
                    record_entry(db, fund_id, "interest", Money(pence), DAY1)
                else:
                    ids = LedgerListing(db, fund_id).ids()
                    if ids:
                        reverse(db, ids[pick % len(ids)], DAY2, "property test")
            except ValidationError:
                pass  # an overdraft, or reversing twice: refused, and nothing written
        entries = _entries(db, fund_id)
        running = 0
        for amount, after, _reverses in entries:
            running += amount
            assert after == running and after >= 0
        assert balance(db, fund_id) == Money(running)
        with db.read() as session:
            pairs = session.execute(
                select(
                    func.count(), func.coalesce(func.sum(text("a.amount + b.amount")), 0)
                ).select_from(
                    text("ledger_entries a JOIN ledger_entries b ON b.id = a.reverses_id")
                )
            ).one()
        assert pairs[1] == 0
        assert check_all_funds(db) == []
    finally:
        db.dispose()
