"""What the Hardship fund tab reads beyond the domain's own functions: a fund's summary, its
donations, the claims a payment run would pay, a claim's entitlement worked out as it is typed,
and the few lookups its dialogs need. No writes here; every change goes through
`branchdesk.hardship`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from sqlalchemy import BigInteger, func, select, type_coerce

from branchdesk.exports.text import short_date
from branchdesk.hardship.bankfiles import mask_account
from branchdesk.hardship.claims import ClaimForm, owed_claims
from branchdesk.hardship.codes import OPEN_STATUSES
from branchdesk.hardship.ledger import current_balance, paid_on_claim
from branchdesk.hardship.listing import reversed_entries
from branchdesk.hardship.models import (
    Claim,
    ClaimDay,
    Donation,
    Fund,
    FundRules,
    LedgerEntry,
    StrikeDay,
    StrikeParticipant,
)
from branchdesk.members.models import Employer, Member
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.ui import style
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.table_model import ListingTableModel

HARDSHIP = "hardship"  # the register name the tab's changes report


# -- the fund ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundSummary:
    id: int
    name: str
    employer: str
    starts_on: date
    ends_on: date | None
    closed: bool
    account: str  # masked
    sort_code: str
    balance: Money
    strike_days: int
    has_rules: bool
    open_claims: int
    owed: Money
    claims: int = 0  # all the fund's claims, whatever their status: none yet is an empty queue


def read_fund_summary(db: Database, fund_id: int) -> FundSummary | None:
    with db.read() as session:
        fund = session.get(Fund, fund_id)
        if fund is None:
            return None
        employer = session.get(Employer, fund.employer_id) if fund.employer_id else None
        days = session.scalar(select(func.count()).where(StrikeDay.fund_id == fund_id)) or 0
        has_rules = bool(session.scalar(select(FundRules.id).where(FundRules.fund_id == fund_id)))
        open_claims = (
            session.scalar(
                select(func.count()).where(
                    Claim.fund_id == fund_id, Claim.status.in_(OPEN_STATUSES)
                )
            )
            or 0
        )
        claims = session.scalar(select(func.count()).where(Claim.fund_id == fund_id)) or 0
        owed = sum(owed_claims(session, fund_id).values(), ZERO)
        return FundSummary(
            id=fund.id,
            name=fund.name,
            employer=employer.name if employer else "",
            starts_on=fund.starts_on,
            ends_on=fund.ends_on,
            closed=fund.closed,
            account=mask_account(fund.account_number),
            sort_code=fund.sort_code,
            balance=current_balance(session, fund_id),
            strike_days=days,
            has_rules=has_rules,
            open_claims=open_claims,
            owed=owed,
            claims=claims,
        )


def fund_facts(summary: FundSummary) -> str:
    """One line under the fund's name: employer, dates, days, account, what waits."""
    parts = []
    if summary.employer:
        parts.append(summary.employer)
    start = short_date(summary.starts_on)
    if summary.ends_on:
        dates = translate("hardship.data", "from {start} to {end}")
        parts.append(dates.format(start=start, end=short_date(summary.ends_on)))
    else:
        parts.append(translate("hardship.data", "from {start}").format(start=start))
    days = summary.strike_days
    parts.append(
        translate("hardship.data", "1 strike day")
        if days == 1
        else translate("hardship.data", "{n} strike days").format(n=f"{days:,}")
    )
    if summary.account and summary.sort_code:
        bank = translate("hardship.data", "account {account} ({sort_code})")
        parts.append(bank.format(account=summary.account, sort_code=summary.sort_code))
    elif summary.account:
        parts.append(
            translate("hardship.data", "account {account}").format(account=summary.account)
        )
    waiting = summary.open_claims
    if waiting == 1:
        parts.append(translate("hardship.data", "1 claim awaiting decision"))
    elif waiting:
        parts.append(
            translate("hardship.data", "{n} claims awaiting decision").format(n=f"{waiting:,}")
        )
    if summary.owed:
        owed = translate("hardship.data", "{amount} owed on approved claims")
        parts.append(owed.format(amount=summary.owed))
    if summary.closed:
        parts.append(translate("hardship.data", "closed to new claims"))
    return " · ".join(parts)


