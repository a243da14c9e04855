"""A member's subject access request: everything BranchDesk holds about them, gathered and written.

`export_sar` writes three files into an empty folder:

- a PDF for the member: a cover page saying what a subject access request is, how the branch
  uses their data (purposes, sources, recipients, retention, rights), then their membership
  record, cases, hardship fund claims and payments, outsourcing links, surveys, and the audit
  of who looked at or changed their records;
- a workbook with the same information, one sheet per section, so it can be used elsewhere;
- a workbook "for review before release", never for the member: the other people named in
  those records (other members of a collective case, reps and officers, companions, other
  members named in notes), each with where it appears, so the secretary can redact before
  sending; the passages in other people's records that name the member; and the entries marked
  confidential.

Case documents are listed by name and date; the files themselves are supplied separately.
Survey responses are stored without names or respondent ids, so none can be identified.

Every file is written atomically, every piece of user text is escaped for the PDF and kept as
text in the workbooks, and the export is recorded in the audit log as a disclosure (which
records, never their content). Only the branch secretary may make one (`require_privacy`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from branchdesk.access.roles import WRITE
from branchdesk.casework.deadlines import format_date
from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, ENTRY_KINDS, OUTCOMES, STAGES, label
from branchdesk.casework.models import (
    Case,
    CaseMember,
    Consent,
    Deadline,
    Document,
    StageChange,
    TimelineEntry,
)
from branchdesk.demands.models import Claim as NegotiatingClaim
from branchdesk.demands.models import Demand, Evidence, Meeting, Survey, SurveyResponse
from branchdesk.exports.text import local_time, plural, safe_filename
from branchdesk.hardship.codes import CLAIM_STATUSES, PAYMENT_METHODS
from branchdesk.hardship.codes import ENTRY_KINDS as LEDGER_KINDS
from branchdesk.hardship.models import (
    Claim,
    ClaimDay,
    Donation,
    Fund,
    LedgerEntry,
    PanelDecision,
    Payment,
    StrikeDay,
    StrikeParticipant,
)
from branchdesk.members.models import Employer, Member, Workplace
from branchdesk.members.service import STATUSES
from branchdesk.money import Money
from branchdesk.outsourcing.codes import STATUSES as CONTRACT_STATUSES
from branchdesk.outsourcing.models import Contract, ContractEvent, ContractMember, ContractSupplier
from branchdesk.privacy.models import SarRequest
from branchdesk.privacy.sar_register import SarError, SarRow, get_request, link_export
from branchdesk.privacy.sar_register import require_privacy as _require_privacy
from branchdesk.progress import Progress
from branchdesk.store.audit import AuditEntry, record_event
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError

# Files a file manager drops into any folder: an "empty" folder may hold them.
_SYSTEM_CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
# Audit rows are read for this many record ids at a time (bound-parameter limits).
_CHUNK = 500
EXCERPT = 70  # characters either side of a name, in the review list

ACTION_WORDS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "view": "Opened (health or disciplinary detail)",
    "export": "Exported (disclosed)",
    "denied": "Access refused",
    "erase": "Erased",
    "demo": "Created (demo data)",
}

EXPORT_WORDS = {"sar": "subject access request", "claim": "negotiation pack"}

# What each audited table holds, as a person would say it.
RECORD_WORDS = {
    "members": "membership record",
    "cases": "case",
    "case_members": "members of the case",
    "case_stage_changes": "stage change",
    "case_consents": "consent",
    "case_events": "timeline entry",
    "case_documents": "document",
    "case_deadlines": "deadline",
    "hardship_claims": "hardship claim",
    "hardship_claim_days": "days claimed",
    "hardship_panel_decisions": "panel decision",
    "hardship_payments": "payment",
    "hardship_donations": "donation",
    "strike_participants": "strike day taken part in",
    "contract_members": "link to a contract",
    "sar_requests": "subject access request",
}


# --------------------------------------------------------------------------------------------
# Names in text


_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def name_tokens(text: str) -> tuple[str, ...]:
    """A name or a text as its words, folded: how names are matched in free text."""
    return tuple(_WORD.findall(text.casefold()))


class NameFinder:
    """Finds people's full names (two words or more) in free text, whatever the case or spacing."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names: dict[tuple[str, ...], str] = {}
        for name in names:
            key = name_tokens(name)
            if len(key) >= 2:
                self._names.setdefault(key, " ".join(name.split()))
        self._sizes = sorted({len(key) for key in self._names}, reverse=True)

    def find(self, text: str) -> list[str]:
        if not text or not self._names:
            return []
        words = name_tokens(text)
        found: dict[str, None] = {}
        for size in self._sizes:
            for start in range(len(words) - size + 1):
                name = self._names.get(words[start : start + size])
                if name is not None:
                    found[name] = None
        return list(found)


def excerpt(text: str, name: str) -> str:
    """The words around the first place `name` appears in `text` (for the review list)."""
    flat = " ".join(text.split())
    pattern = r"\W+".join(re.escape(word) for word in name.split())
    match = re.search(pattern, flat, re.IGNORECASE)
    if match is None:
        return flat[: 2 * EXCERPT]
    start, end = max(0, match.start() - EXCERPT), min(len(flat), match.end() + EXCERPT)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


# --------------------------------------------------------------------------------------------
# What is gathered


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


# --------------------------------------------------------------------------------------------
# Gathering


def _member_by_number(session: Session, number: str) -> Member:
    member = session.scalar(select(Member).where(Member.membership_number == number.strip()))
    if member is None:
        raise SarError(f"no member has the membership number {number.strip()!r}")
    return member


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _in_chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _cases(session: Session, member: Member) -> list[CaseRecord]:
    part_of = select(CaseMember.case_id).where(CaseMember.member_id == member.id)
    cases = list(
        session.scalars(
            select(Case)
            .where(or_(Case.member_id == member.id, Case.id.in_(part_of)))
            .order_by(Case.opened_on, Case.id)
        )
    )
    records: list[CaseRecord] = []
    for case in cases:
        employer = session.scalar(select(Employer.name).where(Employer.id == case.employer_id))
        lead = session.get(Member, case.member_id)
        others: list[tuple[str, str]] = []
        if case.member_id != member.id and lead is not None:
            others.append((lead.full_name, "lead member of this collective case"))
        for first, last in session.execute(
            select(Member.first_name, Member.last_name)
            .join(CaseMember, CaseMember.member_id == Member.id)
            .where(CaseMember.case_id == case.id, Member.id != member.id)
            .order_by(Member.last_name, Member.first_name)
        ):
            others.append((_name(first, last), "another member of this collective case"))
        if case.member_id == member.id:
            part = "Your case" + (" (a collective case, with other members)" if others else "")
        else:
            part = "You are one of the members of this collective case"

        def rows(model: Any, *order: Any, case_id: int = case.id) -> list[Any]:
            return list(
                session.scalars(select(model).where(model.case_id == case_id).order_by(*order))
            )

        records.append(
            CaseRecord(
                case=case,
                employer=employer or "",
                part=part,
                others=others,
                stages=rows(StageChange, StageChange.changed_on, StageChange.id),
                timeline=rows(TimelineEntry, TimelineEntry.happened_on, TimelineEntry.id),
                consents=rows(Consent, Consent.recorded_on, Consent.id),
                deadlines=rows(Deadline, Deadline.due_on, Deadline.id),
                documents=rows(Document, Document.added_on, Document.id),
            )
        )
    return records


def _claims(session: Session, member: Member) -> list[ClaimRecord]:
    records = []
    query = (
        select(Claim, Fund.name)
        .join(Fund, Fund.id == Claim.fund_id)
        .where(Claim.member_id == member.id)
        .order_by(Claim.received_on, Claim.id)
    )
    for claim, fund in session.execute(query).all():
        days = list(
            session.scalars(
                select(StrikeDay.day)
                .join(ClaimDay, ClaimDay.strike_day_id == StrikeDay.id)
                .where(ClaimDay.claim_id == claim.id)
                .order_by(StrikeDay.day)
            )
        )
        decisions = list(
            session.scalars(
                select(PanelDecision)
                .where(PanelDecision.claim_id == claim.id)
                .order_by(PanelDecision.decided_at, PanelDecision.id)
            )
        )
        payments = list(
            session.scalars(
                select(Payment)
                .where(Payment.claim_id == claim.id)
                .order_by(Payment.paid_on, Payment.id)
            )
        )
        records.append(ClaimRecord(claim, fund, days, decisions, payments))
    return records


