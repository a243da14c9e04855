"""Erasure and anonymisation leave no trace: marker strings seeded into a closed case (title,
notes, a document's file), a lapsed member (notes, email, address) and a settled hardship claim
(circumstances) are found nowhere afterwards, not in the database file, its WAL, the documents
folder or the audit log; the ledger still checks; bulk erasure needs a second officer; only the
secretary may erase. The domain rules run on PostgreSQL too."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from branchdesk.access import officers
from branchdesk.access.roles import Role
from branchdesk.casework.documents import attach_document, documents_folder
from branchdesk.casework.models import (
    Case,
    CaseMember,
    Consent,
    Deadline,
    Document,
    StageChange,
    TimelineEntry,
)
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    case_id_by_reference,
    close_case,
    open_case,
    record_consent,
)
from branchdesk.cli import main
from branchdesk.hardship.claims import ClaimForm, create_claim, decide
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.funds import FundForm, add_strike_day, create_fund, set_taking_part
from branchdesk.hardship.ledger import check_all_funds
from branchdesk.hardship.models import (
    BankLine,
    BankStatement,
    Claim,
    LedgerEntry,
    PanelDecision,
)
from branchdesk.hardship.payments import pay
from branchdesk.hardship.rules import PaymentRules
from branchdesk.members.models import Member
from branchdesk.members.service import MemberForm, create_member
from branchdesk.money import Money
from branchdesk.privacy.erasure import SecondOfficerRefused, erase, erase_all_due
from branchdesk.privacy.models import SarRequest
from branchdesk.privacy.retention import RecordType, add_years, due
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import AccessDenied
from branchdesk.store.types import utcnow

CASE_MARK = "ZQXMARKER-CASE-7781"
MEMBER_MARK = "ZQYMARKER-MEMBER-4410"
CLAIM_MARK = "ZQWMARKER-CLAIM-9052"
PASSWORD = "a long test password"
SECRETARY = "Sam Secretary (test)"
SECOND = "Tess Treasurer (test)"
CASEWORKER = "Cal Caseworker (test)"

CLOSED_ON = date(2018, 6, 1)
SETTLED_ON = date(2019, 3, 20)
# Late enough for every record seeded to be due: the members lapse today (in the audit log).
LATE = add_years(utcnow().date(), 7)


@dataclass(frozen=True)
class Seeded:
    case_id: int  # the closed case of a current member, with a document
    member_id: int  # a lapsed member with a closed case and a paid claim of their own
    member_case_id: int
    claim_id: int  # a settled (declined) claim of a current member
    member_claim_id: int
    fund_id: int


def _staff(db: Database) -> None:
    officers.create_first_officer(db, SECRETARY, PASSWORD)
    officers.add_officer(db, SECOND, Role.TREASURER, PASSWORD)
    officers.add_officer(db, CASEWORKER, Role.CASEWORKER, PASSWORD)


def _closed_case(db: Database, number: str, mark: str, document: Path | None) -> int:
    opened = date(2018, 1, 8)
    reference = open_case(
        db,
        CaseForm(
            membership_number=number,
            case_type="grievance",
            title=f"Grievance {mark}",
            rep=CASEWORKER,
            opened_on=opened,
        ),
        today=opened,
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    add_entry(
        db,
        case_id,
        EntryForm(opened, "note", title="First meeting", body=f"Met the member. {mark} said so."),
        today=opened,
    )
    record_consent(db, case_id, "Notify ACAS", True, opened, note=f"Agreed {mark}")
    add_deadline(db, case_id, f"Appeal {mark}", date(2018, 2, 1))
    if document is not None:
        document.write_bytes(f"Letter to the employer about {mark}\n".encode() * 50)
        attach_document(db, case_id, document, today=opened)
    close_case(
        db,
        case_id,
        "won",
        CLOSED_ON,
        _version(db, case_id),
        remedy=f"Apology {mark}",
        today=CLOSED_ON,
    )
    return case_id


def _version(db: Database, case_id: int) -> int:
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.version


def seed(db: Database, tmp_path: Path, with_files: bool = True) -> Seeded:
    """A branch with one of each record due, as the secretary; signed in as them after."""
    _staff(db)
    create_member(db, MemberForm(membership_number="T100", first_name="Cora", last_name="Current"))
    create_member(db, MemberForm(membership_number="T101", first_name="Finn", last_name="Fellow"))
    create_member(
        db,
        MemberForm(
            membership_number="T200",
            first_name="Lena",
            last_name="Lapsed",
            personal_email=f"{MEMBER_MARK.lower()}@example.org",
            home_address=f"1 {MEMBER_MARK} Road, Testtown",
            notes=f"Prefers phone calls {MEMBER_MARK}",
            job_title="Porter",
        ),
    )
    case_id = _closed_case(db, "T100", CASE_MARK, tmp_path / "letter.txt" if with_files else None)
    member_case_id = _closed_case(
        db, "T200", MEMBER_MARK, tmp_path / "member-letter.txt" if with_files else None
    )

    fund_id = create_fund(
        db,
        FundForm(name="Test depot dispute", starts_on=date(2019, 3, 1)),
        PaymentRules(effective_from=date(2019, 3, 1), per_day=Money(5000)),
    )
    day_id = add_strike_day(db, fund_id, date(2019, 3, 10), "Strike")
    assert set_taking_part(db, day_id, ["T100", "T200"]) == []
    record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=date(2019, 3, 1),
            donor_kind="branch",
            donor_name="Another branch (test)",
            amount=Money(100_000),
        ),
    )
    claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number="T100",
            received_on=date(2019, 3, 15),
            days=[date(2019, 3, 10)],
            requested=Money(5000),
            circumstances=f"Rent due {CLAIM_MARK}",
            evidence=f"Payslip {CLAIM_MARK}",
        ),
    )
    decide(db, claim_id, False, None, f"Not eligible {CLAIM_MARK}")
    member_claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number="T200",
            received_on=date(2019, 3, 15),
            days=[date(2019, 3, 10)],
            requested=Money(5000),
            circumstances=f"Childcare {MEMBER_MARK}",
        ),
    )
    decide(db, member_claim_id, True, Money(5000), f"Approved {MEMBER_MARK}")
    pay(db, fund_id, {member_claim_id: Money(5000)}, SETTLED_ON, "bacs", "BATCH-1")
    with db.write() as session:
        # The decline was made "today"; date it back to 2019, as if decided then.
        claim = session.get(Claim, claim_id)
        assert claim is not None
        claim.decided_on = date(2019, 3, 18)
        # A bank statement line reconciled with the payment to the lapsed member, naming them.
        entry_id = session.scalar(
            select(LedgerEntry.id).where(LedgerEntry.claim_id == member_claim_id)
        )
        statement = BankStatement(fund_id=fund_id, source="csv")
        session.add(statement)
        session.flush()
        session.add(
            BankLine(
                fund_id=fund_id,
                statement_id=statement.id,
                fitid="t-1",
                posted_on=SETTLED_ON,
                amount=Money(-5000),
                description=f"BACS L LAPSED {MEMBER_MARK}",
                reference=f"{MEMBER_MARK}",
                entry_id=entry_id,
            )
        )
    # The member lapses now: the audit log dates it today.
    with db.write() as session:
        member = session.scalar(select(Member).where(Member.membership_number == "T200"))
        assert member is not None
        member.status = "lapsed"
        member_id = member.id
        # A subject access request they made, answered.
        session.add(
            SarRequest(
                member_id=member_id,
                received_on=date(2019, 5, 1),
                status="sent",
                sent_on=date(2019, 5, 20),
                notes=f"Asked by phone {MEMBER_MARK}",
                export_folder=f"/home/secretary/{MEMBER_MARK}",
            )
        )
    return Seeded(case_id, member_id, member_case_id, claim_id, member_claim_id, fund_id)


def _files(db: Database) -> list[Path]:
    assert db.path is not None
    found = [db.path, db.path.with_name(db.path.name + "-wal")]
    folder = documents_folder(db)
    if folder.exists():
        found += [p for p in folder.rglob("*") if p.is_file()]
    return [p for p in found if p.exists()]


def _where(db: Database, *marks: str) -> list[str]:
    """Every file (database, WAL, documents) holding one of `marks`, whole or as the word the
    full-text index keeps of it (its first, folded to lower case)."""
    needles = [m.encode() for m in marks] + [m.split("-")[0].lower().encode() for m in marks]
    hits = []
    for path in _files(db):
        data = path.read_bytes()
        hits += [f"{path.name}: {n!r}" for n in needles if n in data]
    return hits


def _audit_text(db: Database) -> str:
    with db.read(system=True) as session:
        rows = session.execute(
            select(
                AuditEntry.officer,
                AuditEntry.action,
                AuditEntry.table_name,
                AuditEntry.fields,
                AuditEntry.changes,
            )
        ).all()
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


def _erase_events(db: Database) -> list[AuditEntry]:
    with db.read(system=True) as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == "erase").order_by(AuditEntry.id)
            )
        )


def _check(db: Database, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    assert db.path is not None
    try:
        status = main(["--db", str(db.path), "check"])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, _ = capsys.readouterr()
    return status, out


# --------------------------------------------------------------------------------------------
# SQLite: no bytes left behind


def test_erasing_a_closed_case_leaves_no_trace(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed(db, tmp_path)
    assert _where(db, CASE_MARK), "the marker should be in the files before erasing"
    folder = documents_folder(db)
    with db.read() as session:
        other_doc = session.scalar(
            select(Document.stored_as).where(Document.case_id == seeded.member_case_id)
        )
    assert other_doc is not None and (folder / other_doc).is_file()

    items = [i for i in due(db, date(2024, 6, 1)) if i.kind is RecordType.CASE]
    case = next(i for i in items if i.record_id == seeded.case_id)
    assert case.reference.startswith("C-2018-") and case.member_number == "T100"
    assert CASE_MARK not in repr(case)  # the list shows no content
    result = erase(db, [case], date(2024, 6, 1))

    assert [i.key for i in result.erased] == [case.key]
    assert result.files_removed == 1 and not result.files_left
    assert result.storage_tidied
    with db.read() as session:
        assert session.get(Case, seeded.case_id) is None
        for model in (TimelineEntry, Deadline, Consent, StageChange, CaseMember, Document):
            assert session.scalar(select(model.id).where(model.case_id == seeded.case_id)) is None
    # The search index is read below the role checks, which refuse raw SQL.
    with db.read(system=True) as session:
        hits = session.execute(
            text("SELECT rowid FROM case_events_fts WHERE case_events_fts MATCH 'zqxmarker'")
        ).all()
        assert hits == []
        # The other case's note (the member's, not yet erased) is still indexed.
        assert session.execute(
            text("SELECT rowid FROM case_events_fts WHERE case_events_fts MATCH 'zqymarker'")
        ).all()
    assert _where(db, CASE_MARK) == []
    # The other case's document is still there and whole.
    assert (folder / other_doc).is_file()
    assert not any(p.name.startswith(case.reference) for p in folder.iterdir())

    events = _erase_events(db)
    assert [(e.table_name, e.row_id, e.officer) for e in events] == [
        ("cases", seeded.case_id, SECRETARY)
    ]
    changes = events[0].change_map()
    assert changes["erasure"] == [None, "deleted"]
    assert changes["case_events"] == [None, 1] and changes["case_documents"] == [None, 1]
    assert "second_officer" not in changes
    assert "zqxmarker" not in _audit_text(db).lower()
    assert _check(db, capsys) == (0, f"{db.path}: all checks passed\n")


def test_anonymising_a_lapsed_member_leaves_no_trace(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed(db, tmp_path)
    assert _where(db, MEMBER_MARK)
    members = [i for i in due(db, LATE) if i.kind is RecordType.MEMBER]
    assert [(i.record_id, i.member_number, i.member_name) for i in members] == [
        (seeded.member_id, "T200", "Lena Lapsed")
    ]
    result = erase(db, members, LATE)
    assert len(result.erased) == 1 and result.files_removed == 1

    with db.read() as session:
        member = session.get(Member, seeded.member_id)
        assert member is not None
        assert member.full_name == f"Erased member {seeded.member_id}"
        assert member.membership_number == f"ERASED-{seeded.member_id}"
        assert (member.personal_email, member.home_address, member.notes, member.job_title) == (
            "",
            "",
            "",
            "",
        )
        assert member.status == "lapsed"
        # Their case went with them; their claim keeps its amounts, loses its words.
        assert session.get(Case, seeded.member_case_id) is None
        claim = session.get(Claim, seeded.member_claim_id)
        assert claim is not None
        assert (claim.circumstances, claim.decision_reasons, claim.status) == ("", "", "paid")
        assert claim.approved == Money(5000)
        assert session.scalars(
            select(PanelDecision.reasons).where(PanelDecision.claim_id == claim.id)
        ).all() == [""]
        # The ledger still points at them, unchanged.
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.claim_id == claim.id))
        assert entry is not None and entry.member_id == seeded.member_id
        assert entry.amount == Money(-5000)
        line = session.scalar(select(BankLine))
        assert line is not None and line.description == f"Erased member {seeded.member_id}"
        request = session.scalar(select(SarRequest))
        assert request is not None and request.member_id == seeded.member_id
        assert (request.notes, request.export_folder) == ("", "")
        assert (request.status, request.sent_on) == ("sent", date(2019, 5, 20))
    assert check_all_funds(db) == []
    assert _where(db, MEMBER_MARK) == []
    tables = sorted((e.table_name, e.row_id) for e in _erase_events(db))
    assert tables == sorted(
        [
            ("members", seeded.member_id),
            ("cases", seeded.member_case_id),
            ("hardship_claims", seeded.member_claim_id),
        ]
    )
    assert MEMBER_MARK not in _audit_text(db)
    assert "Lena" not in _audit_text(db) and "Lapsed" not in _audit_text(db)
    assert _check(db, capsys)[0] == 0
    # Not listed again.
    assert [i for i in due(db, LATE) if i.kind is RecordType.MEMBER] == []


def test_anonymising_a_settled_claim_keeps_its_money(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed(db, tmp_path, with_files=False)
    assert _where(db, CLAIM_MARK)
    claims = [i for i in due(db, date(2026, 1, 1)) if i.kind is RecordType.HARDSHIP_CLAIM]
    # The declined claim (decided 18 Mar 2019) and the paid one (last paid 20 Mar 2019).
    assert sorted(i.record_id for i in claims) == sorted([seeded.claim_id, seeded.member_claim_id])
    declined = next(i for i in claims if i.record_id == seeded.claim_id)
    result = erase(db, [declined], date(2026, 1, 1))
    assert result.erased == [declined]
    with db.read() as session:
        claim = session.get(Claim, seeded.claim_id)
        assert claim is not None
        assert (claim.circumstances, claim.evidence, claim.decision_reasons) == ("", "", "")
        assert (claim.status, claim.requested, claim.reference) == (
            "declined",
            Money(5000),
            declined.reference,
        )
    assert _where(db, CLAIM_MARK) == []
    assert CLAIM_MARK not in _audit_text(db)
    event = _erase_events(db)[0]
    assert (event.table_name, event.row_id) == ("hardship_claims", seeded.claim_id)
    assert set(event.field_list()) == {
        "circumstances",
        "evidence",
        "decision_reasons",
        "panel_reasons",
    }
    assert _check(db, capsys)[0] == 0
    # Nothing left to erase on it: no longer listed.
    left = [i.key for i in due(db, date(2026, 1, 1))]
    assert ("hardship_claim", seeded.claim_id) not in left
    assert ("hardship_claim", seeded.member_claim_id) in left


# --------------------------------------------------------------------------------------------
# Who may, and the second officer


def test_bulk_erasure_needs_a_right_second_officer(db: Database, tmp_path: Path) -> None:
    seed(db, tmp_path, with_files=False)
    items = due(db, LATE)
    assert len(items) >= 3

    with pytest.raises(SecondOfficerRefused, match="second officer"):
        erase(db, items, LATE)
    with pytest.raises(SecondOfficerRefused, match="someone other"):
        erase(db, items, LATE, second_officer=SECRETARY, second_password=PASSWORD)
    with pytest.raises(SecondOfficerRefused, match="not right"):
        erase(db, items, LATE, second_officer=SECOND, second_password="not the password")
    with pytest.raises(SecondOfficerRefused, match="not right"):
        erase(db, items, LATE, second_officer="Nobody Known", second_password=PASSWORD)
    assert _erase_events(db) == []
    assert len(due(db, LATE)) == len(items)
    # The wrong password counted against the second officer's account, as at sign-in.
    with db.read(system=True) as session:
        failures = session.scalars(
            select(AuditEntry.fields).where(AuditEntry.action == "sign_in_failed")
        ).all()
    assert any("second" in json.loads(f) for f in failures)
    assert db.principal is not None and db.principal.name == SECRETARY  # nobody else signed in

    result = erase(
        db, items, LATE, second_officer="tess treasurer (TEST)", second_password=PASSWORD
    )
    assert len(result.erased) == len(items) and not result.skipped
    assert result.second_officer == SECOND
    events = _erase_events(db)
    assert len(events) >= len(items)
    for event in events:
        assert event.officer == SECRETARY
        assert event.change_map()["second_officer"] == [None, SECOND]
    assert due(db, LATE) == []
    assert db.principal.name == SECRETARY


def test_only_the_secretary_may_review_or_erase(db: Database, tmp_path: Path) -> None:
    seed(db, tmp_path, with_files=False)
    items = due(db, LATE)
    officers.sign_in(db, CASEWORKER, PASSWORD)
    with pytest.raises(AccessDenied, match="subject access requests and retention"):
        due(db, LATE)
    with pytest.raises(AccessDenied):
        erase(db, items[:1], LATE)
    officers.sign_in(db, SECOND, PASSWORD)
    with pytest.raises(AccessDenied):
        erase(db, items, LATE, second_officer=SECRETARY, second_password=PASSWORD)
    with db.read(system=True) as session:
        denied = session.execute(
            select(AuditEntry.officer, AuditEntry.table_name).where(AuditEntry.action == "denied")
        ).all()
    assert (CASEWORKER, "retention") in denied and (SECOND, "retention") in denied
    officers.sign_in(db, SECRETARY, PASSWORD)
    assert len(due(db, LATE)) == len(items)
    assert _erase_events(db) == []


def test_a_record_no_longer_due_is_left_alone(db: Database, tmp_path: Path) -> None:
    from branchdesk.casework.service import reopen_case

    seeded = seed(db, tmp_path, with_files=False)
    case = next(i for i in due(db, date(2024, 6, 1)) if i.record_id == seeded.case_id)
    reopen_case(
        db,
        seeded.case_id,
        "appeal",
        date(2024, 6, 1),
        _version(db, seeded.case_id),
        today=date(2024, 6, 1),
    )
    result = erase(db, [case], date(2024, 6, 1))
    assert result.erased == [] and [i for i, _ in result.skipped] == [case]
    assert "no longer due" in result.summary()
    with db.read() as session:
        assert session.get(Case, seeded.case_id) is not None
    assert _erase_events(db) == []


def test_erase_all_due_on_a_database_without_accounts(db: Database, tmp_path: Path) -> None:
    """The demo branch has no accounts: one record at a time, never in bulk."""
    create_member(db, MemberForm(membership_number="D1", first_name="Dee", last_name="Demo"))
    first = _closed_case(db, "D1", CASE_MARK, None)
    second = _closed_case(db, "D1", CASE_MARK, None)
    with pytest.raises(SecondOfficerRefused, match="no officers' accounts"):
        erase_all_due(db, date(2024, 6, 1))
    items = due(db, date(2024, 6, 1))
    assert sorted(i.record_id for i in items) == [first, second]
    for item in items:
        assert erase(db, [item], date(2024, 6, 1)).erased == [item]
    assert due(db, date(2024, 6, 1)) == []
    assert _where(db, CASE_MARK) == []


# --------------------------------------------------------------------------------------------
# The domain logic on both databases


def test_erasure_on_both_databases(any_db: Database, tmp_path: Path) -> None:
    seeded = seed(any_db, tmp_path, with_files=False)
    items = due(any_db, LATE)
    kinds = sorted((i.kind.value, i.record_id) for i in items)
    assert kinds == sorted(
        [
            ("case", seeded.case_id),
            ("case", seeded.member_case_id),
            ("hardship_claim", seeded.claim_id),
            ("hardship_claim", seeded.member_claim_id),
            ("member", seeded.member_id),
        ]
    )
    result = erase_all_due(any_db, LATE, second_officer=SECOND, second_password=PASSWORD)
    assert result.storage_tidied, result.problems
    # The member's case and claim went with the member when their turn came, or before.
    assert len(result.erased) + len(result.skipped) == 5
    assert due(any_db, LATE) == []
    with any_db.read() as session:
        assert session.scalar(select(Case.id)) is None
        assert session.scalar(select(TimelineEntry.id)) is None
        texts = session.execute(
            select(Claim.circumstances, Claim.evidence, Claim.decision_reasons)
        ).all()
        assert all(t == ("", "", "") for t in texts) and len(texts) == 2
        member = session.get(Member, seeded.member_id)
        assert member is not None and member.first_name == "Erased"
        assert member.home_address == "" and member.personal_email == ""
        current = session.scalar(select(Member).where(Member.membership_number == "T100"))
        assert current is not None and current.first_name == "Cora"  # not due: untouched
    assert check_all_funds(any_db) == []
    audit = _audit_text(any_db)
    for mark in (CASE_MARK, MEMBER_MARK, CLAIM_MARK):
        assert mark not in audit
    assert {e.table_name for e in _erase_events(any_db)} == {
        "cases",
        "members",
        "hardship_claims",
    }


# --------------------------------------------------------------------------------------------
# The command line


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_line(
    db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeded = seed(db, tmp_path)
    db.dispose()
    path = str(db.path)
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    as_secretary = ("--db", path, "--officer", SECRETARY, "retention")

    status, out, _ = _run(capsys, *as_secretary, "due", "--on", "2024-06-01")
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "type",
        "reference",
        "member_number",
        "member_name",
        "action",
        "due_since",
        "reason",
    ]
    assert [(r[0], r[2], r[4], r[5]) for r in rows[1:]] == [
        ("case", "T100", "erase", "2024-06-01"),
        ("case", "T200", "erase", "2024-06-01"),
    ]
    assert CASE_MARK not in out and MEMBER_MARK not in out

    status, _, err = _run(capsys, *as_secretary, "apply")
    assert status == 2 and "--all for everything due" in err
    status, _, err = _run(capsys, *as_secretary, "apply", "--ref", "C-1999-0001")
    assert status == 2 and "not due for erasure today" in err
    status, _, err = _run(capsys, *as_secretary, "apply", "--all")
    assert status == 2 and "needs a second officer" in err
    monkeypatch.setenv("BRANCHDESK_SECOND_PASSWORD", "not the password")
    status, _, err = _run(capsys, *as_secretary, "apply", "--all", "--second-officer", SECOND)
    assert status == 2 and "not right" in err
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    status, _, err = _run(capsys, "--db", path, "--officer", CASEWORKER, "retention", "due")
    assert status == 2 and "subject access requests and retention" in err

    # One record needs no second officer.
    case_ref = rows[1][1]
    status, out, _ = _run(capsys, *as_secretary, "apply", "--ref", case_ref.lower())
    assert status == 0 and "1 record erased." in out and "1 document file removed." in out
    monkeypatch.setenv("BRANCHDESK_SECOND_PASSWORD", PASSWORD)
    status, out, _ = _run(capsys, *as_secretary, "apply", "--all", "--second-officer", SECOND)
    assert status == 0 and f"Confirmed by {SECOND}." in out
    status, out, _ = _run(capsys, *as_secretary, "due")
    assert status == 0 and len(out.splitlines()) >= 1  # the member is not due until later
    assert _check(db, capsys)[0] == 0
    reopened = Database(db.url, db.engine)
    with reopened.read(system=True) as session:
        assert session.get(Case, seeded.case_id) is None
    assert _where(db, CASE_MARK) == []


def test_the_schedule_on_the_command_line(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    db.dispose()
    path = str(db.path)
    status, out, _ = _run(capsys, "--db", path, "retention", "schedule")
    assert status == 0 and "erased 6 years after closing" in out
    status, out, _ = _run(
        capsys, "--db", path, "retention", "schedule", "--cases", "7", "--year-end", "31/03"
    )
    assert status == 0 and "erased 7 years" in out and "31 March" in out
    status, _, err = _run(capsys, "--db", path, "retention", "schedule", "--members", "0")
    assert status == 2 and "from 1 to 100 years" in err
    status, _, err = _run(capsys, "--db", path, "retention", "schedule", "--year-end", "30/02")
    assert status == 2 and "not a day of the year" in err
