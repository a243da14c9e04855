"""Who has looked at or changed the member's records: the audit log rows about them, with
each action and record said in words.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from branchdesk.casework.models import CaseMember
from branchdesk.hardship.models import ClaimDay, StrikeDay, StrikeParticipant
from branchdesk.members.models import Member
from branchdesk.outsourcing.models import Contract, ContractMember
from branchdesk.privacy.sar.facts import _dmy
from branchdesk.privacy.sar.model import AuditLine, SarData
from branchdesk.store.audit import AuditEntry

# Audit rows are read for this many record ids at a time (bound-parameter limits).
_CHUNK = 500


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


def _in_chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


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
