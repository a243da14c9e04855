"""The fund's ledger: posting entries, reversing them, balances and the checks on them.

Every entry is posted with the fund's row locked (`SELECT ... FOR UPDATE` on PostgreSQL; on
SQLite the write transaction's BEGIN IMMEDIATE already serialises writers), so the running
balance written with it is exact and two PCs paying out at once can never take the fund below
zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from branchdesk.hardship.codes import ENTRY_KINDS, MANUAL_KINDS
from branchdesk.hardship.models import Claim, Donation, Fund, LedgerEntry, Payment
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

# Amounts as plain pence inside SQL sums and sums' comparisons (the money type refuses bare ints).
PENCE = type_coerce(LedgerEntry.amount, BigInteger)


def sum_pence(*where: object) -> object:
    """SUM of ledger amounts in pence, 0 when there are none."""
    return select(func.coalesce(func.sum(PENCE), 0)).where(*where)  # type: ignore[arg-type]


class FundShort(ValidationError):
    """A payment the fund's balance cannot cover."""


def lock_fund(session: Session, fund_id: int) -> Fund:
    fund = session.scalar(select(Fund).where(Fund.id == fund_id).with_for_update())
    if fund is None:
        raise StaleEdit("This fund has been deleted by someone else.")
    return fund


def current_balance(session: Session, fund_id: int) -> Money:
    """The balance after the last entry recorded: one row read through the (fund, id) index."""
    last = session.scalar(
        select(LedgerEntry.balance_after)
        .where(LedgerEntry.fund_id == fund_id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    )
    return last if last is not None else ZERO


def post(
    session: Session,
    fund_id: int,
    kind: str,
    amount: Money,
    posted_on: date,
    officer: str,
    reference: str = "",
    description: str = "",
    member_id: int | None = None,
    claim_id: int | None = None,
    donor: str = "",
    reverses_id: int | None = None,
) -> LedgerEntry:
    """Add one entry. The caller must hold the fund's lock (`lock_fund`) in this session."""
    if kind not in ENTRY_KINDS:
        raise ValueError(f"unknown ledger entry kind {kind!r}")
    entry = LedgerEntry(
        fund_id=fund_id,
        posted_on=posted_on,
        kind=kind,
        amount=amount,
        balance_after=current_balance(session, fund_id) + amount,
        reference=reference.strip()[:200],
        description=description.strip()[:500],
        member_id=member_id,
        claim_id=claim_id,
        donor=donor.strip()[:200],
        reverses_id=reverses_id,
        created_by=officer[:200],
    )
    session.add(entry)
    session.flush()
    return entry


def record_entry(
    db: Database,
    fund_id: int,
    kind: str,
    amount: Money,
    posted_on: date | None,
    reference: str = "",
    description: str = "",
) -> int:
    """A bank charge, interest or transfer, typed as a positive amount; its kind gives the sign."""
    errors: dict[str, str] = {}
    if kind not in MANUAL_KINDS:
        errors["kind"] = "Choose a bank charge, interest or a transfer."
    if amount <= ZERO:
        errors["amount"] = "Give a positive amount; the kind says whether it is in or out."
    if posted_on is None:
        errors["posted_on"] = "Give the date."
    if len(reference.strip()) > 200:
        errors["reference"] = "Too long: at most 200 characters."
    if len(description.strip()) > 500:
        errors["description"] = "Too long: at most 500 characters."
    if errors:
        raise ValidationError(errors)
    assert posted_on is not None
    signed = amount if MANUAL_KINDS[kind] > 0 else -amount
    with db.write() as session:
        lock_fund(session, fund_id)
        if signed < ZERO:
            _refuse_overdraft(session, fund_id, -signed)
        return post(
            session, fund_id, kind, signed, posted_on, db.officer, reference, description
        ).id


def _refuse_overdraft(session: Session, fund_id: int, out: Money) -> None:
    balance = current_balance(session, fund_id)
    if out > balance:
        raise FundShort(
            {
                "amount": f"The fund holds {balance}; paying out {out} would overdraw it. "
                "Nothing was recorded."
            }
        )


def reverse(db: Database, entry_id: int, posted_on: date, reason: str) -> int:
    """Put a mistaken entry right with an equal and opposite one; both stay in the ledger.

    Reversing a payment makes its claim owed again; reversing a donation takes it out of the
    donor totals.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the entry is being reversed."})
    if len(reason.strip()) > 400:
        # The ledger can never be edited, so nothing is cut short silently.
        raise ValidationError({"reason": "Too long: at most 400 characters."})
    with db.write() as session:
        entry = session.get(LedgerEntry, entry_id)
        if entry is None:
            raise StaleEdit("There is no such ledger entry.")
        lock_fund(session, entry.fund_id)
        if entry.kind == "reversal":
            raise ValidationError(
                {"entry": "This entry is itself a reversal: record the entry again instead."}
            )
        if session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry_id)):
            raise ValidationError({"entry": "This entry has already been reversed."})
        if posted_on < entry.posted_on:
            # Otherwise a statement for a period could show the refund without the gift.
            raise ValidationError(
                {"posted_on": "A reversal cannot be dated before the entry it reverses."}
            )
        if entry.amount > ZERO:
            _refuse_overdraft(session, entry.fund_id, entry.amount)
        reversal = post(
            session,
            entry.fund_id,
            "reversal",
            -entry.amount,
            posted_on,
            db.officer,
            reference=entry.reference,
            description=f"Reverses entry {entry.id}: {reason.strip()}",
            member_id=entry.member_id,
            claim_id=entry.claim_id,
            donor=entry.donor,
            reverses_id=entry.id,
        )
        if entry.kind == "payment" and entry.claim_id is not None:
            claim = session.get(Claim, entry.claim_id)
            if claim is not None and claim.status == "paid":
                approved = claim.approved or ZERO
                claim.status = "approved" if approved >= claim.requested else "part_approved"
        return reversal.id


# Balances -------------------------------------------------------------------------------------


def balance(db: Database, fund_id: int, on: date | None = None) -> Money:
    """The fund's balance now, or at the end of a day (entries posted on or before it)."""
    with db.read() as session:
        if on is None:
            return current_balance(session, fund_id)
        return balance_on(session, fund_id, on)


def balance_on(session: Session, fund_id: int, on: date) -> Money:
    total = session.scalar(
        sum_pence(LedgerEntry.fund_id == fund_id, LedgerEntry.posted_on <= on)  # type: ignore[arg-type]
    )
    return Money(int(total or 0))


def member_totals(db: Database, fund_id: int) -> dict[int, Money]:
    """What each member has been paid from the fund, net of reversals (from the covering
    (fund, member, amount) index alone)."""
    with db.read() as session:
        rows = session.execute(
            select(LedgerEntry.member_id, func.sum(PENCE))
            .where(LedgerEntry.fund_id == fund_id, LedgerEntry.member_id.is_not(None))
            .group_by(LedgerEntry.member_id)
        )
        return {int(member): Money(-int(total)) for member, total in rows}


def paid_on_claim(session: Session, claim_id: int) -> Money:
    """Paid on a claim so far, net of reversed payments."""
    total = session.scalar(sum_pence(LedgerEntry.claim_id == claim_id))  # type: ignore[arg-type]
    return Money(-int(total or 0))


# Checks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundCheck:
    fund: str
    entries: int
    balance: Money
    problems: tuple[str, ...]


def check_fund(session: Session, fund: Fund) -> FundCheck:
    """Re-add every entry and compare with the running balance written with it; check each
    reversal nets its entry to zero, each donation and payment agrees with its entry, and no
    claim is paid more than was approved."""
    problems: list[str] = []
    running = 0
    count = 0
    originals: dict[int, int] = {}
    reversals: list[tuple[int, int, int]] = []
    rows = session.execute(
        select(
            LedgerEntry.id, LedgerEntry.amount, LedgerEntry.balance_after, LedgerEntry.reverses_id
        )
        .where(LedgerEntry.fund_id == fund.id)
        .order_by(LedgerEntry.id)
        .execution_options(yield_per=5000)
    )
    for entry_id, amount, after, reverses_id in rows:
        count += 1
        running += amount.pence
        if after.pence != running and len(problems) < 20:
            problems.append(
                f"entry {entry_id}: the running balance says {after} but the entries up to it "
                f"add up to {Money(running)}"
            )
        if reverses_id is None:
            originals[entry_id] = amount.pence
        else:
            reversals.append((entry_id, reverses_id, amount.pence))
    for entry_id, reverses_id, amount in reversals:
        if originals.get(reverses_id) is None:
            problems.append(f"entry {entry_id} reverses entry {reverses_id}, not in this fund")
        elif originals[reverses_id] + amount != 0:
            problems.append(f"entry {entry_id} does not reverse entry {reverses_id} exactly")
    for kind, table, sign in (("donation", Donation, 1), ("payment", Payment, -1)):
        # A donation's entry is its amount; a payment's is minus its amount.
        mismatched = session.scalars(
            select(table.id)
            .join(LedgerEntry, LedgerEntry.id == table.entry_id)
            .where(
                table.fund_id == fund.id,
                type_coerce(table.amount, BigInteger) * sign != PENCE,
            )
            .limit(20)
        ).all()
        problems.extend(f"{kind} {i} does not agree with its ledger entry" for i in mismatched)
    paid = (
        select(LedgerEntry.claim_id, func.sum(PENCE).label("net"))
        .where(LedgerEntry.fund_id == fund.id, LedgerEntry.claim_id.is_not(None))
        .group_by(LedgerEntry.claim_id)
        .subquery()
    )
    for reference, approved, net in session.execute(
        select(Claim.reference, Claim.approved, paid.c.net).join(paid, paid.c.claim_id == Claim.id)
    ):
        out = -int(net)
        if out > (approved.pence if approved is not None else 0):
            shown = approved if approved is not None else ZERO
            problems.append(
                f"claim {reference} is paid {Money(out)}, more than the {shown} approved"
            )
    return FundCheck(fund.name, count, Money(running), tuple(problems))


def check_all_funds(db: Database) -> list[str]:
    """Every problem in every fund's ledger, for `branchdesk check`."""
    problems: list[str] = []
    with db.read() as session:
        for fund in session.scalars(select(Fund).order_by(Fund.name)):
            result = check_fund(session, fund)
            problems.extend(f"fund '{result.fund}': {p}" for p in result.problems)
    return problems