def _ledger(
    session: Session, member: Member, claim_ids: list[int]
) -> list[tuple[LedgerEntry, str]]:
    about = LedgerEntry.member_id == member.id
    if claim_ids:
        about = or_(about, LedgerEntry.claim_id.in_(claim_ids))
    query = (
        select(LedgerEntry, Fund.name)
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .where(about)
        .order_by(LedgerEntry.posted_on, LedgerEntry.id)
    )
    return [(entry, fund) for entry, fund in session.execute(query)]


def _strike_days(session: Session, member: Member) -> list[tuple[str, date, str]]:
    query = (
        select(Fund.name, StrikeDay.day, StrikeDay.description)
        .join(StrikeDay, StrikeDay.fund_id == Fund.id)
        .join(StrikeParticipant, StrikeParticipant.strike_day_id == StrikeDay.id)
        .where(StrikeParticipant.member_id == member.id)
        .order_by(StrikeDay.day, Fund.name)
    )
    return [(fund, day, text) for fund, day, text in session.execute(query)]


def _like(column: Any, name: str) -> ColumnElement[bool]:
    # A rough filter in SQL (lower() folds ASCII on SQLite); the words are checked in Python.
    return func.lower(column).contains(" ".join(name.split()).lower(), autoescape=True)


def _donations(session: Session, member: Member) -> list[tuple[Donation, str]]:
    """Donations given in the member's own name (individual donors are kept by name)."""
    key = name_tokens(member.full_name)
    if len(key) < 2:
        return []
    query = (
        select(Donation, Fund.name)
        .join(Fund, Fund.id == Donation.fund_id)
        .where(_like(Donation.donor_name, member.full_name))
        .order_by(Donation.received_on, Donation.id)
    )
    return [(d, fund) for d, fund in session.execute(query) if name_tokens(d.donor_name) == key]


def _contracts(session: Session, member: Member) -> list[ContractRecord]:
    query = (
        select(Contract, Employer.name)
        .join(ContractMember, ContractMember.contract_id == Contract.id)
        .outerjoin(Employer, Employer.id == Contract.authority_id)
        .where(ContractMember.member_id == member.id)
        .order_by(Contract.service, Contract.id)
    )
    records = []
    for contract, authority in session.execute(query).all():
        suppliers = session.scalars(
            select(ContractSupplier.name)
            .where(ContractSupplier.contract_id == contract.id)
            .order_by(ContractSupplier.position)
        )
        records.append(ContractRecord(contract, authority or "", "; ".join(suppliers)))
    return records


def _audited_rows(session: Session, member: Member, data: SarData) -> dict[tuple[str, int], str]:
    """Every audited row about the member, as (table, id), with what to call it."""
    rows: dict[tuple[str, int], str] = {("members", member.id): "Your membership record"}

    def add(table: str, ids: Iterable[int], owner: str = "") -> None:
        word = RECORD_WORDS.get(table, table.replace("_", " "))
        text = f"{owner}: {word}" if owner else word[:1].upper() + word[1:]
        for row_id in ids:
            rows[(table, row_id)] = text

    for record in data.cases:
        ref = f"Case {record.case.reference}"
        rows[("cases", record.case.id)] = ref
        add("case_stage_changes", (r.id for r in record.stages), ref)
        add("case_events", (r.id for r in record.timeline), ref)
        add("case_consents", (r.id for r in record.consents), ref)
        add("case_deadlines", (r.id for r in record.deadlines), ref)
        add("case_documents", (r.id for r in record.documents), ref)
        add(
            "case_members",
            session.scalars(select(CaseMember.id).where(CaseMember.case_id == record.case.id)),
            ref,
        )
    for claim in data.claims:
        ref = f"Hardship claim {claim.claim.reference}"
        rows[("hardship_claims", claim.claim.id)] = ref
        add("hardship_panel_decisions", (d.id for d in claim.decisions), ref)
        add("hardship_payments", (p.id for p in claim.payments), ref)
        add(
            "hardship_claim_days",
            session.scalars(select(ClaimDay.id).where(ClaimDay.claim_id == claim.claim.id)),
            ref,
        )
    for row_id, day in session.execute(
        select(StrikeParticipant.id, StrikeDay.day)
        .join(StrikeDay, StrikeDay.id == StrikeParticipant.strike_day_id)
        .where(StrikeParticipant.member_id == member.id)
    ):
        rows[("strike_participants", row_id)] = f"Strike day {_dmy(day)}: taking part"
    add("hardship_donations", (d.id for d, _ in data.donations))
    for row_id, service in session.execute(
        select(ContractMember.id, Contract.service)
        .join(Contract, Contract.id == ContractMember.contract_id)
        .where(ContractMember.member_id == member.id)
    ):
        rows[("contract_members", row_id)] = f"Contract “{service}”: link to you"
    add("sar_requests", (r.id for r in data.requests))
    return rows


def _field_words(fields_json: str) -> str:
    # "strike_day_id" -> "strike day": the names a person would use.
    names = (f.removesuffix("_id").replace("_", " ") for f in json.loads(fields_json))
    return ", ".join(names)


def _action_words(row: AuditEntry) -> str:
    words = ACTION_WORDS.get(row.action, row.action.replace("_", " ").capitalize())
    if row.action == "export":
        export = row.change_map().get("export", [None, None])[1]
        if export:
            what = EXPORT_WORDS.get(str(export), str(export).replace("-", " "))
            words = f"Exported (disclosed): {what}"
    return words


def _audit(session: Session, member: Member, data: SarData) -> list[AuditLine]:
    labels = _audited_rows(session, member, data)
    by_table: dict[str, list[int]] = defaultdict(list)
    for table, row_id in labels:
        by_table[table].append(row_id)
    lines: list[tuple[int, AuditLine]] = []
    for table, row_ids in by_table.items():
        for chunk in _in_chunks(row_ids):
            query = select(AuditEntry).where(
                AuditEntry.table_name == table, AuditEntry.row_id.in_(chunk)
            )
            for row in session.scalars(query):
                line = AuditLine(
                    at=row.at,
                    officer=row.officer,
                    action=_action_words(row),
                    record=labels[(table, row.row_id or 0)],
                    fields=_field_words(row.fields),
                )
                lines.append((row.id, line))
    lines.sort(key=lambda pair: (pair[1].at, pair[0]))
    return [line for _, line in lines]


def _survey_counts(session: Session) -> tuple[int, int]:
    surveys = session.scalar(select(func.count()).select_from(Survey)) or 0
    responses = session.scalar(select(func.count()).select_from(SurveyResponse)) or 0
    return int(surveys), int(responses)


def gather(
    db: Database,
    membership_number: str,
    branch_name: str,
    today: date | None = None,
    request_id: int | None = None,
) -> SarData:
    """Read everything held about the member, in one read transaction (one consistent view)."""
    _require_privacy(db, WRITE)
    today = today or date.today()
    request = get_request(db, request_id) if request_id is not None else None
    with db.read() as session:
        member = _member_by_number(session, membership_number)
        if request is not None and request.member_id != member.id:
            raise SarError(
                f"request {request.id} was made by another member, not by member "
                f"{member.membership_number}"
            )
        employer = session.scalar(select(Employer.name).where(Employer.id == member.employer_id))
        workplace = session.scalar(
            select(Workplace.name).where(Workplace.id == member.workplace_id)
        )
        cases = _cases(session, member)
        claims = _claims(session, member)
        surveys, responses = _survey_counts(session)
        data = SarData(
            branch_name=branch_name,
            produced=datetime.now().astimezone(),
            today=today,
            member=member,
            employer=employer or "",
            workplace=workplace or "",
            request=request,
            requests=list(
                session.scalars(
                    select(SarRequest)
                    .where(SarRequest.member_id == member.id)
                    .order_by(SarRequest.received_on, SarRequest.id)
                )
            ),
            cases=cases,
            claims=claims,
            ledger=_ledger(session, member, [c.claim.id for c in claims]),
            strike_days=_strike_days(session, member),
            donations=_donations(session, member),
            contracts=_contracts(session, member),
            surveys=surveys,
            survey_responses=responses,
            audit=[],
        )
        data.audit = _audit(session, member, data)
        finder = NameFinder(_other_members(session, member))
        data.named = _named_people(data, finder)
        data.mentions = _mentions(session, data)
    data.retention = retention_periods(db)
    return data


