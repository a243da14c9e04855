"""What is gathered about the member: their cases, hardship claims and contracts, the audit
lines, the other people named and the mentions of them elsewhere, all held in `SarData`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from branchdesk.casework.models import Case, Consent, Deadline, Document, StageChange, TimelineEntry
from branchdesk.hardship.models import Claim, Donation, LedgerEntry, PanelDecision, Payment
from branchdesk.members.models import Member
from branchdesk.outsourcing.models import Contract
from branchdesk.privacy.models import SarRequest
from branchdesk.privacy.sar_register import SarRow


@dataclass(frozen=True)
class Named:
    """Another person named in the member's records, and where (for the review list)."""

    name: str
    who: str
    where: str


@dataclass(frozen=True)
class Mention:
    """A passage in someone else's record that names the member."""

    where: str
    text: str


@dataclass
class CaseRecord:
    case: Case
    employer: str
    part: str  # the member's part in the case
    others: list[tuple[str, str]]  # (name, their part) of the other members of the case
    stages: list[StageChange]
    timeline: list[TimelineEntry]
    consents: list[Consent]
    deadlines: list[Deadline]
    documents: list[Document]


@dataclass
class ClaimRecord:
    claim: Claim
    fund: str
    days: list[date]
    decisions: list[PanelDecision]
    payments: list[Payment]


@dataclass(frozen=True)
class ContractRecord:
    contract: Contract
    authority: str
    contractors: str


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    officer: str
    action: str
    record: str
    fields: str


@dataclass
class SarData:
    branch_name: str
    produced: datetime
    today: date
    member: Member
    employer: str
    workplace: str
    request: SarRow | None
    requests: list[SarRequest]
    cases: list[CaseRecord]
    claims: list[ClaimRecord]
    ledger: list[tuple[LedgerEntry, str]]
    strike_days: list[tuple[str, date, str]]
    donations: list[tuple[Donation, str]]
    contracts: list[ContractRecord]
    surveys: int
    survey_responses: int
    audit: list[AuditLine]
    named: list[Named] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    retention: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.member.full_name

    @property
    def number(self) -> str:
        return self.member.membership_number

    @property
    def payments(self) -> int:
        return sum(len(c.payments) for c in self.claims)

    def confidential_entries(self) -> list[tuple[str, TimelineEntry]]:
        return [
            (record.case.reference, entry)
            for record in self.cases
            for entry in record.timeline
            if entry.confidential
        ]
