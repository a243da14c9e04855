"""The member's PDF: the cover, how the branch uses their data, then a section for each kind
of record (`write_sar_pdf`).
"""

from __future__ import annotations

from pathlib import Path

from branchdesk.casework.labels import CASE_TYPES, ENTRY_KINDS, STAGES, label
from branchdesk.exports.text import plural
from branchdesk.hardship.codes import ENTRY_KINDS as LEDGER_KINDS
from branchdesk.hardship.codes import PAYMENT_METHODS
from branchdesk.outsourcing.codes import STATUSES as CONTRACT_STATUSES
from branchdesk.privacy.sar.facts import _dmy, case_facts, claim_facts, member_facts
from branchdesk.privacy.sar.model import SarData
from branchdesk.privacy.sar.pdf_story import _Story
from branchdesk.privacy.sar.statements import (
    AUDIT_NOTE,
    CATEGORIES,
    DOCUMENTS_NOTE,
    MENTIONS_NOTE,
    PURPOSES,
    RECIPIENTS,
    RIGHTS,
    SOURCES,
    surveys_text,
)


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
