"""The claims queue and the ledger as lists: searched and sorted in SQL, rows a page at a time.

The ledger's running balance is the one written with each entry (`balance_after`), so any page
of a 200,000-entry ledger shows its balances without summing what came before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, func, or_, select, type_coerce

from branchdesk.hardship.codes import CLAIM_STATUSES, DONATION_METHODS, DONOR_KINDS, ENTRY_KINDS
from branchdesk.hardship.models import Claim, Donation, LedgerEntry
from branchdesk.members.models import Member
from branchdesk.money import Money
from branchdesk.store.database import Database
from branchdesk.store.listing import Column, fetch_ids

CLAIM_COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", "text", 12),
    Column("member", "Member", "text", 22),
    Column("membership_number", "Number", "text", 12),
    Column("received_on", "Received", "date", 11),
    Column("requested", "Requested", "money", 11),
    Column("entitlement", "Entitlement", "money", 11),
    Column("approved", "Approved", "money", 11),
    Column("status", "Status", "text", 14),
    Column("flags", "Warnings", "int", 8),
)

_member_name = Member.last_name + ", " + Member.first_name
# How many warnings the panel has to look at: one per line of the stored text.
_flags = case(
    (Claim.warnings == "", 0),
    else_=func.length(Claim.warnings) - func.length(func.replace(Claim.warnings, "\n", "")) + 1,
)

_CLAIM_EXPRESSIONS: dict[str, ColumnElement[Any]] = {
    "reference": Claim.reference,
    "member": _member_name,
    "membership_number": Member.membership_number,
    "received_on": Claim.received_on,
    "requested": Claim.requested,
    "entitlement": Claim.entitlement,
    "approved": Claim.approved,
    "status": Claim.status,
    "flags": _flags,
}


@dataclass(frozen=True)
class ClaimFilter:
    fund_id: int
    status: str = ""  # a status code, "open" (awaiting decision) or "owed" (approved, unpaid)

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Claim.fund_id == self.fund_id]
        if self.status == "open":
            found.append(Claim.status.in_(("received", "under_review")))
        elif self.status == "owed":
            found.append(Claim.status.in_(("approved", "part_approved")))
        elif self.status:
            found.append(Claim.status == self.status)
        return found


class ClaimListing:
    columns: Sequence[Column] = CLAIM_COLUMNS

    def __init__(self, db: Database, claim_filter: ClaimFilter) -> None:
        self.db = db
        self.filter = claim_filter

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        query = select(Claim.id).join(Member, Claim.member_id == Member.id)
        query = query.where(*self.filter.conditions())
        words = search.lower().split()
        if words:
            query = query.where(
                and_(
                    *(
                        or_(
                            func.lower(Claim.reference).contains(w, autoescape=True),
                            Member.search_text.contains(w, autoescape=True),
                        )
                        for w in words
                    )
                )
            )
        key = _CLAIM_EXPRESSIONS[sort_key] if sort_key else Claim.received_on
        query = query.order_by(
            key.desc() if descending else key.asc(), Claim.id.desc() if descending else Claim.id
        )
        with self.db.read() as session:
            return fetch_ids(session, query)

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        query = (
            select(Claim.id, *(_CLAIM_EXPRESSIONS[c.key] for c in CLAIM_COLUMNS))
            .join(Member, Claim.member_id == Member.id)
            .where(Claim.id.in_(list(ids)))
        )
        result: dict[int, tuple[Any, ...]] = {}
        with self.db.read() as session:
            for row in session.execute(query):
                values = list(row[1:])
                values[7] = CLAIM_STATUSES.get(values[7], values[7])
                result[row[0]] = tuple(values)
        return result


LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("id", "No.", "int", 8),
    Column("posted_on", "Date", "date", 11),
    Column("kind", "Type", "text", 16),
    Column("reference", "Reference", "text", 18),
    Column("description", "Details", "text", 36),
    Column("money_in", "In", "money", 11),
    Column("money_out", "Out", "money", 11),
    Column("balance_after", "Balance", "money", 12, sortable=False),
)

_PENCE = type_coerce(LedgerEntry.amount, BigInteger)
_LEDGER_SORT: dict[str, ColumnElement[Any]] = {
    "id": LedgerEntry.id,
    "posted_on": LedgerEntry.posted_on,
    "kind": LedgerEntry.kind,
    "reference": LedgerEntry.reference,
    "description": LedgerEntry.description,
    "money_in": case((_PENCE > 0, _PENCE), else_=0),
    "money_out": case((_PENCE < 0, -_PENCE), else_=0),
}


class LedgerListing:
    """A fund's ledger in the order entries were recorded, with the running balance."""

    columns: Sequence[Column] = LEDGER_COLUMNS

    def __init__(self, db: Database, fund_id: int) -> None:
        self.db = db
        self.fund_id = fund_id

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> Sequence[int]:
        query = select(LedgerEntry.id).where(LedgerEntry.fund_id == self.fund_id)
        words = search.lower().split()
        if not words and sort_key in (None, "id"):
            numbered = self._numbered_without_gaps(descending)
            if numbered is not None:
                return numbered
        if words:
            query = query.where(
                and_(
                    *(
                        or_(
                            func.lower(LedgerEntry.reference).contains(w, autoescape=True),
                            func.lower(LedgerEntry.description).contains(w, autoescape=True),
                            func.lower(LedgerEntry.donor).contains(w, autoescape=True),
                        )
                        for w in words
                    )
                )
            )
        if sort_key and sort_key != "id":
            key = _LEDGER_SORT[sort_key]
            query = query.order_by(key.desc() if descending else key.asc(), LedgerEntry.id)
        else:
            query = query.order_by(LedgerEntry.id.desc() if descending else LedgerEntry.id)
        with self.db.read() as session:
            return fetch_ids(session, query)

    def _numbered_without_gaps(self, descending: bool) -> range | None:
        """The fund's entries in the order recorded, when their numbers run without a gap (a
        branch with one fund at a time): a range, with no need to read 200,000 ids."""
        with self.db.read() as session:
            first, last, count = session.execute(
                select(func.min(LedgerEntry.id), func.max(LedgerEntry.id), func.count()).where(
                    LedgerEntry.fund_id == self.fund_id
                )
            ).one()
        if not count or last - first + 1 != count:
            return None
        return range(last, first - 1, -1) if descending else range(first, last + 1)

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        query = select(
            LedgerEntry.id,
            LedgerEntry.posted_on,
            LedgerEntry.kind,
            LedgerEntry.reference,
            LedgerEntry.description,
            LedgerEntry.amount,
            LedgerEntry.balance_after,
        ).where(LedgerEntry.id.in_(list(ids)))
        result: dict[int, tuple[Any, ...]] = {}
        with self.db.read() as session:
            for entry_id, posted_on, kind, reference, description, amount, after in session.execute(
                query
            ):
                money_in = amount if amount.pence > 0 else None
                money_out = Money(-amount.pence) if amount.pence < 0 else None
                result[entry_id] = (
                    entry_id,
                    posted_on,
                    ENTRY_KINDS.get(kind, kind),
                    reference,
                    description,
                    money_in,
                    money_out,
                    after,
                )
        return result


