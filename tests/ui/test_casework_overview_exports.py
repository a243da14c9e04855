"""The Casework tab's overview strip and its Export menu, worked the way a rep would: read the
figures, fold the strip away, click an old case, export and read the files back."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from icalendar import Calendar
from pypdf import PdfReader
from ui_helpers import LEFT

from branchdesk.casework.deadlines import add_months
from branchdesk.casework.queries import get_case
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    case_id_by_reference,
    close_case,
    open_case,
)
from branchdesk.settings import Preferences
from branchdesk.store.database import Database
from branchdesk.ui.casework.casework_tab import CaseworkTab
from branchdesk.ui.casework.common import CASEWORK
from branchdesk.ui.casework.overview import age_text
from branchdesk.ui.context import AppContext
from branchdesk.ui.worker import Worker

TODAY = date.today()
# (key, member, type, rep, days ago opened, title); "G" is closed ten days ago.
CASES = (
    ("A", "M001", "grievance", "Rita Rep", 400, "Overtime rota grievance"),
    ("B", "M004", "other", "Sam Steward", 300, "Lapsed member query"),
    ("C", "M002", "disciplinary", "Rita Rep", 200, "Late return from break"),
    ("D", "M003", "grievance", "Sam Steward", 100, "Shift pattern change"),
    ("E", "M002", "redundancy", "Rita Rep", 30, "Depot closure"),
    ("F", "M003", "sickness_absence", "", 5, "Long-term absence review"),
    ("G", "M001", "capability", "Sam Steward", 50, "Capability review"),
)


@pytest.fixture
def cases(db: Database) -> dict[str, str]:
    """The small data set, made with the service functions: key -> case reference."""
    made: dict[str, str] = {}
    for key, number, case_type, rep, ago, title in CASES:
        made[key] = open_case(
            db,
            CaseForm(
                membership_number=number,
                case_type=case_type,
                rep=rep,
                title=title,
                opened_on=TODAY - timedelta(days=ago),
            ),
        )
    g = case_id_by_reference(db, made["G"])
    assert g is not None
    close_case(db, g, "won", TODAY - timedelta(days=10), get_case(db, g).version)
    return made


def _tab(qtbot: Any, ctx: AppContext) -> CaseworkTab:
    widget = CaseworkTab(ctx)
    qtbot.addWidget(widget, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext, cases: dict[str, str]) -> CaseworkTab:
    return _tab(qtbot, ctx)


def _id(db: Database, reference: str) -> int:
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    return case_id


def _click_cell(qtbot: Any, table: Any, row: int, column: int = 0) -> None:
    rect = table.visualItemRect(table.item(row, column))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())


def _select_case(qtbot: Any, tab: CaseworkTab, reference: str) -> None:
    page = tab.cases_page
    qtbot.waitUntil(lambda: page.model.row_of(_id(page.ctx.db, reference)) is not None)
    row = page.model.row_of(_id(page.ctx.db, reference))
    assert row is not None
    pos = page.table.visualRect(page.model.index(row, 1)).center()
    qtbot.mouseClick(page.table.viewport(), LEFT, pos=pos)
    assert page.detail.case is not None and page.detail.case.reference == reference


def _pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def _cells(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list((book[sheet] if sheet else book.active).iter_rows(values_only=True))
    book.close()
    return rows


# -- the overview --------------------------------------------------------------------------------


def test_overview_shows_the_caseload(tab: CaseworkTab, cases: dict[str, str]) -> None:
    overview = tab.overview
    assert overview.isVisible() and overview.data is not None
    assert overview.type_caption.text() == "6 open cases by type"
    assert overview.texts(overview.by_type) == [
        ["Grievance", "2"],
        ["Disciplinary", "1"],
        ["Sickness absence", "1"],
        ["Redundancy", "1"],
        ["Other", "1"],
    ]
    assert overview.texts(overview.by_rep) == [
        ["Rita Rep", "3"],
        ["Sam Steward", "2"],
        ["(no rep)", "1"],
    ]
    # The five oldest open cases, oldest first; the closed one and the newest are not among them.
    assert overview.texts(overview.oldest) == [
        [cases["A"], "Grievance", age_text(400)],
        [cases["B"], "Other", age_text(300)],
        [cases["C"], "Disciplinary", age_text(200)],
        [cases["D"], "Grievance", age_text(100)],
        [cases["E"], "Redundancy", age_text(30)],
    ]
    # The chart: twelve months ending with this one, opened and closed counted per month.
    first = add_months(TODAY.replace(day=1), -11)
    opened = Counter(
        (TODAY - timedelta(days=ago)).replace(day=1)
        for *_, ago, _title in CASES
        if TODAY - timedelta(days=ago) >= first
    )
    closed = Counter({(TODAY - timedelta(days=10)).replace(day=1): 1})
    months = overview.chart.months
    assert [m for m, _, _ in months] == [add_months(first, i) for i in range(12)]
    assert [(o, c) for m, o, c in months] == [(opened[m], closed[m]) for m, _, _ in months]
    assert overview.chart_caption.text() == (
        f"Last 12 months: {sum(opened.values())} opened, 1 closed"
    )
    # Compact: the strip fits above the pages at 1280×800 without crowding them.
    assert overview.sizeHint().height() <= 170
    assert overview.height() <= 170
    overview.chart.grab()  # painting with data does not fail


def test_overview_follows_changes(tab: CaseworkTab, db: Database, ctx: AppContext) -> None:
    overview = tab.overview
    open_case(
        db,
        CaseForm(
            membership_number="M001", case_type="tupe_transfer", rep="Rita Rep", opened_on=TODAY
        ),
    )
    ctx.changed(CASEWORK)
    assert overview.type_caption.text() == "7 open cases by type"
    assert ["TUPE transfer", "1"] in overview.texts(overview.by_type)
    assert overview.texts(overview.by_rep)[0] == ["Rita Rep", "4"]


def test_hiding_and_showing_the_overview_is_remembered(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, db: Database, cases: dict[str, str]
) -> None:
    overview = tab.overview
    assert overview.toggle_button.text() == "Hide overview"
    qtbot.mouseClick(overview.toggle_button, LEFT)
    assert not overview.isVisible()
    assert overview.toggle_button.text() == "Show overview"
    assert tab.exports.button.isVisible()  # the Export menu stays within reach

    # A change while it is folded away is read when it is shown again, not before.
    open_case(db, CaseForm(membership_number="M003", case_type="tupe_transfer", opened_on=TODAY))
    ctx.changed(CASEWORK)
    assert overview.type_caption.text() == "6 open cases by type"

    # Next time (a fresh start: preferences read again from their file) it starts hidden.
    again = AppContext(
        db=db,
        preferences=Preferences(ctx.preferences.path),
        dialogs=ctx.dialogs,
        worker=ctx.worker,
    )
    second = _tab(qtbot, again)
    assert not second.overview.isVisible()
    assert second.overview.toggle_button.text() == "Show overview"
    assert second.overview.data is None  # nothing read for a strip nobody sees

    qtbot.mouseClick(overview.toggle_button, LEFT)
    assert overview.isVisible() and overview.toggle_button.text() == "Hide overview"
    assert overview.type_caption.text() == "7 open cases by type"
    third = _tab(
        qtbot,
        AppContext(
            db=db,
            preferences=Preferences(ctx.preferences.path),
            dialogs=ctx.dialogs,
            worker=ctx.worker,
        ),
    )
    assert third.overview.isVisible() and third.overview.data is not None


def test_clicking_an_old_case_selects_it(
    qtbot: Any, tab: CaseworkTab, db: Database, cases: dict[str, str]
) -> None:
    page = tab.cases_page
    tab.pages.setCurrentWidget(tab.deadlines_page)
    _click_cell(qtbot, tab.overview.oldest, 2)  # C
    assert tab.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.selected_id() == _id(db, cases["C"]), timeout=5000)
    assert page.detail.case is not None and page.detail.case.reference == cases["C"]

    # Even when the filters hide it (closed cases only), the case asked for is shown.
    page.status.setCurrentIndex(page.status.findData("closed"))
    qtbot.waitUntil(lambda: page.model.row_of(_id(db, cases["A"])) is None, timeout=5000)
    _click_cell(qtbot, tab.overview.oldest, 0, column=2)  # A, clicked on its age
    qtbot.waitUntil(lambda: page.selected_id() == _id(db, cases["A"]), timeout=5000)
    assert page.detail.case is not None and page.detail.case.reference == cases["A"]


def test_overview_reads_on_a_real_thread(
    qtbot: Any, db: Database, prefs: Preferences, dialogs: Any, cases: dict[str, str]
) -> None:
    threaded = Worker()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded)
    tab = _tab(qtbot, ctx)
    qtbot.waitUntil(lambda: tab.overview.data is not None, timeout=10_000)
    assert tab.overview.type_caption.text() == "6 open cases by type"
    assert not threaded.busy  # a quiet read: no "still working" state for the window
    assert threaded.wait_for_done(10_000)


# -- exports -------------------------------------------------------------------------------------


def test_export_menu_offers_the_four_exports(tab: CaseworkTab) -> None:
    exports = tab.exports
    assert exports.button.menu() is exports.menu
    texts = [a.text() for a in exports.menu.actions() if a.isVisible() and not a.isSeparator()]
    assert texts == [
        "Case list (current filter)…",
        "Case summary…",
        "Caseload report…",
        "Deadlines calendar (all reps)…",
    ]


def test_case_list_export_uses_the_current_filter(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, tmp_path: Path, cases: dict[str, str]
) -> None:
    page = tab.cases_page
    page.case_type.setCurrentIndex(page.case_type.findData("grievance"))
    xlsx = tmp_path / "grievances.xlsx"
    dialogs.save_files.append(xlsx)
    tab.exports.case_list_action.trigger()
    cells = {str(c) for row in _cells(xlsx) for c in row if c is not None}
    assert {cases["A"], cases["D"], "Lowmoor, Ada", "Singer, Carol"} <= cells
    assert cases["C"] not in cells and cases["G"] not in cells  # not a grievance; closed
    assert any("Test Branch" in c for c in cells)
    [(title, text)] = dialogs.messages("info")
    assert title == "Export finished"
    assert text.startswith("2 cases (Cases: open cases, type Grievance)") and str(xlsx) in text
    # The file chooser suggested a dated .xlsx name.
    assert dialogs.messages("save_file")[0][1].endswith(f"cases-{TODAY:%Y-%m-%d}.xlsx")

    # A search narrows it further; the PDF says the same.
    page.filter_bar.set_text("singer")
    qtbot.waitUntil(lambda: page.model.search == "singer", timeout=5000)
    pdf = tmp_path / "grievances.pdf"
    dialogs.save_files.append(pdf)
    tab.exports.case_list_action.trigger()
    text = _pdf_text(pdf)
    assert cases["D"] in text and cases["A"] not in text
    assert "Test Branch" in text and "Confidential" in text
    assert dialogs.messages("info")[-1][1].startswith("1 case (")


def test_case_summary_needs_a_selected_case(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, tmp_path: Path, cases: dict[str, str]
) -> None:
    exports = tab.exports
    exports.menu.aboutToShow.emit()  # as when the menu opens
    assert not exports.summary_action.isEnabled()
    assert exports.summary_action.text() == "Case summary…"

    _select_case(qtbot, tab, cases["D"])
    assert exports.summary_action.isEnabled()
    assert exports.summary_action.text() == f"Case summary for {cases['D']}…"
    pdf = tmp_path / "summary.pdf"
    dialogs.save_files.append(pdf)
    exports.summary_action.trigger()
    text = _pdf_text(pdf)
    assert cases["D"] in text and "Shift pattern change" in text and "Carol" in text
    assert "Test Branch" in text
    [(title, message)] = dialogs.messages("info")
    assert title == "Export finished" and cases["D"] in message and str(pdf) in message
    assert dialogs.messages("save_file")[0][1].endswith(f"case-summary-{cases['D'].lower()}.pdf")


def test_confidential_entries_are_left_out_unless_asked_for(
    qtbot: Any,
    tab: CaseworkTab,
    dialogs: Any,
    db: Database,
    tmp_path: Path,
    cases: dict[str, str],
) -> None:
    case_id = case_id_by_reference(db, cases["D"])
    assert case_id is not None
    add_entry(
        db,
        case_id,
        EntryForm(date.today(), "note", "Health", "Told us about a diagnosis", confidential=True),
    )
    tab.ctx.changed(CASEWORK)
    exports = tab.exports
    _select_case(qtbot, tab, cases["D"])
    exports.menu.aboutToShow.emit()
    assert exports.full_summary_action.isVisible() and exports.full_summary_action.isEnabled()
    plain, full = tmp_path / "plain.pdf", tmp_path / "full.pdf"
    dialogs.save_files.extend([plain, full])
    exports.summary_action.trigger()
    exports.full_summary_action.trigger()
    assert "diagnosis" not in _pdf_text(plain)
    assert "1 confidential entry is left out" in " ".join(_pdf_text(plain).split())
    assert "diagnosis" in _pdf_text(full) and "[confidential]" in _pdf_text(full)


def test_caseload_report_as_pdf_and_xlsx(
    tab: CaseworkTab, dialogs: Any, tmp_path: Path, cases: dict[str, str]
) -> None:
    pdf = tmp_path / "caseload.pdf"
    dialogs.save_files.append(pdf)
    tab.exports.caseload_action.trigger()
    text = _pdf_text(pdf)
    assert "Branch caseload" in text and "Test Branch" in text
    assert cases["A"] in text and "Overtime" not in text  # oldest cases by reference, no titles
    assert dialogs.messages("info")[-1][1].startswith("Caseload report (6 open cases)")

    xlsx = tmp_path / "caseload.xlsx"
    dialogs.save_files.append(xlsx)
    tab.exports.caseload_action.trigger()
    by_type = [r for r in _cells(xlsx, "By type") if r and r[0] == "Grievance"]
    assert by_type == [("Grievance", 2)]
    oldest = {r[0] for r in _cells(xlsx, "Oldest open") if r}
    assert {cases[k] for k in "ABCDEF"} <= oldest and cases["G"] not in oldest


def test_deadlines_calendar_for_everyone_or_one_rep(
    qtbot: Any, tab: CaseworkTab, db: Database, dialogs: Any, tmp_path: Path, cases: dict[str, str]
) -> None:
    add_deadline(db, _id(db, cases["A"]), "Appeal letter", TODAY + timedelta(days=5))
    add_deadline(db, _id(db, cases["D"]), "Hearing", TODAY + timedelta(days=9))
    add_deadline(db, _id(db, cases["C"]), "Statement", TODAY + timedelta(days=40))
    tab.ctx.changed(CASEWORK)

    everyone = tmp_path / "all.ics"
    dialogs.save_files.append(everyone)
    tab.exports.calendar_action.trigger()
    events = Calendar.from_ical(everyone.read_bytes()).walk("VEVENT")
    assert len(events) == 3
    assert {str(e["summary"]) for e in events} >= {f"{cases['A']}: Appeal letter"}
    assert dialogs.messages("info")[-1][1].startswith("3 open deadlines written to")

    # The rep chosen on the Deadlines page: only that rep's deadlines.
    rep = tab.deadlines_page.rep
    rep.setCurrentIndex(rep.findData("Rita Rep"))
    assert tab.exports.calendar_action.text() == "Deadlines calendar for Rita Rep…"
    rita = tmp_path / "rita.ics"
    dialogs.save_files.append(rita)
    tab.exports.calendar_action.trigger()
    events = Calendar.from_ical(rita.read_bytes()).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == [
        f"{cases['A']}: Appeal letter",
        f"{cases['C']}: Statement",
    ]
    assert dialogs.messages("save_file")[-1][1].endswith(f"deadlines-rita-rep-{TODAY:%Y-%m-%d}.ics")
    assert "2 open deadlines for Rita Rep" in dialogs.messages("info")[-1][1]


def test_export_problems_are_messages(
    tab: CaseworkTab, dialogs: Any, tmp_path: Path, cases: dict[str, str]
) -> None:
    # A name the report cannot write: refused before any work starts.
    dialogs.save_files.append(tmp_path / "caseload.docx")
    tab.exports.caseload_action.trigger()
    [(_title, text)] = dialogs.messages("error")
    assert ".pdf" in text and ".xlsx" in text
    assert not (tmp_path / "caseload.docx").exists()

    # A "folder" that is really a file: the write fails, the user is told, nothing crashes.
    (tmp_path / "not-a-folder").write_text("x")
    dialogs.save_files.append(tmp_path / "not-a-folder" / "cases.xlsx")
    tab.exports.case_list_action.trigger()
    title, text = dialogs.messages("error")[-1]
    assert title == "Export failed" and "could not be written" in text
    assert tab.exports.case_list_action.isEnabled()  # ready for another go

    # Cancelling the file chooser does nothing at all.
    shown = len(dialogs.shown)
    dialogs.save_files.append(None)
    tab.exports.calendar_action.trigger()
    assert len(dialogs.shown) == shown + 1  # only the file chooser itself


def test_export_on_a_real_thread(
    qtbot: Any, db: Database, prefs: Preferences, dialogs: Any, tmp_path: Path, cases: Any
) -> None:
    threaded = Worker()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=threaded)
    tab = _tab(qtbot, ctx)
    out = tmp_path / "threaded.pdf"
    dialogs.save_files.append(out)
    with qtbot.waitSignal(threaded.busy_changed, timeout=20_000, check_params_cb=lambda b: not b):
        tab.exports.caseload_action.trigger()
        assert not tab.exports.caseload_action.isEnabled()  # no second export while one runs
    assert threaded.wait_for_done(10_000)
    assert out.is_file() and "Branch caseload" in _pdf_text(out)
    assert tab.exports.caseload_action.isEnabled()
    assert dialogs.messages("info")[-1][0] == "Export finished"


def test_another_database_is_read_when_the_overview_is_next_shown(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, tmp_path: Path
) -> None:
    from branchdesk.store.database import open_database

    overview = tab.overview
    qtbot.mouseClick(overview.toggle_button, LEFT)  # folded away
    other = open_database(tmp_path / "other.sqlite3", officer="Test Officer")
    try:
        ctx.db = other
        ctx.events.database_changed.emit()
        assert overview.data is None and overview.texts(overview.oldest) == []
        qtbot.mouseClick(overview.toggle_button, LEFT)
        assert overview.type_caption.text() == "0 open cases by type"
        assert overview.texts(overview.by_type) == [["No open cases", ""]]
        assert overview.texts(overview.oldest) == []
    finally:
        tab.cleanup()
        other.dispose()
