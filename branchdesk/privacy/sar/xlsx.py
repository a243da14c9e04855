"""The member's workbook: the same information as the PDF, one sheet per section
(`write_sar_xlsx`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, ENTRY_KINDS, OUTCOMES, STAGES, label
from branchdesk.hardship.codes import ENTRY_KINDS as LEDGER_KINDS
from branchdesk.hardship.codes import PAYMENT_METHODS
from branchdesk.outsourcing.codes import STATUSES as CONTRACT_STATUSES
from branchdesk.privacy.sar.facts import claim_facts, member_facts
from branchdesk.privacy.sar.model import CaseRecord, SarData
from branchdesk.privacy.sar.statements import (
    CATEGORIES,
    DOCUMENTS_NOTE,
    PURPOSES,
    RECIPIENTS,
    RIGHTS,
    SOURCES,
    surveys_text,
)


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