DONATION_COLUMNS: tuple[Column, ...] = (
    Column("received_on", "Received", "date", 11),
    Column("donor", "Donor", "text", 26),
    Column("donor_kind", "Who", "text", 18),
    Column("method", "How", "text", 14),
    Column("bank_reference", "Bank reference", "text", 18),
    Column("restriction", "Restriction", "text", 18),
    Column("amount", "Amount", "money", 11),
    Column("reversed", "", "text", 9),
)


def reversed_entries(fund_id: int) -> Any:
    """The ids of a fund's entries that a reversal has put right."""
    return select(LedgerEntry.reverses_id).where(
        LedgerEntry.fund_id == fund_id, LedgerEntry.reverses_id.is_not(None)
    )


class DonationListing:
    """A fund's donations, newest first: searched and sorted in SQL, a page at a time (a long
    dispute's fund can have a hundred thousand)."""

    columns: Sequence[Column] = DONATION_COLUMNS

    def __init__(self, db: Database, fund_id: int) -> None:
        self.db = db
        self.fund_id = fund_id
        donor = case((Donation.donor_kind == "anonymous", "Anonymous"), else_=Donation.donor_name)
        self._expressions: dict[str, Any] = {
            "received_on": Donation.received_on,
            "donor": donor,
            "donor_kind": Donation.donor_kind,
            "method": Donation.method,
            "bank_reference": Donation.bank_reference,
            "restriction": Donation.restriction,
            "amount": type_coerce(Donation.amount, BigInteger),
            "reversed": case(
                (Donation.entry_id.in_(reversed_entries(fund_id)), "Reversed"), else_=""
            ),
        }

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        query = select(Donation.id).where(Donation.fund_id == self.fund_id)
        for word in search.lower().split():
            query = query.where(
                or_(
                    func.lower(Donation.donor_name).contains(word, autoescape=True),
                    func.lower(Donation.bank_reference).contains(word, autoescape=True),
                    func.lower(Donation.restriction).contains(word, autoescape=True),
                )
            )
        if sort_key:
            key = self._expressions[sort_key]
            query = query.order_by(key.desc() if descending else key.asc(), Donation.id)
        else:  # newest first
            query = query.order_by(Donation.received_on.desc(), Donation.id.desc())
        with self.db.read() as session:
            return fetch_ids(session, query)

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not ids:
            return {}
        query = select(Donation.id, *(self._expressions[c.key] for c in DONATION_COLUMNS)).where(
            Donation.id.in_(list(ids))
        )
        result: dict[int, tuple[Any, ...]] = {}
        with self.db.read() as session:
            for row in session.execute(query):
                values = list(row[1:])
                values[2] = DONOR_KINDS.get(values[2], values[2])
                values[3] = DONATION_METHODS.get(values[3], values[3])
                values[6] = Money(int(values[6]))
                result[row[0]] = tuple(values)
        return result