# --------------------------------------------------------------------------------------------
# Other people, for the review list


def _other_members(session: Session, member: Member) -> list[str]:
    subject = name_tokens(member.full_name)
    names = []
    for first, last in session.execute(
        select(Member.first_name, Member.last_name).where(Member.id != member.id)
    ):
        name = _name(first, last)
        if name_tokens(name) != subject:  # a namesake cannot be told apart from the member
            names.append(name)
    return names


def _texts(data: SarData) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of free text in the member's records."""
    member = data.member
    yield "Membership record: notes", member.notes
    for record in data.cases:
        case = record.case
        ref = f"Case {case.reference}"
        yield f"{ref}: title", case.title
        yield f"{ref}: sub-type", case.sub_type
        yield f"{ref}: eligibility note", case.eligibility_note
        yield f"{ref}: remedy", case.remedy
        for stage in record.stages:
            yield f"{ref}: stage change on {_dmy(stage.changed_on)}, note", stage.note
        for entry in record.timeline:
            where = f"{ref}: timeline entry {_dmy(entry.happened_on)}"
            if entry.title:
                where += f" “{entry.title}”"
            yield where, f"{entry.title}\n{entry.body}"
        for consent in record.consents:
            yield (
                f"{ref}: consent recorded {_dmy(consent.recorded_on)}",
                f"{consent.step}\n{consent.note}",
            )
        for deadline in record.deadlines:
            yield (
                f"{ref}: deadline due {_dmy(deadline.due_on)}",
                f"{deadline.title}\n{deadline.working}",
            )
        for document in record.documents:
            yield f"{ref}: document name", document.name
    for claim in data.claims:
        ref = f"Hardship claim {claim.claim.reference}"
        c = claim.claim
        for what, text in (
            ("evidence", c.evidence),
            ("circumstances", c.circumstances),
            ("working", c.working),
            ("warnings", c.warnings),
            ("reasons for the decision", c.decision_reasons),
        ):
            yield f"{ref}: {what}", text
        for decision in claim.decisions:
            yield f"{ref}: panel decision by {decision.officer}, reasons", decision.reasons
        for payment in claim.payments:
            yield f"{ref}: payment on {_dmy(payment.paid_on)}, reference", payment.reference
    for entry, fund in data.ledger:
        yield f"{fund} ledger entry {entry.id}", f"{entry.reference}\n{entry.description}"
    for donation, fund in data.donations:
        yield (
            f"{fund} donation on {_dmy(donation.received_on)}",
            f"{donation.bank_reference}\n{donation.restriction}",
        )


def _named_people(data: SarData, finder: NameFinder) -> list[Named]:
    """Each other person once per part they play, with every place they appear."""
    subject = name_tokens(data.name)
    found: dict[tuple[str, str], dict[str, None]] = {}

    def note(name: str, who: str, where: str) -> None:
        name = " ".join(name.split())
        if name and name_tokens(name) != subject:
            found.setdefault((name, who), {})[where] = None

    for record in data.cases:
        case = record.case
        ref = f"Case {case.reference}"
        for name, part in record.others:
            note(name, f"Member: {part}", ref)
        note(case.rep, "Rep", f"{ref}: rep")
        note(case.second_rep, "Rep", f"{ref}: second rep")
        if case.companion_name:
            kind = label(COMPANIONS, case.companion) if case.companion else "Companion"
            note(case.companion_name, f"Companion ({kind.lower()})", f"{ref}: companion")
        for stage in record.stages:
            note(stage.officer, "Officer", f"{ref}: stage history")
        for entry in record.timeline:
            note(entry.author, "Officer", f"{ref}: timeline (author)")
    for claim in data.claims:
        for decision in claim.decisions:
            note(decision.officer, "Officer", f"Hardship claim {claim.claim.reference}: panel")
    for entry, fund in data.ledger:
        note(entry.created_by, "Officer", f"{fund} ledger (recorded by)")
    for line in data.audit:
        note(line.officer, "Officer", "Who has looked at or changed the records (audit)")
    for where, text in _texts(data):
        for name in finder.find(text):
            note(name, "Member named in the text", where)
    named = [Named(name, who, "; ".join(wheres)) for (name, who), wheres in found.items()]
    return sorted(named, key=lambda n: (n.name.casefold(), n.who))


# (model, its columns to search, how to say where a row is): records about other people.
def _elsewhere_sources() -> list[tuple[Any, tuple[str, ...], Callable[[Session, Any], str]]]:
    def case_ref(session: Session, row: Any) -> str:
        reference = session.scalar(select(Case.reference).where(Case.id == row.case_id))
        return f"Case {reference} (another member's case)"

    def on(date_field: str, what: str) -> Callable[[Session, Any], str]:
        def where(session: Session, row: Any) -> str:
            return f"{case_ref(session, row)}: {what} {_dmy(getattr(row, date_field))}"

        return where

    def claim_ref(session: Session, row: Any) -> str:
        claim_id = getattr(row, "claim_id", None) or row.id
        reference = session.scalar(select(Claim.reference).where(Claim.id == claim_id))
        return f"Hardship claim {reference} (another member's claim)"

    def negotiating(session: Session, row: Any) -> str:
        claim_id = getattr(row, "claim_id", None) or row.id
        reference = session.scalar(
            select(NegotiatingClaim.reference).where(NegotiatingClaim.id == claim_id)
        )
        return f"Negotiating claim {reference}"

    def demand_row(session: Session, row: Any) -> str:
        return f"{negotiating(session, row)}: demand “{row.title}”"

    def demand(session: Session, row: Any) -> str:
        claim_id = session.scalar(select(Demand.claim_id).where(Demand.id == row.demand_id))
        reference = session.scalar(
            select(NegotiatingClaim.reference).where(NegotiatingClaim.id == claim_id)
        )
        return f"Negotiating claim {reference}: evidence for a demand"

    def contract(session: Session, row: Any) -> str:
        contract_id = getattr(row, "contract_id", None) or row.id
        service = session.scalar(select(Contract.service).where(Contract.id == contract_id))
        return f"Outsourcing watch: contract “{service or contract_id}”"

    return [
        (
            Case,
            ("title", "companion_name", "remedy", "eligibility_note"),
            lambda s, r: f"Case {r.reference} (another member's case)",
        ),
        (TimelineEntry, ("title", "body"), on("happened_on", "timeline entry")),
        (StageChange, ("note",), on("changed_on", "stage change")),
        (Consent, ("step", "note"), on("recorded_on", "consent")),
        (Deadline, ("title", "working"), on("due_on", "deadline")),
        (Member, ("notes",), lambda s, r: "Another member's record: notes"),
        (Claim, ("evidence", "circumstances", "decision_reasons"), claim_ref),
        (PanelDecision, ("reasons",), claim_ref),
        (NegotiatingClaim, ("notes", "lead_reps"), negotiating),
        (
            Meeting,
            ("union_side", "employer_side", "notes", "actions"),
            lambda s, r: f"{negotiating(s, r)}: meeting on {_dmy(r.held_on)}",
        ),
        (Demand, ("case_for", "employer_response"), demand_row),
        (Evidence, ("title", "detail", "source"), demand),
        (Contract, ("notes", "pay_notes"), contract),
        (ContractEvent, ("title", "detail"), contract),
    ]


def _mentions(session: Session, data: SarData) -> list[Mention]:
    """Passages in records about other people, or about the branch, that name the member."""
    name = data.name
    subject = name_tokens(name)
    if len(subject) < 2:
        return []
    own_cases = {r.case.id for r in data.cases}
    own_claims = {c.claim.id for c in data.claims}
    finder = NameFinder([name])
    found: list[Mention] = []
    for model, columns, where in _elsewhere_sources():
        condition = or_(*(_like(getattr(model, c), name) for c in columns))
        for row in session.scalars(select(model).where(condition).order_by(model.id)):
            if model is Member and row.id == data.member.id:
                continue
            if model is Case and row.id in own_cases:
                continue
            if getattr(row, "case_id", None) in own_cases:
                continue
            if model in (Claim, PanelDecision) and (
                (row.id if model is Claim else row.claim_id) in own_claims
            ):
                continue
            for column in columns:
                text = getattr(row, column) or ""
                if finder.find(text):
                    found.append(Mention(where(session, row), excerpt(text, name)))
    return found


