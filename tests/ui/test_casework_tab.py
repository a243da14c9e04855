"""The Casework tab: opening and working a case through its dialogs, the Deadlines page and
the filters, the way a rep would (clicking and typing)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from ui_helpers import click, column_texts, type_into

from branchdesk.casework.documents import documents_folder
from branchdesk.casework.queries import get_case
from branchdesk.casework.service import CaseForm, case_id_by_reference, move_stage, open_case
from branchdesk.exports.text import short_date
from branchdesk.store.database import Database
from branchdesk.ui import style
from branchdesk.ui.casework.cases_page import CasesPage
from branchdesk.ui.casework.casework_tab import CaseworkTab
from branchdesk.ui.casework.dialogs import (
    CloseCaseDialog,
    DeadlineDialog,
    EntryDialog,
    MoveStageDialog,
    OpenCaseDialog,
)
from branchdesk.ui.context import AppContext


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext) -> CaseworkTab:
    widget = CaseworkTab(ctx)
    qtbot.addWidget(widget, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _choose(combo: Any, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not offered"
    combo.setCurrentIndex(index)


def open_through_dialog(
    qtbot: Any, page: CasesPage, dialogs: Any, number: str, title: str, rep: str | None = None
) -> str:
    seen: dict[str, Any] = {}

    def fill(d: OpenCaseDialog) -> None:
        assert d.rep.text() == "Test Officer"  # the officer is the rep unless changed
        assert d.opened_on.date() == QDate.currentDate()
        type_into(qtbot, d.member, number)
        seen["name"] = d.member_found.text()
        _choose(d.case_type, "Grievance")
        type_into(qtbot, d.title, title)
        if rep is not None:
            type_into(qtbot, d.rep, rep)
        click(qtbot, d.save_button)
        seen["reference"] = d.reference

    dialogs.dialogs.append(fill)
    click(qtbot, page.open_button)
    assert seen["reference"], "the case was not opened"
    return str(seen["reference"])


def _wait_listed(qtbot: Any, page: CasesPage, reference: str, present: bool = True) -> None:
    qtbot.waitUntil(lambda: (reference in column_texts(page.table, 0)) == present, timeout=5000)


def test_open_a_case_and_work_it(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    assert [tab.pages.tabText(i) for i in range(tab.pages.count())] == [
        "Cases",
        "Deadlines",
        "Members",
    ]
    page = tab.cases_page
    reference = open_through_dialog(qtbot, page, dialogs, "M001", "Overtime rota grievance")
    _wait_listed(qtbot, page, reference)
    assert page.selected_id() == case_id_by_reference(db, reference)
    assert page.detail.heading.text() == f"{reference} · Ada Lowmoor"
    summary = page.detail.summary.text()
    assert "Grievance" in summary and "Opened" in summary and "Test Officer" in summary
    assert not dialogs.messages("info")  # Ada is eligible: no warning
    assert page.detail.warnings.isHidden()
    row = column_texts(page.table, 0).index(reference)
    opened = page.model.index(row, page.model.column_index("opened_on")).data()
    today = date.today()
    assert opened == f"{today.day} {today.strftime('%b')} {today.year}"

    # A timeline entry.
    def entry(d: EntryDialog) -> None:
        _choose(d.kind, "Meeting")
        type_into(qtbot, d.title, "First meeting with Ada")
        type_into(qtbot, d.body, "Agreed to raise a formal grievance.")
        click(qtbot, d.confidential)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(entry)
    click(qtbot, page.entry_button)
    [timeline_row] = page.detail.texts(page.detail.timeline)
    # One column says when (the date over the kind), the other the entry (title over text).
    assert timeline_row[0].endswith("\nMeeting")
    assert timeline_row[1] == (
        "🔒 Confidential: First meeting with Ada\nAgreed to raise a formal grievance."
    )

    # Move the stage.
    def move(d: MoveStageDialog) -> None:
        _choose(d.to_stage, "Investigating")
        type_into(qtbot, d.note, "Employer investigating")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(move)
    click(qtbot, page.move_button)
    assert "Investigating" in page.detail.summary.text()
    qtbot.waitUntil(
        lambda: "Investigating" in column_texts(page.table, page.model.column_index("status"))
    )

    # A computed deadline: an internal appeal, 5 working days after the outcome letter.
    shown: dict[str, str] = {}

    def deadline(d: DeadlineDialog) -> None:
        click(qtbot, d.appeal)
        d.letter_date.setDate(QDate.currentDate())
        shown["due"] = d.due_label.text()
        shown["steps"] = d.steps_label.text()
        shown["title"] = d.title.text()
        click(qtbot, d.save_button)

    dialogs.dialogs.append(deadline)
    click(qtbot, page.deadline_button)
    assert "5 working days" in shown["title"]
    assert "days left" in shown["due"] and "working days after it" in shown["steps"]
    [deadline_row] = page.detail.texts(page.detail.deadlines)
    assert deadline_row[1].endswith("days left") and "5 working days" in deadline_row[2]

    tab.pages.setCurrentWidget(tab.deadlines_page)
    rows = tab.deadlines_page.texts()
    assert [r[2] for r in rows] == [reference]
    assert rows[0][1].endswith("days left") and rows[0][5] == "Test Officer"

    # Mark it met: it leaves the Deadlines page.
    tab.pages.setCurrentWidget(tab.cases_page)
    page.detail.deadlines.selectRow(0)
    click(qtbot, page.met_button)
    assert page.detail.texts(page.detail.deadlines)[0][1].startswith("met ")
    tab.pages.setCurrentWidget(tab.deadlines_page)
    assert tab.deadlines_page.texts() == []
    tab.pages.setCurrentWidget(tab.cases_page)

    # Attach a document.
    letter = tmp_path / "outcome letter.pdf"
    letter.write_bytes(b"%PDF-1.4 letter")
    dialogs.open_files.append(letter)
    click(qtbot, page.attach_button)
    qtbot.waitUntil(lambda: page.detail.documents.rowCount() == 1, timeout=5000)
    assert page.detail.texts(page.detail.documents)[0][0] == "outcome letter.pdf"
    assert page.detail.texts(page.detail.documents)[0][2] == "15 bytes"
    checksum = hashlib.sha256(b"%PDF-1.4 letter").hexdigest()
    assert page.detail.texts(page.detail.documents)[0][3] == checksum[:12]
    assert page.detail.documents.item(0, 3).toolTip() == f"SHA-256 {checksum}"
    # A copy gone missing is explained rather than opened.
    for stored in documents_folder(db).rglob("*.pdf"):
        stored.unlink()
    page.open_document(0)
    [(title, text)] = dialogs.messages("error")
    assert title == "The document cannot be opened" and "missing" in text

    # Close with an outcome.
    def close(d: CloseCaseDialog) -> None:
        _choose(d.outcome, "Won")
        type_into(qtbot, d.remedy, "Rota changed back")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(close)
    click(qtbot, page.close_button)
    assert "Closed" in page.detail.summary.text() and "Won" in page.detail.summary.text()
    assert page.reopen_button.isEnabled() and not page.close_button.isEnabled()
    # The list shows open cases by default, so it leaves the list.
    _wait_listed(qtbot, page, reference, present=False)
    _choose(page.status, "Closed cases")
    _wait_listed(qtbot, page, reference)


def test_open_case_problems_show_beside_the_fields_and_eligibility_warns(
    qtbot: Any, tab: CaseworkTab, dialogs: Any
) -> None:
    page = tab.cases_page
    seen: dict[str, str] = {}

    def unknown_member(d: OpenCaseDialog) -> None:
        type_into(qtbot, d.member, "X999")
        click(qtbot, d.save_button)
        seen["type"] = d.error_text("case_type")
        _choose(d.case_type, "Disciplinary")
        click(qtbot, d.save_button)
        seen["member"] = d.error_text("membership_number")
        seen["open"] = str(d.isVisible())
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(unknown_member)
    click(qtbot, page.open_button)
    assert seen["type"] == "Choose the type of case."
    assert seen["member"] == "No member has the membership number X999."
    assert seen["open"] == "True"

    # Bob's subs are not up to date: the case opens, with a warning.
    reference = open_through_dialog(qtbot, page, dialogs, "M002", "Late shifts")
    [(title, text)] = dialogs.messages("info")
    assert reference in title and "subscriptions are not up to date" in text
    assert "subscriptions" in page.detail.warnings.text()
    assert not page.detail.warnings.isHidden()


def test_member_search_offers_matches(qtbot: Any, tab: CaseworkTab, dialogs: Any) -> None:
    seen: dict[str, Any] = {}

    def search(d: OpenCaseDialog) -> None:
        d.member.setFocus()
        qtbot.keyClicks(d.member, "singer")
        qtbot.waitUntil(lambda: d._matches.rowCount() == 1, timeout=3000)
        seen["matches"] = d._matches.stringList()
        d.member.setText(d._matches.stringList()[0])
        seen["number"] = d.number()
        seen["found"] = d.member_found.text()
        d.reject()

    dialogs.dialogs.append(search)
    click(qtbot, tab.cases_page.open_button)
    assert seen["matches"] == ["M003 — Carol Singer"]
    assert seen["number"] == "M003" and seen["found"] == "Carol Singer"


def test_my_cases_and_rep_filter(qtbot: Any, tab: CaseworkTab, dialogs: Any, db: Database) -> None:
    page = tab.cases_page
    mine = open_through_dialog(qtbot, page, dialogs, "M001", "Mine")
    theirs = open_through_dialog(qtbot, page, dialogs, "M003", "Theirs", rep="Sam Steward")
    _wait_listed(qtbot, page, theirs)
    assert set(column_texts(page.table, 0)) == {mine, theirs}
    click(qtbot, page.my_cases)
    qtbot.waitUntil(lambda: column_texts(page.table, 0) == [mine], timeout=5000)
    assert not page.rep.isEnabled()
    click(qtbot, page.my_cases)
    _choose(page.rep, "Sam Steward")
    qtbot.waitUntil(lambda: column_texts(page.table, 0) == [theirs], timeout=5000)
    _choose(page.rep, "All reps")
    type_into(qtbot, page.filter_bar.edit, "lowmoor")
    qtbot.waitUntil(lambda: column_texts(page.table, 0) == [mine], timeout=5000)


def test_overdue_deadlines_are_red_and_lead_to_their_case(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    reference = open_through_dialog(qtbot, page, dialogs, "M001", "Late reply")
    past = date.today() - timedelta(days=3)

    def by_hand(d: DeadlineDialog) -> None:
        type_into(qtbot, d.title, "Reply to the employer")
        d.due_on.setDate(QDate(past))
        click(qtbot, d.save_button)

    dialogs.dialogs.append(by_hand)
    click(qtbot, page.deadline_button)
    [row] = page.detail.texts(page.detail.deadlines)
    assert row[1] == "overdue by 3 days"
    assert page.detail.deadlines.item(0, 1).foreground().color() == QColor(style.ERROR)
    # The case list's next deadline is red too, with the days on hover.
    due_column = [c.key for c in page.model.columns].index("next_due")
    qtbot.waitUntil(lambda: column_texts(page.table, due_column) == [short_date(past)])
    cell = page.model.index(0, due_column)
    assert cell.data(Qt.ItemDataRole.ForegroundRole) == QColor(style.ERROR)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "Overdue by 3 days"

    deadlines = tab.deadlines_page
    tab.pages.setCurrentWidget(deadlines)
    assert deadlines.texts()[0][1:3] == ["overdue by 3 days", reference]
    assert deadlines.texts()[0][4] == "Reply to the employer"
    assert deadlines.texts()[0][3].startswith("Lowmoor, ")  # the member, as the case list
    assert deadlines.table.item(0, 0).foreground().color() == QColor(style.ERROR)
    assert "1 overdue" in deadlines.count_label.text()
    _choose(deadlines.rep, "Test Officer")
    _choose(deadlines.window_choice, "All open deadlines")
    assert len(deadlines.texts()) == 1

    # Double-click goes to the case, even when the Cases filters hide it.
    _choose(page.status, "Closed cases")
    qtbot.waitUntil(lambda: column_texts(page.table, 0) == [], timeout=5000)
    deadlines.table.cellDoubleClicked.emit(0, 0)
    assert tab.pages.currentWidget() is page
    assert page.detail.case is not None and page.detail.case.reference == reference
    qtbot.waitUntil(lambda: page.selected_id() == page.detail.case.id, timeout=5000)


def test_a_stale_case_is_explained_and_reloaded(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    reference = open_through_dialog(qtbot, page, dialogs, "M001", "Stale")
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    version = get_case(db, case_id).version
    # Someone else moves it meanwhile.
    move_stage(db, case_id, "investigating", date.today(), version)

    def close(d: CloseCaseDialog) -> None:
        _choose(d.outcome, "Withdrawn")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(close)
    click(qtbot, page.close_button)
    [(title, text)] = dialogs.messages("error")
    assert "changed" in title and reference in text
    assert "Investigating" in page.detail.summary.text()  # reloaded


def test_tribunal_deadline_shows_working_and_checks_acas_dates(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    open_through_dialog(qtbot, page, dialogs, "M001", "Dismissal")
    seen: dict[str, Any] = {}

    def tribunal(d: DeadlineDialog) -> None:
        click(qtbot, d.tribunal)
        d.act_date.setDate(QDate(2026, 3, 10))
        seen["steps"] = d.steps_label.text()
        click(qtbot, d.day_a_known)
        d.day_a.setDate(QDate(2026, 4, 1))
        click(qtbot, d.day_b_known)
        d.day_b.setDate(QDate(2026, 3, 20))  # before Day A: cannot be worked out
        seen["problem"] = d.warnings_label.text()
        seen["save_enabled"] = d.save_button.isEnabled()
        d.day_b.setDate(QDate(2026, 4, 15))
        seen["due"] = d.due_label.text()
        click(qtbot, d.save_button)

    dialogs.dialogs.append(tribunal)
    click(qtbot, page.deadline_button)
    assert "10 March 2026" in seen["steps"]
    assert "Day B" in seen["problem"] and seen["save_enabled"] is False
    assert seen["due"].startswith("Due ")
    assert len(page.detail.texts(page.detail.deadlines)) == 1
    assert page.detail.case is not None
    assert page.detail.case.deadlines[0].rule.startswith("tribunal.")
    assert "ACAS" in page.detail.case.deadlines[0].working


def test_window_shortcut_still_reaches_members(qtbot: Any, window: Any) -> None:
    window.tabs.setCurrentIndex(3)
    window.members_tab.activate_requested.emit()
    assert window.tabs.currentWidget() is window.casework_tab
    assert window.casework_tab.pages.currentWidget() is window.members_tab


def test_demo_sized_open_case_form(db: Database) -> None:
    # Sanity: the service path the dialog uses, with the officer as rep.
    reference = open_case(
        db, CaseForm(membership_number="M003", case_type="grievance", opened_on=date.today())
    )
    assert case_id_by_reference(db, reference) is not None


def test_employer_filter_offers_the_employers_cases_are_with(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    first = open_through_dialog(qtbot, page, dialogs, "M001", "With the member's employer")
    other = open_case(
        db,
        CaseForm(
            membership_number="M003",
            case_type="grievance",
            employer="Greystone Facilities Ltd (demo)",
            opened_on=date.today(),
        ),
    )
    page.refresh()
    qtbot.waitUntil(lambda: page.employer.findText("Greystone Facilities Ltd (demo)") >= 0)
    _wait_listed(qtbot, page, other)
    _choose(page.employer, "Greystone Facilities Ltd (demo)")
    qtbot.waitUntil(lambda: column_texts(page.table, 0) == [other], timeout=5000)
    _choose(page.employer, "All employers")
    qtbot.waitUntil(lambda: set(column_texts(page.table, 0)) == {first, other}, timeout=5000)
    assert page.minimumSizeHint().width() <= 1280  # the filters fit a 1280-pixel screen
