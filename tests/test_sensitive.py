"""Health and disciplinary detail: hidden until asked for, and each opening recorded once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from branchdesk.access.officers import add_officer, create_first_officer, sign_in
from branchdesk.casework.codes import CaseType, EntryKind
from branchdesk.casework.documents import attach_document
from branchdesk.casework.models import Case
from branchdesk.casework.queries import get_case
from branchdesk.casework.sensitive import (
    SENSITIVE_TYPES,
    is_sensitive,
    open_sensitive,
    sealed,
    with_detail,
)
from branchdesk.casework.service import CaseForm, EntryForm, add_entry, open_case
from branchdesk.members.service import MemberForm, create_member
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import AccessDenied

TODAY = date(2026, 11, 23)
PASSWORD = "a long fictional password"
# A made-up marker: it must never reach the audit log.
HEALTH_NOTE = "Fictional note: occupational health referral ZQX-MARKER"


def _case(db: Database, case_type: str, rep: str = "Sam Example") -> int:
    reference = open_case(
        db,
        CaseForm(
            membership_number="M1",
            case_type=case_type,
            title="Attendance review",
            rep=rep,
            opened_on=date(2026, 10, 1),
            problem_arose_on=date(2026, 9, 1),
        ),
        today=TODAY,
    )
    with db.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
    assert case_id is not None
    add_entry(
        db,
        case_id,
        EntryForm(happened_on=date(2026, 10, 2), kind=EntryKind.NOTE, body=HEALTH_NOTE),
        today=TODAY,
    )
    return case_id


@pytest.fixture
def branch(db: Database) -> Database:
    """A branch with a signed-in secretary, one member and a caseworker account."""
    create_first_officer(db, "Sam Example", PASSWORD)
    create_member(db, MemberForm(membership_number="M1", first_name="Ada", last_name="Lowmoor"))
    add_officer(db, "Casey Example", "caseworker", PASSWORD)
    add_officer(db, "Terry Example", "treasurer", PASSWORD)
    return db


def _views(db: Database) -> list[AuditEntry]:
    with db.read(system=True) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "view")))


def test_the_sensitive_types_are_health_and_disciplinary() -> None:
    assert {"sickness_absence", "disciplinary", "capability"} == SENSITIVE_TYPES
    assert all(is_sensitive(t) for t in (CaseType.SICKNESS, CaseType.DISCIPLINARY))
    assert is_sensitive(CaseType.CAPABILITY)
    assert not is_sensitive(CaseType.GRIEVANCE)
    assert not is_sensitive("")


def test_a_sensitive_case_is_shown_sealed_until_opened(branch: Database, tmp_path: Path) -> None:
    case_id = _case(branch, CaseType.SICKNESS)
    letter = tmp_path / "fit-note.txt"
    letter.write_text("fictional fit note")
    attach_document(branch, case_id, letter)
    case = get_case(branch, case_id)
    shown = sealed(case)
    assert shown.timeline == () and shown.documents == ()
    assert shown.reference == case.reference and shown.deadlines == case.deadlines
    assert _views(branch) == []

    detail = open_sensitive(branch, case_id)
    assert [e.body for e in detail.timeline] == [HEALTH_NOTE]
    assert [d.name for d in detail.documents] == ["fit-note.txt"]
    opened = with_detail(shown, detail)
    assert [e.body for e in opened.timeline] == [HEALTH_NOTE]


def test_each_opening_is_recorded_once_without_the_content(branch: Database) -> None:
    case_id = _case(branch, CaseType.DISCIPLINARY)
    open_sensitive(branch, case_id)
    [view] = _views(branch)
    assert (view.officer, view.table_name, view.row_id) == ("Sam Example", "cases", case_id)
    assert view.field_list() == ["documents", "timeline"]
    assert "MARKER" not in view.fields + view.changes
    open_sensitive(branch, case_id)
    assert len(_views(branch)) == 2  # every opening, not just the first


def test_a_grievance_is_not_sealed(branch: Database) -> None:
    case = get_case(branch, _case(branch, CaseType.GRIEVANCE))
    assert sealed(case) is case


def test_a_treasurer_may_not_open_it_and_the_refusal_is_recorded(branch: Database) -> None:
    case_id = _case(branch, CaseType.SICKNESS)
    sign_in(branch, "Terry Example", PASSWORD)
    with pytest.raises(AccessDenied):
        open_sensitive(branch, case_id)
    assert _views(branch) == []
    with branch.read(system=True) as session:
        denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")).all()
    assert [d.officer for d in denied] == ["Terry Example"]


def test_a_caseworker_opens_only_their_own_cases(branch: Database) -> None:
    theirs = _case(branch, CaseType.CAPABILITY, rep="Casey Example")
    other = _case(branch, CaseType.CAPABILITY, rep="Sam Example")
    sign_in(branch, "Casey Example", PASSWORD)
    with pytest.raises(KeyError):
        open_sensitive(branch, other)
    assert [e.body for e in open_sensitive(branch, theirs).timeline] == [HEALTH_NOTE]
    assert [(v.officer, v.row_id) for v in _views(branch)] == [("Casey Example", theirs)]