def strike_day_members(db: Database, strike_day_id: int) -> list[tuple[str, str]]:
    """(membership number, name) of those recorded as taking part on a strike day."""
    with db.read() as session:
        rows = session.execute(
            select(Member.membership_number, Member.first_name, Member.last_name)
            .join(StrikeParticipant, StrikeParticipant.member_id == Member.id)
            .where(StrikeParticipant.strike_day_id == strike_day_id)
            .order_by(Member.last_name, Member.first_name, Member.id)
        )
        return [(n, f"{f} {la}".strip()) for n, f, la in rows]


def unknown_numbers(db: Database, numbers: Iterable[str]) -> list[str]:
    """The membership numbers no member has."""
    wanted = {n.strip() for n in numbers if n.strip()}
    if not wanted:
        return []
    with db.read() as session:
        found = set(
            session.scalars(
                select(Member.membership_number).where(Member.membership_number.in_(wanted))
            )
        )
    return sorted(wanted - found)


def days_with_claims(db: Database, strike_day_ids: Iterable[int]) -> set[int]:
    """The strike days a claim names (they cannot be removed)."""
    ids = list(strike_day_ids)
    if not ids:
        return set()
    with db.read() as session:
        return set(
            session.scalars(
                select(ClaimDay.strike_day_id).where(ClaimDay.strike_day_id.in_(ids)).distinct()
            )
        )


# -- a claim's entitlement, as it is typed ---------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    amount: Money
    working: tuple[str, ...]
    warnings: tuple[str, ...]
    member_name: str


def preview_claim(
    db: Database, fund_id: int, form: ClaimForm, claim_id: int | None = None
) -> Assessment:
    """The entitlement, working and warnings the claim would be saved with.

    Uses the very calculation `create_claim` stores, so what the form shows is what is saved.
    Raises ValidationError (member) when no member has the number.
    """
    from branchdesk.hardship import claims

    number = form.member_number.strip()
    with db.read() as session:
        row = session.execute(
            select(Member.id, Member.first_name, Member.last_name).where(
                Member.membership_number == number
            )
        ).first()
        if row is None:
            text = translate("hardship.data", "No member has the number {number}.")
            raise ValidationError({"member": text.format(number=number)})
    amount, working, warnings = claims.assess_claim(db, fund_id, form, claim_id)
    return Assessment(amount, tuple(working), tuple(warnings), f"{row[1]} {row[2]}".strip())


# -- a payment run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwedLine:
    claim_id: int
    reference: str
    member_number: str
    member_name: str
    approved: Money
    paid: Money
    owed: Money


@dataclass(frozen=True)
class PaymentRun:
    balance: Money
    lines: tuple[OwedLine, ...]

    @property
    def total_owed(self) -> Money:
        return sum((line.owed for line in self.lines), ZERO)


def read_payment_run(db: Database, fund_id: int) -> PaymentRun:
    """Approved claims with money still owed, oldest first, and the fund's balance."""
    with db.read() as session:
        owed = owed_claims(session, fund_id)
        lines = []
        if owed:
            rows = session.execute(
                select(
                    Claim.id,
                    Claim.reference,
                    Claim.approved,
                    Member.membership_number,
                    Member.first_name,
                    Member.last_name,
                )
                .join(Member, Member.id == Claim.member_id)
                .where(Claim.id.in_(list(owed)))
                .order_by(Claim.id)
            )
            for claim_id, reference, approved, number, first, last in rows:
                lines.append(
                    OwedLine(
                        claim_id,
                        reference,
                        number,
                        f"{first} {last}".strip(),
                        approved or ZERO,
                        paid_on_claim(session, claim_id),
                        owed[claim_id],
                    )
                )
        return PaymentRun(current_balance(session, fund_id), tuple(lines))


# -- donations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationTotals:
    count: int
    total: Money
    reversed: int


def donation_totals(db: Database, fund_id: int) -> DonationTotals:
    """How many donations the fund has had and what they came to, less any reversed."""
    reversed_ids = reversed_entries(fund_id)
    with db.read() as session:
        count, pence = session.execute(
            select(
                func.count(), func.coalesce(func.sum(type_coerce(Donation.amount, BigInteger)), 0)
            ).where(Donation.fund_id == fund_id, Donation.entry_id.not_in(reversed_ids))
        ).one()
        undone = session.scalar(
            select(func.count()).where(
                Donation.fund_id == fund_id, Donation.entry_id.in_(reversed_ids)
            )
        )
    return DonationTotals(int(count), Money(int(pence)), int(undone or 0))


