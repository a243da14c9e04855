"""The codes stored for claim and demand states, categories and evidence, with their words.

Kept apart from the models so the command line can offer them without loading SQLAlchemy.
"""

from __future__ import annotations

CLAIM_STATUSES: dict[str, str] = {
    "drafting": "Drafting",
    "submitted": "Submitted",
    "in_negotiation": "In negotiation",
    "settled": "Settled",
    "in_dispute": "In dispute",
    "withdrawn": "Withdrawn",
}

DEMAND_STATUSES: dict[str, str] = {
    "proposed": "Proposed",
    "agreed": "Agreed",
    "partly_agreed": "Partly agreed",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}

# The TUC's Great Jobs Agenda headings, then the protections branches most often claim.
CATEGORIES: dict[str, str] = {
    "voice": "A voice at work",
    "pay": "Fair and decent pay",
    "hours": "Regular hours",
    "respect": "Fair treatment and respect",
    "health": "A healthy workplace",
    "learning": "Learning and progression",
    "no_compulsory_redundancies": "No compulsory redundancies",
    "no_privatisation": "No privatisation or outsourcing",
    "facility_time": "Facility time",
    "equality": "Equality",
}

PRIORITIES: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low"}

EVIDENCE_KINDS: dict[str, str] = {
    "survey_result": "Survey result",
    "comparator": "Comparator",
    "statistic": "Statistic",
    "member_quote": "Member quote",
    "document": "Document",
}
