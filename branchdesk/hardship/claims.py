"""Claims from members: what they claim, what the rules entitle them to, the panel's decisions,
and the warnings a panel needs (a day claimed twice, a member not recorded as taking part, an
award beyond the entitlement)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.exports.text import short_date
from branchdesk.hardship.codes import APPROVED_STATUSES, OPEN_STATUSES
from branchdesk.hardship.funds import member_strike_days, rules_in_session
from branchdesk.hardship.ledger import PENCE, current_balance, lock_fund, paid_on_claim
from branchdesk.hardship.models import (
    Claim,
    ClaimDay,
    LedgerEntry,
    PanelDecision,
    Payment,
    StrikeDay,
)
from branchdesk.hardship.rules import PaymentRules, entitlement, rules_on
from branchdesk.hardship.sharing import share_pro_rata
from branchdesk.members.models import Member
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit
from branchdesk.store.types import utcnow

MAX_PANEL = 3


@dataclass
class ClaimForm:
    member_number: str = ""
    received_on: date | None = None
    days: list[date] = field(default_factory=list)
    fte: Decimal = Decimal(1)
    pay_deducted: Money | None = None
    payslip_seen: bool = False
    evidence: str = ""
    circumstances: str = ""
    requested: Money | None = None
    version: int | None = None


def parse_fte(text: str) -> Decimal:
    """'1', '0.6' or '60%' as a fraction of full time; ValueError naming the text otherwise."""
    cleaned = text.strip().rstrip("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(
            f"'{text}' is not a fraction of full time (for example 0.6 or 60%)"
        ) from None
    if text.strip().endswith("%"):
        value = value / 100
    if not value.is_finite() or value <= 0 or value > 1:
        raise ValueError(f"'{text}' is not a fraction of full time (for example 0.6 or 60%)")
    return value.quantize(Decimal("0.001"))


def validate_claim(form: ClaimForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.member_number.strip():
        errors["member"] = "Choose the member who is claiming."
    if form.received_on is None:
        errors["received_on"] = "Give the date the claim was received."
    if not form.days:
        errors["days"] = "Tick the strike days claimed for."
    if not (Decimal(0) < form.fte <= Decimal(1)):
        errors["fte"] = "The fraction of full time is more than 0 and at most 1."
    if form.pay_deducted is not None and form.pay_deducted < ZERO:
        errors["pay_deducted"] = "Pay deducted cannot be negative."
    if form.requested is None:
        errors["requested"] = "Give the amount the member asks for."
    elif form.requested < ZERO:
        errors["requested"] = "The amount requested cannot be negative."
    for name, limit in (("evidence", 2000), ("circumstances", 20_000)):
        if len(getattr(form, name)) > limit:
            errors[name] = f"Too long: at most {limit:,} characters."
    return errors


def next_claim_reference(session: Session, year: int) -> str:
    """H-2026-0001, H-2026-0002, …: sortable as text, counting on past 9999."""
    prefix = f"H-{year}-"
    last = session.scalar(
        select(Claim.reference)
        .where(Claim.reference.like(f"{prefix}%"))
        .order_by(func.length(Claim.reference).desc(), Claim.reference.desc())
        .limit(1)
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _member_id(session: Session, number: str) -> int:
    member_id = session.scalar(select(Member.id).where(Member.membership_number == number.strip()))
    if member_id is None:
        raise ValidationError({"member": f"No member has the number {number.strip()}."})
    return member_id


def _strike_day_ids(session: Session, fund_id: int, days: Sequence[date]) -> dict[date, int]:
    found = dict(
        session.execute(
            select(StrikeDay.day, StrikeDay.id).where(
                StrikeDay.fund_id == fund_id, StrikeDay.day.in_(set(days))
            )
        ).all()
    )
    missing = sorted(set(days) - found.keys())
    if missing:
        listed = ", ".join(short_date(d) for d in missing)
        raise ValidationError({"days": f"Not a strike day of this fund: {listed}."})
    return found


def _awarded_elsewhere(
    session: Session, fund_id: int, member_id: int, claim_id: int | None
) -> Money:
    query = select(Claim.approved).where(
        Claim.fund_id == fund_id,
        Claim.member_id == member_id,
        Claim.status.in_(APPROVED_STATUSES),
    )
    if claim_id is not None:
        query = query.where(Claim.id != claim_id)
    total = ZERO
    for approved in session.scalars(query):
        total += approved or ZERO
    return total


def _assess(
    session: Session,
    fund_id: int,
    member_id: int,
    form: ClaimForm,
    claim_id: int | None,
) -> tuple[Money, list[str], list[str]]:
    """The entitlement under the rules, its working, and the warnings for the panel."""
    rules = rules_in_session(session, fund_id)
    taking_part = member_strike_days(session, fund_id, member_id)
    result = entitlement(
        rules,
        form.days,
        member_days=taking_part,
        fte=form.fte,
        pay_deducted=form.pay_deducted,
        already_awarded=_awarded_elsewhere(session, fund_id, member_id, claim_id),
    )
    warnings = list(result.warnings)
    if not rules:
        warnings.append("The fund has no payment rules yet, so no entitlement could be worked out.")
    absent = sorted(set(form.days) - set(taking_part))
    if not taking_part:
        warnings.append("The member is not recorded as taking part in this dispute.")
    elif absent:
        listed = ", ".join(short_date(d) for d in absent)
        warnings.append(f"The member is not recorded as taking part on {listed}.")
    others = select(Claim.id).where(
        Claim.fund_id == fund_id,
        Claim.member_id == member_id,
        Claim.status != "declined",
    )
    if claim_id is not None:
        others = others.where(Claim.id != claim_id)
    twice = session.execute(
        select(StrikeDay.day, Claim.reference)
        .join(ClaimDay, ClaimDay.strike_day_id == StrikeDay.id)
        .join(Claim, Claim.id == ClaimDay.claim_id)
        .where(ClaimDay.claim_id.in_(others), StrikeDay.day.in_(set(form.days)))
        .order_by(StrikeDay.day)
    ).all()
    for day, reference in twice:
        warnings.append(f"{short_date(day)} is also claimed in {reference}.")
    if form.requested is not None and form.requested > result.amount:
        warnings.append(
            f"The member asks for {form.requested}, more than the {result.amount} the rules allow."
        )
    return result.amount, list(result.working), warnings


def assess_claim(
    db: Database, fund_id: int, form: ClaimForm, claim_id: int | None = None
) -> tuple[Money, list[str], list[str]]:
    """The entitlement, working and warnings a claim would be saved with, for a form to show
    as it is filled in."""
    with db.read() as session:
        return _assess(session, fund_id, _member_id(session, form.member_number), form, claim_id)


def _apply(session: Session, claim: Claim, fund_id: int, member_id: int, form: ClaimForm) -> None:
    amount, working, warnings = _assess(session, fund_id, member_id, form, claim.id)
    values: dict[str, object] = {
        "member_id": member_id,
        "received_on": form.received_on,
        "fte": form.fte,
        "pay_deducted": form.pay_deducted,
        "payslip_seen": form.payslip_seen,
        "evidence": form.evidence.strip(),
        "circumstances": form.circumstances.strip(),
        "requested": form.requested,
        "entitlement": amount,
        "working": "\n".join(working),
        "warnings": "\n".join(warnings),
    }
    for name, value in values.items():
        if getattr(claim, name) != value:
            setattr(claim, name, value)


def _set_days(session: Session, claim_id: int, day_ids: dict[date, int]) -> None:
    have = {
        row.strike_day_id: row
        for row in session.scalars(select(ClaimDay).where(ClaimDay.claim_id == claim_id))
    }
    wanted = set(day_ids.values())
    for strike_day_id, row in have.items():
        if strike_day_id not in wanted:
            session.delete(row)
    for strike_day_id in sorted(wanted - have.keys()):
        session.add(ClaimDay(claim_id=claim_id, strike_day_id=strike_day_id))


def create_claim(db: Database, fund_id: int, form: ClaimForm) -> int:
    errors = validate_claim(form)
    if errors:
        raise ValidationError(errors)
    assert form.received_on is not None
    with db.write() as session:
        # Locked so two PCs entering claims at once never take the same reference.
        fund = lock_fund(session, fund_id)
        if fund.closed:
            raise ValidationError({"fund": "This fund is closed to new claims."})
        member_id = _member_id(session, form.member_number)
        day_ids = _strike_day_ids(session, fund_id, form.days)
        claim = Claim(
            fund_id=fund_id,
            reference=next_claim_reference(session, form.received_on.year),
            status="received",
        )
        _apply(session, claim, fund_id, member_id, form)
        session.add(claim)
        session.flush()
        _set_days(session, claim.id, day_ids)
        return claim.id


def update_claim(db: Database, claim_id: int, form: ClaimForm) -> None:
    """Change a claim the panel has not yet decided."""
    errors = validate_claim(form)
    if errors:
        raise ValidationError(errors)
    if form.version is None:
        raise ValueError("an edit needs the version the claim was read at")
    with db.write() as session:
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise StaleEdit("This claim has been deleted by someone else.")
        if claim.version != form.version:
            raise StaleEdit(
                "This claim was changed by someone else after you opened it. Nothing was "
                "saved: open it again and make your change again."
            )
        if claim.status not in OPEN_STATUSES:
            raise ValidationError({"status": "A decided claim cannot be changed."})
        if session.scalar(select(PanelDecision.id).where(PanelDecision.claim_id == claim_id)):
            raise ValidationError(
                {
                    "status": "The panel has started deciding this claim, so it cannot be "
                    "changed: decline it with the reason and enter a new claim."
                }
            )
        member_id = _member_id(session, form.member_number)
        if member_id != claim.member_id:
            # A claim stays the member's (and so does their pseudonym in reports).
            raise ValidationError(
                {"member": "A claim cannot move to another member: enter a new claim instead."}
            )
        day_ids = _strike_day_ids(session, claim.fund_id, form.days)
        _apply(session, claim, claim.fund_id, member_id, form)
        _set_days(session, claim.id, day_ids)
        claim.updated_at = utcnow()  # a new version even when only the days changed
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit("This claim was changed by someone else at the same moment.") from exc


# Decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    officer: str
    decided_at: datetime
    approve: bool
    amount: Money
    reasons: str


def decide(
    db: Database, claim_id: int, approve: bool, amount: Money | None, reasons: str
) -> list[str]:
    """Record the signed-in officer's decision on a claim. A decline decides the claim; an
    approval decides it once the number of approvals its rules need have been given, at the
    lowest amount any approving officer agreed. Returns warnings (an award beyond the
    entitlement)."""
    officer = db.officer.strip()
    errors: dict[str, str] = {}
    if not reasons.strip():
        errors["reasons"] = "Give the panel's reasons; the member may ask for them."
    if approve and (amount is None or amount <= ZERO):
        errors["amount"] = "Give the amount approved (more than £0.00)."
    if len(reasons) > 10_000:
        errors["reasons"] = "Too long: at most 10,000 characters."
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        # Locked, so two officers deciding at the same moment take turns (PostgreSQL); on
        # SQLite the write transaction already does.
        claim = session.scalar(select(Claim).where(Claim.id == claim_id).with_for_update())
        if claim is None:
            raise StaleEdit("This claim has been deleted by someone else.")
        if claim.status not in OPEN_STATUSES:
            raise ValidationError({"status": "This claim has already been decided."})
        earlier = session.scalars(
            select(PanelDecision).where(PanelDecision.claim_id == claim_id)
        ).all()
        if any(d.officer.lower() == officer.lower() for d in earlier):
            raise ValidationError({"officer": f"{officer} has already decided on this claim."})
        if len(earlier) >= MAX_PANEL:
            raise ValidationError({"officer": "Three officers have already decided on it."})
        # The facts may have changed since the claim was entered (another claim for the same
        # day approved, the member's other awards against the cap): assess it again now.
        days = _claim_days(session, claim.id)
        rules = rules_in_session(session, claim.fund_id)
        warnings = _reassess(session, claim, days)
        room = _cap_room(session, claim, rules, days)
        if approve and amount is not None and room is not None and amount > room:
            raise ValidationError(
                {
                    "amount": f"The rules cap what a member can be awarded; with the member's "
                    f"other awards, at most {room} can be approved on this claim."
                }
            )
        session.add(
            PanelDecision(
                claim_id=claim_id,
                officer=officer[:200],
                approve=approve,
                amount=amount if approve and amount is not None else ZERO,
                reasons=reasons.strip(),
            )
        )
        decisions = [*earlier, PanelDecision(officer=officer, approve=approve, amount=amount)]
        needed = _approvals_needed(rules, days)
        approvals = [d for d in decisions if d.approve]
        if approve and amount is not None and amount > claim.entitlement:
            warnings.append(
                f"{amount} is more than the {claim.entitlement} the rules entitle the member to."
            )
        if approve and amount is not None and amount > claim.requested:
            warnings.append(f"{amount} is more than the {claim.requested} the member asked for.")
        if not approve:
            claim.status = "declined"
            claim.approved = None
            claim.decided_on = date.today()
            claim.decision_reasons = reasons.strip()
        elif len(approvals) >= needed:
            agreed = min(d.amount for d in approvals)
            claim.approved = agreed
            claim.status = "approved" if agreed >= claim.requested else "part_approved"
            claim.decided_on = date.today()
            claim.decision_reasons = "\n".join(
                f"{d.officer}: {d.reasons.strip() if d.reasons else reasons.strip()}"
                for d in approvals
            )
        else:
            claim.status = "under_review"
            warnings.append(f"{len(approvals)} of the {needed} approvals needed have been given.")
        claim.updated_at = utcnow()  # a new version on every decision, so a stale copy fails
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit("Another officer decided on this claim at the same moment.") from exc
    return warnings


def _claim_days(session: Session, claim_id: int) -> list[date]:
    return list(
        session.scalars(
            select(StrikeDay.day)
            .join(ClaimDay, ClaimDay.strike_day_id == StrikeDay.id)
            .where(ClaimDay.claim_id == claim_id)
            .order_by(StrikeDay.day)
        )
    )


def _reassess(session: Session, claim: Claim, days: list[date]) -> list[str]:
    """Work the entitlement and warnings out again from today's facts and store them."""
    form = ClaimForm(
        days=days,
        fte=claim.fte,
        pay_deducted=claim.pay_deducted,
        requested=claim.requested,
    )
    amount, working, warnings = _assess(session, claim.fund_id, claim.member_id, form, claim.id)
    for name, value in (
        ("entitlement", amount),
        ("working", "\n".join(working)),
        ("warnings", "\n".join(warnings)),
    ):
        if getattr(claim, name) != value:
            setattr(claim, name, value)
    return warnings