# --------------------------------------------------------------------------------------------
# What the cover says: purposes, sources, recipients, retention, rights


PURPOSES = (
    "To keep your membership record: who you are, where you work, and whether your "
    "subscriptions are up to date, so the branch can contact and organise its members.",
    "To represent you, if you asked for help: in grievances, disciplinary, capability, sickness "
    "absence, redundancy and other cases with your employer, and at an employment tribunal.",
    "To negotiate with employers for members as a whole (claims, surveys and meetings).",
    "To watch services that are outsourced or at risk of it, and the members whose jobs they "
    "affect, including transfers under TUPE.",
    "To run the strike hardship fund: to assess claims, pay them, and account for the money.",
    "To keep the records secure and show who looked at or changed them (the audit log).",
)

CATEGORIES = (
    "Your name, membership number, employer, workplace, department, job title and contact "
    "details; the date you joined and your membership status.",
    "Trade union membership, which the law treats as special category data.",
    "In cases: what happened at work, meetings, letters and outcomes. Sickness absence and "
    "capability cases can hold health information, and disciplinary cases allegations; both "
    "are given extra protection.",
    "In hardship claims: the strike days you claimed, pay deducted, your circumstances, the "
    "panel's decisions and the payments made to you.",
)

SOURCES = (
    "You: when you joined, and when you asked the branch for help or made a claim.",
    "The union's membership records, which the branch imports.",
    "The branch officers and reps who worked with you, who record notes, meetings and letters.",
    "Your employer: letters, meeting notes and outcomes in your cases.",
    "The bank, for payments from the hardship fund; published contract data, for the "
    "outsourcing watch.",
)

RECIPIENTS = (
    "Branch officers, each only as their role allows: the branch secretary; the caseworkers "
    "and reps on your cases; the treasurer and the hardship panel for the fund.",
    "The union's regional officers and legal service, if your case is referred to them.",
    "Your employer, ACAS or an employment tribunal: only what a case needs, and with your "
    "agreement where a step needs it (the consents in your cases say which).",
    "The fund's auditors, who check the hardship fund's accounts.",
)

RIGHTS = (
    "to have anything wrong corrected (rectification);",
    "to have your data erased, or its use restricted, in some circumstances;",
    "to object to how your data is used;",
    "to receive your data in a form a computer can read (the spreadsheet with this "
    "document) and to have it passed to someone else;",
    "to complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113) if you "
    "are unhappy with how the branch has handled your data or this request.",
)

# The branch's periods when no schedule can be read: those `privacy.retention` starts with.
DEFAULT_YEARS = {"member": 2, "case": 6, "claim": 6}
DEFAULT_YEAR_END = (12, 31)


def _years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def retention_periods(db: Database) -> list[tuple[str, str]]:
    """How long each kind of record is kept: the branch's retention schedule, in words.

    The schedule the secretary keeps (`privacy.retention`), or its defaults when none can be
    read.
    """
    years = dict(DEFAULT_YEARS)
    month, day = DEFAULT_YEAR_END
    try:
        from branchdesk.privacy.retention import load_schedule

        schedule, _version = load_schedule(db)
        years = {
            "member": int(schedule.member_years),
            "case": int(schedule.closed_case_years),
            "claim": int(schedule.hardship_claim_years),
        }
        month, day = schedule.financial_year_end_month, schedule.financial_year_end_day
    except (ImportError, AttributeError, StoreError):
        pass  # the defaults, stated plainly
    year_end = format_date(date(2001, month, day)).rsplit(" ", 1)[0]
    return [
        (
            "Your membership record",
            f"While you are a member. {_years(years['member'])} after you lapse or leave, your "
            "record is anonymised, but not while a case or hardship claim of yours is still "
            "kept.",
        ),
        (
            "Your cases",
            "While a case is open. A closed case is deleted, with its timeline and documents, "
            f"{_years(years['case'])} after it was closed (the time limit for most legal "
            "claims).",
        ),
        (
            "Hardship fund claims and payments",
            "The amounts and the fund's ledger are kept for good, as the fund's accounts. Your "
            "circumstances, evidence notes and the panel's reasons are removed "
            f"{_years(years['claim'])} after the end of the financial year (which ends on "
            f"{year_end}) in which the claim was settled.",
        ),
        (
            "Audit log",
            "Kept as the branch's record of who did what. It names records and fields, never "
            "their content.",
        ),
        (
            "Your subject access requests",
            "The register (dates and status) is kept as the branch's record of answering them.",
        ),
    ]


# --------------------------------------------------------------------------------------------
# Values shown


