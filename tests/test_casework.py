"""Cases: opening, eligibility, every change of stage, timeline, deadlines, documents, search."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk.casework.codes import EntryKind
from branchdesk.casework.deadlines import DeadlineRules, tribunal_deadline
from branchdesk.casework.documents import (
    NoSharedFolder,
    attach_document,
    document_path,
    documents_folder,
)
from branchdesk.casework.listing import CaseFilter, CaseListing
from branchdesk.casework.models import Case, Document, StageChange
from branchdesk.casework.queries import (
    caseload_counts,
    deadlines_due,
    get_case,
    member_cases,
    search_timeline,
)
from branchdesk.casework.rules_store import load_rules, reset_rules, save_rules
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    close_case,
    move_stage,
    open_case,
    reopen_case,
    set_deadline_done,
    update_case,
    update_entry,
)
from branchdesk.members.service import MemberForm, ValidationError, create_member
from branchdesk.settings import Preferences
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

TODAY = date(2026, 11, 23)


def _member(db: Database, number: str, joined: date | None = date(2020, 1, 6), **kw: object) -> int:
    form = MemberForm(
        membership_number=number,
        first_name="Ada",
        last_name=f"Example{number}",
        employer="Northmoor Borough Council (demo)",
        date_joined=joined,
    )
    for key, value in kw.items():
        setattr(form, key, value)
    return create_member(db, form)


def _case(db: Database, number: str = "M1", **kw: object) -> tuple[int, str]:
    form = CaseForm(
        membership_number=number,
        case_type="grievance",
        sub_type="Workload",
        title="Workload grievance",
        rep="Rep One",
        opened_on=date(2026, 10, 1),
        problem_arose_on=date(2026, 9, 1),
    )
    for key, value in kw.items():
        setattr(form, key, value)
    reference = open_case(db, form, today=TODAY)
    with db.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
    assert case_id is not None
    return case_id, reference


def test_open_case_numbers_by_year_and_records_the_opening(any_db: Database) -> None:
    _member(any_db, "M1")
    first_id, first = _case(any_db)
    _, second = _case(any_db)
    _, other_year = _case(any_db, opened_on=date(2025, 3, 3), problem_arose_on=None)
    assert (first, second, other_year) == ("C-2026-0001", "C-2026-0002", "C-2025-0001")
    detail = get_case(any_db, first_id)
    assert detail.status == "opened"
    assert detail.employer == "Northmoor Borough Council (demo)"  # the member's own employer
    assert [(s.from_stage, s.to_stage, s.changed_on) for s in detail.stages] == [
        ("", "opened", date(2026, 10, 1))
    ]
    assert detail.eligibility_note == ""


def test_open_case_refuses_bad_input_and_writes_nothing(any_db: Database) -> None:
    _member(any_db, "M1")
    bad = [
        ({"membership_number": "NOPE"}, "membership_number"),
        ({"case_type": "fight"}, "case_type"),
        ({"opened_on": date(2026, 12, 25)}, "opened_on"),
        ({"opened_on": None}, "opened_on"),
        ({"other_members": ["M1"]}, "other_members"),
        ({"title": "x" * 301}, "title"),
    ]
    for changes, field_name in bad:
        with pytest.raises(ValidationError) as info:
            _case(any_db, **changes)
        assert field_name in info.value.errors, changes
    with any_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(
    ("joined", "arose", "subs", "expected"),
    [
        (date(2020, 1, 6), date(2026, 9, 1), True, []),
        (date(2026, 9, 10), date(2026, 9, 1), True, ["before the member joined"]),
        (date(2026, 8, 20), date(2026, 9, 1), True, ["less than four weeks"]),
        (date(2026, 8, 4), date(2026, 9, 1), True, []),  # exactly four weeks: eligible
        (date(2020, 1, 6), date(2026, 9, 1), False, ["subscriptions are not up to date"]),
        (None, date(2026, 9, 1), True, ["date of joining is not recorded"]),
    ],
)
def test_eligibility_is_recorded_as_a_warning_never_a_block(
    db: Database, joined: date | None, arose: date, subs: bool, expected: list[str]
) -> None:
    _member(db, "M1", joined=joined, subs_up_to_date=subs)
    case_id, _ = _case(db, problem_arose_on=arose)
    note = get_case(db, case_id).eligibility_note
    assert len(note.splitlines()) == len(expected)
    for words in expected:
        assert words in note


def test_every_stage_change_is_kept_with_its_date(any_db: Database) -> None:
    _member(any_db, "M1")
    case_id, _ = _case(any_db)
    moves = [
        ("investigating", date(2026, 10, 5)),
        ("hearing_arranged", date(2026, 10, 12)),
        ("awaiting_outcome", date(2026, 10, 20)),
        ("appeal", date(2026, 10, 28)),
        ("referred_to_region", date(2026, 11, 2)),
    ]
    for stage, on in moves:
        version = get_case(any_db, case_id).version
        move_stage(any_db, case_id, stage, on, version, note=f"to {stage}", today=TODAY)
        detail = get_case(any_db, case_id)
        assert (detail.status, detail.status_changed_on) == (stage, on)
    version = get_case(any_db, case_id).version
    close_case(any_db, case_id, "settled", date(2026, 11, 10), version, remedy="£500", today=TODAY)
    detail = get_case(any_db, case_id)
    assert (detail.status, detail.closed_on, detail.outcome, detail.remedy) == (
        "closed",
        date(2026, 11, 10),
        "settled",
        "£500",
    )
    reopen_case(any_db, case_id, "appeal", date(2026, 11, 20), detail.version, today=TODAY)
    detail = get_case(any_db, case_id)
    assert (detail.status, detail.closed_on, detail.outcome) == ("appeal", None, "")
    history = [(s.from_stage, s.to_stage) for s in detail.stages]
    assert history == [
        ("", "opened"),
        ("opened", "investigating"),
        ("investigating", "hearing_arranged"),
        ("hearing_arranged", "awaiting_outcome"),
        ("awaiting_outcome", "appeal"),
        ("appeal", "referred_to_region"),
        ("referred_to_region", "closed"),
        ("closed", "appeal"),
    ]


def test_stage_moves_that_make_no_sense_are_refused(db: Database) -> None:
    _member(db, "M1")
    case_id, _ = _case(db)

    def version() -> int:
        return get_case(db, case_id).version

    with pytest.raises(ValidationError, match="already at Opened"):
        move_stage(db, case_id, "opened", date(2026, 10, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="outcome"):
        move_stage(db, case_id, "closed", date(2026, 10, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="stage called"):
        move_stage(db, case_id, "limbo", date(2026, 10, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="future"):
        move_stage(db, case_id, "appeal", date(2026, 12, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="on or after"):
        move_stage(db, case_id, "appeal", date(2026, 9, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="outcome"):
        close_case(db, case_id, "draw", date(2026, 10, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="not closed"):
        reopen_case(db, case_id, "appeal", date(2026, 10, 2), version(), today=TODAY)
    close_case(db, case_id, "won", date(2026, 10, 2), version(), today=TODAY)
    with pytest.raises(ValidationError, match="reopen it first"):
        move_stage(db, case_id, "appeal", date(2026, 10, 3), version(), today=TODAY)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(StageChange)) == 2


def test_an_edit_made_against_an_old_version_is_refused(any_db: Database) -> None:
    _member(any_db, "M1")
    case_id, _ = _case(any_db)
    stale = get_case(any_db, case_id).version
    move_stage(any_db, case_id, "investigating", date(2026, 10, 2), stale, today=TODAY)
    with pytest.raises(StaleEdit, match="changed by someone else"):
        move_stage(any_db, case_id, "appeal", date(2026, 10, 3), stale, today=TODAY)
    form = CaseForm(
        membership_number="M1",
        case_type="disciplinary",
        opened_on=date(2026, 10, 1),
        version=stale,
    )
    with pytest.raises(StaleEdit):
        update_case(any_db, case_id, form, today=TODAY)
    assert get_case(any_db, case_id).case_type == "grievance"


def test_collective_case_lists_members_and_shows_on_each_members_page(any_db: Database) -> None:
    ids = [_member(any_db, f"M{n}") for n in range(1, 4)]
    case_id, reference = _case(any_db, other_members=["M2", "M3"])
    detail = get_case(any_db, case_id)
    assert [m.membership_number for m in detail.other_members] == ["M2", "M3"]
    for member_id in ids:
        assert [row[1] for row in member_cases(any_db, member_id)] == [reference]
    form = CaseForm(
        membership_number="M1",
        case_type="grievance",
        opened_on=date(2026, 10, 1),
        other_members=["M3"],
        version=detail.version,
    )
    update_case(any_db, case_id, form, today=TODAY)
    assert member_cases(any_db, ids[1]) == []
    assert [m.membership_number for m in get_case(any_db, case_id).other_members] == ["M3"]


def test_timeline_entries_in_date_order_editable_and_searchable(any_db: Database) -> None:
    _member(any_db, "M1")
    case_id, reference = _case(any_db)
    later = add_entry(
        any_db,
        case_id,
        EntryForm(date(2026, 10, 9), "hearing", "Hearing", "Panel heard the grievance"),
        today=TODAY,
    )
    add_entry(
        any_db,
        case_id,
        EntryForm(date(2026, 10, 3), "phone_call", "Rang HR", "<b>Smith & Sons</b> = 1"),
        today=TODAY,
    )
    entries = get_case(any_db, case_id).timeline
    assert [e.kind for e in entries] == ["phone_call", "hearing"]
    assert entries[0].body == "<b>Smith & Sons</b> = 1"
    assert [row[2] for row in search_timeline(any_db, "panel griev")] == [reference]
    assert search_timeline(any_db, "smith") and search_timeline(any_db, "nothing-like") == []
    assert search_timeline(any_db, 'AND OR " NEAR(') == []  # operators are plain words
    entry = entries[1]
    update_entry(
        any_db,
        later,
        EntryForm(date(2026, 10, 9), "hearing", "Hearing", "Adjourned", True, entry.version),
        today=TODAY,
    )
    assert search_timeline(any_db, "panel") == []  # the old words are gone from the index
    assert [row[0] for row in search_timeline(any_db, "adjourned")] == [later]
    with pytest.raises(StaleEdit):
        update_entry(
            any_db,
            later,
            EntryForm(date(2026, 10, 9), "hearing", "x", "", False, entry.version),
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        add_entry(any_db, case_id, EntryForm(date(2026, 10, 9), "gossip", "x"), today=TODAY)
    with pytest.raises(ValidationError):
        add_entry(any_db, case_id, EntryForm(date(2026, 10, 9), EntryKind.NOTE, " ", " "))


def test_deadlines_across_cases_by_rep_overdue_and_done(any_db: Database) -> None:
    _member(any_db, "M1")
    _member(any_db, "M2")
    first, ref1 = _case(any_db)
    second, ref2 = _case(any_db, "M2", rep="Rep Two")
    rules = DeadlineRules.defaults()
    computed = tribunal_deadline(rules, "general", date(2026, 9, 1))
    tribunal = add_deadline(
        any_db, first, "ET claim", computed.due, computed.rule, "\n".join(computed.steps)
    )
    add_deadline(any_db, second, "Appeal letter", date(2026, 11, 20))  # overdue on TODAY
    add_deadline(any_db, second, "Statement", date(2027, 1, 20))  # beyond the fortnight
    due = deadlines_due(any_db, TODAY)
    assert [(d.reference, d.title, d.due_on) for d in due] == [
        (ref2, "Appeal letter", date(2026, 11, 20)),
        (ref1, "ET claim", date(2026, 11, 30)),
    ]
    assert due[1].rule == "tribunal.general" and "three months less one day" in due[1].working
    assert [d.title for d in deadlines_due(any_db, TODAY, rep="Rep Two")] == ["Appeal letter"]
    assert [d.title for d in deadlines_due(any_db, TODAY, include_overdue=False)] == ["ET claim"]
    assert len(deadlines_due(any_db, TODAY, within_days=None)) == 3
    set_deadline_done(any_db, tribunal, date(2026, 11, 21), due[1].version)
    assert [d.title for d in deadlines_due(any_db, TODAY)] == ["Appeal letter"]
    with pytest.raises(StaleEdit):
        set_deadline_done(any_db, tribunal, None, due[1].version)
    with pytest.raises(ValidationError):
        add_deadline(any_db, first, "  ", date(2027, 1, 1))


def test_case_list_filters_searches_and_sorts_in_sql(any_db: Database) -> None:
    _member(any_db, "M1")
    _member(any_db, "M2", first_name="Zed")
    a, _ = _case(any_db)
    b, ref_b = _case(any_db, "M2", case_type="disciplinary", rep="Rep Two", title="Timekeeping")
    add_deadline(any_db, b, "Appeal", date(2026, 12, 1))
    close_case(any_db, a, "won", date(2026, 10, 5), get_case(any_db, a).version, today=TODAY)
    everything = CaseListing(any_db)
    assert everything.ids() == [b, a] or everything.ids() == [a, b]
    assert CaseListing(any_db, CaseFilter(status="open")).ids() == [b]
    assert CaseListing(any_db, CaseFilter(status="closed")).ids() == [a]
    assert CaseListing(any_db, CaseFilter(rep="Rep Two")).ids() == [b]
    assert CaseListing(any_db, CaseFilter(case_type="grievance")).ids() == [a]
    assert everything.ids("timekeep") == [b]
    assert everything.ids("m1") == [a]
    assert everything.ids(ref_b.lower()) == [b]
    assert everything.ids("", "next_due") == [b, a]  # no deadline sorts last
    assert everything.ids("", "next_due", descending=True) == [b, a]
    row = everything.rows([b])[b]
    assert row[0] == ref_b and row[3] == "Disciplinary" and row[6] == "Opened"
    assert row[8] == date(2026, 12, 1)
    counts = caseload_counts(any_db)
    assert counts["type"] == {"disciplinary": 1} and counts["rep"] == {"Rep Two": 1}


def test_attached_document_is_copied_in_with_its_checksum(db: Database, tmp_path: Path) -> None:
    _member(db, "M1")
    case_id, reference = _case(db)
    usb = tmp_path / "usb"
    usb.mkdir()
    letter = usb / "Outcome letter <final>.pdf"
    letter.write_bytes(b"%PDF-1.4 not really" * 1000)
    attach_document(db, case_id, letter, today=TODAY)
    letter.unlink()  # the stick is gone; the case keeps its copy
    (document,) = get_case(db, case_id).documents
    assert document.name == "Outcome letter <final>.pdf"
    assert document.size == 19_000
    assert document.sha256 == hashlib.sha256(b"%PDF-1.4 not really" * 1000).hexdigest()
    check = document_path(db, document)
    assert check.ok and check.path.is_relative_to(documents_folder(db) / reference)
    check.path.write_bytes(b"tampered")
    assert "changed since it was attached" in document_path(db, document).problem
    with pytest.raises(ValidationError, match="not a file"):
        attach_document(db, case_id, usb / "missing.pdf")


def test_a_document_not_listed_is_not_kept(db: Database, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("x")
    with pytest.raises(StaleEdit):
        attach_document(db, 999, source)
    folder = documents_folder(db)
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_deadline_rules_are_shared_through_the_database(any_db: Database) -> None:
    rules, version = load_rules(any_db)
    assert version is None and rules == DeadlineRules.defaults()
    edited = rules.with_era2025(date(2027, 4, 6), confirmed=True)
    new_version = save_rules(any_db, edited, version)
    assert load_rules(any_db) == (edited, new_version)
    with pytest.raises(StaleEdit):
        save_rules(any_db, rules, version)  # an editor who read the defaults before
    reset_rules(any_db, new_version)
    assert load_rules(any_db)[1] is None


def test_case_changes_are_audited_without_personal_text(db: Database, tmp_path: Path) -> None:
    _member(db, "M1")
    case_id, _ = _case(db, title="Private words about health")
    add_entry(db, case_id, EntryForm(date(2026, 10, 2), "note", "Secret", "Medical detail"))
    add_deadline(db, case_id, "Appeal re her dismissal for theft", date(2026, 12, 1))
    note = tmp_path / "Jane Example fit note - depression.pdf"
    note.write_bytes(b"%PDF")
    attach_document(db, case_id, note, today=TODAY)
    tables = ["cases", "case_events", "case_deadlines", "case_documents"]
    with db.read() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.table_name.in_(tables))).all()
    assert {r.table_name for r in rows} == set(tables)
    text = " ".join(r.changes for r in rows)
    for private in ("Private words", "Medical detail", "Secret", "theft", "Jane", "depression"):
        assert private not in text, private
    (document,) = get_case(db, case_id).documents
    assert document.name == note.name and "Jane" not in document.stored_as
    assert document.stored_as.endswith(".pdf")
    assert "grievance" in text  # the type is not personal, so its value is kept


def test_eligibility_is_checked_again_when_the_member_or_date_changes(db: Database) -> None:
    _member(db, "M1")
    _member(db, "M2", joined=date(2026, 9, 20))
    case_id, _ = _case(db)
    assert get_case(db, case_id).eligibility_note == ""
    form = CaseForm(
        membership_number="M2",
        case_type="grievance",
        opened_on=date(2026, 10, 1),
        problem_arose_on=date(2026, 9, 1),
        version=get_case(db, case_id).version,
    )
    update_case(db, case_id, form, today=TODAY)
    assert "before the member joined" in get_case(db, case_id).eligibility_note
    form.membership_number, form.version = "M1", get_case(db, case_id).version
    update_case(db, case_id, form, today=TODAY)
    assert get_case(db, case_id).eligibility_note == ""


def test_a_stale_change_to_the_other_members_is_refused(any_db: Database) -> None:
    for n in range(1, 5):
        _member(any_db, f"M{n}")
    case_id, _ = _case(any_db)
    read = get_case(any_db, case_id).version

    def form(others: list[str]) -> CaseForm:
        return CaseForm(
            membership_number="M1",
            case_type="grievance",
            sub_type="Workload",
            title="Workload grievance",
            rep="Rep One",
            opened_on=date(2026, 10, 1),
            problem_arose_on=date(2026, 9, 1),
            other_members=others,
            version=read,
        )

    update_case(any_db, case_id, form(["M2", "M3"]), today=TODAY)
    with pytest.raises(StaleEdit):
        update_case(any_db, case_id, form(["M4"]), today=TODAY)  # read before the first save
    assert [m.membership_number for m in get_case(any_db, case_id).other_members] == ["M2", "M3"]


def test_long_names_are_refused_with_a_message(db: Database) -> None:
    _member(db, "M1")
    for field_name in ("companion_name", "employer"):
        with pytest.raises(ValidationError) as info:
            _case(db, **{field_name: "x" * 201})
        assert field_name in info.value.errors


def test_notes_search_cuts_words_the_same_on_both_databases(any_db: Database) -> None:
    _member(any_db, "M1")
    case_id, reference = _case(any_db)
    add_entry(
        any_db,
        case_id,
        EntryForm(date(2026, 10, 2), "note", "", "R&D ill-health j.smith@example.com O'Brien"),
        today=TODAY,
    )
    cat = add_entry(any_db, case_id, EntryForm(date(2026, 10, 3), "note", "", "C is for cat"))
    for words in ("R&D", "ill-health", "j.smith@example.com", "O'Brien", "bri", "HEALTH ill"):
        assert [row[2] for row in search_timeline(any_db, words)] == [reference], words
    # "C++" is the word "c" as a prefix, no operators. (SQLite also finds the "com" of the email
    # address, which PostgreSQL's parser keeps whole.)
    assert cat in {row[0] for row in search_timeline(any_db, "C++")}
    for nothing in ("&", "!:*", "()", "''"):
        assert search_timeline(any_db, nothing) == [], nothing


def test_a_shared_database_keeps_documents_in_the_shared_folder(
    any_db: Database, tmp_path: Path
) -> None:
    _member(any_db, "M1")
    case_id, _ = _case(any_db)
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear member")
    if any_db.path is None:
        # No shared folder set: refused, with what to do, and nothing listed.
        with pytest.raises(NoSharedFolder, match="Edit › Preferences"):
            attach_document(any_db, case_id, letter)
        assert get_case(any_db, case_id).documents == ()
        prefs = Preferences()
        prefs.set("documents_folder", str(tmp_path / "share"))
        prefs.save()
        with pytest.raises(ValidationError, match="cannot be reached"):
            attach_document(any_db, case_id, letter)
        (tmp_path / "share").mkdir()
    attach_document(any_db, case_id, letter)
    (document,) = get_case(any_db, case_id).documents
    check = document_path(any_db, document)
    assert check.ok and check.path.read_text() == "Dear member"
    if any_db.path is None:
        assert check.path.is_relative_to(tmp_path / "share")
