"""The codes stored for claims, donations, payments and ledger entries, with their words."""

from __future__ import annotations

CLAIM_STATUSES: dict[str, str] = {
    "received": "Received",
    "under_review": "Under review",
    "approved": "Approved",
    "part_approved": "Part-approved",
    "declined": "Declined",
    "paid": "Paid",
}

# Claims the panel can still decide.
OPEN_STATUSES: tuple[str, ...] = ("received", "under_review")
# Claims with money owed or paid.
APPROVED_STATUSES: tuple[str, ...] = ("approved", "part_approved", "paid")

DONOR_KINDS: dict[str, str] = {
    "branch": "Another branch",
    "union": "Union (regional or national)",
    "organisation": "Other organisation",
    "individual": "Individual",
    "anonymous": "Anonymous",
}

DONATION_METHODS: dict[str, str] = {
    "bank_transfer": "Bank transfer",
    "cheque": "Cheque",
    "cash": "Cash",
    "online": "Online collection",
    "card": "Card",
}

PAYMENT_METHODS: dict[str, str] = {
    "bacs": "BACS",
    "cheque": "Cheque",
}

ENTRY_KINDS: dict[str, str] = {
    "donation": "Donation",
    "payment": "Payment to member",
    "bank_charge": "Bank charge",
    "interest": "Interest",
    "transfer_in": "Transfer in",
    "transfer_out": "Transfer out",
    "reversal": "Reversal",
}

# Entries the treasurer records by hand (donations and payments have their own forms) and the
# sign each carries: +1 money in, -1 money out.
MANUAL_KINDS: dict[str, int] = {
    "bank_charge": -1,
    "interest": 1,
    "transfer_in": 1,
    "transfer_out": -1,
}