def _dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _show(value: Any) -> str:
    """A value as the PDF prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, datetime):
        return f"{local_time(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return _dmy(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def member_facts(data: SarData) -> list[tuple[str, Any]]:
    m = data.member
    return [
        ("Membership number", m.membership_number),
        ("First name", m.first_name),
        ("Last name", m.last_name),
        ("Employer", data.employer),
        ("Workplace", data.workplace),
        ("Department", m.department),
        ("Job title", m.job_title),
        ("Work email", m.work_email),
        ("Work phone", m.work_phone),
        ("Personal email", m.personal_email),
        ("Personal phone", m.personal_phone),
        ("Home address", m.home_address),
        ("Date joined", m.date_joined),
        ("Membership status", dict(STATUSES).get(m.status, m.status)),
        ("Subscriptions up to date", m.subs_up_to_date),
        ("Notes", m.notes),
        ("Record created", m.created_at),
        ("Record last changed", m.updated_at),
    ]


def case_facts(record: CaseRecord) -> list[tuple[str, Any]]:
    case = record.case
    companion = label(COMPANIONS, case.companion) if case.companion else "None"
    return [
        ("Reference", case.reference),
        ("Your part", record.part),
        ("Type", label(CASE_TYPES, case.case_type)),
        ("Sub-type", case.sub_type),
        ("Title", case.title),
        ("Employer", record.employer),
        ("Rep", case.rep),
        ("Second rep", case.second_rep),
        ("Stage", label(STAGES, case.status)),
        ("Stage since", case.status_changed_on),
        ("Opened", case.opened_on),
        ("Problem arose", case.problem_arose_on),
        ("Closed", case.closed_on),
        ("Outcome", label(OUTCOMES, case.outcome) if case.outcome else ""),
        ("Remedy", case.remedy),
        ("Companion", companion),
        ("Companion's name", case.companion_name),
        ("Eligibility note", case.eligibility_note),
    ]


def claim_facts(record: ClaimRecord) -> list[tuple[str, Any]]:
    c = record.claim
    return [
        ("Reference", c.reference),
        ("Fund", record.fund),
        ("Received", c.received_on),
        ("Strike days claimed", ", ".join(_dmy(d) for d in record.days)),
        ("Fraction of full time", c.fte),
        ("Pay deducted", c.pay_deducted),
        ("Payslip seen", c.payslip_seen),
        ("Evidence", c.evidence),
        ("Circumstances", c.circumstances),
        ("Amount requested", c.requested),
        ("Entitlement under the fund's rules", c.entitlement),
        ("How the entitlement was worked out", c.working),
        ("Warnings", c.warnings),
        ("Status", CLAIM_STATUSES.get(c.status, c.status)),
        ("Amount approved", c.approved),
        ("Decided on", c.decided_on),
        ("Reasons for the decision", c.decision_reasons),
    ]


def surveys_text(data: SarData) -> str:
    if data.surveys == 0:
        return "The branch holds no member surveys."
    return (
        f"The branch holds {plural(data.surveys, 'member survey')} with "
        f"{plural(data.survey_responses, 'response')} in all. Responses are kept without names, "
        "membership numbers or respondent ids, so none of them can be identified as yours, and "
        "none is included here."
    )


DOCUMENTS_NOTE = (
    "Documents kept on your case files (letters, emails, forms) are listed here by name and "
    "date. Copies of the files themselves are supplied separately."
)
AUDIT_NOTE = (
    "Every time an officer creates, changes, deletes, opens (for health or disciplinary "
    "detail) or exports one of your records, BranchDesk writes it to an audit log: when, who, "
    "what they did and which fields. The log never keeps the content itself. Exports of whole "
    "lists (such as the member list) are recorded without naming each member, so they do not "
    "appear here."
)
MENTIONS_NOTE = (
    "Records about other people that mention you by name are not reproduced here, because "
    "they also hold those people's personal data. The branch secretary reviews them and will "
    "send you what can be disclosed, with other people's details removed."
)


# --------------------------------------------------------------------------------------------
# The member's PDF


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    from branchdesk.exports.pdf import BOLD, INK, MUTED
    from branchdesk.exports.report_parts import report_styles

    styles = report_styles()
    body = styles["body"]
    styles.update(
        {
            "cover_title": ParagraphStyle(
                "cover_title", parent=body, fontName=BOLD, fontSize=22, leading=27, spaceAfter=6
            ),
            "cover_sub": ParagraphStyle(
                "cover_sub",
                parent=body,
                fontSize=12,
                leading=16,
                textColor=HexColor(MUTED),
                spaceAfter=14,
            ),
            "h1": ParagraphStyle(
                "h1",
                parent=body,
                fontName=BOLD,
                fontSize=15,
                leading=19,
                spaceBefore=4,
                spaceAfter=6,
                textColor=HexColor(INK),
                keepWithNext=True,
            ),
            "text": ParagraphStyle("text", parent=body, fontSize=10, leading=13.5, spaceAfter=5),
            "bullet": ParagraphStyle(
                "bullet",
                parent=body,
                fontSize=10,
                leading=13.5,
                leftIndent=14,
                bulletIndent=3,
                spaceAfter=3,
            ),
            "h3": ParagraphStyle(
                "h3",
                parent=body,
                fontName=BOLD,
                fontSize=10,
                leading=13,
                spaceBefore=8,
                spaceAfter=3,
                keepWithNext=True,
            ),
        }
    )
    return styles


class _Story:
    """The PDF's flowables, built section by section; every user string is escaped."""

    def __init__(self) -> None:
        from branchdesk.exports.report_parts import frame_width

        self.styles = _styles()
        self.width = frame_width()
        self.items: list[Any] = []

    def para(self, text: str, style: str = "text") -> None:
        from branchdesk.exports.report_parts import text_paragraph

        self.items.append(text_paragraph(text, self.styles[style]))

    def markup(self, markup: str, style: str = "text") -> None:
        """A paragraph of markup built here from escaped pieces (see `pdf_text`)."""
        from reportlab.platypus import Paragraph

        self.items.append(Paragraph(markup, self.styles[style]))

    def bullets(self, lines: Iterable[str], numbered: bool = False) -> None:
        from reportlab.platypus import Paragraph

        from branchdesk.exports.text import pdf_text

        for number, line in enumerate(lines, start=1):
            mark = f"{number}." if numbered else "•"
            self.items.append(Paragraph(pdf_text(line), self.styles["bullet"], bulletText=mark))

    def facts(self, pairs: Sequence[tuple[str, Any]], blank: str | None = None) -> None:
        """Label and value, one pair a line (easier to read than two columns of pairs).

        Pairs with no value are left out, or show `blank` when it is given.
        """
        from reportlab.lib.colors import HexColor
        from reportlab.platypus import Table

        from branchdesk.exports.pdf import GRID
        from branchdesk.exports.report_parts import text_paragraph

        rows = []
        for key, value in pairs:
            text = _show(value)
            if not text.strip():
                if blank is None:
                    continue
                text = blank
            rows.append(
                [
                    text_paragraph(key, self.styles["cell_bold"]),
                    text_paragraph(text, self.styles["cell"]),
                ]
            )
        table = Table(
            rows, colWidths=[0.28 * self.width, 0.72 * self.width], splitInRow=1, hAlign="LEFT"
        )
        table.setStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
            ]
        )
        self.items.append(table)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        right: Sequence[int] = (),
        split_rows: bool = True,
    ) -> None:
        from branchdesk.exports.report_parts import grid_table

        cells = [[_show(v) for v in row] for row in rows]
        table = grid_table(header, cells, [w * self.width for w in widths], self.styles, right)
        if not split_rows:
            table.splitInRow = 0  # short rows: move a row whole rather than split it
        self.items.append(table)

    def space(self, height: float = 6) -> None:
        from reportlab.platypus import Spacer

        self.items.append(Spacer(1, height))

    def new_page(self) -> None:
        from reportlab.platypus import PageBreak

        self.items.append(PageBreak())

    def keep_room(self, height: float = 60) -> None:
        from reportlab.platypus import CondPageBreak

        self.items.append(CondPageBreak(height))


def _cover(story: _Story, data: SarData) -> None:
    story.para("Your personal data", "cover_title")
    story.para(f"A copy of what {data.branch_name} holds about you", "cover_sub")
    received = data.request.received_on if data.request else None
    story.facts(
        [
            ("Member", data.name),
            ("Membership number", data.number),
            ("Request received", received or "Not recorded"),
            ("Produced", data.produced),
            ("Branch", data.branch_name),
        ]
    )
    story.space(10)
    story.para("What a subject access request is", "h2")
    story.para(
        "You asked the branch for a copy of the personal data it holds about you. UK data "
        "protection law (UK GDPR, Article 15) gives everyone this right, and a request for it "
        "is called a subject access request. The branch must answer within one calendar month "
        "(up to two months more for a complex request, if it tells you why)."
    )
    story.para(
        "This document is that answer: everything the branch's records system (BranchDesk) "
        "holds about you, and an explanation of how the branch uses it."
    )
    story.para("What this copy contains", "h2")
    ledger = plural(len(data.ledger), "ledger entry", "ledger entries")
    contracts = plural(len(data.contracts), "contract")
    audit = plural(len(data.audit), "entry", "entries")
    story.bullets(
        [
            "Your membership record.",
            f"Your cases: {plural(len(data.cases), 'case')}, with their stages, timeline, "
            "consents, deadlines and a list of documents.",
            f"The strike hardship fund: {plural(len(data.claims), 'claim')}, "
            f"{plural(data.payments, 'payment')} and {ledger}.",
            f"The outsourcing watch: {contracts} affecting your job.",
            "Member surveys.",
            f"Who has looked at or changed your records: {audit}.",
        ],
        numbered=True,
    )
    story.space(4)
    story.para(DOCUMENTS_NOTE)
    story.para(
        "A spreadsheet comes with this document. It holds the same information, one sheet per "
        "section, so that you can use it in other programs."
    )
    if data.mentions:
        story.para(MENTIONS_NOTE)
    story.new_page()


def _how_we_use(story: _Story, data: SarData) -> None:
    story.para("How the branch uses your data", "h1")
    for heading, lines in (
        ("Why the branch holds it", PURPOSES),
        ("What kinds of data", CATEGORIES),
        ("Where it comes from", SOURCES),
        ("Who sees it", RECIPIENTS),
    ):
        story.para(heading, "h2")
        story.bullets(lines)
    story.para("How long it is kept", "h2")
    story.table(["Record", "Kept for"], data.retention, (0.3, 0.7))
    story.para("Decisions made by computer", "h2")
    story.para(
        "No decision about you is made by a computer alone. For the hardship fund BranchDesk "
        "works out what the fund's rules entitle a claim to, but officers on the fund's panel "
        "decide every claim."
    )
    story.para("Your rights", "h2")
    story.para("As well as this copy, you have the right:")
    story.bullets(RIGHTS)
    story.para(f"To use any of these rights, contact the branch secretary of {data.branch_name}.")
    story.new_page()


def _member_section(story: _Story, data: SarData) -> None:
    story.para("1. Your membership record", "h1")
    story.facts(member_facts(data), blank="Not recorded")
    if data.requests:
        story.para("Your subject access requests", "h2")
        story.table(
            ["Received", "Status", "Sent"],
            [
                [r.received_on, r.status.replace("_", " ").capitalize(), r.sent_on]
                for r in data.requests
            ],
            (0.3, 0.4, 0.3),
        )


