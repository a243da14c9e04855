"""Subject access requests: the export holds everything about the member and nobody else's
record, the review list names the other people in it, the register's deadlines follow the
ICO's counting, and only the secretary may do any of it (in the service layer and the CLI)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from branchdesk.access import officers
from branchdesk.casework.models import Case, CaseMember, Document, TimelineEntry
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    open_case,
    record_consent,
)
from branchdesk.cli import main
from branchdesk.demo import fill_demo
from branchdesk.hardship.models import Claim, Payment
from branchdesk.members.models import Member
from branchdesk.outsourcing.models import Contract, ContractMember
from branchdesk.outsourcing.service import add_event, set_contract_members
from branchdesk.privacy import sar_register as register
from branchdesk.privacy.sar import NameFinder, SarError, export_sar, gather
from branchdesk.progress import Cancelled, Progress
from branchdesk.store.audit import AuditEntry
from branchdesk.store.backup import copy_sqlite
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import AccessDenied

SECRETARY, TREASURER = "Sam Example Secretary", "Terry Example Treasurer"
PASSWORD = "a fictional long password"
BRANCH = "Northmoor <Branch> & Co"
HOSTILE_TITLE = "<b>Smith & Sons</b> grievance"
FORMULA = "=1+1"
DOCUMENT_MARKER = "FICTIONAL-DOCUMENT-CONTENT-7731"
COMPANION = "Fictional Companion Person"


@dataclass(frozen=True)
class Seeded:
    path: Path
    subject: str  # membership number of the member asking
    subject_name: str
    colleague: str  # the other member of the collective case
    colleague_name: str
    named: str  # a member named in a note on the subject's case
    named_name: str
    mentioning_case: str  # another member's case whose note names the subject
    today: date


def _pick_members(db: Database) -> tuple[Member, Member, Member]:
    """A member with a paid hardship claim, and two members with no case or claim."""
    with db.read() as session:
        # One with a demo case too, so the export holds two cases.
        subject_id = session.scalar(
            select(Claim.member_id)
            .join(Payment, Payment.claim_id == Claim.id)
            .where(Claim.member_id.in_(select(Case.member_id)))
            .limit(1)
        )
        busy = set(session.scalars(select(Case.member_id))) | set(
            session.scalars(select(Claim.member_id))
        )
        subject = session.get(Member, subject_id)
        assert subject is not None
        names = {subject.full_name.casefold()}
        spare: list[Member] = []
        for member in session.scalars(select(Member).order_by(Member.id)):
            if member.id in busy or member.full_name.casefold() in names:
                continue
            names.add(member.full_name.casefold())
            spare.append(member)
            if len(spare) == 2:
                break
    return subject, spare[0], spare[1]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    folder = tmp_path_factory.mktemp("sar")
    path = folder / "branch.sqlite3"
    today = date.today()
    db = open_database(path, officer="Set-up")
    fill_demo(db, "small", 1)
    officers.create_first_officer(db, SECRETARY, PASSWORD)
    officers.add_officer(db, TREASURER, "treasurer", PASSWORD)
    subject, colleague, named = _pick_members(db)
    opened = today - timedelta(days=40)
    reference = open_case(
        db,
        CaseForm(
            membership_number=subject.membership_number,
            case_type="grievance",
            sub_type="Workload",
            title=HOSTILE_TITLE,
            rep="Rhiannon Example Rep",
            opened_on=opened,
            problem_arose_on=opened - timedelta(days=10),
            companion="fellow_worker",
            companion_name=COMPANION,
            other_members=[colleague.membership_number],
        ),
        today=today,
    )
    with db.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
        other_case = session.scalars(
            select(Case).where(Case.member_id != subject.id).order_by(Case.id)
        ).first()
        contract = session.scalars(select(Contract).order_by(Contract.id)).first()
    assert case_id is not None and other_case is not None and contract is not None
    add_entry(
        db,
        case_id,
        EntryForm(
            opened + timedelta(days=2),
            "meeting",
            title=FORMULA,
            body=f"Met with the manager; {named.full_name} was a witness. <b>bold</b> & R&D",
        ),
        today=today,
    )
    add_entry(
        db,
        case_id,
        EntryForm(
            opened + timedelta(days=5),
            "note",
            title="Legal advice received",
            body="Advice from the union's solicitors.",
            confidential=True,
        ),
        today=today,
    )
    add_entry(
        db,
        other_case.id,
        EntryForm(
            today - timedelta(days=1),
            "note",
            title="Witness statement",
            body=f"{subject.full_name} saw what happened at the depot.",
        ),
        today=today,
    )
    record_consent(db, case_id, "Notify ACAS", True, opened + timedelta(days=3), "Agreed by phone")
    add_deadline(db, case_id, "Lodge the grievance appeal", today + timedelta(days=20))
    source = folder / "Fit note scan.txt"
    source.write_text(DOCUMENT_MARKER)
    from branchdesk.casework.documents import attach_document

    attach_document(db, case_id, source, today=today)
    set_contract_members(db, contract.id, [subject.membership_number], contract.version)
    add_event(
        db,
        contract.id,
        today - timedelta(days=3),
        "complaint",
        "Complaint about the new rota",
        f"Raised by {subject.full_name.upper()} at the site meeting.",
    )
    db.dispose()
    return Seeded(
        path=path,
        subject=subject.membership_number,
        subject_name=subject.full_name,
        colleague=colleague.membership_number,
        colleague_name=colleague.full_name,
        named=named.membership_number,
        named_name=named.full_name,
        mentioning_case=other_case.reference,
        today=today,
    )


def _open(seeded: Seeded, tmp_path: Path, who: str = SECRETARY) -> Database:
    path = tmp_path / "branch.sqlite3"
    copy_sqlite(seeded.path, path)
    db = open_database(path)
    officers.sign_in(db, who, PASSWORD)
    return db


@pytest.fixture
def secretary_db(template: Seeded, tmp_path: Path) -> Iterator[Database]:
    db = _open(template, tmp_path)
    yield db
    db.dispose()


# --------------------------------------------------------------------------------------------
# Reading the files back


def _flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    reader = PdfReader(str(path))
    pages = [page.extract_text() or "" for page in reader.pages]
    assert all(pages), "every page has text"
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    return _flat("\n".join(pages))


def workbook_cells(path: Path) -> dict[str, list[list[Any]]]:
    book = load_workbook(path)
    return {
        sheet.title: [[cell for cell in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


def workbook_text(cells: dict[str, list[list[Any]]]) -> str:
    return _flat(
        "\n".join(
            str(cell.value)
            for rows in cells.values()
            for row in rows
            for cell in row
            if cell.value is not None
        )
    )


def sheet_rows(cells: dict[str, list[list[Any]]], name: str) -> list[dict[str, Any]]:
    rows = cells[name]
    header = [c.value for c in rows[3]]  # title, produced line, blank, header
    return [dict(zip(header, (c.value for c in row), strict=False)) for row in rows[4:]]


def _export(db: Database, seeded: Seeded, folder: Path, number: str = "") -> Any:
    return export_sar(db, number or seeded.subject, folder, BRANCH, seeded.today)


def _contains_name(text: str, name: str) -> bool:
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


# --------------------------------------------------------------------------------------------
# The export


def test_the_export_holds_everything_about_the_member(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    # What the export will hold (read first: the export adds its own record to the audit).
    data = gather(secretary_db, template.subject, BRANCH, template.today)
    out = tmp_path / "sar"
    result = _export(secretary_db, template, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.files)

    pdf = pdf_text(result.pdf)
    cells = workbook_cells(result.xlsx)
    book = workbook_text(cells)

    assert template.subject_name in pdf and template.subject in pdf
    assert "What a subject access request is" in pdf and "Your rights" in pdf
    assert "How long it is kept" in pdf and "6 years after it was closed" in pdf
    assert "supplied separately" in pdf and "supplied separately" in book

    with secretary_db.read() as session:
        member = session.scalar(select(Member).where(Member.membership_number == template.subject))
        assert member is not None
        cases = list(session.scalars(select(Case).where(Case.member_id == member.id)))
        titles = list(
            session.scalars(
                select(TimelineEntry.title).where(
                    TimelineEntry.case_id.in_([c.id for c in cases]), TimelineEntry.title != ""
                )
            )
        )
        claims = list(session.scalars(select(Claim).where(Claim.member_id == member.id)))
        payments = list(
            session.scalars(select(Payment).where(Payment.claim_id.in_([c.id for c in claims])))
        )
        documents = list(
            session.scalars(select(Document).where(Document.case_id.in_([c.id for c in cases])))
        )
    assert len(cases) >= 2 and claims and payments and documents and len(titles) >= 3

    timeline = sheet_rows(cells, "Timeline")
    for case in cases:
        assert case.reference in pdf
        assert case.reference in [row["Reference"] for row in sheet_rows(cells, "Cases")]
    for title in titles:
        assert _flat(title) in pdf
        assert title in [row["Title"] for row in timeline]
    for claim in claims:
        assert claim.reference in pdf
        assert claim.reference in [row["Reference"] for row in sheet_rows(cells, "Hardship claims")]
    paid = sheet_rows(cells, "Payments")
    for payment in payments:
        assert payment.amount.format() in pdf
        assert any(
            row["Amount"] == payment.amount.to_decimal() and row["Reference"] == payment.reference
            for row in paid
        )
    assert [row["Document"] for row in sheet_rows(cells, "Documents")] == ["Fit note scan.txt"]
    assert "Fit note scan.txt" in pdf
    assert DOCUMENT_MARKER not in pdf and DOCUMENT_MARKER not in book

    contracts = sheet_rows(cells, "Contracts")
    assert len(contracts) == 1 and contracts[0]["Service"] in pdf
    assert "kept without names" in pdf

    # The audit: the seed's timeline entries were created by the secretary, signed in.
    audit = sheet_rows(cells, "Audit")
    assert len(audit) == len(data.audit) > 5
    assert any(
        row["Officer"] == SECRETARY
        and row["What was done"] == "Created"
        and row["Record"].endswith(": timeline entry")
        for row in audit
    )
    assert "Who has looked at or changed your records" in pdf
    for line in data.audit[-3:]:
        assert line.record in pdf


def test_user_text_comes_out_literally(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    result = _export(secretary_db, template, tmp_path / "sar")
    pdf = pdf_text(result.pdf)
    assert HOSTILE_TITLE in pdf
    assert "<b>bold</b> & R&D" in pdf and "R&D;" not in pdf
    cells = workbook_cells(result.xlsx)
    formula_cells = [
        cell for rows in cells.values() for row in rows for cell in row if cell.value == FORMULA
    ]
    assert formula_cells and all(cell.data_type == "s" for cell in formula_cells)
    assert HOSTILE_TITLE in [row["Title"] for row in sheet_rows(cells, "Cases")]


def test_no_other_members_record_except_those_named_for_review(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    result = _export(secretary_db, template, tmp_path / "sar")
    texts = {
        "pdf": pdf_text(result.pdf),
        "xlsx": workbook_text(workbook_cells(result.xlsx)),
    }
    review = sheet_rows(workbook_cells(result.review), "Other people named")
    reviewed = {row["Name"].casefold() for row in review}
    with secretary_db.read() as session:
        others = session.execute(
            select(Member.membership_number, Member.first_name, Member.last_name).where(
                Member.membership_number != template.subject
            )
        ).all()
    assert len(others) > 250
    for number, first, last in others:
        name = f"{first} {last}"
        for kind, text in texts.items():
            assert not _contains_name(text, number), f"{number} appears in the {kind}"
            if name.casefold() == template.subject_name.casefold():
                continue  # a namesake of the member
            if _contains_name(text, name):
                assert any(name.casefold() in r for r in reviewed), f"{name} in the {kind}"
    # The two other members do appear, and are named for review.
    assert _contains_name(texts["pdf"], template.colleague_name)
    assert _contains_name(texts["pdf"], template.named_name)


def test_the_review_list_names_other_people_and_where(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    result = _export(secretary_db, template, tmp_path / "sar")
    assert result.review.name.startswith("NOT FOR RELEASE")
    cells = workbook_cells(result.review)
    named = sheet_rows(cells, "Other people named")
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in named:
        by_name.setdefault(row["Name"], []).append(row)

    colleague = by_name[template.colleague_name]
    assert any("collective case" in r["Who they are"] for r in colleague)
    assert all(r["Where it appears"].startswith("Case C-") for r in colleague)
    in_note = by_name[template.named_name]
    assert [r["Who they are"] for r in in_note] == ["Member named in the text"]
    assert "timeline entry" in in_note[0]["Where it appears"]
    assert FORMULA in in_note[0]["Where it appears"]
    assert any(r["Who they are"].startswith("Companion") for r in by_name[COMPANION])
    assert any(r["Who they are"] == "Rep" for r in by_name["Rhiannon Example Rep"])
    assert template.subject_name not in by_name

    mentions = sheet_rows(cells, "Mentions of the member")
    assert any(
        m["Where"].startswith("Outsourcing watch: contract")
        and "at the site meeting" in m["The words around the name"]
        for m in mentions
    )
    assert any(
        template.mentioning_case in m["Where"]
        and template.subject_name in m["The words around the name"]
        for m in mentions
    )
    confidential = sheet_rows(cells, "Confidential entries")
    assert "Legal advice received" in [row["Title"] for row in confidential]
    assert all(row["Case"].startswith("C-") for row in confidential)
    # The other member's case that names the subject is not in the member's own files.
    assert "saw what happened at the depot" not in pdf_text(result.pdf)
    assert "Records about other people that mention you" in pdf_text(result.pdf)


def test_a_member_of_someone_elses_collective_case_gets_that_case(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    result = _export(secretary_db, template, tmp_path / "sar", number=template.colleague)
    pdf = pdf_text(result.pdf)
    assert "one of the members of this collective case" in pdf
    assert HOSTILE_TITLE in pdf
    review = sheet_rows(workbook_cells(result.review), "Other people named")
    lead = [r for r in review if r["Name"] == template.subject_name]
    assert lead and "lead member" in lead[0]["Who they are"]


def test_the_export_is_recorded_as_a_disclosure_without_content(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    out = tmp_path / f"SAR for {template.subject_name}"
    result = _export(secretary_db, template, out)
    with secretary_db.read() as session:
        member_id = session.scalar(
            select(Member.id).where(Member.membership_number == template.subject)
        )
        rows = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
            )
        )
    assert rows, "the export is in the audit log"
    first = [r for r in rows if r.table_name == "members"]
    assert [r.row_id for r in first] == [member_id]
    assert first[0].officer == SECRETARY
    details = first[0].change_map()
    assert details["export"] == [None, "sar"] and details["cases"][1] == result.cases
    assert {r.table_name for r in rows} == {"members", "cases", "hardship_claims"}
    for row in rows:
        stored = row.fields + row.changes
        assert template.subject_name not in stored and str(out) not in stored


def test_the_folder_must_be_new_or_empty(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "letter.txt").write_text("something else")
    with pytest.raises(SarError, match="already holds files"):
        _export(secretary_db, template, busy)
    assert [p.name for p in busy.iterdir()] == ["letter.txt"]
    a_file = tmp_path / "a file.pdf"
    a_file.write_text("x")
    with pytest.raises(SarError, match="is a file"):
        _export(secretary_db, template, a_file)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(_export(secretary_db, template, empty).files) == 3
    with pytest.raises(SarError, match="no member has the membership number"):
        export_sar(secretary_db, "NO-SUCH", tmp_path / "none", BRANCH)
    assert not (tmp_path / "none").exists()


def test_a_cancelled_export_leaves_no_files(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    seen: list[int] = []
    made: list[Progress] = []

    def cancel_after_the_pdf(done: int, _total: int) -> None:
        seen.append(done)
        if done == 2:  # the PDF is written: cancel before the spreadsheets
            made[0].cancel()

    progress = Progress(cancel_after_the_pdf)
    made.append(progress)
    out = tmp_path / "sar"
    with pytest.raises(Cancelled):
        export_sar(secretary_db, template.subject, out, BRANCH, progress=progress)
    assert 2 in seen and not out.exists()
    with secretary_db.read() as session:
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()


def test_names_are_found_in_free_text_whatever_the_case_and_spacing() -> None:
    finder = NameFinder(["Jo Example", "Mary-Ann O'Example", "Single"])
    assert finder.find("spoke to JO   example\nabout it") == ["Jo Example"]
    assert finder.find("Mary-Ann O'Example came") == ["Mary-Ann O'Example"]
    assert finder.find("Jolene Example, Jo Examples") == []
    assert finder.find("Single") == []  # one word is too common to be a name


# --------------------------------------------------------------------------------------------
# Only the secretary


def test_a_treasurer_is_refused_clearly_and_on_the_record(template: Seeded, tmp_path: Path) -> None:
    db = _open(template, tmp_path, TREASURER)
    try:
        for attempt in (
            lambda: register.log_request(db, template.subject),
            lambda: register.list_requests(db),
            lambda: export_sar(db, template.subject, tmp_path / "sar", BRANCH),
        ):
            with pytest.raises(AccessDenied) as refused:
                attempt()
            message = str(refused.value)
            assert TREASURER in message and "only the branch secretary" in message
        assert not (tmp_path / "sar").exists()
        with db.read(system=True) as session:
            denied = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "denied", AuditEntry.officer == TREASURER
                )
            ).all()
        assert len(denied) == 3 and {d.table_name for d in denied} == {"sar_requests"}
    finally:
        db.dispose()


# --------------------------------------------------------------------------------------------
# The register


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        (date(2025, 1, 31), 0, date(2025, 2, 28)),  # no 31 February: its last day
        (date(2024, 1, 31), 0, date(2024, 2, 29)),  # a leap year
        (date(2025, 9, 3), 0, date(2025, 10, 3)),  # the same date next month
        (date(2026, 1, 31), 0, date(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
        (date(2026, 3, 6), 0, date(2026, 4, 7)),  # 6 April 2026 is Easter Monday
        (date(2025, 11, 30), 0, date(2025, 12, 30)),
        (date(2025, 1, 31), 2, date(2025, 4, 30)),  # extended: no 31 April
        (date(2025, 10, 31), 1, date(2025, 12, 31)),
    ],
)
def test_the_deadline_follows_the_ico_counting(received: date, extended: int, due: date) -> None:
    assert register.due_date(received, extended) == due


def test_explained_deadline_says_why() -> None:
    text = register.explain_due(date(2026, 1, 31))
    assert "there is no 31 February 2026" in text and "a Saturday" in text
    assert text.endswith("2 March 2026.")
    assert "Easter Monday" in register.explain_due(date(2026, 3, 6))


def test_requests_are_logged_flagged_extended_and_sent(secretary_db: Database) -> None:
    with secretary_db.read() as session:
        number = session.scalar(select(Member.membership_number).order_by(Member.id).limit(1))
    assert number is not None
    today = date(2025, 3, 20)
    old = register.log_request(secretary_db, number, date(2025, 1, 31), today=today)
    soon = register.log_request(secretary_db, number, date(2025, 2, 24), "by email", today=today)
    fresh = register.log_request(secretary_db, number, today, today=today)
    rows = {r.id: r for r in register.list_requests(secretary_db)}
    assert rows[old].due_on == date(2025, 2, 28) and rows[old].overdue(today)
    assert rows[old].describe_left(today) == "Overdue by 20 days"
    assert rows[soon].due_on == date(2025, 3, 24) and rows[soon].due_soon(today)
    assert rows[soon].flag(today) == "due soon" and rows[soon].notes == "by email"
    # 20 April 2025 is Easter Sunday and the 21st Easter Monday: due on the 22nd.
    assert rows[fresh].flag(today) == "" and rows[fresh].days_left(today) == 33

    with pytest.raises(SarError, match="reason"):
        register.extend_request(secretary_db, old, 2, "  ")
    assert register.extend_request(secretary_db, old, 2, "Records across three cases") == date(
        2025, 4, 30
    )
    with pytest.raises(SarError, match="cannot be shortened"):
        register.extend_request(secretary_db, old, 1, "Fewer records")
    row = register.get_request(secretary_db, old)
    assert not row.overdue(today) and row.extension_reason == "Records across three cases"

    with pytest.raises(SarError, match="before the request was received"):
        register.mark_sent(secretary_db, fresh, date(2025, 3, 1), today=today)
    with pytest.raises(SarError, match="in the future"):
        register.mark_sent(secretary_db, fresh, date(2025, 3, 21), today=today)
    stale = register.get_request(secretary_db, soon)
    register.mark_sent(secretary_db, soon, date(2025, 3, 19), today=today)
    with pytest.raises(SarError, match="was already sent on 19/03/2025"):
        register.mark_sent(secretary_db, soon, today=today)
    from branchdesk.store.errors import StaleEdit

    with pytest.raises(StaleEdit):
        register.extend_request(secretary_db, soon, 1, "Late", version=stale.version)
    sent = register.get_request(secretary_db, soon)
    assert sent.status == "sent" and not sent.overdue(date(2030, 1, 1)) and sent.flag(today) == ""

    register.refuse_request(secretary_db, fresh, "Manifestly excessive: the same request weekly")
    assert register.get_request(secretary_db, fresh).status_label == "Refused"
    with pytest.raises(SarError, match="future"):
        register.log_request(secretary_db, number, today + timedelta(days=1), today=today)
    with pytest.raises(SarError, match="no member"):
        register.log_request(secretary_db, "NO-SUCH", today=today)


def test_an_export_for_a_request_is_noted_on_it(
    secretary_db: Database, template: Seeded, tmp_path: Path
) -> None:
    request_id = register.log_request(secretary_db, template.subject, template.today)
    other = register.log_request(secretary_db, template.colleague, template.today)
    with pytest.raises(SarError, match="made by another member"):
        export_sar(secretary_db, template.subject, tmp_path / "x", BRANCH, request_id=other)
    out = tmp_path / "sar"
    export_sar(secretary_db, template.subject, out, BRANCH, template.today, request_id)
    row = register.get_request(secretary_db, request_id)
    assert row.status == "in_progress" and row.exported_at is not None
    assert row.export_folder == str(out)
    assert "Request received" in pdf_text(next(out.glob("*.pdf")))


# --------------------------------------------------------------------------------------------
# The command line


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_line(
    template: Seeded,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "branch.sqlite3"
    copy_sqlite(template.path, path)
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    db_args = ("--db", str(path), "--officer", SECRETARY)

    status, out, err = run(capsys, *db_args, "sar", "add", "--member", template.subject,
                           "--received", "31/01/2025")  # fmt: skip
    assert status == 0, err
    assert "answer by 28/02/2025" in out
    status, out, _ = run(capsys, *db_args, "sar", "list")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(rows) == 1
    assert rows[0]["due_by"] == "2025-02-28" and rows[0]["flag"] == "overdue"
    request_id = rows[0]["id"]

    out_folder = tmp_path / "answer"
    status, out, err = run(capsys, *db_args, "export", "sar", "--member", template.subject,
                           "--out", str(out_folder), "--request", request_id)  # fmt: skip
    assert status == 0, err
    assert "NOT FOR RELEASE" in out and len(list(out_folder.iterdir())) == 3
    status, _, err = run(capsys, *db_args, "export", "sar", "--member", template.subject,
                         "--out", str(out_folder))  # fmt: skip
    assert status == 2 and "already holds files" in err
    status, _, err = run(capsys, *db_args, "export", "sar", "--member", "NO-SUCH",
                         "--out", str(tmp_path / "none"))  # fmt: skip
    assert status == 2 and "no member has the membership number" in err

    status, out, _ = run(capsys, *db_args, "sar", "extend", "--id", request_id, "--months", "1",
                         "--reason", "Many records")  # fmt: skip
    assert status == 0 and "31/03/2025" in out
    status, out, _ = run(capsys, *db_args, "sar", "sent", "--id", request_id)
    assert status == 0 and "marked sent" in out
    status, _, err = run(capsys, *db_args, "sar", "sent", "--id", request_id)
    assert status == 2 and "already sent" in err
    status, _, err = run(capsys, *db_args, "sar", "sent", "--id", "999")
    assert status == 2 and "no subject access request number 999" in err
    status, out, _ = run(capsys, *db_args, "sar", "list")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["status"] == "sent" and row["flag"] == "" and row["exported_on"]

    status, out, err = run(capsys, "--db", str(path), "--officer", TREASURER, "sar", "list")
    assert status == 2 and out == ""
    assert "only the branch secretary" in err and TREASURER in err
    status, _, err = run(capsys, "--db", str(path), "--officer", TREASURER, "export", "sar",
                         "--member", template.subject, "--out", str(tmp_path / "t"))  # fmt: skip
    assert status == 2 and "only the branch secretary" in err
    assert not (tmp_path / "t").exists()


def test_audit_rows_name_the_fields_not_the_values(
    secretary_db: Database, template: Seeded
) -> None:
    request_id = register.log_request(
        secretary_db, template.subject, template.today, "Asked in person at the AGM"
    )
    with secretary_db.read() as session:
        row = session.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "sar_requests", AuditEntry.row_id == request_id
            )
        ).one()
    assert "notes" in json.loads(row.fields)
    assert "AGM" not in row.changes and row.officer == SECRETARY


def test_collective_case_links_are_real(secretary_db: Database, template: Seeded) -> None:
    # The seed made what the tests above rely on: a collective case and a contract link.
    with secretary_db.read() as session:
        assert session.scalars(select(CaseMember)).all()
        assert session.scalars(select(ContractMember)).all()


def test_export_and_register_on_sqlite_and_postgresql(any_db: Database, tmp_path: Path) -> None:
    from branchdesk.members.service import MemberForm, create_member

    for number, first, last in (("F001", "Ava", "Example"), ("F002", "Ben", "Sample")):
        create_member(
            any_db,
            MemberForm(membership_number=number, first_name=first, last_name=last,
                       employer="Fictional Council", date_joined=date(2020, 1, 6)),
        )  # fmt: skip
    today = date(2026, 5, 4)
    reference = open_case(
        any_db,
        CaseForm(membership_number="F001", case_type="grievance", title="Rota <b>&",
                 rep="Rep Example", opened_on=date(2026, 4, 1), other_members=["F002"]),
        today=today,
    )  # fmt: skip
    with any_db.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
    assert case_id is not None
    add_entry(
        any_db, case_id, EntryForm(date(2026, 4, 2), "note", "Call", "ben sample phoned"), today
    )
    request_id = register.log_request(any_db, "F001", date(2026, 4, 30), today=today)
    assert register.get_request(any_db, request_id).due_on == date(2026, 6, 1)  # 30 May: Saturday
    result = export_sar(any_db, "F001", tmp_path / "sar", BRANCH, today, request_id)
    pdf = pdf_text(result.pdf)
    assert reference in pdf and "Rota <b>&" in pdf and "ben sample phoned" in pdf
    named = sheet_rows(workbook_cells(result.review), "Other people named")
    assert {(r["Name"], r["Who they are"]) for r in named} >= {
        ("Ben Sample", "Member: another member of this collective case"),
        ("Ben Sample", "Member named in the text"),
        ("Rep Example", "Rep"),
    }
    assert register.get_request(any_db, request_id).status == "in_progress"
