"""Donations into a fund: who gave, how, any restriction, and the ledger entry for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from branchdesk.hardship.codes import DONATION_METHODS, DONOR_KINDS
from branchdesk.hardship.ledger import lock_fund, post
from branchdesk.hardship.models import Donation
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database


@dataclass
class DonationForm:
    received_on: date | None = None
    donor_kind: str = "branch"
    donor_name: str = ""
    amount: Money | None = None
    method: str = "bank_transfer"
    bank_reference: str = ""
    restriction: str = ""


def validate_donation(form: DonationForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.received_on is None:
        errors["received_on"] = "Give the date the donation was received."
    if form.donor_kind not in DONOR_KINDS:
        errors["donor_kind"] = "Choose who the donor is."
    elif form.donor_kind != "anonymous" and not form.donor_name.strip():
        errors["donor_name"] = "Give the donor's name, or choose Anonymous."
    if len(form.donor_name.strip()) > 200:
        errors["donor_name"] = "Too long: at most 200 characters."
    if form.amount is None:
        errors["amount"] = "Give the amount."
    elif form.amount <= ZERO:
        errors["amount"] = "A donation is more than £0.00 (a refund is a reversal)."
    if form.method not in DONATION_METHODS:
        errors["method"] = "Choose how the money came in."
    if len(form.bank_reference.strip()) > 200:
        errors["bank_reference"] = "Too long: at most 200 characters."
    if len(form.restriction.strip()) > 300:
        errors["restriction"] = "Too long: at most 300 characters."
    return errors


def donor_label(kind: str, name: str) -> str:
    """How a donor is named in the ledger: an organisation by its name; a person only as
    "Individual", since the ledger can never be changed and a person's name must be erasable
    (it is kept in the donation itself)."""
    if kind == "anonymous":
        return "Anonymous"
    if kind == "individual":
        return "Individual"
    return name.strip()


def record_donation(db: Database, fund_id: int, form: DonationForm) -> int:
    """The donation and its ledger entry, in one transaction."""
    errors = validate_donation(form)
    if errors:
        raise ValidationError(errors)
    assert form.received_on is not None and form.amount is not None
    name = "" if form.donor_kind == "anonymous" else form.donor_name.strip()
    with db.write() as session:
        lock_fund(session, fund_id)
        entry = post(
            session,
            fund_id,
            "donation",
            form.amount,
            form.received_on,
            db.officer,
            reference=form.bank_reference,
            description=(
                f"Donation: {DONOR_KINDS[form.donor_kind]}"
                + (f" (restricted: {form.restriction.strip()})" if form.restriction.strip() else "")
            ),
            donor=donor_label(form.donor_kind, name),
        )
        donation = Donation(
            fund_id=fund_id,
            received_on=form.received_on,
            donor_kind=form.donor_kind,
            donor_name=name,
            amount=form.amount,
            method=form.method,
            bank_reference=form.bank_reference.strip(),
            restriction=form.restriction.strip(),
            entry_id=entry.id,
        )
        session.add(donation)
        session.flush()
        return donation.id