def _case_section(story: _Story, data: SarData) -> None:
    from branchdesk.exports.text import pdf_text

    story.keep_room(200)
    story.para("2. Your cases", "h1")
    if not data.cases:
        story.para("The branch holds no cases for you.")
        return
    for index, record in enumerate(data.cases):
        case = record.case
        if index:
            story.keep_room(160)
        story.para(f"Case {case.reference} — {label(CASE_TYPES, case.case_type)}", "h2")
        story.facts(case_facts(record))
        if record.others:
            story.para("Other members of this case", "h3")
            story.table(["Name", "Their part"], record.others, (0.4, 0.6))
        story.para("Stage history", "h3")
        if record.stages:
            story.table(
                ["Date", "From", "To", "By", "Note"],
                [
                    [
                        s.changed_on,
                        label(STAGES, s.from_stage) if s.from_stage else "—",
                        label(STAGES, s.to_stage),
                        s.officer,
                        s.note,
                    ]
                    for s in record.stages
                ],
                (0.12, 0.16, 0.16, 0.18, 0.38),
            )
        else:
            story.para("No stage changes.", "note")
        # Room for the heading and the first entry: a CondPageBreak ends keepWithNext.
        story.keep_room(70)
        story.para(f"Timeline ({plural(len(record.timeline), 'entry', 'entries')})", "h3")
        if not record.timeline:
            story.para("No timeline entries.", "note")
        for number, entry in enumerate(record.timeline):
            parts = [_dmy(entry.happened_on), label(ENTRY_KINDS, entry.kind)]
            if entry.title:
                parts.append(entry.title)
            head = " · ".join(pdf_text(p) for p in parts)
            if entry.confidential:
                head += ' <font color="#9B1C1C">[marked confidential]</font>'
            if entry.author:
                head += f' <font color="#5B6670" size="8">— {pdf_text(entry.author)}</font>'
            if number:
                story.keep_room(40)  # never an entry's heading alone at the foot of a page
            story.markup(head, "entry_head")
            if entry.body:
                story.para(entry.body, "entry_body")
        if record.consents:
            story.para("Consents", "h3")
            story.table(
                ["Step", "Agreed", "Recorded", "Note"],
                [[c.step, c.consented, c.recorded_on, c.note] for c in record.consents],
                (0.4, 0.1, 0.14, 0.36),
            )
        story.para("Deadlines", "h3")
        if record.deadlines:
            story.table(
                ["Deadline", "Due", "Done", "How it was worked out"],
                [
                    [d.title, d.due_on, d.done_on or "Not yet", d.working or "Entered by hand"]
                    for d in record.deadlines
                ],
                (0.34, 0.12, 0.12, 0.42),
            )
        else:
            story.para("No deadlines.", "note")
        story.para("Documents", "h3")
        if record.documents:
            story.table(
                ["Document", "Added", "Size"],
                [[d.name, d.added_on, _size(d.size)] for d in record.documents],
                (0.64, 0.18, 0.18),
                right=(2,),
            )
            story.para("The files themselves are supplied separately.", "note")
        else:
            story.para("No documents.", "note")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _hardship_section(story: _Story, data: SarData) -> None:
    story.keep_room(200)
    story.para("3. The strike hardship fund", "h1")
    if not (data.claims or data.ledger or data.strike_days or data.donations):
        story.para("The branch holds nothing about you in its hardship fund.")
        return
    if data.strike_days:
        story.para("Strike days you took part in", "h2")
        story.table(
            ["Fund", "Day", "Description"],
            [[fund, day, text] for fund, day, text in data.strike_days],
            (0.35, 0.15, 0.5),
        )
    for record in data.claims:
        story.keep_room(160)
        story.para(f"Claim {record.claim.reference}", "h2")
        story.facts(claim_facts(record))
        story.para("Panel decisions", "h3")
        if record.decisions:
            story.table(
                ["Officer", "Decided", "Decision", "Amount", "Reasons"],
                [
                    [
                        d.officer,
                        d.decided_at,
                        "Approve" if d.approve else "Decline",
                        d.amount,
                        d.reasons,
                    ]
                    for d in record.decisions
                ],
                (0.2, 0.17, 0.12, 0.13, 0.38),
                right=(3,),
            )
        else:
            story.para("No panel decisions yet.", "note")
        story.para("Payments", "h3")
        if record.payments:
            story.table(
                ["Paid on", "Amount", "Method", "Reference"],
                [
                    [p.paid_on, p.amount, PAYMENT_METHODS.get(p.method, p.method), p.reference]
                    for p in record.payments
                ],
                (0.18, 0.18, 0.18, 0.46),
                right=(1,),
            )
        else:
            story.para("No payments.", "note")
    if data.ledger:
        story.para("Entries in the fund's ledger about you", "h2")
        story.table(
            ["Fund", "Entry", "Posted", "Kind", "Amount", "Reference", "Description"],
            [
                [
                    fund,
                    str(e.id),
                    e.posted_on,
                    LEDGER_KINDS.get(e.kind, e.kind),
                    e.amount,
                    e.reference,
                    e.description,
                ]
                for e, fund in data.ledger
            ],
            (0.16, 0.07, 0.11, 0.14, 0.11, 0.16, 0.25),
            right=(1, 4),
        )
    if data.donations:
        story.para("Donations recorded in your name", "h2")
        story.table(
            ["Fund", "Received", "Amount", "Reference"],
            [[fund, d.received_on, d.amount, d.bank_reference] for d, fund in data.donations],
            (0.35, 0.15, 0.15, 0.35),
            right=(2,),
        )


def _other_sections(story: _Story, data: SarData) -> None:
    story.keep_room(200)
    story.para("4. The outsourcing watch", "h1")
    if data.contracts:
        story.para(
            "These contracted-out (or at-risk) services are recorded as affecting your job. "
            "The contracts themselves are public information; the link to you is personal data."
        )
        story.table(
            ["Service", "Authority", "Contractors", "Status", "Ends", "Transfer"],
            [
                [
                    c.contract.service or c.contract.title,
                    c.authority,
                    c.contractors,
                    CONTRACT_STATUSES.get(c.contract.status, c.contract.status),
                    c.contract.end_on,
                    c.contract.transfer_on,
                ]
                for c in data.contracts
            ],
            (0.26, 0.18, 0.18, 0.16, 0.11, 0.11),
        )
    else:
        story.para("No contract in the outsourcing watch is linked to you.")
    story.keep_room(100)
    story.para("5. Member surveys", "h1")
    story.para(surveys_text(data))
    story.keep_room(200)
    story.para("6. Who has looked at or changed your records", "h1")
    story.para(AUDIT_NOTE)
    if data.audit:
        story.table(
            ["When", "Officer", "What was done", "Record", "Fields"],
            [[a.at, a.officer, a.action, a.record, a.fields] for a in data.audit],
            (0.15, 0.17, 0.2, 0.22, 0.26),
            split_rows=False,
        )
    else:
        story.para("The audit log holds no entries about your records.", "note")


def write_sar_pdf(data: SarData, path: Path) -> None:
    from branchdesk.exports.pdf import PdfPages

    story = _Story()
    _cover(story, data)
    _how_we_use(story, data)
    _member_section(story, data)
    _case_section(story, data)
    _hardship_section(story, data)
    _other_sections(story, data)
    pages = PdfPages(
        branch_name=data.branch_name,
        title=f"Subject access request — {data.number}",
        subtitle=f"{data.name} · records as they stood on {_dmy(data.today)}",
        confidential=True,
        produced=data.produced,
    )
    pages.build(path, story.items)


# --------------------------------------------------------------------------------------------
# The member's workbook


def _text_columns(*specs: tuple[str, str, int] | tuple[str, str, int, str]) -> list[Any]:
    from branchdesk.store.listing import Column

    columns = []
    for spec in specs:
        key, header, width = spec[0], spec[1], spec[2]
        kind = spec[3] if len(spec) > 3 else "text"  # type: ignore[misc]
        columns.append(Column(key, header, kind, width))  # type: ignore[arg-type]
    return columns


