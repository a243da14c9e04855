"""A sickness absence, capability or disciplinary case shows its timeline and documents only
when asked, and each asking is recorded once in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from officer_helpers import add_officers, open_window
from sqlalchemy import select
from ui_helpers import click

from branchdesk.casework.codes import EntryKind
from branchdesk.casework.service import CaseForm, EntryForm, add_entry, case_id_by_reference
from branchdesk.casework.service import open_case as open_case_record
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.ui.casework.cases_page import SHOW_SENSITIVE
from branchdesk.ui.context import AppContext

pytestmark = pytest.mark.timeout(120)

NOTE = "Fictional note: occupational health appointment booked"


def _case(db: Database, case_type: str, number: str) -> int:
    reference = open_case_record(
        db,
        CaseForm(
            membership_number=number,
            case_type=case_type,
            title="Review meeting",
            rep="Sam Example",
            opened_on=date.today(),
        ),
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    add_entry(db, case_id, EntryForm(happened_on=date.today(), kind=EntryKind.NOTE, body=NOTE))
    return case_id


def _views(db: Database) -> list[tuple[str, int | None]]:
    with db.read(system=True) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "view")).all()
    return [(r.officer, r.row_id) for r in rows]


def test_the_button_shows_the_detail_and_records_one_view(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    add_officers(db)
    sickness = _case(db, "sickness_absence", "M001")
    grievance = _case(db, "grievance", "M002")
    window = open_window(qtbot, ctx)
    page = window.casework_tab.cases_page
    pane = page.detail

    window.casework_tab.show_case(sickness)
    assert pane.sealed and pane.timeline.rowCount() == 0
    assert pane.timeline_stack.currentWidget() is pane.sealed_timeline
    assert pane.documents_stack.currentWidget() is pane.sealed_documents
    assert pane.blocks.tabText(0) == "Timeline" and pane.blocks.tabText(3) == "Documents"
    assert "Hidden until asked for" in pane.blocks.tabBar().tabToolTip(0)
    assert "sickness absence case" in pane.sealed_timeline.text.text()
    assert pane.sealed_timeline.button.text() == SHOW_SENSITIVE
    assert pane.blocks.tabText(1).startswith("Deadlines")  # the rest shows as ever
    assert _views(db) == []

    click(qtbot, pane.sealed_timeline.button)
    assert not pane.sealed
    assert pane.timeline_stack.currentIndex() == 0
    assert NOTE in pane.timeline.item(0, 1).text()
    assert pane.blocks.tabText(0) == "Timeline (1)"
    assert _views(db) == [("Sam Example", sickness)]

    # Read again (a refresh after a change): still shown, not recorded again.
    page.refresh()
    assert not pane.sealed and pane.timeline.rowCount() == 1
    assert _views(db) == [("Sam Example", sickness)]

    # A grievance is not hidden; coming back to the sickness case, it is again.
    window.casework_tab.show_case(grievance)
    assert not pane.sealed and NOTE in pane.timeline.item(0, 1).text()
    window.casework_tab.show_case(sickness)
    assert pane.sealed and pane.timeline.rowCount() == 0
    assert _views(db) == [("Sam Example", sickness)]
