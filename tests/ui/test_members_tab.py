"""The member register tab, worked like a branch secretary would: add, edit, search, sort,
import and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from ui_helpers import click, click_header, column_texts, double_click_row, type_into

from branchdesk.members.listing import MemberListing
from branchdesk.members.service import get_member, member_id_by_number, update_member
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.members.import_dialog import ImportPreviewDialog
from branchdesk.ui.members.member_dialog import MemberDialog
from branchdesk.ui.members.members_tab import MembersTab
from branchdesk.ui.worker import Worker

pytestmark = pytest.mark.timeout(60)

LAST_NAME = 1  # column of the member table


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext, dialogs: Any) -> MembersTab:
    widget = MembersTab(ctx)
    qtbot.addWidget(widget, before_close_func=dialogs.closing)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _row_of(tab: MembersTab, last_name: str) -> int:
    return column_texts(tab.table, LAST_NAME).index(last_name)


def test_tab_shows_the_register(tab: MembersTab) -> None:
    assert column_texts(tab.table, LAST_NAME) == ["Barker", "Dare", "Lovelace", "Singer"]
    assert tab.count_label.text() == "4 members"
    headers = [tab.model.headerData(i, Qt.Orientation.Horizontal) for i in range(10)]
    assert headers[:3] == ["Number", "Last name", "First name"]
    assert tab.table.isSortingEnabled()
    assert tab.table.alternatingRowColors()
    assert not tab.edit_button.isEnabled()  # nothing selected yet


def test_add_member_through_the_dialog(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database
) -> None:
    def fill_in(d: MemberDialog) -> None:
        type_into(qtbot, d.membership_number, "M100")
        type_into(qtbot, d.first_name, "Edith")
        type_into(qtbot, d.last_name, "Evans")
        type_into(qtbot, d.employer, "Eastvale District Council")
        type_into(qtbot, d.workplace, "Civic Offices")
        type_into(qtbot, d.job_title, "Librarian")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill_in)
    click(qtbot, tab.add_button)

    assert tab.count_label.text() == "5 members"
    assert column_texts(tab.table, LAST_NAME) == ["Barker", "Dare", "Evans", "Lovelace", "Singer"]
    assert tab.selected_id() == member_id_by_number(db, "M100")  # the new member is selected
    row = _row_of(tab, "Evans")
    assert tab.model.index(row, 3).data() == "Eastvale District Council"
    saved = get_member(db, tab.selected_id())
    assert (saved.first_name, saved.workplace, saved.job_title) == (
        "Edith",
        "Civic Offices",
        "Librarian",
    )


def test_validation_message_beside_empty_name(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database
) -> None:
    seen: dict[str, Any] = {}

    def forget_first_name(d: MemberDialog) -> None:
        type_into(qtbot, d.membership_number, "M101")
        type_into(qtbot, d.last_name, "Evans")
        click(qtbot, d.save_button)
        seen["open"] = d.isVisible()
        seen["message"] = d.error_text("first_name")
        dialogs.confirms.append(True)  # "Discard changes?" — yes
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(forget_first_name)
    click(qtbot, tab.add_button)
    assert seen == {"open": True, "message": "Enter the member's first name."}
    assert member_id_by_number(db, "M101") is None
    assert tab.count_label.text() == "4 members"


def test_edit_member_by_double_click(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database, member_ids: dict[str, int]
) -> None:
    def promote(d: MemberDialog) -> None:
        assert d.last_name.text() == "Singer"
        type_into(qtbot, d.job_title, "Senior Care Worker")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(promote)
    double_click_row(qtbot, tab.table, _row_of(tab, "Singer"))
    assert get_member(db, member_ids["M003"]).job_title == "Senior Care Worker"
    row = _row_of(tab, "Singer")
    assert tab.model.index(row, 6).data() == "Senior Care Worker"
    assert tab.selected_id() == member_ids["M003"]


def test_stale_edit_is_refused_and_the_dialog_stays_open(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database, member_ids: dict[str, int]
) -> None:
    member_id = member_ids["M001"]
    seen: dict[str, Any] = {}

    def edit_while_someone_else_does(d: MemberDialog) -> None:
        type_into(qtbot, d.job_title, "Chief Accountant")
        theirs = get_member(db, member_id)  # another officer, another session
        theirs.workplace = "Riverside Depot"
        update_member(db, member_id, theirs)
        click(qtbot, d.save_button)
        seen["open after save"] = d.isVisible()
        seen["still typed"] = d.job_title.text()
        dialogs.confirms.append(True)
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(edit_while_someone_else_does)
    tab.table.selectRow(_row_of(tab, "Lovelace"))
    click(qtbot, tab.edit_button)

    assert seen == {"open after save": True, "still typed": "Chief Accountant"}
    [(_title, message)] = dialogs.messages("error")
    assert "changed by someone else" in message
    saved = get_member(db, member_id)
    assert (saved.job_title, saved.workplace) == ("Accountant", "Riverside Depot")


def test_search_narrows_the_table(qtbot: Any, tab: MembersTab) -> None:
    qtbot.keyClicks(tab.filter_bar.edit, "kestrel")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)
    assert column_texts(tab.table, LAST_NAME) == ["Singer"]
    assert tab.count_label.text() == "1 member found"
    tab.filter_bar.clear()
    qtbot.keyClicks(tab.filter_bar.edit, "northmoor depot")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)
    assert column_texts(tab.table, LAST_NAME) == ["Barker"]
    tab.filter_bar.clear()
    qtbot.keyClicks(tab.filter_bar.edit, "nobody-by-this-name")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=3000)
    assert tab.stack.currentWidget() is tab.empty_label
    assert "No members match" in tab.empty_label.text()


def test_sort_by_clicking_a_header(qtbot: Any, tab: MembersTab) -> None:
    joined = tab.model.column_index("date_joined")
    click_header(qtbot, tab.table, joined)
    # Oldest first; a member with no date joined sorts first in SQL (NULLs low).
    assert tab.model.sort_column == joined
    assert column_texts(tab.table, LAST_NAME) == ["Dare", "Lovelace", "Barker", "Singer"]
    click_header(qtbot, tab.table, joined)
    assert tab.model.sort_order == Qt.SortOrder.DescendingOrder
    assert column_texts(tab.table, LAST_NAME) == ["Singer", "Barker", "Lovelace", "Dare"]
    first = tab.model.column_index("first_name")
    click_header(qtbot, tab.table, first)
    assert column_texts(tab.table, 2) == ["Ada", "Bob", "Carol", "Dan"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_with_errors_lists_every_problem_and_writes_nothing(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    bad = _write(
        tmp_path / "members.csv",
        "Membership number,Last name,First name,Work email,Date joined\n"
        "M500,Evans,,edith@example.org,01/02/2020\n"
        "M501,Fox,Fay,not-an-email,01/02/2020\n"
        "M502,Gray,Gil,gil@example.org,31/02/2020\n",
    )
    seen: dict[str, Any] = {}

    def read_problems(d: ImportPreviewDialog) -> None:
        assert d.problems_view is not None
        model = d.problems_view.model()
        seen["rows"] = [
            tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())
        ]
        seen["heading"] = d.heading.text()
        buttons = d.findChild(QDialogButtonBox)
        click(qtbot, buttons.button(QDialogButtonBox.StandardButton.Close))

    dialogs.open_files.append(bad)
    dialogs.dialogs.append(read_problems)
    click(qtbot, tab.import_button)

    assert seen["heading"] == "members.csv has 3 problems"
    lines = [(line, column) for line, column, _ in seen["rows"]]
    assert lines == [("2", "First name"), ("3", "Work email"), ("4", "Date joined")]
    assert "first name" in seen["rows"][0][2]
    assert MemberListing(db).count() == 4
    assert tab.count_label.text() == "4 members"
    assert dialogs.messages("info") == []


def test_import_a_good_csv(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    good = _write(
        tmp_path / "new-starters.csv",
        "Membership number,Last name,First name,Employer,Workplace,Job title\n"
        "M600,Evans,Edith,Eastvale District Council,Civic Offices,Librarian\n"
        "M601,Fox,Fay,Eastvale District Council,Civic Offices,Clerk\n"
        "M001,Lovelace,Ada,Northmoor Borough Council,Town Hall,Finance Manager\n",
    )
    seen: dict[str, str] = {}

    def import_it(d: ImportPreviewDialog) -> None:
        seen["summary"] = d.summary.text()
        click(qtbot, d.import_button)

    dialogs.open_files.append(good)
    dialogs.dialogs.append(import_it)
    click(qtbot, tab.import_button)

    assert seen["summary"].startswith("2 new members, 1 to update, 0 unchanged.")
    assert dialogs.messages("info") == [("Import finished", "2 new, 1 updated, 0 unchanged.")]
    assert column_texts(tab.table, LAST_NAME) == [
        "Barker",
        "Dare",
        "Evans",
        "Fox",
        "Lovelace",
        "Singer",
    ]
    assert tab.count_label.text() == "6 members"
    assert get_member(db, member_id_by_number(db, "M001")).job_title == "Finance Manager"


def test_import_preview_cancelled_writes_nothing(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    good = _write(tmp_path / "m.csv", "Membership number,Last name,First name\nM700,Hill,Hal\n")

    def cancel(d: ImportPreviewDialog) -> None:
        d.reject()

    dialogs.open_files.append(good)
    dialogs.dialogs.append(cancel)
    click(qtbot, tab.import_button)
    assert member_id_by_number(db, "M700") is None


def test_export_to_xlsx_and_pdf(qtbot: Any, tab: MembersTab, dialogs: Any, tmp_path: Path) -> None:
    xlsx = tmp_path / "members.xlsx"
    dialogs.save_files.append(xlsx)
    click(qtbot, tab.export_button)
    assert xlsx.is_file()
    sheet = openpyxl.load_workbook(xlsx, read_only=True).active
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert {"Lovelace", "Barker", "Singer", "Dare"} <= cells
    [(title, text)] = dialogs.messages("info")
    assert title == "Export finished" and str(xlsx) in text and text.startswith("4 members")

    # With a search in force, only the members shown are exported.
    tab.filter_bar.set_text("kestrel")
    pdf = tmp_path / "members.pdf"
    dialogs.save_files.append(pdf)
    qtbot.keyClick(tab, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Singer" in text and "Lovelace" not in text
    assert dialogs.messages("info")[-1][1].startswith("1 member matching “kestrel”")


def test_export_refuses_other_file_types(tab: MembersTab, dialogs: Any, tmp_path: Path) -> None:
    dialogs.save_files.append(tmp_path / "members.docx")
    tab.export_action.trigger()
    [(_title, text)] = dialogs.messages("error")
    assert ".xlsx" in text and ".pdf" in text
    assert not (tmp_path / "members.docx").exists()


def test_export_on_a_real_thread_with_progress(
    qtbot: Any, db: Database, prefs: Any, dialogs: Any, tmp_path: Path
) -> None:
    threaded = Worker()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded)
    tab = MembersTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    out = tmp_path / "threaded.xlsx"
    dialogs.save_files.append(out)
    with qtbot.waitSignal(threaded.busy_changed, timeout=20_000, check_params_cb=lambda b: not b):
        tab.export_action.trigger()
        assert not tab.export_button.isEnabled()  # no second export while one runs
    assert threaded.wait_for_done(10_000)
    assert out.is_file()
    assert tab.export_button.isEnabled()
    assert dialogs.messages("info")[0][0] == "Export finished"