def _sheets(data: SarData) -> list[Any]:
    from branchdesk.exports.workbook import Sheet

    subtitle = f"{data.name} ({data.number})"

    def sheet(name: str, title: str, columns: list[Any], rows: list[Sequence[Any]]) -> Any:
        return Sheet(name, title, subtitle, columns, rows, total_rows=len(rows))

    def case_rows(pick: Callable[[CaseRecord], Iterable[Sequence[Any]]]) -> list[Sequence[Any]]:
        return [[record.case.reference, *row] for record in data.cases for row in pick(record)]

    about: list[Sequence[Any]] = [
        ("Member", data.name),
        ("Membership number", data.number),
        ("Branch", data.branch_name),
        ("Produced", data.produced),
        ("Request received", data.request.received_on if data.request else "Not recorded"),
        (
            "What this is",
            "A copy of the personal data the branch holds about you (your subject access "
            "request, UK GDPR Article 15). The PDF that comes with it explains each part.",
        ),
        *(("Why the branch holds it", p) for p in PURPOSES),
        *(("What kinds of data", c) for c in CATEGORIES),
        *(("Where it comes from", s) for s in SOURCES),
        *(("Who sees it", r) for r in RECIPIENTS),
        *((f"Kept for: {kind}", text) for kind, text in data.retention),
        *(("Your rights", r) for r in RIGHTS),
        ("Documents", DOCUMENTS_NOTE),
        ("Member surveys", surveys_text(data)),
    ]
    cases = [
        [
            r.case.reference,
            r.part,
            label(CASE_TYPES, r.case.case_type),
            r.case.sub_type,
            r.case.title,
            r.employer,
            r.case.rep,
            r.case.second_rep,
            label(STAGES, r.case.status),
            r.case.status_changed_on,
            r.case.opened_on,
            r.case.problem_arose_on,
            r.case.closed_on,
            label(OUTCOMES, r.case.outcome) if r.case.outcome else "",
            r.case.remedy,
            label(COMPANIONS, r.case.companion) if r.case.companion else "",
            r.case.companion_name,
            r.case.eligibility_note,
            "; ".join(name for name, _ in r.others),
        ]
        for r in data.cases
    ]
    return [
        sheet(
            "About",
            "About this copy",
            _text_columns(("item", "Item", 28), ("details", "Details", 100)),
            about,
        ),
        sheet(
            "Membership",
            "Your membership record",
            _text_columns(("field", "Field", 26), ("value", "Value", 60)),
            member_facts(data),
        ),
        sheet(
            "Cases",
            "Your cases",
            _text_columns(
                ("reference", "Reference", 14),
                ("part", "Your part", 30),
                ("type", "Type", 18),
                ("sub_type", "Sub-type", 18),
                ("title", "Title", 30),
                ("employer", "Employer", 24),
                ("rep", "Rep", 20),
                ("second_rep", "Second rep", 20),
                ("stage", "Stage", 16),
                ("stage_since", "Stage since", 12, "date"),
                ("opened", "Opened", 12, "date"),
                ("arose", "Problem arose", 12, "date"),
                ("closed", "Closed", 12, "date"),
                ("outcome", "Outcome", 14),
                ("remedy", "Remedy", 30),
                ("companion", "Companion", 16),
                ("companion_name", "Companion's name", 20),
                ("eligibility", "Eligibility note", 30),
                ("others", "Other members of the case", 30),
            ),
            cases,
        ),
        sheet(
            "Stage history",
            "Your cases: stage history",
            _text_columns(
                ("case", "Case", 14),
                ("date", "Date", 12, "date"),
                ("from", "From", 16),
                ("to", "To", 16),
                ("by", "By", 20),
                ("note", "Note", 60),
            ),
            case_rows(
                lambda r: (
                    [
                        s.changed_on,
                        label(STAGES, s.from_stage) if s.from_stage else "",
                        label(STAGES, s.to_stage),
                        s.officer,
                        s.note,
                    ]
                    for s in r.stages
                )
            ),
        ),
        sheet(
            "Timeline",
            "Your cases: timeline",
            _text_columns(
                ("case", "Case", 14),
                ("date", "Date", 12, "date"),
                ("kind", "Kind", 16),
                ("title", "Title", 30),
                ("note", "Note", 80),
                ("confidential", "Marked confidential", 12, "bool"),
                ("author", "Written by", 20),
            ),
            case_rows(
                lambda r: (
                    [
                        e.happened_on,
                        label(ENTRY_KINDS, e.kind),
                        e.title,
                        e.body,
                        e.confidential,
                        e.author,
                    ]
                    for e in r.timeline
                )
            ),
        ),
        sheet(
            "Consents",
            "Your cases: consents",
            _text_columns(
                ("case", "Case", 14),
                ("step", "Step", 40),
                ("agreed", "Agreed", 10, "bool"),
                ("recorded", "Recorded", 12, "date"),
                ("note", "Note", 50),
            ),
            case_rows(lambda r: ([c.step, c.consented, c.recorded_on, c.note] for c in r.consents)),
        ),
        sheet(
            "Deadlines",
            "Your cases: deadlines",
            _text_columns(
                ("case", "Case", 14),
                ("deadline", "Deadline", 40),
                ("due", "Due", 12, "date"),
                ("done", "Done", 12, "date"),
                ("rule", "Rule", 18),
                ("working", "How it was worked out", 60),
            ),
            case_rows(
                lambda r: ([d.title, d.due_on, d.done_on, d.rule, d.working] for d in r.deadlines)
            ),
        ),
        sheet(
            "Documents",
            "Your cases: documents (the files are supplied separately)",
            _text_columns(
                ("case", "Case", 14),
                ("name", "Document", 50),
                ("added", "Added", 12, "date"),
                ("size", "Size (bytes)", 14, "int"),
            ),
            case_rows(lambda r: ([d.name, d.added_on, d.size] for d in r.documents)),
        ),
        sheet(
            "Hardship claims",
            "The hardship fund: your claims",
            _text_columns(*CLAIM_COLUMNS),
            [[v for _, v in claim_facts(c)] for c in data.claims],
        ),
        sheet(
            "Panel decisions",
            "The hardship fund: panel decisions on your claims",
            _text_columns(
                ("claim", "Claim", 14),
                ("officer", "Officer", 20),
                ("decided", "Decided", 17, "datetime"),
                ("decision", "Decision", 10),
                ("amount", "Amount", 12, "money"),
                ("reasons", "Reasons", 50),
            ),
            [
                [
                    c.claim.reference,
                    d.officer,
                    d.decided_at,
                    "Approve" if d.approve else "Decline",
                    d.amount,
                    d.reasons,
                ]
                for c in data.claims
                for d in c.decisions
            ],
        ),
        sheet(
            "Payments",
            "The hardship fund: payments to you",
            _text_columns(
                ("claim", "Claim", 14),
                ("paid", "Paid on", 12, "date"),
                ("amount", "Amount", 12, "money"),
                ("method", "Method", 12),
                ("reference", "Reference", 30),
            ),
            [
                [
                    c.claim.reference,
                    p.paid_on,
                    p.amount,
                    PAYMENT_METHODS.get(p.method, p.method),
                    p.reference,
                ]
                for c in data.claims
                for p in c.payments
            ],
        ),
        sheet(
            "Ledger",
            "The hardship fund: ledger entries about you",
            _text_columns(
                ("fund", "Fund", 24),
                ("entry", "Entry", 8, "int"),
                ("posted", "Posted", 12, "date"),
                ("kind", "Kind", 18),
                ("amount", "Amount", 12, "money"),
                ("reference", "Reference", 24),
                ("description", "Description", 40),
                ("by", "Recorded by", 20),
            ),
            [
                [
                    fund,
                    e.id,
                    e.posted_on,
                    LEDGER_KINDS.get(e.kind, e.kind),
                    e.amount,
                    e.reference,
                    e.description,
                    e.created_by,
                ]
                for e, fund in data.ledger
            ],
        ),
        sheet(
            "Strike days",
            "The hardship fund: strike days you took part in",
            _text_columns(
                ("fund", "Fund", 24), ("day", "Day", 12, "date"), ("description", "Description", 40)
            ),
            [list(row) for row in data.strike_days],
        ),
        sheet(
            "Donations",
            "The hardship fund: donations recorded in your name",
            _text_columns(
                ("fund", "Fund", 24),
                ("received", "Received", 12, "date"),
                ("amount", "Amount", 12, "money"),
                ("reference", "Reference", 30),
            ),
            [[fund, d.received_on, d.amount, d.bank_reference] for d, fund in data.donations],
        ),
        sheet(
            "Contracts",
            "The outsourcing watch: contracts affecting your job",
            _text_columns(
                ("service", "Service", 30),
                ("title", "Contract title", 30),
                ("authority", "Authority", 24),
                ("contractors", "Contractors", 24),
                ("status", "Status", 18),
                ("start", "Start", 12, "date"),
                ("end", "End", 12, "date"),
                ("transfer", "Transfer date", 12, "date"),
            ),
            [
                [
                    c.contract.service,
                    c.contract.title,
                    c.authority,
                    c.contractors,
                    CONTRACT_STATUSES.get(c.contract.status, c.contract.status),
                    c.contract.start_on,
                    c.contract.end_on,
                    c.contract.transfer_on,
                ]
                for c in data.contracts
            ],
        ),
        sheet(
            "Surveys",
            "Member surveys",
            _text_columns(("note", "What the branch holds", 100)),
            [[surveys_text(data)]],
        ),
        sheet(
            "Audit",
            "Who has looked at or changed your records",
            _text_columns(
                ("when", "When", 17, "datetime"),
                ("officer", "Officer", 22),
                ("action", "What was done", 26),
                ("record", "Record", 30),
                ("fields", "Fields", 50),
            ),
            [[a.at, a.officer, a.action, a.record, a.fields] for a in data.audit],
        ),
    ]


