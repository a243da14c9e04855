"""The review list, never for the member: the other people named in the member's records,
the passages in other people's records that name the member, and the workbook that lists
them (with the entries marked confidential) for the secretary to redact from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from branchdesk.casework.labels import COMPANIONS, label
from branchdesk.casework.models import Case, Consent, Deadline, StageChange, TimelineEntry
from branchdesk.demands.models import Claim as NegotiatingClaim
from branchdesk.demands.models import Demand, Evidence, Meeting
from branchdesk.hardship.models import Claim, PanelDecision
from branchdesk.members.models import Member
from branchdesk.outsourcing.models import Contract, ContractEvent
from branchdesk.privacy.sar.facts import _dmy
from branchdesk.privacy.sar.model import Mention, Named, SarData
from branchdesk.privacy.sar.names import NameFinder, _like, _name, excerpt, name_tokens
from branchdesk.privacy.sar.xlsx import _text_columns

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