def _cap_room(
    session: Session, claim: Claim, rules: Sequence[PaymentRules], days: list[date]
) -> Money | None:
    """What the per-member cap leaves for this claim, or None when the rules set no cap."""
    in_force = rules_on(rules, days[-1]) if days and rules else None
    if in_force is None or in_force.cap_per_member is None:
        return None
    elsewhere = _awarded_elsewhere(session, claim.fund_id, claim.member_id, claim.id)
    return max(ZERO, in_force.cap_per_member - elsewhere)


def _approvals_needed(rules: Sequence[PaymentRules], days: Sequence[date]) -> int:
    """The most approvals the rules in force on any of the claimed days ask for."""
    needed = [r.approvals_needed for d in days if (r := rules_on(rules, d))]
    if not needed and rules:
        needed = [rules[-1].approvals_needed]
    return max(needed, default=1)


# Reading a claim ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimDetail:
    id: int
    reference: str
    fund_id: int
    member_id: int
    member_number: str
    member_name: str
    received_on: date
    days: tuple[date, ...]
    fte: Decimal
    pay_deducted: Money | None
    payslip_seen: bool
    evidence: str
    circumstances: str
    requested: Money
    entitlement: Money
    working: tuple[str, ...]
    warnings: tuple[str, ...]
    status: str
    approved: Money | None
    paid: Money
    decision_reasons: str
    decided_on: date | None
    decisions: tuple[Decision, ...]
    approvals_needed: int
    version: int

    @property
    def owed(self) -> Money:
        return max(ZERO, (self.approved or ZERO) - self.paid)

    def form(self) -> ClaimForm:
        return ClaimForm(
            member_number=self.member_number,
            received_on=self.received_on,
            days=list(self.days),
            fte=self.fte,
            pay_deducted=self.pay_deducted,
            payslip_seen=self.payslip_seen,
            evidence=self.evidence,
            circumstances=self.circumstances,
            requested=self.requested,
            version=self.version,
        )


