"""What the hardship fund's reports read: the ledger with members' names or pseudonyms,
per-member and per-donor totals, the figures of an income and expenditure statement (with the
reconciliation to the bank), the payments list, and the funds for `list funds`.

Everything is read with Core selects, never as ORM objects, and the long lists (the ledger, the
payments) are streamed a batch at a time, so a 200,000-entry ledger exports in flat memory.
Sums are worked out by the database in whole pence. The statement's bank figures are
`reconcile.reconciliation` itself, so the report and the reconciliation view always agree.

Reversals in the income and expenditure statement are netted into the line of the entry they
reverse (a donation refunded lowers the donations from its source, a payment returned by the
bank lowers the payments to members), so a mistake and its correction never inflate the
fund's income or spending. Counts leave out entries reversed by the end of the period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import BigInteger, and_, case, exists, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from branchdesk.hardship.bankfiles import mask_account
from branchdesk.hardship.codes import (
    APPROVED_STATUSES,
    DONATION_METHODS,
    DONOR_KINDS,
    ENTRY_KINDS,
    PAYMENT_METHODS,
)
from branchdesk.hardship.models import (
    Claim,
    Donation,
    Fund,
    LedgerEntry,
    Payment,
)
from branchdesk.hardship.reconcile import Reconciliation, reconciliation
from branchdesk.members.models import Employer, Member
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

STREAM_BATCH = 5_000
PSEUDONYM_WIDTH = 3

_PENCE = type_coerce(LedgerEntry.amount, BigInteger)
_Original = aliased(LedgerEntry, name="original")
_Reversal = aliased(LedgerEntry, name="reversal")


def _money(value: object) -> Money:
    return Money(int(value or 0))  # type: ignore[call-overload]


def member_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


# --------------------------------------------------------------------------------------------
# The fund


@dataclass(frozen=True)
class FundInfo:
    id: int
    name: str
    employer: str
    starts_on: date
    ends_on: date | None
    currency: str
    bank_account_name: str
    sort_code: str
    account_masked: str  # "****5678": the whole number is never printed
    closed: bool
    entries: int
    first_posted: date | None
    last_posted: date | None
    balance: Money


def fund_info(db: Database, fund_id: int) -> FundInfo:
    with db.read() as session:
        return fund_info_in(session, fund_id)


def fund_info_in(session: Session, fund_id: int) -> FundInfo:
    row = session.execute(
        select(
            Fund.id,
            Fund.name,
            func.coalesce(Employer.name, ""),
            Fund.starts_on,
            Fund.ends_on,
            Fund.currency,
            Fund.bank_account_name,
            Fund.sort_code,
            Fund.account_number,
            Fund.closed,
        )
        .outerjoin(Employer, Employer.id == Fund.employer_id)
        .where(Fund.id == fund_id)
    ).first()
    if row is None:
        raise StaleEdit("This fund has been deleted by someone else.")
    # One pass over the (fund, posted_on, amount) index: count and date range.
    count, first, last = session.execute(
        select(func.count(), func.min(LedgerEntry.posted_on), func.max(LedgerEntry.posted_on))
        .select_from(LedgerEntry)
        .where(LedgerEntry.fund_id == fund_id)
    ).one()
    balance = session.scalar(
        select(LedgerEntry.balance_after)
        .where(LedgerEntry.fund_id == fund_id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    )
    return FundInfo(
        id=row[0],
        name=row[1],
        employer=row[2],
        starts_on=row[3],
        ends_on=row[4],
        currency=row[5],
        bank_account_name=row[6],
        sort_code=row[7],
        account_masked=mask_account(row[8]) if row[8] else "",
        closed=row[9],
        entries=int(count or 0),
        first_posted=first,
        last_posted=last,
        balance=balance if balance is not None else ZERO,
    )


@dataclass(frozen=True)
class FundLine:
    id: int
    name: str
    employer: str
    starts_on: date
    ends_on: date | None
    closed: bool
    claims: int
    entries: int
    balance: Money


def fund_lines(db: Database) -> list[FundLine]:
    """Every fund by name, with its claims, entries and balance (for `list funds`)."""
    claims = (
        select(Claim.fund_id, func.count().label("n")).group_by(Claim.fund_id).subquery("claims")
    )
    entries = (
        select(LedgerEntry.fund_id, func.count().label("n"))
        .group_by(LedgerEntry.fund_id)
        .subquery("entries")
    )
    last_balance = (
        select(LedgerEntry.balance_after)
        .where(LedgerEntry.fund_id == Fund.id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
        .correlate(Fund)
        .scalar_subquery()
    )
    query = (
        select(
            Fund.id,
            Fund.name,
            func.coalesce(Employer.name, ""),
            Fund.starts_on,
            Fund.ends_on,
            Fund.closed,
            func.coalesce(claims.c.n, 0),
            func.coalesce(entries.c.n, 0),
            last_balance,
        )
        .outerjoin(Employer, Employer.id == Fund.employer_id)
        .outerjoin(claims, claims.c.fund_id == Fund.id)
        .outerjoin(entries, entries.c.fund_id == Fund.id)
        .order_by(Fund.name)
    )
    with db.read() as session:
        return [
            FundLine(i, name, employer, start, end, closed, int(c), int(e), b or ZERO)
            for i, name, employer, start, end, closed, c, e, b in session.execute(query)
        ]


# --------------------------------------------------------------------------------------------
# Pseudonyms


def pseudonyms_in(session: Session, fund_id: int) -> dict[int, str]:
    """member id -> "Member 001", numbered by each member's first claim (lowest claim id) in
    the fund, so a member keeps the same pseudonym in every export of the fund: later claims
    only ever add members at the end. Members with ledger entries but no claim (not made by the
    app itself) come after, by their first entry."""
    order: list[int] = list(
        session.scalars(
            select(Claim.member_id)
            .where(Claim.fund_id == fund_id)
            .group_by(Claim.member_id)
            .order_by(func.min(Claim.id))
        )
    )
    seen = set(order)
    for member_id in session.scalars(
        select(LedgerEntry.member_id)
        .where(LedgerEntry.fund_id == fund_id, LedgerEntry.member_id.is_not(None))
        .group_by(LedgerEntry.member_id)
        .order_by(func.min(LedgerEntry.id))
    ):
        if member_id not in seen:
            order.append(member_id)
            seen.add(member_id)
    # Always at least three digits, never more than needed: the thousandth member's claim
    # must not renumber the rest ("Member 001" stays "Member 001"; then "Member 1000").
    return {
        member_id: f"Member {n:0{PSEUDONYM_WIDTH}d}" for n, member_id in enumerate(order, start=1)
    }


def pseudonyms(db: Database, fund_id: int) -> dict[int, str]:
    with db.read() as session:
        return pseudonyms_in(session, fund_id)


def _anonymised_text(
    kind: str, reference: str, description: str, donor_kind: str | None
) -> tuple[str, str]:
    """A reference and details with no one's name in them. A person's gift keeps no bank
    text (it usually carries the payer's name), and a reversal only says what it reverses,
    since its reason is free text."""
    if kind == "reversal":
        reverses = description.split(":", 1)[0] if description.startswith("Reverses") else ""
        keep = reference if donor_kind not in ("individual", "anonymous") else ""
        return keep, reverses or "Reversal"
    if kind == "donation" and donor_kind in ("individual", "anonymous"):
        return "", f"Donation: {anonymised_donor(donor_kind, '')}"
    return reference, description


def anonymised_donor(kind: str | None, label: str) -> str:
    """Organisations are named; a person who gave is not, in an anonymised export."""
    if kind == "individual":
        return "Individual donor"
    if kind == "anonymous":
        return "Anonymous"
    return label


# --------------------------------------------------------------------------------------------
# The ledger, streamed


@dataclass(frozen=True, slots=True)
class LedgerRow:
    id: int
    posted_on: date
    kind: str  # the code; ENTRY_KINDS has its words
    reference: str
    description: str
    member: str  # name, pseudonym, or "" for entries that are not a member's
    member_number: str  # "" when anonymised or not a member's
    donor: str
    amount: Money
    balance_after: Money

    @property
    def kind_label(self) -> str:
        return ENTRY_KINDS.get(self.kind, self.kind)

    @property
    def money_in(self) -> Money | None:
        return self.amount if self.amount.pence > 0 else None

    @property
    def money_out(self) -> Money | None:
        return Money(-self.amount.pence) if self.amount.pence < 0 else None


def ledger_rows(
    db: Database, fund_id: int, anonymised: bool = False, batch: int = STREAM_BATCH
) -> Iterator[LedgerRow]:
    """Every entry of the fund in recording order, read `batch` rows at a time.

    The read session stays open while the caller iterates; close the generator (or run it to
    the end) to release it.
    """
    donation = aliased(Donation, name="donation")
    query = (
        select(
            LedgerEntry.id,
            LedgerEntry.posted_on,
            LedgerEntry.kind,
            LedgerEntry.reference,
            LedgerEntry.description,
            LedgerEntry.member_id,
            Member.first_name,
            Member.last_name,
            Member.membership_number,
            LedgerEntry.donor,
            donation.donor_kind,
            LedgerEntry.amount,
            LedgerEntry.balance_after,
        )
        .outerjoin(Member, Member.id == LedgerEntry.member_id)
        # A donation's kind of donor, for its entry and for the reversal of it.
        .outerjoin(
            donation,
            donation.entry_id == func.coalesce(LedgerEntry.reverses_id, LedgerEntry.id),
        )
        .where(LedgerEntry.fund_id == fund_id)
        .order_by(LedgerEntry.id)
        .execution_options(yield_per=batch)
    )
    with db.read() as session:
        names = pseudonyms_in(session, fund_id) if anonymised else {}
        for (
            entry_id,
            posted_on,
            kind,
            reference,
            description,
            member_id,
            first,
            last,
            number,
            donor,
            donor_kind,
            amount,
            after,
        ) in session.execute(query):
            if member_id is None:
                member, shown_number = "", ""
            elif anonymised:
                member, shown_number = names.get(member_id, "Member"), ""
            else:
                member, shown_number = member_name(first, last), number or ""
            if anonymised:
                reference, description = _anonymised_text(
                    kind, reference or "", description or "", donor_kind
                )
            yield LedgerRow(
                entry_id,
                posted_on,
                kind,
                reference or "",
                description or "",
                member,
                shown_number,
                anonymised_donor(donor_kind, donor) if anonymised else (donor or ""),
                amount,
                after,
            )


# --------------------------------------------------------------------------------------------
# Per-member and per-donor totals


@dataclass(frozen=True)
class MemberTotal:
    member_id: int
    member: str  # name or pseudonym
    member_number: str  # "" when anonymised
    pseudonym: str
    claims: int
    approved: Money
    paid: Money  # net of reversals

    @property
    def owed(self) -> Money:
        return max(ZERO, self.approved - self.paid)


def member_totals(db: Database, fund_id: int, anonymised: bool = False) -> list[MemberTotal]:
    """Each member with a claim or a payment: claims, total approved, total paid (net of
    reversed payments). By name, or by pseudonym when anonymised."""
    approved = type_coerce(Claim.approved, BigInteger)
    with db.read() as session:
        names = pseudonyms_in(session, fund_id)
        claims = {
            member_id: (int(count), int(total or 0))
            for member_id, count, total in session.execute(
                select(
                    Claim.member_id,
                    func.count(),
                    func.sum(case((Claim.status.in_(APPROVED_STATUSES), approved), else_=0)),
                )
                .where(Claim.fund_id == fund_id)
                .group_by(Claim.member_id)
            )
        }
        # The covering (fund, member, amount) index alone.
        paid = {
            int(member_id): -int(total or 0)
            for member_id, total in session.execute(
                select(LedgerEntry.member_id, func.sum(_PENCE))
                .where(LedgerEntry.fund_id == fund_id, LedgerEntry.member_id.is_not(None))
                .group_by(LedgerEntry.member_id)
            )
        }
        ids = sorted(set(claims) | set(paid))
        people = {
            member_id: (member_name(first, last), number)
            for member_id, first, last, number in session.execute(
                select(
                    Member.id, Member.first_name, Member.last_name, Member.membership_number
                ).where(Member.id.in_(ids))
            )
        }
    rows: list[MemberTotal] = []
    for member_id in ids:
        count, approved_pence = claims.get(member_id, (0, 0))
        name, number = people.get(member_id, ("", ""))
        pseudonym = names.get(member_id, "Member")
        rows.append(
            MemberTotal(
                member_id,
                pseudonym if anonymised else name,
                "" if anonymised else number,
                pseudonym,
                count,
                Money(approved_pence),
                Money(paid.get(member_id, 0)),
            )
        )
    if anonymised:
        rows.sort(key=lambda r: (len(r.pseudonym), r.pseudonym))  # by number
    else:
        rows.sort(key=lambda r: (_surname_key(r.member), r.member_number))
    return rows


def _surname_key(name: str) -> tuple[str, str]:
    first, _, last = name.rpartition(" ")
    return (last.casefold(), first.casefold())


@dataclass(frozen=True)
class DonorTotal:
    donor: str
    kind: str  # a DONOR_KINDS code
    donations: int  # not counting donations reversed
    total: Money  # net of reversals

    @property
    def kind_label(self) -> str:
        return DONOR_KINDS.get(self.kind, self.kind)


def donor_totals(db: Database, fund_id: int, anonymised: bool = False) -> list[DonorTotal]:
    """Each donor's donations (those reversed left out), largest total first. Anonymised, the
    individuals who gave are one line, as are the anonymous donations."""
    reversed_ = exists().where(_Reversal.reverses_id == Donation.entry_id)
    with db.read() as session:
        rows = session.execute(
            select(
                Donation.donor_kind,
                Donation.donor_name,
                func.count(),
                func.sum(type_coerce(Donation.amount, BigInteger)),
            )
            .where(Donation.fund_id == fund_id, ~reversed_)
            .group_by(Donation.donor_kind, Donation.donor_name)
        ).all()
    merged: dict[tuple[str, str], list[int]] = {}
    for kind, name, count, total in rows:
        label = "Anonymous" if kind == "anonymous" else (name or "").strip() or "(no name)"
        if anonymised:
            label = anonymised_donor(kind, label)
        key = (label, kind)
        counts = merged.setdefault(key, [0, 0])
        counts[0] += int(count)
        counts[1] += int(total or 0)
    totals = [DonorTotal(label, kind, c, Money(t)) for (label, kind), (c, t) in merged.items()]
    totals.sort(key=lambda d: (-d.total.pence, d.donor.casefold(), d.kind))
    return totals


# --------------------------------------------------------------------------------------------
# Payments


@dataclass(frozen=True, slots=True)
class PaymentRow:
    entry_id: int
    paid_on: date
    reversal: bool  # a payment returned or put right: its amount is negative
    claim_reference: str
    member: str  # name or pseudonym
    member_number: str  # "" when anonymised
    method: str  # words, not the code
    reference: str
    amount: Money  # positive paid out; negative for a reversal


def payment_rows(
    db: Database, fund_id: int, anonymised: bool = False, batch: int = STREAM_BATCH
) -> Iterator[PaymentRow]:
    """Every payment to a member and every reversal of one, in recording order (the ledger's),
    so the amounts add up to what members have been paid, net."""
    payment = aliased(Payment, name="payment")
    query = (
        select(
            LedgerEntry.id,
            LedgerEntry.posted_on,
            LedgerEntry.kind,
            Claim.reference,
            Claim.member_id,
            Member.first_name,
            Member.last_name,
            Member.membership_number,
            payment.method,
            LedgerEntry.reference,
            LedgerEntry.amount,
        )
        .join(payment, payment.entry_id == func.coalesce(LedgerEntry.reverses_id, LedgerEntry.id))
        .join(Claim, Claim.id == payment.claim_id)
        .join(Member, Member.id == Claim.member_id)
        .where(LedgerEntry.fund_id == fund_id, LedgerEntry.kind.in_(("payment", "reversal")))
        .order_by(LedgerEntry.id)
        .execution_options(yield_per=batch)
    )
    with db.read() as session:
        names = pseudonyms_in(session, fund_id) if anonymised else {}
        for (
            entry_id,
            posted_on,
            kind,
            claim_reference,
            member_id,
            first,
            last,
            number,
            method,
            reference,
            amount,
        ) in session.execute(query):
            yield PaymentRow(
                entry_id,
                posted_on,
                kind == "reversal",
                claim_reference,
                names.get(member_id, "Member") if anonymised else member_name(first, last),
                "" if anonymised else (number or ""),
                PAYMENT_METHODS.get(method, method),
                reference or "",
                Money(-amount.pence),
            )


def payment_count(db: Database, fund_id: int) -> int:
    """How many rows `payment_rows` gives (payments and their reversals)."""
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .join(
                    Payment,
                    Payment.entry_id == func.coalesce(LedgerEntry.reverses_id, LedgerEntry.id),
                )
                .where(
                    LedgerEntry.fund_id == fund_id,
                    LedgerEntry.kind.in_(("payment", "reversal")),
                )
            )
            or 0
        )


# --------------------------------------------------------------------------------------------
# Income and expenditure


@dataclass(frozen=True)
class SourceLine:
    kind: str  # a DONOR_KINDS code, or "" when the donation's record is missing
    label: str
    donations: int
    total: Money


@dataclass(frozen=True)
class IncomeExpenditure:
    fund: FundInfo
    start: date
    end: date
    opening: Money  # entries posted before `start`
    donations: tuple[SourceLine, ...]  # by kind of donor, in DONOR_KINDS order
    interest: Money
    transfers_in: Money
    payments: Money  # paid out to members, net of reversals (a positive figure)
    payments_count: int  # payments in the period not reversed by its end
    members_paid: int
    bank_charges: Money  # a positive figure
    transfers_out: Money  # a positive figure
    other: Money  # anything else, signed (none is expected)
    closing: Money  # the ledger's balance at the end of `end`
    # Reversals in the period of entries from before it (netted all the same).
    reversed_from_earlier: Money
    bank: Reconciliation | None  # None when no statement has been imported
    methods: dict[str, int] = field(default_factory=dict)  # donations by method (count)

    @property
    def total_donations(self) -> Money:
        return sum((line.total for line in self.donations), ZERO)

    @property
    def total_income(self) -> Money:
        income = self.total_donations + self.interest + self.transfers_in
        return income + (self.other if self.other > ZERO else ZERO)

    @property
    def total_expenditure(self) -> Money:
        spent = self.payments + self.bank_charges + self.transfers_out
        return spent + (-self.other if self.other < ZERO else ZERO)

    @property
    def surplus(self) -> Money:
        return self.total_income - self.total_expenditure

    @property
    def adds_up(self) -> bool:
        return self.opening + self.surplus == self.closing


def income_expenditure(
    db: Database, fund_id: int, start: date | None = None, end: date | None = None
) -> IncomeExpenditure:
    """The statement's figures for `start`..`end` inclusive (default: from the fund's start, or
    its first entry if earlier, to today)."""
    with db.read() as session:
        fund = fund_info_in(session, fund_id)
        if start is None:
            start = min(d for d in (fund.starts_on, fund.first_posted) if d is not None)
        if end is None:
            end = max(date.today(), start)
        if end < start:
            raise ValueError(
                f"the period ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})"
            )
        in_period = and_(
            LedgerEntry.fund_id == fund_id,
            LedgerEntry.posted_on >= start,
            LedgerEntry.posted_on <= end,
        )
        opening = session.scalar(
            select(func.coalesce(func.sum(_PENCE), 0)).where(
                LedgerEntry.fund_id == fund_id, LedgerEntry.posted_on < start
            )
        )
        # Each entry in the period under the kind of the entry it stands for: a reversal under
        # the kind of the entry it reverses, and a donation (or its reversal) under its kind of
        # donor.
        line_kind = func.coalesce(_Original.kind, LedgerEntry.kind)
        sums = session.execute(
            select(line_kind, Donation.donor_kind, func.sum(_PENCE))
            .select_from(LedgerEntry)
            .outerjoin(_Original, _Original.id == LedgerEntry.reverses_id)
            .outerjoin(
                Donation,
                Donation.entry_id == func.coalesce(LedgerEntry.reverses_id, LedgerEntry.id),
            )
            .where(in_period)
            .group_by(line_kind, Donation.donor_kind)
        ).all()
        not_reversed = ~exists().where(
            _Reversal.reverses_id == LedgerEntry.id, _Reversal.posted_on <= end
        )
        counts = session.execute(
            select(
                LedgerEntry.kind,
                Donation.donor_kind,
                func.count(),
                func.count(func.distinct(LedgerEntry.member_id)),
            )
            .select_from(LedgerEntry)
            .outerjoin(Donation, Donation.entry_id == LedgerEntry.id)
            .where(in_period, LedgerEntry.kind.in_(("donation", "payment")), not_reversed)
            .group_by(LedgerEntry.kind, Donation.donor_kind)
        ).all()
        earlier = session.scalar(
            select(func.coalesce(func.sum(_PENCE), 0))
            .select_from(LedgerEntry)
            .join(_Original, _Original.id == LedgerEntry.reverses_id)
            .where(in_period, _Original.posted_on < start)
        )
        closing = session.scalar(
            select(func.coalesce(func.sum(_PENCE), 0)).where(
                LedgerEntry.fund_id == fund_id, LedgerEntry.posted_on <= end
            )
        )
        methods = {
            DONATION_METHODS.get(method, method): int(n)
            for method, n in session.execute(
                select(Donation.method, func.count())
                .where(
                    Donation.fund_id == fund_id,
                    Donation.received_on >= start,
                    Donation.received_on <= end,
                    ~exists().where(_Reversal.reverses_id == Donation.entry_id),
                )
                .group_by(Donation.method)
                .order_by(Donation.method)
            )
        }

    # The bank's side, as the reconciliation view shows it.
    bank = reconciliation(db, fund_id, as_of=end)
    by_kind: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for kind, donor_kind, total in sums:
        if kind == "donation":
            key = donor_kind or ""
            by_source[key] = by_source.get(key, 0) + int(total or 0)
        else:
            by_kind[kind] = by_kind.get(kind, 0) + int(total or 0)
    source_counts: dict[str, int] = {}
    payments_count = members_paid = 0
    for kind, donor_kind, count, members in counts:
        if kind == "donation":
            key = donor_kind or ""
            source_counts[key] = source_counts.get(key, 0) + int(count)
        else:
            payments_count += int(count)
            members_paid += int(members)
    order = [*DONOR_KINDS, ""]
    donations = tuple(
        SourceLine(
            kind,
            DONOR_KINDS.get(kind, "Source not recorded"),
            source_counts.get(kind, 0),
            Money(by_source.get(kind, 0)),
        )
        for kind in order
        if by_source.get(kind) or source_counts.get(kind)
    )
    known = {"payment", "bank_charge", "interest", "transfer_in", "transfer_out"}
    other = sum(v for k, v in by_kind.items() if k not in known)
    return IncomeExpenditure(
        fund=fund,
        start=start,
        end=end,
        opening=_money(opening),
        donations=donations,
        interest=Money(by_kind.get("interest", 0)),
        transfers_in=Money(by_kind.get("transfer_in", 0)),
        payments=Money(-by_kind.get("payment", 0)),
        payments_count=payments_count,
        members_paid=members_paid,
        bank_charges=Money(-by_kind.get("bank_charge", 0)),
        transfers_out=Money(-by_kind.get("transfer_out", 0)),
        other=Money(other),
        closing=_money(closing),
        reversed_from_earlier=_money(earlier),
        bank=bank if bank.as_of is not None else None,
        methods=methods,
    )


__all__ = [
    "DonorTotal",
    "FundInfo",
    "FundLine",
    "IncomeExpenditure",
    "LedgerRow",
    "MemberTotal",
    "PaymentRow",
    "SourceLine",
    "anonymised_donor",
    "donor_totals",
    "fund_info",
    "fund_lines",
    "income_expenditure",
    "ledger_rows",
    "member_totals",
    "payment_count",
    "payment_rows",
    "pseudonyms",
]
