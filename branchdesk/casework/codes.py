"""The codes the database stores for case types, stages, outcomes and timeline entries.

Kept apart from the models so the command line can offer them without loading SQLAlchemy.
"""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    GRIEVANCE = "grievance"
    DISCIPLINARY = "disciplinary"
    CAPABILITY = "capability"
    SICKNESS = "sickness_absence"
    REDUNDANCY = "redundancy"
    TUPE = "tupe_transfer"
    BULLYING = "bullying_harassment"
    DISCRIMINATION = "discrimination"
    TRIBUNAL = "employment_tribunal"
    OTHER = "other"


class Stage(StrEnum):
    OPENED = "opened"
    INVESTIGATING = "investigating"
    HEARING_ARRANGED = "hearing_arranged"
    AWAITING_OUTCOME = "awaiting_outcome"
    APPEAL = "appeal"
    REFERRED = "referred_to_region"
    CLOSED = "closed"


class Outcome(StrEnum):
    WON = "won"
    SETTLED = "settled"
    PARTLY_UPHELD = "partly_upheld"
    LOST = "lost"
    WITHDRAWN = "withdrawn"


class Companion(StrEnum):
    NONE = ""
    FELLOW_WORKER = "fellow_worker"
    CERTIFIED_REP = "certified_rep"
    OFFICIAL = "union_official"


class EntryKind(StrEnum):
    NOTE = "note"
    MEETING = "meeting"
    HEARING = "hearing"
    PHONE = "phone_call"
    LETTER_SENT = "letter_sent"
    LETTER_RECEIVED = "letter_received"
    OUTCOME = "outcome"