def get_claim(db: Database, claim_id: int) -> ClaimDetail:
    with db.read() as session:
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise StaleEdit("This claim has been deleted by someone else.")
        member = session.get(Member, claim.member_id)
        assert member is not None
        days = _claim_days(session, claim_id)
        decisions = session.scalars(
            select(PanelDecision)
            .where(PanelDecision.claim_id == claim_id)
            .order_by(PanelDecision.decided_at, PanelDecision.id)
        ).all()
        return ClaimDetail(
            id=claim.id,
            reference=claim.reference,
            fund_id=claim.fund_id,
            member_id=member.id,
            member_number=member.membership_number,
            member_name=f"{member.first_name} {member.last_name}".strip(),
            received_on=claim.received_on,
            days=tuple(days),
            fte=claim.fte,
            pay_deducted=claim.pay_deducted,
            payslip_seen=claim.payslip_seen,
            evidence=claim.evidence,
            circumstances=claim.circumstances,
            requested=claim.requested,
            entitlement=claim.entitlement,
            working=tuple(claim.working.splitlines()),
            warnings=tuple(claim.warnings.splitlines()),
            status=claim.status,
            approved=claim.approved,
            paid=paid_on_claim(session, claim_id),
            decision_reasons=claim.decision_reasons,
            decided_on=claim.decided_on,
            decisions=tuple(
                Decision(d.officer, d.decided_at, d.approve, d.amount, d.reasons) for d in decisions
            ),
            approvals_needed=_approvals_needed(rules_in_session(session, claim.fund_id), days),
            version=claim.version,
        )


