"""A demo hardship fund: a plainly fictional dispute, its donors, claims, payments and a bank
statement, for trying the Hardship fund tab out and for the benchmarks.

Everything is marked "(demo)": the fund, the donors, the panel officers; references start with
DEMO-. The small demo is made through the same service functions the window uses (so claims
carry the panel's decisions and the rules' working), and ends with a bank statement that has
most lines matched, one bank charge the ledger lacks and one payment the bank has not shown yet.

The large demo first writes a long history in bulk (claims, payments, donations, a matched
statement line for each, monthly statements), then the small demo's recent activity on top,
so the ledger holds exactly `LARGE_ENTRIES` entries with consecutive running balances.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from branchdesk.hardship.claims import ClaimForm, create_claim, decide, get_claim
from branchdesk.hardship.codes import DONOR_KINDS
from branchdesk.hardship.donations import DonationForm, donor_label, record_donation
from branchdesk.hardship.funds import (
    FundForm,
    add_strike_day,
    create_fund,
    set_rules,
    set_taking_part,
)
from branchdesk.hardship.ledger import balance_on, record_entry, reverse
from branchdesk.hardship.models import (
    BankLine,
    BankStatement,
    Claim,
    ClaimDay,
    Donation,
    LedgerEntry,
    Payment,
    StrikeDay,
    StrikeParticipant,
)
from branchdesk.hardship.payments import pay
from branchdesk.hardship.rules import PaymentRules
from branchdesk.members.models import Member
from branchdesk.money import Money
from branchdesk.progress import Progress
from branchdesk.store import audit
from branchdesk.store.database import Database
from branchdesk.store.types import utcnow

FUND_NAME = "Northmoor pay dispute (demo)"
EMPLOYER = "Northmoor Borough Council (demo)"
SORT_CODE = "00-00-99"
ACCOUNT_NUMBER = "99990001"
TREASURER = "Robin Ash (demo treasurer)"
PANEL = ("Pat Quill (demo chair)", TREASURER, "Sam Reed (demo secretary)")
# The small demo's recent activity is this many days long, ending a few days before today.
RECENT_DAYS = 120
# The large demo's history before it.
HISTORY_DAYS = 700
LARGE_ENTRIES = 200_000
# Ledger entries the recent activity makes (checked when the large demo is made).
RECENT_ENTRIES = 22
BATCH = 5_000

DONORS: tuple[tuple[str, str], ...] = (
    ("branch", "Northtown branch (demo)"),
    ("branch", "Eastvale Health branch (demo)"),
    ("branch", "Riverside Schools branch (demo)"),
    ("union", "Regional fighting fund (demo)"),
    ("union", "National hardship fund (demo)"),
    ("organisation", "Demo Town Trades Council (demo)"),
    ("organisation", "Riverside Tenants' Association (demo)"),
    ("individual", "Alex Example (demo)"),
    ("individual", "Jo Sample (demo)"),
    ("anonymous", ""),
)
_DONOR_WEIGHTS = (10, 8, 6, 4, 2, 5, 3, 25, 20, 17)
_BULK_PAYMENTS = (2_500, 4_000, 5_000, 6_000, 7_500, 10_000)


@dataclass
class _Officer:
    """Act as another officer for a while (the panel's decisions are each officer's own)."""

    db: Database
    name: str

    def __enter__(self) -> None:
        self.saved = self.db.officer
        self.db.officer = self.name

    def __exit__(self, *exc: object) -> None:
        self.db.officer = self.saved


def fill_hardship(
    db: Database,
    rng: random.Random,
    size: str,
    today: date,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Add the demo fund to a database whose demo members are already written; returns how
    many rows of each kind (for the demo's summary)."""
    start = today - timedelta(days=RECENT_DAYS)
    fund_start = start - timedelta(days=HISTORY_DAYS) if size == "large" else start
    fund_id = create_fund(
        db,
        FundForm(
            name=FUND_NAME,
            employer=EMPLOYER,
            starts_on=fund_start,
            bank_account_name="Northmoor Branch Hardship Fund (demo)",
            sort_code=SORT_CODE,
            account_number=ACCOUNT_NUMBER,
            notes="A fictional fund for the demo branch.",
        ),
        PaymentRules(
            effective_from=fund_start,
            per_day=Money(5_000),
            unpaid_days=1,
            cap_per_member=Money(40_000) if size == "small" else None,
            limit_to_loss=True,
            approvals_needed=2,
        ),
    )
    if size == "large":
        _bulk_history(db, rng, fund_id, fund_start, start, LARGE_ENTRIES - RECENT_ENTRIES, progress)
    _recent(db, rng, fund_id, start, today)
    with db.read() as session:
        counts = {
            "hardship claims": session.scalar(
                select(func.count()).select_from(Claim).where(Claim.fund_id == fund_id)
            )
            or 0,
            "ledger entries": session.scalar(
                select(func.count()).select_from(LedgerEntry).where(LedgerEntry.fund_id == fund_id)
            )
            or 0,
        }
    if size == "large" and counts["ledger entries"] != LARGE_ENTRIES:
        raise RuntimeError(
            f"the large demo ledger has {counts['ledger entries']:,} entries, not "
            f"{LARGE_ENTRIES:,}: update RECENT_ENTRIES in branchdesk/hardship/demo.py"
        )
    return {"hardship funds": 1, **counts}


