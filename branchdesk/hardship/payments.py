"""Paying approved claims: one payment, or a payment run over every claim still owed.

A run is one transaction under the fund's lock: either every payment in it is recorded or
none is, and it is refused whole if the fund cannot cover it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from branchdesk.hardship.codes import PAYMENT_METHODS
from branchdesk.hardship.ledger import FundShort, current_balance, lock_fund, paid_on_claim, post
from branchdesk.hardship.models import Claim, Payment
from branchdesk.members.models import Member
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit


@dataclass(frozen=True)
class PaidLine:
    payment_id: int
    claim_reference: str
    member_number: str
    member_name: str
    amount: Money
    method: str
    reference: str
    paid_on: date


def pay(
    db: Database,
    fund_id: int,
    amounts: Mapping[int, Money],
    paid_on: date | None,
    method: str,
    reference: str = "",
) -> list[PaidLine]:
    """Pay the given claims the given amounts (claim id -> amount), all or nothing.

    Each amount must be more than nothing and no more than the claim is still owed; the total
    must be within the fund's balance. `reference` is the payment reference (a BACS batch or
    the first cheque number); each payment gets it with the claim's reference.
    """
    errors: dict[str, str] = {}
    if paid_on is None:
        errors["paid_on"] = "Give the date of payment."
    if method not in PAYMENT_METHODS:
        errors["method"] = "Choose BACS or cheque."
    if not amounts:
        errors["claims"] = "There are no approved claims to pay."
    if len(reference.strip()) > 150:
        errors["reference"] = "Too long: at most 150 characters."
    if errors:
        raise ValidationError(errors)
    assert paid_on is not None
    lines: list[PaidLine] = []
    with db.write() as session:
        lock_fund(session, fund_id)
        total = ZERO
        claims: list[tuple[Claim, Member, Money]] = []
        for claim_id, amount in amounts.items():
            claim = session.get(Claim, claim_id)
            if claim is None or claim.fund_id != fund_id:
                raise StaleEdit("A claim in this payment run has been removed.")
            if claim.status not in ("approved", "part_approved"):
                raise ValidationError(
                    {"claims": f"Claim {claim.reference} is not approved for payment."}
                )
            owed = (claim.approved or ZERO) - paid_on_claim(session, claim_id)
            if amount <= ZERO:
                raise ValidationError({"claims": f"Claim {claim.reference}: nothing to pay."})
            if amount > owed:
                raise ValidationError(
                    {
                        "claims": f"Claim {claim.reference} is owed {max(owed, ZERO)}; paying "
                        f"{amount} would pay more than was approved."
                    }
                )
            member = session.get(Member, claim.member_id)
            assert member is not None
            claims.append((claim, member, amount))
            total += amount
        available = current_balance(session, fund_id)
        if total > available:
            raise FundShort(
                {
                    "claims": f"The fund holds {available}; these payments need {total}. "
                    "Nothing was paid: pay fewer claims, or share the balance pro rata."
                }
            )
        for claim, member, amount in claims:
            ref = f"{reference.strip()} {claim.reference}".strip()
            entry = post(
                session,
                fund_id,
                "payment",
                -amount,
                paid_on,
                db.officer,
                reference=ref,
                description=f"Hardship payment, claim {claim.reference}",
                member_id=claim.member_id,
                claim_id=claim.id,
            )
            payment = Payment(
                fund_id=fund_id,
                claim_id=claim.id,
                paid_on=paid_on,
                amount=amount,
                method=method,
                reference=ref,
                entry_id=entry.id,
            )
            session.add(payment)
            session.flush()
            if paid_on_claim(session, claim.id) >= (claim.approved or ZERO):
                claim.status = "paid"
            lines.append(
                PaidLine(
                    payment.id,
                    claim.reference,
                    member.membership_number,
                    f"{member.first_name} {member.last_name}".strip(),
                    amount,
                    method,
                    ref,
                    paid_on,
                )
            )
    return lines


def claim_ids_by_reference(db: Database, fund_id: int, references: list[str]) -> dict[str, int]:
    with db.read() as session:
        return dict(
            session.execute(
                select(Claim.reference, Claim.id).where(
                    Claim.fund_id == fund_id, Claim.reference.in_(references)
                )
            ).all()
        )