# Paying ---------------------------------------------------------------------------------------


def owed_claims(session: Session, fund_id: int) -> dict[int, Money]:
    """Approved claims with money still owed, and how much, in one query."""
    # Summed per claim through the claim index: only the few claims still owed are read,
    # not the whole fund's ledger.
    net = (
        select(func.coalesce(func.sum(PENCE), 0))
        .where(LedgerEntry.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Claim.id, Claim.approved, net)
        .where(Claim.fund_id == fund_id, Claim.status.in_(("approved", "part_approved")))
        .order_by(Claim.id)
    )
    owed: dict[int, Money] = {}
    for claim_id, approved, net in rows:
        # Payments are negative entries, so the net sum is minus what was paid.
        left = (approved or ZERO) + Money(int(net or 0))
        if left > ZERO:
            owed[claim_id] = left
    return owed


@dataclass(frozen=True)
class PaymentPlan:
    balance: Money
    owed: dict[int, Money]
    shares: dict[int, Money]

    @property
    def total_owed(self) -> Money:
        return sum(self.owed.values(), ZERO)

    @property
    def total_shares(self) -> Money:
        return sum(self.shares.values(), ZERO)

    @property
    def short(self) -> bool:
        return self.total_owed > self.balance


def payment_plan(db: Database, fund_id: int, pro_rata: bool = False) -> PaymentPlan:
    """What a payment run would pay: every approved claim in full, or, with `pro_rata`, the
    fund's balance shared across them in proportion to what each is owed."""
    with db.read() as session:
        balance = current_balance(session, fund_id)
        owed = owed_claims(session, fund_id)
    shares = share_pro_rata(balance, owed) if pro_rata else dict(owed)
    return PaymentPlan(balance, owed, {k: v for k, v in shares.items() if v > ZERO})


def payments_for_claim(session: Session, claim_id: int) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment).where(Payment.claim_id == claim_id).order_by(Payment.paid_on)
        )
    )
