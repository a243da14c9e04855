"""Gathering everything held about the member into a `SarData`, in one read transaction
(`gather`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from branchdesk.access.roles import WRITE
from branchdesk.casework.models import (
    Case,
    CaseMember,
    Consent,
    Deadline,
    Document,
    StageChange,
    TimelineEntry,
)
from branchdesk.demands.models import Survey, SurveyResponse
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
from branchdesk.outsourcing.models import Contract, ContractMember, ContractSupplier
from branchdesk.privacy.models import SarRequest
from branchdesk.privacy.sar.audit import _audit
from branchdesk.privacy.sar.model import CaseRecord, ClaimRecord, ContractRecord, SarData
from branchdesk.privacy.sar.names import NameFinder, _like, _name, name_tokens
from branchdesk.privacy.sar.review import _mentions, _named_people, _other_members
from branchdesk.privacy.sar.statements import retention_periods
from branchdesk.privacy.sar_register import SarError, get_request
from branchdesk.privacy.sar_register import require_privacy as _require_privacy
from branchdesk.store.database import Database


def _member_by_number(session: Session, number: str) -> Member:
    member = session.scalar(select(Member).where(Member.membership_number == number.strip()))
    if member is None:
        raise SarError(f"no member has the membership number {number.strip()!r}")
    return member


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