# The columns of the claims sheet: `claim_facts` in order, with their kinds.
CLAIM_COLUMNS: tuple[tuple[str, str, int] | tuple[str, str, int, str], ...] = (
    ("reference", "Reference", 14),
    ("fund", "Fund", 24),
    ("received", "Received", 12, "date"),
    ("days", "Strike days claimed", 30),
    ("fte", "Fraction of full time", 10),
    ("pay_deducted", "Pay deducted", 12, "money"),
    ("payslip", "Payslip seen", 10, "bool"),
    ("evidence", "Evidence", 30),
    ("circumstances", "Circumstances", 40),
    ("requested", "Amount requested", 12, "money"),
    ("entitlement", "Entitlement under the fund's rules", 14, "money"),
    ("working", "How the entitlement was worked out", 50),
    ("warnings", "Warnings", 30),
    ("status", "Status", 14),
    ("approved", "Amount approved", 12, "money"),
    ("decided", "Decided on", 12, "date"),
    ("reasons", "Reasons for the decision", 40),
)


def write_sar_xlsx(data: SarData, path: Path) -> None:
    from branchdesk.exports.workbook import write_workbook

    write_workbook(path, f"Subject access request — {data.number}", _sheets(data))


# --------------------------------------------------------------------------------------------
# The review list: never for the member


REVIEW_README = (
    "This workbook is for the branch secretary, not for the member. Do not send it.",
    "Before the subject access export is released, check every person below and remove (redact) "
    "their details from the member's PDF and spreadsheet where the law requires it: other "
    "people's personal data may be disclosed only with their consent or where it is "
    "reasonable to disclose it without (Data Protection Act 2018, Schedule 2, paragraph 16).",
    "Officers and reps acting in their union role are usually named; other members, companions "
    "and anyone named in notes need a decision.",
    "The sheet 'Mentions of the member' lists passages in other people's records that name the "
    "member. They are not in the export; decide what of them to disclose, with the other "
    "people's details removed.",
    "The sheet 'Confidential entries' lists timeline entries marked confidential: check each "
    "for an exemption (for example legal advice) before release.",
)


def write_review_xlsx(data: SarData, path: Path) -> None:
    from branchdesk.exports.workbook import Sheet, write_workbook

    subtitle = f"Subject access request of {data.name} ({data.number}) — NOT FOR RELEASE"
    sheets = [
        Sheet(
            "Read me",
            "For review before release: not for the member",
            subtitle,
            _text_columns(("note", "Read this first", 110)),
            [[line] for line in REVIEW_README],
        ),
        Sheet(
            "Other people named",
            "Other people named in the member's records",
            subtitle,
            _text_columns(
                ("name", "Name", 26),
                ("who", "Who they are", 34),
                ("where", "Where it appears", 60),
                ("done", "Redacted or cleared (initials)", 16),
            ),
            [[n.name, n.who, n.where, ""] for n in data.named],
            total_rows=len(data.named),
        ),
        Sheet(
            "Mentions of the member",
            "Other people's records that name the member (not in the export)",
            subtitle,
            _text_columns(("where", "Where", 50), ("text", "The words around the name", 90)),
            [[m.where, m.text] for m in data.mentions],
            total_rows=len(data.mentions),
        ),
        Sheet(
            "Confidential entries",
            "Timeline entries marked confidential (in the export: check for exemptions)",
            subtitle,
            _text_columns(
                ("case", "Case", 14),
                ("date", "Date", 12, "date"),
                ("title", "Title", 40),
                ("author", "Written by", 22),
            ),
            [
                [reference, entry.happened_on, entry.title, entry.author]
                for reference, entry in data.confidential_entries()
            ],
        ),
    ]
    write_workbook(path, f"Review before release — {data.number}", sheets)


# --------------------------------------------------------------------------------------------
# The export


@dataclass(frozen=True)
class SarExport:
    folder: Path
    pdf: Path
    xlsx: Path
    review: Path
    cases: int
    claims: int
    audit_entries: int
    named: int
    mentions: int

    @property
    def files(self) -> tuple[Path, Path, Path]:
        return (self.pdf, self.xlsx, self.review)


def check_folder(folder: Path) -> None:
    """Refuse a folder that is really a file, or that already holds files."""
    if folder.exists() and not folder.is_dir():
        raise SarError(f"{folder} is a file, not a folder: choose a folder for the export")
    if folder.is_dir():
        held = [p.name for p in folder.iterdir() if p.name.casefold() not in _SYSTEM_CLUTTER]
        if held:
            raise SarError(
                f"{folder} already holds files ({', '.join(sorted(held)[:3])}"
                f"{'…' if len(held) > 3 else ''}): choose a new or empty folder, so that the "
                "export is not mixed up with other files"
            )


def file_names(number: str, today: date) -> tuple[str, str, str]:
    stem = safe_filename(f"Subject access request {number} {today.isoformat()}", "Subject access")
    review = safe_filename(f"NOT FOR RELEASE - review list {number}", "NOT FOR RELEASE")
    return f"{stem}.pdf", f"{stem}.xlsx", f"{review}.xlsx"


def export_sar(
    db: Database,
    membership_number: str,
    folder: str | Path,
    branch_name: str,
    today: date | None = None,
    request_id: int | None = None,
    progress: Progress | None = None,
) -> SarExport:
    """Write a member's subject access export into `folder` (new or empty) and record it.

    If anything fails or is cancelled, the files written so far are removed again, so a folder
    never holds half an export.
    """
    _require_privacy(db, WRITE)
    folder = Path(folder).expanduser()
    check_folder(folder)
    today = today or date.today()
    progress = progress or Progress()
    steps = 5
    progress.update(0, steps)
    data = gather(db, membership_number, branch_name, today, request_id)
    progress.update(1, steps)
    pdf_name, xlsx_name, review_name = file_names(data.number, today)
    made_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for step, (name, write) in enumerate(
            (
                (pdf_name, write_sar_pdf),
                (xlsx_name, write_sar_xlsx),
                (review_name, write_review_xlsx),
            ),
            start=2,
        ):
            path = folder / name
            write(data, path)
            written.append(path)
            progress.update(step, steps)
        _record(db, data, folder, request_id)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if made_folder and not any(folder.iterdir()):
            folder.rmdir()
        raise
    progress.update(steps, steps)
    return SarExport(
        folder=folder,
        pdf=folder / pdf_name,
        xlsx=folder / xlsx_name,
        review=folder / review_name,
        cases=len(data.cases),
        claims=len(data.claims),
        audit_entries=len(data.audit),
        named=len(data.named),
        mentions=len(data.mentions),
    )


def _record(db: Database, data: SarData, folder: Path, request_id: int | None) -> None:
    """The export is a disclosure: one event for the member's record and one for each case and
    claim it disclosed, with counts only (never content or the folder, which may name them)."""
    details = {"export": "sar", "format": "pdf+xlsx"}
    with db.write() as session:
        record_event(
            session,
            db.officer,
            "export",
            "members",
            data.member.id,
            changes={**details, "cases": len(data.cases), "claims": len(data.claims)},
        )
        for record in data.cases:
            record_event(session, db.officer, "export", "cases", record.case.id, changes=details)
        for claim in data.claims:
            record_event(
                session, db.officer, "export", "hardship_claims", claim.claim.id, changes=details
            )
        if request_id is not None:
            link_export(session, request_id, folder)