# -- ledger entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryLine:
    id: int
    posted_on: date
    kind: str
    amount: Money
    reference: str
    description: str
    reverses_id: int | None
    reversed_by: int | None


def read_entry(db: Database, entry_id: int) -> EntryLine | None:
    with db.read() as session:
        entry = session.get(LedgerEntry, entry_id)
        if entry is None:
            return None
        reversed_by = session.scalar(
            select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry_id)
        )
        return EntryLine(
            entry.id,
            entry.posted_on,
            entry.kind,
            entry.amount,
            entry.reference,
            entry.description,
            entry.reverses_id,
            reversed_by,
        )


def unmatched_entries(db: Database, fund_id: int, amount: Money) -> list[EntryLine]:
    """Ledger entries of this amount no statement line is matched with yet, oldest first."""
    from branchdesk.hardship.models import BankLine

    matched = select(BankLine.entry_id).where(
        BankLine.fund_id == fund_id, BankLine.entry_id.is_not(None)
    )
    with db.read() as session:
        entries = session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.fund_id == fund_id,
                LedgerEntry.amount == amount,
                LedgerEntry.id.not_in(matched),
            )
            .order_by(LedgerEntry.posted_on, LedgerEntry.id)
            .limit(500)
        )
        return [
            EntryLine(
                e.id, e.posted_on, e.kind, e.amount, e.reference, e.description, e.reverses_id, None
            )
            for e in entries
        ]


# -- the tables ------------------------------------------------------------------------------------


# The headings of the claims, ledger and donations listings (`branchdesk.hardship.listing`
# names them in English), listed here for the translator and translated where shown.
HEADINGS = (
    QT_TRANSLATE_NOOP("hardship.data", "Reference"),
    QT_TRANSLATE_NOOP("hardship.data", "Member"),
    QT_TRANSLATE_NOOP("hardship.data", "Number"),
    QT_TRANSLATE_NOOP("hardship.data", "Received"),
    QT_TRANSLATE_NOOP("hardship.data", "Requested"),
    QT_TRANSLATE_NOOP("hardship.data", "Entitlement"),
    QT_TRANSLATE_NOOP("hardship.data", "Approved"),
    QT_TRANSLATE_NOOP("hardship.data", "Status"),
    QT_TRANSLATE_NOOP("hardship.data", "Warnings"),
    QT_TRANSLATE_NOOP("hardship.data", "No."),
    QT_TRANSLATE_NOOP("hardship.data", "Date"),
    QT_TRANSLATE_NOOP("hardship.data", "Type"),
    QT_TRANSLATE_NOOP("hardship.data", "Details"),
    QT_TRANSLATE_NOOP("hardship.data", "In"),
    QT_TRANSLATE_NOOP("hardship.data", "Out"),
    QT_TRANSLATE_NOOP("hardship.data", "Balance"),
    QT_TRANSLATE_NOOP("hardship.data", "Donor"),
    QT_TRANSLATE_NOOP("hardship.data", "Who"),
    QT_TRANSLATE_NOOP("hardship.data", "How"),
    QT_TRANSLATE_NOOP("hardship.data", "Bank reference"),
    QT_TRANSLATE_NOOP("hardship.data", "Restriction"),
    QT_TRANSLATE_NOOP("hardship.data", "Amount"),
)


class HardshipTableModel(ListingTableModel):
    """A claims queue or a ledger: dates in words ("9 Jun 2026") like the other tabs, the
    warnings column as a mark rather than a bare count, and headings in the user's language."""

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        value = super().headerData(section, orientation, role)
        if role == Qt.ItemDataRole.DisplayRole and isinstance(value, str) and value:
            return translate("hardship.data", value)
        return value

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return super().data(index, role)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = {"reversed": style.MUTED, "flags": style.WARNING_TEXT}
            key = self.columns[index.column()].key
            return QColor(colour[key]) if key in colour else None
        if role != Qt.ItemDataRole.DisplayRole:
            return super().data(index, role)
        column = self.columns[index.column()]
        if column.kind == "date":
            value = super().data(index, Qt.ItemDataRole.UserRole)
            return short_date(value) if isinstance(value, date) else ""
        if column.key == "flags":
            value = super().data(index, Qt.ItemDataRole.UserRole)
            return f"⚠ {value}" if isinstance(value, int) and value > 0 else ""
        return super().data(index, role)