# --------------------------------------------------------------------------------------------
# The recent activity, through the service functions


def _entry_of_donation(db: Database, donation_id: int) -> int:
    with db.read() as session:
        return session.scalar(select(Donation.entry_id).where(Donation.id == donation_id)) or 0


def _recent(db: Database, rng: random.Random, fund_id: int, start: date, today: date) -> None:
    day = start.__add__
    # Rules raised part-way through: later strike days pay more.
    set_rules(
        db,
        fund_id,
        PaymentRules(
            effective_from=day(timedelta(days=50)),
            per_day=Money(6_000),
            unpaid_days=1,
            cap_per_member=Money(40_000),
            limit_to_loss=True,
            approvals_needed=2,
        ),
    )
    strike_days = []
    for offset, what in (
        (14, "First day of action (demo)"),
        (15, "Second day of action (demo)"),
        (35, "Two-day strike, day one (demo)"),
        (36, "Two-day strike, day two (demo)"),
        (56, "Rally day strike (demo)"),
        (70, "Budget meeting strike (demo)"),
    ):
        when = day(timedelta(days=offset))
        strike_days.append((add_strike_day(db, fund_id, when, what), when))
    numbers = [f"DEMO-{n:06d}" for n in range(1, 41)]
    for index, (strike_day_id, _) in enumerate(strike_days):
        # Most members out every day; a few miss a day each.
        set_taking_part(db, strike_day_id, [n for i, n in enumerate(numbers) if (i + index) % 7])

    donations = [
        ("union", "Regional fighting fund (demo)", 150_000, "bank_transfer", 3),
        ("branch", "Northtown branch (demo)", 50_000, "bank_transfer", 8),
        ("branch", "Eastvale Health branch (demo)", 25_000, "bank_transfer", 12),
        ("branch", "Eastvale Health branch (demo)", 25_000, "bank_transfer", 12),  # twice
        ("organisation", "Demo Town Trades Council (demo)", 20_000, "cheque", 20),
        ("individual", "Alex Example (demo)", 2_500, "online", 22),
        ("anonymous", "", 1_000, "cash", 36),
        ("organisation", "Riverside Tenants' Association (demo)", 7_500, "cheque", 60),
        ("branch", "Northtown branch (demo)", 30_000, "bank_transfer", 75),
    ]
    donation_ids = []
    for n, (kind, name, pence, method, offset) in enumerate(donations, start=1):
        donation_ids.append(
            record_donation(
                db,
                fund_id,
                DonationForm(
                    received_on=day(timedelta(days=offset)),
                    donor_kind=kind,
                    donor_name=name,
                    amount=Money(pence),
                    method=method,
                    bank_reference=f"DEMO-DON-{n:03d}",
                    restriction="Strike pay only (demo)" if kind == "union" else "",
                ),
            )
        )
    reverse(
        db,
        _entry_of_donation(db, donation_ids[3]),
        day(timedelta(days=13)),
        "Recorded twice by mistake: the branch gave once (demo)",
    )
    record_entry(
        db,
        fund_id,
        "bank_charge",
        Money(850),
        day(timedelta(days=31)),
        "DEMO-CHG-001",
        "Monthly account fee (demo)",
    )
    record_entry(
        db,
        fund_id,
        "interest",
        Money(123),
        day(timedelta(days=61)),
        "DEMO-INT-001",
        "Interest on the balance (demo)",
    )

    # Claims: (member index, strike day indexes, received after the last day, outcome).
    plans = [
        (0, (0, 1), "paid"),
        (1, (0, 1), "paid"),
        (2, (0, 1, 2, 3), "paid"),
        (3, (2, 3), "paid"),
        (4, (0, 2, 3), "paid"),
        (5, (1, 2), "paid"),
        (8, (0, 1, 2), "part_paid"),
        (7, (2, 3), "approved"),
        (10, (2, 3, 4), "part_approved"),
        (6, (0, 1), "declined"),
        (11, (4, 5), "under_review"),
        (12, (5,), "received"),
        (13, (4, 5), "received"),
        (14, (0, 1, 2), "reversed"),
    ]
    claim_ids: dict[str, list[int]] = {}
    for member, days, outcome in plans:
        chosen = [strike_days[i][1] for i in days]
        received = max(chosen) + timedelta(days=2)
        per_day = 5_000 if max(chosen) < day(timedelta(days=50)) else 6_000
        claim_id = create_claim(
            db,
            fund_id,
            ClaimForm(
                member_number=numbers[member],
                received_on=received,
                days=chosen,
                fte=Decimal("0.6") if member % 5 == 4 else Decimal(1),
                pay_deducted=Money(9_500 * len(chosen)),
                payslip_seen=member % 3 != 0,
                evidence="Payslip shows the strike deduction (demo).",
                circumstances="Fictional circumstances for the demo.",
                requested=Money(per_day * len(chosen)),
            ),
        )
        claim_ids.setdefault(outcome, []).append(claim_id)
        _decide(db, claim_id, outcome)

    first_run = claim_ids["paid"][:4]
    pay(
        db,
        fund_id,
        {c: _owed(db, c) for c in first_run},
        day(timedelta(days=40)),
        "bacs",
        "DEMO-BACS-01",
    )
    second = [*claim_ids["paid"][4:], *claim_ids["reversed"]]
    lines = pay(
        db,
        fund_id,
        {c: _owed(db, c) for c in second},
        day(timedelta(days=80)),
        "bacs",
        "DEMO-BACS-02",
    )
    part = claim_ids["part_paid"][0]
    owed = _owed(db, part)
    pay(
        db, fund_id, {part: Money(owed.pence // 2)}, day(timedelta(days=80)), "bacs", "DEMO-BACS-03"
    )
    # A payment the bank returned (the account had closed), paid again by cheque.
    reversed_claim = claim_ids["reversed"][0]
    reference = get_claim(db, reversed_claim).reference
    returned = next(line for line in lines if line.claim_reference == reference)
    with db.read() as session:
        entry_id = session.scalar(select(Payment.entry_id).where(Payment.id == returned.payment_id))
    reverse(
        db, entry_id or 0, day(timedelta(days=86)), "Returned by the bank: account closed (demo)"
    )
    cheque_day = min(today - timedelta(days=2), day(timedelta(days=RECENT_DAYS - 2)))
    pay(
        db,
        fund_id,
        {reversed_claim: _owed(db, reversed_claim)},
        cheque_day,
        "cheque",
        "DEMO-CHQ-000123",
    )
    _statement(db, fund_id, start, today - timedelta(days=1))


def _owed(db: Database, claim_id: int) -> Money:
    return get_claim(db, claim_id).owed


def _decide(db: Database, claim_id: int, outcome: str) -> None:
    if outcome == "received":
        return
    claim = get_claim(db, claim_id)
    full = claim.entitlement if claim.entitlement.pence > 0 else claim.requested
    if outcome == "declined":
        with _Officer(db, PANEL[0]):
            decide(
                db,
                claim_id,
                False,
                None,
                "Not recorded as taking part on the days claimed; the member may appeal (demo).",
            )
        return
    amount = full if outcome not in ("part_approved", "part_paid") else Money(full.pence * 3 // 4)
    amount = min(amount, claim.requested)
    reasons = (
        "Meets the fund's rules (demo)."
        if outcome not in ("part_approved", "part_paid")
        else "One day is not evidenced by the payslip; the rest approved (demo)."
    )
    with _Officer(db, PANEL[0]):
        decide(db, claim_id, True, amount, reasons)
    if outcome == "under_review":
        return
    with _Officer(db, PANEL[1]):
        decide(db, claim_id, True, amount, reasons)


def _statement(db: Database, fund_id: int, start: date, as_of: date) -> None:
    """The bank's statement of the recent activity up to `as_of`: every entry matched except
    the latest cheque (not presented yet), and one bank charge the ledger lacks."""
    with db.write() as session:
        entries = session.execute(
            select(
                LedgerEntry.id,
                LedgerEntry.posted_on,
                LedgerEntry.amount,
                LedgerEntry.reference,
                LedgerEntry.description,
                LedgerEntry.kind,
            )
            .where(
                LedgerEntry.fund_id == fund_id,
                LedgerEntry.posted_on >= start,
                LedgerEntry.posted_on <= as_of,
            )
            .order_by(LedgerEntry.id)
        ).all()
        uncleared = next(
            (e for e in reversed(entries) if e.kind == "payment" and "CHQ" in e.reference), None
        )
        charge_day = as_of - timedelta(days=1)
        charge = Money(-500)
        ledger = balance_on(session, fund_id, as_of)
        closing = ledger + charge - (uncleared.amount if uncleared is not None else Money(0))
        statement = BankStatement(
            fund_id=fund_id,
            file_name="demo-statement.ofx",
            source="ofx",
            starts_on=start,
            ends_on=as_of,
            closing_balance=closing,
            closing_balance_on=as_of,
        )
        session.add(statement)
        session.flush()
        now = utcnow()
        lines: list[BankLine] = []
        for entry in entries:
            if uncleared is not None and entry.id == uncleared.id:
                continue
            # The bank describes a line in its own words, with the reference given.
            lines.append(
                BankLine(
                    fund_id=fund_id,
                    statement_id=statement.id,
                    fitid=f"DEMO-FIT-{entry.id:08d}",
                    posted_on=entry.posted_on,
                    amount=entry.amount,
                    description=_bank_words(entry.kind),
                    reference=entry.reference[:200],
                    entry_id=entry.id,
                    matched_by=TREASURER,
                    matched_at=now,
                )
            )
        lines.append(
            BankLine(
                fund_id=fund_id,
                statement_id=statement.id,
                fitid="DEMO-FIT-CHARGE-1",
                posted_on=charge_day,
                amount=charge,
                description="UNPAID ITEM FEE (DEMO)",
                reference="",
            )
        )
        session.add_all(lines)
        statement.lines_imported = len(lines)


def _bank_words(kind: str) -> str:
    return {
        "donation": "CREDIT (DEMO)",
        "payment": "BACS PAYMENT (DEMO)",
        "bank_charge": "ACCOUNT FEE (DEMO)",
        "interest": "INTEREST (DEMO)",
        "reversal": "RETURNED ITEM (DEMO)",
    }.get(kind, "TRANSFER (DEMO)")


# --------------------------------------------------------------------------------------------
# The large demo's history, in bulk


def _next_id(session: Session, table: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _bulk_history(
    db: Database,
    rng: random.Random,
    fund_id: int,
    first: date,
    until: date,
    count: int,
    progress: Progress | None,
) -> None:
    """`count` ledger entries dated from `first` to the day before `until`, with their claims,
    payments, donations and matched statement lines, inserted in batches with explicit ids (so
    nothing has to be read back) and the running balance worked out here."""
    days = (until - first).days
    with db.write() as session:
        members = list(
            session.scalars(
                select(Member.id)
                .where(Member.membership_number > "DEMO-000100")
                .order_by(Member.id)
            )
        )
        pool = rng.sample(members, min(len(members), 6_000))
        writer = _BulkWriter(session, progress, count)
        ids = {name: _next_id(session, table) for name, table in _TABLES.items()}
        # A strike day each week of the history.
        strikes = [
            (ids["strike"] + n, first + timedelta(days=3 + 7 * n)) for n in range((days - 3) // 7)
        ]
        for strike_id, day in strikes:
            writer.add(
                "strike",
                (strike_id, fund_id, writer.d(day), "Strike day (demo history)", *writer.stamps),
            )

        balance = 0  # pence, after the entries so far
        made = claims = payments = donations = 0
        per_year: dict[int, int] = {}  # claims received each year, for their references
        participants: set[tuple[int, int]] = set()
        statement_id = ids["statement"]
        month_start = first
        for offset in range(days):
            day = first + timedelta(days=offset)
            if day.month != month_start.month:
                writer.statement(statement_id, fund_id, month_start, day - timedelta(1), balance)
                statement_id += 1
                month_start = day
            target = count if offset == days - 1 else count * (offset + 1) // days
            recent_strikes = [s for s in strikes if s[1] < day][-4:]
            posted = writer.d(day)
            created = writer.t(datetime.combine(day, time(17, 0), tzinfo=UTC))
            while made < target:
                entry_id = ids["entry"] + made
                roll = rng.random()
                member_id = claim_id = None
                donor = ""
                if made % 997 == 996:
                    # Now and then a bank charge, or interest.
                    if (made // 997) % 2 and balance > 2_000:
                        kind, pence = "bank_charge", -rng.choice((450, 850, 1_200))
                    else:
                        kind, pence = "interest", rng.randrange(50, 900)
                    reference = f"DEMO-{'CHG' if pence < 0 else 'INT'}-{made:06d}"
                    description = "Account fee (demo)" if pence < 0 else "Interest (demo)"
                elif recent_strikes and balance > 20_000 and (roll < 0.45 or balance > 5_000_000):
                    kind = "payment"
                    amount = rng.choice(_BULK_PAYMENTS)
                    pence = -amount
                    strike_id, strike_day = rng.choice(recent_strikes)
                    member_id = rng.choice(pool)
                    claim_id = ids["claim"] + claims
                    claims += 1
                    received = min(strike_day + timedelta(days=1), day)
                    per_year[received.year] = per_year.get(received.year, 0) + 1
                    claim_ref = f"H-{received.year}-{per_year[received.year]:04d}"
                    writer.claim(claim_id, fund_id, member_id, claim_ref, received, amount)
                    writer.add("claim_day", (claim_id, strike_id))
                    participants.add((strike_id, member_id))
                    reference = f"DEMO-BACS-{day:%y%m%d} {claim_ref}"
                    description = f"Hardship payment, claim {claim_ref}"
                    writer.payment(
                        ids["payment"] + payments,
                        fund_id,
                        claim_id,
                        day,
                        amount,
                        reference,
                        entry_id,
                    )
                    payments += 1
                else:
                    kind = "donation"
                    donor_kind, name = rng.choices(DONORS, weights=_DONOR_WEIGHTS)[0]
                    if donor_kind in ("individual", "anonymous"):
                        pence = rng.choice((500, 1_000, 2_000, 2_500, 5_000))
                    else:
                        pence = rng.randrange(20, 160) * 100
                    donor = donor_label(donor_kind, name)
                    reference = f"DEMO-DON-{made:06d}"
                    description = f"Donation: {DONOR_KINDS[donor_kind]}"
                    writer.donation(
                        ids["donation"] + donations,
                        fund_id,
                        day,
                        donor_kind,
                        name,
                        pence,
                        reference,
                        entry_id,
                    )
                    donations += 1
                balance += pence
                writer.add(
                    "entry",
                    (
                        entry_id,
                        fund_id,
                        posted,
                        kind,
                        writer.m(pence),
                        writer.m(balance),
                        reference,
                        description,
                        member_id,
                        claim_id,
                        donor,
                        None,
                        created,
                        TREASURER,
                    ),
                )
                writer.line(
                    ids["line"] + made, fund_id, statement_id, entry_id, day, pence, reference
                )
                made += 1
                writer.maybe_flush()
        writer.statement(statement_id, fund_id, month_start, until - timedelta(1), balance)
        for strike_id, member_id in sorted(participants):
            writer.add("participant", (strike_id, member_id))
        writer.flush()
        if session.get_bind().dialect.name == "postgresql":
            # Explicit ids leave the sequences behind: move them on past the rows written.
            for table in _TABLES.values():
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                    )
                )
        audit.record(
            session,
            [
                audit.entry(db.officer, "demo", table, None, [], {table: (None, number)})
                for table, number in (
                    ("ledger_entries", count),
                    ("hardship_claims", claims),
                    ("hardship_donations", donations),
                    ("hardship_payments", payments),
                    ("bank_lines", count),
                )
            ],
        )


_TABLES: dict[str, Any] = {
    "strike": StrikeDay.__table__,
    "statement": BankStatement.__table__,
    "claim": Claim.__table__,
    "claim_day": ClaimDay.__table__,
    "entry": LedgerEntry.__table__,
    "payment": Payment.__table__,
    "donation": Donation.__table__,
    "line": BankLine.__table__,
    "participant": StrikeParticipant.__table__,
}
# The columns each bulk row gives, in order; the order of the dict is the order foreign keys
# need the tables written in.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "strike": ("id", "fund_id", "day", "description", "created_at", "updated_at"),
    "statement": (
        "id",
        "fund_id",
        "file_name",
        "source",
        "starts_on",
        "ends_on",
        "closing_balance",
        "closing_balance_on",
        "lines_imported",
        "lines_skipped",
        "created_at",
        "updated_at",
    ),
    "claim": (
        "id",
        "reference",
        "fund_id",
        "member_id",
        "received_on",
        "fte",
        "pay_deducted",
        "payslip_seen",
        "evidence",
        "circumstances",
        "requested",
        "entitlement",
        "working",
        "warnings",
        "status",
        "approved",
        "decision_reasons",
        "decided_on",
        "created_at",
        "updated_at",
        "version",
    ),
    "claim_day": ("claim_id", "strike_day_id"),
    "entry": (
        "id",
        "fund_id",
        "posted_on",
        "kind",
        "amount",
        "balance_after",
        "reference",
        "description",
        "member_id",
        "claim_id",
        "donor",
        "reverses_id",
        "created_at",
        "created_by",
    ),
    "payment": (
        "id",
        "fund_id",
        "claim_id",
        "paid_on",
        "amount",
        "method",
        "reference",
        "created_at",
        "updated_at",
        "entry_id",
    ),
    "donation": (
        "id",
        "fund_id",
        "received_on",
        "donor_kind",
        "donor_name",
        "amount",
        "method",
        "bank_reference",
        "restriction",
        "entry_id",
        "created_at",
        "updated_at",
    ),
    "line": (
        "id",
        "fund_id",
        "statement_id",
        "fitid",
        "posted_on",
        "amount",
        "description",
        "reference",
        "balance",
        "entry_id",
        "matched_by",
        "matched_at",
        "created_at",
        "updated_at",
        "version",
    ),
    "participant": ("strike_day_id", "member_id"),
}


class _BulkWriter:
    """Rows for each table as tuples, inserted a batch at a time in the order foreign keys need.

    On SQLite the values are made ready for the driver here (pence, ISO dates, cached) and the
    rows go to one executemany per batch: SQLAlchemy's per-row parameter handling would be most
    of the time a 200,000-entry ledger takes. Other databases get an ordinary Core insert.
    """

    def __init__(self, session: Session, progress: Progress | None, total: int) -> None:
        self.session = session
        self.progress = progress
        self.total = total
        self.written = 0
        dialect = session.get_bind().dialect
        self.raw = dialect.name == "sqlite"
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _COLUMNS}
        self._dates: dict[date, Any] = {}
        self._times: dict[datetime, Any] = {}
        now = self.t(utcnow())
        self.now = now
        self.stamps = (now, now)
        fte = _TABLES["claim"].c.fte.type
        self.one = fte.process_bind_param(Decimal(1), dialect) if self.raw else Decimal(1)
        self.yes = 1 if self.raw else True

    # Values as the driver wants them.
    def m(self, pence: int) -> Any:
        return pence if self.raw else Money(pence)

    def d(self, day: date) -> Any:
        if not self.raw:
            return day
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = day.isoformat()
        return text

    def t(self, when: datetime) -> Any:
        if not self.raw:
            return when
        text = self._times.get(when)
        if text is None:
            naive = when.astimezone(UTC).replace(tzinfo=None)
            text = self._times[when] = naive.isoformat(" ", "microseconds")
        return text

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)

    def claim(
        self,
        claim_id: int,
        fund_id: int,
        member_id: int,
        reference: str,
        received: date,
        pence: int,
    ) -> None:
        money = self.m(pence)
        on = self.d(received)
        self.rows["claim"].append(
            (
                claim_id,
                reference,
                fund_id,
                member_id,
                on,
                self.one,
                self.m(pence * 2),
                self.yes,
                "Payslip seen (demo).",
                "",
                money,
                money,
                "Worked out when the claim was made (demo history).",
                "",
                "paid",
                money,
                f"{PANEL[0]}: meets the fund's rules (demo).",
                on,
                self.now,
                self.now,
                1,
            )
        )

    def payment(
        self,
        payment_id: int,
        fund_id: int,
        claim_id: int,
        paid: date,
        pence: int,
        ref: str,
        entry_id: int,
    ) -> None:
        row = (payment_id, fund_id, claim_id, self.d(paid), self.m(pence), "bacs", ref)
        self.rows["payment"].append((*row, self.now, self.now, entry_id))

    def donation(
        self,
        donation_id: int,
        fund_id: int,
        received: date,
        kind: str,
        name: str,
        pence: int,
        reference: str,
        entry_id: int,
    ) -> None:
        method = "online" if kind in ("individual", "anonymous") else "bank_transfer"
        self.rows["donation"].append(
            (
                donation_id,
                fund_id,
                self.d(received),
                kind,
                "" if kind == "anonymous" else name,
                self.m(pence),
                method,
                reference,
                "",
                entry_id,
                self.now,
                self.now,
            )
        )

    def line(
        self,
        line_id: int,
        fund_id: int,
        statement_id: int,
        entry_id: int,
        posted: date,
        pence: int,
        reference: str,
    ) -> None:
        self.rows["line"].append(
            (
                line_id,
                fund_id,
                statement_id,
                f"DEMO-FIT-{entry_id:08d}",
                self.d(posted),
                self.m(pence),
                "CREDIT (DEMO)" if pence > 0 else "PAYMENT (DEMO)",
                reference,
                None,
                entry_id,
                f"{TREASURER} (automatic)",
                self.now,
                self.now,
                self.now,
                1,
            )
        )

    def statement(
        self, statement_id: int, fund_id: int, starts: date, ends: date, closing: int
    ) -> None:
        """A month's statement, whose lines are those waiting: written with them, at once."""
        self.rows["statement"].append(
            (
                statement_id,
                fund_id,
                f"demo-statement-{starts:%Y-%m}.ofx",
                "ofx",
                self.d(starts),
                self.d(ends),
                self.m(closing),
                self.d(ends),
                len(self.rows["line"]),
                0,
                self.now,
                self.now,
            )
        )
        self.flush()

    def maybe_flush(self) -> None:
        if len(self.rows["entry"]) >= BATCH:
            # Statement lines wait for their month's statement, written at the month's end.
            self.flush(lines=False)

    def flush(self, lines: bool = True) -> None:
        for name, columns in _COLUMNS.items():
            rows = self.rows[name]
            if not rows or (name == "line" and not lines):
                continue
            table = _TABLES[name]
            if self.raw:
                sql = (
                    f"INSERT INTO {table.name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})"
                )
                self.session.connection().exec_driver_sql(sql, rows)
            else:
                self.session.execute(
                    insert(table), [dict(zip(columns, r, strict=True)) for r in rows]
                )
            if name == "entry":
                self.written += len(rows)
            rows.clear()
        if self.progress is not None:
            self.progress.update(self.written, self.total)


__all__ = ["FUND_NAME", "LARGE_ENTRIES", "fill_hardship"]
