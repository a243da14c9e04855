"""The member register tab, worked like a branch secretary would: add, edit, search, sort,
import and export."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy.exc import OperationalError
from ui_helpers import click, click_header, column_texts, double_click_row, type_into

from branchdesk.members.importer import apply_plan
from branchdesk.members.listing import MemberListing
from branchdesk.members.service import get_member, member_id_by_number, update_member
from branchdesk.progress import Cancelled, Progress
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.members import members_tab, transfers
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
    assert column_texts(tab.table, LAST_NAME) == ["Bramble", "Dare", "Lowmoor", "Singer"]
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
    assert column_texts(tab.table, LAST_NAME) == ["Bramble", "Dare", "Evans", "Lowmoor", "Singer"]
    assert tab.selected_id() == member_id_by_number(db, "M100")  # the new member is selected
    row = _row_of(tab, "Evans")
    assert tab.model.index(row, 3).data() == "Eastvale District Council"
    saved = get_member(db, tab.selected_id())
    assert (saved.first_name, saved.workplace, saved.job_title) == (
        "Edith",
        "Civic Offices",
        "Librarian",
    )


def test_a_member_added_while_a_search_hides_them_is_shown_anyway(
    qtbot: Any, tab: MembersTab, dialogs: Any, db: Database
) -> None:
    tab.filter_bar.set_text("kestrel")
    assert column_texts(tab.table, LAST_NAME) == ["Singer"]

    def fill_in(d: MemberDialog) -> None:
        type_into(qtbot, d.membership_number, "M102")
        type_into(qtbot, d.first_name, "Fay")
        type_into(qtbot, d.last_name, "Fox")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill_in)
    click(qtbot, tab.add_button)
    assert tab.filter_bar.text() == "" and tab.model.search == ""
    assert tab.selected_id() == member_id_by_number(db, "M102")
    assert tab.count_label.text() == "5 members"


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
    tab.table.selectRow(_row_of(tab, "Lowmoor"))
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
    assert column_texts(tab.table, LAST_NAME) == ["Bramble"]
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
    assert column_texts(tab.table, LAST_NAME) == ["Dare", "Lowmoor", "Bramble", "Singer"]
    click_header(qtbot, tab.table, joined)
    assert tab.model.sort_order == Qt.SortOrder.DescendingOrder
    assert column_texts(tab.table, LAST_NAME) == ["Singer", "Bramble", "Lowmoor", "Dare"]
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
        "M001,Lowmoor,Ada,Northmoor Borough Council,Town Hall,Finance Manager\n",
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
        "Bramble",
        "Dare",
        "Evans",
        "Fox",
        "Lowmoor",
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
    assert {"Lowmoor", "Bramble", "Singer", "Dare"} <= cells
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
    assert "Singer" in text and "Lowmoor" not in text
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


# -- searching off the GUI thread ----------------------------------------------------------------


class SlowListing(MemberListing):
    """The real member list, with searches as slow as `delays` says (seconds, by search text)."""

    def __init__(self, db: Database, delays: dict[str, float]) -> None:
        super().__init__(db)
        self.delays = delays
        self.started: list[str] = []
        self.finished: list[str] = []

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        self.started.append(search)
        time.sleep(self.delays.get(search, 0.0))
        try:
            return super().ids(search, sort_key, descending)
        finally:
            self.finished.append(search)


def test_typing_fast_shows_only_the_last_search_and_a_slow_old_one_is_ignored(
    qtbot: Any, db: Database, prefs: Any, dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowListing(db, {"n": 2.5})  # "n" matches all four members; "nor" only two
    monkeypatch.setattr(members_tab, "MemberListing", lambda _db: slow)
    threaded = Worker()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded)
    tab = MembersTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 4, timeout=5000)
    seen: list[tuple[str, list[str]]] = []
    tab.model.ids_loaded.connect(
        lambda: seen.append((tab.model.search, column_texts(tab.table, LAST_NAME)))
    )

    qtbot.keyClicks(tab.filter_bar.edit, "n")
    qtbot.waitUntil(lambda: "n" in slow.started, timeout=3000)
    # The window is not frozen by the slow search: it takes more keys, and shows the old rows.
    assert tab.model.rowCount() == 4 and tab.count_label.text() == "4 members"
    qtbot.keyClicks(tab.filter_bar.edit, "o")
    qtbot.wait(200)  # long enough for the search box to send "no"
    qtbot.keyClicks(tab.filter_bar.edit, "r")
    qtbot.waitUntil(lambda: tab.model.search == "nor" and not tab.model.loading, timeout=5000)
    assert "n" not in slow.finished  # the newer searches overtook the slow one
    assert column_texts(tab.table, LAST_NAME) == ["Bramble", "Lowmoor"]
    assert tab.count_label.text() == "2 members found"

    qtbot.waitUntil(lambda: "n" in slow.finished, timeout=5000)
    qtbot.wait(100)  # its answer reaches the GUI thread, and is dropped
    assert column_texts(tab.table, LAST_NAME) == ["Bramble", "Lowmoor"]
    assert tab.count_label.text() == "2 members found"
    assert ("n", ["Bramble", "Dare", "Lowmoor", "Singer"]) not in seen
    assert seen[-1] == ("nor", ["Bramble", "Lowmoor"])
    assert threaded.wait_for_done(10_000)


def test_opening_on_a_real_thread_says_loading_not_no_members(
    qtbot: Any, db: Database, prefs: Any, dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowListing(db, {"": 0.5})
    monkeypatch.setattr(members_tab, "MemberListing", lambda _db: slow)
    threaded = Worker()
    tab = MembersTab(AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded))
    qtbot.addWidget(tab)
    tab.show()
    assert tab.count_label.text() == "Loading…"
    assert tab.stack.currentWidget() is tab.table  # not "No members yet"
    qtbot.waitUntil(lambda: tab.count_label.text() == "4 members", timeout=5000)
    assert threaded.wait_for_done(10_000)


def test_sorting_and_searching_keep_the_selected_member(qtbot: Any, tab: MembersTab) -> None:
    tab.table.selectRow(_row_of(tab, "Singer"))
    singer = tab.selected_id()
    click_header(qtbot, tab.table, tab.model.column_index("date_joined"))
    assert tab.selected_id() == singer
    assert column_texts(tab.table, LAST_NAME)[tab.table.currentIndex().row()] == "Singer"
    tab.filter_bar.set_text("care")
    assert column_texts(tab.table, LAST_NAME) == ["Singer"] and tab.selected_id() == singer


# -- a database that cannot be read --------------------------------------------------------------


def test_a_locked_database_while_painting_shows_a_banner_not_a_dialog(
    qtbot: Any, tab: MembersTab, dialogs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab.model._retry_rows.setInterval(50)  # retry sooner than a person would notice
    hooked: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: hooked.append(t))
    listing = tab.model.listing
    real_rows = listing.rows
    attempts: list[int] = []

    def locked(ids: Any) -> Any:
        attempts.append(len(ids))
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(listing, "rows", locked)
    tab.model.refresh()  # new ids: the rows are read again as the table paints
    qtbot.waitUntil(tab.load_banner.isVisible, timeout=3000)
    assert tab.load_banner.text() == (
        "The member list could not be read: database is locked. Retrying…"
    )
    qtbot.waitUntil(lambda: len(attempts) >= 3, timeout=3000)  # tried again, quietly
    assert hooked == [] and dialogs.shown == []  # no crash dialog, no message box
    assert column_texts(tab.table, LAST_NAME) == ["", "", "", ""]

    monkeypatch.setattr(listing, "rows", real_rows)  # the other program lets go
    qtbot.waitUntil(lambda: not tab.load_banner.isVisible(), timeout=3000)
    assert column_texts(tab.table, LAST_NAME) == ["Bramble", "Dare", "Lowmoor", "Singer"]


# -- no saving while an import writes ------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["finishes", "fails", "is cancelled"])
def test_add_and_edit_are_off_while_an_import_writes(
    qtbot: Any,
    tab: MembersTab,
    dialogs: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    outcome: str,
) -> None:
    good = _write(tmp_path / "m.csv", "Membership number,Last name,First name\nM800,Ives,Ivy\n")
    tab.table.selectRow(_row_of(tab, "Dare"))
    assert tab.add_button.isEnabled() and tab.edit_button.isEnabled()
    during: dict[str, bool] = {}

    def write(db: Database, plan: Any, progress: Progress) -> Any:
        during.update(
            add=tab.add_button.isEnabled(),
            edit=tab.edit_button.isEnabled(),
            import_=tab.import_button.isEnabled(),
            add_action=tab.add_action.isEnabled(),
        )
        tab.edit_selected()  # a double-click on a member now opens nothing
        if outcome == "fails":
            raise OSError("disk full")
        if outcome == "is cancelled":
            raise Cancelled()
        return apply_plan(db, plan, progress)

    monkeypatch.setattr(transfers, "apply_plan", write)
    dialogs.open_files.append(good)
    dialogs.dialogs.append(lambda d: click(qtbot, d.import_button))
    click(qtbot, tab.import_button)

    assert during == {"add": False, "edit": False, "import_": False, "add_action": False}
    assert tab.add_button.isEnabled() and tab.edit_button.isEnabled()
    assert tab.import_button.isEnabled()
    assert not tab.transfers.writing
