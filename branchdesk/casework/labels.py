"""The words shown for each stored value: the database keeps stable codes, people read these."""

from __future__ import annotations

from branchdesk.casework.codes import CaseType, Companion, EntryKind, Outcome, Stage

CASE_TYPES: dict[str, str] = {
    CaseType.GRIEVANCE: "Grievance",
    CaseType.DISCIPLINARY: "Disciplinary",
    CaseType.CAPABILITY: "Capability",
    CaseType.SICKNESS: "Sickness absence",
    CaseType.REDUNDANCY: "Redundancy",
    CaseType.TUPE: "TUPE transfer",
    CaseType.BULLYING: "Bullying or harassment",
    CaseType.DISCRIMINATION: "Discrimination",
    CaseType.TRIBUNAL: "Employment tribunal",
    CaseType.OTHER: "Other",
}

STAGES: dict[str, str] = {
    Stage.OPENED: "Opened",
    Stage.INVESTIGATING: "Investigating",
    Stage.HEARING_ARRANGED: "Hearing arranged",
    Stage.AWAITING_OUTCOME: "Awaiting outcome",
    Stage.APPEAL: "Appeal",
    Stage.REFERRED: "Referred to region",
    Stage.CLOSED: "Closed",
}

OUTCOMES: dict[str, str] = {
    Outcome.WON: "Won",
    Outcome.SETTLED: "Settled",
    Outcome.PARTLY_UPHELD: "Partly upheld",
    Outcome.LOST: "Lost",
    Outcome.WITHDRAWN: "Withdrawn",
}

COMPANIONS: dict[str, str] = {
    Companion.NONE: "None",
    Companion.FELLOW_WORKER: "Fellow worker",
    Companion.CERTIFIED_REP: "Certified union rep",
    Companion.OFFICIAL: "Union official",
}

ENTRY_KINDS: dict[str, str] = {
    EntryKind.NOTE: "Note",
    EntryKind.MEETING: "Meeting",
    EntryKind.HEARING: "Hearing",
    EntryKind.PHONE: "Phone call",
    EntryKind.LETTER_SENT: "Letter sent",
    EntryKind.LETTER_RECEIVED: "Letter received",
    EntryKind.OUTCOME: "Outcome",
}

OPEN_STAGES: tuple[str, ...] = tuple(s for s in STAGES if s != Stage.CLOSED)


def label(table: dict[str, str], code: str) -> str:
    """The label for a code; an unknown code (from a newer version, say) shows as itself."""
    return table.get(code, code)
